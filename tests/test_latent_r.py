"""The latent circuit in R dimensions (later version: 2-D ghosts) and the canonical form.

The 2-D circuits are the rank-one circuit of ``test_latent`` (``f1 = -kappa_1 + A tanh(kappa_1)
+ C``) beside a stable direction (``f2 = -kappa_2 + tanh(kappa_2 / 2)``), rotated by ``Q``: with
``m -> m Q^T`` and ``n -> n Q^T`` the flow becomes ``Q f(Q^T kappa)``, so fixed points and
ghosts move to ``Q kappa`` and keep their speeds and eigenvalues. ``C = -g(kappa_-) + eps``
puts a ghost of speed ``eps`` at ``kappa_-`` (``eps > 0``, one step past the saddle-node) or a
stable and an unstable fixed point beside it (``eps < 0``, one step before).
"""
import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp

from ghostbook import latent

A = 2.0
KAPPA_MINUS = -np.arccosh(np.sqrt(A))
G_MINUS = -KAPPA_MINUS + A * np.tanh(KAPPA_MINUS)
THETA = 0.7
Q = np.array([[np.cos(THETA), -np.sin(THETA)], [np.sin(THETA), np.cos(THETA)]])


def circuit_1d(eps):
    C = -G_MINUS + eps
    return np.array([1.0, 0.0]), np.array([A, C / np.tanh(1.0)]), np.array([0.0, 1.0])


def circuit_2d(eps, C=None):
    C = -G_MINUS + eps if C is None else C
    m = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.5]])
    n = np.array([[A, 0.0], [C / np.tanh(1.0), 0.0], [0.0, 1.0]])
    return m @ Q.T, n @ Q.T, np.array([0.0, 1.0, 0.0])


def test_flow_and_jacobian_in_r_dimensions():
    rng = np.random.default_rng(0)
    m, n = rng.standard_normal((2, 30, 3))
    b = rng.standard_normal(30)
    kappa = rng.standard_normal((5, 3))
    direct = [-k + n.T @ np.tanh(m @ k + b) for k in kappa]
    np.testing.assert_allclose(latent.flow(kappa, m, n, b), direct, rtol=1e-13)
    h, J = 1e-6, latent.jacobian(kappa, m, n, b)
    for j in range(3):
        e = np.eye(3)[j] * h
        fd = (latent.flow(kappa + e, m, n, b) - latent.flow(kappa - e, m, n, b)) / (2 * h)
        np.testing.assert_allclose(J[..., :, j], fd, rtol=1e-7, atol=1e-8)
    with pytest.raises(ValueError, match="kappa"):
        latent.flow(np.zeros(2), m, n, b)


def test_rank_r_with_r_one_is_the_rank_one_circuit():
    m, n, b = circuit_1d(1e-3)
    one, r = latent.classify(m, n, b), latent.classify(m[:, None], n[:, None], b)
    assert [p.kappa for p in r.fixed_points] == [p.kappa for p in one.fixed_points]
    assert r.ghosts[0].speed == one.ghosts[0].speed


@pytest.mark.parametrize("eps", [1e-6, 1e-3, 0.1])
def test_one_step_past_the_saddle_node_a_ghost_and_one_fixed_point(eps):
    m, n, b = circuit_2d(eps)
    portrait = latent.classify(m, n, b)
    (ghost,) = portrait.ghosts
    np.testing.assert_allclose(Q.T @ ghost.kappa, [KAPPA_MINUS, 0.0], atol=1e-9)
    assert ghost.speed == pytest.approx(eps, rel=1e-8)
    np.testing.assert_allclose(ghost.eigenvalues, [-0.5, 0.0], atol=1e-9)   # J^T f = 0: singular
    (fp,) = portrait.fixed_points
    assert fp.stable and (Q.T @ fp.kappa)[0] > 0 and np.linalg.norm(latent.flow(fp.kappa, m, n, b)) < 1e-14
    assert portrait.slowest_ghost is ghost


@pytest.mark.parametrize("eps", [-1e-3, -1e-6])
def test_one_step_before_three_fixed_points_one_unstable(eps):
    m, n, b = circuit_2d(eps)                                     # the pair ~sqrt(|eps|) apart
    portrait = latent.classify(m, n, b)
    assert portrait.ghosts == ()
    left, middle, right = sorted(portrait.fixed_points, key=lambda p: (Q.T @ p.kappa)[0])
    assert left.stable and not middle.stable and right.stable
    assert sum(middle.eigenvalues.real > 0) == 1                  # a saddle
    assert (Q.T @ left.kappa)[0] < KAPPA_MINUS < (Q.T @ middle.kappa)[0]
    assert all(np.linalg.norm(latent.flow(p.kappa, m, n, b)) < 1e-14 for p in portrait.fixed_points)


