"""Schuessler's nonlinear tasks and networks (ghostbook.nonlinear): trials checked by hand
against the authors' generators, the hand-written gradient against autograd, Adam against
torch.optim.Adam, batching, resuming and bad input."""
import dataclasses

import numpy as np
import pytest
import torch

from ghostbook import lowrank, nonlinear as nl
from ghostbook.settings import SCALES, TASKS


class Scripted:
    """A stand-in for a NumPy generator that returns scripted draws, in call order."""

    def __init__(self, **draws):
        self.draws = {k: list(v) for k, v in draws.items()}

    def _next(self, kind, size):
        value = np.asarray(self.draws[kind].pop(0), dtype=float)
        return value.reshape(size) if size is not None else value

    def uniform(self, low, high, size=None):
        return self._next("uniform", size)

    def integers(self, low, high, size=None):
        return self._next("integers", size).astype(int)

    def choice(self, values, size=None):
        return self._next("choice", size)

    def standard_normal(self, size=None):
        return self._next("standard_normal", size)


def test_flipflop_trial_by_hand():
    t = TASKS["flipflop"]                        # dt 0.5: fixation 2 steps, pulse 2, wait 10
    # intervals 9.9, 10.3 -> (9.9 + 5) / 0.5 = 29.8 -> 29 steps, 30.6 -> 30; later ones 25
    rng = Scripted(uniform=[[9.9, 10.3, 20.0, 20.0, 20.0, 20.0]],
                   integers=[[1, 0, 1, 0, 0, 0]], choice=[[-1, 1, 1, -1, 1, 1]])
    u, z_hat, mask = nl.trials(t, 1, rng)
    assert u.shape == (1, 100, 2) and z_hat.shape == mask.shape == (1, 100, 2)
    onsets = [2, 31, 61, 111]                    # 2, 2 + 29, 31 + 30, 61 + 50 (past the end)
    expect_u = np.zeros((100, 2))
    expect_u[2:4, 1] = -1
    expect_u[31:33, 0] = 1
    expect_u[61:63, 1] = 1
    expect_z = np.zeros((100, 2))
    expect_z[12:31, 1] = -0.5                   # 10 steps after the onset, to the next one
    expect_z[41:61, 0] = 0.5
    expect_z[71:, 1] = 0.5
    expect_mask = np.zeros((100, 2))
    for start, end in zip(onsets, onsets[1:]):
        expect_mask[start + 10:end] = 1
    np.testing.assert_array_equal(u[0], expect_u)
    np.testing.assert_array_equal(z_hat[0], expect_z)
    np.testing.assert_array_equal(mask[0], expect_mask)


def test_mante_trial_by_hand():
    t = TASKS["mante"]                           # fixation 6, stimulus 40, delay 10, decision 40
    noise = np.full((1, 96, 2), 0.5)
    rng = Scripted(standard_normal=[noise], choice=[[[0.25, -0.5]]], integers=[[1]])
    u, z_hat, mask = nl.trials(t, 1, rng)
    sd = 0.5 * t.rel_input_std / np.sqrt(t.dt)
    assert u.shape == (1, 96, 4) and z_hat.shape == (1, 96, 1)
    np.testing.assert_allclose(u[0, :6, 2:], sd, rtol=1e-6)           # noise only
    np.testing.assert_allclose(u[0, 6:46, 2], 0.25 + sd, rtol=1e-6)   # coherence + noise
    np.testing.assert_allclose(u[0, 6:46, 3], -0.5 + sd, rtol=1e-6)
    np.testing.assert_array_equal(u[0, 6:46, :2], [[0, 1]] * 40)       # context 1 cued
    assert not u[0, 46:, :2].any() and not u[0, :6, :2].any()
    np.testing.assert_array_equal(z_hat[0, :, 0], [0] * 56 + [-0.5] * 40)   # sign of -0.5
    np.testing.assert_array_equal(mask[0, :, 0], [1] * 46 + [0] * 10 + [1] * 40)


