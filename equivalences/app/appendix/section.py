"""One method's section: as published, the change of variables, the map, its claims, the independent check,
the figure."""
from __future__ import annotations

import sympy as sp

from ...algebra import nice
from ...chains import derivations
from ...declare import Method
from ...forms.form import renamed
from ...paper_prose import counts
from ...symbols import gamma_avg, m, t, w
from ...symbols import u as form_u
from ...system import StepSystem
from ..pipeline import Report
from .claim_steps import _claims
from .printer import Tex, _assumptions, _label, _sci, _sentence, tex_text
from .rows import _align, _rows_align, _tag, chain_tex
from .width import tex_width


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
    rows = [(tex(c.symbol(t)), e, _tag("")) for c, e in mp.coefficients()]
    if mp.gamma_avg is not None:
        rows.append((tex(gamma_avg(t)), mp.gamma_avg, _tag("weight of the newest iterate")))
    out = _rows_align(tex, rows)
    if mp.post is not None or mp.K != 1 or method.pre is not None:
        form = mp.form
        inner = renamed(form.direction, form_u, u)
        step = mp.post(t, inner) if mp.post is not None else inner
        update = (f"{tex(w(t))} - {tex(mp.K)} \\, {tex(step)}" if mp.K != 1 else tex(w(t) - step))
        buffers = [f"{tex(eq.lhs)} &= {tex(renamed(eq.rhs, form_u, u))}" for eq in form.recursions]
        out += "in the form\n" + _align(buffers + [f"{tex(w(t + 1))} &= {update}"])
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


def _independent(report: Report) -> list[str]:
    """The independent check of the verdict (equivalences/response/), in one sentence."""
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
