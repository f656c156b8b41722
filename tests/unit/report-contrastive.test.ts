/**
 * The contrastive scores in the reports: REPORT.json's `contrastive` field, its Markdown and HTML
 * sections, on the component tests' realistic scoring (tests/component/contrastive-fixture.ts).
 *
 * Hand figures: the fixture sets log p_A = log p_B − KL on every token, so an answer's llr is the
 * sum of its tokens' KL and its |llr| per token equals its mean KL. Per answer (sum of KL / tokens):
 * A: p1 2.82/5, p2 0.32/6, p3 0.42/4, p4 0.32/4, p5 0/3, p6 0.22/2 (llr sum 4.1);
 * B: p1 2.92/5, p2 10.22/12, p3 2.52/5, p4 2.62/4, p5 0.4/2, p6 0.72/4 (llr sum 19.4).
 * All 56 tokens carry 23.5 nats of KL, so the usual KL per token is 23.5/56.
 */
import { describe, expect, it } from 'vitest';
import { toReportJson } from '../../src/lib/core/analysis/report-json';
import type { ContrastiveScoresResult, ScoredAnswer } from '../../src/lib/core/contrastive/types';
import {
  contrastiveHtml,
  contrastiveMarkdown,
  reportContrastive,
  scoredAnswerText,
} from '../../src/lib/core/report/contrastive-text';
import { reportHtml } from '../../src/lib/core/report/html';
import { reportMarkdown } from '../../src/lib/core/report/markdown';
import { reportOf } from '../../src/lib/state/report-export';
import {
  ANSWERS,
  EOT,
  ITEMS,
  PROMPTS,
  scoresResult,
  unsharedResult,
} from '../component/contrastive-fixture';
import { fakeAnalysisResult } from './analysis-result-fixture';
import { fixedReport, HOSTILE_SCRIPT } from './report-test-helpers';

const report = reportContrastive(scoresResult(), PROMPTS);
const USUAL = 23.5 / 56;

