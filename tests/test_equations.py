"""A method in one line (``verify --equations``): the same maps and verdicts as the Python declarations, the
Python declaration it prints, and one line naming the fix for every malformed text."""
import re
from pathlib import Path

import pytest
import sympy as sp

from equivalences import registry
from equivalences.app.cli import main
from equivalences.derivation import build
from equivalences.equations import EquationError, module_source, parse_method
from equivalences.symbols import t, theta0

HEAVY_BALL = "m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - eta[t]*m[t+1]"
HB_VALUES = {"beta": "0.9", "eta": "lr*10/(t+9)", "lr": "1/20"}
NESTEROV = "v[t+1] = mu*v[t] - lr*grad(w[t] + mu*v[t]); w[t+1] = w[t] + v[t+1]; with mu=0.9, lr=0.1"
SCHEDULE_FREE = ("y = (1-beta)*z + beta*x; z[t+1] = z[t] - gamma[t]*grad(y[t]); "
                 "x[t+1] = (1-c[t+1])*x[t] + c[t+1]*z[t+1]; evaluate=x; "
                 "with beta=0.9, c[t]=1/t, gamma[t]=lr*min(1, t/T_w), lr=0.1, T_w=20")
POLYAK = "x[k+1] = x[k] - alpha*grad_f(x[k]) + beta*(x[k] - x[k-1]); with alpha=0.1, beta=0.9"
EQ1 = "m[t] = beta*m[t-1] + g[t]; w[t+1] = w[t] - eta*m[t] - alpha*g[t]; with beta=0.9, eta=0.1, alpha=0.01"
GREEK = "m′ = β m + g; w′ = w − η·m′; with β=0.9, η=0.1"


def plain(e):
    """``e`` with every symbol replaced by an assumption-free one of the same name (a declaration's ``lr`` may
    be ``positive=True``; the one-line method's is not)."""
    e = sp.sympify(e)
    return e.xreplace({s: sp.Symbol(s.name) for s in e.free_symbols if s != t})


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return sp.simplify(plain(a) - plain(b)) == 0


COEFFICIENTS = ("beta_a", "eta_a", "alpha_a", "K")


def test_heavy_ball_in_one_line_is_the_declaration(derivations):
    d, ref = build(parse_method(HEAVY_BALL, values=HB_VALUES)), derivations["heavy-ball"]
    assert d.verdict == ref.verdict is None and d.proved and ref.proved
    for f in (*COEFFICIENTS, "momentum", "m_init", "gamma_avg"):
        assert same(getattr(d.map, f), getattr(ref.map, f)), f
    assert d.method.init == ref.method.init and d.method.updates == ref.method.updates
    # the comparison can fail: a dampened momentum is another map
    damped = build(parse_method(HEAVY_BALL.replace("+ g[t]", "+ (1-beta)*g[t]"), values=HB_VALUES))
    assert not same(damped.map.eta_a, ref.map.eta_a)


def _torch_nesterov(e):
    """torch.optim.SGD's map at nesterov = 1, no dampening, a constant learning rate lr."""
    lr_f, tau = sp.Function("lr"), sp.Function("tau")
    e = sp.sympify(e).subs(sp.Symbol("nesterov"), 1)
    e = e.replace(lambda x: isinstance(x, sp.core.function.AppliedUndef) and x.func == tau, lambda x: 0)
    return e.replace(lambda x: isinstance(x, sp.core.function.AppliedUndef) and x.func == lr_f,
                     lambda x: sp.Symbol("lr"))


def test_sutskever_nesterov_in_one_line_is_torchs_nesterov(derivations):
    m = parse_method(NESTEROV)
    assert m.query.__name__ == "y" and m.define == {sp.Function("y"): sp.Function("w")(t) + sp.Symbol("mu") * sp.Function("v")(t)}
    assert m.init == {sp.Function("v")(1): 0, sp.Function("w")(1): theta0}  # the velocity starts at 0
    d, ref = build(m), derivations["sgd-nesterov"]
    assert d.verdict is None and d.proved
    for f in COEFFICIENTS:
        assert same(getattr(d.map, f), _torch_nesterov(getattr(ref.map, f))), f
    # the gradient at w instead of the look-ahead point is heavy ball, not Nesterov: the comparison rejects it
    wrong = build(parse_method(NESTEROV.replace("grad(w[t] + mu*v[t])", "grad(w[t])")))
    assert not same(wrong.map.alpha_a, _torch_nesterov(ref.map.alpha_a))


