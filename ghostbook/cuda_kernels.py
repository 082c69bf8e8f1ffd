"""The ensemble trainer's fused GPU kernel (Numba CUDA): many epochs of SGD in one launch.

One thread block trains one network; its threads are the network's neurons. Each epoch
runs without leaving the chip: the forward pass of 2024 Eq. 17 over the 40-step trial,
the hand-written backward pass of :mod:`ghostbook.kernels` (the same sums, in the same
order, thread ``j`` doing what the CPU kernel's loop does for neuron ``j``), the SGD
update, and the records (loss, accuracy and gradient norm of the requested epochs, the
parameters at the snapshot epochs), all in device memory until the launch returns. The
parameters of a network live in shared memory when they fit (a full-rank ``N = 100``
network's ``W`` does: 40 kB), else in global memory.

Why Numba CUDA rather than Triton: the computation is a per-network recurrence with
barriers between steps and scalar reductions, which maps onto one block of threads
directly; Triton's block-tensor programs suit dense tiles, not this; and Numba is already
a dependency, with a simulator (``NUMBA_ENABLE_CUDASIM=1``) in which the same kernel runs
on the CPU, so CI tests it without a GPU (``tests/test_cuda_kernels.py``).

Differences from the CPU kernel, all at float32 rounding: ``tanh``, ``exp`` are the
device's (the CPU kernel has its own, for bit-identical runs on any CPU), and a GPU
compiler may fuse multiply-adds. Only :func:`train_chunk` is public; the
:mod:`ghostbook.train` drivers call it with ``backend="cuda"``.
"""
import math

import numpy as np
from numba import cuda, float32, int32

from .kernels import FULL_RANK, RANK_K, RANK_ONE

MAX_THREADS = 1024
"""Threads per block: networks of up to this many neurons."""
SHARED_BYTES = 48 * 1024
"""Shared memory a block may use without opting in: parameters beyond it stay global."""


