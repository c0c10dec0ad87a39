"""The appendix's LaTeX printer: signs absorbed, sums and products laid out and broken over lines, and its check."""
from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ...algebra import canonical
from ...chains import collect, signed_factors, unlag
from ...declare import Method, is_transform_application
from ...printing import TexPrinter
from ...prose_tex import tex_prose
from ...symbols import m, t, theta0, w
from ...system import StepSystem
from .width import CONTINUED, WIDTH, tex_width


# -- text ------------------------------------------------------------------------
def tex_text(s: str) -> str:
    """Plain text from a declaration or the engine as LaTeX text, its formulas as math
    (:func:`equivalences.prose_tex.tex_prose`: ``0 <= t`` -> ``$0 \\le t$``, ``beta_a`` -> ``$\\beta_{a}$``)."""
    return tex_prose(str(s))


# -- expressions ----------------------------------------------------------------------
def _negative(x) -> bool:
    if x.is_Number:
        return bool(x < 0)
    return isinstance(x, sp.Mul) and bool(signed_factors(x)[0] < 0)


def _negate(x):
    if isinstance(x, sp.Mul):
        coeff, factors = signed_factors(x)
        return sp.Mul(-coeff, *factors, evaluate=False) if coeff != -1 else (
            sp.Mul(*factors, evaluate=False) if len(factors) > 1 else factors[0])
    return -x


def _minus_count(expr) -> int:
    return sum(1 for x in sp.Add.make_args(expr) if _negative(x))


def _absorb_sign(coeff, factors):
    """``-(1 - a) (d - g)`` reads ``(1 - a) (g - d)``: a leading minus goes into a difference factor when
    that adds no minus sign (a difference without a constant first, e.g. ``d - g``)."""
    best = None
    for i, f in enumerate(factors):
        base, e = f.as_base_exp()
        if not isinstance(base, sp.Add) or e not in (1, -1) or _minus_count(-base) > _minus_count(base):
            continue
        rank = 0 if base.as_coeff_Add()[0] == 0 else 1
        if best is None or rank < best[0]:
            best = (rank, i, (-base) ** e)
    if best is None:
        return coeff, factors
    factors = list(factors)
    factors[best[1]] = best[2]
    return -coeff, factors


_UPRIGHT_END = re.compile(r"\\mathrm\{[^{}]*\}(?:_\{[^{}]*\})?$")


