"""A method written as its update equations, in the notation papers use -- read by a grammar, never evaluated.

    m[t+1] = beta*m[t] + g[t];  w[t+1] = w[t] - lr*m[t+1]

:func:`parse_method` turns such a text into an ordinary :class:`~equivalences.declare.Method` (checked by
:mod:`equivalences.validate` and :class:`~equivalences.system.StepSystem` like any declaration), and
:func:`module_source` writes the equivalent Python declaration.  The notation (docs/declaring-a-method.md,
"A method in one line"):

* equations are separated by ``;`` or new lines; ``#`` starts a comment;
* ``x[t+1] = ...`` (or ``x' = ...``) updates the state ``x``; ``x[t] = ... x[t-1] ...`` is the same update
  written one step later (Eq. (1)'s ``m_t = beta m_(t-1) + g_t``); ``y[t] = ...``, ``y = ...`` or
  ``define y[t] = ...`` defines ``y`` from the state (a bare state name means it at step ``t``);
* a right side reads states at ``t``, at ``t+1`` once updated, and at ``t-1`` (kept as an extra state
  ``x_prev``); ``g[t]`` (``g[t-1]``) is the gradient at the query point, ``grad(P)`` / ``grad_f(P)`` /
  ``∇f(P)`` the gradient at the point ``P`` (which makes ``P`` the query point);
* any other name is a constant, or a schedule when it is indexed (``c[t+1]``); numbers are exact
  (``0.9`` is 9/10); ``^`` and ``**`` are powers; a space or ``*`` multiplies; ``sqrt``, ``min``, ``max``;
* clauses: ``query = y``, ``evaluate = x``, ``start: w[1] = theta0, m[1] = 0`` and
  ``with beta = 0.9, eta[t] = 1/t`` (values; ``--set`` gives the same from the command line).

The start, when not given: a state that moves with the iterate (a *point*) starts at ``theta0`` and a
velocity or momentum at 0 -- the points are the one set of states that makes the method invariant under a
shift of every point by the same vector, the query point among them (see :func:`_points`).  SymPy only.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from .declare import Method
from .symbols import g, t, theta0

__all__ = ["EquationError", "parse_method", "module_source", "read_text"]


class EquationError(ValueError):
    """A malformed equation text; the message (one line) names the problem, where it is, and the fix.

    ``missing`` lists the constants and schedules left without a value (the caller may name its own way of
    giving them, e.g. ``--set``)."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
         "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
         "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
         "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Λ": "Lambda", "Σ": "Sigma", "Φ": "Phi",
         "Ω": "Omega"}
"""Greek letters read as their names (``β`` is ``beta``, so ``--set beta=0.9`` sets it)."""

GRADIENTS = {"grad", "grad_f", "gradf", "nabla_f", "nabla"}
"""Names of the gradient at a point, ``grad(w[t])`` (``∇f(w[t])`` and ``∇(w[t])`` read as ``grad``)."""

FUNCTIONS = {"sqrt": (sp.sqrt, 1), "min": (sp.Min, 2), "max": (sp.Max, 2)}
"""The functions a right side may apply (name -> sympy function, least number of arguments)."""

THETA0 = {"theta0", "theta_0"}
KEYWORDS = {"query", "evaluate", "start", "init", "with", "define"}
SEPARATORS = {";", "\n"}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GREEK_TAIL = re.compile(r"(_?[0-9]+|_[A-Za-z0-9]+)?")
_OPS = ("**", "==", ":=", "<-", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", "=",
        "'", ":")
_UNICODE_OPS = {"−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*", "∙": "*", "′": "'", "≔": ":=", "←": "<-"}
_CLOSE = {"(": ")", "[": "]"}


# -- tokens ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num", "name", "op", "end" (a statement ends), "eof"
    text: str
    pos: int
    space_before: bool = False


class _Source:
    """The text and how to name a position in it (``column 12``, or ``line 3, column 5`` in a file)."""

    def __init__(self, text: str, label: str = ""):
        self.text, self.label = text, label

    def where(self, pos: int) -> str:
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        prefix = f"{self.label}: " if self.label else ""
        return f"{prefix}line {line}, column {col}" if "\n" in self.text.strip("\n") else f"{prefix}column {col}"

    def fail(self, pos: int, problem: str, fix: str):
        raise EquationError(f"{self.where(pos)}: {problem}; {fix}")


MAX_LENGTH = 100_000
MAX_DEPTH = 64
MAX_EXPONENT = 1000
"""Limits that keep a typo from becoming a hang: the text's length, bracket depth, a number's power."""


