"""Schuessler et al. (2020), Fig. 5, on a STAND-IN task: a two-layer LSTM classifying the
sentiment of sentences, its recurrent weights before and after training, and its
accuracy when the connectivity is truncated to low rank.

**What is a stand-in here.** The paper trains on the Stanford Sentiment Treebank (SST,
binary labels) with frozen GloVe 6B-100d word vectors. Neither the data set nor the vectors
are available to this package, so both are replaced by things it generates itself:

* the sentences come from a small grammar of our own (:func:`sentences`) and are labelled
  by a deterministic rule (:func:`score`), described below;
* the word vectors are a frozen random embedding (:func:`embedding`): entries drawn from
  ``N(0, emb_scale^2 / emb_dim)``, so that a word vector has norm about ``emb_scale``;
  the padding token's vector is zero, as the authors set it.

Nothing computed here is a number about SST; it shows what the authors' network and
optimiser do on a task with the same form (variable-length word sequences, one binary
label read out at the end).

**The stand-in task.** A sentence is one clause, or two clauses joined by ``but``. A clause
is a sequence of phrases; a phrase is one or two neutral words (``the``, ``plot``, ...), or
a sentiment phrase: an optional negator (``not``, ``never``, ``hardly``) followed by up to
``max_gap`` neutral words, an optional intensifier (``very``, ``really``, ...), and one
positive (``good``, ...) or negative (``bad``, ...) word. The rule (:func:`score`):

* a positive word counts ``+1``, a negative word ``-1``;
* an intensifier doubles the next sentiment word;
* a negator flips the sign of the next sentiment word, however many words lie between;
* ``but`` discards everything before it: only the last clause counts;
* the label is ``1`` if the sum is positive, ``0`` if negative; sentences whose sum is zero
  are not generated.

So the label needs memory across the sentence: a running sum, a pending negation carried
over the words between a negator and its sentiment word, and a reset at ``but``. A bag of
words cannot compute it.

**The network and its training, from the authors' code** (repository
``frschu/neurips_2020_interplay_randomness_structure``, ``notebooks/model_LSTM.py`` and
``notebooks/generate_sentiment_analysis.ipynb``): an ``nn.Embedding`` (frozen, pretrained,
``emb_dim = 100``, ``padding_idx`` at the pad token), ``nn.LSTM(100, 256, num_layers=2,
dropout=0.5)`` on packed sequences, dropout 0.5 on the last layer's final hidden state and
an ``nn.Linear(256, 1)`` decoder; ``BCEWithLogitsLoss``; Adam with ``lr = 0.01 / 256`` and no
weight decay, batches of 64, binary labels. PyTorch's default initialisation except
``weight_ih_l0``, redrawn from ``U(-1/sqrt(emb_dim), 1/sqrt(emb_dim))``. The notebook sets
``N_EPOCHS = 500`` on SST; we train for ``epochs`` (:class:`LSTMSettings`). Differences of
ours: batches are drawn by a seeded shuffle rather than torchtext's ``BucketIterator``
(which groups sentences of similar length), and accuracies and losses on the validation
set are exact means over sentences, where the authors average per-batch means.

**Singular values, as the authors compute them** (``notebooks/figures_sentiment_analysis.ipynb``,
the SVD loop in its second cell, and the plot in its third): ``svd_blockwise`` is ``False``
(loaded from the saved run, which ``generate_sentiment_analysis.ipynb`` saves with
``svd_blockwise = False``), so the SVD is of the whole stacked matrix ``rnn.weight_hh_l1``,
shape ``(4 * 256, 256)`` (gates ``i, f, g, o`` stacked), giving 256 singular values each for
``W0`` (initial), ``W`` (final) and ``Delta W = W - W0``; Fig. 5(a) plots these for layer 2
(``layer = 1; key = 'rnn.weight_hh_l%d' % layer``). The per-gate alternative
(``svd_blockwise = True``: four ``256 x 256`` blocks) is in the code but not used.

**Truncation, as the authors do it** (``notebooks/generate_sentiment_analysis.ipynb``, the
cell that starts ``# Evaluate truncated networks``): every LSTM weight whose key contains
``rnn.weight`` and ``hh`` or ``ih`` except ``ih_l0`` is truncated, i.e. ``weight_hh_l0``,
``weight_ih_l1`` and ``weight_hh_l1`` (the recurrent weights of both layers and the input
weights of layer 2, as the paper says), each whole ``(1024, 256)`` matrix at once
(``svd_blockwise = False``), at the same rank. "Truncate Delta W" (``trunc_dw``, plotted
first) replaces ``W`` by ``W0 + sum_{r < R} s_r u_r v_r^T`` from the SVD of ``W - W0``;
"Truncate W" replaces it by the rank-``R`` SVD truncation of ``W`` itself. Biases,
``weight_ih_l0``, the embedding and the decoder keep their trained values. The truncated
networks are evaluated (``model.eval()``, so no dropout) on the validation set, giving loss
and accuracy per rank. The rank grid ``trunc_ranks = np.arange(0, max_rank, rank_step)``
with ``max_rank = HIDDEN_DIM``: ``rank_step = 1`` in the generate notebook's truncation
cell for this run, ``HIDDEN_DIM // 64`` in a later cell written for a re-loaded one-layer,
1024-unit run, and the figures notebook falls back to ``HIDDEN_DIM // 128`` when the saved
run lacks ``trunc_ranks`` (the grid behind the published figure is stored in the run's file,
which we do not have). Every one of these grids stops one short of full rank. Ours
(``ranks``) is coarser, to save time, and ends at full rank, where both truncations give
back the trained network.
"""
import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .checks import positive, positive_int, progress_bar
from .settings import SCALES, LSTMSettings

