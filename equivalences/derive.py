"""Derive the map of a declared method onto Eq. (1) -- nobody types the answer in.

Write the method's step as a direction: the query point moves by
``q(t + 1) - q(t) = -K_t Post_t(D_t)`` (``Post`` = identity and ``K_t = 1``
when the step applies no transform; otherwise ``K_t`` is the factor in front of it, linear or not), with ``D_t = Delta_t . S_t + delta_t u_t`` linear in the
state.  Eq. (1) asks for ``D_t = eta_t m_t + alpha_t u_t`` with
``m_t = beta_t m_{t-1} + u_t``; the unique solution (when ``eta_t != 0``) is

* the change of variables  ``m_t = Delta_t . S_t / eta_t + u_t``;
* ``alpha_t = delta_t - eta_t``;
* pushing ``Delta_{t+1} . S_{t+1}`` through one step gives
  ``rho_{t+1} . S_t + r_{t+1} u_t``, and the momentum recursion forces
  ``rho_{t+1} = (r_{t+1} / eta_t) Delta_t``, hence
  ``eta_t = r_{t+1} Delta_t[i] / rho_{t+1}[i]`` and ``beta_{t+1} = r_{t+1} / eta_{t+1}``.

For two-state methods this is the three-term recurrence of the query points,
``q_{t+1} = q_t + A_t (q_t - q_{t-1}) - B_t g_t + C_t g_{t-1}`` with
``A_t = eta_t beta_t / eta_{t-1}``, ``B_t = eta_t + alpha_t``,
``C_t = A_t alpha_{t-1}``, read backwards.  The derivation only *proposes*; the
map is accepted when :func:`equivalences.prove.prove` reduces every identity to 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import canonical, is_zero, linear_coefficients, nice, shift
from .declare import Method, Transform, is_transform_application
from .forms import EQ1
from .forms.form import Coefficient, Form
from .symbols import t, theta0
from .system import StepSystem


class NotInFamily(Exception):
    """The method's update cannot be written as Eq. (1); the message says which term is in the way."""


@dataclass
class Map:
    """A candidate map to Eq. (1), derived or supplied (e.g. a mutated one).

    Its coefficients are the attributes named by :data:`form`'s coefficients (``beta_a``, ``eta_a``,
    ``alpha_a``): :meth:`coefficients` gives them with their names, for the views and the mutants."""

    form: ClassVar[Form] = EQ1

    beta_a: sp.Expr
    eta_a: sp.Expr
    alpha_a: sp.Expr
    momentum: sp.Expr
    """The change of variables: ``m_a(t)`` in terms of the method's state at ``t`` and ``u(t)``."""
    m_init: sp.Expr
    """``m_a(t0 - 1)``: the momentum the accelerated form starts from."""
    K: sp.Expr = sp.Integer(1)
    post: Transform | None = None
    gamma_avg: sp.Expr | None = None
    avg_init: sp.Expr | None = None
    degenerate: list = field(default_factory=list)

    def coefficients(self) -> list[tuple[Coefficient, sp.Expr]]:
        """``[(Coefficient, expression)]`` in the form's order."""
        return [(c, getattr(self, c.name)) for c in self.form.coefficients]

    def replace(self, **changes) -> "Map":
        from dataclasses import replace

        return replace(self, **changes)

    def __repr__(self) -> str:
        """``<Map β_a = ..., η_a = ..., α_a = ...>`` (``K``, the transform and ``γ_avg`` where there are any)."""
        from .printing import text

        parts = [f"{c.label} = {text(e)}" for c, e in self.coefficients()]
        if self.K != 1:
            parts.append(f"K = {text(self.K)}")
        if self.post is not None:
            parts.append(f"post {self.post.name}")
        if self.gamma_avg is not None:
            parts.append(f"γ_avg = {text(self.gamma_avg)}")
        return "<Map " + ", ".join(parts) + ">"


def _momentum(system: StepSystem, Delta, eta) -> sp.Expr:
    return nice(sum((d / eta * s for d, s in zip(Delta, system.at_base())), sp.Integer(0))) + system.input(t)


