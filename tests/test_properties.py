"""Property-based tests (hypothesis): random valid settings agree, random invalid input is a clean error.

Example counts (docs/robustness.md): 25 valid draws x 4 configurations replayed, 80 invalid --set values,
60 numbers through the exact parser."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equivalences import registry
from equivalences.algebra import _NUMBER, exact
from equivalences.app.cli import main
from equivalences.derivation import derivation
from numeric.compile import Config
from numeric.replay import replay
from numeric.sweep import _values, finite_rows, sampled_symbols, select

NAMES = registry.names()
MAPS = {}
RUNS = {"valid": 0, "configs": 0, "excluded": 0, "invalid": 0}


def _map(name):
    if name not in MAPS:
        MAPS[name] = derivation(registry.get(name)).map
    return MAPS[name]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_valid_settings_agree(data):
    """Any point of a method's declared domain (schedule parameters included): the derived map reproduces
    the method to rounding, or both diverge together, or the dynamics are too sensitive to judge."""
    name = data.draw(st.sampled_from(NAMES), label="method")
    method, mp = registry.get(name), _map(name)
    syms = sampled_symbols(method)
    u = np.array(data.draw(st.lists(st.lists(st.floats(0, 1), min_size=len(syms), max_size=len(syms)),
                                    min_size=4, max_size=4), label="points"), dtype=np.float64).reshape(4, len(syms))
    cfg = Config.from_method(method, batch=4)
    for j, s in enumerate(syms):
        cfg.values[s] = _values(method.domain[s], method.defaults[s], u[:, j])
    ok = finite_rows(method, mp, cfg, 40)
    RUNS["valid"] += 1
    RUNS["excluded"] += int((~ok).sum())
    if not ok.any():
        return
    cfg = select(cfg, ok)
    RUNS["configs"] += cfg.batch
    res = replay(method, mp, steps=40, dim=4, cfg=cfg)
    assert res.passed, (name, cfg.values, res.deviation(), res.tolerance)


def _invalid_values(dom):
    """Values a constant with domain ``dom`` must refuse, as text."""
    bad = []
    if dom.sup.is_finite:
        bad.append(st.floats(min_value=1e-9, max_value=1e6).map(lambda d, s=float(dom.sup): repr(s + d)))
        if dom.right_open:
            bad.append(st.just(str(dom.sup)))
    if dom.inf.is_finite:
        bad.append(st.floats(min_value=1e-9, max_value=1e6).map(lambda d, s=float(dom.inf): repr(s - d)))
        if dom.left_open:
            bad.append(st.just(str(dom.inf)))
    return bad


TEXT = st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "", " ", "abc", "1/0", "0x10", "1e99999", "1..2", "--1",
                     "beta", "1,5", "(1)", "2**3", "__import__('os')"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12).filter(lambda s: not _NUMBER.fullmatch(s.strip())),
)


@st.composite
def invalid_set(draw):
    name = draw(st.sampled_from(NAMES))
    method = registry.get(name)
    syms = [s for s in method.domain if isinstance(s, sp.Symbol) and isinstance(method.domain[s], sp.Interval)]
    sym = draw(st.sampled_from(syms))
    choices = _invalid_values(method.domain[sym])
    value = draw(st.one_of(*choices, TEXT) if choices else TEXT)
    return name, sym.name, value


@settings(max_examples=80, deadline=None)
@given(invalid_set())
def test_random_invalid_set_values_are_one_clean_line(case):
    name, sym, value = case
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([name, "--set", f"{sym}={value}", "--no-numeric"])
    RUNS["invalid"] += 1
    msg = err.getvalue()
    assert code == 2, (case, msg)
    assert msg.count("\n") == 1 and msg.startswith("verify: error:") and "Traceback" not in msg, msg
    assert sym in msg


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.fractions(max_denominator=10 ** 6).map(lambda f: (f, f"{f.numerator}/{f.denominator}")),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(lambda d: (Fraction(d), str(d))),
    st.integers(-10 ** 30, 10 ** 30).map(lambda i: (Fraction(i), str(i))),
))
def test_numbers_become_the_exact_rational_they_spell(pair):
    want, text = pair
    got = exact(text)
    assert isinstance(got, sp.Rational) and not got.has(sp.Float)
    assert Fraction(int(got.p), int(got.q)) == want


@pytest.fixture(scope="module", autouse=True)
def _examples_ran():
    yield
    # hypothesis ran the examples it was asked for (a shrink or a failure stops earlier and fails anyway)
    assert RUNS["valid"] == 0 or RUNS["valid"] >= 20
    assert RUNS["invalid"] == 0 or RUNS["invalid"] >= 60
