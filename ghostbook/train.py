"""Ensemble training of the RNNs of :mod:`ghostbook.rnn` by plain SGD.

One epoch is one update on the single delayed-activation trial: no batch, no noise,
no clipping. Many independent networks, each with its own seed, learning rate ``lr``
and (rank one) confidence ``c``, train together.

At ``N = 100`` the cost of an epoch is per-operation overhead, not arithmetic, so the
fast path runs whole chunks of epochs for all networks in one Numba-compiled loop,
with the gradients written by hand: backpropagation through the 40 steps of Eq. 17.
:func:`train_reference` is the slow path (PyTorch autograd on :mod:`ghostbook.rnn`'s
forward passes) that the tests hold the fast path to.
"""
import time
from dataclasses import dataclass

import numpy as np
import torch
from numba import njit, prange

from . import rnn
from .checks import positive_int, progress_bar
from .rnn import RNN

RANK_ONE, RANK_K, FULL_RANK = 0, 1, 2
"""Model codes of the compiled kernels."""

CHUNK_SECONDS = 0.5
"""Target wall time of one compiled chunk of epochs (the progress bar updates between chunks)."""

_CONSTS = (RNN.delta, RNN.x0, RNN.kappa_star, RNN.steps, RNN.delay)
"""Eq. 17's settings, passed to the kernels (so changing them never leaves a stale cache)."""

_JIT = dict(cache=True, error_model="numpy")
"""Compiler flags: NumPy's error model (no zero-division checks), and no ``fastmath``. Every
sum below has one fixed order and no multiply-add is fused, so the result of every
operation is fixed by IEEE arithmetic: a run is bit-identical on any CPU, whatever its
vector width or FMA support (training at high learning rates is chaotic, so one differing
bit would end in a different network)."""


# --- Arithmetic that vectorises and rounds the same on every CPU ------------------------


@njit(**_JIT)
def _exp_parts(x):
    """``e^x = s (1 + q)`` for ``-116 <= x <= 0``, from arithmetic only (libm's ``exp`` is a
    scalar call that stops the loops over neurons from vectorising, and differs between
    CPUs). ``x = k ln2 + r`` with ``|r| <= ln2 / 2``; ``s = 2^k`` from the bits of ``-k``;
    ``q = e^r - 1`` by its Taylor series to ``r^13``."""
    f = type(x)
    k = np.floor(x * f(1.4426950408889634) + f(0.5))
    r = (x - k * f(0.693145751953125)) - k * f(1.4286068203094173e-06)
    p = f(1 / 6227020800)
    for inv_factorial in (1 / 479001600, 1 / 39916800, 1 / 3628800, 1 / 362880, 1 / 40320,
                          1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2):
        p = p * r + f(inv_factorial)
    i = np.int32(-k)
    s = f(1)
    for bit, scale in ((1, 0.5), (2, 0.25), (4, 2.0**-4), (8, 2.0**-8), (16, 2.0**-16),
                       (32, 2.0**-32), (64, 2.0**-64)):
        s *= f(scale) if i & bit else f(1)
    return s, r + r * r * p


@njit(**_JIT)
def _tanh(u):
    """``tanh(u)`` to within 3 ulp in float32 and float64: ``tanh|u| = -e / (2 + e)`` with
    ``e = expm1(-2|u|) = s q + (s - 1)``. ``|u|`` is capped at 20, where ``tanh = 1`` in
    float64; NaN propagates."""
    f = type(u)
    a = abs(u)
    s, q = _exp_parts(f(-2) * (f(20) if a > f(20) else a))
    e = s * q + (s - f(1))
    return np.copysign(-e / (f(2) + e), u)


@njit(**_JIT)
def _sigmoid(z):
    """``1 / (1 + e^-z)`` to within a few ulp, with ``e^-|z|`` from :func:`_exp_parts`.
    ``|z|`` is capped at 80 (``sigmoid(-80) = 1.8e-35``, a normal number in float32)."""
    f = type(z)
    a = abs(z)
    s, q = _exp_parts(-(f(80) if a > f(80) else a))
    e = s + s * q
    return f(1) / (f(1) + e) if z >= f(0) else e / (f(1) + e)


