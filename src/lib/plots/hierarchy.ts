/**
 * The hierarchy view: the Ward merge tree as an icicle, cut to a few hundred nodes so Plotly
 * stays fast, each node coloured by the share of its answers that come from B.
 */
import type { Linkage } from '../core/cluster/linkage';
import type { Side } from '../core/run/types';
import { formatPercent } from '../core/report/vocabulary';
import { escapePlotText } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** The default cap on shown nodes: enough to see structure, small enough to draw at once. */
export const MAX_HIERARCHY_NODES = 200;

/** A node of the cut tree. */
export interface HierarchyNode {
  /** `n<k>` where k is the scipy node number (leaves 0..n-1, merge r is n + r). */
  id: string;
  /** Parent id; '' for the root. */
  parent: string;
  /** Answers under the node. */
  size: number;
  countA: number;
  countB: number;
  /** countB / size: 0 all A, 1 all B. */
  shareB: number;
  /** Merge height (0 for a single answer). */
  height: number;
  /** The cluster most of the node's answers are in, and that share of them. */
  cluster: number;
  clusterShare: number;
  /** True when the node stands for a subtree that was not expanded (or a single answer). */
  leaf: boolean;
  /** The answer's row index when the node is a single answer, else null. */
  row: number | null;
}

/**
 * Cuts `tree` to at most `maxNodes` nodes by expanding the largest subtrees first, so big
 * structure is shown and small subtrees collapse into one node. `sides[i]` and `labels[i]` are
 * the side and cluster of answer i. Nodes come parents first.
 * @throws RangeError when the linkage does not match the answers or is malformed.
 */
export function hierarchyNodes(
  tree: Linkage,
  sides: readonly Side[],
  labels: ArrayLike<number>,
  maxNodes = MAX_HIERARCHY_NODES,
): HierarchyNode[] {
  const { n, merges } = tree;
  if (n !== sides.length)
    throw new RangeError(`tree has ${n} leaves but there are ${sides.length} answers`);
  if (n === 0) return [];
  if (merges.length !== (n - 1) * 4)
    throw new RangeError(`expected ${(n - 1) * 4} linkage values, got ${merges.length}`);

  const total = 2 * n - 1;
  const left = new Int32Array(total).fill(-1);
  const right = new Int32Array(total).fill(-1);
  const size = new Int32Array(total);
  const countB = new Int32Array(total);
  const height = new Float64Array(total);
  const used = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    size[i] = 1;
    countB[i] = sides[i] === 'B' ? 1 : 0;
  }
  for (let r = 0; r < n - 1; r++) {
    const node = n + r;
    const a = merges[4 * r]!;
    const b = merges[4 * r + 1]!;
    for (const child of [a, b]) {
      // Children must be earlier nodes, each merged once: otherwise the "tree" has cycles.
      if (!Number.isInteger(child) || child < 0 || child >= node || used[child]) {
        throw new RangeError(`linkage row ${r} has an invalid child ${child}`);
      }
      used[child] = 1;
    }
    left[node] = a;
    right[node] = b;
    size[node] = size[a]! + size[b]!;
    countB[node] = countB[a]! + countB[b]!;
    height[node] = merges[4 * r + 2]!;
  }
  const root = total - 1;

  // Best-first expansion: the biggest shown subtree is split next; each split adds two nodes.
  const parentOf = new Map<number, number>([[root, -1]]);
  const frontier: number[] = root >= n ? [root] : [];
  const budget = Math.max(1, maxNodes);
  while (frontier.length && parentOf.size + 2 <= budget) {
    let best = 0;
    for (let i = 1; i < frontier.length; i++) {
      const f = frontier[i]!;
      const g = frontier[best]!;
      if (size[f]! > size[g]! || (size[f] === size[g] && height[f]! > height[g]!)) best = i;
    }
    const node = frontier.splice(best, 1)[0]!;
    for (const child of [left[node]!, right[node]!]) {
      parentOf.set(child, node);
      if (child >= n) frontier.push(child);
    }
  }

  // Majority cluster per shown node: shown leaves cover disjoint subtrees, so this is O(n).
  const histograms = new Map<number, Map<number, number>>();
  const order: number[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    order.push(node);
    const expanded = node >= n && parentOf.has(left[node]!);
    if (expanded) stack.push(right[node]!, left[node]!);
  }
  const isShownLeaf = (node: number) => node < n || !parentOf.has(left[node]!);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const hist = new Map<number, number>();
    if (isShownLeaf(node)) {
      const inner = [node];
      while (inner.length) {
        const m = inner.pop()!;
        if (m < n) {
          const label = labels[m] ?? -1;
          hist.set(label, (hist.get(label) ?? 0) + 1);
        } else inner.push(left[m]!, right[m]!);
      }
    } else {
      for (const child of [left[node]!, right[node]!]) {
        for (const [label, count] of histograms.get(child) ?? []) {
          hist.set(label, (hist.get(label) ?? 0) + count);
        }
      }
    }
    histograms.set(node, hist);
  }

  return order.map((node) => {
    let cluster = -1;
    let best = -1;
    for (const [label, count] of histograms.get(node) ?? []) {
      if (count > best || (count === best && label < cluster)) {
        cluster = label;
        best = count;
      }
    }
    const parent = parentOf.get(node) ?? -1;
    const s = size[node]!;
    return {
      id: `n${node}`,
      parent: parent < 0 ? '' : `n${parent}`,
      size: s,
      countA: s - countB[node]!,
      countB: countB[node]!,
      shareB: countB[node]! / s,
      height: height[node]!,
      cluster,
      clusterShare: best / s,
      leaf: isShownLeaf(node),
      row: node < n ? node : null,
    };
  });
}

const clusterName = (id: number) => (id < 0 ? 'noise' : `cluster ${id}`);

/**
 * The icicle trace: box size = answers, colour = B share on a diverging scale around 0.5
 * (A's colour below, B's above), labels name the majority cluster when it dominates.
 */
export function hierarchyTrace(nodes: readonly HierarchyNode[], theme: PlotTheme): Trace {
  return {
    type: 'icicle',
    ids: nodes.map((d) => d.id),
    parents: nodes.map((d) => d.parent),
    values: nodes.map((d) => d.size),
    branchvalues: 'total',
    labels: nodes.map((d) =>
      d.row !== null
        ? `${d.countB ? 'B' : 'A'} answer`
        : d.clusterShare >= 0.8
          ? `${clusterName(d.cluster)} · ${d.size}`
          : `${d.size}`,
    ),
    hovertext: nodes.map((d) =>
      escapePlotText(
        [
          d.row !== null ? `answer ${d.row} (${d.countB ? 'B' : 'A'})` : `${d.size} answers`,
          `A ${d.countA} · B ${d.countB} · B share ${formatPercent(d.shareB, 0)}`,
          `${clusterName(d.cluster)}: ${formatPercent(d.clusterShare, 0)} of these`,
          d.row === null ? `merge height ${d.height.toFixed(3)}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      ).replace(/\n/g, '<br>'),
    ),
    hoverinfo: 'text',
    marker: {
      colors: nodes.map((d) => d.shareB),
      colorscale: [
        [0, theme.sideA],
        [0.5, theme.neutral],
        [1, theme.sideB],
      ],
      cmin: 0,
      cmax: 1,
      cmid: 0.5,
      showscale: true,
      colorbar: { title: { text: 'B share' }, thickness: 12, tickformat: '.0%' },
      line: { width: 1 },
    },
    tiling: { orientation: 'v' },
    maxdepth: 8,
    sort: false,
  };
}
