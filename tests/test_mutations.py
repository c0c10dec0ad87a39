"""The mutation suite: every applicable wrong map of every method is rejected by the proof and by the replay."""
import pytest
import sympy as sp

from equivalences import registry
from equivalences.derivation import derivation
from equivalences.mutants import KINDS, identical, mutants
from equivalences.app.mutations import run_suite
from equivalences.prove import prove
from equivalences.symbols import t
from numeric.replay import replay

STEPS = 60  # every mutant bites within the first steps (warmups are 20 steps)


@pytest.fixture(scope="module")
def suites():
    return {name: run_suite(registry.get(name), steps=STEPS) for name in registry.names()}


@pytest.mark.parametrize("name", registry.names())
def test_every_applicable_mutant_is_caught(name, suites):
    s = suites[name]
    sc, st = s.count("symbolic")
    nc, nt = s.count("numeric")
    assert st > 10 and sc == st, [r.name for r in s.results if r.applicable and not r.symbolic]
    assert nt > 10 and nc == nt, [r.name for r in s.results if r.applicable and r.numeric is False]
    ic, it = s.count("independent")  # the independent exact check (equivalences/response.py) contradicts each too
    assert it == st and ic == it, [r.name for r in s.results if r.applicable and not r.independent]
    kinds = {r.kind for r in s.results if r.applicable}
    assert kinds >= set(KINDS) - {"averaging weight", "index shift"}, kinds
    # every mutant the replay does not count is one it provably cannot see, and is said so
    for r in s.results:
        if r.applicable and r.numeric is None:
            assert "proved exactly" in r.numeric_note


def test_totals(suites):
    """The counts README and docs/robustness.md quote (float64, CPU, 60 steps here; 100 in the CLI)."""
    sym = [sum(x) for x in zip(*(s.count("symbolic") for s in suites.values()))]
    num = [sum(x) for x in zip(*(s.count("numeric") for s in suites.values()))]
    ind = [sum(x) for x in zip(*(s.count("independent") for s in suites.values()))]
    assert ind == [274, 274]
    assert sym == [274, 274]  # 249 before AGNES's alpha_n, eta_n (+2), Nesterov-SGD's eta_k (+5), Alg. 3 as printed (+18)
    assert num == [269, 269]  # 245 + 1 + 5 + 18
    assert sum(s.not_applicable for s in suites.values()) == 2


def test_identical_mutants_are_decided_exactly_and_not_counted(suites):
    hb = suites["heavy-ball"]  # alpha_a = 0: 101/100 of it and its sign flip are the same map
    na = sorted(r.name for r in hb.results if not r.applicable)
    assert na == ["alpha_a times 101/100", "alpha_a with its sign flipped"]
    sf = registry.get("schedule-free")
    mp = derivation(sf).map
    same = mp.replace(eta_a=sp.expand(mp.eta_a * (1 + 1 / t) - mp.eta_a / t))  # written differently, same map
    assert identical(sf, mp, same) and prove(sf, same).holds
    assert not identical(sf, mp, mp.replace(eta_a=mp.eta_a * (1 + sp.Rational(1, 10 ** 30))))


def test_a_wrong_initial_momentum_the_schedule_hides_is_reported_not_counted(suites):
    """Schedule-Free's beta_a(1) = (1 - c_1) gamma_0 / gamma_1 is 0 for c_t = 1/t: a wrong m_a(0) is the same
    map under the replayed schedule (proved exactly), so no replay can see it; the proof rejects it."""
    r = next(r for r in suites["schedule-free"].results if r.kind == "initial m")
    assert r.symbolic and r.numeric is None and "proved exactly" in r.numeric_note
    # where beta_a(t0) != 0 (heavy-ball) the replay catches it
    r = next(r for r in suites["heavy-ball"].results if r.kind == "initial m")
    assert r.symbolic and r.numeric


def test_replay_sees_a_wrong_change_of_variables_and_the_last_step():
    """Two things the replay did not compare before this suite: m_a against the change of variables on the
    method's state, and the state after the last step."""
    hb = registry.get("heavy-ball")
    mp = derivation(hb).map
    assert replay(hb, mp, steps=50, dim=4).passed
    cov = mp.replace(momentum=mp.momentum * sp.Rational(101, 100))
    assert not prove(hb, cov).holds
    r = replay(hb, cov, steps=50, dim=4)
    assert not r.passed and r.max_rel_deviation.max() <= r.tolerance  # query points agree; m_a does not
    last = mp.replace(eta_a=sp.Piecewise((2 * mp.eta_a, sp.Eq(t, 50)), (mp.eta_a, True)))  # step t0 + T - 1
    r = replay(hb, last, steps=50, dim=4)
    assert not r.passed and r.trace.max() <= r.tolerance  # invisible to every per-step comparison


def test_mutants_are_generic():
    """No per-method code: a method the engine has never seen (a user module) gets the same kinds."""
    from equivalences.registry import load_module

    m = load_module("tests/data/ema_momentum.py")
    kinds = {mu.kind for mu in mutants(m, derivation(m).map)}
    assert kinds == set(KINDS) - {"averaging weight", "index shift"}
    assert {mu.kind for mu in mutants(registry.get("schedule-free"), derivation(registry.get("schedule-free")).map)} == set(KINDS)
