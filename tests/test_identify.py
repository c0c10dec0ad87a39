"""verify identify (issue 13): probes, fit, verdicts, matching, census, CLI.

The adapters' settings maps (numeric/libraries) are read HERE only, as the reference: identify itself gets the
constructor arguments a user would pass and nothing else.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
import sympy as sp
import torch

from numeric.identify import census as C
from numeric.identify import fit as F
from numeric.identify import probe as P
from numeric.identify.match import match
from numeric.identify.verdict import MAGNITUDE, TINY, identify
from toy_optimizers import elementwise, lookahead

T = 16
RECOVERED = 1e-10


# -- the adapters' maps as the reference ----------------------------------------------------------------------


def _reference(adapter, setting, G, unit):
    """The adapter's derived map at this setting: (beta, K eta, K alpha, gamma_next, factor p_t, form) where p_t is
    what the map's preconditioner multiplies its input by on the probe ``G``, times ``unit`` (the size of the
    gradients the identified coefficients are written for: |g| for a constant-magnitude probe, 1 below epsilon)."""
    from numeric.compile import tabulate  # noqa: F401 -- Coefficients need numeric.compile loaded
    from numeric.forms import AcceleratedForm, Coefficients, _call
    from numeric.libraries.driver import _config, _derived

    method, system, mp = _derived(adapter.method)
    kw = adapter.arguments(setting)
    values, transforms = adapter.to_method(kw)
    cfg = _config(method, values, transforms)
    ts = np.arange(method.t0, method.t0 + T)
    co = Coefficients()
    form = AcceleratedForm(method, mp, cfg, ts, co, system)
    tab = lambda i: None if i is None else co.tables[i][:, 0]  # noqa: E731
    K = tab(form.K)
    factor = np.ones(T)
    if form.post or form.pre:
        Ct = co.stack(torch.float64, "cpu")
        theta = torch.zeros(1, G.shape[1], dtype=torch.float64)
        tstate = form.transforms.start(theta)
        for k in range(T):
            g = torch.as_tensor(G[k][None])
            tstate, ap = form.transforms.update(Ct[k], tstate, g)
            name = form.post or form.pre
            factor[k] = float((_call(ap, name, torch.ones_like(g)) * unit)[0, 0])
    ix = form.index
    return kw, tab(ix["beta_a"]), tab(ix["eta_a"]) * K, tab(ix["alpha_a"]) * K, tab(form.gamma_next), factor, form


FLOOR = {"heavyball.AdamW": "eps"}
"""Libraries whose eps is a floor, max(sqrt(v_hat), eps), which the adapter maps with epsilon = 0 (exact above the
floor): below epsilon their preconditioner is the constant 1/eps, not the map's 1/sqrt(v_hat)."""


def _settings():
    from numeric.libraries import adapters, installed

    out = []
    for a in adapters():
        for s in a.settings:
            if s.expect == "exact":
                out.append(pytest.param(a, s, id=f"{a.target}[{s.name}]",
                                        marks=() if installed(a) else pytest.mark.skip("not installed")))
    return out


