"""The target form as a value: a form declared here gets its identities, its proof and its names from the
engine as it is (nothing in equivalences/ names it), and a perturbed coefficient is rejected."""
import dataclasses

import pytest
import sympy as sp

from equivalences import forms
from equivalences.declare import Method, state
from equivalences.derive import Map
from equivalences.forms import EQ1, Coefficient, Form, Variable
from equivalences.mutants import COEFFICIENTS, mutants
from equivalences.printing import latex, prose, text
from equivalences.prove import form_bindings, prove, prove_form
from equivalences.symbols import g, t, theta0, u

# -- a 2-momentum form, declared in the test -----------------------------------------------------------
rho1, rho2, nu1, nu2, kappa = (sp.Function(n) for n in ("rho_f1", "rho_f2", "nu_f1", "nu_f2", "kappa_f"))
p1, p2, x = (sp.Function(n) for n in ("p_f1", "p_f2", "x_f"))
TWO = Form(
    key="two-momentum-test", title="a 2-momentum form declared in a test",
    coefficients=(Coefficient(rho1, ("ρ^(1)", ""), (r"\rho^{(1)}", "")),
                  Coefficient(nu1, ("ν^(1)", ""), (r"\nu^{(1)}", "")),
                  Coefficient(rho2, ("ρ^(2)", ""), (r"\rho^{(2)}", "")),
                  Coefficient(nu2, ("ν^(2)", ""), (r"\nu^{(2)}", "")),
                  Coefficient(kappa, ("κ", ""), (r"\kappa", ""), key="kappa")),
    iterate=Variable(x, ("x", ""), ("x", "")),
    buffers=(Variable(p1, ("p^(1)", ""), ("p^{(1)}", "")), Variable(p2, ("p^(2)", ""), ("p^{(2)}", ""))),
    updates=(sp.Eq(p1(t), rho1(t) * p1(t - 1) + u(t)), sp.Eq(p2(t), rho2(t) * p2(t - 1) + u(t)),
             sp.Eq(x(t + 1), x(t) - nu1(t) * p1(t) - nu2(t) * p2(t) - kappa(t) * u(t))),
)

# AggMo with two buffers and a learning-rate schedule, as its authors write it
w, m1, m2 = state("w m1 m2")
b1, b2 = sp.symbols("b1 b2")
lr = sp.Function("lr")
AGGMO = Method(key="aggmo-forms-test", name="AggMo, 2 buffers", reference="test", section="-", summary="test",
               state=(w, m1, m2),
               updates=(sp.Eq(m1(t + 1), b1 * m1(t) + g(t)), sp.Eq(m2(t + 1), b2 * m2(t) + g(t)),
                        sp.Eq(w(t + 1), w(t) - lr(t) * (m1(t + 1) + m2(t + 1)) / 2)),
               query=w, init={w(1): theta0, m1(1): 0, m2(1): 0}, constants=(b1, b2), schedules=(lr,))
MAP = {"rho_f1": b1, "nu_f1": lr(t) / 2, "rho_f2": b2, "nu_f2": lr(t) / 2, "kappa_f": 0}
CHANGE = {"p_f1": b1 * m1(t) + g(t), "p_f2": b2 * m2(t) + g(t)}
STARTS = {"p_f1": 0, "p_f2": 0}


def _prove(form, coefficients, change=CHANGE, starts=STARTS):
    return prove_form(AGGMO, form, form_bindings(AGGMO, form, coefficients, change), starts)


def test_a_new_form_gets_its_identities_and_proof():
    proof = _prove(TWO, MAP)
    assert [i.name for i in proof.identities] == ["weight update", "recursion of p_f1", "recursion of p_f2",
                                                  "initial p_f1", "initial p_f2"]
    assert proof.holds, [(i.name, i.residual) for i in proof.failures]


@pytest.mark.parametrize("name, wrong, fails", [
    ("rho_f1", b1 * sp.Rational(101, 100), "recursion of p_f1"),
    ("nu_f2", lr(t + 1) / 2, "weight update"),
    ("kappa_f", sp.Rational(1, 100), "weight update"),
])
def test_a_perturbed_coefficient_is_rejected(name, wrong, fails):
    proof = _prove(TWO, {**MAP, name: wrong})
    assert not proof.holds
    assert fails in [i.name for i in proof.failures]


def test_a_wrong_start_is_rejected():
    proof = _prove(TWO, MAP, starts={"p_f1": theta0, "p_f2": 0})
    assert [i.name for i in proof.failures] == ["initial p_f1"]


