"""``verify libraries`` and ``verify NAME --against pkg.Class``: real optimizer classes against Eq. (1).

Only a registered adapter's ``package.Class`` is ever imported (numeric.libraries.lookup).
"""
from __future__ import annotations

import json


def _row(adapter, results, method: str | None = None) -> dict:
    from numeric.libraries import status

    exact = [r for r in results if r.setting.expect == "exact"]
    return {
        "library": adapter.distribution, "class": adapter.target, "version": adapter.version(),
        "method": method or adapter.method, "status": status(results),
        "max_rel_deviation": max((r.worst for r in exact), default=None),
        "control_rejected": all(r.control_rejected for r in exact),
        "settings": [{"name": r.setting.name, "expect": r.setting.expect, "note": r.setting.note or None,
                      "max_rel_deviation_query": r.deviation, "max_rel_deviation_eval": r.deviation_eval,
                      "control": r.control_name, "control_deviation": r.control, "error": r.error,
                      "as_expected": r.as_expected, "steps": r.steps,
                      "arguments": {k: _plain(v) for k, v in r.arguments.items()}} for r in results],
    }


def _against(args, UsageError):
    """``(adapter, settings, derived)`` for ``verify NAME|--module FILE --against PKG.CLASS [--set ...]``."""
    from numeric.libraries import UnknownAdapter, lookup
    from numeric.libraries.overrides import BadOverride, derived, fits, user_setting

    from . import registry

    if args.target in ("all", "list", "mutations", "appendix"):
        raise UsageError(f"--against compares one method with one class: verify NAME --against PKG.CLASS, "
                         f"not {args.target!r}")
    method = registry.load_module(args.module) if args.module else None
    if method is not None and args.target not in (None, method.key):
        raise UsageError(f"--module declares {method.key!r}, not {args.target!r}; drop the name or fix it")
    if method is None:
        if args.target is None:
            raise UsageError("--against needs a method: verify NAME --against PKG.CLASS (or --module FILE.py)")
        method = registry.get(args.target)  # an unknown method fails first, in one line
    try:
        adapter = lookup(args.against)
    except UnknownAdapter as err:
        raise UsageError(str(err)) from None
    try:
        if args.module:
            fits(adapter, method)
        elif adapter.method != method.key:
            raise UsageError(f"{adapter.target} maps to {adapter.method!r}, not {method.key!r}: "
                             f"verify {adapter.method} --against {adapter.target}")
        settings = (user_setting(adapter, method, _sets(args.sets, UsageError)),) if args.sets else adapter.settings
        return adapter, settings, derived(method) if args.module else None
    except BadOverride as err:
        raise UsageError(str(err)) from None


def _sets(items, UsageError) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--set {item}: write ARG=VALUE, e.g. --set lr=0.1")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def _plain(value):
    """A constructor argument as JSON: numbers, flags, text and tuples as they are; anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return repr(value)


def run_libraries(args, UsageError) -> int:
    from numeric.libraries import TOLERANCE, adapters, installed, run

    if args.steps < 1 or args.steps > 100_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 100000")
    if not 1 <= args.dim <= 1 << 16:
        raise UsageError(f"--dim {args.dim}: must be between 1 and 65536")
    if args.target == "libraries":
        if args.against:
            raise UsageError("--against names a class for one method: verify NAME --against PKG.CLASS")
        if args.sets:
            raise UsageError("--set applies to one class: verify NAME --against PKG.CLASS --set ARG=VALUE")
        if args.module:
            raise UsageError("--module with a library: verify --module FILE.py --against PKG.CLASS")
        chosen = [(a, a.settings, None) for a in adapters() if installed(a)]
        missing = sorted({a.distribution for a in adapters() if not installed(a)})
    else:
        chosen, missing = [_against(args, UsageError)], []
    rows = [_row(a, [run(a, s, steps=args.steps, dim=args.dim, seed=args.seed, derived=d) for s in settings],
                 d[0].key if d else None) for a, settings, d in chosen]
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
            if s["name"].startswith("--set"):
                what = s["error"] or f"deviation {max(s['max_rel_deviation_query'], s['max_rel_deviation_eval'] or 0):.1e}"
                console.print(f"  {r['class']} at {s['name']}: {what} (control {s['control_deviation']:.1e})")
            elif s["expect"] != "exact" or not s["as_expected"]:
                what = s["error"] or f"deviation {max(s['max_rel_deviation_query'], s['max_rel_deviation_eval'] or 0):.1e}"
                mark = "" if s["as_expected"] else "  (not as documented)"
                console.print(f"  {r['class']} at {s['name']}: {s['note'] or 'unexpected'} -> {what}{mark}")
    if missing:
        console.print(f"not installed: {', '.join(missing)} (pip install -c .ci/constraints.txt '.[libs]')")
