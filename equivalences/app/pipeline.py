"""declare -> derive -> prove -> check the paper -> replay: one report per method.

:func:`verify` is the Python API behind the CLI; :meth:`Report.to_json`
gives the stable JSON schema documented in ``docs/json-schema.md``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..algebra import nice
from ..claims import ClaimResult, specialise
from ..declare import BadSetting, Method, parse_setting, setting
from ..derivation import Derivation, derivation
from ..outcome import Outcome
from ..registry import get
from ..claim_kinds import kind_of
from ..paper_prose import counts
from ..symbols import t
from ..derive import start_as_product, start_product
from ..response import cross_examine
from ..trajectory import degenerate_json
from .output import json_safe

SCHEMA = "optimizer-equivalences/report/v1"


class BadHyperparameter(ValueError):
    """Values that cannot be verified.  The message names the fix in the words of the Python API
    (``hyperparameters=``, ``numeric=False``); :meth:`in_words` gives it in another vocabulary (the CLI's
    ``--set``, ``--no-numeric``: :data:`equivalences.app.commands.check.CLI_WORDS`)."""

    API_WORDS = {"set": "", "values": "hyperparameters", "no_numeric": "numeric=False", "steps": "steps"}

    def __init__(self, template: str, **fields):
        self.template, self.fields = template, fields
        super().__init__(self.in_words(self.API_WORDS))

    def in_words(self, words: dict) -> str:
        """The message with the controls it names in ``words`` (keys of :data:`API_WORDS`)."""
        return self.template.format(**{**self.API_WORDS, **words}, **self.fields)

    def __reduce__(self):  # from a worker process: the template travels, not the worded message
        return _bad_hyperparameter, (self.template, self.fields)


def _bad_hyperparameter(template, fields):
    return BadHyperparameter(template, **fields)


def parse_overrides(method: Method, pairs: dict[str, object]) -> dict:
    """``{"beta": "0.9"}`` -> ``{beta: 9/10}``, checked against the method's domain
    (:func:`equivalences.declare.parse_setting`)."""
    try:
        return parse_setting(method, pairs)
    except BadSetting as err:
        raise BadHyperparameter("{error}", error=str(err)) from None


def replay_setting(method: Method, overrides: dict) -> dict:
    """The values a single replay runs at (:func:`equivalences.declare.setting`)."""
    return setting(method, overrides)


def specialised_at(method: Method, values: dict) -> Method:
    """The declaration with each constant of ``values`` substituted: what the values set make of the method."""
    from ..trajectory import specialised

    for sym, value in values.items():
        if sym in method.constants or sym in method.defaults:
            method = specialised(method, sym, value)
    return method


def default_constants(method: Method) -> dict:
    return {k: v for k, v in setting(method).items() if isinstance(k, sp.Symbol)}


@dataclass
class NumericSummary:
    result: object
    control: object
    control_name: str
    seed: int
    problem: str = "lsq"
    configs: object = None  # numeric.compile.Config of the batch
    excluded: int = 0
    sampled: tuple = ()

    @property
    def conclusive(self):
        return ~self.result.inconclusive & ~self.result.diverged

    @property
    def control_rejected_fraction(self) -> float:
        """Among conclusive configurations: how many reject the perturbed map (a deviation of the control that
        first appears right after a sign tie is no rejection: rounding may explain it)."""
        ctl = self.control
        rejected = ((ctl.deviation() > ctl.tolerance) | ctl.mismatched_divergence) & ~ctl.inconclusive
        c = self.conclusive
        return float(rejected[c].mean()) if c.any() else 0.0

    @property
    def control_rejected(self) -> bool:
        """One configuration: it must reject the control.  A sweep: at least one must (the check can fail
        in this run); the fraction is reported, since a perturbation can vanish at some settings."""
        if self.result.max_rel_deviation.shape[0] == 1:
            return self.control_rejected_fraction == 1.0
        return self.control_rejected_fraction > 0

    @property
    def passed(self) -> bool:
        return self.result.passed and self.control_rejected

    def to_json(self) -> dict:
        r, ctl = self.result, self.control
        out = {
            "max_rel_deviation": r.worst,
            "max_rel_deviation_query": r.worst_of(r.max_rel_deviation),
            "max_rel_deviation_eval": r.worst_of(r.max_rel_deviation_eval),
            "max_rel_deviation_momentum": r.worst_of(r.max_rel_deviation_momentum),
            "max_deviation_ulps": r.worst / r.eps,
            "tolerance": r.tolerance,
            "passed": r.passed,
            "control_rejected": self.control_rejected,
            "control": {"perturbation": self.control_name, "max_rel_deviation": ctl.worst,
                        "rejected_fraction": self.control_rejected_fraction},
            "steps": r.steps, "dtype": r.dtype, "device": r.device, "seed": self.seed, "problem": self.problem,
            "seconds": round(r.seconds, 4),
            "sweep": None,
        }
        if self.sampled:
            out["sweep"] = {
                "configs": int(r.max_rel_deviation.shape[0]), "excluded_degenerate": self.excluded,
                "diverged_together": int(r.diverged.sum()), "inconclusive": int(r.inconclusive.sum()),
                "mismatched": int((~r.per_config_passed).sum()), "sampled": list(self.sampled),
                "worst": [_worst_json(w) for w in self.worst()],
                "worst_inconclusive": [_worst_json(w) for w in self.worst(inconclusive=True)],
            }
        return out

    def worst(self, n: int = 5, *, inconclusive: bool = False):
        """The ``n`` worst judged configurations of a sweep (or, ``inconclusive``, the worst it cannot judge)."""
        from numeric.sweep import worst_configs

        return worst_configs(self.result, self.configs, self.sampled, n, inconclusive=inconclusive)


def _worst_json(w) -> dict:
    return {"values": w.values, "deviation": w.deviation, "ulps": w.deviation_ulps, "status": w.status,
            "rounding_bound": w.bound, "sign_tie": w.sign_tie}


@dataclass
class Report:
    """What ``verify`` found for one method: its :class:`Derivation` plus the replay, at the user's values."""

    derivation: Derivation
    overrides: dict
    numeric: NumericSummary | None = None
    notes: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    check: object = None
    """The independent check (:class:`equivalences.response.CrossExamination`) at the values judged."""
    general: Derivation | None = None
    """Where the verdict is about the values set: the method's derivation in general (``derivation`` is then
    that of the method with those values substituted)."""

    method = property(lambda self: self.derivation.method)
    families: bool = False
    family = property(lambda self: _family(self))
    """Outside Eq. (1), when ``families`` is asked for: the smallest family it lives in
    (:func:`equivalences.families.place`), else None."""
    map = property(lambda self: self.derivation.map)
    not_in_family = property(lambda self: self.derivation.not_in_family)
    outcome = property(lambda self: self.derivation.outcome)
    proof = property(lambda self: self.derivation.proof)
    claims = property(lambda self: self.derivation.claims)

    @property
    def proved(self) -> bool:
        return self.derivation.proved

    @property
    def claims_holding(self) -> int:
        return sum(c.holds for c in self.claims)

    @property
    def consistent(self) -> bool:
        """The independent check does not contradict the verdict (False: an internal inconsistency)."""
        return self.check is None or not self.check.inconsistent

    @property
    def no_map_here(self):
        """At the values judged the map is undefined at a step and Eq. (1) cannot produce the run: the witness."""
        return None if self.check is None else self.check.no_map_here

    @property
    def ok(self) -> bool:
        return (self.proved and self.consistent and self.no_map_here is None
                and (self.numeric is None or self.numeric.passed))

    def at_values(self, expr):
        return nice(specialise(expr, self.overrides)) if self.overrides else expr

    @cached_property
    def transfer(self) -> sp.Expr | None:
        """``H(z)``, the query point's response to the gradient (``w_a = H(z) u``), where the map's coefficients
        (at the values judged) do not move with the step and no transform follows the form: what
        transfer-function tools compare.  None otherwise."""
        mp = self.map
        if mp is None or self.method.pre is not None or mp.post is not None or mp.K != 1:
            return None
        from ..families.transfer import z

        return mp.form.transfer_function({c.name: self.at_values(e) for c, e in mp.coefficients()}, z)

    def to_json(self) -> dict:
        method, v = self.method, self.derivation.verdict
        out = {
            "schema": SCHEMA,
            "method": method.key,
            "name": method.name,
            "reference": method.reference,
            "section": method.section,
            "ok": self.ok,
            "not_in_family": self._not_in_family_json(),
            "family": None if self.family is None else self.family.to_json(),
            "hyperparameters": {k.name: sp.sstr(v) for k, v in self.overrides.items()},
            "map": None,
            "change_of_variables": None,
            "weight_averaging": None,
            "proof": {"holds": self.proved, "route": "state-space" if v is None else v.route,
                      "invariants": [] if v is None else [i.statement() for i in v.invariants],
                      "identities": [], "degenerate": []},
            "paper_claims": [_claim_json(c) for c in self.claims],
            "numeric": None if self.numeric is None else self.numeric.to_json(),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notes": list(self.notes),
            "independent_check": None if self.check is None else self.check.to_json(),
            "at_values": None if self.general is None else {
                "values": {k.name: sp.sstr(v) for k, v in self.overrides.items()} or "the defaults",
                "declaration": self.method.key, "in_general": self.general.verdict_name,
                "in_general_reason": self.general.not_in_family},
        }
        out["paper_claims_count"] = counts(self.claims)
        if self.map is not None:
            out.update(self._map_json())
            out["proof"]["degenerate"] = degenerate_json(self.derivation.degenerate)
        if self.proof is not None:
            out["proof"]["identities"] = [
                {"name": i.name, "statement": f"{sp.sstr(i.lhs)} = {sp.sstr(i.rhs)}", "holds": i.holds,
                 "residual": sp.sstr(i.residual)} for i in self.proof.identities]
        return json_safe(out)

    def _not_in_family_json(self):
        if self.no_map_here is not None:  # proved in general; at the values judged no map exists
            f = self.no_map_here
            return {"reason": f"at these values (proved in general, where the map is defined): {f.sentence()}",
                    "witness": {**f.to_json(), "values": self.check.checks[0].point.describe()}, "condition": None}
        if self.not_in_family is None:
            return None
        v = self.derivation.verdict
        if v is not None:
            return v.not_in_family_json()
        return {"reason": self.not_in_family, "witness": None, "condition": None}

    def _map_json(self) -> dict:
        s, mp, method, here = sp.sstr, self.map, self.method, self.at_values
        w = mp.form.iterate.name
        out = {
            "map": {**{c.json_key: s(here(e)) for c, e in mp.coefficients()},
                    "K": s(here(mp.K)), "pre": method.pre.name if method.pre else None,
                    "post": mp.post.name if mp.post else None,
                    "transfer_function": None if self.transfer is None else s(self.transfer)},
            "change_of_variables": {mp.form.buffers[0].name: s(here(mp.momentum)), w: s(method.query(t)),
                                    f"{w}_expanded": s(self.derivation.system.expand(method.query(t))),
                                    "m_init": s(mp.m_init), "t0": method.t0,
                                    "start_product": s(start_product(mp, method.t0)),
                                    "start_as_product": start_as_product(mp, method.t0)},
        }
        if mp.gamma_avg is not None:
            out["weight_averaging"] = {"evaluate": method.evaluate.__name__, "gamma": s(here(mp.gamma_avg)),
                                       "init": s(mp.avg_init)}
        return out

    def __repr__(self) -> str:
        """``<Report schedule-free: proved, 4/4 identities, 28/32 claims hold, no replay>``."""
        key = self.method.key + ("".join(f" {k.name}={v}" for k, v in self.overrides.items()) if self.overrides else "")
        if self.map is None:
            undecided = self.outcome is Outcome.UNDECIDED
            return f"<Report {key}: {'undecided' if undecided else 'not an instance of Eq. (1)'}>"
        parts = ["proved" if self.proved else "proof FAILED"]
        if self.proof is not None:
            ids = self.proof.identities
            parts.append(f"{sum(i.holds for i in ids)}/{len(ids)} identities")
        parts.append(f"{self.claims_holding}/{len(self.claims)} claims hold")
        parts.append("no replay" if self.numeric is None else f"replay {'✓' if self.numeric.passed else '✗'}")
        return f"<Report {key}: {', '.join(parts)}>"


