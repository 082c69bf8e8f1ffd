"""The passages this book quotes from the papers: each once, copied exactly, with its source.

The chapters and the reproduction report put a paper's words in quotation marks only if
they are one of these passages or a part of one (``tests/test_quotes.py`` checks every
quoted passage of three or more words, character for character). Copied from the
papers' texts; where the source sets a symbol as maths or a superscript, the passage
gives it as the book renders it (``O(1/√N)``, ``9 ∗ 10⁻¹⁰``). Editorial insertions in
square brackets (``[sic: preceded]``) are not part of a passage.

Sources: "2024" is Dinc et al., *A ghost mechanism: An analytical model of abrupt
learning*; "later version" its revision *... abrupt learning in recurrent networks*
(abstract); "Schuessler" is Schuessler et al. 2020, *The interplay between randomness and
structure during learning in RNNs*.
"""
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    text: str     # the passage, exactly as the paper has it
    source: str   # paper and place


QUOTES = (
    # 2024, Fig. 2 caption
    Quote("abrupt decay of loss function values around epoch 1500", "2024, Fig. 2 caption"),
    Quote("the network does not undergo any bifurcations, as evident from r not changing its "
          "sign during learning", "2024, Fig. 2 caption"),
    Quote("The toy model learned best with lower learning rates, but at the expense of more "
          "epochs of training", "2024, Fig. 2 caption"),
    Quote("learning is no longer possible for α ≥ 9 ∗ 10⁻¹⁰", "2024, Fig. 2 caption"),
    # 2024, main text and figure captions on the toy model and the rank-one RNN
    Quote("pushed the network into the no-learning zone", "2024, main text, toy model"),
    Quote("practically zero gradient", "2024, Fig. 3 caption"),
    Quote("training RNNs reproduced the same dependence on the learning rate as was the case "
          "for the toy model", "2024, main text, RNNs"),
    Quote("there was only one fixed point after every epoch within κ ∈ [−15, 15]",
          "2024, main text, RNNs (Fig. 3A)"),
    Quote("which proceeded sharp transitions in both the loss function (abrupt decay) and the "
          "L2 norm of the gradient (abrupt increase)", "2024, main text, RNNs (Fig. 3A)"),
    Quote("was accompanied with a sharpening of the curvature around the ghost",
          "2024, main text, RNNs (Fig. 3A)"),
    Quote("the network underwent a saddle-node bifurcation and remained stuck",
          "2024, main text, RNNs (Fig. 3B)"),
    Quote("Out of 100, 74 RNNs learned the task at some point, whereas 54 of them entered the "
          "no-learning zone", "2024, Fig. 4 caption"),
    Quote("after lowering the confidence levels, which allowed them to recover",
          "2024, Fig. 4 caption"),
    # 2024, sloppy ranks (main text and Fig. S2 caption)
    Quote("increasing the number of trainable ranks in W consistently resulted in learning "
          "with fewer epoch", "2024, main text, sloppy ranks"),
    Quote("for full-rank RNNs, we observed gradual decreases across extended epochs",
          "2024, main text, sloppy ranks"),
    Quote("even full-rank RNNs still exhibited oscillatory phases and occasionally became "
          "stuck in no-learning zones", "2024, main text, sloppy ranks"),
    Quote("we observed occasional entrance to no-learning zones (with negligible gradients)",
          "2024, Fig. S2 caption"),
    Quote("few RNNs that could train without entering the no-learning zone had either 50 or "
          "100 available ranks", "2024, Fig. S2 caption"),
    # 2024, text on Figs. 3B and 4
    Quote("we observed that another network, in which c was trainable, still got stuck in "
          "the no-learning zone", "2024, text on Fig. 3B (data not shown)"),
    Quote("lower confidence values enable small, yet non-zero, gradients to form beyond the "
          "point of no return", "2024, text on Fig. 4"),
    # 2024, End Matter
    Quote("we did recover the same trend between the learning rates and the final loss "
          "function values", "2024, End Matter (RNNs)"),
    Quote("with T = 100, this corresponds to roughly 9 ∗ 10⁻¹⁰", "2024, End Matter (Eq. 15)"),
    # later version
    Quote("identify a critical learning rate that scales as an inverse power law with the "
          "timescale of the learned computation", "later version, abstract"),
    Quote("the networks develop transient slow regions in state space that extend the "
          "effective timescales of computation", "later version, abstract"),
    Quote("we derive a one-dimensional canonical form that analytically captures learning as "
          "a process controlled by a single scale parameter", "later version, abstract"),
    Quote("we study a form of abrupt learning emerging from ghost points",
          "later version, abstract"),
    Quote("validated across low-rank and full-rank networks", "later version, contribution"),
    Quote("vanishing and oscillatory gradients cause learning collapse",
          "later version, findings"),
    Quote("increasing rank and reducing output confidence improve learning stability",
          "later version, findings"),
    # Schuessler et al. 2020
    Quote("Input starts at t = 1, loss is evaluated at T = 100", "Schuessler, Fig. 3 caption"),
    Quote("The loss after truncation indeed drops to zero at rank 2", "Schuessler, Sec. 3"),
    Quote("learning becomes faster and smoother with initial connectivity", "Schuessler, Sec. 3"),
    Quote("averaged over independent simulations", "Schuessler, Sec. 3 (Fig. 2)"),
    Quote("the truncation loss drops to zero at rank 4 and 6, respectively",
          "Schuessler, Sec. 2 (Fig. 1)"),
    Quote("convergence time smoothly decreases as a function of connectivity strength",
          "Schuessler, Sec. 2 (Fig. 2a)"),
    Quote("shuffling strongly degraded performance except for cases with very weak initial "
          "connectivity", "Schuessler, Sec. 2 (Fig. 2c)"),
    Quote("This functional rank is between 2 and 10 for all three tasks",
          "Schuessler, Sec. 2 (Fig. 2d)"),
    Quote("It increases with g for the flip-flop task, while it remains less affected for the "
          "other two tasks", "Schuessler, Sec. 2 (Fig. 2d)"),
    Quote("we chose N to be large enough so that learning dynamics become invariant under "
          "changes in N", "Schuessler, Sec. 2"),
    Quote("The initial, random", "Schuessler, Fig. 5 caption"),
    Quote("are approximately low-rank", "Schuessler, Fig. 5 caption"),
    Quote("visibly differs from it only for the first SVs", "Schuessler, Fig. 5 caption"),
    Quote("a single SV dominates", "Schuessler, Sec. 4 (Fig. 3)"),
    Quote("they are of order O(1), with deviations O(1/√N)", "Schuessler, Sec. 4"),
    Quote("despite quantitative disagreement", "Schuessler, Sec. 4"),
    Quote("divergent gradients when the networks undergo a phase transition",
          "Schuessler, Sec. 6"),
)
"""Every passage the book quotes."""


def normalise(passage):
    """A quoted passage as it is matched: editorial insertions in square brackets removed
    (a bracket of the source itself, like ``κ ∈ [−15, 15]``, stays: it has no letters
    before a colon), whitespace collapsed."""
    passage = re.sub(r"\s*\[(?:sic|emphasis|our)[^\]]*\]", "", passage)
    return " ".join(passage.split())


def source_of(passage):
    """The :class:`Quote` a quoted passage is taken from, or ``None`` if it is no paper's."""
    passage = normalise(passage)
    return next((q for q in QUOTES if passage in q.text), None)
