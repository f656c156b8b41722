import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { answerFeaturesCsv } from '../../src/lib/core/analysis/answer-features-csv';
import type { Answer, Prompt } from '../../src/lib/core/run/types';

describe('per-answer features CSV', () => {
  it('gives the detectors that read the prompt their prompt', () => {
    const prompts: Prompt[] = [
      { id: 'p1', text: 'Write a poem about the sea at night.' },
      { id: 'p2', text: 'What is the best way to learn to cook at home?' },
    ];
    const answers = [
      { promptId: 'p1', side: 'A', sample: 0, text: 'Write a poem about the sea at night. Waves.' },
      { promptId: 'p1', side: 'B', sample: 0, text: 'The waves are dark tonight.' },
      {
        promptId: 'p2',
        side: 'A',
        sample: 0,
        text: 'El mejor modo es cocinar todos los días con una receta.',
      },
      {
        promptId: 'p2',
        side: 'B',
        sample: 0,
        text: 'Cook every day with a recipe and the basics.',
      },
    ] as Answer[];
    const csv = answerFeaturesCsv(prompts, answers, [0, 0, 1, 1]);
    const rows = Papa.parse<Record<string, string>>(csv.trimEnd(), { header: true }).data;
    expect(rows.map((r) => r.repeats_prompt)).toEqual(['1', '0', '0', '0']);
    expect(rows.map((r) => r.other_language)).toEqual(['0', '0', '1', '0']);
  });
});