def _tokens(src: _Source) -> list[_Tok]:
    text, out, i, stack = src.text, [], 0, []
    if len(text) > MAX_LENGTH:
        raise EquationError(f"the equations are {len(text)} characters long; give at most {MAX_LENGTH}")
    while i < len(text):
        ch = text[i]
        space = i > 0 and text[i - 1] in " \t"
        if ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch in SEPARATORS:
            if stack and ch == ";":
                open_ch, at = stack[-1]
                src.fail(at, f"`{open_ch}` is not closed before the `;` at {src.where(i)}", f"add `{_CLOSE[open_ch]}`")
            if not stack:
                out.append(_Tok("end", ch, i))
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m and not (ch == "." and not text[i + 1:i + 2].isdigit()):
            if m.group(2) and len(m.group(2).lstrip("eE+-")) > 3:
                src.fail(i, f"the number `{m.group(0)}` has an exponent of more than three digits", "write it exactly, e.g. 1e-8")
            out.append(_Tok("num", m.group(0), i, space))
            i = m.end()
            continue
        if ch == "∇":
            j = i + 1 + (text[i + 1:i + 2] == "f")
            out.append(_Tok("name", "grad", i, space))
            i = j
            continue
        if ch in GREEK:
            tail = _GREEK_TAIL.match(text, i + 1).group(0)
            out.append(_Tok("name", GREEK[ch] + tail, i, space))
            i += 1 + len(tail)
            continue
        m = _NAME.match(text, i)
        if m:
            out.append(_Tok("name", m.group(0), i, space))
            i = m.end()
            continue  # in `lrβ` the Greek letter starts the next name (a product)
        op = next((o for o in _OPS if text.startswith(o, i)), None) or _UNICODE_OPS.get(ch)
        if op is None:
            _bad_character(src, i)
        width = len(op) if text.startswith(op, i) else 1
        if op in ("(", "["):
            stack.append((op, i))
            if len(stack) > MAX_DEPTH:
                src.fail(i, f"brackets nested more than {MAX_DEPTH} deep", "write the expression with fewer brackets")
        elif op in (")", "]"):
            if not stack:
                src.fail(i, f"`{op}` has no opening `{'(' if op == ')' else '['}`", "remove it or add the opening bracket")
            open_ch, at = stack.pop()
            if _CLOSE[open_ch] != op:
                src.fail(i, f"`{op}` closes the `{open_ch}` at {src.where(at)}", f"write `{_CLOSE[open_ch]}`")
        out.append(_Tok("op", op, i, space))
        i += width
    if stack:
        open_ch, at = stack[-1]
        src.fail(at, f"`{open_ch}` is never closed", f"add `{_CLOSE[open_ch]}`")
    out.append(_Tok("eof", "", len(text)))
    return out


def _bad_character(src: _Source, i: int):
    ch = src.text[i]
    if ch == "\\":
        src.fail(i, "LaTeX commands are not read here", "write beta or β, not \\beta")
    if ch in "{}":
        src.fail(i, f"`{ch}` is not part of this notation", "write the step in brackets, m[t+1], not m_{t+1}")
    if ch == ".":
        src.fail(i, "`.` is not part of a name here (no np.sqrt or math.sqrt)", "write plain names and sqrt(...)")
    if ch == '"' or ch == "`":
        src.fail(i, f"`{ch}` is not part of this notation", "write the equations without quotes inside them")
    src.fail(i, f"unexpected character `{ch}`", "use names, numbers, + - * / ^ ( ) [ ] = , ; and '")


# -- syntax tree -------------------------------------------------------------------------------------------
# ("num", Rational, pos) ("name", str, pos) ("at", name, index-node, pos) ("prime", name, pos)
# ("call", name, [args], pos) ("neg", a, pos) ("+"/"-"/"*"/"/"/"^", a, b, pos)


class _Parser:
    def __init__(self, src: _Source, toks: list[_Tok]):
        self.src, self.toks, self.i = src, toks, 0

    def peek(self, k: int = 0) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> _Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def at_op(self, *ops) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in ops

    def expect(self, op: str, fix: str):
        tok = self.peek()
        if not (tok.kind == "op" and tok.text == op):
            self.src.fail(tok.pos, f"expected `{op}` here, found {_describe(tok)}", fix)
        return self.next()

    def stops(self) -> bool:
        tok = self.peek()
        return tok.kind in ("end", "eof") or (tok.kind == "op" and tok.text in (")", "]", ",", "=", ":"))

    def expr(self):
        node = self.term()
        while self.at_op("+", "-"):
            op = self.next()
            self._operand_follows(op)
            node = (op.text, node, self.term(), op.pos)
        return node

    def _operand_follows(self, op: _Tok):
        tok = self.peek()
        if tok.kind in ("end", "eof") or (tok.kind == "op" and tok.text in (")", "]", ",", "=")):
            self.src.fail(tok.pos if tok.kind != "eof" else op.pos, f"the expression ends after `{op.text}`",
                          "complete it or remove the operator")

    def term(self):
        node = self.unary()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("*", "/"):
                self.next()
                self._operand_follows(tok)
                node = (tok.text, node, self.unary(), tok.pos)
            elif tok.kind in ("num", "name") or (tok.kind == "op" and tok.text == "("):
                node = ("*", node, self.power(), tok.pos)  # juxtaposition: `lr g[t]`, `(1 - beta) z`
            else:
                return node

    def unary(self):
        if self.at_op("-", "+"):
            op = self.next()
            self._operand_follows(op)
            inner = self.unary()
            return ("neg", inner, op.pos) if op.text == "-" else inner
        return self.power()

    def power(self):
        base = self.postfix()
        if self.at_op("^", "**"):
            op = self.next()
            self._operand_follows(op)
            return ("^", base, self.unary(), op.pos)
        return base

    def postfix(self):
        node = self.atom()
        if self.at_op("'"):
            tok = self.next()
            if node[0] != "name":
                self.src.fail(tok.pos, "a prime `'` follows a plain name (x' is x[t+1])", "write x' or x[t+1]")
            if self.at_op("'"):
                self.src.fail(self.peek().pos, "x'' would be two steps ahead", "a step gives the next value, x' = x[t+1]")
            node = ("prime", node[1], node[2])
        return node

    def atom(self):
        tok = self.next()
        if tok.kind == "num":
            return ("num", _number(tok.text), tok.pos)
        if tok.kind == "name":
            if self.at_op("["):
                return self._index(tok)
            if self.at_op("(") and not self.peek().space_before:
                return self._call(tok)
            return ("name", tok.text, tok.pos)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.expect(")", "close the parenthesis")
            return inner
        self._unexpected(tok)

    def _index(self, name_tok: _Tok):
        open_tok = self.next()
        if self.at_op("]"):
            self.src.fail(open_tok.pos, f"`{name_tok.text}[]` has no step", f"write {name_tok.text}[t]")
        index = self.expr()
        self.expect("]", f"write {name_tok.text}[t], {name_tok.text}[t+1] or {name_tok.text}[t-1]")
        return ("at", name_tok.text, index, name_tok.pos)

    def _call(self, name_tok: _Tok):
        self.next()
        args = []
        if self.at_op(")"):
            self.src.fail(self.peek().pos, f"`{name_tok.text}()` has no argument", f"write {name_tok.text}(w[t])")
        while True:
            args.append(self.expr())
            if self.at_op(","):
                self.next()
                continue
            self.expect(")", "close the parenthesis")
            return ("call", name_tok.text, args, name_tok.pos)

    def _unexpected(self, tok: _Tok):
        if tok.kind in ("end", "eof"):
            self.src.fail(tok.pos, "an expression is missing here", "write one, e.g. beta*m[t] + g[t]")
        if tok.text == "==":
            self.src.fail(tok.pos, "`==` is a comparison", "an equation is written with one `=`: m[t+1] = ...")
        if tok.text in ("+=", "-=", "*=", "/="):
            self.src.fail(tok.pos, f"`{tok.text}` is Python's in-place update", "write the next value: w[t+1] = w[t] - ...")
        if tok.text == "<-":
            self.src.fail(tok.pos, "`<-` (an in-place assignment) is not read", "write the next value with its step: m[t+1] = ...")
        if tok.text == "=":
            self.src.fail(tok.pos, "a second `=` in one equation", "separate equations with `;` or a new line")
        self.src.fail(tok.pos, f"unexpected {_describe(tok)}", "check the expression around it")


