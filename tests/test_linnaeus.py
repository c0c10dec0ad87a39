"""The side-by-side with Linnaeus's library (docs/linnaeus.md, issue 19 item 6): each declaration of
tests/data/linnaeus/ gets the verdict and transfer function the page gives it, the pair Linnaeus's README reports
equivalent is proved on the joint route (and a perturbed declaration is rejected), and the transfer-function
reading of a schedule -- one constant -- is refuted where the page says it is wrong, exactly and by a replay."""
from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

from equivalences.app.cli import main
from equivalences.derivation import derivation
from equivalences.equivalent import equivalent, linear_form, unroll
from equivalences.families import place
from equivalences.registry import load_module
from equivalences.symbols import g, t, theta0
from equivalences.trajectory import specialised

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "linnaeus"
z = sp.Symbol("z")


@pytest.fixture(scope="module")
def table():
    """docs/linnaeus_table.py, the page's generator (its functions are what the page shows)."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        return importlib.import_module("linnaeus_table")
    finally:
        sys.path.remove(str(ROOT / "docs"))


def load(name):
    return load_module(str(DATA / f"{name}.py"))


def perturbed(method, old, new):
    return replace(method, key=f"{method.key}-perturbed",
                   updates=tuple(sp.Eq(e.lhs, e.rhs.xreplace({old: new})) for e in method.updates))


def first_query_coefficients(method, steps):
    """The declaration unrolled on its own: each step's query point as {term: coefficient}."""
    return [{str(a): F.expr(c) for a, c in q[0].items()} for _, q, F in unroll([(linear_form(method), 0)], method.t0, steps)]


def test_every_declaration_gets_the_verdict_of_the_page(table):
    assert {r.file for r in table.METHODS if not r.file.startswith("registry:")} == {p.stem for p in DATA.glob("*.py")}
    for name in ("gr", "ng", "hb", "tm", "readme_algo1", "sum", "ng_schedule", "hb_schedule"):
        d = derivation(load(name))
        assert d.map is not None and d.proved, name
    rg = derivation(load("rg"))  # reflected gradient reads the previous gradient: outside Eq. (1)
    assert rg.map is None and rg.verdict_name == "not-in-family"
    ng = derivation(load("ng_schedule")).map  # the look-ahead of step t + 1 reads beta(t + 1)
    beta = sp.Function("beta")
    alpha = sp.Symbol("alpha")
    assert sp.simplify(ng.eta_a - alpha * beta(t + 1)) == 0 and sp.simplify(ng.beta_a - beta(t)) == 0


def test_transfer_function_is_the_z_transform_of_the_recursion(table, capsys):
    """H(z) of Tm worked by hand: X1 (z - 1)(z - beta) = -alpha z G, Y = ((1 + eta) - eta/z) X1."""
    alpha, beta, eta = sp.symbols("alpha beta eta")
    by_hand = -alpha * ((1 + eta) * z - eta) / ((z - 1) * (z - beta))
    tm = load("tm")
    assert sp.cancel(linear_form(tm).transfer_function(z) - by_hand) == 0
    assert sp.cancel(linear_form(load("ng")).transfer_function(z) - by_hand.subs(eta, beta)) == 0  # Ng is Tm at eta = beta
    assert sp.cancel(linear_form(load("hb")).transfer_function(z) - by_hand.subs(eta, 0)) == 0
    assert sp.cancel(linear_form(load("hb")).transfer_function(z) - by_hand) != 0
    # verify family shows it beside the map, as -F(z)/(z - 1) of the increment
    assert sp.cancel(place(tm).query_transfer - by_hand) == 0
    assert main(["family", "--module", str(DATA / "tm.py")]) == 0
    shown = capsys.readouterr().out
    assert "H(z)" in shown and "".join(sp.sstr(place(tm).query_transfer).split()) in "".join(shown.split())
    # a schedule has none; frozen, it is the constant method's
    hs = load("hb_schedule")
    assert linear_form(hs).transfer_function(z) is None
    assert sp.cancel(table.transfer(hs) - linear_form(load("hb")).transfer_function(z)) == 0