@njit(**_JIT)
def _dot(a, b):
    """``a . b`` in eight interleaved partial sums combined pairwise: one summation order
    on every CPU, which the compiler still turns into vector instructions."""
    f = a.dtype.type
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = f(0)
    n8 = a.shape[0] - a.shape[0] % 8
    for j in range(0, n8, 8):
        s0 += a[j] * b[j]
        s1 += a[j + 1] * b[j + 1]
        s2 += a[j + 2] * b[j + 2]
        s3 += a[j + 3] * b[j + 3]
        s4 += a[j + 4] * b[j + 4]
        s5 += a[j + 5] * b[j + 5]
        s6 += a[j + 6] * b[j + 6]
        s7 += a[j + 7] * b[j + 7]
    tail = f(0)
    for j in range(n8, a.shape[0]):
        tail += a[j] * b[j]
    return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + tail


# --- Compiled forward and backward passes (one network, one trial) -----------------------


@njit(**_JIT)
def _readout(O, G, delay):
    """Loss and accuracy of the outputs ``O``; ``G`` gets ``dL/dz`` for ``O = sigmoid(z)``."""
    f = O.dtype.type
    L, hits = f(0), 0
    for t in range(O.shape[0]):
        y = f(1) if t >= delay else f(0)
        err = O[t] - y
        L += err * err
        if (O[t] > f(0.5)) == (t >= delay):
            hits += 1
        G[t] = f(2) * err / f(delay) * O[t] * (f(1) - O[t])
    return L / f(delay), hits / O.shape[0]


@njit(**_JIT)
def _rank_one_epoch(theta, c, grad, X, H, O, G, kap, work, delta, kappa_star, delay):
    """Loss, accuracy and gradient (into ``grad``) of one rank-one network.

    ``theta = [m, n, b]`` (3N,). Forward: Eq. 17 with ``W x = m kappa``, readout Eq. 5.
    Backward: BPTT of Eq. 17, with ``kappa_t = n . x_t`` feeding both the readout at step
    ``t`` and the recurrent input of step ``t + 1``. Workspaces: ``X (41, N)``, ``H (40, N)``,
    ``O, G (40,)``, ``kap (41,)``, ``work (2N,)``; ``X[0]`` holds ``x(0)``.
    """
    f = theta.dtype.type
    N, T = X.shape[1], O.shape[0]
    d, keep = f(delta), f(1 - delta)
    m, n, b = theta[:N], theta[N:2 * N], theta[2 * N:]
    gm, gn, gb = grad[:N], grad[N:2 * N], grad[2 * N:]
    dx, du = work[:N], work[N:2 * N]                     # dL/dx_{t+1}; dL/d(input of tanh)
    kap[0] = _dot(n, X[0])
    for t in range(T):                                   # forward, Eq. 17
        k_t = kap[t]
        for j in range(N):
            H[t, j] = _tanh(m[j] * k_t + b[j])
            X[t + 1, j] = keep * X[t, j] + d * H[t, j]
        kap[t + 1] = _dot(n, X[t + 1])
        O[t] = _sigmoid(c * (kap[t + 1] - f(kappa_star)))
    L, acc = _readout(O, G, delay)
    grad[:] = 0
    dx[:] = 0
    for t in range(T - 1, -1, -1):                       # backward through time
        g_kap = c * G[t]                                 # readout: dL/dkappa_{t+1}
        k_t = kap[t]
        for j in range(N):
            dx[j] += g_kap * n[j]
            gn[j] += g_kap * X[t + 1, j]
            du[j] = dx[j] * d * (f(1) - H[t, j] * H[t, j])
            gb[j] += du[j]
            gm[j] += du[j] * k_t
        s = _dot(m, du)                                  # dL/dkappa_t via the recurrence
        for j in range(N):
            gn[j] += s * X[t, j]
            dx[j] = keep * dx[j] + s * n[j]
    return L, acc


