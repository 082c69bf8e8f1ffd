"""The latent circuit of a rank-one RNN (2024, Eq. 4): fixed points, ghosts and their history.

``tau dkappa/dt = f(kappa) = -kappa + n . tanh(m kappa + b)``. A *fixed point* is a zero
of ``f``: stable where ``f' < 0``, unstable where ``f' > 0``. A *ghost* is a local minimum
of the speed ``|f|`` where ``f`` does not reach zero: the state lingers there without
stopping, the longer the smaller ``|f|``. In one dimension both can be found exactly:
sign changes of ``f`` on a grid bracket the fixed points (refined with ``brentq``), and
interior minima of ``|f|`` bracket the extrema of ``f`` (refined as zeros of ``f'``).
An extremum whose value has the other sign reveals two fixed points closer together than
the grid spacing, so a ghost of speed ``1e-6`` is never confused with a fixed point.

All computations are in float64, whatever the dtype of the parameters. Every function takes
the parameters as three arrays ``m, n, b`` or as one :class:`ghostbook.rnn.RankOne`.

**R latent dimensions.** With ``W = m n^T`` of rank ``R`` (``m, n`` of shape ``(N, R)``, ``b``
of shape ``(N,)``), ``kappa = n^T x`` lives in ``R^R`` and ``f(kappa) = -kappa + n^T tanh(m
kappa + b)``. :func:`flow`, :func:`jacobian` and :func:`classify` accept that form too (``m``
of shape ``b.shape + (R,)``). In R dimensions fixed points are no longer bracketed by sign
changes: :func:`classify` starts from every interior local minimum of the speed ``|f|`` on a
grid, minimises ``q = |f|^2 / 2`` with its exact Hessian (a trust region), and polishes zeros
by Newton's method. A minimum with ``f = 0`` is a fixed point; one with ``f != 0`` (where the
Jacobian is singular, since ``J^T f = 0``) is a ghost. :func:`canonical_form` reduces the
flow near a ghost to the toy model's ``s' = a s^2 + r`` along the slow direction.
"""
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter
from scipy.optimize import brentq, minimize, minimize_scalar

from .checks import positive, positive_int
from .settings import LATENT

KAPPA_RANGE = LATENT.kappa_range
"""The authors' window on the latent axis."""

GRID_POINTS = LATENT.grid_points
"""The authors count fixed points as sign changes of ``f`` on this many grid points."""


def _arrays(m, n, b):
    if n is None and b is None and hasattr(m, "m"):
        m, n, b = m.m, m.n, m.b
    elif n is None or b is None:
        raise ValueError("give m, n and b, or one RankOne container as m")
    return tuple(np.asarray(a, dtype=float) for a in (m, n, b))


def _is_rank_r(m, n, b):
    """True for the R-dimensional form: ``m, n`` of shape ``(N, R)`` and ``b`` of shape ``(N,)``."""
    return m.ndim == 2 and b.ndim == 1 and m.shape == n.shape and m.shape[0] == b.shape[0]


def _params_r(m, n, b):
    """``m, n`` ``(N, R)`` and ``b`` ``(N,)`` as float64 arrays (``(N,)`` ``m, n`` count as R = 1)."""
    m, n, b = _arrays(m, n, b)
    if m.ndim == 1 and m.shape == n.shape == b.shape:
        m, n = m[:, None], n[:, None]
    if not _is_rank_r(m, n, b):
        raise ValueError(f"m and n must have shape (N, R) and b shape (N,), got {m.shape}, {n.shape}, {b.shape}")
    return m, n, b


def _params(m, n, b):
    """``m, n, b`` as float64 arrays of one shape ``(..., N)``; ``m`` may instead be a
    parameter container with fields ``m, n, b`` (then ``n`` and ``b`` are ``None``)."""
    m, n, b = _arrays(m, n, b)
    if m.ndim == 0 or not m.shape == n.shape == b.shape:
        raise ValueError(f"m, n and b must have one shape (..., N), got {m.shape}, {n.shape}, {b.shape}")
    return m, n, b


