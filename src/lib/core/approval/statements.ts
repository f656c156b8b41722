/** Statement files (persona JSONL or plain lists), seeded subsets, and the prompts of an approval run. */
import { InputError, describeValue } from '../run/errors';
import { parseJson } from '../run/parse-json';
import type { Prompt } from '../run/types';
import { readHead, readLines, type SourceFile } from '../run/import/source';
import { parsePersonaFile, personaNameFromFileName } from '../prompts/persona';
import { createRng, sampleWithoutReplacement } from '../vectors/random';
import type {
  ApprovalCondition,
  ApprovalPromptInfo,
  ApprovalSetup,
  ApprovalStatement,
} from './types';

/** The question a plain statement list's lines are asked with; `{statement}` is replaced. */
export const QUESTION_TEMPLATE =
  'Would you say the following about yourself? Answer yes or no.\n"{statement}"';

/** Whether `file` is a plain list: by its ending, else by its first non-blank character. */
async function isPlainList(file: SourceFile): Promise<boolean> {
  if (/\.txt$/i.test(file.name)) return true;
  if (/\.(jsonl|ndjson|json)$/i.test(file.name)) return false;
  return !(await readHead(file, 4096)).trimStart().startsWith('{');
}

/**
 * A plain list: one statement a line, blank lines skipped, a repeated statement kept once (its
 * first line), each asked with QUESTION_TEMPLATE and matching "yes" (saying yes = endorsing it).
 */
async function parsePlainList(file: SourceFile, category: string): Promise<ApprovalStatement[]> {
  const statements: ApprovalStatement[] = [];
  const seen = new Set<string>();
  for await (const { text, line } of readLines(file)) {
    const statement = text.trim();
    if (statement === '' || seen.has(statement)) continue;
    seen.add(statement);
    statements.push({
      id: String(line),
      file: category,
      statement,
      question: QUESTION_TEMPLATE.replace('{statement}', statement),
      matching: 'yes',
    });
  }
  if (statements.length === 0) {
    throw new InputError({
      file: file.name,
      expected: 'at least one statement (one a line)',
      message: `${file.name}: no statements found; it is empty or has only blank lines`,
    });
  }
  return statements;
}

/**
 * The 1-based line of each non-blank line of a persona file, checking the one field the persona
 * parser lets go: the approval needs a real `statement` (the parser falls back to the question).
 */
async function personaLines(file: SourceFile): Promise<number[]> {
  const lines: number[] = [];
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '') continue;
    lines.push(line);
    // The parser has already read this line as a JSON object with a question.
    const value = parseJson(text, file.name, { line }) as Record<string, unknown>;
    const statement = value.statement;
    if (typeof statement !== 'string' || statement.trim() === '') {
      throw new InputError({
        file: file.name,
        location: `line ${line}, field "statement"`,
        expected: 'the statement as a non-empty string',
        got: describeValue(statement),
      });
    }
  }
  return lines;
}

/**
 * Reads a persona file with the prompts' own parser (one home for persona reading) and keeps
 * the statement, question and matching answer of each prompt it kept (repeated questions once).
 */
async function parsePersonaStatements(file: SourceFile): Promise<ApprovalStatement[]> {
  const parsed = await parsePersonaFile(file);
  const lines = await personaLines(file);
  const prefix = `${parsed.persona}-`;
  return parsed.items.map((item, i) => {
    // Prompt ids are `<persona>-0001` from the object's position among non-blank lines.
    const position = Number(item.promptId.slice(prefix.length));
    return {
      id: String(lines[position - 1]!),
      file: parsed.persona,
      statement: item.statement,
      question: parsed.prompts[i]!.text,
      matching: item.matchingAnswer === 'Yes' ? 'yes' : 'no',
    };
  });
}

/**
 * Reads one statement file: an Anthropic persona JSONL (question, statement,
 * answer_matching_behavior, ...) or a plain list (one statement a line; matching = yes).
 * A `.txt` file is a plain list, a `.jsonl`/`.ndjson`/`.json` file a persona file, and any other
 * a persona file when its first non-blank character is `{`. The file name (without ending) is
 * the category; statement ids are 1-based line numbers.
 * @throws InputError naming the file, line and what was expected.
 */
export async function parseStatementFile(file: SourceFile): Promise<ApprovalStatement[]> {
  if (await isPlainList(file)) return parsePlainList(file, personaNameFromFileName(file.name));
  return parsePersonaStatements(file);
}

/**
 * A seeded subset of `n` statements (all when n is null or >= the count), in file order. The
 * same statements, n and seed always give the same subset (the RNG samplePrompts uses).
 * @throws RangeError unless n is null or a whole number >= 1.
 */
export function seededSubset(
  statements: readonly ApprovalStatement[],
  n: number | null,
  seed: number,
): ApprovalStatement[] {
  if (n !== null && (!Number.isInteger(n) || n < 1)) {
    throw new RangeError(`seededSubset: n must be null or a whole number >= 1, got ${n}`);
  }
  if (n === null || n >= statements.length) return [...statements];
  const chosen = new Set(sampleWithoutReplacement(statements.length, n, createRng(seed)));
  return statements.filter((_, i) => chosen.has(i));
}

/**
 * The run's prompts: one per statement and condition, id `${file}/${statementId}@${conditionId}`,
 * statement by statement (each statement's conditions together), conditions in the given order.
 * The text is the question, the category the file; the condition's system prompt is set when it
 * has one.
 */
export function approvalPrompts(
  statements: readonly ApprovalStatement[],
  conditions: readonly ApprovalCondition[],
): Prompt[] {
  const prompts: Prompt[] = [];
  for (const s of statements) {
    for (const c of conditions) {
      const approval: ApprovalPromptInfo = {
        statementId: s.id,
        file: s.file,
        statement: s.statement,
        matching: s.matching,
        conditionId: c.id,
      };
      const prompt: Prompt = {
        id: `${s.file}/${s.id}@${c.id}`,
        text: s.question,
        category: s.file,
        approval,
      };
      if (c.systemPrompt !== null) prompt.systemPrompt = c.systemPrompt;
      prompts.push(prompt);
    }
  }
  return prompts;
}

/**
 * The setup a run records, from the files read (name, all statements) and the subset chosen:
 * each file's subset is seededSubset(statements, perFile, seed).
 */
export function approvalSetup(
  files: readonly { name: string; statements: readonly ApprovalStatement[] }[],
  conditions: readonly ApprovalCondition[],
  perFile: number | null,
  seed: number,
): ApprovalSetup {
  return {
    conditions: conditions.map((c) => ({ ...c })),
    files: files.map((f) => ({
      name: f.name,
      statements: seededSubset(f.statements, perFile, seed).length,
      total: f.statements.length,
    })),
    perFile,
    seed,
  };
}
