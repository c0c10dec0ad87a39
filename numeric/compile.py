"""Turn a declaration and a map into per-step coefficient tables.

Every coefficient of the method's step, query, evaluation point and start,
and of the map's target form (its coefficients bound, K, the averaging weight),
is a sympy expression in ``t`` and the hyperparameters.  With the schedules
substituted, each is evaluated once with numpy for all steps and all
configurations -- a ``(T, K)`` table -- so the torch loop only multiplies and adds.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from equivalences.algebra import canonical, linear_coefficients, linear_coefficients_kept, substitute_function
from equivalences.declare import Method, Transform, is_transform_application
from equivalences.derive import Map
from equivalences.symbols import g, t, theta0
from equivalences.derivation import system_of
from equivalences.system import StepSystem
from equivalences.transform_kinds import KINDS

from .errors import ConfigError


@dataclass
class Config:
    """Hyperparameter values for ``K`` configurations replayed together."""

    values: dict  # sympy Symbol -> np.ndarray of shape (K,)
    schedules: dict  # schedule Function -> sympy expression of t and symbols in ``values``
    transforms: dict = field(default_factory=dict)
    """transform name -> {parameter: sympy expression of t}: replaces the declared parameter (e.g. a library's
    ``eps`` placed as ``eps / sqrt(1 - beta2^t)``)."""

    @property
    def batch(self) -> int:
        return len(next(iter(self.values.values()))) if self.values else 1

    @classmethod
    def from_method(cls, method: Method, overrides: dict | None = None, batch: int = 1) -> "Config":
        """The method's defaults, with ``overrides`` (a number, or an array of ``batch`` values, per symbol)."""
        values, schedules = {}, {}
        for key, default in {**method.defaults, **(overrides or {})}.items():
            if isinstance(key, sp.Symbol):
                arr = np.asarray(float(default) if isinstance(default, sp.Basic) else default, dtype=np.float64)
                values[key] = np.broadcast_to(arr, (batch,)).copy()
            else:
                schedules[key] = sp.sympify(default)
        return cls(values, schedules)

    def row(self, i: int) -> "Config":
        """Configuration ``i`` alone."""
        return Config({k: v[i:i + 1].copy() for k, v in self.values.items()}, dict(self.schedules),
                      dict(self.transforms))

    def described(self, i: int, names=None) -> dict:
        """``{name: value}`` of configuration ``i`` (all constants, or those in ``names``)."""
        return {k.name: float(v[i]) for k, v in sorted(self.values.items(), key=lambda kv: kv[0].name)
                if names is None or k.name in names}


def tabulate(expr, cfg: Config, steps: np.ndarray) -> np.ndarray:
    """``expr`` at every step (rows) and configuration (columns), float64."""
    e = sp.sympify(expr)
    for f, body in cfg.schedules.items():
        e = substitute_function(e, f, body)
    sums = {}
    if e.has(sp.Sum):  # a cumulative schedule: each Sum becomes a table (numeric/sums.py)
        from .sums import tabulate_sums

        e, sums = tabulate_sums(e, cfg, steps, tabulate)
    free = sorted(e.free_symbols - {t} - set(sums), key=lambda s: s.name)
    missing = [s for s in free if s not in cfg.values]
    # a schedule given as a numeric sequence (``implemented_function``, e.g. a library's running weight sum)
    undefined = [a for a in e.atoms(sp.core.function.AppliedUndef) if not hasattr(a.func, "_imp_")]
    if missing or undefined:
        left = missing or sorted(map(str, undefined))
        raise ConfigError(f"no numeric value for {', '.join(map(str, left))}")
    if e.has(sp.zoo, sp.nan, sp.oo):  # undefined as written (e.g. a schedule read before its start): not finite
        return np.full((len(steps), cfg.batch), np.nan)
    fn = _lambdified(tuple([t] + free + list(sums)), e)
    with np.errstate(all="ignore"):
        out = fn(steps.astype(np.float64)[:, None], *[cfg.values[s][None, :] for s in free], *sums.values())
    return np.broadcast_to(np.asarray(out, dtype=np.float64), (len(steps), cfg.batch)).copy()


@functools.lru_cache(maxsize=1024)
def _lambdified(args: tuple, expr: sp.Expr):
    """The numpy function of ``expr`` (the same coefficient is tabulated by several forms and the control)."""
    return sp.lambdify(list(args), expr, modules="numpy")


@dataclass
class Affine:
    """``sum_j coeffs[j] * state[j] + u_coeff * u`` with coefficient tables."""

    coeffs: dict = field(default_factory=dict)  # state index -> (T, K)
    u: np.ndarray | None = None


@dataclass
class Update:
    linear: Affine
    transform: str | None = None
    scale: np.ndarray | None = None  # K_t in front of P_t(arg)
    arg: Affine | None = None


@dataclass
class MethodProgram:
    names: list
    updates: list  # one Update per state variable, in state order
    query: Affine
    evaluate: Affine | None
    init: np.ndarray  # (n_state, K): state(t0) = init * theta0
    transforms: dict  # name -> TransformProgram


