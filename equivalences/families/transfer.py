"""The increment's transfer function and its partial fractions (constant coefficients).

For a linear method with constant coefficients (:func:`equivalences.equivalent.linear_form`), the query point
answers the gradient through ``Q(z) = c (zI - M)^(-1) b``; the move ``q(t+1) - q(t)`` through
``-F(z) = (z - 1) Q(z)``.  A k-momentum form with constant coefficients has

    F(z) = alpha + sum_i eta^(i) z / (z - beta^(i)),    so    F(z) / z = alpha / z + sum_i eta^(i) / (z - beta^(i)):

its partial fractions in ``z`` give the poles ``beta^(i)`` and the weights ``eta^(i)``, ``alpha`` (unique: a
rational function has one partial-fraction expansion).  A pole is *rational* when its factor of the denominator
is linear in ``z`` over the field of the hyperparameters; then it is a closed-form coefficient."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

z = sp.Symbol("z")


def increment_transfer(linear) -> sp.Expr | None:
    """``F(z)``: ``q(t+1) - q(t) = -F(z) u`` (None when a coefficient moves with the step)."""
    Q = linear.transfer_function(z)
    return None if Q is None else sp.factor(sp.cancel(-(z - 1) * Q))


@dataclass
class Fractions:
    """``F(z)/z = sum over poles p of sum_j c[p][j] / (z - p)^j`` (+ the irreducible parts, when not rational)."""

    poles: dict = field(default_factory=dict)
    """pole -> {multiplicity j: coefficient}"""
    irrational: list = field(default_factory=list)
    """Factors of the denominator of degree >= 2 in z (poles that are not rational in the hyperparameters)."""

    def multiplicity(self, p) -> int:
        return max(self.poles[p]) if p in self.poles else 0

    @property
    def nonzero_poles(self) -> list:
        return [p for p in self.poles if p != 0]


def partial_fractions(F: sp.Expr) -> Fractions:
    out = Fractions()
    for term in sp.Add.make_args(sp.apart(sp.cancel(F / z), z)):
        num, den = sp.fraction(sp.factor(term))
        if not den.has(z):
            raise ValueError(f"F(z)/z has a polynomial part {term}")  # F is proper, so F/z is strictly proper
        pieces = [(b, e) for b, e in (f.as_base_exp() for f in sp.Mul.make_args(den)) if b.has(z)]
        if len(pieces) != 1 or num.has(z) and sp.degree(pieces[0][0], z) == 1:
            out.irrational.append(term)  # not one power of one factor: not read as a pole
            continue
        base, mult = pieces[0]
        if sp.degree(base, z) != 1:
            out.irrational.append(base)
            continue
        a1, a0 = sp.Poly(base, z).all_coeffs()
        p = sp.factor(-a0 / a1)
        c = sp.factor(num / ((den / base ** mult) * a1 ** mult))
        slot = out.poles.setdefault(p, {})
        slot[int(mult)] = sp.factor(slot.get(int(mult), 0) + c)
    return out


def degree(F: sp.Expr) -> int:
    """The McMillan degree of ``F``: the degree of its denominator in lowest terms (the minimal order)."""
    return sp.degree(sp.denom(sp.cancel(F)), z)