describe("REPORT.json's contrastive field", () => {
  it('names the models, the vocabulary and the answers scored per side', () => {
    expect(report.modelA).toBe('transformers:tiny-base');
    expect(report.modelB).toBe('transformers:tiny-finetune');
    expect(report.sharedVocabulary).toBe(true);
    expect(report.answers).toEqual({ A: 6, B: 6 });
  });

  it('has the mean llr and mean KL of each side, by hand', () => {
    expect(report.meanLlr.A).toBeCloseTo(4.1 / 6, 12);
    expect(report.meanLlr.B).toBeCloseTo(19.4 / 6, 12);
    const klA = (2.82 / 5 + 0.32 / 6 + 0.42 / 4 + 0.32 / 4 + 0 + 0.22 / 2) / 6;
    const klB = (2.92 / 5 + 10.22 / 12 + 2.52 / 5 + 2.62 / 4 + 0.4 / 2 + 0.72 / 4) / 6;
    expect(report.meanKl!.A).toBeCloseTo(klA, 12);
    expect(report.meanKl!.B).toBeCloseTo(klB, 12);
    expect(klA).toBeCloseTo(0.152056, 6);
    expect(klB).toBeCloseTo(0.495778, 6);
  });

  it('lists the 10 most divergent of the 12 answers by mean KL, with prompt, llr and text', () => {
    expect(report.topAnswers.map((a) => `${a.promptId}${a.side}`)).toEqual([
      'p2B',
      'p4B',
      'p1B',
      'p1A',
      'p3B',
      'p5B',
      'p6B',
      'p6A',
      'p3A',
      'p4A',
    ]);
    const [first] = report.topAnswers;
    expect(first).toEqual({
      promptId: 'p2',
      prompt: 'Can you help me with <b>x</b>?',
      side: 'B',
      sample: 0,
      divergence: expect.closeTo(10.22 / 12, 12) as number,
      llr: expect.closeTo(10.22, 12) as number,
      meanKl: expect.closeTo(10.22 / 12, 12) as number,
      tokens: 12,
      answer: 'I cannot help <b>x</b>.',
    });
    expect(report.topAnswers.map((a) => a.divergence)).toEqual(
      [10.22 / 12, 2.62 / 4, 2.92 / 5, 2.82 / 5, 2.52 / 5, 0.2, 0.18, 0.11, 0.105, 0.08].map((x) =>
        expect.closeTo(x, 12),
      ),
    );
    expect(report.topAnswers[3]!.llr).toBeCloseTo(2.82, 12);
  });

  it('lists the prompts by the mean divergence of their two answers', () => {
    expect(
      report.topPrompts.map((p) => [p.promptId, p.answers, +p.meanDivergence.toFixed(6)]),
    ).toEqual([
      ['p1', 2, +((2.82 / 5 + 2.92 / 5) / 2).toFixed(6)],
      ['p2', 2, +((0.32 / 6 + 10.22 / 12) / 2).toFixed(6)],
      ['p4', 2, +((0.32 / 4 + 2.62 / 4) / 2).toFixed(6)],
      ['p3', 2, +((0.42 / 4 + 2.52 / 5) / 2).toFixed(6)],
      ['p6', 2, +((0.11 + 0.18) / 2).toFixed(6)],
      ['p5', 2, 0.1],
    ]);
    const p2 = report.topPrompts[1]!;
    expect(p2.prompt).toBe('Can you help me with <b>x</b>?');
    expect(p2.meanLlrA).toBeCloseTo(0.32, 12);
    expect(p2.meanLlrB).toBeCloseTo(10.22, 12);
  });

  it('lists the phrases seen twice or more, the most above the usual KL first', () => {
    // " license" is 2.0 nats in p1 A, p1 B, p3 B, p4 B; "the license" is (0.5 + 2.0) / 2 three
    // times and (0.1 + 2.0) / 2 in p3 B's "The license"; "the" 0.5 three times and 0.1 once;
    // "mit" 0.2 (p3 A) and 0.3 (p3 B); "blue" 0.2 twice; "is" 0.05 (p2 A), 0.1 (p3 A, p3 B).
    const rows = report.phrases.map((g) => [g.text, g.n, g.count, g.countA, g.countB]);
    expect(rows).toEqual([
      ['license', 1, 4, 1, 3],
      ['the license', 2, 4, 1, 3],
      ['the', 1, 4, 1, 3],
      ['mit', 1, 2, 1, 1],
      ['blue', 1, 2, 1, 1],
      ['is', 1, 3, 2, 1],
    ]);
    const kl = report.phrases.map((g) => g.meanKl);
    [2.0, 1.2, 0.4, 0.25, 0.2, 0.25 / 3].forEach((x, i) => expect(kl[i]).toBeCloseTo(x, 12));
    const excess = report.phrases.map((g) => g.excessKl);
    [8, 4.8, 1.6, 0.5, 0.4, 0.25].forEach((total, i) =>
      expect(excess[i]).toBeCloseTo(total - report.phrases[i]!.count * USUAL, 12),
    );
    expect(excess[0]).toBeCloseTo(6.321429, 6);
  });

  it('keeps at most 10 answers, 10 prompts and 15 phrases', () => {
    // 13 prompts of two answers each, every answer with its own repeated word.
    const items: ScoredAnswer[] = [];
    for (let p = 0; p < 13; p++) {
      for (const side of ['A', 'B'] as const) {
        const tokens = [` w${p}`, ` w${p}`, EOT].map((token, i) => ({
          token,
          logpA: -1 - 0.1 * p,
          logpB: -1,
          kl: i === 2 ? 0 : 0.1 * p + 0.01,
        }));
        const kl = tokens.reduce((s, t) => s + t.kl, 0);
        items.push({
          promptId: `q${String(p).padStart(2, '0')}`,
          side,
          sample: 0,
          tokens,
          logpA: -3 - 0.3 * p,
          logpB: -3,
          llr: 0.3 * p,
          meanKl: kl / 3,
        });
      }
    }
    const big = reportContrastive(scoresResult(items), []);
    expect(big.topAnswers).toHaveLength(10);
    expect(big.topAnswers[0]!.promptId).toBe('q12');
    expect(big.topAnswers[0]!.prompt).toBe('q12');
    expect(big.topPrompts).toHaveLength(10);
    expect(big.phrases).toHaveLength(15);
    expect(big.phrases[0]!.text).toBe('w12');
  });

  it('is in REPORT.json only when the run has scores', () => {
    const run = { prompts: PROMPTS };
    const source = {
      result: fakeAnalysisResult(ANSWERS),
      run,
      labels: { A: 'tiny-base', B: 'tiny-finetune' },
    };
    const withScores = reportOf({ ...source, contrastive: scoresResult() });
    expect(JSON.parse(JSON.stringify(withScores)).contrastive).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    expect('contrastive' in reportOf(source)).toBe(false);
    expect('contrastive' in reportOf({ ...source, contrastive: null })).toBe(false);
    expect('contrastive' in toReportJson(source.result, PROMPTS)).toBe(false);
  });
});

