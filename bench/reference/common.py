"""Shared helpers for the Python reference benchmarks (run with /usr/bin/python3).

load_blobs reads the files bench/blobs.ts writes (writeBlobs): <base>.f32 (float32 LE,
row-major), <base>.labels.i32 (int32 LE) and <base>.json ({rows, dims, ...}), so the reference
works on exactly the same numbers as our implementation.
"""
import json
import time

import numpy as np


def load_blobs(base):
    """Returns (X float32 [rows, dims], labels int32 [rows])."""
    with open(base + ".json") as f:
        meta = json.load(f)
    X = np.fromfile(base + ".f32", dtype="<f4").reshape(meta["rows"], meta["dims"])
    y = np.fromfile(base + ".labels.i32", dtype="<i4")
    return X, y


def report(seconds, **extra):
    """Prints the harness's last-line JSON: {"seconds": ..., ...}."""
    print(json.dumps({"seconds": seconds, **extra}))


class Timer:
    """Context manager timing only the work (perf_counter)."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
