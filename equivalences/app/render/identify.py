"""``verify identify`` and the census: the verdict, its evidence, the coefficient sequences and the matches."""
from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from ...paper_prose import counts
from ...symbols import m
from ..views import esc, formatter
from .layout import duration, expression, line, notation, say


# -- identify --------------------------------------------------------------------------------------------


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.10g}"


@formatter("numeric.identify.identification.Identification", "text")
def render_identification(res, console: Console) -> None:
    """The verdict, its reason and evidence, the identified coefficient sequences, and the matches."""
    j = res.to_json()
    settings = ", ".join(f"{k}={v}" for k, v in j["settings"].items()) or "default settings"
    shape = "" if res.rows == 1 else f"; probed on a {res.rows}-row matrix"
    console.print(f"[bold]{esc(j['target'])}[/bold] ({esc(settings)}{esc(shape)})")
    console.print(f"verdict: [bold]{esc(j['verdict'])}[/bold]")
    line(console, say(j["reason"]))
    if j["residual"] is not None:
        ctrl = {True: "rejected", False: "NOT rejected", None: "-"}[j["control_rejected"]]
        console.print(f"residual {j['residual']:.1e} (tolerance {j['tolerance']:.1e}); control {ctrl}")
    c = j["coefficients"]
    if c["eta_a"] is not None:
        regime = res.regime if res.regime.startswith("sign") or not res.regime else f"u = {res.regime}"
        console.print(f"identified coefficients (step k = t - t0{'; ' + esc(regime) if regime else ''}):")
        tab = Table()
        cols = [("k", None), ("β_a", "beta_a"), ("η_a", "eta_a"), ("α_a", "alpha_a")]
        if c["gamma_avg"] is not None:
            cols.append(("γ_avg (after step k)", "gamma_avg"))
        for name, _ in cols:
            tab.add_column(name, justify="right", overflow="fold")
        n = len(c["eta_a"])
        rows = list(range(n)) if n <= 20 else list(range(10)) + [None] + list(range(n - 5, n))
        for k in rows:
            if k is None:
                tab.add_row(*(["..."] * len(cols)))
                continue
            tab.add_row(str(k), *(_fmt(c[key][k]) for _, key in cols[1:]))
        console.print(tab)
        if c["eta_a"] and n > 20:
            console.print("(all steps: --json)")
    if res.step_size is not None:
        console.print("step size K_t: " + ", ".join(_fmt(float(x)) for x in res.step_size[:10])
                      + (" ..." if len(res.step_size) > 10 else ""))
    if j["matches"]:
        for m in j["matches"]:
            hp = ", ".join(f"{notation(k)} = {expression(v)}" for k, v in m["hyperparameters"].items())
            line(console, f"matches [bold]{esc(m['method'])}[/bold] with {esc(hp)} "
                 f"(replayed against the class: max relative deviation {m['max_rel_deviation']:.1e})")
    elif j["verdict"] in ("in-family", "preconditioned", "sign"):
        console.print("matches no registered method")


@formatter("equivalences.app.commands.identify.Census", "text")
def render_census(result, console: Console) -> None:
    """One wrapped line per class (a class name is never split): verdict, why, matches; then the counts."""
    from numeric.identify.census import counts

    entries, title, wall = result.entries, result.title, result.wall
    console.print(f"[bold]identify --all {esc(title)}[/]")
    for e in entries:
        matches = ", ".join(m["method"] for m in e.get("matches") or [])
        line(console, f"[bold]{esc(e['target'])}[/]: {esc(e['verdict'])} -- {say(e['reason'])}"
             + (f"; matches {esc(matches)}" if matches else ""))
    c = counts(entries)
    console.print(", ".join(f"{k}: {v}" for k, v in c.items()) + f" ({len(entries)} classes"
                  + (f", {duration(wall, ' s')}" if wall is not None else "") + ")")
