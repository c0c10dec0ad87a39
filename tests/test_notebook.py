"""Results in a notebook: docs/example.ipynb runs in a kernel and shows HTML, LaTeX and Markdown for a report,
a conversion and an identification; reprs are one line; values are typed; API errors speak the API."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import nbformat
import pytest
import sympy as sp
from nbclient import NotebookClient

import equivalences
from equivalences.symbols import t
from equivalences.app.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _result(nb, last_line: str):
    """The rich output of the code cell whose last line is ``last_line``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.strip().splitlines()[-1] == last_line)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    return next(o for o in cell.outputs if o.output_type == "execute_result").data


def test_the_example_notebook_runs_and_shows_html_latex_and_markdown(capsys, monkeypatch, tmp_path):
    from equivalences.derivation import keep

    # the kernel reads the derivations this process holds from a cache (a hit is exactly a fresh derivation:
    # tests/test_cache.py); what it shows that is not computed yet, it computes
    monkeypatch.setenv("OPTIMIZER_EQUIVALENCES_CACHE", str(tmp_path))
    for name in ("schedule-free", "heavy-ball", "sgd-nesterov", "agnes"):
        keep(name)
    nb = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored without outputs
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    shown = {name: _result(nb, name) for name in ("report", "conversion", "result")}
    for name, data in shown.items():
        assert {"text/html", "text/latex", "text/markdown", "text/plain"} <= set(data), (name, set(data))
        assert data["text/plain"].startswith("<") and "\n" not in data["text/plain"], data["text/plain"]
        assert data["text/latex"].startswith("$\\displaystyle") and data["text/latex"].endswith("$")
        assert data["text/latex"].count("{") == data["text/latex"].count("}")
    report = shown["report"]
    here = equivalences.verify("schedule-free", numeric=False)  # the same report, in this process
    n, k = len(here.proof.identities), len(here.claims)
    assert report["text/plain"] == repr(here) == (f"<Report schedule-free: proved, {n}/{n} identities, "
                                                  f"{here.claims_holding}/{k} claims hold, no replay>")
    assert 0 < here.claims_holding < k  # the paper's misprints are counted, not hidden
    assert "<pre" in report["text/html"] and "Derived map to accelerated SGD" in report["text/html"]
    assert "\\beta_{a,t} &= \\frac{\\gamma_{t-1} \\left(1 - c_{t}\\right)}{\\gamma_{t}}" in report["text/latex"]
    conv = shown["conversion"]
    assert conv["text/plain"].startswith("<Conversion heavy-ball → sgd-nesterov: always")
    assert "\\mu &= \\beta \\quad (\\frac{9}{10} \\text{ at these values})" in conv["text/latex"]
    ident = shown["result"]
    assert ident["text/plain"] == "<Identification torch.optim.SGD: in-family, matches heavy-ball>"
    assert "verdict: " in ident["text/html"] and "in-family" in ident["text/html"]
    assert "0.9" in ident["text/latex"] and "\\beta_{a,k}" in ident["text/latex"]
    # typed values, and an error in the API's words
    typed = _result(nb, 'conversion.values["mu"], type(conversion.values["mu"]).__name__')
    assert typed["text/plain"] == "(9/10, 'Rational')"
    error = next(c for c in nb.cells if "beta=\\\"2\\\"" in c.source or 'beta="2"' in c.source).outputs[0]["text"]
    assert "beta=2 is outside its valid range" in error and "--set" not in error
    # report.show() prints what `verify schedule-free --no-numeric` prints (rich sends it as a display there)
    show = next(c for c in nb.cells if c.source.startswith("report.show("))
    printed = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in show.outputs)
    monkeypatch.setenv("COLUMNS", "100")
    capsys.readouterr()
    assert main(["schedule-free", "--no-numeric"]) == 0
    assert re.sub(r"\x1b\[[0-9;]*m", "", printed).strip() == capsys.readouterr().out.strip()  # colours aside