def _describe(tok: _Tok) -> str:
    return {"end": "the end of the equation", "eof": "the end of the text"}.get(tok.kind, f"`{tok.text}`")


def _number(text: str) -> sp.Rational:
    frac = Fraction(text)
    return sp.Rational(frac.numerator, frac.denominator)


# -- statements --------------------------------------------------------------------------------------------


@dataclass
class _Equation:
    name: str
    pos: int
    lhs_offset: int | None  # +1 (x[t+1], x'), 0 (x[t]), None (a bare name)
    rhs: tuple
    define: bool


@dataclass
class _Text:
    equations: list = field(default_factory=list)
    query: tuple | None = None  # (name, pos)
    evaluate: tuple | None = None
    start: list = field(default_factory=list)  # (lhs node, value node)
    values: list = field(default_factory=list)  # (lhs node, value node, source)
    step_names: list = field(default_factory=list)  # (name, pos) of every step index met


def _statements(toks: list[_Tok]) -> list[list[_Tok]]:
    out, cur = [], []
    for tok in toks:
        if tok.kind in ("end", "eof"):
            if cur:
                out.append(cur + [_Tok("end", tok.text, tok.pos)])
            cur = []
        else:
            cur.append(tok)
    return out


def _read(src: _Source) -> _Text:
    toks = _tokens(src)
    statements = _statements(toks)
    if not statements:
        raise EquationError("no equations: write the updates, e.g. \"m[t+1] = beta*m[t] + g[t]; "
                            "w[t+1] = w[t] - lr*m[t+1]\"")
    out = _Text()
    for stmt in statements:
        p = _Parser(src, stmt)
        head = stmt[0]
        if head.kind == "name" and head.text in KEYWORDS and _is_clause(stmt):
            _clause(p, out)
        else:
            _equation(p, out)
    return out


def _is_clause(stmt: list[_Tok]) -> bool:
    """``query = y``, ``start: ...``, ``with ...``, ``define ...`` (a keyword used as a variable is refused later)."""
    head, nxt = stmt[0].text, stmt[1]
    if head == "define":
        return nxt.kind == "name"
    if head in ("start", "init", "with"):
        return not (nxt.kind == "op" and nxt.text in ("[", "'", "*", "+", "-", "/", "^", "**"))
    return nxt.kind == "op" and nxt.text in ("=", ":")


def _clause(p: _Parser, out: _Text):
    head = p.next()
    word = head.text
    if word == "define":
        _equation(p, out, define=True)
        return
    if word in ("query", "evaluate"):
        p.next()  # = or :
        tok = p.next()
        if tok.kind != "name":
            p.src.fail(tok.pos, f"{word} names a state or a definition", f"write {word}=y")
        if p.at_op("["):  # query = y[t]
            node = p._index(tok)
            if node[2] != ("name", node[2][1], node[2][2]):
                p.src.fail(tok.pos, f"{word} is a variable at step t", f"write {word}={tok.text}")
        if p.peek().kind != "end":
            p.src.fail(p.peek().pos, f"{word} takes one name", f"write {word}={tok.text}")
        setattr(out, word, (tok.text, tok.pos))
        return
    if p.at_op(":", "="):
        p.next()
    if p.peek().kind == "end":
        p.src.fail(head.pos, f"`{word}` lists nothing", f"write e.g. {word} {'w[1]=theta0, m[1]=0' if word != 'with' else 'beta=0.9'}")
    while True:
        lhs = p.postfix()
        if lhs[0] not in ("name", "at"):
            p.src.fail(lhs[-1], f"`{word}` gives values of names", "write NAME=VALUE")
        p.expect("=", f"write {_name_of(lhs)}=VALUE")
        value = p.expr()
        (out.values if word == "with" else out.start).append((lhs, value, p.src))
        if p.at_op(","):
            p.next()
            continue
        if p.peek().kind != "end":
            p.src.fail(p.peek().pos, f"unexpected {_describe(p.peek())} in `{word}`", "separate the entries with `,`")
        return


