"""Check a :class:`~equivalences.declare.Method` field by field before any work is done on it.

Every later stage assumes a well-formed declaration: the step system solves the updates, the
derivation reads the query point, the replay needs a number for every constant and schedule and a
multiple of ``theta_0`` for every start value.  A user's declaration that breaks one of these
assumptions would otherwise surface as a crash deep inside SymPy or numpy.  :func:`check` raises
:class:`DeclarationProblem` with one line: the field, what is wrong, and how to fix it.

Only types and names are checked here (and that each default lies in its declared domain); whether
the updates *solve* is :class:`~equivalences.system.StepSystem`'s job.  SymPy only.
"""
from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from .declare import Claim, Method, Transform
from .symbols import MAP_FUNCTIONS, K_a, m, t, theta0, w
from .transform_kinds import KINDS as TRANSFORM_KINDS

RESERVED = {t.name, theta0.name, m.__name__, w.__name__, K_a.__name__} | {f.__name__ for f in MAP_FUNCTIONS}
"""Names the engine gives a meaning of its own (a declaration must not reuse them)."""


class DeclarationProblem(ValueError):
    """A malformed declaration; the message (one line) names the field, the problem and the fix."""


def check(method: Method) -> None:
    """Raise :class:`DeclarationProblem` at the first malformed field of ``method``."""
    _texts(method)
    _containers(method)
    _transform_types(method)
    names = _names(method)
    _calls(method, names)
    _transforms(method, names)
    _define_and_updates(method, names)
    _points(method, names)
    _init(method, names)
    _defaults(method, names)
    _domain(method, names)
    _paper_setting(method, names)
    _claims(method, names)


# -- helpers -----------------------------------------------------------------------------------------


def _fail(message: str):
    raise DeclarationProblem(message)


def _show(x) -> str:
    return sp.sstr(x) if isinstance(x, sp.Basic) else repr(x)


def _sympy(where: str, value, statement: bool = False) -> sp.Basic:
    """``value`` as a sympy object: strings, lists and other Python objects are refused, never parsed.
    ``statement``: a side of a claim, which may also be a relation (a "for all" statement) or involve
    infinity (a limit)."""
    if isinstance(value, str):
        _fail(f"{where} is given as text ({value!r}); write a sympy expression (sp.Rational(9, 10), not '0.9') "
              "-- text is never evaluated")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            _fail(f"{where} is the float {value!r}, not a finite number; write an exact one, e.g. sp.Rational(1, 10)")
        exact = sp.Rational(repr(value))
        _fail(f"{where} is the float {value!r}; write the exact number sp.Rational({exact.p}, {exact.q}): proofs are exact")
    if isinstance(value, bool) or not isinstance(value, (int, sp.Basic)):
        _fail(f"{where} is a {type(value).__name__} ({_show(value)}); write one sympy expression")
    value = sp.sympify(value)
    if statement and isinstance(value, sp.logic.boolalg.Boolean):
        return value
    if not isinstance(value, sp.Expr):
        _fail(f"{where} is {_kind(value)}, not an expression; write an expression of the declared names")
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) and not value.has(sp.Sum) and not statement:  # a Sum's limits are checked on their own
        _fail(f"{where} = {_show(value)} is not finite; write a finite expression")
    if value.has(sp.Float):
        _fail(f"{where} = {_show(value)} contains a floating-point number; write exact numbers "
              "(sp.Rational(9, 10), not 0.9): proofs are exact")
    return value


def set_text(dom: sp.Set) -> str:
    """A domain as a reader writes it: ``[0, 1)``, ``(0, ∞)``, ``{0, 1}``."""
    if isinstance(dom, sp.Interval):
        end = lambda x: "∞" if x == sp.oo else "-∞" if x == -sp.oo else sp.sstr(x)  # noqa: E731
        return f"{'(' if dom.left_open else '['}{end(dom.start)}, {end(dom.end)}{')' if dom.right_open else ']'}"
    if isinstance(dom, sp.FiniteSet):
        return "{" + ", ".join(sp.sstr(x) for x in dom.args) + "}"
    if isinstance(dom, sp.Union):
        return " ∪ ".join(set_text(a) for a in dom.args)
    return sp.sstr(dom)


def _is_function(f) -> bool:
    return isinstance(f, UndefinedFunction)


def _kind(f) -> str:
    if isinstance(f, AppliedUndef):
        return f"{f} (an applied function; give the function {f.func.__name__} itself)"
    if _is_function(f):
        return f"the function {f.__name__}"
    if isinstance(f, sp.Symbol):
        return f"the symbol {f.name}"
    if isinstance(f, sp.Expr):
        return f"the expression {sp.sstr(f)}"
    if isinstance(f, sp.Basic):
        return f"the {type(f).__name__} {sp.sstr(f)}"
    return f"the {type(f).__name__} {_show(f)}"


