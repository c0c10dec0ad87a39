"""Each proof identity written out as a derivation ``e0 = e1 = ... = ek``, every ``=`` checked.

:func:`derivations` turns the identities of :func:`equivalences.prove.prove`
into chains a reader can follow -- the way a paper's appendix writes them:

* **weight update**: ``w_a,t+1`` is the query point at ``t + 1``; its
  definition written out; the method's update equations, as published,
  substituted (once per layer: Schedule-Free's ``x_{t+1}`` uses ``z_{t+1}``);
  collected by state variable; the step from ``w_a,t``; the derived
  coefficients and the change of variables; Eq. (1).
* **momentum recursion**: the change of variables at ``t + 1``; the updates;
  collected; ``beta_a,t+1`` times the change of variables at ``t``; Eq. (1).
* **initial state** (and the start of ``w_a`` and of the average): the change
  of variables at ``t0`` with the standard start values.
* **weight averaging**: the evaluated sequence through the updates, then as
  an average of the old value and the new iterate.

Nothing here is trusted: :class:`ChainBuilder` decides every ``a = b`` with
the engine's own test (:func:`equivalences.prove.residual`: reduce to one base
step with the map's bindings, rational normal form, 0) *before* the step is
kept, and raises :class:`UncheckedStep` otherwise.  A chain therefore never
displays a step the engine has not checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import applications, canonical, linear_coefficients, nice, offset, substitute_function
from .declare import Method, is_transform_application
from .derive import Map
from .printing import text
from .prove import Proof, bindings, residual
from .symbols import beta_a, gamma_avg, m, t, w
from .symbols import u as form_u
from .system import StepSystem


class UncheckedStep(AssertionError):
    """A displayed ``a = b`` that the engine could not reduce to 0 (a bug in the chain builder)."""


@dataclass(frozen=True)
class Step:
    """``= expr``, with the reason as parts: plain words (str) and expressions (sympy)."""

    expr: sp.Expr
    reason: tuple = ()


@dataclass
class Chain:
    """``lhs = steps[0].expr = steps[1].expr = ...``; ``identity`` names the proof identity it writes out."""

    identity: str
    lhs: sp.Expr
    steps: list[Step] = field(default_factory=list)
    semantics: str = "reduce"
    """``reduce`` (every trajectory, every gradient sequence) or ``start`` (at the standard start values)."""

    @property
    def rhs(self) -> sp.Expr:
        return self.steps[-1].expr if self.steps else self.lhs


class ChainBuilder:
    """Append steps to a chain, each checked by the engine before it is kept.

    ``fixed`` switches to the base-case semantics of :func:`~equivalences.prove.prove`
    (substitute the standard start values instead of reducing); ``pins`` are
    values substituted into both sides first (``m_a,t0-1 = m_init``).
    """

    def __init__(self, system: StepSystem, table: dict, identity: str, lhs, *, fixed: dict | None = None,
                 pins: dict | None = None):
        self.system, self.table, self.fixed, self.pins = system, table, fixed, pins or {}
        self.chain = Chain(identity, sp.sympify(lhs), semantics="start" if fixed is not None else "reduce")

    def check(self, a, b) -> sp.Expr:
        a, b = sp.sympify(a).xreplace(self.pins), sp.sympify(b).xreplace(self.pins)
        return residual(self.system, a, b, self.table, self.fixed)

    def step(self, expr, *reason) -> "ChainBuilder":
        expr = unlag(sp.sympify(expr), self.system)
        last = self.chain.rhs
        r = self.check(last, expr)
        if r != 0:
            raise UncheckedStep(f"{self.chain.identity}: {text(last)} = {text(expr)} does not hold "
                                f"(residual {text(r)}); it is not displayed")
        if text(expr) != text(last):  # an identical line adds nothing to read
            self.chain.steps.append(Step(expr, tuple(reason)))
        return self


# -- building blocks -------------------------------------------------------
def unlag(expr, system: StepSystem) -> sp.Expr:
    """Show the previous gradient the engine keeps as state (``g_prev(t)``) as the authors write it, ``g(t - 1)``."""
    lags = list(getattr(system, "lags", None) or ([system.lag] if system.lag is not None else []))
    if not lags:
        return expr
    return sp.sympify(expr).replace(
        lambda e: isinstance(e, AppliedUndef) and e.func in lags,
        lambda e: system.input(e.args[0] - 1 - lags.index(e.func)),
    )


def _vector_functions(method: Method, system: StepSystem) -> list:
    return list(system.state) + [system.input, method.input] + [f for f in method.define]


def published(method: Method, system: StepSystem) -> dict:
    """Each state variable's update as the authors print it (definitions written out, nothing solved)."""
    return {eq.lhs.func: system.expand(eq.rhs) for eq in method.updates}


