"""Exact normal forms of the solutions: rational functions with positive leading terms, read-friendly."""
from __future__ import annotations

import functools

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.polys.rings import ring

from ..algebra import _positive_first, canonical
from ..symbols import t


@functools.lru_cache(maxsize=65536)
def _rational_form(expr) -> sp.Expr:
    """Rational normal form ``p / q`` (``gcd(p, q) = 1``), exact, by polynomial arithmetic over the
    rationals (sympy's sparse ring) with every function application and symbol a generator; falls back to
    :func:`~equivalences.algebra.canonical` where a power has the step in its exponent (MARS's
    ``beta1**t``) or a transform is applied."""
    e = sp.sympify(expr)
    if e.is_number:
        return e
    if e.has(sp.zoo, sp.nan, sp.oo):
        return sp.nan
    if any(not isinstance(a, AppliedUndef) for a in e.atoms(sp.Function)):
        return canonical(e)
    atoms = sorted(e.atoms(AppliedUndef), key=sp.default_sort_key)
    if any(p.exp.has(t) for p in e.atoms(sp.Pow)):  # b**(t + k) = b**k * b**t: b**t one generator
        e = sp.expand_power_exp(sp.powsimp(e, combine="exp"))
        atoms += sorted({p for p in e.atoms(sp.Pow) if p.exp == t}, key=sp.default_sort_key)
        if any(p.exp.has(t) and p.exp != t for p in e.atoms(sp.Pow)):
            return canonical(expr)
    dummies = [sp.Dummy() for _ in atoms]
    e = e.xreplace(dict(zip(atoms, dummies)))
    gens = sorted(e.free_symbols, key=sp.default_sort_key)
    if not gens:
        return canonical(expr)
    R, *xs = ring(gens, sp.QQ)
    try:
        P, Q = _fraction(e, R, dict(zip(gens, xs)))
    except ValueError:  # not a rational function of the generators (a root, a float)
        return canonical(expr)
    if not Q:
        return sp.nan
    c, P, Q = _primitive_pair(*P.cancel(Q), R)
    out = c * P.as_expr() / Q.as_expr()
    return out.xreplace(dict(zip(dummies, atoms)))


def _fraction(e, R, gens: dict):
    """``e`` as a numerator and a denominator in the polynomial ring ``R`` (``gens``: symbol -> generator), built
    bottom-up without cancelling on the way (one gcd at the end, :func:`_rational_form`); ValueError where ``e``
    is not a rational function of the generators over the rationals."""
    if e in gens:
        return gens[e], R.one
    if e.is_Rational:
        return R(sp.QQ(e.p, e.q)), R.one
    if e.is_Add:
        n, d = R.zero, R.one
        for a in e.args:
            an, ad = _fraction(a, R, gens)
            n, d = (n + an, d) if ad == d else (n * ad + an * d, d * ad)
        return n, d
    if e.is_Mul:
        n, d = R.one, R.one
        for a in e.args:
            an, ad = _fraction(a, R, gens)
            n, d = n * an, d * ad
        return n, d
    if e.is_Pow and e.exp.is_Integer:
        bn, bd = _fraction(e.base, R, gens)
        k = int(e.exp)
        return (bn ** k, bd ** k) if k >= 0 else (bd ** -k, bn ** -k)
    raise ValueError(f"not a rational function: {e}")


def _primitive_pair(P, Q, R):
    """``(c, P, Q)`` with ``P / Q`` times the rational ``c`` the reduced fraction, ``P`` and ``Q`` integer primitive
    polynomials with positive leading coefficients: the normal form ``Poly.cancel`` gives."""
    Z = R.clone(domain=sp.ZZ)
    dp, P = P.clear_denoms()
    dq, Q = Q.clear_denoms()
    cp, P = P.set_ring(Z).primitive()
    cq, Q = Q.set_ring(Z).primitive()
    c = sp.Rational(int(cp), 1) * sp.Rational(int(dq), int(dp)) / int(cq)
    if P and P.LC < 0:
        P, c = -P, -c
    if Q.LC < 0:
        Q, c = -Q, -c
    return c, P, Q


@functools.lru_cache(maxsize=65536)
def nice(expr) -> sp.Expr:
    """A readable exact form (as :func:`equivalences.algebra.nice`, on the faster normal form), cached."""
    c = _rational_form(sp.sympify(expr))
    if c.is_number or c is sp.nan:
        return c
    try:
        candidates = [_positive_first(sp.factor(c)), c]
        for k in (sp.Integer(1), sp.Integer(-1)):  # 1 - beta c/((1 - beta)(1 - c)) reads better expanded
            rest = _rational_form(c - k)
            if rest != 0 and not rest.is_number:
                candidates.append(sp.Add(k, _positive_first(sp.factor(rest)), evaluate=False))
    except (sp.PolynomialError, NotImplementedError):
        return c
    return min(candidates, key=lambda e: (sp.count_ops(e), len(str(e))))


def _normal(expr) -> sp.Expr:
    c = _rational_form(expr)
    return sp.numer(c) if not c.is_number else c
