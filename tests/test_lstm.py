"""The LSTM of Schuessler et al. (2020), Fig. 5, on the stand-in sentiment task: the
grammar's rule on hand-labelled sentences, seeded generation, the authors' settings, the
truncations at their two ends, the singular values, and bit-for-bit reproducible training."""
import dataclasses

import numpy as np
import pytest
import torch

from ghostbook import lstm

TINY = lstm.LSTMSettings(hidden=16, emb_dim=8, epochs=2, n_train=96, n_valid=48, batch=32,
                         ranks=(0, 3, 16))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny networks gain nothing from threads, and lose much when the cores are busy."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_run(one_thread):
    return lstm.train(TINY, progress=False)


@pytest.mark.parametrize("sentence, expected", [
    ("the film is good", 1),                                        # +1
    ("the film is not good", -1),                                   # negated
    ("never a dull scene", 1),                                      # negator, gap, negative
    ("the plot is hardly the very boring mess of it", None),        # "mess" is not a word
    ("good acting but the ending is bad", -1),                      # only the last clause
    ("bad music but a very funny script and a stale ending", 1),    # +2 - 1
    ("not the lead and its acting but really funny and not so dull", 4),   # +2 + 2
    ("the cast is good and not very bad but", 0),                   # "but" clears, nothing after
])
def test_rule_on_hand_labelled_sentences(sentence, expected):
    words = sentence.split()
    if expected is None:
        with pytest.raises(ValueError, match="^words "):
            lstm.score(words)
    else:
        assert lstm.score(words) == expected


def test_generated_labels_follow_the_rule_and_reproduce():
    s = lstm.LSTM_SCALES["quick"]
    tokens, lengths, labels = lstm.sentences(s, 300, np.random.default_rng(5))
    again = lstm.sentences(s, 300, np.random.default_rng(5))
    other = lstm.sentences(s, 300, np.random.default_rng(6))
    assert all(np.array_equal(a, b) for a, b in zip((tokens, lengths, labels), again))
    assert not (np.array_equal(lengths, other[1]) and np.array_equal(labels, other[2]))
    assert tokens.shape == (300, lengths.max()) and tokens.dtype == np.int64
    assert 0.35 < labels.mean() < 0.65                           # both labels, roughly balanced
    kinds = {w: lstm.score([w]) for w in lstm.POSITIVE + lstm.NEGATIVE}
    for i in range(300):
        assert np.all(tokens[i, lengths[i]:] == 0) and np.all(tokens[i, :lengths[i]] > 0)
        words = lstm.words_of(s, tokens[i], lengths[i])
        total = lstm.score(words)
        assert total != 0 and labels[i] == int(total > 0)
        assert any(w in kinds for w in words)
    text = [" ".join(lstm.words_of(s, t, n)) for t, n in zip(tokens, lengths)]
    assert any(" but " in t for t in text) and any("not " in t for t in text)


def test_embedding_is_seeded_and_scaled():
    a, b = (lstm.embedding(lstm.LSTM_SCALES["paper"], np.random.default_rng(1)) for _ in range(2))
    assert np.array_equal(a, b) and a.shape == (len(lstm.vocabulary("paper")), 100)
    assert np.all(a[0] == 0)
    s = lstm.LSTM_SCALES["paper"]
    assert np.linalg.norm(a[1:], axis=1).mean() == pytest.approx(s.emb_scale, rel=0.1)


def test_scales_keep_the_authors_network_and_optimiser():
    for s in lstm.LSTM_SCALES.values():
        assert (s.hidden, s.layers, s.emb_dim, s.dropout, s.batch) == (256, 2, 100, 0.5, 64)
        assert s.lr == 0.01 / 256
        assert s.ranks[0] == 0 and s.ranks[-1] == 256
    assert lstm.truncated_keys(2) == ("rnn.weight_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1")


def test_padding_does_not_change_the_output():
    torch.manual_seed(0)
    net = lstm.SentimentLSTM(lstm.embedding(TINY, np.random.default_rng(0)), 16, 2, 0.5).eval()
    tokens, lengths, _ = lstm.sentences(TINY, 10, np.random.default_rng(0))
    padded = np.pad(tokens, ((0, 0), (0, 5)))
    with torch.no_grad():
        a = net(torch.from_numpy(tokens), torch.from_numpy(lengths))
        b = net(torch.from_numpy(padded), torch.from_numpy(lengths))
        c = net(torch.from_numpy(tokens[3:4, :lengths[3]]), torch.from_numpy(lengths[3:4]))
    assert torch.equal(a, b)
    torch.testing.assert_close(a[3:4], c, rtol=1e-5, atol=1e-6)