@pytest.mark.parametrize("adapter,setting", _settings())
def test_adapter_settings_recovered(adapter, setting, derivations):
    """The (beta_a, eta_a, alpha_a) sequences and averaging weights of every library setting the adapters cover,
    recovered by probing to <= 1e-10 relative (the identifiable ones: at a step where the momentum restarts only
    eta_a + alpha_a is determined); the same verdict as the adapter's map says; and the method the adapter names
    among the matches, confirmed by its replay against the class."""
    res = identify(adapter.load(), adapter.arguments(setting), adapter.target, steps=T)
    below_eps = res.probe_scale == TINY
    if below_eps:  # the preconditioner at v -> 0; coefficients in units of g
        G, unit = TINY * P.gaussian(T, 16, 0), 1.0
    else:  # the probe identify uses for preconditioned classes (seed + 4)
        G, unit = P.signs(T, 16, 4, res.probe_scale), res.probe_scale
    kw, beta, eta, alpha, gamma, factor, form = _reference(adapter, setting, G, unit)
    if below_eps and adapter.target in FLOOR:
        factor = np.full(T, 1.0 / kw[FLOOR[adapter.target]])
    matched = [m["method"] for m in match(res, adapter.load(), kw, [derivations[adapter.method]])]
    assert matched == [adapter.method], (res.verdict, res.reason)
    if form.post and "sign" in form.post.lower() or adapter.method == "lion":
        # K_t sign(eta m + alpha g): every coordinate moves by K_t; the direction up to a positive factor per step
        assert res.verdict == "sign" and res.control_rejected is True, res.reason
        lr = float(adapter.to_method(kw)[0]["eta"])
        assert np.max(np.abs(res.step_size - lr)) <= RECOVERED * lr
        eq = res.eq
        K = len(eq.eta)
        assert np.max(np.abs(eq.beta[1:] - beta[1:K])) <= RECOVERED
        frac = eta[:K] / (eta[:K] + alpha[:K])
        assert np.max(np.abs(eq.eta[1:] - frac[1:])) <= RECOVERED
        return
    expected = "in-family" if not (form.post or form.pre) else "preconditioned"
    assert res.verdict == expected, res.reason
    assert res.control_rejected is True and res.residual <= res.tolerance
    eq = res.eq
    K = len(eq.eta)
    p = factor[:K]
    if form.pre:  # u = p_t g: in units of g/|g| the coefficients scale by p_t and beta by p_(t-1)/p_t
        eta, alpha = eta[:K] * p, alpha[:K] * p
        beta = beta[:K].copy()
        beta[1:] = beta[1:K] * p[:-1] / p[1:]
    else:  # post: P(eta m + alpha g) = p_t (eta m + alpha g)
        eta, alpha, beta = eta[:K] * p, alpha[:K] * p, beta[:K]
    B = eta + alpha
    scale = np.max(np.abs(B))
    assert np.max(np.abs(eq.eta + eq.alpha - B)) <= RECOVERED * scale
    ident = ~np.isclose(eq.beta, 0.0, atol=1e-12) & np.isfinite(eq.beta)  # momentum carried: split identifiable
    ident[0] = False
    if not eq.memoryless:
        assert np.max(np.abs(eq.eta[ident] - eta[ident])) <= RECOVERED * scale
        assert np.max(np.abs(eq.alpha[ident] - alpha[ident])) <= RECOVERED * scale
        assert np.max(np.abs(eq.beta[1:] - beta[1:K])) <= RECOVERED
    else:
        assert np.all(beta[1:K] * eta[:K - 1] == 0) or np.allclose(beta[1:K], 0)
    if gamma is not None and form.n == 3:
        assert eq.gamma is not None
        assert np.max(np.abs(eq.gamma - gamma[:K])) <= RECOVERED


# -- optimizers outside the family -----------------------------------------------------------------------------


class AggMo(torch.optim.Optimizer):
    """Two momentum buffers with general betas: ``p -= lr/2 (m1 + m2)``, ``m_i = beta_i m_i + g``."""

    def __init__(self, params, lr=0.1, betas=(0.5, 0.9)):
        super().__init__(params, {"lr": lr, "betas": betas})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                bufs = st.setdefault("bufs", [torch.zeros_like(p) for _ in group["betas"]])
                for b, beta in zip(bufs, group["betas"]):
                    b.mul_(beta).add_(p.grad)
                p.sub_(group["lr"] / len(bufs) * sum(bufs))


class BeliefLike(torch.optim.Optimizer):
    """A preconditioner built from g - m (AdaBelief-like): ``s = b2 s + (1 - b2)(g - m)^2``,
    ``p -= lr m / (sqrt(s) + eps)``. Constant |g| does not pin s."""

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                st = self.state[p]
                m = st.setdefault("m", torch.zeros_like(p))
                s = st.setdefault("s", torch.zeros_like(p))
                m.mul_(b1).add_(p.grad, alpha=1 - b1)
                s.mul_(b2).add_((p.grad - m) ** 2, alpha=1 - b2)
                p.sub_(group["lr"] * m / (s.sqrt() + group["eps"]))


def _aggmo_response(t, s, lr=0.1, betas=(0.5, 0.9)):
    """AggMo's gradient response by hand: q_(t+1) - q_t = -lr/2 sum_s (b1^(t-s) + b2^(t-s)) g_s."""
    return lr / len(betas) * sum(b ** (t - s) for b in betas)


def test_two_momenta_not_in_family_with_an_H_witness():
    """Two momentum buffers: linear, but the gradient response H is not of Eq. (1)'s form (a 2 x 2 minor of two
    neighbouring columns far above rounding); the witness's residual is the one AggMo's H has by hand."""
    res = identify(AggMo, {}, "AggMo")
    assert res.verdict == "not-in-family" and "linear in the gradients" in res.reason, res.reason
    w = res.witness
    assert w is not None and w.kind == "rank" and res.to_json()["witness"]["row"] == w.row
    t, j, p = w.row, w.column + 1, w.pivot
    H = _aggmo_response
    by_hand = (H(t, j - 1) - H(p, j - 1) / H(p, j) * H(t, j)) / H(t, t)
    assert abs(w.residual - by_hand) <= 1e-9 * abs(by_hand) and abs(by_hand) > 1e6 * res.tolerance
    assert "order 3 > 2" in res.reason  # what the query points do follow: two momenta


