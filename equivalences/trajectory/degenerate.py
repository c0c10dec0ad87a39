"""Degenerate sets of a map: one of many, no map, another map (their kinds, sentences and JSON)."""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import degree_in, is_zero, nice, offset, roots_in, solve_linear
from ..declare import Method
from ..derive import Map
from ..symbols import t
from ..system import StepSystem, undefined_under
from .specialise import specialised, specialised_schedule
from .verdict import decide
from .witness import Witness, _with_example, find_witness


# -- degenerate sets: one of many, no map, another map ---------------------------------------------
def classify_degenerate(method: Method, mp: Map) -> list[dict]:
    """Each degenerate entry of the map with its ``kind``:

    * ``one-of-many`` -- the condition holds at every step and only makes eta_a vanish: the momentum drops
      out of the update for good, the map holds and beta_a is arbitrary;
    * ``no-map`` -- no map exists there: a witness (for a schedule, with the value imposed at one isolated
      step only);
    * ``other-map`` -- this map is undefined there but the method is in the family with another (proved);
    * ``map-holds`` -- (a schedule value at one isolated step) only eta_a vanishes at that step and no
      denominator of the map does: the proved identities cover it, the same map holds;
    * ``undecided`` -- neither a map nor a witness was found.

    A condition on a schedule value gets ``kind`` for an isolated step and ``kind_every_step`` for the
    condition holding at every step.
    """
    out = []
    system = StepSystem(method)
    for d in mp.degenerate:
        entry = dict(d)
        f = d["factor"]
        undefined = d["map_undefined"]  # else only eta_a vanishes there
        if f.atoms(AppliedUndef):
            entry["kind_every_step"] = _every_step(method, f, not undefined)
            gap = isolated_undefined(method, f)
            w = None if gap else isolated_witness(method, system, f)
            entry["kind"] = "method-undefined" if gap else \
                ("no-map" if w is not None else ("map-holds" if not undefined else "undecided"))
            entry["witness"] = w
            if gap:
                entry["undefined"] = gap
        elif not undefined:
            entry["kind"], entry["witness"] = "one-of-many", None
        else:
            entry.update(constant_kind(method, f))
        entry["effects"] = list(d["effects"]) + [_kind_sentence(entry)]
        out.append(entry)
    return out


def constant_kind(method: Method, f) -> dict:
    """The kind of a degenerate factor ``f`` of constants (and perhaps ``t``, as in ``beta**t - 1``): the
    method decided with one constant set to the root, at every step.  A root where the declaration itself
    divides by 0 is ``method-undefined`` (nothing to decide); a root outside the declared domain is said so.
    The roots of a factor with ``t`` that hold only at some steps (``beta = -1`` at even ``t``) are listed
    from the first steps and, inside the domain, leave the entry ``undecided``."""
    consts = sorted(f.free_symbols & set(method.constants), key=sp.default_sort_key)
    found = None
    for sym in consts:
        if f.has(t):
            roots = [r for r in roots_in(f.subs(t, method.t0), sym) if is_zero(f.xreplace({sym: r}))]
        else:
            roots = roots_in(f, sym) if degree_in(f, sym) == 1 else []
        if roots:
            found = sym, nice(roots[0])
            break
    out = {"kind": "undecided", "witness": None, "other_map": None, "condition_there": None}
    single = _single_step_roots(method, f) if f.has(t) else []
    notes = []

    def outside(sym, value):
        domain = method.domain.get(sym)
        return domain is not None and not _inside(domain, value)

    if single:
        notes.append("at single steps only: " + ", ".join(
            f"{k} = {sp.sstr(v)} at t = {', '.join(map(str, ks))}" + (" (outside the declared domain)" if outside(k, v) else "")
            for k, v, ks in single) + f" (steps {method.t0}..{method.t0 + 5} checked)")
    if found is None:
        out["notes"] = notes + ["no root that holds at every step was found"]
        return out
    sym, value = found
    label = f"{sym} = {sp.sstr(value)}"
    if outside(sym, value):
        notes.append(f"{label} lies outside the declared domain of {sym}")
    undefined = undefined_under(method, lambda e: sp.sympify(e).subs(sym, value))
    if undefined is not None:
        out.update(kind="method-undefined", undefined=f"{label}: {undefined}")
    else:
        v = decide(specialised(method, sym, value), depth=1)
        out.update(kind="other-map" if v.in_family else ("no-map" if v.witness is not None else "undecided"),
                   witness=v.witness, other_map=v.map if v.in_family else None, condition_there=v.condition)
    if any(not outside(k, v) for k, v, _ in single):
        out["kind"] = "undecided"  # its single-step roots inside the domain are not decided here
        notes.append("those single-step roots are inside the declared domain and not decided")
    out["notes"] = notes
    return out


def _inside(domain, value) -> bool:
    got = domain.contains(value)
    return got is not sp.false


def _single_step_roots(method: Method, f, steps: int = 6) -> list:
    """``[(sym, value, [steps])]``: real roots of ``f`` at single steps ``t0 .. t0 + steps - 1`` that do not
    hold at every step."""
    out: dict = {}
    for sym in sorted(f.free_symbols & set(method.constants), key=sp.default_sort_key):
        for k in range(method.t0, method.t0 + steps):
            for r in roots_in(f.subs(t, k), sym):
                if r.is_real and not is_zero(f.xreplace({sym: r})):
                    out.setdefault((sym, r), []).append(k)
    return [(s, r, ks) for (s, r), ks in out.items()]