def test_schedule_free_in_one_line_is_the_declaration(derivations):
    m = parse_method(SCHEDULE_FREE, name="schedule-free")
    ref = derivations["schedule-free"]
    assert m.init == ref.method.init and m.define == ref.method.define and m.updates == ref.method.updates
    assert m.evaluate == ref.method.evaluate and m.query == ref.method.query
    d = build(m)
    assert d.verdict == ref.verdict is None and d.proved
    for f in (*COEFFICIENTS, "momentum", "m_init", "gamma_avg", "avg_init"):
        assert same(getattr(d.map, f), getattr(ref.map, f)), f
    shipped = parse_method((Path(__file__).resolve().parents[1] / "docs/examples/schedule_free.eq").read_text("utf-8"))
    assert (shipped.updates, shipped.define, shipped.init, shipped.defaults) == (m.updates, m.define, m.init, m.defaults)
    late = build(parse_method(SCHEDULE_FREE.replace("(1-c[t+1])*x[t] + c[t+1]*z[t+1]", "(1-c[t])*x[t] + c[t]*z[t+1]")))
    assert not same(late.map.eta_a, ref.map.eta_a)


def test_previous_step_and_same_step_forms(derivations):
    """``x[k-1]`` is kept as a state ``x_prev`` (starting where x starts); ``m[t] = beta*m[t-1] + g[t]`` is Eq. (1)'s
    own indexing; both give the map they should."""
    polyak = parse_method(POLYAK)
    x, x_prev = sp.Function("x"), sp.Function("x_prev")
    assert polyak.state == (x, x_prev) and polyak.init == {x(1): theta0, x_prev(1): theta0}
    assert sp.Eq(x_prev(t + 1), x(t)) in polyak.updates
    d = build(polyak)
    alpha, beta = sp.symbols("alpha beta")
    assert d.proved and (d.map.beta_a, d.map.eta_a, d.map.alpha_a) == (beta, alpha, 0)
    eq1 = build(parse_method(EQ1))
    eta = sp.Symbol("eta")
    assert eq1.proved and (eq1.map.beta_a, eq1.map.eta_a, eq1.map.alpha_a) == (beta, eta, sp.Symbol("alpha"))
    assert eq1.method.init == {sp.Function("m")(1): 0, sp.Function("w")(1): theta0}


def test_notation_variants_give_one_method():
    base = parse_method("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - eta*m[t+1]; with beta=0.9, eta=0.1")
    for text in (GREEK, "m' = beta m + g\nw' = w - eta m'   # primes, juxtaposition\nwith beta = 9/10, eta = 1e-1",
                 "m[t+1] = beta*m[t] + grad_f(w[t]); w[t+1] = w[t] - eta*m[t+1]; query=w; with beta=0.9, eta=0.1",
                 "m[t+1] = beta^1*m[t] + ∇f(w[t]); w[t+1] = w[t] - eta**1*m[t+1]; start: w[1]=theta0, m[1]=0; "
                 "with beta=0.9, eta=0.1"):
        m = parse_method(text)
        assert (m.updates, m.init, m.query, m.defaults) == (base.updates, base.init, base.query, base.defaults), text
    assert parse_method(HEAVY_BALL, values={**HB_VALUES, "beta": "0.5"}).defaults[sp.Symbol("beta")] == sp.Rational(1, 2)


def test_start_clause_over_the_rule():
    m = parse_method("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - eta*m[t+1]; start: m[1] = 2*theta0; "
                     "with beta=0.9, eta=0.1")
    assert m.init == {sp.Function("m")(1): 2 * theta0, sp.Function("w")(1): theta0}
    m0 = parse_method("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - eta*m[t+1]; start: w[0]=theta0, m[0]=0; "
                      "with beta=0.9, eta=0.1")
    assert m0.t0 == 0


@pytest.mark.parametrize("text", [HEAVY_BALL, NESTEROV, SCHEDULE_FREE, POLYAK, EQ1, GREEK,
                                  "w[t+1] = w[t] - lambda*g[t] - 1/3*sqrt(beta)*g[t-1]; with lambda=0.1, beta=1/4"])
def test_print_module_round_trip(text, tmp_path):
    method = parse_method(text, values=HB_VALUES if text == HEAVY_BALL else None)
    source = module_source(method, text)
    assert "9/10" not in source and "Rational(" in source  # exact numbers, never Python's division
    path = tmp_path / "one_line.py"
    path.write_text(source, encoding="utf-8")
    assert registry.load_module(str(path)) == method


