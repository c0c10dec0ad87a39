"""Adapters that drive real optimizer libraries in lockstep with Eq. (1) (docs/libraries.md).

One module per library declares its :class:`~numeric.libraries.driver.Adapter` s; the shared loop is
:func:`~numeric.libraries.driver.run`.  :func:`lookup` is the only way a command-line string reaches a
library: it must name a registered adapter; nothing else is imported.
"""
from __future__ import annotations

import importlib
import importlib.util

from .driver import TOLERANCE, Adapter, Setting, SettingResult, run

MODULES = ("schedulefree_pkg", "pytorch_optimizer_pkg", "lion_pytorch_pkg", "optimi_pkg", "heavyball_pkg",
           "torch_optim")


class UnknownAdapter(LookupError):
    pass


def adapters() -> list[Adapter]:
    out = []
    for name in MODULES:
        out.extend(importlib.import_module(f".{name}", __package__).ADAPTERS)
    return out


def installed(adapter: Adapter) -> bool:
    return importlib.util.find_spec(adapter.package.split(".")[0]) is not None


def lookup(target: str) -> Adapter:
    """The registered adapter for ``package.Class``; a one-line error naming the fix otherwise."""
    table = {a.target.lower(): a for a in adapters()}
    adapter = table.get(target.strip().lower())
    if adapter is None:
        import difflib

        close = difflib.get_close_matches(target, [a.target for a in adapters()], n=2, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}?" if close else "run 'verify libraries' to list them"
        raise UnknownAdapter(f"no adapter for {target!r}: {hint}")
    if not installed(adapter):
        raise UnknownAdapter(f"{adapter.target}: package {adapter.distribution!r} is not installed; "
                             f"pip install -c .ci/constraints.txt '.[libs]'")
    return adapter


def status(results: list[SettingResult]) -> str:
    """``exact`` / ``maps with caveat: ...`` / ``differs: ...`` for one adapter's settings."""
    adapter = results[0].adapter
    bad = [r for r in results if r.setting.expect == "exact" and not r.as_expected]
    if bad:
        r = bad[0]
        if r.error:
            how = r.error
        elif not r.agrees:
            how = f"deviation {r.worst:.1e} at {r.setting.name}"
        else:
            how = f"control not rejected at {r.setting.name}"
        return f"differs: {how}"
    notes = [r.setting.note for r in results if r.setting.expect != "exact"]
    caveats = [c for c in [adapter.caveat] + notes if c]
    return "maps with caveat: " + "; ".join(caveats) if caveats else "exact"


__all__ = ["TOLERANCE", "Adapter", "Setting", "SettingResult", "UnknownAdapter", "adapters", "installed", "lookup",
           "run", "status"]
