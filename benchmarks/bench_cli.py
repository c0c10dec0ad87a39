"""End-to-end CLI cost as ratios to the imports it cannot avoid, measured in one run.

    python benchmarks/bench_cli.py [--repeat 3] [--method schedule-free]

Each command runs as a fresh process (what a user or a CI job pays), against an empty on-disk cache of
derivations (``cold``: the first run derives, proves and checks the paper) and then again (``warm``: the
derivations are read back, see equivalences/cache.py); the best of ``--repeat`` warm wall times is kept, so a
busy machine inflates every row alike.  Targets (issue 11), for the warm runs:
``verify NAME --no-numeric`` <= 2.5x ``import sympy``; ``verify NAME`` <= 1.5x ``import sympy, torch``;
``verify all --no-numeric`` <= 8x and ``verify all`` <= 12x ``import sympy``.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

CACHE = tempfile.mkdtemp(prefix="bench-cli-cache-")


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
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
    args = ap.parse_args()
    py, verify = sys.executable, [sys.executable, "-m", "equivalences"]
    sympy = best([py, "-c", "import sympy"], args.repeat)
    sympy_torch = best([py, "-c", "import sympy, torch"], args.repeat)
    rows = [
        (f"verify {args.method} --no-numeric", verify + [args.method, "--no-numeric"], sympy, "import sympy", 2.5),
        (f"verify {args.method}", verify + [args.method], sympy_torch, "import sympy, torch", 1.5),
        ("verify all --no-numeric", verify + ["all", "--no-numeric"], sympy, "import sympy", 8),
        ("verify all", verify + ["all"], sympy, "import sympy", 12),
    ]
    print(f"import sympy         {sympy:6.2f} s")
    print(f"import sympy, torch  {sympy_torch:6.2f} s")
    worst = 0.0
    for name, cmd, base, base_name, target in rows:
        for f in os.listdir(CACHE):  # cold: nothing derived yet
            os.unlink(os.path.join(CACHE, f))
        cold = best(cmd, 1)
        t = best(cmd, args.repeat)
        ratio = t / base
        worst = max(worst, ratio / target)
        mark = "ok" if ratio <= target else "OVER"
        print(f"{name:32s} cold {cold:6.2f} s = {cold / base:5.2f}x, warm {t:6.2f} s = {ratio:5.2f}x "
              f"{base_name:20s} (target <= {target}x) {mark}")
    sys.exit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()