def _claim_json(c: ClaimResult) -> dict:
    s = sp.sstr

    def eq(pair):
        return None if pair is None else f"{s(pair[0])} = {s(pair[1])}"

    return {"ref": c.claim.ref, "kind": kind_of(c.claim), "origin": c.claim.origin,
            "statement": eq((c.claim.lhs, c.claim.rhs)), "holds": c.holds,
            "residual": s(c.residual), "holds_in_general": c.holds_in_general,
            "general_residual": None if c.general_residual is None else s(c.general_residual),
            "correction": eq(c.correction), "correction_how": c.correction_how or None,
            "general_correction": eq(c.general_correction)}


def verify(name: str | Method, *, numeric: bool = True, steps: int = 500, dim: int = 32, seed: int = 0,
           dtype: str = "float64", device: str = "cpu", hyperparameters: dict | None = None, sweep: int = 0,
           grid: int = 0, problem: str = "lsq", progress=None, families: bool = False) -> Report:
    """Derive, prove, check the paper's claims and (optionally) replay one method (``families``: outside Eq. (1),
    also its smallest family, :attr:`Report.family`)."""
    method = name if isinstance(name, Method) else get(name)
    overrides = parse_overrides(method, hyperparameters or {})
    t_start = time.perf_counter()
    d = derivation(method)
    report = Report(d, overrides)
    notes, undefined_here = d.holding(overrides)
    if d.map is not None and undefined_here is None and not overrides:
        undefined_here = d.undefined_at_defaults
    if (overrides and not d.proved) or undefined_here is not None:
        report = at_values(method, d, overrides, undefined_here)
        d = report.derivation
    else:
        report.notes = notes
        report.check = d.cross_examination if not overrides else cross_examine(
            method, d.verdict_name, d.map if d.proved else None, overrides=overrides, steps=d.check_steps)
        report.notes += _check_notes(report)
    report.families = families
    if d.map is None:
        report.timings = {**d.seconds, "total": time.perf_counter() - t_start}
        return report
    d.proof, d.claims  # noqa: B018 -- built once, here, so that the timings say what they cost
    if numeric and report.no_map_here is None:  # no map at these values: nothing to replay
        t1 = time.perf_counter()
        report.numeric = run_numeric(d.method, d.map, d.system, report.overrides if report.general is None else {},
                                     steps=steps, dim=dim, seed=seed, dtype=dtype, device=device, sweep=sweep,
                                     grid=grid, problem=problem, progress=progress, default_control=d.control)
        report.timings["numeric"] = time.perf_counter() - t1
    report.timings = {**d.seconds, **report.timings, "total": time.perf_counter() - t_start}
    return report


