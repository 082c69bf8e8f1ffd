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
"""
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from .checks import positive_int
from .settings import LATENT

KAPPA_RANGE = LATENT.kappa_range
"""The authors' window on the latent axis."""

GRID_POINTS = LATENT.grid_points
"""The authors count fixed points as sign changes of ``f`` on this many grid points."""


def _params(m, n, b):
    """``m, n, b`` as float64 arrays of one shape ``(..., N)``; ``m`` may instead be a
    parameter container with fields ``m, n, b`` (then ``n`` and ``b`` are ``None``)."""
    if n is None and b is None and hasattr(m, "m"):
        m, n, b = m.m, m.n, m.b
    elif n is None or b is None:
        raise ValueError("give m, n and b, or one RankOne container as m")
    m, n, b = (np.asarray(a, dtype=float) for a in (m, n, b))
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
    """
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


def classify(m, n=None, b=None, kappa_range=KAPPA_RANGE,
             points=LATENT.refine_factor * GRID_POINTS):
    """Fixed points and ghosts of the latent circuit of one network (``m, n, b`` of shape ``(N,)``)
    inside ``kappa_range``, located to ~1e-14. Returns a :class:`Portrait`."""
    m, n, b = _params(m, n, b)
    if m.ndim != 1:
        raise ValueError(f"classify takes one network: m, n, b of shape (N,), got {m.shape}")
    grid = _grid(kappa_range, points)
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
