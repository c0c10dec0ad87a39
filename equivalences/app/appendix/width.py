"""The printed width of a LaTeX formula, and how much fits on a line."""
from __future__ import annotations

import re


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