# -- the checks ------------------------------------------------------------------------------------


def _texts(method: Method):
    key = method.key
    if not isinstance(key, str) or not key.strip() or any(c.isspace() for c in key):
        _fail(f"key {key!r}: give a short name without spaces, e.g. key='my-method' (it is the name on the "
              "command line)")
    for field in ("name", "reference", "section", "summary", "paper_setting_text"):
        if not isinstance(getattr(method, field), str):
            _fail(f"{field} is a {type(getattr(method, field)).__name__}; write it as text (a str)")
    if isinstance(method.t0, bool) or not isinstance(method.t0, (int, sp.Integer)):
        _fail(f"t0 = {_show(method.t0)} ({type(method.t0).__name__}): the first step is an integer, e.g. t0=1")


def _containers(method: Method):
    sequences = {"state": "a tuple of state functions, e.g. state=(z, x)",
                 "updates": "a tuple of sp.Eq(s(t + 1), ...)", "constants": "a tuple of sympy Symbols, e.g. (beta,)",
                 "schedules": "a tuple of sympy functions, e.g. (gamma,)", "posts": "a tuple of Transform",
                 "claims": "a tuple of Claim", "notes": "a tuple of str"}
    for field, how in sequences.items():
        value = getattr(method, field)
        if not isinstance(value, (tuple, list)):
            _fail(f"{field} is a {type(value).__name__}, not a tuple; write {how} (note the comma in (x,))")
    for field in ("init", "define", "defaults", "domain", "paper_setting"):
        value = getattr(method, field)
        if not isinstance(value, Mapping):
            _fail(f"{field} is a {type(value).__name__}; write a dict, e.g. {field}={{...}}")
        for k in value:
            if isinstance(k, str):
                _fail(f"{field} key {k!r} is given as text; use the sympy symbol or function itself -- "
                      "text is never evaluated")
    if not all(isinstance(n, str) for n in method.notes):
        _fail("notes: every note is a str")


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


def _calls(method: Method, names: _Names):
    if getattr(method, "calls", ()) == ():
        return
    from .oracles import CallProblem, check_calls

    try:
        check_calls(method, set(names.state), set(names.define),
                    set(names.constants) | set(names.schedules) | set(names.parameters) | RESERVED)
    except CallProblem as err:
        _fail(str(err))


def _transform_types(method: Method):
    if method.pre is not None and not isinstance(method.pre, Transform):
        _fail(f"pre is {_kind(method.pre)}; give a Transform(name, kind) or leave it out")
    for tr in method.posts:
        if not isinstance(tr, Transform):
            _fail(f"posts: {_kind(tr)} is not a Transform; write posts=(Transform('P', 'adam', {{...}}),)")


def _transforms(method: Method, names: _Names):
    for tr in method.transforms:
        if not isinstance(tr.name, str) or not tr.name.isidentifier():
            _fail(f"transform name {tr.name!r}: give an identifier, e.g. Transform('P', 'sign')")
        if tr.kind not in TRANSFORM_KINDS:
            _fail(f"transform {tr.name}: unknown kind {tr.kind!r}; use one of {', '.join(TRANSFORM_KINDS)}")
        if not isinstance(tr.params, Mapping):
            _fail(f"transform {tr.name}: params is a {type(tr.params).__name__}; write a dict, e.g. "
                  "{'beta2': beta2, 'eps': epsilon}")
        missing = [p for p in TRANSFORM_KINDS[tr.kind].params if p not in tr.params]
        if missing:
            _fail(f"transform {tr.name} ({tr.kind}) has no {', '.join(missing)} in params; add "
                  f"{', '.join(repr(p) + ': ...' for p in missing)}")
        for p, v in tr.params.items():
            if not isinstance(v, bool):
                value = _sympy(f"transform {tr.name}: params[{p!r}]", v)
                _uses(f"transform {tr.name}: params[{p!r}]", value, names, names.values | {t.name}, set())
        if tr.input is not None:
            value = _sympy(f"transform {tr.name}: input", tr.input)
            _uses(f"transform {tr.name}: input", value, names, names.values | {t.name}, {"g"})
            lags = {_step_offset(a.args[0]) for a in value.atoms(AppliedUndef)}
            if not lags <= {0, -1}:
                _fail(f"transform {tr.name}: input {value} may read g(t) and g(t - 1) only")
    if method.pre is not None and method.input.__name__ == "g":
        _fail(f"pre {method.pre.name} is declared but the updates read the raw gradient g; write them in "
              "u = equivalences.symbols.u and set input=u")
    if method.pre is None and method.input.__name__ != "g":
        _fail(f"input {method.input.__name__} is not the gradient g, so it must be a preconditioned gradient: "
              "declare pre=Transform(...), or write the updates in g")


