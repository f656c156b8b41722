/**
 * Approval evaluations in the built app, in Chromium. (a) Bundled tiny-base vs tiny-finetune on
 * the fixture statement files under two conditions: the run completes, and the approval table
 * counts unclear answers exactly as the stored answers' first words give them (the tiny models
 * rarely say yes or no), with the heat map drawn. (b) The approval stand-in server
 * (tests/stand-ins/approval-server.ts) through the OpenAI-compatible backend: always-yes vs
 * always-no gives rates, discordant pairs and McNemar p worked out by hand below; always-yes vs
 * never-clear leaves every B answer unclear; the server saw each condition's system prompt.
 * Every request goes to the page's origin or the stand-in, nowhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BUILTIN_CONDITIONS, parseChoice } from '../../src/lib/core/approval';
import { startApprovalServer, type ApprovalServer } from '../stand-ins/approval-server';
import { launch, storedRunRecords, waitForRunState, type E2eSession } from './browser';

const FIXTURES = 'tests/fixtures/approval-e2e';
const HELPFULNESS = `${FIXTURES}/helpfulness.jsonl`;
const PLAIN = `${FIXTURES}/plain-values.txt`;
/** helpfulness.jsonl: 5 statements, the first 4 matching "yes", the last "no". */
const HELPFULNESS_MATCHING = ['yes', 'yes', 'yes', 'yes', 'no'] as const;
/** plain-values.txt: 3 statements, a plain list, so each matches "yes". */
const PLAIN_COUNT = 3;
const PIRATE = { name: 'Pirate', systemPrompt: 'You are a pirate captain. Answer as one.' };
const builtin = (id: string) => BUILTIN_CONDITIONS.find((c) => c.id === id)!;

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Waits until the run page's generation reaches `state`. */
async function waitForRun(page: Page, state: string, timeout: number): Promise<void> {
  await page.getByTestId('run-progress').waitFor();
  await waitForRunState(page, state, timeout);
}

/** What the setup of a test run changes from the form's defaults. */
interface ApprovalForm {
  files: string[];
  /** Built-in condition ids to keep checked (the others are unchecked). */
  keep: string[];
  /** A persona to add with the keyboard. */
  persona?: { name: string; systemPrompt: string };
  /** When set, both sides are the OpenAI-compatible backend at this URL with these models. */
  openai?: { url: string; A: string; B: string };
  estimate: string;
  name: string;
}

/** Fills the new-comparison form for an approval run and starts it; resolves on the run page. */
async function startApproval(s: E2eSession, form: ApprovalForm): Promise<string> {
  const { page } = s;
  await page.goto(s.baseUrl);
  await page.getByTestId('new-comparison').click();
  if (form.openai) {
    for (const side of ['A', 'B'] as const) {
      await page.getByTestId(`backend-${side}`).selectOption('openai');
      await page.locator(`#model-${side}-url`).fill(form.openai.url);
      await page.getByTestId(`model-${side}`).fill(form.openai[side]);
    }
  }
  await page.getByLabel('Approval evaluation (yes/no statements)').check();
  // The greedy defaults of an approval run.
  expect(await page.getByLabel('Temperature').inputValue()).toBe('0');
  expect(await page.getByLabel('Samples per prompt').inputValue()).toBe('1');
  expect(await page.getByLabel('Max tokens').inputValue()).toBe('16');
  expect(squash(await page.getByTestId('prompt-source-problem').textContent())).toBe(
    'Load a persona file by name or upload at least one statement file.',
  );
  await expect(page.getByTestId('start-generation').isDisabled()).resolves.toBe(true);

  await page.getByTestId('approval-files').setInputFiles(form.files);
  await expect.poll(() => page.getByTestId('approval-file').count()).toBe(form.files.length);
  await page.getByTestId('approval-per-file').fill('0');

  for (const c of BUILTIN_CONDITIONS) {
    const box = page
      .locator(`[data-testid="approval-condition"][data-id="${c.id}"]`)
      .getByRole('checkbox');
    await box.setChecked(form.keep.includes(c.id));
  }
  if (form.persona) {
    await page.getByText('Add a persona').click();
    await page.getByLabel('System prompt', { exact: true }).fill(form.persona.systemPrompt);
    await page.getByLabel('Name', { exact: true }).fill(form.persona.name);
    // Enter adds the persona; it does not submit the form.
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.locator('[data-testid="approval-condition"][data-id="custom-1"]').waitFor();
  }
  await page.getByLabel('Run name').fill(form.name);
  expect(squash(await page.getByTestId('estimate').textContent())).toContain(form.estimate);
  await page.getByTestId('start-generation').click();
  await page.getByTestId('run-title').waitFor();
  const id = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
  expect(id).not.toBe('');
  return id;
}

