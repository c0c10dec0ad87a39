"""Malformed declarations and flag combinations: one line naming the problem, exit 2 -- or, where the request
means something, it works (a cumulative schedule written as a Sum, --set with --against, --module with --against).

Table-driven over the corpus tests/data/broken/*.py; the CLI runs in-process (``equivalences.app.cli.main``)."""
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from equivalences import registry
from equivalences.claims import ClaimChecker
from equivalences.app.cli import main
from equivalences.declare import Claim
from equivalences.derive import derive
from equivalences.symbols import K_a, t
from equivalences.validate import DeclarationProblem, check

DATA = Path("tests/data")
BROKEN = DATA / "broken"

# file in tests/data/broken -> words the one-line error must contain (the field, the problem, the fix)
CASES = {
    "query_reads_its_own_gradient": ["query y reads g(t), the gradient taken at y itself", "implicit step",
                                     "calls=((x, g1), (y, g2))"],
    "schedule_default_list": ["default of eta", "Python list", "sympy expression of t"],
    "schedule_default_float": ["default of eta", "float 0.1", "sp.Rational(1, 10)"],
    "constant_default_missing": ["beta has no default value", "defaults={beta:"],
    "schedule_default_missing": ["eta has no default value", "defaults={eta:"],
    "constant_default_symbolic": ["default of beta is 1 - b", "finite real number"],
    "constant_default_list": ["default of beta", "Python list", "--sweep"],
    "default_outside_domain": ["beta = 3/2", "outside its domain (0, 1)", "fix the default or the domain"],
    "defaults_unknown_key": ["defaults gives omega", "add it to constants or remove it"],
    "schedule_default_unknown_symbol": ["default of eta uses lr0", "not declared", "add lr0 to constants"],
    "sum_to_infinity": ["sums to infinity", "(k, 1, t)"],
    "sum_over_t": ["sums over t", "another index"],
    "domain_not_a_set": ["domain[beta]", "not a sympy set", "sp.Interval"],
    "domain_of_schedule": ["domain key eta", "schedule", "parameters"],
    "domain_symbolic_bound": ["domain[beta]", "depends on beta", "numeric bounds"],
    "init_missing_state": ["init leaves out m", "m(1): 0"],
    "init_wrong_step": ["init gives w(0)", "t0 = 1"],
    "init_not_multiple": ["init[m(1)]", "not a multiple of theta_0"],
    "update_of_definition": ["updates y(t + 1)", "y is not a state variable (a definition)", "add y to state"],
    "update_twice": ["m is updated twice", "one equation per state variable"],
    "update_missing": ["no update for w", "sp.Eq(w(t + 1), ...)"],
    "update_not_equation": ["update 2", "not an equation", "sp.Eq"],
    "update_same_step": ["left side is m(t)", "m(t + 1)"],
    "update_identical_sides": ["update 1 is True", "identical"],
    "update_future_gradient": ["reads the gradient g(t + 1)", "g(t) and older gradients only"],
    "update_unknown_symbol": ["update of w uses lr", "not declared", "add lr to constants"],
    "update_unknown_function": ["update of w uses h(t)", "not declared", "declare h"],
    "update_uses_later_state": ["update of m uses w(t + 1)", "not known yet", "put the update of w first"],
    "definition_cycle": ["cycle", "y -> z -> y"],
    "query_not_declared": ["query q", "not a state variable or a definition"],
    "query_applied": ["query is w(t)", "give the function w itself"],
    "evaluate_schedule": ["evaluate eta is a schedule", "not a state variable or a definition"],
    "state_as_symbol": ["state: the symbol w", "state('z x')"],
    "constants_not_tuple": ["constants is a Symbol, not a tuple", "(beta,)"],
    "constant_is_function": ["constants: the function eta", "belongs in schedules"],
    "schedule_is_symbol": ["schedules: the symbol beta", "belongs in constants"],
    "name_clash": ["'w' is declared in both state and constants", "its own name"],
    "reserved_name": ["'beta_a' is reserved", "rename it"],
    "t0_not_int": ["t0 = 1.0", "integer"],
    "key_with_spaces": ["key 'my broken method'", "without spaces"],
    "transform_unknown_kind": ["transform P", "unknown kind 'adagrad'", "sign, adam"],
    "transform_missing_params": ["transform P (adam) has no beta2, eps", "'beta2': ..."],
    "transform_param_unknown": ["params['beta2'] uses beta2", "not declared"],
    "transform_not_declared": ["uses P(t, m(t + 1))", "not declared", "pre/posts"],
    "transform_one_argument": ["transform P(m(t + 1)) takes two arguments", "P(t, ...)"],
    "posts_not_transform": ["posts: the function P is not a Transform"],
    "posts_integer": ["posts: the int 1 is not a Transform"],
    "input_without_pre": ["input u", "declare pre=Transform"],
    "pre_with_raw_gradient": ["pre P is declared", "input=u"],
    "claim_unknown_symbol": ["claim 'folklore'", "uses betta", "not declared"],
    "claim_unknown_function": ["claim 'folklore'", "uses q(t)", "not declared"],
    "claim_text": ["claim 'folklore' rhs is given as text", "never evaluated"],
    "claim_assume_unknown": ["assume key gamma", "not a constant or schedule"],
    "claim_not_a_claim": ["claims: item 1", "Claim(ref, lhs, rhs)"],
    "own_step_symbol": ["update of w uses a symbol t of its own", "from equivalences.symbols import t"],
    "claim_own_step_symbol": ["claim 'folklore' (lhs) uses a symbol t of its own", "import it"],
    "paper_setting_unknown": ["paper_setting key gamma", "not a constant or schedule"],
}


