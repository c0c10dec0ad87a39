"""One derivation per method: its step system, derived map, proof and checked claims, built once.

Every stage -- the proof, the paper's claims, the replay, the appendix, the mutation suite, the
conversions -- reads the same :class:`Derivation` instead of rebuilding the step system and
re-deriving the map.  :func:`derivation` caches it per method object within a process (keyed by the
object itself, never by a name, so a user's method called like a built-in one gets its own).  The
proof, the claims, the degenerate sets, the control and the independent check are computed on first use
(a caller that needs only the map pays only for it) and each is kept in the on-disk cache when it is first
computed (:mod:`equivalences.cache`), so that ``verify all`` (which shows no degenerate set) does not
classify them and a later ``verify NAME`` that does reads back what was computed before.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from . import cache
from .algebra import canonical, specialise
from .claims import ClaimChecker, ClaimResult
from .declare import Method, setting
from .outcome import Outcome
from .derive import Map, NotInFamily, derive
from .oracles import is_multicall
from .prove import Proof, prove
from .response import CrossExamination, cross_examine
from .steps import depends_on_t_alone, integer_roots, refuse_opaque_steps
from .symbols import t
from .system import StepSystem
from .trajectory import Verdict, _with_example, classify_degenerate, find_witness, trajectory_route


class _result(cached_property):
    """A result computed from the derivation on first use, and kept in the on-disk cache from then on."""

    def __get__(self, obj, cls=None):
        if obj is None or self.attrname in obj.__dict__:
            return super().__get__(obj, cls)
        value = super().__get__(obj, cls)
        if obj.on_disk:
            cache.store_part(obj.method, self.attrname, value)
        return value


@dataclass(eq=False)
class Derivation:
    """declare -> derive -> prove -> check the paper, for one method.

    ``map`` is None exactly when the method is not an instance of Eq. (1); ``not_in_family`` then
    says which term is in the way, and :attr:`outcome` whether a witness shows it or nothing was decided.  ``seconds`` records what each stage cost.
    """

    method: Method
    system: StepSystem
    map: Map | None
    not_in_family: str | None = None
    seconds: dict = field(default_factory=dict)
    verdict: Verdict | None = None
    """The trajectory route's verdict where the state-space route refused (None on the fast path): the map
    on the reachable states with its invariants, or the witness against Eq. (1)."""
    steps: list = field(default_factory=list)
    """The integer steps where a factor of ``t`` alone vanishes (:mod:`equivalences.steps`), each decided:
    ``{"step", "factor", "kind", "effects"}``."""
    on_disk: bool = field(default=False, repr=False)
    """Kept in the on-disk cache: each result is stored there when it is first computed."""

    @_result
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

    @_result
    def degenerate(self) -> list[dict]:
        """The map's degenerate sets, each with its ``kind`` (one of many, no map, another map, ...)."""
        if self.map is None:
            return []
        start = time.perf_counter()
        out = classify_degenerate(self.method, self.map) + self._step_entries()
        self.seconds["degenerate"] = time.perf_counter() - start
        return out

    def _step_entries(self) -> list[dict]:
        return [{"condition": f"step t = {s['step']} ({s['factor']} = 0 there)", "factor": s["factor"],
                 "effects": s["effects"], "kind": s["kind"], "witness": None, "map_undefined": s["map_undefined"]}
                for s in self.steps]

    @property
    def degenerate_sets(self) -> list[dict]:
        """The entries of :attr:`degenerate` before they are classified (each ``condition``, ``factor`` and
        ``effects``, in the same order): what a caller reads to find the sets that hold at some values, and then
        classifies only those (:meth:`classified`)."""
        if "degenerate" in self.__dict__:
            return self.degenerate
        return [] if self.map is None else list(self.map.degenerate) + self._step_entries()

    def classified(self, i: int) -> dict:
        """Entry ``i`` of :attr:`degenerate`, classifying that entry alone where the others are not needed (each
        entry is classified on its own: the same result as in the whole list)."""
        if "degenerate" in self.__dict__:
            return self.degenerate[i]
        n = len(self.map.degenerate)
        if i >= n:  # an integer step: decided when the map was derived
            return self._step_entries()[i - n]
        done = self.__dict__.setdefault("_classified", {})
        if i not in done:
            done[i] = classify_degenerate(self.method, self.map.replace(degenerate=[self.map.degenerate[i]]))[0]
        return done[i]

    def holding(self, values: dict) -> tuple[list[str], dict | None]:
        """Where ``values`` (``{constant: value}``) put the map on one of its degenerate sets, decided exactly:
        ``(notes, entry)``.  A set where only the buffer's weight vanishes leaves the map valid and gives a note;
        the first set where something is undefined is returned as ``entry`` (the verdict there is about the values
        themselves).  Only the sets that hold at these values are classified (:meth:`classified`)."""
        if not values or self.map is None:
            return [], None
        here, notes = setting(self.method, values), []
        shown = ", ".join(f"{k.name}={v}" for k, v in values.items())
        for i, entry in enumerate(self.degenerate_sets):
            if _nonzero_at_a_step(entry["factor"], here, self.method.t0) or \
                    canonical(specialise(entry["factor"], here)) != 0:
                continue
            d = self.classified(i)
            if d["map_undefined"]:
                return notes, d
            notes.append(f"{d['condition']} at {shown}: " + "; ".join(dict.fromkeys([d['effects'][0], d['effects'][-1]])))
        return notes, None

    @_result
    def undefined_at_defaults(self) -> dict | None:
        """The first degenerate set with a part of the map undefined that the defaults lie on (None: none):
        :meth:`holding` at the declared constants' defaults, kept with the derivation."""
        return self.holding({k: v for k, v in setting(self.method).items() if isinstance(k, sp.Symbol)})[1]

    @_result
    def cross_examination(self) -> CrossExamination:
        """The independent check (:mod:`equivalences.response`) of this verdict at the defaults and at random
        points of the domain: the declaration run as written, exactly, against Eq. (1) and the derived map."""
        start = time.perf_counter()
        out = cross_examine(self.method, self.verdict_name, self.map if self.proved else None,
                            steps=self.check_steps)
        self.seconds["cross-examination"] = time.perf_counter() - start
        return out

    @property
    def outcome(self) -> Outcome:
        """In the family (a map), not in it (a witness), or undecided: the verdict as a value."""
        return Outcome.IN_FAMILY if self.map is not None else self.verdict.outcome

    @property
    def verdict_name(self) -> str:
        if self.map is not None:
            return "proved" if self.proved else "proof failed"
        return self.outcome.value

    @property
    def check_steps(self) -> int:
        """Steps the independent check runs: past every witness and every decided integer step."""
        from .response import default_steps

        last = [s["step"] for s in self.steps]
        if self.verdict is not None and self.verdict.witness is not None:
            last.append(self.verdict.witness.step)
        return max([default_steps(self.method)] + [k - self.method.t0 + 3 for k in last])

    @property
    def consistent(self) -> bool:
        """The independent check does not contradict the verdict."""
        return not self.cross_examination.inconsistent

    @_result
    def claims(self) -> list[ClaimResult]:
        if self.map is None:
            return []
        start = time.perf_counter()
        out = [self.checker.check(c) for c in self.method.claims]
        self.seconds["claims"] = time.perf_counter() - start
        return out

    @_result
    def control(self) -> tuple | None:
        """``(name, map)``: the negative control at the method's default values (the replay of ``verify NAME``),
        kept with the derivation; other values choose their own (:func:`equivalences.mutants.control`)."""
        if self.map is None:
            return None
        from .mutants import control

        return control(self.map, self.method, setting(self.method))

    @property
    def proved(self) -> bool:
        return self.proof is not None and self.proof.holds

    def prefetch(self) -> None:
        """Compute what ``verify NAME`` shows: the proof, the claims, the independent check and the degenerate sets.
        With more than one core and ``fork``, the degenerate sets (the costliest, and independent of the rest) are
        classified in a forked child while this process computes the others (same code, same state: the same
        result); where the child fails in any way, this process classifies them itself, so an error is raised
        here, as without the child."""
        child = _start(self) if self.map is not None and "degenerate" not in self.__dict__ else None
        for name in ("proof", "claims", "cross_examination"):
            getattr(self, name)
        if child is not None:
            got = _finish(child)
            if got is not None:
                self.__dict__["degenerate"], self.seconds["degenerate"] = got
        self.degenerate  # noqa: B018


