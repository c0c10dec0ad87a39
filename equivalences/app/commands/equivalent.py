"""``verify equivalent A B``: are two methods the same algorithm? (docs/equivalent.md)

    verify equivalent A B [--module-a FILE.py] [--module-b FILE.py] [--set [a.|b.]NAME=VALUE ...] [--json]
                      [--steps N] [--dim N] [--seed N] [--no-numeric]
    verify equivalent A --all [--json]

A and B are registered names, equations in one line (docs/declaring-a-method.md; values in ``with NAME=VALUE``),
or declarations in Python files (``--module-a``/``--module-b`` take the place of the name).  Exit 0: equivalent, proved, and (unless ``--no-numeric``) replayed side by side with the negative
control rejected; 1: not equivalent (a witness), only under a condition, undecided, or a replay that
disagrees; 2: usage error (one line on stderr).  With ``--all``: 0 when some method contains A.
"""
from __future__ import annotations

import time

import sympy as sp

from ... import registry
from ...equivalent import Equivalence, Search
from ..output import esc, formatter, grid
from . import UsageError, parse_sets


def _duration(seconds: float) -> str:
    from ..render import duration  # masked where output is regenerated for the docs

    return duration(seconds, " s")

MAX_STEPS = 100_000


def configure(parser) -> None:
    parser.add_argument("names", nargs="*", metavar="METHOD",
                        help="A and B: registered names (see 'verify list') or equations in one line "
                             "(\"x[t+1] = x[t] - lr*grad(x[t])\", values in `with NAME=VALUE`)")
    parser.add_argument("--module-a", metavar="FILE.py", help="A declared in your own Python file (METHOD)")
    parser.add_argument("--module-b", metavar="FILE.py", help="B declared in your own Python file (METHOD)")
    parser.add_argument("--all", action="store_true", help="compare A with every registered method (and plugins)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="[a.|b.]NAME=VALUE",
                        help="a value for the replay, exact (0.9 means 9/10): a.NAME for A, b.NAME for B, NAME for "
                             "a name either has (both, when shared); repeatable")
    parser.add_argument("--json", action="store_true", help="print the JSON answer (docs/equivalent.md)")
    parser.add_argument("--steps", type=int, default=300, help="replay length (default 300)")
    parser.add_argument("--dim", type=int, default=16, help="problem dimension of the replay (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the stochastic problem (default 0)")
    parser.add_argument("--no-numeric", action="store_true", help="the exact verdict only, no replay")


def _named(arg: str, side: str, sets: dict):
    """A registered method, or the method of equations (``verify equivalent "x[t+1] = ..." B``), its values from
    the equations' ``with`` clause and from ``--set NAME=VALUE`` / ``--set a.NAME=VALUE`` (side A)."""
    from ..equations import is_equations, method

    if is_equations(arg):
        from ...equations import EquationError, parse_method, read_text

        mine = side[0].lower() + "."
        values = {k.removeprefix(mine): v for k, v in sets.items() if k.startswith(mine)}
        try:  # a plain NAME=VALUE is for whichever side has the name: these equations take the ones they lack
            parse_method(read_text(arg), values=values)
        except EquationError as err:
            values.update({k: v for k, v in sets.items() if k in (err.missing or ())})
        try:
            return method(arg, option=side, name=f"equations-{side[0].lower()}", values=values,
                          values_from=f"or --set {mine}NAME=VALUE")
        except UsageError as err:  # name the value as the user wrote it (a.NAME), not as the equations read it
            msg = str(err)
            for k in sets:
                if k.startswith(mine):
                    msg = msg.replace(f"--set {k.removeprefix(mine)}=", f"--set {k}=", 1)
            raise UsageError(msg) from None
    return registry.get(arg)


def _methods(args):
    names, sets = list(args.names), parse_sets(args.sets)
    a = registry.load_module(args.module_a) if args.module_a else (_named(names.pop(0), "A", sets) if names else None)
    if a is None:
        raise UsageError("name the methods to compare: verify equivalent A B (or --module-a FILE.py)")
    if args.all:
        if names or args.module_b:
            raise UsageError("--all compares A with every registered method: give A only")
        return a, None
    b = registry.load_module(args.module_b) if args.module_b else (_named(names.pop(0), "B", sets) if names else None)
    if b is None:
        raise UsageError(f"name the second method: verify equivalent {a.key} B (or --module-b FILE.py, or --all)")
    if names:
        raise UsageError(f"too many methods ({', '.join(names)}): verify equivalent compares two")
    return a, b


