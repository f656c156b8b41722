import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/lib/core/run/types';
import {
  MAX_HIERARCHY_NODES,
  hierarchyNodes,
  hierarchyTrace,
  type HierarchyNode,
} from '../../src/lib/plots/hierarchy';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';

// Five answers: {0,1} (A, cluster 0) merge first, then {2,3} (B), then 4 (B) joins them, then all.
const tree = {
  n: 5,
  merges: Float64Array.from([0, 1, 0.1, 2, 2, 3, 0.2, 2, 4, 6, 0.3, 3, 5, 7, 1.0, 5]),
};
const sides: Side[] = ['A', 'A', 'B', 'B', 'B'];
const labels = Int32Array.from([0, 0, 1, 1, 1]);

/** Every expanded node's size equals the sum of its children's (Plotly's branchvalues 'total'). */
function checkSums(nodes: HierarchyNode[]): void {
  const children = new Map<string, number>();
  for (const d of nodes)
    if (d.parent) children.set(d.parent, (children.get(d.parent) ?? 0) + d.size);
  for (const d of nodes) {
    if (d.leaf) expect(children.has(d.id)).toBe(false);
    else expect(children.get(d.id)).toBe(d.size);
  }
}

describe('hierarchy nodes', () => {
  it('lists the whole small tree parents first with counts and B share', () => {
    const nodes = hierarchyNodes(tree, sides, labels);
    expect(nodes.map((d) => d.id)).toEqual(['n8', 'n5', 'n0', 'n1', 'n7', 'n4', 'n6', 'n2', 'n3']);
    expect(nodes.map((d) => d.parent)).toEqual([
      '',
      'n8',
      'n5',
      'n5',
      'n8',
      'n7',
      'n7',
      'n6',
      'n6',
    ]);
    const byId = new Map(nodes.map((d) => [d.id, d]));
    expect(byId.get('n8')).toMatchObject({
      size: 5,
      countA: 2,
      countB: 3,
      shareB: 0.6,
      height: 1,
      leaf: false,
      row: null,
    });
    expect(byId.get('n5')).toMatchObject({ shareB: 0, cluster: 0, clusterShare: 1 });
    expect(byId.get('n7')).toMatchObject({ shareB: 1, cluster: 1, height: 0.3 });
    expect(byId.get('n4')).toMatchObject({ size: 1, leaf: true, row: 4, countB: 1 });
    // The root is mixed: cluster 1 holds 3 of 5.
    expect(byId.get('n8')).toMatchObject({ cluster: 1, clusterShare: 0.6 });
    checkSums(nodes);
  });

  it('cuts to the node budget by expanding the biggest subtrees first', () => {
    const nodes = hierarchyNodes(tree, sides, labels, 5);
    expect(nodes.map((d) => d.id)).toEqual(['n8', 'n5', 'n7', 'n4', 'n6']);
    expect(nodes.find((d) => d.id === 'n5')).toMatchObject({ leaf: true, size: 2, row: null });
    expect(nodes.find((d) => d.id === 'n6')).toMatchObject({ leaf: true, size: 2, shareB: 1 });
    checkSums(nodes);
    expect(hierarchyNodes(tree, sides, labels, 1)).toMatchObject([
      { id: 'n8', parent: '', leaf: true, size: 5 },
    ]);
  });

  it('handles a single answer and no answers', () => {
    expect(hierarchyNodes({ n: 1, merges: new Float64Array() }, ['B'], [0])).toMatchObject([
      { id: 'n0', parent: '', size: 1, shareB: 1, row: 0 },
    ]);
    expect(hierarchyNodes({ n: 0, merges: new Float64Array() }, [], [])).toEqual([]);
  });

  it('rejects a linkage that does not fit the answers', () => {
    expect(() => hierarchyNodes(tree, sides.slice(1), labels)).toThrow(RangeError);
    expect(() => hierarchyNodes({ n: 5, merges: tree.merges.slice(4) }, sides, labels)).toThrow(
      RangeError,
    );
    const reused = Float64Array.from(tree.merges);
    reused[4] = 0; // row 1 merges answer 0 again
    expect(() => hierarchyNodes({ n: 5, merges: reused }, sides, labels)).toThrow(/invalid child/);
  });

  it('keeps a large tree under the budget, quickly', () => {
    const n = 4000;
    const merges = new Float64Array((n - 1) * 4);
    // A balanced-ish tree: pair neighbours level by level.
    let level = Array.from({ length: n }, (_, i) => i);
    let next = n;
    let r = 0;
    const size = new Map<number, number>(level.map((i) => [i, 1]));
    while (level.length > 1) {
      const up: number[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) {
        const a = level[i]!;
        const b = level[i + 1]!;
        size.set(next, size.get(a)! + size.get(b)!);
        merges.set([a, b, r + 1, size.get(next)!], 4 * r++);
        up.push(next++);
      }
      if (level.length % 2) up.push(level[level.length - 1]!);
      level = up;
    }
    const bigSides: Side[] = Array.from({ length: n }, (_, i) => (i % 3 ? 'A' : 'B'));
    const started = performance.now();
    const nodes = hierarchyNodes({ n, merges }, bigSides, new Int32Array(n));
    expect(performance.now() - started).toBeLessThan(500);
    expect(nodes.length).toBeLessThanOrEqual(MAX_HIERARCHY_NODES);
    expect(nodes.length).toBeGreaterThan(MAX_HIERARCHY_NODES - 3);
    expect(nodes[0]).toMatchObject({ size: n, parent: '' });
    checkSums(nodes);
  });
});

describe('hierarchy trace', () => {
  it('is an icicle coloured by B share on a scale centred at 0.5', () => {
    const nodes = hierarchyNodes(tree, sides, labels);
    const trace = hierarchyTrace(nodes, DEFAULT_THEME);
    expect(trace.type).toBe('icicle');
    expect(trace.branchvalues).toBe('total');
    expect(trace.ids).toEqual(nodes.map((d) => d.id));
    expect(trace.values).toEqual(nodes.map((d) => d.size));
    const marker = trace.marker as {
      colors: number[];
      colorscale: [number, string][];
      cmid: number;
    };
    expect(marker.colors).toEqual(nodes.map((d) => d.shareB));
    expect(marker.cmid).toBe(0.5);
    expect(marker.colorscale).toEqual([
      [0, DEFAULT_THEME.sideA],
      [0.5, DEFAULT_THEME.neutral],
      [1, DEFAULT_THEME.sideB],
    ]);
    expect((trace.labels as string[])[1]).toBe('cluster 0 · 2');
    expect((trace.hovertext as string[])[0]).toContain('A 2 · B 3 · B share 60%');
  });
});