def test_reprs_are_one_line_and_say_the_verdict():
    report = equivalences.verify("heavy-ball", steps=60, dim=4)
    n, k = len(report.proof.identities), len(report.claims)
    assert repr(report) == f"<Report heavy-ball: proved, {n}/{n} identities, {k}/{k} claims hold, replay ✓>"
    from equivalences.registry import load_module

    aggmo = equivalences.verify(load_module(str(ROOT / "tests" / "data" / "aggmo.py")), numeric=False)
    assert repr(aggmo) == f"<Report {aggmo.method.key}: not an instance of Eq. (1)>"
    assert "Not an instance of Eq. (1)" in aggmo._repr_html_() and aggmo._repr_latex_().startswith("$")
    assert repr(report.map) == "<Map β_a = β, η_a = η_t, α_a = 0>"
    sf = equivalences.verify("schedule-free", numeric=False)
    held = next(c for c in sf.claims if c.holds)
    failed = next(c for c in sf.claims if not c.holds)
    assert repr(held).endswith(": holds as printed>") and repr(failed).startswith(f"<ClaimResult {failed.claim.ref}: ")
    assert "fails as printed; index slip" in repr(failed)
    assert max(len(repr(x)) for x in (sf, sf.map, held, failed)) < 200  # the dataclass dump was 9,077
    conv = equivalences.convert("qhm", "heavy-ball", nu="0.7", numeric=False)
    assert repr(conv) == "<Conversion qhm → heavy-ball: conditional, 2 hyperparameters; at nu=7/10: does not hold>"


def test_values_are_sympy_and_only_json_holds_strings():
    conv = equivalences.convert("heavy-ball", "sgd-nesterov", beta="0.9", lr="0.1", numeric=False)
    assert conv.values["mu"] == sp.Rational(9, 10) and isinstance(conv.values["lr(t)"], sp.Expr)
    assert conv.values["lr(t)"].subs(t, 1) == sp.Rational(1, 10)  # lr(t) = 1/(t + 9)
    assert isinstance(conv.hyperparameters["mu"], sp.Symbol)
    j = conv.to_json()
    assert j["values"] == {"mu": "9/10", "nesterov": "0", "tau(t)": "0", "lr(t)": "1/(t + 9)"}
    assert j["hyperparameters"]["mu"] == "beta"


def test_api_errors_speak_the_api_and_the_cli_speaks_the_cli(capsys):
    with pytest.raises(ValueError, match=r"^beta=2 is outside its valid range \[0, 1\]") as err:
        equivalences.convert("schedule-free", "agnes", beta="2")
    assert "--set" not in str(err.value)
    with pytest.raises(ValueError, match=r"^beta=2 is outside its valid range \[0, 1\)") as err:
        equivalences.verify("heavy-ball", hyperparameters={"beta": "2"}, numeric=False)
    assert "--set" not in str(err.value)
    again = pickle.loads(pickle.dumps(err.value))  # from a worker process, still worded per caller
    from equivalences.app.commands.check import CLI_WORDS

    assert again.template == err.value.template and again.in_words(CLI_WORDS) == err.value.in_words(CLI_WORDS)
    assert main(["convert", "schedule-free", "--to", "agnes", "--set", "beta=2"]) == 2
    assert "error: --set beta=2 is outside its valid range" in capsys.readouterr().err
    assert main(["heavy-ball", "--set", "beta=2", "--no-numeric"]) == 2
    assert "error: beta=2 is outside its valid range" in capsys.readouterr().err


def test_the_convert_function_survives_importing_the_convert_module():
    from equivalences.convert import Conversion  # the module the notebook views import

    assert callable(equivalences.convert) and not isinstance(equivalences.convert, type(pickle))
    assert isinstance(equivalences.convert("heavy-ball", "sgd-nesterov", numeric=False), Conversion)
