"""Regenerate every literal output block of README.md and docs/*.md from the command shown above it.

    python docs/regenerate.py            # rewrite the marked blocks in place
    python docs/regenerate.py --check    # exit 1 naming each stale block (what .ci/run does)
    python docs/regenerate.py --commands # run every `verify ...` line of README's code blocks, check exit codes
    python docs/regenerate.py --list     # the marked blocks, one a line

A marked block is a fenced block right after an HTML comment ``<!-- output ... -->``:

    <!-- output: verify schedule-free -->      the block is that command's output
    <!-- output -->                            the block's ``$ verify ...`` lines are kept, each followed
                                               by its output
    <!-- output; exit 2 -->                    the same, with options

followed, after ``;``, by options:

    from TEXT      start at the first line containing TEXT (earlier lines are left out)
    to TEXT        end at the first line containing TEXT from there on (inclusive)
    last N         also show the last N lines, after a ``...`` line where lines are left out
    tail N         only the last N lines
    columns N      the terminal width (default 100)
    exit N[,N..]   the exit code each command must give (default 0); another one is an error
    show-exit      print ``(exit N)`` after each command's output (the shown code is then checked too)

In a command, ``{python-block N}`` is the N-th ```python block of the same document, saved to a temporary
file outside the package: a tutorial's declaration is run as a reader would save it.  A block whose command
exits with another code than the document says is reported and left as it is.

Every command runs in this process (``equivalences.app.cli.main`` with captured stdout and stderr, so
derivations are shared), ``COLUMNS`` fixed, colour off; durations are masked (``…``), trailing spaces
dropped.  A block is stale when a line differs, except a number in scientific notation within a factor of
``ROUNDING`` of the shown one (a replay's float deviation, which moves in its last digits between CPUs).  Only ``verify ...`` (or ``python -m equivalences ...``) commands can be marked.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 100
MARKER = re.compile(r"^<!--\s*output(?P<body>[:;].*?)?\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")


def _name(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the marker
    command: str | None  # None: the block's own `$ ` lines
    options: dict
    start: int  # index of the first content line (after the opening fence)
    end: int  # index of the closing fence
    content: list[str]

    @property
    def where(self) -> str:
        return f"{_name(self.path)}:{self.line}"

    def commands(self) -> list[str]:
        if self.command:
            return [self.command]
        return [ln[2:].strip() for ln in self.content if ln.startswith("$ ")]

    def expected_exits(self) -> list[int]:
        n = len(self.commands())
        codes = [int(c) for c in str(self.options.get("exit", "0")).split(",")]
        return codes * n if len(codes) == 1 else codes


class MarkerError(ValueError):
    pass


def _options(where: str, parts: list[str]) -> dict:
    opts = {}
    for part in parts:
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition(" ")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key not in ("from", "to", "last", "tail", "columns", "exit", "show-exit"):
            raise MarkerError(f"{where}: unknown option {key!r} in the output marker")
        opts[key] = value or True
    return opts


def blocks(path: Path) -> list[Block]:
    """The marked blocks of one markdown file."""
    lines = path.read_text().split("\n")
    out = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        where = f"{_name(path)}:{i + 1}"
        if i + 1 >= len(lines) or not FENCE.match(lines[i + 1]):
            raise MarkerError(f"{where}: an output marker must be followed directly by a fenced block")
        fence = FENCE.match(lines[i + 1]).group(1)
        end = next((j for j in range(i + 2, len(lines)) if lines[j].startswith(fence)), None)
        if end is None:
            raise MarkerError(f"{where}: the block after the marker is not closed")
        body = m.group("body") or ""
        parts = body[1:].split(";") if body.startswith(":") else ["", *body[1:].split(";")]
        command = parts[0].strip() or None
        b = Block(path, i + 1, command, _options(where, parts[1:]), i + 2, end, lines[i + 2:end])
        if not b.commands():
            raise MarkerError(f"{where}: name the command in the marker or start lines of the block with '$ '")
        out.append(b)
    return out


# -- running a command in process --------------------------------------------------------------------------


def argv_of(command: str) -> list[str]:
    words = shlex.split(command)
    if words[:1] == ["verify"]:
        return words[1:]
    if words[:3] == ["python", "-m", "equivalences"]:
        return words[3:]
    raise MarkerError(f"{command!r}: only verify commands (or python -m equivalences) can be regenerated")


@contextlib.contextmanager
def _terminal(columns: int):
    """COLUMNS fixed, no colour forced, durations masked; restored afterwards."""
    from equivalences.app.render import layout  # durations are masked where they are formatted

    saved = {k: os.environ.get(k) for k in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
    os.environ["COLUMNS"] = str(columns)
    for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        os.environ.pop(k, None)
    masked, layout.MASK_DURATIONS = layout.MASK_DURATIONS, True
    try:
        yield
    finally:
        layout.MASK_DURATIONS = masked
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(argv: list[str], columns: int = COLUMNS, cwd: Path | None = None) -> tuple[int, str]:
    """``verify ARGV`` in this process: the exit code and stdout+stderr as one text (trailing spaces dropped)."""
    from equivalences.app.cli import main

    buf = io.StringIO()
    here = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        with _terminal(columns), contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = main(list(argv))
    finally:
        os.chdir(here)
    text = "\n".join(ln.rstrip() for ln in buf.getvalue().rstrip("\n").split("\n"))
    return code, text


_RUNS: dict = {}


def _run_cached(command: str, columns: int) -> tuple[int, str]:
    key = (command, columns)
    if key not in _RUNS:
        _RUNS[key] = run(argv_of(command), columns)
    return _RUNS[key]


def excerpt(text: str, opts: dict, where: str) -> list[str]:
    lines = text.split("\n")
    if "tail" in opts:
        return lines[-int(opts["tail"]):]
    keep = list(range(len(lines)))
    if "from" in opts:
        start = next((i for i, ln in enumerate(lines) if opts["from"] in ln), None)
        if start is None:
            raise MarkerError(f"{where}: 'from {opts['from']}' is not in the output")
        keep = [i for i in keep if i >= start]
    if "to" in opts:
        stop = next((i for i in keep if opts["to"] in lines[i]), None)
        if stop is None:
            raise MarkerError(f"{where}: 'to {opts['to']}' is not in the output")
        keep = [i for i in keep if i <= stop]
    if "last" in opts:
        keep = sorted(set(keep) | set(range(max(0, len(lines) - int(opts["last"])), len(lines))))
    out, prev = [], None
    for i in keep:
        if prev is not None and i != prev + 1:
            out.append("...")
        out.append(lines[i])
        prev = i
    return out


@dataclass
class Outcome:
    block: Block
    content: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        shown = [ln.rstrip() for ln in self.block.content]
        return len(shown) != len(self.content) or not all(map(same_up_to_rounding, shown, self.content))


SCIENTIFIC = re.compile(r"\d\.\d+e[-+]\d+")
ROUNDING = 2.0  # a replay's deviation near 1e-14 moves by a few ulps between CPUs and torch builds


def same_up_to_rounding(shown: str, now: str) -> bool:
    """The same line, except that a number in scientific notation (a replay's deviation) may differ by a
    factor below ``ROUNDING``: the sum of float rounding errors is a property of the machine's floating point,
    not of the code, and a golden file pinned to one CPU's last digit fails on the next."""
    if shown == now:
        return True
    if SCIENTIFIC.sub("#", shown) != SCIENTIFIC.sub("#", now):
        return False
    pairs = zip(map(float, SCIENTIFIC.findall(shown)), map(float, SCIENTIFIC.findall(now)))
    return all(a == b or (a > 0 and b > 0 and max(a, b) < ROUNDING * min(a, b)) for a, b in pairs)


PYTHON_BLOCK = re.compile(r"\{python-block (\d+)\}")
_TMP: list = []


def with_blocks(command: str, path: Path) -> str:
    """``{python-block N}`` in a marker's command: the N-th ```python block of the same document, saved to a
    temporary file outside the package (a tutorial's declaration, run as a reader would save it)."""
    def save(m):
        import tempfile

        n = int(m.group(1))
        found, lines, inside = [], path.read_text().split("\n"), None
        for ln in lines:
            if inside is not None:
                if ln.startswith("```"):
                    found.append("\n".join(inside) + "\n")
                    inside = None
                else:
                    inside.append(ln)
            elif ln.strip() == "```python":
                inside = []
        if not 1 <= n <= len(found):
            raise MarkerError(f"{path.name}: there is no python block {n}")
        if not _TMP:
            _TMP.append(tempfile.TemporaryDirectory(prefix="docs-blocks-"))
        target = Path(_TMP[0].name) / f"{path.stem.replace('-', '_')}_block{n}.py"
        target.write_text(found[n - 1])
        return str(target)

    return PYTHON_BLOCK.sub(save, command)


def regenerate(block: Block) -> Outcome:
    """The block's content as the commands give it now, and any exit code other than the expected one."""
    columns = int(block.options.get("columns", COLUMNS))
    content, problems, shown = [], [], []
    for command, want in zip(block.commands(), block.expected_exits()):
        code, text = _run_cached(with_blocks(command, block.path), columns)
        if block.command is None:
            if len(shown) > 2:
                content.append("")  # a blank line after a long output
            content.append(f"$ {command}")
        shown = excerpt(text, block.options, block.where) if text else []
        content += shown
        if "show-exit" in block.options:
            content.append(f"(exit {code})")
        elif code != want:
            problems.append(f"{block.where}: `{command}` exits {code}, the document says {want}")
    return Outcome(block, content, problems)


def process(paths=None, *, write: bool, select=None) -> list[Outcome]:
    outcomes = []
    for path in paths or documents():
        found = [b for b in blocks(path) if select is None or select(b)]
        if not found:
            continue
        results = [regenerate(b) for b in found]
        outcomes += results
        if write and any(o.stale and not o.problems for o in results):
            lines = path.read_text().split("\n")
            for o in reversed(results):  # from the end: earlier indices stay valid
                if o.stale and not o.problems:  # a command that fails is reported, its block kept
                    lines[o.block.start:o.block.end] = o.content
            path.write_text("\n".join(lines))
    return outcomes


# -- every verify command of README's code blocks -------------------------------------------------------------


@dataclass
class Shown:
    """A ``verify ...`` line of a README code block and the exit code the README gives it."""

    command: str
    line: int
    exit: int


def shown_commands(path: Path | None = None) -> list[Shown]:
    """Every ``verify`` command line of the fenced blocks -- ``$ verify ...`` lines (exit code from the marker)
    and bare ``verify ...`` lines of bash blocks (exit 0; a ``# comment`` dropped) -- and every ``verify ...``
    of a table row that has no placeholder (exit 0)."""
    path = path or ROOT / "README.md"
    lines = path.read_text().split("\n")
    marked = {b.start: b for b in blocks(path)}
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].startswith("|"):  # a table row: its `verify ...` spans without placeholders
                for span in re.findall(r"`(verify [^`]*)`", lines[i]):
                    if not PLACEHOLDER.search(span):
                        out.append(Shown(span, i + 1, 0))
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(m.group(1)))
        block = marked.get(i + 1)
        codes = iter(block.expected_exits()) if block and block.command is None else None
        for j in range(i + 1, end):
            ln = lines[j]
            if ln.startswith("$ verify"):
                out.append(Shown(ln[2:].strip(), j + 1, next(codes) if codes else 0))
            elif ln.startswith("verify ") and lines[i].strip() in ("```bash", "```sh", "```console"):
                out.append(Shown(ln.split(" #")[0].strip(), j + 1, 0))
        i = end + 1
    return out