MALFORMED = [
    ("", "no equations", None),
    ("m[t+1] = beta*(m[t] + g[t]; w[t+1] = w[t]", "`(` is not closed before the `;`", 15),
    ("m[t+1] = beta*m[t] + g[t]); w[t+1] = w[t]", "`)` has no opening `(`", 26),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1", "`[` is never closed", 48),
    ("m[t+1] = beta*m[t+2] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "reads m two steps ahead", 15),
    ("m[t+1] = beta*m[2*t] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "unknown index form", 18),
    ("m[t+1] = beta*m[t] + g[t]; m[t+1] = w[t] - lr*m[t+1]", "m is given a second equation", 28),
    ("m[t+1] = beta*m[t] + grad(u[t]); w[t+1] = w[t] - lr*m[t+1]", "not a point of the equations", 22),
    ("x[t+1] = x[t] - a*grad(x[t] - a*g[t])", "which reads g[t], the gradient at that same point (an implicit "
     "step)", 19),
    ("y = x - a*grad(x); x[t+1] = x[t] - a*grad(y) - a*grad(x[t-1])", "a point of the previous step, in a step "
     "that takes gradients at several points", 50),
    ("y = x - a*grad(x); x[t+1] = x[t] - a*grad(y) - a*g[t-1]", "g[t-1] is the previous gradient at the query point, "
     "but this step takes gradients at several points", 50),
    ("y = x - a*grad(x); z = x + y; x[t+1] = x[t] - a*grad(y); query = z", "query z is not a point where the step "
     "takes a gradient", 66),
    ("m[t+1] = beta*m[t] + grad(w[t+1]); w[t+1] = w[t] - lr*m[t+1]", "reads w after the step", 22),
    ("m[t+1] = beta*m[t] + g[t+1]; w[t+1] = w[t] - lr*m[t+1]", "a later step's gradient", 22),
    ("m[t+1] == beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "`==` is a comparison", 8),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] -= lr*m[t+1]", "Python's in-place update", 35),
    ("m[t+1] = beta*m(t) + g[t]; w[t+1] = w[t] - lr*m[t+1]", "write m[t]", 15),
    ("m[t+1] = beta*m_t + g[t]; w[t+1] = w[t] - lr*m[t+1]", "m_t looks like m at a step", 15),
    ("m_{t+1} = beta*m[t] + g[t]", "write the step in brackets", 3),
    ("m[t+1] = np.sqrt(beta)*m[t] + g[t]", "no np.sqrt", 12),
    ("m[t+1] = \\beta*m[t] + g[t]", "LaTeX", 10),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1] +", "the expression ends after `+`", 55),
    ("w[t+1] = w[t] - lr*m[t+1]; m[t+1] = beta*m[t] + g[t]", "put the update of m first", 20),
    ("m[t+1] = beta*m[t] + g[t]; w[k+1] = w[k] - lr*m[k+1]", "the step is written `k` here but `t`", 30),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr[t]*m[t+1] - lr*g[t]", "both as a constant", 59),
    ("m[t+1] = beta*m[t]; w[t+1] = w[t] - lr*m[t+1]", "never read a gradient", 1),
    ("m[t+1] = beta*m[t] + g[t] w[t+1] = w[t] - lr*m[t+1]", "separate equations with `;`", 34),
    ("m[t+1] = beta*m[t] + g[t]; 2*w[t+1] = w[t] - lr*m[t+1]", "the left side is not one variable", 28),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; m[1] = 0", "goes in the start clause", 55),
    ("m[t+1] = beta*m[t] + g[t]; w[t+2] = w[t] - lr*m[t+1]", "is not an update", 28),
    ("m[t+1] = beta*m[t-2] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "more than one step back", 15),
    ("z[t+1] = z[t] - lr*g[t]; x[t+1] = (1-c)*x[t] + c*z[t+1]", "add query=NAME", 1),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; query=q", "query q is not a state", 61),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; start: w[1]=theta0, m[2]=0", "the first step is 2", 62),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*foo(m[t+1])", "not a function this notation knows", 47),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1] $", "unexpected character `$`", 54),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; with beta=0.9, lr=0.1, beta=1", "beta twice", 78),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; with beta=0.9, lr=0.1, foo=1", "foo is not a name", 78),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; with beta=abc, lr=0.1", "not abc", 65),
    ("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; t = 2*w", "t is the step index", 55),
    ("w[t+1] = __import__('os').system('true')", "`.` is not part of a name", 26),
    ("m[t+1] = 2^(10^9)*g[t]; w[t+1] = w[t] - m[t+1]", "more than 1000", 11),
    ("m[t+1] = " + "(" * 70 + "g[t]" + ")" * 70, "nested more than 64 deep", 74),
]


