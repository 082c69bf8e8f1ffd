"""Throughput of ``ghostbook.memory.train`` against a plain per-network PyTorch loop.

The plain loop is the authors' way: one ``nn.Module`` per network (the later version's
full-rank RNN), ``loss.backward()`` and ``torch.optim.SGD`` each epoch, one network after
the other. ``memory.train`` trains every (learning rate, seed) network of a sweep as one
batched program with hand-written backpropagation. Both run the same job in this
process, single-threaded; throughput is network-epochs per second, printed with their
ratio. Settings: ``fig7-dcdt`` and ``fig7-dmts`` (the learning-collapse sweeps: one
trial per type, rates 0, no noise) or ``fig5`` (DCDT 10/50/50 ms, noise 0.01, spread 0.1).

    python benchmarks/bench_memory.py [--setting fig7-dcdt] [--networks 400] [--epochs 50]
"""
import argparse
import math
import time

import numpy as np
import torch
from torch import nn

from ghostbook import memory
from ghostbook.settings import SCALES, DCDTTask

SETTINGS = {   # task, noise, spread
    "fig7-dcdt": (SCALES["collapse_dcdt"]["paper"].task, 0.0, 0.0),
    "fig7-dmts": (SCALES["collapse_dmts"]["paper"].task, 0.0, 0.0),
    "fig5": (DCDTTask(), 0.01, 0.1),
}
TASK, NOISE, SPREAD = SETTINGS["fig7-dcdt"]


class FullRankRNN(nn.Module):
    def __init__(self, N=100, readout="tanh"):
        super().__init__()
        self.act = torch.tanh if readout == "tanh" else torch.sigmoid
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
            outs.append(self.act(self.W_out(r)))
            noise = torch.randn(B, self.W.shape[0]) * NOISE
            r = 0.5 * r + 0.5 * torch.tanh(self.W_in(u[:, t]) + r @ self.W + noise)
        return torch.stack(outs, dim=1)


def plain(lrs, seeds, epochs):
    u, y = memory.trial_batch(TASK, 1)
    tic = time.perf_counter()
    for lr in lrs:
        for seed in seeds:
            torch.manual_seed(seed)
            net = FullRankRNN(readout=TASK.readout)
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
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="fig7-dcdt")
    parser.add_argument("--networks", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--plain-networks", type=int, default=8,
                        help="networks the plain loop trains (its rate is per network)")
    args = parser.parse_args()
    global TASK, NOISE, SPREAD
    TASK, NOISE, SPREAD = SETTINGS[args.setting]
    torch.set_num_threads(1)
    n_lr = max(1, int(math.sqrt(args.networks)))
    lrs = np.logspace(-3, 1, n_lr)
    seeds = list(range(max(1, args.networks // n_lr)))
    networks = len(lrs) * len(seeds)
    few = max(1, args.plain_networks // 2)
    t_plain = plain(lrs[:2], seeds[:few], args.epochs)
    t_batched = batched(lrs, seeds, args.epochs)
    rate_plain = len(lrs[:2]) * len(seeds[:few]) * args.epochs / t_plain
    rate_batched = networks * args.epochs / t_batched
    print(f"{args.setting}: {networks} full-rank networks x {args.epochs} epochs batched, "
          f"{len(lrs[:2]) * len(seeds[:few])} in the plain loop, one thread")
    print(f"plain per-network loop: {rate_plain:9.0f} network-epochs/s")
    print(f"memory.train (batched): {rate_batched:9.0f} network-epochs/s  "
          f"({rate_batched / rate_plain:.1f}x)")


if __name__ == "__main__":
    main()
