"""The CLI as a user meets it: exit codes, JSON schema, clean errors."""
import contextlib
import io
import json
import os
import subprocess
import sys

import pytest
import torch

from equivalences.app.cli import main


def run(*args):
    """``verify ARGS`` in process (the CLI's own entry point), 100 columns wide."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _columns(100):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _columns(n):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(n)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def test_verify_schedule_free_json_schema():
    code, out, err = run("schedule-free", "--json", "--steps", "200")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["schema"] == "optimizer-equivalences/report/v1"
    assert rep["method"] == "schedule-free"
    assert set(rep["map"]) >= {"beta_a", "eta_a", "alpha_a"}
    from equivalences import parse

    assert parse(rep["map"]["eta_a"]) - parse("beta*c(t + 1)*gamma(t)") == 0
    assert rep["proof"]["holds"] is True
    assert all({"ref", "holds", "residual"} <= set(c) for c in rep["paper_claims"])
    assert any(not c["holds"] for c in rep["paper_claims"])
    num = rep["numeric"]
    assert num["passed"] is True and num["control_rejected"] is True
    assert num["max_rel_deviation"] <= num["tolerance"]
    assert num["control"]["max_rel_deviation"] > num["tolerance"]


def test_human_report_exit_code_and_content():
    code, out, err = run("schedule-free", "--steps", "100")
    assert code == 0, err
    assert "proved and confirmed numerically" in out
    assert "β_{a,t} = (1 - c_t)*γ_{t-1}/γ_t" in out
    assert "index slip" in out


def test_list():
    code, out, _ = run("list", "--json")
    assert code == 0
    assert "schedule-free" in [r["method"] for r in json.loads(out)]


def test_strict_paper_fails_on_printed_errors():
    assert main(["schedule-free", "--no-numeric", "--strict-paper", "--json"]) == 1
    assert main(["schedule-free", "--no-numeric", "--json"]) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["schedul-free"], "did you mean 'schedule-free'"),
        (["adamw-nonsense"], "verify list"),
        (["schedule-free", "--steps", "0"], "--steps 0"),
        (["schedule-free", "--steps", "-5"], "--steps -5"),
        (["schedule-free", "--steps", "10000000000"], "--steps"),
        (["schedule-free", "--set", "beta=1.5"], "outside its valid range"),
        (["schedule-free", "--set", "beta=nan"], "not a finite number"),
        (["schedule-free", "--set", "beta=abc"], "not a finite number"),
        (["schedule-free", "--set", "beta"], "NAME=VALUE"),
        (["schedule-free", "--set", "omega=1"], "has no constant 'omega'"),
        (["schedule-free", "--set", "c=1"], "is a schedule"),
        (["schedule-free", "--device", "tpu"], "--device tpu"),
    ],
)
def test_bad_input_is_one_clean_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_argparse_errors_exit_2(capsys):
    assert main(["schedule-free", "--steps", "many"]) == 2
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_gpu_is_a_clean_error(capsys):
    assert main(["schedule-free", "--device", "cuda"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err


def test_user_values_are_exact(capsys):
    assert main(["schedule-free", "--set", "beta=0.5", "--json", "--steps", "50"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["hyperparameters"] == {"beta": "1/2"}
    assert rep["map"]["alpha_a"] in ("gamma(t)/2",)


@pytest.mark.cuda
def test_cuda_replay_agrees():
    assert main(["schedule-free", "--device", "cuda", "--json", "--steps", "200"]) == 0


def test_json_is_strict_when_a_run_diverged_alone():
    from equivalences.app.output import json_safe as _json_safe

    out = _json_safe({"numeric": {"max_rel_deviation": float("inf"), "worst": [float("nan"), 1e-15]}})
    text = json.dumps(out, allow_nan=False)  # raises on Infinity/NaN
    assert json.loads(text) == {"numeric": {"max_rel_deviation": None, "worst": [None, 1e-15]}}


def test_a_reader_that_leaves_early_is_not_an_error(capsys):
    """`verify list --json | head -1`: the pipe closes under us; exit quietly, no 'internal error'."""

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):  # main points stdout at /dev/null so that the interpreter's final flush is quiet
            return self._fd

    pipe = ClosedPipe()
    pipe._fd = os.open(os.devnull, os.O_WRONLY)
    try:
        with contextlib.redirect_stdout(pipe):
            code = main(["list", "--json"])
    finally:
        os.close(pipe._fd)
    err = capsys.readouterr().err
    assert code == 0
    assert "Traceback" not in err and "internal error" not in err, err


# -- small gaps: each mistake is one line naming the fix ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["schedule-free", "--set", "beta=0.9", "--set", "beta=0.8"], "--set beta is given twice (beta=0.9 and beta=0.8)"),
        (["convert", "heavy-ball", "--to", "qhm", "--set", "beta=0.9", "--set", "beta=0.5"], "given twice"),
        (["schedule-free", "--sweep", "0"], "--sweep 0: must be between 1"),
        (["schedule-free", "--grid", "0"], "--grid 0: must be between 2"),
        (["schedule-free", "--sweep", "-3"], "--sweep -3"),
        (["identify", "torch.optim.SGD", "--set", "momentum=abc"], "SGD's momentum is a number (default 0), not the word 'abc'"),
        (["identify", "torch.optim.SGD", "--set", "nesterov=maybe"], "true or false"),
        (["identify", "torch.optim.SGD", "--set", "lr=0.1", "--set", "lr=0.2"], "--set lr is given twice"),
        (["identify", "torch.optim.SDG"], "did you mean torch.optim.SGD?"),
        (["identify", "torch.optimm.SGD"], "did you mean torch.optim.SGD?"),
        (["convert", "my-sgd", "--to", "heavy-ball", "--module", "tests/data/sgd_momentum_user.py",
          "--module", "tests/data/ema_momentum.py"], "declares 'ema-momentum', which is neither FROM (my-sgd) nor TO"),
        (["convert", "my-sgd", "--to", "heavy-ball", "--module", "tests/data/sgd_momentum_user.py",
          "--module", "tests/data/sgd_momentum_user.py"], "both declare 'my-sgd'"),
        (["convert", "a", "--to", "b", "--module", "x.py", "--module", "y.py", "--module", "z.py"], "at most two"),
    ],
)
def test_small_gaps_are_one_clean_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err and "TypeError" not in err
    assert err.count("\n") == 1


def test_sweep_flag_absent_is_one_configuration():
    code, out, err = run("heavy-ball", "--steps", "20", "--json")
    assert code == 0, err
    assert json.loads(out)["numeric"]["sweep"] is None


def test_convert_takes_two_user_modules(derivations):
    """FROM's and TO's declarations from two files (before: the second --module replaced the first)."""
    code, out, err = run("convert", "my-sgd", "--to", "ema-momentum", "--module", "tests/data/sgd_momentum_user.py",
                         "--module", "tests/data/ema_momentum.py", "--json")
    assert code == 0, err
    conv = json.loads(out)
    assert (conv["from"], conv["to"], conv["exists"]) == ("my-sgd", "ema-momentum", "conditional")
    assert set(conv["hyperparameters"]) == {"beta", "lr"}


def test_strict_paper_says_why_it_fails(derivations):
    code, out, err = run("schedule-free", "--no-numeric", "--strict-paper")
    assert code == 1
    assert out.rstrip().endswith("schedule-free: proved (no replay)")
    assert err.strip() == "verify: 4 printed claims of the paper fail (--strict-paper): exit 1"
    code, _, err = run("heavy-ball", "--no-numeric", "--strict-paper")  # all its claims hold: nothing to say
    assert code == 0 and "strict-paper" not in err
