"""Terminal output is readable at any width from 60 columns: nothing is cut, no name is split."""
import re

import pytest
from rich.console import Console

from equivalences import registry
from equivalences.app.commands.check import ReportSet
from equivalences.app.commands.libraries import LibraryRun
from equivalences.app.commands.list import MethodList
from equivalences.app.output import emit, esc
from equivalences.app.pipeline import verify
from equivalences.printing import interval


def _render(result, width):
    con = Console(width=width, record=True, highlight=False, soft_wrap=False, color_system=None)
    emit(result, "text", out=con)
    return con.export_text()


def _check(out: str, width: int, whole: list[str]):
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert "…" not in out
    flat = "\n".join(lines)
    for word in whole:  # each name appears unbroken on one line
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", flat), word


@pytest.fixture(scope="module")
def reports(derivations):
    return [verify(n, numeric=False) for n in registry.names()]


@pytest.mark.parametrize("width", [60, 80, 130])
def test_verify_all_keeps_every_method_name_whole(reports, width):
    out = _render(ReportSet(reports, many=True), width)
    _check(out, width, registry.names())


@pytest.mark.parametrize("width", [60, 80])
def test_one_report_wraps_title_and_formulas_instead_of_cutting(reports, width):
    report = reports[registry.names().index("schedule-free")]
    out = _render(ReportSet([report]), width)
    _check(out, width, ["Schedule-Free", "Cutkosky", "schedule-free:"])
    squashed = re.sub(r"[\s│╭╮╰╯─]+", "", out)
    # every formula survives whole (wrapped lines joined back)
    for fragment in ("β_{a,t}=(1-c_t)*γ_{t-1}/γ_t", "γ_{avg,t}=c_t/(β*c_t+1-β)", "(2024),TheRoadLessScheduled"):
        assert fragment in squashed, fragment


def test_list_and_libraries_keep_class_and_method_names_whole():
    rows = [{"method": n, "name": registry.get(n).name, "section": registry.get(n).section,
             "summary": registry.get(n).summary} for n in registry.names()]
    _check(_render(MethodList(rows), 60), 60, registry.names())
    lib = [{"library": "schedulefree", "class": "schedulefree.SGDScheduleFreeReference", "version": "1.4.1",
            "method": "schedule-free", "status": "maps with caveat: weight decay [x]", "max_rel_deviation": 1e-15,
            "control_rejected": True, "settings": []}]
    out = _render(LibraryRun(lib, ["heavyball"], 500, 1e-10), 60)
    _check(out, 60, ["schedulefree.SGDScheduleFreeReference", "schedule-free"])
    assert "'.[libs]'" in out and "[x]" in out  # rich markup did not eat them


def test_user_strings_are_escaped_and_intervals_read_as_intervals():
    import sympy as sp

    assert esc("[bold]x[/]") != "[bold]x[/]"
    assert interval(sp.Interval.Ropen(0, 1)) == "[0, 1)"
    assert interval(sp.Interval.open(0, sp.oo)) == "(0, ∞)"


def test_a_range_error_names_the_interval(capsys):
    from equivalences.app.cli import main

    assert main(["heavy-ball", "--set", "beta=1", "--no-numeric"]) == 2
    err = capsys.readouterr().err
    assert "Interval" not in err and "[0, 1)" in err


# -- one notation, hanging indents --------------------------------------------------------------------------------

ASCII_NAMES = re.compile(r"(?<![\w.-])(beta_a|eta_a|alpha_a|gamma_avg|oo)(?![\w-])")
CALL_NOTATION = re.compile(r"(?<![\w.-])[A-Za-z]\w*\(t( [+-] \d+)?\)")  # gamma(t + 1) where the report writes γ_{t+1}


def _cli(*args, width=100):
    import contextlib
    import io
    import os

    from equivalences.app.cli import main

    buf = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = main(list(args))
    finally:
        os.environ.pop("COLUMNS") if old is None else os.environ.__setitem__("COLUMNS", old)
    return code, buf.getvalue()


def test_notation_of_engine_text():
    from equivalences.app.render import expression, notation

    assert notation("at step t = 4 with gamma(3) = 0, y(5) - y(4) has -beta*(1 - c(t + 1))*eta_a") == \
        "at step t = 4 with γ_3 = 0, y_5 - y_4 has -β*(1 - c_{t+1})*η_a"
    assert notation("lambda = (beta1**2 + beta2**2), 0 < C < oo") == "λ = (β_1**2 + β_2**2), 0 < C < ∞"
    # what a user types stays as typed: classes, method keys, name=value settings
    assert notation("torch.optim.SGD, nesterov-sgd, beta2=0.3") == "torch.optim.SGD, nesterov-sgd, beta2=0.3"
    assert expression("(1 - 1/(t + 1))*(t + 1)") == "t"
    assert expression("1 - beta*c(t)/((1 - beta)*gamma(t - 1))") == "1 - β*c_t/((1 - β)*γ_{t-1})"  # kept when shorter
    assert expression("0.9") == "0.9" and expression("1/(t - 1) for t = 2..7") == "1/(t - 1) for t = 2..7"


@pytest.mark.parametrize("args", [
    ("convert", "schedule-free", "--to", "sgd-nesterov"),
    ("convert", "agnes", "--to", "heavy-ball"),
    ("convert", "ademamix", "--to", "schedule-free"),
    ("list",),
    ("paper-claims", "--failing"),
    ("all", "--no-numeric"),
    ("heavy-ball", "--no-numeric"),
], ids=" ".join)
def test_every_terminal_view_speaks_one_notation(args, derivations):
    code, out = _cli(*args)
    assert code in (0, 1), out
    assert not ASCII_NAMES.search(out), ASCII_NAMES.search(out).group(0)
    assert not CALL_NOTATION.search(out), CALL_NOTATION.search(out).group(0)


