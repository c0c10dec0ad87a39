"""``verify mutations``: every mutant of a derived map through the proof and the replay (the suite runner)."""
from __future__ import annotations

import time

from ..mutants import MutantResult, SuiteResult, identical, mutants


def run_suite(method, *, numeric: bool = True, steps: int = 200, dim: int = 8, seed: int = 0,
              sampled: int = 7) -> SuiteResult:
    """Every mutant of ``method``'s derived map, through the proof and (``numeric``) the replay.

    The replay runs the method's defaults and ``sampled`` random configurations of its domain as one batch
    (float64, CPU); a mutant is caught numerically when some configuration where the derived map agrees
    conclusively rejects it.  A mutant that is the same map once the replay's schedules are substituted
    (e.g. a wrong initial momentum times ``beta_a(t0) = 1 - c_1 = 0``) cannot be seen by any replay of
    those schedules: it is reported and not counted numerically."""
    from ..derivation import derivation
    from ..prove import prove

    start = time.perf_counter()
    d = derivation(method)
    system, mp = d.system, d.map
    out = SuiteResult(method.key, steps=steps if numeric else 0)
    schedules = {f: method.defaults[f] for f in method.schedules if f in method.defaults}
    pending = []
    for mu in mutants(method, mp):
        if identical(method, mp, mu.map):
            out.results.append(MutantResult(mu.kind, mu.name, False))
            continue
        proof = prove(method, mu.map, system, readable=False)
        res = MutantResult(mu.kind, mu.name, True, not proof.holds, tuple(i.name for i in proof.failures))
        out.results.append(res)
        if not numeric:
            continue
        if identical(method, mp, mu.map, schedules):
            res.numeric_note = "the same map under the replayed schedules (proved exactly): no replay can see it"
        else:
            pending.append((res, mu))
    if pending:
        _replay_mutants(method, mp, system, pending, out, steps=steps, dim=dim, seed=seed, sampled=sampled)
    out.seconds = time.perf_counter() - start
    return out


def _replay_mutants(method, mp, system, pending, out, *, steps, dim, seed, sampled):
    import numpy as np

    from numeric.compile import Config, ConfigError
    from numeric.replay import replay
    from numeric.sweep import finite_rows, sample, select

    cfg = Config.from_method(method)
    if sampled:
        more = sample(method, sampled, seed=seed)
        cfg = Config({k: np.concatenate([v, more.values[k]]) for k, v in cfg.values.items()}, cfg.schedules)
    cfg = select(cfg, finite_rows(method, mp, cfg, steps, system))
    out.configs = cfg.batch
    kw = dict(steps=steps, dim=dim, seed=seed, cfg=cfg, system=system)
    base = replay(method, mp, **kw)
    agree = (base.deviation() <= base.tolerance) & ~base.diverged & ~base.inconclusive & ~base.mismatched_divergence
    for res, mu in pending:
        try:
            r = replay(method, mu.map, sensitivity=False, **kw)
        except ConfigError as err:  # e.g. a start that is not finite: the replay cannot run the map
            res.numeric, res.numeric_note = True, f"the replay cannot form it: {err}"
            continue
        rejected = ((r.deviation() > r.tolerance) | r.mismatched_divergence) & agree
        res.numeric = bool(rejected.any())
        dev = np.where(r.mismatched_divergence, np.inf, r.deviation())
        res.deviation = float(dev[agree].max()) if agree.any() else None


def render_suites(suites, console=None) -> None:
    """A rich table: one row per method (and, for one method, one row per mutant)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)

    def frac(c):
        return f"{c[0]}/{c[1]}" if c[1] else "-"

    if len(suites) == 1:
        tab = Table(title=f"mutations of {suites[0].method}")
        for col in ("kind", "mutant", "proof", "replay"):
            tab.add_column(col)
        for r in suites[0].results:
            if not r.applicable:
                tab.add_row(r.kind, r.name, "[dim]same map: not applicable[/]", "")
                continue
            proof = "[green]✓ rejected[/]" if r.symbolic else "[red]✗ ESCAPED[/]"
            if r.numeric is None:
                replay = f"[dim]{r.numeric_note or 'not replayed'}[/]"
            elif r.numeric:
                replay = "[green]✓ rejected[/]" + (f" ({r.deviation:.1e})" if r.deviation is not None else "")
            else:
                replay = "[red]✗ ESCAPED[/]"
            tab.add_row(r.kind, r.name, proof, replay)
        console.print(tab)
    tab = Table(title="verify mutations")
    for col in ("method", "proof caught/tried", "replay caught/tried", "not applicable", "replay cannot see", "time"):
        tab.add_column(col)
    tot = [0, 0, 0, 0, 0, 0]
    for s in suites:
        sc, nc = s.count("symbolic"), s.count("numeric")
        blind = sum(r.applicable and r.numeric is None and bool(r.numeric_note) for r in s.results)
        tot = [a + b for a, b in zip(tot, (*sc, *nc, s.not_applicable, blind))]
        mark = "" if s.ok else " [red]✗[/]"
        tab.add_row(s.method + mark, frac(sc), frac(nc), str(s.not_applicable), str(blind), f"{s.seconds:.1f}s")
    if len(suites) > 1:
        tab.add_row("all", frac(tot[0:2]), frac(tot[2:4]), str(tot[4]), str(tot[5]), "", style="bold")
    console.print(tab)
    escaped = [(s.method, r.name) for s in suites for r in s.results if r.escaped]
    if escaped:
        console.print(f"[red]{len(escaped)} mutant(s) escaped:[/] " + "; ".join(f"{m}: {n}" for m, n in escaped))
    else:
        console.print("every applicable mutant was rejected")
