"""identify and convert on the family hierarchy (issue 19 item 5; docs/identify.md "Families beyond Eq. (1)",
docs/convert.md "Beyond Eq. (1)").

identify: a linear class outside Eq. (1) gets its order (the numerical rank of H's blocks) and a fitted k-momentum
form, replayed on a held-out probe with a perturbed member rejected in the same run, and cross-checked against
``verify family``'s exact map of the same algorithm declared.  convert: the relation between two methods of a
larger family, proved by the joint route, with the conditions and the witness where none exists."""
import numpy as np
import pytest
import sympy as sp
import torch

from equivalences import registry
from equivalences.families import place
from equivalences.families.convert import convert
from numeric.identify.family import identify_family, replay_residual
from numeric.identify.verdict import identify
from toy_optimizers import elementwise, lookahead

DATA = "tests/data"


def _qh_two_ema(p, group, state):
    """tests/data/family/qh_two_ema.py as a torch class: two EMAs, ``p -= lr (nu m1 + (1 - nu) m2)``."""
    m1 = state.setdefault("m1", torch.zeros_like(p))
    m2 = state.setdefault("m2", torch.zeros_like(p))
    m1.mul_(group["b1"]).add_(p.grad, alpha=1 - group["b1"])
    m2.mul_(group["b2"]).add_(p.grad, alpha=1 - group["b2"])
    p.sub_(group["lr"] * (group["nu"] * m1 + (1 - group["nu"]) * m2))


def _adan_like(p, group, state):
    """tests/data/family/adan_like.py: a momentum of g and one of g - g_prev (g_prev = 0 before the first step)."""
    m = state.setdefault("m", torch.zeros_like(p))
    n = state.setdefault("n", torch.zeros_like(p))
    prev = state.setdefault("prev", torch.zeros_like(p))
    b1, b2 = group["b1"], group["b2"]
    m.mul_(b1).add_(p.grad, alpha=1 - b1)
    n.mul_(b2).add_(p.grad - prev, alpha=1 - b2)
    prev.copy_(p.grad)
    p.sub_(group["lr"] * (m + b2 * n))


def _aggmo(p, group, state):
    bufs = state.setdefault("bufs", [torch.zeros_like(p) for _ in group["betas"]])
    for b, beta in zip(bufs, group["betas"]):
        b.mul_(beta).add_(p.grad)
    p.sub_(group["lr"] / len(bufs) * sum(bufs))


QH = elementwise("QHTwoEMA", _qh_two_ema, lr=0.01, b1=0.9, b2=0.999, nu=0.7)
ADAN = elementwise("AdanLike", _adan_like, lr=0.01, b1=0.98, b2=0.92)
AGGMO = elementwise("AggMo", _aggmo, lr=0.1, betas=(0.5, 0.9))
LOOKAHEAD = elementwise("LookaheadHB", lookahead, lr=0.1, momentum=0.9, k=5, alpha=0.5)


def _declared_buffers(path: str) -> tuple[list, float]:
    """``verify family``'s exact map of the declaration at its defaults: [(beta, eta)], alpha (floats)."""
    m = registry.load_module(f"{DATA}/{path}")
    p = place(m)
    assert p.proved and p.family.key == "momentum-2", p.sentence()
    c = {k: float(sp.sympify(v).xreplace(m.defaults)) for k, v in p.fit.coefficients.items()}
    k = p.family.order
    return sorted(((c[f"beta^({i})"], c[f"eta^({i})"]) for i in range(1, k + 1)), reverse=True), c["alpha"]


