"""The linear RNN of Schuessler et al. (2020), Sec. 3, trained on the simplified task.

Equation numbers refer to Schuessler, Mastrogiuseppe, Dubreuil, Ostojic and Barak,
"The interplay between randomness and structure during learning in RNNs" (NeurIPS
2020). The network is ``x' = -x + W x + sqrt(N) m u(t)`` with readout
``z = w . x / sqrt(N)``; the input is ``u = 1`` and the loss is
``L = (z_hat - z)^2 / 2``. In the long-trial limit the readout is
``z = w^T (I - W)^{-1} m`` (Schuessler Eq. 5), and gradient descent changes ``W`` only (``m``, ``w``
stay fixed). Learning time is ``tau = lr * epochs``; ``beta = 1 / (1 - g^2)`` (Schuessler Eq. 12)
and ``tau_tilde = beta^2 tau`` is the rescaled learning time of Figs. 3-4.

Shapes: ``W``, ``W0`` are ``(N, N)``; ``m``, ``w`` are ``(N,)``.
"""
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .checks import positive, positive_int


def _check_g(g):
    """``g`` (a number or an array) as floats in ``[0, 1)``: beyond it the linear network is
    unstable. A number stays a Python float."""
    arr = np.asarray(g, dtype=float)
    if not np.all((0 <= arr) & (arr < 1)):
        raise ValueError(f"g must be in [0, 1) so that the linear network is stable, got {g!r}")
    return float(arr) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class Network:
    """Initial connectivity ``W0 ~ N(0, g^2/N)``, input ``m`` and readout ``w ~ N(0, 1/N)``."""

    W0: np.ndarray   # (N, N)
    m: np.ndarray    # (N,)
    w: np.ndarray    # (N,)

    @property
    def N(self):
        return self.m.size


def init(N, g, seed):
    """A network drawn from ``numpy.random.default_rng(seed)``: first ``W0`` (row by row,
    ``N^2`` standard normals times ``g / sqrt(N)``), then ``m``, then ``w`` (``N`` standard
    normals each, times ``1 / sqrt(N)``). ``W0`` is drawn even for ``g = 0``, so one seed
    gives the same ``m``, ``w`` and direction of ``W0`` for every ``g``."""
    N, g = positive_int("N", N), _check_g(g)
    rng = np.random.default_rng(seed)
    W0 = rng.standard_normal((N, N)) * (g / np.sqrt(N))
    m = rng.standard_normal(N) / np.sqrt(N)
    w = rng.standard_normal(N) / np.sqrt(N)
    return Network(W0, m, w)


def readout(W, m, w):
    """The long-trial readout ``z = w^T (I - W)^{-1} m`` (Schuessler Eq. 5 of Schuessler et al.)."""
    return float(w @ np.linalg.solve(np.eye(m.size) - W, m))


def loss(W, m, w, z_hat):
    """``L = (z_hat - z)^2 / 2`` with ``z`` from Schuessler Eq. 5."""
    return 0.5 * (z_hat - readout(W, m, w)) ** 2


def gradient(W, m, w, z_hat):
    """``dL/dW = -(z_hat - z) (I - W^T)^{-1} w m^T (I - W^T)^{-1}``: minus the right-hand
    side of Schuessler Eq. 6 of Schuessler et al. Shape ``(N, N)``."""
    lu = scipy.linalg.lu_factor(np.eye(m.size) - W)
    q = scipy.linalg.lu_solve(lu, m)               # (I - W)^{-1} m
    p = scipy.linalg.lu_solve(lu, w, trans=1)      # (I - W^T)^{-1} w
    return -(z_hat - w @ q) * np.outer(p, q)


@dataclass(frozen=True)
class Run:
    """Gradient descent on ``W`` (:func:`train`); histories are indexed by epoch."""

    tau: np.ndarray          # (epochs + 1,) learning time lr * epoch
    loss: np.ndarray         # (epochs + 1,) loss before each update (last: after training)
    grad_norm: np.ndarray    # (epochs + 1,) Frobenius norm of dL/dW = |dW/dtau|
    sv_epochs: np.ndarray    # (S,) epochs at which singular values were recorded
    sv: np.ndarray           # (S, n_sv) leading singular values of Delta W = W - W0
    W0: np.ndarray           # (N, N) initial connectivity
    W: np.ndarray            # (N, N) final connectivity

    @property
    def delta_W(self):
        return self.W - self.W0