def test_aggmo_with_equal_betas_is_heavy_ball():
    """The same class with beta_1 = beta_2 is one momentum: in the family (the order test is not a name check)."""
    res = identify(AggMo, {"betas": (0.9, 0.9)}, "AggMo")
    assert res.verdict == "in-family" and res.control_rejected
    assert np.allclose(res.eq.beta[1:], 0.9, atol=1e-12)


def test_sgd_weight_decay_is_parameter_dependence_with_its_coefficient():
    res = identify(torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}, "torch.optim.SGD")
    assert res.verdict == "not-in-family"
    assert res.reason.startswith("parameter dependence") and "coupled through the gradient" in res.reason
    assert "lambda = 0.01 " in res.reason


def test_adamw_weight_decay_is_decoupled():
    res = identify(torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}, "torch.optim.AdamW")
    assert res.verdict == "not-in-family" and "decoupled weight decay" in res.reason
    assert "1 - 0.001 " in res.reason  # lr * weight_decay


def test_trust_ratio_couples_coordinates():
    lamb = pytest.importorskip("pytorch_optimizer").Lamb
    res = identify(lamb, {}, "pytorch_optimizer.Lamb")
    assert res.verdict == "not-in-family" and res.reason.startswith("coupled coordinates")


def test_adan_is_not_in_family_below_epsilon():
    adan = pytest.importorskip("pytorch_optimizer").Adan
    res = identify(adan, {}, "pytorch_optimizer.Adan")
    assert res.verdict == "not-in-family" and res.witness is not None and res.witness.kind == "rank"
    assert res.regime == "g (|g| ~ 1e-30)" and "order 3 > 2" in res.reason


def _clipped_momentum(p, group, state):
    """Heavy ball on the gradient clipped to norm ``clip`` over the whole parameter (as MARS clips c_t): coupled
    coordinates where the clip fires, Eq. (1) below it."""
    g, norm = p.grad, float(p.grad.norm())
    if norm > group["clip"]:
        g = g * (group["clip"] / norm)
    m = state.setdefault("m", torch.zeros_like(p))
    m.mul_(group["momentum"]).add_(g)
    p.sub_(group["lr"] * m)


def _normalized(p, group, state):
    """``p -= lr g / |g|``: coupled at every gradient size."""
    p.sub_(group["lr"] * p.grad / p.grad.norm())


ClippedMomentum = elementwise("ClippedMomentum", _clipped_momentum, lr=0.1, momentum=0.9, clip=1.0)
Normalized = elementwise("Normalized", _normalized, lr=0.1)


def test_norm_clip_is_judged_below_the_threshold(derivations):
    """Coupled at |g| ~ 1 (the clip fires), not at |g| ~ 1e-2: the verdict is the one below the clip, and says where
    it stops holding (reason and JSON ``limit``); a class coupled at every size stays not-in-family."""
    res = identify(ClippedMomentum, {}, "ClippedMomentum")
    assert res.verdict == "in-family" and res.control_rejected, res.reason
    assert res.limit and "at |g| ~ 1 new gradients" in res.reason and "0.01" in res.to_json()["limit"]
    assert np.allclose(res.eq.beta[1:], 0.9, rtol=1e-12) and np.allclose(res.eq.eta, 0.1, rtol=1e-12)
    (m,) = [x for x in match(res, ClippedMomentum, {}, [derivations["heavy-ball"]])]
    assert m["method"] == "heavy-ball"
    res = identify(ClippedMomentum, {"clip": 1e9}, "ClippedMomentum")  # the clip never fires: no limit to state
    assert res.verdict == "in-family" and not res.limit and res.to_json()["limit"] is None
    res = identify(Normalized, {}, "Normalized")
    assert res.verdict == "not-in-family" and "at every gradient size tried" in res.reason


def test_fit_solves_columns_of_very_different_size():
    """An exact order-2 response at |g| ~ 1e-30 with B ~ 1e5 (Adam below epsilon: lr / eps): the columns differ by
    1e5 in size and an unscaled least squares leaves ~1e-11 where the recurrence is exact."""
    G = 1e-30 * P.gaussian(T, 16, 0)
    m, q = np.zeros(16), np.zeros((T + 1, 16))
    for k in range(T):
        b = 0.9 * (1 - 0.9 ** k) / (1 - 0.9 ** (k + 1))  # a bias-corrected EMA: time-varying beta
        m = b * m + (1 - b) * G[k]
        q[k + 1] = q[k] - 2.5e5 * m
    assert F.fit_recurrence(q, G).residual <= F.tolerance(T)
    X = np.stack([q[5] - q[4], -G[5], G[4]], axis=1)
    c_plain, *_ = np.linalg.lstsq(X, q[6] - q[5], rcond=None)
    plain = np.max(np.abs(X @ c_plain - (q[6] - q[5]))) / np.max(np.abs(q[6] - q[5]))
    scaled = np.max(np.abs(X @ F.solve(X, q[6] - q[5]) - (q[6] - q[5]))) / np.max(np.abs(q[6] - q[5]))
    assert scaled <= 1e-14 < plain  # what the scaling fixes, shown in the same run


