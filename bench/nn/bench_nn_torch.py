"""PyTorch peer of bench/nn/bench_nn.c: the same three workloads, one thread.

Run by build/bench_nn (or alone: /usr/bin/python3 bench/nn/bench_nn_torch.py).
Prints one line per workload, "<name> <microseconds per iteration>", the median
of 5 timed repetitions in thread CPU time (as the C side; torch computes in the
calling thread with one intra-op thread), so that the C benchmark can parse it.
"""
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def median_us(fn, iters, reps=5):
    for _ in range(max(3, iters // 10)):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.thread_time()
        for _ in range(iters):
            fn()
        times.append((time.thread_time() - t0) / iters * 1e6)
    times.sort()
    return times[len(times) // 2]


def mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 5))


def bench_dqn():
    online, target = mlp(), mlp()
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=1e-4)
    huber = torch.nn.HuberLoss(delta=1.0)
    b = 64
    s, s2 = torch.randn(b, 64), torch.randn(b, 64)
    a = torch.randint(0, 5, (b, 1))
    r = torch.randn(b)

    def step():
        q = online(s).gather(1, a).squeeze(1)
        with torch.no_grad():
            y = r + 0.99 * target(s2).max(1).values
        loss = huber(q, y)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(online.parameters(), 10.0)
        opt.step()

    return median_us(step, 2000)


def bench_act():
    online = mlp()
    s = torch.randn(1, 64)

    def act():
        with torch.no_grad():
            return int(online(s).argmax(1))

    return median_us(act, 20000)


def bench_lstm():
    lstm = torch.nn.LSTM(8, 64, num_layers=1, batch_first=True)
    head = torch.nn.Linear(64, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.randn(32, 24, 8)
    y = torch.randn(32, 1)

    def step():
        out, _ = lstm(x)
        loss = torch.nn.functional.mse_loss(head(out[:, -1, :]), y)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    return median_us(step, 300)


if __name__ == "__main__":
    print("torch_version", torch.__version__)
    print("mlp_dqn_step", "%.3f" % bench_dqn())
    print("mlp_act_b1", "%.3f" % bench_act())
    print("lstm_train_step", "%.3f" % bench_lstm())
    sys.stdout.flush()
