"""Several gradient calls per step (issue 19, item 4): declared (calls=, equivalences.oracles), judged against Eq. (1)
(a witness, or the single-call method it reduces to), and compared call by call with verify equivalent (the joint
closure, the witness, the replay with its negative control).  Each positive verdict is shown to be able to fail."""
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
from equivalences.equivalent import equivalent
from equivalences.oracles import against_eq1, calls_form, reuse
from equivalences.symbols import g, t
from equivalences.validate import DeclarationProblem, check

DATA = Path(__file__).parent / "data" / "multicall"
R = sp.Rational


def load(name, folder=DATA):
    return registry.load_module(str(folder / f"{name}.py"))


@pytest.fixture(scope="module")
def eg():
    return load("extragradient")


# -- against Eq. (1) --------------------------------------------------------------------------------------


def test_extragradient_is_not_an_instance_and_says_why(eg):
    d = derivation(eg)
    assert d.map is None and d.verdict_name == "not-in-family" and not d.proved
    w = d.verdict.witness
    alpha = eg.constants[0]
    # read off the declaration alone: x_2 = x_1 - alpha g2(1), the gradient at y_1, another call's point
    L = calls_form(eg)
    assert L.B[0, 1] == -alpha and L.D[1, 0] == -alpha and L.B[0, 0] == 0
    assert (w.step, str(w.term), w.coefficient, w.value) == (2, "g2(1)", -alpha, R(-1, 10))
    assert "y_1" in w.rule and "one gradient per step" in w.rule
    # with y as the query point instead: y_1 reads g1(1), the gradient at x_1
    assert "y_1 depends on g1(1)" in d.not_in_family
    assert d.cross_examination.checks[0].member is None  # the single-call independent check does not apply


def test_two_queries_both_read_are_outside_with_their_own_coefficient():
    d = derivation(load("lookahead_average"))
    assert d.map is None and d.verdict.witness.coefficient == -sp.Symbol("alpha") / 2


def test_an_unread_probe_reduces_to_heavy_ball_and_a_read_one_does_not():
    m = load("heavy_ball_probe")
    d = derivation(m)
    beta, lr = m.constants
    assert d.proved and d.map.beta_a == beta and sp.simplify(d.map.eta_a - lr) == 0 and d.map.alpha_a == 0
    assert "judged as its call 1 alone" in d.method.name
    # the momentum fed by the probe's gradient alone: the probe's points are the single-call method then
    (w, g1), (y, g2) = m.calls
    mom = m.state[1]
    swapped = replace(m, key="probe-only", updates=(sp.Eq(mom(t + 1), beta * mom(t) + g2(t)), m.updates[1]))
    v = against_eq1(swapped)
    assert v.kind == "reduced" and v.reduced.query is y
    # both gradients read: no call's points are a single-call method any more
    read = replace(m, key="probe-read", updates=(sp.Eq(mom(t + 1), beta * mom(t) + g1(t) + g2(t)), m.updates[1]))
    v = against_eq1(read)
    assert v.kind == "outside" and str(v.witness.term) == "g2(1)" and v.witness.coefficient == -lr
    # against heavy ball itself: the query sequences differ (the probe is a query too), and the reduction is said
    hb = registry.load_module(str(DATA.parent / "ema_momentum.py"))
    r = equivalent(m, replace(hb, key="hb", updates=(sp.Eq(hb.state[1](t + 1), beta * hb.state[1](t) + g(t)),
                                                     sp.Eq(hb.state[0](t + 1), hb.state[0](t) - lr * hb.state[1](t + 1)))))
    assert not r.equivalent and r.witness.query == 2 and any("probes nothing reads" in n for n in r.notes)


