"""Flag combinations ``verify`` refuses instead of silently ignoring one of the flags.

An option that a command does not use would otherwise be dropped without a word (``verify list --set
beta=1``, ``verify NAME --no-numeric --sweep 8``, ``verify NAME --against PKG.CLASS --dtype float32``): the
user would believe it took effect.  :func:`refuse_unused` raises the CLI's usage error, one line naming the
flag and why it does not apply.
"""
from __future__ import annotations

REPLAY_DEFAULTS = {"sweep": 0, "grid": 0, "problem": "lsq", "dtype": "float64", "device": "cpu", "steps": 500,
                   "dim": 32, "seed": 0}
"""Options of the replay (a value other than the default is a request for the replay)."""


def _flag(name: str, value) -> str:
    flag = "--set" if name == "sets" else "--" + name.replace("_", "-")
    if isinstance(value, list):
        value = value[0]
    return flag if isinstance(value, bool) else f"{flag} {value}"


def _given(args, names) -> list[str]:
    return [_flag(n, getattr(args, n)) for n in names if getattr(args, n) != REPLAY_DEFAULTS.get(n, None)
            and getattr(args, n) not in (False, [], None)]


def refuse_unused(args, UsageError) -> None:
    """Raise ``UsageError`` for a flag the requested command would ignore."""
    if args.against:
        given = _given(args, ("sweep", "grid", "problem", "dtype", "device", "no_numeric", "plot", "strict_paper"))
        if given:
            raise UsageError(f"{given[0]} does not apply to --against: a library class is replayed in float64 on the CPU "
                             "on the least-squares problem at its adapter's settings (or your --set); drop it")
    elif args.no_numeric:
        given = _given(args, tuple(REPLAY_DEFAULTS))
        if given:
            raise UsageError(f"{given[0]} sets the numeric replay, which --no-numeric turns off; drop one of them")