def test_torch_dampening_matches_with_its_first_step(derivations):
    """torch's SGD skips dampening at its first step: sgd-nesterov matches with tau = 0 at t = 1, then 0.3 (solved
    step by step where the closed-form inverse leaves a recurrence), the free choice said, and lr = 0.1."""
    kw = {"lr": 0.1, "momentum": 0.8, "dampening": 0.3}
    res = identify(torch.optim.SGD, kw, "torch.optim.SGD")
    (m,) = match(res, torch.optim.SGD, kw, [derivations["sgd-nesterov"]])
    h = m["hyperparameters"]
    assert h["tau"].startswith("0 at t = 1, then 0.3 for t = 2..") and h["lr"] == 0.1 and h["mu"] == 0.8
    assert "tau(1) = 0" in h["chosen"] and m["max_rel_deviation"] <= F.tolerance(T)


def test_matched_schedules_lie_in_the_methods_range():
    """AdEMAMix's beta3 has no declared domain (its default is a warmup formula); its range is read off the formula
    (0 < beta3 < 1, alpha > 0), and a match whose beta3 leaves (0, 1) is not reported."""
    from equivalences.registry import get
    from numeric.identify.match import _in_domain, schedule_range

    method = get("ademamix")
    assert schedule_range(method, method.hyperparameter("beta3")) == sp.Interval.open(0, 1)
    assert schedule_range(method, method.hyperparameter("alpha")) == sp.Interval.open(0, sp.oo)
    assert not _in_domain(method, {"beta3": {1: 1.7, 2: 0.5}}) and _in_domain(method, {"beta3": {1: 0.3}})


@pytest.mark.parametrize("eps", [1e-8, 0.0])
def test_unpinned_preconditioner_is_never_not_in_family(eps):
    res = identify(BeliefLike, {"eps": eps}, "BeliefLike")
    assert res.verdict in ("preconditioned", "not-identified"), res.reason
    if eps == 0.0:
        assert res.verdict == "not-identified" and "tried" in res.reason


def test_memoryless_sgd_says_beta_arbitrary():
    res = identify(torch.optim.SGD, {"lr": 0.1}, "torch.optim.SGD")
    assert res.verdict == "in-family" and res.eq.memoryless and "beta_a arbitrary" in res.reason
    assert np.allclose(res.eq.eta, 0.1, rtol=1e-14)


def test_adam_preconditioned_and_sign_family():
    res = identify(torch.optim.Adam, {}, "torch.optim.Adam")
    assert res.verdict == "preconditioned" and "scale-invariant" in res.reason
    lion = pytest.importorskip("lion_pytorch").Lion
    res = identify(lion, {"lr": 3e-3}, "lion_pytorch.Lion")
    assert res.verdict == "sign" and np.allclose(res.step_size, 3e-3, rtol=1e-12)
    b1, b2 = 0.9, 0.99  # sign(b1 m + (1 - b1) g), m <- b2 m + (1 - b2) g: eta_a / (eta_a + alpha_a) below
    assert np.allclose(res.eq.beta[1:], b2, rtol=1e-12)
    assert np.allclose(res.eq.eta, b1 * (1 - b2) / (b2 * (1 - b1)), rtol=1e-10)


def test_perturbed_fit_rejected_in_the_same_run():
    """The control: the fitted recurrence replays a held-out probe at rounding; one B 1 % off does not."""
    d = P.Driver(torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True})
    G1, G2 = P.gaussian(T, 16, 0), P.gaussian(T, 16, 1)
    f = F.fit_recurrence(d.run(G1).q, G1)
    q2 = d.run(G2).q
    good, bad = F.held_out(f, q2, G2)
    tol = F.tolerance(T)
    assert good <= tol < bad
    shifted = F.RecurrenceFit(f.order, f.coef.copy(), f.residual, f.per_step)
    shifted.coef[3:, 0] = f.coef[2:-1, 0]  # A read one step late: momentum constant, so identical...
    assert F.recurrence_residual(shifted, q2, G2) <= tol
    shifted.coef[2, 0] *= 1.001  # ...until one value differs
    assert F.recurrence_residual(shifted, q2, G2) > tol


def test_not_probed_reasons():
    res = identify(torch.optim.LBFGS, {}, "torch.optim.LBFGS")
    assert res.verdict == "not-probed" and res.reason.startswith("needs a closure")
    res = identify(torch.optim.SGD, {"lr": -1.0}, "torch.optim.SGD")
    assert res.verdict == "not-probed" and res.reason.startswith("raises at construction")