def test_cli_on_a_multicall_method(capsys, eg):
    assert main(["--module", str(DATA / "extragradient.py"), "--no-numeric", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["not_in_family"]["witness"]["term"] == "g2(1)" and out["map"] is None
    assert main(["--module", str(DATA / "extragradient.py"), "--no-numeric", "--set", "alpha=0.2"]) == 1
    assert "call 2" in capsys.readouterr().out
    assert main(["family", "--module", str(DATA / "extragradient.py")]) == 1
    assert "several gradient calls" in capsys.readouterr().out
    assert main(["mutations", "--module", str(DATA / "extragradient.py")]) == 2
    assert "no map onto Eq. (1)" in capsys.readouterr().err


# -- malformed declarations: one line each ----------------------------------------------------------------


def test_malformed_calls_are_refused_in_one_line(eg, capsys):
    (x, g1), (y, g2) = eg.calls
    alpha = eg.constants[0]
    cases = [
        (dict(calls=[(x, g1), (y, g2)]), "calls is a list"),
        (dict(calls=((x, g1),)), "calls has one call"),
        (dict(calls=((x(t), g1), (y, g2))), "not applied ones"),
        (dict(calls=((x, g1), (y, g1))), "named by two calls"),
        (dict(calls=((x, g1), (y, g))), "named g"),
        (dict(updates=(sp.Eq(x(t + 1), x(t) - alpha * g(t)),)), "each call has its own gradient"),
        (dict(define={y: x(t) - alpha * g2(t)}), "not known yet at call 2"),
        (dict(updates=(sp.Eq(x(t + 1), x(t) - alpha * g2(t + 1)),)), "at t (and the previous step's"),
    ]
    for change, words in cases:
        with pytest.raises(DeclarationProblem, match=words.replace("(", r"\(")):
            check(replace(eg, **change))
    assert main(["--module", str(DATA / "bad_query.py")]) == 2
    err = capsys.readouterr().err
    assert "set query=x (the first call's point)" in err and len(err.strip().splitlines()) == 1


# -- verify equivalent, call by call ------------------------------------------------------------------------


def test_extragradient_and_its_rewrite_are_equivalent_and_a_perturbed_rewrite_is_not(eg):
    b = load("extragradient_from_extrapolated")
    r = equivalent(eg, b)
    assert r.equivalent and r.closure.holds and r.route == "joint"
    assert any(i.name.startswith("feedthrough") for i in r.closure.identities)
    # the forgotten undo of the extrapolation: query 3 (x_2) reads g(x_1) in the wrong rewrite only
    w = equivalent(eg, load("extragradient_wrong")).witness
    assert (w.query, str(w.term), w.coefficient_a, w.coefficient_b) == (3, "G(1)", 0, -eg.constants[0])
    # the rewrite with its correction 1% too large: rejected, with the coefficient read off the change
    alpha = eg.constants[0]
    x, p = b.state
    g1, g2 = (gr for _, gr in b.calls)
    bad = replace(b, key="perturbed", updates=(b.updates[0], sp.Eq(x(t + 1), p(t + 1) + R(101, 100) * alpha * g1(t)
                                                                   - alpha * g2(t))))
    r2 = equivalent(eg, bad)
    assert not r2.equivalent and r2.witness.query == 3
    assert sp.simplify(r2.witness.coefficient_b - r2.witness.coefficient_a - alpha / 100) == 0


def test_extragradient_is_not_optimistic_gd_which_reuses_the_past_gradient(eg):
    ogd = load("optimistic_gd", DATA.parent / "equivalent")
    r = equivalent(eg, ogd)
    alpha = eg.constants[0]
    assert r.verdict == "not-equivalent"
    w = r.witness
    # query 2: extragradient's y_1 = x_1 - alpha g(x_1), optimistic GD's x_2 = x_1 - 2 alpha g(x_1)
    assert (w.query, str(w.term), w.coefficient_a, w.coefficient_b) == (2, "G(1)", -alpha, -2 * alpha)
    assert any("g2(t - 1)" in n and "proved equivalent" in n for n in r.notes)
    # the statement itself: extragradient with g1(t) := g2(t - 1) is optimistic GD (and the other way round is not)
    assert equivalent(reuse(eg, 0, 1), ogd).equivalent
    assert not equivalent(reuse(eg, 1, 0), ogd).equivalent
    # and optimistic mirror descent with its extrapolation point is optimistic GD
    assert equivalent(load("optimistic_mirror_descent"), ogd).equivalent


def test_replay_side_by_side_with_a_negative_control(eg, capsys):
    r = compare(eg, load("extragradient_from_extrapolated"), steps=60, dim=8)
    n = r.numeric
    assert r.ok and n["exact_agree"] and n["agrees"] and n["max_rel_deviation"] <= n["tolerance"]
    assert n["control"]["rejected"] and n["control"]["max_rel_deviation"] > 1e3 * n["tolerance"]
    assert main(["equivalent", "--module-a", str(DATA / "extragradient.py"), "--module-b",
                 str(DATA / "extragradient_wrong.py"), "--no-numeric", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["witness"]["query"] == 3


def test_a_step_size_schedule_is_proved_and_its_control_is_the_schedule_read_late(eg):
    lr, alpha = sp.Function("lr"), eg.constants[0]

    def scheduled(m):
        sub = lambda e: sp.sympify(e).subs(alpha, lr(t))  # noqa: E731
        return replace(m, updates=tuple(sp.Eq(e.lhs, sub(e.rhs)) for e in m.updates),
                       define={k: sub(v) for k, v in m.define.items()}, constants=(), schedules=(lr,),
                       defaults={lr: R(1, 10) / t}, domain={})

    a, b = scheduled(eg), scheduled(load("extragradient_from_extrapolated"))
    check(a), check(b)
    r = compare(a, b, steps=40, dim=4)
    assert r.ok and r.closure.holds and "read one step late" in r.numeric["control"]["perturbation"]
    # the rewrite reading its schedule one step late in the undo: a witness at query 3, lr(1) against lr(2)
    x, p = b.state
    g1, g2 = (gr for _, gr in b.calls)
    late = replace(b, updates=(b.updates[0], sp.Eq(x(t + 1), p(t + 1) + lr(t + 1) * g1(t) - lr(t) * g2(t))))
    w = equivalent(a, late).witness
    assert w.query == 3 and str(w.term) == "G(1)" and w.coefficient_a == 0
    assert sp.simplify(w.coefficient_b - (lr(2) - lr(1))) == 0


def test_a_shift_of_the_step_index_is_found_call_by_call_and_replayed_with_it():
    """Extragradient reading its schedule one step ahead is extragradient counted one step later: counted from
    their first steps query 2 differs (alpha(1) against alpha(2)); renumbered by -1 every identity holds, and the
    replay runs B renumbered (deviation 0, its schedule read late rejected).  Two steps ahead is no shift by one:
    a witness, not a proof."""
    a, b = load("extragradient_schedule"), load("extragradient_lead")
    r = compare(a, b, steps=40, dim=4)
    assert r.equivalent and r.shift == -1 and r.closure.holds and r.ok
    assert r.notes[0].startswith("counted from their first steps they differ: query 2 differs")
    n = r.numeric
    assert n["exact_agree"] and n["max_rel_deviation"] <= n["tolerance"] and n["control"]["rejected"]
    alpha = b.schedules[0]
    ahead2 = replace(b, key="extragradient-lead2",
                     define={k: v.subs(alpha(t + 1), alpha(t + 2)) for k, v in b.define.items()},
                     updates=tuple(sp.Eq(e.lhs, e.rhs.subs(alpha(t + 1), alpha(t + 2))) for e in b.updates))
    check(ahead2)
    w = equivalent(a, ahead2)
    assert not w.equivalent and w.shift == 0 and w.witness is not None and w.witness.query == 2


def test_search_finds_only_the_rewrite_of_extragradient(eg):
    """``verify equivalent extragradient --all``'s search: among its rewrite, a wrong rewrite, optimistic GD (one
    call per step) and heavy ball, only the rewrite equals it; each other is refuted, none left undecided."""
    from equivalences.equivalent.search import search

    others = [("rewrite", load("extragradient_from_extrapolated")), ("wrong", load("extragradient_wrong")),
              ("optimistic-gd", load("optimistic_gd", DATA.parent / "equivalent")),
              ("heavy-ball", registry.get("heavy-ball"))]
    found = search(eg, others)
    assert [(m.name, m.kind) for m in found.matches] == [("rewrite", "equals")]
    assert dict(found.others) == {"wrong": "not-equivalent", "optimistic-gd": "not-equivalent",
                                  "heavy-ball": "not-equivalent"}