def substitute_updates(method: Method, system: StepSystem, expr, base: int = 0):
    """One layer of the published updates: every state variable later than ``t + base`` replaced once.

    Returns ``(new, names)`` with the names of the variables substituted (empty when nothing was late).
    """
    table = published(method, system)
    late = sorted((a for a in applications(expr, list(table)) if (offset(a.args[0]) or 0) > base),
                  key=sp.default_sort_key)
    if not late:
        return expr, []
    new = expr.xreplace({a: table[a.func].subs(t, a.args[0] - 1) for a in late})
    names = []
    for a in late:
        if a.func.__name__ not in names:
            names.append(a.func.__name__)
    return new, names


def _atoms(expr, system: StepSystem, method: Method) -> list:
    funcs = {f.__name__: i for i, f in enumerate(_vector_functions(method, system))}
    found = [a for a in sp.sympify(expr).atoms(AppliedUndef)
             if a.func.__name__ in funcs and len(a.args) == 1]
    return sorted(found, key=lambda a: (funcs[a.func.__name__], offset(a.args[0]) or 0, str(a)))


def collect(expr, method: Method, system: StepSystem) -> sp.Expr:
    """``expr`` as a sum over state variables and gradients, one readable coefficient each.

    The argument of an opaque transform ``P_t(...)`` is collected the same way.
    Returns ``expr`` unchanged when it is not linear in them.
    """
    expr = unlag(sp.sympify(expr), system)
    apps = sorted({a for a in expr.atoms(AppliedUndef) if is_transform_application(a)}, key=sp.default_sort_key)
    if apps:
        expr = expr.xreplace({a: a.func(a.args[0], collect(a.args[1], method, system)) for a in apps})
        apps = sorted({a for a in expr.atoms(AppliedUndef) if is_transform_application(a)}, key=sp.default_sort_key)
    atoms = _atoms(expr, system, method) + apps
    try:
        coeffs, rest = linear_coefficients(expr, atoms)
    except ValueError:
        return expr
    groups: list[tuple[sp.Expr, list]] = []  # atoms whose coefficients agree up to sign share one coefficient
    for a in atoms:
        c = nice(coeffs[a])
        if c == 0:
            continue
        for i, (k, members) in enumerate(groups):
            if canonical(c - k) == 0:
                members.append(a)
                break
            if canonical(c + k) == 0:
                members.append(-a)
                break
        else:
            groups.append((c, [a]))
    terms = []
    for c, members in groups:
        inner = members[0] if len(members) == 1 else sp.Add(*members, evaluate=False)
        if len(members) > 1 and signed_factors(c)[0] < 0:
            c, inner = nice(-c), sp.Add(*[-x for x in members], evaluate=False)
        terms.append(_times(c, inner))
    rest = nice(rest)
    if rest != 0:
        terms.append(rest)
    if not terms:
        return sp.Integer(0)
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def signed_factors(expr):
    """``(coefficient, factors)`` of a product, through unevaluated nesting, with every factor ``a - k``
    written ``k - a``: the sign a reader sees (``-(c - 1) x`` reads ``(1 - c) x``, a positive term)."""
    coeff, factors = sp.Integer(1), []
    stack = [sp.sympify(expr)]
    while stack:
        f = stack.pop(0)
        if isinstance(f, sp.Mul):
            stack[:0] = list(f.args)
        elif f.is_Number:
            coeff *= f
        else:
            factors.append(f)
    out = []
    for f in factors:
        base, e = f.as_base_exp()
        if isinstance(base, sp.Add) and base.as_coeff_Add()[0] < 0 and e.is_Integer:
            out.append((-base) ** e if e != 1 else -base)
            coeff = -coeff if e % 2 else coeff
        else:
            out.append(f)
    return coeff, out


def _times(coefficient, expr) -> sp.Expr:
    """``coefficient * (expr)`` kept as a product (not distributed), for display."""
    coefficient = nice(coefficient)
    if coefficient == 1:
        return expr
    if coefficient == 0:
        return sp.Integer(0)
    if coefficient == -1 and not isinstance(expr, sp.Add):
        return -expr
    return sp.Mul(coefficient, expr, evaluate=False)


def _minus(a, b) -> sp.Expr:
    """``a - (b)`` with ``b`` kept in one piece."""
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


