import { describe, expect, it } from 'vitest';
import { approvalResults } from '../../src/lib/core/approval/stats';
import type { ApprovalClusters, ApprovalRow } from '../../src/lib/core/approval/types';
import { toReportJson } from '../../src/lib/core/analysis/report-json';
import {
  APPROVAL_CLUSTERS_VERSION,
  screenAnalyses,
} from '../../src/lib/core/analysis/result-schema';
import {
  approvalExport,
  approvalHtml,
  approvalMarkdown,
  disagreeingStatements,
  reportApproval,
  sortApprovalRows,
} from '../../src/lib/core/report/approval-text';
import { reportHtml } from '../../src/lib/core/report/html';
import { reportMarkdown } from '../../src/lib/core/report/markdown';
import {
  approvalHeatmap,
  divergingColour,
  EMPTY_CELL,
  statementHierarchyTrace,
} from '../../src/lib/plots/approval-heatmap';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';
import { savedAnalyses } from '../../src/lib/state/analysis-runner';
import { fakeAnalysisResult } from './analysis-result-fixture';
import { HOSTILE_REPLY, SETUP, approvalRunFixture } from './approval-report-fixture';
import { fixedReport } from './report-test-helpers';

const run = approvalRunFixture();
const results = approvalResults(run.prompts, run.answers, SETUP);
const report = reportApproval(results, SETUP);

describe('the approval field of REPORT.json', () => {
  it('carries every row and the disagreeing statements, biggest P(Yes) difference first', () => {
    expect(report.rows.map((r) => [r.condition, r.n, r.onlyA, r.onlyB])).toEqual([
      ['plain', 4, 1, 0],
      ['evaluated', 4, 0, 0],
    ]);
    expect(report.statements).toBe(8);
    // Plain: s1 (yes/no) and s4 (unclear/no); evaluated: s2 (yes/unclear), P(Yes) 0.9 vs 0.2.
    expect(report.disagreements).toBe(3);
    expect(report.mostDisagreeing.map((s) => `${s.condition}/${s.statementId}`)).toEqual([
      'evaluated/2',
      'plain/1',
      'plain/4',
    ]);
    expect(report.mostDisagreeing[0]!.textB).toBe(HOSTILE_REPLY);
    expect(report.conditions.map((c) => c.name)).toEqual([
      'Question alone',
      'Told it is evaluated',
    ]);
    expect(report.perFile).toBe(4);
  });

  it('is added to REPORT.json by toReportJson only when given', () => {
    const result = fakeAnalysisResult(run.answers);
    const withApproval = toReportJson(result, run.prompts, { approval: report });
    expect(JSON.parse(JSON.stringify(withApproval)).approval.rows).toHaveLength(2);
    expect('approval' in toReportJson(result, run.prompts)).toBe(false);
  });

  it('keeps unclear answers apart and in the CLI export shape', () => {
    const out = approvalExport(results);
    const plain = out.results.find((r) => r.condition === 'plain')!;
    expect(plain.unclearA).toBe(0.25);
    expect(plain.matchA).toBeCloseTo(2 / 3, 12);
    expect(out.statements.filter((s) => s.answerA === 'unclear')).toHaveLength(1);
    expect(out.statements.find((s) => s.answerB === 'unclear')!.textB).toBe(HOSTILE_REPLY);
  });
});