@pytest.mark.parametrize("cls, path", [(QH, "family/qh_two_ema.py"), (ADAN, "family/adan_like.py")])
def test_identify_fits_the_family_verify_family_proves(cls, path):
    """The class identified from its probes is the 2-momentum member ``verify family`` maps its declaration to:
    the same decay rates and weights (to 1e-9), replayed within the tolerance, a 1 % perturbed member rejected."""
    res = identify(cls, {}, cls.__name__)
    f = res.family
    assert res.verdict == "not-in-family" and f is not None and f.family == "momentum-2", res.reason
    assert f.order.rank == 2 and f.constant
    assert f.residual <= f.tolerance < f.control  # the control can fail the fit: it does, in the same run
    want, alpha = _declared_buffers(path)
    got = sorted(zip(f.beta, f.eta[-1]), reverse=True)
    for (b, e), (b0, e0) in zip(got, want):
        assert abs(b - b0) <= 1e-9 and abs(e - e0) <= 1e-9 * abs(e0)
    assert abs(f.alpha[-1] - alpha) <= 1e-9 * max(abs(alpha), abs(want[0][1]))
    assert res.to_json()["family"]["family"] == "momentum-2"


def test_the_order_is_the_rank_not_a_constant():
    """Three distinct decay rates: order 3 and a 3-momentum form; equal ones collapse to Eq. (1) (in-family)."""
    f = identify(AGGMO, {"betas": (0.3, 0.6, 0.9)}, "AggMo").family
    assert f.order.rank == 3 and f.family == "momentum-3"
    assert np.allclose(sorted(f.beta), [0.3, 0.6, 0.9], atol=1e-9) and np.allclose(f.eta[-1], 0.1 / 3, rtol=1e-9)
    assert identify(AGGMO, {"betas": (0.9, 0.9)}, "AggMo").verdict == "in-family"


def test_decay_rates_that_move_are_a_filter_not_a_momentum_form():
    """Lookahead around heavy ball: linear, outside Eq. (1), its order found, but no constant-rate momentum form
    replays it (the best fit misses the held-out probe far above the tolerance): reported as a filter."""
    res = identify(LOOKAHEAD, {}, "LookaheadHB")
    f = res.family
    assert res.verdict == "not-in-family" and f is not None and f.family.startswith("filter-"), res.reason
    assert not f.fitted and "no " in f.note and f.order.rank >= 2


def test_a_perturbed_member_is_rejected_by_the_replay():
    """The fitted member's weights 1e-6 off miss the held-out probe: the residual is a test, not a formality."""
    from numeric.identify import probe as P
    from numeric.identify.response import fit_response

    d = P.Driver(AGGMO, {}, 1)
    gs = [P.gaussian(16, 16, s) for s in (0, 10, 11)]
    runs = [d.run(g) for g in gs]
    resp = fit_response([gs[0], gs[2]], [runs[0].q, runs[2].q], 16)
    f = identify_family(resp, runs[1].q, gs[1], 16)
    assert f.family == "momentum-2" and f.residual <= f.tolerance
    steps = np.tile(np.array(f.beta), (16, 1))
    assert replay_residual(steps, f.eta * (1 + 1e-6), f.alpha, runs[1].q, gs[1], 16) > f.tolerance


def test_pytorch_optimizer_aggmo_is_a_two_momentum_form():
    """The census class: AggMo's default betas (0, 0.9, 0.99) are a 2-momentum form plus alpha (the beta = 0
    buffer is the current gradient): weights lr/3 each."""
    po = pytest.importorskip("pytorch_optimizer")
    f = identify(po.AggMo, {}, "pytorch_optimizer.AggMo").family
    assert f.family == "momentum-2" and f.constant and f.residual <= f.tolerance < f.control
    assert np.allclose(f.beta, [0.99, 0.9], atol=1e-9)
    assert np.allclose(list(f.eta[-1]) + [f.alpha[-1]], 1e-3 / 3, rtol=1e-9)


# -- convert -------------------------------------------------------------------------------------------------------


def _m(path):
    return registry.load_module(f"{DATA}/{path}")


def test_aggmo_two_ways_convert_always_both_orders_of_buffers():
    c = convert(_m("equivalent/aggmo_buffers.py"), _m("equivalent/aggmo_sum_difference.py"))
    assert c.exists == "always" and c.family == "2-momentum form" and c.proof.equivalent
    b1, b2 = sp.symbols("beta1 beta2")
    rels = [{k.name: v for k, v in b.relation.items()} for b in c.branches]
    assert {"beta1": b1, "beta2": b2, "lr": sp.Symbol("lr")} in rels
    assert {"beta1": b2, "beta2": b1, "lr": sp.Symbol("lr")} in rels  # the buffers swapped: also proved
    assert all(b.proof.equivalent for b in c.branches)