def test_training_reproduces_bit_for_bit(tiny_run):
    before = torch.random.get_rng_state()
    again = lstm.train(TINY, progress=False)
    assert torch.equal(torch.random.get_rng_state(), before)       # the caller's RNG untouched
    for k, v in tiny_run.model.state_dict().items():
        assert torch.equal(v, again.model.state_dict()[k]), k
    for k in ("train_loss", "train_acc", "valid_loss", "valid_acc"):
        assert np.array_equal(getattr(tiny_run, k), getattr(again, k))
    other = lstm.train(dataclasses.replace(TINY, seed=1), progress=False)
    assert not torch.equal(other.model.rnn.weight_hh_l1, tiny_run.model.rnn.weight_hh_l1)
    moved = tiny_run.model.rnn.weight_hh_l1 - tiny_run.init["rnn.weight_hh_l1"]
    assert moved.abs().max() > 0                                  # training changed W
    assert torch.equal(tiny_run.model.encoder.weight, tiny_run.init["encoder.weight"])   # frozen


def test_truncation_ends(tiny_run):
    final = tiny_run.model.state_dict()
    keys = lstm.truncated_keys(2)
    full_dW, zero_dW = list(lstm.truncated_states(tiny_run, [16, 0], keep_initial=True))
    full_W, zero_W = list(lstm.truncated_states(tiny_run, [16, 0], keep_initial=False))
    for k, v in final.items():
        assert torch.equal(full_dW[k], v) and torch.equal(full_W[k], v), k
        if k in keys:
            assert torch.equal(zero_dW[k], tiny_run.init[k]) and not torch.any(zero_W[k])
        else:
            assert torch.equal(zero_dW[k], v) and torch.equal(zero_W[k], v)
    loss, acc = lstm.truncation_curves(tiny_run, [0, 16], "dW")
    assert (loss[1], acc[1]) == lstm.evaluate(tiny_run.model, *tiny_run.valid)
    net = lstm.SentimentLSTM(tiny_run.init["encoder.weight"].numpy(), 16, 2, 0.5)
    net.load_state_dict(zero_dW)
    assert (loss[0], acc[0]) == lstm.evaluate(net, *tiny_run.valid)


def test_lstm_fig_and_singular_values():
    out = lstm.lstm_fig(TINY, progress=False)
    run = lstm.train(TINY, progress=False)
    W0 = run.init["rnn.weight_hh_l1"].double().numpy()
    W = run.model.rnn.weight_hh_l1.detach().double().numpy()
    assert W.shape == (64, 16)                                       # gates i, f, g, o stacked
    np.testing.assert_allclose(out["sv_dW"], np.linalg.svd(W - W0, compute_uv=False), rtol=1e-12)
    np.testing.assert_allclose(out["sv_W0"], np.linalg.svd(W0, compute_uv=False), rtol=1e-12)
    np.testing.assert_allclose(out["sv_W"], np.linalg.svd(W, compute_uv=False), rtol=1e-12)
    assert out["train_loss"].shape == out["valid_acc"].shape == (2,)
    for t in lstm.TRUNCATIONS:
        assert out[f"trunc_{t}_acc"].shape == out[f"trunc_{t}_loss"].shape == (3,)
        assert out[f"trunc_{t}_acc"][-1] == out["valid_acc"][-1]
        assert out[f"trunc_{t}_loss"][-1] == out["valid_loss"][-1]
    assert np.array_equal(out["ranks"], TINY.ranks)


@pytest.mark.parametrize("change, name", [
    (dict(hidden=0), "hidden"), (dict(layers=-1), "layers"), (dict(epochs=0), "epochs"),
    (dict(lr_N=0.0), "lr_N"), (dict(lr_N=-0.01), "lr_N"), (dict(batch=2.5), "batch"),
    (dict(n_train=0), "n_train"), (dict(emb_scale=float("nan")), "emb_scale"),
    (dict(n_positive=99), "n_positive"), (dict(p_but=1.5), "p_but"),
    (dict(p_sentiment=0.0), "p_sentiment"), (dict(dropout=1.0), "dropout"),
    (dict(max_gap=-1), "max_gap"), (dict(min_phrases=4, max_phrases=3), "max_phrases"),
    (dict(ranks=(0, 300)), "ranks"), (dict(ranks=(0.5,)), "ranks"), (dict(seed=-1), "seed"),
])
def test_bad_settings_raise(change, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        lstm.check(dataclasses.replace(lstm.LSTM_SCALES["quick"], **change))


def test_bad_arguments_raise(tiny_run):
    with pytest.raises(ValueError, match="^s "):
        lstm.lstm_fig("huge")
    with pytest.raises(ValueError, match="^n "):
        lstm.sentences(TINY, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^rng "):
        lstm.sentences(TINY, 3, 0)
    with pytest.raises(ValueError, match="^truncation "):
        lstm.truncation_curves(tiny_run, [0], "dw")
    with pytest.raises(ValueError, match="^ranks "):
        list(lstm.truncated_states(tiny_run, [17], keep_initial=True))
    with pytest.raises(ValueError, match="^progress "):
        lstm.train(TINY, progress="yes")
