"""The large-N theory of Schuessler et al. (2020), Sec. 3, derived here from scratch and
compared with the formulas typed into :mod:`ghostbook.linear`.

The oracle is a symbolic expansion in learning time, built without the package and
without the chapter (``book/randomness.ipynb`` derives the same results for the reader):

* large-N moments ``phi(X) = lim tr(X) / N`` of words ``X`` in ``B = (I - W0)^{-1}`` and
  ``B^T`` for a circular ``W0`` of variance ``g^2``, by the Schwinger-Dyson recursion,
  themselves checked against a direct count of non-crossing pairings of ``W0`` with
  ``W0^T`` (the circular element's Wick rule) order by order in ``g``;
* the gradient flow ``dW/dtau = (z_hat - z) p q^T``, ``p = (I - W^T)^{-1} w``,
  ``q = (I - W)^{-1} m``, solved by Picard iteration from ``Delta W = 0`` up to
  ``tau^3``, with every scalar ``u^T X v`` (``u, v`` in ``{w, m}``) replaced by
  ``delta_uv phi(X)``;
* the readout ``z = w^T q``, and the singular values of ``Delta W`` from its Gram
  matrices: ``s1 = sqrt(tr K) + O(tau^5)`` and ``s2 = sqrt(e2(K) / s1^2)`` at leading
  order, ``K = Delta W^T Delta W``.

The package functions must equal the derived series at many ``(tau, z_hat, g)``; a test
checks that the same comparison rejects each formula with one coefficient changed.
"""
import functools
import itertools

import numpy as np
import pytest
import sympy as sp

from ghostbook import linear

TAU, ZHAT, BETA = sp.symbols("tau zhat beta", positive=True)
GENS = (TAU, ZHAT, BETA)
ORDER = 3                                             # the paper's expansions stop at tau^3
SWAP = {"B": "T", "T": "B"}                           # 'T' is B^T


def poly(expr):
    return sp.Poly(expr, *GENS, domain="QQ")


ZERO, ONE = poly(0), poly(1)


def truncate(p, order):
    """``p`` without its terms of degree above ``order`` in tau."""
    return poly(sum((coeff * sp.Mul(*(g**e for g, e in zip(GENS, monom)))
                     for monom, coeff in p.terms() if monom[0] <= order), sp.Integer(0)))


def transpose(word):
    return "".join(SWAP[letter] for letter in reversed(word))


# --- Moments of a circular W0 ------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def phi_g(word):
    """``phi(word)`` (letters 'B', 'T') as a rational function of ``g2 = g^2``: the
    Schwinger-Dyson recursion ``B = 1 + W0 B``,
    ``phi(W0 Y) = g^2 sum_{j: Y_j = B^T} phi(Y_<j B^T) phi(B^T Y_>j)``."""
    g2 = sp.Symbol("g2")
    if "B" not in word or "T" not in word:
        return sp.Integer(1)                          # phi(W0^k) = 0 for k >= 1
    start = next(k for k in range(len(word)) if word[k] == "B" and word[k - 1] == "T")
    word = word[start:] + word[:start]                # cyclic: starts with B, ends with T
    n = len(word)
    rest = phi_g(word[1:]) + sum(g2 * phi_g(word[:j + 1]) * phi_g(word[j:])
                                 for j in range(1, n - 1) if word[j] == "T")
    return sp.cancel(rest / (1 - g2))                 # the j = n - 1 term is g2 phi(word)


@functools.lru_cache(maxsize=None)
def phi(word):
    """``phi(word)`` as a polynomial in ``beta = 1 / (1 - g^2)`` (``g^2 = 1 - 1/beta``)."""
    value = sp.cancel(phi_g(word).subs(sp.Symbol("g2"), 1 - 1 / BETA))
    return poly(value)                                # raises unless a polynomial in beta


def noncrossing_pairings(letters):
    """Non-crossing pairings of a cyclic sequence of 'W' (W0) and 'V' (W0^T) that pair
    every W with a V: the circular element's moment ``phi(letters) / g^len``."""
    n = len(letters)
    count = {(i, i): 1 for i in range(n + 1)}
    for length in range(2, n + 1, 2):
        for i in range(n - length + 1):
            j = i + length
            count[i, j] = sum(count[i + 1, k] * count[k + 1, j]
                              for k in range(i + 1, j, 2) if letters[k] != letters[i])
    return count[0, n] if n % 2 == 0 else 0


def phi_series(word, order):
    """``phi(word)`` to ``g^(2 order)`` from ``B = sum_k W0^k``, counting pairings."""
    coefficients = []
    for d in range(order + 1):
        total = 0
        for powers in itertools.product(range(2 * d + 1), repeat=len(word)):
            if sum(powers) == 2 * d:
                total += noncrossing_pairings("".join(("W" if x == "B" else "V") * a
                                                      for x, a in zip(word, powers)))
        coefficients.append(total)
    return coefficients


# --- Vectors and matrices in the large-N limit -----------------------------------------------
# A vector is {(base, word): coefficient}, meaning word @ base with base in {"w", "m"}; a
# matrix is {(u, v): coefficient} meaning u v^T. Coefficients: polynomials in tau, zhat, beta.