# --- The stand-in vocabulary ------------------------------------------------------------------

PAD = "<pad>"
NEUTRAL = ("the", "a", "film", "movie", "plot", "story", "cast", "script", "scene", "actor",
           "director", "music", "ending", "dialogue", "camera", "this", "its", "is", "was",
           "and", "of", "with", "in", "as", "to", "it", "seems", "feels", "looks", "at",
           "times", "whole", "first", "last", "hour", "acting", "lead", "one", "thing", "here")
POSITIVE = ("good", "great", "fine", "lovely", "superb", "moving", "funny", "brilliant",
            "charming", "clever", "fresh", "gripping")
NEGATIVE = ("bad", "awful", "dull", "boring", "weak", "messy", "silly", "tedious", "bland",
            "clumsy", "stale", "flat")
NEGATORS = ("not", "never", "hardly")
INTENSIFIERS = ("very", "really", "truly", "so")
CONTRAST = "but"

_POLARITY = {**{w: 1 for w in POSITIVE}, **{w: -1 for w in NEGATIVE}}


def score(words):
    """The stand-in's sentiment score of a sentence (a sequence of words): positive words
    ``+1``, negative ``-1``; an intensifier doubles, a negator flips the sign of, the next
    sentiment word (whatever lies between); ``but`` discards all that came before. The label
    is ``score > 0``. Unknown words raise ``ValueError``."""
    total, sign, weight = 0, 1, 1
    for word in words:
        if word == CONTRAST:
            total, sign, weight = 0, 1, 1
        elif word in NEGATORS:
            sign = -1
        elif word in INTENSIFIERS:
            weight = 2
        elif word in _POLARITY:
            total += _POLARITY[word] * sign * weight
            sign, weight = 1, 1
        elif word not in NEUTRAL:
            raise ValueError(f"words must come from the stand-in vocabulary, got {word!r}")
    return total


# --- Settings -----------------------------------------------------------------------------------


