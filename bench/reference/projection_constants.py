"""Reference constants for tests/unit/project-*.test.ts (run with /usr/bin/python3).

    node --import tsx bench/blobs.ts 2000 384 20 42      # prints BASE_A
    node --import tsx bench/blobs.ts 2000 10 10 3 4      # prints BASE_B
    /usr/bin/python3 bench/reference/projection_constants.py BASE_A BASE_B

Prints scikit-learn 1.2.1 / umap-learn 0.5.3 / numpy 1.24.2 numbers that the tests hard-code:
PCA on small formula-defined datasets (the tests build the same data), umap-learn's
find_ab_params, smooth_knn_dist and fuzzy_simplicial_set on a small dataset, trustworthiness of
umap-learn's embeddings (random_state=0) of the two blob sets, and of a fixed toy embedding.
"""
import json
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import load_blobs  # noqa: E402

warnings.filterwarnings("ignore")


def formula_small():
    """40 x 6: the tests' pcaSmall()."""
    i = np.arange(40)[:, None].astype(np.float64)
    j = np.arange(6)[None, :].astype(np.float64)
    x = np.sin((i + 1) * (j + 1) * 0.7) * (j + 1) / 6 + np.cos(i * 0.13) * (j % 2)
    return x.astype(np.float32)


def formula_lowrank():
    """300 x 40, five strong directions plus small noise: the tests' pcaLowRank()."""
    i = np.arange(300)[:, None].astype(np.float64)
    j = np.arange(40)[None, :].astype(np.float64)
    x = 0.1 * np.sin(i * j * 1.3 + 0.5)
    for r in range(1, 6):
        x = x + np.sin(i * r * 0.31 + 1.0) * np.cos(j * 0.17 * r + r) * (6 - r)
    return x.astype(np.float32)


def formula_wide():
    """8 x 20 (more dimensions than rows): the tests' pcaWide()."""
    i = np.arange(8)[:, None].astype(np.float64)
    j = np.arange(20)[None, :].astype(np.float64)
    return (np.sin(i * 1.7 + j * 0.45) + 0.3 * np.cos(i * j * 0.21)).astype(np.float32)


def formula_points():
    """30 x 3: the tests' umapPoints()."""
    i = np.arange(30)[:, None].astype(np.float64)
    j = np.arange(3)[None, :].astype(np.float64)
    return (np.sin(i * 0.9 + j * 2.1) * (1 + (i % 3)) + j * 0.1).astype(np.float32)


def r(a, digits=8):
    return [round(float(v), digits) for v in np.ravel(a)]


def main():
    from sklearn.decomposition import PCA
    from sklearn.manifold import trustworthiness
    import umap
    from umap.umap_ import find_ab_params, fuzzy_simplicial_set, nearest_neighbors, smooth_knn_dist

    out = {}
    for name, x, k in [("small", formula_small(), 3), ("lowrank", formula_lowrank(), 3),
                       ("wide", formula_wide(), 3)]:
        p = PCA(n_components=k, svd_solver="full").fit(x.astype(np.float64))
        out["pca_" + name] = {"ratio": r(p.explained_variance_ratio_, 10),
                              "variance": r(p.explained_variance_, 10),
                              "components": [r(c, 8) for c in p.components_]}
    out["ab"] = {f"{s}_{m}": r(find_ab_params(s, m), 10)
                 for s, m in [(1.0, 0.1), (1.0, 0.0), (1.0, 0.5), (2.0, 0.1)]}
    pts = formula_points()
    knn_i, knn_d, _ = nearest_neighbors(pts, 5, "euclidean", {}, False, np.random.RandomState(0))
    sig, rho = smooth_knn_dist(knn_d, 5.0)
    out["smooth"] = {"sigmas": r(sig, 6), "rhos": r(rho, 6)}
    g, _, _ = fuzzy_simplicial_set(pts, 5, np.random.RandomState(0), "euclidean",
                                   knn_indices=knn_i, knn_dists=knn_d)
    g = g.tocoo()
    out["fuzzy"] = {"rows": g.row.tolist(), "cols": g.col.tolist(), "weights": r(g.data, 6)}
    toy_x = formula_small()
    toy_y = toy_x[:, :2] * np.array([1.0, -0.5], dtype=np.float32) + toy_x[:, 2:3] * 0.3
    out["trust_toy_k5"] = float(trustworthiness(toy_x, toy_y, n_neighbors=5))
    for label, base in zip(["A", "B"], sys.argv[1:3]):
        X, _ = load_blobs(base)
        Y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0).fit_transform(X)
        out["trust_umap_learn_" + label] = float(trustworthiness(X, Y, n_neighbors=15))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
