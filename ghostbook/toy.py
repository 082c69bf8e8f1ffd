"""The toy model ``x' = x^2 + r`` trained on the delayed-activation task.

Equation numbers refer to Dinc et al., "A ghost mechanism: An analytical model
of abrupt learning" (End Matter, 2024 Eqs. 6-15). The loss ``L`` is the paper's
unnormalised loss (units of time, ``0 <= L <= T``); plots show ``L / T``.

Every function broadcasts over NumPy arrays of ``r`` (and of ``T``, ``lr``
where it makes sense) and returns a float for scalar input.
"""
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .checks import positive, positive_int, real
from .settings import TOY

CLIP = 1e6
"""Euler states are clipped to ``[-CLIP, CLIP]`` so ``x -> inf`` never overflows."""


def _out(arr):
    """NumPy arrays stay arrays; 0-d results become Python floats."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr


def optimal_r(T):
    """The global minimum of the loss, ``r* = pi^2 / (4 T^2)`` (below 2024 Eq. 2)."""
    T = positive("T", T)
    return _out(np.pi**2 / (4 * T**2))


def critical_learning_rate(T):
    """``alpha* = 3 pi^4 / 32 * T^-5`` (2024 Eq. 15): above it, GD ends in the no-learning zone."""
    T = positive("T", T)
    return _out(3 * np.pi**4 / 32 * T**-5.0)


def escape_time(r):
    """Time at which ``x(t)`` from ``x(0) = 0`` reaches infinity: ``pi / (2 sqrt(r))``.

    Infinite for ``r <= 0``, where the state never escapes (below 2024 Eq. 7).
    """
    r = real("r", r)
    safe = np.where(r > 0, r, 1.0)
    return _out(np.where(r > 0, np.pi / (2 * np.sqrt(safe)), np.inf))


def trajectory(r, t):
    """Closed-form solution of ``x' = x^2 + r`` with ``x(0) = 0`` (2024 Eq. 7, all signs of ``r``).

    * ``r > 0``: ``sqrt(r) tan(sqrt(r) t)`` before the escape time, ``+inf`` from it on;
    * ``r = 0``: ``0`` (the origin is a half-stable fixed point);
    * ``r < 0``: ``-sqrt(-r) tanh(sqrt(-r) t)``, decaying to the stable fixed point ``-sqrt(-r)``.
    """
    r, t = np.broadcast_arrays(real("r", r), real("t", t))
    if np.any(t < 0):
        raise ValueError(f"t must be non-negative, got min(t) = {t.min()!r}")
    a = np.sqrt(np.abs(r))
    escaped = (r > 0) & (t >= escape_time(r))
    with np.errstate(invalid="ignore", over="ignore"):
        x = np.where(r > 0, a * np.tan(np.where(escaped, 0.0, a * t)), -a * np.tanh(a * t))
    x = np.where(escaped, np.inf, np.where(r == 0, 0.0, x))
    return _out(np.where(t == 0, 0.0, x))  # x(0) = 0 for every r, infinite ones included


def in_no_learning_zone(r, T):
    """True where ``r < r*/4``: the state escapes after ``2T`` and the gradient is zero."""
    zone = np.asarray(real("r", r) < optimal_r(T) / 4)
    return bool(zone) if zone.ndim == 0 else zone


def analytic_loss(r, T):
    """Loss in the limit ``c, x* -> inf`` (2024 Eq. 12): ``|T - t*|`` for ``r >= r*/4``, else ``T``."""
    r, T = np.broadcast_arrays(real("r", r), positive("T", T))
    t_esc = np.asarray(escape_time(r))
    # t* rounds to just above 2T at r = r*/4 for some T; the loss never exceeds T.
    return _out(np.where(r >= optimal_r(T) / 4, np.minimum(np.abs(T - t_esc), T), T))


def analytic_grad(r, T):
    """``dL/dr`` of 2024 Eq. 13, piecewise.

    ``-pi / (4 r^1.5)`` on ``(r*/4, r*)``, ``+pi / (4 r^1.5)`` on ``[r*, inf)`` and
    ``0`` below ``r*/4``. At the kink ``r = r*`` (2024 Eq. 14) the right derivative is used.
    """
    r, T = np.broadcast_arrays(real("r", r), positive("T", T))
    return _out(_grad(r, np.asarray(optimal_r(T))))


def _grad(r, r_star):
    """2024 Eq. 13 without argument checks: the inner loop of gradient descent."""
    sign = np.where(r >= r_star, 1.0, np.where(r > r_star / 4, -1.0, 0.0))
    with np.errstate(over="ignore", divide="ignore"):  # r**1.5 -> inf or 0 at the extremes
        magnitude = np.pi / (4 * np.where(r > 0, r, 1.0) ** 1.5)
    return sign * np.where(sign == 0, 0.0, magnitude)  # no 0 * inf in the no-learning zone


def euler_trajectory(r, t_max, dt=TOY.dt):
    """Forward-Euler states ``x_k`` at ``t_k = k dt``, ``k = 1 .. round(t_max / dt)``.

    Returns ``(t, x)`` with ``x`` of shape ``(steps, *r.shape)``. The state is clipped
    to ``[-CLIP, CLIP]`` after every step, so it never overflows (Fig. 2A's recipe).
    """
    r = real("r", r)
    t_max, dt = float(positive("t_max", t_max)), float(positive("dt", dt))
    steps = int(round(t_max / dt))
    if steps < 1:
        raise ValueError(f"dt must be at most about t_max = {t_max:g} (one Euler step), got {dt!r}")
    x = np.zeros(r.shape)
    states = np.empty((steps,) + r.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            x = np.clip(x + dt * (x * x + r), -CLIP, CLIP)
            states[k] = x
    return dt * np.arange(1, steps + 1), states


def simulated_loss(r, T, c, x_star=TOY.x_star, dt=TOY.dt):
    """The finite-confidence loss of 2024 Eq. 1, integrated by forward Euler.

    Output ``sigmoid(c (x - x*))``, target 0 for ``t <= T`` and 1 after, loss
    ``dt * sum_k (output_k - target_k)^2`` over ``2T / dt`` steps (unnormalised,
    comparable to :func:`analytic_loss`). Finite for every real ``r``, ``+-inf`` included.
    """
    T = float(positive("T", T))
    c, x_star = float(positive("c", c)), float(real("x_star", x_star))
    t, x = euler_trajectory(r, 2 * T, dt)
    target = (t > T).astype(float).reshape((-1,) + (1,) * (x.ndim - 1))
    with np.errstate(over="ignore"):  # c (x - x*) may be +-inf; expit maps it to 1 or 0
        output = expit(c * (x - x_star))
    return _out(float(dt) * np.sum((output - target) ** 2, axis=0))


def simulated_grad(r, T, c, x_star=TOY.x_star, dt=TOY.dt):
    """``dL/dr`` of :func:`simulated_loss`, exact for its clipped forward-Euler recursion
    (later version, Fig. 8A: ``|dL/dr|`` against ``r`` for several confidences ``c``).

    Forward-mode sensitivity ``s_k = dx_k/dr`` along :func:`euler_trajectory`'s states:
    ``s_k = s_{k-1} (1 + 2 dt x_{k-1}) + dt`` where the step stays inside the clip, ``0`` where
    it is clipped (the clip is flat there). Then ``dL/dr = dt sum_k 2 (o_k - target_k)
    o_k (1 - o_k) c s_k``. Finite for every real ``r``, ``+-inf`` included: a clipped state
    has ``s = 0``, and a saturated sigmoid contributes exactly 0.
    """
    T = float(positive("T", T))
    c, x_star = float(positive("c", c)), float(real("x_star", x_star))
    t, x = euler_trajectory(r, 2 * T, dt)
    with np.errstate(over="ignore"):
        output = expit(c * (x - x_star))
    slope = output * (1 - output)
    inside = np.abs(x) < CLIP               # x_k = clip(y_k): clipped exactly where |x_k| = CLIP
    s, grad, previous = np.zeros(x.shape[1:]), np.zeros(x.shape[1:]), np.zeros(x.shape[1:])
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(len(t)):
            s = np.where(inside[k], s * (1 + 2 * dt * previous) + dt, 0.0)
            term = 2 * (output[k] - float(t[k] > T)) * slope[k] * c * s
            grad += np.where(slope[k] > 0, term, 0.0)
            previous = x[k]
    return _out(float(dt) * grad)


@dataclass(frozen=True)
class ToyRun:
    """Gradient descent on the toy model. Histories have shape ``(len(epochs), *batch)``."""

    epochs: np.ndarray  # epochs at which r and loss were recorded: 0, k, 2k, ..., last
    r: np.ndarray       # r after that many updates
    loss: np.ndarray    # analytic loss (2024 Eq. 12) at each recorded r, unnormalised
    lr: np.ndarray      # learning rate of each run, shape batch
    T: np.ndarray       # delay of each run, shape batch

    @property
    def ended_in_zone(self):
        """Runs that ended in the no-learning zone ``r < r*/4`` (where the gradient is 0)."""
        return in_no_learning_zone(self.r[-1], self.T)


def _descend(r0, lr, epochs, T):
    """Yield ``r`` after each of ``epochs`` updates ``r <- r - lr dL/dr`` (2024 Eq. 13)."""
    r, r_star = np.array(r0, dtype=float), np.asarray(optimal_r(T))
    for _ in range(epochs):
        r = r - lr * _grad(r, r_star)
        yield r


def train(r0, lr, epochs, T=TOY.T, record_every=1):
    """Plain gradient descent on the analytic loss, one update per epoch (Fig. 2B-D).

    ``r0``, ``lr`` and ``T`` broadcast against each other, so a whole learning-rate
    sweep with many initial conditions is one call. ``r`` and the loss are recorded
    every ``record_every`` epochs (which must divide ``epochs``). Returns a :class:`ToyRun`.
    """
    lr, T = positive("lr", lr), positive("T", T)
    epochs = positive_int("epochs", epochs)
    record_every = positive_int("record_every", record_every)
    if epochs % record_every:
        raise ValueError(f"record_every={record_every} must divide epochs={epochs}")
    r0, lr, T = np.broadcast_arrays(real("r0", r0), lr, T)
    recorded = np.arange(0, epochs + 1, record_every)
    r = np.empty((len(recorded),) + r0.shape)
    r[0] = r0
    for k, r_k in enumerate(_descend(r0, lr, epochs, T), start=1):
        if k % record_every == 0:
            r[k // record_every] = r_k
    return ToyRun(epochs=recorded, r=r, loss=np.asarray(analytic_loss(r, T)), lr=lr, T=T)


def empirical_critical_learning_rate(T=TOY.T, epochs=TOY.critical_epochs, r0_factor=TOY.r0_factor,
                                     bracket=TOY.critical_bracket, rtol=1e-3):
    """The learning rate above which GD from ``r0 = r0_factor * r*`` ends stuck.

    Bisection in log space between ``bracket`` (in units of 2024 Eq. 15's ``alpha*``)
    on the predicate "after ``epochs`` updates, ``r < r*/4``". Vectorised over ``T``:
    all delays are bisected together. Stops when ``hi / lo < 1 + rtol``.

    Near ``alpha*`` the predicate is not monotone (the oscillation about ``r*`` is
    chaotic), so the result is *a* transition, within a few percent of ``alpha*``.
    """
    T = positive("T", T)
    epochs = positive_int("epochs", epochs)
    positive("r0_factor", r0_factor), positive("rtol", rtol)
    if len(bracket) != 2 or not 0 < positive("bracket", bracket)[0] < bracket[1]:
        raise ValueError(f"bracket must be (lo, hi) with 0 < lo < hi, got {bracket!r}")
    alpha = np.asarray(critical_learning_rate(T))
    r0 = r0_factor * np.asarray(optimal_r(T))
    lo, hi = alpha * bracket[0], alpha * bracket[1]

    def stuck(lr):
        *_, r_final = _descend(r0, lr, epochs, T)
        return in_no_learning_zone(r_final, T)

    if np.any(stuck(lo)) or not np.all(stuck(hi)):
        raise ValueError(f"bracket {bracket!r} (in units of alpha*) does not bracket the transition")
    while np.any(hi / lo > 1 + rtol):
        mid = np.sqrt(lo * hi)
        is_stuck = stuck(mid)
        hi, lo = np.where(is_stuck, mid, hi), np.where(is_stuck, lo, mid)
    return _out(np.sqrt(lo * hi))