def _one_line_error(capsys, argv) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, (argv, code, err)
    assert len(lines) == 1 and lines[0].startswith("verify: error: "), err
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


def test_the_corpus_is_covered():
    files = {p.stem for p in BROKEN.glob("*.py")}
    assert files == set(CASES) and len(files) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_declaration_is_one_line_exit_2(name, capsys):
    line = _one_line_error(capsys, ["--module", str(BROKEN / f"{name}.py"), "--no-numeric"])
    assert f"--module {BROKEN / name}.py: " in line
    for words in CASES[name]:
        assert words in line, (name, words, line)


@pytest.mark.parametrize("name", registry.MODULES)
def test_every_builtin_declaration_passes_the_checks(name):
    check(registry.get(name))


@pytest.mark.parametrize("name", ["ema_momentum", "sgd_momentum_user", "cumulative_schedule"])
def test_the_valid_user_modules_pass_the_checks(name):
    check(registry.load_module(str(DATA / f"{name}.py")))


def test_a_broken_builtin_is_refused_too():
    """The same checks run on any Method, e.g. a built-in with a field broken after the fact."""
    sf = registry.get("schedule-free")
    with pytest.raises(DeclarationProblem, match="init leaves out x"):
        check(replace(sf, init={k: v for k, v in sf.init.items() if k.func.__name__ != "x"}))


# -- flag combinations ------------------------------------------------------------------------------

