"""Prove a map: the induction identities of its form (Eq. (1), or any :class:`~equivalences.forms.form.Form`),
each reduced exactly to 0.

Base case: the accelerated form starts at ``w_a(t0) = q(t0)`` with
``m_a(t0 - 1) = m_init`` and the change of variables holds at ``t0``.
Induction step: if ``w_a(t) = q(t)`` and ``m_a(t)`` is the change of variables,
then the weight update of Eq. (1) gives ``q(t + 1)`` and the momentum
recursion gives the change of variables at ``t + 1``.  Both are identities in
the state at ``t`` and the gradients, for every gradient sequence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .algebra import canonical, nice, residual_of
from .declare import Method
from .derive import Map
from .forms.form import Form
from .symbols import K_a, gamma_avg, t
from .system import StepSystem


@dataclass
class Identity:
    name: str
    lhs: sp.Expr
    rhs: sp.Expr
    residual: sp.Expr
    holds: bool


@dataclass
class Proof:
    identities: list[Identity] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return bool(self.identities) and all(i.holds for i in self.identities)

    @property
    def failures(self) -> list[Identity]:
        return [i for i in self.identities if not i.holds]


def form_bindings(method: Method, form: Form, coefficients: dict, buffers: dict) -> dict:
    """How a form's symbols read in the method's variables: each buffer its change of variables
    (``buffers[name]``), the iterate the query point, each coefficient ``coefficients[name]``."""
    table = {b.symbol: buffers[b.name] for b in form.buffers}
    table[form.iterate.symbol] = method.query(t)
    table.update({c.symbol: coefficients[c.name] for c in form.coefficients})
    return table


def bindings(method: Method, mp: Map) -> dict:
    """How the accelerated form's symbols read in the method's variables."""
    form = mp.form
    table = form_bindings(method, form, {c.name: e for c, e in mp.coefficients()},
                          {form.buffers[0].name: mp.momentum})
    table[K_a] = mp.K
    if mp.gamma_avg is not None:
        table[gamma_avg] = mp.gamma_avg
    return table


def residual(system: StepSystem, lhs, rhs, table, fixed: dict | None = None, normal_form: bool = True) -> sp.Expr:
    if fixed is not None:
        expr = system.expand(lhs - rhs, table).xreplace(fixed)
    else:
        expr = system.reduce(lhs - rhs, table)
    return residual_of(expr, normal_form)


def prove_form(method: Method, form: Form, table: dict, starts: dict, *, K=sp.Integer(1), post=None,
               system: StepSystem | None = None, readable: bool = True, extra=()) -> Proof:
    """The induction identities of ``form`` (:meth:`~equivalences.forms.form.Form.statements`), bound by
    ``table`` (:func:`form_bindings`) and each reduced exactly in the method's step system; ``starts`` the
    buffers' values at ``t0 - 1``, ``extra`` more ``(name, lhs, rhs, at_start)`` statements."""
    system = system or StepSystem(method)
    statements = form.statements(input=system.input, t0=method.t0, starts=starts, K=K, post=post)
    proof = Proof()
    for name, lhs, rhs, at_start in [*statements, *extra]:
        r = residual(system, lhs, rhs, table, system.init if at_start else None, normal_form=readable)
        proof.identities.append(Identity(name, lhs, rhs, nice(r) if r != 0 and readable else r, r == 0))
    return proof


def prove(method: Method, mp: Map, system: StepSystem | None = None, readable: bool = True) -> Proof:
    """``readable=False`` keeps a failing residual in normal form instead of factoring it for display."""
    system = system or StepSystem(method)  # the caller passes the derivation's
    extra = []
    if method.evaluate is not None and mp.gamma_avg is not None:
        e, w = method.evaluate, mp.form.iterate.symbol
        extra.append(("weight averaging", e(t + 1), (1 - gamma_avg(t + 1)) * e(t) + gamma_avg(t + 1) * w(t + 1),
                      False))
    return prove_form(method, mp.form, bindings(method, mp), {mp.form.buffers[0].name: mp.m_init}, K=mp.K,
                      post=mp.post, system=system, readable=readable, extra=extra)