# -- JSON and CLI ------------------------------------------------------------------------------------------


def _cli(capsys, *argv):
    from equivalences.app.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


KEYS = {"target", "settings", "verdict", "reason", "coefficients", "residual", "tolerance", "control_rejected",
        "matches", "regime", "limit", "witness", "family"}  # the issue's fields, plus what the coefficients are in
                                                  # units of, where the verdict stops holding (a clip), H's witness and
                                                  # the family found instead (tests/test_hierarchy.py)


def test_json_has_the_issue_fields(capsys):
    code, out, err = _cli(capsys, "identify", "torch.optim.SGD", "--set", "lr=0.1", "--set", "momentum=0.9",
                          "--json", "--expect", "heavy-ball")
    assert code == 0, err
    j = json.loads(out)
    assert set(j) == KEYS
    assert set(j["coefficients"]) == {"beta_a", "eta_a", "alpha_a", "gamma_avg"}
    assert j["verdict"] == "in-family" and j["settings"] == {"lr": 0.1, "momentum": 0.9}
    assert j["coefficients"]["beta_a"][0] is None and abs(j["coefficients"]["beta_a"][3] - 0.9) < 1e-12
    (m,) = j["matches"]
    assert m["method"] == "heavy-ball" and abs(m["hyperparameters"]["beta"] - 0.9) < 1e-12
    assert m["max_rel_deviation"] <= j["tolerance"]


def test_expect_exits_1_when_the_method_does_not_match(capsys):
    code, out, err = _cli(capsys, "identify", "torch.optim.SGD", "--set", "lr=0.1", "--expect", "lion")
    assert code == 1 and "matches no registered method" in out


@pytest.mark.parametrize("argv,words", [
    (["identify", "nosuchpkg.Opt"], "cannot import 'nosuchpkg'"),
    (["identify", "torch.optim.NoSuch"], "has no attribute 'NoSuch'"),
    (["identify", "os.path"], "not a torch.optim.Optimizer subclass"),
    (["identify", "torch.nn.Linear"], "not a torch.optim.Optimizer subclass"),
    (["identify", "torch.optim.SGD; rm"], "not an importable name"),
    (["identify", "torch.optim.SGD", "--set", "lr=__import__('os')"], "not a number"),
    (["identify", "torch.optim.SGD", "--set", "lr=1+1"], "not a number"),
    (["identify", "torch.optim.SGD", "--set", "momentom=0.9"], "did you mean momentum"),
    (["identify", "torch.optim.SGD", "--set", "lr"], "write NAME=VALUE"),
    (["identify", "torch.optim.SGD", "--set", "lr=-1"], "raises at construction"),
    (["identify", "torch.optim.SGD", "--steps", "2"], "--steps 2"),
    (["identify", "torch.optim.SGD", "--expect", "nosuch"], "--expect nosuch"),
    (["identify", "torch.optim.SGD", "--plot", "out.txt"], "unknown format"),
    (["identify", "torch.optim.SGD", "--shard", "1/2"], "use it with --all"),
    (["identify", "--all", "torch.optim", "--shard", "3/2"], "1 <= K <= N"),
    (["identify", "--all", "nosuchpkg"], "cannot import it"),
    (["identify", "--all", "json"], "exports no torch.optim.Optimizer"),
    (["identify"], "name an optimizer class"),
    (["merge", "/nonexistent.json"], "cannot read it"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv, words):
    code, out, err = _cli(capsys, *argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_set_values_are_parsed_strictly():
    from equivalences.app.commands.identify import parse_value

    assert parse_value("x", "0.9,0.99") == (0.9, 0.99)
    assert parse_value("x", "true") is True and parse_value("x", "False") is False
    assert parse_value("x", "50") == 50 and isinstance(parse_value("x", "50"), int)
    assert parse_value("x", "1e-3") == 1e-3 and parse_value("x", "9/10") == 0.9
    assert parse_value("x", "float64") == "float64" and parse_value("x", "none") is None


def test_merge_bad_json(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out, err = _cli(capsys, "merge", str(bad))
    assert code == 2 and "not JSON" in err
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"x": 1}]))
    code, out, err = _cli(capsys, "merge", str(other))
    assert code == 2 and "not an identify result" in err


# -- census ----------------------------------------------------------------------------------------------


class Sleepy(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self):
        time.sleep(60)


class Crashes(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self):
        os._exit(3)


