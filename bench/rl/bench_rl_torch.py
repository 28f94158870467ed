#!/usr/bin/python3
"""The PyTorch peer of bench/rl/bench_rl.c: the same DQN training loop on the
same CartPole-v1 (Gymnasium's equations, written out as in dnt so that no
gymnasium install is needed), with the same hyperparameters:

  MLP 4-64-64-2 (ReLU), Adam lr 1e-3, gamma 0.99, batch 64, replay 50,000
  (uniform), learning starts 1,000, one update per env step, Double DQN target,
  Huber loss (SmoothL1), gradient norm clipped at 10, Polyak target update
  tau 0.005 every step, epsilon 1 -> 0.05 linearly over 10,000 steps.

One thread (torch.set_num_threads(1)), as dnt's OpenBLAS. Prints one line:
  torch_dqn_cartpole steps=<N> seconds=<wall> cpu=<process CPU> episodes=<e>
Usage: bench_rl_torch.py [--steps N] [--seed S]
"""
import argparse
import math
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class CartPole:
    """CartPole-v1 as gymnasium/envs/classic_control/cartpole.py (500-step limit)."""

    def __init__(self, rng):
        self.rng = rng
        self.reset()

    def reset(self):
        self.s = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.t = 0
        return np.array(self.s, dtype=np.float32)

    def step(self, a):
        x, x_dot, th, th_dot = self.s
        force = 10.0 if a == 1 else -10.0
        c, s = math.cos(th), math.sin(th)
        temp = (force + 0.05 * th_dot * th_dot * s) / 1.1
        thacc = (9.8 * s - c * temp) / (0.5 * (4.0 / 3.0 - 0.1 * c * c / 1.1))
        xacc = temp - 0.05 * thacc * c / 1.1
        self.s = [x + 0.02 * x_dot, x_dot + 0.02 * xacc, th + 0.02 * th_dot, th_dot + 0.02 * thacc]
        self.t += 1
        x, th = self.s[0], self.s[2]
        term = x < -2.4 or x > 2.4 or th < -12 * 2 * math.pi / 360 or th > 12 * 2 * math.pi / 360
        trunc = not term and self.t >= 500
        return np.array(self.s, dtype=np.float32), 1.0, term, trunc


def mlp():
    return nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    nprng = np.random.default_rng(args.seed)
    online, target = mlp(), mlp()
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=1e-3)
    cap, batch, gamma, tau = 50000, 64, 0.99, 0.005
    obs_b = np.zeros((cap, 4), np.float32)
    next_b = np.zeros((cap, 4), np.float32)
    act_b = np.zeros(cap, np.int64)
    rew_b = np.zeros(cap, np.float32)
    term_b = np.zeros(cap, np.float32)
    size = pos = 0
    env = CartPole(rng)
    obs = env.reset()
    episodes = 0
    start, cpu0 = time.perf_counter(), time.process_time()
    for t in range(args.steps):
        eps = 1.0 + min(1.0, t / 10000) * (0.05 - 1.0)
        if rng.random() < eps:
            a = rng.randrange(2)
        else:
            with torch.no_grad():
                a = int(online(torch.from_numpy(obs).unsqueeze(0)).argmax(1).item())
        nxt, r, term, trunc = env.step(a)
        obs_b[pos], next_b[pos], act_b[pos], rew_b[pos], term_b[pos] = obs, nxt, a, r, term
        pos = (pos + 1) % cap
        size = min(size + 1, cap)
        obs = env.reset() if term or trunc else nxt
        episodes += term or trunc
        if t + 1 >= 1000:
            idx = nprng.integers(0, size, batch)
            o, n = torch.from_numpy(obs_b[idx]), torch.from_numpy(next_b[idx])
            ac, rw, tm = torch.from_numpy(act_b[idx]), torch.from_numpy(rew_b[idx]), \
                torch.from_numpy(term_b[idx])
            with torch.no_grad():
                best = online(n).argmax(1, keepdim=True)
                y = rw + gamma * (1 - tm) * target(n).gather(1, best).squeeze(1)
            q = online(o).gather(1, ac.unsqueeze(1)).squeeze(1)
            loss = F.smooth_l1_loss(q, y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(online.parameters(), 10.0)
            opt.step()
            with torch.no_grad():
                for p, tp in zip(online.parameters(), target.parameters()):
                    tp.mul_(1 - tau).add_(p, alpha=tau)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(f"torch_dqn_cartpole steps={args.steps} seconds={seconds:.4f} cpu={cpu:.4f} "
          f"episodes={episodes}")


if __name__ == "__main__":
    main()
