"""``verify check NAME`` (short: ``verify NAME``): derive, prove, check the paper, replay; ``all`` for every method."""
from __future__ import annotations

import sys
from dataclasses import dataclass

from . import UsageError, parse_sets

MAX_STEPS = 1_000_000
MAX_DIM = 1 << 24
MAX_SWEEP = 1 << 20
CLI_WORDS = {"set": "--set ", "values": "values with --set", "no_numeric": "--no-numeric", "steps": "--steps"}
"""The controls a :class:`~equivalences.app.pipeline.BadHyperparameter` names, in this command's words."""


@dataclass
class ReportSet:
    """The reports of one ``verify`` run; ``many`` for ``verify all`` (a JSON list, the summary table)."""

    reports: list
    many: bool = False

    def to_json(self):
        payload = [r.to_json() for r in self.reports]
        return payload if self.many else payload[0]


def configure(p) -> None:
    p.add_argument("target", nargs="?", help="a method name (see 'verify list') or 'all'")
    p.add_argument("--module", metavar="FILE.py", help="verify the METHOD declared in your own Python file")
    from ..equations import add_option

    add_option(p)
    p.add_argument("--print-module", action="store_true",
                   help="with --equations: print the equivalent Python declaration (for --module) and stop")
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
    p.add_argument("--sweep", type=int, default=None, metavar="N",
                   help="replay N random hyperparameter configurations at once (docs/numeric.md)")
    p.add_argument("--grid", type=int, default=None, metavar="N", help="replay an N-point-per-parameter grid at once")
    p.add_argument("--problem", default="lsq", choices=["lsq", "lsq-dense", "logistic", "mlp"],
                   help="stochastic problem of the replay (default: diagonal noisy least squares)")
    p.add_argument("--no-numeric", action="store_true", help="symbolic proof only, no replay")
    p.add_argument("--no-cache", action="store_true",
                   help="derive and prove afresh, ignoring the on-disk cache of derivations (docs/engine.md)")
    p.add_argument("--strict-paper", action="store_true", help="exit 1 when a printed claim of the paper fails")
    p.add_argument("--plot", metavar="PATH", help="write trajectories and deviation per step to PATH (.png or .pdf)")


def check_replay_args(args) -> None:
    """The replay flags, checked before any work (``--device cuda`` only where a GPU is visible)."""
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


def targets(args) -> list:
    """The methods to run: names, or the Method of ``--module``; unknown names fail before any work."""
    from ... import registry

    if getattr(args, "equations", None):  # other commands (mutations) share targets() without the option
        from ..equations import method

        if args.module:
            raise UsageError("--module and --equations each declare the method: give one of them")
        if args.target == "all":
            raise UsageError("--equations declares one method: drop 'all' (or name the method, e.g. my-method)")
        m = method(args.equations, option="--equations", name=args.target, values=parse_sets(args.sets))
        args.target = m.key
        return [m]
    if getattr(args, "print_module", False):
        raise UsageError("--print-module writes the declaration of --equations: add --equations \"...\"")
    if args.module:
        method = registry.load_module(args.module)
        if args.target not in (None, method.key):
            raise UsageError(f"--module declares {method.key!r}, not {args.target!r}; drop the name or fix it")
        args.target = method.key
        return [method]
    if args.target is None:
        raise UsageError("name a method (see 'verify list'), 'all', or give --module FILE.py")
    if args.target == "all":
        return registry.names()
    from . import COMMANDS

    if args.target in COMMANDS:
        raise UsageError(f"'{args.target}' is a command: put it first, e.g. verify {args.target} --json")
    return [registry.get(args.target)]


def _check_counts(args) -> None:
    """``--sweep N`` / ``--grid N`` given: N must ask for something (0 would silently replay one configuration)."""
    if args.sweep is not None and not 1 <= args.sweep <= MAX_SWEEP:
        raise UsageError(f"--sweep {args.sweep}: must be between 1 and {MAX_SWEEP} configurations "
                         "(drop --sweep for one configuration)")
    if args.grid is not None and not 2 <= args.grid <= 64:
        raise UsageError(f"--grid {args.grid}: must be between 2 and 64 points per parameter")
    args.sweep, args.grid = args.sweep or 0, args.grid or 0


