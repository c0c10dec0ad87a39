"""``verify identify TARGET`` and ``verify identify --all PACKAGE``: what a torch optimizer class is, by probing.

Constructor values come from ``--set name=value`` and are parsed strictly: ``true``/``false``, ``none``, a number
(through :func:`equivalences.algebra.exact`: ``0.9``, ``1e-3``, ``9/10``), a tuple ``0.9,0.99``, or a bare word
(``float64``). Nothing is evaluated. Every user mistake is one line on stderr and exit 2.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from . import UsageError as IdentifyUsage

STEPS = (4, 2000)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,100}")


@dataclass
class Census:
    """``verify identify --all PACKAGE`` (or ``verify merge``): one identification per class."""

    entries: list
    title: str
    wall: float | None = None

    def to_json(self):
        return self.entries


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", nargs="?", help="an optimizer class as you import it, e.g. torch.optim.SGD")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                        help="a constructor argument (repeatable): lr=0.1, betas=0.9,0.99, nesterov=true")
    parser.add_argument("--steps", type=int, default=16, help="probe length T (default 16)")
    parser.add_argument("--dim", type=int, default=16, help="coordinates per probe D (default 16)")
    parser.add_argument("--matrix", type=int, default=1, metavar="R",
                        help="probe an R x D/R matrix parameter instead of a vector (R divides D and 32)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--plot", metavar="PATH", help="plot the identified coefficients (.png or .pdf)")
    parser.add_argument("--expect", metavar="METHOD", help="exit 1 unless this registered method (or these "
                        "equations, \"m[t+1] = beta*m[t] + g[t]; ...\" or @FILE) matches")
    parser.add_argument("--all", metavar="PACKAGE", help="census: every optimizer class PACKAGE exports")
    parser.add_argument("--shard", metavar="K/N", help="census: only shard K of N (1-based), for parallel runs")
    parser.add_argument("--limit", type=float, default=30.0, help="census: seconds per class (default 30)")
    parser.add_argument("--no-match", action="store_true", help="census: skip matching against registered methods")


def parse_value(name: str, text: str):
    """A constructor value from its text; IdentifyUsage on anything else (never eval'd, never sympified)."""
    from equivalences.algebra import NotExact, exact

    raw = text.strip()
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    if "," in raw:
        return tuple(parse_value(name, part) for part in raw.split(","))
    try:
        value = exact(raw)
    except NotExact:
        if _WORD.fullmatch(raw):
            return raw
        raise IdentifyUsage(f"--set {name}={text}: not a number, true/false, none, a tuple like 0.9,0.99 or a "
                            "plain word") from None
    if value.is_Integer and not any(c in raw for c in ".eE/"):
        return int(value)
    return float(value)


def parse_sets(cls, items: list[str]) -> dict:
    import inspect

    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        params = {}
    open_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
    names = [k for k in params if k not in ("self", "params")]
    out = {}
    for item in items:
        if "=" not in item:
            raise IdentifyUsage(f"--set {item}: write NAME=VALUE, e.g. --set lr=0.1")
        name, text = (s.strip() for s in item.split("=", 1))
        if not name.isidentifier():
            raise IdentifyUsage(f"--set {item}: {name!r} is not an argument name")
        if names and not open_kwargs and name not in names:
            import difflib

            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]}?" if close else f"its arguments: {', '.join(names)}"
            raise IdentifyUsage(f"--set {name}: {cls.__name__} has no argument {name!r}; {hint}")
        if name in out:
            raise IdentifyUsage(f"--set {name} is given twice; give each argument once")
        value = parse_value(name, text)
        default = params[name].default if name in params else None
        if isinstance(value, str) and isinstance(default, (bool, int, float)) and not isinstance(default, str):
            kind = "true or false" if isinstance(default, bool) else "a number"
            raise IdentifyUsage(f"--set {name}={text}: {cls.__name__}'s {name} is {kind} (default {default}), "
                                f"not the word {text!r}")
        out[name] = value
    return out


