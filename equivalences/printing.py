"""Show expressions the way the paper writes them: ``c(t + 1)`` as ``c_{t+1}``.

``text`` gives plain unicode for the terminal, ``latex`` gives LaTeX for the
appendix.  JSON uses ``sympy.sstr`` instead, which ``sympy.sympify`` parses back.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .prose_tex import subscript, tex_prose
from .symbols import t

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "rho": "ρ", "sigma": "σ", "zeta": "ζ", "kappa": "κ", "xi": "ξ", "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "chi": "χ", "pi": "π",
}


class _FormNames(Mapping):
    """``name -> (base, subscript)``: ``theta_0``, and every form's named sequences (``beta_a`` -> ``("β", "a")``,
    :data:`equivalences.forms.form.NAMES`), read when printed, so that a new form's names print without a
    change here."""

    def __init__(self, fixed: dict, which: str):
        self.fixed, self.which = fixed, which

    def _table(self) -> dict:
        from .forms import NAMES

        return {**{k: getattr(v, self.which) for k, v in NAMES.items()}, **self.fixed}

    def __getitem__(self, name):
        from .forms import NAMES

        if name in self.fixed:
            return self.fixed[name]
        return getattr(NAMES[name], self.which)

    def __iter__(self):
        return iter(self._table())

    def __len__(self):
        return len(self._table())

    def __contains__(self, name):
        from .forms import NAMES

        return name in self.fixed or name in NAMES



SPECIAL = _FormNames({"theta_0": ("θ", "0")}, "text")
SPECIAL_TEX = _FormNames({"theta_0": (r"\theta", "0")}, "tex")


def _step(arg, printer) -> str:
    d = sp.sympify(arg) - t
    if d.is_Integer:
        k = int(d)
        return "t" if k == 0 else f"t+{k}" if k > 0 else f"t-{-k}"
    return printer._print(arg)


def _split(name: str):
    """``beta1`` -> (``beta``, ``1``); ``g_prev`` -> (``g``, ``prev``)."""
    if "_" in name:
        base, sub = name.split("_", 1)
        return base, sub
    i = len(name)
    while i > 0 and name[i - 1].isdigit():
        i -= 1
    return (name[:i], name[i:]) if 0 < i < len(name) else (name, "")


class _PositiveFirst:
    """Print sums with the positive terms first: ``z_t - γ_t g_t``, not ``-γ_t g_t + z_t``."""

    def _print_Add(self, expr, order=None):
        terms = list(expr.as_ordered_terms())
        terms = [x for x in terms if not x.could_extract_minus_sign()] + [x for x in terms if x.could_extract_minus_sign()]
        out = self._print(terms[0])
        for x in terms[1:]:
            sign, x = (" - ", -x) if x.could_extract_minus_sign() else (" + ", x)
            out += sign + self.parenthesize(x, 40)
        return out


class TextPrinter(_PositiveFirst, StrPrinter):
    def _name(self, name):
        if name in SPECIAL:
            return SPECIAL[name]
        base, sub = _split(name)
        return GREEK.get(base, base), sub

    def _print_Symbol(self, s):
        if " " in s.name:  # a phrase standing for a value ("C (a constant, 0 < C < oo)")
            return re.sub(r"\boo\b", "∞", s.name)
        base, sub = self._name(s.name)
        return base + (f"_{sub}" if sub else "")

    def _print_Infinity(self, e):
        return "∞"

    def _print_NegativeInfinity(self, e):
        return "-∞"

    def _print_Limit(self, e):
        body, var, point = e.args[:3]
        return f"lim_({self._print(var)}→{'∞' if point == sp.oo else self._print(point)}) ({self._print(body)})"

    def _print_Sum(self, e):
        return self._big("Σ", e)

    def _print_Product(self, e):
        return self._big("Π", e)

    def _big(self, sign, e):
        var, lo, hi = e.limits[0]
        return f"{sign}_({self._print(var)}={self._print(lo)}..{self._print(hi)}) ({self._print(e.function)})"

    def _print_Function(self, e):
        if isinstance(e, AppliedUndef) and e.func.__name__ == "nabla_f" and len(e.args) == 1:
            return f"∇f({self._print(e.args[0])})"
        if isinstance(e, AppliedUndef):
            latex = getattr(e.func, "transform_latex", None)
            if latex is not None and len(e.args) == 2:
                head = latex if latex.isalpha() else e.func.__name__
                return f"{head}_{_step(e.args[0], self)}({self._print(e.args[1])})"
            if len(e.args) == 1:
                base, sub = self._name(e.func.__name__)
                idx = _step(e.args[0], self)
                idx = f"{sub},{idx}" if sub else idx
                return f"{base}_{idx}" if len(idx) == 1 else f"{base}_{{{idx}}}"
        return super()._print_Function(e)


class TexPrinter(_PositiveFirst, LatexPrinter):
    """Greek names as letters, other multi-letter names upright (``\\mathrm{lr}_{t}``, ``\\alpha_{\\mathrm{max}}``)."""

    def _name(self, name):
        if name in SPECIAL_TEX:
            return SPECIAL_TEX[name]
        base, sub = _split(name)
        base = "\\" + base if base in GREEK else (r"\mathrm{%s}" % base if len(base) > 1 else base)
        return base, subscript(sub) if sub else sub

    def _print_Symbol(self, s, style="plain"):
        if " " in s.name:  # a placeholder that says what it stands for: "C (a constant, 0 < C < oo)"
            head, rest = s.name.split(" ", 1)
            return self._print_Symbol(sp.Symbol(head)) + r"\ \text{%s}" % tex_prose(rest)
        base, sub = self._name(s.name)
        return base + (f"_{{{sub}}}" if sub else "")

    def _print_Function(self, e, exp=None):
        if isinstance(e, AppliedUndef) and e.func.__name__ == "nabla_f" and len(e.args) == 1:
            return rf"\nabla f\left({self._print(e.args[0])}\right)"
        if isinstance(e, AppliedUndef):
            latex = getattr(e.func, "transform_latex", None)
            if latex is not None and len(e.args) == 2:
                head = latex or (r"\operatorname{%s}" % e.func.__name__)
                s = rf"{head}_{{{_step(e.args[0], self)}}}\left({self._print(e.args[1])}\right)"
            elif len(e.args) == 1:
                base, sub = self._name(e.func.__name__)
                idx = _step(e.args[0], self)
                s = f"{base}_{{{sub + ',' if sub else ''}{idx}}}"
            else:
                return super()._print_Function(e, exp)
            return f"{s}^{{{exp}}}" if exp else s
        return super()._print_Function(e, exp)


def text(expr) -> str:
    return TextPrinter().doprint(sp.sympify(expr))


def latex(expr) -> str:
    return TexPrinter().doprint(sp.sympify(expr))


def equation(lhs, rhs) -> str:
    if rhs is sp.true:  # a statement that is a relation by itself (a claim of kind "for all")
        return text(lhs)
    return f"{text(lhs)} = {text(rhs)}"


def interval(s) -> str:
    """A sympy set as a reader writes it: ``Interval.Ropen(0, 1)`` -> ``[0, 1)``, a union with ``∪``."""
    if isinstance(s, sp.Interval):
        left = "(" if s.left_open else "["
        right = ")" if s.right_open else "]"
        return f"{left}{text(s.start)}, {text(s.end)}{right}".replace("oo", "∞")
    if isinstance(s, sp.Union):
        return " ∪ ".join(interval(a) for a in s.args)
    if isinstance(s, sp.FiniteSet):
        return "{" + ", ".join(text(a) for a in s.args) + "}"
    return text(s)


def _prose_names() -> dict:
    """``{beta_a: β_a, ...}``: the coefficients of the forms in :data:`equivalences.forms.TABLE`, and the
    averaging weight ``gamma_avg``, as running text writes them."""
    from .forms import NAMES, TABLE

    names = [c.name for f in TABLE.values() for c in f.coefficients] + ["gamma_avg"]
    return {n: NAMES[n].text[0] + (f"_{NAMES[n].text[1]}" if NAMES[n].text[1] else "") for n in names}


_PROSE = _prose_names()
_PROSE_NAMES = re.compile(r"(?<![A-Za-z0-9_\\])(" + "|".join(map(re.escape, _PROSE)) + r")(?![A-Za-z0-9_])")


def prose(message: str) -> str:
    """A sentence for a reader: the accelerated form's names in the report's Unicode (``eta_a`` -> ``η_a``),
    as the formulas print them; JSON keeps the ASCII names."""
    return _PROSE_NAMES.sub(lambda m: _PROSE[m.group(1)], str(message))