def _name_of(node) -> str:
    return node[1] if node[0] in ("name", "at", "prime") else "NAME"


def _equation(p: _Parser, out: _Text, define: bool = False):
    stmt = p.toks
    if not any(t.kind == "op" and t.text in ("=", ":=") for t in stmt):
        bad = next((t for t in stmt if t.kind == "op" and t.text in ("==", "+=", "-=", "*=", "/=", "<-")), None)
        if bad is not None:
            p._unexpected(bad)
        p.src.fail(stmt[0].pos, "this equation has no `=`",
                   "write an update x[t+1] = ... or a definition y = ... (separate equations with `;`)")
    lhs = p.postfix()
    if not p.at_op("=", ":="):
        tok = p.peek()
        if tok.kind == "op" and tok.text in ("==", "+=", "-=", "*=", "/=", "<-"):
            p._unexpected(tok)
        p.src.fail(stmt[0].pos, "the left side is not one variable",
                   "solve for the new value: x[t+1] = ... (an update) or y = ... (a definition)")
    eq_tok = p.next()
    if p.peek().kind == "end":
        p.src.fail(eq_tok.pos, "the right side is missing", "write an expression after `=`")
    rhs = p.expr()
    if p.peek().kind != "end":
        p._unexpected(p.peek())
    kind = lhs[0]
    if kind == "at":
        out.step_names += _step_names(lhs[2])
    out.equations.append(_Equation(_name_of(lhs), lhs[-1], None if kind == "name" else 1 if kind == "prime" else lhs[2],
                                   rhs, define))
    _collect_steps(rhs, out)


def _step_names(index) -> list:
    if index[0] == "name":
        return [(index[1], index[2])]
    if index[0] in ("+", "-", "*", "/", "^"):
        return _step_names(index[1]) + _step_names(index[2])
    if index[0] == "neg":
        return _step_names(index[1])
    return []


def _collect_steps(node, out: _Text):
    if node[0] == "at":
        out.step_names += _step_names(node[2])
    elif node[0] == "call":
        for a in node[2]:
            _collect_steps(a, out)
    elif node[0] == "neg":
        _collect_steps(node[1], out)
    elif node[0] in ("+", "-", "*", "/", "^"):
        _collect_steps(node[1], out)
        _collect_steps(node[2], out)


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
        from .validate import RESERVED

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


# -- the method --------------------------------------------------------------------------------------------


def read_text(arg: str) -> str:
    """The equations of a command-line argument: the text itself, or ``@FILE``'s contents."""
    if arg.startswith("@"):
        path = arg[1:]
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except FileNotFoundError:
            raise EquationError(f"{arg}: no such file; check the path (or give the equations themselves)") from None
        except (OSError, UnicodeDecodeError) as err:
            raise EquationError(f"{arg}: cannot read it ({err}); give a UTF-8 text file") from None
    return arg


def parse_method(text: str, *, name: str | None = None, values: dict | None = None, label: str = "") -> Method:
    """The :class:`Method` that the equations ``text`` declare (see the module docstring for the notation).

    ``name``: the method's key (default ``"equations"``); ``values``: ``{"beta": "0.9", "eta": "1/t"}``, text
    values as ``--set`` gives them (over the text's own ``with`` clause); ``label`` prefixes positions in error
    messages.  Raises :class:`EquationError` (one line: the problem, where, the fix)."""
    if not isinstance(text, str):
        raise EquationError(f"the equations are a {type(text).__name__}; give them as text")
    src = _Source(text, label)
    b = _Builder(src, _read(src), name, values)
    return _build(b, text)


