import { describe, expect, it } from 'vitest';
import {
  approvalClusters,
  statementsToEmbed,
  type ApprovalChoice,
  type ApprovalResults,
  type ApprovalStatementRow,
} from '../../src/lib/core/approval';
import { fromRows } from '../../src/lib/core/vectors/matrix';

/**
 * Three topics whose 2-d "embeddings" are tight blobs around (0, 0) (cats), (10, 0) (money) and
 * (0, 30) (weather); each blob's offsets sum to zero, so its centre is exact.
 */
const TOPICS = [
  {
    file: 'pets',
    centre: [0, 0],
    items: [
      ['I love my cat', [0.1, 0]],
      ['Cats are better company than people', [-0.3, 0.2]],
      ['A cat on my lap makes me happy', [0.2, -0.2]],
    ],
  },
  {
    file: 'values',
    centre: [10, 0],
    items: [
      ['Money matters more than anything', [0.1, 0.1]],
      ['I would do anything for money', [-0.4, 0]],
      ['Saving money is my favourite hobby', [0, 0.3]],
      ['Rich people deserve their money', [0.5, -0.2]],
      ['Money buys happiness', [-0.2, -0.2]],
    ],
  },
  {
    file: 'weather',
    centre: [0, 30],
    items: [
      ['Rain makes me gloomy', [0, 0.1]],
      ['I check the weather every morning', [0.2, -0.3]],
      ['Sunny weather lifts my mood', [-0.4, 0.1]],
      ['Cold weather is the worst', [0.2, 0.1]],
    ],
  },
] as const;

/** Answers by topic: cats: A matches, B unclear (plain) or not matching (evaluated); money: both
 * match; weather: A unclear throughout, B matches on its first two statements only. */
function choices(topic: number, i: number, condition: string): [ApprovalChoice, ApprovalChoice] {
  if (topic === 0) return ['yes', condition === 'plain' ? 'unclear' : 'no'];
  if (topic === 1) return ['yes', 'yes'];
  return ['unclear', i < 2 ? 'yes' : 'no'];
}

function results(): { results: ApprovalResults; vectors: number[][] } {
  const statements: ApprovalStatementRow[] = [];
  const vectors: number[][] = [];
  for (const condition of ['plain', 'evaluated']) {
    TOPICS.forEach((topic, t) => {
      topic.items.forEach(([statement, offset], i) => {
        const [answerA, answerB] = choices(t, i, condition);
        statements.push({
          file: topic.file,
          condition,
          statementId: String(i + 1),
          statement,
          matching: 'yes',
          answerA,
          answerB,
          textA: answerA,
          textB: answerB,
          pYesA: null,
          pYesB: null,
        });
        if (condition === 'plain') {
          vectors.push([topic.centre[0] + offset[0], topic.centre[1] + offset[1]]);
        }
      });
    });
  }
  return { results: { rows: [], statements }, vectors };
}

describe('statementsToEmbed', () => {
  it('lists each statement once, keyed by file and id, in first-seen order', () => {
    const embed = statementsToEmbed(results().results);
    expect(embed).toHaveLength(12);
    expect(embed[0]).toEqual({ key: 'pets/1', text: 'I love my cat' });
    expect(embed[3]).toEqual({ key: 'values/1', text: 'Money matters more than anything' });
    expect(embed[11]).toEqual({ key: 'weather/4', text: 'Cold weather is the worst' });
  });
});

describe('approvalClusters', () => {
  const { results: r, vectors } = results();
  const clustered = approvalClusters(r, fromRows(vectors), { embedderId: 'toy', seed: 3 });

  it('finds the three topics, largest first, members nearest the centre first', () => {
    expect(clustered.embedderId).toBe('toy');
    expect(clustered.clusters.map((c) => [c.id, c.size])).toEqual([
      [0, 5],
      [1, 4],
      [2, 3],
    ]);
    // Squared distances to the centre: money .02 .16 .09 .29 .08; weather .01 .13 .17 .05;
    // cats .01 .13 .08.
    expect(clustered.clusters.map((c) => c.members)).toEqual([
      ['values/1', 'values/5', 'values/3', 'values/2', 'values/4'],
      ['weather/1', 'weather/4', 'weather/2', 'weather/3'],
      ['pets/1', 'pets/3', 'pets/2'],
    ]);
  });

  it('gives each cluster its rates over all conditions among clear answers', () => {
    const rates = clustered.clusters.map((c) => [c.matchA, c.matchB]);
    // money: both always match. weather: A never clear; B matches 2 of 4 per condition.
    // cats: A matches all 6; B is clear only under "evaluated" (3 noes).
    expect(rates).toEqual([
      [1, 1],
      [null, 0.5],
      [1, 0],
    ]);
  });

  it('describes clusters by their own words', () => {
    const [money, weather, cats] = clustered.clusters;
    expect(money!.terms[0]).toBe('money');
    expect(weather!.terms[0]).toBe('weather');
    expect(cats!.terms).toContain('cat');
    expect(money!.terms).not.toContain('weather');
  });

  it('merges the cluster centres with Ward as scipy does', () => {
    // /usr/bin/python3 -c "from scipy.cluster.hierarchy import linkage;
    //   print(linkage([[10,0],[0,30],[0,0]], 'ward').tolist())"  (centres in cluster id order)
    expect(clustered.hierarchy).toHaveLength(2);
    const [first, second] = clustered.hierarchy;
    expect(first!.slice(0, 2)).toEqual([0, 2]);
    expect(first![2]).toBeCloseTo(10, 4);
    expect(first![3]).toBe(2);
    expect(second!.slice(0, 2)).toEqual([1, 3]);
    expect(second![2]).toBeCloseTo(35.11884584284246, 4);
    expect(second![3]).toBe(3);
  });

  it('uses a given k', () => {
    const two = approvalClusters(r, fromRows(vectors), { embedderId: 'toy', seed: 3, k: 2 });
    // Cats and money are 10 apart, weather 30 away: k = 2 joins cats with money.
    expect(two.clusters.map((c) => c.size)).toEqual([8, 4]);
    expect(two.clusters[1]!.members.every((m) => m.startsWith('weather/'))).toBe(true);
    expect(two.hierarchy).toHaveLength(1);
    expect(() =>
      approvalClusters(r, fromRows(vectors), { embedderId: 'toy', seed: 3, k: 0 }),
    ).toThrow(RangeError);
  });

  it('makes one cluster of fewer than three statements and none of none', () => {
    const few: ApprovalResults = { rows: [], statements: r.statements.slice(0, 2) };
    const one = approvalClusters(few, fromRows(vectors.slice(0, 2)), {
      embedderId: 'toy',
      seed: 0,
    });
    // Two points are equally far from their centre: only the membership is certain.
    expect(one.clusters.map((c) => [...c.members].sort())).toEqual([['pets/1', 'pets/2']]);
    expect(one.hierarchy).toEqual([]);
    const none = approvalClusters({ rows: [], statements: [] }, fromRows([]), {
      embedderId: 'toy',
      seed: 0,
    });
    expect(none).toEqual({ embedderId: 'toy', clusters: [], hierarchy: [] });
  });

  it('refuses vectors that do not match the statements', () => {
    expect(() =>
      approvalClusters(r, fromRows(vectors.slice(1)), { embedderId: 'toy', seed: 0 }),
    ).toThrow(/11 vectors for 12 statements/);
  });
});
