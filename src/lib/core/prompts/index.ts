/** The public API of core/prompts: the built-in set, prompt file parsers and seeded subsets. */
export type {
  DuplicatePrompt,
  ParsedPrompts,
  PromptFileFormat,
  PromptParseOptions,
  PromptParseReport,
} from './types';
export { PROMPT_FIELDS, CATEGORY_FIELDS, ID_FIELDS, PERSONA_MATCHING_FIELD } from './types';
export {
  BUILTIN_CATEGORIES,
  BUILTIN_PROMPT_SET,
  DEMO_PROMPT_IDS,
  DEMO_PROMPT_SET,
  type BuiltinCategory,
} from './builtin-set';
export { PASTED_TEXT_NAME, parsePastedPrompts, parseTextPrompts } from './parse-text';
export { parseCsvPrompts } from './parse-csv';
export { parseJsonlPrompts } from './parse-jsonl';
export {
  parsePersonaFile,
  personaFileUrl,
  personaNameFromFileName,
  type ParsedPersonaFile,
  type PersonaItem,
  type YesNo,
} from './persona';
export { detectPromptFormat } from './detect-format';
export { parsePromptFile, type ParsedPromptFile, type PromptFileOptions } from './parse-file';
export { samplePrompts, type PromptSample } from './sample';
