"""``verify libraries`` and ``verify NAME --against pkg.Class``: real optimizer classes against Eq. (1).

Only a registered adapter's ``package.Class`` is ever imported (numeric.libraries.lookup).
"""
from __future__ import annotations

import json


def _row(adapter, results) -> dict:
    from numeric.libraries import status

    exact = [r for r in results if r.setting.expect == "exact"]
    return {
        "library": adapter.distribution, "class": adapter.target, "version": adapter.version(),
        "method": adapter.method, "status": status(results),
        "max_rel_deviation": max((r.worst for r in exact), default=None),
        "control_rejected": all(r.control_rejected for r in exact),
        "settings": [{"name": r.setting.name, "expect": r.setting.expect, "note": r.setting.note or None,
                      "max_rel_deviation_query": r.deviation, "max_rel_deviation_eval": r.deviation_eval,
                      "control": r.control_name, "control_deviation": r.control, "error": r.error,
                      "as_expected": r.as_expected, "steps": r.steps} for r in results],
    }


def run_libraries(args, UsageError) -> int:
    from numeric.libraries import TOLERANCE, UnknownAdapter, adapters, installed, lookup, run

    from .. import registry

    if args.steps < 1 or args.steps > 100_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 100000")
    if not 1 <= args.dim <= 1 << 16:
        raise UsageError(f"--dim {args.dim}: must be between 1 and 65536")
    if args.target == "libraries":
        if args.against:
            raise UsageError("--against names a class for one method: verify NAME --against PKG.CLASS")
        chosen = [a for a in adapters() if installed(a)]
        missing = sorted({a.distribution for a in adapters() if not installed(a)})
    else:
        registry.get(args.target)  # an unknown method fails first, in one line
        try:
            adapter = lookup(args.against)
        except UnknownAdapter as err:
            raise UsageError(str(err)) from None
        key = registry.get(args.target).key
        if adapter.method != key:
            raise UsageError(f"{adapter.target} maps to {adapter.method!r}, not {key!r}: "
                             f"verify {adapter.method} --against {adapter.target}")
        chosen, missing = [adapter], []
    rows = [_row(a, [run(a, s, steps=args.steps, dim=args.dim, seed=args.seed) for s in a.settings])
            for a in chosen]
    ok = all(all(s["as_expected"] for s in r["settings"]) for r in rows)
    if args.json:
        payload = {"tolerance": TOLERANCE, "steps": args.steps, "libraries": rows, "not_installed": missing}
        print(json.dumps(payload if args.target == "libraries" else rows[0], indent=2))
        return 0 if ok else 1
    _render(rows, missing, args.steps)
    return 0 if ok else 1


def _render(rows, missing, steps):
    from rich.console import Console
    from rich.table import Table

    from numeric.libraries import TOLERANCE

    table = Table(title=f"Real optimizer libraries against Eq. (1)  (float64, {steps} steps, tolerance {TOLERANCE:.0e})")
    for col in ("library", "class", "version", "method", "status", "max rel. dev.", "control rejected"):
        table.add_column(col, overflow="fold")
    for r in rows:
        dev = "—" if r["max_rel_deviation"] is None else f"{r['max_rel_deviation']:.1e}"
        table.add_row(r["library"], r["class"], r["version"], r["method"], r["status"].split(":")[0], dev,
                      "✓" if r["control_rejected"] else "✗")
    console = Console()
    console.print(table)
    for r in rows:
        if ":" in r["status"]:
            console.print(f"{r['class']}: {r['status']}")
        for s in r["settings"]:
            if s["expect"] != "exact" or not s["as_expected"]:
                what = s["error"] or f"deviation {max(s['max_rel_deviation_query'], s['max_rel_deviation_eval'] or 0):.1e}"
                mark = "" if s["as_expected"] else "  (not as documented)"
                console.print(f"  {r['class']} at {s['name']}: {s['note'] or 'unexpected'} -> {what}{mark}")
    if missing:
        console.print(f"not installed: {', '.join(missing)} (pip install -c .ci/constraints.txt '.[libs]')")