@pytest.mark.parametrize("text,problem,column", MALFORMED)
def test_a_malformed_line_names_the_problem_where_and_the_fix(text, problem, column):
    with pytest.raises(EquationError) as err:
        parse_method(text, values={"beta": "0.9", "lr": "0.1"} if "with" not in text else None)
    msg = str(err.value)
    assert problem in msg and "\n" not in msg and ";" in msg  # the problem; the fix after it
    if column is not None:
        assert msg.startswith(f"column {column}:"), msg


def test_a_file_names_lines():
    with pytest.raises(EquationError, match=r"^line 2, column 17: m\[t\+2\] reads m two steps ahead"):
        parse_method("m[t+1] = beta*m[t] + g[t]\nw[t+1] = w[t] - m[t+2]", values={"beta": "1/2"})


def test_missing_values_name_them_and_the_fix():
    with pytest.raises(EquationError) as err:
        parse_method(HEAVY_BALL, values={"beta": "0.9"})
    assert str(err.value).startswith("eta has no value: add --set eta=EXPR (a schedule's value is an expression of t")
    assert err.value.missing == ("eta",)
    with pytest.raises(EquationError, match="^beta and lr have no value: add --set beta=VALUE --set lr=VALUE"):
        parse_method("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]")
    with pytest.raises(EquationError, match="^--set beta=nine: column 1: a constant's value is a number"):
        parse_method("m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]", values={"beta": "nine", "lr": "1"})


# -- the command line ---------------------------------------------------------------------------------------


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_equations_proves_and_replays(capsys):
    code, out, err = _run(["--equations", "m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "--set", "beta=0.9",
                           "--set", "lr=0.1", "--steps", "40", "--json"], capsys)
    import json

    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["numeric"]["passed"] and report["hyperparameters"]


