"""``verify mutations [NAME|all]``: deliberately wrong maps through the proof and the replay."""
from __future__ import annotations

from dataclasses import dataclass

from . import UsageError


@dataclass
class MutationRun:
    suites: list
    many: bool = True

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.suites)

    def to_json(self):
        payload = [s.to_json() for s in self.suites]
        return payload if self.many else payload[0]


def configure(p) -> None:
    p.add_argument("target", nargs="?", default="all", help="a method name or 'all' (default)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--steps", type=int, default=100, help="replay length per mutant (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the problem and the sampled configurations")
    p.add_argument("--no-numeric", action="store_true", help="symbolic rejection only")
    p.add_argument("--module", metavar="FILE.py", help="the METHOD declared in your own Python file")


def run(args) -> int:
    from ..mutations import run_suite
    from ..output import emit
    from .check import targets

    if not 1 <= args.steps <= 10_000:
        raise UsageError(f"--steps {args.steps}: must be between 1 and 10000 for the mutation suite")
    if not 0 <= args.seed < 2 ** 32:
        raise UsageError(f"--seed {args.seed}: must be between 0 and 2**32 - 1")
    if args.module and args.target == "all":
        args.target = None
    from ... import registry

    methods = [registry.get(m) if isinstance(m, str) else m for m in targets(args)]
    from ...derivation import derivation

    without = [m for m in methods if derivation(m).map is None]  # a method outside Eq. (1) has no map to mutate
    if without and len(methods) == 1:
        m = without[0]
        raise UsageError(f"{m.key} has no map onto Eq. (1) to mutate ({derivation(m).verdict_name}; verify "
                         f"{'--module FILE' if args.module else m.key} says why); the suite takes an instance")
    if without:
        import sys

        print(f"verify: note: left out, no map onto Eq. (1) to mutate: {', '.join(m.key for m in without)}",
              file=sys.stderr)
        methods = [m for m in methods if m not in without]
    suites = [run_suite(m, numeric=not args.no_numeric, steps=args.steps, seed=args.seed) for m in methods]
    result = MutationRun(suites, many=args.target == "all")
    emit(result, "json" if args.json else "text")
    return 0 if result.ok else 1
