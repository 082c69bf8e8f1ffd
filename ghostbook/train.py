"""Ensemble training of the RNNs of :mod:`ghostbook.rnn` by plain SGD: the drivers.

One epoch is one update on the single delayed-activation trial: no batch, no noise,
no clipping. Many independent networks, each with its own seed, learning rate ``lr``
and (rank one) confidence ``c``, train together.

At ``N = 100`` the cost of an epoch is per-operation overhead, not arithmetic, so the
fast path runs whole chunks of epochs for all networks in one compiled call
(:func:`ghostbook.kernels.train_chunk`, gradients written by hand: backpropagation
through the 40 steps of the 2024 paper's 2024 Eq. 17). :func:`train_reference` is the slow
path (PyTorch autograd on :mod:`ghostbook.rnn`'s forward passes) that the tests hold the
fast path to.
"""
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import kernels, rnn
from .checks import positive_int, progress_bar
from .settings import RNN

CHUNK_SECONDS = 0.5
FIRST_CHUNK = 20_000
"""Network-epochs in the compiled trainer's first chunk; later chunks last ``CHUNK_SECONDS``."""
"""Target wall time of one compiled chunk of epochs (the progress bar updates between chunks)."""

CONSTS = kernels.Consts(RNN.delta, RNN.x0, RNN.kappa_star, RNN.steps, RNN.delay)
"""2024 Eq. 17's settings as the kernels take them."""


@dataclass(frozen=True, eq=False)
class TrainResult:
    """An ensemble's training history. ``B`` networks, ``R`` recorded epochs (all ``E`` by
    default), ``S`` snapshots."""

    loss: np.ndarray             # (R, B) loss before the update of each recorded epoch
    accuracy: np.ndarray         # (R, B) accuracy, same moment
    grad_norm: np.ndarray        # (R, B) norm of the whole parameter gradient, same moment
    params: rnn._Params          # final parameters, leading axis B (accepted back as `init`)
    snapshots: rnn._Params       # parameters after `snapshot_epochs[s]` updates, axes (S, B)
    snapshot_epochs: np.ndarray  # (S,) sorted epochs in [0, E]
    record_epochs: np.ndarray    # (R,) sorted epochs in [0, E - 1]
    lr: np.ndarray               # (B,) learning rates
    c: np.ndarray                # (B,) readout confidences (rank one; ones otherwise)
    seeds: tuple                 # seeds of the initialisation, or None when `init` was given
    device: str = "cpu"          # what computed it: "cpu", or the GPU's name (backend="cuda")

    def at(self, epoch):
        """Parameters of every network after ``epoch`` updates (must be a snapshot epoch)."""
        hits = np.flatnonzero(self.snapshot_epochs == epoch)
        if not hits.size:
            raise ValueError(f"epoch {epoch!r} is not among the snapshot epochs")
        return self.snapshots[int(hits[0])]


def _model(params):
    """The kernels' :class:`~ghostbook.kernels.Model` of a parameter container."""
    N = params.neurons
    if isinstance(params, rnn.RankOne):
        return kernels.Model(kernels.RANK_ONE, 1, N)
    if isinstance(params, rnn.RankK):
        return kernels.Model(kernels.RANK_K, params.rank, N)
    if isinstance(params, rnn.FullRank):
        return kernels.Model(kernels.FULL_RANK, 1, N)
    raise ValueError(f"params must be RankOne, RankK or FullRank, got {type(params).__name__}")


