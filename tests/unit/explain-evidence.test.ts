import { describe, expect, it } from 'vitest';
import { discoveryEvidence, type DiscoveryInput } from '../../src/lib/core/explain/evidence';
import type { PropertyCluster } from '../../src/lib/core/explain/types';
import type { Answer, Prompt, Side } from '../../src/lib/core/run/types';

// A small run. Discovery prompts d0-d5; held-out h0-h5. On discovery prompts A answers in one
// prose sentence (d5: a refusal) and B in a numbered list opening "Certainly! Here are", except
// d4 where B writes a long paragraph. d0 has a second sample on each side.
const LONG = 'Task 4 is easy to do once you see how the parts fit together. '.repeat(8).trim();
const discovery = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];
const heldOut = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5'];

const answer = (promptId: string, side: Side, text: string, sample = 0): Answer => ({
  promptId,
  side,
  sample,
  text,
  finishReason: 'stop',
  createdAt: '2026-01-01T00:00:00.000Z',
});
const proseA = (i: string) =>
  `You can do task ${i} by following a few simple steps and checking the result carefully.`;
const listB = (i: string) =>
  `Certainly! Here are the steps:\n1. Prepare task ${i}.\n2. Run it.\n3. Check it.`;

function run(heldOutText = (id: string, side: Side) => `Held-out ${side} answer to ${id}.`) {
  const prompts: Prompt[] = [...discovery, ...heldOut].map((id) => ({
    id,
    text: `How do I do task ${id.slice(1)}?`,
  }));
  const answers: Answer[] = [
    ...['0', '1', '2', '3', '4'].map((i) => answer(`d${i}`, 'A', proseA(i))),
    answer('d5', 'A', "I can't help with that request."),
    ...['0', '1', '2', '3', '5'].map((i) => answer(`d${i}`, 'B', listB(i))),
    answer('d4', 'B', LONG),
    answer('d0', 'A', 'You can do task 0 quickly.', 1),
    answer('d0', 'B', 'Certainly! Here are two steps:\n1. Start.\n2. Finish.', 1),
    ...heldOut.flatMap((id) => [
      answer(id, 'A', heldOutText(id, 'A')),
      answer(id, 'B', heldOutText(id, 'B')),
    ]),
  ];
  // Clusters: 0 prose, 1 numbered lists, 2 refusals; A's second sample of d0 is noise. Every
  // held-out answer is put in cluster 2, which would make it the most one-sided if counted.
  const clusterOf = (a: Answer): number => {
    if (a.promptId.startsWith('h')) return a.side === 'B' ? 2 : 0;
    if (a.promptId === 'd0' && a.sample === 1 && a.side === 'A') return -1;
    if (a.text.startsWith('I can')) return 2;
    return a.text.includes('\n1.') ? 1 : 0;
  };
  const analysis = {
    rows: answers.map((a) => ({ promptId: a.promptId, side: a.side, sample: a.sample })),
    labels: Int32Array.from(answers.map(clusterOf)),
  };
  return { prompts, answers, analysis };
}

const property = (name: string, shareA: number, shareB: number, examples: string[]) =>
  ({
    id: 0,
    name,
    definition: name ? `The answer ${name}.` : '',
    examples,
    countA: 0,
    countB: 0,
    nPrompts: 6,
    shareA,
    shareB,
    ciLow: 0,
    ciHigh: 0,
    pValue: 1,
    qValue: 1,
  }) satisfies PropertyCluster;

function input(overrides: Partial<DiscoveryInput> = {}, r = run()): DiscoveryInput {
  return {
    prompts: r.prompts,
    answers: r.answers,
    analysis: r.analysis,
    clusterLabels: [{ cluster: 1, label: 'Numbered steps', description: 'Lists steps.' }],
    properties: [
      property('uses a numbered list', 0, 0.83, ['uses a numbered list']),
      property('', 0.17, 0, ['declines the request']),
    ],
    discoveryPromptIds: discovery,
    ...overrides,
  };
}

