"""The declaration run as written at exact values: the query point's moves as linear forms over the gradients and
the start (the response ``H``)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method
from ..symbols import t
from .points import Point


ZERO = Fraction(0)


class NotApplicable(Exception):
    """The unrolled step is not linear in the gradients (or not one transformed direction): no response."""


class Undefined(Exception):
    """A number of the declaration (or of the map) is undefined at a step (a division by 0 there)."""

    def __init__(self, step: int, what: str):
        super().__init__(f"{what} is undefined at step t = {step}")
        self.step, self.what = step, what


# -- linear forms over the gradients and the start ---------------------------------------------------------
Form = dict  # atom -> Fraction; atoms: ("u", k), ("start", name), ("P", name, k, i)


def _add(a: Form, b: Form, c: Fraction = Fraction(1)) -> Form:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, ZERO) + c * v
    return {k: v for k, v in out.items() if v != 0}


def _scale(a: Form, c: Fraction) -> Form:
    return {} if c == 0 else {k: c * v for k, v in a.items()}


def _fraction(x) -> Fraction:
    x = sp.sympify(x)
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    raise ValueError(x)


def term_name(atom) -> str:
    if atom[0] == "u":
        return f"g({atom[1]})"
    if atom[0] == "start":
        return atom[1]
    return f"{atom[1]}({atom[2]}, ...)"


# -- running the declaration as written -----------------------------------------------------------------
class _Runner:
    """Evaluates the declaration's expressions at one step, on linear forms over ``u_k`` and the start."""

    def __init__(self, method: Method, point: Point):
        self.method, self.point = method, point
        self.state = {s.__name__: s for s in method.state}
        self.schedules = {f.__name__: f for f in method.schedules}
        self.define = {f.__name__: (f, body) for f, body in method.define.items()}
        self.input = method.input.__name__
        self.transforms = {tr.function.__name__: tr for tr in method.transforms}
        self.apps: dict = {}  # (name, k, frozen argument) -> atom
        self.arguments: dict = {}  # atom -> the argument form

    # numbers ----------------------------------------------------------------------------------------
    def schedule_value(self, f, k: int) -> Fraction:
        spec = self.point.schedules.get(f)
        if isinstance(spec, dict):
            if k not in spec:
                spec[k] = sp.Rational((self.point.rng or random.Random(k)).randrange(1, 30), 31)
            return _fraction(spec[k])
        if spec is None:
            raise NotApplicable(f"no value for the schedule {f.__name__}")
        v = sp.sympify(spec).subs(t, k)
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise Undefined(k, f"the schedule {f.__name__}")
        try:
            return _fraction(v)
        except ValueError:
            raise NotApplicable(f"{f.__name__}({k}) = {v} is not rational") from None

    def number(self, expr, k: int) -> Fraction:
        """An expression without state, gradient or transform, at step ``k``."""
        reps = {}
        for a in expr.atoms(AppliedUndef):
            f = self.schedules.get(a.func.__name__)
            if f is None:
                raise NotApplicable(f"{a} has no value")
            step = sp.sympify(a.args[0]).subs(t, k)
            if not step.is_Integer:
                raise NotApplicable(f"{a} at a step that is not an integer")
            reps[a] = sp.Rational(self.schedule_value(f, int(step)))
        v = expr.xreplace(reps).subs(self.point.constants).subs(t, k)
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise Undefined(k, sp.sstr(expr))
        if not v.is_Rational:
            if v.free_symbols:
                raise NotApplicable(f"{sp.sstr(expr)} has no value at these constants ({sp.sstr(v.free_symbols)})")
            raise NotApplicable(f"{sp.sstr(expr)} = {v} at step {k} is not rational")
        return _fraction(v)

    # forms ------------------------------------------------------------------------------------------
    def value(self, expr, k: int, now: dict, new: dict):
        """``expr`` at step ``k``: a Fraction, or a linear form.  ``now``: the state at ``k``; ``new``: the
        variables already updated in this step (at ``k + 1``)."""
        if not self._live(expr):
            return self.number(expr, k)
        if isinstance(expr, sp.Add):
            out, num = {}, ZERO
            for a in expr.args:
                v = self.value(a, k, now, new)
                if isinstance(v, Fraction):
                    num += v
                else:
                    out = _add(out, v)
            if num != 0:
                raise NotApplicable(f"{sp.sstr(expr)} adds a constant to the state")
            return out
        if isinstance(expr, sp.Mul):
            form, c = None, Fraction(1)
            for a in expr.args:
                v = self.value(a, k, now, new)
                if isinstance(v, Fraction):
                    c *= v
                elif form is None:
                    form = v
                elif v and form:
                    raise NotApplicable(f"{sp.sstr(expr)} multiplies the state by the state (not linear)")
                else:
                    form = {}
            return _scale(form or {}, c)
        if isinstance(expr, sp.Pow) and expr.exp == 1:
            return self.value(expr.base, k, now, new)
        if isinstance(expr, AppliedUndef):
            return self.application(expr, k, now, new)
        raise NotApplicable(f"{sp.sstr(expr)} is not linear in the state and the gradients")

    def _live(self, expr) -> bool:
        names = set(self.state) | set(self.define) | {self.input} | set(self.transforms)
        return any(a.func.__name__ in names or _lag(a.func.__name__, self.input) for a in expr.atoms(AppliedUndef))

    def application(self, a, k: int, now: dict, new: dict):
        name = a.func.__name__
        if name in self.transforms:
            step, arg = a.args
            step = self.number(sp.sympify(step), k)
            form = self.value(arg, k, now, new)
            if isinstance(form, Fraction):
                raise NotApplicable(f"{a} applies a transform to a number")
            key = (name, int(step), tuple(sorted(form.items())))
            if key not in self.apps:
                atom = ("P", name, int(step), len(self.apps))
                self.apps[key], self.arguments[atom] = atom, form
            return {self.apps[key]: Fraction(1)}
        if len(a.args) != 1:
            raise NotApplicable(f"{a} takes several arguments")
        step = sp.sympify(a.args[0]).subs(t, k)
        if not step.is_Integer:
            raise NotApplicable(f"{a} at a step that is not an integer")
        step = int(step)
        if name in self.define:
            if step in (k, k + 1):
                return self.value(sp.sympify(self.define[name][1]).subs(t, step), k, now, new)
            return self._older(a, k)
        lag = _lag(name, self.input)
        if lag:  # the engine's name for a kept older gradient (g_prev = g(t - 1)), in a map's change of variables
            return {} if step - lag < self.method.t0 else {("u", step - lag): Fraction(1)}
        if name == self.input:
            if step > k:
                raise NotApplicable(f"{a} is a gradient step {k} does not know")
            return {} if step < self.method.t0 else {("u", step): Fraction(1)}
        if name in self.state:
            if step == k:
                return now[name]
            if step == k + 1 and name in new:
                return new[name]
            return self._older(a, k)
        raise NotApplicable(f"{a} is not a state, gradient or definition")

    def _older(self, a, k: int):
        step = int(sp.sympify(a.args[0]).subs(t, k))
        hist = self.history.get(step)
        if hist is None:
            raise NotApplicable(f"{a} reads a state the run has no value for")
        name = a.func.__name__
        if name in hist:
            return hist[name]
        f, body = self.define[name]
        return self.value(sp.sympify(body).subs(t, step), step, hist, {})


