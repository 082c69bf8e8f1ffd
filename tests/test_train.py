"""The compiled ensemble trainer against the autograd + SGD reference, and its bookkeeping:
reproducibility, batching invariance, chunking, snapshots, continuation, bad input."""
import numpy as np
import pytest
from numba import njit

import ghostbook.rnn
from ghostbook import kernels, rnn, train

LR = np.array([0.02, 0.05, 0.2])
C = np.array([10.0, 3.0, 1.0])


def assert_same_history(fast, ref, rtol):
    np.testing.assert_allclose(fast.loss, ref.loss, rtol=rtol)
    np.testing.assert_array_equal(fast.accuracy, ref.accuracy)
    np.testing.assert_allclose(fast.grad_norm, ref.grad_norm, rtol=rtol)
    np.testing.assert_allclose(fast.params.flat(), ref.params.flat(), rtol=rtol, atol=rtol * 1e-3)


# --- Against the autograd reference --------------------------------------------------------------


def test_rank_one_matches_autograd_sgd_over_50_epochs():
    init = rnn.init_rank_one([0, 1, 40], dtype=np.float64)
    fast = train.train_rank_one(None, LR, 50, c=C, init=init, progress=False)
    assert_same_history(fast, train.train_reference(init, LR, 50, c=C), rtol=1e-9)
    assert np.ptp(fast.loss[:, 1:], axis=0).min() > 0.1           # the runs really moved


# Training can be chaotic (larger rates, full rank near g = 1): rounding differences of 1e-16
# then grow along the trajectory, so rates and tolerances are chosen where they stay small.
@pytest.mark.parametrize("rank, lr, rtol", [(2, [0.1, 0.2], 1e-9), ("full", [0.02, 0.05], 1e-8)])
def test_rank_k_and_full_rank_match_autograd_sgd(rank, lr, rtol):
    fast = train.train_rank_k([3, 4], rank, lr, 50, dtype=np.float64, progress=False)
    init = rnn.init_full_rank([3, 4], dtype=np.float64) if rank == "full" else \
        rnn.init_rank_k([3, 4], rank, dtype=np.float64)
    assert_same_history(fast, train.train_reference(init, lr, 50), rtol=rtol)
    assert np.all(fast.loss[-1] < fast.loss[0])


def test_float32_follows_the_float32_reference():
    init = rnn.init_rank_one([0, 40])
    fast = train.train_rank_one([0, 40], 0.05, 50, progress=False)
    ref = train.train_reference(init, 0.05, 50)
    assert fast.loss.dtype == np.float32 and fast.params.dtype == np.float32
    np.testing.assert_allclose(fast.loss, ref.loss, rtol=1e-5)
    np.testing.assert_allclose(fast.params.flat(), ref.params.flat(), rtol=1e-4, atol=1e-6)


def _elementwise(scalar):
    """Apply a jitted scalar function of the trainer to every entry of an array."""

    @njit
    def apply(x):
        out = np.empty_like(x)
        for j in range(x.size):
            out[j] = scalar(x[j])
        return out

    return apply


_sigmoid_all = _elementwise(kernels._sigmoid)