def _every_step(method: Method, factor, eta_only: bool) -> str:
    """The kind of ``factor = 0`` holding at every step: solve it for one schedule at ``t`` and decide."""
    if eta_only:
        return "one-of-many"
    for a in sorted(factor.atoms(AppliedUndef), key=sp.default_sort_key):
        k = offset(a.args[0])
        if k is None:
            continue
        d = sp.Dummy("v")
        sol = solve_linear(factor.xreplace({a: d}), d) or sp.solve(factor.xreplace({a: d}), d)
        if len(sol) == 1 and k:  # c(t - 1) = v(t) at every step is c(t) = v(t + 1)
            a, sol = a.func(t), [sp.sympify(sol[0]).subs(t, t - k)]
        spec = specialised_schedule(method, a, sol[0]) if len(sol) == 1 else None
        if spec is None:
            continue
        if undefined_under(method, lambda e: _with_schedule(e, a.func, sol[0])) is not None:  # noqa: B023
            return "method-undefined"
        v = decide(spec, conditions=False)
        if v.in_family:
            return "one-of-many" if is_zero(v.map.eta_a) else "other-map"
        return "no-map" if v.witness is not None else "undecided"
    return "undecided"


def _kind_sentence(entry: dict) -> str:
    kind, w = entry["kind"], entry.get("witness")
    every = {"one-of-many": "where it holds at every step, the momentum drops out for good and the map is one of many",
             "other-map": "where it holds at every step, the method is in the family with another map (proved)",
             "no-map": "where it holds at every step, no map exists (a witness was found)",
             "method-undefined": "where it holds at every step, the declaration itself is undefined",
             "undecided": "where it holds at every step, neither a map nor a witness was found"}
    if "kind_every_step" in entry:
        isolated = {"no-map": f"at a single step no map exists: {w.sentence() if w else ''}",
                    "map-holds": "at a single step the same map holds (no denominator of the map vanishes)",
                    "undecided": "at a single step neither a map nor a witness was found",
                    "method-undefined": f"at a single step the declaration itself is undefined "
                                        f"({entry.get('undefined')}): nothing to decide"}[kind]
        return f"{isolated}; {every[entry['kind_every_step']]}"
    notes = "".join(f"; {n}" for n in entry.get("notes", ()))
    if kind == "one-of-many":
        return "it holds at every step: the momentum drops out for good and the map is one of many" + notes
    if kind == "other-map" and entry.get("other_map") is not None:
        o = entry["other_map"]
        coefficients = ", ".join(f"{c.name} = {sp.sstr(e)}" for c, e in o.coefficients())
        return (f"the method is still in the family there, with another map (proved): "
                f"{o.form.buffers[0].name} = {sp.sstr(o.momentum)}, {coefficients}{notes}")
    if kind == "no-map" and w is not None:
        c = entry.get("condition_there")
        return f"no map exists there: {w.sentence()}" + (f"; there, {c.text}" if c is not None and c.text else "") + notes
    if kind == "method-undefined":
        return f"the declaration itself is undefined there ({entry['undefined']}): nothing to decide{notes}"
    return "neither a map nor a witness was found there" + notes


def _with_schedule(expr, f, value):
    return sp.sympify(expr).replace(lambda x: isinstance(x, AppliedUndef) and x.func == f,
                                    lambda x: sp.sympify(value).subs(t, x.args[0]))


def isolated_undefined(method: Method, factor) -> str | None:
    """Where ``factor = 0`` imposed at one step ``k`` (solved for one schedule value) leaves the declaration
    itself undefined around that step (an update dividing by ``c(k)``), in words; None otherwise."""
    k = method.t0 + 2
    at_k = factor.subs(t, k)
    for a in sorted(at_k.atoms(AppliedUndef), key=sp.default_sort_key):
        sol = roots_in(at_k.xreplace({a: (d := sp.Dummy("v"))}), d)
        if len(sol) != 1:
            continue
        for j in range(k - 2, k + 1):
            why = undefined_under(method, lambda e: sp.sympify(e).subs(t, j).xreplace({a: sol[0]}))  # noqa: B023
            if why is not None:
                return f"{a} = {sp.sstr(sol[0])}: at step {j}, {why}"
    return None


def isolated_witness(method: Method, system: StepSystem, factor) -> Witness | None:
    """Impose ``factor = 0`` at one step ``k`` only (solved for one schedule value) and look for a witness."""
    for k in (method.t0 + 2, method.t0 + 3):
        at_k = factor.subs(t, k)
        apps = sorted(at_k.atoms(AppliedUndef), key=sp.default_sort_key)
        for a in apps:
            d = sp.Dummy("v")
            sol = solve_linear(at_k.xreplace({a: d}), d) or sp.solve(at_k.xreplace({a: d}), d)
            if len(sol) != 1:
                continue
            try:
                w = find_witness(method, system, fixed={a: sol[0]})
            except (ValueError, ZeroDivisionError):  # a value the unrolled coefficients cannot take
                continue
            if w is not None:
                return _with_example(method, w)
    return None


def degenerate_json(entries: list[dict]) -> list[dict]:
    """The JSON of :func:`classify_degenerate`'s entries (docs/json-schema.md)."""
    out = []
    for e in entries:
        j = {"condition": e["condition"], "effects": e["effects"], "kind": e.get("kind")}
        if "kind_every_step" in e:
            j["kind_every_step"] = e["kind_every_step"]
        w = e.get("witness")
        j["witness"] = None if w is None else w.to_json()
        out.append(j)
    return out
