"""Batched replays: configurations are independent, a bad one is caught and named, divergence, memory, problems."""
import numpy as np
import pytest
import sympy as sp
import torch

from equivalences import registry
from equivalences.derivation import derivation
from numeric.compile import Config
from numeric.problems import PROBLEMS, make
from numeric.replay import PairReplay, TooLarge, replay
from numeric.sweep import finite_rows, sample, sampled_symbols, select, worst_configs

SF = registry.get("schedule-free")
MP = derivation(SF).map


@pytest.fixture(scope="module")
def batch():
    return sample(SF, 16, seed=3)


def test_each_config_in_a_batch_agrees_with_itself_alone(batch):
    together = replay(SF, MP, steps=120, dim=8, cfg=batch)
    for i in (0, 7, 15):
        alone = replay(SF, MP, steps=120, dim=8, cfg=batch.row(i))
        assert alone.max_rel_deviation[0] == together.max_rel_deviation[i]
        assert alone.sensitivity[0] == together.sensitivity[i]


def test_a_perturbed_config_inside_a_batch_is_caught_and_named(batch):
    d = sp.Symbol("perturbation")
    bad = MP.replace(eta_a=MP.eta_a * (1 + d))
    cfg = Config({**batch.values, d: np.zeros(batch.batch)}, dict(batch.schedules))
    cfg.values[d][5] = 1e-3
    res = replay(SF, bad, steps=120, dim=8, cfg=cfg)
    assert list(np.flatnonzero(~res.per_config_passed)) == [5]
    worst = worst_configs(res, cfg, ["perturbation", "beta"], n=1)[0]
    assert worst.values["perturbation"] == pytest.approx(1e-3)
    assert worst.deviation > 1e3 * res.tolerance


def test_both_diverging_is_agreement_one_diverging_is_a_mismatch():
    cfg = Config.from_method(SF, {sp.Symbol("lr", positive=True): 1e6})
    cfg.values = {k: v for k, v in cfg.values.items()}
    lr = [k for k in cfg.values if k.name == "lr"][0]
    cfg.values[lr] = np.array([1e160])
    res = replay(SF, MP, steps=200, dim=4, cfg=cfg)
    assert res.diverged.all() and res.passed and not res.mismatched_divergence.any()
    blowup = MP.replace(eta_a=MP.eta_a * 10 ** 160)
    res2 = replay(SF, blowup, steps=200, dim=4)
    assert res2.mismatched_divergence.all() and not res2.passed and res2.worst == np.inf


def test_memory_is_checked_before_allocating():
    cfg = sample(SF, 4096, seed=0)
    with pytest.raises(TooLarge, match="GiB"):
        PairReplay(SF, MP, steps=10, cfg=cfg, problem=make("lsq", 1 << 22), dtype=torch.float64, device="cpu")


def test_sampling_stays_in_the_domain_and_excludes_degenerate():
    for name in registry.names():
        m = registry.get(name)
        cfg = sample(m, 64, seed=1)
        for s in sampled_symbols(m):
            dom = m.domain[s]
            assert all(dom.contains(sp.Float(v)) for v in cfg.values[s]), (name, s)
    grid = sample(SF, 3, grid=True)
    assert grid.batch == 3 ** len(sampled_symbols(SF))
    lion = registry.get("lion")
    cfg = sample(lion, 8, seed=2)
    b2 = [k for k in cfg.values if k.name == "beta2"][0]
    cfg.values[b2][0] = 0.0  # eta_a = beta1 (1 - beta2) / beta2 is not finite there
    ok = finite_rows(lion, derivation(lion).map, cfg, 50)
    assert not ok[0] and ok[1:].all()
    assert select(cfg, ok).batch == 7


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_problem_gradients_match_autograd(name):
    p = make(name, 12)
    x = p.start(3).clone().requires_grad_(True)
    if name == "mlp":
        loss = sum(p.loss(x[i]) for i in range(3))
    elif name == "logistic":
        z = x @ p.A.T
        loss = (torch.nn.functional.softplus(z) - p.y * z).mean(dim=1).sum() + p.lam / 2 * (x * x).sum()
    elif name == "lsq":
        loss = 0.5 * (p.h * (x - p.x_star) ** 2).sum()
    else:
        r = x - p.x_star
        loss = 0.5 * ((r @ p.H) * r).sum()
    loss.backward()
    assert torch.allclose(p.grad(x.detach(), torch.zeros_like(x)), x.grad, rtol=1e-10, atol=1e-12)