PLACEHOLDER = re.compile(r"\b(NAME|FROM|TO|COMMAND|PKG|pkg\.Class|PKG\.CLASS|my_method\.py|FILE\.\w+|A\.json)\b")
"""Words of README's command table that stand for what a user fills in: such a command is not run."""
OUTPUT_FLAGS = ("-o", "--figures", "--plot", "--markdown")


def in_folder(command: str, folder: Path) -> list[str]:
    """The argv of ``command`` with every file it writes moved into ``folder`` (their parents created) and
    every file it reads from the repository given by its absolute path."""
    argv = argv_of(command)
    for k, a in enumerate(argv):
        if k and argv[k - 1] in OUTPUT_FLAGS:
            target = folder / a
            (target if argv[k - 1] == "--figures" else target.parent).mkdir(parents=True, exist_ok=True)
            argv[k] = str(target)
        elif (ROOT / a).is_file():
            argv[k] = str(ROOT / a)
    return argv


def run_shown(commands: list[Shown], folder: Path) -> list[str]:
    problems = []
    for s in commands:
        code, text = run(in_folder(s.command, folder), cwd=folder)
        if code != s.exit:
            tail = text.split("\n")[-1][:200]
            problems.append(f"README.md:{s.line}: `{s.command}` exits {code}, the README says {s.exit}: {tail}")
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python docs/regenerate.py", description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each stale block")
    p.add_argument("--commands", action="store_true",
                   help="run every verify command of README's code blocks and check its exit code")
    p.add_argument("--list", action="store_true", help="list the marked blocks")
    p.add_argument("files", nargs="*", type=Path, help="only these markdown files (default: README.md, docs/*.md)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    paths = [f.resolve() for f in args.files] or None
    if args.list:
        for path in paths or documents():
            for b in blocks(path):
                print(f"{b.where}: {' | '.join(b.commands())}")
        return 0
    if args.commands:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            problems = run_shown(shown_commands(), Path(tmp))
        for pr in problems:
            print(pr)
        print(f"{len(shown_commands())} README commands run; {len(problems)} with another exit code")
        return 1 if problems else 0
    outcomes = process(paths, write=not args.check)
    problems = [pr for o in outcomes for pr in o.problems]
    stale = [o for o in outcomes if o.stale]
    for o in stale:
        what = "stale" if args.check else "kept (a command failed)" if o.problems else "rewritten"
        print(f"{o.block.where}: {what}: {' | '.join(o.block.commands())}")
    for pr in problems:
        print(pr)
    print(f"{len(outcomes)} output blocks; {len(stale)} {'stale' if args.check else 'rewritten'}")
    return 1 if problems or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
