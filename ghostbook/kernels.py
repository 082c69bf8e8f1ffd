"""Compiled epoch kernels of the ensemble trainer (CPU, Numba), and nothing else.

One call of :func:`train_chunk` runs a chunk of SGD epochs for every network of an
ensemble: the forward pass of the 2024 paper's 2024 Eq. 17 over the 40-step trial, the
hand-written backward pass (backpropagation through time), and the update. The drivers
in :mod:`ghostbook.train` prepare the arrays, chunk the epochs and collect the results.

Arguments travel in four named groups, each a ``namedtuple`` (Numba compiles them as
tuples): :class:`Model` (which connectivity, its rank, the number of neurons),
:class:`Consts` (2024 Eq. 17's settings), :class:`State` (parameters, per-network confidence
and learning rate, gradient) and :class:`Record` (what to keep, and where).
"""
from collections import namedtuple

import numpy as np
from numba import njit, prange

RANK_ONE, RANK_K, FULL_RANK = 0, 1, 2
"""Model codes."""

Model = namedtuple("Model", "code K N")
"""``code``: RANK_ONE, RANK_K or FULL_RANK; ``K``: rank (1 unless RANK_K); ``N``: neurons."""

Consts = namedtuple("Consts", "delta x0 kappa_star steps delay")
"""2024 Eq. 17's settings: ``Delta``, ``x(0)``, ``kappa*``, steps per trial, delay steps."""

State = namedtuple("State", "theta c lr grad")
"""``theta (B, P)`` parameters (updated in place), ``c, lr (B,)``, ``grad (B, P)`` the last
epoch's gradient."""

Record = namedtuple("Record", "loss acc gnorm rslot slot snaps")
"""``loss, acc, gnorm (B, R)`` get epoch ``e``'s values at column ``rslot[e] >= 0``;
``snaps (S, B, P)`` gets the parameters after ``e`` updates at ``slot[e] >= 0``."""

Workspace = namedtuple("Workspace", "X H O G kap work MT")
"""One network's scratch: states ``X (T+1, N)`` (``X[0] = x(0)``), ``H (T, N)`` the tanh
outputs, outputs ``O`` and their gradients ``G (T,)``, ``kap (T+1, K)`` the latent
variables, ``work (2N + K,)``, ``MT (2, K, N)`` (rank K: ``M^T`` and its gradient)."""

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
def _rank_one_epoch(theta, c, grad, ws, consts):
    """Loss, accuracy and gradient (into ``grad``) of one rank-one network.

    ``theta = [m, n, b]`` (3N,). Forward: 2024 Eq. 17 with ``W x = m kappa``, readout 2024 Eq. 5.
    Backward: BPTT of 2024 Eq. 17, with ``kappa_t = n . x_t`` feeding both the readout at step
    ``t`` and the recurrent input of step ``t + 1``.
    """
    X, H, O, G, work = ws.X, ws.H, ws.O, ws.G, ws.work
    kap = ws.kap[:, 0]
    delta, kappa_star, delay = consts.delta, consts.kappa_star, consts.delay
    f = theta.dtype.type
    N, T = X.shape[1], O.shape[0]
    d, keep = f(delta), f(1 - delta)
    m, n, b = theta[:N], theta[N:2 * N], theta[2 * N:]
    gm, gn, gb = grad[:N], grad[N:2 * N], grad[2 * N:]
    dx, du = work[:N], work[N:2 * N]                     # dL/dx_{t+1}; dL/d(input of tanh)
    kap[0] = _dot(n, X[0])
    for t in range(T):                                   # forward, 2024 Eq. 17
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
def _rank_k_epoch(theta, grad, ws, K, consts):
    """Loss, accuracy and gradient of one rank-K network in the authors' orientation: the
    state is a row vector and the recurrent input is ``x @ M @ N`` (ghost paper, Eq. 19),
    readout 2024 Eq. 18. So ``kappa = M^T x`` (K,) and the input to unit ``j`` is
    ``b_j + sum_k kappa_k N[k, j]``.

    ``theta = [M (N x K, row-major), N (K x N), b, w_out, b_out]``. ``kap (41, K)`` holds
    ``M^T x_t``; ``MT, gMT (K, N)`` hold ``M^T`` and its gradient, so that every inner loop
    runs over ``N`` contiguous numbers (vectorised, in a fixed order).
    """
    X, H, O, G, kap, work = ws.X, ws.H, ws.O, ws.G, ws.kap, ws.work
    MT, gMT = ws.MT[0], ws.MT[1]
    delta, delay = consts.delta, consts.delay
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
    for t in range(T):                                   # forward, 2024 Eq. 17
        for k in range(K):
            kap[t, k] = _dot(MT[k], X[t])                # kappa = M^T x
        for j in range(N):                               # b + N^T kappa, summed over k in order
            H[t, j] = b[j]
        for k in range(K):
            a = kap[t, k]
            for j in range(N):
                H[t, j] += Nk[k, j] * a
        for j in range(N):
            H[t, j] = _tanh(H[t, j])
            X[t + 1, j] = keep * X[t, j] + d * H[t, j]
        O[t] = _sigmoid(_dot(w_out, X[t + 1]) + theta[-1])
    L, acc = _readout(O, G, delay)
    grad[:] = 0
    gMT[:] = 0
    dx[:] = 0
    for t in range(T - 1, -1, -1):
        grad[-1] += G[t]                                 # readout, 2024 Eq. 18
        for j in range(N):
            gw[j] += G[t] * X[t + 1, j]
            dx[j] += G[t] * w_out[j]
            du[j] = dx[j] * d * (f(1) - H[t, j] * H[t, j])
            gb[j] += du[j]
        for k in range(K):                               # through tanh(N^T M^T x + b)
            a = kap[t, k]
            for j in range(N):
                gN[k, j] += du[j] * a
            dk[k] = _dot(Nk[k], du)
        for i in range(N):
            dx[i] *= keep
        for k in range(K):
            a = dk[k]
            for i in range(N):
                gMT[k, i] += a * X[t, i]
                dx[i] += a * MT[k, i]
    for i in range(N):
        for k in range(K):
            gM[i, k] = gMT[k, i]
    return L, acc