def split_sets(a, b, sets: dict) -> tuple[dict, dict]:
    """``{"a.beta": "0.9", "lr": "0.1"}`` -> (A's, B's) settings; a plain name goes to each method that has it."""
    from ...declare import BadSetting, parse_setting

    def known(m):
        return {s.name for s in (*m.constants, *m.defaults, *m.domain) if isinstance(s, sp.Symbol)}

    out_a, out_b = {}, {}
    for key, value in sets.items():
        side, _, name = key.partition(".") if "." in key else ("", "", key)
        if side not in ("", "a", "b"):
            raise UsageError(f"--set {key}={value}: write a.NAME or b.NAME (or NAME alone), e.g. --set a.beta=0.9")
        targets = [(m, d) for s, m, d in (("a", a, out_a), ("b", b, out_b)) if side in ("", s)]
        hit = False
        for m, d in targets:
            if name in known(m):
                d[name], hit = value, True
        if not hit:
            where = {"a": a.key, "b": b.key}.get(side, f"{a.key} or {b.key}")
            raise UsageError(f"--set {key}: {where} has no constant {name!r}; "
                             f"{a.key} has {', '.join(sorted(known(a)))}; {b.key} has {', '.join(sorted(known(b)))}")
    try:
        return parse_setting(a, out_a), parse_setting(b, out_b)
    except BadSetting as err:
        raise UsageError(f"--set {err}") from None


def run(args) -> int:
    from ..output import emit

    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps {args.steps}: must be between 1 and {MAX_STEPS}")
    if not 1 <= args.dim <= 1 << 16:
        raise UsageError(f"--dim {args.dim}: must be between 1 and 65536")
    a, b = _methods(args)
    if args.all:
        if args.sets:
            raise UsageError("--set applies to a comparison of two methods, not to --all")
        from ...equivalent import search

        found = search(a, [(n, registry.get(n)) for n in registry.names()])
        emit(found, "json" if args.json else "text")
        return 0 if found.matches else 1
    sets_a, sets_b = split_sets(a, b, parse_sets(args.sets))
    result = compare(a, b, sets_a, sets_b, numeric=not args.no_numeric, steps=args.steps, dim=args.dim,
                     seed=args.seed)
    emit(result, "json" if args.json else "text")
    return 0 if result.ok else 1


def compare(a, b, sets_a=None, sets_b=None, *, numeric: bool = True, steps: int = 300, dim: int = 16,
            seed: int = 0) -> Equivalence:
    """The verdict, and where it says equivalent, the exact check and the replay at the given values."""
    from ...equivalent import equivalent

    result = equivalent(a, b)
    if result.equivalent and numeric:
        try:
            result.numeric = replay(result, sets_a or {}, sets_b or {}, steps=steps, dim=dim, seed=seed)
        except Exception as err:  # noqa: BLE001 -- the replay could not run: said, and exit 1 (never a silent pass)
            result.numeric = {"passed": False, "error": f"the replay could not run: {type(err).__name__}: {err}"}
    return result


# ----------------------------------------------------------------------------------------------- the replay
def replay(r: Equivalence, sets_a: dict, sets_b: dict, *, steps: int, dim: int, seed: int) -> dict:
    """A at its values and B at the related values, side by side (same start, same noise, each at its own query
    point), and B with one coefficient perturbed (a change of its query points decided exactly first), which
    the same replay must reject."""
    if r.route == "eq1-maps":
        return _replay_by_conversion(r, sets_a, steps=steps, dim=dim, seed=seed)
    if r.a.calls or r.b.calls:  # several gradient calls per step
        from ..calls_replay import replay_calls

        return replay_calls(r, sets_a, sets_b, steps=steps, dim=dim, seed=seed)
    from numeric.side_by_side import replay_pair

    from ...equivalent import b_values, concrete, differ_at_values, renumbered, values_of

    start = time.perf_counter()
    va = values_of(r.a, sets_a)
    b_run = renumbered(r.b, r.shift)
    vb = b_values(r, va, sets_b)
    exact_steps = 8
    gap = differ_at_values(concrete(r.a, va), concrete(b_run, vb), r.delta, exact_steps)
    out = {"steps": steps, "dim": dim, "seed": seed, "dtype": "float64", "problem": "lsq",
           "values_a": {_key(k): sp.sstr(v) for k, v in va.items()},
           "values_b": {_key(k): sp.sstr(v) for k, v in vb.items()},
           "exact_steps": exact_steps, "exact_agree": gap is None, "passed": False}
    if gap is not None:  # the proof and the exact values disagree: an internal inconsistency, exit 1
        out["exact_difference"] = gap.sentence(r.a.key, r.b.key)
        return out
    cfg_a, cfg_b = _config(va), _config(vb)
    res = replay_pair(r.a, cfg_a, b_run, cfg_b, steps=steps, dim=dim, seed=seed)
    out.update({"max_rel_deviation": res.worst, "tolerance": res.tolerance, "diverged": res.diverged,
                "agrees": res.agrees})
    name, bad_values = _control(r, b_run, vb, exact_steps)
    out["control"] = {"perturbation": name, "max_rel_deviation": None, "rejected": False}
    if bad_values is not None:
        bad = replay_pair(r.a, cfg_a, b_run, _config(bad_values), steps=steps, dim=dim, seed=seed)
        out["control"]["max_rel_deviation"] = bad.worst
        out["control"]["rejected"] = bool(bad.mismatched_divergence or (not bad.diverged and bad.worst > bad.tolerance))
    out["passed"] = bool(res.agrees and not res.diverged and out["control"]["rejected"])
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out