def test_dense_hessian_condition_number():
    p = make("lsq-dense", 16, kappa=1000.0)
    ev = torch.linalg.eigvalsh(p.H)
    assert float(ev.max() / ev.min()) == pytest.approx(1000.0, rel=1e-8)


@pytest.mark.parametrize("problem", ["lsq-dense", "logistic", "mlp"])
def test_other_problems_agree(problem):
    res = replay(SF, MP, steps=100, problem=make(problem, 12))
    assert res.passed and res.worst < 1e-13


def test_same_seed_is_bitwise_identical():
    a = replay(SF, MP, steps=100, dim=8, keep_trajectories=True)
    b = replay(SF, MP, steps=100, dim=8, keep_trajectories=True)
    assert np.array_equal(a.trajectories["q"], b.trajectories["q"])
    assert np.array_equal(a.trace, b.trace)


def test_float32_agrees_and_still_rejects_the_control():
    from equivalences.mutants import control

    r = replay(SF, MP, steps=300, dim=16, dtype=torch.float32)
    c = replay(SF, control(MP)[1], steps=300, dim=16, dtype=torch.float32)
    assert r.passed and not c.passed


@pytest.mark.cuda
def test_cuda_matches_cpu():
    cpu = replay(SF, MP, steps=200, dim=16, keep_trajectories=True)
    gpu = replay(SF, MP, steps=200, dim=16, device="cuda", keep_trajectories=True)
    assert gpu.passed
    rel = np.abs(cpu.trajectories["q"] - gpu.trajectories["q"]).max() / np.abs(cpu.trajectories["q"]).max()
    assert rel < cpu.tolerance


def test_rounding_amplified_by_the_dynamics_is_inconclusive_not_a_mismatch():
    """AdEMAMix at a small beta2 (Adam close to sign) with alpha up to 50 amplifies rounding: the two forms drift
    apart by far more than the tolerance although the map is proved.  The method nudged by one ulp per step drifts
    as far, so the run is reported inconclusive; at the defaults the same check is conclusive and agrees."""
    from equivalences.app.pipeline import parse_overrides

    m = registry.get("ademamix")
    mp = derivation(m).map
    chaotic = parse_overrides(m, dict(T="1007.22", alpha_max="50.607", b3="0.33712", beta2="0.036709",
                                      beta_start="0.66626", epsilon="4.223e-08", lr="0.0097019"))
    res = replay(m, mp, steps=1000, dim=32, cfg=Config.from_method(m, chaotic))
    assert res.max_rel_deviation[0] > 1e3 * res.tolerance
    assert res.sensitivity[0] > res.tolerance and res.inconclusive[0]
    assert res.passed
    calm = replay(m, mp, steps=1000, dim=32)
    assert not calm.inconclusive[0] and calm.max_rel_deviation[0] <= calm.tolerance


def test_schedule_parameters_can_be_set():
    from equivalences.app.pipeline import parse_overrides

    m = registry.get("ademamix")
    ov = parse_overrides(m, {"T": "250", "lr": "0.002"})
    assert {s.name: v for s, v in ov.items()} == {"T": 250, "lr": sp.Rational(1, 500)}


def F_eta(method):
    return method.hyperparameter("eta")


def test_one_form_diverging_first_where_rounding_is_amplified_is_inconclusive():
    """AGNES with a large step on the tanh MLP blows up; the method's one-ulp-nudged copy blows up too, and the
    accelerated form happens to leave the finite numbers a step earlier than the method: not a mismatch."""
    from equivalences.app.pipeline import parse_overrides

    from dataclasses import replace as with_fields

    m = registry.get("agnes")
    m = with_fields(m, defaults={**m.defaults, F_eta(m): m.hyperparameter("eta0")})  # the paper's constant eta
    ov = parse_overrides(m, dict(alpha0="0.7158925736252976", eta0="0.8626852643381271", n0="0.32102131147971236"))
    # the accelerated form leaves the finite numbers at step 281, the method not before 500: 290 steps show it
    res = replay(m, derivation(m).map, steps=290, cfg=Config.from_method(m, ov), problem=make("mlp", 32, seed=0))
    assert res.mismatched_divergence[0] and res.inconclusive[0]
    assert res.passed


