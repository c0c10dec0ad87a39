"""Time ``verify identify``: probe + fit per class, matching, and a census's wall time.

    python benchmarks/bench_identify.py [--census PACKAGE] [pkg.Class ...]
    python benchmarks/bench_identify.py --table CENSUS.json [--against OLD.json]

Prints, per class (default: one of each kind), the seconds of the probes and the fit (``identify``, in-process,
after imports), the number of optimizer steps that took, and the seconds of matching against the registered
methods; then, with ``--census PACKAGE``, the wall time of ``verify identify --all PACKAGE --json`` as a fresh
process (imports, worker processes and matching included) and its counts per verdict. ``--table`` prints a census's
JSON as the markdown table of docs/identify.md (class, verdict, a short why, family, matches); with ``--against`` an older
census, only the classes whose verdict changed, old and new.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

DEFAULT = ["torch.optim.SGD", "torch.optim.Adam", "torch.optim.AdamW", "schedulefree.SGDScheduleFree",
           "lion_pytorch.Lion", "pytorch_optimizer.Lamb", "pytorch_optimizer.Adan", "pytorch_optimizer.AggMo"]


def why(entry: dict) -> str:
    """A census entry's reason, shortened to what the docs' table says (the full reason is in the JSON)."""
    r, v = entry["reason"], entry["verdict"]
    limit = ""
    if entry.get("limit"):
        size = entry["limit"].split("size ~")[1].split(" ")[0]
        limit = f"below \\|g\\| ~ {size} (coupled at \\|g\\| ~ 1): "
        r = r[len(entry["limit"]) + 2:]
    if v == "not-probed":
        return limit + r[:110].replace("|", "\\|")
    rules = [
        ("coupled coordinates under a steady gradient", "coupled coordinates under a steady gradient"),
        ("coupled coordinates", "coupled coordinates"),
        ("moves under zero gradients", "moves under zero gradients from w_0 = 0"),
        ("memoryless with a per-coordinate step", "memoryless per-coordinate step against sign(g) (Rprop-type)"),
        ("the parameter did not move", "the parameter does not move"),
    ]
    for key, text in rules:
        if r.startswith(key):
            return limit + text
    if r.startswith("parameter dependence"):
        if "decoupled weight decay" in r:
            kappa = r.split("by the factor 1 - ")[1].split(" ")[0]
            return limit + f"parameter dependence: decoupled decay, w ← (1 - {kappa}) w"
        if "coupled through the gradient" in r:
            return limit + "parameter dependence: L2 through the gradient"
        return limit + "parameter dependence"
    if v == "not-in-family":
        w = entry.get("witness") or {}
        where = " below ε" if entry.get("regime") == "g (|g| ~ 1e-30)" else ""
        order = ""
        if "-term recurrence instead" in r:
            order = ", order " + r.split("-term recurrence instead")[0].rsplit(" ", 1)[1] + " fits"
        return limit + (f"H not of Eq. (1)'s form (linear{where}; witness row {w.get('row')}, column "
                        f"{w.get('column')}{order})")
    if v == "sign":
        return limit + "sign update, " + r.split("with ", 1)[1].split(";")[0].split(" at every step")[0]
    if v in ("in-family", "preconditioned"):
        parts = []
        if "Adam-type preconditioner" in r:
            parts.append("Adam-type (constant magnitude pins it)")
        elif "|g| ~ 1e-30" in r:
            parts.append("linear part identified below ε only")
        elif "gradient response H" in r:
            parts.append("gradient response H")
        else:
            parts.append("three-term recurrence")
        if "has Eq. (1)'s form" in r and parts[0] != "gradient response H":
            parts.append("from H")
        if "eta_a = 0 at steps k = " in r:
            parts.append("η_a = 0 at k = " + r.split("eta_a = 0 at steps k = ")[1].split(" (")[0])
        if "memoryless" in r:
            parts.append("memoryless")
        if "gamma_avg" in r:
            parts.append("+ averaging")
        return limit + ", ".join(parts)
    if "misses a held-out probe" in r or "misses the held-out probe" in r:
        return limit + "fits its probe, misses a held-out one"
    return limit + "nonlinear; preconditioner not pinned by these probes"


def family(entry: dict) -> str:
    """The census's family column: the family and order a class was identified in (docs/identify.md)."""
    f, v, r = entry.get("family"), entry["verdict"], entry.get("reason", "")
    if f:
        if f["family"].startswith("momentum"):
            kind = "constant" if f["constant"] else "per-step weights"
            return f"{f['order']}-momentum ({kind}; replay {f['residual']:.0e}, control {f['control']:.0e})"
        return f"filter of order {f['order']} (rank of H; no momentum form)"
    if v in ("in-family", "preconditioned", "sign"):
        base = "plain SGD" if "memoryless" in r else "Eq. (1)"
        return base + {"in-family": "", "preconditioned": ", preconditioned", "sign": ", sign"}[v]
    return ""


def table(path: str, against: str | None = None) -> None:
    entries = json.load(open(path))
    if against:
        old = {e["target"]: e for e in json.load(open(against))}
        print("| class | before | now | why (now) |\n|---|---|---|---|")
        for e in entries:
            o = old.get(e["target"])
            if o is not None and o["verdict"] != e["verdict"]:
                print(f"| {e['target'].split('.')[-1]} | {o['verdict']} | {e['verdict']} | {why(e)} |")
        return
    print("| class | verdict | why | family (order) | matches (confirmed by replay) |\n|---|---|---|---|---|")
    for e in sorted(entries, key=lambda e: e["target"].split(".")[-1].lower()):
        matches = ", ".join(m["method"] for m in e.get("matches") or [])
        print(f"| {e['target'].split('.')[-1]} | {e['verdict']} | {why(e)} | {family(e)} | {matches} |")


def main(argv):
    if "--table" in argv:
        i = argv.index("--table")
        j = argv.index("--against") if "--against" in argv else None
        return table(argv[i + 1], argv[j + 1] if j is not None else None)
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