def test_romo_trial_by_hand():
    t = TASKS["romo"]                # fixation 6, pulses 2, delay U(2, 8), wait 10, decision 20
    # amplitudes 1.0, 1.1 are too close (< 0.2) and are redrawn; delay 5.3 -> 10 steps
    rng = Scripted(uniform=[[5.3], [[1.0, 1.1]], [[1.3, 0.7]]])
    u, z_hat, mask = nl.trials(t, 1, rng)
    assert u.shape == (1, 56, 1) and z_hat.shape == (1, 56, 2)
    expect_u = np.zeros(56)
    expect_u[6:8], expect_u[18:20] = 1.3, 0.7                         # 8 + 10 = 18
    np.testing.assert_allclose(u[0, :, 0], expect_u, rtol=1e-6)
    expect_z = np.zeros((56, 2))
    expect_z[30:50, 0] = 0.5                                           # 20 + 10 = 30
    np.testing.assert_array_equal(z_hat[0], expect_z)
    np.testing.assert_array_equal(mask[0, :, 0], [1] * 20 + [0] * 10 + [1] * 20 + [0] * 6)
    np.testing.assert_array_equal(mask[0, :, 0], mask[0, :, 1])


@pytest.mark.parametrize("name", sorted(TASKS))
def test_generated_trials_keep_the_rules(name):
    t = TASKS[name]
    u, z_hat, mask = nl.trials(name, 400, np.random.default_rng(1))
    assert u.dtype == np.float32 and u.shape[:2] == (400, t.steps)
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert not (z_hat * (1 - mask)).any()                        # targets only where counted
    if name == "flipflop":
        pulses = np.abs(u).sum(-1)
        assert set(np.unique(pulses)) == {0.0, 1.0}              # one channel at a time
        assert 0.65 < mask.mean() < 0.73                         # about 69% of steps count
    if name == "romo":
        amps = u[..., 0].max(1)
        assert (amps >= t.amp_min).all() and (amps < t.amp_max).all()
        assert (np.count_nonzero(z_hat.sum(1), axis=1) == 1).all()    # one output per trial


def test_trials_are_reproducible_and_fresh():
    a = nl.trials("romo", 8, np.random.default_rng(3))
    b = nl.trials("romo", 8, np.random.default_rng(3))
    c = nl.trials("romo", 8, np.random.default_rng(4))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_initialisation_scales():
    W_in, W0, W_out = nl.init("mante", 0.9, 0, 400)
    assert W_in.shape == (4, 400) and W_out.shape == (400, 1) and W0.shape == (400, 400)
    np.testing.assert_allclose(np.linalg.norm(W_in, axis=1), np.sqrt(400), rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(W_out, axis=0), 1 / np.sqrt(400), rtol=1e-5)
    assert W0.std() * np.sqrt(400) == pytest.approx(0.9, rel=0.02)
    assert not nl.init("mante", 0.0, 0, 50)[1].any()
    assert not np.array_equal(nl.init("mante", 0.9, 0, 50)[1] / 0.9,
                              nl.init("mante", 0.6, 0, 50)[1] / 0.6)   # fresh W0 per g


@pytest.mark.parametrize("name", sorted(TASKS))
def test_gradient_matches_autograd(name):
    t = TASKS[name]
    nets = [(0.9, 0), (1.5, 1)]
    W = [torch.from_numpy(np.stack(w).astype(np.float64))
         for w in zip(*[nl.init(t, g, s, 12) for g, s in nets])]
    data = [torch.from_numpy(np.stack(x).astype(np.float64))
            for x in zip(*[nl.trials(t, 3, np.random.default_rng(k)) for k in range(2)])]
    loss, grads = nl.gradients(*W, *data, t.dt)
    leaves = [w.clone().requires_grad_() for w in W]
    reference = nl.losses(nl.forward(*leaves, data[0], t.dt), *data[1:])
    reference.sum().backward()
    torch.testing.assert_close(loss, reference.detach(), rtol=1e-12, atol=0)
    for mine, leaf in zip(grads, leaves):
        torch.testing.assert_close(mine, leaf.grad, rtol=1e-10, atol=1e-14)


def test_adam_step_matches_torch():
    torch.manual_seed(0)
    params = [torch.randn(2, 3, 4), torch.randn(2, 4, 4)]
    theirs = [p.clone().requires_grad_() for p in params]
    opt = torch.optim.Adam(theirs, lr=0.01)
    state = {"step": 0, "m": [torch.zeros_like(p) for p in params],
             "v": [torch.zeros_like(p) for p in params]}
    for _ in range(5):
        grads = [torch.randn_like(p) for p in params]
        nl.adam_step(params, grads, state, 0.01)
        for p, g in zip(theirs, grads):
            p.grad = g.clone()
        opt.step()
    for mine, ref in zip(params, theirs):
        torch.testing.assert_close(mine, ref.detach(), rtol=1e-6, atol=1e-7)