def _grid(kappa_range, points):
    lo, hi = (float(k) for k in kappa_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"kappa_range must be a finite interval (lo, hi), got {kappa_range!r}")
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 3:
        raise ValueError(f"points must be an integer >= 3, got {points!r}")
    return np.linspace(lo, hi, int(points))


def _tanh_terms(kappa, m, b):
    """``tanh(m kappa + b)`` for every kappa: ``(..., K, N)`` from kappa ``(K,)``, m, b ``(..., N)``."""
    return np.tanh(m[..., None, :] * kappa[:, None] + b[..., None, :])


def flow(kappa, m, n=None, b=None):
    """``f(kappa) = -kappa + n . tanh(m kappa + b)`` (2024, Eq. 4).

    ``m, n, b`` of shape ``(..., N)`` (a network, or a batch of networks or snapshots);
    ``kappa`` a scalar or an array. Returns shape ``(..., *kappa.shape)``.

    R dimensions: ``m, n`` of shape ``(N, R)``, ``b`` ``(N,)`` and ``kappa`` of shape
    ``(..., R)``; returns ``f`` of the shape of ``kappa``.
    """
    m, n, b = _arrays(m, n, b)
    if _is_rank_r(m, n, b):
        kappa = np.asarray(kappa, dtype=float)
        if kappa.shape[-1:] != (m.shape[1],):
            raise ValueError(f"kappa must have shape (..., {m.shape[1]}), got {kappa.shape}")
        return -kappa + np.tanh(kappa @ m.T + b) @ n
    m, n, b = _params(m, n, b)
    kappa = np.asarray(kappa, dtype=float)
    k = kappa.reshape(-1)                                         # (K,)
    f = -k + np.einsum("...kn,...n->...k", _tanh_terms(k, m, b), n)
    return f.reshape(m.shape[:-1] + kappa.shape)


def flow_derivatives(kappa, m, n=None, b=None):
    """``f'(kappa)`` and ``f''(kappa)`` of 2024 Eq. 4, shapes as :func:`flow`."""
    m, n, b = _params(m, n, b)
    kappa = np.asarray(kappa, dtype=float)
    h = _tanh_terms(kappa.reshape(-1), m, b)                      # (..., K, N)
    sech2 = 1 - h * h
    d1 = -1 + np.einsum("...kn,...n->...k", sech2, n * m)
    d2 = np.einsum("...kn,...n->...k", -2 * h * sech2, n * m * m)
    shape = m.shape[:-1] + kappa.shape
    return d1.reshape(shape), d2.reshape(shape)


def count_fixed_points(m, n=None, b=None, kappa_range=KAPPA_RANGE, points=GRID_POINTS):
    """Number of sign changes of ``f`` on ``linspace(*kappa_range, points)``: the authors'
    fixed-point count. Batched: ``(..., N)`` parameters give ``(...)`` counts."""
    f = flow(_grid(kappa_range, points), m, n, b)                 # (..., points)
    return np.count_nonzero(np.signbit(f[..., 1:]) != np.signbit(f[..., :-1]), axis=-1)


@dataclass(frozen=True)
class FixedPoint:
    kappa: float   # location: f(kappa) = 0
    slope: float   # f'(kappa): its sign decides stability
    stable: bool   # f'(kappa) < 0


@dataclass(frozen=True)
class Ghost:
    kappa: float       # location of the local minimum of |f|
    speed: float       # |f(kappa)| > 0: how slowly the state passes
    curvature: float   # f''(kappa): sharper ghosts let the state escape more abruptly


@dataclass(frozen=True)
class Portrait:
    """Fixed points and ghosts of one latent circuit, each sorted by ``kappa``."""

    fixed_points: tuple
    ghosts: tuple

    @property
    def slowest_ghost(self):
        return min(self.ghosts, key=lambda g: g.speed, default=None)


def _sign_changes(f):
    return np.flatnonzero(np.signbit(f[1:]) != np.signbit(f[:-1]))


def _speed_minima(f):
    """Interior grid indices where ``|f|`` has a local minimum and ``f`` keeps its sign."""
    s, a = np.signbit(f), np.abs(f)
    i = np.arange(1, f.size - 1)
    is_min = (a[i] <= a[i - 1]) & (a[i] < a[i + 1])
    same_sign = (s[i - 1] == s[i]) & (s[i] == s[i + 1])
    return i[is_min & same_sign]


