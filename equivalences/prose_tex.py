"""Sentences of the engine and the declarations as LaTeX: the words as text, the formulas in them as math.

The engine writes its reasons, the declarations their claim references and
notes in plain text with formulas in ASCII, the way a terminal shows them
(``0 <= weight of y_t <= 1``, ``-beta*(1 - c(3))``, ``g <- -grad``,
``T_(alpha,beta3)``).  :func:`tex_prose` finds the formulas in such a
sentence and sets each as math: ``<=`` as ``\\le``, ``*`` as a product,
``c(3)`` as ``c_{3}``, Greek names as Greek letters, multi-letter names
upright (``\\mathrm{lr}``), ``oo`` as ``\\infty``; everything else is text
with LaTeX's special characters escaped.  It is a tokenizer, not a parser:
text in, text out, nothing evaluated.

``math_text`` gives the same for matplotlib's mathtext (plot titles): the
formulas in ``$...$``, the words left as they are.
"""
from __future__ import annotations

import re
import unicodedata

GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi "
         "chi psi omega").split()
FUNCTIONS = {"sign": r"\operatorname{sign}", "min": r"\min", "max": r"\max", "exp": r"\exp", "log": r"\log",
             "sqrt": r"\operatorname{sqrt}", "lim": r"\lim", "sum": r"\sum", "prod": r"\prod"}
"""Names set as operators, when applied (``max(a, b)``) or, for sums and products, given a range."""
SPECIAL_NAMES = {"oo": r"\infty", "nabla": r"\nabla"}

_OPS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "<-": r"\leftarrow", "->": r"\to", "~": r"\sim", "=": "=",
        "<": "<", ">": ">", "+": "+", "-": "-", "/": "/", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "→": r"\to",
        "←": r"\leftarrow", "≈": r"\approx", "×": r"\times", "·": r"\cdot", "±": r"\pm", "−": "-", "∞": r"\infty",
        "∇": r"\nabla", "√": r"\surd", "∪": r"\cup"}
_RELATIONS = {"=", "<=", ">=", "!=", "<", ">", "<-", "->", "~", "≤", "≥", "≠", "≈", "→", "←"}
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<abbr>e\.g\.|i\.e\.|et al\.|cf\.)"
    r"|(?P<label>§\s*[0-9A-Z]+(?:\.[0-9]+)*|(?<![A-Za-z0-9.])[A-Z](?:\.[0-9]+)+|[0-9]+(?:\.[0-9]+){2,})"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<ident>[A-Za-z]+[0-9]*(?:'[a-z]+)?(?:_(?:\([^()]*\)|\{[^{}]*\}|[A-Za-z0-9]+(?:,[A-Za-z0-9+-]+)*))?)"
    r"|(?P<op>\*\*|\.\.\.|\.\.|<=|>=|!=|<-|->|[=<>+\-*/^~]|[≤≥≠→←≈×·±−∞∇√∪])"
    r"|(?P<open>[(\[])|(?P<close>[)\]])"
    r"|(?P<other>.)", re.S)
_INDEX = re.compile(r"^\s*(-?\d+|[A-Za-z](?:\s*[+-]\s*\d+)?)\s*$")
"""An argument read as a step index: ``c(3)`` is ``c_3``, ``g(t - 1)`` is ``g_{t-1}``."""
_LONE_WORDS = {"a", "A", "I"}
"""Single letters that are English words when they stand alone."""

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
            "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
            ">": r"\textgreater{}", "|": r"\textbar{}"}
_UNICODE = {"§": r"\ensuremath{\mathsection}", "–": "--", "—": "---", "…": r"\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''",
            "✓": r"$\checkmark$", "◦": r"$\circ$"}
_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0308": '"', "\u0302": "^", "\u0303": "~", "\u0304": "=",
            "\u0327": "c", "\u030c": "v", "\u0306": "u", "\u030a": "r"}


# -- tokens --------------------------------------------------------------------------------------------------
class _Tok:
    __slots__ = ("kind", "text", "math", "strong", "index")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text
        self.math = self.strong = False
        self.index = None  # an applied step index, ``c(3)`` -> "3" (the parenthesis tokens then belong to it)


def _ascii_greek(s: str) -> str:
    """Greek letters (``β``) as their names (``beta``), so that ``β_3`` and ``beta_3`` read alike."""
    out = []
    for ch in s:
        name = unicodedata.name(ch, "") if ord(ch) >= 128 else ""
        if name.startswith("GREEK SMALL LETTER ") and name.split()[-1].lower() in GREEK:
            out.append(name.split()[-1].lower())
        elif name.startswith("GREEK CAPITAL LETTER ") and name.split()[-1].lower() in GREEK:
            out.append(name.split()[-1].capitalize())
        else:
            out.append(ch)
    return "".join(out)


