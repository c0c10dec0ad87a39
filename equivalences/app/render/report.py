"""One method's report (``verify NAME``): the map, the proof, the claims, the replay and the verdict."""
from __future__ import annotations

import sympy as sp
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from ...algebra import nice
from ...claim_kinds import kind_of
from ...declare import setting as declared_setting
from ...forms.form import renamed
from ...outcome import Outcome
from ...paper_prose import counts
from ...printing import prose
from ...printing import text as _text
from ...symbols import beta_a, gamma_avg, m, t, w
from ...symbols import u as form_u
from ..views import esc, formatter, grid
from .layout import BAD, OK, equation, line, notation, say, text


def _published(method):
    tab = grid()
    for f, body in method.define.items():
        tab.add_row("define", equation(f(t), body))
    for i, (point, grad) in enumerate(getattr(method, "calls", ()), 1):  # several gradient calls per step
        tab.add_row(f"call {i}", f"{text(grad(t))} at {text(point(t))}")
    if not getattr(method, "calls", ()):
        tab.add_row("gradient", f"g_t at {text(method.query(t))}" + (f", u_t = {method.pre.name}_t(g_t)" if method.pre else ""))
    for eq in method.updates:
        tab.add_row("update", equation(eq.lhs, eq.rhs))
    if method.evaluate is not None:
        tab.add_row("evaluate", text(method.evaluate(t)))
    tab.add_row("start", ", ".join(equation(k, v) for k, v in method.init.items()))
    return tab


def _terms(weights: dict, u) -> str:
    """``η_a,t·m_a,t + α_a,t·u_t``: a form's linear combination ``{atom: coefficient}`` term by term (``u`` the
    method's input)."""
    return " + ".join(text(renamed(a, form_u, u)) if c == 1 else f"{text(c)}·{text(renamed(a, form_u, u))}"
                      for a, c in weights.items())


def _map(report):
    mp, method = report.map, report.method
    tab = grid()
    u = method.input
    form = mp.form
    direction = _terms(form.weights(), u)
    step = f"{mp.post.name}_t({direction})" if mp.post else f"({direction})"
    k = "" if mp.K == 1 else f"{text(mp.K)}·"
    buffers = [f"{text(b.symbol(t))} = {_terms(form.decay(b), u)}" for b in form.buffers]
    tab.add_row(form.title, ",   ".join(buffers + [f"{text(w(t + 1))} = {text(w(t))} - {k}{step}"]))
    for c, e in mp.coefficients():
        line = equation(c.symbol(t), e)
        if report.overrides:
            line += f"   [dim](= {text(report.at_values(e))} here)[/]"
        tab.add_row("derived", line)
    if report.transfer is not None:
        tab.add_row("H(z)", f"{text(report.transfer)}   (query point = H(z)·{text(u(t))}: constant coefficients)")
    sys = report.derivation.system
    expanded = sys.expand(method.query(t))
    tail = "" if expanded == method.query(t) else f" = {text(expanded)}"
    tab.add_row("variables", f"{text(w(t))} = {text(method.query(t))}{tail}")
    tab.add_row("", equation(m(t), mp.momentum))
    start = nice(sys.expand(method.query(t)).subs(t, method.t0).xreplace(sys.init))
    from ...derive import start_as_product, start_product

    m0 = (f"{text(beta_a(method.t0))}·{text(m(method.t0 - 1))} = {text(start_product(mp, method.t0))} (only this "
          f"product enters Eq. (1))" if start_as_product(mp, method.t0) else f"{text(m(method.t0 - 1))} = {text(mp.m_init)}")
    tab.add_row("start", f"{text(w(method.t0))} = {text(start)}, {m0}")
    if mp.gamma_avg is not None:
        e = method.evaluate
        tab.add_row("averaging", f"{text(e(t + 1))} = (1 - {text(gamma_avg(t + 1))})·{text(e(t))} + "
                    f"{text(gamma_avg(t + 1))}·{text(w(t + 1))},   {equation(gamma_avg(t), mp.gamma_avg)}")
    return tab


def _proof(report):
    tab = grid(first_style=None)
    for i in report.proof.identities:
        status = f"{OK} reduces to 0" if i.holds else f"{BAD} residual {text(i.residual)}"
        tab.add_row(status, f"{esc(i.name)}: {equation(i.lhs, i.rhs)}")
    return tab


def _degenerate(report):
    if not report.derivation.degenerate:
        return Text("none")
    tab = grid(first_style=None)
    for d in report.derivation.degenerate:
        tab.add_row(text(d["factor"]) + " = 0", say("; ".join(d["effects"])))
    return tab


def _assumptions(c) -> str:
    if not c.claim.assume:
        return ""
    items = [f"{text(k) if isinstance(k, sp.Symbol) else k.__name__ + '_t'} = {text(v)}" for k, v in c.claim.assume.items()]
    return "  [dim](with " + esc(", ".join(items)) + ")[/]"


