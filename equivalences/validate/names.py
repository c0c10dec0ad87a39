"""The declaration's names: what each refers to (:class:`_Names`), that they are functions or symbols as their field
says, none declared twice and none of the engine's own (:data:`RESERVED`); and that an expression uses declared
names only (:func:`_uses`), with advice that leads somewhere for a name that is not."""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from ..declare import Method, Transform
from ..symbols import MAP_FUNCTIONS, K_a, m, t, theta0, w
from .problem import _fail, _is_function, _kind


RESERVED = {t.name, theta0.name, m.__name__, w.__name__, K_a.__name__} | {f.__name__ for f in MAP_FUNCTIONS}
"""Names the engine gives a meaning of its own (a declaration must not reuse them)."""


class _Names:
    """What the declaration's names refer to."""

    def __init__(self, method: Method):
        self.state = {s.__name__: s for s in method.state}
        self.define = {f.__name__: f for f in method.define}
        self.constants = {s.name: s for s in method.constants}
        self.schedules = {f.__name__: f for f in method.schedules}
        self.transforms = {tr.name: tr for tr in method.transforms}
        self.input = method.input.__name__
        calls = getattr(method, "calls", ())
        self.calls = {p[1].__name__ for p in (calls if isinstance(calls, tuple) else ())
                      if isinstance(p, tuple) and len(p) == 2 and _is_function(p[1])}
        """The gradients of a multi-call step (:mod:`equivalences.oracles`)."""
        schedule_defaults = [v for k, v in method.defaults.items() if isinstance(k, UndefinedFunction)]
        self.parameters = {s.name: s for s in method.defaults
                           if isinstance(s, sp.Symbol) and s.name not in self.constants}
        """Symbols with a default that are not constants: the parameters of a default schedule (a warmup)."""
        self._schedule_defaults = schedule_defaults

    @property
    def values(self) -> set[str]:
        """Symbol names that have (or may be given) a value."""
        return set(self.constants) | set(self.parameters)

    @property
    def sequences(self) -> set[str]:
        """Function names an update may apply."""
        return set(self.state) | set(self.define) | set(self.schedules) | set(self.transforms) | {self.input} | self.calls

    def what(self, name: str) -> str:
        for label, table in (("a state variable", self.state), ("a definition", self.define),
                             ("a constant", self.constants), ("a schedule", self.schedules),
                             ("a transform", self.transforms)):
            if name in table:
                return label
        return "undeclared"


def _names(method: Method) -> _Names:
    for s in method.state:
        if not _is_function(s):
            _fail(f"state: {_kind(s)} is not a state function; declare them as z, x = state('z x')")
    if not method.state:
        _fail("state is empty; declare the state variables, e.g. z, x = state('z x'), state=(z, x)")
    for s in method.constants:
        if not isinstance(s, sp.Symbol):
            hint = "; a hyperparameter that changes with t belongs in schedules" if _is_function(s) else ""
            _fail(f"constants: {_kind(s)} is not a sympy Symbol; write beta = sp.Symbol('beta'){hint}")
    for f in method.schedules:
        if not _is_function(f):
            hint = "; a hyperparameter fixed for the run belongs in constants" if isinstance(f, sp.Symbol) else ""
            _fail(f"schedules: {_kind(f)} is not a sympy function; write gamma = sp.Function('gamma'){hint}")
    for f in method.define:
        if not _is_function(f):
            _fail(f"define: key {_kind(f)} is not a function; write y = sp.Function('y'), define={{y: ...}}")
    if not _is_function(method.input):
        _fail(f"input is {_kind(method.input)}; leave it out (the gradient g) or give a sympy function")
    seen: dict[str, str] = {}
    groups = (("state", [s.__name__ for s in method.state]), ("define", [f.__name__ for f in method.define]),
              ("constants", [s.name for s in method.constants]), ("schedules", [f.__name__ for f in method.schedules]),
              ("transforms", [tr.name for tr in method.transforms if isinstance(tr, Transform)]),
              ("input", [method.input.__name__]))
    for field, names in groups:
        for name in names:
            if name == theta0.name:
                _fail(f"{field}: the name {name!r} is the engine's starting point; use "
                      f"equivalences.symbols.theta0 in init only, and give a constant of your own another name "
                      f"(e.g. anchor = sp.Symbol('anchor'))")
            if name in RESERVED:
                _fail(f"{field}: the name {name!r} is reserved for the engine's own symbols "
                      f"({', '.join(sorted(RESERVED))}); rename it")
            if name == method.input.__name__ and field != "input":
                _fail(f"{field}: {name!r} is the gradient, not a {field[:-1] if field.endswith('s') else field} "
                      f"of its own; remove it from {field} and write the gradient as {name}(t) in the updates")
            if name in seen:
                where = f"twice in {field}" if seen[name] == field else f"in both {seen[name]} and {field}"
                _fail(f"the name {name!r} is declared {where}; give each variable its own name")
            seen[name] = field
    return _Names(method)


