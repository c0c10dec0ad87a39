"""How results look in a notebook: HTML, LaTeX and Markdown views, and ``show()`` for the terminal view.

Jupyter (and IPython, nbconvert) display an object through its ``_repr_html_``, ``_repr_latex_`` and
``_repr_markdown_`` methods.  This module gives them to every result the Python API returns -- a
:class:`~equivalences.app.pipeline.Report`, a :class:`~equivalences.derive.Map`, a
:class:`~equivalences.claims.ClaimResult`, a :class:`~equivalences.convert.Conversion` and a
:class:`~numeric.identify.identification.Identification` -- with :func:`attach`; the core classes stay free of
rich and of this layer (``tests/test_layers.py``).  Importing :mod:`equivalences.app` attaches them to
the first four; ``equivalences.identify`` attaches them to the last one (its module imports torch).

* **HTML**: for a report, a conversion and an identification, the terminal view itself (the one ``verify``
  prints, rendered by rich with inline styles); for a map and a claim, a small table.
* **LaTeX**: math only (MathJax renders it in the notebook, nbconvert puts it in a LaTeX document),
  printed by the appendix's printer (:class:`equivalences.app.appendix.Tex`).
* **Markdown**: a headline and a table, formulas as ``$...$``.
* ``show(width=None)``: print the terminal view (``report.show()`` is ``verify NAME``'s report).
"""
from __future__ import annotations

import html
import io

import sympy as sp

from ..claims import ClaimResult
from ..convert import Conversion
from ..derive import Map
from ..printing import equation, text
from ..forms import NAMES
from ..symbols import gamma_avg, t
from .pipeline import Report

WIDTH = 100
"""Columns of the terminal view rendered as HTML."""
CODE = ("<pre style=\"font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace;line-height:1.25;"
        "white-space:pre;overflow-x:auto\">{code}</pre>")
STEPS_SHOWN = 12
"""Identified coefficients shown in the LaTeX and Markdown tables (the HTML view is the terminal's)."""


# -- the terminal view ----------------------------------------------------------------------------------


def show(result, width: int | None = None) -> None:
    """Print ``result``'s terminal view (``verify``'s, at the terminal's width or ``width``); a report's
    notes follow, as ``verify NAME`` prints them."""
    from .output import console, emit

    from ..printing import prose

    out = console(width)
    emit(result, "text", out)
    for note in result.notes if isinstance(result, Report) else ():  # a conversion's view lists its own
        out.print(f"note: {prose(note)}", markup=False, highlight=False)


def terminal_html(result, width: int = WIDTH) -> str:
    """The terminal view as an HTML ``<pre>`` with inline styles (colours and bold as in a terminal)."""
    from rich.console import Console

    from .output import emit

    c = Console(record=True, file=io.StringIO(), width=width, highlight=False, soft_wrap=False,
                force_terminal=True, force_jupyter=False, color_system="truecolor")
    emit(result, "text", c)
    return c.export_html(inline_styles=True, code_format=CODE)


# -- LaTeX and Markdown pieces ----------------------------------------------------------------------------


def _tex(report: Report | None = None):
    """The appendix's printer, for one method (its state collected as the appendix shows it) or none."""
    from .appendix import Tex

    return Tex(report.method, report.derivation.system) if report is not None else Tex()


_MATH_ESCAPES = {"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}",
                 "~": r"\sim ", "^": r"\hat{}", "\\": r"\backslash "}


def _words(s) -> str:
    """Words inside math: ``\\text{...}`` pieces, the characters special to TeX as math between them (MathJax
    shows ``\\text{}``'s content literally, so an escape inside it would be printed, not read)."""
    out, run = [], ""
    for ch in str(s):
        if ch in _MATH_ESCAPES:
            out += [f"\\text{{{run}}}" if run else "", _MATH_ESCAPES[ch]]
            run = ""
        else:
            run += ch
    return "".join(out) + (f"\\text{{{run}}}" if run else "")


def _math(rows: list[str]) -> str:
    """Display math that MathJax and LaTeX both read: one ``aligned`` block."""
    return "$\\displaystyle \\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$"


def _md_math(s: str) -> str:
    return "$" + s.replace("|", "\\vert ") + "$"


