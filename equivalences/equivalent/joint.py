"""One method as a linear step ``S(t + 1) = M_t S(t) + b_t u(t)``, ``q(t) = c_t . S(t)``; the names two methods
share; and the joint system of two methods fed the same gradients (docs/equivalent.md)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import is_zero, linear_coefficients, substitute_function
from ..declare import Method
from ..symbols import t
from ..system import StepSystem
from ..trajectory import linear_step


class NotLinear(Exception):
    """The method is not a linear step in its state and gradient (a transform, a nonlinear update)."""


# ----------------------------------------------------------------------------------------------- one side
@dataclass
class Linear:
    """One method as ``S(t + 1) = M_t S(t) + b_t u(t)``, ``q(t) = c_t . S(t)``, ``S(t0) = start``."""

    method: Method
    names: list
    M: sp.Matrix
    b: sp.Matrix
    c: list
    start: list

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def constant(self) -> bool:
        """No step, schedule or ``t`` in any coefficient: a time-invariant filter."""
        exprs = [*self.M, *self.b, *self.c]
        return all(not sp.sympify(e).has(t) and not sp.sympify(e).atoms(AppliedUndef) for e in exprs)

    def transfer_function(self, z=sp.Symbol("z")) -> sp.Expr | None:
        """``H(z) = c (z I - M)^(-1) b``: the query point's response to the gradient (constant coefficients)."""
        if not self.constant:
            return None
        c = sp.Matrix([self.c])
        return sp.factor(sp.cancel((c * (z * sp.eye(self.n) - self.M).adjugate() * self.b)[0]
                                   / (z * sp.eye(self.n) - self.M).det()))


def linear_form(method: Method, tag: str = "") -> Linear:
    """``method`` as a :class:`Linear` system (:class:`NotLinear` when it is not one)."""
    if method.transforms:
        raise NotLinear(f"{method.key} applies a transform ({', '.join(tr.name for tr in method.transforms)})")
    system = StepSystem(method)
    got = linear_step(system)
    if got is None:
        raise NotLinear(f"{method.key}'s step is not linear in its state and gradient")
    M, b = got
    S, u = system.at_base(), system.input(t)
    q = system.expand(method.query(t))
    try:
        coeffs, rest = linear_coefficients(q, S + [u])
    except ValueError:
        raise NotLinear(f"{method.key}'s query point is not linear in its state") from None
    if rest != 0 or not is_zero(coeffs[u]):
        raise NotLinear(f"{method.key}'s query point is not a linear combination of its state")
    t0 = method.t0
    start = [sp.sympify(system.init.get(s(t0), sp.Symbol(f"{s.__name__}{tag}({t0})"))) for s in system.state]
    return Linear(method, [s.__name__ for s in system.state], M, b, [coeffs[x] for x in S], start)


# ----------------------------------------------------------------------------------------------- names
def unify(method: Method, like: Method) -> Method:
    """``method`` with every symbol and schedule named as one of ``like``'s replaced by ``like``'s own object
    (the same name is the same hyperparameter, whatever its declared assumptions)."""
    def objects(m):
        exprs = [e.rhs for e in m.updates] + list(m.define.values()) + list(m.init.values())
        syms = {s for e in exprs for s in sp.sympify(e).free_symbols} | set(m.constants)
        funcs = set(m.schedules)
        return {s.name: s for s in syms}, {f.__name__: f for f in funcs}

    mine_s, mine_f = objects(method)
    their_s, their_f = objects(like)
    rep = {s: their_s[n] for n, s in mine_s.items() if n in their_s and their_s[n] != s}
    fmap = {f: their_f[n] for n, f in mine_f.items() if n in their_f and their_f[n] != f}
    if not rep and not fmap:
        return method

    def sub(e):
        e = sp.sympify(e).xreplace(rep)
        for f, g in fmap.items():
            e = e.replace(lambda x, f=f: isinstance(x, AppliedUndef) and x.func == f, lambda x, g=g: g(*x.args))
        return e

    return replace(method, updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
                   define={k: sub(v) for k, v in method.define.items()}, init={k: sub(v) for k, v in method.init.items()},
                   constants=tuple(rep.get(c, c) for c in method.constants),
                   schedules=tuple(fmap.get(f, f) for f in method.schedules),
                   defaults={rep.get(k, fmap.get(k, k)): sub(v) for k, v in method.defaults.items()},
                   domain={rep.get(k, k): v for k, v in method.domain.items()})


