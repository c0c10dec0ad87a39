"""``verify list``: one wrapped paragraph per method."""
from __future__ import annotations

from rich.console import Console

from ..views import esc, formatter
from .layout import line, say


@formatter("equivalences.app.commands.list.MethodList", "text")
def render_list(result, console: Console) -> None:
    """One wrapped paragraph per method (a table would cut names at 60 columns)."""
    console.print("[bold]Methods[/] (verify NAME; references: verify list --json)")
    for r in result.rows:
        line(console, f"[bold]{esc(r['method'])}[/]  {esc(r['name'])} ({esc(r['section'])}): {say(r['summary'])}")