def _step_offset(arg) -> int | None:
    d = sp.sympify(arg) - t
    return int(d) if d.is_Integer else None


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


def _define_and_updates(method: Method, names: _Names):
    symbols = names.values | {t.name}
    for f, body in method.define.items():
        body = _sympy(f"define[{f.__name__}]", body)
        _uses(f"define[{f.__name__}]", body, names, symbols, names.sequences - {f.__name__})
    _acyclic(method)
    targets: list[str] = []
    for i, eq in enumerate(method.updates, 1):
        if eq is sp.true or eq is sp.false:
            _fail(f"update {i} is {eq} (sympy evaluated an equation whose two sides are identical); "
                  "write Eq(s(t + 1), expression of the state at t)")
        if isinstance(eq, str):
            _sympy(f"update {i}", eq)
        if not isinstance(eq, sp.Equality):
            _fail(f"update {i} is {_kind(eq)}, not an equation; write sp.Eq(s(t + 1), ...)")
        lhs = eq.lhs
        if not (isinstance(lhs, AppliedUndef) and len(lhs.args) == 1):
            _fail(f"update {i}: the left side {lhs} is not a state variable at t + 1; write sp.Eq(s(t + 1), ...)")
        name = lhs.func.__name__
        if name not in names.state:
            _fail(f"update {i} updates {lhs}, but {name} is not a state variable ({names.what(name)}); add {name} to "
                  f"state or update one of {', '.join(names.state)}")
        foreign = {x for x in lhs.args[0].free_symbols if x.name == t.name and x != t}
        if foreign:
            _fail(f"update {i}: the left side {lhs} uses a t of its own (sp.Symbol('t')), not the engine's step; "
                  "import it: from equivalences.symbols import t")
        if _step_offset(lhs.args[0]) != 1:
            _fail(f"update {i}: the left side is {lhs}; an update gives the next state, {name}(t + 1)")
        if name in targets:
            _fail(f"{name} is updated twice (updates {targets.index(name) + 1} and {i}); give one equation per state "
                  "variable")
        targets.append(name)
        rhs = _sympy(f"the update of {name}", eq.rhs)
        _uses(f"the update of {name}", rhs, names, symbols, names.sequences)
        for a in rhs.atoms(AppliedUndef):
            k = _step_offset(a.args[0]) if a.func.__name__ == names.input else 0
            if k is None or k > 0:
                _fail(f"the update of {name} reads the gradient {a}, which step t does not know yet; a step may read "
                      f"{names.input}(t) and older gradients only")
        for a in sorted(_expanded(rhs, method).atoms(AppliedUndef), key=sp.default_sort_key):
            other, k = a.func.__name__, _step_offset(a.args[0]) if len(a.args) == 1 else None
            if other in names.state and k is not None and (k > 1 or k < 0 or (k == 1 and other not in targets[:-1])):
                fix = (f"put the update of {other} first, or read {other}(t)" if k == 1 else
                       f"an update reads the state at t (and, once updated, at t + 1)")
                _fail(f"the update of {name} uses {a}, which is not known yet at that point; {fix}")
    missing = [s for s in names.state if s not in targets]
    if missing:
        _fail(f"no update for {', '.join(missing)}; add sp.Eq({missing[0]}(t + 1), ...) to updates")


def _acyclic(method: Method):
    """Definitions may use each other, but not in a cycle (y defined through z defined through y)."""
    uses = {f.__name__: {a.func.__name__ for a in sp.sympify(body).atoms(AppliedUndef)} for f, body in method.define.items()}

    def visit(name, path):
        if name in path:
            cycle = " -> ".join(path[path.index(name):] + [name])
            _fail(f"define: the definitions refer to each other in a cycle ({cycle}); write one of them in the state")
        for other in uses.get(name, ()):
            visit(other, path + [name])

    for name in uses:
        visit(name, [])


def _expanded(expr, method: Method) -> sp.Expr:
    """``expr`` with the definitions written out (they are acyclic)."""
    for _ in range(len(method.define) + 1):
        for f, body in method.define.items():
            expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__ == f.__name__ and len(e.args) == 1,
                                lambda e: sp.sympify(body).subs(t, e.args[0]))
    return expr


