"""Peer of bench_twin: the same twin loop as dnt's on the example "links" world
(docs/example_world.c), vectorised with NumPy: a physical world of n links
(random walk, clipped at 0) and a noiseless twin; every step the twin steps,
the physical side steps, the sender observes and sends a report through an
uplink with `latency` steps of delay, arrivals are assimilated and mirrored,
and fidelity (RMSE, max abs) is measured. Prints "us_per_step <value>".

usage: bench_twin_numpy.py N_LINKS STEPS LATENCY
"""
import collections
import sys
import time

import numpy as np


def main():
    n, steps, latency = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(1)
    phys = np.full(n + 1, 50.0)
    twin = phys.copy()
    mirror = np.zeros(n + 1)
    measured_at = np.full(n + 1, -1)
    queue = collections.deque()
    history = np.zeros((steps, n + 1))
    worst = 0.0
    rmse_sum = 0.0
    t0 = time.perf_counter()
    for s in range(1, steps + 1):
        twin[:n] = np.maximum(twin[:n], 0.0)  # the twin's own (noiseless) step
        phys[:n] = np.maximum(phys[:n] + rng.normal(0.0, 0.1, n), 0.0)
        queue.append((s + latency, s, phys.copy()))  # periodic report, every step
        while queue and queue[0][0] <= s:
            _, measured, values = queue.popleft()
            twin[:] = values
            mirror[:] = values
            measured_at[:] = measured
        history[s - 1] = mirror
        d = twin - phys
        rmse_sum += float(np.sqrt(np.mean(d * d)))
        worst = max(worst, float(np.max(np.abs(d))))
    elapsed = time.perf_counter() - t0
    print("us_per_step %.3f" % (1e6 * elapsed / steps))
    print("check rmse_mean %.6f worst %.6f" % (rmse_sum / steps, worst))


if __name__ == "__main__":
    main()
