"""Throughput of the fused GPU kernel against the compiled CPU trainer, same process.

Both train the same job with ``train.train_rank_k`` (or ``train_rank_one``), seeds
``0 .. B-1`` at Fig. S2's learning rate range, float32: ``backend="cuda"`` (one fused
Numba-CUDA kernel per chunk of epochs, :mod:`ghostbook.cuda_kernels`) and the default
CPU backend. Throughput is network-epochs per second; compile time is excluded by a
warm-up call. The last line estimates Fig. S2's 500,000 epochs for the chosen arm.

    python benchmarks/bench_gpu.py [--model full|100|1] [--networks 1000] [--epochs 2000]
                                   [--cpu-epochs 200]

Needs a CUDA GPU. (Under ``NUMBA_ENABLE_CUDASIM=1`` it runs in Numba's simulator on the
CPU, thousands of times slower: only to check the script itself, with tiny sizes.)
Not yet run on a GPU: no GPU was available to the work that wrote it.
"""
import argparse
import sys
import time

import numpy as np

from ghostbook import cuda_kernels, rnn, train


def fit(model, networks, epochs, backend, N):
    seeds = list(range(networks))
    lr = np.geomspace(0.01, 0.2, networks).astype(np.float32)
    kw = dict(record_epochs=[0, epochs - 1], progress=False, backend=backend)
    tic = time.perf_counter()
    if model == "1":
        train.train_rank_one(None, lr, epochs, init=rnn.init_rank_one(seeds, N=N), **kw)
    else:
        init = (rnn.init_full_rank(seeds, N=N) if model == "full"
                else rnn.init_rank_k(seeds, int(model), N=N))
        train.train_rank_k(None, "full" if model == "full" else int(model), lr, epochs,
                           init=init, **kw)
    return time.perf_counter() - tic


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="full", help="full, a rank K, or 1 (rank one)")
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=2000, help="GPU epochs timed")
    parser.add_argument("--cpu-epochs", type=int, default=200, help="CPU epochs timed")
    args = parser.parse_args(argv)
    if not cuda_kernels.available():
        print("no CUDA GPU here (NUMBA_ENABLE_CUDASIM=1 runs the simulator, for tiny checks)")
        return 2
    B, N = args.networks, args.neurons
    print(f"device: {cuda_kernels.device_name()}; model {args.model}, {B} networks, N = {N}")
    fit(args.model, B, 2, "cuda", N)                       # compile and warm up
    fit(args.model, min(B, 4), 2, "cpu", N)
    gpu = B * args.epochs / fit(args.model, B, args.epochs, "cuda", N)
    cpu = B * args.cpu_epochs / fit(args.model, B, args.cpu_epochs, "cpu", N)
    print(f"GPU kernel: {gpu:12,.0f} network-epochs/s")
    print(f"CPU trainer: {cpu:11,.0f} network-epochs/s")
    print(f"ratio GPU / CPU: {gpu / cpu:.1f}x")
    print(f"Fig. S2's 500,000 epochs for these {B} networks: {B * 500_000 / gpu / 60:.1f} min "
          f"on this GPU, {B * 500_000 / cpu / 3600:.1f} h on this CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