@dataclass
class Combination:
    """A sum ``sum_j c_j x_j + c_u u`` as tables: ``terms`` ``[(j, (T, K) table)]``; ``u`` the table of ``u``'s
    coefficient, None when it is exactly 1 in the form (``u`` added as it is)."""

    terms: list
    u: np.ndarray | None


@dataclass
class AcceleratedProgram:
    """The target form's step as tables (:class:`equivalences.forms.form.Form`, bound to the map):
    ``recursions[i]`` makes buffer ``i`` from the buffers before the step and ``u``; ``direction`` is what
    ``w`` moves by, in the buffers after it and ``u``."""

    recursions: list  # one Combination per buffer
    direction: Combination
    index: dict  # coefficient name -> (buffer or None for the direction, term) where a term is that coefficient
    K: np.ndarray
    post: Transform | None
    m_start: list  # per buffer, (K,): its decay at t0 times its start, as a multiple of theta_0, formed exactly
    gamma: np.ndarray | None  # at t + 1: the weight used after step t
    avg_init: np.ndarray | None
    momentum: Affine | None = None  # the change of variables m_a(t) in the method's state and u(t)


def _affine(expr, system: StepSystem, cfg, steps) -> Affine:
    S, u_t = system.at_base(), system.input(t)
    coeffs, rest = linear_coefficients_kept(expr, S + [u_t])  # read back on a later run
    if rest != 0:
        raise ConfigError(f"not an affine map of the state: {rest}")
    aff = Affine()
    for j, s in enumerate(S):
        if coeffs[s] != 0:
            aff.coeffs[j] = tabulate(coeffs[s], cfg, steps)
    if coeffs[u_t] != 0:
        aff.u = tabulate(coeffs[u_t], cfg, steps)
    return aff


def _theta0_coefficient(expr, cfg, t0) -> np.ndarray:
    expr = sp.sympify(expr)
    coeff = sp.diff(expr, theta0)
    if sp.simplify(expr - coeff * theta0) != 0:
        raise ConfigError(f"initial value {expr} is not a multiple of theta_0")
    return tabulate(coeff, cfg, np.array([t0]))[0]


def _input_lags(tr: Transform, cfg, steps):
    """A stateful transform's input as ``a_t g(t) + b_t g(t - 1)`` (default: ``g(t)``)."""
    expr = tr.input if tr.input is not None else g(t)
    coeffs, rest = linear_coefficients(expr, [g(t), g(t - 1)])
    if rest != 0:
        raise ConfigError(f"transform input {expr} is not linear in g(t), g(t-1)")
    return tabulate(coeffs[g(t)], cfg, steps), tabulate(coeffs[g(t - 1)], cfg, steps)


_PROGRAMS: dict = {}


def compile_method(method: Method, system: StepSystem, cfg: Config, steps: np.ndarray) -> MethodProgram:
    """The method's tables; the same system, configuration values and steps reuse the last programs
    (the mutation suite replays one method against many maps)."""
    key = (id(system), id(cfg), steps.tobytes(), tuple((k.name, v.tobytes()) for k, v in cfg.values.items()),
           tuple(map(str, cfg.schedules.items())))
    hit = _PROGRAMS.get(key)
    if hit is not None and hit[0] is system and hit[1] is cfg:
        return hit[2]
    prog = _compile_method(method, system, cfg, steps)
    if len(_PROGRAMS) >= 8:
        _PROGRAMS.clear()
    _PROGRAMS[key] = (system, cfg, prog)
    return prog


def read_state(method: Method, system: StepSystem) -> set:
    """The state variables the query and evaluation points read, directly or through other updates: the
    others (a second moment nothing uses) cannot change what the replay compares."""
    reads = lambda e: {a.func for a in sp.sympify(e).atoms(sp.core.function.AppliedUndef)  # noqa: E731
                       if a.func in system.state}
    frontier = reads(system.expand(method.query(t)))
    if method.evaluate is not None:
        frontier |= reads(system.expand(method.evaluate(t)))
    out = set()
    while frontier:
        s = frontier.pop()
        if s not in out:
            out.add(s)
            frontier |= reads(system.step(s))
    return out


def _compile_method(method: Method, system: StepSystem, cfg: Config, steps: np.ndarray) -> MethodProgram:
    updates, read = [], None
    for s in system.state:
        try:
            updates.append(_compile_update(system, s, cfg, steps))
        except (ValueError, ConfigError):
            read = read_state(method, system) if read is None else read
            if s in read:
                raise
            updates.append(Update(Affine()))  # never read: not replayed (it stays 0), cannot affect the points
    query = _affine(system.expand(method.query(t)), system, cfg, steps)
    evaluate = _affine(system.expand(method.evaluate(t)), system, cfg, steps) if method.evaluate else None
    init = np.stack([
        _theta0_coefficient(system.init.get(s(method.t0), 0), cfg, method.t0) for s in system.state
    ])
    transforms = {tr.name: compile_transform(tr, cfg, steps) for tr in method.transforms}
    return MethodProgram([s.__name__ for s in system.state], updates, query, evaluate, init, transforms)


