/** Files of the same name (alpaca_eval's results/<model>/model_outputs.json) stay distinguishable. */
import { describe, expect, it } from 'vitest';
import { importAlpacaEvalPair } from '../../src/lib/core/run/import/alpaca-eval';
import { alpacaGenerator, detectFormat } from '../../src/lib/core/run/import/detect-format';
import {
  distinctFileNames,
  filesToImportFromFolders,
  modelNameFromFileName,
} from '../../src/lib/core/run/import/file-names';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { importTablePair } from '../../src/lib/core/run/import/table-pair';

describe('distinctFileNames', () => {
  it('keeps names that are already distinct', () => {
    expect(distinctFileNames(['a.json', 'b.json'])).toEqual(['a.json', 'b.json']);
    expect(distinctFileNames(['results/x/a.json', 'results/y/b.json'])).toEqual([
      'a.json',
      'b.json',
    ]);
  });

  it('adds as much of the folder as it takes to tell two model_outputs.json apart', () => {
    expect(
      distinctFileNames(['results/gpt4/model_outputs.json', 'results/llama/model_outputs.json']),
    ).toEqual(['gpt4/model_outputs.json', 'llama/model_outputs.json']);
    expect(
      distinctFileNames(['runs/1/eval/model_outputs.json', 'runs/2/eval/model_outputs.json']),
    ).toEqual(['1/eval/model_outputs.json', '2/eval/model_outputs.json']);
    expect(distinctFileNames(['C:\\out\\a\\m.json', 'C:\\out\\b\\m.json'])).toEqual([
      'a/m.json',
      'b/m.json',
    ]);
  });

  it('numbers files whose paths are the same (chosen without their folders)', () => {
    expect(distinctFileNames(['model_outputs.json', 'model_outputs.json'])).toEqual([
      'model_outputs (1).json',
      'model_outputs (2).json',
    ]);
    expect(distinctFileNames(['m.json', 'x/m.json'])).toEqual(['m.json', 'x/m.json']);
  });

  it('keeps the extension last, where format detection looks for it', () => {
    const names = distinctFileNames(['answers.jsonl', 'answers.jsonl', 'README', 'README']);
    expect(names).toEqual(['answers (1).jsonl', 'answers (2).jsonl', 'README (3)', 'README (4)']);
    // An empty file's format comes from its extension alone.
    expect(detectFormat(names[1]!, '')).toBe('jsonl');
  });
});

describe('modelNameFromFileName', () => {
  it('names a model after the file, or after the folder for alpaca_eval outputs', () => {
    expect(modelNameFromFileName('tiny-base.json')).toBe('tiny-base');
    expect(modelNameFromFileName('gpt4/model_outputs.json')).toBe('gpt4');
    expect(modelNameFromFileName('model_outputs (2).json')).toBe('model_outputs (2)');
    expect(modelNameFromFileName('base/answers.jsonl')).toBe('base/answers');
  });
});

describe('filesToImportFromFolders', () => {
  it('takes only the model_outputs.json files of an alpaca_eval results folder', () => {
    const paths = [
      'results/gpt4/model_outputs.json',
      'results/gpt4/annotations.json',
      'results/gpt4/leaderboard.csv',
      'results/llama/.DS_Store',
      'results/llama/model_outputs.json',
      'results/llama/notes.md',
    ];
    expect(filesToImportFromFolders(paths)).toEqual([0, 4]);
  });

  it('otherwise takes every readable, not hidden file', () => {
    expect(filesToImportFromFolders(['d/a.jsonl', 'd/.hidden.json', 'd/b.png', 'd/c.CSV'])).toEqual(
      [0, 3],
    );
  });
});

describe('alpacaGenerator', () => {
  it('reads the first generator of an alpaca_eval head, escapes and all', () => {
    const head = JSON.stringify([
      { instruction: 'i', output: 'o', generator: 'gpt-4 "turbo"' },
      { instruction: 'j', output: 'p', generator: 'gpt-4 "turbo"' },
    ]);
    expect(alpacaGenerator(head)).toBe('gpt-4 "turbo"');
    expect(alpacaGenerator(head)).toBe('gpt-4 "turbo"');
    expect(alpacaGenerator('[{"instruction": "i", "output": "o"}]')).toBeUndefined();
    expect(alpacaGenerator('[{"instruction": "i", "output": "o", "generator": " "}]')).toBe(
      undefined,
    );
  });
});

describe('two files of the same name imported as a pair', () => {
  const rows = (generator: string | null, answer: string) =>
    JSON.stringify(
      ['Name a colour.', 'Name a fruit.'].map((instruction) => ({
        instruction,
        output: `${answer}: ${instruction}`,
        ...(generator === null ? {} : { generator }),
        dataset: 'toy',
      })),
    );

  it('an alpaca_eval pair without generators is named after the folders', async () => {
    const [a, b] = distinctFileNames([
      'results/base/model_outputs.json',
      'results/tuned/model_outputs.json',
    ]);
    const imported = await importAlpacaEvalPair(
      sourceFromString(a!, rows(null, 'A')),
      sourceFromString(b!, rows(null, 'B')),
    );
    expect(imported.models.A.label).toBe('base');
    expect(imported.models.B.label).toBe('tuned');
    expect(imported.report.warnings).toEqual([
      'base/model_outputs.json names no generator; its model is called "base" after the file.',
      'tuned/model_outputs.json names no generator; its model is called "tuned" after the file.',
    ]);
  });

  it('a pair of answer tables of one name gets two model names, not one', async () => {
    const [a, b] = distinctFileNames(['base/answers.jsonl', 'tuned/answers.jsonl']);
    const table = (answer: string) =>
      `{"prompt": "p1", "answer": "${answer}1"}\n{"prompt": "p2", "answer": "${answer}2"}\n`;
    const imported = await importTablePair(
      sourceFromString(a!, table('a')),
      sourceFromString(b!, table('b')),
    );
    expect(imported.models.A.label).toBe('base/answers');
    expect(imported.models.B.label).toBe('tuned/answers');
    expect(imported.answers.filter((x) => x.side === 'B').map((x) => x.text)).toEqual(['b1', 'b2']);
  });
  it("names a side after its file's model column when that holds one name throughout", async () => {
    // The shape `npm run generate` writes: the model column names the model, the file the side.
    const rows = (model: string, answer: string) =>
      `{"prompt": "p1", "answer": "${answer}1", "model": "${model}", "sample": 0}\n` +
      `{"prompt": "p2", "answer": "${answer}2", "model": "${model}", "sample": 0}\n`;
    const named = await importTablePair(
      sourceFromString('out/A.jsonl', rows('tiny-base', 'a')),
      sourceFromString('out/B.jsonl', rows('my-finetune', 'b')),
    );
    expect(named.models.A.label).toBe('tiny-base');
    expect(named.models.B.label).toBe('my-finetune');
    // Two names in one file (or a row without one) say nothing about the side: the file names it.
    const mixed = `{"prompt": "p1", "answer": "x", "model": "m1"}\n{"prompt": "p2", "answer": "y", "model": "m2"}\n`;
    const partial = `{"prompt": "p1", "answer": "x", "model": "m1"}\n{"prompt": "p2", "answer": "y", "model": ""}\n`;
    const fallback = await importTablePair(
      sourceFromString('base.jsonl', mixed),
      sourceFromString('tuned.jsonl', partial),
    );
    expect(fallback.models.A.label).toBe('base');
    expect(fallback.models.B.label).toBe('tuned');
  });
});
