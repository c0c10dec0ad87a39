"""verify convert (issue 14): proved symbolically, confirmed by replay, controls rejected, round trips, bad input,
and the numeric-sequence mode of the shared inverse (equivalences/inverse/)."""
from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equivalences import registry
from equivalences.algebra import canonical
from equivalences.conversion_table import latex_table, table
from equivalences.convert import convert, derived, round_trip
from equivalences.inverse import Target, invert_sequences
from equivalences.symbols import t

R = sp.Rational

# ALWAYS: the formulas hold for every setting; CONDITIONAL: only under the stated condition; NEVER: with a reason.
ALWAYS = [("heavy-ball", "sgd-nesterov"), ("qhm", "schedule-free"), ("agnes", "nesterov-sgd"), ("mass", "mass")]
CONDITIONAL = [("qhm", "heavy-ball"), ("qhm", "sgd-nesterov"), ("schedule-free", "agnes"),
               ("schedule-free", "sgd-nesterov")]
NEVER = [("mass", "heavy-ball"), ("lion", "heavy-ball"), ("ademamix", "schedule-free"),
         ("schedule-free-adamw", "schedule-free")]


@pytest.fixture(scope="module")
def conversions():
    return {pair: convert(*pair) for pair in ALWAYS + CONDITIONAL + NEVER}


# -- the three answers, proved symbolically ---------------------------------------------------------------


def _map_at(conv, to_key):
    """TO's map with the converted formulas substituted (FROM's names), at TO's step t."""
    to_m = registry.get(to_key)
    mp = derived(to_m)
    inv = conv.inverse
    sub = {c: inv.constants[c.name] for c in to_m.constants if c.name in inv.constants}

    def at(e):
        e = sp.sympify(e).xreplace(sub)
        for f in to_m.schedules:
            if f.__name__ in inv.schedules:
                from equivalences.algebra import substitute_function

                e = substitute_function(e, f, inv.schedules[f.__name__])
        return e

    return at(mp.K * mp.eta_a), at(mp.K * mp.alpha_a), at(mp.beta_a)


def _renamed_map(from_key, conv):
    """FROM's map in the names the formulas use (``beta_from`` where TO has a ``beta``), shifted to TO's step."""
    from_m = registry.get(from_key)
    mp = derived(from_m)
    subs = {c: sp.Symbol(conv.renamed[c.name], **c.assumptions0) for c in from_m.constants if c.name in conv.renamed}
    funcs = {f: sp.Function(conv.renamed[f.__name__]) for f in from_m.schedules if f.__name__ in conv.renamed}

    def ren(e):
        e = sp.sympify(e).xreplace(subs)
        for f, nf in funcs.items():
            e = e.replace(lambda a, f=f: isinstance(a, sp.core.function.AppliedUndef) and a.func == f,
                          lambda a, nf=nf: nf(*a.args))
        return e.subs(t, t + conv.inverse.offset)

    return ren(mp.K * mp.eta_a), ren(mp.K * mp.alpha_a), ren(mp.beta_a)


@pytest.mark.parametrize("pair", ALWAYS)
def test_always_is_an_identity(conversions, pair):
    conv = conversions[pair]
    assert conv.exists == "always" and conv.condition is None
    for ours, theirs in zip(_map_at(conv, pair[1]), _renamed_map(pair[0], conv)):
        assert canonical(ours - theirs) == 0, (pair, ours, theirs)


@pytest.mark.parametrize("pair", CONDITIONAL)
def test_conditional_states_the_condition(conversions, pair):
    conv = conversions[pair]
    assert conv.exists == "conditional" and conv.condition
    assert conv.inverse.conditions and conv.reason is None or "counterpart" in (conv.to_json()["reason"] or "")


def test_conditional_formulas_hold_exactly_under_the_condition(conversions):
    # qhm -> heavy-ball needs nu = 1 (heavy-ball has alpha_a = 0): there the formulas are an identity,
    # away from it they are not.
    conv = conversions[("qhm", "heavy-ball")]
    nu = sp.Symbol("nu")
    for ours, theirs in zip(_map_at(conv, "heavy-ball"), _renamed_map("qhm", conv)):
        assert canonical((ours - theirs).subs(nu, 1)) == 0
    eta_ours, alpha_ours, _ = _map_at(conv, "heavy-ball")
    _, alpha_theirs, _ = _renamed_map("qhm", conv)
    assert canonical(alpha_ours - alpha_theirs) != 0  # at nu != 1 the alpha_a coefficient is out of reach


@pytest.mark.parametrize("pair", NEVER)
def test_never_names_the_reason(conversions, pair):
    conv = conversions[pair]
    assert conv.exists == "never" and conv.reason and not conv.hyperparameters
    assert not conv.ok