@cuda.jit(device=True)
def _dot(a, a0, b, b0, n, stride=1):
    """``a[a0], a[a0 + stride], ... (n of them) . b[b0:b0+n]`` in the CPU kernel's order:
    eight interleaved partial sums combined pairwise, then the tail."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = float32(0)
    n8 = n - n % 8
    for j in range(0, n8, 8):
        s0 += a[a0 + j * stride] * b[b0 + j]
        s1 += a[a0 + (j + 1) * stride] * b[b0 + j + 1]
        s2 += a[a0 + (j + 2) * stride] * b[b0 + j + 2]
        s3 += a[a0 + (j + 3) * stride] * b[b0 + j + 3]
        s4 += a[a0 + (j + 4) * stride] * b[b0 + j + 4]
        s5 += a[a0 + (j + 5) * stride] * b[b0 + j + 5]
        s6 += a[a0 + (j + 6) * stride] * b[b0 + j + 6]
        s7 += a[a0 + (j + 7) * stride] * b[b0 + j + 7]
    tail = float32(0)
    for j in range(n8, n):
        tail += a[a0 + j * stride] * b[b0 + j]
    return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + tail


@cuda.jit(device=True)
def _sigmoid(z):
    a = -z if z >= float32(0) else z
    e = float32(math.exp(a))
    return float32(1) / (float32(1) + e) if z >= float32(0) else e / (float32(1) + e)


@cuda.jit
def _train(code, K, delta, x0, kappa_star, delay, use_shared, theta, c, lr, grad,
           loss, acc, gnorm, rslot, slot, snaps, X, H, O, G, kap, work, start, stop):
    """Epochs ``start .. stop - 1`` for network ``blockIdx.x``; arguments as
    :func:`train_chunk` (``work (B, 2N + K)``: ``dx``, ``du``, ``dk``)."""
    i = cuda.blockIdx.x
    j = cuda.threadIdx.x
    N = X.shape[2]
    T = O.shape[1]
    P = theta.shape[1]
    nthreads = cuda.blockDim.x
    d = float32(delta)
    keep = float32(1) - d
    sh = cuda.shared.array(0, dtype=float32)
    scal = cuda.shared.array(4, dtype=float32)
    th = sh if use_shared else theta[i]
    if use_shared:
        for p in range(j, P, nthreads):
            sh[p] = theta[i, p]
    for p in range(j, N, nthreads):
        X[i, 0, p] = float32(x0)
    cuda.syncthreads()
    g = grad[i]
    Xi, Hi, Oi, Gi, ki, wk = X[i], H[i], O[i], G[i], kap[i], work[i]
    NK = N * K
    for e in range(start, stop):
        if slot[e] >= 0:
            for p in range(j, P, nthreads):
                snaps[slot[e], i, p] = th[p]
        # ---- forward, 2024 Eq. 17
        if code == RANK_ONE:
            if j == 0:
                ki[0, 0] = _dot(th, N, Xi[0], 0, N)
            cuda.syncthreads()
            for t in range(T):
                if j < N:
                    h = math.tanh(th[j] * ki[t, 0] + th[2 * N + j])
                    Hi[t, j] = h
                    Xi[t + 1, j] = keep * Xi[t, j] + d * float32(h)
                cuda.syncthreads()
                if j == 0:
                    ki[t + 1, 0] = _dot(th, N, Xi[t + 1], 0, N)
                    Oi[t] = _sigmoid(c[i] * (ki[t + 1, 0] - float32(kappa_star)))
                cuda.syncthreads()
        else:
            ib = NK * 2 if code == RANK_K else N * N
            iw = ib + N
            for t in range(T):
                if code == RANK_K and j < K:        # kappa = M^T x: column j of M (N, K)
                    ki[t, j] = _dot(th, j, Xi[t], 0, N, K)
                cuda.syncthreads()
                if j < N:
                    h = th[ib + j]
                    if code == RANK_K:
                        for k in range(K):
                            h += th[NK + k * N + j] * ki[t, k]
                    else:
                        for q in range(N):
                            h += Xi[t, q] * th[q * N + j]
                    h = float32(math.tanh(h))
                    Hi[t, j] = h
                    Xi[t + 1, j] = keep * Xi[t, j] + d * h
                cuda.syncthreads()
                if j == 0:
                    Oi[t] = _sigmoid(_dot(th, iw, Xi[t + 1], 0, N) + th[P - 1])
                cuda.syncthreads()
        # ---- loss, accuracy and dL/dz (thread 0), as the CPU kernel's _readout
        if j == 0:
            L = float32(0)
            hits = 0
            for t in range(T):
                y = float32(1) if t >= delay else float32(0)
                err = Oi[t] - y
                L += err * err
                if (Oi[t] > float32(0.5)) == (t >= delay):
                    hits += 1
                Gi[t] = float32(2) * err / float32(delay) * Oi[t] * (float32(1) - Oi[t])
            scal[0] = L / float32(delay)
            scal[1] = float32(hits) / float32(T)
        for p in range(j, P, nthreads):
            g[p] = float32(0)
        for p in range(j, N, nthreads):
            wk[p] = float32(0)                                # dx
        cuda.syncthreads()
        # ---- backward through time
        for t in range(T - 1, -1, -1):
            if code == RANK_ONE:
                g_kap = c[i] * Gi[t]
                if j < N:
                    wk[j] += g_kap * th[N + j]
                    g[N + j] += g_kap * Xi[t + 1, j]
                    du = wk[j] * d * (float32(1) - Hi[t, j] * Hi[t, j])
                    wk[N + j] = du
                    g[2 * N + j] += du
                    g[j] += du * ki[t, 0]
                cuda.syncthreads()
                if j == 0:
                    scal[2] = _dot(th, 0, wk, N, N)            # m . du
                cuda.syncthreads()
                if j < N:
                    s = scal[2]
                    g[N + j] += s * Xi[t, j]
                    wk[j] = keep * wk[j] + s * th[N + j]
                cuda.syncthreads()
            else:
                ib = NK * 2 if code == RANK_K else N * N
                iw = ib + N
                Gt = Gi[t]
                if j == 0:
                    g[P - 1] += Gt
                if j < N:
                    g[iw + j] += Gt * Xi[t + 1, j]
                    wk[j] += Gt * th[iw + j]
                    du = wk[j] * d * (float32(1) - Hi[t, j] * Hi[t, j])
                    wk[N + j] = du
                    g[ib + j] += du
                cuda.syncthreads()
                if code == RANK_K:
                    if j < N:
                        for k in range(K):
                            g[NK + k * N + j] += wk[N + j] * ki[t, k]
                    if j < K:
                        wk[2 * N + j] = _dot(th, NK + j * N, wk, N, N)   # N_k . du
                    cuda.syncthreads()
                    if j < N:
                        dx = wk[j] * keep
                        for k in range(K):
                            a = wk[2 * N + k]
                            g[j * K + k] += a * Xi[t, j]
                            dx += a * th[j * K + k]
                        wk[j] = dx
                else:
                    if j < N:                                  # row j of W and of its gradient
                        a = Xi[t, j]
                        for q in range(N):
                            g[j * N + q] += a * wk[N + q]
                        wk[j] = keep * wk[j] + _dot(th, j * N, wk, N, N)
                cuda.syncthreads()
        # ---- records and the update
        r = rslot[e]
        if j == 0 and r >= 0:
            loss[i, r] = scal[0]
            acc[i, r] = scal[1]
            gnorm[i, r] = math.sqrt(_dot(g, 0, g, 0, P))
        cuda.syncthreads()
        for p in range(j, P, nthreads):
            th[p] -= lr[i] * g[p]
        cuda.syncthreads()
    if slot[stop] >= 0:
        for p in range(j, P, nthreads):
            snaps[slot[stop], i, p] = th[p]
    if use_shared:
        for p in range(j, P, nthreads):
            theta[i, p] = sh[p]


def device_name():
    """The GPU's name (``"CUDA simulator"`` under ``NUMBA_ENABLE_CUDASIM=1``)."""
    from numba import config

    if config.ENABLE_CUDASIM:
        return "CUDA simulator"
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def available():
    """Whether a CUDA GPU (or the simulator) can run the kernel."""
    try:
        return bool(cuda.is_available())
    except Exception:           # a broken driver installation reads as no GPU
        return False


