"""The paper's printed steps in its order, its chains kept together, with notes, slips and errata."""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from ...claim_kinds import kind_of
from ...claims import ClaimResult, specialise
from ..pipeline import Report
from .printer import Tex, _assumptions, _sentence, tex_text
from .rows import _align, _equation_rows
from .width import tex_width


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
