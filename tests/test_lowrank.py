"""Singular values and rank-R truncations of connectivity changes against constructions
whose answer is known (Eckart-Young)."""
import numpy as np
import pytest

from ghostbook import lowrank


def made(rng, s, N=12):
    """``U diag(s) V^T`` with random orthonormal ``U, V``."""
    U, _ = np.linalg.qr(rng.normal(size=(N, N)))
    V, _ = np.linalg.qr(rng.normal(size=(N, N)))
    return (U[:, :len(s)] * s) @ V[:, :len(s)].T


def test_singular_values_of_a_built_matrix():
    rng = np.random.default_rng(0)
    s = np.array([5.0, 2.0, 0.5])
    sv = lowrank.singular_values(np.stack([made(rng, s), 2 * made(rng, s)]))
    np.testing.assert_allclose(sv[:, :3], [s, 2 * s], rtol=1e-12)
    np.testing.assert_allclose(sv[:, 3:], 0, atol=1e-12)


def test_truncations_have_the_rank_and_error_of_eckart_young():
    rng = np.random.default_rng(1)
    delta = rng.normal(size=(2, 10, 10))
    sv = lowrank.singular_values(delta)
    cut = lowrank.truncations(delta, [0, 1, 3, 10])
    assert cut.shape == (4, 2, 10, 10)
    np.testing.assert_array_equal(cut[0], 0)
    np.testing.assert_allclose(cut[-1], delta, atol=1e-12)
    for i, R in enumerate([1, 3]):
        assert all(np.linalg.matrix_rank(c) == R for c in cut[i + 1])
        error = np.linalg.norm(delta - cut[i + 1], axis=(-2, -1))
        np.testing.assert_allclose(error, np.sqrt((sv[:, R:] ** 2).sum(-1)), rtol=1e-10)


def test_functional_rank_is_the_first_rank_below_the_threshold():
    loss = np.array([[1.0, 0.5, 0.04, 0.01], [1.0, 0.9, 0.8, 0.7]])
    assert lowrank.functional_rank(loss, [0, 1, 2, 3], [0.05, 0.05]).tolist() == [2, -1]


@pytest.mark.parametrize("ranks", [[-1], [11], [1.5], [[1]]])
def test_bad_ranks_are_rejected(ranks):
    with pytest.raises(ValueError, match="ranks"):
        lowrank.truncations(np.zeros((10, 10)), ranks)