@njit(**_JIT)
def _rank_k_epoch(theta, grad, X, H, O, G, kap, work, MT, gMT, K, delta, delay):
    """Loss, accuracy and gradient of one rank-K network, ``W = M N`` (Eq. 19), readout Eq. 18.

    ``theta = [M (N x K, row-major), N (K x N), b, w_out, b_out]``. ``kap (41, K)`` holds
    ``N x_t``; ``work (2N + K,)``; ``MT, gMT (K, N)`` hold ``M^T`` and its gradient, so that
    every inner loop runs over ``N`` contiguous numbers (vectorised, in a fixed order).
    """
    f = theta.dtype.type
    N, T = X.shape[1], O.shape[0]
    d, keep = f(delta), f(1 - delta)
    NK = N * K
    M, Nk = theta[:NK].reshape((N, K)), theta[NK:2 * NK].reshape((K, N))
    b, w_out = theta[2 * NK:2 * NK + N], theta[2 * NK + N:2 * NK + 2 * N]
    gM, gN = grad[:NK].reshape((N, K)), grad[NK:2 * NK].reshape((K, N))
    gb, gw = grad[2 * NK:2 * NK + N], grad[2 * NK + N:2 * NK + 2 * N]
    dx, du, dk = work[:N], work[N:2 * N], work[2 * N:2 * N + K]
    for k in range(K):
        for i in range(N):
            MT[k, i] = M[i, k]
    for t in range(T):                                   # forward, Eq. 17
        for k in range(K):
            kap[t, k] = _dot(Nk[k], X[t])
        for i in range(N):                               # b + M kappa, summed over k in order
            H[t, i] = b[i]
        for k in range(K):
            a = kap[t, k]
            for i in range(N):
                H[t, i] += MT[k, i] * a
        for i in range(N):
            H[t, i] = _tanh(H[t, i])
            X[t + 1, i] = keep * X[t, i] + d * H[t, i]
        O[t] = _sigmoid(_dot(w_out, X[t + 1]) + theta[-1])
    L, acc = _readout(O, G, delay)
    grad[:] = 0
    gMT[:] = 0
    dx[:] = 0
    for t in range(T - 1, -1, -1):
        grad[-1] += G[t]                                 # readout, Eq. 18
        for i in range(N):
            gw[i] += G[t] * X[t + 1, i]
            dx[i] += G[t] * w_out[i]
            du[i] = dx[i] * d * (f(1) - H[t, i] * H[t, i])
            gb[i] += du[i]
        for k in range(K):                               # through tanh(M N x + b)
            a = kap[t, k]
            for i in range(N):
                gMT[k, i] += du[i] * a
            dk[k] = _dot(MT[k], du)
        for j in range(N):
            dx[j] *= keep
        for k in range(K):
            a = dk[k]
            for j in range(N):
                gN[k, j] += a * X[t, j]
                dx[j] += a * Nk[k, j]
    for i in range(N):
        for k in range(K):
            gM[i, k] = gMT[k, i]
    return L, acc


@njit(**_JIT)
def _full_rank_epoch(theta, grad, X, H, O, G, du, dx, delta, delay):
    """Loss, accuracy and gradient of one full-rank network, ``theta = [W (row-major), b, w_out, b_out]``."""
    f = theta.dtype.type
    N, T = X.shape[1], O.shape[0]
    d, keep = f(delta), f(1 - delta)
    ib, iw, ibo = N * N, N * N + N, N * N + 2 * N
    for t in range(T):
        for i in range(N):
            H[t, i] = _dot(theta[i * N:(i + 1) * N], X[t]) + theta[ib + i]
        for i in range(N):
            H[t, i] = _tanh(H[t, i])
            X[t + 1, i] = keep * X[t, i] + d * H[t, i]
        z = _dot(theta[iw:iw + N], X[t + 1]) + theta[ibo]
        O[t] = _sigmoid(z)
    L, acc = _readout(O, G, delay)
    grad[:] = 0
    dx[:] = 0
    for t in range(T - 1, -1, -1):
        grad[ibo] += G[t]
        for i in range(N):
            grad[iw + i] += G[t] * X[t + 1, i]
            dx[i] += G[t] * theta[iw + i]
            du[i] = dx[i] * d * (f(1) - H[t, i] * H[t, i])
            grad[ib + i] += du[i]
            dx[i] *= keep
        for i in range(N):
            for j in range(N):
                grad[i * N + j] += du[i] * X[t, j]
                dx[j] += du[i] * theta[i * N + j]
    return L, acc


@njit(**_JIT)
def _epoch(model, theta, c, grad, X, H, O, G, kap, work, MT, K, delta, kappa_star, delay):
    """Dispatch on the model code: loss, accuracy, and the gradient into ``grad``."""
    if model == RANK_ONE:
        return _rank_one_epoch(theta, c, grad, X, H, O, G, kap[:, 0], work, delta, kappa_star, delay)
    if model == RANK_K:
        return _rank_k_epoch(theta, grad, X, H, O, G, kap, work, MT[0], MT[1], K, delta, delay)
    return _full_rank_epoch(theta, grad, X, H, O, G, work[:X.shape[1]], work[X.shape[1]:], delta, delay)