def test_census_survives_hangs_and_crashes_and_shards_merge(tmp_path, capsys):
    here = __name__
    targets = ["torch.optim.SGD", f"{here}.Sleepy", f"{here}.Crashes", "torch.optim.LBFGS", "torch.optim.Adam"]
    start = time.perf_counter()
    shards = [C.census(C.shard(targets, k, 2), limit_s=3.0, match=False) for k in (1, 2)]
    assert time.perf_counter() - start < 30
    merged = C.merge(shards)
    by = {e["target"]: e for e in merged}
    assert set(by) == set(targets) and [e["target"] for e in merged] == sorted(targets)
    assert by["torch.optim.SGD"]["verdict"] == "in-family"
    assert by[f"{here}.Sleepy"]["verdict"] == "not-probed" and "time limit" in by[f"{here}.Sleepy"]["reason"]
    assert by[f"{here}.Crashes"]["verdict"] == "not-probed" and "died" in by[f"{here}.Crashes"]["reason"]
    assert by["torch.optim.LBFGS"]["reason"].startswith("needs a closure")
    assert by["torch.optim.Adam"]["verdict"] == "preconditioned"
    for e in merged:
        assert set(e) == KEYS
    # the same through verify merge
    paths = []
    for i, s in enumerate(shards):
        p = tmp_path / f"s{i}.json"
        p.write_text(json.dumps(s))
        paths.append(str(p))
    code, out, err = _cli(capsys, "merge", *paths, paths[0])
    assert code == 0 and json.loads(out) == merged


def test_shards_partition():
    items = list(range(11))
    parts = [C.shard(items, k, 3) for k in (1, 2, 3)]
    assert sorted(sum(parts, [])) == items


def test_census_of_torch_optim_exits_0(capsys):
    code, out, err = _cli(capsys, "identify", "--all", "torch.optim", "--json", "--limit", "10", "--no-match")
    assert code == 0, err
    entries = json.loads(out)
    verdicts = {e["target"]: e["verdict"] for e in entries}
    assert verdicts["torch.optim.SGD"] == "in-family" and verdicts["torch.optim.LBFGS"] == "not-probed"
    assert verdicts["torch.optim.AdamW"] == "not-in-family"  # decoupled weight decay 0.01 by default


def test_plot_writes_the_sequences_beside_the_matched_map(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "sgd.png"
    code, out, err = _cli(capsys, "identify", "torch.optim.SGD", "--set", "lr=0.1", "--set", "momentum=0.9",
                          "--expect", "heavy-ball", "--plot", str(path))
    assert code == 0, err
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, err = _cli(capsys, "identify", "torch.optim.LBFGS", "--plot", str(tmp_path / "x.png"))
    assert code == 2 and "no identified coefficients" in err


def test_matrix_parameter_shows_what_a_vector_hides():
    """LARS scales by norms only for matrices: in the family on a vector, coupled on a 4 x 4 matrix."""
    lars = pytest.importorskip("pytorch_optimizer").LARS
    assert identify(lars, {}, "pytorch_optimizer.LARS").verdict == "in-family"
    res = identify(lars, {}, "pytorch_optimizer.LARS", rows=4)
    assert res.verdict == "not-in-family" and res.reason.startswith("coupled coordinates")
    assert identify(torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}, "torch.optim.SGD", rows=4).verdict == "in-family"


def _delayed_gradient(p, group, state):
    """``w <- w - lr (g_t + g_(t-1))``: linear, order 2, but C_t != 0 with A_t = 0 -- not Eq. (1) as read."""
    p.sub_(group["lr"] * (p.grad + state.get("prev", torch.zeros_like(p))))
    state["prev"] = p.grad.clone()


DelayedGradient = elementwise("DelayedGradient", _delayed_gradient, lr=0.1)


def test_delayed_gradient_is_a_zero_pattern_witness():
    """``w <- w - lr (g_t + g_(t-1))``: order 2 fits with A_t = 0, C_t != 0 (no Eq. (1) reading); in H, column j-1
    vanishes below step j while column j does not (beta_j = 0), yet H[j, j-1] = eta_j beta_j = lr: a member would
    need |eta_j| beyond 1e8 (the bound is said)."""
    res = identify(DelayedGradient, {}, "DelayedGradient")
    assert res.verdict == "not-in-family", res.reason
    w = res.witness
    assert w.kind == "unbounded-eta" and w.row == w.column + 1 and w.bound >= 1e8 and abs(w.residual - 1) < 1e-12
    assert f"|eta_{w.row}| > " in res.reason


# -- zero patterns of eta_t: the order-2 premise fails, the gradient response decides ---------------------------


