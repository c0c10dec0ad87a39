"""Docs that cannot go stale: every literal output block of README.md and docs/*.md is the output of the command
shown above it (docs/regenerate.py), and README's verify commands exit as README says.

Fast here: the blocks whose commands take well under a second in process (derivations shared with the session
fixture): ``verify schedule-free``, the --module examples, the conversions without --set.  The rest --
``verify all``, ``verify identify``, ``verify convert --table`` and the replays of ``--set``/``--against``, the
tutorial's declaration, the long README commands (sweeps, mutations, libraries, the appendix) -- run in
``.ci/run`` as ``python docs/regenerate.py --check`` and ``python docs/regenerate.py --commands``.
"""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "docs" / "regenerate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["regenerate"] = mod
    spec.loader.exec_module(mod)
    return mod


R = _load()

SLOW = ("verify all", "verify identify", "--table", "three_buffers", "{python-block", "--against", "--set")
"""Commands whose blocks are checked in .ci/run (docs/regenerate.py --check), not here."""


def _fast(block) -> bool:
    return not any(s in c for c in block.commands() for s in SLOW)


def test_fast_output_blocks_are_the_real_output(derivations):
    outcomes = R.process([ROOT / "README.md", ROOT / "docs" / "convert.md"], write=False, select=_fast)
    assert len(outcomes) >= 6
    problems = [p for o in outcomes for p in o.problems]
    assert not problems, problems
    stale = [o.block.where for o in outcomes if o.stale]
    assert not stale, f"stale output blocks (run python docs/regenerate.py): {stale}"


def test_every_output_block_is_marked():
    """A fenced block that shows output (a `$ verify` line, a report panel, a verify error) has a marker."""
    unmarked = []
    for path in R.documents():
        lines = path.read_text().split("\n")
        marked = {b.start for b in R.blocks(path)}
        i = 0
        while i < len(lines):
            m = R.FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(m.group(1)))
            body = lines[i + 1:end]
            shows_output = any(ln.startswith(("$ verify", "╭", "verify: error")) for ln in body)
            if shows_output and lines[i].strip() == "```" and i + 1 not in marked:
                unmarked.append(f"{path.name}:{i + 1}")
            i = end + 1
    assert not unmarked, unmarked


def _doc(tmp_path, text):
    path = tmp_path / "doc.md"
    path.write_text(text)
    return path


def test_a_stale_block_is_named_and_rewritten(tmp_path, capsys):
    cmd = "verify --module tests/data/broken/init_missing_state.py"
    path = _doc(tmp_path, f"text\n\n<!-- output; exit 2 -->\n```\n$ {cmd}\nan old output\n```\n")
    (o,) = R.process([path], write=False)
    assert o.stale and not o.problems
    assert R.main(["--check", str(path)]) == 1
    assert f"{path}:3: stale: {cmd}" in capsys.readouterr().out  # names the block
    assert "an old output" in path.read_text()  # --check changes nothing
    assert R.main([str(path)]) == 0
    text = path.read_text()
    assert f"$ {cmd}\nverify: error: --module tests/data/broken/init_missing_state.py: init leaves out m" in text
    assert "an old output" not in text
    assert R.main(["--check", str(path)]) == 0
    # a document that gives the wrong exit code is a problem in both modes, and its block is kept
    path.write_text(text.replace("exit 2", "exit 0"))
    (o,) = R.process([path], write=True)
    assert o.problems and "exits 2, the document says 0" in o.problems[0]
    assert path.read_text() == text.replace("exit 2", "exit 0")
    assert R.main(["--check", str(path)]) == 1