def direction_of(method: Method, system: StepSystem):
    """``(K_t, D_t, Post)`` with ``q(t + 1) - q(t) = -K_t Post_t(D_t)`` (``Post`` None and ``K_t = 1``:
    ``D_t = q(t) - q(t + 1)``), ``D_t`` in the state at ``t`` and ``u(t)``."""
    q, u_t, S = method.query, system.input(t), system.at_base()
    move = system.reduce(q(t + 1) - q(t), base=0)
    apps = {a for a in move.atoms(AppliedUndef) if is_transform_application(a)}
    if len(apps) > 1:
        raise NotInFamily(f"the query point moves by several transformed directions: {sorted(map(str, apps))}")
    if apps:
        app = apps.pop()
        K = canonical(-sp.diff(move, app))
        if K.has(*S, u_t) or not is_zero(move + K * app):
            raise NotInFamily(f"the query point does not move by a multiple of {app.func.__name__}(...)")
        post = method.transform_of(app.func)
        if post is None:
            raise NotInFamily(f"{app.func.__name__} is not a transform of {method.key}: declare it in posts")
        return K, app.args[1], post
    return sp.Integer(1), -move, None


def derive(method: Method, system: StepSystem | None = None) -> Map:
    system = system or StepSystem(method)
    q, u_t, S = method.query, system.input(t), system.at_base()
    K, direction, post = direction_of(method, system)

    try:
        coeffs, rest = linear_coefficients(direction, S + [u_t])
    except ValueError as err:
        raise NotInFamily(f"the update direction is not linear in the state: {err}") from None
    if rest != 0:
        raise NotInFamily(f"the update direction has a term outside the state and gradient: {rest}")
    Delta, delta = [coeffs[s] for s in S], coeffs[u_t]

    if all(is_zero(d) for d in Delta):
        # No memory at all: (preconditioned) SGD. m_t = u_t, any beta works; take 0.
        eta, beta, alpha, momentum = nice(delta), sp.Integer(0), sp.Integer(0), u_t
    else:
        pushed = system.reduce(sum(shift(d, 1) * s(t + 1) for d, s in zip(Delta, system.state)), base=0)
        try:
            rc, rest = linear_coefficients(pushed, S + [u_t])
        except ValueError as err:
            raise NotInFamily(f"the momentum part of the state does not evolve linearly: {err}") from None
        rho, r = [rc[s] for s in S], rc[u_t]
        pivot = next((i for i, x in enumerate(rho) if not is_zero(x)), None)
        if pivot is None or is_zero(r):
            raise NotInFamily("the direction forgets the state after one step: no momentum recursion m_t = beta m_(t-1) + u_t fits")
        tangled = [s.func.__name__ for s, x, d in zip(S, rho, Delta)
                   if not is_zero(x * Delta[pivot] - rho[pivot] * d)]
        if tangled:
            names = ", ".join(s.func.__name__ for s, d in zip(S, Delta) if not is_zero(d))
            raise NotInFamily(
                f"the update reads the state ({names}) through more than one momentum: one step later that "
                f"combination does not decay as a single m_t = beta m_(t-1) + u_t (mismatch in {', '.join(tangled)})")
        eta = nice(r * Delta[pivot] / rho[pivot])
        if is_zero(eta):
            raise NotInFamily("the derived eta_a vanishes identically")
        beta = nice(shift(r / shift(eta, 1), -1))
        alpha = nice(delta - eta)
        momentum = _momentum(system, Delta, eta)

    init = system.init
    L0 = canonical((momentum - u_t).subs(t, method.t0).xreplace(init))
    beta0 = canonical(beta.subs(t, method.t0))
    if L0 == 0:
        m_init = sp.Integer(0)
    elif beta0 == 0:
        raise NotInFamily("the standard initialisation leaves momentum that Eq. (1) cannot start from (beta_a vanishes at t0)")
    else:
        m_init = nice(L0 / beta0)

    gamma, avg_init = None, None
    if method.evaluate is not None:
        e = method.evaluate
        gain = system.reduce(e(t + 1) - e(t), base=0)
        gap = system.reduce(q(t + 1) - e(t), base=0)
        atoms = S + [u_t] + sorted({a for a in (gap + gain).atoms(AppliedUndef) if is_transform_application(a)},
                                   key=sp.default_sort_key)
        try:
            gap_c, _ = linear_coefficients(gap, atoms)
            gain_c, _ = linear_coefficients(gain, atoms)
        except ValueError as err:
            raise NotInFamily(f"{e.__name__} is not a weight average of the iterate: {err}") from None
        atom = next((a for a in atoms if not is_zero(gap_c[a])), None)
        if atom is None:
            raise NotInFamily(f"{e.__name__} does not move towards the iterate")
        gamma = nice(shift(gain_c[atom] / gap_c[atom], -1))
        avg_init = nice(system.expand(e(t)).subs(t, method.t0).xreplace(init))

    mp = Map(beta, eta, alpha, momentum, m_init, K=nice(K), post=post, gamma_avg=gamma, avg_init=avg_init)
    mp.degenerate = degenerate_sets(mp, system)
    return mp