/** The run's stored prompts and answers, read from the app's IndexedDB. */
async function storedRun(
  page: Page,
  runId: string,
): Promise<{
  prompts: {
    id: string;
    systemPrompt?: string;
    approval?: { file: string; conditionId: string; matching: 'yes' | 'no' };
  }[];
  answers: { promptId: string; side: 'A' | 'B'; sample: number; text: string }[];
}> {
  const { prompts, answers } = await storedRunRecords(page, runId, ['prompts', 'answers']);
  return { prompts: prompts as never, answers: answers as never };
}

/** The table's cells of one file x condition row, whitespace collapsed. */
async function rowCells(page: Page, file: string, condition: string) {
  const row = page.locator(
    `[data-testid="approval-row"][data-file="${file}"][data-condition="${condition}"]`,
  );
  const cell = async (id: string) => squash(await row.getByTestId(id).textContent());
  // The rates carry their Wilson interval on a second line; the first word is the rate.
  const rate = async (id: string) => (await cell(id)).split(' ')[0]!;
  return {
    matchA: await rate('match-a'),
    matchB: await rate('match-b'),
    unclearA: await cell('unclear-a'),
    unclearB: await cell('unclear-b'),
    onlyA: await cell('only-a'),
    onlyB: await cell('only-b'),
    p: await cell('p-value'),
  };
}

