"""The trajectory route (equivalences/trajectory.py): maps on the reachable states, witnesses, conditions,
degenerate kinds, general starts.  Every 'not in the family' witness is replayed on a numpy trajectory:
the forbidden coefficient is measured by perturbing one gradient (or the start) and is visibly non-zero,
while the same measurement on a method in the family gives 0 (so the check can fail)."""
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from equivalences import registry
from equivalences.algebra import is_zero, linear_coefficients
from equivalences.derive import derive
from equivalences.prove import prove
from equivalences.registry import BadModule, load_module
from equivalences.app.pipeline import verify
from equivalences.symbols import g, t, theta0
from equivalences.system import StepSystem
from equivalences.trajectory import (classify_degenerate, decide, find_witness, invariants, linear_step,
                                     recurrence_identities, specialised)

DATA = Path(__file__).parent / "data"


def data(name):
    return load_module(str(DATA / f"{name}.py"))


@pytest.fixture(scope="module")
def sf3():
    return data("schedule_free_three_buffers")


@pytest.fixture(scope="module")
def aggmo():
    return data("aggmo")


@pytest.fixture(scope="module")
def aggmo_verdict(aggmo):
    return decide(aggmo)


@pytest.fixture(scope="module")
def asgd_start():
    return data("asgd_start")


def same(a, b) -> bool:
    return is_zero(sp.sympify(a) - sp.sympify(b))


# -- replaying a witness on a numpy trajectory ------------------------------------------------------
def _number(method, expr, k, values):
    """``expr`` at step ``k``: the witness's values first, then the method's defaults (exact, then float)."""
    consts = {s: v for s, v in method.defaults.items() if isinstance(s, sp.Symbol)}
    e = sp.sympify(expr).subs(t, k)
    apps = {}
    for a in e.atoms(AppliedUndef):
        if str(a) in values:
            apps[a] = values[str(a)]
        else:
            apps[a] = sp.sympify(method.defaults[a.func]).subs(t, a.args[0]).subs(consts)
    e = e.xreplace(apps)
    e = e.xreplace({s: values.get(str(s), consts.get(s)) for s in e.free_symbols if s.name in values or s in consts})
    return float(e)


def trajectory(method, values, grads, start, steps):
    """Query points q_t0 .. q_(t0+steps) of the declared method, run in numpy on the given gradients."""
    system = StepSystem(method)
    M, b = linear_step(system)
    qc, rest = linear_coefficients(system.expand(method.query(t)), system.at_base())
    assert rest == 0
    S = []
    for s in system.state:
        v = sp.sympify(system.init.get(s(method.t0), 0))
        S.append(_number(method, sp.diff(v, theta0), method.t0, values) * start)
    qs = []
    for k in range(method.t0, method.t0 + steps + 1):
        qs.append(sum(_number(method, qc[x], k, values) * S[i] for i, x in enumerate(system.at_base())))
        Mk = [[_number(method, M[i, j], k, values) for j in range(len(S))] for i in range(len(S))]
        bk = [_number(method, b[i], k, values) for i in range(len(S))]
        S = [sum(Mk[i][j] * S[j] for j in range(len(S))) + bk[i] * grads[k] for i in range(len(S))]
    return {k: q for k, q in zip(range(method.t0, method.t0 + steps + 1), qs)}


def measured(method, witness, rng, dim=8, delta=1e-3):
    """The witness's coefficient measured on a trajectory: perturb its term by delta*e, difference quotient
    of the witnessed expression q_(k+1) - q_k - lambda (q_k - q_(k-1)) (exact for a linear method)."""
    values = {**{str(k): v for k, v in witness.isolated.items()}, **witness.values}
    k = witness.step
    grads = {j: rng.standard_normal(dim) for j in range(method.t0, k + 2)}
    start, e = rng.standard_normal(dim), rng.standard_normal(dim)
    lam = 0.0 if witness.ratio is None else _number(method, witness.ratio, k, values)

    def expression(grads, start):
        q = trajectory(method, values, grads, start, k + 1 - method.t0)
        out = q[k + 1] - q[k]
        return out - lam * (q[k] - q[k - 1]) if witness.ratio is not None else out

    base = expression(grads, start)
    if witness.term == theta0:
        moved = expression(grads, start + delta * e)
    else:
        j = int(witness.term.args[0])
        moved = expression({**grads, j: grads[j] + delta * e}, start)
    return float(np.dot(moved - base, e) / (delta * np.dot(e, e)))


def assert_replayed(method, witness, rng):
    got = measured(method, witness, rng)
    assert witness.value is not None and witness.value != 0
    assert abs(got) > 1e-6, "the forbidden coefficient must be visibly non-zero on the trajectory"
    assert got == pytest.approx(float(witness.value), rel=1e-6, abs=1e-12)


