"""Schedule-Free SGD: the derived map, its proof, the paper's claims and the replay."""
import sympy as sp
import pytest

from equivalences.claims import ClaimChecker
from equivalences.derivation import derivation
from equivalences.methods.schedule_free import METHOD, beta, c, gamma, x, y, z
from equivalences.prove import prove
from equivalences.symbols import g, t, theta0
from equivalences.algebra import is_zero, shift
from equivalences.system import StepSystem


@pytest.fixture(scope="module")
def mp():
    return derivation(METHOD).map


def test_derived_map_matches_hand_derivation(mp):
    # By hand, with a learning-rate schedule gamma_t: m_t = (x_t - z_{t+1}) / gamma_t,
    # so x_t - z_t = (1 - c_t)(x_{t-1} - z_t) gives beta_t = (1 - c_t) gamma_{t-1} / gamma_t,
    # and y_{t+1} - y_t = -gamma_t (beta c_{t+1} m_t + (1 - beta) g_t).
    assert is_zero(mp.beta_a - (1 - c(t)) * gamma(t - 1) / gamma(t))
    assert is_zero(mp.eta_a - gamma(t) * beta * c(t + 1))
    assert is_zero(mp.alpha_a - gamma(t) * (1 - beta))
    assert is_zero(mp.momentum - (x(t) - z(t) + gamma(t) * g(t)) / gamma(t))
    assert mp.m_init == 0
    assert mp.K == 1 and mp.post is None


def test_averaging_weight(mp):
    # x_{t+1} = ((1 - c)(1 - beta) x_t + c y_{t+1}) / ((1 - c)(1 - beta) + c)
    assert is_zero(mp.gamma_avg - c(t) / ((1 - c(t)) * (1 - beta) + c(t)))
    assert mp.avg_init == theta0


def test_three_term_recurrence_of_query_points(mp):
    """Independent route: q_{t+1} = q_t + A_t (q_t - q_{t-1}) - B_t g_t + C_t g_{t-1}."""
    sysm = StepSystem(METHOD)
    A = mp.eta_a * mp.beta_a / shift(mp.eta_a, -1)
    B = mp.eta_a + mp.alpha_a
    C = A * shift(mp.alpha_a, -1)
    expr = y(t + 1) - y(t) - A * (y(t) - y(t - 1)) + B * g(t) - C * g(t - 1)
    assert is_zero(sysm.reduce(expr))


def test_proof_holds(mp):
    proof = prove(METHOD, mp)
    assert [i.name for i in proof.identities] == ["weight update", "momentum recursion", "initial state", "weight averaging"]
    assert proof.holds


@pytest.mark.parametrize(
    "change, broken",
    [
        ({"eta_a": lambda e: e.subs(c(t + 1), c(t))}, "weight update"),  # index shift c_{t+1} -> c_t
        ({"eta_a": lambda e: e / beta}, "weight update"),  # dropped factor beta
        ({"beta_a": lambda e: 1 - c(t)}, "momentum recursion"),  # the paper's constant-lr beta, with a schedule
        ({"alpha_a": lambda e: -e}, "weight update"),  # sign flip
        ({"gamma_avg": lambda e: c(t)}, "weight averaging"),  # the naive averaging weight
    ],
)
def test_wrong_maps_are_rejected(mp, change, broken):
    (field, f), = change.items()
    bad = mp.replace(**{field: f(getattr(mp, field))})
    proof = prove(METHOD, bad)
    assert not proof.holds
    assert broken in [i.name for i in proof.failures]
    assert all(i.residual != 0 for i in proof.failures)


def test_wrong_initial_momentum_is_rejected(mp):
    bad = mp.replace(m_init=theta0)
    proof = prove(METHOD, bad)
    assert [i.name for i in proof.failures] == ["initial state"]


def test_paper_claims(mp):
    checker = ClaimChecker(METHOD, mp)
    results = {(r.claim.ref, sp.sstr(r.claim.lhs)): r for r in map(checker.check, METHOD.claims)}
    # Index slip in the text before Eq. (2): m_{t+1} must read m_t.
    slip = results[("§4.1, text before Eq. (2)", "m_a(t + 1)")]
    assert not slip.holds and "m_{a,t}" in slip.correction_how
    # Eqs. (2)-(9) hold in the paper's setting (constant gamma) ...
    for ref in ["Eq. (2)", "Eq. (3)", "Eq. (4)", "Eq. (5)", "Eq. (6)", "Eq. (7)", "Eq. (8)", "Eq. (9)"]:
        assert all(r.holds for (rf, _), r in results.items() if rf == ref), ref
    # ... but beta_a = 1 - c_t needs a constant learning rate.
    b = results[("§4.1, after Eq. (5)", "beta_a(t)")]
    assert b.holds and b.holds_in_general is False
    assert is_zero(b.general_correction[1] - (1 - c(t)) * gamma(t - 1) / gamma(t))
    # "c_2" in the x_t derivation is c_{t+1}.
    c2 = results[("§4.1, x_t derivation, line 2", "x(t + 1)")]
    assert not c2.holds and c2.correction_how == "index slip: c_2 should read c_{t+1}"
    # The ratio (1 - beta)/(beta c_{t+1}) is not fixed at 0.11.
    ratio = [r for (rf, _), r in results.items() if rf.startswith("§4.1.3 (that ratio")][0]
    assert not ratio.holds


def test_replay_agrees_and_control_is_rejected(mp):
    from numeric.replay import replay
    from equivalences.mutants import control

    good = replay(METHOD, mp, steps=300)
    assert good.passed
    assert good.worst < 1e-13
    name, bad = control(mp)
    assert "c_{t+2}" in name
    ctl = replay(METHOD, bad, steps=300)
    assert not ctl.passed
    assert ctl.worst > 1e4 * ctl.tolerance  # rejected by orders of magnitude, not by a hair


def test_replay_rejects_wrong_averaging(mp):
    from numeric.replay import replay

    bad = mp.replace(gamma_avg=c(t))
    res = replay(METHOD, bad, steps=200)
    assert res.max_rel_deviation.max() < res.tolerance  # query points still agree
    assert not res.passed  # but the evaluation points do not
