"""Throughput of ``ghostbook.memory.train`` against a plain per-network PyTorch loop.

The plain loop is the authors' way: one ``nn.Module`` per network (the later version's
full-rank RNN, DCDT with one trial per type, noise 0.01), ``loss.backward()`` and
``torch.optim.SGD`` each epoch, one network after the other. ``memory.train`` trains every
(learning rate, seed) network of a sweep as one batched program. Both run the same job
in this process, single-threaded; throughput is network-epochs per second, printed with
their ratio.

    python benchmarks/bench_memory.py [--networks 40] [--epochs 200]
"""
import argparse
import math
import time

import numpy as np
import torch
from torch import nn

from ghostbook import memory
from ghostbook.settings import DCDTTask

TASK = DCDTTask()
NOISE, SPREAD = 0.01, 0.1


class FullRankRNN(nn.Module):
    def __init__(self, N=100):
        super().__init__()
        self.W_in = nn.Linear(1, N)
        self.W = nn.Parameter(torch.randn(N, N))
        self.W_out = nn.Linear(N, 1)
        nn.init.xavier_uniform_(self.W_in.weight)
        nn.init.xavier_uniform_(self.W)
        nn.init.xavier_uniform_(self.W_out.weight)

    def forward(self, u):
        B, T, _ = u.shape
        r = torch.tanh(torch.randn(B, self.W.shape[0]) * SPREAD)
        outs = []
        for t in range(T):
            outs.append(torch.tanh(self.W_out(r)))
            noise = torch.randn(B, self.W.shape[0]) * NOISE
            r = 0.5 * r + 0.5 * torch.tanh(self.W_in(u[:, t]) + r @ self.W + noise)
        return torch.stack(outs, dim=1)


def plain(lrs, seeds, epochs):
    u, y = memory.trial_batch(TASK, 1)
    tic = time.perf_counter()
    for lr in lrs:
        for seed in seeds:
            torch.manual_seed(seed)
            net = FullRankRNN()
            opt = torch.optim.SGD(net.parameters(), lr=lr)
            for _ in range(epochs):
                opt.zero_grad()
                loss = nn.MSELoss()(net(u), y)
                loss.backward()
                opt.step()
    return time.perf_counter() - tic


def batched(lrs, seeds, epochs):
    tic = time.perf_counter()
    memory.train(TASK, seeds, lrs, epochs, noise=NOISE, spread=SPREAD, progress=False)
    return time.perf_counter() - tic


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--networks", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    n_lr = max(1, int(math.sqrt(args.networks)))
    lrs = np.logspace(-3, -1, n_lr)
    seeds = list(range(max(1, args.networks // n_lr)))
    networks = len(lrs) * len(seeds)
    t_plain = plain(lrs, seeds, args.epochs)
    t_batched = batched(lrs, seeds, args.epochs)
    rate_plain, rate_batched = networks * args.epochs / t_plain, networks * args.epochs / t_batched
    print(f"{networks} full-rank DCDT networks x {args.epochs} epochs, one thread")
    print(f"plain per-network loop: {rate_plain:9.0f} network-epochs/s")
    print(f"memory.train (batched): {rate_batched:9.0f} network-epochs/s  "
          f"({rate_batched / rate_plain:.1f}x)")


if __name__ == "__main__":
    main()
