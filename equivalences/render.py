"""Rich terminal rendering of reports."""
from __future__ import annotations

import sympy as sp
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.markup import escape
from rich.text import Text

from .algebra import nice
from .printing import equation, text
from .symbols import alpha_a, beta_a, eta_a, gamma_avg, m, t, w
from .system import StepSystem

OK, BAD = "[green]✓[/]", "[red]✗[/]"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _published(method) -> Table:
    tab = Table.grid(padding=(0, 2))
    tab.add_column(style="dim")
    tab.add_column()
    for f, body in method.define.items():
        tab.add_row("define", equation(f(t), body))
    tab.add_row("gradient", f"g_t at {text(method.query(t))}" + (f", u_t = {method.pre.name}_t(g_t)" if method.pre else ""))
    for eq in method.updates:
        tab.add_row("update", equation(eq.lhs, eq.rhs))
    if method.evaluate is not None:
        tab.add_row("evaluate", text(method.evaluate(t)))
    tab.add_row("start", ", ".join(equation(k, v) for k, v in method.init.items()))
    return tab


def _map(report) -> Table:
    mp, method = report.map, report.method
    tab = Table.grid(padding=(0, 2))
    tab.add_column(style="dim")
    tab.add_column()
    u = method.input
    direction = f"{text(eta_a(t))}·{text(m(t))} + {text(alpha_a(t))}·{text(u(t))}"
    step = f"{mp.post.name}_t({direction})" if mp.post else f"({direction})"
    k = "" if mp.K == 1 else f"{text(mp.K)}·"
    tab.add_row("Eq. (1)", f"{text(m(t))} = {text(beta_a(t))}·{text(m(t - 1))} + {text(u(t))},   "
                f"{text(w(t + 1))} = {text(w(t))} - {k}{step}")
    for f, e in ((beta_a, mp.beta_a), (eta_a, mp.eta_a), (alpha_a, mp.alpha_a)):
        line = equation(f(t), e)
        if report.overrides:
            line += f"   [dim](= {text(report.at_values(e))} here)[/]"
        tab.add_row("derived", line)
    sys = StepSystem(method)
    tab.add_row("variables", f"{text(w(t))} = {text(method.query(t))} = {text(sys.expand(method.query(t)))}")
    tab.add_row("", equation(m(t), mp.momentum))
    start = nice(sys.expand(method.query(t)).subs(t, method.t0).xreplace(sys.init))
    tab.add_row("start", f"{text(w(method.t0))} = {text(start)}, "
                f"{text(m(method.t0 - 1))} = {text(mp.m_init)}")
    if mp.gamma_avg is not None:
        e = method.evaluate
        tab.add_row("averaging", f"{text(e(t + 1))} = (1 - {text(gamma_avg(t + 1))})·{text(e(t))} + "
                    f"{text(gamma_avg(t + 1))}·{text(w(t + 1))},   {equation(gamma_avg(t), mp.gamma_avg)}")
    return tab


def _proof(report) -> Table:
    tab = Table(show_edge=False, box=None, padding=(0, 2))
    tab.add_column("identity")
    tab.add_column("statement")
    tab.add_column("")
    for i in report.proof.identities:
        status = f"{OK} reduces to 0" if i.holds else f"{BAD} residual {text(i.residual)}"
        tab.add_row(i.name, equation(i.lhs, i.rhs), status)
    return tab


def _degenerate(report) -> Text | Table:
    if not report.map.degenerate:
        return Text("none")
    tab = Table.grid(padding=(0, 2))
    for d in report.map.degenerate:
        tab.add_row(text(d["factor"]) + " = 0", "; ".join(d["effects"]))
    return tab


def _assumptions(c) -> str:
    if not c.claim.assume:
        return ""
    items = [f"{text(k) if isinstance(k, sp.Symbol) else k.__name__ + '_t'} = {text(v)}" for k, v in c.claim.assume.items()]
    return "  [dim](with " + escape(", ".join(items)) + ")[/]"


def _origins(results) -> str:
    from .paper_prose import counts

    n = counts(results)
    return f"{n['displayed']} displayed, {n['prose']} from the prose"


def _claims(report) -> Table:
    tab = Table.grid(padding=(0, 1))
    tab.add_column()
    tab.add_column()
    method = report.method
    for c in report.claims:
        head = f"[dim]{escape(c.claim.ref)}:[/] {escape(equation(c.claim.lhs, c.claim.rhs))}{_assumptions(c)}"
        if c.holds:
            tab.add_row(OK, head)
            if c.holds_in_general is False:
                more = f"  [yellow]holds only with {escape(method.paper_setting_text)}[/]"
                if c.general_correction:
                    more += f"; in general {escape(equation(*c.general_correction))}"
                tab.add_row("", more)
        else:
            tab.add_row(BAD, head)
            label = "first failing step t =" if getattr(c.claim, "kind", "") == "for all" else "residual"
            tab.add_row("", f"  [red]{label}[/] {escape(text(c.residual))}")
            if c.correction:
                tab.add_row("", f"  [cyan]correction[/] ({escape(c.correction_how)}): {escape(equation(*c.correction))}")
            elif c.correction_how:
                tab.add_row("", f"  [cyan]{escape(c.correction_how)}[/]")
    return tab