def test_a_new_form_prints_its_names():
    # the names the form declares, not the printers' default reading of the symbol (``ρ_{f1,t}``)
    assert text(rho1(t + 1)) == "ρ^(1)_{t+1}" and text(p2(t)) == "p^(2)_t"
    assert latex(rho1(t) * kappa(t)) == r"\kappa_{t} \rho^{(1)}_{t}"
    assert TWO.coefficient("kappa").label == "κ" and TWO.coefficient("rho_f2").latex == r"\rho^{(2)}"
    assert TWO.equations(text)[0] == "p^(1)_t = p^(1)_{t-1}*ρ^(1)_t + u_t"
    assert TWO.equations(latex)[2].startswith(r"x_{t+1} = x_{t} - \kappa_{t} u_{t}")
    assert [(a.name, b.name) for a, b in TWO.swaps()] == [("nu_f1", "kappa_f"), ("nu_f2", "kappa_f")]
    with pytest.raises(KeyError, match="has no coefficient 'gamma'"):
        TWO.coefficient("gamma")


def test_a_form_must_define_its_state_in_order():
    with pytest.raises(ValueError, match="the updates must define"):
        dataclasses.replace(TWO, key="bad", updates=TWO.updates[::-1])


def test_the_k_momentum_form_holds_aggmo():
    f = forms.get("momentum-2")
    assert f.order == 2 and [c.json_key for c in f.coefficients] == ["beta^(1)", "eta^(1)", "beta^(2)", "eta^(2)",
                                                                      "alpha"]
    coeffs = dict(zip(f.names, (b1, lr(t) / 2, b2, lr(t) / 2, 0)))
    change = dict(zip((b.name for b in f.buffers), CHANGE.values()))
    starts = {b.name: 0 for b in f.buffers}
    assert _prove(f, coeffs, change, starts).holds
    assert not _prove(f, {**coeffs, f.names[2]: b1}, change, starts).holds  # buffer 2 decaying like buffer 1
    assert f.instantiate(coeffs, {"w^(k)": w, "m^(1)": m1, "m^(2)": m2}, input=g)[:2] == list(AGGMO.updates[:2])
    with pytest.raises(KeyError, match="no form 'momentum-0'"):
        forms.get("momentum-0")


def test_eq1_is_a_form_the_map_and_the_engine_read(derivations):
    assert Map.form is EQ1 and COEFFICIENTS == EQ1.names == ("beta_a", "eta_a", "alpha_a")
    fields = {f.name for f in dataclasses.fields(Map)}
    assert set(EQ1.names) <= fields
    d = derivations["heavy-ball"]
    proof = prove(d.method, d.map, d.system)
    assert [i.name for i in proof.identities] == ["weight update", "momentum recursion", "initial state"]
    assert proof.holds
    assert [c.label for c, _ in d.map.coefficients()] == ["β_a", "η_a", "α_a"]
    assert prose("eta_a = 0 and beta_a") == "η_a = 0 and β_a"
    swapped = [mu for mu in mutants(d.method, d.map) if mu.kind == "eta/alpha swap"]
    assert [mu.name for mu in swapped] == ["eta_a and alpha_a swapped"]
    assert not prove(d.method, swapped[0].map, d.system).holds


def test_plain_sgd_is_a_form_without_buffers():
    f = forms.get("sgd")
    assert f.order == 0 and f.key == "sgd" and [c.json_key for c in f.coefficients] == ["alpha"]
    (alpha,) = f.names
    steps = {"w^(k)": w}
    assert [s for s, *_ in f.statements(t0=1, starts={})] == ["weight update"]
    sgd = Method(key="sgd-forms-test", name="SGD", reference="test", section="-", summary="test", state=(w,),
                 updates=tuple(f.instantiate({alpha: lr(t)}, steps, input=g)), query=w, init={w(1): theta0},
                 schedules=(lr,))
    proof = prove_form(sgd, f, form_bindings(sgd, f, {alpha: lr(t)}, {}), {})
    assert proof.holds and not prove_form(sgd, f, form_bindings(sgd, f, {alpha: lr(t + 1)}, {}), {}).holds


def test_the_maps_transfer_function_is_the_declarations(derivations):
    """``H(z)`` of the report is read off the derived map (the form's equations, z-transformed); ``verify family``
    reads it off the declaration's own linear step: the two agree on the constant-coefficient methods, a map
    with one coefficient perturbed does not, and a map that moves with the step has none."""
    from equivalences import registry
    from equivalences.app.pipeline import Report
    from equivalences.derivation import derivation
    from equivalences.families import place
    from equivalences.families.transfer import z

    for d in (derivations["qhm"], derivation(registry.load_module("tests/data/linnaeus/tm.py"))):
        report = Report(d, {})
        declared = place(d.method).query_transfer
        assert report.transfer is not None and sp.cancel(report.transfer - declared) == 0
        values = {c.name: e for c, e in d.map.coefficients()}
        values["beta_a"] = values["beta_a"] * sp.Rational(101, 100)
        assert sp.cancel(EQ1.transfer_function(values, z) - declared) != 0
    assert Report(derivations["heavy-ball"], {}).transfer is None  # eta(t): no transfer function
    assert Report(derivations["lion"], {}).transfer is None  # a sign after the form
