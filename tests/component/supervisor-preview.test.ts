/**
 * The supervisor panel driving a runner (SupervisorPanel + SupervisorState, mounted in jsdom).
 * The runner is the lead's SupervisorRunner; here a small stand-in with the same API plans fixed
 * stages over a shared set of stored keys (the runner is not what is tested: the panel is). It
 * checks that the egress preview lists every request's text, that excluding a prompt keeps its
 * requests from being sent, that cancel sends nothing, that the cap stops cleanly and "continue"
 * plans only what is missing, and that an in-browser supervisor runs without a preview.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import SupervisorPanel from '../../src/components/supervisor/SupervisorPanel.svelte';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import type { Explanation, SupervisorRequest } from '../../src/lib/core/explain/types';
import type { Run } from '../../src/lib/core/run/types';
import type { JobQueueSnapshot } from '../../src/lib/state/job-queue';
import type { StagePlan, SupervisorDeps } from '../../src/lib/state/supervisor-runner';
import { SupervisorSettingsState } from '../../src/lib/state/supervisor-settings.svelte';
import type {
  SupervisorPageDeps,
  SupervisorRunnerApi,
} from '../../src/lib/state/supervisor.svelte';

const KEY = 'sk-panel-0c8e5b27f4a13d96e7b2';

const PROMPTS = [
  { id: 'p1', text: 'How do I boil an egg?' },
  { id: 'p2', text: 'Write a haiku about <b>rain</b>.' },
  { id: 'p3', text: 'What is the capital of Peru?' },
];

const run = {
  id: 'run-1',
  prompts: PROMPTS,
  answers: [],
  analyses: [{ id: 'an-1', createdAt: '2025-01-01T00:00:00.000Z', params: {}, result: {} }],
} as unknown as Run;

/** A side-by-side property request in the wire format (docs: /tmp wire format, TASK line first). */
function propertiesRequest(promptId: string, prompt: string, one: string, two: string) {
  return {
    key: `properties|x|${promptId}|0`,
    step: 'properties' as const,
    maxTokens: 400,
    promptIds: [promptId],
    messages: [
      {
        role: 'system' as const,
        content: 'TASK: properties\nList how Answer 1 and Answer 2 differ.',
      },
      {
        role: 'user' as const,
        content: `Prompt:\n<<<\n${prompt}\n>>>\nAnswer 1:\n<<<\n${one}\n>>>\nAnswer 2:\n<<<\n${two}\n>>>`,
      },
    ],
  };
}

const DESCRIBE: SupervisorRequest[] = [
  propertiesRequest(
    'p1',
    PROMPTS[0]!.text,
    'Put the egg in boiling water for 9 minutes.',
    '1. Boil water.\n2. Add the egg.\n3. Wait 9 minutes.',
  ),
  propertiesRequest(
    'p2',
    PROMPTS[1]!.text,
    'Grey drops on <i>tin</i> roofs',
    'Soft rain on the roof / the gutters hum a low song / puddles hold the sky',
  ),
  propertiesRequest('p3', PROMPTS[2]!.text, 'Lima.', 'The capital of Peru is Lima.'),
  {
    key: 'labels|an-1|0',
    step: 'labels',
    maxTokens: 120,
    promptIds: [],
    messages: [
      { role: 'system', content: 'TASK: labels\nName this group of answers.' },
      { role: 'user', content: 'Terms: boil, egg, minutes\nAnswer 1:\n<<<\nBoil it.\n>>>' },
    ],
  },
];

const PROPOSE: SupervisorRequest = {
  key: 'proposals|x',
  step: 'proposals',
  maxTokens: 600,
  // The stand-in does not reshape this request when a prompt is excluded (the page must drop it).
  promptIds: ['p1', 'p3'],
  messages: [
    { role: 'system', content: 'TASK: proposals\nPropose behaviours of the AFTER answers.' },
    { role: 'user', content: 'Propose up to 3 hypotheses.\nProperties: uses a numbered list' },
  ],
};