class _Layout:
    """How the appendix arranges sums and products, shared by the LaTeX printer and its check.

    Papers write scalars before vectors (``\\gamma_t g_t``), the terms of a sum
    from the oldest step to the newest and in the method's order of variables,
    and ``(1 - c)`` rather than ``-(c - 1)``.  :class:`LayoutCheck` prints the
    same arrangement as a Python expression, so tests can parse it back and
    prove that what the appendix shows is the expression the engine checked.
    """

    def _setup(self, method: Method | None, system: StepSystem | None):
        order = [w, m]
        if method is not None:
            order += [method.query] + list(method.define) + list((system.state if system else method.state))
            order += [method.input] + ([method.evaluate] if method.evaluate else [])
        order += [sp.Function("g")]
        self.rank: dict[str, int] = {}
        for f in order:
            self.rank.setdefault(f.__name__, len(self.rank))

    # tokens, overridden per output language
    def _paren(self, s: str) -> str:
        return r"\left(%s\right)" % s

    def _frac(self, a: str, b: str) -> str:
        return r"\frac{%s}{%s}" % (a, b)

    def _times(self, left: str, right: str) -> str:
        if right[:1].isdigit():
            return left + r" \cdot " + right
        upright = right.startswith(r"\mathrm") or _UPRIGHT_END.search(left)  # mu nesterov, not munesterov
        return left + (r" \, " if upright else " ") + right

    def _key(self, e):
        keys = []
        for a in sp.sympify(e).atoms(AppliedUndef):
            if a.func.__name__ in self.rank and len(a.args) == 1:
                d = sp.sympify(a.args[0]) - t
                keys.append((int(d) if d.is_Integer else 0, self.rank[a.func.__name__]))
            elif is_transform_application(a):
                keys.append((0, len(self.rank)))
        if sp.sympify(e).has(theta0):
            keys.append((0, len(self.rank) + 1))
        return min(keys) if keys else None

    def signed_terms(self, expr) -> list[tuple[str, sp.Expr]]:
        """The terms of a sum in printed order, each as ``(sign, term)`` with the sign taken out
        (``[("", a), ("+ ", b), ("- ", c)]``); one term otherwise."""
        expr = sp.sympify(expr)
        if not isinstance(expr, sp.Add):
            return [("", expr)]
        terms = list(expr.as_ordered_terms())
        last = (10 ** 6, 0)
        keyed = sorted(((self._key(x) or last, i, x) for i, x in enumerate(terms)), key=lambda kx: kx[:2])
        terms = [x for _, _, x in keyed]
        terms = [x for x in terms if not _negative(x)] + [x for x in terms if _negative(x)]
        out = []
        for i, x in enumerate(terms):
            if _negative(x):
                out.append(("- " if i else "-", _negate(x)))
            else:
                out.append(("+ " if i else "", x))
        return out

    def pieces(self, expr) -> list[str]:
        """The terms of a sum as printed, each with its sign (``["a", "+ b", "- c"]``); one piece otherwise."""
        terms = self.signed_terms(expr)
        if len(terms) == 1 and not terms[0][0]:
            return [self._print(terms[0][1])]
        return [sign + self._term(x) for sign, x in terms]

    def _print_Add(self, expr, order=None):
        return " ".join(self.pieces(expr))

    def _term(self, x) -> str:
        return self._paren(self._print(x)) if isinstance(x, sp.Add) else self._print(x)

    def _factor(self, f) -> str:
        if isinstance(f, sp.Add):
            return self._paren(self._print(f))
        return self.parenthesize(f, PRECEDENCE["Mul"])

    def _row(self, fs, bare: bool = True) -> str:
        """Factors side by side; a lone sum is left bare only where nothing multiplies it."""
        if bare and len(fs) == 1 and isinstance(fs[0], sp.Add):
            return self._print(fs[0])
        out = ""
        for f in fs:
            piece = self._factor(f)
            out = self._times(out, piece) if out else piece
        return out

    def _print_Mul(self, expr):
        """Sign first, then a fraction of the scalars, then the vectors: ``-\\frac{c_2}{1 - \\beta} (y - \\beta x)``."""
        coeff, factors = signed_factors(expr)
        if coeff < 0:
            coeff, factors = _absorb_sign(coeff, factors)
        sign = "-" if coeff < 0 else ""
        coeff = abs(coeff)
        num, den = [], []
        for f in factors:
            base, e = f.as_base_exp()
            if e.is_number and e.is_negative:
                den.append(base ** -e)
            else:
                num.append(f)
        if coeff.is_Rational and coeff.q != 1:
            den.insert(0, sp.Integer(coeff.q))
        lead = sp.Integer(coeff.p) if coeff.is_Rational else coeff
        vec = sorted((f for f in num if self._key(f) is not None), key=self._key)
        scal = ([lead] if lead != 1 else []) + [f for f in num if self._key(f) is None]
        scal = [f for f in scal if not isinstance(f, sp.Add)] + [f for f in scal if isinstance(f, sp.Add)]
        if not den:
            return sign + (self._row(scal + vec, bare=not sign) if scal or vec else "1")
        if not scal:
            return sign + self._frac(self._row(vec) if vec else "1", self._row(den))
        frac = self._frac(self._row(scal), self._row(den))
        return sign + (self._times(frac, self._row(vec, bare=False)) if vec else frac)


class AppendixPrinter(_Layout, TexPrinter):
    """The package's LaTeX printer (``c_{t+1}``, ``\\beta_{a,t}``) with the appendix's layout."""

    def __init__(self, method: Method | None = None, system: StepSystem | None = None):
        TexPrinter.__init__(self)
        self._setup(method, system)


class LayoutCheck(_Layout, StrPrinter):
    """The appendix's layout as a Python expression (``(a)/(b)``, ``*``), for parsing back in tests."""

    def __init__(self, method: Method | None = None, system: StepSystem | None = None):
        StrPrinter.__init__(self)
        self._setup(method, system)

    def _paren(self, s: str) -> str:
        return f"({s})"

    def _frac(self, a: str, b: str) -> str:
        return f"({a})/({b})"

    def _times(self, left: str, right: str) -> str:
        return f"{left}*{right}"


def _fill(pieces: list[str], budget: float) -> list[str]:
    """Pieces of a sum joined into lines of about ``budget`` characters."""
    out: list[str] = []
    for piece in pieces:
        if out and tex_width(out[-1] + " " + piece) > budget:
            out.append(piece)
        elif out:
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def _wrap(head: str, inner: list[str]) -> list[str]:
    """``head\\Bigl(`` inner lines ``\\Bigr)``: a factor broken over lines, its parentheses sized by hand
    (``\\left``/``\\right`` cannot span lines)."""
    return [f"{head}\\Bigl({inner[0]}"] + inner[1:-1] + [f"{inner[-1]}\\Bigr)"] if len(inner) > 1 else \
        [f"{head}\\Bigl({inner[0]}\\Bigr)"]


