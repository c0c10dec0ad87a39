"""``verify family NAME``: the smallest family a method lives in, its map there, the proof, and the witness why
no smaller family holds it (docs/families.md).

    verify family NAME|--module FILE.py [--set NAME=VALUE ...] [--json]

Exit 0: a family with its map proved; 1: the order proved but no map in closed form, or undecided; 2: a usage
error (one line on stderr)."""
from __future__ import annotations

import sympy as sp

from ... import registry
from ...families import Placement
from ..output import esc, formatter, grid
from . import UsageError, parse_sets


def configure(parser) -> None:
    parser.add_argument("name", nargs="?", metavar="METHOD", help="a registered name (see 'verify list')")
    parser.add_argument("--module", metavar="FILE.py", help="a method declared in your own Python file (METHOD)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                        help="decide at this value of a constant, exact (0.9 means 9/10); repeatable")
    parser.add_argument("--json", action="store_true", help="print the JSON answer (docs/families.md)")


def run(args) -> int:
    from ...declare import BadSetting, parse_setting
    from ...families import place
    from ..output import emit

    if args.name and args.module:
        raise UsageError(f"give a registered name or --module FILE.py, not both ({args.name} and {args.module})")
    if not args.name and not args.module:
        raise UsageError("name the method: verify family NAME (or --module FILE.py)")
    method = registry.load_module(args.module) if args.module else registry.get(args.name)
    try:
        values = parse_setting(method, parse_sets(args.sets))
    except BadSetting as err:
        raise UsageError(f"--set {err}") from None
    unknown = [k for k in values if not isinstance(k, sp.Symbol)]
    if unknown:
        raise UsageError(f"--set {unknown[0]}: verify family takes constants only; a schedule is judged for every "
                         "value it takes")
    result = place(method, values)
    emit(result, "json" if args.json else "text")
    return 0 if result.proved else 1


@formatter(Placement, "text")
def render_placement(p: Placement, console) -> None:
    colour = "green" if p.proved else "yellow"
    console.print(f"[bold]{esc(p.method.key)}[/bold]: [{colour}]{esc(p.sentence())}[/{colour}]")
    tab = grid()
    if p.family is not None:
        tab.add_row("form", esc(p.family.form))
    if p.order is not None:
        tab.add_row("order", esc(f"{p.order}" + (f": {p.order_witness.sentence()}" if p.order_witness else
                                                  " (no gradient reaches a later step)")))
    fit = p.fit
    if fit is not None and fit.coefficients and p.proved:
        tab.add_row("map", esc(", ".join(f"{k} = {sp.sstr(v)}" for k, v in fit.coefficients.items())))
    if fit is not None:
        mark = "[green]✓[/] proof" if p.proved else "proof"
        tab.add_row(mark, esc(fit.reason))
        if fit.proof is not None and fit.proof.closure is not None and fit.proof.closure.degenerate:
            tab.add_row("not covered", esc(", ".join(f"{sp.sstr(f)} = 0" for f in fit.proof.closure.degenerate)))
        for note in fit.notes:
            tab.add_row("note", esc(note))
    if p.transfer is not None:
        tab.add_row("F(z)", esc(f"{sp.sstr(p.transfer)}   (w(t+1) - w(t) = -F(z) g)"))
        tab.add_row("H(z)", esc(f"{sp.sstr(p.query_transfer)}   (query point = H(z) g)"))
    if p.below:
        fewer = "nothing" if p.order == 1 else f"fewer than {p.order} numbers"
        tab.add_row("not smaller", esc(", ".join(f.title for f in p.below)
                                       + f": each carries {fewer} between steps (the order's minor)"))
    for fam, why in p.against:
        tab.add_row("" if p.below or fam is not p.against[0][0] else "not smaller", esc(f"{fam.title}: {why}"))
    for note in p.notes:
        tab.add_row("note", esc(note))
    console.print(tab)
