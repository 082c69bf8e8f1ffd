"""The nonlinear RNN of Schuessler et al. (2020), Sec. 2, on the flip-flop task.

``x' = -x + W tanh(x) + sqrt(N) sum_i m_i u_i(t)`` (Schuessler Eq. 2), readouts
``z_i = w_i . tanh(x) / sqrt(N)`` (Schuessler Eq. 3), forward Euler with step ``dt`` from ``x(0) = 0``.
``W``, the input vectors ``m_i`` and the readout vectors ``w_i`` are all trained (Adam,
PyTorch autograd). Initialisation as in the paper: ``W0 ~ N(0, g^2/N)``,
``m_i, w_i ~ N(0, 1/N)``.

The task's details are in the paper's supplementary, which we do not have; the choices
here are ours (:class:`Task`): two channels; time is cut into slots, each of which holds,
with probability ``pulse_prob``, a pulse of ``+1`` or ``-1`` lasting ``pulse_time`` at its
start; the target of each channel is the sign of its last pulse (0 before the first).

Shapes: ``W0`` ``(N, N)``, ``m``, ``w`` ``(C, N)``; inputs and targets ``(steps, B, C)``.
"""
import math
from dataclasses import dataclass

import numpy as np
import torch

from . import lowrank
from .checks import positive, positive_int
from .settings import FlipFlopTask


Task = FlipFlopTask
"""The task's settings (:class:`ghostbook.settings.FlipFlopTask`)."""


def trials(task, n, rng):
    """``n`` trials: inputs ``u`` and targets ``z_hat``, float32 arrays ``(steps, n, C)``."""
    n = positive_int("n", n)
    slot, pulse = int(round(task.slot_time / task.dt)), int(round(task.pulse_time / task.dt))
    if not 0 < pulse <= slot:
        raise ValueError(f"pulse_time must be in (0, slot_time], got {task.pulse_time!r}")
    slots = task.steps // slot
    sign = rng.choice([-1.0, 1.0], (slots, n, task.channels))
    sign = np.where(rng.random(sign.shape) < task.pulse_prob, sign, 0.0)     # 0: no pulse
    u = np.zeros((task.steps, n, task.channels), np.float32)
    for k in range(pulse):
        u[k:slots * slot:slot] = sign
    last = np.zeros_like(sign)
    for s in range(slots):
        last[s] = np.where(sign[s] != 0, sign[s], last[s - 1] if s else 0.0)
    z_hat = np.zeros_like(u)
    z_hat[:slots * slot] = np.repeat(last, slot, axis=0)
    z_hat[slots * slot:] = last[-1]
    return u, z_hat


@dataclass
class Params:
    """Trainable tensors (float32) and the initial connectivity they started from."""

    W: torch.Tensor     # (N, N)
    m: torch.Tensor     # (C, N)
    w: torch.Tensor     # (C, N)
    W0: torch.Tensor    # (N, N), fixed

    @property
    def delta_W(self):
        return (self.W - self.W0).detach()


def init(N, g, channels, seed):
    """Draws from ``numpy.random.default_rng(seed)``: ``W0`` (``N^2`` normals times
    ``g / sqrt(N)``), then the ``m_i`` and then the ``w_i`` (``C N`` normals each, times
    ``1 / sqrt(N)``)."""
    N, channels = positive_int("N", N), positive_int("channels", channels)
    if not g >= 0:
        raise ValueError(f"g must be non-negative, got {g!r}")
    rng = np.random.default_rng(seed)
    W0 = rng.standard_normal((N, N)) * (g / np.sqrt(N))
    m = rng.standard_normal((channels, N)) / np.sqrt(N)
    w = rng.standard_normal((channels, N)) / np.sqrt(N)
    W, m, w = (torch.tensor(a, dtype=torch.float32, requires_grad=True) for a in (W0, m, w))
    return Params(W, m, w, torch.tensor(W0, dtype=torch.float32))


def outputs(W, m, w, u, dt):
    """Readouts ``z (steps, B, C)`` of Schuessler Eqs. 2-3 for inputs ``u (steps, B, C)``."""
    N = W.shape[0]
    x = torch.zeros(u.shape[1], N, dtype=W.dtype)              # (B, N)
    z = []
    for u_t in u:
        x = x + dt * (-x + torch.tanh(x) @ W.T + math.sqrt(N) * u_t @ m)
        z.append(torch.tanh(x) @ w.T / math.sqrt(N))
    return torch.stack(z)


def loss(W, m, w, u, z_hat, dt):
    """Mean squared error over time steps, trials and channels."""
    return torch.mean((outputs(W, m, w, u, dt) - z_hat) ** 2)


def train(params, task, lr, epochs, batch, seed):
    """Adam on ``W``, ``m``, ``w``: one fresh batch per epoch from ``default_rng(seed)``.
    Returns the training loss ``(epochs,)`` (before each update); ``params`` is updated."""
    lr, epochs = float(positive("lr", lr)), positive_int("epochs", epochs)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam([params.W, params.m, params.w], lr=lr)
    history = np.empty(epochs)
    for e in range(epochs):
        u, z_hat = (torch.from_numpy(a) for a in trials(task, batch, rng))
        opt.zero_grad()
        value = loss(params.W, params.m, params.w, u, z_hat, task.dt)
        value.backward()
        opt.step()
        history[e] = value.item()
    return history


def evaluate(params, task, u):
    """Readouts ``(steps, B, C)`` as a NumPy array for inputs ``u``."""
    with torch.no_grad():
        return outputs(params.W, params.m, params.w, torch.from_numpy(u), task.dt).numpy()


def test_loss(params, task, u, z_hat):
    """The loss of the current parameters on fixed trials ``u``, ``z_hat``."""
    with torch.no_grad():
        return loss(params.W, params.m, params.w, torch.from_numpy(u), torch.from_numpy(z_hat),
                    task.dt).item()


def truncated_losses(params, task, u, z_hat, ranks):
    """Loss with ``W = W0 + Delta W^(R)`` (Schuessler Eq. 4) for each ``R`` in ``ranks``, trained
    ``m``, ``w`` kept. ``(len(ranks),)``."""
    cut = torch.from_numpy(lowrank.truncations(params.delta_W.double().numpy(), list(ranks)))
    u, z_hat = torch.from_numpy(u), torch.from_numpy(z_hat)
    with torch.no_grad():
        return np.array([loss(params.W0 + delta.float(), params.m, params.w, u, z_hat, task.dt).item()
                         for delta in cut])


def epochs_to(loss, fraction, window):
    """First epoch at which the running mean (over ``window`` epochs) of a training loss
    history is below ``fraction`` of its first ``window`` epochs' mean; NaN if never."""
    loss = np.asarray(loss, dtype=float)
    smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
    below = np.flatnonzero(smooth < fraction * loss[:window].mean())
    return below[0] + window - 1 if below.size else np.nan
