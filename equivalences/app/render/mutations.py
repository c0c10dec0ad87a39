"""``verify mutations``: one row per method (and, for one method, per mutant)."""
from __future__ import annotations

from rich.console import Console

from ...symbols import m
from ..views import esc, formatter, print_rows
from .layout import duration, say


@formatter("equivalences.app.commands.mutations.MutationRun", "text")
def render_suites(result, console: Console) -> None:
    """A table: one row per method (and, for one method, one row per mutant)."""
    suites = result.suites

    def frac(c):
        return f"{c[0]}/{c[1]}" if c[1] else "-"

    if len(suites) == 1:
        per = []
        for r in suites[0].results:
            if not r.applicable:
                per.append((say(r.name), esc(r.kind), "[dim]same map: not applicable[/]", ""))
                continue
            proof = "[green]✓ rejected[/]" if r.symbolic else "[red]✗ ESCAPED[/]"
            if r.numeric is None:
                replay = f"[dim]{esc(r.numeric_note or 'not replayed')}[/]"
            elif r.numeric:
                replay = "[green]✓ rejected[/]" + (f" ({r.deviation:.1e})" if r.deviation is not None else "")
            else:
                replay = "[red]✗ ESCAPED[/]"
            independent = "[green]✓ rejected[/]" if r.independent else "[red]✗ ESCAPED[/]"
            per.append((say(r.name), esc(r.kind), proof, independent, replay))
        print_rows(console, ("mutant", "kind", "proof", "independent check", "replay"), per,
                   title=f"mutations of {esc(suites[0].method)}")
    rows = []
    tot = [0] * 8
    for s in suites:
        sc, ic, nc = s.count("symbolic"), s.count("independent"), s.count("numeric")
        blind = sum(r.applicable and r.numeric is None and bool(r.numeric_note) for r in s.results)
        tot = [a + b for a, b in zip(tot, (*sc, *ic, *nc, s.not_applicable, blind))]
        mark = "" if s.ok else " [red]✗[/]"
        rows.append((esc(s.method) + mark, frac(sc), frac(ic), frac(nc), str(s.not_applicable), str(blind),
                     duration(s.seconds)))
    if len(suites) > 1:
        rows.append(("all", frac(tot[0:2]), frac(tot[2:4]), frac(tot[4:6]), str(tot[6]), str(tot[7]), ""))
    print_rows(console, ("method", "proof caught/tried", "independent caught/tried", "replay caught/tried",
                         "not applicable", "replay cannot see", "time"), rows, title="verify mutations")
    escaped = [(s.method, r.name) for s in suites for r in s.results if r.escaped]
    if escaped:
        console.print(f"[red]{len(escaped)} mutant(s) escaped:[/] " + esc("; ".join(f"{m}: {n}" for m, n in escaped)))
    else:
        console.print("every applicable mutant was rejected")
