"""The independent check (equivalences/response.py) and the verdicts it cross-examines (issue 18).

The check runs a declaration as written at exact rational values and decides Eq. (1) on the gradient response;
it must confirm every proved method, reject every mutated map, and find the cases where the derivation was
wrong before: a factor of t alone vanishing at a step, values on a degenerate set, verdicts at the values set.
"""
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

import equivalences
from equivalences import registry
from equivalences.declare import Method, state
from equivalences.response import decide, point_at, random_point, run
from equivalences.symbols import g, t, theta0

DATA = Path(__file__).parent / "data" / "soundness"


def load(name: str) -> Method:
    return registry.load_module(str(DATA / f"{name}.py"))


def test_every_registered_proof_passes_the_independent_check(derivations):
    for name, d in derivations.items():
        assert d.proved, name
        ce = d.cross_examination
        assert ce.confirmed and not ce.inconsistent, (name, ce.summary())
        assert sum(c.member is not None for c in ce.checks) >= 2, name  # defaults and/or random points ran


# Every mutant of every method's map is contradicted by the check too: tests/test_mutations.py (274/274).


def _heavy_ball(*, momentum_gain=1, move_gain=1, lag=False):
    w, m = state("w m")
    beta, lr = sp.symbols("beta lr")
    extra = lr * g(t - 1) / 2 if lag else 0  # a lagged gradient beside the momentum: two paths for g(t - 1)
    return Method(key="toy", name="toy", reference="-", section="-", summary="-", state=(w, m),
                  updates=(sp.Eq(m(t + 1), beta * m(t) + momentum_gain * g(t)),
                           sp.Eq(w(t + 1), w(t) - lr * move_gain * m(t + 1) - extra)),
                  query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
                  defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)})


def test_decision_on_zero_patterns():
    """Eq. (1) with eta = 0 at a step (idle) and beta = 0 at a step (restart) are members; a gradient that skips
    the momentum at one step, or reaches the move through a second path, is not."""
    idle = _heavy_ball(move_gain=(t - 3))
    restart = _heavy_ball(momentum_gain=1)  # beta = 0 at every step below
    assert decide(run(idle, point_at(idle), 8)) is None
    r = run(restart, point_at(restart, {sp.Symbol("beta"): 0}), 8)
    assert decide(r) is None
    skip = _heavy_ball(momentum_gain=(t - 3))
    f = decide(run(skip, point_at(skip), 8))
    assert f is not None and f.step == 4 and f.term == "g(2)"
    assert f.coefficient == Fraction(81, 1000)  # w(5) - w(4) = -lr m(5), m(5) holds (2 - 3) beta^2 g(2)
    lagged = _heavy_ball(lag=True)
    f = decide(run(lagged, point_at(lagged), 8))
    assert f is not None and f.step == 4 and f.term == "g(1)"  # beta_a,2 read off step 3 fails at step 4


def test_random_points_lie_in_the_domain():
    m = registry.get("schedule-free")
    for seed in range(5):
        p = random_point(m, seed)
        assert p.drawn and not point_at(m).drawn  # what the check judges vs what it draws: a field, not the label
        for sym, dom in m.domain.items():
            if sym in p.constants:
                assert dom.contains(p.constants[sym]) == sp.true, (sym, p.constants[sym])


def test_a_factor_vanishing_at_an_integer_step_is_a_step():
    """Used to be 'proved' with beta_a = beta (4 - t)/(3 - t): t = 3 is a step of every run."""
    r = equivalences.verify(load("t_minus_3"), numeric=False)
    assert not r.proved and r.map is None
    w = r.to_json()["not_in_family"]["witness"]
    assert w["step"] == 4 and w["term"] == "g(2)"
    assert r.consistent and r.check.confirmed
    idle = equivalences.verify(load("idle_step"), numeric=False)  # eta = 0 at step 3 only: a member
    assert idle.proved and idle.consistent and idle.check.confirmed


def test_inline_dependence_on_t_is_refused_in_one_line():
    for name in ("parity_inline", "piecewise_inline"):
        with pytest.raises(registry.BadModule, match="declare it .* as a schedule"):
            load(name)


def test_a_schedule_on_its_degenerate_set_at_the_defaults_is_a_verdict():
    """Proved for generic schedules; its default s(t) = (1 + (-1)^t)/2 vanishes at odd steps: no map there."""
    r = equivalences.verify(load("parity_schedule"), numeric=True, steps=20, dim=2)
    assert r.proved and r.consistent and not r.ok
    assert r.no_map_here is not None and r.numeric is None
    j = r.to_json()
    assert j["independent_check"]["no_map_at_values"]["term"].startswith("g(")
    assert j["not_in_family"]["witness"]["step"] == j["independent_check"]["no_map_at_values"]["step"]


def test_verdicts_at_the_values_set():
    aggmo = registry.load_module(str(Path(__file__).parent / "data" / "aggmo.py"))
    general = equivalences.verify(aggmo, numeric=False)
    assert general.map is None
    equal = equivalences.verify(aggmo, numeric=True, steps=30, dim=2, hyperparameters={"beta1": "0.5", "beta2": "0.5"})
    assert equal.proved and equal.ok and equal.general is not None and equal.numeric.passed
    assert sp.simplify(equal.map.beta_a - sp.Rational(1, 2)) == 0
    assert equal.to_json()["at_values"]["in_general"] == "not-in-family"
    apart = equivalences.verify(aggmo, numeric=False, hyperparameters={"beta1": "0.5", "beta2": "0.6"})
    assert not apart.proved and apart.not_in_family and "witness" in str(apart.to_json()["not_in_family"])
    three = equivalences.verify(load("aggmo3"), numeric=False,
                                hyperparameters={"beta1": "0.5", "beta2": "0.5", "beta3": "0"})
    assert three.proved and three.consistent


@pytest.mark.parametrize("name, values, in_family", [
    ("mass", {"eta1": "0.1", "eta2": "0.09", "gamma": "0.9"}, True),   # eta1 gamma = eta2: another map (proved)
    ("asgd", {"gamma": "0.1", "delta": "0.1"}, True),                   # gamma = delta: x = v, another map
])
def test_values_on_a_degenerate_set_get_a_verdict_not_a_usage_error(name, values, in_family):
    r = equivalences.verify(name, numeric=True, steps=30, dim=2, hyperparameters=values)
    assert r.general is not None and r.proved == in_family and r.consistent
    assert r.ok == in_family and (r.numeric is not None) == in_family


@pytest.mark.parametrize("gain", [t, t ** 2 + 9, t + 1])
def test_conditions_no_step_satisfies_are_dropped(gain):
    """beta_a = beta*gain(t-1)/gain(t): the factors t, t^2 + 9, t + 1 vanish at no step t >= 1."""
    from equivalences.derivation import build

    d = build(_heavy_ball(momentum_gain=gain))
    assert d.proved and d.steps == []
    assert not [e for e in d.degenerate if e["factor"].free_symbols == {t}], [e["condition"] for e in d.degenerate]
    assert d.cross_examination.confirmed


def test_a_factor_vanishing_at_step_two_in_the_momentum_is_a_witness():
    d = equivalences.verify(_heavy_ball(momentum_gain=t - 2), numeric=False)
    assert d.map is None and d.to_json()["not_in_family"]["witness"]["term"] == "g(1)"