def _forward(builder: ChainBuilder, method: Method, system: StepSystem, expr, base: int = 0) -> sp.Expr:
    """From ``expr`` (method variables): definitions written out, the updates substituted layer by layer,
    collected.  Returns the collected form."""
    expr = unlag(expr, system)
    expanded = system.expand(expr)
    if expanded != expr:
        named = [f for f in method.define if applications(expr, [f])]
        builder.step(expanded, "by the definition of ", *_join([f(t) for f in named]))
        expr = expanded
    for _ in range(len(method.updates) + 2):
        new, names = substitute_updates(method, system, expr, base)
        if not names:
            break
        builder.step(new, "by the update of ", *_join([sp.Function(n)(t + 1) for n in names]))
        expr = new
    collected = collect(expr, method, system)
    builder.step(collected, "collected by variable")
    return collected


def _join(exprs) -> list:
    parts = []
    for i, e in enumerate(exprs):
        if i:
            parts.append(" and " if i == len(exprs) - 1 else ", ")
        parts.append(e)
    return parts


# -- the chains ----------------------------------------------------------------
def weight_update(method, mp, system, table) -> ChainBuilder:
    q, u = method.query, system.input
    b = ChainBuilder(system, table, "weight update", w(t + 1))
    b.step(q(t + 1), w(t), " is the query point ", q(t))
    _forward(b, method, system, q(t + 1))
    move = system.reduce(q(t + 1) - q(t), base=0)
    if mp.post is None:
        direction = collect(-move / mp.K, method, system)
        b.step(_minus(w(t), _times(mp.K, direction)), "the step from ", w(t), " = ", q(t))
    else:
        app = next(a for a in move.atoms(AppliedUndef) if is_transform_application(a))
        direction = collect(app.args[1], method, system)
        b.step(_minus(w(t), _times(mp.K, mp.post(t, direction))), "the step from ", w(t), " = ", q(t))
    weights = list(mp.form.weights().items())  # the form's direction, term by term: buffers, then u
    value = {mp.form.buffers[0].symbol(t): mp.momentum, form_u(t): u(t)}
    inner = sp.Add(*[_times(_bound(mp, c), value[a]) for a, c in weights], evaluate=False)
    b.step(_minus(w(t), _times(mp.K, mp.post(t, inner) if mp.post else inner)),
           "the derived coefficients and the change of variables")
    inner = sp.Add(*[c * a.subs(form_u(t), u(t)) for a, c in weights], evaluate=False)
    b.step(_minus(w(t), _times(mp.K, mp.post(t, inner) if mp.post else inner)), mp.form.title)
    return b


def _bound(mp: Map, expr) -> sp.Expr:
    """A coefficient expression of the map's form (``beta_a(t + 1)``) in the map's values."""
    for c, e in mp.coefficients():
        expr = substitute_function(expr, c.symbol, e)
    return expr


def momentum_recursion(method, mp, system, table) -> ChainBuilder:
    u = system.input
    b = ChainBuilder(system, table, "momentum recursion", m(t + 1))
    b.step(mp.momentum.subs(t, t + 1), "the change of variables at ", t + 1)
    _forward(b, method, system, mp.momentum.subs(t, t + 1))
    buffer = mp.form.buffers[0]
    decay = {a.subs(t, t + 1): c.subs(t, t + 1) for a, c in mp.form.decay(buffer).items()}  # one step on
    own = decay.pop(buffer.symbol(t))
    (gain,) = decay.values()
    beta_next = nice(_bound(mp, own))
    b.step(sp.Add(_times(beta_next, mp.momentum), _times(gain, u(t + 1)), evaluate=False),
           "with ", own, " = ", beta_next)
    b.step(sp.Add(own * m(t), gain * u(t + 1), evaluate=False), "the change of variables at ", t)
    return b


def initial_momentum(method, mp, system, table) -> ChainBuilder:
    t0, u, init = method.t0, system.input, _start_values(method, system)
    b = ChainBuilder(system, table, "initial state", m(t0), fixed=init, pins={m(t0 - 1): mp.m_init})
    at_start = mp.momentum.subs(t, t0)
    b.step(at_start, "the change of variables at ", sp.Integer(t0))
    b.step(nice(unlag(at_start, system).xreplace(init)), "the start ", *_join(_shown(init, system)))
    b.step(sp.Add(sp.Mul(beta_a(t0), m(t0 - 1), evaluate=False), u(t0), evaluate=False),
           "with ", sp.Eq(m(t0 - 1), mp.m_init))
    return b


