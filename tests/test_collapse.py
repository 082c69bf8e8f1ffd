"""Learning collapse and confidence (later version, Figs. 6A, 7 and 8): the ensemble
trainer's hand-written gradients, the sweeps' settings, the shared first phase of Fig. 8C,
the learnable confidence and the experiments' outputs.

The references are independent: autograd on :func:`ghostbook.memory.forward`, and the
authors' per-run loop (``tests/test_memory.py``'s ``AuthorsRNN``, one ``nn.Module`` per run
trained by ``torch.optim.SGD`` after ``torch.manual_seed``)."""
import numpy as np
import pytest
import torch
from torch import nn

from ghostbook import analysis, experiments, memory, rnn, train
from ghostbook.settings import SCALES, CollapseSettings, DMTSTask
from test_memory import AuthorsRNN


@pytest.mark.parametrize("task", ["dcdt", "dmts"])
def test_hand_written_gradients_equal_autograd_in_float64(task):
    gen = torch.Generator().manual_seed(1)
    u, y = memory.trial_batch(task, 3)
    u, y = u.double(), y[..., 0].double()
    nets = [memory.init(s, N=40) for s in range(5)]
    p = {k: torch.stack([q[k] for q in nets]).double() for k in nets[0]}
    r0 = torch.tanh(0.3 * torch.randn((5, u.shape[0], 40), generator=gen, dtype=torch.float64))
    eta = 0.1 * torch.randn((u.shape[1], 5, u.shape[0], 40), generator=gen, dtype=torch.float64)
    act = "tanh" if task == "dcdt" else "sigmoid"
    for chunk in (None, 2):                     # whole, and in chunks of networks
        loss, out, grads = memory.full_rank_gradients(p, u, y, act, 0.5, r0, eta, chunk=chunk)
        q = {k: v.clone().requires_grad_() for k, v in p.items()}
        want_out, _ = memory.forward(q, u, act, 0.5, r0, eta)
        want = ((want_out - y) ** 2).mean(dim=(1, 2))
        auto = torch.autograd.grad(want.sum(), list(q.values()))
        np.testing.assert_allclose(loss, want.detach(), rtol=1e-12)
        np.testing.assert_allclose(out, want_out.detach(), rtol=1e-12, atol=1e-14)
        for k, a in zip(q, auto):
            np.testing.assert_allclose(grads[k], a, rtol=1e-9, atol=1e-12 * a.abs().max())


