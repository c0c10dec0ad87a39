"""The terminal view of :class:`equivalences.families.convert.FamilyConversion` (``verify convert`` beyond Eq. (1)):
the verdict, the family, both family maps, the relation (TO's hyperparameters in FROM's), the proof, the values
and the replay with ``--set``."""
from __future__ import annotations

import sympy as sp
from rich.table import Table

from ..algebra import nice
from ..families.convert import FamilyConversion
from .output import esc, formatter


def _name(k) -> str:
    return k.name if isinstance(k, sp.Symbol) else f"{k.__name__}(t)"


def _map(m: dict) -> str:
    return ", ".join(f"{k} = {sp.sstr(v)}" for k, v in m.items())


def _branch(console, conv, conditions, relation, proof, values=None) -> None:
    if conditions:
        console.print("  when:")
        for c in conditions:
            console.print(f"    • {esc(c)}")
    tab = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    tab.add_column(conv.to, overflow="fold")
    tab.add_column(f"= (in {conv.from_}'s hyperparameters)", overflow="fold")
    if values is not None:
        tab.add_column("at these values", overflow="fold")
    for key, v in relation.items():
        row = [esc(_name(key)), esc(sp.sstr(nice(v)))]
        if values is not None:
            row.append(esc(sp.sstr(values.get(key, ""))))
        tab.add_row(*row)
    console.print(tab)
    ok = proof is not None and proof.equivalent
    console.print(f"  {'[green]✓[/green]' if ok else '[red]✗[/red]'} proof: "
                  + ("the same query points for every gradient sequence (the joint system's closure)" if ok
                     else esc(conv.reason)))


@formatter(FamilyConversion, "text")
def render_family_conversion(conv: FamilyConversion, console) -> None:
    colour = {"always": "green", "conditional": "yellow", "never": "red"}.get(conv.exists, "yellow")
    where = f" (in the {conv.family})" if conv.family else ""
    console.print(f"[bold]{esc(conv.from_)} → {esc(conv.to)}[/bold]: [{colour}]{conv.exists}[/{colour}]{esc(where)}")
    for key, fam, m in ((conv.from_, conv.from_family, conv.from_map), (conv.to, conv.to_family, conv.to_map)):
        console.print(f"  {esc(key)}: {esc(fam)}" + (f"; map {esc(_map(m))}" if m else ""))
    if conv.exists in ("never", "undecided") and not conv.relation:
        console.print(f"  why: {esc(conv.reason)}")
        return
    if conv.settings:  # the branch that holds at the values (or the first)
        _branch(console, conv, conv.conditions, conv.relation, conv.proof, values=conv.values)
    else:
        for i, b in enumerate(conv.branches):
            if len(conv.branches) > 1:
                console.print(f"  [bold]relation {i + 1} of {len(conv.branches)}[/bold]")
            _branch(console, conv, b.conditions, b.relation, b.proof)
    for n in conv.notes:
        console.print(f"  note: {esc(n)}")
    if conv.settings:
        shown = ", ".join(f"{k.name}={v}" for k, v in conv.settings.items())
        if conv.holds_at_values:
            console.print(f"  at {esc(shown)}: every condition and TO's domain hold exactly")
        else:
            console.print(f"  [red]at {esc(shown)}: {esc(conv.failure_at_values)}[/red]")
    n = conv.numeric
    if n:
        ok = "[green]agree[/green]" if n["passed"] else "[red]FAILED[/red]"
        console.print(f"  replay of both declared methods ({n['steps']} steps, float64): {ok}, max rel. deviation "
                      f"{n['max_rel_deviation']:.1e} (tolerance {n['tolerance']:.1e})")
        ctl = n["control"]
        if ctl["perturbation"]:
            console.print(f"  negative control ({esc(ctl['perturbation'])}): deviation {ctl['max_rel_deviation']:.1e}, "
                          + ("[green]rejected[/green]" if n["control_rejected"] else "[red]NOT rejected[/red]"))
