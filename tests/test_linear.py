"""The linear RNN of Schuessler et al. (2020), Sec. 3, against independent oracles:
central finite differences and PyTorch autograd for the gradient (Eq. 6), the Euler
simulation for the readout (Eq. 5), a dense SVD for the recorded singular values and
the truncation (Eq. 4), and a hand-written gradient-descent loop for the trainer."""
import numpy as np
import pytest
import torch

from ghostbook import analysis, linear
from ghostbook.settings import SCALES

Z_HAT = 1.3


def perturbed(net, scale=0.05, seed=9):
    """``W0`` plus a random change, so that tests do not sit at the initial point."""
    rng = np.random.default_rng(seed)
    return net.W0 + scale * rng.standard_normal(net.W0.shape) / np.sqrt(net.N)


def test_gradient_matches_central_differences():
    net = linear.init(6, 0.5, 0)
    W, h = perturbed(net), 1e-6
    numeric = np.empty_like(W)
    for i, j in np.ndindex(*W.shape):
        step = np.zeros_like(W)
        step[i, j] = h
        numeric[i, j] = (linear.loss(W + step, net.m, net.w, Z_HAT)
                         - linear.loss(W - step, net.m, net.w, Z_HAT)) / (2 * h)
    np.testing.assert_allclose(linear.gradient(W, net.m, net.w, Z_HAT), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("g", [0.0, 0.6, 0.9])
def test_gradient_matches_autograd(g):
    net = linear.init(40, g, 1)
    W = perturbed(net)
    W_t = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    m, w = torch.tensor(net.m), torch.tensor(net.w)
    z = w @ torch.linalg.solve(torch.eye(net.N, dtype=torch.float64) - W_t, m)
    (0.5 * (Z_HAT - z) ** 2).backward()
    np.testing.assert_allclose(linear.gradient(W, net.m, net.w, Z_HAT), W_t.grad.numpy(),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("g", [0.0, 0.6, 0.9])
def test_readout_is_the_long_trial_limit_of_the_simulation(g):
    net = linear.init(50, g, 2)
    W = perturbed(net)
    t, z = linear.simulate(W, net.m, net.w, T=400.0, dt=0.5, t_on=1.0)
    assert t.shape == z.shape == (801,) and t[-1] == 400.0
    assert np.all(z[t <= 1.0] == 0) and z[t == 1.5][0] != 0     # input on from t = 1
    np.testing.assert_allclose(z[-1], linear.readout(W, net.m, net.w), rtol=1e-9)
    assert abs(z[6] - z[-1]) > 1e-3 * abs(z[-1])     # at t = 3 the trial has not converged yet


def test_train_is_plain_gradient_descent():
    net, lr, epochs = linear.init(20, 0.7, 3), 0.05, 6
    run = linear.train(net, Z_HAT, lr, epochs, n_sv=3, record_every=1)
    W, losses, norms, svs = net.W0.copy(), [], [], []
    for _ in range(epochs + 1):
        grad = linear.gradient(W, net.m, net.w, Z_HAT)
        losses.append(linear.loss(W, net.m, net.w, Z_HAT))
        norms.append(np.linalg.norm(grad))
        svs.append(np.linalg.svd(W - net.W0, compute_uv=False)[:3])
        W = W - lr * grad
    np.testing.assert_allclose(run.loss, losses, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(run.grad_norm, norms, rtol=1e-10)
    np.testing.assert_allclose(run.sv, svs, rtol=1e-8, atol=1e-12)
    W_final = W + lr * grad                       # the loop ran one update past the end
    np.testing.assert_allclose(run.W, W_final, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(run.tau, lr * np.arange(epochs + 1))


def test_sherman_morrison_stays_exact_over_a_long_run():
    net = linear.init(64, 0.9, 4)
    run = linear.train(net, 2.0, 3e-6, 200, record_every=50)     # N = 64: B is large
    assert 1e-8 * run.loss[0] < run.loss[-1] < 1e-4 * run.loss[0]   # learned, not yet exact
    np.testing.assert_allclose(run.loss[-1], linear.loss(run.W, net.m, net.w, 2.0), rtol=1e-6)
    np.testing.assert_allclose(run.grad_norm[-1], np.linalg.norm(linear.gradient(run.W, net.m, net.w, 2.0)),
                               rtol=1e-9)
    assert run.sv.shape == (5, 2) and np.all(np.diff(run.sv[:, 0]) > 0)
    np.testing.assert_allclose(run.sv[-1], np.linalg.svd(run.delta_W, compute_uv=False)[:2], rtol=1e-8)


def test_seeds_reproduce_bit_for_bit():
    a, b = linear.init(30, 0.6, 7), linear.init(30, 0.6, 7)
    assert all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("W0", "m", "w"))
    other = linear.init(30, 0.6, 8)
    assert not np.array_equal(a.m, other.m)
    weaker = linear.init(30, 0.3, 7)                  # same draws, W0 scaled with g
    assert np.array_equal(a.m, weaker.m) and np.array_equal(a.w, weaker.w)
    np.testing.assert_allclose(a.W0, 2 * weaker.W0, rtol=1e-15)
    runs = [linear.train(a, Z_HAT, 0.01, 20, record_every=5) for _ in range(2)]
    assert np.array_equal(runs[0].W, runs[1].W) and np.array_equal(runs[0].sv, runs[1].sv)
    assert np.array_equal(linear.shuffle(a.W0, 1), linear.shuffle(a.W0, 1))
    assert not np.array_equal(linear.shuffle(a.W0, 1), linear.shuffle(a.W0, 2))
    np.testing.assert_array_equal(np.sort(linear.shuffle(a.W0, 1).ravel()), np.sort(a.W0.ravel()))


def test_beta_at_large_N():
    """Eq. 12 against finite networks: both estimates within 10% of 1 / (1 - g^2)."""
    for g in (0.3, 0.6):
        measured = np.mean([linear.beta_measured(linear.init(1000, g, s)) for s in range(3)], axis=0)
        np.testing.assert_allclose(measured, linear.beta(g), rtol=0.1)
    assert linear.beta(0.0) == 1.0 and linear.first_order_time(0.6) == pytest.approx(0.64**2)


def test_first_step_has_the_norm_of_W1():
    """||W1|| = z_hat beta: the first update of a large network is lr z_hat beta."""
    g, lr = 0.5, 1e-3
    first = [linear.train(linear.init(800, g, s), Z_HAT, lr, 1).sv[1, 0] for s in range(3)]
    assert np.mean(first) / lr == pytest.approx(Z_HAT * linear.beta(g), rel=0.1)


def test_theory_functions_expand_consistently():
    tau = np.array([0.0, 1e-4, 0.3])
    for g in (0.0, 0.6):
        b = linear.beta(g)
        z1, z3 = (linear.readout_theory(tau, 2.0, g, order) for order in (1, 3))
        np.testing.assert_allclose(z1, 2.0 * b**2 * tau)
        assert z3[1] == pytest.approx(z1[1], rel=1e-3) and z3[2] != pytest.approx(z1[2], rel=1e-3)
        s = linear.singular_values_theory(tau, 2.0, g)
        assert s.shape == (2, 3) and s[0, 1] == pytest.approx(2.0 * b * 1e-4, rel=1e-3)
        assert linear.loss_theory(0.0, 2.0, g) == 2.0
    assert linear.shuffled_loss_theory(2.0, 0.0) == 0.0
    assert linear.shuffled_loss_theory(2.0, 0.6) == pytest.approx(2.0 * 0.6**4 * (2 - 0.36) ** 2)


def test_trial_and_threshold_are_not_restated_as_defaults():
    """The trial (T, dt, t_on) and the convergence threshold come from the settings table."""
    import inspect

    for function, names in ((linear.simulate, ("T", "dt", "t_on")),
                            (linear.convergence_tau, ("fraction",))):
        parameters = inspect.signature(function).parameters
        assert all(parameters[n].default is inspect.Parameter.empty for n in names)
    s = SCALES["linear"]["paper"]
    net = linear.init(8, 0.3, 0)
    t, _ = linear.simulate(net.W0, net.m, net.w, s.T, s.dt, s.t_on)
    assert t[-1] == s.T and t[1] == s.dt


def test_convergence_tau():
    tau = np.arange(5) * 0.1
    assert linear.convergence_tau(tau, np.array([1.0, 0.5, 0.06, 0.04, 0.0]), 0.05) == pytest.approx(0.3)
    assert np.isnan(linear.convergence_tau(tau, np.ones(5), 0.05))


@pytest.mark.parametrize("call, name", [
    (lambda: linear.init(0, 0.5, 0), "N"),
    (lambda: linear.init(2.5, 0.5, 0), "N"),
    (lambda: linear.init(10, -0.1, 0), "g"),
    (lambda: linear.init(10, 1.0, 0), "g"),
    (lambda: linear.beta(1.2), "g"),
    (lambda: linear.train(linear.init(5, 0.1, 0), 1.0, 0.0, 10), "lr"),
    (lambda: linear.train(linear.init(5, 0.1, 0), 1.0, 0.1, 0), "epochs"),
    (lambda: linear.train(linear.init(5, 0.1, 0), 1.0, 0.1, 5, n_sv=0), "n_sv"),
    (lambda: linear.readout_theory(0.1, 1.0, 0.5, order=4), "order"),
    (lambda: linear.simulate(np.eye(3) * 0, np.ones(3), np.ones(3), T=0.0, dt=0.5, t_on=1.0), "T"),
    (lambda: linear.simulate(np.eye(3) * 0, np.ones(3), np.ones(3), T=10.0, dt=-1.0, t_on=1.0), "dt"),
])
def test_bad_input_is_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        call()


def test_paper_scale_matches_the_reproduction_notes():
    s = SCALES["linear"]["paper"]
    assert (s.N, s.epochs, s.z_hats, s.base_lrs) == (1024, 200, (0.5, 1.0, 2.0), (0.015, 0.009, 0.003))
    np.testing.assert_allclose(s.gs, np.arange(10) / 10)
    assert (s.T, s.dt, s.t_on) == (101.0, 0.5, 1.0) and s.lr(0.6, 0.003) == pytest.approx(0.003 * 0.64**2)


def test_beta_scaling_fits_the_deviation_it_reports():
    Ns = np.array([32, 128, 512])
    deviation, slope, intercept = linear.beta_scaling(Ns, 3, 0.5)
    assert deviation.shape == (6, 3)
    estimate = linear.beta_measured(linear.init(128, 0.5, 2))
    np.testing.assert_allclose(deviation[[4, 5], 1], np.array(estimate) / linear.beta(0.5) - 1)
    rms = np.sqrt(np.mean(deviation**2, axis=0))
    np.testing.assert_allclose(np.exp(intercept) * Ns**slope, rms, rtol=0.5)
    assert slope < 0


def test_theory_takes_arrays_of_g_and_the_scalings_use_it():
    g = np.array([0.0, 0.3, 0.6, 0.9])
    np.testing.assert_allclose(linear.beta(g), 1 / (1 - g**2))
    np.testing.assert_allclose(linear.first_order_time(g), (1 - g**2) ** 2)
    np.testing.assert_allclose(linear.shuffled_loss_theory(2.0, g), 2.0 * g**4 * (2 - g**2) ** 2)
    with pytest.raises(ValueError, match="^g must"):
        linear.beta(np.array([0.5, 1.0]))
    s = SCALES["linear"]["quick"]
    run = {"delta_norm": np.ones((1, 1, 1)), "lr": np.ones((1, 1)), "loss": np.linspace(1, 0, s.epochs + 1)[None, None, None],
           "grad_norm": np.ones((1, 1, 1, s.epochs + 1)), "shuffled_loss": np.ones((1, 1, 1))}
    _, first_order = analysis.linear_scalings(run, s)
    np.testing.assert_allclose([first_order[k](g) for k in ("tau_star", "delta_norm", "grad_mean", "shuffled")],
                               [(1 - g**2) ** 2, 1 - g**2, 1 / (1 - g**2), g**4 * (2 - g**2) ** 2])