def check(s):
    """Raise ``ValueError`` naming the first field of ``s`` that is out of range."""
    for name in ("hidden", "layers", "emb_dim", "batch", "epochs", "n_train", "n_valid",
                 "n_neutral", "n_positive", "n_negative", "n_negators", "n_intensifiers",
                 "min_phrases", "max_phrases"):
        positive_int(name, getattr(s, name))
    for name, words in (("n_neutral", NEUTRAL), ("n_positive", POSITIVE),
                        ("n_negative", NEGATIVE), ("n_negators", NEGATORS),
                        ("n_intensifiers", INTENSIFIERS)):
        if getattr(s, name) > len(words):
            raise ValueError(f"{name} must be at most {len(words)}, got {getattr(s, name)!r}")
    if s.max_phrases < s.min_phrases:
        raise ValueError(f"max_phrases must be at least min_phrases, got {s.max_phrases!r}")
    if isinstance(s.max_gap, bool) or not isinstance(s.max_gap, (int, np.integer)) or s.max_gap < 0:
        raise ValueError(f"max_gap must be a non-negative integer, got {s.max_gap!r}")
    positive("emb_scale", s.emb_scale)
    positive("lr_N", s.lr_N)
    for name in ("p_sentiment", "p_negate", "p_intensify", "p_but"):
        p = getattr(s, name)
        if not 0 <= p <= 1:
            raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    if s.p_sentiment <= 0:
        raise ValueError(f"p_sentiment must be positive (else no sentence has a label), "
                         f"got {s.p_sentiment!r}")
    if not 0 <= s.dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {s.dropout!r}")
    if isinstance(s.seed, bool) or not isinstance(s.seed, (int, np.integer)) or s.seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {s.seed!r}")
    ranks = np.asarray(s.ranks)
    if ranks.ndim != 1 or ranks.size == 0 or ranks.dtype.kind not in "iu" \
            or ranks.min() < 0 or ranks.max() > s.hidden:
        raise ValueError(f"ranks must be integers in [0, hidden = {s.hidden}], got {s.ranks!r}")


LSTM_SCALES = SCALES["lstm"]
"""The stand-in's two scales (:data:`ghostbook.settings.SCALES`)."""


def _settings(s):
    if isinstance(s, str) and s in LSTM_SCALES:
        return LSTM_SCALES[s]
    if not isinstance(s, LSTMSettings):
        raise ValueError(f"s must be an LSTMSettings or one of {sorted(LSTM_SCALES)}, "
                         f"got {s!r}")
    check(s)
    return s


# --- Data -----------------------------------------------------------------------------------------


def vocabulary(s):
    """The stand-in's words; a word's index is its token id. ``PAD`` is token 0."""
    s = _settings(s)
    return ((PAD,) + NEUTRAL[:s.n_neutral] + POSITIVE[:s.n_positive] + NEGATIVE[:s.n_negative]
            + NEGATORS[:s.n_negators] + INTENSIFIERS[:s.n_intensifiers] + (CONTRAST,))


def _clause(s, rng, words):
    out = []
    for _ in range(int(rng.integers(s.min_phrases, s.max_phrases + 1))):
        if rng.random() < s.p_sentiment:
            if rng.random() < s.p_negate:
                out.append(words["negator"][rng.integers(s.n_negators)])
                gap = rng.integers(s.max_gap + 1)
                out.extend(words["neutral"][rng.integers(s.n_neutral, size=gap)])
            if rng.random() < s.p_intensify:
                out.append(words["intensifier"][rng.integers(s.n_intensifiers)])
            polar = words["positive"] if rng.random() < 0.5 else words["negative"]
            out.append(polar[rng.integers(len(polar))])
        else:
            out.extend(words["neutral"][rng.integers(s.n_neutral, size=rng.integers(1, 3))])
    return out


def sentences(s, n, rng):
    """``n`` stand-in sentences drawn from ``rng`` (a ``numpy.random.Generator``): token ids
    ``(n, max_len)`` int64 padded with 0 (``PAD``), ``lengths (n,)`` int64 and
    ``labels (n,)`` int64 (1 positive, 0 negative, by :func:`score`). Sentences whose score is
    zero are redrawn."""
    s = _settings(s)
    n = positive_int("n", n)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    vocab = vocabulary(s)
    ids = {w: i for i, w in enumerate(vocab)}
    words = {"neutral": np.array(NEUTRAL[:s.n_neutral]), "positive": POSITIVE[:s.n_positive],
             "negative": NEGATIVE[:s.n_negative], "negator": NEGATORS[:s.n_negators],
             "intensifier": INTENSIFIERS[:s.n_intensifiers]}
    drawn, labels = [], []
    while len(drawn) < n:
        sentence = _clause(s, rng, words)
        if rng.random() < s.p_but:
            sentence = sentence + [CONTRAST] + _clause(s, rng, words)
        total = score(sentence)
        if total != 0:
            drawn.append([ids[w] for w in sentence])
            labels.append(int(total > 0))
    lengths = np.array([len(t) for t in drawn], dtype=np.int64)
    tokens = np.zeros((n, lengths.max()), dtype=np.int64)
    for i, t in enumerate(drawn):
        tokens[i, :len(t)] = t
    return tokens, lengths, np.array(labels, dtype=np.int64)