@njit(**_JIT)
def _workspace(N, K, T, x0, dtype):
    """One network's scratch: states ``X (T+1, N)`` from ``x0``, ``H (T, N)``, outputs and
    their gradients ``(T,)`` each, ``kap (T+1, K)``, ``work (2N + K,)``, ``MT (2, K, N)``."""
    X = np.empty((T + 1, N), dtype)
    X[0] = x0
    return (X, np.empty((T, N), dtype), np.empty(T, dtype), np.empty(T, dtype),
            np.empty((T + 1, K), dtype), np.empty(2 * N + K, dtype), np.empty((2, K, N), dtype))


@njit(**_JIT, parallel=True)
def _train_chunk(model, K, N, theta, c, lr, start, stop, loss, acc, gnorm, grad, rslot, slot,
                 snaps, delta, x0, kappa_star, steps, delay):
    """Epochs ``start .. stop - 1`` of SGD for every network, in place.

    ``theta (B, P)`` is updated; ``loss, acc, gnorm (B, R)`` get, at ``rslot[e] >= 0``,
    epoch ``e``'s values before its update, and ``grad (B, P)`` the last epoch's gradient;
    ``snaps[slot[e], i]`` gets network ``i``'s parameters after ``e`` updates wherever
    ``slot[e] >= 0``. Networks are independent: ``prange`` over them.
    """
    B, P = theta.shape
    for i in prange(B):
        X, H, O, G, kap, work, MT = _workspace(N, K, steps, x0, theta.dtype)
        for e in range(start, stop):
            if slot[e] >= 0:
                snaps[slot[e], i] = theta[i]
            L, A = _epoch(model, theta[i], c[i], grad[i], X, H, O, G, kap, work, MT, K, delta,
                          kappa_star, delay)
            r = rslot[e]
            if r >= 0:
                loss[i, r], acc[i, r] = L, A
                gnorm[i, r] = np.sqrt(_dot(grad[i], grad[i]))
            for p in range(P):
                theta[i, p] -= lr[i] * grad[i, p]
        if slot[stop] >= 0:
            snaps[slot[stop], i] = theta[i]


# --- Python drivers ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrainResult:
    """An ensemble's training history. ``B`` networks, ``R`` recorded epochs (all ``E`` by
    default), ``S`` snapshots."""

    loss: np.ndarray             # (R, B) loss before the update of each recorded epoch
    accuracy: np.ndarray         # (R, B) accuracy, same moment
    grad_norm: np.ndarray        # (R, B) norm of the whole parameter gradient, same moment
    params: rnn._Params          # final parameters, leading axis B (accepted back as `init`)
    snapshots: rnn._Params       # parameters after `snapshot_epochs[s]` updates, axes (S, B)
    snapshot_epochs: np.ndarray  # (S,) sorted epochs in [0, E]
    record_epochs: np.ndarray    # (R,) sorted epochs in [0, E - 1]
    lr: np.ndarray               # (B,) learning rates
    c: np.ndarray                # (B,) readout confidences (rank one; ones otherwise)
    seeds: tuple                 # seeds of the initialisation, or None when `init` was given

    def at(self, epoch):
        """Parameters of every network after ``epoch`` updates (must be a snapshot epoch)."""
        hits = np.flatnonzero(self.snapshot_epochs == epoch)
        if not hits.size:
            raise ValueError(f"epoch {epoch!r} is not among the snapshot epochs")
        return self.snapshots[int(hits[0])]


def _model_code(params):
    if isinstance(params, rnn.RankOne):
        return RANK_ONE, 1
    if isinstance(params, rnn.RankK):
        return RANK_K, params.rank
    if isinstance(params, rnn.FullRank):
        return FULL_RANK, 1
    raise ValueError(f"params must be RankOne, RankK or FullRank, got {type(params).__name__}")