def build(method: Method) -> Derivation:
    """A fresh derivation (no cache): the step system and the derived map -- by the state-space route, or
    where it refuses, by the trajectory route (every refusal then carries a witness or says undecided)."""
    start = time.perf_counter()
    if is_multicall(method):  # several gradient calls per step: equivalences/oracles.py decides
        return _calls_derivation(method)
    refuse_opaque_steps(method)
    system = StepSystem(method)
    try:
        mp, verdict = derive(method, system), None
    except NotInFamily as err:  # the trajectory route decides: a map on the reachable states, or a witness
        verdict = trajectory_route(method, system, str(err))
        mp = verdict.map
    steps = []
    if mp is not None:
        mp, verdict, steps = integer_steps(method, system, mp, verdict)
    return Derivation(method, system, mp, None if mp is not None else verdict.refusal_text,
                      {"derive": time.perf_counter() - start}, verdict, steps)


def _calls_derivation(method: Method) -> Derivation:
    """A multi-call method: the derivation of the single-call method it reduces to, or no map with the witness (or
    undecided), and an independent check that does not apply (it runs one call per step)."""
    from .oracles import CallsVerdict, against_eq1
    from .response import cross_examine

    v = against_eq1(method)
    if v.kind == "reduced":
        return build(v.reduced)
    verdict = CallsVerdict(method, "calls", reason=v.reason, witness=v.witness)
    d = Derivation(method, None, None, verdict.refusal_text, {}, verdict)
    d.__dict__["cross_examination"] = cross_examine(method, d.verdict_name)
    return d


