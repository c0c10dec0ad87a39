"""The paper's prose as claims: the new claim kinds (each accepts a true and rejects a false statement, exactly),
the counts `verify all` reports, AGNES and Nesterov-SGD with schedules, and the paper's findings."""
import io

import pytest
import sympy as sp

from equivalences import registry
from equivalences.claim_kinds import (POSITIVE_CONSTANT, Explicit, ForAll, Sum, T_, Undecided, asymptotic,
                                      check_statement, j_, limit, proportional, s_)
from equivalences.claims import check_kind
from equivalences.paper_prose import STATEMENTS, check_all, counts
from equivalences.app.pipeline import verify
from equivalences.symbols import t

delta, beta, eta = sp.symbols("delta beta eta")
w, mom, grad = sp.Function("w"), sp.Function("m"), sp.Function("nabla_f")
MOMENTUM_WEIGHTS = sp.Sum(sp.Product(1 - 1 / j_, (j_, s_ + 1, t)), (s_, 1, t))  # sum_s prod_j beta_a,j, beta_a = 1 - 1/j


def decide(claim):
    return check_statement(claim, {}, dict(claim.assume))


# -- each kind: a true statement holds, a false one fails with an exact residual ------------------------------------
def test_limit_true_and_false():
    assert decide(limit("true", (t + 1) / t, 1)).holds
    false = decide(limit("false", (t + 1) / t, 2))
    assert not false.holds and false.residual == -1 and false.correction[1] == 1
    assert decide(limit("to infinity", t ** 2 / (t + 1), sp.oo)).holds
    assert not decide(limit("not zero", t / (t + 1), 0)).holds


def test_asymptotic_true_and_false():
    assert decide(asymptotic("true", 10 / (t + 9), 1 / (sp.Rational(1, 10) * t))).holds
    false = decide(asymptotic("false", 10 / (t + 9), 1 / t))
    assert not false.holds and false.correction[1] == 10


def test_proportional_true_and_false():
    assert decide(proportional("true", MOMENTUM_WEIGHTS, t)).holds
    bounded = sp.Sum(sp.Rational(1, 2) ** (t - s_), (s_, 1, t))  # a constant beta_a = 1/2: the mass stays below 2
    false = decide(proportional("false", bounded, t))
    assert not false.holds and false.residual == 0  # lim (sum)/t = 0: not a positive constant


def test_sum_true_and_false():
    assert decide(Sum("true", MOMENTUM_WEIGHTS, (t + 1) / 2)).holds
    false = decide(Sum("false", MOMENTUM_WEIGHTS, t / 2))
    assert not false.holds and false.residual == sp.Rational(1, 2) and sp.simplify(false.correction[1] - (t + 1) / 2) == 0
    weights = sp.Sum(1 / T_ + 0 * s_, (s_, 1, T_))
    assert decide(Sum("uniform", weights, 1)).holds and not decide(Sum("uniform", weights, 2)).holds


def test_for_all_true_false_and_from_where():
    assert decide(ForAll("true", sp.And(1 - 1 / t >= 0, 1 - 1 / t <= 1), sp.true)).holds
    false = decide(ForAll("false", 1 - 1 / (delta * t) >= 0, sp.true, assume={delta: sp.Rational(1, 10)}))
    assert not false.holds and false.residual == 1 and "holds for every integer t >= 10" in false.how
    bounded = decide(ForAll("on [1, 5]", 6 - t >= 0, sp.true, hi=5))
    assert bounded.holds and not decide(ForAll("on [1, 7]", 6 - t >= 0, sp.true, hi=7)).holds


def test_the_rational_truth_set_is_solvesets():
    """ForAll's sign analysis of a rational relation (its fast path) gives solveset's set on generated relations,
    and a relation it does not take (not rational in the variable) still goes to solveset."""
    import random

    from equivalences.claim_kinds import _truth_set

    v, rng = sp.Dummy("v", real=True), random.Random(7)
    relations = (sp.Ge, sp.Gt, sp.Le, sp.Lt, sp.Eq, sp.Ne)
    for _ in range(40):
        num = sum(rng.randint(-3, 3) * v ** k for k in range(rng.randint(1, 3)))
        den = sum(rng.randint(-2, 2) * v ** k for k in range(rng.randint(1, 2))) or 1
        rel = rng.choice(relations)(num / den, sp.Rational(rng.randint(-2, 2), rng.randint(1, 3)))
        if rel in (sp.true, sp.false):
            continue
        assert _truth_set(rel, v) == sp.solveset(rel, v, sp.Reals), rel
    assert _truth_set(sp.exp(v) >= 2, v) == sp.Interval(sp.log(2), sp.oo)


