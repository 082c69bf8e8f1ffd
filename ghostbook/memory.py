"""The later version's working-memory networks: tasks, model, initialisation and trainer.

Model (authors' ``Figure4`` and ``Figure5`` scripts), with the rates ``r`` a row vector::

    o_t = act(W_out(r_{t-1} S_l))    (rank R: readout of the R latent coordinates)
    o_t = act(W_out(r_{t-1}))        (full rank)
    r_t = (1 - alpha) r_{t-1} + alpha tanh(W_in(u_t) + r_{t-1} W + noise_t)

with ``W = S_l S_r`` (``S_l`` ``N x R``, ``S_r`` ``R x N``) or a full ``W``; ``W_in`` a linear
layer with bias ``b`` (the only bias inside the tanh), ``act`` tanh (DCDT) or sigmoid (DMTS),
the output read *before* each update, and the loss ``nn.MSELoss`` over all trials and steps.
Every parameter is trained, by SGD or Adam (PyTorch's formulas).

Random numbers follow the authors' calls one for one, per network, from a generator seeded
with the network's seed: the layers' construction and re-initialisation (:func:`init`), then
in every forward pass the initial rates ``tanh(spread randn(B, N))`` and, at every step,
``noise randn(B, N)``, both drawn even when their scale is 0 (they advance the stream); the
Fig. 4 scripts also run one forward pass for plotting after the updates of epochs 0, 1000,
2000, ..., which we replay as draws only. Where both scales are 0 the draws cannot change anything and are
skipped.

All networks of a sweep (every learning rate, every seed) train as one batched program in
float32, each with its own learning rate and generator: full-rank networks with the
hand-written backpropagation of :func:`full_rank_gradients`, rank-R ones with autograd.
"""
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from .checks import positive, positive_int, progress_bar
from .nonlinear import adam_step
from .settings import DCDTTask, DMTSTask, MEMORY_TASKS


def _task(task, **timing):
    """A task object from a name or a task object, with ``timing`` fields replaced."""
    if isinstance(task, str):
        if task not in MEMORY_TASKS:
            raise ValueError(f"task must be one of {sorted(MEMORY_TASKS)}, got {task!r}")
        task = MEMORY_TASKS[task]()
    elif not isinstance(task, (DCDTTask, DMTSTask)):
        raise ValueError(f"task must be one of {sorted(MEMORY_TASKS)} or a task object, got {task!r}")
    known = set(task.__dataclass_fields__) - {"name"}
    unknown = set(timing) - known
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)} for {task.name}; known: {sorted(known)}")
    return _checked(replace(task, **timing))


def _checked(task):
    if task.readout not in ("tanh", "sigmoid"):
        raise ValueError(f"readout must be 'tanh' or 'sigmoid', got {task.readout!r}")
    for name in ("cue", "delay", "cue2", "response"):
        value = getattr(task, name, 1)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative number of steps, got {value!r}")
    return task


def trial_batch(task, per_type=1):
    """The authors' fixed batch: inputs and targets ``(types * per_type, steps, 1)`` float32,
    the trial types interleaved (``+, -, +, -, ...`` for DCDT; ``++, --, -+, +-, ...`` for
    DMTS), as ``torch.Tensor.repeat`` tiles them."""
    task = _task(task)
    per_type = positive_int("per_type", per_type)
    if isinstance(task, DCDTTask):
        signs = np.array([1.0, -1.0])
        u = np.zeros((2, task.steps), np.float32)
        y = np.zeros((2, task.steps), np.float32)
        u[:, :task.cue] = signs[:, None]
        y[:, task.cue + task.delay:] = signs[:, None]
    else:
        first = np.array([1.0, -1.0, -1.0, 1.0])
        second = np.array([1.0, -1.0, 1.0, -1.0])
        u = np.zeros((4, task.steps), np.float32)
        y = np.zeros((4, task.steps), np.float32)
        c2 = task.cue + task.delay
        u[:, :task.cue] = first[:, None]
        u[:, c2:c2 + task.cue2] = second[:, None]
        y[:, c2 + task.cue2:] = (first == second)[:, None]
    u, y = (np.tile(a, (per_type, 1))[..., None] for a in (u, y))
    return torch.from_numpy(u), torch.from_numpy(y)