def authors_sweep(task, lr, seed, epochs, nudge=None):
    """The authors' Fig. 7 run: one network, SGD, rates 0, no noise (drawn anyway). With
    ``nudge`` (an int), every initial weight moved by one float32 rounding step (relative
    2^-23), up or down at random (signs from generator ``nudge``)."""
    u, y = memory.trial_batch(task, 1)
    torch.manual_seed(seed)
    model = AuthorsRNN(readout=task.readout)
    if nudge is not None:
        gen = torch.Generator().manual_seed(nudge)
        with torch.no_grad():
            for v in model.parameters():
                sign = torch.randint(0, 2, v.shape, generator=gen) * 2.0 - 1.0
                v.mul_(1 + sign * 2.0 ** -23)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses, grads = [], []
    for _ in range(epochs):
        opt.zero_grad()
        loss = nn.MSELoss()(model(u, 0.0, 0.0), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        grads.append(model.W_rec.grad.norm().item())
    return np.array(losses), np.array(grads)


@pytest.mark.parametrize("name", ["collapse_dcdt", "collapse_dmts"])
def test_first_hundred_epochs_of_a_sweep_match_the_authors_per_run_loop(name):
    """Every (lr, seed) run of one batched call against the authors' loop run alone, 100
    epochs: the losses agree to float32 rounding, i.e. their largest departure so far stays
    within 10x of how far one-rounding-step nudges of the initial weights carry the
    authors' own run (from lr ~0.08 on, these runs amplify rounding within 20 epochs: the
    same sensitivity the collapse shows, not an error), and to 1e-4 relative while rounding
    has not been amplified."""
    s = SCALES[name]["paper"]
    lrs, seeds = s.lrs[[2, 9, 13]], [0, 7]
    run = memory.train(s.task, seeds, lrs, 100, progress=False)
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(seeds):
            loss, grad = authors_sweep(s.task, float(lr), seed, 100)
            nudged = np.max([np.abs(authors_sweep(s.task, float(lr), seed, 100, nudge=k)[0]
                                    - loss) for k in range(3)], axis=0)
            # largest departure so far, ours and the nudges'
            rounding = np.maximum.accumulate(np.maximum(nudged, 1e-5 * loss))
            ours = np.maximum.accumulate(np.abs(run.loss[:, i, j] - loss))
            assert np.all(ours <= 10 * rounding), (lr, seed, np.max(ours / rounding))
            calm = nudged <= 1e-6 * loss
            np.testing.assert_allclose(run.loss[calm, i, j], loss[calm], rtol=1e-4)
            np.testing.assert_allclose(run.grad_norm[calm, i, j], grad[calm], rtol=1e-3)


def test_a_seed_gives_the_authors_full_rank_network():
    for seed in (0, 19):
        torch.manual_seed(seed)
        model = AuthorsRNN()
        p = memory.init(seed)
        assert torch.equal(p["W"], model.W_rec.detach())
        assert torch.equal(p["w_out"], model.W_out.weight.detach()[0])
        assert torch.equal(p["b"], model.W_in.bias.detach())


def test_fig7_and_fig8_settings_match_the_authors_scripts():
    d, m = SCALES["collapse_dcdt"]["paper"], SCALES["collapse_dmts"]["paper"]
    assert (d.task.cue, d.task.delay, d.task.response, d.task.readout) == (6, 16, 10, "tanh")
    assert (m.task.cue, m.task.delay, m.task.cue2, m.task.response) == (6, 16, 6, 10)
    for s in (d, m):
        np.testing.assert_allclose(s.lrs, np.logspace(-3, 1, 20))
        assert (s.seeds, s.epochs) == (20, 20_000)
    assert m.saturation == (15, 0, 5750) and abs(m.lrs[15] - 1.438449888287663) < 1e-12
    c = SCALES["confidence"]["paper"]
    assert (c.task.steps, c.seeds, c.lr, c.trials, c.noise, c.spread) == (22, 100, 0.1, 10, 1e-3, 0.1)
    assert (c.epochs_before, c.epochs_after, c.confidences) == (10_000, 10_000,
                                                                 (0.1, 0.5, 1.0, 3.0, np.inf))
    lc = SCALES["learnable_confidence"]["paper"]
    assert (lc.seed, lc.lr, lc.c_start, lc.c_reset, lc.epochs_before, lc.epochs_after) == \
        (40, 0.02, 10.0, 1.0, 10_000, 10_000)
    f = SCALES["fig6a"]["paper"]
    np.testing.assert_allclose(f.lrs, np.logspace(-4, 1, 30))
    assert f.seeds == 10


def test_a_branched_second_phase_equals_separate_runs_bit_for_bit():
    """Fig. 8C's first phase computed once and copied per confidence gives exactly the runs
    trained separately from the start."""
    kw = dict(optimizer="adam", trials=2, noise=1e-3, spread=0.1, progress=False, record_every=2)
    cs = [0.5, 3.0, np.inf]
    whole = memory.train("dcdt", [0, 1], [0.1] * 3, 12, confidence=cs, confidence_from=5, **kw)
    saved = []
    memory.train("dcdt", [0, 1], [0.1], 5, save=saved.append, **kw)
    state = memory.branch(saved[-1], 3, 12, record_every=2)
    branched = memory.train("dcdt", [0, 1], [0.1] * 3, 12, confidence=cs, confidence_from=5,
                            resume=state, **kw)
    np.testing.assert_array_equal(branched.loss, whole.loss)
    np.testing.assert_array_equal(branched.record_epochs, np.arange(0, 12, 2))
    for k in whole.final:
        np.testing.assert_array_equal(branched.final[k], whole.final[k])
    with pytest.raises(ValueError, match="copies"):
        memory.branch(saved[-1], 0, 12)
    with pytest.raises(ValueError, match="epochs"):
        memory.branch(saved[-1], 2, 3)


def test_record_every_keeps_every_kth_epoch_of_the_same_run():
    full = memory.train("dmts", [0], [0.3, 1.0], 9, progress=False)
    thin = memory.train("dmts", [0], [0.3, 1.0], 9, record_every=4, progress=False)
    np.testing.assert_array_equal(thin.record_epochs, [0, 4, 8])
    np.testing.assert_array_equal(thin.loss, full.loss[::4])
    np.testing.assert_array_equal(thin.final["W"], full.final["W"])
    act = memory.train("activation", [0], [0.1], 9, record_every=4, progress=False)
    np.testing.assert_array_equal(act.record_epochs, [0, 4, 8])
    assert act.loss.shape == (3, 1, 1)
    with pytest.raises(ValueError, match="record_every"):
        memory.train("dcdt", [0], [0.1], 5, record_every=0)


class LearnableC(nn.Module):
    """The authors' rank-one network with a trainable confidence (``c`` a parameter)."""

    def __init__(self, N=100, c=10.0):
        super().__init__()
        self.m = nn.Parameter(torch.randn(N) / np.sqrt(N))
        self.n = nn.Parameter(torch.randn(N) / np.sqrt(N))
        self.b = nn.Parameter(torch.zeros(N))
        self.c = nn.Parameter(torch.zeros(1) + c)

    def losses(self, lr, epochs):
        opt = torch.optim.SGD(self.parameters(), lr=lr)
        target = torch.cat([torch.zeros(20), torch.ones(20)])
        out = []
        for _ in range(epochs):
            opt.zero_grad()
            x = torch.full((100,), -0.3)
            outputs = []
            for _ in range(40):
                kappa = self.n @ x
                x = 0.5 * x + 0.5 * torch.tanh(self.m * kappa + self.b)
                outputs.append(torch.sigmoid(self.c * (self.n @ x - 1)))
            loss = ((torch.stack(outputs).squeeze() - target) ** 2).sum() / 20
            loss.backward()
            out.append((loss.item(), self.c.item()))        # c before the update
            opt.step()
        return np.array(out)


def test_learnable_confidence_follows_the_authors_model():
    torch.manual_seed(40)
    want = LearnableC().losses(0.5, 30)
    res, c = train.train_learnable_confidence([40], 0.5, 30, c=10.0, progress=False)
    np.testing.assert_allclose(res.loss[:, 0], want[:, 0], rtol=1e-5)
    np.testing.assert_allclose(c[:, 0], want[:, 1], rtol=1e-6)
    assert c[0, 0] == 10.0 and not np.all(c[:, 0] == 10.0)        # c is trained
    # continuing from the result with c reset is the authors' second phase
    res2, c2 = train.train_learnable_confidence(None, 0.5, 3, c=1.0, init=res.params,
                                                progress=False)
    assert c2[0, 0] == 1.0 and res2.params.m.shape == (1, 100)
    with pytest.raises(ValueError, match="init"):
        train.train_learnable_confidence(None, 0.1, 3, init=rnn.init_full_rank([0]))


def test_collapse_experiment_on_a_tiny_sweep():
    s = CollapseSettings(task=DMTSTask(cue=2, delay=3, cue2=2, response=3), lr_subset=(0, 19),
                         seeds=2, epochs=60, record_every=20, saturation=(19, 0, 30))
    out = experiments.collapse(s)
    assert out["fates"].shape == out["mean_loss"].shape == out["W_norm"].shape == (2, 2)
    assert out["loss"].shape == (3, 2, 2) and out["example_loss"].shape == (5, 60)
    for code, (i, j) in enumerate(out["example_run"]):
        if i >= 0:
            assert out["fates"][i, j] == code
            np.testing.assert_array_equal(out["example_loss"][code][::20], out["loss"][:, i, j])
        else:
            assert code not in out["fates"]
    assert out["sat_rates"].shape == (3, 4, s.task.steps + 1, 100)
    assert np.all((out["saturated"] >= 0) & (out["saturated"] <= 1))
    # the saturation run is the sweep's network trained alone
    alone = memory.train(s.task, [0], [s.lrs[-1]], 33, progress=False)
    np.testing.assert_allclose(out["sat_loss"], alone.loss[:, 0, 0], rtol=1e-5)


def test_fig6a_and_learnable_confidence_experiments_on_tiny_settings():
    from ghostbook.settings import Fig6ASettings, LearnableConfidenceSettings

    s = Fig6ASettings(n_lrs=2, seeds=2, epochs=11, record_every=5, shown_epochs=(10,))
    out = experiments.fig6a(s)
    assert out["loss"].shape == (3, 2, 2)
    np.testing.assert_array_equal(out["record_epochs"], [0, 5, 10])
    alone = memory.train("activation", [1], [s.lrs[1]], 11, progress=False)
    np.testing.assert_array_equal(out["loss"][:, 1, 1], alone.loss[::5, 0, 0])
    s = LearnableConfidenceSettings(epochs_before=4, epochs_after=3)
    out = experiments.learnable_confidence(s)
    assert out["loss"].shape == out["c"].shape == (7,)
    assert out["c"][0] == s.c_start and out["c"][4] == s.c_reset
    np.testing.assert_allclose(out["switch_m"], out["start_m"], atol=0.1)   # a few steps apart
    assert not np.array_equal(out["end_m"], out["switch_m"])


def test_confidence_experiment_on_tiny_settings_equals_separate_runs():
    from ghostbook.settings import ConfidenceSettings

    s = ConfidenceSettings(seeds=2, epochs_before=4, epochs_after=3, record_every=2,
                           confidences=(0.5, float("inf")), trials=2)
    out = experiments.confidence(s)
    whole = memory.train(s.task, [0, 1], [s.lr] * 2, 7, optimizer="adam", trials=2,
                         noise=s.noise, spread=s.spread, confidence=[0.5, np.inf],
                         confidence_from=4, record_every=2, progress=False)
    np.testing.assert_array_equal(out["accuracy"], whole.accuracy)
    np.testing.assert_array_equal(out["loss"], whole.loss)
    assert out["w_out_l1"].shape == (2, 2)      # after the last update (rescaled before it)
    summary = analysis.confidence_summary(out, s.epochs_before, s.learned_above, last=1)
    assert summary.at_end.shape == (2, 2) and summary.at_switch.shape == (2,)
