"""``verify libraries``: one wrapped line per class, then the documented deviations."""
from __future__ import annotations

from rich.console import Console

from ..views import esc, formatter
from .layout import BAD, OK, line


@formatter("equivalences.app.commands.libraries.LibraryRun", "text")
def render_libraries(result, console: Console) -> None:
    """One wrapped line per class (a class name is never split), then the documented deviations."""
    console.print(f"[bold]Real optimizer libraries against Eq. (1)[/]  (float64, {result.steps} steps, "
                  f"tolerance {result.tolerance:.0e})")
    for r in result.rows:
        dev = "—" if r["max_rel_deviation"] is None else f"{r['max_rel_deviation']:.1e}"
        ok = all(s["as_expected"] for s in r["settings"])
        line(console, f"{OK if ok else BAD} [bold]{esc(r['class'])}[/] ({esc(r['library'])} {esc(r['version'])}) → "
             f"{esc(r['method'])}: {esc(r['status'].split(':')[0])}; max rel. deviation {dev}; control "
             + ("rejected" if r["control_rejected"] else "[red]NOT rejected[/]")
             + ("" if r.get("independent_check", {}).get("consistent", True) else
                "; [red]the independent check contradicts the proof[/]"))
        if ":" in r["status"]:
            line(console, f"    {esc(r['status'].split(':', 1)[1].strip())}", 6)
        for s in r["settings"]:
            what = s["error"] or f"deviation {max(s['max_rel_deviation_query'], s['max_rel_deviation_eval'] or 0):.1e}"
            if s["name"].startswith("--set"):
                line(console, f"    at {esc(s['name'])}: {esc(what)} (control {s['control_deviation']:.1e})", 6)
            elif s["expect"] != "exact" or not s["as_expected"]:
                mark = "" if s["as_expected"] else "  [red](not as documented)[/]"
                line(console, f"    at {esc(s['name'])}: {esc(s['note'] or 'unexpected')} -> {esc(what)}{mark}", 6)
    if result.missing:
        hint = esc("pip install -c .ci/constraints.txt '.[libs]'")
        console.print(f"not installed: {esc(', '.join(result.missing))} ({hint})")
