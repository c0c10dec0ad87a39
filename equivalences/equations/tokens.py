"""The notation's words: names, numbers, operators (Unicode ones folded), and the tokenizer that reads them."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .errors import EquationError, _Source


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
