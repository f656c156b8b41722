"""Reference clusterings for tests/unit/cluster-reference.test.ts (run with /usr/bin/python3).

    node --import tsx scripts/reference/export-cluster-data.ts   # writes <name>.data.json
    /usr/bin/python3 scripts/reference/cluster_reference.py      # writes <name>.reference.json

For every tests/fixtures/cluster-reference/<name>.data.json (the seeded overlapping datasets
the test builds, rounded so every tool reads the same float32 numbers) it writes
<name>.reference.json with:

  kmeans   sklearn.cluster.KMeans(k, n_init=n, random_state=0).fit(X): inertia_, labels_, for
           n = 10 ("few", the restarts the test gives ours) and 200 ("many", the optimum)
  ward     scipy.cluster.hierarchy.linkage(X, 'ward') (all rows), and
           fcluster(Z, k, 'maxclust') for a few k
  hdbscan  R dbscan::hdbscan(X, minPts)$cluster via scripts/reference/hdbscan.R, and
           hdbscan_sklearn.hdbscan_labels (sklearn 1.3's algorithm) for a min_samples that
           differs from min_cluster_size; both agree wherever R can be asked
  truthAri adjusted_rand_score of each reference against the generating labels, to show the
           data is hard (well below 1)

Debian 12: scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2, R dbscan 1.1-11.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hdbscan_sklearn import hdbscan_labels  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures", "cluster-reference"))
KMEANS_K = [4, 6, 9]
KMEANS_RESTARTS = {"few": 10, "many": 200}
WARD_CUTS = [3, 6, 10]
HDBSCAN_MIN_PTS = [5, 10, 20]
HDBSCAN_SPLIT = [(15, 5)]  # (min_cluster_size, min_samples)


def r_hdbscan(x32, min_pts):
    """R's labels (noise 0) on exactly the float32 values (printed with 17 digits)."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for row in x32:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
        path = f.name
    try:
        out = subprocess.run(["Rscript", os.path.join(HERE, "hdbscan.R"), path, str(min_pts)],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    return np.array([int(v) for v in out.strip().split(",")])


def r_version():
    out = subprocess.run(["Rscript", "-e", 'cat(format(packageVersion("dbscan")))'],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def compact(obj, indent=0):
    """JSON with every list of numbers on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad} {json.dumps(k)}: {compact(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], list):
        return pad + "[\n" + ",\n".join(pad + " " + json.dumps(v) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj)


def reference(data):
    x32 = np.array(data["rows"], dtype=np.float32)
    x = x32.astype(np.float64)
    truth = np.array(data["truth"])
    ari = lambda labels: round(float(adjusted_rand_score(truth, labels)), 4)  # noqa: E731
    out = {"truthAri": {}}

    out["kmeans"] = {}
    for k in KMEANS_K:
        out["kmeans"][str(k)] = {}
        for key, n_init in KMEANS_RESTARTS.items():
            km = KMeans(k, n_init=n_init, random_state=0).fit(x)
            out["kmeans"][str(k)][key] = {"restarts": n_init, "inertia": float(km.inertia_),
                                          "labels": km.labels_.tolist()}
        out["truthAri"][f"kmeans{k}"] = ari(km.labels_)  # the best of 200

    z = linkage(x, "ward")
    out["ward"] = {"merges": [[int(a), int(b), float(h), int(s)] for a, b, h, s in z],
                   "cuts": {}}
    for k in WARD_CUTS:
        labels = fcluster(z, k, "maxclust") - 1
        out["ward"]["cuts"][str(k)] = labels.tolist()
        out["truthAri"][f"ward{k}"] = ari(labels)

    out["hdbscan"] = {"r": {}, "sklearnAlgorithm": {}}
    for m in HDBSCAN_MIN_PTS:
        r = r_hdbscan(x32, m)
        mine = hdbscan_labels(x, m)
        same = adjusted_rand_score(r, mine) == 1 and np.array_equal(r == 0, mine == -1)
        if not same:
            raise SystemExit(f"R and hdbscan_sklearn disagree at minPts {m}")
        out["hdbscan"]["r"][str(m)] = (r - 1).tolist()  # noise -1, clusters from 0
        out["truthAri"][f"hdbscan{m}"] = ari(r)
    for mcs, ms in HDBSCAN_SPLIT:
        labels = hdbscan_labels(x, mcs, ms)
        out["hdbscan"]["sklearnAlgorithm"][f"{mcs}_{ms}"] = labels.tolist()
        out["truthAri"][f"hdbscan{mcs}_{ms}"] = ari(labels)
    return out


def main():
    versions = {"sklearn": sklearn.__version__, "scipy": scipy.__version__,
                "numpy": np.__version__, "r-dbscan": r_version()}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.data.json"))):
        with open(path) as f:
            data = json.load(f)
        body = {"madeBy": "/usr/bin/python3 scripts/reference/cluster_reference.py",
                "versions": versions, "spec": data["spec"], **reference(data)}
        target = path.replace(".data.json", ".reference.json")
        with open(target, "w") as f:
            f.write(compact(body) + "\n")
        print(target, json.dumps(body["truthAri"]))


if __name__ == "__main__":
    main()
