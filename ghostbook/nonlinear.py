"""Schuessler et al. (2020) Sec. 2: nonlinear RNNs on the flip-flop, Mante and Romo tasks,
as the authors ran them.

Facts read from the authors' code (``frschu/neurips_2020_interplay_randomness_structure``,
``notebooks/model.py``, ``task_generators.py``, ``generate_nonlinear.ipynb``):

* network ``h <- (1 - dt) h + dt (tanh(h) W^T + u W_in)``, readout ``z = tanh(h) W_out``
  after each update, ``h(0) = 0``, no noise, no bias; the state is a row vector, so in
  column form this is Schuessler Eq. 2 with ``W`` acting on ``tanh(h)``;
* initialisation: ``W0 = g N(0, 1/N)``; input and output vectors drawn ``N(0, 1)``,
  scaled to unit norm, then times ``sqrt(N)``: ``W_in`` (entries ~ 1) is their
  transpose, ``W_out`` is divided by ``N`` (entries ~ ``1/N``). The scale sits in the
  trained tensors, not in the forward pass, which matters for Adam (its step is per
  entry);
* loss ``0.5 sum(mask (z - z_hat)^2) / sum(mask)``, recorded before each update; Adam
  (default betas) at ``0.05 / N`` on ``W_in``, ``W`` and ``W_out``; a fresh batch every
  epoch;
* analysis: the loss of ``W0 + Delta W^(R)`` (Schuessler Eq. 4, trained input and output
  vectors) for each ``R`` on a fresh batch of 512 trials; the loss with ``W0``'s entries
  shuffled, ``W0^shuffle + Delta W``; convergence time = first epoch with loss below
  ``0.05 loss[0]``; functional rank = first ``R`` with loss below ``0.05 loss(R = 0)``
  (both in :func:`ghostbook.analysis.schuessler_fig2`).

Every network is named by ``(task, g, seed)``: its initial weights, its training batches
(one generator per epoch) and its test batches come from generators seeded with that
triple, so a network trains to the same weights whatever else is trained beside it and
whenever a run is resumed. Many networks train together as one batched tensor program
(:func:`train_networks`); the gradient is written by hand (backpropagation through time,
checked against autograd in the tests) so that the weight gradients are single large
matrix products.

Arrays: trials are ``(batch, steps, channels)`` (the authors' layout); weights are stacked
over networks: ``W`` ``(S, N, N)``, ``W_in`` ``(S, inputs, N)``, ``W_out`` ``(S, N, outputs)``.
"""
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import lowrank
from .checks import positive, positive_int, progress_bar
from .settings import TASKS

ADAM = (0.9, 0.999, 1e-8)
"""PyTorch's default Adam betas and epsilon (the authors' optimiser)."""


# --- Tasks --------------------------------------------------------------------------------

def task_settings(task):
    """The settings of ``task``: a name in :data:`ghostbook.settings.TASKS` or a task
    dataclass."""
    if isinstance(task, str):
        if task not in TASKS:
            raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
        return TASKS[task]
    if getattr(task, "name", None) not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)} or its settings, got {task!r}")
    return task


def _steps(duration, dt):
    """Time steps in ``duration``, truncated as the authors' ``int(duration / dt)``."""
    return int(duration / dt)


def _flipflop(t, batch, rng):
    n = t.steps
    fix, stim, wait = (_steps(x, t.dt) for x in (t.fixation, t.stimulus, t.decision_delay))
    shortest = _steps(t.interval_min + t.decision_delay, t.dt)
    pulses = max(1, math.ceil(max(n - fix, 0) / max(shortest, 1)) + 1)
    gaps = (rng.uniform(t.interval_min, t.interval_max, (batch, pulses))
            + t.decision_delay) / t.dt
    onset = fix + np.concatenate([np.zeros((batch, 1), int),
                                  np.cumsum(gaps.astype(int), axis=1)[:, :-1]], axis=1)
    channel = rng.integers(0, t.inputs, (batch, pulses))
    sign = rng.choice(np.array([-1.0, 1.0]), (batch, pulses))
    steps = np.arange(n)
    last = (onset[:, None, :] <= steps[None, :, None]).sum(-1) - 1     # (batch, n): last pulse
    started = last >= 0
    k = np.maximum(last, 0)
    since = steps[None, :] - np.take_along_axis(onset, k, 1)
    on_channel = np.take_along_axis(channel, k, 1)[..., None] == np.arange(t.inputs)
    value = np.take_along_axis(sign, k, 1)[..., None]
    u = np.where(started[..., None] & (since < stim)[..., None] & on_channel, value, 0.0)
    counted = started & (since >= wait)
    z_hat = np.where(counted[..., None] & on_channel, value, 0.0)
    mask = np.broadcast_to(counted[..., None], z_hat.shape)
    return u * t.input_amp, z_hat * t.target_amp, mask


