/**
 * Setting up an approval evaluation in the new-comparison form: the real form state with a real
 * RunRepository on an in-memory IndexedDB, the ApprovalSetup component mounted in jsdom, and the
 * statement fixtures of the approval e2e read as picked files. Checks the greedy defaults, files
 * read several at once (a bad one named with its line), the seeded subset per file, conditions
 * with their system prompts and the user's own, the job count, the problems that stop a start,
 * the offline and unknown-name errors of a download, and the run that is saved.
 */
import { File as NodeFile } from 'node:buffer';
import { readFileSync } from 'node:fs';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ApprovalSetup from '../../src/components/setup/ApprovalSetup.svelte';
import { BUILTIN_CONDITIONS, QUESTION_TEMPLATE, seededSubset } from '../../src/lib/core/approval';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { AppState } from '../../src/lib/state/app.svelte';
import { ApprovalSetupState } from '../../src/lib/state/approval-setup.svelte';
import { APPROVAL_SETTINGS, NewComparisonState } from '../../src/lib/state/new-comparison.svelte';
import { SessionSecrets } from '../../src/lib/state/session-secrets.svelte';

// jsdom's File cannot be streamed; Node's is the same Blob API the browser's is.
const File = NodeFile as unknown as typeof globalThis.File;
const FIXTURES = 'tests/fixtures/approval-e2e';

function fixture(name: string): File {
  return new File([readFileSync(`${FIXTURES}/${name}`)], name);
}

