"""Time the symbolic pipeline and the CLI end to end.

    python benchmarks/bench_proofs.py [method ...]

Prints, per method: derive, prove and claim-check seconds (in-process, after
imports), and the wall time of ``verify <method>`` as a fresh process
(imports, proof and 500-step replay included).
"""
from __future__ import annotations

import subprocess
import sys
import time


def main(argv):
    t0 = time.perf_counter()
    from equivalences import registry
    from equivalences.claims import ClaimChecker
    from equivalences.derive import derive
    from equivalences.prove import prove
    from equivalences.system import StepSystem

    print(f"import equivalences: {time.perf_counter() - t0:.2f} s")
    names = argv or registry.names()
    print(f"{'method':24s} {'derive':>8s} {'prove':>8s} {'claims':>8s} {'d+p':>8s} {'verify (CLI)':>13s}")
    total = 0.0
    for name in names:
        method = registry.get(name)
        a = time.perf_counter()
        system = StepSystem(method)
        mp = derive(method, system)
        b = time.perf_counter()
        proof = prove(method, mp, system)
        c = time.perf_counter()
        checker = ClaimChecker(method, mp, system)
        for claim in method.claims:
            checker.check(claim)
        d = time.perf_counter()
        assert proof.holds, name
        e = time.perf_counter()
        subprocess.run([sys.executable, "-m", "equivalences", name], check=True, capture_output=True)
        f = time.perf_counter()
        total += c - a
        print(f"{name:24s} {b - a:8.2f} {c - b:8.2f} {d - c:8.2f} {c - a:8.2f} {f - e:12.2f}s")
    print(f"all derive+prove: {total:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