def initial_iterate(method, mp, system, table) -> ChainBuilder:
    t0, q, init = method.t0, method.query, _start_values(method, system)
    b = ChainBuilder(system, table, "start of the iterate", w(t0), fixed=init)
    b.step(q(t0), w(t0), " is the query point")
    b.step(system.expand(q(t0)), "by the definition of ", q(t0))
    b.step(nice(system.expand(q(t0)).xreplace(init)), "the start")
    return b


def weight_averaging(method, mp, system, table) -> ChainBuilder:
    e, q = method.evaluate, method.query
    b = ChainBuilder(system, table, "weight averaging", e(t + 1))
    gam = nice(mp.gamma_avg.subs(t, t + 1))
    average = sp.Add(_times(nice(1 - gam), e(t)), _times(gam, q(t + 1)), evaluate=False)
    expr = system.expand(e(t + 1))
    if expr != e(t + 1):
        b.step(expr, "by the definition of ", e(t + 1))
    # The published update may already be an average of e_t and the new iterate (then stop there);
    # otherwise go down to the state at t, where both sides can be compared term by term.
    for _ in range(len(method.updates) + 2):
        if set(_atoms(expr, system, method)) <= {e(t), q(t + 1)}:
            break
        new, names = substitute_updates(method, system, expr)
        if not names:
            b.step(collect(expr, method, system), "collected by variable")
            break
        b.step(new, "by the update of ", *_join([sp.Function(n)(t + 1) for n in names]))
        expr = new
    else:
        b.step(collect(expr, method, system), "collected by variable")
    b.step(average, "with ", gamma_avg(t + 1), " = ", gam, ", and ", q(t + 1), " as in the weight update")
    b.step(sp.Add(sp.Mul(1 - gamma_avg(t + 1), e(t), evaluate=False), gamma_avg(t + 1) * w(t + 1), evaluate=False),
           w(t + 1), " = ", q(t + 1))
    return b


def initial_average(method, mp, system, table) -> ChainBuilder:
    t0, e, init = method.t0, method.evaluate, _start_values(method, system)
    b = ChainBuilder(system, table, "start of the average", e(t0), fixed=init)
    b.step(system.expand(e(t0)), "by the definition of ", e(t0))
    b.step(nice(system.expand(e(t0)).xreplace(init)), "the start")
    return b


def _start_values(method: Method, system: StepSystem) -> dict:
    init = getattr(system, "init", None)
    if init is None:  # engines before StepSystem.init
        init = dict(method.init)
        if system.lag is not None:
            init.setdefault(system.lag(method.t0), 0)
    # both spellings of a kept previous gradient: the engine's g_prev(t0) and the displayed g(t0 - 1)
    return {**init, **{unlag(k, system): v for k, v in init.items()}}


def _shown(init: dict, system: StepSystem) -> list:
    return [sp.Eq(k, v) for k, v in init.items() if system.lag is None or not applications(k, [system.lag])]


BUILDERS = {
    "weight update": weight_update,
    "momentum recursion": momentum_recursion,
    "initial state": initial_momentum,
    "weight averaging": weight_averaging,
}


def derivations(method: Method, mp: Map, proof: Proof, system: StepSystem | None = None) -> dict[str, Chain]:
    """A checked chain for every identity of ``proof`` that holds, plus the starts of the iterate and average.

    Identities that fail get no chain (there is nothing true to display); an
    identity this module does not know gets a chain from the engine's own
    reduction: its left side, the updates, collected, its right side.
    """
    system = system or _system_of(method)
    table = bindings(method, mp)
    out: dict[str, Chain] = {}
    for ident in proof.identities:
        if not ident.holds:
            continue
        build = BUILDERS.get(ident.name)
        if build is not None:
            b = build(method, mp, system, table)
        else:
            b = ChainBuilder(system, table, ident.name, ident.lhs)
            _forward(b, method, system, system.expand(ident.lhs, table))
            b.step(ident.rhs, "the right-hand side")
        if b.chain.lhs != ident.lhs or b.check(b.chain.rhs, ident.rhs) != 0:
            raise UncheckedStep(f"the chain for {ident.name} does not end at the identity it proves")
        out[ident.name] = b.chain
    out["start of the iterate"] = initial_iterate(method, mp, system, table).chain
    if method.evaluate is not None and mp.gamma_avg is not None and mp.avg_init is not None:
        out["start of the average"] = initial_average(method, mp, system, table).chain
    return out


def _system_of(method):
    from .derivation import system_of  # the derivation module builds on this one

    return system_of(method)