def test_json_keeps_ascii(derivations):
    code, out = _cli("convert", "schedule-free", "--to", "sgd-nesterov", "--json")
    assert "gamma(t - 1)" in out and "γ" not in out


def test_identify_headers_in_greek():
    code, out = _cli("identify", "torch.optim.SGD", "--set", "momentum=0.9", "--steps", "4")
    assert code == 0
    assert "β_a" in out and "η_a" in out and "beta_a" not in out


def test_verify_all_at_80_columns_keeps_a_table_and_hangs_its_lines(derivations):
    code, out = _cli("all", "--no-numeric", width=80)
    assert code == 0
    lines = out.splitlines()
    assert all(len(ln) <= 80 for ln in lines), max(lines, key=len)
    head = next(ln for ln in lines if ln.startswith("method"))
    assert "claims" in head and "control" in head  # a table, not one wrapped line per method
    assert any(re.match(r"accelerated-adamw-printed +✓ +✓ \d pts +1/3", ln) for ln in lines)
    maps = lines[lines.index("Derived maps") + 1:]
    maps = maps[:maps.index("")]
    keys = tuple(f"{k}: " for k in registry.names())
    assert all(ln.startswith(keys) or ln.startswith("    ") for ln in maps), maps  # no line restarts at column 0
    assert "    η_{a,t} = (1 - τ_t)*(μ*nesterov + 1 - nesterov)*lr_t;" in maps  # an equation is not split
    fail = lines.index(next(ln for ln in lines if ln.startswith("Printed claims that fail")))
    block = lines[fail + 1:fail + 1 + next(i for i, ln in enumerate(lines[fail + 1:]) if not ln)]
    assert all(ln.startswith("  ") for ln in block) and any(ln.startswith("    → ") for ln in block)


# -- sweeps that tell the truth -------------------------------------------------------------------------------------


def _result(dev, sens, tol=1.4e-11):
    import numpy as np

    from numeric.replay import ReplayResult

    k = len(dev)
    return ReplayResult(steps=1000, dtype="float64", device="cpu", tolerance=tol,
                        max_rel_deviation=np.array(dev, dtype=float), max_rel_deviation_eval=None,
                        diverged=np.zeros(k, bool), mismatched_divergence=np.zeros(k, bool),
                        max_rel_deviation_momentum=None, sensitivity=None if sens is None else np.array(sens))


def test_a_deviation_within_the_rounding_bound_is_inconclusive_and_beyond_it_a_mismatch():
    """AdEMAMix in `verify all --sweep 1024 --steps 1000`: a deviation of 6.5e-11 against the tolerance 1.4e-11,
    where one ulp per step drifts 2e-12 (so 64 ulps per step can reach 1.3e-10): not judged, not a failure.
    Beyond the rounding bound it is a mismatch, and the replay fails."""
    r = _result([1e-14, 6.5e-11, 1.0], [1e-15, 2e-12, 0.5])
    assert list(r.inconclusive) == [False, True, True] and list(r.judged) == [True, False, False]
    assert r.passed and r.worst == 1e-14 and r.worst_of(r.max_rel_deviation) == 1e-14
    bad = _result([1e-14, 6.5e-11], [1e-15, 1e-14])  # 64 * 1e-14 = 6.4e-13 < 6.5e-11
    assert not bad.passed and not bad.inconclusive.any() and bad.worst == 6.5e-11
    plain = _result([1e-14, 6.5e-11], None)  # no probe ran: the tolerance alone judges
    assert not plain.passed


def test_a_sweep_report_never_puts_a_check_beside_what_it_cannot_judge():
    from types import SimpleNamespace

    from equivalences.app.pipeline import NumericSummary
    from equivalences.app.render import _numeric
    from numeric.sweep import sample, sampled_symbols

    m = registry.get("ademamix")
    r = _result([1e-14, 6.5e-11, 3.35e-1, 2e-13, 3e-13, 4e-13], [1e-15, 2e-12, 0.5, 1e-15, 1e-15, 1e-15])
    ctl = _result([1.0] * 6, None)
    n = NumericSummary(r, ctl, "η_a read one step late", 0, "lsq", sample(m, 6), 0,
                       tuple(s.name for s in sampled_symbols(m)))
    con = Console(width=100, record=True, highlight=False, color_system=None)
    con.print(_numeric(SimpleNamespace(numeric=n, method=m, overrides={})))
    out = con.export_text()
    row = next(ln for ln in out.splitlines() if ln.startswith("max rel. deviation"))
    assert "query points 4.00e-13" in row and "over the 4 judged configurations" in row  # not 3.35e-01
    assert "cannot judge        2 configurations in float64" in out and "no evidence for or against" in out
    worst = [ln for ln in out.splitlines() if ln.strip().startswith("worst")]
    assert len(worst) == 4 and all("✓" in ln for ln in worst)  # the judged ones, each marked
    incon = [ln for ln in out.splitlines() if ln.strip().startswith("inconclusive")]
    assert len(incon) == 2 and all("?" in ln and "✓" not in ln for ln in incon)
    assert n.to_json()["sweep"]["worst_inconclusive"][0]["status"] == "inconclusive"