def embedding(s, rng):
    """The frozen stand-in for GloVe: ``(len(vocabulary(s)), emb_dim)`` float32, entries
    ``N(0, emb_scale^2 / emb_dim)`` from ``rng``, the ``PAD`` row zero."""
    s = _settings(s)
    E = rng.standard_normal((len(vocabulary(s)), s.emb_dim)) * (s.emb_scale / math.sqrt(s.emb_dim))
    E[0] = 0.0
    return E.astype(np.float32)


def words_of(s, tokens, length):
    """The words of one sentence given its token ids and length."""
    vocab = vocabulary(s)
    return [vocab[i] for i in np.asarray(tokens)[:length]]


# --- The network ----------------------------------------------------------------------------------


class SentimentLSTM(nn.Module):
    """The authors' ``RNN('LSTM', ...)`` (``notebooks/model_LSTM.py``), unidirectional: frozen
    embedding ``encoder``, ``rnn = nn.LSTM(emb_dim, hidden, layers, dropout)`` on packed
    sequences, dropout on the last layer's final hidden state, ``decoder = nn.Linear(hidden,
    1)``. Parameter names are the authors' (``rnn.weight_hh_l1``, ...). Initialisation:
    PyTorch's defaults from the current torch RNG, then ``rnn.weight_ih_l0`` redrawn from
    ``U(-1/sqrt(emb_dim), 1/sqrt(emb_dim))``, as the authors do."""

    def __init__(self, vectors, hidden, layers, dropout):
        super().__init__()
        vectors = torch.as_tensor(np.asarray(vectors, dtype=np.float32))
        self.encoder = nn.Embedding.from_pretrained(vectors, freeze=True, padding_idx=0)
        self.rnn = nn.LSTM(vectors.shape[1], hidden, num_layers=layers, dropout=dropout,
                           batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden, 1)
        a = 1.0 / math.sqrt(vectors.shape[1])
        with torch.no_grad():
            self.rnn.weight_ih_l0.uniform_(-a, a)

    def forward(self, tokens, lengths):
        """Logits ``(B,)`` for token ids ``(B, T)`` and lengths ``(B,)`` (CPU int64)."""
        packed = nn.utils.rnn.pack_padded_sequence(self.encoder(tokens), lengths,
                                                   batch_first=True, enforce_sorted=False)
        _, (hidden, _) = self.rnn(packed)          # hidden: (layers, B, hidden), input order
        return self.decoder(self.drop(hidden[-1])).squeeze(1)


def truncated_keys(layers):
    """The weights the authors truncate: every ``rnn.weight_hh_l*`` and ``rnn.weight_ih_l*``
    except ``rnn.weight_ih_l0``; for two layers ``weight_hh_l0, weight_ih_l1, weight_hh_l1``."""
    layers = positive_int("layers", layers)
    keys = []
    for layer in range(layers):
        if layer > 0:
            keys.append(f"rnn.weight_ih_l{layer}")
        keys.append(f"rnn.weight_hh_l{layer}")
    return tuple(keys)


def evaluate(model, tokens, lengths, labels, chunk=1000):
    """Loss (BCE with logits, mean over sentences) and accuracy (fraction of sentences whose
    logit has the label's sign) in evaluation mode (no dropout)."""
    was_training = model.training
    model.eval()
    logits = []
    with torch.no_grad():
        for i in range(0, len(lengths), chunk):
            L = lengths[i:i + chunk]
            x = torch.from_numpy(tokens[i:i + chunk, :L.max()])
            logits.append(model(x, torch.from_numpy(L)))
        logits = torch.cat(logits)
        y = torch.from_numpy(np.asarray(labels)).float()
        loss = nn.functional.binary_cross_entropy_with_logits(logits, y).item()
        acc = ((logits > 0).float() == y).float().mean().item()
    model.train(was_training)
    return loss, acc


# --- Training -------------------------------------------------------------------------------------


