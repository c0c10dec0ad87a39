"""Hyperparameter conversion between two methods: which settings of TO trace FROM's trajectory.

Two methods trace the same query points from the same start, for every gradient sequence, exactly when
their accelerated forms (Eq. (1)) coincide: the same ``K eta_a``, ``K alpha_a`` at every step, the same
``beta_a`` from the second step on, the same start, and the same transform (:mod:`equivalences.inverse`
states and solves these equations).  This module turns that solution into an answer for a user:

* **structure** -- a preconditioned or sign method never converts to a method without the same kind of
  transform at the same place (:func:`equivalences.inverse.structure_mismatch`);
* **evaluation sequence** -- when both average (Schedule-Free's ``x_t``), the averaging weights
  ``gamma_avg`` must match too (they are equations of the inverse); when only FROM averages, TO's query
  points match FROM's, but FROM's evaluated point has no counterpart (said in the answer);
* **three answers** -- ``always`` (formulas), ``conditional`` (the condition on FROM's settings and the
  formulas where it holds), ``never`` (the coefficient TO cannot produce);
* **at given settings** (:func:`convert` with ``settings``) -- the exact converted values, each condition
  decided exactly at every step checked, TO's domain checked;
* **round trip** -- :func:`round_trip` converts FROM -> TO -> FROM symbolically and reports whether FROM's
  own hyperparameters come back exactly.

Names: where FROM and TO share a hyperparameter name, FROM's is written ``<name>_from`` in the formulas.
Nothing here imports numeric code; the replay lives in :mod:`equivalences.commands.convert`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from .algebra import exact, substitute_function
from .declare import BadSetting, Method, parse_setting, setting
from .derivation import derivation
from .derive import Map
from .inverse import Condition, Inverse, Target, invert, nice, set_text, show
from .registry import get
from .symbols import t

CHECK_STEPS = 200
"""How many steps the conditions and domains are decided exactly at, at given settings."""


class ConversionError(ValueError):
    """A usage mistake (unknown name, value outside the domain, a method that is not in the family)."""


class BadConversionSetting(ConversionError, BadSetting):
    """A value FROM does not take, in the API's words (``beta=2 is outside its valid range ...``); the CLI
    names its option (``--set beta=2 ...``)."""


# ----------------------------------------------------------------------------------------------- derivations



def derived(method: Method) -> Map:
    """The method's derived map: its one :class:`~equivalences.derivation.Derivation`'s."""
    d = derivation(method)
    if d.map is None:
        raise ConversionError(f"{method.key} is not an instance of Eq. (1): {d.not_in_family}")
    return d.map


def resolve(method) -> Method:
    return method if isinstance(method, Method) else get(method)


# ----------------------------------------------------------------------------------------------- result


@dataclass
class Conversion:
    """The answer for FROM -> TO; :meth:`to_json` is the documented JSON (docs/convert.md)."""

    from_: str
    to: str
    exists: str
    condition: str | None
    reason: str | None
    hyperparameters: dict
    """TO's name -> exact SymPy expression of FROM's constants, schedules and ``t`` (TO's step)."""
    values: dict | None = None
    """With settings: TO's name -> exact SymPy value (constants) or exact expression of ``t`` (schedules)."""
    numeric: dict | None = None
    notes: list = field(default_factory=list)
    inverse: Inverse | None = None
    settings: dict = field(default_factory=dict)
    """FROM's values given (``{Symbol: Rational}``)."""
    at_values: dict | None = None
    """TO's exact configuration at the settings: ``{Symbol or Function: value or expression of t}``."""
    holds_at_values: bool | None = None
    failure_at_values: str | None = None
    checked_steps: tuple = ()
    renamed: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Exit 0: a conversion exists and (with settings) holds there and (with a replay) replays."""
        if self.exists == "never":
            return False
        if self.settings and not self.holds_at_values:
            return False
        if self.numeric is not None and not self.numeric.get("passed", False):
            return False
        return True

    def to_json(self) -> dict:
        reason = "; ".join(x for x in [self.reason, self.failure_at_values, *self.notes] if x) or None
        return {
            "from": self.from_,
            "to": self.to,
            "exists": self.exists,
            "condition": self.condition,
            "reason": reason,
            "hyperparameters": {k: show(v) for k, v in self.hyperparameters.items()},
            "values": None if self.values is None else {k: show(v) for k, v in self.values.items()},
            "numeric": self.numeric,
        }

    def __repr__(self) -> str:
        """``<Conversion schedule-free → agnes: conditional, 3 hyperparameters>`` (and the values' verdict)."""
        out = f"<Conversion {self.from_} → {self.to}: {self.exists}"
        if self.exists != "never":
            out += f", {len(self.hyperparameters)} hyperparameters"
        if self.settings:
            at = " ".join(f"{k.name}={v}" for k, v in self.settings.items())
            out += f"; at {at}: " + ("holds" if self.holds_at_values else "does not hold")
        if self.numeric is not None:
            out += ", replay " + ("✓" if self.numeric.get("passed") else "✗")
        return out + ">"


# ----------------------------------------------------------------------------------------------- conversion


def _target(from_m: Method, to_m: Method, *, rename_all: bool = False) -> tuple[Target, dict]:
    taken = {s.name for s in from_m.constants} | {f.__name__ for f in from_m.schedules} if rename_all else \
        set(to_m.hyperparameter_names) | {s.name for s in to_m.defaults if isinstance(s, sp.Symbol)}
    tg = Target.of_method(from_m, derived(from_m))
    renamed = {n: f"{n}_from" for n in ([s.name for s in from_m.constants] + [f.__name__ for f in from_m.schedules])
               if n in taken}
    return tg.renamed(taken), renamed


def _evaluation_notes(from_m: Method, to_m: Method) -> list[str]:
    fe, te = from_m.evaluate, to_m.evaluate
    if fe is not None and te is not None:
        return [f"both evaluate at a weight average ({from_m.key}: {fe.__name__}, {to_m.key}: {te.__name__}); "
                "the averaging weights gamma_avg are matched too"]
    if fe is not None:
        return [f"{to_m.key}'s query points match {from_m.key}'s ({from_m.query.__name__}), but {from_m.key}'s "
                f"evaluated point {fe.__name__} (a weight average) has no counterpart in {to_m.key}"]
    if te is not None:
        return [f"{to_m.key} also returns a weight average {te.__name__}, which {from_m.key} does not have"]
    return []


def convert(from_, to, settings: dict | None = None) -> Conversion:
    """Solve TO's map = FROM's map; with ``settings`` (``{name: number or decimal text}`` of FROM's constants
    and schedule parameters) also the exact values there, each condition decided exactly."""
    from_m, to_m = resolve(from_), resolve(to)
    target, renamed = _target(from_m, to_m)
    inv = invert(to_m, target, mp=derived(to_m))
    conv = Conversion(
        from_m.key, to_m.key, inv.exists, inv.condition_text, inv.reason,
        _formulas(inv, to_m), notes=_evaluation_notes(from_m, to_m) if inv.exists != "never" else [],
        inverse=inv, renamed=renamed)
    conv.notes += list(inv.notes_other)
    if inv.free:
        conv.notes.append("free (any value works; at given values the declared default is used): "
                          + ", ".join(inv.free))
    if inv.offset and inv.exists != "never":
        conv.notes.append(f"t is {to_m.key}'s step; {from_m.key}'s step t + {inv.offset} is the same step "
                          f"({to_m.key} starts at t = {to_m.t0}, {from_m.key} at t = {from_m.t0})")
    if inv.chosen:
        conv.notes.append("the equations leave " + ", ".join(f"{k}" for k in inv.chosen) + " free; chosen: "
                          + ", ".join(f"{k} = {sp.sstr(v)}" for k, v in inv.chosen.items()))
    if settings:
        _at_settings(conv, from_m, to_m, settings)
    return conv


def _formulas(inv: Inverse, to_m: Method) -> dict:
    """TO's hyperparameters in declaration order; a free one is written as itself (any value works)."""
    out = {}
    for c in to_m.constants:
        out[c.name] = sp.sympify(inv.constants[c.name]) if c.name in inv.constants else c
    for f in to_m.schedules:
        key = f"{f.__name__}(t)"
        out[key] = sp.sympify(inv.schedules[f.__name__]) if f.__name__ in inv.schedules else f(t)
    return out if inv.exists != "never" else {}


def parse_settings(method: Method, settings: dict) -> dict:
    """``{"beta": "0.9"}`` -> ``{beta: 9/10}`` (:func:`equivalences.declare.parse_setting`)."""
    try:
        return parse_setting(method, settings)
    except BadSetting as err:
        raise BadConversionSetting(str(err)) from None


def from_setting(method: Method, overrides: dict) -> dict:
    """FROM's full setting (:func:`equivalences.declare.setting`)."""
    return setting(method, overrides)


def specialise(expr, setting: dict) -> sp.Expr:
    """``expr`` with every schedule replaced by its body and every constant by its value."""
    e = sp.sympify(expr)
    for key, value in setting.items():
        if not isinstance(key, sp.Symbol):
            e = substitute_function(e, key, value)
    return sp.sympify(e.xreplace({k: sp.sympify(v) for k, v in setting.items() if isinstance(k, sp.Symbol)}))


def _renamed_setting(from_m: Method, setting: dict, renamed: dict) -> dict:
    out = {}
    for k, v in setting.items():
        name = k.name if isinstance(k, sp.Symbol) else k.__name__
        new = renamed.get(name)
        if new is None:
            out[k] = v
        elif isinstance(k, sp.Symbol):
            out[sp.Symbol(new, **k.assumptions0)] = v
        else:
            out[sp.Function(new)] = v
    # schedule bodies may use parameters that were renamed too
    return out


def _value_at(expr, k: int):
    """``expr`` at step ``k``, exact (a Rational, or an exact irrational such as AdEMAMix's exp/log schedule)."""
    v = sp.sympify(expr).subs(t, k)
    if not v.is_number:
        v = v.doit()
    return exact(v) if v.has(sp.Float) else v


def _same(a, b) -> bool:
    """Exact equality of two numbers (structural for rationals, ``equals`` otherwise; undecided is False)."""
    if a == b:
        return True
    if a.is_Rational and b.is_Rational:
        return False
    return bool((a - b).equals(0))


def _at_settings(conv: Conversion, from_m: Method, to_m: Method, settings: dict) -> None:
    overrides = parse_settings(from_m, settings)
    conv.settings = overrides
    inv = conv.inverse
    if inv.exists == "never":
        return
    setting = _renamed_setting(from_m, from_setting(from_m, overrides), conv.renamed)
    free = _free_setting(to_m, inv)
    if free is None:
        conv.holds_at_values = False
        conv.failure_at_values = f"{to_m.key} has a free hyperparameter without a default ({', '.join(inv.free)})"
        return
    setting = {**free, **setting}
    steps = range(to_m.t0, to_m.t0 + CHECK_STEPS)
    conv.checked_steps = (steps.start, steps.stop - 1)
    if inv.recurrence:
        conv.holds_at_values = False
        conv.failure_at_values = ("at these values the conversion needs a solution of a recurrence between "
                                  f"{to_m.key}'s schedules ({inv.condition_text}); not computed here")
        return
    for cond in inv.conditions:
        bad = _fails(cond, setting, to_m, steps)
        if bad:
            conv.holds_at_values, conv.failure_at_values = False, f"at these values {bad}"
            return
    config, values = {}, {}
    for c in to_m.constants:
        expr = specialise(inv.constants.get(c.name, c), setting)
        first = next((k for k in steps if _finite(_value_at(expr, k))), None)
        if first is None:
            conv.holds_at_values, conv.failure_at_values = False, f"at these values {c.name} is undefined"
            return
        v = _value_at(expr, first)
        config[c], values[c.name] = v, v
    for f in to_m.schedules:
        expr = specialise(inv.schedules.get(f.__name__, f(t)), setting).xreplace(config)
        first = next((k for k in steps[:3] if _finite(_value_at(expr, k))), None)
        if first is not None and first > steps.start:
            # a formula solved from beta_a holds from the second step on: before, the equations do not fix the
            # value (the method does not use it there); it is continued as a constant and the replay checks it
            held = _value_at(expr, first)
            expr = sp.Piecewise((held, t < first), (expr, True))
            conv.notes.append(f"{f.__name__}(t) for t < {first} is not fixed by the equations (the formula is "
                              f"undefined there); {sp.sstr(held)} is used")
        try:
            shown = nice(expr) if not expr.has(sp.Piecewise, sp.Min, sp.Max) else expr
        except Exception:  # noqa: BLE001 -- only the display form; the exact expression is kept
            shown = expr
        config[f], values[f"{f.__name__}(t)"] = expr, shown
    bad = _outside_domain(to_m, config, steps)
    if bad:
        conv.holds_at_values, conv.failure_at_values = False, f"at these values {bad}"
        return
    conv.values, conv.at_values, conv.holds_at_values = values, config, True


def _free_setting(to_m: Method, inv: Inverse) -> dict | None:
    """TO's free hyperparameters at their declared defaults (schedule bodies, then their parameters)."""
    if not inv.free:
        return {}
    if any(v is None for v in inv.free.values()):
        return None
    out = {}
    for name in inv.free:
        key = to_m.hyperparameter(name)
        out[key] = sp.sympify(to_m.defaults[key])
    params = {k: sp.sympify(v) for k, v in to_m.defaults.items() if isinstance(k, sp.Symbol) and k not in to_m.constants}
    return {**{k: v for k, v in out.items() if not isinstance(k, sp.Symbol)}, **params,
            **{k: v for k, v in out.items() if isinstance(k, sp.Symbol)}}


def _finite(v) -> bool:
    return v is not None and v.is_number and v.is_finite is not False and not v.has(sp.nan, sp.zoo)


def _fails(cond: Condition, setting: dict, to_m: Method, steps) -> str | None:
    """Why ``cond`` fails at ``setting`` (decided exactly at each step), or None."""
    expr = specialise(cond.expr, setting)
    start = cond.start if cond.start is not None else steps.start
    ks = [k for k in steps if k >= start] if (expr.has(t) or expr.atoms(AppliedUndef)) else [start]
    if cond.kind == "identity":
        for k in ks:
            v = _value_at(expr, k)
            if not _same(v, sp.Integer(0)):
                return f"the condition {cond.text} fails at t = {k} ({sp.sstr(v)} != 0; {cond.coefficient})"
    elif cond.kind == "constant":
        first = None
        for k in ks:
            v = _value_at(expr, k)
            if not _finite(v):
                continue
            if first is None:
                first = (k, v)
            elif not _same(v, first[1]):
                what = f"{cond.name} = {show(cond.expr)}" if cond.name else show(cond.expr)
                return (f"{what} would have to be the same at every step, but it is {sp.sstr(first[1])} at "
                        f"t = {first[0]} and {sp.sstr(v)} at t = {k}")
    elif cond.kind == "domain":
        for k in ks:
            v = _value_at(expr, k)
            if _finite(v) and not cond.domain.contains(v):
                return f"{cond.coefficient} = {sp.sstr(v)} at t = {k}, but it must be {set_text(cond.domain)}"
    return None


def _outside_domain(to_m: Method, config: dict, steps) -> str | None:
    from .inverse import schedule_domain

    for c in to_m.constants:
        dom = to_m.domain.get(c)
        v = config.get(c)
        if dom is not None and v is not None and _finite(v) and not dom.contains(v):
            return f"{to_m.key}'s {c.name} would be {sp.sstr(v)}, but it must be {set_text(dom)}"
        if v is not None and not _finite(v):
            return f"{to_m.key}'s {c.name} would be undefined ({sp.sstr(v)})"
    for f in to_m.schedules:
        dom = schedule_domain(to_m, f)
        for k in steps:
            v = _value_at(config[f], k)
            if not _finite(v):
                return f"{to_m.key}'s {f.__name__} is undefined at t = {k} ({sp.sstr(v)})"
            if dom is not None and not dom.contains(v):
                return f"{to_m.key}'s {f.__name__}({k}) would be {sp.sstr(v)}, but it must be {set_text(dom)}"
    return None


# ----------------------------------------------------------------------------------------------- round trip


@dataclass
class RoundTrip:
    """FROM -> TO -> FROM: each FROM hyperparameter as it comes back, and whether it is exactly itself."""

    from_: str
    to: str
    back: dict
    exact: bool
    reason: str | None = None


def round_trip(from_, to) -> RoundTrip:
    """Convert FROM -> TO (formulas in FROM's names), then TO's map at those formulas back to FROM; FROM's
    hyperparameters must come back as themselves, exactly (``beta -> beta``), on the chosen branches."""
    from_m, to_m = resolve(from_), resolve(to)
    target, renamed = _target(from_m, to_m, rename_all=True)
    there = invert(to_m, target, mp=derived(to_m))
    if there.exists == "never" or there.recurrence:
        return RoundTrip(from_m.key, to_m.key, {}, False, there.reason or "TO's schedules are only tied by a recurrence")
    sub = {c: there.constants[c.name] for c in to_m.constants if c.name in there.constants}
    to_map = derived(to_m)

    def at(expr):
        e = sp.sympify(expr).xreplace(sub)
        for f in to_m.schedules:
            if f.__name__ in there.schedules:
                e = substitute_function(e, f, there.schedules[f.__name__])
        return e

    back_target = Target(at(to_map.beta_a), at(to_map.eta_a), at(to_map.alpha_a), t0=to_m.t0, K=at(to_map.K),
                         m_init=at(to_map.m_init), post=to_map.post, pre=to_m.pre,
                         gamma_avg=None if to_map.gamma_avg is None else at(to_map.gamma_avg),
                         name=to_m.key, constants=target.constants, schedules=target.schedules,
                         domain=target.domain, positive=target.positive)
    back = invert(from_m, back_target, mp=derived(from_m))
    if back.exists == "never":
        return RoundTrip(from_m.key, to_m.key, {}, False, back.reason)
    out, same = {}, True
    for c in from_m.constants:
        v = back.constants.get(c.name)
        orig = sp.Symbol(renamed.get(c.name, c.name), **c.assumptions0)
        out[c.name] = v
        same &= v is not None and _zero(sp.sympify(v) - orig)
    for f in from_m.schedules:
        v = back.schedules.get(f.__name__)
        orig = sp.Function(renamed.get(f.__name__, f.__name__))(t)
        out[f"{f.__name__}(t)"] = v
        same &= v is not None and _zero(sp.sympify(v) - orig)
    return RoundTrip(from_m.key, to_m.key, out, bool(same))


def _zero(e) -> bool:
    from .inverse import _rational_form

    return _rational_form(e) == 0


__all__ = ["BadConversionSetting", "Conversion", "ConversionError", "RoundTrip", "convert", "derived",
           "parse_settings", "round_trip"]
