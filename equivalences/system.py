"""A declared method as an exact step map ``S(t + 1) = F_t(S(t), u(t))``.

:class:`StepSystem` solves the authors' update equations (in their order) for
the new state, and :meth:`StepSystem.reduce` rewrites any expression in the
method's variables at any steps -- ``x(t - 1)``, ``z(t + 1)``, ``y(t + 1)``,
``m_a(t)`` -- in terms of the state at one base step and the free gradients.
Identities that vanish after this reduction hold on every trajectory, for
every gradient sequence.
"""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import applications, offset, substitute_functions
from .declare import Method
from .symbols import t


class DeclarationError(ValueError):
    """The declaration itself is malformed (a bug in a method module)."""


def check_references(method: Method, updates) -> None:
    """Refuse, in one line, an update that reads a sequence the declaration never defines (``h(t)``)
    or a gradient that is not yet known (``g(t + 1)``): a declaration error, not a verdict."""
    known = {f.__name__ for f in (*method.state, *method.define, *method.schedules, method.input, method.query)}
    known |= {f.__name__ for f in method.defaults if isinstance(f, sp.FunctionClass)}
    for lhs, rhs in updates:
        for a in sorted(rhs.atoms(AppliedUndef), key=sp.default_sort_key):
            name = a.func.__name__
            if name == method.input.__name__:
                k = offset(a.args[0]) if len(a.args) == 1 else None
                if k is None or k > 0:
                    raise DeclarationError(
                        f"{method.key}: {lhs} reads the gradient {a}, which step t does not know yet; "
                        f"a step may read {method.input.__name__}(t) and older gradients only")
            elif name not in known and method.transform_of(a.func) is None:
                raise DeclarationError(
                    f"{method.key}: {lhs} reads {a}, a sequence the declaration never defines; "
                    f"add it to schedules=(...) or define={{...}}, or write it in the state and gradients")


def undefined_under(method: Method, sub) -> str | None:
    """Where the declaration itself is undefined once ``sub`` (an expression -> expression map, e.g. a
    constant set to a value) is applied: the first update, definition or start value that then divides by
    a denominator which vanishes identically (``m(t + 1) = (beta m + g)/c`` at ``c = 0``,
    ``1/(1 - beta**t)`` at ``beta = 1``), in words; None when every one stays defined.  A degenerate set
    where the method cannot even be run is no question about Eq. (1)."""
    from .algebra import is_zero

    items = [(f"the update of {eq.lhs}", eq.rhs) for eq in method.updates]
    items += [(f"the definition of {f.__name__}(t)", body) for f, body in dict(method.define).items()]
    items += [(f"the start value of {k}", v) for k, v in dict(method.init).items()]
    for what, expr in items:
        expr = sp.sympify(expr)
        den = sp.denom(sp.together(expr))
        if sp.sympify(sub(expr)).has(sp.zoo, sp.nan) or (not den.is_number and is_zero(sub(den))):
            return f"{what} divides by {den}, which vanishes there"
    return None


class StepSystem:
    def __init__(self, method: Method):
        self.method = method
        self.input = method.input
        self.definitions = dict(method.define)
        updates = [(eq.lhs, self.expand(eq.rhs)) for eq in method.updates]
        self.state = list(method.state)
        read = [(f(t), self.expand(f(t))) for f in (method.query, method.evaluate) if f is not None]
        check_references(method, updates + read)
        self.lag = None
        self.lags: list = []
        """``lags[k - 1](t)`` holds ``u(t - k)``: the older gradients the authors reuse, kept as state."""
        depth = max((-offset(a.args[0]) for _, rhs in updates for a in applications(rhs, [self.input])), default=0)
        for k in range(1, depth + 1):
            lag = sp.Function(f"{self.input.__name__}_prev" + (str(k) if k > 1 else ""))
            self.lags.append(lag)
            self.state.append(lag)
            updates = [(lhs, rhs.subs(self.input(t - k), lag(t))) for lhs, rhs in updates]
            updates.append((lag(t + 1), self.input(t) if k == 1 else self.lags[k - 2](t)))
        self.lag = self.lags[0] if self.lags else None
        self.F: dict = {}
        names = {s.__name__ for s in self.state}
        for lhs, rhs in updates:
            if not (isinstance(lhs, AppliedUndef) and lhs.func.__name__ in names and offset(lhs.args[0]) == 1):
                raise DeclarationError(f"{method.key}: update target {lhs} is not a state variable at t + 1")
            for s, f in self.F.items():
                rhs = rhs.subs(s(t + 1), f)
            late = [a for a in applications(rhs, self.state) if offset(a.args[0]) != 0]
            if late:
                raise DeclarationError(f"{method.key}: update of {lhs} uses {late} before it is updated")
            self.F[lhs.func] = rhs
        missing = [s for s in self.state if s not in self.F]
        if missing:
            raise DeclarationError(f"{method.key}: no update for {missing}")
        self.init = dict(method.init)
        """The standard start of every state variable at ``t0`` (a kept previous gradient starts at 0)."""
        for lag in self.lags:
            self.init.setdefault(lag(method.t0), 0)

    # -- rewriting -------------------------------------------------------
    def expand(self, expr, bindings=None) -> sp.Expr:
        """Substitute named definitions (and ``bindings``) until none is left."""
        table = dict(self.definitions)
        if bindings:
            table.update(bindings)
        expr = sp.sympify(expr)
        for _ in range(len(table) + 2):  # acyclic: one level of nesting goes per pass
            new = substitute_functions(expr, table)  # every definition at once; again until none is left
            if new == expr:
                return expr
            expr = new
        raise DeclarationError(f"{self.method.key}: definitions refer to each other in a cycle")

    def step(self, s) -> sp.Expr:
        """``s(t + 1)`` in terms of the state at ``t`` and ``u(t)``."""
        return self.F[s]

    def reduce(self, expr, bindings=None, base: int | None = None) -> sp.Expr:
        """``expr`` in terms of the state at its earliest step (or ``t + base``) and the free gradients."""
        expr = self.expand(expr, bindings)
        atoms = applications(expr, self.state + [self.input])
        offsets = [offset(a.args[0]) for a in atoms]
        if not offsets:
            return expr
        if any(o is None for o in offsets):
            # a fixed step such as x(1): nothing to move
            return expr
        base = min(offsets) if base is None else min(base, *offsets)
        for _ in range(200):
            late = [a for a in applications(expr, self.state) if offset(a.args[0]) > base]
            if not late:
                return expr
            expr = expr.xreplace({a: self.F[a.func].subs(t, a.args[0] - 1) for a in late})
        raise DeclarationError(f"{self.method.key}: reduction did not terminate")

    def at_base(self, k: int = 0):
        """The state symbols at step ``t + k``."""
        return [s(t + k) for s in self.state]


def start_symbols(method: Method, system: StepSystem) -> set:
    """Symbols of the start values that are not hyperparameters: ``theta_0`` and any symbolic start."""
    in_steps = set().union(*(sp.sympify(f).free_symbols for f in system.F.values()))
    return {s for v in system.init.values() for s in sp.sympify(v).free_symbols} - in_steps - set(method.constants) - {t}


def constant_symbols(method: Method, system: StepSystem) -> set:
    found = set().union(*(sp.sympify(f).free_symbols for f in system.F.values()),
                        *(sp.sympify(v).free_symbols for v in system.init.values()))
    return (found | set(method.constants)) - start_symbols(method, system) - {t}
