"""Prove a map: the induction identities of Eq. (1), each reduced exactly to 0.

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
from .symbols import K_a, alpha_a, beta_a, eta_a, gamma_avg, m, t, w
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


def bindings(method: Method, mp: Map) -> dict:
    """How the accelerated form's symbols read in the method's variables."""
    table = {m: mp.momentum, w: method.query(t), beta_a: mp.beta_a, eta_a: mp.eta_a, alpha_a: mp.alpha_a, K_a: mp.K}
    if mp.gamma_avg is not None:
        table[gamma_avg] = mp.gamma_avg
    return table


def weight_update_rhs(mp: Map, u) -> sp.Expr:
    direction = eta_a(t) * m(t) + alpha_a(t) * u(t)
    step = mp.post(t, direction) if mp.post is not None else direction
    return w(t) - mp.K * step


def residual(system: StepSystem, lhs, rhs, table, fixed: dict | None = None, normal_form: bool = True) -> sp.Expr:
    if fixed is not None:
        expr = system.expand(lhs - rhs, table).xreplace(fixed)
    else:
        expr = system.reduce(lhs - rhs, table)
    return residual_of(expr, normal_form)


def prove(method: Method, mp: Map, system: StepSystem | None = None, readable: bool = True) -> Proof:
    """``readable=False`` keeps a failing residual in normal form instead of factoring it for display."""
    system = system or StepSystem(method)  # the caller passes the derivation's
    u, t0 = system.input, method.t0
    table = bindings(method, mp)
    statements = [
        ("weight update", w(t + 1), weight_update_rhs(mp, u), None),
        ("momentum recursion", m(t + 1), beta_a(t + 1) * m(t) + u(t + 1), None),
        ("initial state", m(t0), beta_a(t0) * mp.m_init + u(t0), system.init),
    ]
    if method.evaluate is not None and mp.gamma_avg is not None:
        e = method.evaluate
        statements.append(
            ("weight averaging", e(t + 1), (1 - gamma_avg(t + 1)) * e(t) + gamma_avg(t + 1) * w(t + 1), None)
        )
    proof = Proof()
    for name, lhs, rhs, fixed in statements:
        r = residual(system, lhs, rhs, table, fixed, normal_form=readable)
        proof.identities.append(Identity(name, lhs, rhs, nice(r) if r != 0 and readable else r, r == 0))
    return proof

