"""One function per figure, its settings in one table.

The chapters and the command line call these functions; nothing here plots.
The toy model's figures are cheap, so they run at the paper's scale everywhere.
"""
from dataclasses import dataclass

import numpy as np

from . import toy


@dataclass(frozen=True)
class ToySettings:
    """Settings of the ghost paper's Figs. 1-2 (see ``shared/reproduction-notes.md``)."""

    T: float = 100.0                    # delay: target is 0 for t <= T, 1 for T < t <= 2T
    r0_factor: float = 10.0             # training starts at r0 = r0_factor * r*
    c_values: tuple = (0.1, 1.0)        # Fig. 2A: finite confidences
    x_star: float = 10.0                # Fig. 2A: activation threshold
    dt: float = 0.1                     # Fig. 2A: forward-Euler step
    lrs_bc: tuple = (1e-10, 1e-9)       # Fig. 2B-C: one rate below alpha*, one above
    epochs_bc: int = 3000               # Fig. 2B-C
    lr_decades: tuple = (-11.0, -8.0)   # Fig. 2D: rates logspace(*lr_decades, n_lrs)
    n_lrs: int = 100                    # Fig. 2D
    repeats: int = 10                   # Fig. 2D: instances, repeat i seeded with i
    r0_noise: float = 0.1               # Fig. 2D: r0 = 10 r* + N(0, (r0_noise r*)^2)
    epochs_sweep: int = 10_000          # Fig. 2D
    scaling_T: tuple = (30.0, 300.0)    # alpha* ~ T^-5: delays spanning a decade
    n_scaling: int = 7                  # number of delays in that range

    @property
    def r_star(self):
        return toy.optimal_r(self.T)

    @property
    def lrs(self):
        return np.logspace(*self.lr_decades, self.n_lrs)


TOY = ToySettings()


def fig2bc(s=TOY):
    """Fig. 2B-C: gradient descent from ``10 r*`` at the two learning rates."""
    return toy.train(s.r0_factor * s.r_star, np.array(s.lrs_bc), s.epochs_bc, s.T)


def fig2d_initial_r(s=TOY):
    """Fig. 2D's initial conditions, shape ``(repeats, 1)``: repeat ``i`` uses seed ``i``."""
    noise = [np.random.default_rng(i).normal(0.0, s.r0_noise * s.r_star) for i in range(s.repeats)]
    return (s.r0_factor * s.r_star + np.array(noise))[:, None]


def fig2d(s=TOY, record_every=100):
    """Fig. 2D: every learning rate and instance in one broadcast ``train`` call.

    Returns a :class:`ghostbook.toy.ToyRun` with batch shape ``(repeats, n_lrs)``.
    """
    return toy.train(fig2d_initial_r(s), s.lrs[None, :], s.epochs_sweep, s.T, record_every)


def critical_rate_scaling(s=TOY):
    """Empirical critical learning rate over a decade of ``T`` and its log-log slope."""
    T = np.geomspace(*s.scaling_T, s.n_scaling)
    alpha = np.asarray(toy.empirical_critical_learning_rate(T))
    slope, _ = np.polyfit(np.log(T), np.log(alpha), 1)
    return T, alpha, float(slope)
