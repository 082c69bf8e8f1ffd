"""The 2024 paper's RNN (its 2024 Eq. 3, discretised as its 2024 Eq. 17) in three connectivities.

``x[t+1] = (1 - Delta) x[t] + Delta tanh(W x[t] + b)`` with ``Delta = dt / tau = 0.5``,
every unit starting at ``x(0) = -0.3``, a trial of 40 steps (delay ``T`` = 20 steps)
and one output after each update:

* rank one, ``W = m n^T`` (2024 Eq. 4's latent circuit): ``sigmoid(c (kappa - kappa*))``
  on the latent variable ``kappa = n . x`` (2024 Eq. 5), ``kappa* = 1``, ``c = 10``;
* rank ``K`` (2024 Eq. 19) and full rank, ``W ~ N(0, 1/N)``: the trained readout
  ``sigmoid(w_out . x + b_out)`` of 2024 Eq. 18 and Fig. S2. These follow the authors'
  orientation: the state is a row vector and the recurrent input is ``x @ M @ N``
  (full rank ``x @ W``), so that seed ``s`` gives the authors' network for seed ``s``.
  In column form the connectivity is ``W = (M N)^T``: ``kappa = M^T x`` (K) is the
  latent variable and ``N^T kappa`` the recurrent input.

The loss of a trial is ``sum_t (output_t - target_t)^2 / 20`` (targets: 20 zeros then
20 ones; at most 2); accuracy is the fraction of steps with ``(output > 0.5) == target``.

Parameters live in small containers (:class:`RankOne`, :class:`RankK`,
:class:`FullRank`) whose arrays carry a leading network axis ``(B, ...)``. The
functions returning outputs are the autograd *reference*: plain PyTorch that
``loss.backward()`` differentiates. The models know nothing of training:
:mod:`ghostbook.train` holds the fast trainer (``rnn.train_rank_one`` and
``rnn.train_rank_k`` remain as aliases, imported only when used).
"""
import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from .checks import positive_int
from .settings import RNN

__all__ = ["RNN", "RankOne", "RankK", "FullRank", "init_rank_one", "init_rank_k",
           "init_full_rank", "target", "rank_one_kappa", "rank_one_outputs",
           "rank_k_outputs", "full_rank_outputs", "outputs", "loss", "accuracy",
           "train_rank_one", "train_rank_k"]




