"""``t`` is an integer: a factor of the step alone that vanishes is a step of every run, not a parameter set.

The derivation writes the map in ``t``.  A denominator factor that depends on ``t`` alone (``t - 3``) makes the
map undefined at the steps where it vanishes, and those steps occur in every run: the proof, an induction in
``t``, does not cover them.  This module finds those steps exactly -- the integer roots ``k >= t0`` of the
factor, from its factorisation over QQ (complete: an integer root of a polynomial with rational coefficients
is the root of one of its linear factors) -- so that each can be decided as an isolated step, and drops the
conditions no step satisfies (``t = 0`` when the run starts at 1, ``t^2 + 9 = 0``).

A factor of ``t`` that is not a rational function of ``t`` (``(-1)^t``, ``Min(t, 5)``, ``Piecewise``) has no
finite list of roots this can compute; :func:`opaque_in_t` names it so that the declaration can be refused in
one line with the fix (declare it as a schedule: the proof then covers every value, and the values set are
judged step by step).  SymPy only.
"""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from .symbols import t


def depends_on_t_alone(expr) -> bool:
    expr = sp.sympify(expr)
    return expr.has(t) and expr.free_symbols <= {t} and not expr.atoms(AppliedUndef)


def integer_roots(factor, t0: int) -> list[int] | None:
    """The steps ``k >= t0`` where ``factor`` (an expression of ``t`` alone) is 0; None when ``factor`` is not
    a rational function of ``t`` (its roots cannot be listed)."""
    num = sp.numer(sp.together(sp.sympify(factor)))
    try:
        poly = sp.Poly(num, t, domain=sp.QQ)
    except (sp.PolynomialError, sp.GeneratorsNeeded, sp.CoercionFailed):
        return None
    if poly.is_zero:
        return None
    out = set()
    for f, _ in poly.factor_list()[1]:
        if f.degree() == 1:
            a, b = f.all_coeffs()
            r = -b / a
            if r.is_integer and r >= t0:
                out.add(int(r))
    return sorted(out)


def opaque_in_t(expr) -> sp.Expr | None:
    """The first part of ``expr`` that depends on ``t`` other than rationally or through a power ``b^t`` with a
    symbolic base (``(-1)^t``, ``Min(t, 5)``, ``Piecewise((1, t > 3), ...)``, ``floor(t/2)``); None if none."""
    for sub in sp.preorder_traversal(sp.sympify(expr)):
        if not sub.has(t) or isinstance(sub, (sp.Add, sp.Mul, sp.Symbol, AppliedUndef)):
            continue
        if isinstance(sub, sp.Pow):
            if not sub.exp.has(t):
                continue
            if sub.base.is_number and sub.base.is_negative is not False:  # (-1)^t alternates; 0^t, 2^t, beta^t do not
                return sub
            continue
        if isinstance(sub, (sp.Piecewise, sp.Min, sp.Max, sp.floor, sp.ceiling, sp.Mod, sp.sign, sp.Abs)) \
                or isinstance(sub, sp.Function) and not isinstance(sub, AppliedUndef) and sub.has(t):
            return sub
    return None


def refuse_opaque_steps(method) -> None:
    """Refuse, in one line with the fix, an update or definition whose coefficient depends on ``t`` other than
    rationally (:func:`opaque_in_t`): :class:`~equivalences.system.DeclarationError`."""
    from .system import DeclarationError

    for lhs, rhs in [(eq.lhs, eq.rhs) for eq in method.updates] + [(f(t), body) for f, body in method.define.items()]:
        bad = opaque_in_t(rhs)
        if bad is not None:
            raise DeclarationError(
                f"the update of {lhs} uses {sp.sstr(bad)}, which depends on the step t in a way the proof cannot "
                f"split into steps; declare it (or the coefficient it is part of) as a schedule instead "
                f"(schedules=(s,), defaults={{s: {sp.sstr(bad)}}}, and write s(t)): the proof then covers every "
                f"value, and the values are judged step by step")
