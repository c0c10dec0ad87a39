"""The smallest family of a method outside Eq. (1) (equivalences/families, docs/families.md): the family, the
map, the proof, and the witness against every smaller family.  Each case also shows the proof can fail: the
map perturbed is rejected by the same exact check."""
from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from equivalences.app.cli import main
from equivalences.families import Subject, filter as filter_, momentum, place
from equivalences.families.proof import prove
from equivalences.registry import load_module
from equivalences.response import point_at, run
from equivalences.symbols import t

DATA = Path(__file__).parent / "data"
FAMILY = DATA / "family"


def _placed(path):
    m = load_module(str(path))
    return m, place(m)


def _minor_is_real(p):
    """Recompute the witness minor from a fresh run: its entries are the response, its determinant non-zero."""
    r = run(p.method, point_at(p.method), len(p.method.state) * 2 + 4)
    t0 = p.method.t0
    rows = {t0 + i: {a: -v for a, v in d.items()} for i, (_, d, _) in enumerate(r.moves)}
    w = p.order_witness
    M = sp.Matrix([[sp.Rational(rows[k].get(c, Fraction(0)).numerator, rows[k].get(c, Fraction(0)).denominator)
                    for c in w.columns] for k in w.rows])
    assert all(k >= w.block for k in w.rows) and all(c[1] < w.block for c in w.columns)  # one block H[k>=j, s<j]
    assert M.det() == sp.Rational(w.determinant.numerator, w.determinant.denominator) != 0
    assert w.size == p.order


def _rejected(method, candidate):
    fit = prove(method, candidate, {})
    assert fit.holds is None and fit.proof.witness is not None  # a step where the query points differ
    return fit


def _perturbed_momentum(p, which: str):
    c = dict(p.fit.coefficients)
    c[which] = c[which] * sp.Rational(101, 100)
    k = p.family.order
    bufs = [(c[f"beta^({i})"], c[f"eta^({i})"]) for i in range(1, k + 1)]
    return momentum.declare(p.method, "perturbed", bufs, c["alpha"])


def test_aggmo_two_buffers_is_a_2_momentum_form_proved_with_a_witness_against_eq1():
    m, p = _placed(DATA / "aggmo.py")
    beta1, beta2, lr = m.constants
    assert p.family.key == "momentum-2" and p.proved and p.order == 2
    c = p.fit.coefficients
    assert {(c["beta^(1)"], c["eta^(1)"]), (c["beta^(2)"], c["eta^(2)"])} == {(beta1, lr / 2), (beta2, lr / 2)}
    assert c["alpha"] == 0
    assert [f.key for f in p.below] == ["sgd", "eq1", "filter-1"]
    assert any(f.key == "eq1" and "at step t = " in why for f, why in p.against)  # Eq. (1)'s own finding too
    _minor_is_real(p)
    _rejected(m, _perturbed_momentum(p, "eta^(1)"))


def test_aggmo_three_buffers_is_a_3_momentum_form():
    m, p = _placed(DATA / "soundness" / "aggmo3.py")
    assert p.family.key == "momentum-3" and p.proved and p.order == 3
    assert {p.fit.coefficients[f"beta^({i})"] for i in (1, 2, 3)} == set(m.constants[:3])
    assert "momentum-2" in [f.key for f in p.below]
    _minor_is_real(p)
    _rejected(m, _perturbed_momentum(p, "beta^(2)"))


def test_aggmo_with_equal_rates_is_eq1_at_those_values():
    m = load_module(str(DATA / "aggmo.py"))
    beta1, beta2, _ = m.constants
    p = place(m, {beta1: sp.Rational(1, 2), beta2: sp.Rational(1, 2)})
    assert p.family.key == "eq1" and p.proved and p.order == 1


def test_qhadam_like_mix_of_two_emas():
    m, p = _placed(FAMILY / "qh_two_ema.py")
    b1, b2, nu, lr = m.constants
    c = p.fit.coefficients
    assert p.family.key == "momentum-2" and p.proved
    weight = {c["beta^(1)"]: c["eta^(1)"], c["beta^(2)"]: c["eta^(2)"]}
    assert sp.simplify(weight[b1] - lr * nu * (1 - b1)) == 0 and sp.simplify(weight[b2] - lr * (1 - nu) * (1 - b2)) == 0
    _rejected(m, _perturbed_momentum(p, "eta^(2)"))


