/** Default values shared by the run builders (imports, migrations, new runs). */
import type { GenerationParams } from './types';

/**
 * Generation settings used when the real ones are unknown (imported answers, v0 files) or not
 * chosen yet. Seed null: imported answers came from an unknown seed.
 */
export const DEFAULT_GENERATION_PARAMS: Readonly<GenerationParams> = Object.freeze({
  temperature: 0.7,
  topP: 1,
  maxTokens: 512,
  seed: null,
});