/** The stored replies' keys, shared by every runner the page builds (like the run repository). */
let stored: Set<string>;
let built: { deps: SupervisorDeps; runner: FakeRunner }[];

/** A stand-in runner with the SupervisorRunner API over fixed stages. */
class FakeRunner implements SupervisorRunnerApi {
  readonly explanationId = 'x';
  sent: StagePlan[] = [];
  cancelled = false;
  constructor(private readonly deps: SupervisorDeps) {}

  async nextStage(options: { excludedPromptIds?: readonly string[] } = {}) {
    const excluded = new Set(options.excludedPromptIds ?? []);
    const describe = DESCRIBE.filter(
      (r) => !stored.has(r.key) && !r.promptIds.some((id) => excluded.has(id)),
    );
    if (describe.length > 0) return { stage: 'describe' as const, requests: describe };
    if (!stored.has(PROPOSE.key)) return { stage: 'propose' as const, requests: [PROPOSE] };
    return null;
  }

  async runStage(plan: StagePlan, listener?: (s: JobQueueSnapshot) => void) {
    this.sent.push(plan);
    let spent = 0;
    let state: JobQueueSnapshot['state'] = 'done';
    const snapshot = (): JobQueueSnapshot => ({
      state,
      byKind: {
        [plan.requests[0]!.step]: { done: spent, total: plan.requests.length, failed: 0 },
      },
      requestsSpent: spent,
      maxRequests: this.deps.maxRequests,
      inFlight: 0,
      etaSeconds: null,
      failures: [],
      error: null,
    });
    for (const request of plan.requests) {
      if (this.deps.maxRequests !== null && spent >= this.deps.maxRequests) {
        state = 'capped';
        break;
      }
      spent++;
      stored.add(request.key);
      listener?.(snapshot());
    }
    return snapshot();
  }

  cancel() {
    this.cancelled = true;
  }

  async outcome() {
    const explanation = { labels: [], properties: [] } as unknown as Explanation;
    return { explanation, hypotheses: [] };
  }
}

function pageDeps(): SupervisorPageDeps {
  return {
    store: async () => ({}) as SupervisorDeps['store'],
    embed: async (texts) => texts.map(() => new Float32Array(2)),
    createRunner: (_input, deps) => {
      const runner = new FakeRunner(deps);
      built.push({ deps, runner });
      return runner;
    },
  };
}

let component: ReturnType<typeof mount> | undefined;
beforeEach(() => {
  localStorage.clear();
  stored = new Set();
  built = [];
});
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function panel(configure: (s: SupervisorSettingsState) => void = () => {}) {
  const settings = new SupervisorSettingsState({
    createBackend: async (spec) => createChatBackend(spec, { http: { pageOrigin: null } }),
  });
  settings.baseUrl = 'https://api.example.test/v1';
  settings.model = 'judge-1';
  settings.setApiKey(KEY);
  configure(settings);
  component = mount(SupervisorPanel, {
    target: document.body,
    props: { run, analysisId: 'an-1', settings, deps: pageDeps() },
  });
  flushSync();
  return settings;
}

const all = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const one = (selector: string) => document.querySelector<HTMLElement>(selector);
/** Text of every message shown in the preview, in order. */
const shownMessages = () => all('[data-testid="egress-request"] pre').map((p) => p.textContent);
const allRequestTexts = (requests: SupervisorRequest[]) =>
  requests.flatMap((r) => r.messages.map((m) => m.content));

async function until(check: () => void): Promise<void> {
  await vi.waitFor(() => {
    flushSync();
    check();
  });
}

async function startPreview(): Promise<void> {
  one('[data-testid="supervisor-start"]')!.click();
  await until(() => expect(one('[data-testid="egress-preview"]')).not.toBeNull());
}