def mentions_time(method: Method) -> bool:
    """A schedule or ``t`` in its steps: renumbering it (:func:`renumbered`) can change what it computes."""
    exprs = [e.rhs for e in method.updates] + list(method.define.values())
    return bool(method.schedules) or any(sp.sympify(e).has(t) for e in exprs)


def renumbered(method: Method, shift: int) -> Method:
    """``method`` started at its step ``t0 + shift`` (its schedules and ``t`` read ``shift`` steps later), from the
    same start values: ``A``'s step ``t`` is this method's step ``t + shift``."""
    if not shift:
        return method
    t0 = method.t0
    init = {}
    for k, v in method.init.items():
        init[k.func(k.args[0] + shift) if isinstance(k, AppliedUndef) and k.args[0] == t0 else k] = v
    return replace(method, key=f"{method.key}[t+{shift}]" if shift > 0 else f"{method.key}[t{shift}]",
                   t0=t0 + shift, init=init, claims=())


def related(method: Method, constants: dict, schedules: dict) -> Method:
    """``method`` with constants (``{Symbol: expr}``) and schedules (``{Function: expr of t}``) substituted."""
    def sub(e):  # B's own constants first: the values are in A's names, which must not be replaced again
        e = sp.sympify(e).xreplace(constants)
        for f, body in schedules.items():
            e = substitute_function(e, f, body)
        return e

    values = [sp.sympify(v) for v in (*constants.values(), *schedules.values())]
    kept_f = [f for f in method.schedules if f not in schedules]
    kept_s = [c for c in method.constants if c not in constants]
    new_funcs = {a.func for v in values for a in v.atoms(AppliedUndef)} - set(kept_f)
    new_syms = {s for v in values for s in v.free_symbols} - set(kept_s) - {t}
    return replace(method, key=f"{method.key}[related]",
                   updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in method.updates),
                   define={k: sub(v) for k, v in method.define.items()}, init={k: sub(v) for k, v in method.init.items()},
                   constants=tuple(kept_s) + tuple(sorted(new_syms, key=sp.default_sort_key)),
                   schedules=tuple(kept_f) + tuple(sorted(new_funcs, key=lambda f: f.__name__)),
                   defaults={k: v for k, v in method.defaults.items() if k not in constants and k not in schedules},
                   claims=(), paper_setting={})


# ----------------------------------------------------------------------------------------------- the joint system
@dataclass
class Joint:
    """A's and B's states side by side, one gradient ``u(t)`` (A's step ``t`` is B's step ``t + delta``)."""

    a: Linear
    b_: Linear
    delta: int

    @property
    def t0(self) -> int:
        return self.a.method.t0

    @property
    def names(self) -> list:
        return [f"{n}_A" for n in self.a.names] + [f"{n}_B" for n in self.b_.names]

    @property
    def n(self) -> int:
        return self.a.n + self.b_.n

    def M(self, k=0) -> sp.Matrix:
        return sp.diag(self.a.M.subs(t, t + k), self.b_.M.subs(t, t + k + self.delta))

    def b(self, k=0) -> list:
        return [*self.a.b.subs(t, t + k), *self.b_.b.subs(t, t + k + self.delta)]

    def c(self, k=0) -> list:
        return ([sp.sympify(x).subs(t, t + k) for x in self.a.c]
                + [-sp.sympify(x).subs(t, t + k + self.delta) for x in self.b_.c])

    @property
    def start(self) -> list:
        return [*self.a.start, *self.b_.start]

    def state(self, k=0) -> list:
        return [sp.Function(n)(t + k) for n in self.names]


def joint(a: Method, b: Method) -> Joint:
    la, lb = linear_form(a, "_A"), linear_form(b, "_B")
    return Joint(la, lb, b.t0 - a.t0)


def name_of(k) -> str:
    """The name of a constant or schedule."""
    return k.name if isinstance(k, sp.Symbol) else k.__name__
