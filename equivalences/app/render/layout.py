"""The terminal's typography shared by every view: marks, durations, the notation, wrapped lines and expressions."""
from __future__ import annotations

import re

import sympy as sp
from rich.console import Console
from rich.text import Text

from ...algebra import nice
from ...printing import GREEK, SPECIAL, _split, prose
from ...printing import equation as _equation
from ...printing import text as _text
from ...symbols import m, t, w
from ..views import esc


OK, BAD = "[green]✓[/]", "[red]✗[/]"
MASK_DURATIONS = False
"""True while docs/regenerate.py captures output: a duration is shown as ``…`` (a document's output must not
change from run to run)."""


def duration(seconds, unit: str = "s") -> str:
    """A wall-clock time as shown to a user (``1.3s``), or ``…`` while durations are masked."""
    return "…" if MASK_DURATIONS else f"{seconds:.1f}{unit}"


def text(expr) -> str:
    return esc(_text(expr))


def equation(lhs, rhs) -> str:
    return esc(_equation(lhs, rhs))


def say(message) -> str:
    """A sentence of the engine's, for a reader: in the report's notation (:func:`notation`), markup escaped."""
    return esc(notation(message))


_CALL = re.compile(r"(?<![\w.\\])(?<![A-Za-z]-)([A-Za-z][A-Za-z0-9_]*)\(\s*(t(?:\s*[+-]\s*\d+)?|\d+)\s*\)")
_NAME = re.compile(r"(?<![\w.\\])(?<![A-Za-z]-)([A-Za-z][A-Za-z0-9_]*)(?![\w(])(?!-[A-Za-z])")


def _greek_name(name: str) -> bool:
    return name in SPECIAL or name == "oo" or _split(name)[0] in GREEK


def notation(message) -> str:
    """Text of the engine's (ASCII, as JSON keeps it) in the notation every terminal view uses, the one the
    formulas print with (:func:`equivalences.printing.text`): a sequence at a step ``gamma(t + 1)`` as
    ``γ_{t+1}``, ``c(3)`` as ``c_3``; Greek names (``beta1``, ``eta_a``) as ``β_1``, ``η_a``; ``oo`` as ``∞``.
    Dotted names (classes, modules), hyphenated ones (method keys) and ``name=value`` settings stay as typed."""
    s = prose(str(message))
    s = _CALL.sub(lambda m: _text(sp.Function(m.group(1))(sp.sympify(m.group(2).replace(" ", ""), locals={"t": t}))), s)
    return _NAME.sub(lambda m: ("∞" if m.group(1) == "oo" else _text(sp.Symbol(m.group(1))))
                     if _greek_name(m.group(1)) and not s[m.end():m.end() + 1] == "=" else m.group(1), s)


def line(console: Console, markup: str, indent: int = 4) -> None:
    """Print one logical line with a hanging indent: where it wraps, the continuation lines start ``indent``
    columns in (never back at column 0)."""
    txt = Text.from_markup(markup)
    width = console.width
    indent = min(indent, width // 3)
    lines = txt.wrap(console, width)
    console.print(lines[0], overflow="fold", crop=False)
    if len(lines) > 1:
        rest = Text(" ").join(ln for ln in lines[1:])
        for ln in rest.wrap(console, width - indent):
            console.print(Text(" " * indent) + ln, overflow="fold", crop=False)


def hang(console: Console, head: str, units, *, indent: int | None = None, sep: str = " ") -> None:
    """``head`` and then ``units`` (markup: whole expressions, clauses), packed into lines of the console's
    width so that a line breaks between units, never inside one that fits on a line; continuation lines are
    indented (by ``indent``, default the width of ``head``, at most a third of the line)."""
    width = console.width
    head_w = Text.from_markup(head).cell_len
    ind = min(head_w if indent is None else indent, width // 3)
    packed, cur, cur_w = [], head, head_w
    for u in units:
        w = Text.from_markup(u).cell_len
        gap = len(sep) if cur_w > (head_w if not packed else ind) else 0
        if cur_w + gap + w > width and cur_w > (head_w if not packed else ind):
            packed.append(cur)
            cur, cur_w, gap = " " * ind, ind, 0
        cur += (sep if gap else "") + u
        cur_w += gap + w
    packed.append(cur)
    for i, p in enumerate(packed):
        if i == 0:
            line(console, p, ind)
        else:  # already indented: its own overflow keeps the indent
            for ln in Text.from_markup(p[ind:]).wrap(console, width - ind):
                console.print(Text(" " * ind) + ln, overflow="fold", crop=False)


def expression(text_) -> str:
    """A report's expression string (``sympy.sstr``) as the terminal shows one: simplified where that is shorter
    (``(1 - 1/(t + 1))*(t + 1)`` is ``t``; :func:`equivalences.algebra.nice`) and printed like the formulas; text
    that is not a plain expression (``1/t for t = 2..7``) in the same :func:`notation`."""
    from ...algebra import parse

    head, sep, tail = str(text_).partition(" for ")
    try:
        e = parse(head)
    except Exception:  # noqa: BLE001 -- not an expression: words
        return notation(text_)
    if e.atoms(sp.Float):  # a decimal as the user or the fit wrote it
        return notation(text_)
    shown = min((_text(e), _text(nice(e))), key=len)
    return shown + (sep + notation(tail) if sep else "")