def _tokens(s: str) -> list[_Tok]:
    return [_Tok(mt.lastgroup, mt.group()) for mt in _TOKEN.finditer(_ascii_greek(s))]


def _split_name(name: str) -> tuple[str, str]:
    """``beta3`` -> (``beta``, ``3``); ``m1`` -> (``m``, ``1``); ``alg3`` stays one name."""
    mt = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if mt and (mt.group(1) in GREEK or len(mt.group(1)) == 1):
        return mt.group(1), mt.group(2)
    return name, ""


def _base(name: str) -> tuple[str, str]:
    """The identifier ``name`` (no subscript) as ``(head, subscript digits)``."""
    head, digits = _split_name(name)
    if head in SPECIAL_NAMES:
        return SPECIAL_NAMES[head], digits
    if head in GREEK or head.lower() in GREEK and head[0].isupper():
        return "\\" + head, digits
    if len(head) == 1:
        return head, digits
    return r"\mathrm{%s}" % head, digits


def _is_strong_name(name: str) -> bool:
    head = _split_name(name.split("_")[0])[0]
    return "_" in name or head in GREEK or head in SPECIAL_NAMES or (len(head) == 1 and name not in _LONE_WORDS)


def _next(toks, i, step=1):
    j = i + step
    while 0 <= j < len(toks) and toks[j].kind == "space":
        j += step
    return toks[j] if 0 <= j < len(toks) else None


def _classify(toks: list[_Tok], names: frozenset) -> None:
    """Mark each token as possibly math (``math``) and as making a run math by itself (``strong``)."""
    for i, tk in enumerate(toks):
        prev_raw = toks[i - 1] if i else None
        next_raw = toks[i + 1] if i + 1 < len(toks) else None
        if tk.kind == "num":
            tk.math = True
        elif tk.kind in ("open", "close"):
            tk.math = True
        elif tk.kind == "op":
            hyphen = tk.text == "-" and prev_raw is not None and next_raw is not None and (
                (prev_raw.kind == "ident" and next_raw.kind == "ident")  # theory-style
                or (prev_raw.kind == "num" and next_raw.kind == "num"))  # lines 4-8
            tk.math = not hyphen
            if hyphen:
                tk.kind = "other"
        elif tk.kind == "ident":
            head = tk.text.split("_")[0]
            applied = next_raw is not None and next_raw.kind == "open" and next_raw.text == "("
            if applied and head in FUNCTIONS:
                tk.math = tk.strong = True
            elif _is_strong_name(tk.text) or tk.text in names:
                tk.math = tk.strong = True
            else:  # a word: math only where it stands inside a formula
                prev, nxt = _next(toks, i, -1), _next(toks, i, 1)
                attached = any(x is not None and x.kind == "op" and x.text in ("*", "**", "/", "^")
                               for x in (prev_raw, next_raw))
                unary = (prev_raw is not None and prev_raw.kind == "op" and prev_raw.text == "-"
                         and (i < 2 or toks[i - 2].kind in ("space", "op", "open")))
                between = all(x is not None and x.kind == "op" and x.text not in ("..", "...")
                              for x in (prev, nxt))
                named = nxt is not None and nxt.kind == "op" and nxt.text == "="
                tk.math = tk.strong = attached or unary or between or named or applied
            if tk.math and applied:
                j, depth = i + 1, 0
                while j < len(toks):
                    depth += {"(": 1, ")": -1}.get(toks[j].text, 0) if toks[j].kind in ("open", "close") else 0
                    if depth == 0:
                        break
                    j += 1
                inner = "".join(x.text for x in toks[i + 2:j])
                if j < len(toks) and head not in FUNCTIONS and _INDEX.match(inner) and "^" not in tk.text:
                    tk.index = re.sub(r"\s+", "", inner)
                    for x in toks[i + 1:j + 1]:
                        x.kind = "absorbed"
        elif tk.kind == "other" and tk.text == "'" and prev_raw is not None and prev_raw.kind == "ident" \
                and len(prev_raw.text) == 1 and prev_raw.math:
            tk.math = True  # a prime: x'


def _runs(toks: list[_Tok]):
    """Split into ``(is_math, tokens)`` pieces: maximal runs of math tokens that hold a formula."""
    pieces, run, depth = [], [], 0

    def close():
        nonlocal run
        if run:
            pieces.extend(_settle(run))
        run = []

    for tk in toks:
        if tk.kind == "absorbed":
            if run:
                run.append(tk)
            continue
        if tk.kind == "other" and tk.text == "," and depth > 0 and run:
            run.append(tk)
            continue
        if tk.math or (tk.kind == "space" and run):
            if tk.kind == "open":
                depth += 1
            elif tk.kind == "close":
                depth = max(0, depth - 1)
            run.append(tk)
            continue
        close()
        depth = 0
        pieces.append((False, [tk]))
    close()
    return pieces