def _per_network(name, value, B, dtype):
    """A positive, finite scalar or ``(B,)`` array as a ``(B,)`` array of ``dtype``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape != (B,)):
        raise ValueError(f"{name} must be a scalar or have one entry per network ({B}), "
                         f"got shape {arr.shape}")
    if arr.size == 0 or not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return np.array(np.broadcast_to(arr, (B,)), dtype=dtype)           # a writable copy


def _slots(name, epochs_wanted, last):
    """Sorted unique epochs in ``[0, last]`` and ``slot (last + 1,)``: index into them, or -1."""
    wanted = np.unique(np.asarray(epochs_wanted))
    if not wanted.size:
        wanted = wanted.astype(np.int64)
    elif wanted.dtype.kind not in "iu" or wanted[0] < 0 or wanted[-1] > last:
        raise ValueError(f"{name} must be integers in [0, {last}], got {epochs_wanted!r}")
    slot = np.full(last + 1, -1, dtype=np.int64)
    slot[wanted] = np.arange(wanted.size)
    return wanted.astype(np.int64), slot


def _initial(seeds, init, make, dtype):
    """Initial parameters (a copy) and the seeds to record; ``make(seeds, dtype)`` draws."""
    if init is None:
        if seeds is None:
            raise ValueError("seeds must be given when init is None")
        dtype = np.float32 if dtype is None else dtype
        return make(seeds, dtype=dtype), rnn._seeds(seeds)
    if len(init.batch_shape) != 1:
        raise ValueError(f"init must have one leading network axis, got batch shape {init.batch_shape}")
    params = init.astype(init.dtype if dtype is None else dtype)
    if seeds is None:
        return params, None
    seeds = rnn._seeds(seeds)
    if len(seeds) != params.batch_shape[0]:
        raise ValueError(f"seeds has {len(seeds)} entries but init has {params.batch_shape[0]} networks")
    return params, seeds


def _fit(params, seeds, lr, c, epochs, snapshot_epochs, record_epochs, progress):
    """Run the compiled trainer on ``params`` (a fresh copy) and collect a :class:`TrainResult`."""
    model, K = _model_code(params)
    epochs = positive_int("epochs", epochs)
    (B,), dtype = params.batch_shape, params.dtype
    lr, c = _per_network("lr", lr, B, dtype), _per_network("c", c, B, dtype)
    wanted, slot = _slots("snapshot_epochs", () if snapshot_epochs is None else snapshot_epochs, epochs)
    recorded, rslot = _slots("record_epochs", np.arange(epochs) if record_epochs is None
                             else record_epochs, epochs - 1)
    theta = np.ascontiguousarray(params.flat())                   # (B, P)
    grad = np.empty_like(theta)                                   # (B, P)
    snaps = np.empty((wanted.size,) + theta.shape, dtype)         # (S, B, P)
    loss, acc, gnorm = (np.empty((B, recorded.size), dtype) for _ in range(3))
    start, chunk = 0, max(1, min(epochs, 20_000 // B))
    with progress_bar(progress, epochs, "epoch") as bar:
        while start < epochs:
            stop = min(epochs, start + chunk)
            tic = time.perf_counter()
            _train_chunk(model, K, params.neurons, theta, c, lr, start, stop, loss, acc, gnorm,
                         grad, rslot, slot, snaps, *_CONSTS)
            rate = (stop - start) / max(time.perf_counter() - tic, 1e-6)
            chunk = max(1, int(rate * CHUNK_SECONDS))
            bar.update(stop - start)
            start = stop
    return TrainResult(loss=loss.T.copy(), accuracy=acc.T.copy(), grad_norm=gnorm.T.copy(),
                       params=params.with_flat(theta), snapshots=params.with_flat(snaps),
                       snapshot_epochs=wanted, record_epochs=recorded, lr=lr, c=c, seeds=seeds)


def train_rank_one(seeds, lr, epochs, c=RNN.c, init=None, snapshot_epochs=None, progress=None,
                   dtype=None, record_epochs=None):
    """Train rank-one RNNs (Figs. 3, 4, S1) by SGD, all networks in one compiled loop.

    seeds: int or sequence of ints, one network each (``rnn.init_rank_one``); may be
        ``None`` when ``init`` is given.
    lr, c: learning rate and readout confidence, scalars or one per network. Changing
        ``c`` changes the loss too (Fig. 4's recovery).
    epochs: number of SGD updates; ``loss[e]`` is the loss before update ``e``.
    init: :class:`ghostbook.rnn.RankOne` with a leading network axis (e.g. a previous
        result's ``params``, or ``params[stuck]``) to continue from; not modified.
    snapshot_epochs: epochs in ``[0, epochs]`` at which to keep the parameters.
    record_epochs: epochs in ``[0, epochs - 1]`` whose loss, accuracy and gradient norm are
        kept (default: every epoch); long runs of many networks keep a few.
    progress: ``None`` shows a bar on runs longer than 2 s, ``True`` always, ``False`` never.
    dtype: float32 (the paper's, default) or float64; default keeps ``init``'s dtype.
    """
    params, seeds = _initial(seeds, init, rnn.init_rank_one, dtype)
    if not isinstance(params, rnn.RankOne):
        raise ValueError(f"init must be RankOne parameters, got {type(params).__name__}")
    return _fit(params, seeds, lr, c, epochs, snapshot_epochs, record_epochs, progress)


def train_rank_k(seeds, rank, lr, epochs, init=None, snapshot_epochs=None, progress=None,
                 dtype=None, record_epochs=None):
    """Train rank-``K`` RNNs (``W = M N``, Eq. 19) or, with ``rank="full"``, full-rank ones
    (Fig. S2), with the trained readout of Eq. 18. Arguments as :func:`train_rank_one`;
    ``rank`` must match ``init`` when both are given."""
    if rank == "full":
        make, kind = rnn.init_full_rank, rnn.FullRank
    elif isinstance(rank, str):
        raise ValueError(f"rank must be an integer in [1, N] or 'full', got {rank!r}")
    else:
        rank = positive_int("rank", rank)

        def make(s, dtype):
            return rnn.init_rank_k(s, rank, dtype=dtype)
        kind = rnn.RankK
    params, seeds = _initial(seeds, init, make, dtype)
    if not isinstance(params, kind) or (kind is rnn.RankK and params.rank != rank):
        raise ValueError(f"init does not hold rank={rank!r} parameters")
    return _fit(params, seeds, lr, 1.0, epochs, snapshot_epochs, record_epochs, progress)


def _one_epoch(params, c):
    """Loss, accuracy ``(B,)`` and gradient ``(B, P)`` of every network: one epoch of the
    compiled trainer at learning rate 0."""
    model, K = _model_code(params)
    theta = np.ascontiguousarray(params.flat())                   # (B, P)
    (B, P), dtype = theta.shape, theta.dtype
    c = _per_network("c", c, B, dtype)
    grad, loss, acc, gnorm = np.empty_like(theta), *(np.empty((B, 1), dtype) for _ in range(3))
    _train_chunk(model, K, params.neurons, theta, c, np.zeros(B, dtype), 0, 1, loss, acc, gnorm,
                 grad, np.zeros(1, np.int64), np.full(2, -1), np.empty((0, B, P), dtype), *_CONSTS)
    return loss[:, 0], acc[:, 0], grad


def gradients(params, c=RNN.c):
    """Loss ``(B,)`` and hand-written gradient of every network, as a container like ``params``."""
    loss, _, grad = _one_epoch(params, c)
    return loss, params.with_flat(grad)


def evaluate(params, c=RNN.c):
    """Loss and accuracy ``(B,)`` of every network on the trial, as the trainer computes them
    (e.g. of networks whose connectivity was truncated)."""
    loss, acc, _ = _one_epoch(params, c)
    return loss, acc


def train_reference(params, lr, epochs, c=RNN.c):
    """The slow reference: PyTorch autograd on :func:`ghostbook.rnn.outputs` and plain SGD.

    All networks share one graph (their losses are summed; they do not interact).
    Returns a :class:`TrainResult` without snapshots.
    """
    _model_code(params)
    epochs = positive_int("epochs", epochs)
    (B,), dtype = params.batch_shape, params.dtype
    lr, c = _per_network("lr", lr, B, dtype), _per_network("c", c, B, dtype)
    tensors = params.torch(requires_grad=True)
    lr_t = torch.tensor(lr)
    history = np.empty((3, epochs, B))
    for e in range(epochs):
        out = rnn.outputs(tensors, torch.tensor(c))               # (B, 40)
        loss = rnn.loss(out)                                      # (B,)
        grads = torch.autograd.grad(loss.sum(), list(tensors.values()))
        sq = sum((g.reshape(B, -1) ** 2).sum(-1) for g in grads)
        history[:, e] = loss.detach().numpy(), rnn.accuracy(out), sq.sqrt().numpy()
        with torch.no_grad():
            for t, g in zip(tensors.values(), grads):
                t -= lr_t.reshape((B,) + (1,) * (t.ndim - 1)) * g
    final = type(params)(**{k: t.detach().numpy() for k, t in tensors.items()})
    return TrainResult(loss=history[0].astype(dtype), accuracy=history[1], grad_norm=history[2],
                       params=final, snapshots=None,
                       snapshot_epochs=np.zeros(0, np.int64), record_epochs=np.arange(epochs),
                       lr=lr, c=c, seeds=None)