def run(args) -> int:
    from ..combinations import refuse_unused

    _check_counts(args)
    refuse_unused(args, UsageError)
    if args.no_cache:
        import os

        os.environ["OPTIMIZER_EQUIVALENCES_CACHE"] = "off"
    if args.against:
        from .libraries import run_against

        return run_against(args)
    from ..output import emit
    from ..pipeline import BadHyperparameter, verify

    check_replay_args(args)
    sets = parse_sets(args.sets)
    names = targets(args)
    if args.equations:
        from ..equations import constant_settings

        sets = constant_settings(names[0], sets)  # a schedule's --set value is in the declaration itself
        if args.print_module:
            from ...equations import module_source, read_text

            print(module_source(names[0], read_text(args.equations)), end="")
            return 0
    if args.target == "all" and sets:
        raise UsageError("--set applies to one method; name it instead of 'all'")
    if args.plot:
        _check_plot(args)
    kw = dict(numeric=not args.no_numeric, steps=args.steps, dim=args.dim, seed=args.seed,
              dtype=args.dtype, device=args.device, sweep=args.sweep, grid=args.grid, problem=args.problem)
    reports = _in_parallel(names, kw, text=not args.json) if _parallel(args, names) else None
    if reports is None and len(names) == 1 and not sets and args.target != "all":
        from ...derivation import derivation

        derivation(names[0]).prefetch()  # what the report shows, the degenerate sets classified beside the rest
    if reports is None:
        reports = []
        with _progress(args, len(names)) as progress:
            for name in names:
                try:
                    reports.append(verify(name, hyperparameters=sets, progress=progress(getattr(name, "key", name)),
                                          families=True, **kw))
                except BadHyperparameter as err:  # includes a replay too large for the device
                    raise UsageError(err.in_words(CLI_WORDS)) from None
    emit(ReportSet(reports, many=args.target == "all"), "json" if args.json else "text")
    from ..render import notation

    for note in (n for r in reports for n in r.notes):
        print(f"verify: note: {notation(note)}", file=sys.stderr)
    if args.plot:
        from numeric.plots import PlotUnavailable, plot

        try:
            plot(reports[0], args.plot, dim=args.dim)
        except PlotUnavailable as err:
            raise UsageError(str(err)) from None
        print(f"verify: wrote the plot to {args.plot}", file=sys.stderr)
    ok = all(r.ok for r in reports)
    if args.strict_paper:
        failing = sum(not c.holds for r in reports for c in r.claims)
        if failing:
            print(f"verify: {failing} printed claim{'s' * (failing != 1)} of the paper fail{'s' * (failing == 1)} "
                  "(--strict-paper): exit 1", file=sys.stderr)
        ok = ok and not failing
    return 0 if ok else 1


def _parallel(args, names) -> bool:
    """``verify all`` on the CPU: one method per worker process, as many as there are cores (the replays, and
    on a first run the derivations, proofs and checks, are independent per method).  Without the replay, only
    where this process has not derived them all already (called in process, as the tests do, it has)."""
    import os

    from ...derivation import derived_here

    if args.target != "all" or args.device != "cpu" or len(names) < 2 or (os.cpu_count() or 1) < 2:
        return False
    return not args.no_numeric or not all(derived_here(name) for name in names)


def _verify_one(item):
    from ..pipeline import verify

    name, kw = item
    if kw["numeric"]:
        import torch

        torch.set_num_threads(1)  # one method per core
    return verify(name, families=True, **kw)  # as the serial run does


def _in_parallel(names, kw, text: bool = True):
    """The reports of ``names``, verified in forked worker processes (each derivation is read from the cache or
    built in the worker, and its results stored there as they are computed; the replays are seeded, so the
    reports are the serial ones); None where fork is not available, and the caller runs them one after another.
    Meanwhile this process checks the paper's statements of no method that the text summary counts."""
    import multiprocessing
    import os

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    if kw["numeric"]:
        import numeric.replay  # noqa: F401 -- torch and the replay imported once, in the parent: the workers inherit them
    with ctx.Pool(min(len(names), os.cpu_count() or 1)) as pool:
        pending = pool.map_async(_verify_one, [(name, kw) for name in names], chunksize=1)
        if text:
            from ...paper_prose import check_all

            check_all()
        return pending.get()


def _check_plot(args) -> None:
    from numeric.plots import PlotUnavailable, check_suffix

    from ...files import check_target

    try:
        check_suffix(args.plot)
    except PlotUnavailable as err:
        raise UsageError(str(err)) from None
    if args.target == "all" or args.no_numeric or args.sweep or args.grid:
        raise UsageError("--plot shows one replayed configuration: name one method, without --no-numeric, "
                         "--sweep or --grid")
    check_target(args.plot, "--plot")


def _progress(args, n_methods: int):
    """A rich progress bar on stderr for long replays (only when stderr is a terminal)."""
    import contextlib

    big = (max(args.sweep, args.grid ** 2, 1) * args.steps * args.dim) > 5e7 or n_methods > 1
    if args.no_numeric or not big or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda name: None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from ..output import console

    @contextlib.contextmanager
    def bar():
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
                      TimeRemainingColumn(), console=console(stderr=True), transient=True) as prog:
            def for_method(name):
                task = prog.add_task(f"replaying {name}", total=args.steps)
                return lambda k: prog.update(task, completed=k)
            yield for_method

    return bar()