# -- redundant state: in the family, with the registered method's map --------------------------------
def test_schedule_free_three_buffers_is_schedule_free(sf3):
    v = decide(sf3)
    assert v.in_family and v.route == "trajectory" and v.proof.holds
    (inv,) = v.invariants
    beta, z, x = sp.Symbol("beta"), sp.Function("z"), sp.Function("x")
    assert inv.variable.__name__ == "y" and same(inv.value, (1 - beta) * z(t) + beta * x(t))
    ref = derive(registry.get("schedule-free"))
    for a, b in [(v.map.beta_a, ref.beta_a), (v.map.eta_a, ref.eta_a), (v.map.alpha_a, ref.alpha_a),
                 (v.map.momentum, ref.momentum), (v.map.m_init, ref.m_init), (v.map.gamma_avg, ref.gamma_avg)]:
        assert same(a, b)
    names = [i.name for i in v.proof.identities]
    assert any("at the start" in n for n in names) and any("kept by a step" in n for n in names)
    assert any(n.startswith("read off the trajectory: A_") for n in names)
    # the map holds only on the reachable states: on every state (no invariant) the same map fails ...
    assert not prove(sf3, v.map, StepSystem(sf3)).holds
    # ... and a perturbed map fails on the reduced declaration too
    assert not prove(v.proved_on, v.map.replace(eta_a=v.map.eta_a * 2), v.system).holds


def test_heavy_ball_unrolled_is_heavy_ball():
    method = data("heavy_ball_unrolled")
    v = decide(method)
    assert v.in_family and v.proof.holds and v.route == "trajectory"
    (inv,) = v.invariants
    m, p = sp.Function("m"), sp.Function("p")
    assert inv.variable == m
    ref = derive(registry.get("heavy-ball"))
    for a, b in [(v.map.beta_a, ref.beta_a), (v.map.eta_a, ref.eta_a), (v.map.alpha_a, ref.alpha_a),
                 (v.map.m_init, ref.m_init)]:
        assert same(a, b)
    # heavy ball's m_a = beta m + g, with the unrolled buffer m = beta p + g_(t-1) (the invariant)
    assert same(v.map.momentum, ref.momentum.xreplace({m(t): inv.value}))
    assert not same(v.map.momentum, ref.momentum)


def test_every_registered_map_is_the_one_read_off_its_trajectory():
    """Both routes agree: B_k = eta + alpha, c_k = eta beta and A_k = eta_k beta_k / eta_(k-1), read off the
    unrolled steps, equal the state-space route's map exactly (the map read one step late does not); the
    registered methods have no invariant and no witness (no false refusal)."""
    for name in registry.names():
        method = registry.get(name)
        system = StepSystem(method)
        mp = derive(method, system)
        ids = recurrence_identities(method, system, mp)
        assert ids and all(i.holds for i in ids), name
        assert invariants(method, system) == [] and find_witness(method, system) is None, name
        late = mp.replace(eta_a=mp.eta_a.subs(t, t + 1), beta_a=mp.beta_a.subs(t, t + 1))
        if not (is_zero(late.eta_a - mp.eta_a) and is_zero(late.beta_a - mp.beta_a)):
            assert not all(i.holds for i in recurrence_identities(method, system, late)), name


def test_a_nonlinear_update_is_undecided_not_refused(capsys):
    from dataclasses import replace

    from equivalences.methods import heavy_ball as H
    from equivalences.app.output import emit
    from equivalences.outcome import Outcome

    # homogeneous of degree 1 (twice the gradients, twice the moves): the two-gradient probe of
    # equivalences/scaling.py sees nothing, and no witness is claimed (m^2 + g, which it refutes, is in
    # tests/test_robust_declarations.py)
    squared = replace(H.METHOD, key="hb-squared", claims=(), updates=(
        sp.Eq(H.m(t + 1), H.beta * H.m(t) ** 2 / (H.m(t) + g(t)) + g(t)),
        sp.Eq(H.w(t + 1), H.w(t) - H.eta(t) * H.m(t + 1))))
    rep = verify(squared, numeric=False)
    assert rep.not_in_family.startswith("undecided") and rep.to_json()["not_in_family"]["witness"] is None
    assert rep.outcome is Outcome.UNDECIDED and rep.derivation.verdict_name == "undecided"  # the value, not the text
    emit(rep)
    out = capsys.readouterr().out
    assert "undecided" in out and "not an instance" not in out


# -- not in the family: witness, condition, replay ---------------------------------------------------
def test_aggmo_witness_and_condition(aggmo, aggmo_verdict):
    v = aggmo_verdict
    assert not v.in_family and v.witness is not None
    w = v.witness
    b1, b2, lr = sp.symbols("beta1 beta2 lr")
    assert w.step == 4 and w.term == g(1)
    assert same(w.coefficient, -b1 * b2 * lr * (b1 - b2) ** 2 / (2 * (b1 + b2)))
    assert set(v.condition.components()) == {"beta1 = 0", "beta2 = 0", "beta1 = beta2", "lr = 0"}
    assert v.condition.exact
    assert_replayed(aggmo, w, np.random.default_rng(0))