def test_momentum_applied_twice_needs_coefficients_that_move_with_the_step():
    m, p = _placed(FAMILY / "momentum_twice.py")
    b, lr = m.constants
    fr = Subject(m).fractions
    assert fr.multiplicity(b) == 2  # a repeated pole: no 2-momentum form with constant coefficients
    assert p.family.key == "momentum-2" and p.proved and p.order == 2
    c = p.fit.coefficients
    assert any(sp.sympify(v).has(t) for v in c.values()) and "multiplicity 2" in " ".join(p.fit.notes)
    # the constant-coefficient try, two buffers at the pole b, is rejected by the proof
    _rejected(m, momentum.declare(m, "constant", [(b, lr), (b, lr)], 0))
    _rejected(m, _perturbed_momentum(p, "beta^(2)"))


def test_lagged_gradient_is_a_filter_of_order_1_not_eq1():
    m, p = _placed(FAMILY / "lagged_gradient.py")
    (lr,) = m.constants
    assert p.family.key == "filter-1" and p.proved and p.order == 1
    assert [f.key for f in p.below] == ["sgd"]
    eq1 = [why for f, why in p.against if f.key == "eq1"]
    assert eq1 and "g(2)" in eq1[0]
    _minor_is_real(p)
    _rejected(m, filter_.declare(m, "perturbed", 0, [lr * sp.Rational(101, 100)], [0]))


def test_three_tap_filter_is_order_2_and_no_constant_momentum_form():
    m, p = _placed(DATA / "lag2_gradient.py")
    assert p.family.key == "filter-2" and p.proved and p.order == 2
    why = dict((f.key, r) for f, r in p.against)["momentum-2"]
    assert "pole at z = 0" in why and "not decided" in why  # no claim about time-varying buffers
    D, n, a = (p.fit.coefficients[k] for k in ("D", "n_0", "a_0"))
    _rejected(m, filter_.declare(m, "perturbed", D, [n, p.fit.coefficients["n_1"] + 1], [a, 0]))


def test_adan_like_two_momenta():
    m, p = _placed(FAMILY / "adan_like.py")
    b1, b2, lr = m.constants
    assert p.family.key == "momentum-2" and p.proved
    assert {p.fit.coefficients["beta^(1)"], p.fit.coefficients["beta^(2)"]} == {b1, b2}
    assert p.fit.coefficients["alpha"] != 0  # the gradient-difference term acts on g itself
    _rejected(m, _perturbed_momentum(p, "eta^(1)"))


def _late(candidate, f):
    """The same map reading the schedule ``f`` one step late."""
    return replace(candidate, updates=tuple(sp.Eq(e.lhs, e.rhs.subs(f(t), f(t + 1))) for e in candidate.updates))


def test_separate_buffers_with_a_step_schedule_are_read_off_the_declaration():
    m, p = _placed(FAMILY / "aggmo_schedule.py")
    (lr,) = m.schedules
    assert p.family.key == "momentum-2" and p.proved and "own buffers" in " ".join(p.fit.notes)
    assert p.fit.coefficients["eta^(1)"] == lr(t) / 2 == p.fit.coefficients["eta^(2)"]
    assert "not covered: lr(t) = 0" in p.sentence()
    _rejected(m, _late(p.fit.candidate, lr))


def test_an_inline_moving_rate_is_read_off_the_declaration():
    m, p = _placed(FAMILY / "moving_rate.py")
    beta2, lr = m.constants
    c = p.fit.coefficients
    assert p.family.key == "momentum-2" and p.proved and p.bound == 2
    assert {c["beta^(1)"], c["beta^(2)"]} == {t / (t + 1), beta2}
    bufs = [(c["beta^(1)"].subs(t, t + 1), c["eta^(1)"]), (c["beta^(2)"], c["eta^(2)"])]
    _rejected(m, momentum.declare(m, "late", bufs, c["alpha"]))