def _numeric(report) -> Table:
    n = report.numeric
    r, ctl = n.result, n.control
    tab = Table.grid(padding=(0, 2))
    tab.add_column(style="dim")
    tab.add_column()
    K = r.max_rel_deviation.shape[0]
    what = f"{K} configurations at once" if K > 1 else "one configuration"
    tab.add_row("run", f"{n.problem}, {r.steps} steps, {what}, {r.dtype} on {r.device}, seed {n.seed}")
    line = f"query points {r.max_rel_deviation.max():.2e}"
    if r.max_rel_deviation_eval is not None:
        line += f", evaluation points {r.max_rel_deviation_eval.max():.2e}"
    line += f" ({r.worst / r.eps:.0f} ulps)"
    tab.add_row("max rel. deviation", line + f"   (tolerance {r.tolerance:.1e} = 64·T·eps)  " + (OK if r.passed else BAD))
    if K > 1:
        tab.add_row("sweep", f"over {', '.join(n.sampled)}; {n.excluded} degenerate excluded, "
                    f"{int(r.diverged.sum())} diverged together, {int(r.inconclusive.sum())} inconclusive "
                    f"(rounding amplified past the tolerance), {int((~r.per_config_passed).sum())} mismatched")
        for w in n.worst(3):
            vals = ", ".join(f"{k}={v:.4g}" for k, v in w.values.items())
            tab.add_row("  worst", f"{w.deviation:.2e} ({w.deviation_ulps:.0f} ulps) at {vals}")
    ratio = ctl.worst / r.tolerance if r.tolerance else float("inf")
    frac = "" if K == 1 else f", rejected in {100 * n.control_rejected_fraction:.0f}% of conclusive configurations"
    tab.add_row("negative control", f"{n.control_name}: deviation {ctl.worst:.2e} = {ratio:.0e}× tolerance{frac}  "
                + (f"{OK} rejected" if n.control_rejected else f"{BAD} NOT rejected"))
    return tab


def render_report(report, console: Console | None = None) -> None:
    console = console or _console()
    method = report.method
    title = f"{method.name}  [dim]({method.reference}; paper {method.section})[/]"
    parts = [Text("As published", style="bold"), _published(method)]
    if report.not_in_family:
        parts += [Text(f"Not an instance of Eq. (1): {report.not_in_family}", style="bold red")]
        console.print(Panel(Group(*parts), title=title, title_align="left"))
        return
    parts += [Text("\nDerived map to accelerated SGD", style="bold"), _map(report),
              Text("\nProof", style="bold"), _proof(report),
              Text("\nDegenerate parameters", style="bold"), _degenerate(report),
              Text(f"\nThe paper's claims ({report.claims_holding}/{len(report.claims)} hold as printed; "
                   f"{_origins(report.claims)})", style="bold"),
              _claims(report)]
    if report.numeric is not None:
        parts += [Text("\nNumeric replay", style="bold"), _numeric(report)]
    console.print(Panel(Group(*parts), title=title, title_align="left"))
    console.print(_verdict(report))


def _verdict(report) -> str:
    if report.ok:
        what = "proved" + (" and confirmed numerically" if report.numeric else " (no replay)")
        return f"[bold green]{report.method.key}: {what}[/]"
    if report.not_in_family:
        return f"[bold red]{report.method.key}: not an instance of Eq. (1)[/]"
    if not report.proved:
        return f"[bold red]{report.method.key}: proof FAILED[/]"
    return f"[bold red]{report.method.key}: numeric check FAILED[/]"


def render_all(reports, console: Console | None = None) -> None:
    console = console or _console()
    tab = Table(title="verify all")
    for col in ("method", "β_a,t", "η_a,t", "α_a,t", "proof", "paper claims", "deviation / tol", "control", "time"):
        tab.add_column(col)
    for r in reports:
        if r.map is None:
            tab.add_row(r.method.key, "-", "-", "-", f"{BAD} not Eq. (1)", "-", "-", "-", f"{r.timings.get('derive', 0):.1f}s")
            continue
        n = r.numeric
        claims = f"{r.claims_holding}/{len(r.claims)}"
        if r.claims_holding < len(r.claims):
            claims = f"[yellow]{claims}[/]"
        tab.add_row(
            r.method.key, text(r.map.beta_a), text(r.map.eta_a), text(r.map.alpha_a),
            OK if r.proved else BAD, claims,
            "-" if n is None else f"{n.result.worst:.1e} / {n.result.tolerance:.0e} " + (OK if n.result.passed else BAD),
            "-" if n is None else (OK if n.control_rejected else BAD),
            f"{r.timings.get('total', 0):.1f}s",
        )
    console.print(tab)
    from .paper_prose import check_all, summary_line

    standalone = check_all()
    failing = [(r.method.key + ", ", c) for r in reports for c in r.claims if not c.holds]
    failing += [("", c) for c in standalone if not c.holds]
    if failing:
        console.print(f"\n[bold yellow]Printed claims that fail ({len(failing)}):[/]")
        for where, c in failing:
            fix = f"  → {equation(*c.correction)} ({c.correction_how})" if c.correction else ""
            console.print(escape(f"  {where}{c.claim.ref}: {equation(c.claim.lhs, c.claim.rhs)}{fix}"))
    console.print(f"\n{escape(summary_line(reports, standalone))}")
    ok = sum(r.ok for r in reports)
    console.print(f"\n[bold]{ok}/{len(reports)} methods proved" + (" and confirmed" if all(r.numeric for r in reports) else "") + "[/]")