describe('the egress preview', () => {
  it('shows every request of the stage as text, grouped by step, with its size', async () => {
    panel();
    await startPreview();
    expect(shownMessages()).toEqual(allRequestTexts(DESCRIBE));
    // Model text is text: the tags in a prompt and an answer are characters, not elements.
    expect(
      document.querySelector('[data-testid="egress-preview"] b, [data-testid="egress-preview"] i'),
    ).toBeNull();
    expect(all('[data-testid="egress-step"]').map((s) => s.dataset.step)).toEqual([
      'properties',
      'labels',
    ]);
    const characters = allRequestTexts(DESCRIBE).join('').length;
    const totals = one('[data-testid="egress-totals"]')!.textContent!.replace(/\s+/g, ' ');
    expect(totals).toContain('To openai https://api.example.test/v1, model judge-1: 4 requests');
    expect(totals).toContain(`${characters.toLocaleString('en')} characters`);
    expect(totals).toContain('at most 1,320 tokens out');
    expect(totals).toContain('cost unknown for this provider');
    // Nothing is sent before Send, and the key is nowhere on the page.
    expect(built.every((b) => b.runner.sent.length === 0)).toBe(true);
    expect(document.body.textContent).not.toContain(KEY);
    expect(built.at(-1)!.deps.secrets).toEqual([KEY]);
    expect(built.at(-1)!.deps.concurrency).toBe(4);
  });

  it('leaves out the requests of an excluded prompt, and sends only what is shown', async () => {
    panel();
    await startPreview();
    const box = () => one('[data-testid="egress-prompt"][data-prompt-id="p2"]') as HTMLInputElement;
    expect(all('[data-testid="egress-prompt"]').map((b) => b.dataset.promptId)).toEqual([
      'p1',
      'p2',
      'p3',
    ]);
    box().click();
    await until(() =>
      expect(shownMessages()).toEqual(
        allRequestTexts(DESCRIBE.filter((r) => r.key !== DESCRIBE[1]!.key)),
      ),
    );
    // Still listed, unticked, so it can be put back.
    expect(box().checked).toBe(false);
    expect(document.body.textContent).not.toContain('Grey drops on <i>tin</i> roofs');

    one('[data-testid="egress-send"]')!.click();
    // Sent, then the next stage is previewed (p2 stays excluded for the rest of the run).
    await until(() =>
      expect(all('[data-testid="egress-step"]').map((s) => s.dataset.step)).toEqual(['proposals']),
    );
    expect(
      (one('[data-testid="egress-prompt"][data-prompt-id="p1"]') as HTMLInputElement).checked,
    ).toBe(true);
    const sender = built.find((b) => b.runner.sent.length > 0)!.runner;
    expect(sender.sent[0]!.requests.map((r) => r.key)).toEqual([
      'properties|x|p1|0',
      'properties|x|p3|0',
      'labels|an-1|0',
    ]);
  });

  it('drops a request the runner did not reshape when it still carries an excluded prompt', async () => {
    stored = new Set(DESCRIBE.map((r) => r.key));
    panel();
    await startPreview();
    expect(shownMessages()).toEqual(allRequestTexts([PROPOSE]));
    (one('[data-testid="egress-prompt"][data-prompt-id="p3"]') as HTMLInputElement).click();
    await until(() => expect(shownMessages()).toEqual([]));
    expect((one('[data-testid="egress-send"]') as HTMLButtonElement).disabled).toBe(true);
  });

  it('truncation is passed to the runner, and Cancel sends nothing', async () => {
    panel();
    await startPreview();
    const spy = vi.spyOn(FakeRunner.prototype, 'nextStage');
    const field = one('[data-testid="egress-truncation"]') as HTMLInputElement;
    expect(field.value).toBe('1500');
    field.value = '300';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.dispatchEvent(new Event('change', { bubbles: true }));
    await until(() =>
      expect(spy).toHaveBeenCalledWith({ excludedPromptIds: [], maxAnswerChars: 300 }),
    );
    spy.mockRestore();

    one('[data-testid="egress-cancel"]')!.click();
    await until(() => expect(one('[data-testid="egress-preview"]')).toBeNull());
    expect(one('[data-testid="supervisor-notice"]')!.textContent).toContain(
      'nothing of this stage was sent',
    );
    expect(built.every((b) => b.runner.sent.length === 0)).toBe(true);
    expect(stored.size).toBe(0);
  });

  it('estimates the cost for a model with a known list price', async () => {
    panel((s) => (s.model = 'gpt-4o-mini'));
    await startPreview();
    const totals = one('[data-testid="egress-totals"]')!.textContent!.replace(/\s+/g, ' ');
    // core/explain/egress.ts: $0.15 in and $0.60 out per million tokens; 1,320 tokens out alone
    // cost $0.000792, and the few hundred tokens in add about $0.0001.
    expect(totals).toMatch(/about \$0\.001 at list prices/);
  });
});