class Tex:
    """Print expressions and mixed reasons for one method."""

    def __init__(self, method: Method | None = None, system: StepSystem | None = None):
        self.printer = AppendixPrinter(method, system)
        self.method, self.system = method, system

    def readable(self, expr):
        """``expr`` collected by state variable and gradient (one coefficient each) when that is the same
        expression; otherwise ``expr`` as it is."""
        if self.method is None or self.system is None:
            return expr
        out = collect(expr, self.method, self.system)
        return out if canonical(out - unlag(sp.sympify(expr), self.system)) == 0 else expr

    def _prepare(self, expr):
        expr = sp.sympify(expr)
        return unlag(expr, self.system) if self.system is not None else expr

    def __call__(self, expr) -> str:
        expr = self._prepare(expr)
        if isinstance(expr, sp.Eq):
            return f"{self(expr.lhs)} = {self(expr.rhs)}"
        return self.printer.doprint(expr)

    def lines(self, expr, budget: float = WIDTH) -> list[str]:
        """``expr`` broken at the signs of its sum into lines of about ``budget`` characters; a term too long
        for a line is broken inside its widest sum (``c \\Bigl(a + b + \\dots\\Bigr)``) or inside the argument
        of a transform (``P_t\\Bigl(\\dots\\Bigr)``), as deep as needed."""
        return self._break(self._prepare(expr), budget)

    def _break(self, expr, budget: float) -> list[str]:
        out: list[str] = []
        for sign, x in self.printer.signed_terms(expr):
            whole = sign + (self.printer._term(x) if sign else self.printer._print(x))
            split = self._split_term(x, budget - tex_width(sign)) if tex_width(whole) > budget else None
            if split is None:
                out = _fill(out + [whole], budget) if out else [whole]
                continue
            split[0] = sign + split[0]
            if out and tex_width(out[-1] + " " + split[0]) <= budget:
                out[-1] += " " + split.pop(0)
            out += split
        return out

    def _split_term(self, x, budget: float) -> list[str] | None:
        """One term (no sign) over several lines, or None when it has nothing to break inside."""
        x = sp.sympify(x)
        if is_transform_application(x):
            head = self.printer._print(x.func(x.args[0], sp.Symbol("X"))).split("\\left(")[0]
            inner = self._break(x.args[1], budget - tex_width(head) - 1)
            return _wrap(head, inner) if len(inner) > 1 else None
        if isinstance(x, sp.Add):
            inner = self._break(x, budget - 1)
            return _wrap("", inner) if len(inner) > 1 else None
        if not isinstance(x, sp.Mul):
            return None
        coeff, factors = signed_factors(x)
        wide = [f for f in factors if isinstance(f, sp.Add) or is_transform_application(f)]
        if not wide:
            return None
        widest = max(wide, key=lambda f: tex_width(self.printer._print(f)))
        rest = [f for f in factors if f is not widest]
        outer = sp.Mul(coeff, *rest, evaluate=False) if rest else coeff
        head = {1: "", -1: "-"}.get(outer) if outer in (1, -1) else self.printer._print(outer) + " "
        if is_transform_application(widest):
            inner = self._split_term(widest, budget - tex_width(head))
            return [head + inner[0]] + inner[1:] if inner else None
        inner = self._break(widest, budget - tex_width(head) - 1)
        return _wrap(head, inner) if len(inner) > 1 else None

    def display(self, lhs, rhs=None, *, budget: float = WIDTH - 2) -> str:
        """``\\[ lhs = rhs \\]`` (or just ``rhs``), split over lines when it is long (the budget leaves room for
        the frame of an erratum box)."""
        head = f"{self(lhs)} = " if rhs is not None else ""
        body = self.lines(lhs if rhs is None else rhs, budget - tex_width(head) - CONTINUED)
        if len(body) == 1:
            return f"\\[ {head}{body[0]} \\]"
        rows = [f"{head}&{body[0]}"] + [f"&\\qquad {b}" for b in body[1:]]
        return "\\[ \\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned} \\]"

    def parts(self, parts) -> str:
        return "".join(tex_text(p) if isinstance(p, str) else f"${self(p)}$" for p in parts)


def _assumptions(tex: Tex, assume: dict) -> str:
    items = []
    for k, v in assume.items():
        lhs = tex(k) if isinstance(k, sp.Symbol) else tex(k(t))
        items.append(f"${lhs} = {tex(v)}$")
    return ", ".join(items)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


# -- a method and the document -----------------------------------------------------------------------
def _label(method: Method) -> str:
    return "oe:" + re.sub(r"[^A-Za-z0-9-]", "-", method.key)


def _sci(x: float) -> str:
    """``1.2e-11`` as ``$1.2 \\cdot 10^{-11}$``."""
    mant, exp = f"{x:.1e}".split("e")
    return f"${mant} \\cdot 10^{{{int(exp)}}}$"
