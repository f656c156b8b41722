"""umap-learn's layout quality on the overlapping blobs of tests/unit/project-umap.test.ts
(run with /usr/bin/python3; umap-learn 0.5.3, scikit-learn 1.2.1, numpy 1.24.2):

    node --import tsx scripts/reference/export-umap-data.ts /tmp/umap-overlap.json
    /usr/bin/python3 scripts/reference/umap_reference.py /tmp/umap-overlap.json

For random_state 0..4, umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=s) is fitted and
two k = 15 measures printed: sklearn.manifold.trustworthiness, and kNN preservation (the share
of each point's 15 nearest other points in the data that are also among its 15 nearest in the
layout, averaged). Then their means and sample standard deviations, which the test's
UMAP_LEARN_OVERLAP constant and tolerances come from.
"""
import json
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def knn_preservation(x, y, k=15):
    from sklearn.neighbors import NearestNeighbors

    a = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]
    b = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    return float(np.mean([len(set(a[i]) & set(b[i])) for i in range(len(x))]) / k)


def main():
    import umap
    from sklearn.manifold import trustworthiness

    with open(sys.argv[1]) as f:
        d = json.load(f)
    x = np.array(d["data"], dtype=np.float32).reshape(d["rows"], d["dims"])
    trust, knn = [], []
    for seed in range(5):
        y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(x)
        trust.append(float(trustworthiness(x, y, n_neighbors=15)))
        knn.append(knn_preservation(x, y))
        print(f"random_state {seed}: trustworthiness {trust[-1]:.5f} knn {knn[-1]:.5f}", flush=True)
    for name, v in (("trustworthiness", trust), ("knnPreservation", knn)):
        print(f"{name}: mean {np.mean(v):.5f} sd {np.std(v, ddof=1):.5f}")


if __name__ == "__main__":
    main()