@dataclass
class Run:
    """A trained network, the state it started from, its data and its learning curves."""

    model: SentimentLSTM
    init: dict                 # state_dict before training (copies)
    valid: tuple               # (tokens, lengths, labels) of the validation set
    train_loss: np.ndarray     # (epochs,) mean over batches, with dropout (authors' train())
    train_acc: np.ndarray      # (epochs,)
    valid_loss: np.ndarray     # (epochs,) after each epoch
    valid_acc: np.ndarray      # (epochs,)
    valid_loss_initial: float  # before training
    valid_acc_initial: float


def _rngs(seed):
    """Independent NumPy streams: embedding, training set, validation set, batch order."""
    return [np.random.default_rng([seed, k]) for k in range(4)]


def train(s, progress=None):
    """Generate the stand-in data, build the network (``torch.manual_seed(s.seed)`` inside a
    forked torch RNG, so the caller's RNG state is untouched) and train it for ``s.epochs``
    epochs: each epoch a seeded shuffle of the training set in batches of ``s.batch`` (the
    last one may be smaller), Adam at ``s.lr``. CPU only. Returns a :class:`Run`."""
    s = _settings(s)
    r_emb, r_train, r_valid, r_order = _rngs(s.seed)
    vectors = embedding(s, r_emb)
    tokens, lengths, labels = sentences(s, s.n_train, r_train)
    valid = sentences(s, s.n_valid, r_valid)
    y_all = torch.from_numpy(labels).float()
    n_batches = math.ceil(s.n_train / s.batch)
    hist = {k: np.empty(s.epochs) for k in ("train_loss", "train_acc", "valid_loss", "valid_acc")}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(s.seed)
        model = SentimentLSTM(vectors, s.hidden, s.layers, s.dropout)
        init = copy.deepcopy(model.state_dict())
        loss0, acc0 = evaluate(model, *valid)
        opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=s.lr)
        model.train()
        with progress_bar(progress, s.epochs, "epoch") as bar:
            for epoch in range(s.epochs):
                order = r_order.permutation(s.n_train)
                total_loss = total_acc = 0.0
                for b in range(n_batches):
                    idx = order[b * s.batch:(b + 1) * s.batch]
                    L = lengths[idx]
                    x = torch.from_numpy(tokens[idx, :L.max()])
                    y = y_all[idx]
                    opt.zero_grad()
                    logits = model(x, torch.from_numpy(L))
                    loss = nn.functional.binary_cross_entropy_with_logits(logits, y)
                    loss.backward()
                    opt.step()
                    total_loss += loss.item()
                    total_acc += ((logits.detach() > 0).float() == y).float().mean().item()
                hist["train_loss"][epoch] = total_loss / n_batches
                hist["train_acc"][epoch] = total_acc / n_batches
                hist["valid_loss"][epoch], hist["valid_acc"][epoch] = evaluate(model, *valid)
                bar.update()
    model.eval()
    return Run(model, init, valid, valid_loss_initial=loss0, valid_acc_initial=acc0, **hist)


# --- Singular values and truncation -----------------------------------------------------------


def _as64(t):
    return t.detach().double().numpy()


def singular_values(run, key="rnn.weight_hh_l1"):
    """Singular values of the whole stacked matrix ``key`` (as the authors, with
    ``svd_blockwise = False``), in float64: ``W0``, ``W`` and ``Delta W = W - W0``."""
    W0, W = _as64(run.init[key]), _as64(run.model.state_dict()[key])
    return tuple(np.linalg.svd(M, compute_uv=False) for M in (W0, W, W - W0))


class _Truncator:
    """One SVD of a float64 matrix; ``(R)`` gives its rank-``R`` truncation."""

    def __init__(self, M):
        self.U, self.s, self.Vt = np.linalg.svd(M, full_matrices=False)

    def __call__(self, R):
        return (self.U[:, :R] * self.s[:R]) @ self.Vt[:R]


TRUNCATIONS = ("dW", "W")
"""``"dW"``: ``W0 + (Delta W)_R`` (the authors' "Truncate Delta W"); ``"W"``: ``W_R``."""