def _build(b: _Builder, text: str) -> Method:
    src, s = b.src, b.step
    # every right side, in the authors' order (definitions first: an update may read them)
    bodies = {n: b.sym(eq.rhs, None) for n, eq in b.defs.items()}
    rhs = {n: b.sym(b.updates[n].rhs, n) for n in b.order}
    if not b.reads_gradient:
        raise EquationError(f"{src.where(b.updates[b.order[0]].pos)}: the equations never read a gradient; write "
                            f"g[{s}] (the gradient at the query point) or grad(w[{s}]) in an update")
    lags = _lags(b)
    query = _query(b, bodies, rhs, lags)
    updates = []
    for n in b.order:
        updates.append(sp.Eq(sp.Function(n)(t + 1), _lagged(_gradients(rhs[n], query, b, bodies), lags)))
    for n, lag in lags.items():
        updates.append(sp.Eq(lag(t + 1), sp.Function(n)(t)))
    define = {sp.Function(n): _lagged(_gradients(v, query, b, bodies), lags) for n, v in bodies.items()}
    if query.__name__ not in b.defs and query.__name__ not in b.updates:  # grad(w + mu v): a new definition
        define[query] = _lagged(b._query_body, lags)
    state = tuple(sp.Function(n) for n in b.order) + tuple(lags.values())
    evaluate = None
    if b.text.evaluate is not None:
        nm, pos = b.text.evaluate
        if nm not in b.updates and nm not in b.defs:
            src.fail(pos, f"evaluate {nm} is not a state or a definition",
                     f"use one of {', '.join(list(b.order) + list(b.defs))}")
        evaluate = sp.Function(nm)
    t0, init = _start(b, state, updates, define, query, lags)
    constants, schedules, defaults = _values(b)
    method = Method(key=b.key, name=b.key, reference="declared in one line", section="--",
                    summary="; ".join(" ".join(line.split()) for line in re.split(r"[;\n]", _no_comments(text))
                                       if line.strip()),
                    state=state, updates=tuple(updates), query=query, init=init, t0=t0, define=define,
                    evaluate=evaluate, constants=constants, schedules=schedules, defaults=defaults)
    _checked(method)
    return method


def _no_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


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


def _query(b: _Builder, bodies, rhs, lags):
    """The function at which step t takes its gradient: the ``query`` clause, the point of ``grad(...)``, or the
    one point of the state (:func:`_points`)."""
    src, s = b.src, b.step
    names = list(b.order) + list(b.defs)
    clause = None
    if b.text.query is not None:
        nm, pos = b.text.query
        if nm not in b.updates and nm not in b.defs:
            src.fail(pos, f"query {nm} is not a state or a definition", f"use one of {', '.join(names)}")
        clause = sp.Function(nm)
    calls = [(p, pos) for p, pos in b.grad_calls if not _at_previous(p, b)]
    b._query_body = None
    for point, pos in b.grad_calls:
        if not any(isinstance(a, AppliedUndef) and (a.func.__name__ in b.updates or a.func.__name__ in b.defs)
                   for a in sp.sympify(point).atoms(AppliedUndef)):
            src.fail(pos, f"the gradient is taken at {_show(point, b.step)}, which is not a point of the equations (no state "
                          f"or definition in it)", f"take it at a state, grad(w[{s}]), or at a defined point (y = ...)")
    if clause is None and calls:
        point, pos = calls[0]
        clause = _named_point(point, b, bodies)
        if clause is None:
            _check_point(point, pos, b)
            nm = next(n for n in ("y", "q", "q1", "q2", "q3") if n not in set(names) | set(b.constants) | set(b.schedules))
            clause = sp.Function(nm)
            b._query_body = point
            bodies = {**bodies, nm: point}
    if clause is None:
        clause = _default_query(b, bodies, rhs, lags)
    b._bodies = {**bodies}
    target = _expanded(clause(t), bodies)
    for point, pos in b.grad_calls:
        here = _expanded(point, bodies)
        if _zero(here - target) or _zero(here - target.subs(t, t - 1)):
            continue
        where = b.text.query and "the query clause" or f"the first gradient's point"
        src.fail(pos, f"this gradient is taken at {_show(point, b.step)}, not at the query point {clause.__name__} "
                      f"({where})", "a step takes one gradient, at one point: write every gradient at it "
                                    f"(or g[{s}])")
    return clause


def _at_previous(point, b: _Builder) -> bool:
    return any(isinstance(a, AppliedUndef) and a.args and sp.sympify(a.args[0] - t) == -1
               and (a.func.__name__ in b.updates or a.func.__name__ in b.defs) for a in sp.sympify(point).atoms(AppliedUndef))


def _check_point(point, pos, b: _Builder):
    for a in sp.sympify(point).atoms(AppliedUndef):
        if a.func.__name__ in b.updates and sp.sympify(a.args[0] - t) != 0:
            s = b.step
            b.src.fail(pos, f"the gradient is taken at {_show(point, b.step)}, which reads {a.func.__name__} after the step",
                       f"step {s} takes its gradient before it updates: write the point at {s}, e.g. grad({a.func.__name__}[{s}])")


def _named_point(point, b: _Builder, bodies):
    """The state or definition that ``point`` is (None if it is another expression)."""
    if isinstance(point, AppliedUndef) and point.args == (t,) and (point.func.__name__ in b.updates
                                                                   or point.func.__name__ in b.defs):
        return point.func
    here = _expanded(point, bodies)
    for n in list(b.defs):
        if _zero(here - _expanded(sp.Function(n)(t), bodies)):
            return sp.Function(n)
    return None


def _step_maps(b: _Builder, rhs: dict, bodies: dict, lags: dict) -> dict:
    """Each state at t + 1 as an expression of the state at t and the gradients (earlier updates substituted)."""
    out = {}
    for n in b.order:
        e = _expanded(rhs[n], bodies).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT,
                                              lambda e: g(t))
        e = e.xreplace({sp.Function(k)(t + 1): v for k, v in out.items()})
        out[n] = _lagged(e, lags)
    for n, lag in lags.items():
        out[lag.__name__] = sp.Function(n)(t)
    return out


