"""A target form as a value: what a method is proved to be an instance of.

A :class:`Form` declares its coefficients (each with its symbol and its names in text, JSON and LaTeX), its
state (the iterate first, then its buffers), its update equations as SymPy, in the indexing of Eq. (1)::

    m(t)     = beta(t) m(t - 1) + ... + u(t)       a buffer: read at t from itself at t - 1 and u(t)
    w(t + 1) = w(t) - D(t)                         the iterate: moved by a direction D linear in m(t), u(t)

and its change-of-variables shape: the iterate ``w`` is the method's query point, each buffer is an expression
in the method's state at ``t`` and ``u(t)``, and each buffer starts from a value at ``t0 - 1``.  From the update
equations alone come the identities that prove a map (:meth:`Form.statements`), for any form: a new form is a
new file under ``equivalences/forms/``, not a change of the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from ..symbols import t, u

NAMES: dict = {}
"""Every form's named sequence by its symbol's name (``beta_a`` -> its :class:`Variable`), filled as forms are
made: the printers read their names here, so a new form prints without a change to them."""


@dataclass(frozen=True)
class Coefficient:
    """One coefficient sequence of a form (``beta_a`` of Eq. (1)), with its names.

    ``text`` and ``tex`` are ``(base, subscript)`` pairs, the way the printers write a sequence: ``("β", "a")``
    prints ``β_a,t`` in the terminal, ``(r"\\beta", "a")`` prints ``\\beta_{a,t}`` in LaTeX."""

    symbol: type[sp.Function]
    text: tuple[str, str]
    tex: tuple[str, str]
    key: str = ""
    """Its JSON key (default: the symbol's name, ``beta_a``)."""

    @property
    def name(self) -> str:
        """The symbol's name, ``beta_a``: the attribute of a map, the word in messages."""
        return self.symbol.__name__

    @property
    def json_key(self) -> str:
        return self.key or self.name

    @property
    def label(self) -> str:
        """``β_a``: the name in running text, without a step."""
        base, sub = self.text
        return base + (f"_{sub}" if sub else "")

    @property
    def latex(self) -> str:
        r"""``\beta_{a}``: the name in LaTeX, without a step."""
        base, sub = self.tex
        return base + (f"_{{{sub}}}" if sub else "")


@dataclass(frozen=True)
class Variable:
    """A state sequence of a form (``m_a``, ``w_a``) with its printed names, like a coefficient's."""

    symbol: type[sp.Function]
    text: tuple[str, str]
    tex: tuple[str, str]

    @property
    def name(self) -> str:
        return self.symbol.__name__


@dataclass(frozen=True)
class Form:
    """A target form: coefficients, state, update equations, change-of-variables shape, names."""

    key: str
    """``eq1``, ``momentum-2``, ...: the family key it is known by."""
    title: str
    coefficients: tuple[Coefficient, ...]
    iterate: Variable
    """``w``: the form's iterate, bound to the method's query point."""
    buffers: tuple[Variable, ...]
    """The values the form carries between steps (``m_a``), each bound by the change of variables."""
    updates: tuple[sp.Eq, ...]
    """One per buffer, ``Eq(m(t), ...)`` in the buffers at ``t - 1`` and ``u(t)``, then the iterate's
    ``Eq(w(t + 1), w(t) - D(t))``, ``D`` linear in the buffers at ``t`` and ``u(t)``."""
    recursion_names: tuple[str, ...] = ()
    """The identity each buffer's update proves (``momentum recursion``); default ``recursion of NAME``."""
    start_names: tuple[str, ...] = ()
    """The identity each buffer's start proves (``initial state``); default ``initial NAME``."""
    summary: str = ""
    """The update in one line of ASCII (what ``verify family`` prints as the family's form)."""
    change_of_variables: str = ""
    """The shape of a map onto it, in words."""
    extra: tuple[Variable, ...] = field(default_factory=tuple)
    """Other names the form's reports print (Eq. (1)'s ``K_a``, ``gamma_avg``), for the printers."""

    def __post_init__(self):
        lhs = [e.lhs for e in self.updates]
        want = [b.symbol(t) for b in self.buffers] + [self.iterate.symbol(t + 1)]
        if lhs != want:
            raise ValueError(f"form {self.key}: the updates must define {want} in this order, not {lhs}")
        for v in self.variables():
            NAMES.setdefault(v.name, v)

    # -- the parts -------------------------------------------------------------------------------
    @property
    def symbols(self) -> tuple:
        """The coefficient functions, in order."""
        return tuple(c.symbol for c in self.coefficients)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.coefficients)

    def coefficient(self, name: str) -> Coefficient:
        for c in self.coefficients:
            if name in (c.name, c.json_key):
                return c
        raise KeyError(f"form {self.key} has no coefficient {name!r}; it has {', '.join(self.names)}")

    @property
    def order(self) -> int:
        return len(self.buffers)

    @property
    def recursions(self) -> tuple[sp.Eq, ...]:
        return self.updates[:-1]

    @property
    def direction(self) -> sp.Expr:
        """``D(t)`` with ``w(t + 1) = w(t) - D(t)``."""
        w = self.iterate.symbol
        return -(self.updates[-1].rhs - w(t))

    def weights(self) -> dict:
        """``{buffer or u: coefficient expression}``: how the direction reads the buffers at ``t`` and ``u(t)``."""
        D = sp.expand(self.direction)
        atoms = [b.symbol(t) for b in self.buffers] + [u(t)]
        return {a: D.coeff(a) for a in atoms}

    def on_buffers(self) -> list[Coefficient]:
        """The coefficients the direction weighs the buffers with (Eq. (1): ``eta_a``)."""
        w = self.weights()
        return [c for b in self.buffers for c in self.coefficients if w[b.symbol(t)].has(c.symbol)]

    def on_input(self) -> list[Coefficient]:
        """The coefficients the direction weighs ``u(t)`` with (Eq. (1): ``alpha_a``)."""
        return [c for c in self.coefficients if self.weights()[u(t)].has(c.symbol)]

    def decays(self) -> list[Coefficient]:
        """The coefficients the buffers' updates read and the direction does not (Eq. (1): ``beta_a``)."""
        read = {c.name for c in (*self.on_buffers(), *self.on_input())}
        return [c for c in self.coefficients if c.name not in read]

    def swaps(self) -> list[tuple[Coefficient, Coefficient]]:
        """``[(weight of a buffer, weight of u)]``: the pairs of coefficients a map may confuse, each read by
        the direction (Eq. (1): ``(eta_a, alpha_a)``)."""
        return [(a, b) for a in self.on_buffers() for b in self.on_input()]

    def decay(self, buffer: Variable) -> dict:
        """``{buffer at t - 1 or u(t): coefficient}`` of one buffer's update."""
        i = self.buffers.index(buffer)
        rhs = sp.expand(self.recursions[i].rhs)
        atoms = [b.symbol(t - 1) for b in self.buffers] + [u(t)]
        return {a: rhs.coeff(a) for a in atoms}

    def variables(self) -> tuple[Variable, ...]:
        """Every named sequence of the form, for the printers: coefficients, iterate, buffers, extras."""
        return (*(Variable(c.symbol, c.text, c.tex) for c in self.coefficients), self.iterate, *self.buffers,
                *self.extra)

    # -- the identities --------------------------------------------------------------------------
    def statements(self, *, input=u, t0: int, starts: dict, K=sp.Integer(1), post=None) -> list:
        """The induction identities of a map onto the form, unbound: ``[(name, lhs, rhs, at_start)]``.

        * the iterate's update, ``w(t + 1) = w(t) - K Post_t(D(t))`` (``post`` a transform, or None);
        * each buffer's update one step on, ``m(t + 1) = ...`` (the induction step of the change of variables);
        * each buffer's update at ``t0`` from its start ``starts[buffer name]`` (the base case; ``at_start``
          True: the caller evaluates it on the method's standard initialisation).

        ``input`` replaces ``u`` (a method without a preconditioner reads ``g``).  Binding the form's symbols
        to a map (coefficients, ``w`` to the query point, buffers to the change of variables) and reducing
        ``lhs - rhs`` to 0 in the method's step system proves the map."""
        rename = (lambda e: e) if input is u else (lambda e: renamed(e, u, input))
        w = self.iterate.symbol
        direction = rename(self.direction)
        step = post(t, direction) if post is not None else direction
        out = [("weight update", w(t + 1), w(t) - K * step, False)]
        names = self.recursion_names or tuple(f"recursion of {b.name}" for b in self.buffers)
        for name, eq in zip(names, self.recursions):
            out.append((name, eq.lhs.subs(t, t + 1), rename(eq.rhs.subs(t, t + 1)), False))
        starts_named = self.start_names or tuple(f"initial {b.name}" for b in self.buffers)
        back = {b.symbol(t0 - 1): starts[b.name] for b in self.buffers}
        for name, eq in zip(starts_named, self.recursions):
            out.append((name, eq.lhs.subs(t, t0), rename(eq.rhs.subs(t, t0)).xreplace(back), True))
        return out

    def instantiate(self, coefficients: dict, state: dict | None = None, input=u) -> list[sp.Eq]:
        """The update equations with each coefficient ``c(t + k)`` replaced by ``coefficients[c name]`` at
        ``t + k`` (an expression of ``t``), the form's sequences renamed by ``state`` (``{form name:
        function}``, buffer ``m(t)`` becoming ``state[m](t + 1)``: a method's state before the step) and ``u``
        by ``input``: the member of the form with these coefficients, as update equations a
        :class:`~equivalences.declare.Method` takes."""
        state = state or {}
        table = {b.symbol: (state[b.name], 1) for b in self.buffers if b.name in state}
        if self.iterate.name in state:
            table[self.iterate.symbol] = (state[self.iterate.name], 0)
        eqs = []
        for eq in self.updates:
            lhs, rhs = eq.lhs, eq.rhs
            for c in self.coefficients:
                if c.name in coefficients:
                    rhs = rhs.replace(lambda a, f=c.symbol: isinstance(a, AppliedUndef) and a.func == f,
                                      lambda a, v=sp.sympify(coefficients[c.name]): v.subs(t, a.args[0]))
            lhs, rhs = _shiftrenamed(lhs, table), _shiftrenamed(rhs, table)
            eqs.append(sp.Eq(lhs, rhs if input is u else renamed(rhs, u, input)))
        return eqs

    def transfer_function(self, coefficients: dict, z: sp.Symbol) -> sp.Expr | None:
        """``H(z)``: the iterate's response to the input, ``W(z) = H(z) U(z)`` (the z-transform of the update
        equations, the starts at 0), for the member with the constant coefficients ``{name: value}``; None when
        a coefficient moves with the step (a transfer function does not exist then)."""
        values = {c.symbol: sp.sympify(coefficients[c.name]) for c in self.coefficients}
        if any(v.has(t) or v.atoms(AppliedUndef) for v in values.values()):
            return None
        unknowns = {v.symbol: sp.Dummy(v.name) for v in (*self.buffers, self.iterate)}

        def transformed(e):
            e = e.replace(lambda a: isinstance(a, AppliedUndef) and a.func in values, lambda a: values[a.func])
            e = e.replace(lambda a: isinstance(a, AppliedUndef) and a.func in unknowns,
                          lambda a: unknowns[a.func] * z ** (a.args[0] - t))
            return e.replace(lambda a: isinstance(a, AppliedUndef) and a.func == u, lambda a: z ** (a.args[0] - t))

        solved = sp.solve([transformed(e.lhs - e.rhs) for e in self.updates], list(unknowns.values()), dict=True)
        if len(solved) != 1:
            return None
        return sp.factor(sp.cancel(solved[0][unknowns[self.iterate.symbol]]))

    # -- printing --------------------------------------------------------------------------------
    def equations(self, printer) -> list[str]:
        """The update equations as ``printer`` writes expressions (:func:`equivalences.printing.text` for the
        terminal, :func:`~equivalences.printing.latex` for LaTeX; the printers read the form's names from
        :data:`NAMES`, so this module does not import them)."""
        return [f"{printer(e.lhs)} = {printer(e.rhs)}" for e in self.updates]


def renamed(expr, f, g):
    """``expr`` with every application of ``f`` read as ``g``."""
    return expr.replace(lambda a: isinstance(a, AppliedUndef) and a.func == f, lambda a: g(*a.args))


def _shiftrenamed(expr, table: dict):
    """``f(k)`` -> ``g(k + d)`` for ``f -> (g, d)`` in ``table``."""
    if not table:
        return expr
    return expr.replace(lambda a: isinstance(a, AppliedUndef) and a.func in table,
                        lambda a: table[a.func][0](a.args[0] + table[a.func][1]))
