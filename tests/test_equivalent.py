"""verify equivalent A B (issue 19, item 3): the joint-system proof, the witness, conditions, the relation the
conversion finds, a shift of the step index, the replay with its negative control, --all, and bad input.
Each positive verdict is shown to be able to fail: a perturbed B is rejected in the same test."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

from equivalences import registry
from equivalences.app.cli import main
from equivalences.app.commands.equivalent import compare
from equivalences.derivation import derivation
from equivalences.equivalent import equivalent, linear_form, search, unroll
from equivalences.symbols import g, t, theta0
from equivalences.trajectory import specialised, specialised_schedule

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data" / "equivalent"
R = sp.Rational


def load(name):
    return registry.load_module(str(DATA / f"{name}.py"))


def perturbed(method, old, new):
    """``method`` with the update coefficient ``old`` replaced by ``new`` everywhere (a wrong rewrite)."""
    return replace(method, key=f"{method.key}-perturbed",
                   updates=tuple(sp.Eq(e.lhs, e.rhs.xreplace({old: new})) for e in method.updates))


def query_coefficients(method, steps):
    """An independent reading of the query points: the declaration unrolled on its own (one side)."""
    L = linear_form(method)
    return [{str(a): F.expr(c) for a, c in q[0].items()} for _, q, F in unroll([(L, 0)], method.t0, steps)]


# -- not equivalent: the witness ---------------------------------------------------------------------------


def test_heavy_ball_harmonic_step_is_not_constant_step():
    a, b = load("heavy_ball_harmonic"), load("heavy_ball_constant")
    r = equivalent(a, b)
    assert not r.equivalent and r.closure.failed is not None
    w = r.witness
    # the first step where they differ, read off each declaration alone: q(2) = theta_0 - lr/2 g(1) vs - lr g(1)
    qa, qb = query_coefficients(a, 2), query_coefficients(b, 2)
    assert qa[1]["g(1)"] == -a.constants[1] / 2 and qb[1]["g(1)"] == -b.constants[1]
    assert (w.step, str(w.term)) == (2, "g(1)")
    assert sp.simplify(w.coefficient_a - qa[1]["g(1)"]) == 0 and sp.simplify(w.coefficient_b - qb[1]["g(1)"]) == 0
    assert w.value_a == R(-1, 20) and w.value_b == R(-1, 10)  # at the defaults lr = 1/10
    # the only place they coincide: lr = 0, where neither moves (a degenerate special case), proved both ways
    assert r.verdict == "conditional" and r.condition.exact
    assert r.condition.components() == ["lr = 0"] and r.components == {"lr = 0": "static"}
    # and the same machinery finds nothing between a method and itself
    assert equivalent(a, a).equivalent and equivalent(a, a).witness is None


# -- Nesterov in three forms, with schedules ------------------------------------------------------------------


def test_nesterov_sutskever_is_bengio_with_schedules_and_a_wrong_bengio_is_not():
    a, b = load("nesterov_sutskever"), load("nesterov_bengio")
    r = equivalent(a, b)
    assert r.equivalent and r.route == "joint" and r.relation_source == "same names"
    assert r.closure.holds and all(i.residual == 0 for i in r.closure.identities)
    assert any(f.has(sp.Function("mu")(t + 1)) for f in r.closure.functionals)  # time-varying invariants
    mu = sp.Function("mu")
    bad = perturbed(b, mu(t + 1), mu(t))  # the look-ahead read at the old momentum
    rb = equivalent(a, bad, conversion=False)
    w = rb.witness  # q(2) = theta_0 - (1 + mu(2)) lr(1) g(1) in Sutskever's form; the wrong form reads mu(1)
    assert not rb.equivalent and (w.step, str(w.term)) == (2, "g(1)")
    lr = sp.Function("lr")
    assert sp.expand(w.coefficient_a + (1 + mu(2)) * lr(1)) == 0 and sp.expand(w.coefficient_b + (1 + mu(1)) * lr(1)) == 0
    assert sp.expand(query_coefficients(a, 2)[1]["g(1)"] - w.coefficient_a) == 0


def test_nesterov_torch_form_matches_only_with_a_constant_step():
    a, b = load("nesterov_sutskever"), load("nesterov_torch")
    r = equivalent(a, b)
    assert not r.equivalent
    w = r.witness  # the buffer holds gradients, so lr(2) meets g(1) at step 3 in torch's form only
    assert (w.step, str(w.term)) == (3, "g(1)") and w.coefficient_b.has(sp.Function("lr")(2))
    assert not w.coefficient_a.has(sp.Function("lr")(2))
    lr, lr0 = sp.Function("lr"), sp.Symbol("lr0", positive=True)
    a0, b0 = (specialised_schedule(m, lr(t), lr0) for m in (a, b))
    r0 = equivalent(a0, b0, conversion=False)
    assert r0.equivalent and r0.closure.holds
    assert not equivalent(a0, perturbed(b0, sp.Function("mu")(t + 1), sp.Function("mu")(t)), conversion=False).equivalent


# -- outside Eq. (1) ----------------------------------------------------------------------------------------


def test_aggmo_two_ways_is_one_algorithm_outside_eq1():
    a, b = load("aggmo_buffers"), load("aggmo_sum_difference")
    assert derivation(a).map is None and derivation(b).map is None  # neither is an instance of Eq. (1)
    r = compare(a, b, steps=200)
    assert r.equivalent and r.route == "joint"
    ha, hb = r.transfer
    assert sp.cancel(ha - hb) == 0
    beta1, beta2, lr = a.constants
    z = sp.Symbol("z")
    # (z - 1) W = -lr/2 (beta1 V1 + beta2 V2 + 2 U) with V_i = U / (z - beta_i)
    assert sp.cancel(ha + lr / 2 * (z / ((z - beta1) * (z - 1)) + z / ((z - beta2) * (z - 1)))) == 0
    n = r.numeric
    assert n["exact_agree"] and n["agrees"] and n["max_rel_deviation"] <= n["tolerance"]
    assert n["control"]["rejected"] and n["control"]["max_rel_deviation"] > 1e3 * n["tolerance"]
    assert n["passed"]
    bad = perturbed(b, (beta1 - beta2) / 2 * sp.Function("s")(t), (beta1 - beta2) / 3 * sp.Function("s")(t))
    rb = equivalent(a, bad)
    assert not rb.equivalent and rb.witness is not None


def test_aggmo_transfer_function_is_the_impulse_response():
    """H(z) = sum_k h_k z^(-k): the coefficient of g(1) in q(1 + k) (the unrolled declaration) is h_k."""
    a = load("aggmo_buffers")
    H = linear_form(a).transfer_function()
    z, x = sp.Symbol("z"), sp.Symbol("x")
    series = sp.series(H.subs(z, 1 / x), x, 0, 5).removeO()
    qs = query_coefficients(a, 4)
    for k in range(1, 5):
        assert sp.simplify(series.coeff(x, k) - qs[k].get("g(1)", 0)) == 0


# -- registered pairs: the relation the conversion finds, proved on the joint trajectory ------------------------


def test_heavy_ball_is_sgd_nesterov_at_the_converted_relation_and_not_one_percent_off(derivations):
    a, b = registry.get("heavy-ball"), registry.get("sgd-nesterov")
    r = compare(a, b, {a.constants[0]: R(4, 5)}, steps=200)
    assert r.equivalent and r.relation_source == "conversion"
    assert r.relation == {"mu": "beta", "nesterov": "0", "tau(t)": "0", "lr(t)": "eta(t)"}
    assert r.numeric["values_b"]["mu"] == "4/5" and r.numeric["passed"]
    mu, nesterov = b.constants
    tau, lr = b.schedules
    beta, eta = a.constants[0], a.schedules[0]
    wrong = equivalent(a, b, {mu: beta * R(101, 100), nesterov: 0, tau: 0, lr: eta(t)}, shifts=False, conditions=False)
    assert not wrong.equivalent and wrong.witness is not None and wrong.relation_source == "given"


def test_qhm_is_schedule_free_always(derivations):
    a, b = registry.get("qhm"), registry.get("schedule-free")
    r = equivalent(a, b)
    assert r.equivalent and r.relation_source == "conversion" and r.relation["gamma(t)"] == "alpha"
    assert sp.cancel(r.transfer[0] - r.transfer[1]) == 0


def test_a_shift_of_the_step_index_is_reported(derivations):
    a, b = registry.get("heavy-ball"), load("heavy_ball_lead")
    r = equivalent(a, b)
    assert r.equivalent and r.shift == -1 and r.delta == -1 and r.relation_source == "same names"
    assert "differ" in r.notes[0]  # counted from their first steps they are not the same


def test_heavy_ball_all_lists_the_methods_that_contain_it(derivations):
    a = registry.get("heavy-ball")
    found = search(a, [(n, registry.get(n)) for n in ("heavy-ball", "sgd-nesterov", "qhm", "mass", "lion")])
    kinds = {m.name: m.kind for m in found.matches}
    assert kinds == {"sgd-nesterov": "equals", "qhm": "contains"}
    qhm = next(m for m in found.matches if m.name == "qhm").result
    assert qhm.special and qhm.special[0][1].equivalent  # qhm holds heavy ball with a constant step (nu = 1)
    assert qhm.special[0][1].relation["nu"] == "1"
    assert {n for n, _ in found.others} == {"mass", "lion"}


# -- the command line --------------------------------------------------------------------------------------


def test_cli_exit_codes_and_json(capsys):  # declarations of tests/data only: no registered derivation needed
    d = str(DATA)
    assert main(["equivalent", "--module-a", f"{d}/heavy_ball_harmonic.py", "--module-b",
                 f"{d}/heavy_ball_constant.py", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "conditional" and out["witness"]["term"] == "g(1)"
    assert main(["equivalent", "--module-a", f"{d}/nesterov_sutskever.py", "--module-b", f"{d}/nesterov_bengio.py",
                 "--steps", "50", "--set", "lr0=0.01"]) == 0
    text = capsys.readouterr().out
    assert "equivalent" in text and "rejected" in text


def test_cli_takes_equations_for_either_side(capsys):
    """A in one line (two gradient calls) against B's file; values from --set, a plain name to the side lacking it;
    the same line with the second gradient at x is a different algorithm (exit 1)."""
    line = "y = x - alpha*grad(x); x[t+1] = x[t] - alpha*grad(y)"
    eg = str(ROOT / "tests/data/multicall/extragradient.py")
    assert main(["equivalent", line, "--module-b", eg, "--set", "alpha=0.1", "--steps", "40"]) == 0
    out = capsys.readouterr().out
    assert "equations-a vs extragradient: equivalent" in out and "rejected" in out
    assert main(["equivalent", line.replace("grad(y)", "grad(x)"), "--module-b", eg, "--set", "a.alpha=0.1",
                 "--no-numeric"]) == 1
    out = capsys.readouterr().out
    assert "not-equivalent" in out and "witness" in out


@pytest.mark.parametrize("argv, words", [
    (["equivalent"], "name the methods"),
    (["equivalent", "x[t+1] = x[t] - lr*grad(x[t])", "heavy-ball"], "lr has no value"),
    (["equivalent", "x[t+1] = x[t] - lr*grad(x[t]", "heavy-ball", "--set", "lr=0.1"], "A: column"),
    (["equivalent", "x[t+1] = x[t] - lr*grad(x[t])", "heavy-ball", "--set", "a.lr=0.1", "--set", "a.zz=3"],
     "--set a.zz=3: column 1: zz is not a name of the equations"),
    (["equivalent", "heavy-ball"], "name the second method"),
    (["equivalent", "heavy-ball", "qhm", "mass"], "too many"),
    (["equivalent", "heavy-ball", "qhm", "--all"], "give A only"),
    (["equivalent", "heavy-ball", "qhm", "--set", "gamma=0.1"], "no constant 'gamma'"),
    (["equivalent", "heavy-ball", "qhm", "--set", "c.beta=0.1"], "a.NAME or b.NAME"),
    (["equivalent", "heavy-ball", "qhm", "--set", "b.beta=2"], "outside its valid range"),
    (["equivalent", "heavy-bal", "qhm"], "did you mean"),
    (["equivalent", "heavy-ball", "qhm", "--steps", "0"], "--steps 0"),
])
def test_cli_usage_errors_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_optimistic_gradient_descent_is_triple_momentum_exactly_at_beta_0_gamma_1():
    """Outside Eq. (1)'s shape on one side (a lagged gradient, one state variable): the condition, both ways."""
    a, b = load("optimistic_gd"), load("triple_momentum")
    r = equivalent(a, b)
    assert r.verdict == "conditional" and r.condition.exact
    assert set(r.condition.components()) == {"alpha = 0", "(beta = 0 and gamma = 1)"}
    assert r.components == {"alpha = 0": "static", "(beta = 0 and gamma = 1)": "momentum"}
    alpha, beta, gamma = b.constants
    at = equivalent(a, specialised(specialised(b, beta, 0), gamma, 1))
    assert at.equivalent and at.closure.holds
    assert not equivalent(a, specialised(specialised(b, beta, 0), gamma, R(101, 100))).equivalent


