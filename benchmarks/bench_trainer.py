"""Throughput of the compiled ensemble trainer against the naive PyTorch loop.

The naive loop is how the paper's networks are usually trained: one ``nn.Module`` per
network, ``loss.backward()`` and ``optimizer.step()`` each epoch, one network after the
other. Both ways run the same job (rank-one networks, seeds ``0 .. B-1``, lr 0.003,
c = 10, float32) in this process; throughput is network-epochs per second. The naive
path runs fewer epochs (its cost per epoch is constant); compile time is excluded by a
warm-up call.

    python benchmarks/bench_trainer.py [--networks 100] [--naive-epochs 200] [--fast-epochs 5000]
"""
import argparse
import time

import numba
import numpy as np
import torch

from ghostbook import rnn, train

LR = 0.003


class RankOneRNN(torch.nn.Module):
    """One rank-one network with the reference forward pass of ``ghostbook.rnn``."""

    def __init__(self, params):
        super().__init__()
        self.m, self.n, self.b = (torch.nn.Parameter(torch.tensor(a)) for a in (params.m, params.n, params.b))

    def forward(self):
        return rnn.rank_one_outputs(self.m, self.n, self.b, c=rnn.RNN.c)


def naive(seeds, epochs):
    """Train each network alone with autograd and ``torch.optim.SGD``; returns ``(seconds, loss (E, B))``."""
    init, losses = rnn.init_rank_one(seeds), []
    tic = time.perf_counter()
    for i in range(len(seeds)):
        net = RankOneRNN(init[i])
        opt = torch.optim.SGD(net.parameters(), lr=LR)
        history = []
        for _ in range(epochs):
            opt.zero_grad()
            loss = rnn.loss(net())
            loss.backward()
            opt.step()
            history.append(loss.item())
        losses.append(history)
    return time.perf_counter() - tic, np.array(losses).T


def fast(seeds, epochs):
    tic = time.perf_counter()
    result = train.train_rank_one(seeds, LR, epochs, progress=False)
    return time.perf_counter() - tic, result.loss


def compare(networks, naive_epochs, fast_epochs):
    seeds = list(range(networks))
    fast(seeds, 2)                                                # compile (or load from cache)
    t_naive, loss_naive = naive(seeds, naive_epochs)
    t_fast, loss_fast = fast(seeds, fast_epochs)
    agree = np.max(np.abs(loss_fast[:naive_epochs] - loss_naive) / loss_naive)
    naive_rate = networks * naive_epochs / t_naive
    fast_rate = networks * fast_epochs / t_fast
    print(f"{networks:>4} network(s): naive {naive_rate:10.0f} network-epochs/s "
          f"({1e6 / naive_rate * networks:8.1f} us/epoch), fast {fast_rate:10.0f} network-epochs/s "
          f"({1e6 / fast_rate * networks:8.1f} us/epoch): {fast_rate / naive_rate:6.0f}x "
          f"[losses agree to {agree:.1e} relative]")
    return fast_rate / naive_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=100)
    parser.add_argument("--naive-epochs", type=int, default=200)
    parser.add_argument("--fast-epochs", type=int, default=5000)
    args = parser.parse_args()
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads); "
          f"numba threads: {numba.get_num_threads()}")
    compare(args.networks, args.naive_epochs, args.fast_epochs)
    compare(1, args.naive_epochs, 10 * args.fast_epochs)
    tic = time.perf_counter()
    train.train_rank_one(40, LR, 500_000, progress=False)
    print(f"Fig. 3A length (1 network, 500,000 epochs): {time.perf_counter() - tic:.1f} s")


if __name__ == "__main__":
    main()