def _key(k) -> str:
    return k.name if isinstance(k, sp.Symbol) else f"{k.__name__}(t)"


def _config(values: dict):
    import numpy as np

    from numeric.compile import Config

    return Config({k: np.array([float(v)]) for k, v in values.items() if isinstance(k, sp.Symbol)},
                  {k: v for k, v in values.items() if not isinstance(k, sp.Symbol)})


def _control(r: Equivalence, b_run, vb: dict, steps: int):
    """The first perturbation of B that changes its query points at these values (decided exactly): a constant
    1% too large, a schedule read one step late, a schedule 1% too large."""
    from ...equivalent import concrete, differ_at_values
    from ...symbols import t

    candidates = []
    for c in r.b.constants:
        if c in vb and not isinstance(r.b.domain.get(c), sp.FiniteSet):
            candidates.append((f"{r.b.key}'s {c.name} 1% too large", {c: vb[c] * sp.Rational(101, 100) + sp.Rational(1, 1000)}))
    for f in r.b.schedules:
        if f in vb:
            candidates.append((f"{r.b.key}'s {f.__name__}(t) read one step late", {f: vb[f].subs(t, t + 1)}))
            candidates.append((f"{r.b.key}'s {f.__name__}(t) 1% too large", {f: vb[f] * sp.Rational(101, 100)}))
    base = concrete(b_run, vb)
    for name, change in candidates:
        bad = {**vb, **change}
        if differ_at_values(base, concrete(b_run, bad), 0, steps) is not None:
            return name, bad
    return "none applicable (no coefficient of B changes its query points)", None


def _replay_by_conversion(r: Equivalence, sets_a: dict, *, steps: int, dim: int, seed: int) -> dict:
    """A method with a transform: the conversion's own replay (FROM at its values, TO at the converted ones, and
    its negative control)."""
    from .convert import convert_and_replay

    settings = {s.name: str(v) for s, v in {**{c: r.a.defaults[c] for c in r.a.constants if c in r.a.defaults},
                                            **sets_a}.items()}
    conv = convert_and_replay(r.a, r.b, settings, steps=steps, dim=dim, seed=seed)
    n = conv.numeric or {"passed": False, "reason": conv.failure_at_values}
    return {**n, "control": {"perturbation": n.get("control", {}).get("perturbation"),
                             "max_rel_deviation": n.get("control", {}).get("max_rel_deviation"),
                             "rejected": n.get("control_rejected", False)}}


# ----------------------------------------------------------------------------------------------- views
_COLOUR = {"equivalent": "green", "conditional": "yellow", "not-equivalent": "red", "undecided": "yellow"}


def _relation_lines(r: Equivalence) -> list[str]:
    if not r.relation:
        shared = sorted({n for n in r.a.hyperparameter_names} & {n for n in r.b.hyperparameter_names})
        return [f"the same names are the same values ({', '.join(shared) or 'no name is shared'})"]
    return [f"{r.b.key}'s {k} = {v}" for k, v in r.relation.items()] + [f"({r.relation_source})"]


