"""Time ``verify identify``: probe + fit per class, matching, and a census's wall time.

    python benchmarks/bench_identify.py [--census PACKAGE] [pkg.Class ...]

Prints, per class (default: one of each kind), the seconds of the probes and the fit (``identify``, in-process,
after imports), the number of optimizer steps that took, and the seconds of matching against the registered
methods; then, with ``--census PACKAGE``, the wall time of ``verify identify --all PACKAGE --json`` as a fresh
process (imports, worker processes and matching included) and its counts per verdict.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

DEFAULT = ["torch.optim.SGD", "torch.optim.Adam", "torch.optim.AdamW", "schedulefree.SGDScheduleFree",
           "lion_pytorch.Lion", "pytorch_optimizer.Lamb", "pytorch_optimizer.Adan", "pytorch_optimizer.AggMo"]


def main(argv):
    census = None
    if "--census" in argv:
        i = argv.index("--census")
        census = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    t0 = time.perf_counter()
    import torch

    from numeric.identify import probe
    from numeric.identify.census import default_settings
    from numeric.identify.match import match
    from numeric.identify.verdict import identify

    print(f"import torch + identify: {time.perf_counter() - t0:.2f} s; torch threads {torch.get_num_threads()}")
    steps = [0]
    original = probe.Driver._run

    def counted(self, G, p0):
        steps[0] += G.shape[0]
        return original(self, G, p0)

    probe.Driver._run = counted
    print(f"{'class':34s} {'verdict':15s} {'probe+fit':>10s} {'steps':>6s} {'match':>8s}")
    for target in argv or DEFAULT:
        try:
            cls = probe.load_class(target)
        except probe.TargetError as err:
            print(f"{target:34s} skipped: {err}")
            continue
        kw, _ = default_settings(cls)
        steps[0] = 0
        identify(cls, kw, target)  # warm-up (first-call costs of the class)
        steps[0] = 0
        a = time.perf_counter()
        res = identify(cls, kw, target)
        b = time.perf_counter()
        n = steps[0]
        match(res, cls, kw)
        c = time.perf_counter()
        print(f"{target:34s} {res.verdict:15s} {b - a:10.3f} {n:6d} {c - b:8.2f}")
    if census:
        a = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "equivalences", "identify", "--all", census, "--json"],
                             capture_output=True, text=True)
        wall = time.perf_counter() - a
        entries = json.loads(out.stdout)
        from numeric.identify.census import counts

        print(f"census {census}: {len(entries)} classes, {wall:.1f} s wall (exit {out.returncode}); {counts(entries)}")


if __name__ == "__main__":
    main(sys.argv[1:])