def test_the_polynomial_sum_is_sympys_summation():
    """Sum's ring evaluation by Faulhaber's formulas agrees with sympy's summation on generated polynomials and
    limits (symbolic, shifted and numeric), and gives up (None) on a coefficient the ring cannot hold."""
    import random

    from equivalences.claim_kinds import _polynomial_sum

    N = sp.Symbol("N", integer=True, positive=True)
    rng = random.Random(3)
    for _ in range(25):
        num = sum(rng.randint(-3, 3) * N ** rng.randint(0, 2) * s_ ** k for k in range(rng.randint(1, 6)))
        lo = rng.choice([1, 2, s_ - s_ + 9 * N + 1, N])
        hi = rng.choice([T_, 10 * N, N + 3, 7])
        got = _polynomial_sum(sp.expand(num), (s_, lo, hi))
        assert sp.expand(got - sp.summation(num, (s_, lo, hi))) == 0, (num, lo, hi)
    assert _polynomial_sum(s_ * sp.Function("f")(T_), (s_, 1, T_)) is None


def test_for_all_needs_every_symbol_fixed():
    with pytest.raises(Undecided):
        decide(ForAll("delta free", 1 - 1 / (delta * t) >= 0, sp.true))


def test_explicit_true_and_false():
    step = dict(lhs=w(t), rhs=w(t - 1) - eta * mom(t))
    implicit = decide(Explicit("printed", **step, lines={mom(t): beta * mom(t - 1) + grad(w(t))}))
    assert not implicit.holds and implicit.residual == grad(w(t))
    assert decide(Explicit("explicit", **step, lines={mom(t): beta * mom(t - 1) + grad(w(t - 1))})).holds


def test_an_undecidable_statement_is_never_reported_as_holding():
    f = sp.Function("f")
    r = check_kind(limit("free schedule", f(t), 0), {}, {})
    assert not r.holds and r.correction_how.startswith("not decided")


# -- the methods: AGNES and Nesterov-SGD with schedules --------------------------------------------------------------
@pytest.fixture(scope="module")
def agnes():
    return verify("agnes", steps=150, dim=6)


@pytest.fixture(scope="module")
def nesterov():
    return verify("nesterov-sgd", steps=150, dim=6)


def test_agnes_with_alpha_and_eta_schedules_proves_and_replays(agnes):
    assert agnes.proved and agnes.numeric.passed
    a, e, rho = (sp.Function(n) for n in ("alpha", "eta", "rho"))
    assert sp.simplify(agnes.map.eta_a - a(t + 1) * rho(t)) == 0 and agnes.map.alpha_a == e(t)
    claims = {c.claim.ref: c for c in agnes.claims}
    first = claims["App. B.1, first rewritten equation"]
    assert first.holds and first.holds_in_general is False  # needs a constant alpha
    assert first.general_correction[1].has(a(t + 1))  # alpha_{n+1} v_{n+1}, proved
    assert claims["App. B.1 (implied eta_a)"].holds_in_general is False
    assert claims["App. B.1 (implied alpha_a)"].holds_in_general is True


def test_nesterov_sgd_with_an_eta_schedule_proves_and_replays(nesterov):
    assert nesterov.proved and nesterov.numeric.passed
    e = sp.Function("eta")
    assert nesterov.map.beta_a.has(e(t - 1)) and nesterov.map.alpha_a == e(t)
    implied = {c.claim.ref: c for c in nesterov.claims}["App. B.4 (implied beta_a)"]
    assert implied.holds and implied.holds_in_general is False and implied.general_residual.has(e(t - 1))


# -- the paper's findings ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reports():
    """Every method, derived, proved and its claims checked once for this module."""
    return {n: verify(n, numeric=False) for n in registry.names()}


def claims_of(reports, name):
    return {c.claim.ref: c for c in reports[name].claims}


@pytest.fixture(scope="module")
def schedule_free(reports):
    return claims_of(reports, "schedule-free")


def test_schedule_free_prose(schedule_free):
    sf = schedule_free
    assert sf["§4.1, after the x_t derivation (x_t is a weighted average of y_t: its weights sum to 1)"].holds
    assert sf["§4.1.1 (since c_t = 1/t, weight averaging from the beginning: a uniform average)"].holds
    tail = sf["§4.1.3 (averaging over the most recent 10%: the weights' mass lies in the last 10% of the iterates)"]
    assert not tail.holds and tail.residual == -sp.Rational(9, 10) ** 10  # the mass there is 1 - 0.9^10 = 0.651...
    assert tail.correction[1] == 1 - sp.Rational(9, 10) ** 10
    assert sf["§4.1.3 (averaging over the most recent 10%: the newest weight ~ 1/(delta t), delta = 0.1, as in §3.2)"].holds
    assert sf["§5.1 (a higher r reduces the effective weight averaging window: delta = (1 - beta)/r)"].holds


def test_paper_statements_without_a_method():
    results = check_all()

    def got(prefix, kind):
        (r,) = [r for r in results if r.claim.ref.startswith(prefix + " (") and type(r.claim).__name__ == kind]
        return r

    assert not got("§3.1, the momentum update", "Explicit").holds  # reads the gradient at the point it computes
    assert got("§3.3, Eq. (1)", "Explicit").holds
    newest = got("§3.2", "Limit")
    assert not newest.holds and newest.residual == 1  # the printed gamma_T -> 1 puts all weight on w_T
    window = got("§3.2", "ForAll")
    assert not window.holds and window.residual == 1 and "t >= 10" in window.correction_how
    convention = got("§3.2 and Alg. 3, line 8", "Claim")
    assert not convention.holds and convention.correction is not None
    assert got("§4.4", "Limit").holds