def truncated_states(run, ranks, keep_initial):
    """State dicts of the truncated networks, one per rank in ``ranks`` (a generator): the
    authors' matrices (:func:`truncated_keys`) replaced by ``W0 + (W - W0)_R`` if
    ``keep_initial`` else by ``W_R``, computed in float64 and rounded to float32; all else
    as trained."""
    if keep_initial not in (True, False):
        raise ValueError(f"keep_initial must be True or False, got {keep_initial!r}")
    final = run.model.state_dict()
    hidden = run.model.rnn.hidden_size
    ranks = [int(r) for r in ranks]
    if any(r < 0 or r > hidden for r in ranks):
        raise ValueError(f"ranks must be integers in [0, hidden = {hidden}], got {ranks!r}")
    keys = truncated_keys(run.model.rnn.num_layers)
    base = {k: _as64(run.init[k]) if keep_initial else 0.0 for k in keys}
    cut = {k: _Truncator(_as64(final[k]) - base[k]) for k in keys}
    for R in ranks:
        state = dict(final)
        for k in keys:
            state[k] = torch.from_numpy(base[k] + cut[k](R)).float()
        yield state


def truncation_curves(run, ranks, truncation, progress=None):
    """Validation loss and accuracy, arrays ``(len(ranks),)``, of the networks truncated at
    each rank: ``truncation`` ``"dW"`` (keep ``W0``, truncate ``Delta W``) or ``"W"``."""
    if truncation not in TRUNCATIONS:
        raise ValueError(f"truncation must be one of {TRUNCATIONS}, got {truncation!r}")
    net = copy.deepcopy(run.model)
    loss, acc = np.empty(len(ranks)), np.empty(len(ranks))
    with progress_bar(progress, len(ranks), "net") as bar:
        for i, state in enumerate(truncated_states(run, ranks, truncation == "dW")):
            net.load_state_dict(state)
            loss[i], acc[i] = evaluate(net, *run.valid)
            bar.update()
    return loss, acc


def lstm_fig(s, progress=None):
    """Schuessler Fig. 5 on the stand-in task (not SST/GloVe, which are unavailable here).

    ``s``: an :class:`LSTMSettings` or a key of :data:`LSTM_SCALES`. Returns a dict of NumPy
    arrays: ``train_loss``, ``train_acc``, ``valid_loss``, ``valid_acc`` ``(epochs,)``;
    ``valid_loss_initial``, ``valid_acc_initial`` (the untrained network); ``sv_W0``,
    ``sv_W``, ``sv_dW`` ``(hidden,)``, singular values of layer 2's whole recurrent matrix
    ``rnn.weight_hh_l1`` (Fig. 5a); ``ranks``; ``trunc_dW_loss``, ``trunc_dW_acc`` (truncate
    ``Delta W``, keep ``W0``) and ``trunc_W_loss``, ``trunc_W_acc`` (truncate ``W``),
    ``(len(ranks),)``, with the authors' matrices truncated (Fig. 5b)."""
    s = _settings(s)
    run = train(s, progress)
    sv_W0, sv_W, sv_dW = singular_values(run, f"rnn.weight_hh_l{s.layers - 1}")
    out = {"train_loss": run.train_loss, "train_acc": run.train_acc,
           "valid_loss": run.valid_loss, "valid_acc": run.valid_acc,
           "valid_loss_initial": np.array(run.valid_loss_initial),
           "valid_acc_initial": np.array(run.valid_acc_initial),
           "sv_W0": sv_W0, "sv_W": sv_W, "sv_dW": sv_dW, "ranks": np.array(s.ranks)}
    for truncation in TRUNCATIONS:
        out[f"trunc_{truncation}_loss"], out[f"trunc_{truncation}_acc"] = \
            truncation_curves(run, s.ranks, truncation, progress)
    return out


__all__ = ["LSTMSettings", "LSTM_SCALES", "check", "score", "vocabulary", "sentences",
           "embedding", "words_of", "SentimentLSTM", "truncated_keys", "evaluate", "Run",
           "train", "singular_values", "TRUNCATIONS", "truncated_states", "truncation_curves",
           "lstm_fig", "PAD", "NEUTRAL", "POSITIVE", "NEGATIVE", "NEGATORS", "INTENSIFIERS",
           "CONTRAST"]
