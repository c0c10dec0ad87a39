"""Identify every optimizer class a package exports, each in a worker process with a time limit.

Nothing a class does can stop the census: an exception is a verdict (*not-probed* with the error's first line),
a class that runs past the limit or kills its process (a segfault, ``os._exit``) is recorded as such and the
worker is replaced. ``shard(items, k, n)`` takes every n-th class from the k-th (1-based), so n processes or
machines (a Slurm array, a process pool) split a census and ``verify merge`` joins their JSON.
"""
from __future__ import annotations

import importlib
import inspect
import multiprocessing as mp
import time

LIMIT_S = 30.0
"""Seconds one class may take (probing takes well under a second when it works; matching up to MATCH_BUDGET_S)."""
DEFAULT_LR = 1e-3
"""The learning rate given to a class whose constructor has no default for ``lr`` (optimi, ...)."""


def package_classes(package: str) -> list[str]:
    """``package.Name`` for every ``torch.optim.Optimizer`` subclass the package exports (aliases once)."""
    import torch

    module = importlib.import_module(package)
    seen, out = set(), []
    for name, obj in sorted(inspect.getmembers(module, inspect.isclass)):
        if obj is torch.optim.Optimizer or not issubclass(obj, torch.optim.Optimizer) or name.startswith("_"):
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append(f"{package}.{name}")
    return out


def shard(items: list, k: int, n: int) -> list:
    """Shard k of n (1-based): items k-1, k-1+n, ... (every class in exactly one shard)."""
    return items[k - 1::n]


def default_settings(cls) -> tuple[dict, str | None]:
    """Constructor arguments for a census run: the class's defaults, ``lr`` when it has none; or the reason it
    cannot be built without more (a required argument such as a base optimizer)."""
    from .probe import required_arguments

    kw = {}
    for name in required_arguments(cls):
        if name == "lr":
            kw["lr"] = DEFAULT_LR
        else:
            return kw, f"needs the constructor argument {name!r} (no default)"
    return kw, None


MATCH_BUDGET_S = 12.0
"""Seconds of matching against the registered methods per class in a census (the verdict itself takes < 1 s)."""


def derivations_of(methods=None) -> list:
    """The engine's derivation of each of ``methods`` (keys or :class:`~equivalences.declare.Method` objects;
    default every registered method): what matching solves against.  One that cannot be derived matches nothing."""
    from equivalences import registry
    from equivalences.derivation import derivation

    out = []
    for m in (registry.names() if methods is None else methods):
        try:
            out.append(derivation(m))
        except Exception:  # noqa: BLE001 -- a method that does not derive matches nothing
            continue
    return out


def identify_one(target: str, steps: int, dim: int, derivations: list | None = None) -> dict:
    """One class with default settings, as the census JSON entry (never raises); matched against
    ``derivations`` (:func:`derivations_of`) unless None."""
    from .probe import TargetError, load_class
    from .identification import Identification
    from .verdict import identify

    try:
        cls = load_class(target)
    except TargetError as err:
        return Identification(target, {}, "not-probed", f"cannot load: {err}").to_json()
    kw, missing = default_settings(cls)
    if missing:
        return Identification(target, {}, "not-probed", missing).to_json()
    try:
        res = identify(cls, kw, target, steps=steps, dim=dim)
    except Exception as err:  # noqa: BLE001 -- a census never stops for one class
        return Identification(target, dict(kw), "not-probed",
                              f"the probe failed: {type(err).__name__}: {err}".replace("\n", " ")[:300]).to_json()
    if derivations is not None:
        from .match import match as match_methods

        try:
            res.matches = match_methods(res, cls, kw, derivations, budget_s=MATCH_BUDGET_S)
        except Exception as err:  # noqa: BLE001
            res.unmatched_note = f"matching failed: {type(err).__name__}: {err}".replace("\n", " ")[:200]
    try:
        return res.to_json()
    except Exception as err:  # noqa: BLE001 -- a census never stops for one class
        return Identification(target, dict(kw), "not-probed",
                              f"the probe failed: {type(err).__name__}: {err}".replace("\n", " ")[:300]).to_json()


def _worker(inbox, outbox, steps, dim, derivations):
    import os
    import warnings

    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)  # a class that prints does not garble the census output
    os.dup2(devnull, 1)
    while True:
        target = inbox.get()
        if target is None:
            return
        outbox.put(identify_one(target, steps, dim, derivations))


class _Pool:
    """One worker process, replaced when a class outlives the limit or kills it."""

    def __init__(self, steps: int, dim: int, derivations: list | None):
        self.ctx = mp.get_context("fork")  # the workers share the derivations built before they start
        self.steps, self.dim, self.derivations = steps, dim, derivations
        self.proc = None

    def _start(self):
        self.inbox, self.outbox = self.ctx.Queue(), self.ctx.Queue()
        self.proc = self.ctx.Process(target=_worker, args=(self.inbox, self.outbox, self.steps, self.dim, self.derivations),
                                     daemon=True)
        self.proc.start()

    def _kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
            self.proc = None

    def run(self, target: str, limit_s: float) -> dict:
        from .identification import Identification

        if self.proc is None or not self.proc.is_alive():
            self._start()
        self.inbox.put(target)
        deadline = time.monotonic() + limit_s
        while True:
            try:
                return self.outbox.get(timeout=0.05)
            except Exception:  # noqa: BLE001 -- queue.Empty
                pass
            if not self.proc.is_alive():
                code = self.proc.exitcode
                self.proc = None
                return Identification(target, {}, "not-probed",
                                      f"the probe's process died (exit code {code})").to_json()
            if time.monotonic() > deadline:
                self._kill()
                return Identification(target, {}, "not-probed",
                                      f"time limit: no verdict within {limit_s:g} s").to_json()

    def close(self):
        if self.proc is not None and self.proc.is_alive():
            self.inbox.put(None)
            self.proc.join(timeout=5)
        self._kill()


def census(targets: list[str], *, steps: int = 16, dim: int = 16, limit_s: float = LIMIT_S, match: bool = True,
           progress=None) -> list[dict]:
    """Identify each target in a worker process with a per-class time limit; the JSON entries, in order.  With
    ``match``, the registered methods are derived once, here, before the workers start."""
    pool = _Pool(steps, dim, derivations_of() if match else None)
    out = []
    try:
        for target in targets:
            start = time.perf_counter()
            out.append(pool.run(target, limit_s))
            if progress is not None:
                progress(target, out[-1], time.perf_counter() - start)
    finally:
        pool.close()
    return out


def counts(entries: list[dict]) -> dict:
    order = ["in-family", "preconditioned", "sign", "not-in-family", "not-identified", "not-probed"]
    c = {k: 0 for k in order}
    for e in entries:
        c[e["verdict"]] = c.get(e["verdict"], 0) + 1
    return c


def merge(parts: list) -> list[dict]:
    """Join census or single-target JSON (lists or objects); one entry per (target, settings), sorted by target."""
    import json

    seen, out = set(), []
    for part in parts:
        for entry in part if isinstance(part, list) else [part]:
            if not isinstance(entry, dict) or "target" not in entry or "verdict" not in entry:
                raise ValueError("an entry is not an identify result (no 'target'/'verdict')")
            key = (entry["target"], json.dumps(entry.get("settings"), sort_keys=True))
            if key not in seen:
                seen.add(key)
                out.append(entry)
    return sorted(out, key=lambda e: e["target"])
