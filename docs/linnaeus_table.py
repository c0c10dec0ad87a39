"""The side-by-side with the transfer-function tools on their own library (issue 19, item 6): docs/linnaeus.md.

Every single-oracle gradient method of Linnaeus's algorithm library (Zhao, Lessard, Udell: "An automatic system
to detect equivalence between iterative algorithms"; udellgroup/Linnaeus_software, linnaeus/algorithms_library.py),
declared in tests/data/linnaeus/ in our own words, and the time-varying variants a transfer-function tool
freezes into constants.  For each: our verdict and map onto Eq. (1), the smallest family, and the transfer
function from gradient to query point; for each pair: our ``verify equivalent`` against the transfer-function
criterion (the same H(z) -- Linnaeus's oracle equivalence for linear methods -- computed here, with every
schedule read as one constant, as such a tool reads it); where the two disagree, both methods replayed side by
side at the frozen constant.

    python docs/linnaeus_table.py            # rewrite the marked block of docs/linnaeus.md
    python docs/linnaeus_table.py --check    # change nothing; exit 1 when the block is stale
    python docs/linnaeus_table.py --print    # print the block
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from equivalences.derivation import derivation  # noqa: E402
from equivalences.equivalent import equivalent, linear_form, values_of  # noqa: E402
from equivalences.families import place  # noqa: E402
from equivalences.families.momentum import declare as momentum_member  # noqa: E402
from equivalences.registry import load_module  # noqa: E402
from equivalences.symbols import t  # noqa: E402

DATA = ROOT / "tests" / "data" / "linnaeus"
DOC = ROOT / "docs" / "linnaeus.md"
BEGIN, END = "<!-- linnaeus-table: begin (python docs/linnaeus_table.py) -->", "<!-- linnaeus-table: end -->"
z = sp.Symbol("z")
LIB = "algorithms_library.py"


@dataclass(frozen=True)
class Row:
    file: str
    theirs: str
    """Linnaeus's name and where it is written."""
    form: str
    """The update as that library (or paper) writes it."""
    group: str = "library"
    """``library`` (Linnaeus's algorithms_library.py), ``readme`` (its quick start), ``variant`` (time-varying),
    ``outside`` (not in Linnaeus)."""


METHODS = [
    Row("gr", f"`Gr` ({LIB})", "x⁺ = x − α∇f(x)"),
    Row("ng", f"`Ng` ({LIB})", "y = (1+β)x₁ − βx₂; x₂⁺ = x₁; x₁⁺ = y − α∇f(y)"),
    Row("hb", f"`Hb` ({LIB})", "p⁺ = βp − ∇f(x); x⁺ = x + αp⁺"),
    Row("tm", f"`Tm` ({LIB})", "y = (1+η)x₁ − ηx₂; x₂⁺ = x₁; x₁⁺ = (1+β)x₁ − βx₂ − α∇f(y)"),
    Row("rg", f"`Rg` ({LIB}), C = ℝⁿ", "y = 2x₁ − x₂; x₂⁺ = x₁; x₁⁺ = P_C(x₁ − t∇f(y)) (t is τ here)"),
    Row("readme_algo1", "algorithm 1 (README, quick start)", "x₃ = 2x₁ − x₂; x₂⁺ = x₁; x₁⁺ = x₃ − ∇f(x₃)/10 (1/10 is h here)", "readme"),
    Row("readme_algo2", "algorithm 2 (README, quick start)", "ξ₁⁺ = ξ₁ − ξ₂ − ∇f(ξ₁)/5; ξ₂⁺ = ξ₂ + ∇f(ξ₁)/10 (2h, h here)", "readme"),
    Row("robust_momentum", "not in it (Cyrus et al. 2018)", "x⁺ = x + β(x − x₋) − α∇f(y); y = x + γ(x − x₋); α, β, γ of κ, ρ, L", "outside"),
    Row("sum", "not in it (SUM, Yang et al. 2016)", "y⁺ = x − αg; yˢ⁺ = x − sαg; x⁺ = y⁺ + β(yˢ⁺ − yˢ)", "outside"),
    Row("registry:qhm", "not in it (QHM, Ma & Yarats 2019; `verify qhm`)", "b⁺ = βb + (1−β)g; θ⁺ = θ − α[(1−ν)g + νb⁺]", "outside"),
    Row("gr_schedule", "`Gr`, step α_t", "x⁺ = x − α_t∇f(x)", "variant"),
    Row("ng_schedule", "`Ng`, β_t = (t−1)/(t+2)", "y = (1+β_t)x₁ − β_tx₂; x₂⁺ = x₁; x₁⁺ = y − α∇f(y)", "variant"),
    Row("hb_schedule", "`Hb`, step α₀/(t+1)", "p⁺ = βp − ∇f(x); x⁺ = x + α_tp⁺", "variant"),
]

