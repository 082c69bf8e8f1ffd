"""The later version's working-memory networks (:mod:`ghostbook.memory`).

The reference is an independent plain-PyTorch model written from the authors' description
(``Figure4``/``Figure5`` scripts of fatihdinc/ghost-mechanism): ``nn.Linear`` layers and
``nn.init`` calls on the global generator after ``torch.manual_seed``, one network at a
time, trained with ``torch.optim``.
"""
import math

import numpy as np
import pytest
import torch
from torch import nn

from ghostbook import latent, memory
from ghostbook.settings import SCALES, DCDTTask, DMTSTask


class AuthorsRNN(nn.Module):
    """The authors' network as their scripts build and run it."""

    def __init__(self, N=100, rank=None, bias_std=None, readout="tanh", alpha=0.5):
        super().__init__()
        self.alpha, self.readout, self.rank = alpha, readout, rank
        self.W_in = nn.Linear(1, N)
        if rank is None:
            self.W_rec = nn.Parameter(torch.randn(N, N))
        else:
            self.S_l = nn.Parameter(torch.randn(N, rank))
            self.S_r = nn.Parameter(torch.randn(rank, N))
            nn.init.normal_(self.S_l, 0, 1 / math.sqrt(N))
            nn.init.normal_(self.S_r, 0, 1.0)
        self.W_out = nn.Linear(N if rank is None else rank, 1)
        nn.init.xavier_uniform_(self.W_in.weight)
        if rank is None:
            nn.init.xavier_uniform_(self.W_rec)
        nn.init.xavier_uniform_(self.W_out.weight)
        if bias_std is not None:
            nn.init.normal_(self.W_in.bias, 0, bias_std)

    def forward(self, u, spread, sigma):
        B, T, _ = u.shape
        N = self.W_in.out_features
        r = torch.tanh(torch.randn(B, N) * spread)
        act = torch.tanh if self.readout == "tanh" else torch.sigmoid
        outs = []
        for t in range(T):
            outs.append(act(self.W_out(r @ self.S_l if self.rank else r)))
            rec = r @ (self.S_l @ self.S_r) if self.rank else r @ self.W_rec
            noise = torch.randn(B, N) * sigma
            r = (1 - self.alpha) * r + self.alpha * torch.tanh(self.W_in(u[:, t]) + rec + noise)
        return torch.stack(outs, dim=1)


def authors_params(model):
    p = {"w_in": model.W_in.weight[:, 0], "b": model.W_in.bias}
    p.update({"S_l": model.S_l, "S_r": model.S_r} if model.rank else {"W": model.W_rec})
    p.update({"w_out": model.W_out.weight[0], "b_out": model.W_out.bias[0]})
    return {k: v.detach().clone() for k, v in p.items()}


@pytest.mark.parametrize("rank, bias_std", [(2, 0.1), (None, None), (3, None)])
@pytest.mark.parametrize("seed", [0, 3])
def test_a_seed_gives_the_authors_initial_network(rank, bias_std, seed):
    torch.manual_seed(seed)
    want = authors_params(AuthorsRNN(N=50, rank=rank, bias_std=bias_std))
    got = memory.init(seed, rank=rank, N=50, bias_std=bias_std)
    assert set(got) == set(want)
    for k in want:
        assert torch.equal(got[k], want[k]), k


def test_the_tasks_by_hand():
    u, y = memory.trial_batch(DCDTTask(cue=2, delay=3, response=2), per_type=2)
    assert u.shape == y.shape == (4, 7, 1) and u.dtype == torch.float32
    np.testing.assert_array_equal(u[:, :, 0], [[1, 1, 0, 0, 0, 0, 0], [-1, -1, 0, 0, 0, 0, 0]] * 2)
    np.testing.assert_array_equal(y[:, :, 0], [[0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, -1, -1]] * 2)
    u, y = memory.trial_batch(DMTSTask(cue=1, delay=2, cue2=1, response=2))
    np.testing.assert_array_equal(u[:, :, 0], [[1, 0, 0, 1, 0, 0], [-1, 0, 0, -1, 0, 0],
                                               [-1, 0, 0, 1, 0, 0], [1, 0, 0, -1, 0, 0]])
    np.testing.assert_array_equal(y[:, :, 0], [[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1],
                                               [0] * 6, [0] * 6])


CASES = {  # (task object, rank, optimizer, lr, trials, noise, spread, bias_std)
    "fig4-dcdt": (DCDTTask(), 2, "sgd", 1e-3, 20, 0.0, 0.3, 0.1),
    "fig4-dmts": (DMTSTask(), 2, "adam", 1e-4, 10, 0.01, 0.3, 0.1),
    "fig5-dcdt": (DCDTTask(), None, "sgd", 1e-2, 1, 0.01, 0.1, None),
    "fig5-dmts": (DMTSTask(cue=2, delay=30, cue2=2), None, "sgd", 1e-2, 1, 0.01, 0.1, None),
}


