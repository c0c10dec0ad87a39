"""``verify convert``: one conversion, and the table of every pair."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ...convert import Conversion
from ...paper_prose import counts
from ..views import esc, formatter
from .layout import duration, expression, line, say


# -- convert


@formatter(Conversion, "text")
def render_conversion(conv, console: Console) -> None:
    """always / conditional / never; the conditions; TO's hyperparameters as expressions of FROM's; the values
    and replays with --set."""
    colour = {"always": "green", "conditional": "yellow", "never": "red"}[conv.exists]
    console.print(f"[bold]{esc(conv.from_)} → {esc(conv.to)}[/bold]: [{colour}]{conv.exists}[/{colour}]")
    if conv.exists == "never":
        line(console, f"  why: {say(conv.reason or '')}", 4)
        return
    if conv.inverse and conv.inverse.conditions:
        console.print("  when:")
        for c in conv.inverse.conditions:
            line(console, f"    • {say(c.text)}", 6)
    tab = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    tab.add_column(f"{conv.to}", overflow="fold")
    tab.add_column(f"= (in {conv.from_}'s hyperparameters)", overflow="fold")
    if conv.values is not None:
        tab.add_column("at these values", overflow="fold")
    for name, expr in conv.hyperparameters.items():
        row = [say(name), esc(expression(expr))]
        if conv.values is not None:
            value = conv.values.get(name)
            row.append(esc(expression(value)) if value is not None else "")
        tab.add_row(*row)
    console.print(tab)
    if conv.renamed:
        line(console, "  " + say(", ".join(f"{v} is {conv.from_}'s {k}" for k, v in conv.renamed.items())), 4)
    for note in conv.notes:
        line(console, f"  note: {say(note)}", 4)
    if conv.settings:
        shown = ", ".join(f"{k.name}={v}" for k, v in conv.settings.items())
        if conv.holds_at_values:
            a, b = conv.checked_steps
            line(console, f"  at {esc(shown)}: every condition and TO's domain hold exactly at t = {a}..{b}", 4)
        else:
            line(console, f"  [red]at {esc(shown)}: {say(conv.failure_at_values or '')}[/red]", 4)
    n = conv.numeric
    if n and "max_rel_deviation" in n:
        ok = "[green]agree[/green]" if n["passed"] else "[red]FAILED[/red]"
        line(console, f"  replay of both declared methods ({n['steps']} steps, float64): {ok}, max rel. deviation "
             f"{n['max_rel_deviation']:.1e} (tolerance {n['tolerance']:.1e})", 4)
        ctl = n["control"]
        dev = "—" if ctl["max_rel_deviation"] is None else f"{ctl['max_rel_deviation']:.1e}"
        line(console, f"  negative control ({say(ctl['perturbation'])}): deviation {dev}, "
             + ("[green]rejected[/green]" if n["control_rejected"] else "[red]NOT rejected[/red]"), 4)
    if n and "libraries" in n:
        lib = n["libraries"]
        ok = "[green]agree[/green]" if lib["passed"] else "[red]FAILED[/red]"
        line(console, f"  {esc(lib['from_class'])}({esc(_kw(lib['from_arguments']))}) vs "
             f"{esc(lib['to_class'])}({esc(_kw(lib['to_arguments']))}): {ok}, max rel. deviation "
             f"{lib['max_rel_deviation']:.1e} (tolerance {lib['tolerance']:.0e})", 4)


def _kw(kw: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kw.items())



@formatter("equivalences.app.commands.convert.ConversionTable", "text")
def render_conversion_table(result, console: Console) -> None:
    """The pair matrix where it fits the console; otherwise one wrapped line per FROM."""
    from rich import box

    rows, seconds = result.rows, result.seconds
    keys = list(dict.fromkeys(r.from_ for r in rows))
    cell = {(r.from_, r.to): r.exists for r in rows}
    mark = {"always": "[green]✓[/green]", "conditional": "[yellow]◦[/yellow]", "never": "[red]×[/red]"}
    console.print("verify convert --table: rows FROM, columns TO (✓ always, ◦ under a condition, × never)")
    tab = Table(box=box.SIMPLE, pad_edge=False, padding=(0, 0))
    tab.add_column("FROM \\ TO", no_wrap=True)
    for i, _ in enumerate(keys):
        tab.add_column(f"{i + 1:>2}", justify="center", no_wrap=True)
    for i, a in enumerate(keys):
        tab.add_row(f"{i + 1:>2} {esc(a)} ", *[mark[cell[(a, b)]] for b in keys])
    if console.measure(tab, options=console.options.update_width(1 << 16)).maximum <= console.width:
        console.print(tab)
        console.print("columns: " + ", ".join(f"{i + 1} {esc(k)}" for i, k in enumerate(keys)))
    else:
        for a in keys:
            parts = [f"{mark[kind]} {', '.join(esc(b) for b in keys if cell[(a, b)] == kind)}"
                     for kind in mark if any(cell[(a, b)] == kind for b in keys)]
            console.print(f"[bold]{esc(a)}[/] → " + "; ".join(parts))
    counts = {k: sum(1 for r in rows if r.exists == k) for k in mark}
    console.print(f"{len(rows)} pairs: {counts['always']} always, {counts['conditional']} conditional, "
                  f"{counts['never']} never ({duration(seconds, ' s')})")