def _gram_factor(G):
    """``F`` with ``F^T F = G`` (``G``: a Gram matrix ``X^T X``), so ``X = U F`` for some
    ``U`` with orthonormal columns: ``X``'s singular structure without touching ``X``."""
    U, lam, _ = np.linalg.svd(G)          # G = U diag(lam) U^T: symmetric, positive semi-definite
    return np.sqrt(lam)[:, None] * U.T


def _leading_sv(G_P, c, G_Q, k):
    """The ``k`` leading singular values of ``P diag(c) Q^T`` from the Gram matrices
    ``G_P = P^T P``, ``G_Q = Q^T Q`` (``(e, e)``); zeros for ``e = 0``."""
    if c.size == 0:
        return np.zeros(k)
    s = np.linalg.svd((_gram_factor(G_P) * c) @ _gram_factor(G_Q).T, compute_uv=False)
    return np.pad(s, (0, max(0, k - s.size)))[:k]


def train(net, z_hat, lr, epochs, n_sv=2, record_every=1):
    """Plain gradient descent ``W <- W - lr dL/dW`` (Schuessler Eq. 6 in discrete time) from ``net.W0``.

    Each update is the rank-one matrix ``c p q^T`` with ``p = (I - W^T)^{-1} w``,
    ``q = (I - W)^{-1} m``, ``c = lr (z_hat - z)``, so the inverse ``R = (I - W)^{-1}`` is
    updated by the Sherman-Morrison formula (``O(N^2)`` per epoch), and ``Delta W`` is kept
    as its factors ``P diag(c) Q^T`` with their Gram matrices, from which the ``n_sv``
    leading singular values are computed every ``record_every`` epochs.
    """
    lr, epochs = float(positive("lr", lr)), positive_int("epochs", epochs)
    n_sv, record_every = positive_int("n_sv", n_sv), positive_int("record_every", record_every)
    N = net.N
    R = np.linalg.inv(np.eye(N) - net.W0)                      # (N, N)
    P, Q, c = np.empty((N, epochs)), np.empty((N, epochs)), np.empty(epochs)
    G_P, G_Q = np.zeros((epochs, epochs)), np.zeros((epochs, epochs))
    loss_, grad_norm = np.empty(epochs + 1), np.empty(epochs + 1)
    sv_epochs = np.arange(0, epochs + 1, record_every)
    sv = np.empty((sv_epochs.size, n_sv))
    for e in range(epochs + 1):
        p, q = R.T @ net.w, R @ net.m                          # (N,), (N,)
        err = z_hat - net.w @ q
        loss_[e], grad_norm[e] = 0.5 * err**2, abs(err) * np.linalg.norm(p) * np.linalg.norm(q)
        if e % record_every == 0:
            sv[e // record_every] = _leading_sv(G_P[:e, :e], c[:e], G_Q[:e, :e], n_sv)
        if e == epochs:
            break
        P[:, e], Q[:, e], c[e] = p, q, lr * err
        G_P[e, :e + 1] = G_P[:e + 1, e] = P[:, :e + 1].T @ p
        G_Q[e, :e + 1] = G_Q[:e + 1, e] = Q[:, :e + 1].T @ q
        Rp, qR = R @ p, q @ R
        R += (c[e] / (1 - c[e] * (q @ Rp))) * np.outer(Rp, qR)
    W = net.W0 + (P * c) @ Q.T
    return Run(lr * np.arange(epochs + 1), loss_, grad_norm, sv_epochs, sv, net.W0, W)


def simulate(W, m, w, T, dt, t_on):
    """The finite trial that Schuessler Eq. 5 approximates: forward Euler on
    ``x' = -x + W x + sqrt(N) m u(t)`` from ``x(0) = 0`` with ``u(t) = 1`` for ``t >= t_on``
    (0 before), readout ``z(t) = w . x(t) / sqrt(N)``. Returns ``t (K + 1,)``, ``z (K + 1,)``
    with ``K = round(T / dt)``."""
    T, dt = float(positive("T", T)), float(positive("dt", dt))
    steps = int(round(T / dt))
    N = m.size
    t = dt * np.arange(steps + 1)
    x, z = np.zeros(N), np.zeros(steps + 1)
    drive = np.sqrt(N) * m
    for k in range(steps):
        x = x + dt * (-x + W @ x + drive * (t[k] >= t_on))
        z[k + 1] = w @ x / np.sqrt(N)
    return t, z


def shuffle(W0, seed):
    """``W0`` with its elements permuted at random: same statistics, no correlation with
    ``Delta W`` (Fig. 4d of Schuessler et al.)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(W0.ravel()).reshape(W0.shape)


def convergence_tau(tau, loss, fraction):
    """First learning time at which ``loss`` falls below ``fraction`` of its initial value
    (Fig. 4a's ``tau*``); NaN if it never does."""
    below = np.flatnonzero(np.asarray(loss) < fraction * loss[0])
    return float(tau[below[0]]) if below.size else np.nan


# --- Theory (large-N limit) --------------------------------------------------------------


def beta(g):
    """``beta = w^T B B^T w = m^T B^T B m = 1 / (1 - g^2)``, ``B = (I - W0)^{-1}`` (Schuessler Eq. 12)."""
    return 1.0 / (1.0 - _check_g(g) ** 2)


def first_order_time(g):
    """First-order convergence time ``tau_1* = 1 / beta^2 = (1 - g^2)^2`` (after Schuessler Eq. 13)."""
    return 1.0 / beta(g) ** 2


def beta_measured(net):
    """The two finite-``N`` estimates of Schuessler Eq. 12: ``(w^T B B^T w, m^T B^T B m)``."""
    lu = scipy.linalg.lu_factor(np.eye(net.N) - net.W0)
    Bt_w, B_m = scipy.linalg.lu_solve(lu, net.w, trans=1), scipy.linalg.lu_solve(lu, net.m)
    return float(Bt_w @ Bt_w), float(B_m @ B_m)


def beta_scaling(Ns, seeds, g):
    """Schuessler Eq. 12 at finite ``N``: relative deviations of :func:`beta_measured` from ``beta(g)``,
    ``(2 seeds, len(Ns))`` (rows: seed 0's ``w`` and ``m`` estimates, then seed 1's, ...),
    and the exponent ``a`` and intercept of the fit ``rms deviation ~ exp(intercept) N^a``."""
    estimates = np.array([[beta_measured(init(int(N), g, seed)) for N in Ns]
                          for seed in range(positive_int("seeds", seeds))])   # (seed, N, 2)
    deviation = (estimates / beta(g) - 1).transpose(0, 2, 1).reshape(-1, len(Ns))
    slope, intercept = np.polyfit(np.log(Ns), np.log(np.sqrt(np.mean(deviation**2, axis=0))), 1)
    return deviation, float(slope), float(intercept)


def readout_theory(tau, z_hat, g, order=3):
    """``z(tau)`` expanded in learning time: ``order=1`` is Schuessler Eq. 13, ``z = z_hat tau_tilde``;
    ``order=3`` is Schuessler Eq. 15, ``z_hat [tau_tilde - tau_tilde^2/2 + (1 + 8 z_hat^2 beta)
    tau_tilde^3/6]``; ``order=2`` keeps its first two terms. ``tau_tilde = beta^2 tau``."""
    if order not in (1, 2, 3):
        raise ValueError(f"order must be 1, 2 or 3, got {order!r}")
    b = beta(g)
    t = b**2 * np.asarray(tau, dtype=float)
    terms = (t, -t**2 / 2, (1 + 8 * z_hat**2 * b) * t**3 / 6)
    return z_hat * sum(terms[:order])


def loss_theory(tau, z_hat, g, order=3):
    """``(z_hat - z(tau))^2 / 2`` with ``z`` from :func:`readout_theory`."""
    return 0.5 * (z_hat - readout_theory(tau, z_hat, g, order)) ** 2


def singular_values_theory(tau, z_hat, g):
    """The two leading singular values of ``Delta W`` to ``O(tau^3)`` (Schuessler Eq. 14):
    ``s1 = z_hat / beta [t - t^2/2 + (1 + 7/2 z_hat^2 beta) t^3/6]``,
    ``s2 = z_hat^3 t^3 / 12``, ``t = tau_tilde = beta^2 tau``. Shape ``(2,) + tau.shape``."""
    b = beta(g)
    t = b**2 * np.asarray(tau, dtype=float)
    s1 = z_hat / b * (t - t**2 / 2 + (1 + 3.5 * z_hat**2 * b) * t**3 / 6)
    return np.stack([s1, z_hat**3 * t**3 / 12])


def shuffled_loss_theory(z_hat, g):
    """First-order loss after shuffling ``W0`` at ``tau_1*``: ``L0 g^4 (2 - g^2)^2`` with
    ``L0 = z_hat^2 / 2`` (Sec. 3 of Schuessler et al., "Effects of initial connectivity")."""
    g = _check_g(g)
    return 0.5 * z_hat**2 * g**4 * (2 - g**2) ** 2