def test_heavy_ball_into_aggmo_and_back_are_conditional(derivations):
    hb = registry.get("heavy-ball")
    c = convert(hb, _m("equivalent/aggmo_buffers.py"))
    assert c.exists == "conditional" and c.proof.equivalent
    rel = {k.name: v for k, v in c.relation.items()}
    assert rel["beta1"] == rel["beta2"] == sp.Symbol("beta")
    assert any("same for every t" in x for x in c.conditions)  # aggmo's lr is one number, heavy ball's eta(t) not
    back = convert(_m("equivalent/aggmo_buffers.py"), hb)
    assert back.exists == "conditional" and back.conditions == ["beta1 = beta2"]


def test_a_wrong_relation_is_rejected_by_the_proof():
    """The joint route is a test: the relation with one weight off is not equivalent, with a witness."""
    from equivalences.equivalent import equivalent

    a, b = _m("equivalent/aggmo_buffers.py"), _m("equivalent/aggmo_sum_difference.py")
    beta1, beta2, lr = sp.symbols("beta1 beta2 lr")
    e = equivalent(a, b, {beta1: beta1, beta2: beta2, lr: lr * sp.Rational(101, 100)}, conversion=False,
                   shifts=False, conditions=False)
    assert not e.equivalent and e.witness is not None


def test_momentum_twice_never_converts_to_aggmo_with_its_witness():
    c = convert(_m("family/momentum_twice.py"), _m("equivalent/aggmo_buffers.py"))
    assert c.exists == "never" and not c.relation
    assert "Groebner basis" in c.witness and "[1]" in c.witness and "lr_to" in c.witness


def test_cli_family_route_replays_with_a_control(capsys):
    """``verify convert`` takes the family route when a method lies outside Eq. (1): exact values, the replay of
    both declarations and the control rejected; the Eq. (1) pairs keep their route."""
    import json

    from equivalences.app.cli import main

    args = ["convert", "aggmo-buffers", "--to", "aggmo-sum-difference", "--module",
            f"{DATA}/equivalent/aggmo_buffers.py", "--module", f"{DATA}/equivalent/aggmo_sum_difference.py",
            "--set", "beta1=0.5", "--set", "beta2=0.9", "--steps", "100", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["route"] == "family" and out["numeric"]["passed"] and out["numeric"]["control_rejected"]
    assert out["numeric"]["control"]["max_rel_deviation"] > out["numeric"]["tolerance"]
    assert main(args[:-1] + ["--against-from", "torch.optim.SGD", "--against-to", "torch.optim.SGD"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside Eq. (1)" in err[0]


def test_a_conversion_that_fixes_two_constants_at_once_is_found_not_called_never():
    """AggMo with three buffers is AggMo with two exactly when all three rates agree: two of its constants fixed
    at once (the equations' elimination ideal: beta1 = beta3 and beta2 = beta3; lr = 0 lies outside the domain).
    Searching one constant at a time called it "never"; to heavy ball it was "undecided".  Each branch is proved
    on the joint system, and at values that break the condition the answer says which."""
    a3 = _m("soundness/aggmo3.py")
    b1, b2, b3, lr = a3.constants
    for to in (_m("aggmo.py"), registry.get("heavy-ball")):
        c = convert(a3, to)
        assert c.exists == "conditional" and c.proof.equivalent, (to.key, c.reason)
        assert c.conditions[:2] == ["beta1 = beta3", "beta2 = beta3"]
    at = convert(a3, _m("aggmo.py"), {b1: sp.Rational(1, 2), b2: sp.Rational(1, 2), b3: sp.Rational(1, 3),
                                      lr: sp.Rational(1, 10)})
    assert at.holds_at_values is False and "beta1 = 1/2, but the conversion needs beta1 = 1/3" in at.failure_at_values