def combine(*terms):
    out = {}
    for key, c in terms:
        out[key] = out.get(key, ZERO) + c
    return {key: c for key, c in out.items() if not c.is_zero}


def inner(u, v):
    """``u^T v`` for basis vectors: ``delta_uv phi(transpose(word_u) word_v)``."""
    return phi(transpose(u[1]) + v[1]) if u[0] == v[0] else ZERO


def dot(x, y, order):
    return truncate(sum((a * b * inner(u, v) for u, a in x.items() for v, b in y.items()), ZERO),
                    order)


def apply(letter, x):
    return {(base, letter + word): c for (base, word), c in x.items()}


def matvec(M, x, order):
    return combine(*((u, truncate(c * dot({v: ONE}, x, order), order)) for (u, v), c in M.items()))


def resolvent(delta, x, letter, order):
    """``(I - W0 - Delta)^{-1} x = sum_n B (Delta B)^n x`` ('B'), or with every matrix
    transposed ('T'), to ``tau^order`` (``Delta = O(tau)``)."""
    if letter == "T":
        delta = {(v, u): c for (u, v), c in delta.items()}
    term = apply(letter, x)
    total = dict(term)
    for _ in range(order):
        term = apply(letter, matvec(delta, term, order))
        total = combine(*total.items(), *term.items())
    return total


W_VEC, M_VEC = {("w", ""): ONE}, {("m", ""): ONE}


@functools.lru_cache(maxsize=None)
def expansion():
    """``Delta W(tau)`` to ``tau^3`` by Picard iteration of the gradient flow, and
    ``z(tau) = w^T q`` to ``tau^3``."""
    delta = {}
    for _ in range(ORDER):                            # each pass gains one order in tau
        q = resolvent(delta, M_VEC, "B", ORDER - 1)
        p = resolvent(delta, W_VEC, "T", ORDER - 1)
        error = poly(ZHAT) - dot(W_VEC, q, ORDER - 1)
        rhs = combine(*(((u, v), truncate(error * a * b, ORDER - 1))
                        for u, a in p.items() for v, b in q.items()))
        delta = {key: poly(sp.integrate(c.as_expr(), TAU)) for key, c in rhs.items()}
    z = dot(W_VEC, resolvent(delta, M_VEC, "B", ORDER), ORDER).as_expr()
    return delta, sp.expand(z)


@functools.lru_cache(maxsize=None)
def singular_values():
    """``s1`` to ``tau^3`` and the leading term of ``s2`` (``sqrt(s2^2 + s3^2 + ...)``)."""
    delta, _ = expansion()
    left = sorted({u for u, _ in delta})
    right = sorted({v for _, v in delta})
    G_u = sp.Matrix(len(left), len(left), lambda i, j: inner(left[i], left[j]).as_expr())
    G_v = sp.Matrix(len(right), len(right), lambda i, j: inner(right[i], right[j]).as_expr())
    C = sp.Matrix(len(left), len(right),
                  lambda i, j: delta.get((left[i], right[j]), ZERO).as_expr())
    K = (C * G_v * C.T * G_u).applyfunc(sp.expand)    # same nonzero eigenvalues as Dw^T Dw
    trace = sp.expand(K.trace())
    e2 = sp.expand((trace**2 - (K * K).trace()) / 2)  # sum_{i<j} s_i^2 s_j^2
    a = [trace.coeff(TAU, k) for k in range(5)]
    assert a[0] == a[1] == 0 and all(e2.coeff(TAU, k) == 0 for k in range(8))
    root = sp.sqrt(a[2])                              # s1 = sqrt(a2 t^2 + a3 t^3 + a4 t^4)
    s1 = root * (TAU + a[3] / (2 * a[2]) * TAU**2
                 + (a[4] / (2 * a[2]) - a[3]**2 / (8 * a[2]**2)) * TAU**3)
    s2 = sp.sqrt(sp.factor(e2.coeff(TAU, 8) / a[2])) * TAU**3
    return sp.simplify(s1), sp.simplify(s2)


# --- The package against the derivation -----------------------------------------------------

POINTS = [(0.0, 0.5), (0.0, 2.0), (0.3, 1.0), (0.6, 2.0), (0.75, 0.7), (0.9, 1.3)]   # (g, z_hat)
TAUS = np.linspace(0.0, 0.8, 17)


def derived(expr, g, z_hat):
    """A derived series as a function of tau at one ``(g, z_hat)``."""
    f = sp.lambdify(TAU, expr.subs({ZHAT: z_hat, BETA: 1 / (1 - g**2)}), "numpy")
    return lambda tau: np.broadcast_to(f(tau), np.shape(tau)).astype(float)


def assert_matches(package, series):
    """``package(tau, z_hat, g)`` equals ``series`` (a sympy expression in tau, zhat,
    beta) at every point; the tau grid pins all four coefficients of a cubic."""
    for g, z_hat in POINTS:
        np.testing.assert_allclose(package(TAUS, z_hat, g), derived(series, g, z_hat)(TAUS),
                                   rtol=1e-12, atol=1e-14, err_msg=f"g = {g}, z_hat = {z_hat}")


