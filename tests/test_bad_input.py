"""Bad input everywhere a user reaches: exit code 2, one line naming the problem (and the fix), no traceback.

Table-driven; the CLI runs in-process (``equivalences.app.cli.main``)."""
import pytest
import torch

from equivalences.app.cli import main

DATA = "tests/data"

# (arguments, text the one-line error must contain)
CASES = [
    # unknown names, with close matches
    (["schedul-free"], "did you mean 'schedule-free'"),
    (["heavy_bal"], "did you mean 'heavy-ball'"),
    (["zzzz"], "verify list"),
    (["mutations", "lionn"], "did you mean 'lion'"),
    ([], "name a method"),
    (["--json", "mutations"], "put it first"),
    # hyperparameters via --set
    (["schedule-free", "--set", "beta=1.5"], "outside its valid range"),
    (["heavy-ball", "--set", "beta=1"], "outside its valid range"),  # beta < 1 is required there
    (["schedule-free", "--set", "lr=0"], "outside its valid range"),
    (["schedule-free", "--set", "lr=-0.1"], "outside its valid range"),
    (["schedule-free", "--set", "beta=nan"], "not a finite number"),
    (["schedule-free", "--set", "beta=inf"], "not a finite number"),
    (["schedule-free", "--set", "beta=-inf"], "not a finite number"),
    (["schedule-free", "--set", "beta=abc"], "not a finite number"),
    (["schedule-free", "--set", "beta="], "not a finite number"),
    (["schedule-free", "--set", "beta=1/0"], "not a finite number"),
    (["schedule-free", "--set", "beta=2**3"], "not a finite number"),
    (["schedule-free", "--set", "beta=__import__('os')"], "not a finite number"),
    (["schedule-free", "--set", "lr=1e999999999"], "exponents up to"),
    (["schedule-free", "--set", "beta"], "NAME=VALUE"),
    (["schedule-free", "--set", "beta=a\nb"], "not a finite number"),
    (["schedule-free", "--set", "be\nta=1"], "has no constant"),
    (["--module", "tests/data/x\ny.py"], "no such file"),
    (["schedule-free", "--set", "=0.9"], "the name is missing"),
    (["schedule-free", "--set", "omega=1"], "has no constant 'omega'"),
    (["schedule-free", "--set", "c=1"], "is a schedule"),
    (["all", "--set", "beta=0.5"], "name it instead of 'all'"),
    # values on a degenerate set of the map are no usage error: the verdict is about them (tests/test_response.py)
    # a value that makes a coefficient overflow within the run
    (["schedule-free", "--set", "lr=1e400"], "not finite"),
    # a diverging run: both forms together (agreement), but no evidence
    (["schedule-free", "--set", "lr=1e6", "--steps", "100"], "diverged"),
    # run-size options
    (["schedule-free", "--steps", "0"], "--steps 0"),
    (["schedule-free", "--steps", "-5"], "--steps -5"),
    (["schedule-free", "--steps", "10000000000"], "--steps"),
    (["schedule-free", "--steps", "many"], "invalid int value"),
    (["schedule-free", "--dim", "0"], "--dim 0"),
    (["schedule-free", "--dim", "-3"], "--dim -3"),
    (["schedule-free", "--dim", "999999999999"], "--dim"),
    (["schedule-free", "--seed", "-1"], "--seed -1"),
    (["schedule-free", "--seed", str(2 ** 63)], "--seed"),
    (["schedule-free", "--seed", "abc"], "invalid int value"),
    (["schedule-free", "--sweep", "-1"], "--sweep"),
    (["schedule-free", "--grid", "1"], "--grid"),
    (["schedule-free", "--sweep", "4", "--grid", "3"], "choose one"),
    (["schedule-free", "--device", "tpu"], "--device tpu"),
    (["schedule-free", "--dtype", "float16"], "invalid choice"),
    (["schedule-free", "--problem", "rosenbrock"], "invalid choice"),
    (["schedule-free", "--bogus"], "unrecognized arguments"),
    (["mutations", "--steps", "0"], "--steps 0"),
    (["mutations", "lion", "--seed", "-2"], "--seed -2"),
    # user-declared methods
    (["--module", f"{DATA}/missing.py"], "no such file"),
    (["--module", f"{DATA}/README"], "give a Python file"),
    (["--module", f"{DATA}/bad_no_method.py"], "defines no METHOD"),
    (["--module", f"{DATA}/bad_not_a_method.py"], "not an equivalences.declare.Method"),
    (["--module", f"{DATA}/bad_import.py"], "importing it failed (line 4): NameError"),
    (["--module", f"{DATA}/bad_declaration.py"], "is not a state variable"),
    (["--module", f"{DATA}/bad_text_values.py"], "text is never evaluated"),
    (["lion", "--module", f"{DATA}/ema_momentum.py"], "declares 'ema-momentum', not 'lion'"),
    (["mutations", "--module", f"{DATA}/bad_no_method.py"], "defines no METHOD"),
]
if not torch.cuda.is_available():
    CASES.append((["schedule-free", "--device", "cuda"], "no CUDA GPU"))
    CASES.append((["schedule-free", "--device", "cuda:0", "--dtype", "float32"], "no CUDA GPU"))


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a)[:60] or "(none)" for a, _ in CASES])
def test_bad_input_is_one_clean_line(args, message, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert message in err, err
    assert "Traceback" not in err + out
    assert err.count("\n") == 1 and err.startswith("verify"), err


def test_a_degenerate_value_that_keeps_the_map_valid_is_a_note_not_an_error(capsys):
    """Schedule-Free at beta = 0 (SGD with averaging): eta_a = 0 there, so beta_a is arbitrary; the map still
    holds, the run passes, the negative control is one that still bites, and a note says what happened."""
    assert main(["schedule-free", "--set", "beta=0", "--steps", "100", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "note: β = 0" in err and "one of many" in err and "Traceback" not in err
    import json

    rep = json.loads(out)
    assert rep["numeric"]["control_rejected"] and rep["notes"]
    assert rep["numeric"]["control"]["perturbation"] == "beta_a 1% too small"


def test_user_module_verifies_and_survives_its_mutants(capsys):
    assert main(["--module", f"{DATA}/ema_momentum.py", "--steps", "100", "--json"]) == 0
    import json

    rep = json.loads(capsys.readouterr().out)
    assert rep["method"] == "ema-momentum" and rep["proof"]["holds"] and rep["numeric"]["passed"]
    assert main(["mutations", "--module", f"{DATA}/ema_momentum.py", "--json", "--steps", "60"]) == 0
    suite = json.loads(capsys.readouterr().out)
    assert suite["symbolic"]["caught"] == suite["symbolic"]["tried"] > 0
    assert suite["numeric"]["caught"] == suite["numeric"]["tried"] > 0


def test_set_values_are_never_evaluated(monkeypatch):
    """--set goes through the strict number parser only: sympify must never see a user string."""
    import sympy as sp

    from equivalences.app.pipeline import parse_overrides
    from equivalences import registry

    calls = []
    real = sp.sympify

    def spy(a, *args, **kw):
        if isinstance(a, str):
            calls.append(a)
        return real(a, *args, **kw)

    monkeypatch.setattr(sp, "sympify", spy)
    out = parse_overrides(registry.get("schedule-free"), {"beta": "0.9", "lr": "1e-2", "T_w": "30"})
    assert {k.name: v for k, v in out.items()} == {"beta": sp.Rational(9, 10), "lr": sp.Rational(1, 100), "T_w": 30}
    assert calls == []


class _EntryPoint:
    """Stands in for an installed package's entry point in the group optimizer_equivalences.methods."""

    def __init__(self, name, value, load):
        self.name, self.value, self._load = name, value, load

    def load(self):
        return self._load()


def test_installed_plugins_are_found_and_their_errors_are_one_line(monkeypatch, capsys):
    import importlib.metadata

    from equivalences import registry

    def broken():
        raise ImportError("No module named 'my_package'")

    plugins = [
        _EntryPoint("ema-plugin", "tests.data.ema_momentum", lambda: registry.load_module(f"{DATA}/ema_momentum.py")),
        _EntryPoint("broken-plugin", "my_package.method", broken),
        _EntryPoint("dict-plugin", "my_package.other", lambda: {"METHOD": 1}),
    ]
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [p for p in plugins if group == registry.ENTRY_POINTS])
    assert {"ema-plugin", "broken-plugin", "dict-plugin"} <= set(registry.names())
    assert main(["ema-plugin", "--no-numeric", "--json"]) == 0
    capsys.readouterr()
    for name, message in (("broken-plugin", "failed to import: ImportError"), ("dict-plugin", "not an equivalences")):
        assert main([name, "--no-numeric"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err