EQUIVALENT = ROOT / "tests" / "data" / "equivalent"
# (A, B, what Linnaeus itself says about the pair, or None where only the criterion speaks)
PAIRS = [
    ("readme_algo1", "readme_algo2", "README, quick start: `is_equivalent(algo1, algo2)` returns True"),
    ("gr", "tm", "docs/library.md, docs/detection.md: equivalent, `test_equivalent` gives the parameter map"),
    ("ng", "tm", None),
    ("hb", "tm", None),
    ("gr", "hb", None),
    ("hb", "ng", None),
    ("rg", "equivalent/optimistic_gd", None),
    ("robust_momentum", "tm", None),
    ("sum", "hb", None),
    ("sum", "ng", None),
    ("gr_schedule", "gr", None),
    ("hb_schedule", "hb", None),
    ("ng_schedule", "ng", None),
    ("equivalent/nesterov_sutskever", "equivalent/nesterov_bengio", None),
    ("equivalent/nesterov_sutskever", "equivalent/nesterov_torch", None),
]


def load(name: str):
    if name.startswith("registry:"):
        from equivalences import registry

        return registry.get(name.split(":", 1)[1])
    path = EQUIVALENT / f"{name.split('/', 1)[1]}.py" if name.startswith("equivalent/") else DATA / f"{name}.py"
    return load_module(str(path))


# -- the transfer-function reading: every schedule one constant ------------------------------------------------


def frozen_symbol(f) -> sp.Symbol:
    return sp.Symbol(f.__name__)


def frozen(method):
    """``method`` as a transfer-function tool reads it: each schedule ``f(t + k)`` becomes one constant ``f``
    (valued at the schedule's second step, where the first moves; its parameters then unused)."""
    if not method.schedules:
        return method
    rep = {}
    for e in [*(u.rhs for u in method.updates), *method.define.values()]:
        for a in sp.sympify(e).atoms(sp.core.function.AppliedUndef):
            if a.func in method.schedules:
                rep[a] = frozen_symbol(a.func)
    syms = tuple(frozen_symbol(f) for f in method.schedules)
    values = values_of(method)
    defaults = {k: v for k, v in method.defaults.items() if k in method.constants}
    defaults.update({frozen_symbol(f): sp.nsimplify(values[f].subs(t, method.t0 + 1)) for f in method.schedules})
    return replace(method, key=f"{method.key}-frozen", updates=tuple(sp.Eq(u.lhs, u.rhs.xreplace(rep)) for u in method.updates),
                   define={k: sp.sympify(v).xreplace(rep) for k, v in method.define.items()},
                   constants=tuple(method.constants) + syms, schedules=(), defaults=defaults,
                   domain={k: v for k, v in method.domain.items() if k in method.constants})


def transfer(method) -> sp.Expr:
    """H(z): the query point's response to the gradient, ``c (zI - M)^(-1) b``, of the frozen method."""
    return linear_form(frozen(method)).transfer_function(z)


def thawed(expr, method):
    """The frozen constants put back as their schedules at the step: what a frozen map reads as time-varying."""
    return sp.sympify(expr).xreplace({frozen_symbol(f): f(t) for f in method.schedules})


def params(method) -> set:
    """The names of the hyperparameters the update reads (a schedule as its name)."""
    return {c.name for c in method.constants} | {f.__name__ for f in method.schedules}


@dataclass
class Criterion:
    """The transfer-function answer for a pair: ``same`` (identically, same names the same values), ``relation``
    (the same for some value of B's own parameters), ``condition`` (only where A's parameters satisfy one),
    ``different``."""

    kind: str
    text: str

    @property
    def coincide(self) -> bool:
        return self.kind in ("same", "relation")


def criterion(a, b) -> Criterion:
    Ha, Hb = transfer(a), transfer(b)
    num = sp.numer(sp.together(sp.cancel(Ha - Hb)))
    if sp.expand(num) == 0:
        return Criterion("same", "same H(z)")
    eqs = [c for c in sp.Poly(sp.expand(num), z).coeffs() if c != 0]
    fa, fb = frozen(a), frozen(b)
    own = [s for s in fb.constants if s.name not in params(a)]
    for unknowns, kind in ((own, "relation"), (sorted(set(fa.constants) | set(fb.constants), key=str), "condition")):
        if not unknowns:
            continue
        sols = [s for s in sp.solve(eqs, unknowns, dict=True) if s]
        if kind == "relation":
            sols = [s for s in sols if all(sp.simplify(v) != 0 or k in own for k, v in s.items())]
        if sols:
            said = " or ".join("(" + ", ".join(f"{k} = {sp.sstr(v)}" for k, v in sorted(s.items(), key=lambda kv: str(kv[0]))) + ")"
                               for s in sols)
            return Criterion(kind, f"same H(z) when {said}")
    return Criterion("different", "different H(z)")