def _per_network(name, value, B, dtype):
    """A positive, finite scalar or ``(B,)`` array as a ``(B,)`` array of ``dtype``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape != (B,)):
        raise ValueError(f"{name} must be a scalar or have one entry per network ({B}), "
                         f"got shape {arr.shape}")
    if arr.size == 0 or not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return np.array(np.broadcast_to(arr, (B,)), dtype=dtype)           # a writable copy


def _slots(name, epochs_wanted, last):
    """Sorted unique epochs in ``[0, last]`` and ``slot (last + 1,)``: index into them, or -1."""
    wanted = np.unique(np.asarray(epochs_wanted))
    if not wanted.size:
        wanted = wanted.astype(np.int64)
    elif wanted.dtype.kind not in "iu" or wanted[0] < 0 or wanted[-1] > last:
        raise ValueError(f"{name} must be integers in [0, {last}], got {epochs_wanted!r}")
    slot = np.full(last + 1, -1, dtype=np.int64)
    slot[wanted] = np.arange(wanted.size)
    return wanted.astype(np.int64), slot


def _initial(seeds, init, make, dtype):
    """Initial parameters (a copy) and the seeds to record; ``make(seeds, dtype)`` draws."""
    if init is None:
        if seeds is None:
            raise ValueError("seeds must be given when init is None")
        dtype = np.float32 if dtype is None else dtype
        return make(seeds, dtype=dtype), rnn._seeds(seeds)
    if len(init.batch_shape) != 1:
        raise ValueError(f"init must have one leading network axis, got batch shape {init.batch_shape}")
    params = init.astype(init.dtype if dtype is None else dtype)
    if seeds is None:
        return params, None
    seeds = rnn._seeds(seeds)
    if len(seeds) != params.batch_shape[0]:
        raise ValueError(f"seeds has {len(seeds)} entries but init has {params.batch_shape[0]} networks")
    return params, seeds


BACKENDS = ("cpu", "cuda")
"""The compiled trainer's backends: Numba on the CPU (the default and the reference), and
one fused Numba-CUDA kernel per chunk of epochs (:mod:`ghostbook.cuda_kernels`)."""


def _fit(params, seeds, lr, c, epochs, snapshot_epochs, record_epochs, progress, resume=None,
         save=None, save_every=300.0, backend="cpu"):
    """Run the compiled trainer on ``params`` (a fresh copy) and collect a :class:`TrainResult`.
    ``save(state)`` gets a checkpoint every ``save_every`` seconds and at the end; ``resume``,
    such a checkpoint of the same call, continues from it (the 2024 trial has no noise, so the
    parameters and the records so far are the whole state: a resumed run equals an
    uninterrupted one bit for bit). ``backend``: one of :data:`BACKENDS`."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    model = _model(params)
    epochs = positive_int("epochs", epochs)
    (B,), dtype = params.batch_shape, params.dtype
    lr, c = _per_network("lr", lr, B, dtype), _per_network("c", c, B, dtype)
    wanted, slot = _slots("snapshot_epochs", () if snapshot_epochs is None else snapshot_epochs, epochs)
    recorded, rslot = _slots("record_epochs", np.arange(epochs) if record_epochs is None
                             else record_epochs, epochs - 1)
    theta = np.ascontiguousarray(params.flat())                   # (B, P)
    state = kernels.State(theta, c, lr, np.empty_like(theta))
    record = kernels.Record(*(np.empty((B, recorded.size), dtype) for _ in range(3)), rslot, slot,
                            np.empty((wanted.size,) + theta.shape, dtype))   # snaps (S, B, P)
    start, chunk = 0, max(1, min(epochs, FIRST_CHUNK // B))
    kept = ("loss", "acc", "gnorm", "snaps")
    if resume is not None:
        start = int(resume["epoch"])
        if not 0 <= start <= epochs or np.shape(resume["theta"]) != theta.shape:
            raise ValueError("resume does not belong to this call (epochs or networks differ)")
        theta[:] = resume["theta"]
        for k in kept:
            getattr(record, k)[:] = resume[k]

    def checkpoint(epoch):
        return {"epoch": np.array(epoch), "theta": theta.copy(),
                **{k: getattr(record, k).copy() for k in kept}}

    if backend == "cuda":                # the arrays go to the GPU; `sync` brings them back
        gpu = _cuda_trainer(model, state, record)
        device, run = gpu.device, gpu.run

        def sync():
            gpu.fetch(state, record)
    else:
        device = "cpu"

        def run(start, stop):
            kernels.train_chunk(model, CONSTS, state, record, start, stop)

        def sync():
            pass

    last_save = time.perf_counter()
    with progress_bar(progress, epochs, "epoch") as bar:
        bar.update(start)
        while start < epochs:
            stop = min(epochs, start + chunk)
            tic = time.perf_counter()
            run(start, stop)
            rate = (stop - start) / max(time.perf_counter() - tic, 1e-6)
            chunk = max(1, int(rate * CHUNK_SECONDS))
            bar.update(stop - start)
            start = stop
            if save is not None and (start == epochs
                                     or time.perf_counter() - last_save > save_every):
                sync()
                save(checkpoint(start))
                last_save = time.perf_counter()
    sync()
    return TrainResult(loss=record.loss.T.copy(), accuracy=record.acc.T.copy(),
                       grad_norm=record.gnorm.T.copy(), params=params.with_flat(theta),
                       snapshots=params.with_flat(record.snaps),
                       snapshot_epochs=wanted, record_epochs=recorded, lr=lr, c=c, seeds=seeds,
                       device=device)


def _cuda_trainer(model, state, record):
    """The networks on the GPU (:class:`ghostbook.cuda_kernels.Trainer`), its ``device``
    named; a clear error where there is no GPU."""
    from . import cuda_kernels

    if not cuda_kernels.available():
        raise ValueError("backend='cuda' needs a CUDA GPU (or NUMBA_ENABLE_CUDASIM=1, which "
                         "runs the kernel in Numba's simulator on the CPU, slowly)")
    gpu = cuda_kernels.Trainer(model, CONSTS, state, record)
    gpu.device = cuda_kernels.device_name()
    return gpu


def train_rank_one(seeds, lr, epochs, c=RNN.c, init=None, snapshot_epochs=None, progress=None,
                   dtype=None, record_epochs=None, backend="cpu"):
    """Train rank-one RNNs (Figs. 3, 4, S1) by SGD, all networks in one compiled loop.

    seeds: int or sequence of ints, one network each (``rnn.init_rank_one``); may be
        ``None`` when ``init`` is given.
    lr, c: learning rate and readout confidence, scalars or one per network. Changing
        ``c`` changes the loss too (Fig. 4's recovery).
    epochs: number of SGD updates; ``loss[e]`` is the loss before update ``e``.
    init: :class:`ghostbook.rnn.RankOne` with a leading network axis (e.g. a previous
        result's ``params``, or ``params[stuck]``) to continue from; not modified.
    snapshot_epochs: epochs in ``[0, epochs]`` at which to keep the parameters.
    record_epochs: epochs in ``[0, epochs - 1]`` whose loss, accuracy and gradient norm are
        kept (default: every epoch); long runs of many networks keep a few.
    progress: ``None`` shows a bar on runs longer than 2 s, ``True`` always, ``False`` never.
    dtype: float32 (the paper's, default) or float64; default keeps ``init``'s dtype.
    backend: ``"cpu"`` (compiled with Numba; the reference) or ``"cuda"`` (one fused GPU
        kernel, float32 only; :mod:`ghostbook.cuda_kernels`). ``result.device`` says which
        computed the result.
    """
    params, seeds = _initial(seeds, init, rnn.init_rank_one, dtype)
    if not isinstance(params, rnn.RankOne):
        raise ValueError(f"init must be RankOne parameters, got {type(params).__name__}")
    return _fit(params, seeds, lr, c, epochs, snapshot_epochs, record_epochs, progress,
                backend=backend)


def train_rank_k(seeds, rank, lr, epochs, init=None, snapshot_epochs=None, progress=None,
                 dtype=None, record_epochs=None, resume=None, save=None, save_every=300.0,
                 backend="cpu"):
    """Train rank-``K`` RNNs (``W = M N``, 2024 Eq. 19) or, with ``rank="full"``, full-rank ones
    (Fig. S2), with the trained readout of 2024 Eq. 18. Arguments as :func:`train_rank_one`;
    ``rank`` must match ``init`` when both are given. ``save(state)`` receives a checkpoint
    every ``save_every`` seconds and at the end; ``resume`` (such a checkpoint, same arguments) continues
    an interrupted run, bit for bit."""
    if rank == "full":
        make, kind = rnn.init_full_rank, rnn.FullRank
    elif isinstance(rank, str):
        raise ValueError(f"rank must be an integer in [1, N] or 'full', got {rank!r}")
    else:
        rank = positive_int("rank", rank)

        def make(s, dtype):
            return rnn.init_rank_k(s, rank, dtype=dtype)
        kind = rnn.RankK
    params, seeds = _initial(seeds, init, make, dtype)
    if not isinstance(params, kind) or (kind is rnn.RankK and params.rank != rank):
        raise ValueError(f"init does not hold rank={rank!r} parameters")
    return _fit(params, seeds, lr, 1.0, epochs, snapshot_epochs, record_epochs, progress,
                resume=resume, save=save, save_every=save_every, backend=backend)


def _one_epoch(params, c):
    """Loss, accuracy ``(B,)`` and gradient ``(B, P)`` of every network: one epoch of the
    compiled trainer at learning rate 0."""
    model = _model(params)
    theta = np.ascontiguousarray(params.flat())                   # (B, P)
    (B, P), dtype = theta.shape, theta.dtype
    state = kernels.State(theta, _per_network("c", c, B, dtype), np.zeros(B, dtype),
                          np.empty_like(theta))
    record = kernels.Record(*(np.empty((B, 1), dtype) for _ in range(3)), np.zeros(1, np.int64),
                            np.full(2, -1), np.empty((0, B, P), dtype))
    kernels.train_chunk(model, CONSTS, state, record, 0, 1)
    return record.loss[:, 0], record.acc[:, 0], state.grad


def gradients(params, c=RNN.c):
    """Loss ``(B,)`` and hand-written gradient of every network, as a container like ``params``."""
    loss, _, grad = _one_epoch(params, c)
    return loss, params.with_flat(grad)


def evaluate(params, c=RNN.c):
    """Loss and accuracy ``(B,)`` of every network on the trial, as the trainer computes them
    (e.g. of networks whose connectivity was truncated)."""
    loss, acc, _ = _one_epoch(params, c)
    return loss, acc


def train_reference(params, lr, epochs, c=RNN.c):
    """The slow reference: PyTorch autograd on :func:`ghostbook.rnn.outputs` and plain SGD.

    All networks share one graph (their losses are summed; they do not interact).
    Returns a :class:`TrainResult` without snapshots.
    """
    _model(params)
    epochs = positive_int("epochs", epochs)
    (B,), dtype = params.batch_shape, params.dtype
    lr, c = _per_network("lr", lr, B, dtype), _per_network("c", c, B, dtype)
    tensors = params.torch(requires_grad=True)
    lr_t = torch.tensor(lr)
    history = np.empty((3, epochs, B))
    for e in range(epochs):
        out = rnn.outputs(tensors, torch.tensor(c))               # (B, 40)
        loss = rnn.loss(out)                                      # (B,)
        grads = torch.autograd.grad(loss.sum(), list(tensors.values()))
        sq = sum((g.reshape(B, -1) ** 2).sum(-1) for g in grads)
        history[:, e] = loss.detach().numpy(), rnn.accuracy(out), sq.sqrt().numpy()
        with torch.no_grad():
            for t, g in zip(tensors.values(), grads):
                t -= lr_t.reshape((B,) + (1,) * (t.ndim - 1)) * g
    final = type(params)(**{k: t.detach().numpy() for k, t in tensors.items()})
    return TrainResult(loss=history[0].astype(dtype), accuracy=history[1], grad_norm=history[2],
                       params=final, snapshots=None,
                       snapshot_epochs=np.zeros(0, np.int64), record_epochs=np.arange(epochs),
                       lr=lr, c=c, seeds=None)


def train_learnable_confidence(seeds, lr, epochs, c=RNN.c, init=None, snapshot_epochs=None,
                               progress=None):
    """Rank-one networks whose readout confidence ``c`` is a trained parameter too (the 2024
    text's "data not shown" run; authors' ``Figure8/code/B - learnable confidence``): SGD
    on ``m``, ``n``, ``b`` and ``c`` together, by PyTorch autograd on
    :func:`ghostbook.rnn.rank_one_outputs`, one network per seed (or per network of
    ``init``). ``c``: the starting confidence, scalar or one per network.

    Returns ``(result, c_history)``: a :class:`TrainResult` (``grad_norm`` the norm of the
    whole gradient, ``c`` included; ``result.c`` the final confidences) and the confidence
    before each update, ``(epochs, B)``."""
    params, seeds = _initial(seeds, init, rnn.init_rank_one, None)
    if not isinstance(params, rnn.RankOne):
        raise ValueError(f"init must be RankOne parameters, got {type(params).__name__}")
    epochs = positive_int("epochs", epochs)
    (B,), dtype = params.batch_shape, params.dtype
    lr, c0 = _per_network("lr", lr, B, dtype), _per_network("c", c, B, dtype)
    wanted, _ = _slots("snapshot_epochs", () if snapshot_epochs is None else snapshot_epochs,
                       epochs)
    tensors = params.torch(requires_grad=True)
    conf = torch.tensor(c0, requires_grad=True)
    leaves = list(tensors.values()) + [conf]
    lr_t = torch.tensor(lr)
    history = np.empty((4, epochs, B))
    snaps = []
    with progress_bar(progress, epochs, "epoch") as bar:
        for e in range(epochs):
            if e in wanted:
                snaps.append(_current(tensors, params))
            out = rnn.rank_one_outputs(**tensors, c=conf)            # (B, 40)
            loss = rnn.loss(out)
            grads = torch.autograd.grad(loss.sum(), leaves)
            sq = sum((g.reshape(B, -1) ** 2).sum(-1) for g in grads)
            history[:, e] = (loss.detach().numpy(), rnn.accuracy(out), sq.sqrt().numpy(),
                             conf.detach().numpy())
            with torch.no_grad():
                for t, g in zip(leaves, grads):
                    t -= lr_t.reshape((B,) + (1,) * (t.ndim - 1)) * g
            bar.update()
    if epochs in wanted:
        snaps.append(_current(tensors, params))
    final = _current(tensors, params)
    stacked = (type(params)(**{k: np.stack([getattr(q, k) for q in snaps]) for k in tensors})
               if snaps else None)
    result = TrainResult(loss=history[0].astype(dtype), accuracy=history[1],
                         grad_norm=history[2], params=final, snapshots=stacked,
                         snapshot_epochs=wanted, record_epochs=np.arange(epochs), lr=lr,
                         c=conf.detach().numpy(), seeds=seeds)
    return result, history[3].astype(dtype)


def _current(tensors, params):
    """The current values of ``tensors`` as a container like ``params``."""
    return type(params)(**{k: t.detach().numpy().copy() for k, t in tensors.items()})
