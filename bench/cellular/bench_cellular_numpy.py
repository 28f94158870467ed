"""Peer of bench_cellular: the generated cellular world's step (dnt/cellular.h)
written the way one would in Python, vectorised over BSs with NumPy.
Usage: bench_cellular_numpy.py N_BS STEPS. Prints "bs_steps_per_s X" (per CPU
second of the process, like the C side)."""
import sys
import time

import numpy as np


def main():
    n, steps, k = int(sys.argv[1]), int(sys.argv[2]), 8
    sigma, rho, beta, amp, weekend = 0.25, 0.9, 0.7, 0.6, 0.7
    rng = np.random.default_rng(1)
    w = rng.random((n, k))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    base = np.exp(0.5 * rng.standard_normal(n) - 0.125)
    peak = 14 + 2 * rng.standard_normal(n)
    cp, sp = np.cos(2 * np.pi * peak / 24), np.sin(2 * np.pi * peak / 24)
    cap0 = 1.3 * base * (1 + amp)
    bh0 = 1.5 * cap0
    z = sigma * rng.standard_normal(n)
    burst, left = np.zeros(n), np.zeros(n, dtype=np.int64)
    bhf, fleft = np.ones(n), np.zeros(n, dtype=np.int64)
    tel = np.empty(4 * n)
    a, e_sd = np.sqrt(1 - rho * rho) * sigma, np.sqrt(1 - beta * beta)
    t0 = time.process_time()
    for t in range(1, steps + 1):
        ang = 2 * np.pi * (t % 24) / 24
        week = weekend if (t // 24) % 7 >= 5 else 1.0
        u = beta * (w @ rng.standard_normal(k)) + e_sd * rng.standard_normal(n)
        z = rho * z + a * u
        active = left > 0
        left[active] -= 1
        burst[active & (left == 0)] = 0
        start = (left == 0) & (rng.random(n) < 0.002)
        m = int(start.sum())
        if m:
            left[start] = rng.geometric(1 / 3, m)
            burst[start] = rng.exponential(1.0, m)
        factive = fleft > 0
        fleft[factive] -= 1
        bhf[factive & (fleft == 0)] = 1
        fstart = (fleft == 0) & (rng.random(n) < 5e-4)
        m = int(fstart.sum())
        if m:
            fleft[fstart] = rng.geometric(1 / 24, m)
            bhf[fstart] = 0.5
        d = base * (1 + amp * (np.cos(ang) * cp + np.sin(ang) * sp)) * week
        d *= np.exp(z - 0.5 * sigma * sigma) * (1 + burst)
        tel[:n] = d
        tel[n:2 * n] = d / cap0
        tel[2 * n:3 * n] = cap0
        tel[3 * n:] = bh0 * bhf
    elapsed = time.process_time() - t0
    print(f"bs_steps_per_s {n * steps / elapsed:.6g}")


if __name__ == "__main__":
    main()
