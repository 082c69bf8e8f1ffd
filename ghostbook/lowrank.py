"""Low-rank structure of a connectivity change ``Delta W = W - W0`` (Schuessler et al. 2020).

Learning changes a recurrent weight matrix by ``Delta W``; its singular values say how many
directions the change uses, and replacing ``Delta W`` by its rank-``R`` truncation
(Schuessler et al., Eq. 4) while keeping ``W0`` says how many of them the network needs.
Every function takes stacks of matrices, shape ``(..., N, N)``.
"""
import numpy as np


def singular_values(delta_W):
    """Singular values of ``delta_W (..., N, M)``, largest first: ``(..., min(N, M))``."""
    return np.linalg.svd(np.asarray(delta_W, dtype=float), compute_uv=False)


def truncations(delta_W, ranks):
    """``sum_{r <= R} s_r u_r v_r^T`` (Schuessler Eq. 4 of Schuessler et al.) for every ``R`` in ``ranks``:
    shape ``(len(ranks), ..., N, M)``, from one SVD per matrix."""
    delta_W = np.asarray(delta_W, dtype=float)
    ranks = np.asarray(ranks)
    if ranks.ndim != 1 or ranks.dtype.kind not in "iu" or ranks.min(initial=0) < 0 \
            or ranks.max(initial=0) > min(delta_W.shape[-2:]):
        raise ValueError(f"ranks must be integers in [0, {min(delta_W.shape[-2:])}], got {ranks!r}")
    U, s, Vt = np.linalg.svd(delta_W, full_matrices=False)
    return np.stack([(U[..., :R] * s[..., None, :R]) @ Vt[..., :R, :] for R in ranks.tolist()])


def functional_rank(loss_by_rank, ranks, threshold):
    """The smallest ``R`` whose loss (last axis of ``loss_by_rank``, one entry per ``ranks``)
    is below ``threshold``, or -1 where none is (Schuessler et al.: 5% of the initial loss)."""
    below = np.asarray(loss_by_rank) < np.asarray(threshold)[..., None]
    return np.where(below.any(axis=-1), np.asarray(ranks)[below.argmax(axis=-1)], -1)