describe('the contrastive section of the reports', () => {
  it('says in Markdown what was scored and what the mean llr and KL mean, with figures', () => {
    const md = contrastiveMarkdown(report);
    expect(md).toContain('## Where the models disagree (contrastive scores)');
    expect(md).toContain(
      '6 answers of A and 6 answers of B scored under both models: A = transformers:tiny-base, B = transformers:tiny-finetune. A and B share a vocabulary',
    );
    // 19.4 / 6 = 3.2333, 4.1 / 6 = 0.6833; mean KL 0.152056 and 0.495778.
    expect(md).toContain(
      "On B's answers, B finds them more likely than A does, by 3.23 nats (mean llr +3.23); on A's answers, B finds them more likely than A does, by 0.68 nats (mean llr +0.68)",
    );
    expect(md).toContain("mean KL(B‖A) of 0.152 nats per token on A's answers and 0.496 on B's");
    // p2 B first: mean KL 10.22 / 12 = 0.852, llr +10.22; the prompt's and answer's markup escaped.
    expect(md).toContain(
      '| Can you help me with \\<b\\>x\\</b\\>? | B | 0 | 0.852 | +10.22 | I cannot help \\<b\\>x\\</b\\>. |',
    );
    // p1: mean divergence (0.564 + 0.584) / 2 = 0.574, mean llr 2.82 (A) and 2.92 (B).
    expect(md).toContain('| How do I use this code? | 2 | 0.574 | +2.82 | +2.92 |');
    expect(md).toContain('### Phrases the models disagree on most');
    // license: 4 times at 2.0, 8 − 4 · 23.5/56 = 6.32 above usual.
    expect(md).toContain('| license | 1 | 3 | 2.000 | +6.32 |');
    expect(md).toContain('| is | 2 | 1 | 0.083 | −1.01 |');
    expect(md).not.toMatch(/(^|[^\\])<b>/m);
  });

  it('escapes an answer, a prompt and a phrase with <script> in HTML and Markdown', () => {
    const script = (promptId: string, side: 'A' | 'B'): ScoredAnswer => {
      const tokens = [' <', 'script', '>', 'alert', '(', '1', ')', EOT].map((token) => ({
        token,
        logpA: -3,
        logpB: -1,
        kl: 2,
      }));
      return {
        promptId,
        side,
        sample: 0,
        tokens,
        logpA: -24,
        logpB: -8,
        llr: 16,
        meanKl: 2,
      };
    };
    const prompts = [...PROMPTS, { id: 'p7', text: HOSTILE_SCRIPT }];
    const hostile = reportContrastive(
      scoresResult([...ITEMS, script('p7', 'B'), script('p2', 'B')]),
      prompts,
    );
    expect(hostile.topAnswers[0]!.answer).toBe('<script>alert(1)');
    // '(' is punctuation, so the word the phrase is made of ends before it.
    expect(hostile.phrases.map((g) => g.text)).toContain('<script>alert');
    const html = contrastiveHtml(hostile);
    expect(html).not.toContain('<script');
    expect(html).toContain('<blockquote>&lt;script&gt;alert(1)</blockquote>');
    expect(html).toContain('<td>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;</td>');
    expect(html).toContain('<td><code>&lt;script&gt;alert</code></td>');
    expect(html).toContain('Can you help me with &lt;b&gt;x&lt;/b&gt;?');
    const md = contrastiveMarkdown(hostile);
    // Every '<' of the text is backslash-escaped, so Markdown renderers show it as text.
    expect(md).not.toMatch(/(^|[^\\])<script/m);
    expect(md).toContain('| I cannot help \\<b\\>x\\</b\\>. |');
    expect(md).toContain('| \\<script\\>alert(1) |');
    expect(md).toContain('| \\<script\\>alert | 0 | 2 | 2.000 |');
    const whole = reportHtml(fixedReport({ contrastive: hostile }));
    expect(whole).toContain('<table data-section="contrastive-answers">');
    expect(whole).not.toContain('<script');
  });

  it('says a server-scored result has log probabilities only, with no KL figures', () => {
    const served: ContrastiveScoresResult = {
      ...unsharedResult(),
      modelB: 'openai:http://127.0.0.1:8000/v1#tiny-finetune',
    };
    const r = reportContrastive(served, PROMPTS);
    expect(r.sharedVocabulary).toBe(false);
    expect(r.meanKl).toBeNull();
    expect(r.phrases).toEqual([]);
    expect(r.topAnswers.every((a) => a.meanKl === null)).toBe(true);
    // Ranked by |llr| per token: p2 B 10.22 / 12 tokens first.
    expect(r.topAnswers[0]!.divergence).toBeCloseTo(10.22 / 12, 12);
    expect(r.meanLlr.B).toBeCloseTo(19.4 / 6, 12);
    for (const text of [contrastiveMarkdown(r), contrastiveHtml(r)]) {
      expect(text).toContain(
        'A side was scored by an OpenAI-compatible server, which gives log probabilities only: there is no KL',
      );
      expect(text).toContain('per token');
      expect(text).toContain('llr');
      expect(text).not.toContain('mean KL');
      expect(text).not.toContain('KL(B‖A)');
      expect(text).not.toContain('Phrases');
      expect(text).toContain('+3.23');
    }
    expect(contrastiveMarkdown(r)).toContain(
      '| prompt | side | sample | \\|llr\\| per token | llr | answer |',
    );
    // Models without one vocabulary, both local: the other reason.
    const local = contrastiveMarkdown(reportContrastive(unsharedResult(), PROMPTS));
    expect(local).toContain('A and B do not share a vocabulary');
    expect(local).not.toContain('server');
  });

  it('is in the whole reports after the headline only when REPORT.json has it', () => {
    const md = reportMarkdown(fixedReport({ contrastive: report }));
    expect(md.indexOf('## Where the models disagree')).toBeGreaterThan(md.indexOf('from B.'));
    expect(md.indexOf('## Where the models disagree')).toBeLessThan(md.indexOf('## Clusters'));
    expect(reportMarkdown(fixedReport())).not.toContain('Where the models disagree');
    const html = reportHtml(fixedReport({ contrastive: report }));
    expect(html).toContain('<h2>Where the models disagree (contrastive scores)</h2>');
    expect(reportHtml(fixedReport())).not.toContain('Where the models disagree');
  });

  it('spells an answer from its tokens without the end-of-turn token', () => {
    expect(scoredAnswerText(ITEMS[0]!)).toBe('Use the license.');
    expect(scoredAnswerText(ITEMS[3]!, 10)).toBe('I cannot …');
  });
});
