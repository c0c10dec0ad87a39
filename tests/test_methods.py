"""Every method of the paper: derived map against an independent hand derivation, proof, wrong maps rejected."""
import pytest
import sympy as sp

from equivalences import registry
from equivalences.algebra import is_zero, shift
from equivalences.prove import prove
from equivalences.system import StepSystem
from equivalences.symbols import t


NAMES = registry.names()
FIELDS = ("beta_a", "eta_a", "alpha_a")


def test_every_method_has_an_expectation():
    """Each method file carries its own hand-derived map (``EXPECTED``), written independently of the engine."""
    for name in NAMES:
        exp = registry.expected(name)
        assert exp is not None and set(exp) == set(FIELDS), name
        assert registry.get(name).key == name  # the file name is the key


@pytest.fixture(scope="module")
def derived(derivations):
    return {name: derivations[name].map for name in NAMES}


def matches_expectation(name, mp):
    want = registry.expected(name)
    return all(is_zero(getattr(mp, f) - want[f]) for f in FIELDS)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_derived_map_matches_hand_derivation(name, derived):
    mp, want = derived[name], registry.expected(name)
    for f in FIELDS:
        assert is_zero(getattr(mp, f) - want[f]), (name, f, getattr(mp, f), want[f])


@pytest.mark.parametrize("name", sorted(NAMES))
def test_proof_holds(name, derived):
    assert prove(registry.get(name), derived[name]).holds


@pytest.mark.parametrize("name", sorted(NAMES))
def test_query_points_follow_the_three_term_recurrence(name, derived):
    """Independent of the proof: for a linear method, q_{t+1} = q_t + A_t (q_t - q_{t-1}) - B_t u_t + C_t u_{t-1}
    with A_t = eta_t beta_t / eta_{t-1}, B_t = eta_t + alpha_t, C_t = A_t alpha_{t-1} (paper's Eq. (1))."""
    method, mp = registry.get(name), derived[name]
    if mp.post is not None:
        pytest.skip("a nonlinear Post: the recurrence holds for the direction, checked by the proof")
    system, q, u = StepSystem(method), method.query, method.input
    A = mp.eta_a * mp.beta_a / shift(mp.eta_a, -1)
    B = mp.eta_a + mp.alpha_a
    C = A * shift(mp.alpha_a, -1)
    assert is_zero(system.reduce(q(t + 1) - q(t) - A * (q(t) - q(t - 1)) + B * u(t) - C * u(t - 1)))