def _shard(text: str | None) -> tuple[int, int]:
    if text is None:
        return 1, 1
    m = re.fullmatch(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise IdentifyUsage(f"--shard {text}: write K/N with 1 <= K <= N, e.g. --shard 2/4")
    return int(m.group(1)), int(m.group(2))


def run(args) -> int:
    return _run(args)


def _check_common(args):
    if not STEPS[0] <= args.steps <= STEPS[1]:
        raise IdentifyUsage(f"--steps {args.steps}: must be between {STEPS[0]} and {STEPS[1]}")
    if not 8 <= args.dim <= 4096:
        raise IdentifyUsage(f"--dim {args.dim}: must be between 8 and 4096 (the fit needs more coordinates than "
                            "unknowns)")
    if args.matrix < 1 or args.dim % args.matrix or 32 % args.matrix:
        raise IdentifyUsage(f"--matrix {args.matrix}: the number of rows must divide --dim ({args.dim}) and 32, "
                            "e.g. --matrix 4")


def _run(args) -> int:
    _check_common(args)
    if args.all is not None:
        if args.target or args.sets or args.plot or args.expect or args.matrix != 1:
            raise IdentifyUsage("--all PACKAGE runs a census with default settings on a vector: drop TARGET, --set, "
                                "--plot, --expect and --matrix")
        return _census(args)
    if args.shard is not None:
        raise IdentifyUsage("--shard splits a census: use it with --all PACKAGE")
    if not args.target:
        raise IdentifyUsage("name an optimizer class (verify identify torch.optim.SGD) or a package "
                            "(verify identify --all torch.optim)")
    from numeric.identify.probe import TargetError, load_class

    try:
        cls = load_class(args.target)
    except TargetError as err:
        raise IdentifyUsage(str(err) + _did_you_mean(args.target)) from None
    kwargs = parse_sets(cls, args.sets)
    if args.plot:
        from numeric.plots import PlotUnavailable, check_suffix

        try:
            check_suffix(args.plot)
        except PlotUnavailable as err:
            raise IdentifyUsage(str(err)) from None
    expect = _expected_method(args.expect)
    from numeric.identify.verdict import identify

    res = identify(cls, kwargs, args.target.strip(), steps=args.steps, dim=args.dim, rows=args.matrix)
    if res.verdict == "not-probed" and res.reason.startswith("raises at construction"):
        raise IdentifyUsage(f"{args.target}: {res.reason}; check the --set values")
    _add_matches(res, cls, kwargs, [expect] if expect else None)
    if args.plot:
        _plot(res, args.plot)
    from ..output import emit

    emit(res, "json" if args.json else "text")
    if expect is not None:
        key = getattr(expect, "key", expect)
        return 0 if any(m["method"] == key for m in res.matches) else 1
    return 0


def _did_you_mean(target: str) -> str:
    """``; did you mean torch.optim.SGD?`` for a misspelt class or module path: the closest names in the
    module (optimizer classes first) or in its parent package; empty when nothing is close."""
    import difflib
    import importlib
    import inspect
    import pkgutil

    parts = target.strip().split(".")
    for cut in range(len(parts) - 1, 0, -1):  # the longest importable prefix
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except Exception:  # noqa: BLE001 -- only looking for suggestions
            continue
        names = [n for n in dir(module) if not n.startswith("_")]
        if cut == len(parts) - 1:  # the class is the misspelt part: optimizer classes of the module
            import torch

            opt = [n for n in names if inspect.isclass(getattr(module, n, None))
                   and issubclass(getattr(module, n), torch.optim.Optimizer)]
            names = opt or names
        else:  # a misspelt module: the submodules of the package
            names = [n for n in names if inspect.ismodule(getattr(module, n, None))]
            names += [m.name for m in pkgutil.iter_modules(getattr(module, "__path__", []))]
        wrong = parts[cut]
        lower = {n.lower(): n for n in names}
        close = difflib.get_close_matches(wrong.lower(), list(lower), n=3, cutoff=0.6)
        if not close:
            return ""
        prefix = ".".join(parts[:cut])
        rest = ".".join(parts[cut + 1:])
        shown = [f"{prefix}.{lower[c]}" + (f".{rest}" if rest else "") for c in close]
        return "; did you mean " + " or ".join(shown) + "?"
    installed = sorted({m.name for m in pkgutil.iter_modules()})  # a misspelt package: the installed ones
    close = difflib.get_close_matches(parts[0], installed, n=2, cutoff=0.75)
    rest = ".".join(parts[1:])
    return "; did you mean " + " or ".join(f"{c}.{rest}" for c in close) + "?" if close else ""


def _expected_method(name):
    if name is None:
        return None
    from ..equations import is_equations, method

    if is_equations(name):  # a method in one line (docs/declaring-a-method.md): matched as its Method
        return method(name, option="--expect", name="expected",
                      values_from="--set gives the class's constructor arguments")
    from equivalences import registry

    try:
        return registry.get(name).key
    except registry.UnknownMethod as err:
        raise IdentifyUsage(f"--expect {name}: {err.args[0] if err.args else err}") from None


def _add_matches(res, cls, kwargs, methods=None):
    """Every registered method (only METHOD with --expect) that reproduces the identified coefficients."""
    from numeric.identify.census import derivations_of
    from numeric.identify.match import match

    res.matches = match(res, cls, kwargs, derivations_of(methods))


def _plot(res, path):
    from numeric.plots import PlotUnavailable

    from numeric.identify.plot import plot

    try:
        plot(res, path)
    except PlotUnavailable as err:
        raise IdentifyUsage(str(err)) from None


def _census(args) -> int:
    import time

    from numeric.identify import census as C

    k, n = _shard(args.shard)
    if not args.limit > 0:
        raise IdentifyUsage(f"--limit {args.limit}: must be a positive number of seconds")
    try:
        targets = C.package_classes(args.all.strip())
    except Exception as err:  # noqa: BLE001 -- an unimportable package is the user's input
        raise IdentifyUsage(f"--all {args.all}: cannot import it ({type(err).__name__}: {err}); check the "
                            "package is installed") from None
    if not targets:
        raise IdentifyUsage(f"--all {args.all}: exports no torch.optim.Optimizer subclass")
    start = time.perf_counter()
    entries = C.census(C.shard(targets, k, n), steps=args.steps, dim=args.dim, limit_s=args.limit,
                       match=not args.no_match)
    wall = time.perf_counter() - start
    from ..output import emit

    emit(Census(entries, f"{args.all}" + (f" shard {k}/{n}" if n > 1 else ""), wall), "json" if args.json else "text")
    return 0


def identify_and_match(target, settings: dict | None = None, *, steps: int = 16, dim: int = 16, rows: int = 1,
                       match: bool = True, methods=None):
    """The Python API behind ``equivalences.identify``: probe ``target`` (a class, or its import path) built
    with ``settings`` (Python values), then (``match``) the registered methods (or only ``methods``, keys)
    that reproduce it."""
    from numeric.identify.probe import load_class
    from numeric.identify.verdict import identify

    from ..notebook import attach_identification

    attach_identification()
    cls = load_class(target) if isinstance(target, str) else target
    name = target.strip() if isinstance(target, str) else f"{cls.__module__}.{cls.__qualname__}"
    res = identify(cls, dict(settings or {}), name, steps=steps, dim=dim, rows=rows)
    if res.verdict == "not-probed" and res.reason.startswith("raises at construction"):
        raise ValueError(f"{name}: {res.reason}; check the settings")
    if match:
        from equivalences import registry

        keys = None if methods is None else [registry.get(k).key for k in methods]
        _add_matches(res, cls, dict(settings or {}), keys)
    return res
