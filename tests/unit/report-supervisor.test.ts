/**
 * The supervisor's sections of the reports (issue #12, item 8) and its charts' specs: what
 * REPORT.json holds is built from a run's explanation and hypotheses, hypotheses are listed
 * confirmed first with the length warning, every model-written text is escaped, and the
 * property bars, cluster bars and map legend carry the numbers and labels they are given.
 */
import { describe, expect, it } from 'vitest';
import type {
  ClusterLabel,
  Explanation,
  HypothesisValidation,
  PropertyCluster,
} from '../../src/lib/core/explain/types';
import type { Hypothesis } from '../../src/lib/core/run/types';
import {
  LENGTH_WARNING,
  accuracyText,
  clusterLabelOf,
  decidedText,
  hypothesesHtml,
  hypothesesMarkdown,
  hypothesisEvidence,
  hypothesisStatus,
  hypothesisValidation,
  labelsHtml,
  labelsMarkdown,
  propertiesHtml,
  propertiesMarkdown,
  propertyDifferenceText,
  rankHypotheses,
  reportSupervisor,
  supervisorHtml,
  supervisorMarkdown,
  type ReportSupervisor,
} from '../../src/lib/core/report/supervisor-text';
import {
  SIGNIFICANT_MARK,
  chartProperties,
  propertyBarTraces,
  propertyBarsLayout,
  propertyRange,
} from '../../src/lib/plots/property-bars';
import { clusterBarTraces } from '../../src/lib/plots/cluster-bars';
import { clusterTraceName, mapTraces } from '../../src/lib/plots/map';
import { DEFAULT_THEME, baseLayout } from '../../src/lib/plots/theme';
import type { ClusterResult } from '../../src/lib/core/compare/result-types';

const XSS = '<img src=x onerror=alert(1)>';

/**
 * A judged hypothesis's validation. The defaults are 32 of 40 decided prompts for B: Wilson 95%
 * interval and one-sided exact binomial p from
 * `/usr/bin/python3 -c "from scipy.stats import binom; print(binom.sf(31, 40, 0.5))"`
 * (9.108e-05) and the Wilson formula with z = 1.959964 (0.6524, 0.8950).
 */
function validation(over: Partial<HypothesisValidation> = {}): HypothesisValidation {
  return {
    nHeldOut: 50,
    decided: 40,
    forA: 8,
    forB: 32,
    ties: 10,
    orderFlips: 6,
    unparseable: 1,
    accuracy: 0.8,
    ciLow: 0.652426936536005,
    ciHigh: 0.895000102745623,
    pValue: 9.108291487791575e-5,
    qValue: 1.8e-4,
    confirmed: true,
    auc: 0.71,
    lengthRuleAccuracy: 0.55,
    similarLengthAccuracy: 0.78,
    similarLengthDecided: 18,
    mayBeLength: false,
    rightPromptIds: ['p1', 'p2'],
    wrongPromptIds: ['p3'],
    ...over,
  };
}

/** 9 of 17 for B: Wilson (0.3096, 0.7383), binom.sf(8, 17, 0.5) = 0.5 (same command). */
const WEAK = validation({
  decided: 17,
  forA: 8,
  forB: 9,
  ties: 33,
  accuracy: 9 / 17,
  ciLow: 0.30963235060004424,
  ciHigh: 0.7383489355759056,
  pValue: 0.5,
  qValue: 0.5,
  confirmed: false,
  auc: 0.52,
  lengthRuleAccuracy: 0.94,
  similarLengthAccuracy: 0.5,
  similarLengthDecided: 4,
  mayBeLength: true,
});

function hypothesis(id: string, text: string, v: HypothesisValidation | null, over = {}) {
  return {
    id,
    text,
    createdAt: '2026-03-01T10:00:00.000Z',
    source: 'supervisor',
    explanationId: 'ex-1',
    ...(v ? { validation: v as unknown as Record<string, unknown> } : {}),
    ...over,
  } as Hypothesis;
}

function property(over: Partial<PropertyCluster>): PropertyCluster {
  return {
    id: 0,
    name: 'uses a numbered list',
    definition: 'The answer lays out steps as a numbered list.',
    examples: ['uses a numbered list of steps'],
    countA: 4,
    countB: 22,
    nPrompts: 40,
    shareA: 0.1,
    shareB: 0.55,
    ciLow: 0.28,
    ciHigh: 0.62,
    pValue: 1e-5,
    qValue: 3e-5,
    ...over,
  };
}