def _lag(name: str, input_name: str) -> int:
    head = f"{input_name}_prev"
    if not name.startswith(head):
        return 0
    rest = name[len(head):]
    return 1 if rest == "" else (int(rest) if rest.isdigit() else 0)


@dataclass
class Run:
    """The declaration run from its start over steps ``t0 .. T`` at one point."""

    method: Method
    point: Point
    query: list  # q_k, k = t0 .. T + 1 (forms)
    evaluate: list | None
    moves: list  # (scale c_k, row form D_k, transform name or None): q_(k+1) - q_k = -c_k Post(D_k)
    starts: list
    states: dict = field(default_factory=dict)
    """step -> the state at that step (forms)"""


def run(method: Method, point: Point, steps: int) -> Run:
    """Run ``method`` at ``point`` for ``steps`` steps; :class:`NotApplicable` / :class:`Undefined` when it
    cannot be run on linear forms there."""
    r = _Runner(method, point)
    t0 = method.t0
    starts = {s: sp.sympify(method.init.get(s(t0), sp.Symbol(f"{s.__name__}_{t0}"))) for s in method.state}
    r.starts = tuple(sorted({x for v in starts.values() for x in v.free_symbols if x not in point.constants},
                            key=sp.default_sort_key))
    now = {s.__name__: _start_form(v, r, t0) for s, v in starts.items()}
    r.history = {}
    query, evaluate, moves = [], [] if method.evaluate is not None else None, []
    for k in range(t0, t0 + steps + 1):
        r.history[k] = now
        query.append(_read(r, method.query, k, now))
        if evaluate is not None:
            evaluate.append(_read(r, method.evaluate, k, now))
        if k == t0 + steps:
            break
        new = {}
        for eq in method.updates:
            name = eq.lhs.func.__name__
            v = r.value(sp.sympify(eq.rhs).subs(t, k), k, now, new)
            new[name] = {} if isinstance(v, Fraction) and v == 0 else v
            if isinstance(new[name], Fraction):
                raise NotApplicable(f"{eq.lhs} is set to the number {v}")
        now = {**now, **new}
    for k in range(steps):
        moves.append(_move(r, query[k], query[k + 1], k + t0))
    return Run(method, point, query, evaluate, moves, [str(s) for s in r.starts], r.history)


def _start_form(v, r: _Runner, t0: int) -> Form:
    """A start value as a linear form over the start symbols, its coefficients evaluated at these values (they may
    read a schedule, e.g. ``c(0)``); a part without a start symbol other than 0 has no place."""
    v = sp.sympify(v)
    form = {}
    for sym in r.starts:
        c = sp.diff(v, sym)
        if c == 0:
            continue
        if c.has(*r.starts):
            raise NotApplicable(f"the start value {sp.sstr(v)} is not linear in the start symbols")
        form[("start", str(sym))] = r.number(c, t0)
    rest = v.subs({sym: 0 for sym in r.starts})
    if rest != 0 and r.number(rest, t0) != 0:
        raise NotApplicable(f"the start value {sp.sstr(v)} is not linear in the start symbols")
    return {k: x for k, x in form.items() if x != 0}


def _read(r: _Runner, f, k: int, now: dict) -> Form:
    v = r.value(f(sp.Integer(k)), k, now, {})
    return {} if isinstance(v, Fraction) else v


def _move(r: _Runner, q0: Form, q1: Form, k: int):
    inc = _add(q1, q0, Fraction(-1))
    apps = [a for a in inc if a[0] == "P"]
    if not apps:
        return Fraction(1), _scale(inc, Fraction(-1)), None
    if len(apps) != 1 or len(inc) != 1 or apps[0][2] != k:
        raise NotApplicable(f"the move of step {k} is not one multiple of one transformed direction")
    atom = apps[0]
    return -inc[atom], r.arguments[atom], atom[1]