def test_coupled_buffers_with_a_schedule_held_constant_put_back_and_proved_again():
    m, p = _placed(FAMILY / "momentum_twice_schedule.py")
    (lr,) = m.schedules
    assert p.family.key == "momentum-2" and p.proved and "put back" in " ".join(p.fit.notes)
    assert sp.simplify(p.fit.coefficients["eta^(1)"] - (t + 1) * lr(t)) == 0
    _rejected(m, _late(p.fit.candidate, lr))


def test_poles_not_rational_leave_the_filter_with_its_canonical_map():
    m, p = _placed(FAMILY / "complex_poles.py")
    a, lr = m.constants
    assert p.family.key == "filter-2" and p.proved and p.order == 2
    assert "not rational" in dict((f.key, r) for f, r in p.against)["momentum-2"]
    c = p.fit.coefficients
    assert (c["a_0"], c["a_1"]) == (sp.Rational(1, 2), -a)
    _rejected(m, filter_.declare(m, "perturbed", c["D"], [c["n_0"], c["n_1"]], [c["a_0"] * 2, c["a_1"]]))


def test_order_0_is_plain_sgd():
    m, p = _placed(FAMILY / "sgd_schedule.py")
    (lr,) = m.schedules
    assert p.family.key == "sgd" and p.proved and p.order == 0 and p.order_witness is None
    assert p.fit.coefficients["alpha"] == lr(t)
    _rejected(m, _late(p.fit.candidate, lr))


@pytest.mark.parametrize("name, around", [("aggmo_sign", "sign(...) after (on the direction, times K_t = lr)"),
                                           ("aggmo_adam", "P(...) before (on the gradient)")])
def test_transforms_compose_with_the_families_beyond_eq1(name, around):
    """AggMo under a sign, and on Adam-preconditioned gradients: outside Eq. (1) (the minor on the transformed
    run), in the 2-momentum form with the transform around it, AggMo's map proved on the linear part; that map
    perturbed is rejected there (a witness step)."""
    from equivalences.families.transformed import linear_part

    m, p = _placed(FAMILY / f"{name}.py")
    beta1, beta2, lr = m.constants[:3]
    assert p.family.key == "momentum-2" and p.proved and p.order == 2 and p.transforms == around
    assert p.method is m and p.transfer is None and "read through its linear part" in p.notes[0]
    c = p.fit.coefficients
    assert {(c["beta^(1)"], c["eta^(1)"]), (c["beta^(2)"], c["eta^(2)"])} == {(beta1, lr / 2), (beta2, lr / 2)}
    assert [f.key for f in p.below] == ["sgd", "eq1", "filter-1"]
    assert f"with {around}" in p.sentence()
    lin = linear_part(m).method
    assert not lin.transforms
    _rejected(lin, _perturbed_momentum(replace(p, method=lin), "beta^(2)"))


def test_a_direction_the_transform_feeds_back_into_has_no_linear_part():
    """The buffer reads the last step (the sign's output): the direction is no function of the gradients alone,
    so the families beyond Eq. (1) are not claimed; said with the states the output reaches."""
    m, p = _placed(FAMILY / "aggmo_sign_fed_back.py")
    assert p.family is None and p.order == 2
    assert "reads v1, w, w_prev, which the transform's output reaches" in p.sentence()


def test_the_report_of_a_non_member_names_its_family(capsys):
    assert main(["--module", str(FAMILY / "lagged_gradient.py"), "--no-numeric", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["not_in_family"] is not None and out["family"]["family"] == "filter-1"
    assert main(["--module", str(FAMILY / "lagged_gradient.py"), "--no-numeric"]) == 1
    assert "Smallest family: general linear gradient filter of order 1" in capsys.readouterr().out


def test_cli(capsys):
    assert main(["family", "--module", str(FAMILY / "moving_rate.py"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["family"] == "momentum-2" and out["status"] == "map proved" and out["order_witness"]["size"] == 2
    assert main(["family", "--module", str(FAMILY / "lagged_gradient.py")]) == 0
    text = capsys.readouterr().out
    assert "filter of order 1" in text and "not smaller" in text


@pytest.mark.parametrize("argv, words", [
    (["family"], "name the method"),
    (["family", "heavy-ball", "--module", "x.py"], "not both"),
    (["family", "--module", str(DATA / "aggmo.py"), "--set", "zeta=1"], "no constant 'zeta'"),
])
def test_cli_usage_errors(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