def _portrait(m, n, b, grid, f):
    """:class:`Portrait` of one network from ``f`` sampled on ``grid``."""
    def fun(k):
        return float(flow(k, m, n, b))

    def slope(k):
        return float(flow_derivatives(k, m, n, b)[0])

    roots = [brentq(fun, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-15) for i in _sign_changes(f)]
    ghosts = []
    for i in _speed_minima(f):
        lo, hi = grid[i - 1], grid[i + 1]
        if np.sign(slope(lo)) != np.sign(slope(hi)):
            k = brentq(slope, lo, hi, xtol=1e-14, rtol=1e-15)     # the extremum of f
        else:
            k = minimize_scalar(lambda x: abs(fun(x)), bounds=(lo, hi), method="bounded",
                                options={"xatol": 1e-12}).x
        fk = fun(k)
        if fk == 0.0:
            roots.append(k)                                       # a saddle-node
        elif np.signbit(fk) != np.signbit(f[i]):                  # two roots inside one cell
            roots += [brentq(fun, lo, k, xtol=1e-14, rtol=1e-15),
                      brentq(fun, k, hi, xtol=1e-14, rtol=1e-15)]
        else:
            ghosts.append(Ghost(kappa=k, speed=abs(fk),
                                curvature=float(flow_derivatives(k, m, n, b)[1])))
    fixed = [FixedPoint(kappa=k, slope=slope(k), stable=slope(k) < 0) for k in sorted(roots)]
    return Portrait(fixed_points=tuple(fixed), ghosts=tuple(sorted(ghosts, key=lambda g: g.kappa)))


def classify(m, n=None, b=None, kappa_range=KAPPA_RANGE, points=None):
    """Fixed points and ghosts of the latent circuit of one network inside ``kappa_range``.

    ``m, n, b`` of shape ``(N,)`` (rank one; located to ~1e-14 by bracketing on a grid of
    ``points``, default 4000) or ``m, n`` of shape ``(N, R)`` with ``b`` ``(N,)`` (R latent
    dimensions; ``kappa_range`` then bounds every dimension, ``points`` per dimension, default
    201 for R = 2). Returns a :class:`Portrait` (R = 1) or a :class:`PortraitR`.
    """
    m, n, b = _arrays(m, n, b)
    if _is_rank_r(m, n, b):
        if m.shape[1] > 1:
            return _classify_r(m, n, b, kappa_range,
                               _GRID_R.get(m.shape[1], 21) if points is None else points)
        m, n = m[:, 0], n[:, 0]
    if not (m.ndim == 1 and m.shape == n.shape == b.shape):
        raise ValueError("classify takes one network: m, n and b of shape (N,), or m, n of shape "
                         f"(N, R) and b of shape (N,); got {m.shape}, {n.shape}, {b.shape}")
    grid = _grid(kappa_range, LATENT.refine_factor * GRID_POINTS if points is None else points)
    return _portrait(m, n, b, grid, flow(grid, m, n, b))


@dataclass(frozen=True)
class LatentHistory:
    """The latent circuit over training snapshots of one network."""

    epochs: np.ndarray            # (S,) epoch of each snapshot
    n_fixed_points: np.ndarray    # (S,) sign changes of f on the authors' grid
    ghost_speed: np.ndarray       # (S,) speed of the slowest ghost, NaN where there is none
    bifurcation_epochs: tuple     # snapshot epochs at which the fixed-point count changed
    ghost_epoch: object           # first snapshot epoch with a ghost, or None
    min_ghost_speed: float        # smallest ghost speed over all snapshots (NaN if none)
    min_ghost_epoch: object       # epoch at which it occurred, or None