describe('the approval section of the reports', () => {
  it('writes each row in Markdown with Wilson intervals, unclear shares, counts, p and q', () => {
    const md = approvalMarkdown(report);
    // Wilson intervals from scipy 1.17.1: binomtest(k, n).proportion_ci(method='wilson')
    // gives 2/3 (0.2077, 0.9385), 2/4 (0.1500, 0.8500), 3/4 (0.3006, 0.9544).
    // McNemar exact with onlyA 1, onlyB 0: binomtest(1, 1).pvalue = 1.0; q of one p is p.
    expect(md).toContain(
      '| agreeableness | Question alone | 4 | 66.7% (20.8%–93.9%) | 50.0% (15.0%–85.0%) | −16.7 pp | 25.0% | 0.0% | 1 | 0 | 1.000 | 1.000 | – |',
    );
    // Evaluated: no discordant pair, so no p; P(Yes) shifts −0.1, −0.7, −0.1, −0.1: mean −0.25.
    expect(md).toContain(
      '| agreeableness | Told it is evaluated | 4 | 75.0% (30.1%–95.4%) | 66.7% (20.8%–93.9%) | −8.3 pp | 0.0% | 25.0% | 0 | 0 | – | – | −0.250 (n = 4',
    );
    expect(md).toContain('3 of 8 statement and condition pairs got different answers');
  });

  it('escapes statements and replies in Markdown and HTML', () => {
    const md = approvalMarkdown(report);
    // Every < is backslash-escaped, so Markdown renderers show it as text.
    expect(md).not.toMatch(/(^|[^\\])</);
    expect(md).toContain('\\<img src=x onerror="alert(1)"\\> sure');
    const html = approvalHtml(report);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>teamwork');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; sure');
    expect(html).toContain('I enjoy &lt;b&gt;teamwork&lt;/b&gt;.');
    expect(html).toContain('<td>Told it is evaluated</td>');
  });

  it('comes after the headline and before the clusters in the whole report, only when present', () => {
    const md = reportMarkdown(fixedReport({ approval: report }));
    expect(md.indexOf('## Approval evaluation')).toBeGreaterThan(0);
    expect(md.indexOf('## Approval evaluation')).toBeLessThan(md.indexOf('## Clusters'));
    expect(reportMarkdown(fixedReport())).not.toContain('Approval evaluation');
    const html = reportHtml(fixedReport({ approval: report }));
    expect(html).toContain('<table data-section="approval">');
    expect(html).not.toContain('onerror="alert(1)"> sure');
    expect(reportHtml(fixedReport())).not.toContain('data-section="approval"');
  });
});

describe('sorting and disagreements', () => {
  it('sorts rows by a column either way, missing values last', () => {
    const key = (rows: ApprovalRow[]) => rows.map((r) => r.condition);
    expect(key(sortApprovalRows(results.rows, 'difference'))).toEqual(['plain', 'evaluated']);
    expect(key(sortApprovalRows(results.rows, 'difference', true))).toEqual(['evaluated', 'plain']);
    expect(key(sortApprovalRows(results.rows, 'pValue'))).toEqual(['plain', 'evaluated']);
    expect(key(sortApprovalRows(results.rows, 'pValue', true))).toEqual(['plain', 'evaluated']);
    expect(key(sortApprovalRows(results.rows, 'condition'))).toEqual(['evaluated', 'plain']);
    expect(key(results.rows)).toEqual(['plain', 'evaluated']);
  });

  it('lists only differing answers, known P(Yes) gaps first, the rest in order', () => {
    const base = results.statements[0]!;
    const s = (
      id: string,
      a: 'yes' | 'no' | 'unclear',
      b: typeof a,
      pa: number | null,
      pb: number | null,
    ) => ({
      ...base,
      statementId: id,
      answerA: a,
      answerB: b,
      pYesA: pa,
      pYesB: pb,
    });
    const list = [
      s('same', 'yes', 'yes', 0.1, 0.9),
      s('unknown', 'yes', 'no', null, null),
      s('small', 'no', 'yes', 0.4, 0.5),
      s('big', 'yes', 'no', 0.95, 0.05),
      s('unclear', 'unclear', 'no', null, 0.1),
    ];
    expect(disagreeingStatements(list).map((x) => x.statementId)).toEqual([
      'big',
      'small',
      'unknown',
      'unclear',
    ]);
  });
});