def _compile_update(system: StepSystem, s, cfg: Config, steps: np.ndarray) -> Update:
    F = system.step(s)
    apps = [a for a in sp.sympify(F).atoms(sp.core.function.AppliedUndef) if is_transform_application(a)]
    if len(apps) > 1:
        raise ConfigError(f"update of {s.__name__} applies more than one transform")
    if apps:
        app = apps[0]
        scale = sp.diff(F, app)
        linear = F - scale * app
        return Update(_affine(linear, system, cfg, steps), app.func.__name__,
                      tabulate(scale, cfg, steps), _affine(app.args[1], system, cfg, steps))
    return Update(_affine(F, system, cfg, steps))


def _combination(coefficients: dict, atoms: list, bind, cfg, steps) -> tuple[Combination, list]:
    """The form's ``{atom: coefficient}`` (atoms: the buffers, then ``u``) as tables, each coefficient bound to
    the map (``bind``); a term whose coefficient is 0 in the form is left out, ``u``'s is None when it is 1."""
    terms, names = [], []
    for j, a in enumerate(atoms[:-1]):
        c = coefficients[a]
        if c != 0:
            terms.append((j, tabulate(bind(c), cfg, steps)))
            names.append(c)
    cu = coefficients[atoms[-1]]
    return Combination(terms, None if cu == 1 else tabulate(bind(cu), cfg, steps)), names + [cu]


def compile_accelerated(method: Method, mp: Map, cfg: Config, steps: np.ndarray,
                        system: StepSystem | None = None) -> AcceleratedProgram:
    """The tables of the map's form (its SymPy update equations, each coefficient bound to the map's
    expression).  The first step's ``beta_a(t0) m_init`` is formed symbolically (``beta_a(t0)`` may involve a
    schedule before its start, e.g. ``gamma_(t0-1)``, times ``m_init = 0``), so the decay tables' first row
    is the identity and the form starts from ``m_start``."""
    form = mp.form
    values = dict(mp.coefficients())

    def bind(expr):
        for c, e in values.items():
            expr = substitute_function(expr, c.symbol, e)
        return expr

    index = {}

    def note(where, coefficient_names):
        for k, c in enumerate(coefficient_names):
            match = next((x for x in values if c == x.symbol(t)), None)
            if match is not None:
                index.setdefault(match.name, (where, k))

    recursions = []
    for i, b in enumerate(form.buffers):
        decay = form.decay(b)
        atoms = list(decay)
        comb, names = _combination(decay, atoms, bind, cfg, steps)
        for j, table in comb.terms:  # the start is formed exactly: step 0 keeps it
            table[0] = 1.0 if j == i else 0.0
        recursions.append(comb)
        note(i, names)
    weights = form.weights()
    direction, names = _combination(weights, list(weights), bind, cfg, steps)
    note(None, names)
    K = tabulate(mp.K, cfg, steps)
    starts = {form.buffers[0].name: mp.m_init}  # the map's one change of variables starts from m_init
    m_start = []
    for b in form.buffers:
        decay = form.decay(b)
        start = sum((bind(decay[o.symbol(t - 1)].subs(t, method.t0)) * starts[o.name] for o in form.buffers),
                    sp.Integer(0))
        m_start.append(_theta0_coefficient(canonical(start), cfg, method.t0))
    return AcceleratedProgram(
        recursions=recursions,
        direction=direction,
        index=index,
        K=K,
        post=mp.post,
        m_start=m_start,
        gamma=tabulate(mp.gamma_avg, cfg, steps + 1) if mp.gamma_avg is not None else None,
        avg_init=_theta0_coefficient(mp.avg_init, cfg, method.t0) if mp.avg_init is not None else None,
        momentum=_affine(mp.momentum, system or system_of(method), cfg, steps),
    )


@dataclass
class TransformProgram:
    """A transform's numeric form: its kind and its parameters as ``(T, K)`` tables."""

    kind: str
    tables: dict  # parameter name -> (T, K)
    lags: tuple  # (coef of g(t), coef of g(t-1)) tables of its input


def compile_transform(tr: Transform, cfg: Config, steps: np.ndarray) -> TransformProgram:
    """Adam: ``beta2``, ``eps``, the bias factor ``1 / (1 - beta2^t)`` (1 without bias correction) and,
    when given, ``eps_in`` (added to ``v_t * bias`` under the square root)."""
    tables, params = {}, {**tr.params, **cfg.transforms.get(tr.name, {})}
    if tr.kind == "adam":
        beta2 = sp.sympify(params["beta2"])
        tables["beta2"] = tabulate(beta2, cfg, steps)
        tables["eps"] = tabulate(sp.sympify(params["eps"]), cfg, steps)
        bias = 1 / (1 - beta2 ** t) if params.get("bias_correction", True) else sp.Integer(1)
        tables["bias"] = tabulate(bias, cfg, steps)
        if "eps_in" in params:
            tables["eps_in"] = tabulate(sp.sympify(params["eps_in"]), cfg, steps)
    elif tr.kind not in KINDS:
        raise ConfigError(f"unknown transform kind {tr.kind!r}")
    return TransformProgram(tr.kind, tables, _input_lags(tr, cfg, steps))