def test_never_reasons_are_specific(conversions):
    assert "alpha_a" in conversions[("mass", "heavy-ball")].reason
    assert "sign" in conversions[("lion", "heavy-ball")].reason
    assert "preconditioner" in conversions[("ademamix", "schedule-free")].reason
    assert "before the momentum" in conversions[("schedule-free-adamw", "schedule-free")].reason


def test_schedule_free_to_nesterov_formulas(conversions):
    conv = conversions[("schedule-free", "sgd-nesterov")]
    assert isinstance(conv.hyperparameters["lr(t)"], sp.Expr) and conv.hyperparameters["nesterov"] == 1  # typed
    assert conv.to_json()["hyperparameters"]["lr(t)"] == "(1 - beta)*gamma(t)"  # strings only in JSON
    # only FROM averages: said, not hidden
    assert "no counterpart" in conv.to_json()["reason"]


# -- at given settings: exact values, replay of both declared methods, negative control --------------------


def _replayed(from_, to, sets, steps=150):
    from equivalences.app.commands.convert import replay

    conv = convert(from_, to, sets)
    assert conv.holds_at_values, conv.failure_at_values
    conv.numeric = replay(conv, registry.get(from_), registry.get(to), steps=steps, dim=8, seed=0)
    return conv


_FAST = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FAST
@given(beta=st.fractions(0, R(19, 20)), lr=st.fractions(R(1, 100), R(1, 5)))
def test_property_heavy_ball_to_sgd_replays(beta, lr):
    conv = _replayed("heavy-ball", "sgd-nesterov", {"beta": str(beta), "lr": str(lr)})
    assert conv.values["mu"] == R(beta) and conv.values["nesterov"] == 0
    assert conv.to_json()["values"]["mu"] == sp.sstr(R(beta))
    n = conv.numeric
    assert n["passed"] and n["max_rel_deviation"] <= n["tolerance"] and n["control_rejected"]
    assert "read one step late" in n["control"]["perturbation"]


@_FAST
@given(nu=st.fractions(R(1, 10), R(9, 10)), gap=st.fractions(0, R(9, 100)), alpha=st.fractions(R(1, 100), R(1, 2)))
def test_property_qhm_to_sgd_nesterov_replays(nu, gap, alpha):
    beta = nu + gap  # the condition: tau = (beta - nu)/(beta (1 - nu)) in [0, 1), i.e. nu <= beta
    conv = _replayed("qhm", "sgd-nesterov", {"beta": str(beta), "nu": str(nu), "alpha": str(alpha)})
    assert conv.values["lr(t)"] == R(alpha) * (1 - R(nu))
    assert conv.ok and conv.numeric["control_rejected"]


@_FAST
@given(beta=st.fractions(0, R(99, 100)), alpha=st.fractions(R(1, 100), R(1, 2)))
def test_property_qhm_to_heavy_ball_at_the_condition(beta, alpha):
    conv = _replayed("qhm", "heavy-ball", {"beta": str(beta), "nu": "1", "alpha": str(alpha)})
    assert conv.ok


def test_condition_failing_at_the_values_is_exit_1():
    conv = convert("qhm", "heavy-ball", {"nu": "0.7"})
    assert conv.holds_at_values is False and "alpha" in conv.failure_at_values and not conv.ok


def test_shifted_schedule_is_rejected_by_the_same_replay():
    """A deliberately wrong conversion (lr one step late) through the very replay that accepts the right one."""
    import numpy as np

    from equivalences.app.commands.convert import _configs
    from numeric.side_by_side import replay_pair

    conv = convert("heavy-ball", "sgd-nesterov", {"beta": "0.9"})
    hb, sgd = registry.get("heavy-ball"), registry.get("sgd-nesterov")
    lr = sgd.hyperparameter("lr")
    good = replay_pair(hb, *_configs(conv, hb, sgd)[:1], sgd, _configs(conv, hb, sgd)[1], steps=100, dim=8)
    wrong = replay_pair(hb, _configs(conv, hb, sgd)[0], sgd,
                        _configs(conv, hb, sgd, {lr: conv.at_values[lr].subs(t, t + 1)})[1], steps=100, dim=8)
    assert good.agrees and good.worst <= good.tolerance
    assert not wrong.agrees and wrong.worst > 100 * wrong.tolerance
    assert np.isfinite(wrong.worst)


# -- round trip -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", [("heavy-ball", "sgd-nesterov"), ("qhm", "schedule-free"),
                                  ("agnes", "nesterov-sgd"), ("lion", "lion")])
def test_round_trip_returns_from_settings_exactly(pair):
    rt = round_trip(*pair)
    assert rt.exact, rt.back
    from_m = registry.get(pair[0])
    for c in from_m.constants:
        assert rt.back[c.name] == sp.Symbol(f"{c.name}_from", **c.assumptions0)