def test_tanh_is_within_3_ulp_of_libm():
    apply = _elementwise(kernels._tanh)
    for dtype in (np.float32, np.float64):
        x = np.concatenate([np.linspace(-25, 25, 20001), np.geomspace(1e-30, 3, 2001)]).astype(dtype)
        x = np.concatenate([x, -x])
        exact = np.tanh(x.astype(np.float64))
        ulp = np.abs(apply(x) - exact) / np.spacing(np.abs(exact).astype(dtype))
        assert ulp.max() <= 3, dtype
        special = apply(np.array([np.inf, -np.inf, np.nan, -0.0], dtype))
        assert special[0] == 1 and special[1] == -1 and np.isnan(special[2]) and np.signbit(special[3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_within_4_ulp_of_the_exact_value(dtype):
    z = np.concatenate([np.linspace(-80, 80, 40001), np.geomspace(1e-30, 5, 2001)]).astype(dtype)
    z = np.concatenate([z, -z])
    exact = 1 / (1 + np.exp(-z.astype(np.longdouble)))
    ulp = np.abs(_sigmoid_all(z) - exact) / np.spacing(exact.astype(dtype))
    assert float(ulp.max()) <= 4
    capped = _sigmoid_all(np.array([-1e4, 1e4, -np.inf, np.inf], dtype))
    assert capped[0] == _sigmoid_all(np.array([-80], dtype))[0] > 0 and capped[1] == 1
    assert capped[2] == capped[0] and capped[3] == 1


@pytest.mark.parametrize("size", [100, 7, 16, 203])
def test_dot_sums_in_its_documented_order(size):
    """Eight interleaved partial sums, combined pairwise, then the tail: bit for bit, so
    a compiler that reassociated the sum (and a CPU-dependent result) would fail here."""
    rng = np.random.default_rng(size)
    a, b = (rng.normal(size=size).astype(np.float32) for _ in range(2))
    lanes, n8 = [np.float32(0)] * 8, size - size % 8
    for j in range(n8):
        lanes[j % 8] = np.float32(lanes[j % 8] + a[j] * b[j])
    tail = np.float32(0)
    for j in range(n8, size):
        tail = np.float32(tail + a[j] * b[j])
    s = lanes
    expected = np.float32(np.float32(np.float32(s[0] + s[1]) + np.float32(s[2] + s[3]))
                          + np.float32(np.float32(s[4] + s[5]) + np.float32(s[6] + s[7])))
    assert kernels._dot(a, b) == np.float32(expected + tail)


# --- Reproducibility and batching ------------------------------------------------------------


def test_cached_fig4_ensemble_reproduces_bit_for_bit():
    """The committed Fig. 4 run (100 networks, 6000 epochs at lr 0.02, where training is
    chaotic) was computed on another machine; retraining here must give the same bits.
    This is what keeps the book's cached figures and its live reruns telling one story."""
    from ghostbook import experiments, results
    s = experiments.SCALES["fig4"]["paper"]
    cached, _ = results.load("fig4-paper", s, results.DEFAULT_DIR)
    run = train.train_rank_one(list(range(s.seeds)), s.lr, s.epochs, c=s.c, progress=False)
    assert np.array_equal(run.accuracy, cached["accuracy"])
    assert np.array_equal(run.loss[::s.record_every], cached["loss"])
    assert np.array_equal(run.params.m, cached["final_m"])



def test_reruns_are_bit_identical():
    a = train.train_rank_one([0, 1, 2], 0.02, 300, progress=False)
    b = train.train_rank_one([0, 1, 2], 0.02, 300, progress=False)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.grad_norm, b.grad_norm)
    assert np.array_equal(a.params.flat(), b.params.flat())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_network_trains_the_same_alone_or_in_an_ensemble(dtype):
    """Every network runs the same compiled code on its own data, so the ensemble is
    bit-identical to solo runs, in float32 too (asserted, not just ``allclose``)."""
    ensemble = train.train_rank_one([5, 40, 6], [0.1, 0.02, 0.3], 400, c=[1.0, 10.0, 2.0],
                                    dtype=dtype, progress=False)
    alone = train.train_rank_one([40], 0.02, 400, c=10.0, dtype=dtype, progress=False)
    np.testing.assert_allclose(ensemble.loss[:, 1], alone.loss[:, 0], rtol=1e-12)
    assert np.array_equal(ensemble.loss[:, 1], alone.loss[:, 0])
    assert np.array_equal(ensemble.params[1].flat(), alone.params[0].flat())


def test_chunking_and_continuation_do_not_change_results(monkeypatch):
    whole = train.train_rank_k([0, 1], 3, 0.2, 200, progress=False)
    monkeypatch.setattr(train, "CHUNK_SECONDS", 1e-9)             # one epoch per chunk
    first = train.train_rank_k([0, 1], 3, 0.2, 120, progress=False)
    rest = train.train_rank_k(None, 3, 0.2, 80, init=first.params, progress=False)
    assert np.array_equal(np.concatenate([first.loss, rest.loss]), whole.loss)
    assert np.array_equal(rest.params.flat(), whole.params.flat())


# --- Recording, snapshots, continuation ----------------------------------------------------------


def test_result_shapes_and_snapshots():
    seeds = [0, 1, 2, 3]
    r = train.train_rank_one(seeds, 0.02, 60, snapshot_epochs=[60, 0, 25, 25], progress=False)
    assert r.loss.shape == r.accuracy.shape == r.grad_norm.shape == (60, 4)
    assert r.snapshot_epochs.tolist() == [0, 25, 60] and r.snapshots.m.shape == (3, 4, 100)
    assert np.array_equal(r.at(0).flat(), rnn.init_rank_one(seeds).flat())
    assert np.array_equal(r.at(60).flat(), r.params.flat())
    short = train.train_rank_one(seeds, 0.02, 25, progress=False)
    assert np.array_equal(r.at(25).flat(), short.params.flat())
    assert np.array_equal(r.loss[:25], short.loss)
    assert r.seeds == (0, 1, 2, 3) and r.lr.shape == r.c.shape == (4,)


def test_loss_and_grad_norm_are_taken_before_the_update():
    r = train.train_rank_one([7], 0.02, 3, dtype=np.float64, progress=False)
    loss, grad = train.gradients(rnn.init_rank_one([7], dtype=np.float64))
    assert r.loss[0, 0] == pytest.approx(loss[0], rel=1e-14)
    assert r.grad_norm[0, 0] == pytest.approx(np.linalg.norm(grad.flat()), rel=1e-12)


def test_recovery_with_a_new_confidence_uses_it_in_the_loss():
    """Fig. 4: copies of trained networks continue with other ``c`` and a fresh optimiser."""
    trained = train.train_rank_one([1, 2], 0.02, 100, dtype=np.float64, progress=False).params
    copies = trained[[0, 0, 1, 1]]
    c = np.array([1e-3, 10.0, 0.1, 1.0])
    fast = train.train_rank_one(None, 0.02, 40, c=c, init=copies, progress=False)
    assert_same_history(fast, train.train_reference(copies, 0.02, 40, c=c), rtol=1e-9)
    assert np.array_equal(fast.c, c) and fast.seeds is None


def test_rnn_reexports_the_trainers():
    assert ghostbook.rnn.train_rank_one is train.train_rank_one
    assert ghostbook.rnn.train_rank_k is train.train_rank_k
    from ghostbook.rnn import train_rank_one
    assert train_rank_one is train.train_rank_one


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=0.0), "lr"), (dict(lr=-1e-3), "lr"), (dict(lr=np.nan), "lr"), (dict(lr=[0.1, 0.2, 0.3]), "lr"),
    (dict(c=0.0), "^c must"), (dict(c=-10.0), "^c must"),
    (dict(epochs=0), "epochs"), (dict(epochs=1.5), "epochs"),
    (dict(seeds=[]), "seeds"), (dict(seeds=None), "seeds"),
    (dict(progress="yes"), "progress"),
    (dict(snapshot_epochs=[11]), "snapshot_epochs"), (dict(snapshot_epochs=[-1]), "snapshot_epochs"),
    (dict(init=rnn.init_rank_k([1, 2], 2)), "init"),
    (dict(dtype="float16"), "dtype"),
])
def test_rank_one_bad_input_names_the_parameter(kwargs, name):
    args = dict(seeds=[1, 2], lr=0.01, epochs=10, progress=False) | kwargs
    with pytest.raises(ValueError, match=name):
        train.train_rank_one(**args)