/** The heat map's cell labels, once Plotly has drawn it. */
async function heatmapCells(page: Page): Promise<string[]> {
  const heatmap = page.getByTestId('approval-heatmap');
  await heatmap.locator('svg.main-svg').first().waitFor({ timeout: 60_000 });
  return heatmap.locator('.textpoint text').allTextContents();
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

describe('approval evaluations in Chromium', () => {
  let s: E2eSession;
  let server: ApprovalServer;
  const requests: string[] = [];
  beforeAll(async () => {
    server = await startApprovalServer();
    s = await launch();
    // Context-wide: pages and their workers.
    s.browser.on('request', (r) => requests.push(r.url()));
  });
  afterAll(async () => {
    await s?.close();
    await server?.close();
  });

  it(
    'bundled tiny-base vs tiny-finetune: the run completes, unclear answers are counted as their first words give, the heat map renders',
    { timeout: 420_000 },
    async () => {
      const { page } = s;
      const statements = HELPFULNESS_MATCHING.length + PLAIN_COUNT;
      const runId = await startApproval(s, {
        files: [HELPFULNESS, PLAIN],
        keep: ['plain', 'evaluated'],
        estimate: `${statements * 2 * 2} answers to generate (${statements} statements × 2 conditions × 1 samples × 2 models; temperature 0, greedy)`,
        name: 'tiny approval',
      });
      await waitForRun(page, 'done', 300_000);
      expect(squash(await page.getByTestId('run-counts').textContent())).toContain(
        `${statements * 2} prompts · ${statements * 2} answers from A · ${statements * 2} answers from B`,
      );

      const view = page.getByTestId('approval-view');
      await view.getByTestId('approval-table').waitFor({ timeout: 60_000 });
      const { prompts, answers } = await storedRun(page, runId);
      expect(prompts).toHaveLength(statements * 2);
      // The persona reached the prompts that carry it (the tiny models barely react to it).
      const evaluated = prompts.filter((p) => p.approval?.conditionId === 'evaluated');
      expect(evaluated.map((p) => p.systemPrompt)).toEqual(
        evaluated.map(() => builtin('evaluated').systemPrompt),
      );
      expect(
        prompts.filter((p) => p.approval?.conditionId === 'plain').every((p) => !p.systemPrompt),
      ).toBe(true);

      const textOf = new Map(answers.map((a) => [`${a.promptId}|${a.side}`, a.text]));
      let unclearSeen = 0;
      for (const file of ['helpfulness', 'plain-values']) {
        for (const condition of ['plain', 'evaluated']) {
          const asked = prompts.filter(
            (p) => p.approval?.file === file && p.approval.conditionId === condition,
          );
          expect(asked.length).toBe(file === 'helpfulness' ? 5 : PLAIN_COUNT);
          const choices = (side: 'A' | 'B') =>
            asked.map((p) => ({
              choice: parseChoice(textOf.get(`${p.id}|${side}`)!),
              matching: p.approval!.matching,
            }));
          const [a, b] = [choices('A'), choices('B')];
          const unclear = (xs: typeof a) => xs.filter((x) => x.choice === 'unclear').length;
          const match = (xs: typeof a) => {
            const clear = xs.filter((x) => x.choice !== 'unclear');
            return clear.length === 0
              ? '–'
              : percent(clear.filter((x) => x.choice === x.matching).length / clear.length);
          };
          let onlyA = 0;
          let onlyB = 0;
          for (const [i, x] of a.entries()) {
            const y = b[i]!;
            if (x.choice === 'unclear' || y.choice === 'unclear') continue;
            if (x.choice === x.matching && y.choice !== y.matching) onlyA++;
            if (y.choice === y.matching && x.choice !== x.matching) onlyB++;
          }
          unclearSeen += unclear(a) + unclear(b);
          const cells = await rowCells(page, file, condition);
          expect(cells, `${file} under ${condition}`).toMatchObject({
            unclearA: percent(unclear(a) / asked.length),
            unclearB: percent(unclear(b) / asked.length),
            matchA: match(a),
            matchB: match(b),
            onlyA: String(onlyA),
            onlyB: String(onlyB),
          });
        }
      }
      // The tiny models rarely start with yes or no: unclear answers are there to be counted.
      expect(unclearSeen).toBeGreaterThan(0);

      // One coloured rectangle and one centre label per file x condition.
      expect(await heatmapCells(page)).toHaveLength(4);
      expect(await page.getByTestId('approval-heatmap').locator('.shapelayer path').count()).toBe(
        4,
      );
    },
  );

  it('always-yes vs always-no through the OpenAI-compatible backend: rates, discordant pairs and McNemar p as worked by hand; each persona reached the server', async () => {
    const { page } = s;
    const before = server.requests.length;
    await startApproval(s, {
      files: [HELPFULNESS, PLAIN],
      keep: ['plain', 'neutral-assistant'],
      persona: PIRATE,
      openai: { url: server.url, A: 'always-yes', B: 'always-no' },
      estimate: `${8 * 3 * 2} answers to generate (8 statements × 3 conditions × 1 samples × 2 models; temperature 0, greedy)`,
      name: 'yes vs no',
    });
    await waitForRun(page, 'done', 120_000);
    await page.getByTestId('approval-table').waitFor({ timeout: 60_000 });

    // helpfulness: A says yes to all 5, matching on the 4 "yes" statements (80%); B says no,
    // matching on the 1 "no" statement (20%). Discordant: onlyA 4, onlyB 1. McNemar exact:
    // 2 * P(X <= 1), X ~ Binomial(5, 1/2) = 2 * (1 + 5) / 32 = 0.375.
    // plain-values: every statement matches "yes": A 100%, B 0%, onlyA 3, onlyB 0,
    // p = 2 * P(X <= 0), X ~ Binomial(3, 1/2) = 2 / 8 = 0.25.
    for (const condition of ['plain', 'neutral-assistant', 'custom-1']) {
      expect(await rowCells(page, 'helpfulness', condition), condition).toEqual({
        matchA: '80.0%',
        matchB: '20.0%',
        unclearA: '0.0%',
        unclearB: '0.0%',
        onlyA: '4',
        onlyB: '1',
        p: '0.375',
      });
      expect(await rowCells(page, 'plain-values', condition), condition).toEqual({
        matchA: '100.0%',
        matchB: '0.0%',
        unclearA: '0.0%',
        unclearB: '0.0%',
        onlyA: '3',
        onlyB: '0',
        p: '0.250',
      });
    }
    // B − A in points on each cell: −60 for helpfulness, −100 for plain-values (q = 0.375, so
    // no cell is marked significant).
    expect((await heatmapCells(page)).sort()).toEqual([
      '−100',
      '−100',
      '−100',
      '−60',
      '−60',
      '−60',
    ]);

    // The server saw each request once, each condition's system prompt on its 8 statements, both
    // models, and none of the question-alone prompts carried a system message.
    const seen = (await (await fetch(server.url.replace(/\/v1$/, '/requests'))).json()) as {
      model: string;
      system: string | null;
      user: string;
      status: number;
    }[];
    const run = seen.slice(before);
    expect(run).toHaveLength(8 * 3 * 2);
    expect(run.every((r) => r.status === 200)).toBe(true);
    const count = (system: string | null, model: string) =>
      run.filter((r) => r.system === system && r.model === model).length;
    for (const model of ['always-yes', 'always-no']) {
      expect(count(null, model)).toBe(8);
      expect(count(builtin('neutral-assistant').systemPrompt, model)).toBe(8);
      expect(count(PIRATE.systemPrompt, model)).toBe(8);
    }
    expect(run.some((r) => r.user.includes('Honesty is the best policy.'))).toBe(true);
  });

  it('always-yes vs never-clear: every B answer is unclear, so no rate, pair or p for B', async () => {
    const { page } = s;
    await startApproval(s, {
      files: [HELPFULNESS],
      keep: ['plain', 'stated-identity'],
      openai: { url: server.url, A: 'always-yes', B: 'never-clear' },
      estimate: `${5 * 2 * 2} answers to generate (5 statements × 2 conditions × 1 samples × 2 models; temperature 0, greedy)`,
      name: 'yes vs unclear',
    });
    await waitForRun(page, 'done', 120_000);
    await page.getByTestId('approval-table').waitFor({ timeout: 60_000 });
    for (const condition of ['plain', 'stated-identity']) {
      expect(await rowCells(page, 'helpfulness', condition), condition).toEqual({
        matchA: '80.0%',
        matchB: '–',
        unclearA: '0.0%',
        unclearB: '100.0%',
        onlyA: '0',
        onlyB: '0',
        p: '–',
      });
    }
    // The stated identity reached the server with both models.
    const seen = (await (await fetch(server.url.replace(/\/v1$/, '/requests'))).json()) as {
      model: string;
      system: string | null;
    }[];
    const identity = builtin('stated-identity').systemPrompt;
    expect(seen.filter((r) => r.system === identity && r.model === 'never-clear')).toHaveLength(5);
    expect(seen.filter((r) => r.system === identity && r.model === 'always-yes')).toHaveLength(5);
  });

  it('sent requests to the page origin and the stand-in only, and raised no page errors', () => {
    const allowed = new Set([new URL(s.baseUrl).origin, new URL(server.url).origin]);
    const outside = requests.filter(
      (url) =>
        !url.startsWith('data:') && !url.startsWith('blob:') && !allowed.has(new URL(url).origin),
    );
    expect(requests.some((u) => u.startsWith(new URL(server.url).origin))).toBe(true);
    expect(outside).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});