def history(m, n=None, b=None, epochs=None, kappa_range=KAPPA_RANGE, points=GRID_POINTS,
            max_speed=None, chunk=64):
    """Fixed points and ghosts over training. ``m, n, b``: snapshots ``(S, N)`` of one network
    (e.g. ``result.snapshots.m[:, i]``); ``epochs`` ``(S,)``, default ``0 .. S-1``.

    Fixed points are counted as the authors did (sign changes on the grid); a ghost counts
    when its speed is below ``max_speed`` (default: any ghost). Returns a :class:`LatentHistory`.
    """
    m, n, b = _params(m, n, b)
    if m.ndim != 2:
        raise ValueError(f"m, n and b must be snapshots of shape (S, N), got {m.shape}")
    S = m.shape[0]
    epochs = np.arange(S) if epochs is None else np.asarray(epochs)
    if epochs.shape != (S,):
        raise ValueError(f"epochs must have one entry per snapshot ({S}), got shape {epochs.shape}")
    chunk = positive_int("chunk", chunk)
    if max_speed is not None and not max_speed > 0:
        raise ValueError(f"max_speed must be positive, got {max_speed!r}")
    grid = _grid(kappa_range, points)
    counts, speed = np.empty(S, dtype=int), np.full(S, np.nan)
    for start in range(0, S, chunk):
        f = flow(grid, m[start:start + chunk], n[start:start + chunk], b[start:start + chunk])
        counts[start:start + len(f)] = np.count_nonzero(np.signbit(f[:, 1:]) != np.signbit(f[:, :-1]), axis=-1)
        for j, fj in enumerate(f):
            if _speed_minima(fj).size:
                s = start + j
                ghost = _portrait(m[s], n[s], b[s], grid, fj).slowest_ghost
                speed[s] = np.nan if ghost is None else ghost.speed
    if max_speed is not None:
        speed[speed >= max_speed] = np.nan
    changed = np.flatnonzero(counts[1:] != counts[:-1]) + 1
    found = np.flatnonzero(np.isfinite(speed))
    slowest = found[np.argmin(speed[found])] if found.size else None
    return LatentHistory(
        epochs=epochs, n_fixed_points=counts, ghost_speed=speed,
        bifurcation_epochs=tuple(epochs[changed].tolist()),
        ghost_epoch=epochs[found[0]].item() if found.size else None,
        min_ghost_speed=float(speed[slowest]) if found.size else np.nan,
        min_ghost_epoch=epochs[slowest].item() if found.size else None)


# --- R latent dimensions ------------------------------------------------------------------------

_GRID_R = {2: 201, 3: 41}
"""Default grid points per dimension of :func:`classify` in R dimensions."""


def jacobian(kappa, m, n=None, b=None):
    """``J = df/dkappa = -I + n^T diag(sech^2(m kappa + b)) m`` at each ``kappa`` ``(..., R)``:
    shape ``(..., R, R)``. Rank one (``(N,)`` parameters) counts as R = 1."""
    m, n, b = _params_r(m, n, b)
    kappa = np.asarray(kappa, dtype=float)
    sech2 = 1 - np.tanh(kappa @ m.T + b) ** 2                     # (..., N)
    return -np.eye(m.shape[1]) + np.einsum("ni,...n,nj->...ij", n, sech2, m)


def _hessians(kappa, m, n, b):
    """``d^2 f_i / dkappa_j dkappa_k`` at one ``kappa``: shape ``(R, R, R)``."""
    h = np.tanh(m @ kappa + b)
    return np.einsum("ni,n,nj,nk->ijk", n, -2 * h * (1 - h * h), m, m)


@dataclass(frozen=True)
class FixedPointR:
    """A zero of the R-dimensional flow."""

    kappa: np.ndarray        # (R,) location
    eigenvalues: np.ndarray  # (R,) of the Jacobian, sorted by real part (largest last)
    stable: bool             # every eigenvalue has a negative real part


@dataclass(frozen=True)
class GhostR:
    """A local minimum of the speed ``|f|`` at which ``f`` is not zero."""

    kappa: np.ndarray        # (R,) location
    speed: float             # |f(kappa)| > 0
    eigenvalues: np.ndarray  # (R,) of the Jacobian (one is zero: J^T f = 0 there)


@dataclass(frozen=True)
class PortraitR:
    """Fixed points and ghosts of an R-dimensional latent circuit (sorted by location)."""

    fixed_points: tuple
    ghosts: tuple

    @property
    def slowest_ghost(self):
        return min(self.ghosts, key=lambda g: g.speed, default=None)