def integer_steps(method: Method, system: StepSystem, mp, verdict):
    """``t`` is an integer: each degenerate factor of ``t`` alone is decided at the steps where it vanishes.

    A factor no step ``k >= t0`` satisfies is dropped.  Where only eta_a vanishes at that step, the map holds
    (no denominator vanishes: the proof covers the step).  Where the map is undefined at step ``k``, the
    trajectory is unrolled past ``k``: a witness there means no map exists -- the method is not an instance
    of Eq. (1) -- and the derived map is withdrawn; no witness leaves the method undecided (the proof does not
    cover the step).  Returns ``(map or None, verdict, steps)``."""
    kept, steps, singular = [], [], []
    for d in mp.degenerate:
        f = d["factor"]
        if not depends_on_t_alone(f):
            kept.append(d)
            continue
        roots = integer_roots(f, method.t0)
        if roots is None:
            kept.append(d)
            continue
        undefined = d["map_undefined"]
        for k in roots:
            steps.append({"step": k, "factor": f, "kind": "no-map?" if undefined else "map-holds",
                          "effects": list(d["effects"]), "map_undefined": undefined})
            if undefined:
                singular.append(k)
    mp = mp.replace(degenerate=kept)
    if not singular:
        for s in steps:
            s["effects"].append("at that step only eta_a vanishes and no denominator of the map does: "
                                "the proof covers it")
        return mp, verdict, steps
    last = max(singular)
    w = find_witness(method, system, steps=last - method.t0 + 4)
    where = ", ".join(f"t = {k}" for k in sorted(set(singular)))
    if w is not None:
        w = _with_example(method, w)
        for s in steps:
            s["kind"] = "no-map" if s["step"] in singular else s["kind"]
        reason = (f"its derived map is undefined at step {where}, where a factor of t alone vanishes; t is an "
                  f"integer, so every run reaches that step")
        return None, Verdict(method, "trajectory", reason=reason, witness=w), steps
    for s in steps:
        s["kind"] = "undecided" if s["step"] in singular else s["kind"]
    reason = (f"the derived map is undefined at step {where} (a factor of t alone vanishes there) and no witness "
              f"was found through step {last + 3}")
    return None, Verdict(method, "trajectory", reason=reason), steps