def test_pitchfork_in_two_dimensions():
    portrait = latent.classify(*circuit_2d(0.0, C=0.0))
    x = 1.9150080481545276                                        # root of x = 2 tanh(x)
    found = sorted((Q.T @ p.kappa)[0] for p in portrait.fixed_points)
    np.testing.assert_allclose(found, [-x, 0.0, x], atol=1e-12)
    assert [p.stable for p in sorted(portrait.fixed_points, key=lambda p: (Q.T @ p.kappa)[0])] == [True, False, True]


def test_no_minima_on_the_box_edge():
    # f = -kappa + (20, 5): the only fixed point lies outside the box, the speed falls towards
    # its edge, and nothing inside is a fixed point or a ghost
    m = np.zeros((2, 2))
    n = np.array([[20.0, 5.0], [0.0, 0.0]]) / np.tanh(1.0)
    portrait = latent.classify(m, n, np.array([1.0, 0.0]))
    assert portrait.fixed_points == () and portrait.ghosts == ()


@pytest.mark.parametrize("eps", [1e-6, 1e-4, 1e-2])
def test_canonical_form_of_a_hand_built_ghost(eps):
    one, two = latent.canonical_form(*circuit_1d(eps)), latent.canonical_form(*circuit_2d(eps))
    a = -np.tanh(KAPPA_MINUS)                                     # f''(kappa_-) / 2
    for c in (one, two):
        assert c.a == pytest.approx(a, rel=1e-7) and c.r == pytest.approx(eps, rel=1e-7)
        assert c.passage_time == pytest.approx(np.pi / np.sqrt(a * eps), rel=1e-7)
    np.testing.assert_allclose(abs(Q.T @ two.direction), [1.0, 0.0], atol=1e-7)


@pytest.mark.parametrize("eps", [1e-6, 1e-4, 1e-2])
def test_canonical_form_predicts_the_integrated_passage_time(eps):
    m, n, b = circuit_1d(eps)
    c = latent.canonical_form(m, n, b)
    delta = 0.1
    k_g = float(c.kappa[0])
    # time from kappa_g - delta to kappa_g + delta: dt = dkappa / f(kappa), f > 0 throughout
    t, _ = quad(lambda k: 1 / latent.flow(k, m, n, b), k_g - delta, k_g + delta, points=[k_g],
                limit=500, epsabs=0, epsrel=1e-11)
    # the canonical window time is right up to the cubic term, O(delta) relative
    assert t == pytest.approx(c.window_time(delta), rel=0.1)
    # the full passage time: right to O(sqrt(eps)) relative, since the window holds all but
    # ~2 / (a delta) of the time the quadratic flow needs from -inf to +inf
    assert abs(t - c.passage_time) < 2.5 / (c.a * delta)
    # and the same through the rotated 2-D circuit, integrated as an ODE
    m2, n2, b2 = circuit_2d(eps)
    c2 = latent.canonical_form(m2, n2, b2)
    w = c2.direction                                              # orthogonal slow direction here

    def leave(t, k):
        return w @ (k - c2.kappa) - delta
    leave.terminal, leave.direction = True, 1
    sol = solve_ivp(lambda t, k: latent.flow(k, m2, n2, b2), (0, 10 * c2.passage_time),
                    c2.kappa - delta * w, events=leave, rtol=1e-11, atol=1e-13, method="DOP853")
    assert sol.t_events[0][0] == pytest.approx(t, rel=1e-6)


def test_canonical_form_without_a_ghost_and_bad_input():
    assert latent.canonical_form(*circuit_1d(-1e-3)) is None
    with pytest.raises(ValueError, match="m and n"):
        latent.canonical_form(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros(4))


# --- slow points of a full rate network -------------------------------------------------------
# Three uncoupled units x_i' = -x_i + tanh(w_i x_i + b_i): unit 1 (w = 2) near its saddle-node
# at b_c = arctanh(1/sqrt 2) - sqrt 2 ... mirrored: past it (b = b_c + eps) its lower pair of
# fixed points is gone and a ghost of speed |F_1| at the minimum is left; unit 2 (w = 1/2) has
# one stable point at 0; unit 3 (w = 2, b = 0) three (two stable, one unstable).
B_C = np.sqrt(2.0) - np.arctanh(1 / np.sqrt(2.0))             # saddle-node of unit 1 at x = -1/sqrt 2


def rate_network(eps):
    return np.diag([2.0, 0.5, 2.0]), np.array([B_C + eps, 0.0, 0.0])


def unit_ghost_speed(eps):
    from scipy.optimize import minimize_scalar
    F = lambda x: -x + np.tanh(2 * x + B_C + eps)
    res = minimize_scalar(F, bounds=(-1.0, -0.3), method="bounded", options={"xatol": 1e-12})
    return res.fun