const properties: PropertyCluster[] = [
  property({}),
  property({
    id: 1,
    name: 'states it is an AI',
    definition: 'The answer says it is an AI or a language model.',
    countA: 12,
    countB: 6,
    shareA: 0.3,
    shareB: 0.15,
    ciLow: -0.31,
    ciHigh: 0.01,
    pValue: 0.12,
    qValue: 0.18,
  }),
  property({
    id: 2,
    name: XSS,
    definition: `Quotes ${XSS} verbatim.`,
    countA: 2,
    countB: 3,
    shareA: 0.05,
    shareB: 0.075,
    ciLow: -0.07,
    ciHigh: 0.12,
    pValue: 1,
    qValue: 1,
  }),
];

const labels: ClusterLabel[] = [
  { cluster: 2, label: 'Step-by-step guides', description: 'Numbered instructions.' },
  { cluster: 0, label: XSS, description: `Answers that quote ${XSS}.` },
];

const explanation: Explanation = {
  id: 'ex-1',
  createdAt: '2026-03-01T10:00:00.000Z',
  analysisId: 'an-1',
  settings: {
    provider: 'openai',
    model: 'gpt-4o-mini',
    temperature: 0,
    seed: 7,
    propertiesSample: 40,
    hypotheses: 5,
    heldOutSample: 50,
  },
  discoveryPromptIds: ['p10', 'p11'],
  heldOutPromptIds: ['p1', 'p2', 'p3'],
  labels,
  properties,
};

const hypotheses: Hypothesis[] = [
  hypothesis('h-weak', 'Compared with A, B more often gives longer answers.', WEAK),
  hypothesis('h-new', 'Compared with A, B more often asks a question back.', null, {
    source: 'user',
  }),
  hypothesis('h-list', 'Compared with A, B more often uses numbered lists.', validation()),
  hypothesis(
    'h-xss',
    `Compared with A, B more often writes ${XSS}.`,
    validation({
      confirmed: false,
      qValue: 0.09,
      pValue: 0.06,
    }),
    { source: 'user', explanationId: undefined },
  ),
  hypothesis('h-other', 'Another run: B more often refuses.', validation(), {
    explanationId: 'ex-0',
  }),
];

describe('hypothesisValidation', () => {
  it('reads a judged validation and keeps its example prompts', () => {
    const v = hypothesisValidation(hypotheses[2]!);
    expect(v).not.toBeNull();
    expect(v!.accuracy).toBe(0.8);
    expect(v!.rightPromptIds).toEqual(['p1', 'p2']);
    expect(v!.wrongPromptIds).toEqual(['p3']);
  });

  it('refuses a v1 free-form validation, a partial one and none (nothing guessed)', () => {
    expect(hypothesisValidation({ validation: { score: 0.8, note: 'looks right' } })).toBeNull();
    const { auc: _auc, ...partial } = validation();
    expect(hypothesisValidation({ validation: partial })).toBeNull();
    expect(
      hypothesisValidation({ validation: { ...validation(), confirmed: 'yes' } as never }),
    ).toBeNull();
    expect(hypothesisValidation({})).toBeNull();
  });

  it('fills example ids a validation lacks with none instead of failing', () => {
    const { rightPromptIds: _r, wrongPromptIds: _w, ...rest } = validation();
    const v = hypothesisValidation({ validation: rest as Record<string, unknown> });
    expect(v!.rightPromptIds).toEqual([]);
    expect(v!.wrongPromptIds).toEqual([]);
  });
});

