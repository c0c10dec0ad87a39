"""Exact normal forms of the solutions: rational functions with positive leading terms, read-friendly."""
from __future__ import annotations

import functools

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import _positive_first, canonical
from ..symbols import t


@functools.lru_cache(maxsize=65536)
def _rational_form(expr) -> sp.Expr:
    """Rational normal form ``p / q`` (``gcd(p, q) = 1``), exact, by polynomial arithmetic over the
    rationals with every function application and symbol a generator; falls back to
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
    num, den = e.as_numer_denom()
    gens = sorted(num.free_symbols | den.free_symbols, key=sp.default_sort_key)
    if not gens:
        return canonical(expr)
    try:
        (P, Q), _ = sp.parallel_poly_from_expr((num, den), *gens, domain="QQ")
    except (sp.PolificationFailed, sp.GeneratorsNeeded, sp.polys.polyerrors.CoercionFailed):
        return canonical(expr)
    if Q.is_zero:
        return sp.nan
    c, P, Q = P.cancel(Q)
    out = c * P.as_expr() / Q.as_expr()
    return out.xreplace(dict(zip(dummies, atoms)))


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