def _origins(results) -> str:
    n = counts(results)
    return f"{n['displayed']} displayed, {n['prose']} from the prose"


def _claims(report):
    tab = grid(padding=(0, 1), first_style=None)
    method = report.method
    for c in report.claims:
        head = f"[dim]{say(c.claim.ref)}:[/] {equation(c.claim.lhs, c.claim.rhs)}{_assumptions(c)}"
        if c.holds:
            tab.add_row(OK, head)
            if c.holds_in_general is False:
                more = f"  [yellow]holds only with {esc(method.paper_setting_text)}[/]"
                if c.general_correction:
                    more += f"; in general {equation(*c.general_correction)}"
                tab.add_row("", more)
        else:
            tab.add_row(BAD, head)
            label = "first failing step t =" if kind_of(c.claim) == "for all" else "residual"
            tab.add_row("", f"  [red]{label}[/] {text(c.residual)}")
            if c.correction:
                tab.add_row("", f"  [cyan]correction[/], proved ({say(c.correction_how)}): {equation(*c.correction)}")
            elif c.correction_how:
                tab.add_row("", f"  [cyan]{esc(c.correction_how)}[/]")
    return tab


def _numeric(report):
    n = report.numeric
    r, ctl = n.result, n.control
    tab = grid()
    K = r.max_rel_deviation.shape[0]
    what = f"{K} configurations at once" if K > 1 else "one configuration"
    tab.add_row("run", f"{n.problem}, {r.steps} steps, {what}, {r.dtype} on {r.device}, seed {n.seed}")
    if K == 1:
        tab.add_row("values", esc(replayed_values(report)))
    judged, unjudged = int(r.judged.sum()), int(r.inconclusive.sum())
    if judged:
        parts = [("query points", r.worst_of(r.max_rel_deviation)), ("evaluation points", r.worst_of(r.max_rel_deviation_eval))]
        parts = [(k, v) for k, v in parts if v is not None]
        momentum = r.worst_of(r.max_rel_deviation_momentum)
        if momentum is not None and momentum > max(v for _, v in parts):
            parts.append(("momentum m_a", momentum))
        line = ", ".join(f"{k} {v:.2e}" for k, v in parts) + f" ({_ulps(r.worst / r.eps)})"
        if K > 1 and (unjudged or r.diverged.any()):
            line += f" over the {judged} judged configurations"
        tab.add_row("max rel. deviation", line + f"   (tolerance {r.tolerance:.1e} = 64·T·eps)  "
                    + (OK if r.passed else BAD))
    if unjudged:
        tab.add_row("cannot judge", esc(cannot_judge(r)))
    if K > 1:
        tab.add_row("sweep", f"over {', '.join(n.sampled)}; {n.excluded} degenerate excluded, "
                    f"{int(r.diverged.sum())} diverged together, {unjudged} inconclusive, "
                    f"{int((~r.per_config_passed).sum())} mismatched")
        for w in n.worst(5):
            tab.add_row("  worst", _worst_line(w))
        for w in n.worst(3, inconclusive=True):
            tab.add_row("  inconclusive", _worst_line(w))
    ratio = ctl.worst / r.tolerance if r.tolerance else float("inf")
    frac = "" if K == 1 else f", rejected in {100 * n.control_rejected_fraction:.0f}% of judged configurations"
    tab.add_row("negative control", f"{say(n.control_name)}: deviation {ctl.worst:.2e} = {ratio:.0e}× tolerance{frac}  "
                + (f"{OK} rejected" if n.control_rejected else f"{BAD} NOT rejected"))
    return tab


def cannot_judge(r) -> str:
    """Why the inconclusive configurations of a replay say nothing either way, in words."""
    import numpy as np

    tied = r.inconclusive & r.tied
    k = r.inconclusive & ~tied
    parts = []
    if k.any():
        parts.append(_amplified(r, k))
    if tied.any():
        n = int(tied.sum())
        d = float(np.nan_to_num(r.deviation()[tied], nan=np.inf).max())
        which = "this configuration" if tied.size == 1 else f"{n} configuration{'s' * (n > 1)}"
        parts.append(f"{which} in {r.dtype}: the deviation (up to {d:.1e}) exceeds the tolerance after a sign was "
                     "taken of a value that is 0 up to rounding (within the tolerance of 0, relative to the terms "
                     "summed into it) while both forms still agreed -- each form's rounding decides that sign its "
                     "own way, so a whole step may differ from there on; a deviation there is no evidence for or "
                     "against the map")
    return "; ".join(parts)