def _mante(t, batch, rng):
    fix, stim, delay, decision = (_steps(x, t.dt) for x in (t.fixation, t.stimulus, t.delay,
                                                           t.decision))
    n = fix + stim + delay + decision
    begin, end, respond = fix, fix + stim, fix + stim + delay
    u = np.zeros((batch, n, t.inputs))
    half = t.inputs // 2
    sensory = rng.standard_normal((batch, n, half)) * t.rel_input_std / math.sqrt(t.dt)
    coherence = rng.choice(np.asarray(t.coherences), (batch, half))
    context = rng.integers(0, half, batch)
    sensory[:, begin:end] += coherence[:, None, :]
    u[:, begin:end, :half] = (np.arange(half) == context[:, None])[:, None, :] * t.context_amp
    u[:, :, half:] = sensory * t.input_amp
    z_hat = np.zeros((batch, n, t.outputs))
    cued = coherence[np.arange(batch), context]
    z_hat[:, respond:] = np.where(cued < 0, -1.0, 1.0)[:, None, None] * t.target_amp
    mask = np.zeros_like(z_hat)
    mask[:, :end] = 1.0
    mask[:, respond:] = 1.0
    return u, z_hat, mask


def _romo(t, batch, rng):
    n = t.steps
    fix, stim = _steps(t.fixation, t.dt), _steps(t.stimulus, t.dt)
    wait, decision = _steps(t.decision_delay, t.dt), _steps(t.decision, t.dt)
    delay = (rng.uniform(t.delay_min, t.delay_max, batch) / t.dt).astype(int)
    amps = rng.uniform(t.amp_min, t.amp_max, (batch, 2))
    redraw = np.abs(amps[:, 0] - amps[:, 1]) < t.min_diff
    while redraw.any():                       # the authors' rejection loop, per trial
        amps[redraw] = rng.uniform(t.amp_min, t.amp_max, (int(redraw.sum()), 2))
        redraw = np.abs(amps[:, 0] - amps[:, 1]) < t.min_diff
    steps = np.arange(n)[None, :]
    second = fix + stim + delay[:, None]
    respond = second + stim + wait
    u = (np.where((steps >= fix) & (steps < fix + stim), amps[:, :1], 0.0)
         + np.where((steps >= second) & (steps < second + stim), amps[:, 1:], 0.0))[..., None]
    deciding = (steps >= respond) & (steps < respond + decision)
    larger = np.argmax(amps, axis=1)
    z_hat = (deciding[..., None] & (np.arange(t.outputs) == larger[:, None, None])) * t.target_amp
    mask = np.broadcast_to(((steps < second + stim) | deciding)[..., None], z_hat.shape)
    return u, z_hat.astype(float), mask


_GENERATORS = {"flipflop": _flipflop, "mante": _mante, "romo": _romo}


def trials(task, batch, rng):
    """``batch`` trials of ``task`` drawn with the NumPy generator ``rng``: inputs ``u``
    ``(batch, steps, inputs)``, targets ``z_hat`` and mask ``(batch, steps, outputs)``,
    float32, with the timing, amplitudes and masks of the authors' generators."""
    t = task_settings(task)
    batch = positive_int("batch", batch)
    u, z_hat, mask = _GENERATORS[t.name](t, batch, rng)
    return tuple(np.ascontiguousarray(a, dtype=np.float32) for a in (u, z_hat, mask))


def times(task):
    """The time of each step's output, ``dt, 2 dt, ...`` (the state after each update)."""
    t = task_settings(task)
    return t.dt * np.arange(1, t.steps + 1)


# --- Networks -----------------------------------------------------------------------------

_TASK_KEYS = {name: i for i, name in enumerate(sorted(TASKS))}


def _key(task, g, seed, stream, *more):
    """A generator for ``stream`` (0: initial weights, 1: training, 2: tests) of network
    ``(task, g, seed)``."""
    return np.random.default_rng([_TASK_KEYS[task.name], int(round(g * 1000)), int(seed),
                                  stream, *more])


def _check_g(g):
    g = float(g)
    if not (np.isfinite(g) and g >= 0):
        raise ValueError(f"g must be finite and >= 0, got {g!r}")
    return g


