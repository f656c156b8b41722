"""HDBSCAN as scikit-learn 1.3 runs it, in plain numpy (run with /usr/bin/python3).

Debian 12 ships scikit-learn 1.2.1, which has no sklearn.cluster.HDBSCAN, and R's dbscan 1.1-11
ties min_samples to min_cluster_size (its single minPts). This module re-runs the steps of
sklearn 1.3's HDBSCAN(min_cluster_size, min_samples) with its defaults (metric euclidean,
alpha 1, cluster_selection_method 'eom', allow_single_cluster False, epsilon 0, brute force):

  core distance   distance to the min_samples-th nearest point, the point itself counted first
  reachability    max(core_a, core_b, d(a, b))
  spanning tree   Prim from point 0; a vertex's best edge changes only on a strictly smaller
                  weight, and the next vertex is the first one with the smallest weight
  single linkage  edges sorted by weight (stable), union-find, tree side of the edge first
  condensed tree  breadth-first from the root, children of a split numbered left then right
  selection       excess of mass over the condensed clusters, the root excluded
  labels          clusters numbered by increasing condensed-tree id; noise -1

With min_samples == min_cluster_size it gives R's dbscan::hdbscan partitions (checked by
cluster_reference.py on every dataset). Run as a script it prints the constant MCS10_MS4 of
tests/unit/cluster-hdbscan.test.ts, reading HDB_DATA from tests/unit/cluster-fixtures.ts:

    /usr/bin/python3 scripts/reference/hdbscan_sklearn.py
"""
import json
import os
import re
from collections import deque

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def core_distances(dist, min_samples):
    """Distance to the min_samples-th nearest point of every point (itself first)."""
    return np.partition(dist, min_samples - 1, axis=1)[:, min_samples - 1]


def prim_mst(reach):
    """Edges (source, target, weight) of Prim's tree on a dense reachability matrix, from 0."""
    n = reach.shape[0]
    in_tree = np.zeros(n, dtype=bool)
    best = np.full(n, np.inf)
    source = np.zeros(n, dtype=np.int64)
    edges = []
    current = 0
    for _ in range(n - 1):
        in_tree[current] = True
        row = reach[current]
        better = (~in_tree) & (row < best)
        best[better] = row[better]
        source[better] = current
        candidates = np.where(in_tree, np.inf, best)
        nxt = int(np.argmin(candidates))
        edges.append((int(source[nxt]), nxt, float(best[nxt])))
        current = nxt
    return edges


def single_linkage(n, edges):
    """scipy-format tree [left, right, height, size] from spanning-tree edges."""
    order = sorted(range(len(edges)), key=lambda e: edges[e][2])
    parent = list(range(2 * n - 1))
    size = [1] * (2 * n - 1)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree = []
    for r, e in enumerate(order):
        a, b, w = edges[e]
        ra, rb = find(a), find(b)
        node = n + r
        parent[ra] = node
        parent[rb] = node
        size[node] = size[ra] + size[rb]
        tree.append((ra, rb, w, size[node]))
    return tree


def condense(tree, min_cluster_size):
    """Condensed tree rows (parent, child, lambda, size), as sklearn's _condense_tree."""
    n = len(tree) + 1
    root = 2 * (n - 1)

    def size_of(node):
        return tree[node - n][3] if node >= n else 1

    def leaves_below(node):
        out = []
        queue = deque([node])
        while queue:
            x = queue.popleft()
            if x < n:
                out.append(x)
            else:
                queue.extend(tree[x - n][:2])
        return out

    def bfs(node):
        order = []
        level = [node]
        while level:
            order.extend(level)
            level = [c for x in level if x >= n for c in tree[x - n][:2]]
        return order

    relabel = {root: n}
    next_label = n + 1
    ignore = set()
    rows = []
    for node in bfs(root):
        if node in ignore or node < n:
            continue
        left, right, dist, _ = tree[node - n]
        lam = 1.0 / dist if dist > 0 else np.inf
        lc, rc = size_of(left), size_of(right)
        if lc >= min_cluster_size and rc >= min_cluster_size:
            for child, count in ((left, lc), (right, rc)):
                relabel[child] = next_label
                next_label += 1
                rows.append((relabel[node], relabel[child], lam, count))
            continue
        for child, count in ((left, lc), (right, rc)):
            if count < min_cluster_size:
                for p in leaves_below(child):
                    rows.append((relabel[node], p, lam, 1))
                ignore.update(bfs(child))
            else:
                relabel[child] = relabel[node]
    return rows


def select_clusters(rows, n):
    """Excess-of-mass selection; returns labels (noise -1), clusters by increasing id."""
    parents = [r[0] for r in rows]
    first, last = min(parents), max(parents)
    birth = {first: 0.0}
    for p, c, lam, s in rows:
        if c >= n:
            birth[c] = lam
    stability = {c: 0.0 for c in range(first, last + 1)}
    for p, c, lam, s in rows:
        stability[p] += (lam - birth[p]) * s
    children = {c: [] for c in range(first, last + 1)}
    for p, c, lam, s in rows:
        if c >= n:
            children[p].append(c)
    selected = {c: True for c in range(first + 1, last + 1)}
    for node in range(last, first, -1):
        below = sum(stability[c] for c in children[node])
        if below > stability[node]:
            selected[node] = False
            stability[node] = below
        else:
            queue = list(children[node])
            while queue:
                x = queue.pop()
                selected[x] = False
                queue.extend(children[x])
    clusters = sorted(c for c, keep in selected.items() if keep)
    label_of = {c: i for i, c in enumerate(clusters)}
    up = {c: p for p, c, lam, s in rows}
    labels = np.full(n, -1, dtype=np.int64)
    for point in range(n):
        x = up[point]
        while x != first and x not in label_of:
            x = up[x]
        labels[point] = label_of.get(x, -1)
    return labels


def hdbscan_labels(x, min_cluster_size, min_samples=None):
    """Labels of sklearn 1.3's HDBSCAN(min_cluster_size, min_samples) on the rows of x."""
    x = np.asarray(x, dtype=np.float64)
    ms = min_cluster_size if min_samples is None else min_samples
    diff = x[:, None, :] - x[None, :, :]
    dist = np.sqrt((diff * diff).sum(axis=2))
    core = core_distances(dist, ms)
    reach = np.maximum(np.maximum(dist, core[:, None]), core[None, :])
    tree = single_linkage(len(x), prim_mst(reach))
    return select_clusters(condense(tree, min_cluster_size), len(x))


def read_ts_literal(path, name):
    """The number[][] literal `export const NAME: number[][] = [...]` of a TypeScript file."""
    with open(path) as f:
        text = f.read()
    body = re.search(r"export const " + name + r": number\[\]\[\] = (\[.*?\]);", text, re.S)
    return json.loads(re.sub(r",\s*\]", "]", body.group(1)))


def main():
    data = read_ts_literal(os.path.join(ROOT, "tests/unit/cluster-fixtures.ts"), "HDB_DATA")
    print(",".join(str(v) for v in hdbscan_labels(data, 10, 4)))


if __name__ == "__main__":
    main()