def _refine(k0, m, n, b):
    """From ``k0``, the nearest local minimum of ``q = |f|^2 / 2`` (trust region, exact Hessian),
    then Newton's method on ``f`` where ``q`` came out (nearly) zero. Returns ``kappa, f``."""
    def q(k):
        f = flow(k, m, n, b)
        return 0.5 * f @ f

    def grad(k):
        return jacobian(k, m, n, b).T @ flow(k, m, n, b)

    def hess(k):
        J, f = jacobian(k, m, n, b), flow(k, m, n, b)
        return J.T @ J + np.einsum("i,ijk->jk", f, _hessians(k, m, n, b))

    k = minimize(q, k0, jac=grad, hess=hess, method="trust-exact",
                 options={"gtol": 1e-15, "maxiter": 500}).x
    f = flow(k, m, n, b)
    scale = 1 + np.abs(b).max() + np.abs(n).sum(axis=0).max()
    zero = np.linalg.norm(f) < 1e-6 * scale
    for _ in range(50):              # Newton on f (a zero) or on grad q (a minimum) to the end
        try:
            step = np.linalg.solve(jacobian(k, m, n, b), f) if zero else np.linalg.solve(hess(k), grad(k))
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.linalg.norm(step) > 1e-3 * (1 + np.linalg.norm(k)):
            break                    # Newton only polishes; it must not jump to another point
        k = k - step
        f = flow(k, m, n, b)
        if np.linalg.norm(step) < 1e-15 * (1 + np.linalg.norm(k)):
            break
    return k, f


def _descend(k, m, n, b, iterations=60):
    """Levenberg-Marquardt on ``q = |f|^2 / 2`` from every start ``k`` ``(S, R)`` at once.

    Grid minima of the speed miss a fixed point in a narrow valley (a fast eigenvalue ten
    times the slow one leaves every grid point off the valley floor faster than a slower
    ghost further down the valley); descending from a lattice of starts does not."""
    R = k.shape[-1]
    f = flow(k, m, n, b)
    q = 0.5 * np.einsum("si,si->s", f, f)
    mu = np.full(len(k), 1e-3)
    for _ in range(iterations):
        J = jacobian(k, m, n, b)
        g = np.einsum("sji,sj->si", J, f)
        A = np.einsum("sji,sjk->sik", J, J) + mu[:, None, None] * np.eye(R)
        trial = k - np.linalg.solve(A, g[..., None])[..., 0]
        f_t = flow(trial, m, n, b)
        q_t = 0.5 * np.einsum("si,si->s", f_t, f_t)
        better = q_t < q
        k[better], f[better], q[better] = trial[better], f_t[better], q_t[better]
        mu = np.where(better, mu * 0.3, mu * 10.0).clip(1e-12, 1e12)
    return k


