"""A LaTeX appendix generated from the engine's own objects: ``verify appendix -o appendix.tex``.

Every formula is printed from the declaration, the derived map, the proof and
the claim checks -- nothing is typed by hand -- and every ``=`` of a displayed
derivation is a step :mod:`equivalences.chains` had the engine check.
Per method: the update rule as published, the change of variables, the
derivation (induction step), the resulting ``(beta_a, eta_a, alpha_a)``, the
initial state (base case), the degenerate cases, and the paper's printed
statements, each marked as holding or failing, with an erratum (residual and
proved correction) for every failure.

``fragment=True`` gives a body for ``\\input`` into a paper (needs only
``amsmath`` and ``amssymb``, and fits a plain ``article`` with no overfull
box: :data:`WIDTH`); otherwise a standalone document.  Sentences of the
engine are set by :mod:`equivalences.prose_tex` (formulas as math).  The output is
deterministic: no dates, methods in registry order.  This module is symbolic
only and never imports torch.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from .. import registry
from ..algebra import canonical, nice
from ..claim_kinds import kind_of
from ..claims import ClaimResult, specialise
from ..paper_prose import counts
from ..declare import Method, is_transform_application
from ..chains import Chain, collect, derivations, signed_factors, unlag
from ..printing import TexPrinter
from ..prose_tex import tex_prose
from .pipeline import Report, verify
from ..symbols import alpha_a, beta_a, eta_a, gamma_avg, m, t, theta0, w
from ..system import StepSystem

COMMAND = "verify appendix -o docs/appendix.tex"
"""The command that writes the checked-in appendix (tests/test_appendix.py compares against it)."""

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


WIDTH = 54
"""How many :func:`tex_width` units of formula fit on a line of a plain ``article`` (345 pt): measured with
pdflatex on the appendix's own rows, a unit is 5.7 pt on average and at most 6.3 pt."""
CONTINUED = 3.5
"""The indent of a continuation line (``\\qquad``), in the same units."""


def tex_width(s: str) -> float:
    """A rough printed width of a LaTeX formula, in characters: fractions count their wider part,
    sub- and superscripts count less, commands one letter, spacing nothing."""
    s = re.sub(r"\\(left|right|big|Big|bigl|bigr|displaystyle|quad|qquad|enspace)\b", "", s)
    s = re.sub(r"\\operatorname\{([^{}]*)\}", r"\1", s)
    total, i = 0.0, 0
    while i < len(s):
        if s.startswith("\\frac{", i):
            a, i = _group(s, i + 5)
            b, i = _group(s, i)
            total += max(tex_width(a), tex_width(b)) + 0.5
            continue
        ch = s[i]
        if ch in "_^":
            if i + 1 < len(s) and s[i + 1] == "{":
                g, i = _group(s, i + 1)
                total += 0.6 * tex_width(g)
            else:
                total += 0.6
                i += 2
            continue
        if ch == "\\":
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            total += 1 if j > i + 1 else 0
            i = max(j, i + 2) if j == i + 1 else j
            continue
        if ch in "+-=":
            total += 2
        elif ch not in " {}":
            total += 1
        i += 1
    return total


def _group(s: str, i: int) -> tuple[str, int]:
    """The ``{...}`` group starting at ``s[i]``, and the index after it."""
    depth, j = 0, i
    while j < len(s):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return s[i + 1:], len(s)


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