def _uniform(shape, bound, gen):
    return torch.empty(shape).uniform_(-bound, bound, generator=gen)


def init(seed, rank=None, N=100, bias_std=None):
    """The authors' initial network for ``seed``: a dict of float32 tensors ``w_in (N,)``,
    ``b (N,)``, ``S_l (N, R)`` and ``S_r (R, N)`` (rank R) or ``W (N, N)`` (full rank),
    ``w_out (K,)`` and ``b_out ()`` with ``K = R`` or ``N``.

    Draws in their order: ``Linear(1, N)`` (PyTorch's default: weight, then bias), ``S_l``
    and ``S_r`` by ``randn`` then re-drawn ``N(0, 1/N)`` and ``N(0, 1)`` (or ``W`` by
    ``randn``), ``Linear(K, 1)``, then Xavier-uniform on ``W_in``'s weight, ``W`` (full rank)
    and ``W_out``'s weight, then ``b ~ N(0, bias_std^2)`` if ``bias_std`` is given.
    """
    return _init(seed, rank, N, bias_std)[0]


def _init(seed, rank, N, bias_std):
    """:func:`init`'s network and its generator, which the forward passes go on drawing from."""
    N = positive_int("N", N)
    if bias_std is not None and not (np.isfinite(bias_std) and bias_std >= 0):
        raise ValueError(f"bias_std must be None or non-negative, got {bias_std!r}")
    if rank is not None and (positive_int("rank", rank) > N):
        raise ValueError(f"rank must be at most N = {N}, got {rank!r}")
    gen = torch.Generator().manual_seed(int(seed))
    K = N if rank is None else rank
    # Linear(1, N): kaiming_uniform(a = sqrt 5) gives bound 1/sqrt(fan_in) for weight and bias
    w_in, b = _uniform((N, 1), 1.0, gen), _uniform((N,), 1.0, gen)
    p = {}
    if rank is None:
        p["W"] = torch.randn((N, N), generator=gen)
    else:
        S_l, S_r = torch.randn((N, rank), generator=gen), torch.randn((rank, N), generator=gen)
        p["S_l"] = S_l.normal_(0.0, 1 / math.sqrt(N), generator=gen)
        p["S_r"] = S_r.normal_(0.0, 1.0, generator=gen)
    w_out, b_out = _uniform((1, K), 1 / math.sqrt(K), gen), _uniform((1,), 1 / math.sqrt(K), gen)
    w_in = _uniform((N, 1), math.sqrt(6 / (1 + N)), gen)         # Xavier: fan_in 1, fan_out N
    if rank is None:
        p["W"] = _uniform((N, N), math.sqrt(6 / (2 * N)), gen)
    w_out = _uniform((1, K), math.sqrt(6 / (K + 1)), gen)
    if bias_std is not None:
        b = b.normal_(0.0, float(bias_std), generator=gen)
    return {"w_in": w_in[:, 0], "b": b, **p, "w_out": w_out[0], "b_out": b_out[0]}, gen


def recurrent(p):
    """``W`` (row-vector convention ``r W``) of stacked parameters: ``(..., N, N)``."""
    return p["W"] if "W" in p else p["S_l"] @ p["S_r"]


def _readout(p, r, act):
    z = (r @ p["S_l"] if "S_l" in p else r) @ p["w_out"][..., :, None]
    z = z[..., 0] + p["b_out"][..., None]
    return torch.tanh(z) if act == "tanh" else torch.sigmoid(z)


def _draws(gens, B, N, steps, spread, noise):
    """Each network's initial rates ``(S, B, N)`` and noise ``(steps, S, B, N)``, drawn as the
    authors' forward pass draws them. Noise of scale 0 is drawn (it advances the stream)
    and returned as ``None``; both are ``None``, and nothing is drawn, where both scales
    are 0 (then the draws cannot change anything)."""
    if spread == 0 and noise == 0:
        return None, None
    r0, eta = [], []
    for g in gens:
        r0.append(torch.tanh(torch.randn((B, N), generator=g) * spread))
        draws = [torch.randn((B, N), generator=g) for _ in range(steps)]
        if noise != 0:
            eta.append(torch.stack(draws) * noise)
    return torch.stack(r0), (torch.stack(eta, dim=1) if eta else None)