@njit(**_JIT)
def _full_rank_epoch(theta, grad, ws, consts):
    """Loss, accuracy and gradient of one full-rank network in the authors' orientation
    (recurrent input ``x @ W``, the state a row vector), ``theta = [W (row-major), b, w_out,
    b_out]``. Row ``i`` of ``W`` holds unit ``i``'s outgoing weights, so every inner loop
    runs over a contiguous row."""
    X, H, O, G = ws.X, ws.H, ws.O, ws.G
    du, dx = ws.work[:X.shape[1]], ws.work[X.shape[1]:2 * X.shape[1]]
    delta, delay = consts.delta, consts.delay
    f = theta.dtype.type
    N, T = X.shape[1], O.shape[0]
    d, keep = f(delta), f(1 - delta)
    ib, iw, ibo = N * N, N * N + N, N * N + 2 * N
    for t in range(T):
        for j in range(N):
            H[t, j] = theta[ib + j]
        for i in range(N):                               # b + x @ W, summed over i in order
            a = X[t, i]
            for j in range(N):
                H[t, j] += a * theta[i * N + j]
        for j in range(N):
            H[t, j] = _tanh(H[t, j])
            X[t + 1, j] = keep * X[t, j] + d * H[t, j]
        z = _dot(theta[iw:iw + N], X[t + 1]) + theta[ibo]
        O[t] = _sigmoid(z)
    L, acc = _readout(O, G, delay)
    grad[:] = 0
    dx[:] = 0
    for t in range(T - 1, -1, -1):
        grad[ibo] += G[t]
        for j in range(N):
            grad[iw + j] += G[t] * X[t + 1, j]
            dx[j] += G[t] * theta[iw + j]
            du[j] = dx[j] * d * (f(1) - H[t, j] * H[t, j])
            grad[ib + j] += du[j]
        for i in range(N):
            a = X[t, i]
            for j in range(N):
                grad[i * N + j] += a * du[j]
            dx[i] = keep * dx[i] + _dot(theta[i * N:(i + 1) * N], du)
    return L, acc


@njit(**_JIT)
def _epoch(model, consts, theta, c, grad, ws):
    """Dispatch on the model code: loss, accuracy, and the gradient into ``grad``."""
    if model.code == RANK_ONE:
        return _rank_one_epoch(theta, c, grad, ws, consts)
    if model.code == RANK_K:
        return _rank_k_epoch(theta, grad, ws, model.K, consts)
    return _full_rank_epoch(theta, grad, ws, consts)


@njit(**_JIT)
def _workspace(model, consts, dtype):
    """One network's :class:`Workspace`, ``X[0]`` set to ``x(0)``."""
    N, K, T = model.N, model.K, consts.steps
    X = np.empty((T + 1, N), dtype)
    X[0] = consts.x0
    return Workspace(X, np.empty((T, N), dtype), np.empty(T, dtype), np.empty(T, dtype),
                     np.empty((T + 1, K), dtype), np.empty(2 * N + K, dtype),
                     np.empty((2, K, N), dtype))


@njit(**_JIT, parallel=True)
def train_chunk(model, consts, state, record, start, stop):
    """Epochs ``start .. stop - 1`` of SGD for every network, in place (see :class:`State` and
    :class:`Record`): the loss, accuracy and gradient norm of epoch ``e`` are taken before
    its update. Networks are independent: ``prange`` over them."""
    theta, c, lr, grad = state.theta, state.c, state.lr, state.grad
    loss, acc, gnorm = record.loss, record.acc, record.gnorm
    slot, rslot, snaps = record.slot, record.rslot, record.snaps
    B, P = theta.shape
    for i in prange(B):
        ws = _workspace(model, consts, theta.dtype)
        for e in range(start, stop):
            if slot[e] >= 0:
                snaps[slot[e], i] = theta[i]
            L, A = _epoch(model, consts, theta[i], c[i], grad[i], ws)
            r = rslot[e]
            if r >= 0:
                loss[i, r], acc[i, r] = L, A
                gnorm[i, r] = np.sqrt(_dot(grad[i], grad[i]))
            for p in range(P):
                theta[i, p] -= lr[i] * grad[i, p]
        if slot[stop] >= 0:
            snaps[slot[stop], i] = theta[i]