def _uses(where: str, expr, names: _Names, allowed_symbols: set[str], allowed_functions: set[str],
          scalar_claim: bool = False):
    """Every symbol and applied function of ``expr`` is declared.

    A symbol named ``t`` or ``theta_0`` must be the engine's (a home-made ``t`` is a different symbol: the step
    substitutions would not reach it) -- except in a claim about scalars alone (no sequence applied), which may
    use a ``t`` with assumptions of its own to decide e.g. a ``Max`` (Accelerated AdamW's line 7)."""
    scalar = scalar_claim and not expr.atoms(AppliedUndef)
    for s in sorted(expr.free_symbols, key=lambda s: s.name):
        engine = {t.name: t, theta0.name: theta0}.get(s.name)
        if engine is not None and s != engine and not scalar:
            name = "t" if engine is t else "theta0"
            _fail(f"{where} uses a symbol {s.name} of its own, not the engine's (other assumptions); "
                  f"import it: from equivalences.symbols import {name}")
        if s.name not in allowed_symbols:
            _fail(f"{where} uses {s.name}, which is not declared; {_symbol_fix(s, names, where)}")
    for a in sorted(expr.atoms(AppliedUndef), key=sp.default_sort_key):
        name = a.func.__name__
        if hasattr(a.func, "_imp_"):
            continue
        if name not in allowed_functions:
            kind = names.what(name)
            fix = (f"{name} is {kind} and cannot be used here" if kind != "undeclared" else _function_fix(name, names))
            _fail(f"{where} uses {a}, which is not declared; {fix}")
        if name in names.transforms and len(a.args) != 2:
            _fail(f"{where}: transform {a} takes two arguments, the step and the vector: {name}(t, ...)")


_THETA_NAMES = {"theta0", "theta_0", "θ0", "θ_0", "θ₀", "theta"}


def _symbol_fix(s: sp.Symbol, names: _Names, where: str = "") -> str:
    """Advice for an undeclared symbol that leads somewhere: adding the gradient's or the start's name to
    constants would only be refused next (a reserved or a duplicate name), or silently make it a number."""
    name, grad = s.name, names.input
    kind = names.what(name)
    if kind in ("a state variable", "a definition", "a schedule"):
        return f"{name} is {kind}: write it at a step, e.g. {name}(t)"
    if name == grad:
        return f"{name} is the gradient, a sequence: write {name}(t) (or an older one, {name}(t - 1))"
    if name.startswith(f"{grad}_prev") or name in (f"{grad}_old", f"{grad}_last"):
        return f"write the previous gradient as {grad}(t - 1) (the engine keeps it as state)"
    if s == theta0:
        return ("theta_0 is the starting point and may appear in init only (e.g. init={v(1): kappa*theta0}); "
                "a fixed point an update pulls towards is a constant of the method's own: declare e.g. "
                "anchor = sp.Symbol('anchor') in constants (with a default)")
    if name in _THETA_NAMES:
        return "for the starting point, import the engine's: from equivalences.symbols import theta0"
    if where.startswith("init[") and name not in RESERVED:
        return (f"a start value is a multiple of theta_0: write e.g. {name}*theta0 and add {name} to constants "
                f"(with a default), or start from 0")
    if name in RESERVED:
        return (f"{name} is the engine's own symbol (the derived map is read, not declared); write the method's own "
                f"coefficient under another name, in constants (with a default)")
    return (f"add {name} to constants (with a default), or use a declared name"
            f" ({', '.join(sorted(names.values)) or 'none declared'})")


def _function_fix(name: str, names: _Names) -> str:
    if name == t.name:
        return "t is the step itself, not a sequence: write the expression of t (e.g. 1/t), not t(t)"
    if name in RESERVED:
        return (f"{name} is the engine's own (the derived map, which a declaration cannot read); write the "
                f"method's own coefficient as a constant or a schedule under another name")
    return f"declare {name} in state, define or schedules (or as a transform in pre/posts)"