def forward(p, u, act, alpha, r0=None, noise=None):
    """Run stacked networks (parameters ``(S, ...)``) on inputs ``u`` ``(B, steps, 1)``.

    Returns outputs ``(S, B, steps)`` (read before each update) and rates
    ``(S, B, steps + 1, N)`` (``r_0 .. r_steps``). ``r0`` ``(S, B, N)`` and ``noise``
    ``(steps, S, B, N)`` default to zeros.
    """
    S, N = p["b"].shape
    B, steps = u.shape[:2]
    low = "S_l" in p and 2 * p["S_l"].shape[-1] < N     # r S_l S_r is cheaper than r W
    W = None if low else recurrent(p)
    r = torch.zeros((S, B, N)) if r0 is None else r0
    rates, out = [r], []
    w_in, b = p["w_in"][:, None, :], p["b"][:, None, :]
    for t in range(steps):
        out.append(_readout(p, r, act))
        x = u[:, t, :] * w_in + b + ((r @ p["S_l"]) @ p["S_r"] if low else r @ W)
        if noise is not None:
            x = x + noise[t]
        r = (1 - alpha) * r + alpha * torch.tanh(x)
        rates.append(r)
    return torch.stack(out, dim=-1), torch.stack(rates, dim=2)


def full_rank_gradients(p, u, y, act, alpha, r0=None, noise=None, chunk=None):
    """Loss ``(S,)``, outputs ``(S, B, steps)`` and gradients of stacked full-rank networks,
    by hand-written backpropagation through time (no autograd): the same model and loss
    as :func:`forward` with ``nn.MSELoss``, with ``dL/dW = sum_t r_t^T d_t`` taken as one
    batched matrix product over all trials and steps (``d_t = dL/dx_t``). ``y``
    ``(B, steps)``; other arguments as :func:`forward`. Checked against autograd in the
    tests. Networks go through in chunks whose ``W`` fit in the cache together
    (``chunk`` networks; default about 4 MB of weights): the recurrence reads every ``W``
    at every step, and a chunk that stays in the cache runs about twice as fast."""
    S, N = p["b"].shape
    if chunk is None:
        chunk = max(1, (1 << 20) // (N * N))
    if S > chunk:
        parts = [full_rank_gradients({k: v[i:i + chunk] for k, v in p.items()}, u, y, act,
                                     alpha, None if r0 is None else r0[i:i + chunk],
                                     None if noise is None else noise[:, i:i + chunk], chunk)
                 for i in range(0, S, chunk)]
        return (torch.cat([q[0] for q in parts]), torch.cat([q[1] for q in parts]),
                {k: torch.cat([q[2][k] for q in parts]) for k in p})
    B, steps = u.shape[:2]
    W, w_in, b = p["W"], p["w_in"][:, None, :], p["b"][:, None, :]
    w_out = p["w_out"]
    f = dict(dtype=W.dtype)
    rates = torch.empty((S, steps + 1, B, N), **f)
    phi = torch.empty((S, steps, B, N), **f)
    rates[:, 0] = 0.0 if r0 is None else r0
    for t in range(steps):
        r = rates[:, t]
        x = torch.baddbmm(b + u[:, t, :] * w_in, r, W)
        if noise is not None:
            x += noise[t]
        torch.tanh(x, out=phi[:, t])
        torch.add(r * (1 - alpha), phi[:, t], alpha=alpha, out=rates[:, t + 1])
    z = rates[:, :steps] @ w_out[:, None, :, None]                  # (S, steps, B, 1)
    z = z[..., 0] + p["b_out"][:, None, None]
    o = torch.tanh(z) if act == "tanh" else torch.sigmoid(z)        # (S, steps, B)
    err = o - y.T
    loss = (err ** 2).mean(dim=(1, 2))
    dz = err * (2.0 / (B * steps))
    dz *= (1 - o * o) if act == "tanh" else o * (1 - o)
    g_out = dz[..., None] * w_out[:, None, None, :]                 # dL/dr_t via the readout
    d = torch.empty((S, steps, B, N), **f)                          # dL/dx_t
    g = torch.zeros((S, B, N), **f)                                   # dL/dr_{t+1}
    for t in range(steps - 1, -1, -1):
        torch.mul(g, (1 - phi[:, t] ** 2) * alpha, out=d[:, t])
        g = torch.baddbmm(g_out[:, t] + (1 - alpha) * g, d[:, t], W.transpose(1, 2))
    flat_r = rates[:, :steps].reshape(S, steps * B, N)
    flat_d = d.reshape(S, steps * B, N)
    grads = {"w_in": (flat_d * u.transpose(0, 1).reshape(1, steps * B, 1)).sum(1),
             "b": flat_d.sum(1), "W": flat_r.transpose(1, 2) @ flat_d,
             "w_out": (dz[..., None] * rates[:, :steps]).sum(dim=(1, 2)),
             "b_out": dz.sum(dim=(1, 2))}
    return loss, o.transpose(1, 2), {k: grads[k] for k in p}


def accuracy(out, y, task):
    """The authors' accuracy: outputs binarised (DCDT: >= 0.33 -> 1, <= -0.33 -> -1, else 0;
    DMTS: >= 0.5 -> 1, else 0), then the fraction of (trial, step) entries equal to the
    target. ``out`` ``(S, B, steps)``, ``y`` ``(B, steps)``; returns ``(S,)``."""
    if isinstance(task, DCDTTask):
        hard = (out >= 0.33).float() - (out <= -0.33).float()
    else:
        hard = (out >= 0.5).float()
    return (hard == y).float().mean(dim=(-2, -1))


def _grad_norm(grads):
    """The authors' gradient norm: ``|dL/dS_l| + |dL/dS_r|`` (rank R, Fig. 4) or ``|dL/dW|``
    (full rank, Fig. 5), Frobenius norms per network."""
    if "W" in grads:
        return grads["W"].flatten(1).norm(dim=1)
    return grads["S_l"].flatten(1).norm(dim=1) + grads["S_r"].flatten(1).norm(dim=1)


@dataclass
class MemoryRun:
    """Networks trained on a working-memory task. Curves are ``(epochs, L, S)`` over learning
    rates ``lrs`` and ``seeds``: ``loss``, ``grad_norm`` and ``accuracy`` of the forward pass
    before each update (of the epochs ``record_epochs``). Parameters are dicts of arrays ``(L, S, ...)``; ``snapshots[e]`` holds
    them after epoch ``e``'s update (the authors' ``model_epoch{e}``)."""

    task: object
    rank: object
    lrs: np.ndarray
    seeds: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    accuracy: np.ndarray
    initial: dict
    final: dict
    snapshots: dict = field(default_factory=dict)
    record_epochs: np.ndarray = None      # the epochs the curves hold (every epoch: arange)


def train(task, seeds, lrs, epochs, *, rank=None, optimizer="sgd", N=100, alpha=0.5, trials=1,
          noise=0.0, spread=0.0, bias_std=None, extra_forward_every=None, snapshots=(),
          confidence=None, confidence_from=0, record_every=1, progress=None, resume=None,
          save=None, save_every=300.0, backend="cpu", **timing):
    """Train one network per (learning rate, seed) on ``task`` (``"dcdt"``, ``"dmts"`` or a
    task object with its timing), all at once. Returns a :class:`MemoryRun`.

    ``task="activation"``: the 2024 delayed-activation trial with the 2024 network
    (:mod:`ghostbook.rnn`: full rank ``W`` trained directly, or ``W = M N`` of ``rank``), by
    SGD with the compiled trainer of :mod:`ghostbook.train` (later version, Fig. 6A); the
    working-memory settings below do not apply to it and are refused.

    rank: ``None`` for a full ``W``, an integer R for ``W = S_l S_r``.
    optimizer: ``"sgd"`` or ``"adam"``. trials: trials per trial type. noise, spread: the
    scales of the noise at every step and of the initial rates. bias_std: ``W_in``'s bias
    re-drawn ``N(0, bias_std^2)`` (Fig. 4) or kept (``None``, Fig. 5).
    extra_forward_every: replay the authors' plotting forward pass after every such update.
    confidence: the later version's Fig. 8C intervention: from epoch ``confidence_from`` on,
    before every forward pass, ``w_out`` and ``b_out`` are divided by ``||w_out||_1 / c`` so
    that ``||w_out||_1 = c`` (the optimiser's state is left as it is). A scalar, or one
    value per entry of ``lrs``; ``inf`` (or ``None``) leaves that network alone (control).
    record_every: keep the curves of epochs ``0, k, 2k, ...`` only (``run.record_epochs``),
    for long sweeps. snapshots: epochs after whose update the parameters are kept. timing: the task's
    ``cue``, ``delay``, ``cue2``, ``response`` (steps) and ``readout`` (``"tanh"`` or
    ``"sigmoid"``), replacing the defaults of the named task or the fields of a task object.
    resume: a dict saved by an earlier call through ``save`` (same arguments), to continue an
    interrupted run; ``save(state)`` is called every ``save_every`` seconds and at the end.
    A resumed run equals an uninterrupted one bit for bit.
    backend: ``"cuda"`` trains ``task="activation"`` on the GPU
    (:func:`ghostbook.train.train_rank_k`'s backend); the other tasks train on the CPU.
    """
    activation = isinstance(task, str) and task == "activation"
    if activation:
        given = {k: v for k, v in dict(N=N, alpha=alpha, trials=trials, noise=noise,
                                        spread=spread, bias_std=bias_std,
                                        extra_forward_every=extra_forward_every).items()
                 if v != _ACTIVATION_DEFAULTS[k]}
        given.update(timing)
        given.update({k: v for k, v in dict(confidence=confidence).items() if v is not None})
        if given:
            raise ValueError("task 'activation' is the 2024 delayed-activation trial of "
                             "ghostbook.rnn (N = 100, one trial, no input, no noise): unknown "
                             f"settings {sorted(given)}")
    else:
        task = _task(task, **timing)
        if backend != "cpu":
            raise ValueError(f"backend {backend!r} trains only task 'activation' (the compiled "
                             "2024 trainer); the working-memory tasks train on the CPU")
    seeds = np.atleast_1d(np.asarray(seeds))
    lrs = positive("lrs", lrs).reshape(-1)
    if seeds.ndim != 1 or seeds.size == 0 or not np.issubdtype(seeds.dtype, np.integer):
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    epochs = positive_int("epochs", epochs)
    record_every = positive_int("record_every", record_every)
    allowed = ("sgd",) if activation else ("sgd", "adam")     # the 2024 protocol: SGD only
    if optimizer not in allowed:
        raise ValueError(f"optimizer must be one of {allowed} for this task, got {optimizer!r}")
    snapshots = sorted(set(int(e) for e in snapshots))
    if any(not 0 <= e < epochs for e in snapshots):
        raise ValueError(f"snapshots must be epochs in [0, {epochs}), got {snapshots!r}")
    if activation:
        return _train_activation(seeds, lrs, epochs, rank, snapshots, record_every, progress,
                                 resume, save, save_every, backend)
    alpha = float(positive("alpha", alpha))
    if alpha > 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    for name, value in (("noise", noise), ("spread", spread)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be non-negative, got {value!r}")
    if extra_forward_every is not None:
        extra_forward_every = positive_int("extra_forward_every", extra_forward_every)
    L, S = lrs.size, seeds.size
    conf = None
    if confidence is not None:
        conf = np.asarray(confidence, dtype=float).reshape(-1)
        if conf.size not in (1, L) or np.any(np.isnan(conf)) or np.any(conf <= 0):
            raise ValueError(f"confidence must be positive (inf: no rescaling), one value or "
                             f"one per learning rate ({L}), got {confidence!r}")
        if isinstance(confidence_from, bool) or not isinstance(confidence_from, (int, np.integer)) \
                or confidence_from < 0:
            raise ValueError(f"confidence_from must be a non-negative epoch, got {confidence_from!r}")
        conf = torch.tensor(np.repeat(np.broadcast_to(conf, (L,)), S), dtype=torch.float32)
    nets = [(lr, int(seed)) for lr in lrs for seed in seeds]
    gens, params = [], []
    for _, seed in nets:
        net, gen = _init(seed, rank, N, bias_std)
        params.append(net)
        gens.append(gen)
    p = {k: torch.stack([q[k] for q in params]) for k in params[0]}
    initial = {k: v.numpy().reshape(L, S, *v.shape[1:]).copy() for k, v in p.items()}
    lr = torch.tensor([lr for lr, _ in nets], dtype=torch.float32)
    u, y = trial_batch(task, trials)
    y2 = y[..., 0]
    B, steps = u.shape[:2]
    state = {"step": 0, "m": [torch.zeros_like(v) for v in p.values()],
             "v": [torch.zeros_like(v) for v in p.values()]}
    kept = np.arange(0, epochs, record_every)
    hist = {k: np.full((kept.size, L * S), np.nan, np.float32)
            for k in ("loss", "grad_norm", "accuracy")}
    snaps = {}
    start = 0
    if resume is not None:
        start = int(resume["epoch"])
        p = {k: torch.from_numpy(np.array(resume[f"p_{k}"])) for k in p}
        state = {"step": int(resume["step"]),
                 "m": [torch.from_numpy(np.array(resume[f"m_{k}"])) for k in p],
                 "v": [torch.from_numpy(np.array(resume[f"v_{k}"])) for k in p]}
        hist = {k: np.array(resume[f"h_{k}"]) for k in hist}
        for g, st in zip(gens, resume["generators"]):
            g.set_state(torch.from_numpy(np.array(st)))
        for e in resume["snapshot_epochs"]:
            snaps[int(e)] = {k: np.array(resume[f"s{int(e)}_{k}"]) for k in p}
    full = "W" in p                     # full rank: hand-written gradients, no autograd
    for v in p.values():
        v.requires_grad_(not full)

    def numpy(q):
        return {k: v.detach().numpy().reshape(L, S, *v.shape[1:]).copy() for k, v in q.items()}

    def checkpoint(epoch):
        return {"epoch": np.array(epoch), "step": np.array(state["step"]),
                **{f"p_{k}": v.detach().numpy().copy() for k, v in p.items()},
                **{f"m_{k}": m.numpy().copy() for k, m in zip(p, state["m"])},
                **{f"v_{k}": m.numpy().copy() for k, m in zip(p, state["v"])},
                **{f"h_{k}": h.copy() for k, h in hist.items()},
                "generators": np.stack([g.get_state().numpy() for g in gens]),
                "snapshot_epochs": np.array(sorted(snaps), dtype=int),
                **{f"s{e}_{k}": a for e, q in snaps.items() for k, a in q.items()}}

    last_save = time.perf_counter()
    with progress_bar(progress, epochs, "epoch") as bar:
        bar.update(start)
        for epoch in range(start, epochs):
            if conf is not None and epoch >= confidence_from:
                _rescale_readout(p, conf)
            r0, eta = _draws(gens, B, N, steps, spread, noise)
            if full:
                per_net, out, g = full_rank_gradients(p, u, y2, task.readout, alpha, r0, eta)
                grads = list(g.values())
            else:
                out, _ = forward(p, u, task.readout, alpha, r0, eta)
                per_net = ((out - y2) ** 2).mean(dim=(1, 2))
                grads = torch.autograd.grad(per_net.sum(), list(p.values()))
                g = dict(zip(p, grads))
            if epoch % record_every == 0:
                row = epoch // record_every
                hist["loss"][row] = per_net.detach().numpy()
                hist["grad_norm"][row] = _grad_norm(g).numpy()
                hist["accuracy"][row] = accuracy(out.detach(), y2, task).numpy()
            with torch.no_grad():
                if optimizer == "sgd":
                    for k, v in p.items():
                        v.add_(-lr.view(-1, *[1] * (v.dim() - 1)) * g[k])
                else:
                    adam_step(list(p.values()), grads, state, lr)
            if extra_forward_every is not None and epoch % extra_forward_every == 0:
                _draws(gens, B, N, steps, spread, noise)
            if epoch in snapshots:
                snaps[epoch] = numpy(p)
            bar.update()
            if save is not None and time.perf_counter() - last_save > save_every:
                save(checkpoint(epoch + 1))
                last_save = time.perf_counter()
    if save is not None:
        save(checkpoint(epochs))
    loss_h, grad_h, acc_h = hist["loss"], hist["grad_norm"], hist["accuracy"]
    shape = (kept.size, L, S)
    return MemoryRun(task=task, rank=rank, lrs=lrs, seeds=seeds, loss=loss_h.reshape(shape),
                     grad_norm=grad_h.reshape(shape), accuracy=acc_h.reshape(shape),
                     initial=initial, final=numpy(p), snapshots=snaps, record_epochs=kept)


def _rescale_readout(p, conf):
    """``w_out``, ``b_out`` divided by ``||w_out||_1 / c`` in place (``c = inf``: untouched)."""
    with torch.no_grad():
        w, b = p["w_out"], p["b_out"]
        norm = w.abs().reshape(w.shape[0], -1).sum(dim=1) / conf
        norm = torch.where(torch.isinf(conf), torch.ones_like(norm), norm)
        w.div_(norm.view(-1, *[1] * (w.dim() - 1)))
        b.div_(norm.view(-1, *[1] * (b.dim() - 1)))


def branch(state, copies, epochs, record_every=1):
    """A checkpoint of ``L x S`` networks (``state``, saved through :func:`train`'s ``save``)
    as the ``resume`` of a run of ``copies`` times as many, all starting from it, that goes
    on to ``epochs``: call :func:`train` with the same seeds, ``lrs`` repeated ``copies``
    times (e.g. one per confidence), ``epochs`` and ``record_every``. A shared first phase is computed once;
    the copies go on exactly as separate runs from the start would."""
    copies = positive_int("copies", copies)
    state = {k: np.asarray(v) for k, v in state.items()}
    done = int(state["epoch"])
    if len(state["snapshot_epochs"]):
        raise ValueError("branch: the checkpoint holds snapshots; branch before any")
    epochs = positive_int("epochs", epochs)
    record_every = positive_int("record_every", record_every)
    if epochs < done:
        raise ValueError(f"epochs must be at least the checkpoint's {done}, got {epochs}")
    out = {"epoch": state["epoch"], "step": state["step"], "snapshot_epochs": state["snapshot_epochs"]}
    for k, v in state.items():
        if k.startswith(("p_", "m_", "v_")) or k == "generators":
            out[k] = np.concatenate([v] * copies)
        elif k.startswith("h_"):
            h = np.full((-(-epochs // record_every), v.shape[1] * copies), np.nan, v.dtype)
            h[:v.shape[0]] = np.concatenate([v] * copies, axis=1)
            out[k] = h
    return out


_ACTIVATION_DEFAULTS = dict(N=100, alpha=0.5, trials=1, noise=0.0, spread=0.0, bias_std=None,
                            extra_forward_every=None)


def _train_activation(seeds, lrs, epochs, rank, snapshots, record_every, progress, resume,
                      save, save_every, backend):
    """The 2024 delayed-activation task (later version, Fig. 6A: Fig. S1's protocol with ``W``
    trained directly): :func:`ghostbook.train.train_rank_k`'s compiled SGD for every
    (learning rate, seed) network at once, as a :class:`MemoryRun`. Arguments checked by
    :func:`train`."""
    from .train import train_rank_k

    L, S = lrs.size, seeds.size
    nets_seeds = [int(s) for _ in lrs for s in seeds]
    lr = np.repeat(lrs, S).astype(np.float32)
    res = train_rank_k(nets_seeds, "full" if rank is None else rank, lr, epochs,
                       snapshot_epochs=[0] + [e + 1 for e in snapshots], progress=progress,
                       record_epochs=np.arange(0, epochs, record_every), resume=resume,
                       save=save, save_every=save_every, backend=backend)

    def arrays(q):
        return {k: np.asarray(v).reshape(L, S, *np.asarray(v).shape[1:]).copy()
                for k, v in q.arrays().items()}

    shape = (res.record_epochs.size, L, S)
    return MemoryRun(task="activation", rank=rank, lrs=lrs, seeds=seeds,
                     loss=res.loss.reshape(shape), grad_norm=res.grad_norm.reshape(shape),
                     accuracy=res.accuracy.reshape(shape), initial=arrays(res.at(0)),
                     final=arrays(res.params),
                     snapshots={e: arrays(res.at(e + 1)) for e in snapshots},
                     record_epochs=res.record_epochs)


def latent_circuit(p, rank=2):
    """The rank-R latent circuit of a network (parameters of one network, arrays): with the
    column-vector ``W_col = W^T = U S V^T``, ``m = U_R S_R`` and ``n = V_R`` (the authors'
    ``M`` and ``N^T``), so that ``kappa = n^T r`` obeys ``kappa' = -kappa + n^T tanh(m kappa + b)``
    without input or noise (exact when ``W`` has rank R). Returns ``m, n, b`` in float64."""
    W = np.asarray(p["S_l"] @ p["S_r"] if "S_l" in p else p["W"], dtype=float)
    if positive_int("rank", rank) > W.shape[0]:
        raise ValueError(f"rank must be at most N = {W.shape[0]}, got {rank!r}")
    U, s, Vt = np.linalg.svd(W.T)
    return U[:, :rank] * s[:rank], Vt[:rank].T, np.asarray(p["b"], dtype=float)


def simulate(p, task, per_type=1, spread=0.0, seed=0, alpha=0.5):
    """One network (parameters as arrays, e.g. ``run.final`` indexed ``[l, s]``, or a cached
    result's) on ``task``'s trials without noise: outputs ``(B, steps)`` and rates
    ``(B, steps + 1, N)`` as float64 arrays. ``spread``: initial rates
    ``tanh(spread N(0, 1))`` from a NumPy generator seeded with ``seed`` (0: all zero)."""
    task = _task(task)
    q = {k: torch.from_numpy(np.array(v, dtype=np.float32))[None] for k, v in p.items()}
    u, _ = trial_batch(task, per_type)
    N = q["b"].shape[-1]
    r0 = None
    if spread:
        z = np.random.default_rng(seed).standard_normal((u.shape[0], N))
        r0 = torch.from_numpy(np.tanh(spread * z).astype(np.float32))[None]
    with torch.no_grad():
        out, rates = forward(q, u, task.readout, alpha, r0)
    return out[0].double().numpy(), rates[0].double().numpy()


@dataclass
class FlowMap:
    """The latent flow of a rank-2 network on a grid (later version, Fig. 4): ``speed`` and
    ``uv`` indexed ``[i1, i2]`` for ``kappa = (grid[i1], grid[i2])``, the readout's argument
    ``decision`` on the grid with its ``levels`` (where the binarised output changes), trial
    trajectories ``paths`` (trial type -> ``(steps + 1, 2)``), and the ``portrait``."""

    grid: np.ndarray
    speed: np.ndarray
    uv: np.ndarray
    decision: np.ndarray
    levels: tuple
    paths: dict
    portrait: object
    m: np.ndarray
    n: np.ndarray
    b: np.ndarray


TRIAL_TYPES = {"dcdt": ("+", "\u2212"), "dmts": ("++", "\u2212\u2212", "\u2212+", "+\u2212")}
"""Labels of the trial types, in :func:`trial_batch`'s order."""


def flow_map(p, task, box, points=201):
    """:class:`FlowMap` of one rank-2 network ``p`` (arrays) on ``[-box, box]^2``.

    Flow and portrait are :mod:`ghostbook.latent`'s for ``m, n, b`` of :func:`latent_circuit`
    (no input, no noise). Trajectories: one noise-free trial of each type from rates 0,
    projected ``kappa = n^T r``. Decision: the readout's argument ``(n kappa) S_l w_out +
    b_out`` for rates in the latent plane; the output's binarised value changes where it
    crosses ``levels`` (DCDT: ``tanh = +-0.33``; DMTS: ``sigmoid = 0.5``).
    """
    from . import latent

    task = _task(task)
    box = float(positive("box", box))
    m, n, b = latent_circuit(p)
    grid = np.linspace(-box, box, positive_int("points", points))
    mesh = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1)
    uv = latent.flow(mesh, m, n, b)
    readout = np.asarray(p["S_l"], dtype=float) @ np.asarray(p["w_out"], dtype=float)
    decision = mesh @ (n.T @ readout) + float(p["b_out"])
    t = np.arctanh(0.33)
    levels = (-t, t) if isinstance(task, DCDTTask) else (0.0,)
    _, rates = simulate(p, task)
    paths = dict(zip(TRIAL_TYPES[task.name], rates @ n))
    portrait = latent.classify(m, n, b, kappa_range=(-box, box))
    return FlowMap(grid=grid, speed=np.linalg.norm(uv, axis=-1), uv=uv, decision=decision,
                   levels=levels, paths=paths, portrait=portrait, m=m, n=n, b=b)
