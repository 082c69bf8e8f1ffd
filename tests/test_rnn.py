"""The RNN models (Eqs. 3-5, 17-19) against independent oracles.

Oracles: the authors' initialisation written out with ``torch.manual_seed``, a NumPy loop
of Eq. 17 for the forward pass, and PyTorch autograd for the hand-written gradients of
:mod:`ghostbook.train` (float64, ``rtol = 1e-6``).
"""
import numpy as np
import pytest
import torch

from ghostbook import rnn, train

SEEDS = [0, 7, 40]


def perturbed(params, seed, scale=0.3):
    """``params`` in float64 plus noise, so that ``b`` and every other entry is generic."""
    theta = params.astype(np.float64).flat()
    noise = np.random.default_rng(seed).standard_normal(theta.shape)
    return params.astype(np.float64).with_flat(theta + scale * noise / np.sqrt(theta.shape[-1]))


# --- Initialisation ------------------------------------------------------------------------


def test_seed_40_is_the_authors_draw():
    torch.manual_seed(40)
    m, n = torch.randn(100) / 10, torch.randn(100) / 10
    p = rnn.init_rank_one([40])
    assert p.m.dtype == np.float32 and p.m.shape == (1, 100)
    assert np.array_equal(p.m[0], m.numpy()) and np.array_equal(p.n[0], n.numpy())
    assert np.array_equal(p.b, np.zeros((1, 100), np.float32))


def test_rank_k_draws_M_then_N_then_readout():
    torch.manual_seed(3)
    draws = [torch.randn(100, 4) / 10, torch.randn(4, 100) / 10, torch.randn(100) / 10, torch.randn(1) / 10]
    p = rnn.init_rank_k([3], rank=4)
    for got, want in zip((p.M[0], p.N[0], p.w_out[0], p.b_out), draws):
        assert np.array_equal(got, want.numpy())
    assert not p.b.any()


def test_each_network_depends_only_on_its_seed():
    alone = rnn.init_rank_one([40]).flat()[0]
    assert np.array_equal(rnn.init_rank_one([5, 40, 1]).flat()[1], alone)
    assert np.array_equal(rnn.init_rank_k([9, 2], 3).flat()[1], rnn.init_rank_k(2, 3).flat()[0])
    assert np.array_equal(rnn.init_full_rank([2, 9]).flat()[1], rnn.init_full_rank(9).flat()[0])


def test_float64_init_is_the_float32_draw_widened():
    assert np.array_equal(rnn.init_rank_one(1, dtype=np.float64).m,
                          rnn.init_rank_one(1).m.astype(np.float64))


def test_flat_round_trip_and_selection():
    p = rnn.init_rank_k([0, 1, 2], 2)
    q = p.with_flat(p.flat())
    assert all(np.array_equal(v, getattr(q, k)) for k, v in p.arrays().items())
    assert p[1:].batch_shape == (2,) and np.array_equal(p[2].M, p.M[2])
    assert p.flat().shape == (3, 2 * 100 * 2 + 2 * 100 + 1)


# --- Forward pass ----------------------------------------------------------------------------


def numpy_rank_one_outputs(m, n, b, c):
    """Eq. 17 with W = m n^T, one network, written as a plain loop."""
    x, out = np.full(m.shape, -0.3), []
    for _ in range(40):
        x = 0.5 * x + 0.5 * np.tanh(m * (n @ x) + b)
        out.append(1 / (1 + np.exp(-c * (n @ x - 1.0))))
    return np.array(out)


def test_torch_forward_is_eq_17():
    p = perturbed(rnn.init_rank_one(SEEDS), 0, scale=3.0)
    out = rnn.outputs(p.torch(), c=torch.tensor([10.0, 2.0, 0.5], dtype=torch.float64)).numpy()
    for i, c in enumerate([10.0, 2.0, 0.5]):
        np.testing.assert_allclose(out[i], numpy_rank_one_outputs(p.m[i], p.n[i], p.b[i], c), rtol=1e-12)


def test_rank_k_with_k_equal_one_is_a_rank_one_recurrence():
    p = perturbed(rnn.init_rank_k([1], 1), 1)
    full = rnn.FullRank(W=p.M @ p.N, b=p.b, w_out=p.w_out, b_out=p.b_out)
    np.testing.assert_allclose(rnn.outputs(p.torch()).numpy(), rnn.outputs(full.torch()).numpy(), rtol=1e-12)


def test_silent_network_scores_loss_one_and_accuracy_half():
    p = rnn.init_rank_one([0], dtype=np.float64)
    out = rnn.outputs(p.torch(), c=1e3)                           # kappa stays near 0 < kappa* = 1
    assert rnn.loss(out).item() == pytest.approx(1.0, abs=1e-12)
    assert rnn.accuracy(out)[0] == 0.5
    assert rnn.loss(torch.tensor(1 - rnn.target())).item() == 2.0   # the maximum


# --- Hand-written gradients vs autograd --------------------------------------------------------


def autograd(params, c):
    tensors = params.torch(requires_grad=True)
    loss = rnn.loss(rnn.outputs(tensors, torch.as_tensor(c)))
    grads = torch.autograd.grad(loss.sum(), list(tensors.values()))
    return loss.detach().numpy(), {k: g.numpy() for k, g in zip(tensors, grads)}


def assert_gradients_match(params, c=10.0):
    loss, grad = train.gradients(params, c)
    loss_ref, grad_ref = autograd(params, np.broadcast_to(c, params.batch_shape).copy())
    np.testing.assert_allclose(loss, loss_ref, rtol=1e-6)
    for name, g in grad_ref.items():
        np.testing.assert_allclose(getattr(grad, name), g, rtol=1e-6, atol=1e-12 * np.abs(g).max(),
                                   err_msg=name)


@pytest.mark.parametrize("scale", [0.0, 0.3, 3.0])
def test_rank_one_gradients_match_autograd(scale):
    params = perturbed(rnn.init_rank_one(SEEDS), 11, scale)
    assert_gradients_match(params, c=np.array([10.0, 1.0, 0.1]))


@pytest.mark.parametrize("rank", [1, 3, 100])
def test_rank_k_gradients_match_autograd(rank):
    assert_gradients_match(perturbed(rnn.init_rank_k(SEEDS, rank), rank))


def test_full_rank_gradients_match_autograd():
    assert_gradients_match(perturbed(rnn.init_full_rank(SEEDS[:2]), 5))


def test_gradients_match_autograd_after_training():
    """Past the abrupt drop (epoch ~5050 for seed 40 at lr 0.02) the trajectory is far from init."""
    trained = train.train_rank_one(40, 0.02, 5100, dtype=np.float64, progress=False).params
    assert_gradients_match(trained)
    rank_k = train.train_rank_k([1, 2], 2, 0.2, 300, dtype=np.float64, progress=False).params
    assert_gradients_match(rank_k)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: rnn.init_rank_one([]), "seeds"),
    (lambda: rnn.init_rank_one([1, -2]), "seeds"),
    (lambda: rnn.init_rank_one([1.5]), "seeds"),
    (lambda: rnn.init_rank_one(1, N=0), "N"),
    (lambda: rnn.init_rank_one(1, dtype=np.float16), "dtype"),
    (lambda: rnn.init_rank_k(1, rank=0), "rank"),
    (lambda: rnn.init_rank_k(1, rank=101), "rank"),
    (lambda: rnn.outputs({"m": torch.zeros(3)}), "tensors"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
