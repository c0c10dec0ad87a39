"""The grammar: statements, clauses and equations read from the tokens into expression trees."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from ..symbols import t
from .errors import EquationError, _Source
from .tokens import KEYWORDS, _Tok, _tokens


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
