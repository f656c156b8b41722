/**
 * A ChatBackend whose implementation module is imported on first use, so that choosing a
 * backend does not put its library (transformers.js, WebLLM) into the page's first download.
 */
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from './types';

/**
 * Wraps `create` (called once, retried if it fails) behind the ChatBackend interface. Whether
 * the backend can score is only known once it exists, so `score` appears after the first
 * `load` or `generate` has created it, when the created backend has it (callers load first).
 */
export function lazyChatBackend(
  id: string,
  capabilities: ChatCapabilities,
  create: () => Promise<ChatBackend>,
): ChatBackend {
  let backend: Promise<ChatBackend> | undefined;
  let created: ChatBackend | undefined;
  const get = () =>
    (backend ??= create().then(
      (made) => (created = made),
      (error: unknown) => {
        backend = undefined;
        throw error;
      },
    ));
  return {
    id,
    capabilities,
    get score() {
      const inner = created;
      return inner?.score ? inner.score.bind(inner) : undefined;
    },
    async load(onProgress?: (progress: LoadProgress) => void) {
      await (await get()).load(onProgress);
    },
    async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
      yield* (await get()).generate(messages, options);
    },
    async unload() {
      await (await backend?.catch(() => undefined))?.unload();
    },
  };
}
