/**
 * The supervisor setup: which chat model reads the answers (a remote API or a model in this
 * browser), how it is asked (temperature, concurrency, a spending cap) and its API key. The key
 * lives in this object's memory; it reaches localStorage (remembered-keys.ts) only while
 * "remember on this device" is ticked, and never anything else.
 */
import { generateText } from '../backends/llm/generate-text';
import { requestSecrets, redactText } from '../backends/llm/redact';
import { createChatBackend, type ChatBackendSpec } from '../backends/llm/resolve';
import type { ChatBackend } from '../backends/llm/types';
import { getCapabilities } from '../backends/capabilities';
import type { SupervisorSettings } from '../core/explain/types';
import { stripUrlCredentials } from '../core/run/scrub-credentials';
import type { StorageScope } from '../persistence/site-settings';
import { describeError } from './describe-error';
import { endpointOf, forgetKey, rememberKey, rememberedKey } from './remembered-keys';

/** Where the supervisor runs: an OpenAI-compatible or Anthropic API, or a model in the browser. */
export type SupervisorKind = 'openai' | 'anthropic' | 'webllm' | 'transformers';

/** The kinds in the order the setup lists them, with their labels. */
export const SUPERVISOR_KINDS: readonly { value: SupervisorKind; label: string }[] = [
  { value: 'openai', label: 'OpenAI-compatible API (OpenAI, OpenRouter, vLLM, Ollama, LM Studio)' },
  { value: 'anthropic', label: 'Anthropic API' },
  { value: 'webllm', label: 'WebLLM in this browser (WebGPU)' },
  { value: 'transformers', label: 'transformers.js in this browser' },
];

/** True for supervisors that run in this browser: nothing leaves the machine, nothing is spent. */
export function runsInBrowser(kind: SupervisorKind): boolean {
  return kind === 'webllm' || kind === 'transformers';
}

/** What a kind starts with; switching the kind resets these. */
export interface KindDefaults {
  baseUrl: string;
  model: string;
  /** Remote servers answer several requests at once; a browser model answers one at a time. */
  concurrency: number;
  /** Requests cost money only remotely: local supervisors have no cap by default. */
  maxRequests: number | null;
}

/** The defaults of each kind. */
export function kindDefaults(kind: SupervisorKind): KindDefaults {
  switch (kind) {
    case 'openai':
      return {
        baseUrl: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        concurrency: 4,
        maxRequests: 500,
      };
    case 'anthropic':
      return {
        baseUrl: 'https://api.anthropic.com',
        model: 'claude-3-5-haiku-latest',
        concurrency: 4,
        maxRequests: 500,
      };
    case 'webllm':
      return {
        baseUrl: '',
        model: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
        concurrency: 1,
        maxRequests: null,
      };
    case 'transformers':
      return { baseUrl: '', model: 'tiny-base', concurrency: 1, maxRequests: null };
  }
}

/** Builds a chat backend from a spec (the app's resolver; tests pass one without workers). */
export type SupervisorBackendFactory = (spec: ChatBackendSpec) => Promise<ChatBackend>;

/**
 * The app's backends: HTTP from the page, browser models in their workers. HTTP backends do not
 * retry by themselves: the supervisor's job queue retries and counts every request it sends
 * against the spending cap, which requests repeated inside the backend would escape.
 */
const appBackend: SupervisorBackendFactory = async (spec) => {
  if (spec.backend === 'openai' || spec.backend === 'anthropic') {
    return createChatBackend(spec, { http: { retry: { maxRetries: 0 } } });
  }
  // Loaded on use: the workers' modules are only needed once a browser model is built.
  const [{ appChatBackend }, caps] = await Promise.all([
    import('./chat-backends'),
    getCapabilities(),
  ]);
  return appChatBackend(spec, { webgpu: caps.webgpu });
};

/** What "Test connection" found, in words. */
export interface ConnectionCheck {
  state: 'idle' | 'testing' | 'ok' | 'failed';
  message: string;
}

/** The question "Test connection" asks: short, so it costs next to nothing. */
export const CONNECTION_TEST_PROMPT = 'Reply with the single word OK.';

