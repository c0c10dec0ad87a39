"""``verify convert FROM --to TO``: which settings of TO trace FROM's trajectory (docs/convert.md).

    verify convert FROM --to TO [--set NAME=VALUE ...] [--json] [--module FILE.py]
                   [--against-from PKG.CLASS --against-to PKG.CLASS] [--steps N] [--no-numeric]
    verify convert --table [--json] [--latex PATH]

Exit 0: a conversion exists and (with --set) holds at those values and replays; 1: it does not exist, does
not hold there, or the replay disagrees; 2: usage error (one line on stderr).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import sympy as sp

from ... import registry
from ...conversion_table import latex_table, table
from ...convert import BadConversionSetting, Conversion, ConversionError, convert
from ...symbols import t
from ..equations import constant_settings, is_equations
from . import UsageError, parse_sets

MAX_STEPS = 100_000


@dataclass
class ConversionTable:
    """``verify convert --table``: every ordered pair of the registered methods."""

    rows: list
    seconds: float

    @property
    def counts(self) -> dict:
        return {k: sum(1 for r in self.rows if r.exists == k) for k in ("always", "conditional", "never")}

    def to_json(self):
        return {"pairs": [r.to_json() for r in self.rows], "counts": self.counts, "seconds": round(self.seconds, 2)}


class NoClassSetting(Exception):
    """The real TO (or FROM) class has no constructor arguments at the converted values: exit 1."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("from_", nargs="?", metavar="FROM", help="the method you have settings for (a name, or "
                        "equations: \"m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]\" or @FILE)")
    parser.add_argument("--to", metavar="TO", help="the method to convert them to (a name or equations; "
                        "equations give their values with `with NAME=VALUE`)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                        help="a value of FROM's constant or schedule parameter, exact (0.9 means 9/10); repeatable")
    parser.add_argument("--json", action="store_true", help="print the JSON answer (docs/convert.md)")
    parser.add_argument("--table", action="store_true", help="every ordered pair of the registered methods")
    parser.add_argument("--latex", metavar="PATH", help="with --table: also write the LaTeX table to PATH")
    parser.add_argument("--module", metavar="FILE.py", action="append", default=[],
                        help="a method declared in your own Python file (METHOD), usable as FROM or TO by its key; "
                        "give it twice for FROM's and TO's")
    parser.add_argument("--against-from", metavar="PKG.CLASS", help="the real optimizer class FROM runs as")
    parser.add_argument("--against-to", metavar="PKG.CLASS", help="the real optimizer class TO runs as")
    parser.add_argument("--steps", type=int, default=500, help="replay length (default 500)")
    parser.add_argument("--dim", type=int, default=32, help="problem dimension of the replay (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the stochastic problem (default 0)")
    parser.add_argument("--no-numeric", action="store_true", help="with --set: exact values only, no replay")


# ----------------------------------------------------------------------------------------------- run


def run(args) -> int:
    try:
        return _run(args)
    except ConversionError as err:
        msg = str(err.args[0] if err.args else err)
        raise UsageError(f"--set {msg}" if isinstance(err, BadConversionSetting) else msg) from None
    except NoClassSetting as err:
        print(f"verify convert: {err}", file=sys.stderr)
        return 1


def _run(args) -> int:
    if args.table:
        if args.from_ or args.to or args.sets or args.against_from or args.against_to:
            raise UsageError("--table lists every pair: give no FROM, --to, --set or --against-*")
        return _table(args)
    if args.latex:
        raise UsageError("--latex writes the pair table: use it with --table")
    if not args.from_:
        raise UsageError("name the method you have settings for: verify convert FROM --to TO")
    if not args.to:
        raise UsageError(f"--to is missing: verify convert {args.from_} --to TO (see 'verify list')")
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps {args.steps}: must be between 1 and {MAX_STEPS}")
    if not 1 <= args.dim <= 1 << 16:
        raise UsageError(f"--dim {args.dim}: must be between 1 and 65536")
    if not 0 <= args.seed < 2 ** 63:
        raise UsageError(f"--seed {args.seed}: must be between 0 and 2**63 - 1")
    if bool(args.against_from) != bool(args.against_to):
        raise UsageError("--against-from and --against-to go together: name both real classes")
    users = _modules(args)
    settings = parse_sets(args.sets)
    from_m, to_m = _method(args.from_, users, settings, "FROM"), _method(args.to, users, None, "--to")
    if is_equations(args.from_):
        settings = constant_settings(from_m, settings)  # a schedule's value is in FROM's declaration
    from ...families.convert import outside_eq1

    if outside_eq1(from_m) or outside_eq1(to_m):  # a larger family: matching the family maps
        return _family(args, from_m, to_m, settings)
    conv = convert(from_m, to_m, settings or None)
    if settings and conv.holds_at_values and not args.no_numeric:
        conv.numeric = replay(conv, from_m, to_m, steps=args.steps, dim=args.dim, seed=args.seed)
    if args.against_from:
        libs = against(conv, from_m, to_m, args.against_from, args.against_to, steps=args.steps, seed=args.seed)
        conv.numeric = {**(conv.numeric or {}), "libraries": libs}
        if not libs["passed"]:
            conv.numeric["passed"] = False
        elif "passed" not in conv.numeric:
            conv.numeric["passed"] = True
    from ..output import emit

    emit(conv, "json" if args.json else "text")
    return 0 if conv.ok else 1


def _family(args, from_m, to_m, settings) -> int:
    """``verify convert`` where FROM or TO lies outside Eq. (1): the relation from the family maps, proved by the
    joint route (:mod:`equivalences.families.convert`); with ``--set`` the exact values and a replay."""
    from ...convert import parse_settings
    from ...families.convert import convert as family_convert

    if args.against_from:
        raise UsageError(f"--against-from/--against-to replay library classes of Eq. (1) methods; {from_m.key} or "
                         f"{to_m.key} lies outside Eq. (1): drop them")
    overrides = parse_settings(from_m, settings) if settings else None
    conv = family_convert(from_m, to_m, overrides)
    if overrides and conv.holds_at_values and not args.no_numeric:
        conv.numeric = family_replay(conv, from_m, to_m, steps=args.steps, dim=args.dim, seed=args.seed)
    from .. import family_convert_view  # noqa: F401 -- registers the terminal view
    from ..output import emit

    emit(conv, "json" if args.json else "text")
    return 0 if conv.ok else 1


def family_replay(conv, from_m, to_m, *, steps: int, dim: int, seed: int) -> dict:
    """FROM at its settings and TO at the converted values side by side, and a negative control: TO's first
    constant (not a finite choice) 1% too large."""
    from numeric.compile import Config
    from numeric.side_by_side import replay_pair

    t0 = time.perf_counter()
    cfg_f = Config.from_method(from_m, conv.settings)
    by_name = {c.name: c for c in to_m.constants}
    funcs = {f.__name__: f for f in to_m.schedules}

    def config(bump=None):
        over = {}
        for key, v in conv.values.items():
            if isinstance(key, sp.Symbol):
                over[by_name.get(key.name, key)] = v * (sp.Rational(101, 100) if bump == key.name else 1)
            else:
                over[funcs.get(key.__name__, key)] = v
        return Config.from_method(to_m, over)

    res = replay_pair(from_m, cfg_f, to_m, config(), steps=steps, dim=dim, seed=seed)
    bumpable = [c.name for c in to_m.constants if not isinstance(to_m.domain.get(c), sp.FiniteSet)
                and any(isinstance(k, sp.Symbol) and k.name == c.name and v != 0 for k, v in conv.values.items())]
    out = {"max_rel_deviation": res.worst, "tolerance": res.tolerance, "steps": steps, "dtype": "float64",
           "seed": seed, "problem": "lsq", "diverged": res.diverged, "passed": False, "control_rejected": False,
           "control": {"perturbation": None, "max_rel_deviation": None}}
    if bumpable:
        name = bumpable[0]
        bad = replay_pair(from_m, cfg_f, to_m, config(name), steps=steps, dim=dim, seed=seed)
        out["control"] = {"perturbation": f"{to_m.key}'s {name} 1% too large", "max_rel_deviation": bad.worst}
        out["control_rejected"] = bool(bad.mismatched_divergence or (not bad.diverged and bad.worst > bad.tolerance))
    out["passed"] = bool(res.agrees and not res.diverged and out["control_rejected"])
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def convert_and_replay(from_, to, settings: dict | None = None, *, numeric: bool = True, steps: int = 500,
                       dim: int = 32, seed: int = 0) -> Conversion:
    """The Python API behind ``equivalences.convert``: the conversion, and with settings the replay."""
    from ...convert import resolve

    from_m, to_m = resolve(from_), resolve(to)
    conv = convert(from_m, to_m, {k: str(v) for k, v in (settings or {}).items()} or None)
    if settings and conv.holds_at_values and numeric:
        conv.numeric = replay(conv, from_m, to_m, steps=steps, dim=dim, seed=seed)
    return conv


def _modules(args) -> list:
    """The methods of ``--module`` (at most two: FROM's and TO's), each used by FROM or TO."""
    if len(args.module) > 2:
        raise UsageError(f"--module is given {len(args.module)} times; give at most two: FROM's and TO's")
    users = [registry.load_module(path) for path in args.module]
    if len(users) == 2 and users[0].key.lower() == users[1].key.lower():
        raise UsageError(f"--module {args.module[0]} and --module {args.module[1]} both declare {users[0].key!r}; "
                         "give each method its own key")
    for path, m in zip(args.module, users):
        if m.key.lower() not in (args.from_.strip().lower(), args.to.strip().lower()):
            raise UsageError(f"--module {path} declares {m.key!r}, which is neither FROM ({args.from_}) nor TO "
                             f"({args.to}); name it as one of them")
    return users


def _method(name: str, users, settings=None, side: str = "FROM"):
    if is_equations(name):  # FROM or TO given as equations (docs/declaring-a-method.md)
        from ..equations import method

        return method(name, option=side, name="from-equations" if side == "FROM" else "to-equations",
                      values=settings, values_from="--set gives FROM's values" if side != "FROM" else "--set NAME=VALUE")
    for user in users:
        if name.strip().lower() == user.key.lower():
            return user
    return registry.get(name)


def _configs(conv: Conversion, from_m, to_m, shifted=None):
    """FROM's replay configuration (its defaults with the settings) and TO's at the converted values."""
    import numpy as np

    from numeric.compile import Config

    cfg_from = Config.from_method(from_m, conv.settings)
    values, schedules = {}, {}
    for key, v in conv.at_values.items():
        if isinstance(key, sp.Symbol):
            values[key] = np.array([float(v)])
        else:
            schedules[key] = v
    if shifted is not None:
        schedules.update(shifted)
    return cfg_from, Config(values, schedules)


def _control(conv: Conversion, to_m):
    """The negative control: the first of these that changes TO's coefficients of Eq. (1) at these values
    (decided exactly at the first steps): a TO schedule read one step late (``f(t) -> f(t + 1)``), TO's
    constant 1% too large, a TO schedule 1% too large.  (At QHM's beta = 0, Schedule-Free's beta does not
    enter its map: perturbing it would prove nothing.)"""
    candidates = []
    for f in to_m.schedules:
        candidates.append((f"{to_m.key}'s {f.__name__}(t) read one step late",
                           {f: conv.at_values[f].subs(t, t + 1)}, None))
    for c in to_m.constants:
        if not isinstance(to_m.domain.get(c), sp.FiniteSet):
            candidates.append((f"{to_m.key}'s {c.name} 1% too large", None,
                               {c: conv.at_values[c] * sp.Rational(101, 100) + sp.Rational(1, 1000)}))
    for f in to_m.schedules:
        candidates.append((f"{to_m.key}'s {f.__name__}(t) 1% too large",
                           {f: conv.at_values[f] * sp.Rational(101, 100)}, None))
    for name, shifted, bumped in candidates:
        if _changes_map(conv, to_m, {**(shifted or {}), **(bumped or {})}):
            return name, shifted, bumped
    return None, None, None


def _changes_map(conv: Conversion, to_m, change: dict) -> bool:
    """Whether ``change`` moves TO's K eta_a, K alpha_a or beta_a at one of the first steps (exactly)."""
    from ...convert import _same, _value_at, derived, specialise

    mp = derived(to_m)
    # the weights step t gives g_t, g_(t-1), g_(t-2): what the trajectory sees (eta_a and alpha_a alone can
    # change while their sum does not, where beta_a = 0)
    exprs = [mp.K * (mp.eta_a + mp.alpha_a), mp.K * mp.eta_a * mp.beta_a,
             mp.K * mp.eta_a * mp.beta_a * mp.beta_a.subs(t, t - 1)]
    config = dict(conv.at_values)
    changed = {**config, **change}

    def at(cfg, e, k):
        sched = {key: v for key, v in cfg.items() if not isinstance(key, sp.Symbol)}
        consts = {key: v for key, v in cfg.items() if isinstance(key, sp.Symbol)}
        return _value_at(specialise(e, {**sched, **consts}), k)

    for k in range(to_m.t0 + 2, to_m.t0 + 5):
        for e in exprs:
            a, b = at(config, e, k), at(changed, e, k)
            if a.is_number and b.is_number and not _same(a, b):
                return True
    return False


def replay(conv: Conversion, from_m, to_m, *, steps: int, dim: int, seed: int) -> dict:
    """FROM at its settings and TO at the converted values, side by side; and the negative control."""
    import numpy as np

    from numeric.side_by_side import replay_pair

    t0 = time.perf_counter()
    cfg_f, cfg_t = _configs(conv, from_m, to_m)
    res = replay_pair(from_m, cfg_f, to_m, cfg_t, steps=steps, dim=dim, seed=seed)
    name, shifted, bumped = _control(conv, to_m)
    out = {"max_rel_deviation": res.worst, "max_rel_deviation_query": res.deviation,
           "max_rel_deviation_eval": res.deviation_eval, "tolerance": res.tolerance, "steps": steps,
           "dtype": "float64", "device": "cpu", "seed": seed, "problem": "lsq", "diverged": res.diverged,
           "passed": False, "control_rejected": False,
           "control": {"perturbation": name, "max_rel_deviation": None}}
    if name is None:
        out["control"]["perturbation"] = "none applicable (TO has no schedule or constant to perturb)"
    else:
        _, cfg_bad = _configs(conv, from_m, to_m, shifted)
        if bumped:
            for c, v in bumped.items():
                cfg_bad.values[c] = np.array([float(v)])
        bad = replay_pair(from_m, cfg_f, to_m, cfg_bad, steps=steps, dim=dim, seed=seed)
        out["control"]["max_rel_deviation"] = bad.worst
        out["control_rejected"] = bad.mismatched_divergence or (not bad.diverged and bad.worst > bad.tolerance)
    out["passed"] = bool(res.agrees and not res.diverged and out["control_rejected"])
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


# ----------------------------------------------------------------------------------------------- libraries


def _kwargs_for(adapter, values: dict, method) -> dict:
    """The constructor arguments of ``adapter``'s class at which its adapter gives ``values`` (the method's
    exact hyperparameters): every numeric argument becomes an unknown of ``adapter.to_method``'s output,
    solved exactly at the first steps; booleans are tried both ways."""
    import itertools

    from ...convert import _value_at

    base = adapter.arguments(adapter.settings[0])
    numeric = [k for k, v in base.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    tuples = [k for k, v in base.items() if isinstance(v, tuple) and all(isinstance(x, (int, float)) for x in v)]
    flags = [k for k, v in base.items() if isinstance(v, bool)]
    unknown = {k: sp.Symbol(f"kw_{k}") for k in numeric}
    tup = {k: tuple(sp.Symbol(f"kw_{k}_{i}") for i in range(len(base[k]))) for k in tuples}
    for combo in itertools.product([False, True], repeat=len(flags)):
        kw = {**base, **unknown, **tup, **dict(zip(flags, combo))}
        try:
            got, _ = adapter.to_method(kw)
        except Exception:  # noqa: BLE001 -- an adapter that needs numbers: no closed-form inverse
            continue
        eqs = []
        for name, want in values.items():
            if name not in got:
                continue
            have = sp.sympify(got[name])
            for k in range(method.t0, method.t0 + 4):
                eqs.append(_value_at(have, k) - _value_at(sp.sympify(want), k))
        syms = sorted(set().union(*(e.free_symbols for e in eqs)) if eqs else set(), key=lambda s: s.name)
        try:
            sol = sp.solve(eqs, syms, dict=True) if syms else ([{}] if all(sp.sympify(e) == 0 for e in eqs) else [])
        except (NotImplementedError, ValueError):
            sol = []
        if len(sol) != 1 or set(sol[0]) != set(syms):
            continue
        out = dict(zip(flags, combo))
        for k, s in unknown.items():
            out[k] = float(sol[0].get(s, base[k])) if s in syms else base[k]
        for k, ss in tup.items():
            out[k] = tuple(float(sol[0][s]) if s in syms else b for s, b in zip(ss, base[k]))
        return {k: v for k, v in out.items()}
    raise NoClassSetting(f"{adapter.target}: no constructor arguments give {method.key} at "
                     + ", ".join(f"{k}={v}" for k, v in values.items()) + "; pick other values or another class")


def against(conv: Conversion, from_m, to_m, from_class: str, to_class: str, *, steps: int, seed: int) -> dict:
    """The two real classes in lockstep: FROM's class at FROM's settings, TO's at the converted ones."""
    from numeric.libraries import UnknownAdapter, lookup

    try:
        a, b = lookup(from_class), lookup(to_class)
    except UnknownAdapter as err:
        raise UsageError(str(err)) from None
    for adapter, m, side in ((a, from_m, "--against-from"), (b, to_m, "--against-to")):
        if adapter.method != m.key:
            raise UsageError(f"{side} {adapter.target} runs {adapter.method!r}, not {m.key!r}")
    if not conv.holds_at_values:
        raise UsageError("--against-from/--against-to replay a conversion at given values: add --set "
                         "(and a conversion that holds there)")
    from_values = {}
    from ...convert import from_setting
    setting = from_setting(from_m, conv.settings)
    for c in from_m.constants:
        from_values[c.name] = setting[c]
    for f in from_m.schedules:
        from ...convert import specialise

        from_values[f.__name__] = specialise(f(t), setting)
    to_values = {(k.name if isinstance(k, sp.Symbol) else k.__name__): v for k, v in conv.at_values.items()}
    kw_a = _kwargs_for(a, from_values, from_m)
    kw_b = _kwargs_for(b, to_values, to_m)
    dev = _lockstep(a, kw_a, b, kw_b, steps=steps, seed=seed)
    from numeric.libraries import TOLERANCE

    return {"from_class": a.target, "to_class": b.target, "from_arguments": kw_a, "to_arguments": kw_b,
            "max_rel_deviation": dev, "tolerance": TOLERANCE, "passed": bool(dev <= TOLERANCE)}


def _lockstep(a, kw_a, b, kw_b, *, steps: int, seed: int, dim: int = 16) -> float:
    """Both library optimizers on the same problem and noise, each at its own parameter."""
    import torch

    from numeric.problems import NoisyLeastSquares
    from numeric.replay import relative_deviation as _relative

    problem = NoisyLeastSquares(dim, seed=seed)
    theta = problem.start(1)
    ps = [theta[0].clone().requires_grad_(True) for _ in range(2)]
    opts = []
    for adapter, kw, p in ((a, kw_a, ps[0]), (b, kw_b, ps[1])):
        opt = adapter.load()([p], **{**adapter.fixed, **kw})
        if adapter.prepare is not None:
            adapter.prepare(opt)
        opts.append(opt)
    noise = problem.noise_stream(1)
    dev = 0.0
    for _ in range(steps):
        xi = next(noise)
        qs = [p.detach()[None].clone() for p in ps]
        dev = max(dev, float(torch.nan_to_num(_relative(qs[0], qs[1]), nan=float("inf"))[0]))
        for p, q, opt in zip(ps, qs, opts):
            p.grad = problem.grad(q, xi)[0]
            opt.step()
    return max(dev, float(_relative(ps[0].detach()[None], ps[1].detach()[None])[0]))


def _table(args) -> int:
    import os

    if args.latex and not os.path.isdir(os.path.dirname(os.path.abspath(args.latex))):
        raise UsageError(f"--latex {args.latex}: its folder does not exist; create it or choose another path")
    t0 = time.perf_counter()
    rows = table(processes=min(2, os.cpu_count() or 1))
    seconds = time.perf_counter() - t0
    if args.latex:
        try:
            with open(args.latex, "w") as fh:
                fh.write(latex_table(rows))
        except OSError as err:
            raise UsageError(f"--latex {args.latex}: cannot write it ({err.strerror}); check the path") from None
    from ..output import emit

    emit(ConversionTable(rows, seconds), "json" if args.json else "text")
    return 0
