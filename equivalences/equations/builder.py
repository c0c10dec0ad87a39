"""The method the equations declare: names classified, expressions built from the trees, lagged states and
definitions written out."""
from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef

from ..symbols import g, t
from .errors import EquationError, _Source
from .grammar import _Equation, _Text
from .tokens import FUNCTIONS, GRADIENTS, KEYWORDS, MAX_EXPONENT, THETA0


# -- meaning -----------------------------------------------------------------------------------------------


_GRAD_AT = sp.Function("_gradient_at")
"""A placeholder for ``grad(P)`` until the query point is known."""


class _Builder:
    """The method the text declares: names classified, expressions built, the query point and start found."""

    def __init__(self, src: _Source, text: _Text, name: str | None, values: dict | None):
        self.src, self.text, self.key = src, text, name or "equations"
        self.step = self._step_name()
        self.updates: dict[str, _Equation] = {}
        self.order: list[str] = []
        self.shift: dict[str, int] = {}  # d: x[t+k] is the state x(t + k + 1 - d)
        self.defs: dict[str, _Equation] = {}
        self._classify()
        self.constants: dict[str, sp.Symbol] = {}
        self.schedules: dict[str, sp.FunctionClass] = {}
        self.kinds: dict[str, tuple] = {}  # name -> ("constant"|"schedule", pos)
        self.grad_calls: list = []  # (point, pos)
        self.lag_read: dict[str, int] = {}  # state -> pos of the first x[t-1]
        self.reads_gradient = False
        self.reads_lagged_g = None  # the position of the first g[t-1]
        self.calls = None  # several gradient calls per step: [(point, gradient, new body or None)]
        self.values = values or {}
        self._query_body = None  # the point of grad(w + mu v) when it is no named variable (a new definition)
        self._bodies: dict = {}  # every definition's body, that one included

    # the step index ---------------------------------------------------------------------------------
    def _step_name(self) -> str:
        seen = self.text.step_names
        if not seen:
            return "t"
        first, _ = seen[0]
        for nm, pos in seen:
            if nm != first:
                self.src.fail(pos, f"the step is written `{nm}` here but `{first}` before",
                              f"write one step index throughout ({first})")
        return first

    def _offset(self, index, name: str) -> tuple[str, int]:
        """``t+1`` -> ("rel", 1); ``1`` -> ("abs", 1); anything else refused."""
        s = self.step
        if index[0] == "name" and index[1] == s:
            return "rel", 0
        if index[0] == "num" and index[1].is_Integer:
            return "abs", int(index[1])
        if index[0] in ("+", "-") and index[1][0] == "name" and index[1][1] == s and index[2][0] == "num" \
                and index[2][1].is_Integer:
            return "rel", int(index[2][1]) * (1 if index[0] == "+" else -1)
        if index[0] == "+" and index[2][0] == "name" and index[2][1] == s and index[1][0] == "num" and index[1][1].is_Integer:
            return "rel", int(index[1][1])
        self.src.fail(index[-1], f"unknown index form in `{name}[...]`",
                      f"write {name}[{s}], {name}[{s}+1], {name}[{s}-1] or a step number such as {name}[1]")

    # which name is what ----------------------------------------------------------------------------
    def _classify(self):
        for eq in self.text.equations:
            self._reserved(eq.name, eq.pos)
            if eq.lhs_offset is None:
                kind, k = "rel", 0
            elif isinstance(eq.lhs_offset, int):
                kind, k = "rel", eq.lhs_offset
            else:
                kind, k = self._offset(eq.lhs_offset, eq.name)
            s = self.step
            if kind == "abs":
                self.src.fail(eq.pos, f"{eq.name}[{k}] = ... gives a value at one step",
                              f"a start value goes in the start clause: start: {eq.name}[{k}] = ...")
            if k not in (0, 1):
                what = "a definition" if eq.define else "an update"
                fix = (f"define {eq.name}[{s}] = ..." if eq.define else
                       f"an update gives the next value, {eq.name}[{s}+1] = ..., a definition {eq.name}[{s}] = ...")
                self.src.fail(eq.pos, f"the left side {eq.name}[{s}{k:+d}] is not {what}", fix)
            if eq.name in self.updates or eq.name in self.defs:
                first = (self.updates.get(eq.name) or self.defs.get(eq.name)).pos
                self.src.fail(eq.pos, f"{eq.name} is given a second equation (the first is at {self.src.where(first)})",
                              "give one equation per variable")
            if k == 1 and not eq.define:
                self.updates[eq.name], self.shift[eq.name] = eq, 1
            elif k == 0 and not eq.define and _reads(eq.rhs, eq.name, self, -1):
                if eq.lhs_offset is None:
                    self.src.fail(eq.pos, f"{eq.name} is defined through itself",
                                  f"an update gives the next value: {eq.name}[{s}+1] = ... {eq.name}[{s}] ...")
                self.updates[eq.name], self.shift[eq.name] = eq, 0
            elif k == 0:
                if _reads(eq.rhs, eq.name, self, None):
                    self.src.fail(eq.pos, f"{eq.name} is defined through itself",
                                  f"an update gives the next value: {eq.name}[{s}+1] = ... {eq.name}[{s}] ...")
                self.defs[eq.name] = eq
            else:
                self.src.fail(eq.pos, f"define {eq.name}[{s}+1] = ... is an update, not a definition",
                              f"define {eq.name}[{s}] = ..., or drop `define` to update {eq.name}")
            if eq.name in self.updates:
                self.order.append(eq.name)
        if not self.updates:
            eq = self.text.equations[0] if self.text.equations else None
            if eq is None:
                raise EquationError("no update equation: write how each state moves, e.g. "
                                    "\"m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]\"")
            self.src.fail(eq.pos, "no equation updates a state (these only define variables)",
                          f"write an update with the next step, e.g. {eq.name}[{self.step}+1] = ...")

    def _reserved(self, name: str, pos: int):
        from ..validate import RESERVED

        s = self.step
        if name == s:
            self.src.fail(pos, f"{name} is the step index", "name the variable otherwise")
        if name == "g" or name in GRADIENTS:
            self.src.fail(pos, f"{name} is the gradient", "name the variable otherwise")
        if name in KEYWORDS:
            self.src.fail(pos, f"{name} is a clause of this notation ({', '.join(sorted(KEYWORDS))})",
                          "name the variable otherwise")
        if name in THETA0:
            self.src.fail(pos, f"{name} is the starting point", f"use it in start: (e.g. start: w[1] = {name})")
        if name in FUNCTIONS:
            self.src.fail(pos, f"{name} is a function", "name the variable otherwise")
        if name in RESERVED:
            self.src.fail(pos, f"the name {name} is reserved for the engine's own symbols", "rename it")

    def is_state(self, name):
        return name in self.updates

    # expressions ---------------------------------------------------------------------------------------
    def sym(self, node, where: str | None):
        """The sympy expression of ``node``; ``where`` is the state whose update it is (None in a definition)."""
        kind = node[0]
        if kind == "num":
            return node[1]
        if kind == "neg":
            return -self.sym(node[1], where)
        if kind in ("+", "-", "*", "/", "^"):
            a, b = self.sym(node[1], where), self.sym(node[2], where)
            if kind == "/" and b == 0:
                self.src.fail(node[3], "division by zero", "check the denominator")
            if kind == "^":
                _check_power(a, b, node[3], self.src)
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                    "^": lambda: a ** b}[kind]()
        if kind == "name":
            return self._bare(node[1], node[2], where)
        if kind == "prime":
            return self._indexed(node[1], ("rel", 1), node[2], where)
        if kind == "at":
            return self._indexed(node[1], self._offset(node[2], node[1]), node[3], where)
        if kind == "call":
            return self._call(node, where)
        raise AssertionError(node)

    def _bare(self, name, pos, where):
        if name == self.step:
            return t
        if name in self.updates or name in self.defs or name == "g":
            return self._indexed(name, ("rel", 0), pos, where)
        if name in GRADIENTS or name in FUNCTIONS:
            self.src.fail(pos, f"{name} is a function", f"write {name}(w[{self.step}])")
        if name in THETA0:
            self.src.fail(pos, f"{name} (the starting point) appears only in the start",
                          "write it in start: w[1] = theta0")
        self._reserved(name, pos)
        m = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)_(\w+)", name)
        if m and (m.group(1) in self.updates or m.group(1) in self.defs) and m.group(2).startswith(self.step):
            self.src.fail(pos, f"{name} looks like {m.group(1)} at a step", f"write {m.group(1)}[{m.group(2)}]")
        self._kind(name, "constant", pos)
        return self.constants.setdefault(name, sp.Symbol(name))

    def _kind(self, name, kind, pos):
        seen = self.kinds.setdefault(name, (kind, pos))
        if seen[0] != kind:
            s = self.step
            self.src.fail(pos, f"{name} is used both as a constant ({name}) and as a schedule ({name}[...]) "
                               f"(first at {self.src.where(seen[1])})",
                          f"write {name}[{s}] everywhere if it changes with the step, {name} if it does not")

    def _indexed(self, name, offset, pos, where):
        kind, k = offset
        s = self.step
        if name == "g":
            self.reads_gradient = True
            if kind == "abs":
                self.src.fail(pos, f"g[{k}] is the gradient at one fixed step", f"read g[{s}] (or g[{s}-1])")
            if k > 0:
                self.src.fail(pos, f"g[{s}{k:+d}] is a later step's gradient, which step {s} does not know yet",
                              f"read g[{s}] (or g[{s}-1])")
            if k < 0 and self.reads_lagged_g is None:
                self.reads_lagged_g = pos
            return g(t + k)
        if name in self.updates:
            if kind == "abs":
                self.src.fail(pos, f"{name}[{k}] reads the state at one fixed step",
                              f"read {name}[{s}] (a start value goes in start:)")
            k2 = k + 1 - self.shift[name]
            if k2 > 1:
                self.src.fail(pos, f"{name}[{s}{k:+d}] reads {name} {'two' if k2 == 2 else k2} steps ahead",
                              f"a right side reads {name}[{s}] (or the updated {name}[{s}+1])"
                              if self.shift[name] else f"a right side reads {name}[{s}-1] (or the updated {name}[{s}])")
            if k2 < -1:
                self.src.fail(pos, f"{name}[{s}{k:+d}] reads {name} more than one step back",
                              f"read at most one step back ({name}[{s}-1]); keep older values as a state of their own")
            if k2 == 1 and where is not None and (name == where or self.order.index(name) > self.order.index(where)):
                later = (self.shift[name] and f"{name}[{s}+1]") or f"{name}[{s}]"
                fix = (f"read {name}[{s}] (its value before the step)" if name == where else
                       f"put the update of {name} first, or read its value before the step")
                self.src.fail(pos, f"{later} is read in the update of {where} before {name} is updated", fix)
            if k2 == -1:
                self.lag_read.setdefault(name, pos)
            return sp.Function(name)(t + k2)
        if name in self.defs:
            if kind == "abs" or k not in (0, 1):
                self.src.fail(pos, f"{name}[{s}{k:+d}] reads the definition {name} at another step" if kind == "rel"
                              else f"{name}[{k}] reads the definition {name} at one fixed step",
                              f"read {name}[{s}] (or {name}[{s}+1]), or write it through the state")
            return sp.Function(name)(t + k)
        if name in THETA0:
            self.src.fail(pos, f"{name} is the starting point", f"write it without a step, in start: w[1] = {name}")
        self._reserved(name, pos)
        self._kind(name, "schedule", pos)
        f = self.schedules.setdefault(name, sp.Function(name))
        return f(k) if kind == "abs" else f(t + k)

    def _call(self, node, where):
        _, name, args, pos = node
        if name in GRADIENTS:
            if len(args) != 1:
                self.src.fail(pos, f"{name}(...) takes one point", f"write {name}(w[{self.step}])")
            point = self.sym(args[0], None)
            self.grad_calls.append((point, pos))
            self.reads_gradient = True
            return _GRAD_AT(point)
        if name in FUNCTIONS:
            fn, least = FUNCTIONS[name]
            if len(args) < least or (least == 1 and len(args) > 1):
                self.src.fail(pos, f"{name} takes {'one argument' if least == 1 else 'two or more arguments'}",
                              f"write {name}({'x' if least == 1 else 'a, b'})")
            return fn(*[self.sym(a, where) for a in args])
        s = self.step
        if name in self.updates or name in self.defs or name == "g":
            self.src.fail(pos, f"{name}(...) is Python's notation for {name} at a step", f"write {name}[{s}]")
        self.src.fail(pos, f"{name}(...) is not a function this notation knows (grad, grad_f, ∇f, sqrt, min, max)",
                      f"for a product write {name}*(...) or {name} (...); a sequence is {name}[{s}]")