class Trainer:
    """A network ensemble on the device: :meth:`run` trains epochs in one launch each,
    :meth:`fetch` copies parameters and records back. Built by :mod:`ghostbook.train`
    from the same arrays as the CPU kernel (``model``, ``consts``, ``state``, ``record``
    of :mod:`ghostbook.kernels`)."""

    def __init__(self, model, consts, state, record):
        if state.theta.dtype != np.float32:
            raise ValueError("the CUDA backend trains float32 networks (the paper's dtype)")
        if model.N > MAX_THREADS:
            raise ValueError(f"the CUDA backend takes networks of up to {MAX_THREADS} "
                             f"neurons, got N = {model.N}")
        B, P = state.theta.shape
        T = consts.steps
        self.model, self.consts, self.record = model, consts, record
        self.threads = int(model.N)            # one thread per neuron (K <= N)
        self.use_shared = P * 4 <= SHARED_BYTES - 64
        to = cuda.to_device
        self.theta, self.c, self.lr = to(state.theta), to(state.c), to(state.lr)
        self.grad = cuda.device_array_like(state.theta)
        self.loss, self.acc, self.gnorm = to(record.loss), to(record.acc), to(record.gnorm)
        self.rslot, self.slot, self.snaps = to(record.rslot), to(record.slot), to(record.snaps)
        N, K = model.N, model.K
        f32 = np.float32
        self.ws = [cuda.device_array(shape, f32) for shape in
                   ((B, T + 1, N), (B, T, N), (B, T), (B, T), (B, T + 1, K), (B, 2 * N + K))]

    def run(self, start, stop):
        m, k = self.model, self.consts
        shared = self.theta.shape[1] * 4 if self.use_shared else 0
        _train[self.theta.shape[0], self.threads, 0, shared](
            int32(m.code), int32(m.K), float32(k.delta), float32(k.x0),
            float32(k.kappa_star), int32(k.delay), self.use_shared, self.theta, self.c,
            self.lr, self.grad, self.loss, self.acc, self.gnorm, self.rslot, self.slot,
            self.snaps, *self.ws, int32(start), int32(stop))
        cuda.synchronize()

    def fetch(self, state, record):
        """Copy the parameters, the last gradient and the records into the CPU arrays."""
        self.theta.copy_to_host(state.theta)
        self.grad.copy_to_host(state.grad)
        for name in ("loss", "acc", "gnorm", "snaps"):
            getattr(self, name).copy_to_host(getattr(record, name))


__all__ = ["Trainer", "available", "device_name", "FULL_RANK", "RANK_K", "RANK_ONE"]
