"""bench/fl/peer_aggregate.py: the PyTorch peer of bench_aggregate.c.

The same rules as dnt's (dnt/aggregate.h), written the way a PyTorch user
would: sample-weighted mean as w @ X, median by kthvalue (mean of the two
middle values for even n, as dnt), trimmed mean by sort, Krum and Multi-Krum
from torch.cdist (matrix-product path), Bulyan by repeated Krum on the cdist
matrix then the beta values closest to the median, geometric median by 10
Weiszfeld iterations (nu = 1e-6). Same grid, same f = (n - 3) // 4, same
timing (median of at least 3 calls, about 0.3 s, after a warm-up). Prints
"rule n d seconds" per cell. Run by bench_aggregate; needs python3-torch.
"""
import argparse
import time

import torch


def mean(X, w, f):
    return (w @ X) / w.sum()


def median(X, w, f):
    n = X.shape[0]
    hi = torch.kthvalue(X, n // 2 + 1, dim=0).values
    if n % 2:
        return hi
    lo = torch.kthvalue(X, n // 2, dim=0).values
    return 0.5 * (lo + hi)


def trmean(X, w, f):
    n = X.shape[0]
    return X.sort(dim=0).values[f:n - f].mean(dim=0)


def krum_scores(D, f):
    n = D.shape[0]
    k = n - f - 2
    # the row's own zero distance is the smallest: take k + 1 and drop nothing
    return D.topk(k + 1, dim=1, largest=False).values.sum(dim=1)


def sqdist(X):
    return torch.cdist(X, X, compute_mode="use_mm_for_euclid_dist") ** 2


def krum(X, w, f):
    return X[krum_scores(sqdist(X), f).argmin()]


def multikrum(X, w, f):
    n = X.shape[0]
    idx = krum_scores(sqdist(X), f).topk(n - f, largest=False).indices
    ws = w[idx]
    return (ws @ X[idx]) / ws.sum()


def geomed(X, w, f, iters=10, nu=1e-6):
    z = (w @ X) / w.sum()
    for _ in range(iters):
        dist = torch.norm(X - z, dim=1)
        b = w / torch.clamp(dist, min=nu)
        z = (b @ X) / b.sum()
    return z


def bulyan(X, w, f):
    n = X.shape[0]
    theta, beta = n - 2 * f, n - 4 * f
    D = sqdist(X)
    remaining = list(range(n))
    chosen = []
    for _ in range(theta):
        sub = D[remaining][:, remaining]
        k = max(1, min(len(remaining) - f - 2, len(remaining) - 1))
        s = sub.topk(k + 1, dim=1, largest=False).values.sum(dim=1)
        chosen.append(remaining.pop(int(s.argmin())))
    sel = X[chosen]
    med = median(sel, None, f)
    idx = torch.argsort(torch.abs(sel - med), dim=0)[:beta]
    return torch.gather(sel, 0, idx).mean(dim=0)


RULES = [("mean", mean), ("median", median), ("trmean", trmean), ("krum", krum),
         ("multikrum", multikrum), ("geomed", geomed), ("bulyan", bulyan)]


def timed(fn, X, w, f):
    fn(X, w, f)  # warm-up
    times, start = [], time.perf_counter()
    while len(times) < 64 and (len(times) < 3 or time.perf_counter() - start < 0.3):
        t0 = time.perf_counter()
        fn(X, w, f)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    with torch.no_grad():
        for n in (10, 40, 100):
            for d in (10000, 100000, 1000000):
                if a.quick and (n != 40 or d != 100000):
                    continue
                X = torch.randn(n, d)
                w = torch.ones(n)
                f = (n - 3) // 4
                for name, fn in RULES:
                    print(name, n, d, "%.9f" % timed(fn, X, w, f), flush=True)


if __name__ == "__main__":
    main()