def _settle(run: list[_Tok]):
    """A run as text or math: trailing spaces and unbalanced brackets go back to the text."""
    stack = []
    for k, x in enumerate(run):
        if x.kind == "open":
            stack.append(k)
        elif x.kind == "close":
            if not stack:  # a bracket closed that the run did not open: the sentence's
                return _settle(run[:k]) + [(False, [x])] + _settle(run[k + 1:])
            stack.pop()
    if stack:  # line 7 (delta is ...: the bracket opens the text
        k = stack[0]
        return _settle(run[:k]) + [(False, [run[k]])] + _settle(run[k + 1:])
    lead, tail = [], []
    while run and (run[-1].kind == "space" or run[-1].text == ","):
        tail.insert(0, run.pop())
    changed = True
    while changed and run:
        changed = False
        balance = _balance(run)
        if run[0].kind == "open" and balance > 0:
            lead.append(run.pop(0))
            changed = True
        elif run[-1].kind == "open" or run[0].kind == "close":  # g(2) (the ...: the bracket opens the text
            (tail.insert(0, run.pop()) if run[-1].kind == "open" else lead.append(run.pop(0)))
            changed = True
        elif run[-1].kind == "close" and balance < 0:
            tail.insert(0, run.pop())
            changed = True
        elif run[0].kind == "open" and run[-1].kind == "close" and _matching(run) == len(run) - 1:
            lead.append(run.pop(0))  # (b = 0): the parentheses are the sentence's
            tail.insert(0, run.pop())
            changed = True
        while run and run[0].kind == "space":
            lead.append(run.pop(0))
        while run and run[-1].kind == "space":
            tail.insert(0, run.pop())
    out = [(False, [x]) for x in lead]
    if run:
        out.append((_holds_formula(run), run))
    return out + [(False, [x]) for x in tail]


def _balance(run) -> int:
    return sum({"open": 1, "close": -1}.get(x.kind, 0) for x in run)


def _matching(run) -> int:
    depth = 0
    for i, x in enumerate(run):
        depth += {"open": 1, "close": -1}.get(x.kind, 0)
        if depth == 0:
            return i
    return -1


def _holds_formula(run) -> bool:
    if any(x.strong for x in run):
        return True
    core = [x for x in run if x.kind != "space"]  # numbers joined by an operator: -9/10, 1 - 0.9
    return any(x.kind == "op" and x.text not in ("..", "...") for x in core) and any(x.kind == "num" for x in core) \
        and len(core) > 1


# -- rendering ---------------------------------------------------------------------------------------------
def subscript(text: str) -> str:
    """A name's subscript as LaTeX: ``alpha,beta3`` -> ``\\alpha,\\beta_{3}``; ``max`` -> ``\\mathrm{max}``."""
    return _sub(text)


def _sub(text: str) -> str:
    """A subscript's content as math: ``alpha,beta3`` -> ``\\alpha,\\beta_{3}``; ``max`` -> ``\\mathrm{max}``."""
    if text[:1] in "({" and text[-1:] in ")}":
        text = text[1:-1]
    return ",".join(r"\mathrm{%s}" % part if re.fullmatch(r"[A-Za-z]{2,}[0-9]*", part) and _split_name(part)[0]
                    not in GREEK else _math(part) for part in text.split(","))


def _ident(tk: _Tok) -> str:
    name, _, sub = tk.text.partition("_")
    if name == "gamma" and sub.split(",")[0] == "avg":
        rest = sub.split(",", 1)[1] if "," in sub else ""
        parts = [x for x in (rest and _sub(rest), tk.index) if x]
        return r"\bar\gamma" + (f"_{{{','.join(parts)}}}" if parts else "")
    if name in FUNCTIONS and (sub or tk.index is None):
        head = FUNCTIONS[name]
        return head + (f"_{{{_sub(sub)}}}" if sub else "")
    head, digits = _base(name)
    parts = [x for x in (digits, sub and _sub(sub), tk.index and _math(tk.index)) if x]
    return head + (f"_{{{','.join(parts)}}}" if parts else "")