def _points(maps: dict, query_expr, names: list[str]) -> list[frozenset]:
    """The sets P of states ("points") for which shifting every point by the same vector shifts the whole
    trajectory: in every update the coefficients of the points sum to 1 for a point and to 0 for any other
    state, and (with ``query_expr``) the query point's coefficients of the points sum to 1.  Checked exactly
    (every coefficient is a rational function of the hyperparameters); up to 10 states are tried."""
    if len(names) > 10:
        return []
    coeff = {n: {m: sp.diff(maps[n], sp.Function(m)(t)) for m in names} for n in names}
    q = {m: sp.diff(query_expr, sp.Function(m)(t)) for m in names} if query_expr is not None else None
    out = []
    for r in range(1, len(names) + 1):
        for subset in combinations(names, r):
            pts = set(subset)
            if q is not None and not _zero(sum(q[m] for m in pts) - 1):
                continue
            if all(_zero(sum(coeff[n][m] for m in pts) - (1 if n in pts else 0)) for n in names):
                out.append(frozenset(pts))
    return out


def _default_query(b: _Builder, bodies, rhs, lags):
    src, s = b.src, b.step
    maps = _step_maps(b, rhs, bodies, lags)
    names = list(b.order) + [lag.__name__ for lag in lags.values()]
    labellings = [p & set(b.order) for p in _points(maps, None, names)]
    candidates = set().union(*labellings)
    if len(labellings) == 1 and len(labellings[0]) == 1:
        return sp.Function(next(iter(labellings[0])))
    options = ", ".join(list(b.order) + list(b.defs))
    pos = b.updates[b.order[0]].pos
    why = (f"the state has several points ({', '.join(sorted(candidates))})" if len(candidates) > 1 else
           "no state is the one point that moves with the iterate")
    src.fail(pos, f"g[{s}] does not say where the gradient is taken: {why}",
             f"add query=NAME (one of {options}) or write the gradient at its point, grad(w[{s}])")


def _gradients(expr, query, b: _Builder, bodies):
    """``grad(P)`` -> ``g(t)`` at the query point, ``g(t - 1)`` at its previous value."""
    target = _expanded(query(t), {**bodies, **({query.__name__: b._query_body} if b._query_body is not None else {})})

    def at(e):
        here = _expanded(e.args[0], b._bodies)
        return g(t) if _zero(here - target) else g(t - 1)

    return sp.sympify(expr).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT, at)


def _start(b: _Builder, state, updates, define, query, lags):
    """``t0`` and the start of every state: the ``start`` clause, then the rule for the others."""
    src, s = b.src, b.step
    entries = []
    for lhs, value, _ in b.text.start:
        nm, pos = lhs[1], lhs[-1]
        lag_of = next((n for n, lag in lags.items() if lag.__name__ == nm), None)
        if nm not in b.updates and lag_of is None:
            what = "a definition (it follows from the state)" if nm in b.defs else "not a state"
            src.fail(pos, f"start gives {nm}, which is {what}", f"give the states' starts: {', '.join(b.order)}")
        if lhs[0] == "at":
            kind, k = b._offset(lhs[2], nm)
            if kind != "abs":
                src.fail(pos, f"start gives {nm} at a step number", f"write {nm}[1] = ...")
        elif lhs[0] == "prime":
            src.fail(pos, "start gives the first values", f"write {nm}[1] = ...")
        else:
            k = None
        entries.append((nm, lag_of, k, _start_value(value, b), pos))
    steps = [(k + 1 - b.shift[nm]) if lag_of is None else k for nm, lag_of, k, _, _ in entries if k is not None]
    t0 = max(steps) if steps else 1
    init, given = {}, {}
    for nm, lag_of, k, value, pos in entries:
        at = t0 if k is None else (k + 1 - b.shift[nm] if lag_of is None else k)
        target = sp.Function(nm) if lag_of is None else lags[lag_of]
        if lag_of is None and at == t0 - 1 and nm in lags:
            target, at = lags[nm], t0
        if at != t0:
            first = t0 - 1 + b.shift[nm] if lag_of is None else t0
            src.fail(pos, f"start gives {nm}[{k}], but the first step is {t0}", f"write {nm}[{first}] = ...")
        if target.__name__ in given:
            src.fail(pos, f"start gives {target.__name__} twice", "give each start once")
        given[target.__name__] = value
    missing = [f for f in state if f.__name__ not in given]
    if missing:
        rule = _start_rule(b, updates, define, query, lags)
        for f in missing:
            lag_of = next((n for n, lag in lags.items() if lag is f), None)
            if lag_of is not None:
                given[f.__name__] = given.get(lag_of, rule(lag_of))
            else:
                given[f.__name__] = rule(f.__name__)
    for f in state:
        init[f(t0)] = given[f.__name__]
    return t0, init


def _start_rule(b: _Builder, updates, define, query, lags):
    """The start of a state the ``start`` clause does not give: ``theta0`` for a point, 0 otherwise (the one
    set of points of :func:`_points`); without exactly one such set, the query state at ``theta0`` and every
    other state at 0 (a query point that is a definition then needs the clause)."""
    bodies = {f.__name__: body for f, body in define.items()}
    maps = {}
    for u in updates:
        e = _expanded(u.rhs, bodies).xreplace({f(t + 1): v for f, v in ((sp.Function(k), v) for k, v in maps.items())})
        maps[u.lhs.func.__name__] = e
    names = [u.lhs.func.__name__ for u in updates]
    sets = _points(maps, _expanded(query(t), bodies), names)
    if len(sets) == 1:
        points = sets[0]
        return lambda n: theta0 if n in points else sp.Integer(0)
    if query.__name__ in b.updates:
        return lambda n: theta0 if n == query.__name__ else sp.Integer(0)
    s = b.step
    raise EquationError(f"{b.src.where(b.updates[b.order[0]].pos)}: the start of {', '.join(b.order)} does not "
                        f"follow from the equations (the query point {query.__name__} is a definition); give it: "
                        f"start: {', '.join(f'{n}[1] = theta0' for n in b.order)} (or 0 for a velocity)")


