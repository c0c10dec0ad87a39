"""Time ``verify convert --table`` (every ordered pair of the registered methods) as a fresh process.

    python benchmarks/bench_convert.py [--repeat N]

Prints the wall time of each run (imports, one derivation per method, every pair solved), the CPU time the
process and its workers used, the machine's load average at the start (the 2-core development machine is
shared, so wall time depends on it), and the counts always / conditional / never.  Budget: 30 s wall.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

BUDGET_S = 30.0


def once() -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "equivalences", "convert", "--table", "--json"],
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout)["counts"]


def main(argv) -> int:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    walls = []
    for i in range(repeat):
        wall, cpu, counts = once()
        walls.append(wall)
        print(f"verify convert --table: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({counts['always']} always, {counts['conditional']} conditional, {counts['never']} never)")
    best = min(walls)
    print(f"best of {repeat}: {best:.1f} s wall (budget {BUDGET_S:.0f} s: {'ok' if best < BUDGET_S else 'OVER'})")
    return 0 if best < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
