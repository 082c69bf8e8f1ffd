"""The nonlinear flip-flop RNN of Schuessler et al. (2020), Sec. 2: the task against a
brute-force definition, the PyTorch dynamics against a NumPy Euler loop, and the
rank truncation (Eq. 4) at its two ends."""
import dataclasses

import numpy as np
import pytest
import torch

from ghostbook import flipflop

TASK = flipflop.Task()


def test_targets_are_the_sign_of_the_last_pulse():
    u, z_hat = flipflop.trials(TASK, 50, np.random.default_rng(0))
    assert u.shape == z_hat.shape == (TASK.steps, 50, TASK.channels)
    assert set(np.unique(u)) == {-1.0, 0.0, 1.0}
    for trial, channel in np.ndindex(50, TASK.channels):
        last = 0.0
        for step in range(TASK.steps):
            last = u[step, trial, channel] or last
            assert z_hat[step, trial, channel] == last
    onsets = (u != 0) & (np.roll(u, 1, axis=0) == 0)
    assert np.all(u[1:][onsets[:-1]] == u[:-1][onsets[:-1]])       # a pulse lasts two steps
    assert 0.1 < onsets.mean() * 4 < 0.2                            # pulse_prob 0.15 per slot


def test_trials_reproduce_from_the_seed():
    a, b = (flipflop.trials(TASK, 8, np.random.default_rng(3)) for _ in range(2))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="^pulse_time "):
        flipflop.trials(dataclasses.replace(TASK, pulse_time=3.0), 8, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^n "):
        flipflop.trials(TASK, 0, np.random.default_rng(0))


def test_outputs_match_a_numpy_euler_loop():
    params = flipflop.init(12, 0.9, 2, seed=1)
    u, _ = flipflop.trials(TASK, 3, np.random.default_rng(1))
    W, m, w = (getattr(params, k).detach().double().numpy() for k in ("W", "m", "w"))
    x, expected = np.zeros((3, 12)), []
    for u_t in u.astype(float):
        x = x + TASK.dt * (-x + np.tanh(x) @ W.T + np.sqrt(12) * u_t @ m)
        expected.append(np.tanh(x) @ w.T / np.sqrt(12))
    np.testing.assert_allclose(flipflop.evaluate(params, TASK, u), expected, rtol=1e-4, atol=1e-6)


def test_truncation_at_zero_and_full_rank():
    params = flipflop.init(16, 0.6, 2, seed=2)
    u, z_hat = flipflop.trials(TASK, 16, np.random.default_rng(2))
    initial = flipflop.test_loss(params, TASK, u, z_hat)
    history = flipflop.train(params, TASK, 0.01, 20, 8, seed=2)
    assert history[-5:].mean() < history[:5].mean()
    assert np.linalg.matrix_rank(params.delta_W.numpy()) > 2
    losses = flipflop.truncated_losses(params, TASK, u, z_hat, [0, 16])
    assert losses[1] == pytest.approx(flipflop.test_loss(params, TASK, u, z_hat), rel=1e-4)
    with torch.no_grad():
        params.W.copy_(params.W0)
    assert losses[0] == pytest.approx(flipflop.test_loss(params, TASK, u, z_hat), rel=1e-6)
    assert losses[0] != pytest.approx(initial, rel=1e-3)          # m and w were trained too


def test_seeds_reproduce_bit_for_bit():
    runs = []
    for _ in range(2):
        params = flipflop.init(10, 0.3, 2, seed=4)
        runs.append((flipflop.train(params, TASK, 0.01, 3, 4, seed=5), params.W.detach().clone()))
    assert np.array_equal(runs[0][0], runs[1][0]) and torch.equal(runs[0][1], runs[1][1])


@pytest.mark.parametrize("call, name", [
    (lambda: flipflop.init(0, 0.5, 2, 0), "N"),
    (lambda: flipflop.init(10, -1.0, 2, 0), "g"),
    (lambda: flipflop.init(10, 0.5, 0, 0), "channels"),
    (lambda: flipflop.train(flipflop.init(4, 0.5, 2, 0), TASK, 0.0, 3, 2, 0), "lr"),
    (lambda: flipflop.train(flipflop.init(4, 0.5, 2, 0), TASK, 0.1, 0, 2, 0), "epochs"),
])
def test_bad_input_is_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        call()


def test_epochs_to_finds_the_first_epoch_of_the_running_mean_below_the_fraction():
    loss = np.concatenate([np.ones(50), np.full(50, 0.01)])
    assert flipflop.epochs_to(loss, 0.05, window=10) == 59   # the first window wholly after the drop ends there
    assert np.isnan(flipflop.epochs_to(np.ones(30), 0.05, window=10))
