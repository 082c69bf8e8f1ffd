"""The latent circuit (Eq. 4) on hand-built circuits whose fixed points and ghosts are known.

``f(kappa) = -kappa + A tanh(kappa) + C`` is built from two units: ``(m, n, b) = (1, A, 0)``
and a constant unit ``(0, C / tanh(1), 1)``. For ``A > 1``, ``g = -kappa + A tanh(kappa)``
is odd with a local minimum at ``kappa_- = -arccosh(sqrt(A))``; with ``C = -g(kappa_-) + eps``
the flow has a ghost of speed ``eps`` there (``eps > 0``) or two fixed points beside it
(``eps < 0``), closer together than any grid spacing when ``|eps|`` is small.
"""
import numpy as np
import pytest

from ghostbook import latent

A = 2.0
KAPPA_MINUS = -np.arccosh(np.sqrt(A))
G_MINUS = -KAPPA_MINUS + A * np.tanh(KAPPA_MINUS)                 # g at its local minimum (< 0)


def circuit(A=A, C=0.0):
    return np.array([1.0, 0.0]), np.array([A, C / np.tanh(1.0)]), np.array([0.0, 1.0])


def ghost_circuit(eps):
    return circuit(C=-G_MINUS + eps)


def test_flow_is_eq_4_and_batches():
    rng = np.random.default_rng(0)
    m, n, b = rng.standard_normal((3, 5, 20))
    kappa = np.linspace(-3, 3, 7)
    direct = [[-k + n[i] @ np.tanh(m[i] * k + b[i]) for k in kappa] for i in range(5)]
    np.testing.assert_allclose(latent.flow(kappa, m, n, b), direct, rtol=1e-13)
    assert latent.flow(kappa.reshape(7, 1), m[0], n[0], b[0]).shape == (7, 1)
    assert latent.flow(0.5, m, n, b).shape == (5,)


def test_derivatives_match_finite_differences():
    m, n, b = np.random.default_rng(1).standard_normal((3, 30))
    kappa, h = np.linspace(-4, 4, 9), 1e-5
    d1, d2 = latent.flow_derivatives(kappa, m, n, b)
    fd1 = (latent.flow(kappa + h, m, n, b) - latent.flow(kappa - h, m, n, b)) / (2 * h)
    fd2 = (latent.flow_derivatives(kappa + h, m, n, b)[0]
           - latent.flow_derivatives(kappa - h, m, n, b)[0]) / (2 * h)
    np.testing.assert_allclose(d1, fd1, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(d2, fd2, rtol=1e-6, atol=1e-7)


def test_pitchfork_circuit_has_three_fixed_points():
    portrait = latent.classify(*circuit(A=2.0))
    kappas = [p.kappa for p in portrait.fixed_points]
    x = 1.9150080481545276                                        # root of x = 2 tanh(x)
    np.testing.assert_allclose(kappas, [-x, 0.0, x], atol=1e-12)
    assert [p.stable for p in portrait.fixed_points] == [True, False, True]
    assert portrait.fixed_points[1].slope == pytest.approx(1.0)    # f'(0) = -1 + A
    assert portrait.ghosts == () and latent.count_fixed_points(*circuit(A=2.0)) == 3


@pytest.mark.parametrize("eps", [1e-6, 1e-3, 0.1])
def test_a_ghost_of_known_speed_is_found_where_it_is(eps):
    portrait = latent.classify(*ghost_circuit(eps))
    (ghost,) = portrait.ghosts
    assert ghost.kappa == pytest.approx(KAPPA_MINUS, abs=1e-9)
    assert ghost.speed == pytest.approx(eps, rel=1e-8)
    assert ghost.curvature == pytest.approx(-2 * np.tanh(KAPPA_MINUS), rel=1e-8)   # f'' = A g''
    (fp,) = portrait.fixed_points                                  # the other side: one stable point
    assert fp.stable and fp.kappa > 0 and abs(latent.flow(fp.kappa, *ghost_circuit(eps))) < 1e-13
    assert portrait.slowest_ghost == ghost


def test_fixed_points_closer_than_the_grid_are_not_mistaken_for_a_ghost():
    m, n, b = ghost_circuit(-1e-6)                                 # two roots ~2.4e-3 apart
    portrait = latent.classify(m, n, b)
    assert portrait.ghosts == ()
    left, middle, right = portrait.fixed_points
    assert left.stable and not middle.stable and right.stable
    assert left.kappa < KAPPA_MINUS < middle.kappa and middle.kappa - left.kappa < 30 / 4000
    assert all(abs(latent.flow(p.kappa, m, n, b)) < 1e-14 for p in portrait.fixed_points)
    assert latent.count_fixed_points(m, n, b) == 1                 # the authors' grid misses them


def test_grid_count_agrees_with_classify_on_random_circuits():
    rng = np.random.default_rng(2)
    m, n, b = 2 * rng.standard_normal((3, 40, 100)) / 10
    m *= rng.uniform(1, 15, (40, 1))                              # enough gain to make several
    counts = latent.count_fixed_points(m, n, b)
    assert counts.shape == (40,) and counts.max() > 1
    assert all(counts[i] == len(latent.classify(m[i], n[i], b[i]).fixed_points) for i in range(40))


def test_history_finds_the_ghost_then_the_saddle_node():
    eps = np.array([0.05, 0.04, 0.03, 0.02, 0.01, -0.01, -0.02, -0.03, -0.04, -0.05])
    m, n, b = (np.array(a) for a in zip(*(ghost_circuit(e) for e in eps)))   # (10, 2) each
    epochs = np.arange(10) * 100
    h = latent.history(m, n, b, epochs)
    assert h.n_fixed_points.tolist() == [1] * 5 + [3] * 5
    assert h.bifurcation_epochs == (500,) and h.ghost_epoch == 0
    np.testing.assert_allclose(h.ghost_speed[:5], eps[:5], rtol=1e-8)
    assert np.isnan(h.ghost_speed[5:]).all()
    assert h.min_ghost_epoch == 400 and h.min_ghost_speed == pytest.approx(0.01, rel=1e-8)
    assert latent.history(m, n, b, epochs, max_speed=0.025).ghost_epoch == 300


@pytest.mark.parametrize("call, name", [
    (lambda: latent.classify(*circuit(), kappa_range=(5, -5)), "kappa_range"),
    (lambda: latent.classify(*circuit(), points=2), "points"),
    (lambda: latent.classify(np.ones(3), np.ones(2), np.ones(3)), "m, n and b"),
    (lambda: latent.classify(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3))), "one network"),
    (lambda: latent.count_fixed_points(*circuit(), kappa_range=(0, np.inf)), "kappa_range"),
    (lambda: latent.history(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), [0]), "epochs"),
    (lambda: latent.history(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), max_speed=0), "max_speed"),
    (lambda: latent.history(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), chunk=0), "^chunk must"),
    (lambda: latent.history(*circuit()), "snapshots"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