def authors_losses(case, epochs, seed, nudge=False):
    """The authors' model trained for ``epochs``; with ``nudge``, every initial weight moved
    by one float32 rounding step (relative 2^-23), to measure how far rounding alone
    carries the losses apart."""
    task, rank, opt, lr, trials, noise, spread, bias_std = CASES[case]
    u, y = memory.trial_batch(task, trials)
    torch.manual_seed(seed)
    model = AuthorsRNN(rank=rank, bias_std=bias_std, readout=task.readout)
    if nudge:
        with torch.no_grad():
            for v in model.parameters():
                v.mul_(1 + 2.0 ** -23)
    optim = (torch.optim.SGD if opt == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optim.zero_grad()
        loss = nn.MSELoss()(model(u, spread, noise), y)
        loss.backward()
        optim.step()
        losses.append(loss.item())
    return np.array(losses), authors_params(model)


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_epochs_match_the_authors_model_under_autograd(case):
    """Losses and weights agree to float32 rounding: within 10x of how far a one-rounding-step
    nudge of the initial weights moves the authors' own run (some of these networks amplify
    rounding quickly: a trial near a saddle), and never worse than 1e-4 relative."""
    task, rank, opt, lr, trials, noise, spread, bias_std = CASES[case]
    epochs, seed = 5, 3
    losses, params = authors_losses(case, epochs, seed)
    nudged, nudged_params = authors_losses(case, epochs, seed, nudge=True)
    run = memory.train(task, [seed], [lr], epochs, rank=rank, optimizer=opt, trials=trials,
                       noise=noise, spread=spread, bias_std=bias_std, progress=False)
    rounding = np.maximum(np.abs(nudged - losses), 1e-7 * losses)
    ours = np.abs(run.loss[:, 0, 0] - losses)
    assert np.all(ours <= 10 * rounding) and np.all(ours <= 1e-4 * losses), (ours, rounding)
    for k, v in params.items():
        want = v.numpy()
        apart = np.abs(nudged_params[k].numpy() - want).max()
        ours = np.abs(run.final[k][0, 0] - want).max()
        assert ours <= 10 * max(apart, 1e-7 * np.abs(want).max()), (k, ours, apart)


def test_batched_sweep_equals_networks_trained_alone_and_is_reproducible():
    kw = dict(rank=None, trials=1, noise=0.01, spread=0.1, progress=False)
    both = memory.train("dcdt", [0, 1], [1e-2, 0.5], 20, **kw)
    again = memory.train("dcdt", [0, 1], [1e-2, 0.5], 20, **kw)
    np.testing.assert_array_equal(both.loss, again.loss)
    alone = memory.train("dcdt", [1], [0.5], 20, **kw)
    np.testing.assert_allclose(both.loss[:, 1, 1], alone.loss[:, 0, 0], rtol=1e-5)
    assert both.loss.shape == both.grad_norm.shape == both.accuracy.shape == (20, 2, 2)


def test_a_resumed_run_equals_an_uninterrupted_one_bit_for_bit():
    kw = dict(rank=2, optimizer="adam", trials=3, noise=0.01, spread=0.3, bias_std=0.1,
              extra_forward_every=4, snapshots=(2, 9), progress=False)
    whole = memory.train("dmts", [0], [1e-3], 12, **kw)
    saved = []
    memory.train("dmts", [0], [1e-3], 12, save=saved.append, save_every=0.0, **kw)
    half = {k: np.array(v) for k, v in saved[6].items()}          # after 7 epochs
    assert int(half["epoch"]) == 7
    resumed = memory.train("dmts", [0], [1e-3], 12, resume=half, **kw)
    np.testing.assert_array_equal(resumed.loss, whole.loss)
    for k in whole.final:
        np.testing.assert_array_equal(resumed.final[k], whole.final[k])
        np.testing.assert_array_equal(resumed.snapshots[9][k], whole.snapshots[9][k])


def test_latent_circuit_is_the_exact_reduction_of_a_rank_two_network():
    p = {k: v.numpy() for k, v in memory.init(0, rank=2, N=40, bias_std=0.1).items()}
    m, n, b = memory.latent_circuit(p)
    r = np.tanh(np.random.default_rng(0).standard_normal(40))
    W = p["S_l"] @ p["S_r"]
    dr = -r + np.tanh(r @ W + b)                                  # zero input, no noise
    np.testing.assert_allclose(n.T @ dr, latent.flow(n.T @ r, m, n, b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call, name", [
    (lambda: memory.train("xor", [0], [0.1], 5), "task"),
    (lambda: memory.train("dcdt", [0], [0.0], 5), "lrs"),
    (lambda: memory.train("dcdt", [0], [0.1], 0), "epochs"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, optimizer="rmsprop"), "optimizer"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, rank=101), "rank"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, noise=-1), "noise"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, alpha=2), "alpha"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, snapshots=(5,)), "snapshots"),
    (lambda: memory.train("dcdt", [], [0.1], 5), "seeds"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, readout="relu"), "readout"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, cue2=3), "cue2"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, delay=-1), "delay"),
    (lambda: memory.train("dcdt", [0], [0.1], 5, bias_std=-0.1), "bias_std"),
    (lambda: memory.init(0, rank=0), "rank"),
    (lambda: memory.latent_circuit(memory.init(0, rank=2, N=10), rank=11), "rank"),
    (lambda: memory.flow_map(memory.init(0, rank=2, N=10), "dcdt", box=0), "box"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_paper_settings_match_the_authors_scripts():
    d4, m4 = SCALES["rank2_dcdt"]["paper"], SCALES["rank2_dmts"]["paper"]
    d5, m5 = SCALES["fullrank_dcdt"]["paper"], SCALES["fullrank_dmts"]["paper"]
    assert (d4.task.steps, d4.rank, d4.optimizer, d4.lr, d4.epochs, d4.trials, d4.noise,
            d4.spread, d4.bias_std) == (22, 2, "sgd", 1e-3, 100_000, 500, 0.0, 0.3, 0.1)
    assert (m4.task.steps, m4.optimizer, m4.lr, m4.epochs, m4.noise) == (38, "adam", 1e-4, 20_000, 0.01)
    assert (d5.rank, d5.lr, d5.epochs, d5.seed, d5.trials, d5.spread, d5.bias_std) == \
        (None, 1e-2, 3001, 3, 1, 0.1, None)
    assert (m5.task.delay, m5.epochs, m5.extra_forward_every) == (30, 100_001, None)
    for s in (d4, m4, d5, m5):
        assert set(s.flow_epochs) <= set(s.snapshot_epochs)


def test_simulate_and_flow_map_of_a_rank_two_network():
    p = {k: v.numpy() for k, v in memory.init(0, rank=2, N=30, bias_std=0.1).items()}
    out, rates = memory.simulate(p, "dmts")
    task = DMTSTask()
    assert out.shape == (4, task.steps) and rates.shape == (4, task.steps + 1, 30)
    torch_out, _ = memory.forward({k: torch.from_numpy(np.asarray(v))[None] for k, v in p.items()},
                                  memory.trial_batch(task)[0], "sigmoid", 0.5)
    np.testing.assert_allclose(out, torch_out[0].numpy(), rtol=1e-6)
    fm = memory.flow_map(p, "dmts", box=5.0, points=41)
    assert fm.speed.shape == (41, 41) and fm.uv.shape == (41, 41, 2)
    assert list(fm.paths) == list(memory.TRIAL_TYPES["dmts"])
    np.testing.assert_allclose(fm.paths["++"], rates[0] @ fm.n)
    # the decision value at a grid point is the readout's argument for rates n kappa
    k = np.array([fm.grid[3], fm.grid[7]])
    r = fm.n @ k
    np.testing.assert_allclose(fm.decision[3, 7], r @ p["S_l"] @ p["w_out"] + p["b_out"], rtol=1e-5)
    assert fm.levels == (0.0,)
    np.testing.assert_allclose(fm.speed[3, 7], np.linalg.norm(latent.flow(k, fm.m, fm.n, fm.b)))


def test_activation_task_is_the_2024_trainer_in_the_memory_layout():
    """task="activation" (later version, Fig. 6A): every (lr, seed) network equals the
    compiled 2024 trainer's run of that network alone, bit for bit, in (epochs, L, S)."""
    from ghostbook import rnn, train as train_2024
    run = memory.train("activation", [0, 3], [0.01, 0.2], 40, snapshots=[9], progress=False)
    assert run.loss.shape == run.grad_norm.shape == run.accuracy.shape == (40, 2, 2)
    for i, lr in enumerate([0.01, 0.2]):
        for j, seed in enumerate([0, 3]):
            alone = train_2024.train_rank_k([seed], "full", lr, 40, snapshot_epochs=[10],
                                            progress=False)
            np.testing.assert_array_equal(run.loss[:, i, j], alone.loss[:, 0])
            np.testing.assert_array_equal(run.grad_norm[:, i, j], alone.grad_norm[:, 0])
            np.testing.assert_array_equal(run.snapshots[9]["W"][i, j], alone.at(10).W[0])
            np.testing.assert_array_equal(run.initial["W"][i, j],
                                          rnn.init_full_rank([seed]).W[0])
    ranked = memory.train("activation", [0], [0.05], 5, rank=3, progress=False)
    assert ranked.initial["M"].shape == (1, 1, 100, 3)


def test_activation_task_refuses_working_memory_settings():
    for kwargs, name in [(dict(noise=0.1), "noise"), (dict(trials=5), "trials"),
                         (dict(delay=3), "delay"), (dict(optimizer="adam"), "optimizer"),
                         (dict(confidence=1.0), "confidence")]:
        with pytest.raises(ValueError, match=name):
            memory.train("activation", [0], [0.1], 3, progress=False, **kwargs)


def test_confidence_intervention_matches_the_authors_rescaled_readout():
    """Fig. 8C: Adam on full-rank DCDT networks, then W_out (and its bias) rescaled to
    ||W_out||_1 = c before every forward pass, the optimiser's state carried on; c = inf is
    the control. Three epochs of each phase, against the authors' model under autograd."""
    task, seed, lr, before, after = DCDTTask(), 5, 0.1, 3, 3
    u, y = memory.trial_batch(task, 10)

    def authors(c):
        torch.manual_seed(seed)
        model = AuthorsRNN(readout="tanh")
        optim = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        for epoch in range(before + after):
            if epoch >= before and np.isfinite(c):
                with torch.no_grad():
                    norm = model.W_out.weight.norm(p=1) / c
                    model.W_out.weight.div_(norm)
                    model.W_out.bias.div_(norm)
            optim.zero_grad()
            loss = nn.MSELoss()(model(u, 0.1, 1e-3), y)
            loss.backward()
            optim.step()
            losses.append(loss.item())
        return np.array(losses), authors_params(model)

    cs = [0.5, 3.0, np.inf]
    run = memory.train(task, [seed], [lr] * 3, before + after, optimizer="adam", trials=10,
                       noise=1e-3, spread=0.1, confidence=cs, confidence_from=before,
                       progress=False)
    for i, c in enumerate(cs):
        losses, params = authors(c)
        np.testing.assert_allclose(run.loss[:, i, 0], losses, rtol=1e-4)
        np.testing.assert_allclose(run.final["w_out"][i, 0], params["w_out"].numpy(),
                                   rtol=1e-3, atol=1e-6)
    # the first phase is the same network whatever c is
    np.testing.assert_array_equal(run.loss[:before, 0, 0], run.loss[:before, 2, 0])
    assert not np.array_equal(run.loss[before:, 0, 0], run.loss[before:, 2, 0])
    for bad in (0.0, -1.0, [1.0, 2.0]):
        with pytest.raises(ValueError, match="confidence"):
            memory.train(task, [seed], [lr] * 3, 2, confidence=bad, progress=False)


def test_a_resumed_activation_run_equals_an_uninterrupted_one_bit_for_bit(monkeypatch):
    """Fig. 6A's sweep runs for hours: the compiled 2024 trainer saves checkpoints and a
    run resumed from one (between two recorded epochs, with snapshots on both sides)
    equals the uninterrupted run in every record and parameter."""
    from ghostbook import train
    monkeypatch.setattr(train, "FIRST_CHUNK", 20)         # a first chunk of 5 epochs
    monkeypatch.setattr(train, "CHUNK_SECONDS", 0.0)      # then one epoch per chunk
    kw = dict(snapshots=[3, 40], record_every=3, progress=False)
    whole = memory.train("activation", [0, 2], [0.05, 0.3], 60, **kw)
    saved = []
    memory.train("activation", [0, 2], [0.05, 0.3], 60, save=saved.append, save_every=0.0,
                 **kw)
    middle = [c for c in saved if 10 < int(c["epoch"]) < 50]
    assert middle and int(saved[-1]["epoch"]) == 60
    resumed = memory.train("activation", [0, 2], [0.05, 0.3], 60,
                           resume={k: np.array(v) for k, v in middle[0].items()}, **kw)
    for k in ("loss", "grad_norm", "accuracy", "record_epochs"):
        np.testing.assert_array_equal(getattr(resumed, k), getattr(whole, k))
    for k in whole.final:
        np.testing.assert_array_equal(resumed.final[k], whole.final[k])
        np.testing.assert_array_equal(resumed.snapshots[40][k], whole.snapshots[40][k])
    with pytest.raises(ValueError, match="resume"):
        memory.train("activation", [0, 2], [0.05, 0.3], 45, resume=middle[-1], **kw)