def start_product(mp: Map, t0: int) -> sp.Expr:
    """``beta_a(t0) m_a(t0 - 1)``: the only way the start of the momentum enters Eq. (1)."""
    return canonical(mp.beta_a.subs(t, t0) * mp.m_init)


def start_as_product(mp: Map, t0: int) -> bool:
    """Whether the start is better reported as ``beta_a(t0) m_a(t0 - 1)``: ``m_init`` is undefined on a set
    where ``beta_a(t0)`` vanishes and the product is not (Schedule-Free started apart, ``c_1 = 1``: the
    method never reads ``c_1``, so ``m_a,0 = (1 - kappa) theta_0/(lr (c_1 - 1))`` is an artefact of
    ``beta_a,1 = 1 - c_1``, while ``beta_a,1 m_a,0 = (kappa - 1) theta_0/lr`` is what the form starts from)."""
    return bool(mp.m_init != 0 and _cancelled(mp.m_init, start_product(mp, t0)))


def _denominator_factors(expr) -> list:
    _, fs = sp.factor_list(sp.denom(sp.together(expr)))
    return [f for f, _ in fs if not f.is_number]


def _cancelled(m_init, product) -> list:
    """The factors of ``m_init``'s denominator that the product with ``beta_a(t0)`` cancels."""
    kept = _denominator_factors(product)
    return [f for f in _denominator_factors(m_init) if not any(is_zero(f - k) or is_zero(f + k) for k in kept)]


def degenerate_sets(mp: Map, system: StepSystem) -> list[dict]:
    """Where the map breaks down, in words.

    A factor of a denominator of the change of variables, of a coefficient or
    of the averaging weight makes the map undefined; a factor of ``eta_a``
    makes the momentum drop out of the update, so the map stops being unique.  ``map_undefined`` says which
    (the ``effects`` only say it to a reader).
    """
    out: dict[str, dict] = {}
    S = set(system.at_base()) | {system.input(t)}
    (weight,), (on_u,), decays = mp.form.on_buffers(), mp.form.on_input(), mp.form.decays()

    def factors(expr):
        _, fs = sp.factor_list(expr)
        return [f for f, _ in fs if not f.is_number and not f.has(*S)]

    parts = {
        "the change of variables m_a is undefined there: the method's state does not determine the momentum":
            sp.denom(sp.together(mp.momentum)),
        # a decay is derived over the buffer's weight of the same step (beta_a = r / eta_a)
        **{f"{c.name} is undefined there" + (f" ({weight.name} of the same step vanishes)" if c in decays else ""):
           sp.denom(sp.together(e)) for c, e in mp.coefficients()},
        # only where the product beta_a(t0) m_init is undefined too: elsewhere the start is that product
        "the initial momentum is undefined there": sp.Mul(*[
            f for f in _denominator_factors(mp.m_init) if f not in _cancelled(mp.m_init, start_product(mp, system.method.t0))]),
    }
    if mp.gamma_avg is not None:
        parts["the averaging weight is undefined there: the evaluated sequence does not move towards the iterate"] = \
            sp.denom(sp.together(mp.gamma_avg))
    for what, den in parts.items():
        for f in factors(den):
            entry = out.setdefault(str(f), {"condition": f"{f} = 0", "factor": f, "effects": [],
                                            "map_undefined": False})
            entry["effects"].append(what)
            entry["map_undefined"] = True  # a part of the map is undefined there (else only the weight vanishes)
    for f in factors(sp.numer(sp.together(getattr(mp, weight.name)))):
        entry = out.setdefault(str(f), {"condition": f"{f} = 0", "factor": f, "effects": [],
                                        "map_undefined": False})
        entry["effects"].append(f"{weight.name} = 0: the update does not use the momentum there (plain or "
                                f"preconditioned SGD with step {on_u.name} at that step)")
    return list(out.values())
