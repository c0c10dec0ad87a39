"""One derivation per method: its step system, derived map, proof and checked claims, built once.

Every stage -- the proof, the paper's claims, the replay, the appendix, the mutation suite, the
conversions -- reads the same :class:`Derivation` instead of rebuilding the step system and
re-deriving the map.  :func:`derivation` caches it per method object within a process (keyed by the
object itself, never by a name, so a user's method called like a built-in one gets its own).  The
proof and the claims are computed on first use: a caller that needs only the map pays only for it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

from . import cache
from .claims import ClaimChecker, ClaimResult
from .declare import Method
from .derive import Map, NotInFamily, derive
from .prove import Proof, prove
from .system import StepSystem
from .trajectory import Verdict, classify_degenerate, trajectory_route


@dataclass(eq=False)
class Derivation:
    """declare -> derive -> prove -> check the paper, for one method.

    ``map`` is None exactly when the method is not an instance of Eq. (1); ``not_in_family`` then
    says which term is in the way.  ``seconds`` records what each stage cost.
    """

    method: Method
    system: StepSystem
    map: Map | None
    not_in_family: str | None = None
    seconds: dict = field(default_factory=dict)
    verdict: Verdict | None = None
    """The trajectory route's verdict where the state-space route refused (None on the fast path): the map
    on the reachable states with its invariants, or the witness against Eq. (1)."""

    @cached_property
    def proof(self) -> Proof | None:
        if self.map is None:
            return None
        if self.verdict is not None:
            return self.verdict.proof
        start = time.perf_counter()
        out = prove(self.method, self.map, self.system)
        self.seconds["prove"] = time.perf_counter() - start
        return out

    @property
    def proved_on(self) -> tuple[Method, StepSystem]:
        """The declaration (and its step system) the map is written for: the method, or on the trajectory
        route its reduced form (the invariants solved for their variables)."""
        if self.verdict is not None and self.verdict.proved_on is not None:
            return self.verdict.proved_on, self.verdict.system
        return self.method, self.system

    @cached_property
    def checker(self) -> ClaimChecker | None:
        return None if self.map is None else ClaimChecker(*self.proved_on[:1], self.map, self.proved_on[1])

    @cached_property
    def degenerate(self) -> list[dict]:
        """The map's degenerate sets, each with its ``kind`` (one of many, no map, another map, ...)."""
        if self.map is None:
            return []
        start = time.perf_counter()
        out = classify_degenerate(self.method, self.map)
        self.seconds["degenerate"] = time.perf_counter() - start
        return out

    @cached_property
    def claims(self) -> list[ClaimResult]:
        if self.map is None:
            return []
        start = time.perf_counter()
        out = [self.checker.check(c) for c in self.method.claims]
        self.seconds["claims"] = time.perf_counter() - start
        return out

    @cached_property
    def control(self) -> tuple | None:
        """``(name, map)``: the negative control at the method's default values (the replay of ``verify NAME``),
        kept with the derivation; other values choose their own (:func:`equivalences.mutants.control`)."""
        if self.map is None:
            return None
        from .declare import setting
        from .mutants import control

        return control(self.map, self.method, setting(self.method))

    @property
    def proved(self) -> bool:
        return self.proof is not None and self.proof.holds


def build(method: Method) -> Derivation:
    """A fresh derivation (no cache): the step system and the derived map -- by the state-space route, or
    where it refuses, by the trajectory route (every refusal then carries a witness or says undecided)."""
    start = time.perf_counter()
    system = StepSystem(method)
    try:
        mp, verdict = derive(method, system), None
    except NotInFamily as err:  # the trajectory route decides: a map on the reachable states, or a witness
        verdict = trajectory_route(method, system, str(err))
        mp = verdict.map
    return Derivation(method, system, mp, None if mp is not None else verdict.refusal_text,
                      {"derive": time.perf_counter() - start}, verdict)


_CACHE: dict[int, Derivation] = {}
_RESULTS = ("proof", "claims", "degenerate", "control")


def derivation(method: Method | str) -> Derivation:
    """The derivation of ``method`` (a :class:`Method` or a registered name), built once: per process (keyed
    by the method object), and across processes through :mod:`equivalences.cache` (keyed by the exact text
    of the engine and of the declaration), where the map, proof, claims and degenerate sets are kept."""
    if isinstance(method, str):
        from .registry import get

        method = get(method)
    cached = _CACHE.get(id(method))
    if cached is None or cached.method is not method:
        cached = _CACHE[id(method)] = _from_disk(method) or _to_disk(build(method))
    return cached


def _from_disk(method: Method) -> Derivation | None:
    start = time.perf_counter()
    saved = cache.load(method)
    if saved is None:
        return None
    d = Derivation(method, StepSystem(method), saved["map"], saved["not_in_family"], {}, saved["verdict"])
    for name in _RESULTS:  # the lazily computed results, as computed then
        if name in saved:
            d.__dict__[name] = saved[name]
    d.seconds["cached"] = time.perf_counter() - start
    return d


def _to_disk(d: Derivation) -> Derivation:
    if cache.directory() is not None:
        cache.store(d.method, {"map": d.map, "not_in_family": d.not_in_family, "verdict": d.verdict,
                               **{name: getattr(d, name) for name in _RESULTS}})
    return d


def system_of(method: Method) -> StepSystem:
    """The (cached) step system of ``method``."""
    return derivation(method).system