def test_a_deviation_may_move_in_its_last_digits_and_nothing_else():
    """A replay's float deviation (1.0e-14 on one CPU, 1.1e-14 on the next) does not make a block stale; any
    other change does, and so does a deviation that moved by a factor of 2 or more."""
    row = "ademamix  ✓  ✓ 3 pts  2/2  1.0e-14 ≤ 7e-12 ✓  ✓"
    assert R.same_up_to_rounding(row, row.replace("1.0e-14", "1.1e-14"))
    assert R.same_up_to_rounding(row, row.replace("1.0e-14", "9.0e-15"))
    assert not R.same_up_to_rounding(row, row.replace("1.0e-14", "2.1e-14"))
    assert not R.same_up_to_rounding(row, row.replace("1.0e-14", "0.0e+00"))
    assert not R.same_up_to_rounding(row, row.replace("2/2", "1/2"))
    assert not R.same_up_to_rounding(row, row.replace("✓  ✓ 3", "✗  ✓ 3"))
    assert not R.same_up_to_rounding(row, row.replace("1.0e-14 ≤", "1.0e-14 1.0e-14 ≤"))


def test_marker_options_and_errors(tmp_path):
    text = "\n".join(f"line {i}" for i in range(10))
    assert R.excerpt(text, {"from": "line 2", "to": "line 4"}, "x") == ["line 2", "line 3", "line 4"]
    assert R.excerpt(text, {"from": "line 2", "to": "line 3", "last": "1"}, "x") == ["line 2", "line 3", "...",
                                                                                     "line 9"]
    assert R.excerpt(text, {"tail": "2"}, "x") == ["line 8", "line 9"]
    with pytest.raises(R.MarkerError, match="not in the output"):
        R.excerpt(text, {"from": "nowhere"}, "x")
    with pytest.raises(R.MarkerError, match="followed directly by a fenced block"):
        R.blocks(_doc(tmp_path, "<!-- output: verify list -->\ntext\n"))
    with pytest.raises(R.MarkerError, match="unknown option"):
        R.blocks(_doc(tmp_path, "<!-- output: verify list; colour 3 -->\n```\n```\n"))
    with pytest.raises(R.MarkerError, match="only verify commands"):
        R.argv_of("rm -rf /")


def test_durations_are_masked_while_regenerating():
    from equivalences.app import render

    assert render.duration(1.25) == "1.2s" or render.duration(1.25) == "1.3s"
    with R._terminal(100):
        assert render.duration(1.25) == "…"
    assert render.duration(1.25) != "…"


# -- README's commands exit as shown -----------------------------------------------------------------------------

LONG = ("--sweep", "mutations all", "libraries", "--figures", "--against", "--plot", "verify all", "paper-claims",
        "identify", "three_buffers", "appendix")
"""Run in .ci/run (python docs/regenerate.py --commands): each takes seconds to minutes."""


def _shown():
    return R.shown_commands()


def test_readme_commands_are_found():
    shown = {s.command: s.exit for s in _shown()}
    assert shown["verify schedule-free"] == 0
    assert shown["verify --module tests/data/aggmo.py"] == 1  # README says exit 1 in its marker
    assert shown["verify sgd-nesterov --against torch.optim.SGD --set momentum=1.5"] == 2
    assert "verify all --sweep 1024 --steps 1000" in shown  # from the commands table
    assert not any("NAME" in c or "my_method.py" in c for c in shown)  # placeholders are not run


@pytest.mark.parametrize("shown", [s for s in _shown() if not any(x in s.command for x in LONG)],
                         ids=lambda s: f"README:{s.line}")
def test_readme_command_exits_as_shown(shown, derivations, tmp_path):
    """Substituted to stay fast: a replay of `verify NAME` without --steps runs 50 steps (the exit code does not
    depend on the length of a replay that agrees); files a command writes go to a temporary folder."""
    argv = R.in_folder(shown.command, tmp_path)
    if (argv and argv[0] not in ("list", "convert", "identify", "family") and not {"--steps", "--plot", "--no-numeric"} & set(argv)):
        argv += ["--steps", "50"]
    code, text = R.run(argv, cwd=tmp_path)
    assert code == shown.exit, (shown.command, text[-500:])


def test_install_line_says_what_ci_pins():
    readme = (ROOT / "README.md").read_text()
    pin = re.search(r"^torch==(\S+)", (ROOT / ".ci" / "constraints.txt").read_text(), re.M).group(1)
    line = next(ln for ln in readme.split("\n") if ln.startswith("pip install torch=="))
    assert f"torch=={pin}" in line and "constraints" in line
    assert "works too" not in line  # no promise nothing tests