@pytest.mark.parametrize("rank, kwargs, name", [
    (0, {}, "rank"), (101, {}, "rank"), ("half", {}, "rank"), (-3, {}, "rank"),
    (2, dict(init=rnn.init_rank_k([1], 3)), "init"), ("full", dict(init=rnn.init_rank_one([1])), "init"),
    (2, dict(lr=0), "lr"), (2, dict(epochs=-5), "epochs"),
])
def test_rank_k_bad_input_names_the_parameter(rank, kwargs, name):
    args = dict(seeds=[1], lr=0.01, epochs=10, progress=False) | kwargs
    with pytest.raises(ValueError, match=name):
        train.train_rank_k(rank=rank, **args)


def test_recorded_epochs_are_the_full_history_thinned():
    full = train.train_rank_k([0, 1], 2, 0.1, 120, progress=False)
    some = train.train_rank_k([0, 1], 2, 0.1, 120, record_epochs=[119, 0, 7, 7, 64], progress=False)
    assert some.record_epochs.tolist() == [0, 7, 64, 119] and some.loss.shape == (4, 2)
    for name in ("loss", "accuracy", "grad_norm"):
        assert np.array_equal(getattr(some, name), getattr(full, name)[[0, 7, 64, 119]])
    assert np.array_equal(some.params.flat(), full.params.flat())
    with pytest.raises(ValueError, match="record_epochs"):
        train.train_rank_k([0], 2, 0.1, 10, record_epochs=[10], progress=False)


def test_evaluate_gives_the_loss_and_accuracy_of_the_trial():
    params = rnn.init_full_rank([0, 5], dtype=np.float64)
    loss, acc = train.evaluate(params)
    out = rnn.outputs(params.torch())
    np.testing.assert_allclose(loss, rnn.loss(out).numpy(), rtol=1e-12)
    assert np.array_equal(acc, rnn.accuracy(out))