def test_readme_pair_is_proved_and_a_perturbed_one_is_not():
    a, b = load("readme_algo1"), load("readme_algo2")
    r = equivalent(a, b)
    assert r.equivalent and r.route == "joint" and all(i.residual == 0 for i in r.closure.identities)
    h = sp.Symbol("h")
    bad = perturbed(b, -2 * h * g(t), -3 * h * g(t))  # the README's 1/5 written 3/10
    assert bad.updates != b.updates
    rb = equivalent(a, bad, conversion=False)
    assert not rb.equivalent and (rb.witness.step, str(rb.witness.term)) == (2, "g(1)")
    assert sp.expand(rb.witness.coefficient_b - first_query_coefficients(bad, 2)[1]["g(1)"]) == 0


def test_the_criterion_and_verify_equivalent_on_parameter_maps(table):
    c = table.criterion(load("ng"), load("tm"))
    assert c.kind == "relation" and c.text == "same H(z) when (eta = beta)"
    r, coincide, _ = table.ours(load("ng"), load("tm"))
    assert r.equivalent and coincide and r.relation == {"eta": "beta_from"}
    assert sp.cancel(table.transfer(load("ng")) - table.transfer(r.compared)) == 0  # the criterion's map, proved
    # Linnaeus's own example: Gr and Tm, "equivalent" under the parameter map beta = eta = 0
    c = table.criterion(load("gr"), load("tm"))
    r, coincide, _ = table.ours(load("gr"), load("tm"))
    assert c.kind == "relation" and c.text == "same H(z) when (beta = 0, eta = 0)" and coincide
    assert sorted(r.condition.components()) == ["(beta = 0 and eta = 0)", "alpha = 0"]
    # heavy ball is not Nesterov: only where A's own parameters vanish
    c = table.criterion(load("hb"), load("ng"))
    assert c.kind == "condition" and not c.coincide


def test_a_frozen_schedule_is_refuted_exactly_and_by_the_replay(table):
    a, b = load("hb_schedule"), load("hb")
    assert table.criterion(a, b).kind == "same"  # the transfer-function reading: one algorithm
    r = equivalent(a, b)
    assert not r.equivalent and (r.witness.step, str(r.witness.term)) == (2, "g(1)")
    alpha = sp.Function("alpha")
    assert sp.expand(first_query_coefficients(a, 2)[1]["g(1)"] + alpha(1)) == 0  # -alpha(1), read off A alone
    rep = table.replay_disagreement(a, b, steps=40)
    assert not rep["agrees"] and rep["deviation"] > 1e6 * rep["tolerance"]
    # the same replay passes a pair that is one algorithm (the comparison can pass)
    same = table.replay_disagreement(a, replace(a, key="copy"), steps=40)
    assert same["agrees"] and same["deviation"] <= same["tolerance"]


def test_the_frozen_map_of_nesterovs_schedule_is_wrong_and_of_heavy_balls_right(table):
    ng = table.frozen_map(load("ng_schedule"))
    assert not ng["right"] and ng["result"].witness.step == 2
    hb = table.frozen_map(load("hb_schedule"))
    assert hb["right"]


def test_pole_zero_cancellation_triple_momentum_is_gradient_descent():
    tm, gr = load("tm"), load("gr")
    alpha, beta, eta = tm.constants
    spec = specialised(tm, beta, eta / (1 + eta))
    assert equivalent(spec, gr, relation={alpha: alpha * (1 + eta)}).equivalent
    assert not equivalent(spec, gr, relation={alpha: alpha * (1 + 2 * eta)}).equivalent


def test_the_transfer_function_is_blind_to_the_start():
    ng = load("ng")
    x1, x2 = ng.state
    cold = replace(ng, key="ng-cold", init={x1(1): theta0, x2(1): 0})
    assert sp.cancel(linear_form(ng).transfer_function(z) - linear_form(cold).transfer_function(z)) == 0
    r = equivalent(ng, cold, conversion=False)
    assert not r.equivalent and r.witness.step == 1


def test_the_page_has_the_generated_block(table):
    text = table.DOC.read_text()
    assert table.BEGIN in text and table.END in text
    block = text[text.index(table.BEGIN):text.index(table.END)]
    for r in table.METHODS:
        assert f"`{table.load(r.file).key}`" in block
