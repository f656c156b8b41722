"""Reference projections for bench/cases/projection.ts (run with /usr/bin/python3).

Usage: projection.py pca|umap BASE [--components K] [--seed S] [--cold] [--out FILE]
Reads the blobs bench/blobs.ts wrote at BASE (see common.load_blobs), times only the fit
(imports and loading excluded) and prints {"seconds": ...} as its last line. --out saves the
projected coordinates as float32 (for quality comparisons such as trustworthiness).

By default an untimed warm-up fit runs first on the first min(n, 4200) rows, so umap-learn's
numba compilation (~10 s here) is not counted: 4,200 > 4,096 makes umap-learn take the same
NN-descent path as at 10,000 points. --cold skips it (a first fit in a fresh process).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Timer, load_blobs, report  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("method", choices=["pca", "umap"])
    p.add_argument("base")
    p.add_argument("--components", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cold", action="store_true")
    p.add_argument("--out")
    args = p.parse_args()
    X, _ = load_blobs(args.base)
    if args.method == "pca":
        from sklearn.decomposition import PCA

        model = PCA(n_components=args.components, random_state=args.seed)
    else:
        import umap

        model = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=args.seed)
    if not args.cold:
        model.fit_transform(X[: min(len(X), 4200)])
    with Timer() as t:
        Y = model.fit_transform(X)
    if args.out:
        Y.astype("<f4").tofile(args.out)
    report(t.seconds)


if __name__ == "__main__":
    main()