def _points(method: Method, names: _Names):
    for field in ("query", "evaluate"):
        f = getattr(method, field)
        if f is None and field == "evaluate":
            continue
        if not _is_function(f):
            _fail(f"{field} is {_kind(f)}; give a state variable or a definition (the function, e.g. {field}=y)")
        if f.__name__ not in names.state and f.__name__ not in names.define:
            _fail(f"{field} {f.__name__} is {names.what(f.__name__)}, not a state variable or a definition; "
                  f"use one of {', '.join(list(names.state) + list(names.define))} or add it to define")


def _init(method: Method, names: _Names):
    t0 = int(method.t0)
    given = {}
    for k, v in method.init.items():
        if not (isinstance(k, AppliedUndef) and k.func.__name__ in names.state and len(k.args) == 1):
            _fail(f"init key {_show(k)} is not a state variable at the first step; write {{s({t0}): ...}} "
                  f"for each of {', '.join(names.state)}")
        if k.args[0] != t0:
            _fail(f"init gives {k}, but the first step is t0 = {t0}; write {k.func.__name__}({t0}) or set t0")
        value = _sympy(f"init[{k}]", v)
        _uses(f"init[{k}]", value, names, names.values | {theta0.name}, set())
        coeff = sp.diff(value, theta0)
        if coeff.has(theta0) or sp.simplify(value - coeff * theta0) != 0:
            _fail(f"init[{k}] = {value} is not a multiple of theta_0; start from c*theta_0 (c a number or a "
                  "constant, e.g. 0 or theta0)")
        given[k.func.__name__] = value
    missing = [s for s in names.state if s not in given]
    if missing:
        _fail(f"init leaves out {', '.join(missing)}; give every state variable its start, e.g. "
              f"init={{..., {missing[0]}({t0}): 0}} (or theta0)")


def _schedule_symbols(method: Method) -> set[str]:
    out = set()
    for k, v in method.defaults.items():
        if _is_function(k) and isinstance(v, sp.Basic):
            out |= {s.name for s in v.free_symbols}
    return out


def _sum_limits(where: str, expr):
    for s in expr.atoms(sp.Sum):
        for limit in s.limits:
            if len(limit) != 3:
                _fail(f"{where}: {s} needs explicit limits, e.g. sp.Sum(f(k), (k, 1, t))")
            k, lo, hi = limit
            if any(b.has(sp.oo, -sp.oo, sp.zoo) for b in (lo, hi)):
                _fail(f"{where}: {s} sums to infinity; a schedule's sum must stop at a step, e.g. (k, 1, t)")
            if k == t:
                _fail(f"{where}: {s} sums over t, the step itself; use another index, e.g. k = sp.Symbol('k')")


def _defaults(method: Method, names: _Names):
    used = _schedule_symbols(method)
    for k in method.defaults:
        if _is_function(k):
            if k.__name__ not in names.schedules:
                _fail(f"defaults gives {k.__name__}, which is {names.what(k.__name__)}, not a schedule; add it to "
                      "schedules or remove it")
        elif isinstance(k, sp.Symbol):
            if k.name not in names.constants and k.name not in used:
                _fail(f"defaults gives {k.name}, which is neither a constant nor a parameter of a schedule's default; "
                      "add it to constants or remove it")
        else:
            _fail(f"defaults key {_kind(k)} is not a constant or a schedule")
    by_name = {(k.__name__ if _is_function(k) else k.name): k for k in method.defaults}
    for name in list(names.constants) + list(names.schedules):
        if name not in by_name:
            example = "sp.Rational(1, 10)" if name in names.constants else "sp.Rational(1, 10) (or an expression of t)"
            _fail(f"{names.what(name)} {name} has no default value: add defaults={{{name}: {example}}} -- the replay "
                  "needs a number")
    for key, value in method.defaults.items():
        name = key.__name__ if _is_function(key) else key.name
        where = f"the default of {name}"
        if _is_function(key):
            if isinstance(value, (list, tuple, dict)):
                _fail(f"{where} is a Python {type(value).__name__}; a schedule's default is one sympy expression of t, "
                      "e.g. 1/t, lr*sp.Min(1, t/T_w) or sp.Piecewise((a, t <= 10), (b, True))")
            value = _sympy(where, value)
            _uses(where, value, names, names.values | {t.name} | _sum_indices(value), set())
            _sum_limits(where, value)
        else:
            if isinstance(value, (list, tuple, dict)):
                _fail(f"{where} is a Python {type(value).__name__}; a constant has one number (use --sweep/--grid to "
                      "replay several)")
            value = _sympy(where, value)
            if not (value.is_number and value.is_extended_real and value.is_finite):
                _fail(f"{where} is {_show(value)}; a constant's default is one finite real number, e.g. "
                      "sp.Rational(9, 10)")