def test_algorithm_3_as_printed_is_an_ascent_and_delta_has_no_effect(reports):
    r = reports["accelerated-adamw-printed"]
    b1, b3 = sp.symbols("beta1 beta3")
    assert r.proved and sp.simplify(r.map.eta_a + b3 * (1 - b1) / b1) == 0  # eta_a < 0: the printed signs ascend
    claims = {c.claim.ref.split(" (")[0]: c for c in r.claims}
    assert not claims["Alg. 3"].holds and claims["Alg. 3"].residual == 1  # fails from t = 1 on
    line7 = claims["Alg. 3, line 7"]
    assert not line7.holds and line7.correction[1] == 1  # t (1 - c_t) -> 1, not 1/delta = 10: a uniform average


def test_implied_triples_of_the_appendix_rewrites(reports):
    mass = claims_of(reports, "mass")
    assert not mass["App. B.3 (implied eta_a)"].holds and mass["App. B.3 (implied eta_a)"].correction is not None
    asgd = claims_of(reports, "asgd")
    assert not asgd["App. B.2 (implied alpha_a)"].holds
    mars = claims_of(reports, "mars")
    assert mars["§4.3 (implied eta_a)"].holds and mars["§4.3 (implied eta_a)"].holds_in_general is False


# -- counts -------------------------------------------------------------------------------------------------------------
EXPECTED_COUNTS = {"displayed": 27, "prose": 59}


def test_counts_of_printed_statements(reports):
    reports = list(reports.values())
    every = [c for r in reports for c in r.claims] + check_all()
    n = counts(every)
    assert {k: n[k] for k in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert n["total"] == n["displayed"] + n["prose"] and len(STATEMENTS) == 8
    assert all(c.claim.origin in ("displayed", "prose") for c in every)
    assert all(not c.correction_how.startswith("not decided") for c in every)  # every transcription is decided
    js = reports[0].to_json()
    assert js["paper_claims_count"]["total"] == len(reports[0].claims)
    assert {"kind", "origin"} <= set(js["paper_claims"][0])
    from rich.console import Console

    from equivalences.app.render import render_all

    out = io.StringIO()
    render_all(reports, Console(file=out, width=100))
    line = f"Printed statements of the paper checked: {n['total']} ({n['displayed']} displayed, {n['prose']} prose)"
    assert line in " ".join(out.getvalue().split())


def test_appendix_shows_prose_claims_and_the_statements_of_no_method():
    from equivalences.app.appendix import generate

    tex = generate(["heavy-ball"], reports=[verify("heavy-ball", numeric=False)])
    assert "(prose)" in tex and "Statements not tied to one method" in tex
    section = tex.split("Statements not tied to one method")[1]
    assert section.count("\\OEerratum{") == sum(not r.holds for r in check_all())


# -- verify paper-claims ------------------------------------------------------------------------------------------------
def test_docs_paper_claims_is_generated_from_the_tool(reports):
    from pathlib import Path

    from equivalences.app.commands.paper_claims import collect, markdown

    page = (Path(__file__).resolve().parents[1] / "docs" / "paper-claims.md").read_text(encoding="utf-8")
    result = collect(reports=reports)
    assert page == markdown(result), "docs/paper-claims.md is stale: verify paper-claims --markdown docs/paper-claims.md"
    assert result.counts["displayed"] == EXPECTED_COUNTS["displayed"] and result.counts["prose"] == EXPECTED_COUNTS["prose"]


def test_paper_claims_command_json_and_errors(capsys):
    import json

    from equivalences.app.cli import main

    assert main(["paper-claims", "mass", "--json", "--failing"]) == 0
    out = json.loads(capsys.readouterr().out)
    refs = {s["ref"] for s in out["statements"]}
    assert "App. B.3, second rewritten equation" in refs and all(not s["holds"] for s in out["statements"])
    assert all(s["where"] == "mass" for s in out["statements"])  # the statements of no method only with the paper
    assert main(["paper-claims", "no-such-method"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown method" in err[0]
    assert main(["paper-claims", "--bogus"]) == 2


def test_the_one_point_refutation_is_sound():
    """The cheap test before the rational normal form: 'not 0 at a rational point' only for what is not 0."""
    from equivalences.algebra import nonzero_at_a_point
    from equivalences.declare import Transform

    g, b = sp.Function("g"), sp.Symbol("b")
    P = Transform("P_refutation_test", "adam")  # an opaque transform: equal arguments, equal values
    x = g(t) * (1 - b) + b * g(t - 1)
    assert not nonzero_at_a_point(P(t, x) - P(t, sp.expand(x)))  # the same function value: inconclusive, never "not 0"
    assert not nonzero_at_a_point((b ** 2 - 1) / (b - 1) - (b + 1))  # identically 0
    assert nonzero_at_a_point(g(t) - g(t - 1)) and nonzero_at_a_point(P(t, g(t)) - P(t, g(t - 1)))
    assert not nonzero_at_a_point(sp.exp(b) - 1)  # not a rational value there: inconclusive