def init(task, g, seed, N):
    """Initial ``(W_in, W, W_out)`` of network ``(task, g, seed)`` as the authors draw them
    (a fresh ``W0`` per (sample, g)), float32 arrays ``(inputs, N)``, ``(N, N)``,
    ``(N, outputs)``."""
    t = task_settings(task)
    g, N = _check_g(g), positive_int("N", N)
    rng = _key(t, g, seed, 0)
    W0 = rng.normal(0.0, 1.0 / math.sqrt(N), (N, N)) * g
    wio = rng.normal(0.0, 1.0, (N, t.inputs + t.outputs))
    wio *= math.sqrt(N) / np.linalg.norm(wio, axis=0)
    return (wio[:, :t.inputs].T.astype(np.float32), W0.astype(np.float32),
            (wio[:, t.inputs:] / N).astype(np.float32))


def forward(W_in, W, W_out, u, dt, keep=False):
    """Outputs ``z`` ``(S, B, steps, outputs)`` of ``S`` networks on inputs ``u``
    ``(S, B, steps, inputs)`` (torch tensors); with ``keep``, also the rates
    ``tanh(h)`` of every step, ``(S, steps, B, N)``, for :func:`gradients`."""
    S, B, n, _ = u.shape
    N = W.shape[-1]
    h = torch.zeros(S, B, N, dtype=W.dtype)
    r = torch.zeros_like(h)
    drive = torch.bmm(u.reshape(S, B * n, -1), W_in).reshape(S, B, n, N)
    WT = W.transpose(1, 2)
    rates = torch.empty(S, n, B, N, dtype=W.dtype) if keep else None
    z = torch.empty(S, B, n, W_out.shape[-1], dtype=W.dtype)
    for k in range(n):
        h = (1 - dt) * h + dt * (torch.bmm(r, WT) + drive[:, :, k])
        r = torch.tanh(h)
        z[:, :, k] = torch.bmm(r, W_out)
        if keep:
            rates[:, k] = r
    return (z, rates) if keep else z


def losses(z, z_hat, mask):
    """The authors' loss per network, ``0.5 sum(mask (z - z_hat)^2) / sum(mask)``, shape
    ``(S,)``."""
    return 0.5 * (mask * (z - z_hat) ** 2).sum((1, 2, 3)) / mask.sum((1, 2, 3))


def gradients(W_in, W, W_out, u, z_hat, mask, dt):
    """Per-network losses ``(S,)`` and their gradients with respect to ``W_in``, ``W`` and
    ``W_out`` by backpropagation through time (hand-written; ``tests/test_nonlinear.py``
    checks it against autograd)."""
    S, B, n, _ = u.shape
    N = W.shape[-1]
    z, rates = forward(W_in, W, W_out, u, dt, keep=True)
    norm = 0.5 / mask.sum((1, 2, 3))           # :func:`losses`, in the order the caches used
    loss = norm * (mask * (z - z_hat) ** 2).sum((1, 2, 3))
    e = (2 * norm[:, None, None, None]) * mask * (z - z_hat)          # dL/dz, (S, B, n, out)
    back = torch.bmm(e.reshape(S, B * n, -1), W_out.transpose(1, 2)).reshape(S, B, n, N)
    a = torch.empty(S, n, B, N, dtype=W.dtype)                         # dL/dh per step
    carry = torch.zeros(S, B, N, dtype=W.dtype)                        # dL/dh_{k+1}
    for k in range(n - 1, -1, -1):
        dr = back[:, :, k]
        if k < n - 1:
            dr = torch.baddbmm(dr, carry, W, alpha=dt)
        carry = (1 - dt) * carry + dr * (1 - rates[:, k] ** 2)
        a[:, k] = carry
    A, R = a.reshape(S, n * B, N), rates.reshape(S, n * B, N)          # step-major rows
    dW = dt * torch.bmm(A[:, B:].transpose(1, 2), R[:, :-B])           # h_k reads r_{k-1}
    dW_in = dt * torch.bmm(u.transpose(1, 2).reshape(S, n * B, -1).transpose(1, 2), A)
    dW_out = torch.bmm(R.transpose(1, 2), e.transpose(1, 2).reshape(S, n * B, -1))
    return loss, (dW_in, dW, dW_out)