@pytest.mark.parametrize("cls,kw,scale", [
    (torch.optim.SGD, {"lr": 0.1, "momentum": 0.1}, 1.0),  # entries down to 0.1^15: below their uncertainty
    (torch.optim.SGD, {"lr": 0.1, "momentum": 0.99, "nesterov": True}, 1.0),
    (torch.optim.NAdam, {}, TINY),  # below epsilon, a momentum-decay schedule
])
def test_gradient_response_of_members_has_their_form(cls, kw, scale):
    """The H path on members (the verdict takes the recurrence's fast path for them): no witness, and Eq. (1) read
    off H replays a held-out probe; AggMo's H under the same fit has a witness (the test_two_momenta case)."""
    from numeric.identify import response as R

    d = P.Driver(cls, kw)
    gs = [scale * P.gaussian(T, 16, 10 + i) for i in range(2)]
    resp = R.fit_response(gs, [d.run(g).q for g in gs], T)
    g2 = scale * P.gaussian(T, 16, 1)
    q2 = d.run(g2).q
    reading = R.read(resp)
    assert R.witness(resp) is None and resp.residual <= F.tolerance(T)
    assert R.eq1_residual(reading, q2, g2) <= F.tolerance(T) < R.eq1_residual(reading, q2, g2,
                                                                             bump=R.control_step(reading))
    d = P.Driver(AggMo, {})
    gs = [P.gaussian(T, 16, 10 + i) for i in range(2)]
    assert R.witness(R.fit_response(gs, [d.run(g).q for g in gs], T)).kind == "rank"


def _eq1_idle(p, group, state):
    """Eq. (1) literally (m <- beta m + g, w <- w - eta_t m - alpha g) with eta_t = 0 at step ``idle``; ``lag``
    adds ``lag * g_(idle-1)`` to the move after it (a lagged gradient: outside Eq. (1))."""
    k = state.get("k", 0)
    m = state.setdefault("m", torch.zeros_like(p))
    m.mul_(group["beta"]).add_(p.grad)
    p.sub_((0.0 if k == group["idle"] else group["eta"]) * m + group["alpha"] * p.grad)
    if k == group["idle"] - 1:
        state["lagged"] = p.grad.clone()
    if group["lag"] and k == group["idle"] + 1:
        p.sub_(group["lag"] * state["lagged"])
    state["k"] = k + 1


Eq1Idle = elementwise("Eq1Idle", _eq1_idle, beta=0.9, eta=0.1, alpha=0.05, idle=3, lag=0.0)


def test_eq1_with_eta_zero_at_one_step_is_in_family():
    """The order-2 recurrence divides by eta_t and does not fit; H has Eq. (1)'s form and the coefficients come
    back, eta_3 = 0 included. The same class with a lagged gradient after that step is rejected, with a witness."""
    d = P.Driver(Eq1Idle, {})
    G = P.gaussian(T, 16, 0)
    assert F.fit_recurrence(d.run(G).q, G).residual > 1e6 * F.tolerance(T)  # the old premise: "not in the family"
    res = identify(Eq1Idle, {}, "Eq1Idle")
    assert res.verdict == "in-family" and res.control_rejected and "eta_a = 0 at steps k = 3 " in res.reason
    eta = np.where(np.arange(T - 1) == 3, 0.0, 0.1)
    assert np.max(np.abs(res.eq.eta - eta)) <= 1e-12 and np.max(np.abs(res.eq.alpha - 0.05)) <= 1e-12
    assert np.max(np.abs(res.eq.beta[1:] - 0.9)) <= 1e-12
    bad = identify(Eq1Idle, {"lag": 0.02}, "Eq1Idle")
    assert bad.verdict == "not-in-family" and bad.witness.kind == "rank" and bad.witness.column == 2
    assert abs(bad.witness.residual) > 1e6 * bad.tolerance


Lookahead = elementwise("Lookahead", lookahead, lr=0.1, momentum=0.0, k=5, alpha=0.5)


def test_lookahead_around_sgd_is_in_family():
    """Inside a window beta = 1 and eta = 0 (moves lr g_t), at a sync eta = -(1 - alpha) lr returns the window's sum,
    a restart at the next window; around heavy ball (the momentum carried across syncs) it is not a member."""
    res = identify(Lookahead, {}, "Lookahead")
    assert res.verdict == "in-family" and res.control_rejected, res.reason
    sync = np.arange(T - 1) % 5 == 4
    assert np.allclose(res.eq.eta[sync], -0.05, rtol=1e-12) and np.allclose(res.eq.alpha, 0.1, rtol=1e-12)
    assert np.all(res.eq.eta[~sync][1:] == 0) and np.all(res.eq.beta[np.arange(T - 1) % 5 == 0][1:] == 0)
    bad = identify(Lookahead, {"momentum": 0.9}, "Lookahead")
    assert bad.verdict == "not-in-family" and bad.witness.kind == "rank", bad.reason


def _started(p, group, state):
    """An EMA momentum whose buffer starts at the constant ``m0`` (as Yogi's initial accumulator)."""
    m = state.setdefault("m", torch.full_like(p, group["m0"]))
    m.mul_(0.9).add_(p.grad, alpha=0.1)
    p.sub_(group["lr"] * m)