def _start_value(node, b: _Builder):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        if node[1] in THETA0:
            return theta0
        if node[1] in b.constants:
            return b.constants[node[1]]
        b.src.fail(node[2], f"a start is a multiple of theta0, and {node[1]} is not a constant of the equations",
                   "write e.g. theta0 or 0")
    if kind == "neg":
        return -_start_value(node[1], b)
    if kind in ("*", "/", "+", "-"):
        x, y = _start_value(node[1], b), _start_value(node[2], b)
        return {"*": x * y, "/": x / y if y != 0 else sp.nan, "+": x + y, "-": x - y}[kind]
    b.src.fail(node[-1], "a start is a multiple of theta0", "write e.g. w[1] = theta0, m[1] = 0")


# -- values ------------------------------------------------------------------------------------------------


def _values(b: _Builder):
    """Every constant's number and every schedule's expression of t: the ``with`` clause, then ``values``."""
    src, s = b.src, b.step
    given: dict[str, tuple] = {}  # name -> (node, source, pos)
    for lhs, value, vsrc in b.text.values:
        nm = lhs[1]
        if lhs[0] == "at":
            kind, k = b._offset(lhs[2], nm)
            if (kind, k) != ("rel", 0):
                vsrc.fail(lhs[-1], f"with gives {nm} at {s}", f"write {nm}[{s}] = ... (a schedule as an expression of {s})")
            if nm in b.constants:
                vsrc.fail(lhs[-1], f"{nm} is a constant of the equations, not a schedule", f"write {nm} = VALUE")
        if nm in given:
            vsrc.fail(lhs[-1], f"with gives {nm} twice", "give each value once")
        given[nm] = (value, vsrc, lhs[-1])
    for nm, raw in (b.values or {}).items():
        vsrc = _Source(str(raw), f"--set {nm}={raw}")
        toks = _tokens(vsrc)
        stmts = _statements(toks)
        if len(stmts) != 1:
            raise EquationError(f"--set {nm}={raw}: give one value (a number, or for a schedule an expression of {s})")
        p = _Parser(vsrc, stmts[0])
        node = p.expr()
        if p.peek().kind != "end":
            p._unexpected(p.peek())
        given[nm] = (node, vsrc, 0)
    known = set(b.constants) | set(b.schedules)
    # schedules first: their expressions may name parameters (a warmup length), which then need values too
    defaults, params = {}, {}
    for nm, f in b.schedules.items():
        if nm in given:
            node, vsrc, pos = given[nm]
            defaults[f] = _value_expr(node, vsrc, b, params, schedule=True)
    for nm in list(b.constants) + list(params):
        if nm in given:
            node, vsrc, pos = given[nm]
            v = _value_expr(node, vsrc, b, params, schedule=False)
            if not (v.is_number and v.is_real and v.is_finite):
                vsrc.fail(pos, f"the value of {nm} is {sp.sstr(v)}, not a number",
                          f"give {nm} one number (exact: 0.9 is 9/10)")
            defaults[b.constants.get(nm) or params[nm]] = v
    unknown = [nm for nm in given if nm not in known and nm not in params]
    if unknown:
        nm = unknown[0]
        node, vsrc, pos = given[nm]
        names = ", ".join(sorted(known | set(params))) or "none"
        what = "a state or a definition (it follows from the equations)" if nm in b.updates or nm in b.defs else \
            "not a name of the equations"
        raise EquationError(f"{vsrc.where(pos) if vsrc.label else src.where(pos)}: {nm} is {what}; values are for "
                            f"constants and schedules ({names})")
    missing = [nm for nm in list(b.constants) + list(b.schedules) + list(params)
               if (b.constants.get(nm) or b.schedules.get(nm) or params.get(nm)) not in defaults]
    if missing:
        sets = " ".join(f"--set {n}={'EXPR' if n in b.schedules else 'VALUE'}" for n in missing)
        sched = [n for n in missing if n in b.schedules]
        hint = f" (a schedule's value is an expression of {s}, e.g. 1/{s} or 0.1)" if sched else ""
        raise EquationError(f"{' and '.join([', '.join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)} "
                            f"{'has' if len(missing) == 1 else 'have'} no value: add {sets}{hint}, or "
                            f"`with {', '.join(f'{n}=...' for n in missing)}` at the end of the equations",
                            missing=tuple(missing))
    return tuple(b.constants.values()), tuple(b.schedules.values()), defaults