def _amplified(r, k) -> str:
    import numpy as np

    n = int(k.sum())
    s = float(np.nan_to_num(r.sensitivity[k], nan=np.inf).max()) if r.sensitivity is not None else float("inf")
    d = float(np.nan_to_num(r.deviation()[k], nan=np.inf).max())
    which = "this configuration" if k.size == 1 else f"{n} configuration{'s' * (n > 1)}"
    return (f"{which} in {r.dtype}: the deviation (up to {d:.1e}) exceeds the tolerance, but the dynamics amplify "
            f"rounding there -- the method nudged by one ulp per step drifts from itself by up to {s:.1e}, so "
            f"rounding alone (64 ulps per step) can reach {min(64 * s, 2.0):.1e}; a deviation there is no "
            "evidence for or against the map")


def _ulps(n: float) -> str:
    return f"{n:.0f} ulps" if n < 1e6 else f"{n:.1e} ulps"


def _worst_line(w) -> str:
    vals = esc(", ".join(f"{k}={v:.4g}" for k, v in w.values.items()))
    mark = {"agrees": OK, "mismatch": BAD, "inconclusive": "[yellow]?[/]"}[w.status]
    what = _ulps(w.deviation_ulps)
    if w.status == "inconclusive":
        what = "after a sign tie" if w.sign_tie else f"rounding bound {min(w.bound, 2.0):.1e}"
    return f"{w.deviation:.2e} ({what}) {mark} at {vals}"


def replayed_values(report) -> str:
    """The hyperparameter values one replay ran at: every constant, then each schedule's default body."""
    setting = declared_setting(report.method, report.overrides)  # the values a single replay runs at
    consts = [f"{_text(k)} = {_text(v)}" for k, v in setting.items() if isinstance(k, sp.Symbol)]
    scheds = [f"{_text(k(t))} = {min((_text(v), _text(nice(v))), key=len)}" for k, v in setting.items()
              if not isinstance(k, sp.Symbol)]
    return ", ".join(consts + scheds) or "(no hyperparameters)"


def _title(method) -> Text:
    return Text.from_markup(f"[bold]{esc(method.name)}[/]  [dim]({esc(method.reference)}; paper {esc(method.section)})[/]")


@formatter("equivalences.app.pipeline.Report", "text")
def render_report(report, console: Console) -> None:
    method = report.method
    parts = [_title(method), Text("\nAs published", style="bold"), _published(method)]
    if report.general is not None:
        parts += [Text(f"\nAt the values {'set' if report.overrides else 'of the defaults'}", style="bold"),
                  Text(prose(report.notes[0]))]
    if report.not_in_family:
        undecided = report.outcome is Outcome.UNDECIDED
        parts += [Text(f"{'Not decided' if undecided else 'Not an instance of Eq. (1)'}: {notation(report.not_in_family)}",
                       style="bold yellow" if undecided else "bold red")]
        if report.family is not None:
            parts += [Text(f"Smallest family: {report.family.sentence()} (verify family shows the map and proof)")]
        parts += _independent(report)
        console.print(Panel(Group(*parts)))
        console.print(_verdict(report))
        return
    parts += [Text("\nDerived map to accelerated SGD", style="bold"), _map(report),
              Text("\nProof", style="bold"), _proof(report),
              Text("\nDegenerate parameters", style="bold"), _degenerate(report),
              Text(f"\nThe paper's claims ({report.claims_holding}/{len(report.claims)} hold as printed; "
                   f"{_origins(report.claims)})", style="bold"),
              _claims(report)]
    parts += _independent(report)
    if report.numeric is not None:
        parts += [Text("\nNumeric replay", style="bold"), _numeric(report)]
    console.print(Panel(Group(*parts)))
    console.print(_verdict(report))


def _independent(report) -> list:
    """The independent check (equivalences/response/): one line, red where it contradicts the verdict."""
    c = report.check
    if c is None:
        return []
    return [Text("\nIndependent check (the declaration run exactly, against Eq. (1))", style="bold"),
            Text(prose(c.summary()), style="bold red" if c.inconsistent else "")]


def _verdict(report) -> str:
    key = esc(report.method.key)
    if not report.consistent:
        return (f"[bold red]{key}: INTERNAL INCONSISTENCY: the independent check contradicts the "
                f"{'proof' if report.proved else 'verdict'} (no verdict; please report it)[/]")
    if report.no_map_here is not None:
        return f"[bold red]{key}: not an instance of Eq. (1) at these values (proved in general; witness above)[/]"
    if report.ok:
        what = "proved" + (" and confirmed numerically" if report.numeric else " (no replay)")
        return f"[bold green]{key}: {what}[/]"
    if report.not_in_family:
        if report.outcome is Outcome.UNDECIDED:
            return f"[bold yellow]{key}: undecided (no map and no witness found)[/]"
        return f"[bold red]{key}: not an instance of Eq. (1) (witness above)[/]"
    if not report.proved:
        return f"[bold red]{key}: proof FAILED[/]"
    return f"[bold red]{key}: numeric check FAILED[/]"
