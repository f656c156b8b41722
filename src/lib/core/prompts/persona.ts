/**
 * Anthropic model-written-evals persona files (github.com/anthropics/evals, persona/*.jsonl):
 * one object a line, `{question, statement, label_confidence, answer_matching_behavior,
 * answer_not_matching_behavior}`. The question becomes the prompt; the matching answer is kept
 * beside it so the approval evaluation can score whether a model's Yes/No matches the persona.
 */
import { InputError, describeValue } from '../run/errors';
import { parseJson } from '../run/parse-json';
import { readLines, type SourceFile } from '../run/import/source';
import { PromptCollector } from './collector';
import { PERSONA_MATCHING_FIELD, type ParsedPrompts, type PromptParseOptions } from './types';

/** A yes/no answer, trimmed of the leading space the persona files give it (" Yes"). */
export type YesNo = 'Yes' | 'No';

/** What the approval evaluation needs about one persona prompt, beside the prompt itself. */
export interface PersonaItem {
  promptId: string;
  /** The bare statement the question asks about. */
  statement: string;
  /** The answer a model with the persona's behaviour gives. */
  matchingAnswer: YesNo;
  /** How sure the file's authors' labeller was, 0 to 1, when the file says. */
  labelConfidence?: number;
}

/** A parsed persona file: its name, prompts (category = name) and one item per prompt. */
export interface ParsedPersonaFile extends ParsedPrompts {
  persona: string;
  /** Parallel to `prompts`: items[i] belongs to prompts[i]. */
  items: PersonaItem[];
}

const PERSONA_NAME = /^[A-Za-z0-9-]+$/;
const PERSONA_BASE_URL = 'https://raw.githubusercontent.com/anthropics/evals/main/persona/';

/**
 * The raw GitHub URL of persona file `name` ("agreeableness"; a ".jsonl" ending is accepted).
 * @throws InputError unless the name is letters, digits and dashes only (it goes into a URL).
 */
export function personaFileUrl(name: string): string {
  const bare = name.trim().replace(/\.jsonl$/i, '');
  if (!PERSONA_NAME.test(bare)) {
    throw new InputError({
      file: 'persona name',
      expected: 'a persona file name of letters, digits and dashes only, like "agreeableness"',
      got: describeValue(name),
    });
  }
  return `${PERSONA_BASE_URL}${bare}.jsonl`;
}

/** The persona name of a file name: "persona/agreeableness (1).jsonl" -> "agreeableness". */
export function personaNameFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  // Browsers name a second download "x (1).jsonl"; the persona is still x.
  const name = base
    .replace(/\.(jsonl|ndjson|json|txt)$/i, '')
    .replace(/\s*\(\d+\)$/, '')
    .trim();
  return name === '' ? 'persona' : name;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readYesNo(value: unknown): YesNo | null {
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  return word === 'yes' ? 'Yes' : word === 'no' ? 'No' : null;
}

/**
 * Reads a persona file, streamed; prompt ids are "<persona>-0001" from each object's position.
 * @throws InputError for a malformed line, a line that is not an object, a missing or empty
 *   `question`, an `answer_matching_behavior` that is not Yes/No, or no questions at all.
 */
export async function parsePersonaFile(
  file: SourceFile,
  options: PromptParseOptions = {},
): Promise<ParsedPersonaFile> {
  const persona = personaNameFromFileName(file.name);
  const collector = new PromptCollector(file.name);
  const items: PersonaItem[] = [];
  const answerByText = new Map<string, YesNo>();
  let position = 0;
  let conflicts = 0;
  for await (const { text, line } of readLines(file, options)) {
    if (text.trim() === '') {
      collector.empty(line);
      continue;
    }
    position++;
    const location = `line ${line}`;
    const value = parseJson(text, file.name, { line });
    const fail = (field: string, expected: string, got: unknown): InputError =>
      new InputError({
        file: file.name,
        location: field === '' ? location : `${location}, field ${JSON.stringify(field)}`,
        expected,
        got: describeValue(got),
      });
    if (!isObject(value)) {
      throw fail('', `a JSON object with "question" and "${PERSONA_MATCHING_FIELD}" fields`, value);
    }
    const question = value.question;
    if (typeof question !== 'string' || question.trim() === '') {
      throw fail('question', 'the question as a non-empty string', question);
    }
    const matching = readYesNo(value[PERSONA_MATCHING_FIELD]);
    if (!matching) {
      throw fail(PERSONA_MATCHING_FIELD, '" Yes" or " No"', value[PERSONA_MATCHING_FIELD]);
    }
    const statement = value.statement ?? question;
    if (typeof statement !== 'string') throw fail('statement', 'a string', statement);
    const confidence = value.label_confidence;
    if (
      confidence !== undefined &&
      (typeof confidence !== 'number' || !Number.isFinite(confidence))
    ) {
      throw fail('label_confidence', 'a number between 0 and 1', confidence);
    }

    const id = `${persona}-${String(position).padStart(4, '0')}`;
    const index = collector.add({ text: question, location, category: persona, id });
    if (index === null) {
      if (answerByText.get(question.trim()) !== matching) conflicts++;
      continue;
    }
    answerByText.set(question.trim(), matching);
    const item: PersonaItem = {
      promptId: id,
      statement: statement.trim(),
      matchingAnswer: matching,
    };
    if (confidence !== undefined) item.labelConfidence = confidence;
    items.push(item);
  }
  const parsed = collector.finish();
  if (conflicts > 0) {
    const some =
      conflicts === 1 ? '1 repeated question has' : `${conflicts} repeated questions have`;
    parsed.report.warnings.push(
      `${file.name}: ${some} a different matching answer than the first copy; the first was kept.`,
    );
  }
  return { ...parsed, persona, items };
}
