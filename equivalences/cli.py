"""``verify``: prove and replay the equivalences from the command line.

Exit codes: 0 every derived equivalence proved and confirmed numerically
(and, with ``--strict-paper``, every printed claim holds); 1 something failed;
2 usage error.  Errors are one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import registry

MAX_STEPS = 1_000_000
MAX_DIM = 1 << 24
MAX_SWEEP = 1 << 20


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="verify",
        description="Prove that a momentum optimizer is an instance of accelerated SGD (Eq. (1)), "
        "check the paper's printed derivation, and confirm it on a replayed trajectory.",
        epilog="examples: verify list | verify schedule-free | verify all --json",
    )
    p.add_argument("target", nargs="?",
                   help="a method name (see 'verify list'), 'all', 'list', 'libraries', 'mutations' or 'appendix'")
    p.add_argument("--module", metavar="FILE.py", help="verify the METHOD declared in your own Python file")
    p.add_argument("--against", metavar="PKG.CLASS",
                   help="replay a real optimizer class in lockstep with the method's map (see 'verify libraries')")
    p.add_argument("--json", action="store_true", help="print the JSON report (schema: docs/json-schema.md)")
    p.add_argument("--steps", type=int, default=500, help="replay length (default 500)")
    p.add_argument("--dim", type=int, default=32, help="problem dimension of the replay (default 32)")
    p.add_argument("--seed", type=int, default=0, help="seed of the stochastic problem (default 0)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="a hyperparameter value, exact (0.9 means 9/10); repeatable")
    p.add_argument("--sweep", type=int, default=0, metavar="N",
                   help="replay N random hyperparameter configurations at once (docs/numeric.md)")
    p.add_argument("--grid", type=int, default=0, metavar="N", help="replay an N-point-per-parameter grid at once")
    p.add_argument("--problem", default="lsq", choices=["lsq", "lsq-dense", "logistic", "mlp"],
                   help="stochastic problem of the replay (default: diagonal noisy least squares)")
    p.add_argument("--no-numeric", action="store_true", help="symbolic proof only, no replay")
    p.add_argument("--strict-paper", action="store_true", help="exit 1 when a printed claim of the paper fails")
    p.add_argument("--plot", metavar="PATH", help="write trajectories and deviation per step to PATH (.png or .pdf)")
    return p


def _appendix_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="verify appendix", description="Write a LaTeX appendix generated from the "
                                "proofs: derivations with every '=' checked, coefficients, initial state, "
                                "degenerate cases, the paper's claims with errata.")
    p.add_argument("names", nargs="*", metavar="NAME", help="methods to include (default: all)")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="the .tex file to write")
    p.add_argument("--fragment", action="store_true", help="no preamble: for \\input into a paper")
    p.add_argument("--figures", metavar="DIR", help="also write each method's replay plot to DIR/NAME.pdf "
                   "and include it (needs torch and matplotlib)")
    return p


def _appendix(args) -> int:
    from .appendix import write

    for name in args.names:
        registry.get(name)  # unknown names fail before any work
    write(args.output, [registry.get(n).key for n in args.names] or None, fragment=args.fragment,
          figures=args.figures)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _check_args(args) -> dict:
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps {args.steps}: must be between 1 and {MAX_STEPS}")
    if not 1 <= args.dim <= MAX_DIM:
        raise UsageError(f"--dim {args.dim}: must be between 1 and {MAX_DIM}")
    if not 0 <= args.sweep <= MAX_SWEEP:
        raise UsageError(f"--sweep {args.sweep}: must be between 1 and {MAX_SWEEP}")
    if not 0 <= args.grid <= 64 or args.grid == 1:
        raise UsageError(f"--grid {args.grid}: must be between 2 and 64 points per parameter")
    if args.sweep and args.grid:
        raise UsageError("--sweep and --grid: choose one")
    if not 0 <= args.seed < 2 ** 63:
        raise UsageError(f"--seed {args.seed}: must be between 0 and 2**63 - 1")
    if args.device not in ("cpu", "cuda") and not args.device.startswith("cuda:"):
        raise UsageError(f"--device {args.device}: use cpu or cuda")
    if args.device.startswith("cuda") and not args.no_numeric:
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: no CUDA GPU is visible here; use --device cpu")
    sets = {}
    for item in args.sets:
        if "=" not in item:
            raise UsageError(f"--set {item}: write NAME=VALUE, e.g. --set beta=0.9")
        k, v = item.split("=", 1)
        sets[k.strip()] = v.strip()
    return sets


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    sub = argv[0] if argv[:1] in (["appendix"], ["mutations"], ["convert"]) else None
    if sub == "convert":  # issue 14: equivalences/commands/convert.py
        from .commands import convert as command

        try:
            args = command.parser().parse_args(argv[1:])
        except SystemExit as e:
            return int(e.code or 0)
        return command.run(args)
    parser = {"appendix": _appendix_parser, "mutations": _mutations_parser}.get(sub, _parser)()
    try:
        args = parser.parse_args(argv[1:] if sub else argv)
    except SystemExit as e:  # argparse already printed a one-line usage error
        return int(e.code or 0)
    from .output import OutputError

    try:
        return {"appendix": _appendix, "mutations": _run_mutations}.get(sub, _run)(args)
    except (UsageError, registry.UnknownMethod, registry.BadModule, OutputError) as err:
        msg = str(err.args[0] if err.args else err)
        print(f"verify: error: {msg.replace(chr(10), chr(92) + 'n')}", file=sys.stderr)  # one line, always
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `verify all --json | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:  # noqa: BLE001 -- never a traceback for a user
        if os.environ.get("VERIFY_DEBUG"):
            raise
        print(f"verify: internal error: {type(err).__name__}: {err} (rerun with VERIFY_DEBUG=1 for details)",
              file=sys.stderr)
        return 1


def _run(args) -> int:
    from .report import BadHyperparameter, verify

    if args.target == "list":
        return _list(args)
    if args.target == "libraries" or args.against:
        from .libraries_cli import run_libraries

        return run_libraries(args, UsageError)
    sets = _check_args(args)
    names = _targets(args)
    if args.target == "all" and sets:
        raise UsageError("--set applies to one method; name it instead of 'all'")
    from numeric.replay import TooLarge

    if args.plot:
        from numeric.plots import PlotUnavailable, check_suffix

        try:
            check_suffix(args.plot)
        except PlotUnavailable as err:
            raise UsageError(str(err)) from None
        if args.target == "all" or args.no_numeric or args.sweep or args.grid:
            raise UsageError("--plot shows one replayed configuration: name one method, without --no-numeric, "
                             "--sweep or --grid")
        from .output import check_target

        check_target(args.plot, "--plot")

    kw = dict(numeric=not args.no_numeric, steps=args.steps, dim=args.dim, seed=args.seed,
              dtype=args.dtype, device=args.device, sweep=args.sweep, grid=args.grid, problem=args.problem)
    reports = []
    with _progress(args, len(names)) as progress:
        for name in names:
            try:
                reports.append(verify(name, hyperparameters=sets, progress=progress(getattr(name, "key", name)), **kw))
            except (BadHyperparameter, TooLarge) as err:
                raise UsageError(str(err)) from None
    if args.json:
        payload = [r.to_json() for r in reports]
        print(json.dumps(payload if args.target == "all" else payload[0], indent=2, allow_nan=False))
    else:
        from .render import render_all, render_report

        if args.target == "all":
            render_all(reports)
        else:
            render_report(reports[0])
    for note in (n for r in reports for n in r.notes):
        print(f"verify: note: {note}", file=sys.stderr)
    if args.plot:
        from numeric.plots import PlotUnavailable, plot

        try:
            plot(reports[0], args.plot, dim=args.dim)
        except PlotUnavailable as err:
            raise UsageError(str(err)) from None
    ok = all(r.ok for r in reports)
    if args.strict_paper:
        ok = ok and all(c.holds for r in reports for c in r.claims)
    return 0 if ok else 1


def _targets(args) -> list:
    """The methods to run: names, or the Method of ``--module``; unknown names fail before any work."""
    if args.module:
        method = registry.load_module(args.module)
        if args.target not in (None, method.key):
            raise UsageError(f"--module declares {method.key!r}, not {args.target!r}; drop the name or fix it")
        args.target = method.key
        return [method]
    if args.target is None:
        raise UsageError("name a method (see 'verify list'), 'all', or give --module FILE.py")
    if args.target == "mutations":
        raise UsageError("'mutations' is a command: put it first, e.g. verify mutations all --json")
    if args.target == "all":
        return registry.names()
    registry.get(args.target)
    return [args.target]


def _mutations_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="verify mutations",
                description="Feed deliberately wrong maps to the proof and the replay: each must be rejected.")
    p.add_argument("target", nargs="?", default="all", help="a method name or 'all' (default)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--steps", type=int, default=100, help="replay length per mutant (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the problem and the sampled configurations")
    p.add_argument("--no-numeric", action="store_true", help="symbolic rejection only")
    p.add_argument("--module", metavar="FILE.py", help="the METHOD declared in your own Python file")
    return p


def _run_mutations(args) -> int:
    from .mutations import render_suites, run_suite

    if not 1 <= args.steps <= 10_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000 for the mutation suite")
    if not 0 <= args.seed < 2 ** 32:
        raise UsageError(f"--seed {args.seed}: must be between 0 and 2**32 - 1")
    if args.module and args.target == "all":
        args.target = None
    methods = [n if not isinstance(n, str) else registry.get(n) for n in _targets(args)]
    suites = [run_suite(m, numeric=not args.no_numeric, steps=args.steps, seed=args.seed) for m in methods]
    if args.json:
        print(json.dumps([s.to_json() for s in suites] if args.target == "all" else suites[0].to_json(), indent=2))
    else:
        render_suites(suites)
    return 0 if all(s.ok for s in suites) else 1


def _progress(args, n_methods: int):
    """A rich progress bar on stderr for long replays (only when stderr is a terminal)."""
    import contextlib

    big = (max(args.sweep, args.grid ** 2, 1) * args.steps * args.dim) > 5e7 or n_methods > 1
    if args.no_numeric or not big or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda name: None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    @contextlib.contextmanager
    def bar():
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
                      TimeRemainingColumn(), console=Console(stderr=True), transient=True) as prog:
            def for_method(name):
                task = prog.add_task(f"replaying {name}", total=args.steps)
                return lambda k: prog.update(task, completed=k)
            yield for_method

    return bar()


def _list(args) -> int:
    rows = []
    for name in registry.names():
        m = registry.get(name)
        rows.append({"method": name, "name": m.name, "reference": m.reference, "section": m.section,
                     "summary": m.summary})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Methods (verify NAME; references: verify list --json)")
    table.add_column("method", no_wrap=True)
    table.add_column("name")
    table.add_column("paper", no_wrap=True)
    table.add_column("what it is")
    for r in rows:
        table.add_row(r["method"], r["name"], r["section"], r["summary"])
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
