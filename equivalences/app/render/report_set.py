"""Several reports (``verify all``, several names): the summary table, the maps, the worst sweeps."""
from __future__ import annotations

from rich.console import Console

from ...paper_prose import check_all, summary_line
from ...symbols import t, w
from ..views import esc, formatter, table
from .layout import BAD, OK, duration, equation, hang, line, say
from .report import _worst_line, cannot_judge, render_report


@formatter("equivalences.app.commands.check.ReportSet", "text")
def render_set(result, console: Console) -> None:
    if result.many:
        render_all(result.reports, console)
    else:
        render_report(result.reports[0], console)


def _check_mark(report) -> str:
    c = report.check
    if c is None:
        return "-"
    if c.inconsistent:
        return f"{BAD} CONTRADICTS"
    return f"{OK} {sum(x.member is not None for x in c.checks)} pts" if c.confirmed else "n/a"


def render_all(reports, console: Console) -> None:
    """A summary table (the columns fit in 60), then each derived map as wrapped lines."""
    rows = []
    for r in reports:
        if r.map is None:
            rows.append((esc(r.method.key), f"{BAD} not Eq. (1)", _check_mark(r), "-", "-", "-",
                         duration(r.timings.get('total', 0))))
            continue
        n = r.numeric
        claims = f"{r.claims_holding}/{len(r.claims)}"
        if r.claims_holding < len(r.claims):
            claims = f"[yellow]{claims}[/]"
        replay = "-" if n is None else (
            f"{n.result.worst:.1e} ≤ {n.result.tolerance:.0e} {OK if n.result.passed else BAD}")
        control = "-" if n is None else (OK if n.control_rejected else BAD)
        rows.append((esc(r.method.key), OK if r.proved else BAD, _check_mark(r), claims, replay, control,
                     duration(r.timings.get('total', 0))))
    _summary(console, ("method", "proof", "check", "paper claims", "replay deviation ≤ tolerance",
                       "control", "time"), rows)
    console.print("\n[bold]Derived maps[/]")
    for r in reports:
        head = f"[bold]{esc(r.method.key)}[/]: "
        if r.map is None:
            line(console, f"{head}not an instance of Eq. (1): {say(r.not_in_family)}")
            continue
        coeffs = [equation(c.symbol(t), e) for c, e in r.map.coefficients()]
        hang(console, head, [c + ";" for c in coeffs[:-1]] + coeffs[-1:], indent=4)
    _sweeps(reports, console)
    standalone = check_all()
    failing = [(r.method.key + ", ", c) for r in reports for c in r.claims if not c.holds]
    failing += [("", c) for c in standalone if not c.holds]
    if failing:
        console.print(f"\n[bold yellow]Printed claims that fail ({len(failing)}):[/]")
        for where, c in failing:
            units = [f"{esc(where)}{say(c.claim.ref)}:", equation(c.claim.lhs, c.claim.rhs)]
            if c.correction:
                units += [f"→ {equation(*c.correction)}", f"({say(c.correction_how)})"]
            hang(console, "  ", units, indent=4)
    console.print()
    line(console, esc(summary_line(reports, standalone)))
    ok = sum(r.ok for r in reports)
    console.print(f"\n[bold]{ok}/{len(reports)} methods proved" + (" and confirmed" if all(r.numeric for r in reports) else "") + "[/]")


def _summary(console: Console, headers, rows) -> None:
    """``verify all``'s table: boxed where it fits; else borderless (fits 80 columns); else one line per method
    with a hanging indent."""
    from rich import box

    def fits(tab):
        return console.measure(tab, options=console.options.update_width(1 << 16)).maximum <= console.width

    boxed = table(*headers, title="verify all")
    short = {"paper claims": "claims", "replay deviation ≤ tolerance": "replay ≤ tolerance"}
    keep = [i for i, h in enumerate(headers) if h != "time"]  # the narrow table leaves the wall time out
    plain = table(*(short.get(headers[i], headers[i]) for i in keep), title="verify all", box=box.SIMPLE_HEAD,
                  pad_edge=False, show_edge=False, padding=(0, 1), collapse_padding=True)
    for row in rows:
        boxed.add_row(*row)
        plain.add_row(*(row[i] for i in keep))
    for tab in (boxed, plain):
        if fits(tab):
            console.print(tab)
            return
    console.print("[bold]verify all[/]")
    for row in rows:
        line(console, f"[bold]{row[0]}[/]  " + " · ".join(f"{h}: {v}" for h, v in zip(headers[1:], row[1:])), 4)


def _sweeps(reports, console: Console, n: int = 5) -> None:
    """For ``verify all --sweep/--grid``: the ``n`` worst judged configurations of all methods, and per method
    what this precision cannot judge."""
    swept = [r for r in reports if r.numeric is not None and r.numeric.sampled]
    if not swept:
        return
    worst = sorted(((w, r.method.key) for r in swept for w in r.numeric.worst(n)),
                   key=lambda x: -(float("inf") if x[0].status == "mismatch" else x[0].deviation))[:n]
    configs = sum(int(r.numeric.result.max_rel_deviation.shape[0]) for r in swept)
    console.print(f"\n[bold]Sweeps[/] ({configs} configurations of {len(swept)} methods): the {len(worst)} worst judged")
    for w, key in worst:
        line(console, f"  [bold]{esc(key)}[/]: {_worst_line(w)}", 6)
    for r in swept:
        if r.numeric.result.inconclusive.any():
            line(console, f"  [bold]{esc(r.method.key)}[/]: cannot judge {esc(cannot_judge(r.numeric.result))}", 6)