def at_values(method: Method, general: Derivation, overrides: dict, entry: dict | None) -> Report:
    """The verdict about the values set (or the defaults, where they lie on a degenerate set): the method with
    those constants substituted, derived and proved -- or refused with its own witness -- like any declaration."""
    values = overrides or default_constants(method)
    spec = specialised_at(method, values)
    d = derivation(spec)
    report = Report(d, overrides, general=general)
    report.check = d.cross_examination
    shown = ", ".join(f"{k.name} = {v}" for k, v in values.items())
    why = (f"{entry['condition']} there, where the general map is undefined" if entry is not None
           else f"in general: {general.verdict_name}")
    report.notes = [f"the verdict is about the values {'set' if overrides else 'of the defaults'} ({shown}; {why}): "
                    f"the method with them substituted is {'in the family (proved)' if d.proved else d.verdict_name}"]
    report.notes += _check_notes(report)
    return report


def _check_notes(report: Report) -> list[str]:
    """Where the independent check at the values judged says more than the general verdict."""
    c = report.check
    if c is None or c.inconsistent or not c.checks or c.checks[0].member is None:
        return []
    first = c.checks[0]
    if report.map is None and first.member:
        return [f"at {first.point.label} ({first.point.describe()}) Eq. (1) produces the run over {first.steps} steps "
                "(the independent check): these values lie where the method is inside the family; "
                "set them with --set for the verdict there"]
    return []