def _value_expr(node, vsrc: _Source, b: _Builder, params: dict, schedule: bool):
    kind = node[0]
    rec = lambda n: _value_expr(n, vsrc, b, params, schedule)  # noqa: E731
    if kind == "num":
        return node[1]
    if kind == "neg":
        return -rec(node[1])
    if kind in ("+", "-", "*", "/", "^"):
        x, y = rec(node[1]), rec(node[2])
        if kind == "/" and y == 0:
            vsrc.fail(node[3], "division by zero", "check the value")
        if kind == "^":
            _check_power(x, y, node[3], vsrc)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "^": lambda: x ** y}[kind]()
    if kind == "call" and node[1] in FUNCTIONS:
        fn, _ = FUNCTIONS[node[1]]
        return fn(*[rec(a) for a in node[2]])
    if kind == "name":
        nm = node[1]
        if nm == b.step:
            if not schedule:
                vsrc.fail(node[2], f"a constant's value cannot depend on the step {nm}",
                          f"write {nm} in a schedule's value (name[{nm}] in the equations)")
            return t
        if not schedule:
            vsrc.fail(node[2], f"a constant's value is a number, not {nm}", "write a number, e.g. 0.9")
        if nm in b.constants:
            return b.constants[nm]
        if nm in b.schedules or nm in b.updates or nm in b.defs or nm in THETA0 or nm == "g":
            vsrc.fail(node[2], f"a schedule's value may use the step, numbers and constants, not {nm}",
                      f"write an expression of {b.step}, e.g. 1/{b.step}")
        b._reserved(nm, node[2])
        return params.setdefault(nm, sp.Symbol(nm))
    vsrc.fail(node[-1], "a value is a number (or, for a schedule, an expression of the step)",
              f"write e.g. 0.9 or 1/{b.step}")


def _checked(method: Method) -> None:
    """The declaration's own checks (:func:`equivalences.registry.checked`), in the notation's words."""
    from .registry import BadModule, checked

    try:
        checked(method, "the equations")
    except BadModule as err:
        raise EquationError(str(err)) from None


# -- the Python declaration ----------------------------------------------------------------------------


_MODULE_NAMES = {"sp", "t", "g", "theta0", "Method", "state", "METHOD", "Eq", "Function", "Symbol", "Rational",
                 "Min", "Max", "sqrt"}


class _PyPrinter(StrPrinter):
    """SymPy's text with exact numbers (``Rational(9, 10)``, never ``9/10``, which Python would divide)."""

    def __init__(self, names: dict):
        super().__init__()
        self.names = names

    def _print_Rational(self, expr):
        return f"Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return "Rational(1, 2)"

    def _print_Symbol(self, expr):
        return "theta0" if expr == theta0 else self.names.get(expr.name, expr.name)

    def _print_Function(self, expr):
        if isinstance(expr, AppliedUndef):
            return f"{self.names.get(expr.func.__name__, expr.func.__name__)}({self.stringify(expr.args, ', ')})"
        return super()._print_Function(expr)


def _py(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) or name in _MODULE_NAMES else name


def module_source(method: Method, text: str | None = None) -> str:
    """A Python module declaring ``method`` (``METHOD``), which ``verify --module`` accepts: the same
    declaration, to grow (claims, domains) as in docs/declaring-a-method.md."""
    names = {}
    for f in (*method.state, *method.define, *method.schedules):
        names[f.__name__] = _py(f.__name__)
    symbols = list(method.constants) + [k for k in method.defaults if isinstance(k, sp.Symbol) and k not in method.constants]
    for s in symbols:
        names[s.name] = _py(s.name)
    pr = _PyPrinter(names)
    p = pr.doprint
    state_names = [names[f.__name__] for f in method.state]
    lines = ['"""' + f"{method.key}: declared in one line with `verify --equations`.", ""]
    for part in (text or method.summary).strip().splitlines():
        lines.append("    " + part.rstrip())
    lines += ["", "Written by `verify --equations ... --print-module`; grow it as in docs/declaring-a-method.md.",
              '"""', "from sympy import Eq, Function, Max, Min, Rational, Symbol, sqrt  # noqa: F401", "",
              "from equivalences.declare import Method, state",
              "from equivalences.symbols import g, t, theta0  # noqa: F401", ""]
    lines.append(f"{', '.join(state_names)}{',' if len(state_names) == 1 else ''} = state({' '.join(f.__name__ for f in method.state)!r})")
    for f in (*method.define, *method.schedules):
        lines.append(f"{names[f.__name__]} = Function({f.__name__!r})")
    for s in symbols:
        lines.append(f"{names[s.name]} = Symbol({s.name!r})")
    tup = lambda items: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # noqa: E731
    lines += ["", "METHOD = Method("]
    for fld in ("key", "name", "reference", "section", "summary"):
        lines.append(f"    {fld}={getattr(method, fld)!r},")
    lines.append(f"    state={tup(state_names)},")
    lines.append("    updates=(")
    for u in method.updates:
        lines.append(f"        Eq({p(u.lhs)}, {p(u.rhs)}),")
    lines.append("    ),")
    if method.define:
        lines.append("    define={" + ", ".join(f"{names[f.__name__]}: {p(v)}" for f, v in method.define.items()) + "},")
    lines.append(f"    query={names[method.query.__name__]},")
    if method.evaluate is not None:
        lines.append(f"    evaluate={names[method.evaluate.__name__]},")
    lines.append("    init={" + ", ".join(f"{p(k)}: {p(v)}" for k, v in method.init.items()) + "},")
    lines.append(f"    t0={method.t0},")
    lines.append(f"    constants={tup([names[s.name] for s in method.constants])},")
    lines.append(f"    schedules={tup([names[f.__name__] for f in method.schedules])},")
    lines.append("    defaults={" + ", ".join(f"{names[k.name if isinstance(k, sp.Symbol) else k.__name__]}: {p(v)}"
                                          for k, v in method.defaults.items()) + "},")
    lines.append(")")
    return "\n".join(lines) + "\n"