def test_triple_momentum_is_nesterov_sgd_at_the_converted_relation(derivations):
    """Triple Momentum (constant coefficients) is an instance of Eq. (1); the registered nesterov-sgd holds it."""
    a, b = load("triple_momentum"), registry.get("nesterov-sgd")
    r = equivalent(a, b)
    assert r.equivalent and r.relation_source == "conversion" and r.closure.holds
    assert r.delta == b.t0 - a.t0  # counted from their first steps
    consts, scheds = r.substitution
    eta = next(f for f in scheds if f.__name__ == "eta")
    wrong = {**consts, **scheds, eta: scheds[eta] * R(101, 100)}
    assert not equivalent(a, b, wrong, shifts=False, conditions=False).equivalent


def test_a_coefficient_with_the_step_in_the_exponent_is_proved_and_a_wrong_exponent_refuted():
    a, b = load("ema_bias_corrected"), load("ema_bias_corrected_sum")
    r = equivalent(a, b)
    assert r.equivalent and r.closure.holds
    beta = a.constants[0]
    bad = perturbed(b, beta ** t, beta ** (t + 1))  # the correction one step late
    rb = equivalent(a, bad, conversion=False, shifts=False, conditions=False)
    assert not rb.equivalent and rb.witness.step == 2  # q(2) = theta_0 - lr g(1) vs - lr (1 - beta)/(1 - beta^2) g(1)
    assert sp.cancel(rb.witness.coefficient_b + a.constants[1] / (1 + beta)) == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_any_change_of_state_variables_is_proved_and_a_perturbed_one_refuted(seed):
    """AggMo's buffers v = (v1, v2) rewritten as p = T v for a random invertible rational T: the same algorithm;
    one entry of the rewritten step off by 1/100: a witness."""
    import random

    from equivalences.declare import Method, state

    rng = random.Random(seed)
    a = load("aggmo_buffers")
    beta1, beta2, lr = a.constants
    while True:
        T = sp.Matrix(2, 2, [R(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(4)])
        if T.det() != 0:
            break
    w, p1, p2 = state("w p1 p2")
    P = sp.Matrix([p1(t), p2(t)])
    A = T * sp.diag(beta1, beta2) * T.inv()
    new = A * P + T * sp.Matrix([1, 1]) * g(t)
    ones = sp.Matrix([[1, 1]]) * T.inv()

    def method(step):
        after = sp.Matrix([p1(t + 1), p2(t + 1)])
        return Method(key=f"aggmo-T{seed}", name="AggMo, buffers mixed by T", reference="test", section="-",
                      summary="-", state=(w, p1, p2),
                      updates=(sp.Eq(p1(t + 1), step[0]), sp.Eq(p2(t + 1), step[1]),
                               sp.Eq(w(t + 1), w(t) - lr / 2 * (ones * after)[0])),
                      query=w, init={w(1): theta0, p1(1): 0, p2(1): 0}, constants=(beta1, beta2, lr),
                      defaults=dict(a.defaults))

    r = equivalent(a, method(new), conversion=False)
    assert r.equivalent and r.closure.holds
    bad = [new[0] + R(1, 100) * P[1], new[1]]
    assert not equivalent(a, method(bad), conversion=False, shifts=False, conditions=False).equivalent


def test_repr_is_one_line_with_the_verdict():
    r = equivalent(load("heavy_ball_harmonic"), load("heavy_ball_constant"), conversion=False)
    assert repr(r) == "<Equivalence heavy-ball-harmonic vs heavy-ball-constant: conditional (joint); witness at step 2>"