def starts():
    g = np.linspace(-1.2, 1.2, 5)
    return np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)


@pytest.mark.parametrize("eps", [1e-3, 1e-2])
def test_slow_points_past_the_saddle_node(eps):
    W, b = rate_network(eps)
    points = latent.slow_points(W, b, starts())
    fixed = [p for p in points if p.kind == "fixed point"]
    ghosts = [p for p in points if p.kind == "ghost"]
    assert len(fixed) == 3 and len(ghosts) == 3
    assert sorted(p.stable for p in fixed) == [False, True, True]
    speed = unit_ghost_speed(eps)
    for g in ghosts:
        assert g.speed == pytest.approx(speed, rel=1e-6)
        assert g.x[0] == pytest.approx(-1 / np.sqrt(2), abs=0.05) and abs(g.x[1]) < 1e-12
    assert all(np.linalg.norm(-p.x + np.tanh(p.x @ W + b)) < 1e-13 for p in fixed)
    assert points[0].kind == "fixed point" and points[-1].kind == "ghost"   # slowest first


def test_slow_points_before_the_saddle_node():
    W, b = rate_network(-1e-2)
    points = latent.slow_points(W, b, starts())
    assert all(p.kind == "fixed point" for p in points) and len(points) == 9
    assert sum(p.stable for p in points) == 4                       # 2 x 2 stable combinations


def test_iterate_is_the_rank_two_networks_latent_map():
    m, n, b = circuit_2d(1e-2)
    path = latent.iterate(np.array([0.3, -0.2]), m, n, b, dt=0.5, steps=5)
    k = np.array([0.3, -0.2])
    for t in range(5):
        k = 0.5 * k + 0.5 * n.T @ np.tanh(m @ k + b)
        np.testing.assert_allclose(path[t + 1], k, rtol=1e-14)


@pytest.mark.parametrize("eps", [1e-4, 1e-2, 0.1])
def test_passage_through_a_hand_built_ghost(eps):
    """The latent map with a small step is the flow; the time it spends in the window of one
    bottleneck width (``sqrt(r / a) ~ sqrt(eps)``) agrees with the canonical form's up to the
    counting of steps (one at each end: 2 / 4000) and the quartic term (the cubic term is odd
    in s and cancels to first order): O(eps) relative."""
    m, n, b = circuit_2d(eps)
    c = latent.canonical_form(m, n, b)
    dt = c.passage_time / 4000
    form, delta, predicted, measured = latent.passage(m, n, b, c.kappa - 3 * c.width * c.direction,
                                                      dt=dt, max_steps=100_000)
    assert delta == pytest.approx(c.width) and predicted == pytest.approx(c.passage_time / 2)
    assert measured == pytest.approx(predicted, rel=2 / 4000 + eps)
    # a start beyond the ghost never enters the window; one inside it is no passage
    assert np.isnan(latent.passage(m, n, b, c.kappa + 5 * c.width * c.direction, dt=dt)[3])
    assert np.isnan(latent.passage(m, n, b, c.kappa, dt=dt)[3])
    with pytest.raises(ValueError, match="dt"):
        latent.passage(m, n, b, c.kappa, dt=0)


def test_a_fixed_point_in_a_narrow_valley_beside_a_ghost_is_found():
    """The rank-2 DCDT network one snapshot after its plateau (epoch 93, committed paper
    result): its stable fixed point sits 0.56 up a valley (eigenvalues -3.2 across, -0.34
    along) from a ghost of speed 0.045, with the valley 0.025 off a grid column. Every grid
    point near the fixed point is off the floor by enough to be faster than the ghost, so
    minima of the speed on the grid miss it; descending from a lattice of starts finds it.
    That it exists: the flow from anywhere settles there."""
    from ghostbook import memory, results
    from ghostbook.settings import SCALES
    loaded = results.load("rank2_dcdt-paper", SCALES["rank2_dcdt"]["paper"])
    assert loaded is not None, "the committed rank2_dcdt paper result is missing or stale"
    run = loaded[0]
    i = list(run["snapshot_epochs"]).index(93)
    p = {k[len("snap_"):]: run[k][i] for k in run if k.startswith("snap_")}
    m, n, b = memory.latent_circuit(p)
    settled = np.asarray(latent.iterate(np.array([3.0, -3.0]), m, n, b, 0.05, 20_000))[-1]
    portrait = latent.classify(m, n, b, (-7.5, 7.5))
    (fp,) = portrait.fixed_points
    (ghost,) = portrait.ghosts
    assert fp.stable
    np.testing.assert_allclose(fp.kappa, settled, atol=1e-8)
    assert ghost.speed == pytest.approx(0.045, abs=1e-3)