def _sum_indices(expr) -> set[str]:
    return {lim[0].name for s in expr.atoms(sp.Sum) for lim in s.limits}


def _domain(method: Method, names: _Names):
    for key, dom in method.domain.items():
        if not isinstance(key, sp.Symbol) or key.name not in names.values:
            label = key.__name__ if _is_function(key) else _show(key)
            what = names.what(label) if isinstance(label, str) else "not a symbol"
            _fail(f"domain key {label} is {what}; domains are for constants and schedule parameters "
                  "(bound a schedule through its parameters)")
        if not isinstance(dom, sp.Set):
            _fail(f"domain[{key.name}] is {_kind(dom)}, not a sympy set; write e.g. sp.Interval.Ropen(0, 1) "
                  "or sp.FiniteSet(0, 1)")
        if dom.free_symbols:
            _fail(f"domain[{key.name}] = {set_text(dom)} depends on {', '.join(sorted(map(str, dom.free_symbols)))}; "
                  "give numeric bounds (a relation between hyperparameters is a degenerate set the engine derives)")
        default = method.defaults.get(key)
        if default is not None and dom.contains(sp.sympify(default)) is not sp.true:
            _fail(f"the default {key.name} = {_show(default)} is outside its domain {set_text(dom)}; fix the default or the domain")


def _paper_setting(method: Method, names: _Names):
    for key, value in method.paper_setting.items():
        name = key.__name__ if _is_function(key) else getattr(key, "name", None)
        if name not in names.values and name not in names.schedules:
            _fail(f"paper_setting key {_show(key)} is not a constant or schedule of the method; use one of "
                  f"{', '.join(sorted(names.values | set(names.schedules)))}")
        _sympy(f"paper_setting[{name}]", value)


def _bound_names() -> set[str]:
    from .claim_kinds import N_, POSITIVE_CONSTANT, T_, j_, s_

    return {x.name for x in (s_, j_, T_, N_, POSITIVE_CONSTANT)}


_BOUND = _bound_names()
"""The summation, product and limit variables the statement kinds of :mod:`equivalences.claim_kinds` use."""


def _claims(method: Method, names: _Names):
    accelerated = {f.__name__ for f in MAP_FUNCTIONS} | {m.__name__, w.__name__}
    functions = names.sequences | accelerated
    free = names.values | {t.name, theta0.name}
    free |= {s.name for v in method.paper_setting.values() if isinstance(v, sp.Basic) for s in v.free_symbols}
    for i, claim in enumerate(method.claims, 1):
        if not isinstance(claim, Claim):
            _fail(f"claims: item {i} is {_kind(claim)}; write Claim(ref, lhs, rhs)")
        where = f"claim {claim.ref!r}"
        for field in ("ref", "printed", "note"):
            if not isinstance(getattr(claim, field), str):
                _fail(f"{where}: {field} is a {type(getattr(claim, field)).__name__}; write it as text (a str)")
        if not isinstance(claim.assume, Mapping):
            _fail(f"{where}: assume is a {type(claim.assume).__name__}; write a dict, e.g. assume={{beta: 0}}")
        allowed = free | {getattr(k, "name", "") for k in claim.assume} | _BOUND
        allowed |= {x.name for v in claim.assume.values() if isinstance(v, sp.Basic) for x in v.free_symbols}
        var = getattr(claim, "var", None)  # a for-all or limit statement's own variable
        if isinstance(var, sp.Symbol):
            allowed |= {var.name}
        sides = [("lhs", claim.lhs, False), ("rhs", claim.rhs, False)]
        if claim.fix is not None:
            if not isinstance(claim.fix, tuple) or len(claim.fix) != 2:
                _fail(f"{where}: fix must be a pair (lhs, rhs)")
            sides += [("fix lhs", claim.fix[0], True), ("fix rhs", claim.fix[1], True)]
        for side, expr, is_fix in sides:
            expr = _sympy(f"{where} {side}", expr, statement=True)
            if claim.fix is None or is_fix:
                # A statement with a fix is recorded as printed, known to be wrong: it may use the paper's
                # stray names (MARS prints q_t for g_t).  Anywhere else an undeclared name is a typo that would
                # make the claim fail for the wrong reason.
                _uses(f"{where} ({side})", expr, names, allowed, functions, scalar_claim=True)
        for key, value in claim.assume.items():
            name = key.__name__ if _is_function(key) else getattr(key, "name", None)
            if name not in names.values and name not in names.schedules:
                _fail(f"{where}: assume key {_show(key)} is not a constant or schedule of the method")
            _sympy(f"{where}: assume[{name}]", value)