describe('saved statement clusterings', () => {
  const clusters: ApprovalClusters = {
    embedderId: 'transformers:bundled',
    clusters: [
      { id: 0, size: 3, terms: ['help'], matchA: 1, matchB: 0.5, members: ['agreeableness/1'] },
      { id: 1, size: 1, terms: ['rude'], matchA: null, matchB: 0, members: ['agreeableness/4'] },
    ],
    hierarchy: [[0, 1, 0.8, 2]],
  };
  const record = {
    id: 'approval-clusters-1',
    createdAt: '2026-12-02T00:00:00.000Z',
    params: { kind: 'approval-clusters', embedderId: clusters.embedderId, seed: 1 },
    result: { version: APPROVAL_CLUSTERS_VERSION, ...clusters },
  };

  it('are kept on import, a damaged one dropped with its reason, and free-text lists pass them by', () => {
    const damaged = {
      ...record,
      id: 'damaged',
      result: { ...record.result, clusters: [{ ...clusters.clusters[0]!, size: -1 }] },
    };
    const { kept, dropped } = screenAnalyses([record, damaged], new Set(['x']));
    expect(kept).toEqual([record]);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.id).toBe('damaged');
    expect(dropped[0]!.problem).toContain('size');
    expect(savedAnalyses(kept)).toEqual([]);
  });
});

describe('the approval plots', () => {
  it('draws a cell per file x condition, coloured by B − A, * only where q < 0.05', () => {
    const { data, layout } = approvalHeatmap(results.rows, SETUP.conditions, DEFAULT_THEME);
    const shapes = layout.shapes as { fillcolor: string }[];
    expect(shapes).toHaveLength(2);
    // B − A is negative in both cells: both lean to A's colour, plain (−1/6) more than evaluated.
    expect(shapes[0]!.fillcolor).toBe(divergingColour(-1 / 6, DEFAULT_THEME));
    expect(data[0]!.text).toEqual(['−17', '−8']);
    const marked = results.rows.map((r, i) => (i === 1 ? { ...r, qValue: 0.01 } : r));
    expect(approvalHeatmap(marked, SETUP.conditions, DEFAULT_THEME).data[0]!.text).toEqual([
      '−17',
      '−8*',
    ]);
    const hover = (data[0]!.hovertext as string[])[0]!;
    expect(hover).toContain('A matches 66.7% (20.8%–93.9%)');
    expect(hover).toContain('unclear A 25.0% · B 0.0%');
    expect((layout.xaxis as { ticktext: string[] }).ticktext).toEqual([
      'Question alone',
      'Told it is evaluated',
    ]);
  });

  it('maps differences onto the diverging scale centred at 0', () => {
    expect(divergingColour(0, DEFAULT_THEME)).toBe('rgb(240,240,237)');
    expect(divergingColour(-1, DEFAULT_THEME)).toBe('rgb(47,111,214)');
    expect(divergingColour(1, DEFAULT_THEME)).toBe('rgb(196,106,0)');
    expect(divergingColour(null, DEFAULT_THEME)).toBe(EMPTY_CELL);
  });

  it('draws the clusters hierarchy from the linkage and refuses a malformed one', () => {
    const result: ApprovalClusters = {
      embedderId: 'e',
      clusters: [0, 1, 2].map((id) => ({
        id,
        size: id + 1,
        terms: [`t${id}`],
        matchA: 0.5,
        matchB: id === 2 ? null : 1,
        members: [],
      })),
      hierarchy: [
        [0, 1, 0.5, 2],
        [2, 3, 1.5, 3],
      ],
    };
    const trace = statementHierarchyTrace(result, DEFAULT_THEME);
    expect(trace.parents).toEqual(['s3', 's3', 's4', 's4', '']);
    expect(trace.values).toEqual([1, 2, 3, 3, 6]);
    // Root: A 0.5 over 6 statements; B 1 over the 3 with a rate: B − A = +0.5.
    expect((trace.marker as { colors: number[] }).colors).toEqual([0.5, 0.5, 0, 0.5, 0.5]);
    expect(() =>
      statementHierarchyTrace(
        {
          ...result,
          hierarchy: [
            [0, 0, 1, 2],
            [1, 2, 1, 3],
          ],
        },
        DEFAULT_THEME,
      ),
    ).toThrow(RangeError);
  });
});