def test_a_sign_taken_of_a_rounded_zero_is_inconclusive_and_only_right_after_the_tie():
    """Lion just below beta1 = 1 (hypothesis found it): at step 1 the method's sign argument is
    ``c_1 = (1 - beta1) g_1``, 1.1e-16 g_1 and exact; the map's is ``eta_a m_a + alpha_a g_1``, about
    ``999 g_1 - 999 g_1`` in rounded coefficients, whose sign rounding decides: configuration 3 deviates by
    1.5e-4, 3e8 x the tolerance, with a proved map.  The run says inconclusive there, not mismatch; the other
    three configurations stay judged and a wrong map is still rejected on them; a tie excuses only a deviation
    that first appears right after it."""
    from equivalences.mutants import control

    lion = registry.get("lion")
    mp = derivation(lion).map
    cfg = Config.from_method(lion, batch=4)
    b1, b2, lr = (lion.hyperparameter(n) for n in ("beta1", "beta2", "lr"))
    cfg.values.update({b1: np.array([0.0, 0.0, 0.0, np.nextafter(1.0, 0.0)]), b2: np.full(4, 0.001),
                       lr: np.full(4, 1e-4)})
    name, wrong = control(mp)
    assert name.startswith("beta_a")
    res = replay(lion, mp, steps=40, dim=4, cfg=cfg, controls=[wrong])
    assert res.deviation()[3] > 1e6 * res.tolerance
    assert res.sign_tie.tolist() == [False, False, False, True] and res.inconclusive.tolist() == [False] * 3 + [True]
    assert res.passed and (res.deviation()[:3] <= res.tolerance).all()
    ctl = res.controls[0]
    assert (ctl.deviation()[:3] > ctl.tolerance).all() and not ctl.inconclusive[:3].any()
    # at beta1 = 1 exactly both arguments are exactly 0 at step 1 (eta_a = -alpha_a in floats too): a tie, but a
    # harmless one (no deviation follows it), so the wrong map's later deviation is judged and rejected
    exact = cfg.row(3)
    exact.values[b1] = np.array([1.0])
    alone = replay(lion, mp, steps=40, dim=4, cfg=exact, controls=[wrong])
    assert alone.deviation()[0] <= alone.tolerance and not alone.sign_tie[0]
    c = alone.controls[0]
    assert c.deviation()[0] > 1e3 * c.tolerance and not c.inconclusive[0]


@pytest.mark.parametrize("key", ["schedule-free", "lion", "schedule-free-adamw"])
def test_stacked_controls_are_bitwise_the_controls_stepped_alone(key):
    """The controls with the map's layout run as more blocks of its batch (numeric/stacking.py): each control's
    deviations, trace, divergence and sign ties are bit for bit those of the control stepped on its own, the map's
    result unchanged, over a batch of 3 configurations; the one mutant of another layout still steps alone; and
    a wrong map among the controls is still rejected in its block."""
    from equivalences.mutants import mutants

    m = registry.get(key)
    d = derivation(m)
    maps = [mu.map for mu in mutants(m, d.map)]
    cfg = sample(m, 3, seed=1)
    kw = dict(steps=50, dim=4, cfg=cfg, controls=maps)
    pair = PairReplay(m, d.map, steps=50, cfg=cfg, problem=make("lsq", 4), dtype=torch.float64, device="cpu",
                      controls=maps)
    assert pair.blocks == 1 + len(pair.stacked) and len(maps) - 1 <= len(pair.stacked) < len(maps)
    stacked, alone = replay(m, d.map, **kw), replay(m, d.map, stack=False, **kw)
    fields = ("max_rel_deviation", "max_rel_deviation_momentum", "max_rel_deviation_eval", "diverged",
              "mismatched_divergence", "trace", "sign_tie")
    for a, b in zip([stacked, *stacked.controls], [alone, *alone.controls]):
        for f in fields:
            x, y = getattr(a, f), getattr(b, f)
            assert (x is None and y is None) or np.array_equal(x, y, equal_nan=True), f
    assert stacked.passed and sum(not c.passed for c in stacked.controls) >= len(maps) - 2