def test_training_is_reproducible_independent_of_batching_and_resumable():
    kwargs = dict(epochs=6, N=24, batch=4)
    one = nl.train("flipflop", 0.9, [1], **kwargs)
    two = nl.train("flipflop", 0.9, [0, 1], **kwargs)
    again = nl.train("flipflop", 0.9, [0, 1], **kwargs)
    assert two.loss.shape == (6, 2) and two.W.shape == two.W0.shape == (2, 24, 24)
    np.testing.assert_array_equal(two.loss, again.loss)              # bit for bit
    np.testing.assert_array_equal(two.W, again.W)
    np.testing.assert_allclose(one.loss[:, 0], two.loss[:, 1], rtol=1e-5)   # network (g, 1)
    np.testing.assert_allclose(one.W[0], two.W[1], rtol=1e-4, atol=1e-6)
    assert two.loss[-1].mean() < two.loss[0].mean()
    saved = []
    nl.train_networks("flipflop", [(0.9, 0), (0.9, 1)], 3, 24, batch=4,
                      save=lambda state: saved.append({k: np.array(v) for k, v in state.items()}))
    resumed = nl.train_networks("flipflop", [(0.9, 0), (0.9, 1)], 6, 24, batch=4,
                                resume={**saved[-1], "loss": np.pad(saved[-1]["loss"], ((0, 3), (0, 0))),
                                        "grad_norm": np.pad(saved[-1]["grad_norm"], ((0, 3), (0, 0)))})
    np.testing.assert_array_equal(resumed.loss, two.loss)
    np.testing.assert_array_equal(resumed.W, two.W)


def test_truncation_and_shuffle():
    run = nl.train("romo", 0.6, [0, 1], epochs=3, N=16, batch=4)
    full = lowrank.truncations(run.delta_W[0], np.array([0, 3, 16]))
    assert not full[0].any()
    np.testing.assert_allclose(full[2], run.delta_W[0], atol=1e-6)
    assert np.linalg.matrix_rank(full[1]) == 3
    rel = nl.truncation_losses(run, [0, 2, 16], test_batch=8)
    assert rel.shape == (3, 2) and np.all(rel[0] == 1)
    absolute = nl.truncation_losses(run, [16], test_batch=8, relative=False)
    assert absolute.shape == (1, 2) and np.all(absolute > 0)
    shuffled = nl.shuffled_losses(run, test_batch=8)
    assert shuffled.shape == (2,) and np.isfinite(shuffled).all()
    with pytest.raises(ValueError, match="ranks"):
        nl.truncation_losses(run, [17])


@pytest.mark.parametrize("call, name", [
    (lambda: nl.trials("dms", 4, np.random.default_rng(0)), "task"),
    (lambda: nl.train("flipflop", -0.1, [0], 2, N=8), "g"),
    (lambda: nl.train("flipflop", 0.5, [0], 2, N=0), "N"),
    (lambda: nl.train("flipflop", 0.5, [0], 0, N=8), "epochs"),
    (lambda: nl.train("flipflop", 0.5, [0], 2, N=8, lr_N=0.0), "lr_N"),
    (lambda: nl.train("flipflop", 0.5, [], 2, N=8), "nets"),
    (lambda: nl.trials("romo", 0, np.random.default_rng(0)), "batch"),
    (lambda: nl.task_settings(dataclasses.replace(TASKS["romo"], name="x")), "task"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_paper_scale_matches_the_authors_settings():
    for name, epochs, g_max, at_rank in (("flipflop", 1000, 2.1, 2), ("mante", 2000, 2.7, 4),
                                         ("romo", 6000, 3.0, 6)):
        s = SCALES[name]["paper"]
        assert (s.N, s.samples, s.epochs, s.batch, s.lr_N, s.test_batch, s.max_rank) == \
            (256, 5, epochs, 32, 0.05, 512, 25)
        np.testing.assert_allclose(s.gs, np.arange(0, g_max + 0.3, 0.3))
        assert s.task is TASKS[name] and s.task.dt == 0.5 and s.paper_zero_at_rank == at_rank
        assert s.lr == pytest.approx(0.05 / 256)
    assert TASKS["flipflop"].steps == 100 and TASKS["mante"].steps == 96
    assert TASKS["romo"].steps == 56
    n = SCALES["norm_scaling"]["paper"]
    assert (n.Ns, n.gs, n.samples) == ((64, 128, 256, 512, 1024), (0.0, 0.9, 1.8), 5)