def _render(run: list[_Tok]) -> str:
    out: list[str] = []
    i = 0
    while i < len(run):
        tk = run[i]
        if tk.kind in ("space", "absorbed"):
            i += 1
            continue
        if tk.kind == "ident":
            out.append(_ident(tk))
        elif tk.kind == "num":
            out.append(tk.text)
        elif tk.kind in ("open", "close"):
            out.append(tk.text)
        elif tk.kind == "op" and tk.text in ("^", "**"):
            j = i + 1
            while j < len(run) and run[j].kind == "space":
                j += 1
            if j < len(run) and run[j].kind == "open":
                end = j + _matching(run[j:])
                inner = _render(run[j + 1:end]) if end > j else ""
                out.append(f"^{{{inner}}}" if tk.text == "**" else f"^{{({inner})}}")
                i = end + 1
                continue
            if j < len(run):
                out.append(f"^{{{_render([run[j]])}}}")
                i = j + 1
                continue
            out.append(r"\hat{}")
        elif tk.kind == "op" and tk.text == "*":
            nxt = _next(run, i)
            out.append(r"\cdot" if nxt is not None and nxt.kind == "num" else r"\,")
        elif tk.kind == "op" and tk.text in ("..", "..."):
            prev, nxt = _next(run, i, -1), _next(run, i)
            inside = prev is not None and prev.kind == "open" or nxt is not None and nxt.kind == "close"
            out.append(r"\dots" if inside or prev is None or nxt is None else r",\dots,")
        elif tk.kind == "op":
            out.append(_OPS.get(tk.text, tk.text))
        elif tk.text == ",":
            out.append(",")
        elif tk.text == "'":
            out.append("'")
        else:
            out.append(_char(tk.text))
        i += 1
    return _join(out)


def _join(parts: list[str]) -> str:
    """Math pieces with spaces where a reader needs them (TeX decides the spacing; this keeps the source tidy)."""
    s = ""
    for k, p in enumerate(parts):
        unary = k and parts[k - 1] == "-" and (k == 1 or parts[k - 2] in _OPS.values() or parts[k - 2] in "([")
        if (not s or p in (",", "'", ")", "]", "/") or p.startswith("^") or s.endswith(("(", "[", "/"))
                or p == r"\," or unary):
            s += p
        elif s.endswith(r"\,"):
            s += p
        else:
            s += " " + p
    return s.replace(" ,", ",")


def _math(s: str) -> str:
    """``s`` read as one formula (every token math): for subscripts and arguments."""
    toks = [t for t in _tokens(s)]
    for tk in toks:
        tk.math = True
    _mark_indices(toks)
    return _render(toks)


def _mark_indices(toks):
    for i, tk in enumerate(toks):
        if tk.kind == "ident" and i + 1 < len(toks) and toks[i + 1].text == "(" and tk.text not in FUNCTIONS:
            end = i + 1 + _matching(toks[i + 1:])
            inner = "".join(x.text for x in toks[i + 2:end])
            if end > i + 1 and _INDEX.match(inner):
                tk.index = re.sub(r"\s+", "", inner)
                for x in toks[i + 1:end + 1]:
                    x.kind = "absorbed"


def _char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ord(ch) < 128:
        return ch
    if ch in _UNICODE:
        return _UNICODE[ch]
    if ch in _OPS:
        return f"${_OPS[ch]}$"
    base, *marks = unicodedata.normalize("NFD", ch)
    if ord(base) < 128 and marks and all(mk in _ACCENTS for mk in marks):
        out = base
        for mk in marks:
            out = "\\" + _ACCENTS[mk] + "{" + out + "}"
        return out
    return "?"


def _quote(before: str) -> str:
    """``'`` after a letter is an apostrophe or a closing quote; elsewhere it opens a quote (``'approximately'``)."""
    return "'" if before[-1:].isalnum() or before.endswith(("$", ".", ",")) else "`"


def _pieces(s: str, names) -> list[tuple[bool, list[_Tok]]]:
    toks = _tokens(str(s))
    _classify(toks, frozenset(names))
    return _runs(toks)


def tex_prose(s: str, names=()) -> str:
    """``s`` as LaTeX text, its formulas as inline math (``names``: extra multi-letter names to read as math)."""
    out = ""
    for is_math, toks in _pieces(s, names):
        if is_math:
            out += f"${_render(toks)}$"
            continue
        for ch in "".join(tk.text for tk in toks):
            out += _quote(out) if ch == "'" else _char(ch)
    return out


def math_text(s: str, names=()) -> str:
    """``s`` for matplotlib's mathtext: the formulas in ``$...$``, the words unchanged (``$`` escaped)."""
    out = []
    for is_math, toks in _pieces(s, names):
        if is_math:
            out.append(f"${_render(toks)}$".replace(r"\dots", r"\ldots"))
        else:
            out.append("".join(tk.text for tk in toks).replace("$", r"\$"))
    return "".join(out)
