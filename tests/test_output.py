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