# -- our answers ------------------------------------------------------------------------------------------------


def ours(a, b):
    """``verify equivalent``'s verdict, and whether A (at generic values of its parameters) equals B at some value
    of B's own parameters (the question the transfer-function criterion answers)."""
    r = equivalent(a, b)
    if r.equivalent:
        # the conversion names A's hyperparameters NAME_from: here they are A's own names
        rel = "same names" if r.relation_source == "same names" else ", ".join(
            f"{k} = {re.sub(r'([A-Za-z][A-Za-z0-9]*)_from', lambda m: m.group(1), v)}" for k, v in r.relation.items())
        shift = f"; shift {r.shift}" if r.shift else ""
        return r, True, f"equivalent ({rel}{shift})"
    comps = r.condition.conjunctions() if r.condition is not None else []
    eqs = r.condition.all_equations() if r.condition is not None else {}
    # a component that only sets B's own parameters (B's eta = 0) is a relation: A, at any values, is B there
    own_only = [c for c in comps if all(lab in eqs and eqs[lab][0].name not in params(a) for lab in c)]
    if r.condition is not None and r.condition.text:
        said = "exactly when" if r.condition.exact else "when"
        text = f"{r.verdict}: {said} " + " or ".join(r.condition.joined(c) for c in comps)
    else:
        text = r.verdict
    if r.witness is not None:
        text += f"; witness at step {r.witness.step}, {r.witness.term}"
    return r, bool(own_only), text


def map_text(mp) -> str:
    return f"β_a = {sp.sstr(mp.beta_a)}, η_a = {sp.sstr(mp.eta_a)}, α_a = {sp.sstr(mp.alpha_a)}"


def method_row(row: Row) -> dict:
    m = load(row.file)
    d = derivation(m)
    verdict = {"proved": "Eq. (1), proved", "not-in-family": "not an instance of Eq. (1) (witness)"}.get(
        d.verdict_name, d.verdict_name)
    mp = map_text(d.map) if d.map is not None else "—"
    p = place(m)
    fam = p.family.title if p.family is not None else "—"
    H = linear_form(m).transfer_function(z)
    out = {"method": m, "verdict": verdict, "map": mp, "family": fam,
           "H": sp.sstr(H) if H is not None else f"none (coefficients move); frozen: {sp.sstr(transfer(m))}",
           "frozen_map": None}
    if m.schedules and d.map is not None:
        out["frozen_map"] = frozen_map(m)
    return out


def frozen_map(m) -> dict:
    """The frozen method's map with the schedules put back at step t (what the transfer function's map reads),
    declared as an Eq. (1) method and compared with ``m`` itself."""
    fm = derivation(frozen(m)).map
    beta_a, eta_a, alpha_a = (thawed(x, m) for x in (fm.beta_a, fm.eta_a, fm.alpha_a))
    cand = momentum_member(m, "frozen-map", [(beta_a, eta_a)], alpha_a)
    r = equivalent(m, cand, conversion=False, shifts=False, conditions=False)
    return {"map": f"β_a = {sp.sstr(beta_a)}, η_a = {sp.sstr(eta_a)}, α_a = {sp.sstr(alpha_a)}",
            "right": r.equivalent, "result": r, "candidate": cand}


# -- the replay of a disagreement: A at its values, B at the frozen constant ------------------------------------


def replay_disagreement(a, b, steps: int = 200) -> dict:
    """A at its defaults and B at the values the transfer-function reading gives it (A's schedules frozen at their
    second step; B's own parameters from the criterion's relation where there is one), side by side: the largest
    relative deviation of the query points, against the replay's tolerance."""
    from equivalences.app.commands.equivalent import _config
    from numeric.side_by_side import replay_pair

    va = values_of(a)
    fa = frozen(a)
    by_name = {k.name: v for k, v in values_of(fa).items() if isinstance(k, sp.Symbol)}
    vb = {k: (by_name[k.name] if isinstance(k, sp.Symbol) and k.name in by_name else v) for k, v in values_of(b).items()}
    res = replay_pair(a, _config(va), b, _config(vb), steps=steps, dim=16, seed=0)
    return {"deviation": res.worst, "tolerance": res.tolerance, "agrees": res.agrees,
            "b_values": {k.name if isinstance(k, sp.Symbol) else k.__name__: v for k, v in vb.items()}}


# -- the block --------------------------------------------------------------------------------------------------


def _cell(s: str) -> str:
    return s.replace("|", "\\|")