@formatter(Equivalence, "text")
def render_equivalence(r: Equivalence, console) -> None:
    colour = _COLOUR[r.verdict]
    console.print(f"[bold]{esc(r.a.key)} vs {esc(r.b.key)}[/bold]: [{colour}]{r.verdict}[/{colour}]"
                  + (f"  [dim]({esc(r.route)})[/]" if r.route else ""))
    tab = grid()
    if r.equivalent:
        for line in _relation_lines(r):
            tab.add_row("relation", esc(line))
        tab.add_row("steps", esc(f"{r.a.key}'s step t is {r.b.key}'s step t{r.delta:+d}" if r.delta else
                                 f"{r.a.key}'s step t is {r.b.key}'s step t")
                    + (esc(f"  (a shift of the step index by {r.shift:+d})") if r.shift else ""))
        if r.closure is not None:
            for k, f in enumerate(r.closure.functionals):
                tab.add_row("where" if k == 0 else "", esc(f"I_{k}(t) = {sp.sstr(f)}"))
            for i in r.closure.identities:
                tab.add_row("[green]✓[/] 0" if i.holds else "[red]✗[/]", esc(i.name))
            if r.closure.degenerate:
                tab.add_row("not covered", esc(", ".join(f"{sp.sstr(f)} = 0" for f in r.closure.degenerate)
                                               + " (a closure coefficient is undefined there)"))
    else:
        if r.witness is not None:
            tab.add_row("witness", esc(r.reason))
        elif r.reason:
            tab.add_row("why", esc(r.reason))
        if r.condition is not None and r.condition.text:
            tab.add_row("condition", esc(r.condition.text))
            for c, kind in r.components.items():
                if kind != "momentum":
                    tab.add_row("", esc(f"{c}: a degenerate special case ({r.a.key} is {kind} there)"))
        for label, s in r.special:
            rel = ", ".join(f"{k} = {v}" for k, v in s.relation.items()) or "the same names the same values"
            tab.add_row("special case", esc(f"{label}: equivalent with {rel}"))
    if r.transfer is not None:
        tab.add_row("H_A(z)", esc(sp.sstr(r.transfer[0])))
        tab.add_row("H_B(z)", esc(sp.sstr(r.transfer[1])))
    for note in r.notes:
        tab.add_row("note", esc(note))
    n = r.numeric
    if n is not None:
        if "error" in n:
            tab.add_row("[red]replay[/]", esc(n["error"]))
        elif n.get("exact_agree") is False:
            tab.add_row("[red]exact[/]", esc(f"at the replay's values: {n.get('exact_difference')}"))
        elif "max_rel_deviation" in n:
            ok = "[green]✓[/]" if n.get("agrees", n.get("passed")) else "[red]✗[/]"
            tab.add_row("replay", esc(f"{n['steps']} steps, float64: max rel. deviation {n['max_rel_deviation']:.1e} "
                                      f"(tolerance {n['tolerance']:.1e}) ") + ok)
            c = n["control"]
            dev = "" if c["max_rel_deviation"] is None else f": deviation {c['max_rel_deviation']:.1e}"
            tab.add_row("negative control", esc(f"{c['perturbation']}{dev}, ")
                        + ("[green]rejected[/]" if c["rejected"] else "[red]NOT rejected[/]"))
    console.print(tab)


@formatter(Search, "text")
def render_search(s: Search, console) -> None:
    console.print(f"[bold]verify equivalent {esc(s.a.key)} --all[/bold]: {len(s.matches)} of "
                  f"{len(s.matches) + len(s.others)} methods coincide with {esc(s.a.key)} somewhere ({_duration(s.seconds)})")
    tab = grid()
    for m in s.matches:
        r = m.result
        if m.kind == "equals":
            what = "equals it: " + "; ".join(_relation_lines(r))
        elif m.kind == "contains":
            parts = [c for c, k in m.components.items() if k == "momentum"]
            what = "contains it when " + " or ".join(parts + [label for label, _ in r.special])
        elif m.kind == "by-conversion":
            what = (f"contains it by verify convert {s.a.key} --to {m.name} when {r.conversion_said} (the conversion's "
                    "answer: its relation is not re-proved here)")
        else:
            what = "only degenerate special cases: " + ", ".join(f"{c} ({k})" for c, k in m.components.items())
        tab.add_row(esc(m.name), esc(what))
    console.print(tab)
    if s.others:
        console.print("[dim]never, with any relation found: " + esc(", ".join(n for n, _ in s.others)) + "[/]")


__all__ = ["compare", "replay", "split_sets"]
