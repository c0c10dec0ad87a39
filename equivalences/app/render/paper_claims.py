"""``verify paper-claims``: one wrapped block per statement of the paper."""
from __future__ import annotations

from rich.console import Console

from ..views import esc, formatter
from .layout import BAD, OK, line, say


@formatter("equivalences.app.commands.paper_claims.PaperClaims", "text")
def render_paper_claims(result, console: Console) -> None:
    """One wrapped block per statement: where and ref, kind and origin, the statement, and for a failure its
    residual and correction."""
    console.print("[bold]The paper's statements[/]")
    for r in result.rows:
        mark = OK if r.holds else BAD
        line(console, f"{mark} [bold]{esc(r.where)}[/], {say(r.ref)} [dim]({esc(r.kind)}, {esc(r.origin)})[/]: "
                      f"{say(r.statement)}")
        if not r.holds:
            label = "first failing step t =" if r.kind == "for all" else "residual"
            line(console, f"    [red]{label}[/] {say(r.residual)}", 6)
            if r.correction:
                line(console, f"    [cyan]correction[/] {say(r.correction)} ({say(r.correction_how)})", 6)
            elif r.correction_how:
                line(console, f"    [cyan]{say(r.correction_how)}[/]", 6)
        if r.holds_in_general is False:
            console.print("    [yellow]fails without the paper's setting[/]")
    n = result.counts
    console.print(f"{n['total']} statements ({n['displayed']} displayed, {n['prose']} prose); "
                  f"{n['hold']} hold as printed")