def run_numeric(method, mp, system, overrides, *, steps, dim, seed, dtype, device, sweep=0, grid=0,
                problem="lsq", progress=None, default_control=None) -> NumericSummary:
    import numpy as np
    import torch  # the symbolic package never needs torch; the replay does

    from numeric.compile import Config
    from numeric.problems import make
    from numeric.replay import NotFinite, TooLarge, replay
    from numeric.sweep import finite_rows, sample, sampled_symbols, select

    from ..mutants import control

    cfg = Config.from_method(method, overrides)
    excluded, sampled, setting = 0, (), replay_setting(method, overrides)
    if sweep or grid:
        cfg = sample(method, sweep or grid, seed=seed, grid=bool(grid))
        for sym, value in overrides.items():  # a value the user fixed stays fixed
            cfg.values[sym] = np.full(cfg.batch, float(value))
        sampled, setting = tuple(s.name for s in sampled_symbols(method) if s not in overrides), None
        ok = finite_rows(method, mp, cfg, steps, system)
        excluded = int((~ok).sum())
        cfg = select(cfg, ok)
        if cfg.batch == 0:
            raise BadHyperparameter("every sampled configuration is degenerate (a coefficient is not finite); "
                                    "fix fewer {values}")
    torch_dtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    prob = make(problem, dim, seed=seed, dtype=torch_dtype, device=device)
    kw = dict(steps=steps, cfg=cfg, dtype=torch_dtype, device=device, system=system, problem=prob)
    # at the defaults the derivation keeps its control; other values (or a sweep) choose their own
    name, bad = default_control if (default_control and not overrides and setting is not None) \
        else control(mp, method, setting)
    try:
        # The sensitivity probe (the method nudged by one ulp per step) tells a mismatch from rounding the
        # dynamics amplify; it is only needed where a configuration fails, so it runs then, and only then.
        result = replay(method, mp, progress=progress, controls=[bad], sensitivity=False, require_finite=True, **kw)
        if not result.passed:
            result = replay(method, mp, progress=progress, controls=[bad], sensitivity=True, **kw)
    except TooLarge as err:
        raise BadHyperparameter("{error}", error=str(err)) from None
    except NotFinite:  # checked on the replay's own tables: the same as finite_rows, computed once
        raise BadHyperparameter("at these values a coefficient of the method or of the map is not finite within "
                                "the {n} replayed steps (a degenerate value); pick other values or {no_numeric}",
                                n=steps) from None
    if result.diverged.all():
        raise BadHyperparameter("the replay diverged at {where}: both forms left the finite numbers together (they "
                                "agree, but a diverged run confirms nothing); pick a smaller step size or fewer "
                                "{steps}, or use {no_numeric}",
                                where="every sampled configuration" if sampled else "these values")
    ctl = result.controls[0]
    if isinstance(ctl, Exception):
        raise ctl
    return NumericSummary(result, ctl, name, seed, problem, cfg, excluded, sampled)


def _family(report: Report):
    """The smallest family of a method outside Eq. (1) (computed once per report; docs/families.md)."""
    if not report.families or report.outcome is not Outcome.NOT_IN_FAMILY:
        return None
    if "_family" not in report.__dict__:
        from ..families import place

        report.__dict__["_family"] = place(report.method)
    return report.__dict__["_family"]