def _seeds(seeds):
    """Seeds as a tuple of non-negative ints; a single int is one network."""
    seeds = (seeds,) if isinstance(seeds, (int, np.integer)) else tuple(seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds must be non-negative integers, got {s!r}")
    return tuple(int(s) for s in seeds)


def _dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class _Params:
    """Shared behaviour of the parameter containers.

    ``_core`` gives each field's number of trailing (per-network) axes; the axes in
    front of them are batch axes, normally one network axis ``(B,)``.
    """

    _core: dict = {}

    @property
    def batch_shape(self):
        name, core = next(iter(self._core.items()))
        a = getattr(self, name)
        return a.shape[:a.ndim - core]

    @property
    def neurons(self):
        return self.b.shape[-1]

    @property
    def dtype(self):
        return self.b.dtype

    def arrays(self):
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __getitem__(self, index):
        """Select networks (or snapshots) along the leading axis, like a NumPy array."""
        if not self.batch_shape:
            raise IndexError("parameters of a single network have no network axis")
        return type(self)(**{k: np.asarray(v[index]) for k, v in self.arrays().items()})

    def astype(self, dtype):
        dtype = _dtype(dtype)
        return type(self)(**{k: np.asarray(v, dtype=dtype) for k, v in self.arrays().items()})

    def flat(self):
        """All parameters of each network in one vector: ``(*batch, P)``, fields in order."""
        lead = self.batch_shape
        return np.concatenate([v.reshape(lead + (-1,)) for v in self.arrays().values()], axis=-1)

    def with_flat(self, theta):
        """A container of this shape filled from ``theta`` of shape ``(*batch, P)``."""
        lead, out, start = theta.shape[:-1], {}, 0
        for k, v in self.arrays().items():
            core = v.shape[v.ndim - self._core[k]:]
            size = math.prod(core)
            out[k] = theta[..., start:start + size].reshape(lead + core)
            start += size
        return type(self)(**out)

    def torch(self, requires_grad=False):
        """The arrays as float tensors (copies), optionally leaves for autograd."""
        return {k: torch.tensor(v, requires_grad=requires_grad) for k, v in self.arrays().items()}


@dataclass(frozen=True, eq=False)
class RankOne(_Params):
    """Rank-one connectivity ``W = m n^T`` with bias ``b`` (2024 Eq. 4)."""

    m: np.ndarray  # (B, N) output direction of W
    n: np.ndarray  # (B, N) input direction: kappa = n . x
    b: np.ndarray  # (B, N) bias
    _core = {"m": 1, "n": 1, "b": 1}


@dataclass(frozen=True, eq=False)
class RankK(_Params):
    """Rank-K connectivity (2024, Eq. 19) with bias and the readout of 2024 Eq. 18, in the
    authors' orientation: recurrent input ``x @ M @ N`` for a row-vector state ``x``.

    The field ``N`` is the paper's ``K x N`` matrix; the number of neurons is ``b.shape[-1]``.
    """

    M: np.ndarray      # (B, N, K)
    N: np.ndarray      # (B, K, N)
    b: np.ndarray      # (B, N) bias
    w_out: np.ndarray  # (B, N) readout weights
    b_out: np.ndarray  # (B,) readout bias
    _core = {"M": 2, "N": 2, "b": 1, "w_out": 1, "b_out": 0}

    @property
    def rank(self):
        return self.M.shape[-1]


@dataclass(frozen=True, eq=False)
class FullRank(_Params):
    """Unconstrained ``W`` (recurrent input ``x @ W``) with bias and the readout of 2024 Eq. 18: the
    later version's full-rank network, ``W`` trained directly."""

    W: np.ndarray      # (B, N, N)
    b: np.ndarray      # (B, N)
    w_out: np.ndarray  # (B, N)
    b_out: np.ndarray  # (B,)
    _core = {"W": 2, "b": 1, "w_out": 1, "b_out": 0}


# --- Initialisation from seeds ----------------------------------------------------------


def _draw(seeds, shapes, N, dtype):
    """For each seed, ``randn(shape) / sqrt(N)`` for each shape in order, from a fresh
    generator seeded like ``torch.manual_seed(seed)`` (float32 draws, then cast)."""
    out = {name: [] for name in shapes}
    for seed in _seeds(seeds):
        gen = torch.Generator().manual_seed(seed)
        for name, shape in shapes.items():
            out[name].append(torch.randn(shape, generator=gen) / math.sqrt(N))
    return {k: torch.stack(v).numpy().astype(_dtype(dtype)) for k, v in out.items()}


def init_rank_one(seeds, N=RNN.N, dtype=np.float32):
    """The authors' initialisation: ``torch.manual_seed(seed)``, ``m = randn(N) / sqrt(N)``,
    then ``n = randn(N) / sqrt(N)``, ``b = 0``. Network ``i`` depends only on ``seeds[i]``."""
    N = positive_int("N", N)
    drawn = _draw(seeds, {"m": (N,), "n": (N,)}, N, dtype)
    return RankOne(b=np.zeros_like(drawn["m"]), **drawn)


def init_rank_k(seeds, rank, N=RNN.N, dtype=np.float32):
    """The authors' draws: ``M (N x K)``, then ``N (K x N)``, then ``w_out (N)``, then
    ``b_out`` (one draw), each ``randn / sqrt(N)`` in that order after
    ``torch.manual_seed(seed)``; ``b = 0`` (``fatihdinc/ghost-mechanism``,
    ``Figure6/code/B-with-extra-data/run_network_rank.py``)."""
    N = positive_int("N", N)
    rank = positive_int("rank", rank)
    if rank > N:
        raise ValueError(f"rank must be between 1 and N={N}, got {rank}")
    drawn = _draw(seeds, {"M": (N, rank), "N": (rank, N), "w_out": (N,), "b_out": (1,)}, N, dtype)
    return RankK(M=drawn["M"], N=drawn["N"], b=np.zeros_like(drawn["w_out"]),
                 w_out=drawn["w_out"], b_out=drawn["b_out"][:, 0])


def init_full_rank(seeds, N=RNN.N, dtype=np.float32):
    """The later version's full-rank network: ``W = randn(N, N) / sqrt(N)``, then ``w_out``,
    then ``b_out``, as :func:`init_rank_k`."""
    N = positive_int("N", N)
    drawn = _draw(seeds, {"W": (N, N), "w_out": (N,), "b_out": (1,)}, N, dtype)
    return FullRank(W=drawn["W"], b=np.zeros_like(drawn["w_out"]), w_out=drawn["w_out"],
                    b_out=drawn["b_out"][:, 0])


# --- Autograd reference: plain PyTorch forward passes -------------------------------------


def target(steps=RNN.steps, delay=RNN.delay):
    """The delayed-activation target: ``delay`` zeros, then ones, ``(steps,)`` float64."""
    return (np.arange(steps) >= delay).astype(float)


def _trajectory(recurrent, b):
    """2024 Eq. 17 from ``x(0) = -0.3``: the states after each of the 40 updates, ``(..., 40, N)``."""
    x = torch.full_like(b, RNN.x0)
    states = []
    for _ in range(RNN.steps):
        x = (1 - RNN.delta) * x + RNN.delta * torch.tanh(recurrent(x) + b)
        states.append(x)
    return torch.stack(states, dim=-2)


def rank_one_kappa(m, n, b):
    """Latent variable ``kappa_t = n . x_t`` after each update, ``(..., 40)``; tensors ``(..., N)``."""
    xs = _trajectory(lambda x: m * (n * x).sum(-1, keepdim=True), b)  # (..., 40, N)
    return (xs * n.unsqueeze(-2)).sum(-1)


def rank_one_outputs(m, n, b, c=RNN.c):
    """Outputs ``sigmoid(c (kappa - kappa*))`` (2024, Eq. 5), ``(..., 40)``; ``c`` scalar or ``(...,)``."""
    c = torch.as_tensor(c, dtype=m.dtype)
    c = c.unsqueeze(-1) if c.ndim else c
    return torch.sigmoid(c * (rank_one_kappa(m, n, b) - RNN.kappa_star))


def rank_k_outputs(M, N, b, w_out, b_out):
    """Outputs ``sigmoid(x . w_out + b_out)`` (2024, Eq. 18) of the rank-K network (2024 Eq. 19),
    recurrent input ``x @ M @ N``, ``(..., 40)``."""
    xs = _trajectory(lambda x: ((x.unsqueeze(-2) @ M) @ N).squeeze(-2), b)
    return torch.sigmoid((xs * w_out.unsqueeze(-2)).sum(-1) + b_out.unsqueeze(-1))


def full_rank_outputs(W, b, w_out, b_out):
    """Outputs of the full-rank network, recurrent input ``x @ W``, ``(..., 40)``."""
    xs = _trajectory(lambda x: (x.unsqueeze(-2) @ W).squeeze(-2), b)
    return torch.sigmoid((xs * w_out.unsqueeze(-2)).sum(-1) + b_out.unsqueeze(-1))


def outputs(tensors, c=RNN.c):
    """Outputs for a dict of tensors from :meth:`_Params.torch` (keys pick the model)."""
    if set(tensors) == {"m", "n", "b"}:
        return rank_one_outputs(**tensors, c=c)
    if set(tensors) == {"M", "N", "b", "w_out", "b_out"}:
        return rank_k_outputs(**tensors)
    if set(tensors) == {"W", "b", "w_out", "b_out"}:
        return full_rank_outputs(**tensors)
    raise ValueError(f"tensors must hold one model's parameters, got keys {sorted(tensors)}")


def loss(out):
    """``sum_t (output_t - target_t)^2 / delay`` over the last axis (tensor or array)."""
    y = target()
    y = torch.as_tensor(y, dtype=out.dtype) if isinstance(out, torch.Tensor) else y
    return ((out - y) ** 2).sum(-1) / RNN.delay


def accuracy(out):
    """Fraction of the 40 steps where ``(output > 0.5) == target``, over the last axis."""
    out = out.detach().numpy() if isinstance(out, torch.Tensor) else np.asarray(out)
    return np.mean((out > 0.5) == (target() > 0.5), axis=-1)


def __getattr__(name):
    """Aliases kept for readers' code: ``rnn.train_rank_one`` and ``rnn.train_rank_k`` are
    :mod:`ghostbook.train`'s, imported on first use (the models do not import the trainer)."""
    if name in ("train_rank_one", "train_rank_k"):
        from . import train
        return getattr(train, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