def test_aggmo_under_its_condition_is_heavy_ball_with_a_gradient_term(aggmo):
    b1, b2, lr = sp.symbols("beta1 beta2 lr")
    equal = decide(specialised(aggmo, b2, b1))
    assert equal.in_family and equal.proof.holds  # the state-space route already reads v1 + v2 as one momentum
    assert same(equal.map.beta_a, b1) and same(equal.map.eta_a, lr) and same(equal.map.alpha_a, 0)
    zero = decide(specialised(aggmo, b1, 0))
    assert zero.in_family and zero.proof.holds
    assert same(zero.map.beta_a, b2) and same(zero.map.eta_a, lr / 2) and same(zero.map.alpha_a, lr / 2)
    # the control: on a method in the family, the same measurement finds no forbidden coefficient
    from dataclasses import replace

    w = decide(aggmo).witness
    at_equal = replace(w, values={**w.values, "beta2": w.values["beta1"]})  # lambda at the method's own values
    assert abs(measured(specialised(aggmo, b2, b1), at_equal, np.random.default_rng(1))) < 1e-9
    assert abs(measured(aggmo, at_equal, np.random.default_rng(1))) < 1e-9  # beta1 = beta2 in the original too
    assert abs(measured(aggmo, w, np.random.default_rng(1))) > 1e-6


def test_lag2_gradient_reads_g_t_minus_2_and_gets_a_witness():
    method = data("lag2_gradient")
    system = StepSystem(method)
    assert [f.__name__ for f in system.lags] == ["g_prev", "g_prev2"]
    v = decide(method)
    assert not v.in_family and v.witness is not None
    a, b, lr = sp.symbols("a b lr")
    assert v.witness.step == 4 and v.witness.term == g(1) and same(v.witness.coefficient, b ** 2 * lr / a)
    assert set(v.condition.components()) == {"lr = 0", "a = 0 and b = 0"}
    assert_replayed(method, v.witness, np.random.default_rng(2))
    # b = 0 (two taps) is still outside, by rule (c); a = b = 0 is SGD
    two = decide(specialised(method, b, 0))
    assert two.witness is not None and two.witness.step == 3 and two.witness.term == g(2)
    assert "no g(1) term" in two.witness.rule
    assert_replayed(specialised(method, b, 0), two.witness, np.random.default_rng(3))
    assert decide(specialised(specialised(method, b, 0), a, 0)).in_family


def test_two_momenta_ademamix_has_a_witness():
    from test_not_in_family import FULL

    v = decide(FULL)
    assert not v.in_family and v.witness is not None and v.witness.value != 0


# -- degenerate kinds ----------------------------------------------------------------------------
def test_isolated_degenerate_value_has_no_map_constant_one_is_one_of_many():
    method = registry.get("schedule-free")
    entries = {e["condition"]: e for e in classify_degenerate(method, derive(method))}
    gamma = entries["gamma(t) = 0"]
    # gamma = 0 at every step: nothing moves, the averaging weight is arbitrary; no map claimed, none refused
    assert gamma["kind"] == "no-map" and gamma["kind_every_step"] == "undecided"
    w = gamma["witness"]
    assert list(w.isolated.values()) == [0] and "no g(3) term" in w.rule
    assert "no map exists" in gamma["effects"][-1]
    assert_replayed(method, w, np.random.default_rng(4))
    assert entries["beta = 0"]["kind"] == "one-of-many"
    assert "one of many" in entries["beta = 0"]["effects"][-1]
    c = entries["c(t + 1) = 0"]
    assert c["kind"] == "map-holds" and c["kind_every_step"] == "one-of-many"
    # the kinds read the typed flag, not the sentences: only eta_a vanishes at beta = 0 and c = 0
    assert not entries["beta = 0"]["map_undefined"] and not c["map_undefined"] and gamma["map_undefined"]
    # the wording of beta_a's undefined set: the same step's eta_a
    effects = [x for e in entries.values() for x in e["effects"]]
    assert not any("previous step" in x for x in effects)
    assert any("eta_a of the same step vanishes" in x for x in effects)