describe('hypothesis wording', () => {
  it('orders confirmed first, then by q, then those not judged yet', () => {
    const ranked = rankHypotheses(hypotheses, hypothesisValidation).map((h) => h.id);
    expect(ranked).toEqual(['h-list', 'h-other', 'h-xss', 'h-weak', 'h-new']);
  });

  it('names each status', () => {
    expect(hypothesisStatus(validation())).toBe('confirmed');
    expect(hypothesisStatus(WEAK)).toBe('not confirmed');
    expect(hypothesisStatus(validation({ decided: 0, accuracy: null, confirmed: false }))).toBe(
      'nothing decided',
    );
    expect(hypothesisStatus(null)).toBe('not judged yet');
  });

  it('writes accuracy with its interval, the decided share and every count', () => {
    expect(accuracyText(validation())).toBe('80.0% (95% CI 65.2% to 89.5%)');
    expect(accuracyText(validation({ accuracy: null, ciLow: null, ciHigh: null }))).toBe('–');
    expect(decidedText(validation())).toBe('40 of 50 (80.0%)');
    expect(decidedText({ decided: 0, nHeldOut: 0 })).toBe('0 of 0');
    expect(hypothesisEvidence(validation())).toBe(
      'accuracy 80.0% (95% CI 65.2% to 89.5%), p = 9.1e-5, q = 1.8e-4, AUC 0.71, decided 40 of 50 (80.0%), 6 order flips, 1 unparseable reply; the rule "the longer answer is B\'s" is right on 55.0% of the decided prompts; on prompts whose answers are of similar length (ratio 0.8–1.25) the hypothesis is right on 78.0% of 18 decided prompts.',
    );
  });
});

describe('reportSupervisor (what REPORT.json holds)', () => {
  const report = reportSupervisor(explanation, hypotheses);

  it('keeps labels and properties with exactly the documented fields', () => {
    expect(report.labels).toEqual(labels);
    expect(Object.keys(report.properties[0]!).sort()).toEqual(
      [
        'name',
        'definition',
        'countA',
        'countB',
        'shareA',
        'shareB',
        'ciLow',
        'ciHigh',
        'pValue',
        'qValue',
      ].sort(),
    );
    expect(report.properties[1]).toMatchObject({ name: 'states it is an AI', countA: 12 });
  });

  it('keeps the judged hypotheses of this explanation and the user ones, with their numbers', () => {
    expect(report.hypotheses.map((h) => h.text)).toEqual([
      hypotheses[0]!.text,
      hypotheses[2]!.text,
      hypotheses[3]!.text,
    ]);
    expect(Object.keys(report.hypotheses[0]!).sort()).toEqual(
      [
        'text',
        'source',
        'nHeldOut',
        'decided',
        'accuracy',
        'ciLow',
        'ciHigh',
        'pValue',
        'qValue',
        'confirmed',
        'auc',
        'orderFlips',
        'unparseable',
        'lengthRuleAccuracy',
        'similarLengthAccuracy',
        'similarLengthDecided',
        'mayBeLength',
      ].sort(),
    );
    expect(report.hypotheses[0]).toMatchObject({
      source: 'supervisor',
      decided: 17,
      mayBeLength: true,
      lengthRuleAccuracy: 0.94,
    });
    expect(report.hypotheses[2]!.source).toBe('user');
  });

  it('is empty without an explanation and writes no section then', () => {
    const none = reportSupervisor(null, []);
    expect(none).toEqual({ labels: [], properties: [], hypotheses: [] });
    expect(supervisorMarkdown(none)).toBe('');
    expect(supervisorHtml(none)).toBe('');
  });
});

