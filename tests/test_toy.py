"""The toy model x' = x^2 + r (End Matter, Eqs. 7, 12-15) against independent oracles.

Oracles: SciPy's ``solve_ivp`` for Eq. 7, SymPy and central finite differences for
Eqs. 13-15, hand-written formulas for Eq. 12, and brute-force loops for broadcasting.
Hypothesis runs derandomised, so every run draws the same examples.
"""
import contextlib
import signal
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from ghostbook import toy

PROPERTY = settings(derandomize=True, deadline=None, max_examples=200)
T_FIG2 = 100.0
R_STAR = np.pi**2 / (4 * T_FIG2**2)  # written out, not taken from toy.optimal_r

delays = st.floats(1.0, 1e4)
any_r = st.floats(allow_nan=False)


def scalar(f, *args, **kwargs):
    """Call ``f`` and check a scalar call gives a plain Python float."""
    out = f(*args, **kwargs)
    assert type(out) is float
    return out


@contextlib.contextmanager
def time_limit(seconds):
    """Raise ``TimeoutError`` if the body runs longer than ``seconds`` (main thread only)."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- Test configuration -----------------------------------------------------------


def test_runtime_warnings_raised_inside_ghostbook_are_errors():
    """pyproject's filterwarnings turns ghostbook's RuntimeWarnings into failures here."""
    with pytest.raises(RuntimeWarning):
        exec("np.divide(np.float64(1.0), 0.0)", vars(toy))


# --- Closed forms: Eq. 7, r*, t*, Eq. 15 ------------------------------------------


def ode_solution(r, t):
    sol = solve_ivp(lambda _, x: x**2 + r, (0.0, t[-1]), [0.0], method="DOP853",
                    t_eval=t, rtol=1e-13, atol=1e-15 * max(np.sqrt(abs(r)), 1e-3))
    assert sol.success
    return sol.y[0]


@pytest.mark.parametrize("r", [R_STAR / 4, R_STAR, 1e-2, 1.0, 25.0])
def test_trajectory_matches_ode_solver_before_escape(r):
    t = np.linspace(0.0, 0.95 * np.pi / (2 * np.sqrt(r)), 60)
    x = toy.trajectory(r, t)
    np.testing.assert_allclose(x, ode_solution(r, t), rtol=1e-9, atol=1e-12 * np.sqrt(r))
    assert np.all(np.diff(x) > 0)


@pytest.mark.parametrize("r", [-R_STAR, -1e-2, -1.0, -25.0])
def test_trajectory_matches_ode_solver_for_negative_r(r):
    t = np.linspace(0.0, 20 / np.sqrt(-r), 60)
    x = toy.trajectory(r, t)
    np.testing.assert_allclose(x, ode_solution(r, t), rtol=1e-9, atol=1e-12 * np.sqrt(-r))
    assert x[-1] == pytest.approx(-np.sqrt(-r), rel=1e-12)  # the stable fixed point


def test_trajectory_at_r_zero_stays_at_the_origin():
    t = np.linspace(0.0, 1e4, 50)
    np.testing.assert_array_equal(toy.trajectory(0.0, t), ode_solution(0.0, t))
    np.testing.assert_array_equal(toy.trajectory(0.0, t), 0.0)


@PROPERTY
@given(r=st.floats(1e-12, 1e6), after=st.floats(0.0, 1e3))
def test_trajectory_is_infinite_from_escape_on_and_finite_before(r, after):
    t_esc = np.pi / (2 * np.sqrt(r))
    assert scalar(toy.trajectory, r, t_esc * (1 + after)) == np.inf
    assert toy.trajectory(r, toy.escape_time(r)) == np.inf
    just_before = toy.trajectory(r, np.nextafter(toy.escape_time(r), 0.0))
    assert np.isfinite(just_before) and just_before > 0


@PROPERTY
@given(r=any_r)
def test_escape_time_closed_form(r):
    expected = np.pi / (2 * np.sqrt(r)) if r > 0 else np.inf
    assert scalar(toy.escape_time, r) == pytest.approx(expected, rel=1e-15)


@PROPERTY
@given(T=st.floats(1e-3, 1e6))
def test_optimal_r_makes_the_analytic_loss_zero(T):
    r_star = scalar(toy.optimal_r, T)
    assert r_star == pytest.approx(np.pi**2 / (4 * T**2), rel=1e-15)
    assert toy.escape_time(r_star) == pytest.approx(T, rel=1e-15)
    assert toy.analytic_loss(r_star, T) == pytest.approx(0.0, abs=1e-14 * T)
    assert toy.analytic_loss(r_star * (1 + 1e-6), T) > 0
    assert toy.analytic_loss(r_star * (1 - 1e-6), T) > 0


def test_critical_learning_rate_is_eq_15():
    T = np.geomspace(10, 1000, 7)
    np.testing.assert_allclose(toy.critical_learning_rate(T), 3 * np.pi**4 / 32 * T**-5.0,
                               rtol=1e-14)
    assert scalar(toy.critical_learning_rate, T_FIG2) == pytest.approx(9.13e-10, rel=1e-3)


def test_eq_15_follows_from_eq_14_symbolically():
    """alpha * |dL/dr| at r*+ equals (3/4) r*  <=>  alpha = 3 pi^4 / 32 T^-5."""
    r, T, alpha = sp.symbols("r T alpha", positive=True)
    r_star = sp.pi**2 / (4 * T**2)
    right_slope = sp.limit(sp.diff(T - sp.pi / (2 * sp.sqrt(r)), r), r, r_star)
    (solution,) = sp.solve(sp.Eq(alpha * right_slope, sp.Rational(3, 4) * r_star), alpha)
    assert sp.simplify(solution - 3 * sp.pi**4 / (32 * T**5)) == 0
    for T_value in (30.0, 100.0, 300.0):
        assert toy.critical_learning_rate(T_value) == pytest.approx(
            float(solution.subs(T, T_value)), rel=1e-13)


# --- Eq. 12: the analytic loss -----------------------------------------------------


@PROPERTY
@given(u=st.floats(0.0, 0.2499), T=delays)
def test_analytic_loss_is_T_in_the_no_learning_zone(u, T):
    r_star = np.pi**2 / (4 * T**2)
    assert scalar(toy.analytic_loss, u * r_star, T) == T
    assert toy.analytic_loss(-u * r_star, T) == T
    assert toy.in_no_learning_zone(u * r_star, T)


@PROPERTY
@given(u=st.floats(0.25, 1e8), T=delays)
def test_analytic_loss_is_distance_to_escape_time_above_quarter_r_star(u, T):
    r = u * np.pi**2 / (4 * T**2)
    assert scalar(toy.analytic_loss, r, T) == pytest.approx(
        abs(T - np.pi / (2 * np.sqrt(r))), rel=1e-12, abs=1e-12 * T)
    assert not toy.in_no_learning_zone(r * (1 + 1e-12), T)


@PROPERTY
@given(T=delays)
def test_analytic_loss_is_continuous_at_quarter_r_star(T):
    edge = np.pi**2 / (16 * T**2)
    for r in (edge * (1 - 1e-9), edge, edge * (1 + 1e-9)):
        assert toy.analytic_loss(r, T) == pytest.approx(T, rel=1e-8)


@PROPERTY
@given(r=any_r, T=st.floats(1e-3, 1e6))
def test_analytic_loss_lies_between_zero_and_T(r, T):
    loss = toy.analytic_loss(r, T)
    assert 0.0 <= loss <= T


def test_analytic_loss_never_exceeds_T_at_the_boundary():
    T = np.geomspace(1e-3, 1e6, 1001)
    loss = toy.analytic_loss(toy.optimal_r(T) / 4, T)
    assert np.all(loss <= T), f"{np.sum(loss > T)} of {T.size} delays give L > T"


# --- Eqs. 13-14: the gradient ------------------------------------------------------


@PROPERTY
@given(u=st.one_of(st.just(0.0), st.floats(1e-9, 0.249), st.floats(0.251, 0.999),
                   st.floats(1.001, 1e6)),
       T=delays)
def test_analytic_grad_matches_central_finite_difference(u, T):
    r = u * np.pi**2 / (4 * T**2)
    h = 1e-6 * r if r > 0 else 1e-6 * np.pi**2 / (4 * T**2)
    fd = (toy.analytic_loss(r + h, T) - toy.analytic_loss(r - h, T)) / (2 * h)
    grad = scalar(toy.analytic_grad, r, T)
    assert grad == pytest.approx(fd, rel=1e-5)


def test_analytic_grad_matches_sympy_derivative_of_each_branch():
    r, T = sp.symbols("r T", positive=True)
    slope = sp.lambdify((r, T), sp.diff(T - sp.pi / (2 * sp.sqrt(r)), r))
    for T_value in (10.0, 100.0, 1000.0):
        r_star = np.pi**2 / (4 * T_value**2)
        inner = r_star * np.linspace(0.26, 0.99, 30)   # L = t* - T
        outer = r_star * np.geomspace(1.0, 1e6, 30)   # L = T - t*
        np.testing.assert_allclose(toy.analytic_grad(inner, T_value),
                                   -slope(inner, T_value), rtol=1e-13)
        np.testing.assert_allclose(toy.analytic_grad(outer, T_value),
                                   slope(outer, T_value), rtol=1e-13)


@PROPERTY
@given(u=st.one_of(st.just(0.0), st.floats(5e-324, 1e6), st.floats(-1e6, -5e-324)), T=delays)
def test_sign_structure_of_eq_13(u, T):
    r_star = np.pi**2 / (4 * T**2)
    grad = toy.analytic_grad(u * r_star, T)
    if u < 0.2499:
        assert grad == 0.0
    elif 0.2501 < u < 0.9999:
        assert grad < 0
    elif u >= 1:
        assert grad > 0


@pytest.mark.parametrize("T", [10.0, 100.0, 1000.0])
def test_one_sided_slopes_at_r_star_are_eq_14(T):
    kink = 2 * T**3 / np.pi**2
    r_star = toy.optimal_r(T)
    assert toy.analytic_grad(r_star * (1 - 1e-12), T) == pytest.approx(-kink, rel=1e-9)
    assert toy.analytic_grad(r_star * (1 + 1e-12), T) == pytest.approx(kink, rel=1e-9)
    assert toy.analytic_grad(r_star, T) == pytest.approx(kink, rel=1e-12)  # right derivative
    r, T_sym = sp.symbols("r T", positive=True)
    left = sp.limit(sp.diff(sp.pi / (2 * sp.sqrt(r)) - T_sym, r), r, sp.pi**2 / (4 * T_sym**2))
    assert sp.simplify(left + 2 * T_sym**3 / sp.pi**2) == 0


# --- Vectorisation ---------------------------------------------------------------

R_VALUES = np.array([-np.inf, -1.0, -R_STAR, 0.0, 1e-10, R_STAR / 4, R_STAR / 2, R_STAR,
                     10 * R_STAR, 1.0, 1e100, np.inf])


@pytest.mark.parametrize("f", [toy.escape_time, lambda r: toy.analytic_loss(r, T_FIG2),
                               lambda r: toy.analytic_grad(r, T_FIG2)])
def test_array_results_equal_elementwise_scalar_calls(f):
    batch = f(R_VALUES.reshape(3, 4))
    assert isinstance(batch, np.ndarray) and batch.shape == (3, 4)
    np.testing.assert_array_equal(batch.ravel(), [scalar(f, r) for r in R_VALUES])


def test_trajectory_broadcasts_over_r_and_t():
    r = np.array([-1.0, 0.0, R_STAR, 1.0])
    t = np.array([0.0, 0.5, 10.0, 80.0, 200.0])
    grid = toy.trajectory(r[:, None], t[None, :])
    assert grid.shape == (4, 5)
    np.testing.assert_array_equal(grid, [[scalar(toy.trajectory, ri, ti) for ti in t] for ri in r])


def test_delay_functions_broadcast_over_T():
    T = np.array([30.0, 100.0, 300.0])
    np.testing.assert_array_equal(toy.optimal_r(T), [toy.optimal_r(x) for x in T])
    np.testing.assert_array_equal(toy.critical_learning_rate(T),
                                  [toy.critical_learning_rate(x) for x in T])
    np.testing.assert_array_equal(toy.analytic_loss(1e-4, T), [toy.analytic_loss(1e-4, x) for x in T])
    np.testing.assert_array_equal(toy.analytic_grad(1e-4, T), [toy.analytic_grad(1e-4, x) for x in T])


def test_simulated_loss_array_equals_scalar_calls():
    """Equal up to summation order: NumPy sums a 1-D array pairwise, axis 0 of a 2-D one in sequence."""
    batch = toy.simulated_loss(R_VALUES, T_FIG2, c=1.0)
    assert batch.shape == R_VALUES.shape
    np.testing.assert_allclose(batch, [scalar(toy.simulated_loss, r, T_FIG2, c=1.0) for r in R_VALUES],
                               rtol=1e-13)


def test_zero_d_inputs_return_floats():
    assert type(toy.analytic_loss(np.float64(1e-3), np.array(100.0))) is float
    assert type(toy.trajectory(np.array(-1.0), np.float32(2.0))) is float


# --- Finite-confidence loss (Eq. 1) and forward Euler ------------------------------


@PROPERTY
@given(r=st.one_of(any_r, st.sampled_from([np.inf, -np.inf, 1e300, -1e300, 0.0])),
       c=st.floats(1e-3, 1e3), x_star=st.floats(-1e3, 1e3))
def test_simulated_loss_is_finite_and_between_zero_and_2T(r, c, x_star):
    loss = scalar(toy.simulated_loss, r, T=20.0, c=c, x_star=x_star, dt=0.5)
    assert np.isfinite(loss) and 0.0 <= loss <= 2 * 20.0


@PROPERTY
@given(r=st.sampled_from([R_STAR, 10 * R_STAR, np.inf, -np.inf]), c=st.floats(1e303, 1e308))
def test_simulated_loss_with_huge_confidence_is_finite(r, c):
    loss = toy.simulated_loss(r, T=20.0, c=c, dt=0.5)
    assert np.isfinite(loss) and 0.0 <= loss <= 40.0


def test_simulated_loss_approaches_analytic_loss_in_the_sharp_limit():
    """Refining (c, x*, dt) by 10x each: the gap shrinks at each step, below 0.02 (2e-4 T) at the end."""
    r = R_STAR * np.array([0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 3.0, 10.0, 100.0])
    exact = toy.analytic_loss(r, T_FIG2)
    gaps = [np.max(np.abs(toy.simulated_loss(r, T_FIG2, c=c, x_star=x_star, dt=dt) - exact))
            for c, x_star, dt in [(1.0, 10.0, 0.1), (10.0, 100.0, 0.01), (100.0, 1000.0, 0.001)]]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[0] > 0.1 and gaps[2] < 0.02


def test_euler_trajectory_converges_at_first_order():
    r = R_STAR * np.array([-4.0, -1.0, 0.5, 1.0, 2.0, 4.0])  # all escape after t = 40
    errors = []
    for dt in (0.1, 0.05, 0.025):
        t, x = toy.euler_trajectory(r, 40.0, dt)
        assert t.shape == (round(40.0 / dt),) and x.shape == t.shape + r.shape
        assert t[0] == pytest.approx(dt) and t[-1] == pytest.approx(40.0)
        errors.append(np.max(np.abs(x - toy.trajectory(r[None, :], t[:, None])), axis=0))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    np.testing.assert_allclose(ratios, 2.0, rtol=0.05)
    assert np.all(errors[-1] < 1e-3)


def test_euler_trajectory_is_clipped_not_overflowing():
    _, x = toy.euler_trajectory(np.array([-np.inf, -1e300, 1e300, np.inf, 1.0]), 10.0, 0.1)
    assert np.all(np.isfinite(x)) and np.max(np.abs(x)) == toy.CLIP
    np.testing.assert_array_equal(x[-1], [-toy.CLIP, -toy.CLIP, toy.CLIP, toy.CLIP, toy.CLIP])


# --- Gradient descent (Fig. 2B-D) ------------------------------------------------


def test_train_broadcasts_bit_identically_to_separate_calls():
    rng = np.random.default_rng(0)
    r0 = R_STAR * 10 ** rng.uniform(-1, 2, 4)
    lrs = 10 ** rng.uniform(-11, -8.5, 3)
    batch = toy.train(r0[None, :], lrs[:, None], 2000, T_FIG2)
    assert batch.r.shape == batch.loss.shape == (2001, 3, 4)
    assert batch.lr.shape == batch.T.shape == (3, 4)
    for i, lr in enumerate(lrs):
        for j, r in enumerate(r0):
            alone = toy.train(r, lr, 2000, T_FIG2)
            assert alone.r.shape == (2001,)
            np.testing.assert_array_equal(batch.r[:, i, j], alone.r)
            np.testing.assert_array_equal(batch.loss[:, i, j], alone.loss)


def test_train_broadcasts_over_T():
    T = np.array([50.0, 100.0, 200.0])
    r0 = 10 * np.pi**2 / (4 * T**2)
    batch = toy.train(r0, 1e-11, 500, T)
    for k in range(3):
        np.testing.assert_array_equal(batch.r[:, k], toy.train(r0[k], 1e-11, 500, T[k]).r)


def test_train_history_follows_the_update_rule():
    run = toy.train(10 * R_STAR, 1e-10, 6, T_FIG2)
    np.testing.assert_array_equal(run.epochs, np.arange(7))
    r = 10 * R_STAR
    for k in range(7):
        assert run.r[k] == r and run.loss[k] == toy.analytic_loss(r, T_FIG2)
        r = r - 1e-10 * toy.analytic_grad(r, T_FIG2)


def test_train_records_every_kth_epoch():
    r0 = R_STAR * np.array([2.0, 10.0])
    full = toy.train(r0, 1e-10, 300, T_FIG2)
    sparse = toy.train(r0, 1e-10, 300, T_FIG2, record_every=50)
    np.testing.assert_array_equal(sparse.epochs, np.arange(0, 301, 50))
    assert sparse.r.shape == sparse.loss.shape == (7, 2)
    np.testing.assert_array_equal(sparse.r, full.r[::50])
    np.testing.assert_array_equal(sparse.loss, full.loss[::50])
    with pytest.raises(ValueError, match="record_every"):
        toy.train(r0, 1e-10, 300, T_FIG2, record_every=7)


def test_fig_2bc_small_learning_rate_learns_abruptly():
    run = toy.train(10 * R_STAR, 1e-10, 3000, T_FIG2)
    first_below_half = int(np.argmax(run.loss < T_FIG2 / 2))
    assert run.loss[first_below_half] < T_FIG2 / 2
    assert 1000 < first_below_half < 2000
    assert np.all(run.r > 0) and not run.ended_in_zone


def test_fig_2bc_large_learning_rate_ends_in_the_no_learning_zone():
    run = toy.train(10 * R_STAR, 1e-9, 3000, T_FIG2)
    assert run.ended_in_zone and run.loss[-1] == T_FIG2
    assert np.min(run.loss) < T_FIG2 / 2  # it passed through the minimum before getting stuck


def fig_2d_initial_conditions(repeats=10):
    """r0 = 10 r* + N(0, r*/10); repeat i uses np.random.default_rng(i)."""
    return np.array([10 * R_STAR + np.random.default_rng(i).normal(0.0, R_STAR / 10)
                     for i in range(repeats)])


def test_fig_2d_sweep_separates_at_the_critical_learning_rate():
    lrs = np.logspace(-11, -8, 100)
    run = toy.train(fig_2d_initial_conditions()[:, None], lrs[None, :], 10_000, T_FIG2,
                    record_every=10_000)
    assert run.r.shape == (2, 10, 100) and run.ended_in_zone.shape == (10, 100)
    assert not np.any(run.ended_in_zone[:, lrs <= 5e-10])
    assert np.all(run.ended_in_zone[:, lrs >= 1e-9])


def test_seeded_initial_conditions_reproduce_bit_for_bit():
    first, second = fig_2d_initial_conditions(), fig_2d_initial_conditions()
    np.testing.assert_array_equal(first, second)
    assert len(np.unique(first)) == 10
    runs = [toy.train(r0, 3e-10, 1000, T_FIG2) for r0 in (first, second)]
    np.testing.assert_array_equal(runs[0].r, runs[1].r)


# --- Empirical critical learning rate ------------------------------------------------


def test_empirical_critical_learning_rate_matches_eq_15():
    alpha = scalar(toy.empirical_critical_learning_rate, T_FIG2)
    assert alpha == pytest.approx(3 * np.pi**4 / 32 * T_FIG2**-5, rel=0.05)


def test_empirical_critical_learning_rate_scales_as_T_to_minus_5():
    T = np.geomspace(30, 300, 5)
    alpha = toy.empirical_critical_learning_rate(T, rtol=1e-2)
    assert alpha.shape == (5,)
    slope, _ = np.polyfit(np.log(T), np.log(alpha), 1)
    assert slope == pytest.approx(-5, abs=0.05)


@pytest.mark.parametrize("bracket", [(2.0, 10.0), (0.1, 0.5)])
def test_bracket_that_does_not_bracket_raises(bracket):
    with pytest.raises(ValueError, match="bracket"):
        toy.empirical_critical_learning_rate(T_FIG2, epochs=5000, bracket=bracket)


@pytest.mark.parametrize("bracket", [(0.0, 10.0), (-1.0, 10.0)])
def test_non_positive_bracket_raises(bracket):
    with time_limit(5.0), pytest.raises(ValueError, match="bracket"):
        toy.empirical_critical_learning_rate(T_FIG2, epochs=2000, bracket=bracket)


# --- Overflow and extreme inputs -----------------------------------------------------


@pytest.mark.parametrize("r", [np.inf, -np.inf, 0.0, -1.0, -1e300, 1e-10, 1e-200, 1e200,
                               1e-300,
                               5e-324,
                               1e300])
def test_loss_and_gradient_are_never_nan(r):
    loss, grad = toy.analytic_loss(r, T_FIG2), toy.analytic_grad(r, T_FIG2)
    assert not np.isnan(loss) and not np.isnan(grad)
    # every r here is in the no-learning zone or so large that t* ~ 0 and the slope vanishes
    assert loss == pytest.approx(T_FIG2, rel=1e-12)
    assert grad == pytest.approx(0.0, abs=1e-290)


@pytest.mark.parametrize("r0", [-np.inf, -1e300, -1.0, 0.0, 1e-10, 1e200, np.inf,
                                1e-300,
                                1e300])
def test_train_from_extreme_r0_stays_nan_free(r0):
    run = toy.train(r0, 1e-9, 100, T_FIG2)
    assert not np.any(np.isnan(run.r)) and not np.any(np.isnan(run.loss))


def test_trajectory_at_infinite_r_is_never_nan():
    x = toy.trajectory(np.array([-np.inf, np.inf])[:, None], np.array([0.0, 1.0])[None, :])
    assert not np.any(np.isnan(x))


# --- Argument checking ---------------------------------------------------------------

BAD_POSITIVE = [0.0, -1.0, np.nan, np.inf]
BAD_EPOCHS = [0, -1, 1.5, True]


@pytest.mark.parametrize("bad", BAD_POSITIVE)
@pytest.mark.parametrize("call", [
    lambda T: toy.optimal_r(T),
    lambda T: toy.critical_learning_rate(T),
    lambda T: toy.analytic_loss(1e-3, T),
    lambda T: toy.analytic_grad(1e-3, T),
    lambda T: toy.in_no_learning_zone(1e-3, T),
    lambda T: toy.simulated_loss(1e-3, T, 1.0),
    lambda T: toy.train(1e-3, 1e-10, 5, T=T),
    lambda T: toy.train(1e-3, 1e-10, 5, T=np.array([100.0, T])),
    lambda T: toy.empirical_critical_learning_rate(T, epochs=5),
])
def test_bad_T_raises(call, bad):
    with pytest.raises(ValueError, match="^T must"):
        call(bad)


@pytest.mark.parametrize("bad", BAD_POSITIVE)
def test_bad_c_dt_lr_raise(bad):
    with pytest.raises(ValueError, match="^c must"):
        toy.simulated_loss(1e-3, T_FIG2, c=bad)
    with pytest.raises(ValueError, match="^dt must"):
        toy.simulated_loss(1e-3, T_FIG2, 1.0, dt=bad)
    with pytest.raises(ValueError, match="^dt must"):
        toy.euler_trajectory(1e-3, 10.0, dt=bad)
    with pytest.raises(ValueError, match="^lr must"):
        toy.train(1e-3, bad, 5)
    with pytest.raises(ValueError, match="^lr must"):
        toy.train(1e-3, np.array([1e-10, bad]), 5)


def test_dt_longer_than_the_trial_raises():
    with pytest.raises(ValueError, match="^dt must"):
        toy.simulated_loss(1e-3, 1.0, 1.0, dt=10.0)


@pytest.mark.parametrize("bad", BAD_EPOCHS)
def test_bad_epochs_raise(bad):
    with pytest.raises(ValueError, match="^epochs must"):
        toy.train(1e-3, 1e-10, bad)
    with pytest.raises(ValueError, match="^epochs must"):
        toy.empirical_critical_learning_rate(100.0, epochs=bad)


def test_integer_like_epochs_are_accepted():
    assert toy.train(1e-3, 1e-10, np.int64(3)).r.shape == (4,)


@pytest.mark.parametrize("name, call", [
    ("r", lambda: toy.escape_time(np.nan)),
    ("r", lambda: toy.trajectory(np.array([1.0, np.nan]), 1.0)),
    ("r", lambda: toy.analytic_loss(np.nan, 100.0)),
    ("r", lambda: toy.analytic_grad(np.nan, 100.0)),
    ("r", lambda: toy.in_no_learning_zone(np.nan, 100.0)),
    ("r", lambda: toy.simulated_loss(np.nan, T_FIG2, 1.0)),
    ("r", lambda: toy.euler_trajectory(np.nan, 10.0)),
    ("r0", lambda: toy.train(np.nan, 1e-10, 5)),
    ("t", lambda: toy.trajectory(1.0, np.nan)),
    ("t", lambda: toy.trajectory(1.0, -1e-9)),
    ("t", lambda: toy.trajectory(np.array([1.0, 2.0]), np.array([0.0, -1.0]))),
    ("x_star", lambda: toy.simulated_loss(1e-3, T_FIG2, 1.0, x_star=np.nan)),
])
def test_bad_r_t_x_star_raise_naming_the_parameter(name, call):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        call()


def test_no_warnings_leak_from_ordinary_calls():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        toy.simulated_loss(R_VALUES, T_FIG2, c=10.0)
        toy.train(R_VALUES, 1e-10, 50)
        toy.trajectory(R_VALUES[1:-1, None], np.linspace(0, 300, 7)[None, :])


# --- The gradient of the finite-confidence loss (later version, Fig. 8A) ------------


def _autograd_simulated_grad(r, T, c, x_star, dt):
    """The same clipped Euler recursion in float64 PyTorch, differentiated by autograd."""
    import torch
    r = torch.tensor(np.asarray(r, dtype=float), requires_grad=True)
    x, loss = torch.zeros_like(r), torch.zeros_like(r)
    for k in range(1, int(round(2 * T / dt)) + 1):
        x = torch.clamp(x + dt * (x * x + r), -toy.CLIP, toy.CLIP)
        loss = loss + dt * (torch.sigmoid(c * (x - x_star)) - float(k * dt > T)) ** 2
    loss.sum().backward()
    return r.grad.numpy()


@pytest.mark.parametrize("c", [0.01, 0.1, 0.5, 1.0, 2.0])
def test_simulated_grad_equals_autograd_of_the_same_recursion(c):
    r = np.array([-1.0, -1e-3, 0.0, 1e-4, 0.3 * R_STAR, R_STAR, 3 * R_STAR, 0.1, 1.0, 50.0])
    np.testing.assert_allclose(toy.simulated_grad(r, 20.0, c, dt=0.1),
                               _autograd_simulated_grad(r, 20.0, c, 10.0, 0.1),
                               rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("c", [0.1, 1.0, 2.0])
def test_simulated_grad_matches_central_differences(c):
    """Away from the steps where a state first hits the clip (a kink of the loss)."""
    r = np.array([-0.5, 0.0, 2e-3, 0.5 * R_STAR, 2 * R_STAR, 0.05, 0.5, 5.0])
    h = 1e-6 * np.maximum(np.abs(r), 1e-2)   # the loss is ~20: roundoff ~1e-15 * 20 / h ~ 2e-6
    fd = (toy.simulated_loss(r + h, 20.0, c, dt=0.1) - toy.simulated_loss(r - h, 20.0, c, dt=0.1)) / (2 * h)
    np.testing.assert_allclose(toy.simulated_grad(r, 20.0, c, dt=0.1), fd, rtol=1e-4, atol=1e-5)


@PROPERTY
@given(r=st.one_of(any_r, st.sampled_from([np.inf, -np.inf, 1e300, -1e300, 0.0])),
       c=st.floats(1e-3, 1e3), x_star=st.floats(-1e3, 1e3))
def test_simulated_grad_is_finite_where_x_overflows(r, c, x_star):
    g = scalar(toy.simulated_grad, r, T=20.0, c=c, x_star=x_star, dt=0.5)
    assert np.isfinite(g)


def test_simulated_grad_is_zero_once_x_escapes_at_once_and_rejects_bad_input():
    assert toy.simulated_grad(np.inf, 20.0, 1.0) == 0.0 and toy.simulated_grad(1e9, 20.0, 1.0) == 0.0
    for name, kwargs in [("T", dict(T=0.0, c=1.0)), ("c", dict(T=20.0, c=-1.0)),
                         ("dt", dict(T=20.0, c=1.0, dt=0.0))]:
        with pytest.raises(ValueError, match=name):
            toy.simulated_grad(0.01, **kwargs)