def test_verify_equations_file_and_errors(capsys, tmp_path):
    eq = tmp_path / "nesterov.eq"
    eq.write_text("# Sutskever et al. (2013)\n" + NESTEROV.replace("; ", "\n"), encoding="utf-8")
    assert _run(["my-nesterov", "--equations", f"@{eq}", "--no-numeric", "--json"], capsys)[0] == 0
    code, out, err = _run(["--equations", "m[t+1] = beta*m[t+2] + g[t]; w[t+1] = w[t]", "--no-numeric"], capsys)
    assert code == 2 and err.startswith("verify: error: --equations: column 15: m[t+2] reads m two steps ahead")
    assert err.count("\n") == 1
    code, _, err = _run(["--equations", "m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]"], capsys)
    assert code == 2 and "beta and lr have no value: add --set beta=VALUE --set lr=VALUE" in err
    code, _, err = _run(["--equations", f"@{tmp_path}/none.eq"], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = _run(["--print-module", "heavy-ball"], capsys)
    assert code == 2 and "add --equations" in err
    code, _, err = _run(["--equations", NESTEROV, "--module", "tests/data/ema_momentum.py"], capsys)
    assert code == 2 and "give one of them" in err


def test_print_module_from_the_command_line(capsys, tmp_path):
    code, out, err = _run(["--equations", HEAVY_BALL, "--set", "beta=0.9", "--set", "eta=lr*10/(t+9)",
                           "--set", "lr=1/20", "--print-module"], capsys)
    assert code == 0, err
    path = tmp_path / "hb.py"
    path.write_text(out, encoding="utf-8")
    assert registry.load_module(str(path)) == parse_method(HEAVY_BALL, values=HB_VALUES)


def test_convert_from_and_to_equations(capsys):
    import json

    code, out, err = _run(["convert", "m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]", "--to", "heavy-ball",
                           "--set", "beta=0.9", "--set", "lr=0.1", "--no-numeric", "--json"], capsys)
    assert code == 0, err
    res = json.loads(out)
    # conditional: TO's beta lies in [0, 1), the one-line beta has no declared range; at 9/10 it holds
    assert res["exists"] == "conditional" and res["values"] == {"beta": "9/10", "eta(t)": "1/10"}
    code, out, err = _run(["convert", "heavy-ball", "--to", "m[t+1] = mu*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]",
                           "--json"], capsys)
    assert code == 2 and "with mu=..., lr=..." in err and "--set gives FROM's values" in err
    code, out, err = _run(["convert", "heavy-ball", "--to", "m[t+1] = mu*m[t] + g[t]; w[t+1] = w[t] - lr[t]*m[t+1]; "
                           "with mu=0.5, lr[t]=lr0, lr0=0.1", "--json"], capsys)  # lr0: a free parameter
    assert code == 0, err
    assert json.loads(out)["exists"] == "always"


def test_identify_expect_takes_equations(capsys):
    """torch's SGD with nesterov=True is Sutskever's Nesterov, not heavy ball: --expect says so either way."""
    argv = ["identify", "torch.optim.SGD", "--steps", "6", "--dim", "8", "--set", "lr=0.1", "--set", "momentum=0.9",
            "--set", "nesterov=true",
            "--expect"]
    code, out, err = _run(argv + [NESTEROV.replace("mu=0.9", "mu=0.5")], capsys)
    assert code == 0, err
    assert "matches expected with μ = 0.9, lr = 0.1" in " ".join(out.split())
    assert _run(argv + ["m[t+1] = mu*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]; with mu=0.5, lr=0.2"], capsys)[0] == 1


# -- the tutorial (docs/declaring-a-method.md) ---------------------------------------------------------------


DOC = Path(__file__).resolve().parents[1] / "docs" / "declaring-a-method.md"


def test_the_tutorials_module_runs_outside_the_package(tmp_path):
    from equivalences.app.pipeline import verify

    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "ema_momentum.py"
    path.write_text(code, encoding="utf-8")
    method = registry.load_module(str(path))
    report = verify(method, numeric=False)
    assert report.ok and report.map.beta_a == sp.Symbol("beta")


def test_the_tutorials_mistakes_get_one_line_each(tmp_path):
    rel = tmp_path / "relative.py"
    rel.write_text("from ..declare import Method, state\n", encoding="utf-8")
    with pytest.raises(registry.BadModule, match="imports absolutely: from equivalences.declare import Method"):
        registry.load_module(str(rel))
    own_t = tmp_path / "own_t.py"
    own_t.write_text(
        "import sympy as sp\nfrom equivalences.declare import Method, state\nfrom equivalences.symbols import g, theta0\n"
        "t = sp.Symbol('t')\nw, m = state('w m')\nbeta = sp.Symbol('beta')\n"
        "METHOD = Method(key='k', name='n', reference='r', section='s', summary='s', state=(w, m),\n"
        "    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - m(t + 1))), query=w,\n"
        "    init={w(1): theta0, m(1): 0}, constants=(beta,), defaults={beta: sp.Rational(1, 2)})\n", encoding="utf-8")
    with pytest.raises(registry.BadModule, match=r"uses a t of its own .*import it: from equivalences.symbols import t"):
        registry.load_module(str(own_t))


EXTRAGRADIENT = "y = x - alpha*grad(x); x[t+1] = x[t] - alpha*grad(y); with alpha = 0.1"


def test_gradients_at_several_points_declare_the_calls(tmp_path):
    """Each point a gradient is taken at is a call, in the order of the text, with its own gradient; the result
    is the extragradient of tests/data/multicall (equivalent, proved call by call), it round-trips through
    --print-module, and the same line with the second gradient at x instead is a different method."""
    from equivalences.equivalent import equivalent

    m = parse_method(EXTRAGRADIENT)
    (p1, g1), (p2, g2) = m.calls
    assert (p1.__name__, p2.__name__, g1.__name__, g2.__name__) == ("x", "y", "g1", "g2")
    assert m.define[p2] == sp.Function("x")(t) - m.hyperparameter("alpha") * g1(t)
    reference = registry.load_module("tests/data/multicall/extragradient.py")
    assert equivalent(m, reference).equivalent
    path = tmp_path / "extragradient_line.py"
    path.write_text(module_source(m, EXTRAGRADIENT), encoding="utf-8")
    assert registry.load_module(str(path)) == m
    # a new point is a new definition; the clause query= puts its call first
    lookahead = parse_method("x[t+1] = x[t] - alpha*grad(x[t] - alpha*grad(x[t])); with alpha = 0.1")
    assert [p.__name__ for p, _ in lookahead.calls] == ["x", "y"] and equivalent(lookahead, reference).equivalent
    other = parse_method("y = x - alpha*grad(x); x[t+1] = x[t] - alpha*grad(x); with alpha = 0.1")
    assert not other.calls and not equivalent(other, reference).equivalent
