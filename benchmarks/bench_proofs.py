"""Time the symbolic pipeline and the CLI end to end.

    python benchmarks/bench_proofs.py [method ...] [--no-cli]

Prints, per method: derive, prove and claim-check seconds (in-process, after
imports); beside them the trajectory route's cost on the same method (``traj``:
invariants, then the map derived and proved on the reduced declaration;
``unroll``: the witness search over the unrolled trajectory, run in full since
no witness exists; ``degen``: classifying the degenerate sets); and the wall
time of ``verify <method>`` as a fresh process (imports, proof and 500-step
replay included).  Then the redundant-state and not-in-family declarations of
``tests/data``, which only the trajectory route decides (``decide``: both
routes, the state-space one refusing first).
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

    from equivalences.trajectory import classify_degenerate, decide, find_witness, trajectory_route

    print(f"import equivalences: {time.perf_counter() - t0:.2f} s")
    cli = "--no-cli" not in argv
    argv = [a for a in argv if a != "--no-cli"]
    names = argv or registry.names()
    print(f"{'method':24s} {'derive':>8s} {'prove':>8s} {'claims':>8s} {'d+p':>8s} {'traj':>8s} {'unroll':>8s} "
          f"{'degen':>8s} {'verify (CLI)':>13s}")
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
        g0 = time.perf_counter()
        assert trajectory_route(method, StepSystem(method)).proof.holds, name
        g1 = time.perf_counter()
        assert find_witness(method, StepSystem(method)) is None, name
        g2 = time.perf_counter()
        classify_degenerate(method, mp)
        g3 = time.perf_counter()
        e = time.perf_counter()
        if cli:
            subprocess.run([sys.executable, "-m", "equivalences", name], check=True, capture_output=True)
        f = time.perf_counter()
        total += c - a
        print(f"{name:24s} {b - a:8.2f} {c - b:8.2f} {d - c:8.2f} {c - a:8.2f} {g1 - g0:8.2f} {g2 - g1:8.2f} "
              f"{g3 - g2:8.2f} {f - e:12.2f}s")
    print(f"all derive+prove: {total:.2f} s")
    if argv:
        return
    from pathlib import Path

    print(f"\n{'tests/data declaration':28s} {'decide':>8s}  verdict")
    for path in sorted((Path(__file__).parent.parent / "tests" / "data").glob("*.py")):
        if path.name.startswith("bad_"):
            continue
        method = registry.load_module(str(path))
        a = time.perf_counter()
        v = decide(method)
        b = time.perf_counter()
        what = (f"in the family ({v.route}, {len(v.invariants)} invariant(s))" if v.in_family
                else "witness" if v.witness is not None else "undecided")
        print(f"{path.stem:28s} {b - a:8.2f}  {what}")


if __name__ == "__main__":
    main(sys.argv[1:])