def adam_step(params, grads, state, lr):
    """One Adam step with PyTorch's default betas and epsilon, as ``torch.optim.Adam``
    computes it, on each tensor of ``params`` in place; ``state`` holds the moments and the
    step count. ``lr``: one number, or a tensor ``(S,)`` of one learning rate per network
    for parameters stacked over ``S`` networks."""
    b1, b2, eps = ADAM
    state["step"] += 1
    step = state["step"]
    c1, c2 = 1 - b1 ** step, math.sqrt(1 - b2 ** step)
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m.lerp_(g, 1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        if torch.is_tensor(lr):
            p.add_((-lr / c1).view(-1, *[1] * (p.dim() - 1)) * m / ((v.sqrt() / c2) + eps))
        else:
            p.addcdiv_(m, (v.sqrt() / c2).add_(eps), value=-lr / c1)


def _batches(task, nets, batch, epoch):
    """Epoch ``epoch``'s fresh training batch of every network, stacked: ``(S, B, ...)``."""
    parts = [trials(task, batch, _key(task, g, seed, 1, epoch)) for g, seed in nets]
    return tuple(torch.from_numpy(np.stack(p)) for p in zip(*parts))


@dataclass
class NonlinearRun:
    """Networks trained on one task. ``loss`` and ``grad_norm`` are ``(epochs, S)`` (the loss
    before each update); weights are stacked over the ``S`` networks, whose ``g`` and
    ``seed`` are ``gs[k]``, ``seeds[k]``. :func:`train` returns the networks of one ``g``,
    so ``S`` is the number of samples."""

    task: object
    gs: np.ndarray
    seeds: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    W_in0: np.ndarray
    W0: np.ndarray
    W_out0: np.ndarray
    W_in: np.ndarray
    W: np.ndarray
    W_out: np.ndarray
    wall_time: float = 0.0

    @property
    def N(self):
        return self.W.shape[-1]

    @property
    def delta_W(self):
        return self.W - self.W0

    def select(self, index):
        """The networks at ``index`` (an index array or boolean mask) as a run."""
        fields = {k: getattr(self, k)[..., index] if k in ("loss", "grad_norm")
                  else getattr(self, k)[index]
                  for k in ("gs", "seeds", "loss", "grad_norm", "W_in0", "W0", "W_out0",
                            "W_in", "W", "W_out")}
        return NonlinearRun(self.task, wall_time=self.wall_time, **fields)


def train_networks(task, nets, epochs, N, lr_N=0.05, batch=32, progress=None, resume=None,
                   save=None, save_every=300.0):
    """Train the networks ``nets`` (a list of ``(g, seed)``) of ``task`` together for
    ``epochs`` epochs: Adam at ``lr_N / N``, a fresh batch of ``batch`` trials per network
    and epoch. ``resume`` (a dict saved by an earlier call through ``save``) continues an
    interrupted run; ``save(state)`` is called every ``save_every`` seconds and at the
    end. Returns a :class:`NonlinearRun`."""
    t = task_settings(task)
    epochs, N, batch = positive_int("epochs", epochs), positive_int("N", N), positive_int("batch", batch)
    lr = float(positive("lr_N", lr_N)) / N
    nets = [(_check_g(g), int(seed)) for g, seed in nets]
    if not nets:
        raise ValueError("nets must name at least one (g, seed) network")
    start = [init(t, g, seed, N) for g, seed in nets]
    initial = [np.stack(w) for w in zip(*start)]
    if resume is not None:
        params = [torch.from_numpy(np.array(resume[k])) for k in ("W_in", "W", "W_out")]
        state = {"step": int(resume["step"]),
                 "m": [torch.from_numpy(np.array(resume[f"m{i}"])) for i in range(3)],
                 "v": [torch.from_numpy(np.array(resume[f"v{i}"])) for i in range(3)]}
        loss, gnorm = np.array(resume["loss"]), np.array(resume["grad_norm"])
    else:
        params = [torch.from_numpy(w.copy()) for w in initial]
        state = {"step": 0, "m": [torch.zeros_like(p) for p in params],
                 "v": [torch.zeros_like(p) for p in params]}
        loss = np.full((epochs, len(nets)), np.nan, np.float32)
        gnorm = np.full((epochs, len(nets)), np.nan, np.float32)

    def snapshot():
        return {"W_in": params[0].numpy(), "W": params[1].numpy(), "W_out": params[2].numpy(),
                "step": np.array(state["step"]), "loss": loss, "grad_norm": gnorm,
                **{f"m{i}": m.numpy() for i, m in enumerate(state["m"])},
                **{f"v{i}": v.numpy() for i, v in enumerate(state["v"])}}

    tic = last_save = time.perf_counter()
    with progress_bar(progress, epochs, "epoch") as bar, torch.no_grad():
        bar.update(state["step"])
        for epoch in range(state["step"], epochs):
            u, z_hat, mask = _batches(t, nets, batch, epoch)
            L, grads = gradients(*params, u, z_hat, mask, t.dt)
            loss[epoch] = L.numpy()
            gnorm[epoch] = torch.sqrt(sum((g ** 2).sum((1, 2)) for g in grads)).numpy()
            adam_step(params, grads, state, lr)
            bar.update()
            if save is not None and time.perf_counter() - last_save > save_every:
                save(snapshot())
                last_save = time.perf_counter()
    if save is not None:
        save(snapshot())
    final = [p.numpy().copy() for p in params]
    gs, seeds = (np.array(x) for x in zip(*nets))
    return NonlinearRun(t, gs, seeds, loss, gnorm, *initial, *final,
                        wall_time=time.perf_counter() - tic)


def train(task, g, samples, epochs, N=256, lr_N=0.05, batch=32, progress=None):
    """The networks of ``task`` at connectivity strength ``g``, one per seed in ``samples``,
    trained together as the authors train each (:func:`train_networks`). Returns a
    :class:`NonlinearRun` whose ``loss`` is ``(epochs, len(samples))`` and whose ``W0`` and
    ``W`` are ``(len(samples), N, N)``."""
    g = _check_g(g)
    return train_networks(task, [(g, s) for s in samples], epochs, N, lr_N, batch, progress)


# --- Analysis -----------------------------------------------------------------------------

def _eval(task, W_in, W, W_out, u, z_hat, mask):
    S = W.shape[0]
    tt = [torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)) for a in (W_in, W, W_out)]
    shape = lambda a: torch.from_numpy(a).expand(S, *a.shape)         # noqa: E731
    with torch.no_grad():
        z = forward(*tt, shape(u), task.dt)
        return losses(z, shape(z_hat), shape(mask)).numpy().astype(float)