def _classify_r(m, n, b, kappa_range, points):
    R = m.shape[1]
    axis = _grid(kappa_range, points)
    lo, hi = axis[0], axis[-1]
    mesh = np.stack(np.meshgrid(*[axis] * R, indexing="ij"), axis=-1)      # (P,..,P, R)
    speed = np.linalg.norm(flow(mesh, m, n, b), axis=-1)
    is_min = speed == minimum_filter(speed, size=3, mode="nearest")
    inner = (slice(1, -1),) * R                                    # no minima on the box edge
    starts = mesh[inner][is_min[inner]]
    # and where LM lands from a lattice of starts (every few grid points), one per cluster
    step = max(1, (points - 1) // 24)
    lattice = mesh[(slice(step // 2, None, step),) * R].reshape(-1, R).copy()
    landed = _descend(lattice, m, n, b, iterations=40)
    landed = landed[np.all((landed > lo) & (landed < hi), axis=-1)]
    if landed.size:
        spacing = axis[1] - axis[0]
        _, first = np.unique(np.round(landed / (0.1 * spacing)), axis=0, return_index=True)
        starts = np.concatenate([starts, landed[np.sort(first)]])
    scale = 1 + np.abs(b).max() + np.abs(n).sum(axis=0).max()
    fixed, ghosts, seen = [], [], []

    def new(k):
        return np.all((k > lo) & (k < hi)) and not any(
            np.linalg.norm(k - s) < 1e-7 * (1 + np.linalg.norm(k)) for s in seen)

    def add(k, f):
        J = jacobian(k, m, n, b)
        ev = np.linalg.eigvals(J)
        ev = ev[np.lexsort((ev.imag, ev.real))]
        speed_k = float(np.linalg.norm(f))
        if speed_k <= 1e-12 * scale:
            seen.append(k)
            fixed.append(FixedPointR(kappa=k, eigenvalues=ev, stable=bool(np.all(ev.real < 0))))
            return
        # a ghost must be a true local minimum of q: zero gradient, positive curvature
        H = J.T @ J + np.einsum("i,ijk->jk", f, _hessians(k, m, n, b))
        if (np.linalg.norm(J.T @ f) <= 1e-8 * speed_k * np.linalg.norm(J, 2)
                and np.linalg.eigvalsh(H)[0] > 0):
            seen.append(k)
            ghosts.append(GhostR(kappa=k, speed=speed_k, eigenvalues=ev))

    for k0 in starts:
        k, f = _refine(k0, m, n, b)
        if new(k):
            add(k, f)
    # Two fixed points close together (or along one slow valley) can share one minimum of the
    # speed on the grid; near the saddle-node that joins them, the partner of a fixed point
    # with slow eigenvalue lam lies at -lam / a along the slow direction v (a from the
    # canonical form): start there too. What the refinement finds there is kept only if it is
    # a zero or a true local minimum of the speed, so a poor guess costs nothing.
    for p in list(fixed):
        J = jacobian(p.kappa, m, n, b)
        lam, right = np.linalg.eig(J)
        i = np.argmin(np.abs(lam))
        if abs(lam[i].imag) > 0:
            continue
        v = right[:, i].real
        lam_t, left = np.linalg.eig(J.T)
        w = left[:, np.argmin(np.abs(lam_t - lam[i]))].real
        w = w / (w @ v)
        a = 0.5 * w @ np.einsum("ijk,j,k->i", _hessians(p.kappa, m, n, b), v, v)
        if a != 0:
            k, f = _refine(p.kappa - lam[i].real / a * v, m, n, b)
            if new(k):
                add(k, f)
    order = lambda p: tuple(p.kappa)
    return PortraitR(fixed_points=tuple(sorted(fixed, key=order)), ghosts=tuple(sorted(ghosts, key=order)))


@dataclass(frozen=True)
class CanonicalForm:
    """The flow near a ghost along its slow direction: ``s' = a s^2 + r`` (the later version's
    canonical form; with ``x = a s`` it is the toy model ``x' = x^2 + a r``)."""

    kappa: np.ndarray       # (R,) the ghost
    direction: np.ndarray   # (R,) unit right null vector v of the Jacobian: kappa = kappa_g + s v
    left: np.ndarray        # (R,) left null vector w (along f), w^T v = 1: s = w^T (kappa - kappa_g)
    a: float                # 1/2 w^T D^2 f[v, v], with w the left null vector, w^T v = 1
    r: float                # w^T f(kappa_g): the speed along the slow direction
    passage_time: float     # pi / sqrt(a r), in units of tau: the time to pass the ghost

    @property
    def width(self):
        """``sqrt(r / a)``: the bottleneck's half-width in ``s``, where ``a s^2 = r``."""
        return float(np.sqrt(self.r / self.a))

    def window_time(self, delta):
        """Time the canonical form takes from ``s = -delta`` to ``s = +delta`` (units of tau)."""
        ar = self.a * self.r
        return 2 / np.sqrt(ar) * np.arctan(delta * np.sqrt(self.a / self.r))


def canonical_form(m, n=None, b=None, kappa_range=KAPPA_RANGE, points=None, ghost=None):
    """The canonical form of the slowest ghost of the latent circuit (or of ``ghost``, an
    element of ``classify(...).ghosts``). Rank one or R dimensions, as :func:`classify`.

    At a ghost ``J^T f = 0`` with ``f != 0``, so ``J`` has a zero eigenvalue with left null
    vector ``w`` along ``f`` and right null vector ``v``. Along ``kappa = kappa_g + s v``,
    ``s = w^T (kappa - kappa_g)`` obeys ``s' = r + a s^2 + O(s^3)`` with ``r = w^T f(kappa_g)``
    and ``a = w^T D^2 f[v, v] / 2``; from ``s = -inf`` to ``+inf`` it takes ``pi / sqrt(a r)``.
    Returns a :class:`CanonicalForm`, or ``None`` if the circuit has no ghost.
    """
    m, n, b = _params_r(m, n, b)
    if ghost is None:
        R = m.shape[1]
        portrait = classify(m[:, 0], n[:, 0], b, kappa_range, points) if R == 1 else \
            classify(m, n, b, kappa_range, points)
        ghost = portrait.slowest_ghost
        if ghost is None:
            return None
    k = np.atleast_1d(np.asarray(ghost.kappa, dtype=float))
    f, J = flow(k, m, n, b), jacobian(k, m, n, b)
    _, _, vt = np.linalg.svd(J)
    v = vt[-1]                                                    # J v = 0
    w = f / (f @ v)                                               # w^T J = 0, w^T v = 1
    a = 0.5 * w @ np.einsum("ijk,j,k->i", _hessians(k, m, n, b), v, v)
    r = float(w @ f)
    if a * r <= 0:
        raise ValueError(f"not a ghost: a r = {a * r:.3g} must be positive")
    if a < 0:                                                     # orient s so that a, r > 0
        v, w, a, r = -v, -w, -a, -r
    return CanonicalForm(kappa=k, direction=v, left=w, a=float(a), r=float(r),
                         passage_time=float(np.pi / np.sqrt(a * r)))


def iterate(kappa0, m, n=None, b=None, dt=0.5, steps=100):
    """The network's own latent map ``kappa_{t+1} = kappa_t + dt f(kappa_t)`` (exact for the
    rate networks without input, ``dt = Delta``): ``(steps + 1, R)`` from ``kappa0`` (R,)."""
    m, n, b = _params_r(m, n, b)
    dt = float(positive("dt", dt))
    path = np.empty((positive_int("steps", steps) + 1, m.shape[1]))
    path[0] = kappa0
    for t in range(steps):
        k = path[t]
        path[t + 1] = k + dt * (-k + n.T @ np.tanh(m @ k + b))
    return path


def passage(m, n=None, b=None, kappa0=None, dt=0.5, widths=1.0, max_steps=20_000, ghost=None):
    """The canonical form's prediction against the network's own passage past its slowest
    ghost: the latent map run from ``kappa0`` (e.g. a trial's state when the input ends),
    the time it spends within ``delta = widths * sqrt(r / a)`` of the ghost along the slow
    direction, and the canonical form's time for the same window. Returns
    ``(form, delta, predicted, measured)``; ``measured`` is NaN unless the path enters the
    window from outside and leaves it again (not for a start inside the window, a fixed
    point inside it, or a passage slower than ``max_steps``);
    ``(None, nan, nan, nan)`` without a ghost. ``ghost``: one of ``classify(...).ghosts``
    (default: the slowest)."""
    m, n, b = _params_r(m, n, b)
    dt, widths = float(positive("dt", dt)), float(positive("widths", widths))
    max_steps = positive_int("max_steps", max_steps)
    form = canonical_form(m, n, b, ghost=ghost)
    if form is None:
        return None, np.nan, np.nan, np.nan
    delta = widths * form.width
    k, inside, entered, left = np.array(kappa0, dtype=float).reshape(-1), 0, False, False
    for step in range(max_steps):
        d = k - form.kappa
        s = d @ form.left
        now = abs(s) < delta and np.linalg.norm(d - s * form.direction) < delta
        if step == 0 and now:
            break                                                 # started inside: no passage
        inside += now
        entered |= now
        if entered and not now:
            left = True
            break
        k = k + dt * (-k + n.T @ np.tanh(m @ k + b))
    measured = inside * dt if left else np.nan
    return form, delta, float(form.window_time(delta)), float(measured)


# --- Slow points of a full network ------------------------------------------------------------


@dataclass(frozen=True)
class SlowPoint:
    """A local minimum of ``q = |F|^2 / 2`` in the full state space of a rate network."""

    x: np.ndarray            # (N,) the state
    speed: float             # |F(x)|: 0 at a fixed point
    kind: str                # "fixed point" or "ghost"
    eigenvalues: np.ndarray  # (N,) of the Jacobian, sorted by real part (largest last)
    stable: bool             # every eigenvalue has a negative real part


def _rate_terms(x, W, b):
    h = np.tanh(x @ W + b)
    F = -x + h
    s = 1 - h * h
    J = -np.eye(W.shape[0]) + s[..., :, None] * W.T                 # dF_i/dx_j = -d_ij + s_i W_ji
    return F, J, h, s


def slow_points(W, b, starts, iterations=200, tol=1e-12, min_distance=1e-6):
    """Fixed points and ghosts of the rate network ``x' = -x + tanh(x W + b)`` (row-vector
    state, the later version's model without input or noise), found from ``starts``
    ``(P, N)`` (e.g. states along trials), all starting points at once.

    Each start descends ``q(x) = |F(x)|^2 / 2`` by damped Newton steps on its exact Hessian
    ``J^T J + W diag(-2 F h s) W^T`` (``h = tanh(x W + b)``, ``s = 1 - h^2``), the damping
    shrinking as ``q`` falls (Levenberg-Marquardt), then polishes zeros by Newton's method on
    ``F``. A point with ``|F| < tol * (1 + |b|_max)`` is a *fixed point*; a point where ``q``
    has a positive local minimum (``|J^T F|`` vanishing relative to ``|F|``, Hessian positive
    definite) is a *ghost*; starts that end elsewhere (still moving after ``iterations``)
    are dropped. Points closer than ``min_distance`` are merged. Returns a list of
    :class:`SlowPoint`, slowest first.
    """
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    x = np.array(starts, dtype=float, ndmin=2)
    N = W.shape[0]
    if W.shape != (N, N) or b.shape != (N,) or x.shape[1] != N:
        raise ValueError(f"W must be (N, N), b (N,) and starts (P, N), got {W.shape}, {b.shape}, {x.shape}")
    positive_int("iterations", iterations)
    positive("tol", tol)
    positive("min_distance", min_distance)
    eye = np.eye(N)
    mu = np.full(len(x), 1e-3)

    def q_of(y):
        F = -y + np.tanh(y @ W + b)
        return 0.5 * np.einsum("pi,pi->p", F, F)

    q = q_of(x)
    for _ in range(iterations):
        F, J, h, s = _rate_terms(x, W, b)
        grad = np.einsum("pij,pi->pj", J, F)
        H = np.einsum("pki,pkj->pij", J, J) + np.einsum("ik,pk,jk->pij", W, -2 * F * h * s, W)
        step = np.linalg.solve(H + mu[:, None, None] * eye, grad[..., None])[..., 0]
        trial = x - step
        q_new = q_of(trial)
        better = q_new < q
        x[better], q[better] = trial[better], q_new[better]
        mu = np.where(better, np.maximum(mu / 10, 1e-15), mu * 10)
        if np.all(np.linalg.norm(step, axis=1) < 1e-14 * (1 + np.linalg.norm(x, axis=1))):
            break
    scale = 1 + np.abs(b).max()
    found = []
    for y in x:
        F, J, h, s = _rate_terms(y, W, b)
        if np.linalg.norm(F) < 1e-6 * scale:                       # polish a zero
            for _ in range(20):
                try:
                    y = y - np.linalg.solve(J, F)
                except np.linalg.LinAlgError:
                    break
                F, J, h, s = _rate_terms(y, W, b)
        speed = float(np.linalg.norm(F))
        if speed < tol * scale:
            kind = "fixed point"
        else:
            H = J.T @ J + W @ np.diag(-2 * F * h * s) @ W.T
            if np.linalg.norm(J.T @ F) > 1e-7 * speed * np.linalg.norm(J, 2) or np.linalg.eigvalsh(H)[0] <= 0:
                continue
            kind = "ghost"
        if any(np.linalg.norm(y - p.x) < min_distance for p in found):
            continue
        ev = np.linalg.eigvals(J)
        ev = ev[np.lexsort((ev.imag, ev.real))]
        found.append(SlowPoint(x=y, speed=speed, kind=kind, eigenvalues=ev,
                               stable=bool(np.all(ev.real < 0))))
    return sorted(found, key=lambda p: p.speed)
