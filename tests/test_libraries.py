"""Real optimizer libraries in lockstep with Eq. (1): every adapter agrees to 1e-10 over 500 float64 steps at
its mapped settings (defaults and non-defaults), its negative control is rejected in the same run, and every
documented difference shows.  Each library is skipped when it is not installed."""
import pytest

from equivalences.app.cli import main
from numeric.libraries import TOLERANCE, adapters, run

CASES = [(a, s) for a in adapters() for s in a.settings]


@pytest.mark.parametrize("adapter,setting", CASES, ids=[f"{a.target}[{s.name}]" for a, s in CASES])
def test_adapter(adapter, setting):
    pytest.importorskip(adapter.package.split(".")[0])
    r = run(adapter, setting, steps=500, dim=8)
    if setting.expect == "exact":
        assert r.error is None, r.error
        assert r.worst <= TOLERANCE, (r.deviation, r.deviation_eval)
        assert r.control > 1e3 * TOLERANCE, r.control_name
    else:
        assert r.as_expected, (setting.note, r.worst)


def test_every_adapter_has_exact_defaults_and_non_defaults():
    for a in adapters():
        exact = [s for s in a.settings if s.expect == "exact"]
        assert len(exact) >= 2, a.target
        assert any(s.kwargs for s in exact), a.target


def test_against_unknown_class_is_a_one_line_usage_error(capsys):
    assert main(["schedule-free", "--against", "os.system"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no adapter" in err


def test_against_wrong_method_names_the_right_one(capsys):
    pytest.importorskip("lion_pytorch")
    assert main(["schedule-free", "--against", "lion_pytorch.Lion"]) == 2
    assert "verify lion --against lion_pytorch.Lion" in capsys.readouterr().err


def test_against_json(capsys):
    pytest.importorskip("lion_pytorch")
    import json

    assert main(["lion", "--against", "lion_pytorch.Lion", "--json", "--steps", "500", "--dim", "8"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"].startswith("maps with caveat") and out["control_rejected"]
    assert out["max_rel_deviation"] <= TOLERANCE


def test_heavyball_eager_switch_is_restored_and_mars_gamma_is_swapped():
    """heavyball: torch.compile is off only during a run; MARS's coefficient is the library's (swapped) one."""
    pytest.importorskip("heavyball")
    from heavyball import utils

    from numeric.libraries import heavyball_pkg as H

    saved = utils.compile_mode
    with H.eager():
        assert utils.compile_mode is None
    assert utils.compile_mode == saved
    kw = {"mars": True, "mars_gamma": 0.0025, "betas": (0.9, 0.99)}
    a = H.mars_gamma(kw) * 0.9 / (1 - 0.9)  # our c_t coefficient gamma beta1 / (1 - beta1)
    assert abs(a - 0.0025 * 0.9 / (1 - 0.0025)) < 1e-15  # = the library's mars_gamma beta1 / (1 - mars_gamma)