/** The first words of a reply, on one line, for a status message. */
function excerpt(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** State of the supervisor setup panel. */
export class SupervisorSettingsState {
  kind = $state<SupervisorKind>('openai');
  baseUrl = $state(kindDefaults('openai').baseUrl);
  model = $state(kindDefaults('openai').model);
  temperature = $state(0);
  concurrency = $state(kindDefaults('openai').concurrency);
  /** Spending cap over a whole supervisor run, in requests; null for none. */
  maxRequests = $state<number | null>(kindDefaults('openai').maxRequests);
  /** Seed of the discovery/held-out split and the blind order. */
  seed = $state(1);
  propertiesSample = $state(40);
  hypotheses = $state(5);
  heldOutSample = $state(40);
  connection = $state<ConnectionCheck>({ state: 'idle', message: '' });
  #apiKey = $state('');
  #remember = $state(false);
  /** Whether this device holds a key for the current endpoint. */
  #saved = $state(false);
  readonly #scope: StorageScope | undefined;
  readonly #createBackend: SupervisorBackendFactory;

  /** `scope` is where localStorage is read (tests pass their own); `createBackend` builds backends. */
  constructor(options: { scope?: StorageScope; createBackend?: SupervisorBackendFactory } = {}) {
    this.#scope = options.scope;
    this.#createBackend = options.createBackend ?? appBackend;
    this.#loadRemembered();
  }

  /** The API key typed or remembered (memory; stored only while `remember` is on). */
  get apiKey(): string {
    return this.#apiKey;
  }

  /** Whether the key is kept on this device. */
  get remember(): boolean {
    return this.#remember;
  }

  /** Whether a key for this endpoint is saved on this device (the "forget" button shows then). */
  get hasSavedKey(): boolean {
    return this.#saved;
  }

  /** True when the supervisor runs in this browser (no key, no preview, no cost). */
  get inBrowser(): boolean {
    return runsInBrowser(this.kind);
  }

  /** Whether the kind takes an API key. */
  get needsKey(): boolean {
    return this.kind === 'openai' || this.kind === 'anthropic';
  }

  /** Which endpoint a remembered key belongs to. */
  get endpoint(): string {
    return endpointOf(this.kind, this.needsKey ? this.baseUrl : '');
  }

  /** Switches the kind and resets the URL, model, concurrency and cap to its defaults. */
  setKind(kind: SupervisorKind): void {
    this.kind = kind;
    const defaults = kindDefaults(kind);
    this.baseUrl = defaults.baseUrl;
    this.model = defaults.model;
    this.concurrency = defaults.concurrency;
    this.maxRequests = defaults.maxRequests;
    this.#apiKey = '';
    this.#loadRemembered();
  }

  /** Sets the key; while "remember" is on the saved copy follows it. */
  setApiKey(key: string): void {
    this.#apiKey = key;
    if (this.#remember) this.#save();
  }

  /** Ticks or unticks "remember on this device": saves the key, or forgets the saved one. */
  setRemember(on: boolean): void {
    this.#remember = on;
    if (on) this.#save();
    else this.forgetSavedKey();
  }

  /** Removes this endpoint's saved key from the device; the key typed stays for this session. */
  forgetSavedKey(): void {
    forgetKey(this.endpoint, this.#scope);
    this.#remember = false;
    this.#saved = rememberedKey(this.endpoint, this.#scope) !== null;
  }

  /**
   * Called when the base URL is committed (the field's change event, not every keystroke, so a
   * half-typed URL never gets a saved key): a key remembered for the new endpoint is filled in;
   * with "remember" on, the key typed is saved for it.
   */
  endpointChanged(): void {
    const saved = rememberedKey(this.endpoint, this.#scope);
    if (this.#remember && this.#apiKey !== '') this.#save();
    else if (saved !== null) {
      this.#apiKey = saved;
      this.#remember = true;
    }
    this.#saved = rememberedKey(this.endpoint, this.#scope) !== null;
  }

  #save(): void {
    if (this.#apiKey === '') forgetKey(this.endpoint, this.#scope);
    else rememberKey(this.endpoint, this.#apiKey, this.#scope);
    this.#saved = rememberedKey(this.endpoint, this.#scope) !== null;
  }

  #loadRemembered(): void {
    const saved = this.needsKey ? rememberedKey(this.endpoint, this.#scope) : null;
    this.#saved = saved !== null;
    this.#remember = saved !== null;
    if (saved !== null) this.#apiKey = saved;
  }

  /** The spec a backend is built from (with the key: never store it). */
  backendSpec(): ChatBackendSpec {
    const baseUrl = this.needsKey ? this.baseUrl.trim() : '';
    return {
      backend: this.kind,
      modelId: this.model.trim(),
      ...(baseUrl ? { baseUrl } : {}),
      ...(this.needsKey && this.#apiKey ? { apiKey: this.#apiKey } : {}),
    };
  }

  /** Every credential value the supervisor's requests carry, to redact from anything shown or stored. */
  secrets(): string[] {
    const found = new Set(this.needsKey ? requestSecrets(this.baseUrl.trim()) : []);
    if (this.needsKey && this.#apiKey.trim()) found.add(this.#apiKey.trim());
    return [...found];
  }

  /** Who answers, as stored with a run: the kind and the server, without credentials. */
  get provider(): string {
    const url = this.needsKey ? stripUrlCredentials(this.baseUrl.trim()) : '';
    return url ? `${this.kind} ${url}` : this.kind;
  }

  /** The settings stored with a supervisor run (no key, no URL credentials). */
  supervisorSettings(): SupervisorSettings {
    return {
      provider: this.provider,
      model: this.model.trim(),
      temperature: this.temperature,
      seed: this.seed,
      propertiesSample: this.propertiesSample,
      hypotheses: this.hypotheses,
      heldOutSample: this.heldOutSample,
    };
  }

  /** Builds the chosen backend; throws ModelLoadError for a setup that cannot work. */
  createBackend(): Promise<ChatBackend> {
    return this.#createBackend(this.backendSpec());
  }

  /** A problem with the setup that stops it from running, in words, or null. */
  get problem(): string | null {
    if (!this.model.trim()) return 'Enter the model name.';
    if (this.kind === 'openai' && !this.baseUrl.trim()) return 'Enter the base URL of the API.';
    if (this.kind === 'anthropic' && !this.#apiKey.trim()) return 'Enter the Anthropic API key.';
    if (!(this.concurrency >= 1)) return 'Concurrency must be at least 1.';
    if (this.maxRequests !== null && !(this.maxRequests >= 1))
      return 'The spending cap must be at least 1 request (or empty for none).';
    return null;
  }

  /**
   * Sends one tiny request through the chosen backend and says what happened in plain words.
   * Never throws; the message never holds the key.
   */
  async testConnection(): Promise<void> {
    const problem = this.problem;
    if (problem) {
      this.connection = { state: 'failed', message: problem };
      return;
    }
    const secrets = this.secrets();
    const model = this.model.trim();
    this.connection = {
      state: 'testing',
      message: this.inBrowser
        ? `Loading ${model} in this browser and asking it one short question…`
        : `Sending one short request to ${model}…`,
    };
    try {
      const backend = await this.createBackend();
      const reply = await generateText(
        backend,
        [{ role: 'user', content: CONNECTION_TEST_PROMPT }],
        { temperature: this.temperature, topP: 1, maxTokens: 8 },
      );
      const seconds = (reply.latencyMs / 1000).toFixed(1);
      this.connection = reply.text.trim()
        ? {
            state: 'ok',
            message: redactText(
              `It works: ${model} answered “${excerpt(reply.text)}” in ${seconds} s.`,
              secrets,
            ),
          }
        : {
            state: 'failed',
            message: `${model} answered in ${seconds} s but with no text: check that the model name is a chat model.`,
          };
    } catch (error) {
      this.connection = { state: 'failed', message: redactText(connectionFailure(error), secrets) };
    }
  }
}

/** What a failed connection test means, in words a user can act on. */
function connectionFailure(error: unknown): string {
  const detail = describeError(error);
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'AuthError':
      return `The server refused the key: ${detail}`;
    case 'CorsError':
      return `The browser blocked the reply (CORS): ${detail}`;
    case 'NetworkError':
      return `The server could not be reached: ${detail}`;
    case 'TimeoutError':
      return `The server did not answer in time: ${detail}`;
    case 'RateLimitError':
      return `The server answered, but is limiting requests right now: ${detail}`;
    case 'ModelLoadError':
      return `The model could not be loaded: ${detail}`;
    default:
      return `The test failed: ${detail}`;
  }
}
