"""Seed ``s`` gives the authors' rank-K and full-rank networks.

The oracle is the authors' model written out independently in plain PyTorch: after
``torch.manual_seed(s)`` draw ``m (N, K)``, ``n (K, N)``, ``w_out (N,)``, ``b_out (1,)``
(full rank: ``W (N, N)``, ``w_out``, ``b_out``), each ``randn / sqrt(N)``; the state is a
row vector from ``-0.3``; each step ``x <- (1 - 0.5) x + 0.5 tanh(x @ m @ n + b)`` (full rank
``x @ W``), then the output ``sigmoid(x @ w_out + b_out)``: 40 outputs. (Read from the
authors' ``Figure6/code/B-with-extra-data/run_network_rank.py`` in
``fatihdinc/ghost-mechanism``.) ``rnn.outputs`` and the compiled trainer's loss must give
those outputs to float32 rounding; the column convention ``(M N) x`` must not.
"""
import math

import numpy as np
import pytest
import torch

from ghostbook import rnn, train

N = 100


def authors_outputs(seed, rank):
    """The authors' forward pass at initialisation, float32, ``(40,)``."""
    torch.manual_seed(seed)
    if rank == "full":
        W = torch.randn(N, N) / math.sqrt(N)
    else:
        m, n = torch.randn(N, rank) / math.sqrt(N), torch.randn(rank, N) / math.sqrt(N)
        W = m @ n
    w_out, b_out = torch.randn(N) / math.sqrt(N), torch.randn(1) / math.sqrt(N)
    x, b, outs = torch.zeros(N) - 0.3, torch.zeros(N), []
    for _ in range(40):
        x = 0.5 * x + 0.5 * torch.tanh(x @ W + b)
        outs.append(torch.sigmoid(x @ w_out + b_out))
    return torch.cat(outs).numpy()


def column_outputs(params):
    """The same draws with the column convention ``W x``: the network the package used to build."""
    t = {k: torch.tensor(v[0]) for k, v in params.arrays().items()}
    W = t["W"] if "W" in t else t["M"] @ t["N"]
    x, outs = torch.full((N,), -0.3), []
    for _ in range(40):
        x = 0.5 * x + 0.5 * torch.tanh(W @ x + t["b"])
        outs.append(torch.sigmoid(t["w_out"] @ x + t["b_out"]))
    return torch.stack(outs).numpy()


def init(seed, rank):
    return rnn.init_full_rank([seed]) if rank == "full" else rnn.init_rank_k([seed], rank)


@pytest.mark.parametrize("rank", [1, 2, 5, 100, "full"])
@pytest.mark.parametrize("seed", [0, 3, 9])
def test_outputs_at_initialisation_are_the_authors(seed, rank):
    want = authors_outputs(seed, rank)
    got = rnn.outputs(init(seed, rank).torch())[0].numpy()
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("rank", [2, "full"])
def test_the_compiled_trainer_sees_the_authors_network(rank):
    want = authors_outputs(3, rank)
    target = rnn.target()
    loss = ((want - target) ** 2).sum() / 20
    got, _ = train.evaluate(init(3, rank))
    assert got[0] == pytest.approx(loss, rel=1e-5)


@pytest.mark.parametrize("rank, least", [(2, 1e-4), ("full", 1e-2)])
def test_the_column_convention_is_another_network(rank, least):
    """The check has teeth: transposing W moves the outputs far beyond rounding."""
    gap = np.abs(column_outputs(init(3, rank)) - authors_outputs(3, rank)).max()
    assert gap > least
