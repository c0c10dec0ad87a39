"""``verify libraries`` and ``verify NAME --against pkg.Class``: real optimizer classes against Eq. (1).

Only a registered adapter's ``package.Class`` is ever imported (numeric.libraries.lookup).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import UsageError, parse_sets


@dataclass
class LibraryRun:
    """Rows (one per adapter) of a ``verify libraries`` run; ``single`` for ``--against`` (one row)."""

    rows: list
    missing: list
    steps: int
    tolerance: float
    single: bool = False

    @property
    def ok(self) -> bool:
        return all(all(s["as_expected"] for s in r["settings"]) and r.get("independent_check", {}).get("consistent", True)
                   for r in self.rows)

    def to_json(self):
        if self.single:
            return self.rows[0]
        return {"tolerance": self.tolerance, "steps": self.steps, "libraries": self.rows,
                "not_installed": self.missing}


def configure(p) -> None:
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--steps", type=int, default=500, help="replay length (default 500)")
    p.add_argument("--dim", type=int, default=32, help="problem dimension (default 32)")
    p.add_argument("--seed", type=int, default=0, help="seed of the stochastic problem (default 0)")


def _check(args) -> None:
    if args.steps < 1 or args.steps > 100_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 100000")
    if not 1 <= args.dim <= 1 << 16:
        raise UsageError(f"--dim {args.dim}: must be between 1 and 65536")


def run(args) -> int:
    """Every adapter whose package is installed."""
    from numeric.libraries import TOLERANCE, adapters, installed

    _check(args)
    chosen = [a for a in adapters() if installed(a)]
    missing = sorted({a.distribution for a in adapters() if not installed(a)})
    return _finish(args, chosen, missing, TOLERANCE, single=False)


def run_against(args) -> int:
    """``verify NAME|--module FILE.py --against PKG.CLASS [--set ARG=VALUE ...]``: one class against one map."""
    from numeric.libraries import TOLERANCE

    _check(args)
    return _finish(args, [_against(args)], [], TOLERANCE, single=True)


def _against(args):
    """``(adapter, settings, derived)``: the class, its settings (the adapter's, or the user's ``--set``),
    and the user's own derivation for ``--module`` (None: the adapter's registry method)."""
    from numeric.libraries import UnknownAdapter, lookup
    from numeric.libraries.overrides import BadOverride, derived, fits, user_setting

    from ... import registry
    from . import COMMANDS

    if args.target == "all" or args.target in COMMANDS:
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
        settings = (user_setting(adapter, method, parse_sets(args.sets)),) if args.sets else adapter.settings
        return adapter, settings, derived(method) if args.module else None
    except BadOverride as err:
        raise UsageError(str(err)) from None


def _plain(value):
    """A constructor argument as JSON: numbers, flags, text and tuples as they are; anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return repr(value)


def _finish(args, chosen, missing, tolerance, single) -> int:
    from numeric.libraries import run as replay_setting

    from ..output import emit

    chosen = [c if isinstance(c, tuple) else (c, c.settings, None) for c in chosen]
    rows = [_row(a, [replay_setting(a, s, steps=args.steps, dim=args.dim, seed=args.seed, derived=d) for s in settings],
                 d[0].key if d else None) for a, settings, d in chosen]
    result = LibraryRun(rows, missing, args.steps, tolerance, single)
    emit(result, "json" if args.json else "text")
    return 0 if result.ok else 1


def _row(adapter, results, method: str | None = None) -> dict:
    from numeric.libraries import status

    from ...derivation import derivation
    from ...registry import get

    name = method or adapter.method
    check = derivation(get(name)).cross_examination if method is None else None
    exact = [r for r in results if r.setting.expect == "exact"]
    return {
        "library": adapter.distribution, "class": adapter.target, "version": adapter.version(),
        "method": method or adapter.method, "status": status(results),
        "max_rel_deviation": max((r.worst for r in exact), default=None),
        "independent_check": {"consistent": check is None or not check.inconsistent,
                              "summary": None if check is None else check.summary()},
        "control_rejected": all(r.control_rejected for r in exact),
        "settings": [{"name": r.setting.name, "expect": r.setting.expect, "note": r.setting.note or None,
                      "max_rel_deviation_query": r.deviation, "max_rel_deviation_eval": r.deviation_eval,
                      "control": r.control_name, "control_deviation": r.control, "error": r.error,
                      "as_expected": r.as_expected, "steps": r.steps,
                      "arguments": {k: _plain(v) for k, v in r.arguments.items()}} for r in results],
    }
