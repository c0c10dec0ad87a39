"""End-to-end CLI cost as ratios to the imports it cannot avoid, measured in one run.

    python benchmarks/bench_cli.py [--repeat 3] [--method schedule-free] [--only 'all --no-numeric']

Each command runs as a fresh process (what a user or a CI job pays; the package's bytecode compiled first, as
an install has it), against an empty on-disk cache of derivations (``cold``: the first run derives, proves and
checks the paper) and then again (``warm``: the derivations are read back, see equivalences/cache.py); the best of ``--repeat`` warm wall times is kept, so a
busy machine inflates every row alike (the cold run is the best of ``--repeat`` too, each against an emptied
cache).  Targets, as ratios to ``import sympy`` (or ``import sympy, torch``) measured in the same run:

=================================  ==========  ===========
command                            cold        warm
=================================  ==========  ===========
``verify NAME --no-numeric``       <= 3x (19)  <= 2.5x (11)
``verify NAME``                    --          <= 1.5x (11), of ``import sympy, torch``
``verify all --no-numeric``        <= 8x (19)  <= 8x (11)
``verify all``                     --          <= 12x (11, 19)
=================================  ==========  ===========

(issue numbers in brackets).  The last lines repeat the three goals of issue 19 (cold ``verify NAME
--no-numeric`` <= 3x, cold ``verify all --no-numeric`` <= 8x, warm ``verify all`` <= 12x), each as a ratio to
``import sympy`` measured in this run.  ``verify NAME`` classifies its degenerate sets in a forked child while
the parent proves and checks the claims (``Derivation.prefetch``), and ``verify all`` runs one method per worker
process (with or without the replay), so the cold rows use two cores where there are; each result is stored in
the cache when it is first computed, so a run computes only what it shows (``verify all`` no degenerate sets).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

CACHE = tempfile.mkdtemp(prefix="bench-cli-cache-")


def best(cmd: list[str], repeat: int, empty_cache: bool = False) -> float:
    times = []
    for _ in range(repeat):
        if empty_cache:  # cold: nothing derived yet
            for f in os.listdir(CACHE):
                os.unlink(os.path.join(CACHE, f))
        start = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "COLUMNS": "100", "OPTIMIZER_EQUIVALENCES_CACHE": CACHE})
        times.append(time.perf_counter() - start)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr.strip()}")
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--method", default="schedule-free")
    ap.add_argument("--only", default="", help="run only the rows whose command contains this text")
    args = ap.parse_args()
    py, verify = sys.executable, [sys.executable, "-m", "equivalences"]
    # the package's bytecode first, as pip writes it for an install (sympy's is there already): under
    # PYTHONDONTWRITEBYTECODE a stale or missing __pycache__ would otherwise be compiled again in every process
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([py, "-m", "compileall", "-q", os.path.join(root, "equivalences"), os.path.join(root, "numeric")],
                   check=True, stdout=subprocess.DEVNULL)
    sympy = best([py, "-c", "import sympy"], args.repeat)
    sympy_torch = best([py, "-c", "import sympy, torch"], args.repeat)
    rows = [  # name, command, baseline, its name, cold target, warm target
        (f"verify {args.method} --no-numeric", verify + [args.method, "--no-numeric"], sympy, "import sympy", 3, 2.5),
        (f"verify {args.method}", verify + [args.method], sympy_torch, "import sympy, torch", None, 1.5),
        ("verify all --no-numeric", verify + ["all", "--no-numeric"], sympy, "import sympy", 8, 8),
        ("verify all", verify + ["all"], sympy, "import sympy", None, 12),
    ]
    print(f"import sympy         {sympy:6.2f} s")
    print(f"import sympy, torch  {sympy_torch:6.2f} s")
    worst, measured = 0.0, {}
    for name, cmd, base, base_name, cold_target, warm_target in rows:
        if args.only not in name:
            continue
        cold = best(cmd, args.repeat, empty_cache=True)
        warm = best(cmd, args.repeat)
        measured[name] = cold / base, warm / base
        marks = []
        for label, t, target in (("cold", cold, cold_target), ("warm", warm, warm_target)):
            if target is not None:
                worst = max(worst, t / base / target)
                marks.append(f"{label} <= {target}x {'ok' if t / base <= target else 'OVER'}")
        print(f"{name:32s} cold {cold:6.2f} s = {cold / base:5.2f}x, warm {warm:6.2f} s = {warm / base:5.2f}x "
              f"{base_name:20s} ({', '.join(marks)})")
    goals = ((f"verify {args.method} --no-numeric", 0, "cold", 3), ("verify all --no-numeric", 0, "cold", 8),
             ("verify all", 1, "warm", 12))
    print("issue 19 goals (ratios to import sympy, this run):")
    for name, i, label, target in goals:
        if name in measured:
            r = measured[name][i]
            print(f"  {label} {name:30s} {r:5.2f}x  (goal <= {target}x: {'ok' if r <= target else 'OVER'})")
    sys.exit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()