FLAGS = [
    (["list", "--set", "beta=1"], "--set does not apply to 'verify list'"),
    (["list", "--module", f"{DATA}/ema_momentum.py"], "does not apply to 'verify list'"),
    (["schedule-free", "--no-numeric", "--sweep", "4"], "--sweep 4 sets the numeric replay"),
    (["schedule-free", "--no-numeric", "--steps", "3"], "--steps 3 sets the numeric replay"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--dtype", "float32"], "--dtype float32 does not apply to --against"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--sweep", "8"], "--sweep 8 does not apply to --against"),
    (["libraries", "--grid", "3"], "--grid does not apply to 'verify libraries'"),
    (["libraries", "--set", "lr=1"], "--set does not apply to 'verify libraries'"),
    (["libraries", "--module", f"{DATA}/ema_momentum.py"], "--module does not apply to 'verify libraries'"),
    (["all", "--against", "torch.optim.SGD"], "one method with one class"),
    (["--against", "torch.optim.SGD"], "--against needs a method"),
    # --set with --against names the class's constructor arguments
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "mu=0.5"], "has no argument 'mu' (mu is sgd-nesterov's name)"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "lr"], "write NAME=VALUE"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "lr=abc"], "not a finite number"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "nesterov=maybe"], "nesterov=true or nesterov=false"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "momentum=1.5"], "mu = 1.5, outside its valid range [0, 1)"),
    (["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "lr=-1"], "torch.optim.SGD refuses it: ValueError"),
    (["simplified-ademamix", "--against", "torch.optim.Adam", "--set", "betas=0.8"], "betas takes 2 numbers"),
    # --module with --against: the adapter's names must exist in the user's method
    (["--module", f"{DATA}/ema_momentum.py", "--against", "torch.optim.SGD"], "your METHOD has no mu, nesterov, tau"),
    (["lion", "--module", f"{DATA}/sgd_momentum_user.py", "--against", "torch.optim.SGD"], "declares 'my-sgd', not 'lion'"),
]


@pytest.mark.parametrize("argv,words", FLAGS, ids=[" ".join(a) for a, _ in FLAGS])
def test_flag_combination_is_one_line_exit_2(argv, words, capsys):
    assert words in _one_line_error(capsys, argv)


# -- make it work: --set with --against, --module with --against ------------------------------------


def _library_json(capsys, argv):
    code = main(argv + ["--json", "--steps", "60", "--dim", "8"])
    return code, json.loads(capsys.readouterr().out)


def test_set_with_against_reaches_the_library_class(capsys):
    code, row = _library_json(capsys, ["sgd-nesterov", "--against", "torch.optim.SGD",
                                       "--set", "lr=0.02", "--set", "momentum=0.5", "--set", "nesterov=true"])
    assert code == 0 and len(row["settings"]) == 1
    s = row["settings"][0]
    assert s["name"] == "--set lr=0.02 momentum=0.5 nesterov=true"
    assert (s["arguments"]["lr"], s["arguments"]["momentum"], s["arguments"]["nesterov"]) == (0.02, 0.5, True)
    assert s["as_expected"] and s["max_rel_deviation_query"] < 1e-12 and s["control_deviation"] > 1e-6


def test_set_with_against_can_make_the_class_differ(capsys):
    """A term outside Eq. (1) set on the command line shows in the replay: the value reached the class."""
    code, row = _library_json(capsys, ["sgd-nesterov", "--against", "torch.optim.SGD", "--set", "weight_decay=0.01"])
    assert code == 1 and row["status"].startswith("differs")
    assert row["settings"][0]["arguments"]["weight_decay"] == 0.01
    assert row["settings"][0]["max_rel_deviation_query"] > 1e-6


def test_module_with_against_replays_the_users_own_map(capsys):
    code, row = _library_json(capsys, ["--module", f"{DATA}/sgd_momentum_user.py", "--against", "torch.optim.SGD",
                                       "--set", "momentum=0.7", "--set", "dampening=0.5"])
    assert code == 0 and row["method"] == "my-sgd"
    assert row["settings"][0]["max_rel_deviation_query"] < 1e-12


def test_module_with_against_rejects_a_wrong_user_declaration(capsys, tmp_path):
    """The same file without the dampening factor: the real class (dampening 0.5) no longer agrees."""
    text = (DATA / "sgd_momentum_user.py").read_text()
    assert "(1 - tau(t)) * g(t)" in text
    wrong = tmp_path / "wrong_sgd.py"
    wrong.write_text(text.replace("(1 - tau(t)) * g(t)", "g(t)"))
    code, row = _library_json(capsys, ["--module", str(wrong), "--against", "torch.optim.SGD",
                                       "--set", "momentum=0.7", "--set", "dampening=0.5"])
    assert code == 1 and row["status"].startswith("differs")


def test_integer_constructor_argument(capsys):
    pytest.importorskip("schedulefree")
    assert "integer argument" in _one_line_error(
        capsys, ["schedule-free", "--against", "schedulefree.SGDScheduleFree", "--set", "warmup_steps=2.5"])


# -- make it work: a cumulative schedule written as a Sum ----------------------------------------------


def test_sum_schedule_proves_and_replays(capsys):
    code = main(["--module", f"{DATA}/cumulative_schedule.py", "--steps", "120", "--dim", "8", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["proof"]["holds"]
    assert report["numeric"]["passed"] and report["numeric"]["control_rejected"]


def test_sum_schedule_sweeps(capsys):
    code = main(["--module", f"{DATA}/cumulative_schedule.py", "--steps", "60", "--dim", "4", "--sweep", "6", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["numeric"]["sweep"]["configs"] >= 1 and "r" in report["numeric"]["sweep"]["sampled"]


def _tabulate(expr, values=None, steps=range(1, 41)):
    from numeric.compile import Config, tabulate

    values = {s: np.asarray(v, dtype=float) for s, v in (values or {}).items()}
    return tabulate(expr, Config(values, {}), np.asarray(list(steps)))


K, J = sp.symbols("k j", integer=True)


def test_sum_tables_are_the_sums():
    ts = np.arange(1, 41, dtype=float)
    np.testing.assert_array_equal(_tabulate(sp.Sum(K, (K, 1, t)))[:, 0], ts * (ts + 1) / 2)
    np.testing.assert_allclose(_tabulate(sp.Sum(t - K, (K, 1, t)))[:, 0], ts * (ts - 1) / 2)  # terms depend on t
    np.testing.assert_allclose(_tabulate(sp.Sum(sp.Sum(J, (J, 1, K)), (K, 1, t)))[:, 0], ts * (ts + 1) * (ts + 2) / 6)
    np.testing.assert_array_equal(_tabulate(sp.Sum(K, (K, t + 1, t)))[:, 0], 0)  # an empty sum
    r = sp.Symbol("r")
    got = _tabulate(sp.Sum(K ** r, (K, 1, t + 1)), {r: [0.5, 2.0]})
    want = np.array([[sum(k ** p for k in range(1, n + 2)) for p in (0.5, 2.0)] for n in range(1, 41)])
    np.testing.assert_allclose(got, want, rtol=1e-14)
    assert not np.allclose(_tabulate(sp.Sum(K, (K, 1, t - 1)))[:, 0], ts * (ts + 1) / 2)  # the check can fail


# -- claims may state K --------------------------------------------------------------------------------


def test_claims_may_state_K():
    """Lion: w_(t+1) = w_t - eta_t sign(...), so K_t = eta_t; a claim K_t = 2 eta_t fails and is corrected."""
    lion = registry.get("lion")
    eta = lion.hyperparameter("eta")
    method = replace(lion, claims=(Claim("K", K_a(t), eta(t)), Claim("K next", K_a(t + 1), eta(t + 1)),
                                   Claim("K doubled", K_a(t), 2 * eta(t))))
    check(method)
    checker = ClaimChecker(method, derive(method))
    true, shifted, false = (checker.check(c) for c in method.claims)
    assert true.holds and shifted.holds
    assert not false.holds and false.residual == -eta(t)
    assert false.correction == (K_a(t), eta(t)) and "derived" in false.correction_how


def test_K_is_one_without_a_transform():
    hb = registry.get("heavy-ball")
    method = replace(hb, claims=(Claim("K = 1", K_a(t), 1), Claim("K = 2", K_a(t), 2)))
    checker = ClaimChecker(method, derive(method))
    assert [checker.check(c).holds for c in method.claims] == [True, False]


def test_K_prints_as_K_t():
    from equivalences.printing import text

    assert re.fullmatch(r"K_t", text(K_a(t)))


# -- junk in every field: refused in one line or accepted, never a crash ----------------------------------

JUNK = [None, 1, 1.5, float("nan"), "x", [], {}, (), sp.Symbol("zz"), sp.Function("ff"), sp.Function("ff")(t),
        sp.Interval(0, 1), sp.S.true, sp.oo, sp.nan, t, sp.Sum(t, (t, 1, 3))]


def test_junk_in_any_field_is_refused_cleanly():
    """Every field of a valid user method, and every entry of its dicts and updates, replaced by junk: the loader
    either accepts it or raises BadModule (one line) -- no other exception reaches the user."""
    import dataclasses

    base = registry.load_module(str(DATA / "sgd_momentum_user.py"))
    variants = [{f.name: j} for f in dataclasses.fields(base) for j in JUNK]
    for field in ("defaults", "domain", "init", "define"):
        variants += [{field: {**getattr(base, field), k: j}} for k in getattr(base, field) for j in JUNK]
    variants += [{"updates": base.updates[:i] + (j,) + base.updates[i + 1:]} for i in range(2) for j in JUNK]
    refused = 0
    for change in variants:
        try:
            registry.checked(replace(base, **change), "--module x.py")
        except registry.BadModule as err:
            refused += 1
            assert "\n" not in str(err) and "could not be checked" not in str(err), (change, err)
    assert refused > 0.8 * len(variants)


def test_module_outside_the_family_against_a_class(capsys, tmp_path):
    text = (DATA / "sgd_momentum_user.py").read_text()
    nonlinear = tmp_path / "nonlinear_sgd.py"
    nonlinear.write_text(text.replace("lr(t) * d(t))", "lr(t) * d(t) * d(t))"))
    line = _one_line_error(capsys, ["--module", str(nonlinear), "--against", "torch.optim.SGD"])
    assert "not an instance of Eq. (1)" in line and "no map to replay" in line
