"""k-momentum forms: k buffers ``m^(i)_t = beta^(i)_t m^(i)_(t-1) + u_t`` and
``w_(t+1) = w_t - sum_i eta^(i)_t m^(i)_t - alpha_t u_t`` (time-varying coefficients allowed).  Order k.

The map, for constant coefficients, from the partial fractions of ``F(z)/z`` (:mod:`.transfer`): each simple
pole ``p != 0`` is a buffer ``beta = p`` with weight ``eta`` = its coefficient, the pole at 0 gives ``alpha``.

A pole ``p`` of multiplicity ``m`` (momentum applied twice: ``1/(1 - b/z)^2``) is no buffer with constant
coefficients, but ``m`` buffers with coefficients that move with the step hold it: its impulse response is
``p^n P(n)`` (``n = k - s``, ``P`` of degree ``m - 1``); write ``P(K - S) = sum_i c_i(K) S^i`` with
``K = k - t0 + 1``, ``S = s - t0 + 1``; buffer ``i`` has ``beta^(i)_t = p ((T - 1)/T)^i`` and
``eta^(i)_t = c_i(T) T^i`` (``T = t - t0 + 1``), since ``prod_(j=s+1..k) beta^(i)_j = p^(k-s) (S/K)^i``.
Every map is then proved by :func:`equivalences.equivalent.equivalent`, never taken on trust.  A pole at 0 of
multiplicity >= 2 in ``F(z)/z`` is a delayed gradient: no constant-coefficient buffer holds it (said so; with
time-varying coefficients this is not decided)."""
from __future__ import annotations

import sympy as sp

from ..declare import state
from ..forms.momentum import form
from ..symbols import g, t
from .family import Family, Fit
from .proof import member, prove


def buffers(fr, t0: int) -> tuple[list, sp.Expr, list]:
    """``([(beta_t, eta_t)], alpha, notes)`` from the partial fractions (expressions in ``t``)."""
    n, S, K = sp.symbols("n S K")
    T = t - t0 + 1
    out, notes = [], []
    for p in fr.nonzero_poles:
        cs = fr.poles[p]
        m = max(cs)
        # z/(z-p)^j  <->  binomial(n, j-1) p^(n-j+1):  P(n) = sum_j c_j p^(1-j) binomial(n, j-1)
        P = sp.expand(sum(c * p ** (1 - j) * sp.expand_func(sp.binomial(n, j - 1)) for j, c in cs.items()))
        if m == 1:
            out.append((p, sp.factor(P)))
            continue
        notes.append(f"a pole {sp.sstr(p)} of multiplicity {m}: no buffer with constant coefficients holds it; "
                     f"{m} buffers with coefficients that move with the step do")
        poly = sp.Poly(sp.expand(P.subs(n, K - S)), S)
        for i in range(m):
            c_i = poly.coeff_monomial(S ** i)
            out.append((p * ((T - 1) / T) ** i, sp.factor(c_i.subs(K, T) * T ** i)))
    return out, fr.poles.get(0, {}).get(1, sp.Integer(0)), notes


def own_buffers(s, k: int) -> Fit:
    """Coefficients that move with the step: the method's own step, when it is already k separate buffers
    (``x^(i)(t+1) = a_i(t) x^(i)(t) + B_i(t) u(t)``, a diagonal ``A_t``), read as a k-momentum form with
    ``m^(i)_t = x^(i)(t+1) / B_i(t)``: ``beta^(i)_t = a_i(t) B_i(t-1)/B_i(t)``, ``eta^(i)_t = C_i(t) B_i(t)/a_i(t)``,
    ``alpha_t = D_t - sum_i C_i(t) / a_i(t)`` -- then proved like every map."""
    if s.linear is None or len(s.own) != k:
        return Fit(None, "coefficients that move with the step: the map is not in closed form here")
    A, B, C, D = s.realization()
    if any(A[i, j] != 0 for i in range(k) for j in range(k) if i != j) or any(sp.simplify(x) == 0 for x in (*B, *A.diagonal())):
        return Fit(None, "coefficients that move with the step, and its own buffers are coupled: the map is not in "
                         "closed form here")
    bufs = [(sp.factor(A[i, i] * B[i].subs(t, t - 1) / B[i]), sp.factor(C[i] * B[i] / A[i, i])) for i in range(k)]
    alpha = sp.factor(D - sum(C[i] / A[i, i] for i in range(k)))
    return prove(s.method, declare(s.method, f"momentum-{k}", bufs, alpha), coefficients(bufs, alpha),
                 ["read off its own buffers (coefficients that move with the step)"])


def declare(method, key: str, bufs: list, alpha) -> object:
    """The k-momentum member with these coefficients (expressions in ``t``) as a Method: the form's update
    equations (:func:`equivalences.forms.momentum.form`) with the coefficients put in, in ``method``'s indexing."""
    f = form(len(bufs))
    w, *ms = state("w " + " ".join(f"m{i + 1}" for i in range(len(bufs))))
    names = {f.iterate.name: w, **{b.name: mi for b, mi in zip(f.buffers, ms)}}
    values = {c.name: v for c, v in zip(f.coefficients, _flat(bufs, alpha))}
    return member(method, key, (w, *ms), f.instantiate(values, names, input=g), f"{len(bufs)} momentum buffers")


def _flat(bufs: list, alpha) -> list:
    """The coefficients in the form's order: beta^(1), eta^(1), ..., alpha."""
    return [x for pair in bufs for x in pair] + [alpha]


def coefficients(bufs: list, alpha) -> dict:
    """``{JSON key: value}`` of the map (``beta^(1)``, ``eta^(1)``, ..., ``alpha``)."""
    return {c.json_key: v for c, v in zip(form(len(bufs)).coefficients, _flat(bufs, alpha))}


def family(k: int) -> Family:
    def fit(s) -> Fit:
        if s.F is None:
            return own_buffers(s, k)
        try:
            fr = s.fractions
        except (ValueError, NotImplementedError, sp.PolynomialError) as err:
            return Fit(None, f"order proved, map not in closed form: no partial fractions of F(z)/z ({err})")
        if fr.irrational:
            return Fit(None, "order proved, map not in closed form: poles not rational in the hyperparameters "
                             f"(roots of {', '.join(sp.sstr(x) for x in fr.irrational)})")
        if fr.multiplicity(0) >= 2:
            return Fit(None, "no k-momentum form with constant coefficients: F(z) has a pole at z = 0, a delayed "
                             "gradient (with coefficients that move with the step: not decided)")
        bufs, alpha, notes = buffers(fr, s.method.t0)
        if len(bufs) != k:
            return Fit(None, f"the transfer function asks for {len(bufs)} buffers, not {k}")
        return prove(s.method, declare(s.method, f"momentum-{k}", bufs, alpha), coefficients(bufs, alpha), notes)

    f = form(k)
    return Family(f.key, f.title, f.order, f.summary, fit)