MUTATIONS = {
    "eta_a doubled": lambda mp: mp.replace(eta_a=2 * mp.eta_a),
    "alpha_a sign flipped": lambda mp: mp.replace(alpha_a=-mp.alpha_a - 1),
    "eta_a and alpha_a swapped": lambda mp: mp.replace(eta_a=mp.alpha_a, alpha_a=mp.eta_a),
    "beta_a off by a factor": lambda mp: mp.replace(beta_a=mp.beta_a * sp.Rational(1, 2) + sp.Rational(1, 3)),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("name", sorted(NAMES))
def test_wrong_maps_are_rejected(name, mutation, derived):
    mp = derived[name]
    bad = MUTATIONS[mutation](mp)
    if all(is_zero(getattr(bad, f) - getattr(mp, f)) for f in ("beta_a", "eta_a", "alpha_a")):
        pytest.skip("the mutation leaves this map unchanged")
    assert not prove(registry.get(name), bad).holds


def test_verify_all_in_process():
    from equivalences.app.pipeline import verify

    reports = [verify(n, steps=150, dim=8) for n in registry.names()]
    for r in reports:
        assert r.proved, r.method.key
        assert r.numeric.result.passed, (r.method.key, r.numeric.result.worst)
        assert r.numeric.control_rejected, r.method.key
        assert r.numeric.control.worst > 100 * r.numeric.result.tolerance, r.method.key


def test_paper_findings_per_method(derived):
    """Where the paper's printed statements fail, the tool says so and gives a proved correction."""
    from equivalences.claims import ClaimChecker

    def results(name):
        m = registry.get(name)
        ch = ClaimChecker(m, derived[name])
        return {c.ref: ch.check(c) for c in m.claims}

    mass = results("mass")["App. B.3, second rewritten equation"]
    assert not mass.holds and mass.correction_how == "index slip: g_t should read g_{t-1}"
    asgd = results("asgd")["App. B.2, second rewritten equation"]
    assert not asgd.holds and asgd.correction is not None  # gamma - (1 - beta) alpha delta should be gamma - delta
    agnes = results("agnes")
    assert all(r.holds for r in agnes.values())  # in the paper's setting (constant alpha, eta)
    nest = results("nesterov-sgd")["App. B.4 (implied beta_a)"]
    assert nest.holds and nest.holds_in_general is False  # needs a constant gamma_k
    mars = results("mars")
    assert not mars["§4.3, rewritten momentum (as printed, with q_t)"].holds
    assert mars["§4.3, rewritten momentum (as printed, with q_t)"].correction is not None
    assert mars["§4.3, rewritten update"].holds and mars["§4.3, rewritten update"].holds_in_general is False
    alg3 = results("accelerated-adamw")
    assert not alg3["Alg. 3, lines 2 and 5 as printed (g <- -grad, then w <- w - eta N)"].holds
    ade = results("ademamix")
    assert ade["§5.1 (AdEMAMix assigns a fixed weight of 1 to the current gradient)"].holds
    assert not ade["§4.4 (beta3 is the momentum coefficient of Eq. (1))"].holds


EMA_FILE = '''"""EMA momentum, a method added as one file in a plugin folder."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr", positive=True)

METHOD = Method(
    key="ema-momentum", name="EMA momentum (plugin folder)", reference="tests/test_methods.py", section="-",
    summary="SGD with an exponential moving average of the gradients", state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)

EXPECTED = {"beta_a": beta, "eta_a": lr * (1 - beta), "alpha_a": 0}
'''


def test_a_new_method_is_one_file_in_a_plugin_folder(tmp_path, monkeypatch, capsys):
    """Adding ema_momentum.py to a folder on OPTIMIZER_EQUIVALENCES_METHODS (and touching nothing else) makes
    `verify list` show it, after the built-in methods, and `verify ema-momentum` prove it; its own EXPECTED is
    checked like a built-in's, and a wrong EXPECTED is caught."""
    from equivalences.app.cli import main
    from equivalences.derivation import derivation

    (tmp_path / "ema_momentum.py").write_text(EMA_FILE)
    monkeypatch.setenv(registry.PATH_VARIABLE, str(tmp_path))
    assert registry.names() == NAMES + ["ema-momentum"]
    assert main(["list"]) == 0
    assert "ema-momentum" in capsys.readouterr().out
    assert main(["ema-momentum", "--no-numeric"]) == 0
    assert "ema-momentum: proved" in capsys.readouterr().out
    assert registry.get("ema-momentum") is registry.get("ema-momentum")  # imported once
    mp = derivation("ema-momentum").map
    assert matches_expectation("ema-momentum", mp)
    assert not matches_expectation("ema-momentum", mp.replace(eta_a=mp.eta_a * 2))
    monkeypatch.delenv(registry.PATH_VARIABLE)
    assert "ema-momentum" not in registry.names()


def test_plugin_folder_order_and_refusals(tmp_path, monkeypatch, capsys):
    """The order rule (ORDER first, then by name; built-in names are never replaced) and a misnamed file
    refused in one line."""
    from equivalences.app.cli import main

    body = EMA_FILE.replace('key="ema-momentum"', 'key="{key}"')
    for stem, order in (("zeta_mom", "ORDER = 1\n"), ("alpha_mom", ""), ("beta_mom", ""), ("heavy_ball", "")):
        (tmp_path / f"{stem}.py").write_text(order + body.replace("{key}", stem.replace("_", "-")))
    (tmp_path / "wrong_key.py").write_text(body.replace("{key}", "other-key"))
    monkeypatch.setenv(registry.PATH_VARIABLE, str(tmp_path))
    assert registry.names()[len(NAMES):] == ["zeta-mom", "alpha-mom", "beta-mom", "wrong-key"]
    assert registry.get("heavy-ball").name == "Heavy-ball momentum"  # the built-in wins
    assert main(["wrong-key", "--no-numeric"]) == 2
    err = capsys.readouterr().err
    assert "METHOD.key is 'other-key'" in err and len(err.strip().splitlines()) == 1