async function appWith(name: string) {
  const db = await openDb({ factory: new IDBFactory(), name });
  const repo = new RunRepository(db);
  const app = { repo: async () => repo, sessionSecrets: new SessionSecrets() };
  return { app: app as unknown as AppState, repo, db };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

describe('the approval source of the new-comparison form', () => {
  it('switches to greedy, one sample and few tokens, and gives the earlier settings back', async () => {
    const { app, db } = await appWith('approval-defaults');
    const form = new NewComparisonState(app);
    form.temperature = 0.8;
    form.samplesPerPrompt = 4;
    form.maxTokens = 200;
    form.promptSource = 'approval';
    expect({
      temperature: form.temperature,
      samplesPerPrompt: form.samplesPerPrompt,
      maxTokens: form.maxTokens,
    }).toEqual({ temperature: 0, samplesPerPrompt: 1, maxTokens: 16 });
    expect(APPROVAL_SETTINGS).toEqual({ samplesPerPrompt: 1, temperature: 0, maxTokens: 16 });
    // Editable: a changed value stays while the source stays.
    form.maxTokens = 8;
    form.promptSource = 'approval';
    expect(form.maxTokens).toBe(8);
    form.promptSource = 'demo';
    expect([form.temperature, form.samplesPerPrompt, form.maxTokens]).toEqual([0.8, 4, 200]);
    db.close();
  });

  it('will not start without a file or without a condition, and says which', async () => {
    const { app, db } = await appWith('approval-problems');
    const form = new NewComparisonState(app);
    form.promptSource = 'approval';
    expect(form.problem).toBe('Load a persona file by name or upload at least one statement file.');
    expect(form.jobCount).toBe(0);
    expect(await form.start()).toBeNull();
    expect(form.error).toBe('Load a persona file by name or upload at least one statement file.');

    await form.approval.upload([fixture('helpfulness.jsonl')]);
    expect(form.problem).toBeNull();
    form.approval.chosen = [];
    expect(form.problem).toBe('Choose at least one condition.');
    expect(form.jobCount).toBe(0);
    form.approval.chosen = ['plain'];
    form.approval.perFile = 1.5;
    expect(form.problem).toBe('Statements per file must be a whole number (0 = all).');
    form.approval.perFile = -1;
    expect(form.problem).toBe('Statements per file must be a whole number (0 = all).');
    form.approval.perFile = 0;
    expect(form.problem).toBeNull();
    db.close();
  });

  it('reads several files at once, names a bad one with its line, and counts the jobs', async () => {
    const { app, db } = await appWith('approval-files');
    const form = new NewComparisonState(app);
    form.promptSource = 'approval';
    const setup = form.approval;
    await setup.upload([
      fixture('helpfulness.jsonl'),
      fixture('plain-values.txt'),
      fixture('broken.jsonl'),
    ]);
    expect(setup.files.map((f) => [f.name, f.fileName, f.statements.length])).toEqual([
      ['helpfulness', 'helpfulness.jsonl', 5],
      ['plain-values', 'plain-values.txt', 3],
    ]);
    expect(setup.problems).toHaveLength(1);
    expect(setup.problems[0]!.fileName).toBe('broken.jsonl');
    expect(setup.problems[0]!.message).toMatch(/^broken\.jsonl, line 2\b/);

    // A plain list is asked with the template and matches "yes"; the persona file keeps its own.
    const plain = setup.files[1]!.statements[0]!;
    expect(plain.question).toBe(QUESTION_TEMPLATE.replace('{statement}', plain.statement));
    expect(plain.matching).toBe('yes');
    expect(setup.files[0]!.statements.map((s) => s.matching)).toEqual([
      'yes',
      'yes',
      'yes',
      'yes',
      'no',
    ]);

    // Every statement, under every built-in condition (all chosen at first).
    setup.perFile = 0;
    expect(setup.conditions.map((c) => c.id)).toEqual(BUILTIN_CONDITIONS.map((c) => c.id));
    expect(form.prompts).toHaveLength(8 * BUILTIN_CONDITIONS.length);
    expect(form.jobCount).toBe(8 * BUILTIN_CONDITIONS.length * 1 * 2);

    // Two per file, seeded: the same seed picks the same statements, another seed others.
    setup.perFile = 2;
    setup.chosen = ['plain', 'evaluated'];
    const picked = setup.statements.map((s) => `${s.file}/${s.id}`);
    expect(setup.statements).toEqual([
      ...seededSubset(setup.files[0]!.statements, 2, 1),
      ...seededSubset(setup.files[1]!.statements, 2, 1),
    ]);
    expect(form.jobCount).toBe(2 * 2 * 2 * 2);
    expect(form.prompts.map((p) => p.id)).toEqual(
      picked.flatMap((key) => [`${key}@plain`, `${key}@evaluated`]),
    );
    const evaluated = BUILTIN_CONDITIONS.find((c) => c.id === 'evaluated')!;
    expect(form.prompts[1]!.systemPrompt).toBe(evaluated.systemPrompt);
    expect(form.prompts[0]!.systemPrompt).toBeUndefined();
    setup.seed = 2;
    const again = setup.statements.map((s) => `${s.file}/${s.id}`);
    setup.seed = 1;
    expect(setup.statements.map((s) => `${s.file}/${s.id}`)).toEqual(picked);
    expect(again).toHaveLength(4);

    // The same category again replaces the first copy; a fixed file clears its problem.
    await setup.upload([fixture('helpfulness.jsonl')]);
    expect(setup.files.map((f) => f.name)).toEqual(['helpfulness', 'plain-values']);
    setup.remove('plain-values');
    expect(setup.files.map((f) => f.name)).toEqual(['helpfulness']);
    await setup.upload([new File(['{"question": "Q?", "statement": "S", '], 'broken.jsonl')]);
    expect(setup.problems.map((p) => p.fileName)).toEqual(['broken.jsonl']);
    expect(setup.problems[0]!.message).toMatch(/^broken\.jsonl, line 1\b/);
    db.close();
  });

  it('saves a run that records the setup and asks each statement under each condition', async () => {
    const { app, repo, db } = await appWith('approval-start');
    const form = new NewComparisonState(app);
    form.promptSource = 'approval';
    await form.approval.upload([fixture('helpfulness.jsonl'), fixture('plain-values.txt')]);
    form.approval.perFile = 3;
    form.approval.seed = 7;
    form.approval.chosen = ['plain'];
    form.approval.newName = 'Pirate';
    form.approval.newPrompt = 'You are a pirate captain.';
    expect(form.approval.addCondition()).toBe(true);
    expect(form.problem).toBeNull();

    const id = await form.start();
    expect(form.error).toBeNull();
    const run = await repo.open(id!);
    expect(run.name).toBe('Approval: tiny-base vs tiny-finetune');
    expect(run.samplesPerPrompt).toBe(1);
    expect(run.models.A.params).toMatchObject({ temperature: 0, maxTokens: 16 });
    expect(run.models.B.params).toMatchObject({ temperature: 0, maxTokens: 16 });
    expect(run.approval).toEqual({
      conditions: [
        { id: 'plain', name: 'Question alone', systemPrompt: null },
        { id: 'custom-1', name: 'Pirate', systemPrompt: 'You are a pirate captain.' },
      ],
      files: [
        { name: 'helpfulness', statements: 3, total: 5 },
        { name: 'plain-values', statements: 3, total: 3 },
      ],
      perFile: 3,
      seed: 7,
    });
    expect(run.promptSet).toEqual({
      id: 'approval:helpfulness,plain-values',
      name: 'Approval: helpfulness, plain-values',
      source: 'upload',
    });
    expect(run.prompts).toHaveLength(6 * 2);
    const pirate = run.prompts.filter((p) => p.approval?.conditionId === 'custom-1');
    expect(pirate).toHaveLength(6);
    expect(pirate.every((p) => p.systemPrompt === 'You are a pirate captain.')).toBe(true);
    const first = run.prompts[0]!;
    expect(first.approval).toEqual({
      statementId: expect.any(String),
      file: 'helpfulness',
      statement: expect.any(String),
      matching: expect.stringMatching(/^(yes|no)$/),
      conditionId: 'plain',
    });
    expect(first.text).toContain(first.approval!.statement);
    db.close();
  });

  it('says a persona file cannot be downloaded offline, and names an unknown one', async () => {
    const offline = new ApprovalSetupState(async () => {
      throw new TypeError('Failed to fetch');
    });
    offline.personaName = 'agreeableness';
    await offline.loadPersona();
    expect(offline.error).toBe(
      'Could not reach https://raw.githubusercontent.com/anthropics/evals/main/persona/agreeableness.jsonl: check the network, or download the file and upload it instead.',
    );
    expect(offline.files).toEqual([]);

    const missing = new ApprovalSetupState(async () => new Response('404', { status: 404 }));
    missing.personaName = 'no-such-persona';
    await missing.loadPersona();
    expect(missing.error).toMatch(/answered 404: is "no-such-persona" a persona file name\?$/);

    const text = readFileSync(`${FIXTURES}/helpfulness.jsonl`, 'utf8');
    const urls: string[] = [];
    const online = new ApprovalSetupState(async (url) => {
      urls.push(String(url));
      return new Response(text);
    });
    online.personaName = 'helpfulness';
    await online.loadPersona();
    expect(online.error).toBeNull();
    expect(urls).toEqual([
      'https://raw.githubusercontent.com/anthropics/evals/main/persona/helpfulness.jsonl',
    ]);
    expect(online.files.map((f) => [f.name, f.via, f.statements.length])).toEqual([
      ['helpfulness', 'url', 5],
    ]);
    expect(online.info.source).toBe('url');
  });
});

describe('the ApprovalSetup component', () => {
  it('lists the files with counts and problems, and the conditions with their system prompts', async () => {
    const setup = new ApprovalSetupState();
    component = mount(ApprovalSetup, { target: document.body, props: { setup } });
    flushSync();
    const conditions = [...document.querySelectorAll('[data-testid="approval-condition"]')];
    expect(conditions.map((li) => li.getAttribute('data-id'))).toEqual(
      BUILTIN_CONDITIONS.map((c) => c.id),
    );
    for (const [i, c] of BUILTIN_CONDITIONS.entries()) {
      const text = conditions[i]!.textContent ?? '';
      expect(text).toContain(c.name);
      expect(text).toContain(c.systemPrompt ?? 'no system prompt');
      expect(conditions[i]!.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked).toBe(
        true,
      );
    }

    // Several files picked at once through the file input.
    const input = document.querySelector<HTMLInputElement>('[data-testid="approval-files"]')!;
    expect(input.multiple).toBe(true);
    Object.defineProperty(input, 'files', {
      configurable: true,
      value: [fixture('helpfulness.jsonl'), fixture('broken.jsonl'), fixture('plain-values.txt')],
    });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await expect.poll(() => setup.files.length + setup.problems.length).toBe(3);
    await settle();
    const files = [...document.querySelectorAll('[data-testid="approval-file"]')];
    expect(
      files.map((li) => [
        li.getAttribute('data-name'),
        li.querySelector('[data-testid="approval-file-count"]')!.textContent,
      ]),
    ).toEqual([
      ['helpfulness', '5'],
      ['plain-values', '3'],
    ]);
    const problems = [...document.querySelectorAll('[data-testid="approval-file-problem"]')];
    expect(problems.map((p) => p.getAttribute('data-file'))).toEqual(['broken.jsonl']);
    expect(problems[0]!.textContent).toMatch(/broken\.jsonl, line 2/);

    // Unchecking a condition leaves it out.
    conditions[1]!.querySelector<HTMLInputElement>('input[type=checkbox]')!.click();
    flushSync();
    expect(setup.chosen).not.toContain(BUILTIN_CONDITIONS[1]!.id);

    // Remove is a real button named after its file.
    document.querySelector<HTMLButtonElement>('button[aria-label="Remove plain-values"]')!.click();
    flushSync();
    expect(document.querySelectorAll('[data-testid="approval-file"]')).toHaveLength(1);
  });

  it('adds a persona with Enter in its name field without submitting the form around it', () => {
    const setup = new ApprovalSetupState();
    const form = document.createElement('form');
    let submitted = 0;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitted++;
    });
    document.body.append(form);
    component = mount(ApprovalSetup, { target: form, props: { setup } });
    flushSync();
    const name = document.querySelector<HTMLInputElement>('#approval-new-name')!;
    const prompt = document.querySelector<HTMLTextAreaElement>('#approval-new-prompt')!;
    expect(document.querySelector('label[for="approval-new-name"]')!.textContent).toBe('Name');

    // Without a system prompt nothing is added, and the reason is shown.
    name.value = 'Pirate';
    name.dispatchEvent(new Event('input'));
    name.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    flushSync();
    expect(setup.custom).toEqual([]);
    expect(document.querySelector('[role="alert"]')!.textContent).toBe(
      'Give the persona a name and a system prompt.',
    );

    prompt.value = 'You are a pirate captain.';
    prompt.dispatchEvent(new Event('input'));
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    name.dispatchEvent(enter);
    flushSync();
    expect(enter.defaultPrevented).toBe(true);
    expect(submitted).toBe(0);
    expect(setup.custom).toEqual([
      { id: 'custom-1', name: 'Pirate', systemPrompt: 'You are a pirate captain.' },
    ]);
    expect(setup.conditions.map((c) => c.id)).toContain('custom-1');
    const added = document.querySelector('[data-testid="approval-condition"][data-id="custom-1"]')!;
    expect(added.textContent).toContain('You are a pirate captain.');
    expect(added.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked).toBe(true);
    expect(name.value).toBe('');

    // The same name again is refused; the persona can be removed.
    setup.newName = 'pirate';
    setup.newPrompt = 'Another.';
    expect(setup.addCondition()).toBe(false);
    expect(setup.addProblem).toBe('There is already a condition named "pirate".');
    document
      .querySelector<HTMLButtonElement>('button[aria-label="Remove the persona Pirate"]')!
      .click();
    flushSync();
    expect(setup.custom).toEqual([]);
    expect(setup.chosen).not.toContain('custom-1');
  });
});