def block() -> str:
    lines = ["### The methods", "",
             "| method | in Linnaeus | as written there | our verdict | our map onto Eq. (1) | smallest family | "
             "H(z), gradient → query point |", "|---|---|---|---|---|---|---|"]
    rows = [method_row(r) for r in METHODS]
    frozen_rows = []
    for r, o in zip(METHODS, rows):
        lines.append(f"| `{o['method'].key}` | {r.theirs} | {_cell(r.form)} | {o['verdict']} | `{_cell(o['map'])}` | "
                     f"{o['family']} | `{_cell(o['H'])}` |")
        if o["frozen_map"] is not None:
            frozen_rows.append((o["method"], o))
    n_methods = len(rows)
    lines += ["", "### The time-varying variants: the map a constant transfer function gives", "",
              "| method | our map (proved) | the frozen map, schedules put back at step t | frozen map |",
              "|---|---|---|---|"]
    wrong_maps = 0
    for m, o in frozen_rows:
        fm = o["frozen_map"]
        if fm["right"]:
            said = "right (proved equivalent)"
        else:
            wrong_maps += 1
            w = fm["result"].witness
            said = f"**wrong**: {w.sentence(m.key, 'the frozen map')}" if w is not None else f"**wrong** ({fm['result'].verdict})"
        lines.append(f"| `{m.key}` | `{_cell(o['map'])}` | `{_cell(fm['map'])}` | {_cell(said)} |")
    lines += ["", "### The pairs", "",
              "| A | B | Linnaeus says | transfer-function criterion | verify equivalent | agree |",
              "|---|---|---|---|---|---|"]
    agree = disagree = 0
    disagreements = []
    for an, bn, said in PAIRS:
        a, b = load(an), load(bn)
        c = criterion(a, b)
        r, coincide, text = ours(a, b)
        same = c.coincide == coincide
        agree += same
        disagree += not same
        if not same:
            disagreements.append((a, b, c, r))
        verdict = "yes" if same else "**no**"
        if same and r.equivalent and r.relation_source != "same names" and r.compared is not None:
            # the relation our proof used gives B the transfer function of A: the criterion's parameter map
            one = sp.cancel(transfer(a) - transfer(r.compared)) == 0
            verdict += ", the same map" if one else ", **another map**"
        lines.append(f"| `{a.key}` | `{b.key}` | {_cell(said or '—')} | {_cell(c.text)} | {_cell(text)} | {verdict} |")
    lines += ["", "### Where they disagree: the replay", "",
              "A at its defaults and B at the values the transfer-function reading gives it (a constant of B that "
              "A has as a schedule takes the schedule's value at its second step; a shared name, constant or "
              "schedule, the same value), side by side from the same start on the same noisy least-squares problem "
              "(200 steps, float64, seed 0).  A deviation above the tolerance: the two are not one algorithm.", "",
              "| A | B at | max rel. deviation | tolerance | exact witness (verify equivalent) |", "|---|---|---|---|---|"]
    for a, b, c, r in disagreements:
        rep = replay_disagreement(a, b)
        at = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in sorted(rep["b_values"].items()))
        w = r.witness.sentence(a.key, b.key) if r.witness is not None else r.verdict
        lines.append(f"| `{a.key}` | `{b.key}`: {_cell(at)} | {rep['deviation']:.1e} | {rep['tolerance']:.1e} | {_cell(w)} |")
    right_tf = sum(1 for *_, r in disagreements if r.equivalent)
    lib, readme, outside = (sum(1 for r in METHODS if r.group == g) for g in ("library", "readme", "outside"))
    lines += ["", f"**Counts.** {n_methods} methods: {lib} of Linnaeus's library (every method of it with one "
              f"gradient call per step and no other oracle), the {readme} algorithms of its README's quick start, "
              f"{len(frozen_rows)} time-varying variants, {outside} methods outside it.  {len(PAIRS)} pairs: "
              f"{agree} agree, {disagree} disagree; in {len(disagreements) - right_tf} of {len(disagreements)} "
              f"disagreements the replay separates the two methods (the transfer-function reading is wrong)"
              f"{'' if not right_tf else f', in {right_tf} it is right'}.  {wrong_maps} of {len(frozen_rows)} "
              f"frozen maps {'is' if wrong_maps == 1 else 'are'} wrong."]
    return "\n".join(lines)


def splice(text: str, content: str) -> str:
    i, j = text.index(BEGIN), text.index(END)
    return text[:i + len(BEGIN)] + "\n" + content + "\n" + text[j:]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    content = block()
    if "--print" in argv:
        print(content)
        return 0
    old = DOC.read_text()
    new = splice(old, content)
    if "--check" in argv:
        if new != old:
            print(f"{DOC.relative_to(ROOT)}: the Linnaeus table is stale: run python docs/linnaeus_table.py")
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