def test_round_trip_at_values_is_exact():
    there = convert("heavy-ball", "sgd-nesterov", {"beta": "0.85", "lr": "0.03"})
    from equivalences.convert import from_setting, specialise
    from equivalences.inverse import invert

    sgd, hb = registry.get("sgd-nesterov"), registry.get("heavy-ball")
    mp = derived(sgd)
    at = {**{c: there.at_values[c] for c in sgd.constants}}

    def val(e):
        e = sp.sympify(e).xreplace(at)
        for f in sgd.schedules:
            from equivalences.algebra import substitute_function

            e = substitute_function(e, f, there.at_values[f])
        return e

    back = invert(hb, Target(val(mp.beta_a), val(mp.eta_a), val(mp.alpha_a), t0=sgd.t0, name="sgd-nesterov"),
                  mp=derived(hb))
    setting = from_setting(hb, there.settings)
    assert back.constants["beta"] == R(85, 100)
    assert canonical(back.schedules["eta"] - specialise(hb.hyperparameter("eta")(t), setting)) == 0


# -- bad input: one line, exit 2 --------------------------------------------------------------------------


@pytest.mark.parametrize("argv, needle", [
    (["convert", "schedule-fre", "--to", "agnes"], "unknown method 'schedule-fre'"),
    (["convert", "schedule-free"], "--to is missing"),
    (["convert", "qhm", "--to", "heavy-ball", "--set", "nu=1.5"], "outside its valid range"),
    (["convert", "qhm", "--to", "heavy-ball", "--set", "zeta=1"], "has no constant 'zeta'"),
    (["convert", "qhm", "--to", "heavy-ball", "--set", "nu"], "NAME=VALUE"),
    (["convert", "qhm", "--to", "heavy-ball", "--set", "nu=abc"], "not a finite number"),
    (["convert", "--table", "--to", "qhm"], "--table"),
    (["convert", "qhm", "--to", "sgd-nesterov", "--against-from", "pytorch_optimizer.QHM"], "go together"),
    (["convert", "qhm", "--to", "sgd-nesterov", "--bogus"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv, needle):
    from equivalences.app.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_never_exits_1_and_json_shape(capsys):
    from equivalences.app.cli import main

    assert main(["convert", "mass", "--to", "heavy-ball", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"from", "to", "exists", "condition", "reason", "hyperparameters", "values", "numeric"}
    assert out["exists"] == "never" and out["reason"]


def test_cli_with_set_replays_and_exits_0(capsys):
    from equivalences.app.cli import main

    rc = main(["convert", "qhm", "--to", "sgd-nesterov", "--set", "beta=0.9", "--set", "nu=0.9", "--steps", "100",
               "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["values"]["tau(t)"] == "0" and out["numeric"]["passed"]
    assert out["numeric"]["control_rejected"]


# -- the pair table -----------------------------------------------------------------------------------------


def test_table_and_latex_on_a_subset():
    rows = table(["heavy-ball", "qhm", "lion"])
    cell = {(r.from_, r.to): r.exists for r in rows}
    assert len(rows) == 9
    assert cell[("heavy-ball", "heavy-ball")] == "always" and cell[("qhm", "heavy-ball")] == "conditional"
    assert cell[("lion", "qhm")] == "never"
    tex = latex_table(rows)
    assert tex.count(r"\\") == 4 and r"\texttt{lion}" in tex and r"\begin{tabular}{rlccc}" in tex


# -- the shared inverse, numeric-sequence mode (used by 'verify identify') -----------------------------------


def _heavy_ball_sequences(n=8):
    steps = range(1, n + 1)
    return Target.sequences({k: R(9, 10) for k in steps}, {k: R(1, k + 9) for k in steps}, {k: 0 for k in steps},
                            t0=1)


def test_sequences_match_exactly_and_return_per_step_values():
    tg = _heavy_ball_sequences()
    hb = invert_sequences(registry.get("heavy-ball"), tg, mp=derived(registry.get("heavy-ball")))
    assert hb.matched and hb.misfit == 0
    assert hb.constants == {"beta": R(9, 10)} and hb.schedules["eta"][3] == R(1, 12)
    sgd = invert_sequences(registry.get("sgd-nesterov"), tg, mp=derived(registry.get("sgd-nesterov")))
    assert sgd.matched and sgd.constants["mu"] == R(9, 10) and sgd.schedules["lr"][1] == R(1, 10)


def test_sequences_no_match_never_raises():
    tg = _heavy_ball_sequences()
    for name in registry.names():
        res = invert_sequences(registry.get(name), tg, mp=derived(registry.get(name)))  # must not raise, whatever the method
        if name not in ("heavy-ball", "sgd-nesterov"):
            assert not res.matched and res.reason, name
    # MaSS's alpha_a is its eta1, which must be positive: heavy ball's alpha_a = 0 is out of its reach
    assert invert_sequences(registry.get("mass"), tg, mp=derived(registry.get("mass"))).reason == "mass's eta1 would be 0, but it must be > 0"


def test_sequences_float_target_and_misfit():
    steps = range(1, 9)
    beta, nu, alpha = 0.9, 0.7, 0.1
    tg = Target.sequences({k: beta for k in steps}, {k: alpha * nu * (1 - beta) for k in steps},
                          {k: alpha * (1 - nu) for k in steps}, t0=1)
    res = invert_sequences(registry.get("qhm"), tg, mp=derived(registry.get("qhm")))
    assert res.matched and res.misfit < 1e-12
    assert abs(float(res.constants["nu"]) - nu) < 1e-12
    off = Target.sequences({k: beta for k in steps}, {k: alpha * nu * (1 - beta) * (1 + k / 100) for k in steps},
                           {k: alpha * (1 - nu) for k in steps}, t0=1)
    bad = invert_sequences(registry.get("qhm"), off, mp=derived(registry.get("qhm")))
    assert not bad.matched and bad.misfit > 1e-3


# -- a user's method (--module) as FROM: a conditional pair whose condition holds, across a step offset -------

SF_CONST = '''
from dataclasses import replace

import sympy as sp

from equivalences.methods.schedule_free import METHOD as SF, c, gamma

c0, lr = sp.symbols("c0 lr", positive=True)
METHOD = replace(SF, key="sf-const", name="Schedule-Free SGD, constant c", claims=(),
                 defaults={**{k: v for k, v in SF.defaults.items()
                              if k not in (c, gamma) and getattr(k, "name", "") != "T_w"},
                           c: c0, gamma: lr, c0: sp.Rational(1, 5), lr: sp.Rational(1, 10)},
                 domain={**{k: v for k, v in SF.domain.items() if getattr(k, "name", "") != "T_w"},
                         c0: sp.Interval.Lopen(0, 1)}, paper_setting={})
'''


def test_module_method_converts_to_agnes_across_the_step_offset(tmp_path, capsys):
    from equivalences.app.cli import main

    path = tmp_path / "sf_const.py"
    path.write_text(SF_CONST)
    rc = main(["convert", "sf-const", "--to", "agnes", "--module", str(path), "--set", "beta=0.9",
               "--set", "c0=0.2", "--steps", "120", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["exists"] == "conditional"
    # beta c lr/(1-c), (1-beta) lr, 1-c (AGNES's alpha_n, eta_n, rho_n are schedules)
    assert out["values"] == {"alpha(t)": "9/400", "eta(t)": "1/100", "rho(t)": "4/5"}
    assert out["numeric"]["passed"] and out["numeric"]["control_rejected"]
    assert "t + 1" in out["reason"]  # AGNES counts from 0: said
    # the same FROM into torch's SGD would need a negative dampening: refused at these values, exit 1
    rc = main(["convert", "sf-const", "--to", "sgd-nesterov", "--module", str(path), "--set", "beta=0.9",
               "--set", "c0=0.2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["values"] is None and "tau" in out["reason"] and "[0, 1)" in out["reason"]


@_FAST
@given(data=st.data())
@pytest.mark.parametrize("pair, draw", [
    # beta away from 0: at beta -> 0 every perturbation of Schedule-Free's c fades with beta (a control must
    # change the trajectory by more than rounding); beta = 0 itself is checked in test_qhm_beta_zero_control
    (("qhm", "schedule-free"), {"alpha": (R(1, 100), R(1, 2)), "beta": (R(1, 10), R(19, 20)),
                                "nu": (R(1, 10), R(9, 10))}),
    (("mass", "mass"), {"eta1": (R(1, 20), R(1, 5)), "eta2": (R(-1, 100), R(1, 100)), "gamma": (0, R(9, 10))}),
    (("mass", "nesterov-sgd"), {"eta1": (R(1, 20), R(1, 5)), "gamma": (R(1, 10), R(9, 10))}),
])
def test_property_always_pairs_replay(pair, draw, data):
    sets = {k: str(data.draw(st.fractions(lo, hi), label=k)) for k, (lo, hi) in draw.items()}
    conv = _replayed(*pair, sets, steps=120)
    assert conv.exists == "always" and conv.ok, (sets, conv.numeric)


def test_qhm_beta_zero_control():
    """At QHM's beta = 0 Schedule-Free's own beta drops out of the trajectory (c = 1): the control perturbs c."""
    conv = _replayed("qhm", "schedule-free", {"beta": "0", "alpha": "0.01", "nu": "0.1"}, steps=100)
    assert conv.ok and "c(t)" in conv.numeric["control"]["perturbation"]
