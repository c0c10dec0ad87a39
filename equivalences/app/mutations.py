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
    from ..response import contradicted

    start = time.perf_counter()
    d = derivation(method)
    system, mp = d.system, d.map
    out = SuiteResult(method.key, steps=steps if numeric else 0)
    schedules = {f: method.defaults[f] for f in method.schedules if f in method.defaults}
    pending, judged = [], []
    for mu in mutants(method, mp):
        if identical(method, mp, mu.map):
            out.results.append(MutantResult(mu.kind, mu.name, False))
            continue
        proof = prove(method, mu.map, system, readable=False)
        res = MutantResult(mu.kind, mu.name, True, not proof.holds, tuple(i.name for i in proof.failures))
        out.results.append(res)
        judged.append((res, mu.map))
        if not numeric:
            continue
        if identical(method, mp, mu.map, schedules):
            res.numeric_note = "the same map under the replayed schedules (proved exactly): no replay can see it"
        else:
            pending.append((res, mu))
    for (res, _), bad in zip(judged, contradicted(method, [m for _, m in judged], steps=d.check_steps)):
        res.independent = bad
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
    base = replay(method, mp, controls=[mu.map for _, mu in pending], **kw)  # one method trajectory for all
    agree = (base.deviation() <= base.tolerance) & ~base.diverged & ~base.inconclusive & ~base.mismatched_divergence
    for (res, mu), r in zip(pending, base.controls):
        if isinstance(r, ConfigError):  # e.g. a start that is not finite: the replay cannot run the map
            res.numeric, res.numeric_note = True, f"the replay cannot form it: {r}"
            continue
        rejected = ((r.deviation() > r.tolerance) | r.mismatched_divergence) & agree
        res.numeric = bool(rejected.any())
        dev = np.where(r.mismatched_divergence, np.inf, r.deviation())
        res.deviation = float(dev[agree].max()) if agree.any() else None
