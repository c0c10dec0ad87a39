"""Generated adversaries through the whole verdict pipeline (issue 18, item 5; docs/adversaries.md).

    python benchmarks/bench_adversary.py [--cases N] [--seed S] [--jobs J] [--numeric-every K] [--json FILE]
                                         [--families a,b,...] [--show N] [--timeout SECONDS]

Case ``i`` is ``tests/adversaries.case_from_seed(S + i)`` (its family drawn from the seed, among ``--families``
if given), so any line of the output can be rebuilt alone.  Each is judged by ``adversaries.judge``:
``verify(method, numeric=False)`` and its JSON, the verdict against the truth, a proved member's map replayed
exactly as Eq. (1); a proved member among every K-th case is also replayed numerically
(``verify(..., numeric=True, steps=50, dim=4)``).  Prints, per family: proved / not-in-family with a witness /
undecided / wrong / internal error, and the time; the wrong verdicts and errors one line each (the first N of
each kind).  ``--json`` writes the summary with every wrong or failed case.
Exit 1 when any verdict is wrong or any case failed, else 0.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("OPTIMIZER_EQUIVALENCES_CACHE", "off")  # judge the engine, not a cache of it

LABELS = ("proved", "witness", "undecided", "refused", "wrong", "error")


def _one(args):
    """Build and judge case ``seed`` in a worker; returns a plain dict (picklable)."""
    seed, numeric, families, timeout = args
    import signal

    import adversaries as A
    from equivalences import derivation

    def _alarm(signum, frame):
        raise TimeoutError(f"no verdict within {timeout} s")

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(timeout))
    try:
        return _judged(seed, numeric, families, A, derivation)
    finally:
        signal.alarm(0)


def _judged(seed, numeric, families, A, derivation):
    start = time.perf_counter()
    try:
        import random

        family = random.Random(seed).choice(families) if families else None
        case = A.case_from_seed(seed, family)
    except Exception as err:  # noqa: BLE001 -- a generator bug, reported as such
        return {"seed": seed, "family": "?", "label": "error", "verdict": "generator",
                "problem": f"the generator failed: {type(err).__name__}: {err}", "seconds": 0.0}
    out = A.judge(case, numeric=numeric)
    derivation._CACHE.clear()  # one derivation per case: keep the worker's memory flat
    return {"seed": seed, "family": case.family, "member": case.member, "label": out.label,
            "verdict": out.verdict, "problem": out.wrong or (out.error.splitlines()[0] if out.error else None),
            "traceback": out.error, "numeric": out.numeric, "seconds": round(out.seconds, 4),
            "build_seconds": round(time.perf_counter() - start - out.seconds, 4), "params": _text(case.params)}


def _text(params):
    return {k: (v if isinstance(v, (int, float, bool, str)) else str(v)) for k, v in params.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--numeric-every", type=int, default=4,
                    help="replay the proved members among every K-th case (0: none)")
    ap.add_argument("--families", default="", help="comma-separated families (default: all)")
    ap.add_argument("--json", default="", help="write the summary here")
    ap.add_argument("--show", type=int, default=5, help="wrong verdicts and errors listed per family")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds one case may take before it counts as an error")
    a = ap.parse_args(argv)
    import adversaries as A

    families = [f for f in a.families.split(",") if f]
    unknown = [f for f in families if f not in A.FAMILIES]
    if unknown:
        print(f"unknown family {unknown[0]!r}; one of: {', '.join(A.FAMILIES)}", file=sys.stderr)
        return 2
    seeds = list(range(a.seed, a.seed + a.cases))
    jobs = [(s, bool(a.numeric_every) and (s - a.seed) % a.numeric_every == 0, families, a.timeout) for s in seeds]
    start = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(_one, j) for j in jobs]
        for (seed, *_), fut in zip(jobs, futures):
            if rows and len(rows) % 100 == 0:
                print(f"  {len(rows)}/{len(jobs)} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr,
                      flush=True)
            try:
                rows.append(fut.result())
            except Exception as err:  # noqa: BLE001 -- a crashed worker
                rows.append({"seed": seed, "family": "?", "label": "error", "verdict": "crash",
                             "problem": f"{type(err).__name__}: {err}", "seconds": 0.0})
    wall = time.perf_counter() - start
    by = defaultdict(Counter)
    secs = defaultdict(list)
    for r in rows:
        by[r["family"]][r["label"]] += 1
        secs[r["family"]].append(r["seconds"])
    order = [f for f in A.FAMILIES if f in by] + [f for f in by if f not in A.FAMILIES]
    print(f"{'family':22s} {'kind':10s} {'cases':>5s} " + " ".join(f"{x:>9s}" for x in LABELS)
          + f" {'mean s':>7s} {'max s':>7s}")
    total = Counter()
    for f in order:
        c = by[f]
        total.update(c)
        kind = "member" if f in A.MEMBERS else ("non-member" if f in A.NON_MEMBERS else "?")
        print(f"{f:22s} {kind:10s} {sum(c.values()):5d} " + " ".join(f"{c[x]:9d}" for x in LABELS)
              + f" {sum(secs[f]) / len(secs[f]):7.2f} {max(secs[f]):7.2f}")
    print(f"{'all':22s} {'':10s} {len(rows):5d} " + " ".join(f"{total[x]:9d}" for x in LABELS))
    num = Counter("passed" if r.get("numeric") == "passed" else r["numeric"].split(":")[0]
                  for r in rows if r.get("numeric"))
    print(f"numeric replays (steps 50, dim 4): {dict(num) or 'none'}")
    print(f"{len(rows)} cases in {wall:.1f} s wall with {a.jobs} jobs "
          f"({sum(r['seconds'] for r in rows):.1f} s of verdicts; seeds {a.seed}..{a.seed + a.cases - 1})")
    bad = [r for r in rows if r["label"] in ("wrong", "error") or (r.get("numeric") or "passed") != "passed"]
    shown = Counter()
    for r in bad:
        key = (r["family"], r["label"])
        shown[key] += 1
        if shown[key] <= a.show:
            what = r["problem"] if r["label"] in ("wrong", "error") else f"numeric {r['numeric']}"
            print(f"  {r['label']:6s} {r['family']:20s} seed {r['seed']}: {str(what)[:220]}")
    if a.json:
        Path(a.json).write_text(json.dumps({
            "schema": "optimizer-equivalences/bench-adversary/v1",
            "command": "python benchmarks/bench_adversary.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "cases": len(rows), "seed": a.seed, "jobs": a.jobs, "wall_seconds": round(wall, 2),
            "totals": dict(total), "families": {f: dict(by[f]) for f in order},
            "mean_seconds": {f: round(sum(secs[f]) / len(secs[f]), 4) for f in order},
            "numeric": dict(num), "bad": bad}, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