# -- LaTeX blocks -------------------------------------------------------------------------------
MACROS = r"""% Macros of the generated appendix; define them before \input to restyle.
\providecommand{\OEhold}{$\checkmark$}
\providecommand{\OEfail}{\textbf{fails}}
\providecommand{\OEerratum}[2]{\par\medskip\noindent\fbox{\begin{minipage}{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}%
\emergencystretch=3em\textbf{Erratum (#1).}\enspace #2\end{minipage}}\par\medskip}
\providecommand{\OEnote}[2]{\par\smallskip{\emergencystretch=3em\noindent\textit{Note (#1).}\enspace #2\par}\smallskip}
\providecommand{\OEfigure}[3]{\IfFileExists{#1}{\ifdefined\includegraphics\begin{figure}[htbp]\centering
\includegraphics[width=\linewidth]{#1}\caption{#3}\label{#2}\end{figure}\fi}{}}
"""

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\usepackage{graphicx}
\usepackage{xcolor}
\newcommand{\OEhold}{\textcolor{green!50!black}{$\checkmark$}}
\newcommand{\OEfail}{\textcolor{red!70!black}{\textbf{fails}}}
\newcommand{\OEerratum}[2]{\par\medskip\noindent\fcolorbox{red!70!black}{red!4}{%
\begin{minipage}{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}%
\emergencystretch=3em\textcolor{red!70!black}{\textbf{Erratum (#1).}}\enspace #2\end{minipage}}\par\medskip}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex}
\title{Machine-checked equivalences to accelerated SGD}
\author{generated by \texttt{optimizer-equivalences}}
\date{}
\begin{document}
\maketitle
"""

INTRO = r"""\section*{How to read this appendix}
Each method below is shown to be an instance of accelerated SGD, Eq.~(1),
\begin{equation*}
m_{a,t} = \beta_{a,t}\, m_{a,t-1} + g_t, \qquad w_{a,t+1} = w_{a,t} - \eta_{a,t}\, m_{a,t} - \alpha_{a,t}\, g_t,
\end{equation*}
(with $g_t$ replaced by a preconditioned gradient $u_t = P_t(g_t)$, or the step passed through a
coordinate-wise map $P_t$, where a method does so). The state $s_t$ of a method is its state before
step $t$; step $t$ takes the stochastic gradient $g_t$ at the query point and produces $s_{t+1}$.
Hyperparameters that change with the step are written $c_t, \gamma_t, \ldots$ even where the paper
keeps them constant.

The coefficients $(\beta_{a,t}, \eta_{a,t}, \alpha_{a,t})$ and the change of variables are derived,
not assumed, and the derivation is an induction: if $w_{a,t}$ is the method's query point and $m_{a,t}$
is the change of variables at step $t$, one step of the method gives both at $t+1$ (the induction
step), and both hold at the first step (the base case). Every ``$=$'' displayed below was checked by
the engine before it was printed: both sides are rewritten with the method's update equations to the
state at one step and the gradients, and their difference reduces to $0$ in exact rational
arithmetic, so each step holds on every trajectory, for every gradient sequence and every value of
the hyperparameters at which no denominator vanishes (those values are listed as degenerate cases).

The paper's own printed statements are then checked literally, in the paper's setting and, where the
declaration is more general (a learning-rate schedule), in general. A step that holds is marked
\OEhold; a step that fails is marked \OEfail{} and followed by an erratum giving the residual
(left side minus right side, reduced) and, where one exists, a corrected statement, itself proved.
"""


def _rows_align(tex: Tex, rows: list[tuple]) -> str:
    """An ``align*`` of ``(lhs, rhs, tag)`` rows, each right side broken to fit beside the widest left side."""
    left = max((tex_width(lhs) for lhs, _, _ in rows), default=0)
    return _align([r for lhs, rhs, tag in rows for r in _equation_rows(tex, lhs, rhs, tag, left)])


def _align(lines: list[str]) -> str:
    return "\\begin{align*}\n" + "\\\\\n".join(lines) + "\n\\end{align*}\n"


def _tag(text: str) -> str:
    return f"\\tag*{{\\footnotesize {text}}}" if text else "\\notag"


def _equation_rows(tex: Tex, lhs: str, rhs, tag: str, left: float | None = None) -> list[str]:
    """``lhs &= rhs`` rows of an ``align*``, the right side broken when long, the tag on the first row.

    ``left`` is the width of the align's widest left side (the column all rows share; default: this one)."""
    left = tex_width(lhs) if left is None else max(left, tex_width(lhs))
    body = tex.lines(rhs, WIDTH - left - 2 - CONTINUED)
    rows = [f"{lhs} &= {body[0]} {tag}"]
    rows += [f"&\\qquad {b}" for b in body[1:]]
    return rows


def chain_rows(chain: Chain, tex: Tex, left: float | None = None) -> list[str]:
    """The chain as ``align*`` rows: the left side, then one ``&= ...`` per checked step, with its reason."""
    rows = []
    for i, st in enumerate(chain.steps):
        head = tex(chain.lhs) if i == 0 else ""
        rows += _equation_rows(tex, head, st.expr, _tag(tex.parts(st.reason)), left if left else tex_width(tex(chain.lhs)))
    return rows


def chain_tex(*chains: Chain, tex: Tex) -> str:
    """One ``align*`` holding the chains, a little space between them."""
    chains = [c for c in chains if c.steps]
    left = max((tex_width(tex(c.lhs)) for c in chains), default=0)
    blocks = ["\\\\\n".join(chain_rows(c, tex, left)) for c in chains]
    return "\\begin{align*}\n" + "\\\\[1.5ex]\n".join(blocks) + "\n\\end{align*}\n"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _published(method: Method, system: StepSystem, tex: Tex) -> str:
    rows = [(tex(f(t)), body, _tag("definition")) for f, body in method.define.items()]
    rows += [(tex(eq.lhs), eq.rhs, _tag("update")) for eq in method.updates]
    out = _rows_align(tex, rows)
    out += f"The stochastic gradient $g_t$ is taken at ${tex(method.query(t))}$"
    if method.pre is not None:
        out += f" and preconditioned first, ${tex(method.input(t))} = {tex(method.pre(t, sp.Function('g')(t)))}$"
    out += "."
    if method.evaluate is not None:
        out += f" The method is evaluated at ${tex(method.evaluate(t))}$."
    out += (f" It starts at step $t = {method.t0}$ with "
            + ", ".join(f"${tex(sp.Eq(k, v))}$" for k, v in method.init.items()) + ".")
    hyper = [f"${tex(s)}$" for s in method.constants] + [f"${tex(f(t))}$" for f in method.schedules]
    if hyper:
        out += " Hyperparameters: " + ", ".join(hyper) + "."
    if method.paper_setting:
        text = method.paper_setting_text or "the paper's assumptions"
        out += f" The paper's setting: {tex_text(text)}"
        if "=" not in text:
            out += f", that is {_assumptions(tex, dict(method.paper_setting))}"
        out += "."
    return out + "\n"


def _change_of_variables(report: Report, system: StepSystem, tex: Tex) -> str:
    method, mp = report.method, report.map
    q = method.query
    rows = [(tex(w(t)), q(t), _tag("the query point"))]
    if q in method.define:
        rows.append(("", system.expand(q(t)), _tag("")))
    rows.append((tex(m(t)), mp.momentum, _tag("the momentum")))
    return ("The accelerated iterate is the method's query point; the momentum is the combination of the "
            "state that the engine derived (it is not assumed):\n" + _rows_align(tex, rows))


def _map_tex(report: Report, tex: Tex) -> str:
    mp, method = report.map, report.method
    u = method.input
    rows = [(tex(beta_a(t)), mp.beta_a, _tag("")), (tex(eta_a(t)), mp.eta_a, _tag("")),
            (tex(alpha_a(t)), mp.alpha_a, _tag(""))]
    if mp.gamma_avg is not None:
        rows.append((tex(gamma_avg(t)), mp.gamma_avg, _tag("weight of the newest iterate")))
    out = _rows_align(tex, rows)
    if mp.post is not None or mp.K != 1 or method.pre is not None:
        inner = eta_a(t) * m(t) + alpha_a(t) * u(t)
        step = mp.post(t, inner) if mp.post is not None else inner
        update = (f"{tex(w(t))} - {tex(mp.K)} \\, {tex(step)}" if mp.K != 1 else tex(w(t) - step))
        out += ("in the form\n" + _align([f"{tex(m(t))} &= {tex(beta_a(t) * m(t - 1) + u(t))}",
                                           f"{tex(w(t + 1))} &= {update}"]))
    if mp.gamma_avg is not None:
        e = method.evaluate
        out += (f"and the evaluated sequence is a weight average of the iterate,\n"
                f"\\[ {tex(e(t + 1))} = {tex(sp.Mul(1 - gamma_avg(t + 1), e(t), evaluate=False))} + "
                f"{tex(gamma_avg(t + 1) * w(t + 1))}. \\]\n")
    return out


def _degenerate(report: Report, tex: Tex) -> str:
    if not report.derivation.degenerate:
        return "None: no denominator of the map can vanish.\n"
    items = [f"\\item ${tex(d['factor'])} = 0$: " + "; ".join(tex_text(x) for x in d["effects"]) + "."
             for d in report.derivation.degenerate]
    return "\\begin{itemize}\n" + "\n".join(items) + "\n\\end{itemize}\n"


# -- the paper's claims ------------------------------------------------------------------------------
TAG = 32
"""The longest claim reference (in :func:`tex_width` units) set as a tag beside its equation; a longer one
goes above the equation."""


def _runs(results: list[ClaimResult]) -> list[list[ClaimResult]]:
    """Consecutive printed steps ``a = b``, ``b = c`` (the paper's chains) grouped together."""
    runs: list[list[ClaimResult]] = []
    for r in results:
        prev = runs[-1][-1] if runs else None
        if (prev is not None and prev.claim.rhs == r.claim.lhs and dict(prev.claim.assume) == dict(r.claim.assume)
                and not isinstance(r.claim.lhs, AppliedUndef)):
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _claims(report: Report, tex: Tex) -> str:
    """The printed steps in the paper's order, its chains kept together; notes and errata right after the step."""
    method = report.method
    setting = dict(method.paper_setting)

    def paper(expr):
        return specialise(expr, setting) if setting else expr

    out = []
    for run in _runs(report.claims):
        assume = dict(run[0].claim.assume)
        rows, before = [], ""
        left = tex_width(tex(paper(run[0].claim.lhs)))
        for i, r in enumerate(run):
            head = tex(paper(r.claim.lhs)) if i == 0 else ""
            where = tex_text(r.claim.ref + (" (prose)" if r.claim.origin == "prose" else ""))
            where += f", with {_assumptions(tex, assume)}" if assume and i == 0 else ""
            status, pre = (r"\OEhold" if r.holds else r"\OEfail"), ""
            if tex_width(where) <= TAG:
                tag = f"\\tag*{{\\footnotesize {where}\\enspace {status}}}"
            else:  # a long reference goes above its equation, the mark stays beside it
                tag = f"\\tag*{{{status}}}"
                if i == 0:
                    before = f"\\par\\noindent{{\\footnotesize {where}:}}\n"
                else:
                    pre = f"\\intertext{{\\footnotesize {where}:}} "
            if r.claim.rhs is sp.true:  # a relation by itself (a statement "for all t")
                rows.append(f"{pre}{head} & {tag}")
                continue
            new = _equation_rows(tex, head, paper(r.claim.rhs), tag, left)
            rows.extend([pre + new[0]] + new[1:])
        out.append(before + _align(rows))
        after = []
        for r in run:
            ref = tex_text(r.claim.ref)
            if r.claim.note:
                after.append(f"\\OEnote{{{ref}}}{{{_sentence(tex_text(r.claim.note))}}}")
            if r.holds and r.holds_in_general is False:
                text = (f"This step holds only with {tex_text(method.paper_setting_text)}; in general the left "
                        f"minus the right side is {tex.display(tex.readable(r.general_residual))}")
                if r.general_correction is not None:
                    text += f"and the general statement, proved, is {tex.display(*r.general_correction)}"
                after.append(f"\\OEnote{{{ref}}}{{{text}}}")
            if not r.holds:
                after.append(_erratum(r, tex, paper))
        out.extend(after)
    return "\n".join(out) + "\n"


def _slip(r: ClaimResult, tex: Tex) -> str:
    """``index slip: c_2 should read c_{t+1}`` with both atoms printed as LaTeX (read off claim and correction)."""
    how = r.correction_how.replace(" (proved)", "")
    if how.startswith("index slip") and r.correction is not None:
        for printed, fixed in zip((r.claim.lhs, r.claim.rhs), r.correction):
            before = sp.sympify(printed).atoms(AppliedUndef) - sp.sympify(fixed).atoms(AppliedUndef)
            after = sp.sympify(fixed).atoms(AppliedUndef) - sp.sympify(printed).atoms(AppliedUndef)
            for old in before:
                for new in sp.sympify(fixed).atoms(AppliedUndef) | after:
                    if sp.sympify(printed).xreplace({old: new}) == fixed:
                        return f"an index slip: ${tex(old)}$ should read ${tex(new)}$"
    return tex_text(how)


def _erratum(r: ClaimResult, tex: Tex, paper) -> str:
    c = r.claim
    body = f"As transcribed, {tex.display(paper(c.lhs), None if c.rhs is sp.true else paper(c.rhs))}"
    said = []
    if c.assume:
        said.append(f"with {_assumptions(tex, dict(c.assume))}")
    if c.printed:
        said.append(f"the paper prints ${c.printed}$")
    if said:
        body += "; ".join(said) + ". "
    if kind_of(c) == "equation":
        body += f"This does not hold: the left minus the right side is {tex.display(tex.readable(r.residual))}"
    else:  # a limit, sum, "for all" or explicitness statement: what was found instead
        body += f"This does not hold ({tex_text(r.correction_how)}): {tex.display(r.residual)}"
    if r.correction is not None:
        how = _slip(r, tex)
        lead = "Corrected statement" if how == "corrected statement" else f"Correction ({how})"
        lhs, rhs = paper(r.correction[0]), paper(r.correction[1])
        body += f"{lead}, proved: {tex.display(lhs, None if rhs is sp.true else tex.readable(rhs))}"
    else:
        body += "No change of a single index makes it hold, and the declaration proposes no corrected statement."
    return f"\\OEerratum{{{tex_text(c.ref)}}}{{{body}}}"


# -- a method and the document -----------------------------------------------------------------------
def _label(method: Method) -> str:
    return "oe:" + re.sub(r"[^A-Za-z0-9-]", "-", method.key)


def _independent(report: Report) -> list[str]:
    """The independent check of the verdict (equivalences/response.py), in one sentence."""
    c = report.check
    if c is None:
        return []
    ran = [x for x in c.checks if x.member is not None]
    if c.inconsistent or not ran:
        return ["\\subsection*{Independent check}", _sentence(tex_text(c.summary())), ""]
    where = " and ".join(dict.fromkeys("random points of the domain" if x.point.label.startswith("random")
                                       else x.point.label for x in ran))
    what = ("Eq.~(1) with the coefficients above reproduces every move, the change of variables and the start "
            "exactly" if c.verdict == "proved" else "a term Eq.~(1) cannot produce is found")
    return ["\\subsection*{Independent check}",
            f"The declaration was also run as written, in exact rational arithmetic, at {len(ran)} points ({where}), "
            f"over {max(x.steps for x in ran)} steps, and decided on the response of its moves to the gradients, "
            f"sharing none of the derivation's steps: {what}.", ""]


def method_tex(report: Report, *, figures: str | None = None) -> str:
    """One method's section."""
    method = report.method
    system = report.derivation.system
    tex = Tex(method, system)
    out = [f"\\section{{{_title(method.name)}}}\\label{{{_label(method)}}}",
           f"{tex_text(method.reference)}; the paper's {tex_text(method.section)}. "
           f"{_sentence(tex_text(method.summary))}",
           "", "\\subsection*{Update rule as published}", _published(method, system, tex)]
    out += [_sentence(tex_text(note)) + "\n" for note in method.notes]
    if report.not_in_family is not None:
        out += ["\\subsection*{Not an instance of Eq.~(1)}", _sentence(tex_text(report.not_in_family)), ""]
        out += _independent(report)
        return "\n".join(out)
    verdict = report.derivation.verdict
    chains = derivations(*report.derivation.proved_on[:1], report.map, report.proof,
                         report.derivation.proved_on[1])  # on the trajectory route: the reduced declaration
    if verdict is not None and verdict.invariants:  # the trajectory route: reachable states only
        out += ["\\subsection*{Invariants of the reachable states}",
                "On every trajectory from the start, " + ", ".join(
                    f"${tex(i.variable(t))} = {tex(nice(i.value))}$" for i in verdict.invariants)
                + " (each holds at the start and is kept by a step, modulo all of them: proved exactly); "
                  "the map is derived and proved on the states they leave free.", ""]
    out += ["\\subsection*{Change of variables}", _change_of_variables(report, system, tex),
            "\\subsection*{Derivation}",
            f"Induction step: assume ${tex(w(t))} = {tex(method.query(t))}$ and ${tex(m(t))}$ as above at step $t$."]
    if "weight update" in chains:
        out += ["The weight update of Eq.~(1):", chain_tex(chains["weight update"], tex=tex)]
    if "momentum recursion" in chains:
        out += ["The momentum recursion of Eq.~(1):", chain_tex(chains["momentum recursion"], tex=tex)]
    if "weight averaging" in chains:
        out += [f"The evaluated sequence ${tex(method.evaluate(t))}$ is a weight average of the iterate:",
                chain_tex(chains["weight averaging"], tex=tex)]
    out += _failures(report, tex)
    out += ["\\subsection*{The resulting coefficients}", _map_tex(report, tex),
            "\\subsection*{Initial state}",
            f"Base case: Eq.~(1) starts from ${tex(sp.Eq(w(method.t0), _start(report, system)))}$ and "
            f"${tex(sp.Eq(m(method.t0 - 1), report.map.m_init))}$:",
            chain_tex(*[chains[n] for n in ("start of the iterate", "initial state", "start of the average")
                        if n in chains], tex=tex),
            "\\subsection*{Degenerate cases}", _degenerate(report, tex)]
    out += _independent(report)
    if report.claims:
        n = counts(report.claims)
        out += ["\\subsection*{The paper's statements}",
                f"{report.claims_holding} of {len(report.claims)} printed steps hold as printed "
                f"({n['displayed']} displayed, {n['prose']} from the prose).",
                _claims(report, tex)]
    if figures:
        out.append(_figure(report, f"{figures.rstrip('/')}/{method.key}.pdf"))
    return "\n".join(out) + "\n"


TITLE = 36
"""The longest section title (:func:`tex_width` units) before its parenthetical moves out: a ``\\section``
line of a plain article holds about 40 characters, and TeX will not break it into a too-loose line."""


def _title(name: str) -> str:
    """A method's name as a section title: ``SGD with momentum / Nesterov (torch.optim.SGD)`` loses its
    parenthetical when too long for a line (the first sentence of the section names the source)."""
    head = name.split(" (")[0]
    return tex_text(head if tex_width(tex_text(name)) > TITLE and head else name)


def _figure(report: Report, path: str) -> str:
    """The replay figure of ``report`` (numeric/plots.py) as a numbered float with a caption."""
    method, n = report.method, report.numeric
    label = "fig:" + _label(method)
    caption = f"{tex_text(method.name)}: the method and Eq.~(1) with the derived map, replayed"
    if n is not None:
        r = n.result
        caption += (f" ({r.steps} steps, {r.dtype}, problem \\texttt{{{tex_text(n.problem)}}}, seed {n.seed}). "
                    f"Left: the coordinates of the query point that move most, the method (solid) and Eq.~(1) "
                    f"with the derived map (dashed). Right: the relative deviation per step on a log scale, "
                    f"against the tolerance {_sci(r.tolerance)}, and the negative control "
                    f"({tex_text(n.control_name.split(':')[0])}), which must exceed it.")
    return f"\\OEfigure{{{path}}}{{{label}}}{{{caption}}}"


def _sci(x: float) -> str:
    """``1.2e-11`` as ``$1.2 \\cdot 10^{-11}$``."""
    mant, exp = f"{x:.1e}".split("e")
    return f"${mant} \\cdot 10^{{{int(exp)}}}$"


def _failures(report: Report, tex: Tex) -> list[str]:
    bad = [i for i in report.proof.identities if not i.holds]
    if not bad:
        return []
    items = [f"\\item {tex_text(i.name)}: ${tex(i.lhs)} = {tex(i.rhs)}$ leaves ${tex(i.residual)}$." for i in bad]
    return ["\\textbf{The proof fails} (nothing is displayed for these identities):",
            "\\begin{itemize}", *items, "\\end{itemize}"]


def _start(report: Report, system: StepSystem):
    method = report.method
    return nice(system.expand(method.query(t)).subs(t, method.t0).xreplace(dict(method.init)))


def _summary(reports: list[Report]) -> str:
    rows = []
    for r in reports:
        proof = "not Eq.~(1)" if r.not_in_family else ("proved" if r.proved else "\\textbf{fails}")
        claims = f"{r.claims_holding}/{len(r.claims)}" if r.claims else "--"
        rows.append(f"\\ref{{{_label(r.method)}}} & \\raggedright {tex_text(r.method.name)} & "
                    f"{tex_text(r.method.section)} & {proof} & {claims} \\\\")
    return ("\\begin{center}\\small\n\\begin{tabular}{@{}rp{0.4\\linewidth}lll@{}}\n"
            " & method & paper & Eq.~(1) & steps holding \\\\ \\hline\n"
            + "\n".join(rows) + "\n\\end{tabular}\n\\end{center}\n"
            "``Steps holding'': of the paper's printed steps about the method, how many hold as printed.\n")


def _statements_tex() -> str:
    """The paper's statements that belong to no method (§3, §4.4, §3.2 against Alg. 3), with the same boxes."""
    from types import SimpleNamespace

    from ..paper_prose import check_all

    results = check_all()
    n = counts(results)
    holder = SimpleNamespace(method=SimpleNamespace(paper_setting={}, paper_setting_text=""), claims=results)
    return "\n".join(["\\section{Statements not tied to one method}\\label{oe:statements}",
                      f"{n['hold']} of {n['total']} hold as printed ({n['displayed']} displayed, "
                      f"{n['prose']} from the prose).", _claims(holder, Tex())])


HEADER = "% Generated by optimizer-equivalences ({command}); do not edit by hand.\n"


def _conversions_tex() -> str:
    """Every ordered pair of the registered methods: can TO trace FROM's trajectory (``verify convert --table``)."""
    import os

    from ..convert import latex_table, table

    return ("\\section{Hyperparameter conversions}\\label{oe:convert}\n"
            "For every ordered pair of the methods above: do settings of TO exist that trace FROM's trajectory "
            "(the same query points from the same start), always, under a condition on FROM's settings, or never? "
            "Each entry is solved exactly from the two proved maps (\\texttt{verify convert FROM -{}-to TO} gives the "
            "formulas, the condition or the reason).\n\n" + latex_table(table(processes=min(2, os.cpu_count() or 1))))


def generate(methods=None, *, fragment: bool = False, figures: str | None = None, reports=None) -> str:
    """The appendix for ``methods`` (keys or :class:`Method` objects; default: every registered method).

    ``fragment`` leaves out the preamble, for ``\\input`` into a paper that
    loads ``amsmath`` and ``amssymb``.  ``figures`` is the folder (relative to
    the .tex file) holding ``<key>.pdf`` plots from :mod:`numeric.plots`; each
    is included when the file exists.  ``reports`` (from :func:`equivalences.verify`) saves proving again.
    """
    if reports is None:
        methods = registry.names() if methods is None else list(methods)
        reports = [verify(m, numeric=False) for m in methods]
    whole = [r.method.key for r in reports] == registry.names()  # the conversion table needs every method
    body = "\n".join([MACROS, INTRO, _summary(reports)] + [method_tex(r, figures=figures) for r in reports]
                     + [_statements_tex()] + ([_conversions_tex()] if whole else []))
    header = HEADER.format(command="verify appendix" + (" --fragment" if fragment else ""))
    if fragment:
        needs = "amsmath, amssymb" + (" and graphicx (for the figures)" if figures else "")
        return header + f"% Fragment for \\input: the document must load {needs}.\n" + body
    return header + PREAMBLE + body + "\\end{document}\n"


def write(path: str, methods=None, *, fragment: bool = False, figures: str | None = None) -> str:
    """Write the appendix to ``path`` atomically (``verify appendix``); with ``figures``, first the replay plot
    of every method to ``figures/<key>.pdf`` (needs torch and matplotlib).  Returns the absolute path."""
    import os

    from ..files import OutputError, check_target, write_text

    check_target(path)
    methods = registry.names() if methods is None else list(methods)
    reports, rel = None, None
    if figures:
        from numeric.plots import PlotUnavailable, plot

        try:
            os.makedirs(figures, exist_ok=True)
        except OSError as err:
            raise OutputError(f"--figures {figures}: cannot create it ({err.strerror}); choose a writable "
                              f"directory") from None
        reports = [verify(m) for m in methods]
        for r in reports:
            try:
                plot(r, os.path.join(figures, f"{r.method.key}.pdf"))
            except PlotUnavailable as err:
                raise OutputError(str(err)) from None
        rel = os.path.relpath(os.path.abspath(figures), os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
    return write_text(path, generate(methods, fragment=fragment, figures=rel, reports=reports))