StartedMomentum = elementwise("StartedMomentum", _started, lr=0.1, m0=1e-3)


def test_motion_under_zero_gradients_is_a_one_line_witness():
    res = identify(StartedMomentum, {}, "StartedMomentum")
    assert res.verdict == "not-in-family" and res.reason.startswith("moves under zero gradients")
    assert "step 0 moves coordinate 0 to -9.000e-05" in res.reason  # -lr * 0.9 * m0
    assert identify(StartedMomentum, {"m0": 0.0}, "StartedMomentum").verdict == "in-family"
    yogi = pytest.importorskip("pytorch_optimizer").Yogi
    assert identify(yogi, {}, "pytorch_optimizer.Yogi").reason.startswith("moves under zero gradients")


def _steady_switch(p, group, state):
    """Heavy ball whose rate, once the gradient is steady (equal to the last one), is set from all coordinates."""
    last = state.get("last")
    if last is not None and torch.equal(last, p.grad):
        group["lr"] = group["base"] / (1 + float(p.grad.abs().sum()))
    state["last"] = p.grad.clone()
    m = state.setdefault("m", torch.zeros_like(p))
    m.mul_(0.9).add_(p.grad)
    p.sub_(group["lr"] * m)


SteadySwitch = elementwise("SteadySwitch", _steady_switch, lr=0.1, base=0.1)


def test_switch_on_a_steady_gradient_is_coupling():
    """Gaussian gradients never trigger it (the class looks like heavy ball); a steady gradient does, and new values
    on half of the coordinates then move the other half. SWATS is of this kind."""
    res = identify(SteadySwitch, {}, "SteadySwitch")
    assert res.verdict == "not-in-family" and res.reason.startswith("coupled coordinates under a steady gradient")
    assert dict(res.probes)["coupling"] == 0.0
    swats = pytest.importorskip("pytorch_optimizer").SWATS
    assert identify(swats, {}, "pytorch_optimizer.SWATS").reason.startswith("coupled coordinates under a steady")


def test_idle_first_steps_are_eta_zero_in_the_preconditioned_family():
    """pytorch_optimizer's RAdam does not move for 5 steps, then Adam with rectification: at constant magnitude H
    has Eq. (1)'s form with eta_a = 0 there (identified at steps 1..4; step 0 is a restart, where only eta + alpha = 0
    is)."""
    radam = pytest.importorskip("pytorch_optimizer").RAdam
    res = identify(radam, {}, "pytorch_optimizer.RAdam")
    assert res.verdict == "preconditioned" and res.regime.startswith("g/|g|") and res.control_rejected
    assert np.all(res.eq.eta[:5] == 0) and np.all(res.eq.eta[5:] != 0) and "eta_a = 0 at steps k = 1..4 " in res.reason


def _momentum_sign_step(p, group, state):
    """``w <- w - lr |g_t| sign(m_t)``: a per-coordinate step, but against the momentum's sign, not the gradient's."""
    m = state.setdefault("m", torch.zeros_like(p))
    m.mul_(0.9).add_(p.grad)
    p.sub_(group["lr"] * p.grad.abs() * m.sign())


MomentumSignStep = elementwise("MomentumSignStep", _momentum_sign_step, lr=0.1)


def test_rprop_is_a_memoryless_per_coordinate_step():
    res = identify(torch.optim.Rprop, {}, "torch.optim.Rprop")
    assert res.verdict == "preconditioned" and res.reason.startswith("memoryless with a per-coordinate step")
    assert "scaling the gradients changes nothing" in res.reason and res.eq is None
    other = identify(MomentumSignStep, {}, "MomentumSignStep")
    assert other.verdict == "not-identified" and dict(other.probes)["every coordinate moves against its current "
                                                                   "gradient"] == 1.0


class PairsOnly(torch.optim.Optimizer):
    """Moves its parameters only two at a time (as LoRA factor pairs): a lone parameter stays."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        ps = self.param_groups[0]["params"]
        for a, b in zip(ps[::2], ps[1::2]):
            a.sub_(self.defaults["lr"] * a.grad * b.abs().mean())
            b.sub_(self.defaults["lr"] * b.grad * a.abs().mean())


def test_pairs_only_is_not_probed():
    res = identify(PairsOnly, {}, "PairsOnly")
    assert res.verdict == "not-probed" and res.reason.startswith("updates parameters only in pairs")
    still = identify(Sleepless, {}, "Sleepless")
    assert still.verdict == "not-identified" and "nor as one of two parameters" in still.reason


class Sleepless(torch.optim.Optimizer):
    """Never moves anything."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self):
        pass
