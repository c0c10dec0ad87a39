"""The independent check of a verdict: at one point, and cross-examined at the defaults and random points."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..declare import Method
from .findings import Finding, decide, map_mismatch
from .points import Point, point_at, random_point
from .runs import NotApplicable, Undefined, run


# -- the cross-examination of a verdict ---------------------------------------------------------------------
@dataclass
class Check:
    """The independent check of one verdict at one point."""

    point: Point
    steps: int
    member: bool | None
    """Eq. (1) produces the run (None: the check does not apply here)."""
    finding: Finding | None = None
    map_finding: Finding | None = None
    undefined: str | None = None
    not_applicable: str | None = None

    def to_json(self) -> dict:
        return {"point": self.point.label, "values": self.point.describe(), "steps": self.steps,
                "member": self.member, "witness": None if self.finding is None else self.finding.to_json(),
                "map_mismatch": None if self.map_finding is None else self.map_finding.to_json(),
                "map_undefined": self.undefined, "not_applicable": self.not_applicable}


def check(method: Method, point: Point, mp=None, steps: int | None = None) -> Check:
    """Run ``method`` at ``point``, decide Eq. (1) on the run, and compare ``mp`` (if given) with it."""
    steps = steps or default_steps(method)
    try:
        r = run(method, point, steps)
    except NotApplicable as err:
        return Check(point, steps, None, not_applicable=str(err))
    except Undefined as err:
        return Check(point, steps, None, not_applicable=f"the declaration: {err}")
    finding = decide(r)
    out = Check(point, steps, finding is None, finding)
    if mp is not None:
        try:
            out.map_finding = map_mismatch(r, mp)
        except Undefined as err:
            out.undefined = str(err)
        except NotApplicable as err:
            out.undefined = f"the map cannot be evaluated here: {err}"
    return out


def default_steps(method: Method) -> int:
    return max(6, 2 * len(method.state) + 3)


@dataclass
class CrossExamination:
    """The independent check of a verdict at several points: the values being judged and random ones."""

    checks: list = field(default_factory=list)
    verdict: str = ""
    """``"proved"``, ``"not-in-family"`` or ``"undecided"``: what is being cross-examined."""

    @property
    def inconsistent(self) -> list[str]:
        """Sentences: where the independent check contradicts the verdict (empty: it confirms it).

        A proved map must reproduce the run at every point where it is defined, and be defined at the random
        points (they avoid every degenerate set; a map undefined there fails at an integer step the proof does
        not cover).  At the values judged, a map undefined at some step is no contradiction: those values lie
        on a degenerate set there, and :attr:`no_map_here` gives the verdict about them."""
        out = []
        for c in self.checks:
            if c.member is None:
                continue
            at = f"at {c.point.label} ({c.point.describe()})"
            judged = not c.point.drawn
            if self.verdict == "proved":
                if c.undefined and not judged:
                    out.append(f"{at}: {c.undefined}, although random values avoid every degenerate set: an "
                               "integer step the proof does not cover")
                elif c.undefined:
                    continue
                elif not c.member:
                    out.append(f"{at}: {c.finding.sentence()}")
                elif c.map_finding is not None:
                    out.append(f"{at}: the derived map does not reproduce the run: {c.map_finding.sentence()}")
            elif self.verdict == "not-in-family" and c.member and not judged:
                out.append(f"{at}: Eq. (1) produces the run over {c.steps} steps, but the verdict says no map exists "
                           "for generic values")
        return out

    @property
    def no_map_here(self) -> Finding | None:
        """At the values judged (the first point), where the proved map is undefined at some step: the term
        Eq. (1) forbids there, if there is one -- the verdict about those values."""
        c = self.checks[0] if self.checks else None
        if self.verdict == "proved" and c is not None and c.undefined and c.member is False:
            return c.finding
        return None

    @property
    def confirmed(self) -> bool:
        return not self.inconsistent and any(c.member is not None for c in self.checks)

    def summary(self) -> str:
        n = sum(c.member is not None for c in self.checks)
        if self.inconsistent:
            return "INTERNAL INCONSISTENCY: " + "; ".join(self.inconsistent)
        if self.no_map_here is not None:
            c = self.checks[0]
            return (f"at {c.point.label} the map is undefined ({c.undefined}) and no map exists there: "
                    f"{self.no_map_here.sentence()}")
        if n == 0:
            reasons = {c.not_applicable for c in self.checks if c.not_applicable}
            return "not applicable: " + "; ".join(sorted(reasons))
        steps = max(c.steps for c in self.checks)
        what = {"proved": "Eq. (1) with the derived map reproduces the run exactly",
                "not-in-family": "a term Eq. (1) forbids is found",
                "undecided": "checked"}[self.verdict]
        return f"✓ confirmed at {n} point{'s' * (n != 1)} (the values judged and random ones), {steps} steps, " \
               f"exact: {what}"

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "confirmed": self.confirmed, "inconsistent": self.inconsistent,
                "no_map_at_values": None if self.no_map_here is None else self.no_map_here.to_json(),
                "points": [c.to_json() for c in self.checks]}


def cross_examine(method: Method, verdict: str, mp=None, *, overrides: dict | None = None, randoms: int = 2,
                  steps: int | None = None, seed: int = 0) -> CrossExamination:
    """The independent check of ``verdict`` (``"proved"`` with ``mp``, ``"not-in-family"``, ``"undecided"``):
    at the values judged (the defaults with ``overrides``) and at ``randoms`` random points of the domain."""
    if getattr(method, "calls", ()):  # several gradient calls per step: the single-call method it is judged as
        from ..oracles import NOT_APPLICABLE, judged

        if judged(method) is None:
            point = point_at(method, overrides, "the values set" if overrides else "the defaults")
            return CrossExamination([Check(point, 0, None, not_applicable=NOT_APPLICABLE)], verdict)
        method = judged(method)
    points = [point_at(method, overrides, "the values set" if overrides else "the defaults")]
    points += [random_point(method, seed + i) for i in range(randoms)]
    return CrossExamination([check(method, p, mp if verdict == "proved" else None, steps) for p in points], verdict)


def contradicted(method: Method, maps: list, *, randoms: int = 2, steps: int | None = None, seed: int = 0) -> list[bool]:
    """For each map of ``maps``: does the independent check contradict "proved" with it?  The method is run once
    per point (the defaults and ``randoms`` random points) and every map is compared with the same runs -- the
    mutation suite's third judge."""
    if getattr(method, "calls", ()):  # several gradient calls per step: the single-call method it is judged as
        from ..oracles import judged

        method = judged(method) or method
        if method.calls:
            return [False] * len(maps)
    steps = steps or default_steps(method)
    runs = []
    for p in [point_at(method)] + [random_point(method, seed + i) for i in range(randoms)]:
        try:
            r = run(method, p, steps)
        except (NotApplicable, Undefined):
            continue
        runs.append((p, r, decide(r) is None))
    out = []
    for mp in maps:
        bad = False
        for p, r, member in runs:
            try:
                bad = map_mismatch(r, mp) is not None or not member
            except Undefined:
                bad = p.drawn
            except NotApplicable:
                bad = True
            if bad:
                break
        out.append(bad)
    return out