describe('Markdown sections', () => {
  const report: ReportSupervisor = reportSupervisor(explanation, hypotheses);
  const md = supervisorMarkdown(report);

  it('lists hypotheses confirmed first, with the length warning on the weak one', () => {
    const section = hypothesesMarkdown(report.hypotheses);
    const order = ['numbered lists', 'writes', 'longer answers'].map((t) => section.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(section).toContain(
      '- **confirmed**: Compared with A, B more often uses numbered lists.',
    );
    const weak = section.slice(section.indexOf('longer answers'));
    expect(weak).toContain(`**${LENGTH_WARNING}**`);
    expect(weak).toContain('right on 94.0% of the decided prompts');
    // Only the weak hypothesis may only be length.
    expect(section.split(LENGTH_WARNING)).toHaveLength(2);
    expect(section).toContain('(written by the user)');
  });

  it('escapes model-written text so no tag survives', () => {
    // Markdown escapes with a backslash: every '<' of the model's text is preceded by one.
    expect(md).not.toMatch(/(^|[^\\])<img/m);
    expect(md).toContain('\\<img src=x onerror=alert(1)\\>');
  });

  it('ranks properties most one-sided first with shares, interval and q', () => {
    const section = propertiesMarkdown(properties);
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    expect(rows.slice(1).map((r) => r.split(' | ')[0])).toEqual([
      '| uses a numbered list',
      '| states it is an AI',
      '| \\<img src=x onerror=alert(1)\\>',
    ]);
    expect(rows[1]).toContain(
      '| 4 (10.0%) | 22 (55.0%) | +45.0 pp (95% CI +28.0 pp to +62.0 pp) | 3.0e-5 |',
    );
    expect(propertyDifferenceText(properties[1]!)).toBe('−15.0 pp (95% CI −31.0 pp to +1.0 pp)');
  });

  it('lists labels by cluster id', () => {
    const section = labelsMarkdown(labels);
    expect(section.indexOf('| 0 |')).toBeLessThan(section.indexOf('| 2 |'));
    expect(section).toContain('| 2 | Step-by-step guides | Numbered instructions. |');
    expect(section).toContain('named by the supervisor');
  });
});

describe('HTML sections', () => {
  const report = reportSupervisor(explanation, hypotheses);
  const html = supervisorHtml(report);

  it('escapes every label, property, definition and hypothesis', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    for (const part of [
      hypothesesHtml(report.hypotheses),
      propertiesHtml(report.properties),
      labelsHtml(report.labels),
    ]) {
      expect(part).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(part).not.toContain('<img');
    }
  });

  it('marks confirmed hypotheses and shows the length warning', () => {
    const section = hypothesesHtml(report.hypotheses);
    const items = section.split('\n').filter((l) => l.startsWith('<li'));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^<li class="sig"><strong>confirmed<\/strong>: .*numbered lists/);
    expect(items[2]).toContain('longer answers');
    expect(items[2]).toContain(
      `<strong class="warning">${LENGTH_WARNING.replace(/"/g, '&quot;')}</strong>`,
    );
    expect(items[0]).not.toContain('warning');
  });

  it('marks significant properties', () => {
    const rows = propertiesHtml(properties)
      .split('\n')
      .filter((l) => l.startsWith('<tr'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^<tr class="sig"><td>uses a numbered list<\/td>/);
    expect(rows[1]).toMatch(/^<tr><td>states it is an AI<\/td>/);
  });
});

describe('property bars', () => {
  it('draws A to the left and B to the right, most B-leaning at the top, in points', () => {
    const [a, b, diff] = propertyBarTraces(properties, DEFAULT_THEME);
    // Drawing order: bottom (most A-leaning) to top.
    expect(a!.y).toEqual([
      'states it is an AI',
      '&lt;img src=x onerror=alert(1)&gt;',
      `uses a numbered list${SIGNIFICANT_MARK}`,
    ]);
    expect(b!.y).toEqual(a!.y);
    expect(a!.x).toEqual([-30, -5, -10]);
    expect(b!.x).toEqual([15, 7.5, expect.closeTo(55, 9)]);
    expect((a!.marker as { color: string }).color).toBe(DEFAULT_THEME.sideA);
    expect((b!.marker as { color: string }).color).toBe(DEFAULT_THEME.sideB);
    const x = diff!.x as number[];
    expect(x).toEqual([-15, 2.5, 45].map((v) => expect.closeTo(v, 9)));
    const err = diff!.error_x as { array: number[]; arrayminus: number[] };
    // Whiskers reach the interval's ends: diff + array = ciHigh, diff - arrayminus = ciLow.
    expect(err.array.map((v, i) => x[i]! + v)).toEqual(
      [1, 12, 62].map((v) => expect.closeTo(v, 9)),
    );
    expect(err.arrayminus.map((v, i) => x[i]! - v)).toEqual(
      [-31, -7, 28].map((v) => expect.closeTo(v, 9)),
    );
    const fill = (diff!.marker as { color: string[] }).color;
    expect(fill).toEqual(['rgba(0,0,0,0)', 'rgba(0,0,0,0)', DEFAULT_THEME.text]);
  });

  it('puts name, definition and q in the hover, escaped', () => {
    const [a] = propertyBarTraces(properties, DEFAULT_THEME);
    const hover = a!.hovertext as string[];
    expect(hover[2]).toContain('<b>uses a numbered list</b>');
    expect(hover[2]).toContain('<i>The answer lays out steps as a numbered list.</i>');
    expect(hover[2]).toContain('A 4 (10.0%) · B 22 (55.0%)');
    expect(hover[2]).toContain('q = 3.0e-5 · significant');
    expect(hover[1]).not.toContain('<img');
    expect(hover[1]).toContain('&lt;img');
  });

  it('keeps colliding and unnamed properties apart on the axis', () => {
    const twins = [
      property({ id: 5, name: '', qValue: 0.5, shareB: 0.2 }),
      property({ id: 6, name: '', qValue: 0.5, shareB: 0.3 }),
    ];
    expect(chartProperties(twins).map((c) => c.label)).toEqual([
      '(not named yet)',
      '(not named yet) (2)',
    ]);
    expect(propertyBarTraces([], DEFAULT_THEME)).toEqual([]);
  });

  it('centres the range on zero and labels ticks without sign', () => {
    expect(propertyRange(properties)).toEqual([-1.08 * 62, 1.08 * 62]);
    expect(propertyRange([])).toEqual([-10.8, 10.8]);
    const layout = propertyBarsLayout(properties, DEFAULT_THEME, baseLayout(DEFAULT_THEME));
    const xaxis = layout.xaxis as { tickvals: number[]; ticktext: string[] };
    expect(xaxis.tickvals).toEqual([-50, -25, 0, 25, 50]);
    expect(xaxis.ticktext).toEqual(['50', '25', '0', '25', '50']);
    expect(layout.barmode).toBe('overlay');
  });
});

