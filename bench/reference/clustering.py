"""Reference clusterings for bench/cases/clustering.ts (run with /usr/bin/python3).

Usage: clustering.py kmeans|ward|hdbscan BASE [--k K] [--n-init N] [--min-cluster-size M]
Reads the blobs bench/blobs.ts wrote at BASE, L2-normalises the rows (as the app clusters
embeddings; untimed, like our side), times only the fit and prints
{"seconds": ..., "ari": ..., "reference": ...} (ARI against the true labels; the implementation
that ran) as its last line.

kmeans: sklearn KMeans(n_clusters=K, n_init=N, random_state=0) (Lloyd, k-means++).
ward: sklearn AgglomerativeClustering(n_clusters=K, linkage='ward').
hdbscan: sklearn.cluster.HDBSCAN(min_cluster_size=M) when sklearn >= 1.3, else the hdbscan
package, else R's dbscan::hdbscan(x, minPts=M) through Rscript (Debian: r-cran-dbscan), the
same algorithm with min_samples = min_cluster_size; R times itself (system.time) so its start-up
is excluded too. Debian 12 ships sklearn 1.2.1, so the R path is the one used here; it is
single-threaded and much slower than ours or sklearn's, so the row's ratio says little about
speed and the row names it "R dbscan::hdbscan (slow reference)".

Choosing the benchmark's blobs (bench/cases/clustering.ts, BLOBS: centres in the first I of 384
dimensions, box B): `node --import tsx bench/blobs.ts N 384 20 42 1 B I` prints BASE, then
`/usr/bin/python3 bench/reference/clustering.py kmeans|ward|hdbscan BASE` the reference's ARI;
for k-means, run it with several `--seed`s to see whether they all reach the same optimum.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Timer, load_blobs, report  # noqa: E402

R_HDBSCAN = """
suppressMessages(library(dbscan))
a <- commandArgs(trailingOnly = TRUE)
rows <- as.integer(a[2]); dims <- as.integer(a[3])
x <- matrix(readBin(a[1], "numeric", n = rows * dims, size = 4, endian = "little"),
            nrow = rows, byrow = TRUE)
t <- system.time(h <- hdbscan(x, minPts = as.integer(a[4])))[["elapsed"]]
cat(h$cluster, sep = ","); cat("\\n"); cat(t, "\\n")
"""


def hdbscan_labels(X, min_cluster_size):
    """(labels with -1 for noise, seconds of the fit alone, name of the implementation)."""
    try:
        from sklearn.cluster import HDBSCAN

        model = HDBSCAN(min_cluster_size=min_cluster_size)
        name = "sklearn HDBSCAN"
    except ImportError:
        try:
            import hdbscan

            model = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size)
            name = "hdbscan package"
        except ImportError:
            labels, seconds = r_hdbscan(X, min_cluster_size)
            return labels, seconds, "R dbscan::hdbscan (slow reference)"
    with Timer() as t:
        labels = model.fit_predict(X)
    return labels, t.seconds, name


def r_hdbscan(X, min_cluster_size):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "x.f32")
        script = os.path.join(tmp, "hdbscan.R")
        X.astype("<f4").tofile(data)
        with open(script, "w") as f:
            f.write(R_HDBSCAN)
        args = [data, str(X.shape[0]), str(X.shape[1]), str(min_cluster_size)]
        try:
            out = subprocess.run(
                ["Rscript", script, *args], check=True, capture_output=True, text=True
            ).stdout
        except FileNotFoundError:
            sys.exit("no HDBSCAN reference: needs sklearn >= 1.3, hdbscan, or R's dbscan")
    lines = out.strip().split("\n")
    labels = np.array([int(v) for v in lines[-2].split(",")])
    # R numbers clusters from 1 and marks noise 0.
    return np.where(labels == 0, -1, labels), float(lines[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("method", choices=["kmeans", "ward", "hdbscan"])
    p.add_argument("base")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--n-init", type=int, default=3)
    p.add_argument("--min-cluster-size", type=int, default=15)
    p.add_argument("--seed", type=int, default=0, help="KMeans random_state")
    args = p.parse_args()
    X, truth = load_blobs(args.base)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)

    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.metrics import adjusted_rand_score

    if args.method == "hdbscan":
        labels, seconds, name = hdbscan_labels(X, args.min_cluster_size)
    else:
        if args.method == "kmeans":
            model = KMeans(n_clusters=args.k, n_init=args.n_init, random_state=args.seed)
            name = f"sklearn KMeans(n_init={args.n_init})"
        else:
            model = AgglomerativeClustering(n_clusters=args.k, linkage="ward")
            name = "sklearn AgglomerativeClustering(linkage='ward')"
        with Timer() as t:
            labels = model.fit_predict(X)
        seconds = t.seconds
    report(seconds, ari=float(adjusted_rand_score(truth, labels)), reference=name)


if __name__ == "__main__":
    main()