def _reads(node, name: str, b: _Builder, offset) -> bool:
    """Does ``node`` read ``name`` at ``t + offset`` (offset None: at t, bare or indexed)?"""
    kind = node[0]
    if kind == "name":
        return node[1] == name and offset in (None, 0)
    if kind == "prime":
        return node[1] == name and offset == 1
    if kind == "at":
        if node[1] != name:
            return False
        off = b._offset(node[2], node[1])
        return off[0] == "rel" and off[1] == (0 if offset is None else offset)
    if kind == "call":
        return any(_reads(a, name, b, offset) for a in node[2])
    if kind == "neg":
        return _reads(node[1], name, b, offset)
    if kind in ("+", "-", "*", "/", "^"):
        return _reads(node[1], name, b, offset) or _reads(node[2], name, b, offset)
    return False


def _check_power(base, exp, pos: int, src: _Source):
    if base == 0 and exp.is_number and exp.is_negative:
        src.fail(pos, "0 to a negative power (a division by zero)", "check the exponent")
    if base.is_number and exp.is_number and abs(exp) > MAX_EXPONENT:
        src.fail(pos, f"a number to the power {exp} (more than {MAX_EXPONENT})", "write a smaller exponent")


def _show(expr, step: str = "t") -> str:
    """An expression in the notation's own words: ``w(t + 1)`` as ``w[t+1]``."""
    text = sp.sstr(sp.sympify(expr).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT,
                                           lambda e: sp.Function("grad")(*e.args)))
    return re.sub(r"\b(\w+)\(t(?: ([+-]) (\d+))?\)", lambda m: f"{m.group(1)}[{step}{(m.group(2) or '') + (m.group(3) or '')}]",
                  text)


def _zero(e) -> bool:
    e = sp.sympify(e)
    return e == 0 or sp.cancel(sp.together(sp.expand(e))) == 0


def _lags(b: _Builder) -> dict:
    taken = set(b.updates) | set(b.defs) | set(b.constants) | set(b.schedules) | {v[0][1] for v in b.text.values}
    out = {}
    for n in b.order:
        if n in b.lag_read:
            lag = f"{n}_prev"
            while lag in taken:
                lag += "_"
            taken.add(lag)
            out[n] = sp.Function(lag)
    return out


def _lagged(expr, lags: dict):
    return sp.sympify(expr).xreplace({sp.Function(n)(t - 1): lag(t) for n, lag in lags.items()})


def _expanded(expr, bodies: dict):
    """``expr`` with the definitions written out (they cannot refer to each other in a cycle: checked later)."""
    expr = sp.sympify(expr)
    for _ in range(len(bodies) + 1):
        expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in bodies and len(e.args) == 1,
                            lambda e: bodies[e.func.__name__].subs(t, e.args[0]))
    return expr