describe('cluster labels in the charts', () => {
  const cluster = (id: number, difference: number, terms: string[]): ClusterResult => ({
    id,
    size: 10,
    countA: 5,
    countB: 5,
    shareA: 0.3,
    shareB: 0.3 + difference,
    difference,
    ciLow: difference - 0.1,
    ciHigh: difference + 0.1,
    pValue: 0.01,
    qValue: 0.01,
    terms,
    noise: id < 0,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [], b: [] },
    exemplarAnswers: { a: [], b: [] },
  });
  const clusters = [
    cluster(0, -0.2, ['quote']),
    cluster(2, 0.3, ['step', 'first']),
    cluster(1, 0.1, ['misc']),
    cluster(-1, 0, []),
  ];

  it('names labelled bars by their label, escaped, with the description in the hover', () => {
    const [trace] = clusterBarTraces(clusters, DEFAULT_THEME, labels);
    expect(trace!.y).toEqual([
      'cluster 0: &lt;img src=x onerror=alert(1)&gt;',
      'noise (not in any cluster)',
      'cluster 1: misc',
      'cluster 2: Step-by-step guides',
    ]);
    const hover = trace!.hovertext as string[];
    expect(hover[3]).toContain('<i>Step-by-step guides: Numbered instructions.</i>');
    expect(hover[3]).toContain('(named by the supervisor)');
    expect(hover[2]).not.toContain('named by the supervisor');
    expect(hover[0]).not.toContain('<img');
  });

  it('gives the map legend the labels, leaving unlabelled clusters and noise as they were', () => {
    expect(clusterTraceName(2, labels)).toBe('cluster 2: Step-by-step guides');
    expect(clusterTraceName(0, labels)).toBe('cluster 0: &lt;img src=x onerror=alert(1)&gt;');
    expect(clusterTraceName(1, labels)).toBe('cluster 1');
    expect(clusterTraceName(-1, labels)).toBe('noise');
    expect(clusterTraceName(2)).toBe('cluster 2');
    const result = {
      projection: new Float32Array([0, 0, 1, 1, 2, 2]),
      rows: [
        { promptId: 'p1', side: 'A' as const, sample: 0 },
        { promptId: 'p1', side: 'B' as const, sample: 0 },
        { promptId: 'p2', side: 'B' as const, sample: 0 },
      ],
      labels: Int32Array.from([2, 1, -1]),
    };
    const names = (l?: ClusterLabel[]) =>
      mapTraces(result, ['', '', ''], 'cluster', DEFAULT_THEME, false, l).map((t) => t.name);
    expect(names(labels)).toEqual(['cluster 1', 'cluster 2: Step-by-step guides', 'noise']);
    expect(names()).toEqual(['cluster 1', 'cluster 2', 'noise']);
  });

  it('finds a cluster label by id and ignores empty ones', () => {
    expect(clusterLabelOf(labels, 2)?.label).toBe('Step-by-step guides');
    expect(clusterLabelOf(labels, 1)).toBeNull();
    expect(clusterLabelOf([{ cluster: 1, label: ' ', description: 'x' }], 1)).toBeNull();
    expect(clusterLabelOf(undefined, 1)).toBeNull();
  });
});