def _md_table(header: tuple, rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(rows: list[tuple], caption: str = "") -> str:
    head = f"<caption style=\"text-align:left\">{html.escape(caption)}</caption>" if caption else ""
    body = "".join("<tr>" + "".join(f"<td style=\"text-align:left\">{html.escape(str(c))}</td>" for c in row)
                   + "</tr>" for row in rows)
    return f"<table>{head}{body}</table>"


def _coefficients(mp: Map) -> list[tuple[str, object, object]]:
    """(plain name, symbol at t, expression) for the map's coefficients and change of variables."""
    rows = [(c.label, c.symbol(t), e) for c, e in mp.coefficients()]
    if mp.K != 1:
        rows.append(("K", sp.Symbol("K_a"), mp.K))
    if mp.gamma_avg is not None:
        rows.append(("γ_avg", gamma_avg(t), mp.gamma_avg))
    m = mp.form.buffers[0].symbol
    rows.append((m.__name__, m(t), mp.momentum))
    return rows


# -- report ---------------------------------------------------------------------------------------------


def _status(report: Report) -> str:
    """``proved, 4/4 identities, 28/32 claims hold, no replay``: the concise repr after the method."""
    return repr(report)[:-1].split(": ", 1)[1]


def report_latex(report: Report) -> str:
    tex = _tex(report)
    rows = [f"&{_words(f'{report.method.name}: {_status(report)}')}"]
    if report.map is None:
        rows.append(f"&{_words(report.not_in_family)}")
        return _math(rows)
    for _, lhs, e in _coefficients(report.map):
        rows.append(f"{tex(lhs)} &= {tex(report.at_values(e))}")
    return _math(rows)


def report_markdown(report: Report) -> str:
    head = f"**{report.method.name}** (`{report.method.key}`): {_status(report)}"
    if report.map is None:
        return f"{head}\n\n{report.not_in_family}"
    tex = _tex(report)
    rows = [(_md_math(tex(lhs)), _md_math(tex(report.at_values(e)))) for _, lhs, e in _coefficients(report.map)]
    return f"{head}\n\n" + _md_table(("", "derived"), rows)


# -- map ------------------------------------------------------------------------------------------------


def map_html(mp: Map) -> str:
    return _html_table([(name, text(e)) for name, _, e in _coefficients(mp)], "derived map to Eq. (1)")


def map_latex(mp: Map) -> str:
    tex = _tex()
    return _math([f"{tex(lhs)} &= {tex(e)}" for _, lhs, e in _coefficients(mp)])


def map_markdown(mp: Map) -> str:
    tex = _tex()
    return _md_table(("", "derived map to Eq. (1)"), [(_md_math(tex(lhs)), _md_math(tex(e)))
                                                      for _, lhs, e in _coefficients(mp)])


# -- claim ----------------------------------------------------------------------------------------------


def _claim_lines(c: ClaimResult) -> list[str]:
    """The claim in words, as the terminal report lists it: the statement, then a residual and a correction."""
    lines = [f"{'✓' if c.holds else '✗'} {c.claim.ref}: {equation(c.claim.lhs, c.claim.rhs)}"]
    if not c.holds:
        lines.append(f"residual {text(c.residual)}")
        if c.correction is not None:
            lines.append(f"correction, proved ({c.correction_how}): {equation(*c.correction)}")
        elif c.correction_how:
            lines.append(c.correction_how)
    elif c.holds_in_general is False:
        lines.append("holds only in the paper's setting")
    return lines


def claim_html(c: ClaimResult) -> str:
    colour = "green" if c.holds else "#b00"
    first, *rest = _claim_lines(c)
    return (f"<div><span style=\"color:{colour}\">{html.escape(first[0])}</span>{html.escape(first[1:])}"
            + "".join(f"<br>&nbsp;&nbsp;{html.escape(x)}" for x in rest) + "</div>")


def _statement(tex, lhs, rhs) -> str:
    return tex(lhs) if rhs is sp.true else f"{tex(lhs)} = {tex(rhs)}"


def claim_latex(c: ClaimResult) -> str:
    tex = _tex()
    status = "holds" if c.holds else "fails"
    rows = [f"&{_statement(tex, c.claim.lhs, c.claim.rhs)} \\quad ({_words(c.claim.ref + ': ' + status)})"]
    if not c.holds:
        rows.append(f"&\\text{{residual }} {tex(c.residual)}")
        if c.correction is not None:
            rows.append(f"&\\text{{correction, proved: }} {_statement(tex, *c.correction)}")
    return _math(rows)


def claim_markdown(c: ClaimResult) -> str:
    tex = _tex()
    out = f"{'✓' if c.holds else '✗'} **{c.claim.ref}**: {_md_math(_statement(tex, c.claim.lhs, c.claim.rhs))}"
    if not c.holds:
        out += f"  \nresidual {_md_math(tex(c.residual))}"
        if c.correction is not None:
            out += f"  \ncorrection, proved ({c.correction_how}): {_md_math(_statement(tex, *c.correction))}"
    return out


# -- conversion -----------------------------------------------------------------------------------------


def _name(key: str):
    """TO's hyperparameter as an expression: ``"lr(t)"`` -> ``lr(t)``, ``"mu"`` -> ``mu``."""
    return sp.Function(key[:-3])(t) if key.endswith("(t)") else sp.Symbol(key)


def _condition(tex, c) -> str:
    """One condition of a conversion as math (its kind read off, as :class:`equivalences.inverse.Condition`)."""
    after = f" \\quad \\text{{for }} t \\ge {c.start}" if c.start is not None else ""
    named = f"{tex(_name(c.name))} = {tex(c.expr)}" if c.name else tex(c.expr)
    if c.kind == "identity":
        return f"{tex(sp.numer(sp.together(c.expr)))} = 0{after}"
    if c.kind == "domain" and c.domain is not None:
        return f"{named} \\in {tex(c.domain)}"
    if c.kind == "constant":
        return f"{named} \\quad \\text{{the same for every }} t \\ge {c.start}"
    return _words(c.text)


def conversion_latex(conv: Conversion) -> str:
    tex = _tex()
    rows = [f"&{_words(conv.from_)} \\to {_words(f'{conv.to}: {conv.exists}')}"]
    if conv.exists == "never":
        return _math(rows + [f"&{_words(conv.reason or '')}"])
    for c in conv.inverse.conditions if conv.inverse else ():
        rows.append(f"&\\text{{when }} {_condition(tex, c)}")
    for key, e in conv.hyperparameters.items():
        row = f"{tex(_name(key))} &= {tex(e)}"
        if conv.values is not None and key in conv.values:
            row += f" \\quad ({tex(conv.values[key])} \\text{{ at these values}})"
        rows.append(row)
    return _math(rows)


def conversion_markdown(conv: Conversion) -> str:
    head = f"**{conv.from_} → {conv.to}**: {conv.exists}"
    if conv.exists == "never":
        return f"{head}\n\n{conv.reason}"
    tex = _tex()
    conds = "".join(f"\n\n- when {_md_math(_condition(tex, c))}" for c in (conv.inverse.conditions if conv.inverse else ()))
    header = (conv.to, f"in {conv.from_}'s hyperparameters") + (("at these values",) if conv.values is not None else ())
    rows = []
    for key, e in conv.hyperparameters.items():
        row = (_md_math(tex(_name(key))), _md_math(tex(e)))
        if conv.values is not None:
            row += (_md_math(tex(conv.values[key])) if key in conv.values else "",)
        rows.append(row)
    return f"{head}{conds}\n\n" + _md_table(header, rows)


# -- identification -------------------------------------------------------------------------------------


def _identified(res) -> tuple[list[str], list[tuple]]:
    """Header and rows of the identified coefficients (the first :data:`STEPS_SHOWN` steps)."""
    c = res.coefficients()
    keys = [k for k in ("beta_a", "eta_a", "alpha_a", "gamma_avg") if c[k] is not None]
    n = len(c["eta_a"] or ())

    def num(x):
        return "-" if x is None else f"{x:.6g}"

    return keys, [(k, *(num(c[key][k]) for key in keys)) for k in range(min(n, STEPS_SHOWN))]


def _step_k(tex: tuple) -> str:
    """``(r"\\beta", "a")`` -> ``\\beta_{a,k}``: a form's sequence at step k, in LaTeX."""
    base, sub = tex
    return f"{base}_{{{sub + ',' if sub else ''}k}}"


def identification_latex(res) -> str:
    keys, rows = _identified(res)
    matches = ", ".join(m["method"] for m in res.matches)
    head = _words(f"{res.target}: {res.verdict}" + (f"; matches {matches}" if matches else ""))
    if not rows:
        return f"$\\displaystyle {head}$"
    names = {k: _step_k(NAMES[k].tex) for k in keys}
    body = " \\\\ ".join(" & ".join(str(x) for x in row) for row in rows)
    table = ("\\begin{array}{r" + "r" * len(keys) + "} k & " + " & ".join(names[k] for k in keys) + " \\\\ \\hline "
             + body + " \\end{array}")
    return f"$\\displaystyle \\begin{{gathered}}{head} \\\\ {table}\\end{{gathered}}$"


def identification_markdown(res) -> str:
    keys, rows = _identified(res)
    matches = ", ".join(f"`{m['method']}`" for m in res.matches)
    out = f"**{res.target}**: {res.verdict}" + (f", matches {matches}" if matches else "") + f"\n\n{res.reason}"
    if rows:
        names = {k: NAMES[k].text[0] + (f"_{NAMES[k].text[1]}" if NAMES[k].text[1] else "") for k in keys}
        out += "\n\n" + _md_table(("k", *(names[k] for k in keys)), rows)
    return out


# -- attaching ------------------------------------------------------------------------------------------

VIEWS = {
    Report: {"_repr_html_": terminal_html, "_repr_latex_": report_latex, "_repr_markdown_": report_markdown,
             "show": show},
    Map: {"_repr_html_": map_html, "_repr_latex_": map_latex, "_repr_markdown_": map_markdown},
    ClaimResult: {"_repr_html_": claim_html, "_repr_latex_": claim_latex, "_repr_markdown_": claim_markdown},
    Conversion: {"_repr_html_": terminal_html, "_repr_latex_": conversion_latex,
                 "_repr_markdown_": conversion_markdown, "show": show},
}
IDENTIFICATION = {"_repr_html_": terminal_html, "_repr_latex_": identification_latex,
                  "_repr_markdown_": identification_markdown, "show": show}


def attach(cls, views: dict) -> None:
    """Give ``cls`` the views (``name -> fn(result, ...)``) as methods."""
    for name, fn in views.items():
        setattr(cls, name, fn)


for _cls, _views in VIEWS.items():
    attach(_cls, _views)


def attach_identification() -> None:
    """The views on :class:`numeric.identify.identification.Identification` (imports numpy; called by the identify API)."""
    from numeric.identify.identification import Identification

    attach(Identification, IDENTIFICATION)