describe('the spending cap and continue', () => {
  it('stops at the cap, and continue plans only what is missing under the raised cap', async () => {
    const settings = panel((s) => (s.maxRequests = 2));
    await startPreview();
    expect(built.at(-1)!.deps.maxRequests).toBe(2);
    // Locked while a stage is previewed or sent.
    expect(one('[data-testid="supervisor-cap"]')!.closest('fieldset')!.disabled).toBe(true);
    one('[data-testid="egress-send"]')!.click();
    await until(() => expect(one('[data-testid="supervisor-continue"]')).not.toBeNull());
    expect(one('[data-testid="supervisor-notice"]')!.textContent).toContain(
      'Stopped at the spending cap of 2 requests',
    );
    expect(one('[data-testid="supervisor-spent"]')!.textContent).toContain(
      '2 requests sent of the cap of 2',
    );
    expect([...stored]).toEqual(['properties|x|p1|0', 'properties|x|p2|0']);

    // The setup is editable again while stopped: the cap is raised in its field.
    const cap = one('[data-testid="supervisor-cap"]') as HTMLInputElement;
    expect(cap.closest('fieldset')!.disabled).toBe(false);
    cap.value = '10';
    cap.dispatchEvent(new Event('input', { bubbles: true }));
    expect(settings.maxRequests).toBe(10);
    one('[data-testid="supervisor-continue"]')!.click();
    await until(() => expect(one('[data-testid="egress-preview"]')).not.toBeNull());
    expect(shownMessages()).toEqual(allRequestTexts(DESCRIBE.slice(2)));
    // The cap covers the whole supervisor run: 2 of 10 are spent.
    expect(built.at(-1)!.deps.maxRequests).toBe(8);
  });
});

describe('a supervisor in this browser', () => {
  it('has no preview: says nothing leaves the machine and runs every stage', async () => {
    panel((s) => s.setKind('transformers'));
    expect(one('[data-testid="supervisor-local-note"]')!.textContent).toContain(
      'nothing is sent anywhere',
    );
    expect(one('[data-testid="supervisor-start"]')!.textContent).toContain('Run the supervisor');
    one('[data-testid="supervisor-start"]')!.click();
    await until(() => expect(one('[data-testid="supervisor-done"]')).not.toBeNull());
    expect(one('[data-testid="egress-preview"]')).toBeNull();
    expect(stored).toEqual(new Set([...DESCRIBE.map((r) => r.key), PROPOSE.key]));
    expect(built.at(-1)!.deps.concurrency).toBe(1);
    expect(built.at(-1)!.deps.maxRequests).toBeNull();
    expect(built.at(-1)!.deps.secrets).toEqual([]);
  });
});

describe('errors', () => {
  it('are shown in words, without the key', async () => {
    panel();
    vi.spyOn(FakeRunner.prototype, 'nextStage').mockRejectedValueOnce(
      new Error(`The store refused the entry for key ${KEY}`),
    );
    one('[data-testid="supervisor-start"]')!.click();
    await until(() => expect(one('[role="alert"]')).not.toBeNull());
    expect(one('[role="alert"]')!.textContent).toContain(
      'The store refused the entry for key [redacted]',
    );
    expect(document.body.textContent).not.toContain(KEY);
    expect(one('[data-testid="supervisor-continue"]')).not.toBeNull();
  });
});