def _test_losses(run, k, candidates, stream, test_batch):
    """Losses of network ``k`` of ``run`` with each recurrent matrix in ``candidates``,
    each on its own fresh batch of ``test_batch`` trials."""
    t, g, seed = run.task, float(run.gs[k]), int(run.seeds[k])
    out = np.empty(len(candidates))
    for j, W in enumerate(candidates):
        u, z_hat, mask = trials(t, test_batch, _key(t, g, seed, 2, stream, j))
        out[j] = _eval(t, run.W_in[k][None], W[None], run.W_out[k][None], u, z_hat, mask)[0]
    return out


def truncation_losses(run, ranks, test_batch=512, relative=True):
    """Loss of ``W0 + Delta W^(R)`` (trained input and output vectors) for each ``R`` in
    ``ranks`` and each network of ``run``, each ``R`` on a fresh batch of ``test_batch``
    trials, as the authors measure it; shape ``(len(ranks), S)``. With ``relative``
    (default) each column is divided by its loss at ``R = 0``, which is computed on its own
    fresh batch when ``ranks`` does not hold 0."""
    ranks = [int(R) for R in ranks]
    if any(R < 0 or R > run.N for R in ranks):
        raise ValueError(f"ranks must be in 0 .. N = {run.N}, got {ranks!r}")
    test_batch = positive_int("test_batch", test_batch)
    grid = sorted(set(ranks) | {0})
    out = np.empty((len(grid), len(run.gs)))
    for k in range(len(run.gs)):
        W = run.W0[k] + lowrank.truncations(run.delta_W[k], np.array(grid))
        out[:, k] = _test_losses(run, k, W, 0, test_batch)
    if relative:
        out = out / out[grid.index(0)]
    return out[[grid.index(R) for R in ranks]]


def shuffled_losses(run, test_batch=512):
    """Loss of ``W0^shuffle + Delta W`` per network (``W0``'s entries permuted at random,
    trained input and output vectors), on a fresh batch of ``test_batch`` trials; shape
    ``(S,)``, absolute (the authors divide it by ``loss[0]``)."""
    out = np.empty(len(run.gs))
    for k in range(len(run.gs)):
        rng = _key(run.task, float(run.gs[k]), int(run.seeds[k]), 3)
        W0 = rng.permutation(run.W0[k].ravel()).reshape(run.W0[k].shape)
        out[k] = _test_losses(run, k, [W0 + run.delta_W[k]], 1, positive_int("test_batch", test_batch))[0]
    return out


def spectra(matrix):
    """Singular values (descending) and eigenvalues (by descending modulus) of a square
    matrix."""
    ev = np.linalg.eigvals(np.asarray(matrix, dtype=np.float64))
    return lowrank.singular_values(matrix), ev[np.argsort(-np.abs(ev))]