_CACHE: dict[int, Derivation] = {}
_RESULTS = ("proof", "claims", "degenerate", "control", "cross_examination", "undefined_at_defaults")


def _nonzero_at_a_step(factor, values: dict, t0: int) -> bool:
    """True when ``factor`` at ``values`` is a non-zero finite number at step ``t0`` or ``t0 + 1``: then it is not
    identically 0 (exact; cheaper than simplifying it as a function of ``t``).  False decides nothing."""
    for k in (t0, t0 + 1):
        value = specialise(sp.sympify(factor).subs(t, k), values)
        if value.is_Number and value.is_finite and value != 0:
            return True
    return False


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


def derived_here(method: Method | str) -> bool:
    """Whether this process holds the derivation of ``method`` already (:func:`derivation` returns it at once)."""
    if isinstance(method, str):
        from .registry import get

        method = get(method)
    cached = _CACHE.get(id(method))
    return cached is not None and cached.method is method


def _from_disk(method: Method) -> Derivation | None:
    start = time.perf_counter()
    if is_multicall(method):
        return None
    saved = cache.load(method, _RESULTS)
    if saved is None:
        return None
    d = Derivation(method, StepSystem(method), saved["map"], saved["not_in_family"], {}, saved["verdict"],
                   saved.get("steps", []), on_disk=True)
    for name in _RESULTS:  # the lazily computed results, as computed then
        if name in saved:
            d.__dict__[name] = saved[name]
    d.seconds["cached"] = time.perf_counter() - start
    return d


def keep(method: Method | str) -> Derivation:
    """Store the derivation of ``method`` this process holds (and every result computed so far) in the on-disk
    cache now: another process (a notebook kernel the tests start) then reads it instead of deriving it again."""
    return _to_disk(derivation(method))


def _to_disk(d: Derivation) -> Derivation:
    """Store the derivation; its results are stored as they are computed (:class:`_result`)."""
    if cache.directory() is not None and not is_multicall(d.method):
        cache.store(d.method, {"map": d.map, "not_in_family": d.not_in_family, "verdict": d.verdict, "steps": d.steps})
        d.on_disk = True
        for name in _RESULTS:
            if name in d.__dict__:
                cache.store_part(d.method, name, d.__dict__[name])
    return d


def _start(d: Derivation):
    import multiprocessing
    import os

    if (os.cpu_count() or 1) < 2:
        return None
    try:
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_alone, args=(d, send), daemon=True)
        proc.start()
    except (ValueError, OSError, AssertionError):  # no fork here, or a daemonic worker (no children allowed)
        return None
    send.close()
    return proc, receive


def _alone(d: Derivation, send) -> None:
    """In the child: the degenerate sets (stored in the cache as usual), sent pickled; nothing is sent where it
    fails (the parent then classifies them)."""
    import pickle

    try:
        value = d.degenerate
        send.send_bytes(pickle.dumps((value, d.seconds.get("degenerate")), protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 -- the parent recomputes and raises it there
        pass
    finally:
        send.close()


def _finish(child):
    import pickle

    proc, receive = child
    try:
        data = receive.recv_bytes()
    except (EOFError, OSError):
        data = None
    finally:
        receive.close()
        proc.join()
    if data is None or proc.exitcode != 0:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001
        return None


def system_of(method: Method) -> StepSystem:
    """The (cached) step system of ``method``."""
    return derivation(method).system