describe('discoveryEvidence', () => {
  it('is byte-identical whatever the held-out prompts, answers, labels and vectors', () => {
    const base = JSON.stringify(discoveryEvidence(input()));
    // Other held-out answers: all of them numbered lists opening like B's, or refusals.
    const changed = run((id, side) =>
      side === 'B' ? listB(id) : "I can't help with that request. ".repeat(20),
    );
    changed.prompts = changed.prompts.map((p) =>
      p.id.startsWith('h') ? { ...p, text: 'Something else entirely?' } : p,
    );
    changed.analysis.labels = Int32Array.from(changed.answers, (a, i) =>
      a.promptId.startsWith('h') ? 1 : changed.analysis.labels[i]!,
    );
    expect(JSON.stringify(discoveryEvidence(input({}, changed)))).toBe(base);
    // More held-out answers (a second sample of each), and held-out vectors that differ.
    const more = run();
    more.answers.push(...heldOut.map((id) => answer(id, 'B', listB(id), 1)));
    more.analysis.rows.push(
      ...heldOut.map((id) => ({ promptId: id, side: 'B' as Side, sample: 1 })),
    );
    more.analysis.labels = Int32Array.from([...more.analysis.labels, ...heldOut.map(() => 1)]);
    expect(JSON.stringify(discoveryEvidence(input({}, more)))).toBe(base);
    // No held-out answer at all, and the answers in another order.
    const none = run();
    const kept = none.answers
      .map((a, i) => ({ a, i }))
      .filter(({ a }) => a.promptId.startsWith('d'))
      .reverse();
    none.answers = kept.map(({ a }) => a);
    none.analysis = {
      rows: none.answers.map((a) => ({ promptId: a.promptId, side: a.side, sample: a.sample })),
      labels: Int32Array.from(kept.map(({ i }) => run().analysis.labels[i]!)),
    };
    expect(JSON.stringify(discoveryEvidence(input({}, none)))).toBe(base);
    // With vectors: held-out vectors do not matter either.
    const unit = (k: number) => Float32Array.from([Math.cos(k), Math.sin(k)]);
    const vectors = (r: ReturnType<typeof run>, heldOutAngle: number) =>
      r.answers.map((a, i) => (a.promptId.startsWith('h') ? unit(heldOutAngle + i) : unit(i / 3)));
    const r1 = run();
    const r2 = run((id) => `Another held-out text for ${id}.`);
    expect(JSON.stringify(discoveryEvidence(input({ vectors: vectors(r2, 2) }, r2)))).toBe(
      JSON.stringify(discoveryEvidence(input({ vectors: vectors(r1, 0) }, r1))),
    );
    // The check can fail: a discovery answer does change it.
    const touched = run();
    touched.answers[0] = answer('d0', 'A', 'Certainly! Here are the steps:\n1. Go.');
    expect(JSON.stringify(discoveryEvidence(input({}, touched)))).not.toBe(base);
  });

  it('recounts the answer clusters on discovery answers, most one-sided first', () => {
    const e = discoveryEvidence(input());
    expect(e.nPrompts).toBe(6);
    // 7 discovery answers a side. Cluster 1: B 6, A 0 (gap 6/7); cluster 0: A 5, B 1 (4/7);
    // cluster 2: A 1 (1/7). A's second sample of d0 is noise: left out.
    expect(e.clusters.map((c) => [c.cluster, c.countA, c.countB])).toEqual([
      [1, 0, 6],
      [0, 5, 1],
      [2, 1, 0],
    ]);
    const [lists, prose] = e.clusters;
    expect(lists!.label).toBe('Numbered steps');
    expect(prose!.label).toBe('');
    // Without vectors the exemplars are the first in discovery order (d0's two samples).
    expect(lists!.exemplarsB).toEqual([
      listB('0'),
      'Certainly! Here are two steps:\n1. Start.\n2. Finish.',
    ]);
    expect(lists!.exemplarsA).toEqual([]);
    expect(prose!.exemplarsA).toEqual([proseA('0'), proseA('1')]);
    // B's long paragraph is cut to 300 characters, the last one an ellipsis.
    expect(prose!.exemplarsB).toHaveLength(1);
    expect(prose!.exemplarsB[0]).toHaveLength(300);
    expect(prose!.exemplarsB[0]).toBe(`${LONG.slice(0, 299)}…`);
    // Terms from the discovery answers of the cluster (every one of cluster 1 says "certainly").
    expect(lists!.terms).toContain('certainly');
    expect(lists!.terms.length).toBeLessThanOrEqual(8);
  });

  it('takes the exemplars nearest the cluster centroid when every member has a vector', () => {
    const r = run();
    // Cluster 1's B answers: d1, d2 and d5 at (1, 0.2), d0's two samples at (1, 0.8) and
    // (0, 1), d3 at (1, -0.3). Centroid (5, 2.1), at 22.8 degrees: d1, d2, d5 (11.3) are
    // nearest, tied, so in discovery order; d0's first sample (38.7) is next.
    const vectors = r.answers.map((a) => {
      if (a.promptId === 'd0' && a.side === 'B')
        return Float32Array.from(a.sample ? [0, 1] : [1, 0.8]);
      if (a.promptId === 'd3' && a.side === 'B') return Float32Array.from([1, -0.3]);
      return Float32Array.from([1, 0.2]);
    });
    const [lists] = discoveryEvidence(input({ vectors }, r)).clusters;
    expect(lists!.exemplarsB).toEqual([listB('1'), listB('2')]);
    // One member without a vector: back to discovery order.
    vectors[r.answers.findIndex((a) => a.promptId === 'd2' && a.side === 'B')] = Float32Array.from(
      [],
    );
    const missing = vectors.map((v) => (v.length === 0 ? null : v));
    expect(discoveryEvidence(input({ vectors: missing }, r)).clusters[0]!.exemplarsB[0]).toBe(
      listB('0'),
    );
  });

  it('ranks detectors, words and openings by the share difference on discovery answers', () => {
    const e = discoveryEvidence(input());
    const numbered = e.detectors.find((d) => d.name === 'numbered_items')!;
    expect(numbered).toEqual({ name: 'numbered_items', shareA: 0, shareB: 6 / 7 });
    expect(e.detectors[0]!.shareB - e.detectors[0]!.shareA).toBeCloseTo(6 / 7, 15);
    expect(e.detectors.find((d) => d.name === 'refusals')).toEqual({
      name: 'refusals',
      shareA: 1 / 7,
      shareB: 0,
    });
    expect(e.detectors.length).toBeLessThanOrEqual(8);
    expect(e.detectors.every((d) => d.shareA + d.shareB > 0)).toBe(true);
    expect(e.words.length).toBeLessThanOrEqual(12);
    expect(e.words).toContainEqual({ term: 'certainly', shareA: 0, shareB: 6 / 7 });
    const gaps = e.words.map((w) => Math.abs(w.shareB - w.shareA));
    expect([...gaps].sort((x, y) => y - x)).toEqual(gaps);
    // "task" is in 6 answers a side: no difference, so it ranks below every word that moves.
    expect(e.words.map((w) => w.term)).not.toContain('task');
    // Openings in at least 3 answers: the refusal and B's long paragraph open once each.
    expect(e.openings).toEqual([
      { phrase: 'certainly here are', countA: 0, countB: 6 },
      { phrase: 'you can do', countA: 6, countB: 0 },
    ]);
  });

  it('lists the most divergent discovery prompts by length ratio, or by cosine with vectors', () => {
    const e = discoveryEvidence(input());
    // Sample-0 length ratios: d4 (300+ vs 86 characters), then d5 (31 vs 71), then d0-d3 tie
    // (86 vs 71) in discovery order.
    expect(e.divergent.map((d) => d.promptId)).toEqual(['d4', 'd5', 'd0', 'd1']);
    expect(e.divergent[1]).toEqual({
      promptId: 'd5',
      prompt: 'How do I do task 5?',
      answerA: "I can't help with that request.",
      answerB: listB('5'),
    });
    expect(e.divergent[0]!.answerB).toHaveLength(300);

    const r = run();
    const vectors: (Float32Array | null)[] = r.answers.map((a) => {
      if (a.promptId === 'd3' && a.side === 'B') return Float32Array.from([-1, 0]); // opposite
      if (a.promptId === 'd2' && a.side === 'B') return Float32Array.from([0, 1]); // orthogonal
      return Float32Array.from([1, 0]);
    });
    expect(discoveryEvidence(input({ vectors }, r)).divergent.map((d) => d.promptId)).toEqual([
      'd3',
      'd2',
      'd0',
      'd1',
    ]);
    // A pair without a vector: every prompt by length ratio instead.
    vectors[0] = null;
    expect(discoveryEvidence(input({ vectors }, r)).divergent.map((d) => d.promptId)).toEqual([
      'd4',
      'd5',
      'd0',
      'd1',
    ]);
  });

  it('passes the property clusters through, naming an unnamed one by its first example', () => {
    const e = discoveryEvidence(input());
    expect(e.properties).toEqual([
      {
        name: 'uses a numbered list',
        definition: 'The answer uses a numbered list.',
        shareA: 0,
        shareB: 0.83,
      },
      { name: 'declines the request', definition: '', shareA: 0.17, shareB: 0 },
    ]);
  });

  it('honours the limits and copes without an analysis', () => {
    const e = discoveryEvidence(
      input({
        analysis: null,
        limits: { properties: 1, detectors: 2, words: 3, openings: 1, divergent: 2 },
      }),
    );
    expect(e.clusters).toEqual([]);
    expect(e.properties).toHaveLength(1);
    expect(e.detectors).toHaveLength(2);
    expect(e.words).toHaveLength(3);
    expect(e.openings).toEqual([{ phrase: 'certainly here are', countA: 0, countB: 6 }]);
    expect(e.divergent.map((d) => d.promptId)).toEqual(['d4', 'd5']);
    const small = discoveryEvidence(
      input({ limits: { clusters: 1, exemplars: 1, excerptChars: 20 } }),
    );
    expect(small.clusters).toHaveLength(1);
    expect(small.clusters[0]!.exemplarsB).toEqual(['Certainly! Here are…']);
    const empty = discoveryEvidence(input({ discoveryPromptIds: [] }));
    expect(empty).toMatchObject({
      nPrompts: 0,
      clusters: [],
      detectors: [],
      words: [],
      openings: [],
      divergent: [],
    });
  });
});