def up_to(expr, order):
    return sum(sp.expand(expr).coeff(TAU, k) * TAU**k for k in range(order + 1))


def test_moments_count_the_noncrossing_pairings():
    """Schwinger-Dyson against the circular element's Wick rule, to g^8, for every word
    in B and B^T up to length 4 and the length-6 words the expansion uses."""
    g2 = sp.Symbol("g2")
    words = ["".join(w) for n in range(1, 5) for w in itertools.product("BT", repeat=n)]
    words += ["BTBTBT", "TBTBTB", "BBTTBT", "BTTBBT"]
    for word in words:
        series = sp.Poly(sp.series(phi_g(word), g2, 0, 5).removeO(), g2).all_coeffs()[::-1]
        series += [0] * (5 - len(series))
        assert [int(c) for c in series] == phi_series(word, 4), word
    assert phi("BT") == poly(BETA) and phi("TB") == poly(BETA) and phi("BB") == ONE


def test_first_order_is_the_rank_one_change_of_eq_11():
    delta, z = expansion()
    first = {key: c.as_expr().coeff(TAU, 1) for key, c in delta.items()}
    assert {key: c for key, c in first.items() if c != 0} == {(("w", "T"), ("m", "B")): ZHAT}
    assert sp.expand(z.coeff(TAU, 0)) == 0            # z0 = w^T B m = 0 for large N


def test_readout_theory_is_the_derived_series():
    _, z = expansion()
    for order in (1, 2, 3):
        assert_matches(lambda tau, z_hat, g: linear.readout_theory(tau, z_hat, g, order),
                       up_to(z, order))
    assert_matches(linear.readout_theory, z)          # the default is third order


def test_loss_theory_is_the_derived_series():
    _, z = expansion()
    for order in (1, 3):
        assert_matches(lambda tau, z_hat, g: linear.loss_theory(tau, z_hat, g, order),
                       (ZHAT - up_to(z, order)) ** 2 / 2)


@pytest.mark.parametrize("k", [0, 1])
def test_singular_values_theory_is_the_derived_series(k):
    s = singular_values()[k]
    assert_matches(lambda tau, z_hat, g: linear.singular_values_theory(tau, z_hat, g)[k], s)


def test_first_order_time_and_shuffled_loss():
    """``tau_1*`` solves the first-order ``z = z_hat``; after shuffling W0 the free ``B'``
    meets ``B^T`` with ``phi(B') phi(B^T) = 1``, so ``z = z_hat tau`` and the loss at
    ``tau_1*`` is ``(z_hat - z_hat tau_1*)^2 / 2``."""
    _, z = expansion()
    tau_1 = sp.solve(sp.Eq(up_to(z, 1), ZHAT), TAU)[0]
    for g, z_hat in POINTS:
        b = 1 / (1 - g**2)
        assert linear.beta(g) == pytest.approx(b, rel=1e-15)
        assert linear.first_order_time(g) == pytest.approx(float(tau_1.subs(BETA, b)), rel=1e-14)
        shuffled = (z_hat - z_hat * float(tau_1.subs(BETA, b))) ** 2 / 2
        assert linear.shuffled_loss_theory(z_hat, g) == pytest.approx(shuffled, rel=1e-12, abs=1e-15)


def _readout(cubic):
    def f(tau, z_hat, g):
        b = linear.beta(g)
        t = b**2 * np.asarray(tau, dtype=float)
        return z_hat * (t - t**2 / 2 + cubic(z_hat, b) * t**3 / 6)
    return f


def _s1(cubic):
    def f(tau, z_hat, g):
        b = linear.beta(g)
        t = b**2 * np.asarray(tau, dtype=float)
        return z_hat / b * (t - t**2 / 2 + cubic(z_hat, b) * t**3 / 6)
    return f


@pytest.mark.parametrize("which, wrong", [
    ("z", _readout(lambda z, b: 1 + 7 * z**2 * b)),            # 8 -> 7
    ("z", _readout(lambda z, b: 1 + 8 * z**2)),                # beta dropped
    ("z", lambda tau, z, g: linear.readout_theory(tau, z, g) * (1 + 1e-6 * tau**2)),
    ("s1", _s1(lambda z, b: 1 + 4 * z**2 * b)),                # 7/2 -> 4
    ("s1", _s1(lambda z, b: 1.05 + 3.5 * z**2 * b)),
    ("s2", lambda tau, z, g: z**3 * (linear.beta(g) ** 2 * tau) ** 3 / 12 * linear.beta(g) ** 0.01),
])
def test_the_comparison_rejects_a_changed_coefficient(which, wrong):
    _, z = expansion()
    series = {"z": z, "s1": singular_values()[0], "s2": singular_values()[1]}[which]
    right = {"z": linear.readout_theory,
             "s1": lambda tau, z_hat, g: linear.singular_values_theory(tau, z_hat, g)[0],
             "s2": lambda tau, z_hat, g: linear.singular_values_theory(tau, z_hat, g)[1]}[which]
    assert_matches(right, series)
    with pytest.raises(AssertionError):
        assert_matches(wrong, series)
