"""The two-gradient probe: a witness against Eq. (1) from how a step scales with the gradients.

Every coordinate of a declared method runs the same scalar recursion on its own gradients.  Take two
coordinates started at 0 (``theta_0 = 0`` and every other start symbol 0) and give the second one twice
the gradients of the first at every step: ``u_B(j) = 2 u_A(j)``.  Under Eq. (1) with *any* coefficients,
the direction ``D_t = eta_t m_t + alpha_t u_t`` is linear in the gradients and the start, so
``D_B = 2 D_A`` at every step, and the moves ``q(k + 1) - q(k)`` satisfy

* ``b = 2 a`` without a transform (``Post`` = identity, ``K_t = 1``), and
* ``b = a`` with ``sign`` (``-K_t sign(D)``: ``sign(2 D) = sign(D)``, ``K_t`` the same scalar on every
  coordinate),

where ``a``, ``b`` are the moves of the first and second coordinate at step ``k``.  (This needs the method
to stay at rest without gradients from a zero start -- then any offset an Eq. (1) start could hold never
shows, and the moves are linear.  A method that moves without gradients, ``c`` at step ``k``, is judged by
``b - 2 a + c = 0``, which every affine step satisfies; with a sign it is not probed.)  A step where the
method's moves break every rule its declaration allows is a *witness*: the defect ``b - 2 a`` (times
``b - a`` when the method declares a ``sign``) is exact, in the constants and schedule values, and
anyone can recompute it by running the declaration on two numbers.  It decides methods the trajectory
route cannot unroll linearly: a state-dependent step ``lr/(1 + lam m^2)``, a squared momentum, a sign
step plus a plain gradient step.  A method with another post transform (a preconditioner, whose scale
differs per coordinate) is not probed.  Nothing numeric is imported (symbolic core).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, is_zero, nice
from .declare import Method, is_transform_application
from .symbols import t
from .system import StepSystem, start_symbols
from .transform_kinds import KINDS

GRADIENTS = (1, 3, 2, 5, 4, 7)
"""The first coordinate's gradients at steps t0, t0 + 1, ... (distinct, so that a gradient difference
does not vanish); the second coordinate gets twice these."""


def _sign_of(app) -> sp.Expr:
    """``sign(k, x)`` with ``x`` in normal form: 0, +-1 for a number, a positive factor dropped, the sign
    pulled out (so ``sign(k, 2 x)`` and ``sign(k, x)`` are the same atom, ``sign(k, -x) = -sign(k, x)``)."""
    k, x = app.args[0], canonical(app.args[1])
    if x == 0:
        return sp.Integer(0)
    if x.is_number:
        return sp.sign(x) if x.is_real else app.func(k, x)
    _, x = x.as_content_primitive()
    if x.could_extract_minus_sign():
        return -app.func(k, canonical(-x))
    return app.func(k, canonical(x))


def _at(expr, k: int, values: dict) -> sp.Expr:
    e = sp.sympify(sp.sympify(expr).subs(t, k).xreplace(values))
    e = e.replace(is_transform_application, _sign_of)
    return canonical(e)


def _run(method: Method, system: StepSystem, gradients, zero: dict):
    """Yield the moves ``q(k + 1) - q(k)`` of one scalar coordinate, step by step, exact, with the constants
    and schedule values symbolic (lazily: the caller stops at the first witness)."""
    u, t0 = system.input, method.t0
    state = {s: _at(system.init.get(s(t0), 0), t0, zero) for s in system.state}
    query = system.expand(method.query(t))
    for i, grad in enumerate(gradients):
        k = t0 + i
        values = {**{s(k): v for s, v in state.items()}, u(k): sp.Integer(grad)}
        new = {s: _at(system.F[s], k, values) for s in system.state}
        yield canonical(_at(query, k + 1, {s(k + 1): v for s, v in new.items()}) - _at(query, k, values))
        if any(sp.count_ops(v) > 2000 for v in new.values()):
            return  # the expressions swell: stop with the moves found so far
        state = new


@dataclass
class ScalingWitness:
    """At step ``step``, the moves ``a`` and ``b`` of two coordinates whose gradients are ``gradients`` and
    twice those break the scaling every Eq. (1) member has (module doc).  ``coefficient`` is the defect
    (``b - 2 a``, times ``b - a`` when a sign is declared): non-zero here."""

    step: int
    term: sp.Expr
    coefficient: sp.Expr
    expression: str
    rule: str
    gradients: dict
    a: sp.Expr
    b: sp.Expr
    sign: bool
    rest: sp.Expr | None = None
    """``c``, the move under zero gradients, where the method moves without them (None: at rest)."""
    ratio: sp.Expr | None = None
    valid_where: sp.Expr = sp.Integer(1)
    values: dict = field(default_factory=dict)
    value: sp.Expr | None = None
    isolated: dict = field(default_factory=dict)

    def sentence(self) -> str:
        at = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        where = f" (e.g. {self.value} at {at})" if self.value is not None and at else ""
        grads = ", ".join(f"{k} = {v}" for k, v in self.gradients.items())
        defect = "(b - 2a)*(b - a)" if self.sign else "b - 2a"
        zero = ""
        if self.rest is not None:
            defect, zero = "b - 2a + c", f", and c = {sp.sstr(self.rest)} under zero gradients"
        return (f"at step t = {self.step}, on one coordinate with {grads} and on another with twice these (both "
                f"started at 0), {self.expression} is a = {sp.sstr(self.a)} and b = {sp.sstr(self.b)}{zero}, so "
                f"{defect} = {sp.sstr(self.coefficient)}{where}, which Eq. (1) cannot produce: {self.rule}")

    def to_json(self) -> dict:
        s = sp.sstr
        return {"step": self.step, "term": s(self.term), "coefficient": s(self.coefficient),
                "expression": self.expression, "rule": self.rule, "ratio": None,
                "valid_where_nonzero": s(self.valid_where),
                "values": {k: s(v) for k, v in self.values.items()},
                "value": None if self.value is None else s(self.value), "isolated": {},
                "probe": {"gradients": {k: s(v) for k, v in self.gradients.items()}, "doubled": True,
                          "a": s(self.a), "b": s(self.b), "sign": self.sign,
                          "c": None if self.rest is None else s(self.rest)}}


def scaling_witness(method: Method, system: StepSystem, steps: int = 4) -> ScalingWitness | None:
    """The first step whose moves on two coordinates (gradients ``GRADIENTS`` and twice those) break every
    scaling rule the declaration's transforms allow; None when none is found or the method is not probed."""
    kinds = {p.kind for p in method.posts}
    if any(KINDS[k].linear for k in kinds):
        return None  # a preconditioner scales each coordinate its own way: nothing to compare
    sign = bool(kinds)
    zero = {s: sp.Integer(0) for s in start_symbols(method, system)}
    grads = GRADIENTS[:steps]
    runs = zip(*(_run(method, system, [c * x for x in grads], zero) for c in (1, 2, 0)))
    u, q = system.input, method.query.__name__
    at_rest = True
    for i in range(len(grads)):
        try:
            a, b, z = next(runs)
        except (StopIteration, ZeroDivisionError, TypeError, ValueError):
            return None
        k = method.t0 + i
        if any(x.has(sp.zoo, sp.nan, sp.oo) for x in (a, b, z)):
            return None
        at_rest = at_rest and is_zero(z)
        if sign and not at_rest:
            return None  # it moves without gradients: an Eq. (1) start may hold that offset, sign(D) tells nothing
        # Eq. (1)'s moves are affine in the gradients: z + L g. A start the method cannot see at rest (z = 0 at
        # every step) contributes nothing, so then they are linear (b = 2a); otherwise b - 2a + z = 0.
        linear = canonical(b - 2 * a + z)
        if is_zero(linear):
            continue
        defect = linear
        if sign:
            same = canonical(b - a)
            if is_zero(same):
                continue
            defect = canonical(linear * same)
        if defect.atoms(AppliedUndef) & {x for x in defect.atoms(AppliedUndef) if is_transform_application(x)}:
            defect = defect.replace(is_transform_application, lambda x: sp.sign(x.args[1]))
            a, b = (e.replace(is_transform_application, lambda x: sp.sign(x.args[1])) for e in (a, b))
        rule = ("without a transform, every step of Eq. (1) is linear in the gradients and the start, so twice "
                "the gradients move twice as far (b = 2a)")
        if sign:
            rule += ("; with sign, the direction inside is linear, so twice the gradients give the same sign and "
                     "the same move K_t*sign(D) on both coordinates (b = a)")
        if not at_rest:
            rule = ("every step of Eq. (1) is affine in the gradients, so with c the move under zero gradients, "
                    "b - 2a + c = 0")
        return ScalingWitness(
            k, u(k), nice(defect), f"the move {q}({k + 1}) - {q}({k})", rule,
            {str(u(method.t0 + j)): sp.Integer(g) for j, g in enumerate(grads[:i + 1])}, nice(a), nice(b), sign,
            rest=None if at_rest else nice(z))
    return None
