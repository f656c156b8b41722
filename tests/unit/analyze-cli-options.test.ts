/** The CLI's option table read in process: typed values, help, and the messages for misuse. */
import { describe, expect, it } from 'vitest';
import {
  ANALYZE_OPTIONS,
  helpText,
  parseAnalyzeArgs,
  usageLine,
} from '../../scripts/analyze-options';

const FILES = ['a.jsonl', 'b.jsonl', '--out', 'r.json'];

describe('parseAnalyzeArgs', () => {
  it('reads every option into its type', () => {
    expect(
      parseAnalyzeArgs([
        ...FILES,
        '--md',
        'r.md',
        '--csv',
        'r.csv',
        '--embedder',
        './model',
        '--k',
        '3',
        '--seed',
        '0',
        '--clustering',
        'ward',
        '--projection',
        'pca',
        '--permutations',
        '199',
      ]),
    ).toEqual({
      fileA: 'a.jsonl',
      fileB: 'b.jsonl',
      out: 'r.json',
      md: 'r.md',
      csv: 'r.csv',
      embedder: './model',
      k: 3,
      seed: 0,
      clustering: 'ward',
      projection: 'pca',
      permutations: 199,
    });
  });

  it('defaults to the bundled embedder and accepts --k auto and --seed=VALUE', () => {
    expect(parseAnalyzeArgs([...FILES, '--k', 'auto', '--seed=4294967295'])).toEqual({
      fileA: 'a.jsonl',
      fileB: 'b.jsonl',
      out: 'r.json',
      embedder: 'bundled',
      k: 'auto',
      seed: 4294967295,
    });
  });

  it('returns null for --help, whose text lists every option', () => {
    expect(parseAnalyzeArgs(['--help'])).toBeNull();
    for (const name of Object.keys(ANALYZE_OPTIONS)) expect(helpText()).toContain(`--${name} `);
    expect(usageLine()).toContain('[--clustering kmeans|ward|hdbscan]');
    expect(usageLine()).toContain(' --out REPORT.json ');
  });

  const misuse: [string[], string][] = [
    [[...FILES, '--k', '1e3'], '--k must be a whole number of at least 1 or "auto" (got "1e3")'],
    [[...FILES, '--k', ''], '--k needs a value'],
    [[...FILES, '--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295'],
    [[...FILES, '--seed=-1'], '--seed must be a whole number from 0 to 4294967295 (got "-1")'],
    [
      [...FILES, '--seed', '-1'],
      '--seed needs a value (one starting with "-" is written --seed=VALUE)',
    ],
    [[...FILES, '--permutations', '98'], '--permutations must be a whole number of at least 99'],
    [[...FILES, '--projection', 'TSNE'], '--projection must be one of umap, pca (got "TSNE")'],
    [[...FILES, '--help=yes'], '--help takes no value'],
    [[...FILES, '-x', '2'], 'unknown option -x; the options are --out, --md, --csv'],
    [['a.jsonl', '--out', 'r.json'], 'expected two answer files (A then B), got 1; usage:'],
    [['a', 'b', 'c', '--out', 'r.json'], 'expected two answer files (A then B), got 3'],
    [['a.jsonl', 'b.jsonl'], '--out is required; usage:'],
  ];
  it.each(misuse)('%j is refused', (argv, message) => {
    expect(() => parseAnalyzeArgs(argv)).toThrow(message);
  });
});