def test_isolated_degenerate_values_of_nesterov_and_ademamix_have_no_map():
    from equivalences.trajectory import isolated_witness

    for name, cond in [("nesterov-sgd", "gamma(t) - 1 = 0"), ("ademamix", "beta3(t) - 1 = 0")]:
        method = registry.get(name)
        (entry,) = [d for d in derive(method).degenerate if d["condition"] == cond]
        w = isolated_witness(method, StepSystem(method), entry["factor"])
        assert w is not None and w.value != 0 and list(w.isolated.values()) == [1], name
    # gamma_2 = 1 for Nesterov-SGD: replayed
    method = registry.get("nesterov-sgd")
    (entry,) = [d for d in derive(method).degenerate if d["condition"] == "gamma(t) - 1 = 0"]
    assert_replayed(method, isolated_witness(method, StepSystem(method), entry["factor"]), np.random.default_rng(7))


# -- general starts ------------------------------------------------------------------------------
def test_asgd_started_apart_has_an_initial_momentum(asgd_start):
    v = decide(asgd_start)
    al, be, ga, de, ka = sp.symbols("alpha beta gamma delta kappa")
    assert v.in_family and v.route == "state-space" and v.proof.holds
    assert same(v.map.m_init, (ka - 1) * theta0 / (de - ga))
    rep = verify(asgd_start, steps=50, hyperparameters={"kappa": "0.25"})
    assert rep.ok and rep.to_json()["change_of_variables"]["m_init"] == "(kappa*theta_0 - theta_0)/(delta - gamma)"


def test_asgd_at_gamma_equal_delta_started_apart_has_no_map(asgd_start):
    ga, de, ka = sp.symbols("gamma delta kappa")
    at = specialised(asgd_start, ga, de)
    v = decide(at, depth=1)  # the components are inside one constant deep
    assert not v.in_family and v.witness.term == theta0 and v.witness.step == 1  # t0 = 0: the first step
    assert "kappa = 1" in v.condition.components()
    assert_replayed(at, v.witness, np.random.default_rng(5))
    standard = decide(specialised(at, ka, 1))
    assert standard.in_family and standard.invariants[0].variable.__name__ == "x"  # x = v on every trajectory
    entries = {e["condition"]: e for e in classify_degenerate(asgd_start, v_map(asgd_start))}
    assert entries["delta - gamma = 0"]["kind"] == "no-map"
    plain = {e["condition"]: e for e in classify_degenerate(registry.get("asgd"), v_map(registry.get("asgd")))}
    assert plain["delta - gamma = 0"]["kind"] == "other-map"


def v_map(method):
    return derive(method)


def test_mass_started_apart():
    method = data("mass_start")
    e1, e2, ga, ka = sp.symbols("eta1 eta2 gamma kappa")
    v = decide(method)
    assert v.in_family and same(v.map.m_init, theta0 * (1 - ka) / (e1 * ga - e2))
    at = specialised(method, e2, e1 * ga)
    w = decide(at)
    assert not w.in_family and w.witness.term == theta0
    assert_replayed(at, w.witness, np.random.default_rng(6))


def test_a_free_symbolic_start_is_allowed():
    from dataclasses import replace

    from equivalences.methods import asgd as A

    v0 = sp.Symbol("v_0")
    free = replace(A.METHOD, key="asgd-free-start", claims=(), init={A.x(0): theta0, A.v(0): v0})
    v = decide(free)
    assert v.in_family and same(v.map.m_init, (v0 - theta0) / (A.delta - A.gamma))
    at = decide(specialised(free, A.gamma, A.delta))
    assert not at.in_family and at.witness.term in (theta0, v0)


# -- declaration errors, JSON --------------------------------------------------------------------
@pytest.mark.parametrize("name, words", [("bad_undefined_sequence", "not declared"),
                                         ("bad_future_gradient", "does not know yet")])
def test_undefined_sequence_or_future_gradient_is_a_declaration_error(name, words, capsys):
    with pytest.raises(BadModule, match=words):
        data(name)
    from equivalences.app.cli import main

    assert main(["--module", str(DATA / f"{name}.py")]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_json_objects(aggmo, sf3):
    from equivalences.outcome import Outcome

    rep = verify(aggmo, numeric=False)
    assert rep.outcome is Outcome.NOT_IN_FAMILY and verify(sf3, numeric=False).outcome is Outcome.IN_FAMILY
    out = rep.to_json()
    nif = out["not_in_family"]
    assert set(nif) == {"reason", "witness", "condition"}
    assert {"step", "term", "coefficient"} <= set(nif["witness"]) and nif["witness"]["term"] == "g(1)"
    assert nif["condition"]["exact"] and "beta1 = beta2" in nif["condition"]["in_family_when"]
    assert out["ok"] is False
    good = verify(sf3, numeric=False).to_json()
    assert good["not_in_family"] is None and good["proof"]["holds"]
    assert good["proof"]["route"] == "trajectory" and good["proof"]["invariants"]
    kinds = {d["condition"]: d["kind"] for d in good["proof"]["degenerate"]}
    assert kinds["gamma(t) = 0"] == "no-map" and kinds["beta = 0"] == "one-of-many"
