"""Text to graph IR: a Lark LALR parser whose callbacks append nodes as rules reduce.

No syntax tree is built and nothing recurses: the LALR parser keeps its own
stack, and each reduction appends at most one node, so the node list comes out
in topological order and depth is limited by memory only.
"""

from __future__ import annotations

import _thread
import gc
import math
import re

from . import lalr
from .builder import GraphBuilder
from .errors import ArgumentTypeError, CgSyntaxError, UsageError
from .ir import NUMBER, Graph
from .limits import DEFAULT_LIMITS, MAX_LITERAL_CEILING
from .ops import FUNCTIONS
from .sink import AGGREGATES, FOR, ONCE, Ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .indexing import IndexExpr
    from .limits import Limits

GRAMMAR_FILE = "cg.lark"


def grammar_text() -> str:
    """The grammar, from the installed package or from a source checkout."""
    from importlib import resources

    shipped = resources.files("cgcli") / "grammar" / GRAMMAR_FILE
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    from pathlib import Path

    checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_FILE
    return checkout.read_text(encoding="utf-8")


def _span(children) -> tuple[int, int]:
    """From the start of the first child (a reference or a token) to the end of the last."""
    return children[0].start, children[-1].end


class _Callbacks:
    """Parser callbacks, one per rule alias; they build through the builder's sink (the
    graph, or the template of the loop or sum being read)."""

    builder: GraphBuilder

    def _binary(self, op: str, children) -> Ref:
        left, _, right = children
        return self.builder.sink.add(op, (left.index, right.index), *_span(children))

    def add(self, children):
        return self._binary("add", children)

    def sub(self, children):
        return self._binary("sub", children)

    def mul(self, children):
        return self._binary("mul", children)

    def div(self, children):
        return self._binary("div", children)

    def pow(self, children):
        return self._binary("pow", children)

    def matmul(self, children):
        return self._binary("matmul", children)

    def attribute(self, children):
        value, token = children
        if token.text != ".T":
            raise self.builder.error(
                f"unknown attribute {token.text}: cg has only .T, the transpose (W.T)",
                token.start,
            )
        return self.builder.sink.add("transpose", (value.index,), value.start, token.end)

    def keyword(self, children):
        token, _, value = children
        return _Keyword(token, value)

    def neg(self, children):
        return self.builder.sink.add("neg", (children[1].index,), *_span(children))

    def pos(self, children):
        return Ref(children[1].index, *_span(children))

    def group(self, children):
        return Ref(children[1].index, *_span(children))

    def number(self, children):
        token = children[0]
        limit = min(self.builder.limits.max_literal, MAX_LITERAL_CEILING)
        if len(token.text) > limit:
            how = (
                "raise the limit with --max-literal"
                if limit < MAX_LITERAL_CEILING
                else "Python reads no longer number exactly"
            )
            raise CgSyntaxError(
                f"number literal longer than {limit:,} characters ({how})",
                self.builder.source,
                token.start,
            )
        if math.isinf(float(token.text)):
            raise CgSyntaxError(
                f"number {token.text} is too large for a float64", self.builder.source, token.start
            )
        return self.builder.sink.add(NUMBER, (), token.start, token.end, literal=token.text)

    def name(self, children):
        token = children[0]
        if token.text in FUNCTIONS:
            raise CgSyntaxError(
                f"{token.text} is a function: call it as {token.text}(...)",
                self.builder.source,
                token.start,
            )
        _refuse_superscripts(token, self.builder.source)
        return self.builder.sink.read(token.text, token.start, token.end)

    def subscript(self, children):
        from .indexing import IndexExpr, Subscript

        token = children[0]
        self._check_name(token, "an indexed name")
        indexes = tuple(c for c in children[2:-1] if isinstance(c, IndexExpr))
        return Subscript(token.text, indexes, token.start, children[-1].end, token.end)

    def element(self, children):
        return self.builder.sink.read_subscript(children[0])

    def call_open(self, children):
        token = children[0]
        if token.text in AGGREGATES:  # record the expression it repeats
            from .loops import Template

            self.builder.frames.append(Template(token.text, token.start, token.end))
        return token

    def call(self, children):
        token = children[0]
        args = [c for c in children if isinstance(c, Ref)]
        keywords = [c for c in children if isinstance(c, _Keyword)]
        op = FUNCTIONS.get(token.text)
        if op is None:  # the array functions have names of their own
            from .array_ops import FUNCTION_NAMES

            if token.text in FUNCTION_NAMES:
                return self._array_call(token, args, keywords, children[-1])
        if keywords:
            raise self.builder.error(
                f"{token.text} takes no keyword arguments", keywords[0].name.start
            )
        if op is None:
            raise CgSyntaxError(_unknown_function(token.text), self.builder.source, token.start)
        if len(args) != op.arity:
            plural = "s" if op.arity != 1 else ""
            raise CgSyntaxError(
                f"{op.name} takes {op.arity} argument{plural}, got {len(args)}",
                self.builder.source,
                token.start,
            )
        return self.builder.sink.add(op.name, tuple(a.index for a in args), *_span(children))

    def _array_call(self, token, args, keywords, close):
        """An array function: transpose(W), sum(W, axis=0), softmax(s), ..."""
        from .array_ops import ARRAY_OPS, op_name

        builder = self.builder
        op = ARRAY_OPS[token.text]
        if len(args) != op.arity:
            plural = "s" if op.arity != 1 else ""
            raise builder.error(
                f"{op.name} takes {op.arity} array argument{plural}, got {len(args)}",
                token.start,
            )
        parameter = None
        for keyword in keywords:
            if keyword.name.text != op.parameter:
                allowed = f"only {op.parameter}=" if op.parameter else "no keyword arguments"
                raise builder.error(
                    f"{op.name} takes {allowed}, not {keyword.name.text}=", keyword.name.start
                )
            text = builder.source[keyword.value.start : keyword.value.end].replace(" ", "")
            if not re.fullmatch(r"-?[0-9]+", text):
                raise builder.error(
                    f"{keyword.name.text} is a whole number written out, such as "
                    f"{keyword.name.text}=0",
                    keyword.value.start,
                )
            parameter = int(text)
        name = op_name(op.name, parameter)
        span = (token.start, close.end)
        if token.text in AGGREGATES:  # sum(W): the template call_open opened runs once
            template = builder.frames.pop()
            ref = template.add(name, (args[0].index,), *span)
            template.kind = ONCE
            template.result = ref.index
            template.end = close.end
            return builder.finish(template)
        return builder.sink.add(name, tuple(a.index for a in args), *span)

    def aggregate(self, children):
        token, body, _, variable, _, first, _, last, close = children
        if token.text not in AGGREGATES:
            raise self.builder.error(
                f"only sum and mean repeat an expression over a range, not {token.text}",
                token.start,
            )
        builder = self.builder
        template = builder.frames.pop()
        template.variable = variable.text
        template.first, template.last = first, last
        template.result = body.index
        template.end = close.end
        return builder.finish(template)

    def loop_head(self, children):
        from .loops import Template

        keyword, variable, _, first, _, last, colon = children
        builder = self.builder
        self._check_name(variable, "a loop variable")
        for frame in builder.frames:
            if frame.kind == FOR and frame.variable == variable.text:
                raise builder.error(
                    f"{variable.text} is already the variable of a loop around this one: "
                    "give this one another name",
                    variable.start,
                )
        template = Template(FOR, keyword.start, colon.end, variable.text)
        template.first, template.last = first, last
        builder.frames.append(template)

    def loop(self, children):
        builder = self.builder
        builder.finish(builder.frames.pop())

    def bracket_list(self, children):
        builder = self.builder
        elements = [c for c in children if isinstance(c, Ref)]
        start, end = _span(children)
        if builder.lists is None:  # in a program: a vector, or a matrix of row vectors
            return builder.sink.add("stack", tuple(e.index for e in elements), start, end)
        if builder.frames:
            raise builder.error("a list value is one bracketed list of numbers", start)
        builder.lists.append((start, end, elements))
        return Ref(elements[0].index, start, end)

    # The integer expressions of indexes and bounds: a tree of IndexExpr, no nodes.

    def index_number(self, children):
        from fractions import Fraction

        from .indexing import IndexExpr

        token = children[0]
        if not token.text.isdigit():
            value = float(token.text)
            if value.is_integer():
                message = f"write the index {token.text} as a whole number ({int(value)})"
            else:
                message = f"the index {token.text} is not an integer"
            raise self.builder.error(message, token.start)
        return IndexExpr("number", (Fraction(int(token.text)),), token.start, token.end)

    def index_name(self, children):
        from .indexing import IndexExpr

        token = children[0]
        return IndexExpr("name", (token.text,), token.start, token.end)

    def _index_binary(self, op: str, children) -> IndexExpr:
        from .indexing import IndexExpr

        left, _, right = children
        return IndexExpr(op, (left, right), left.start, right.end)

    def index_add(self, children):
        return self._index_binary("+", children)

    def index_sub(self, children):
        return self._index_binary("-", children)

    def index_mul(self, children):
        return self._index_binary("*", children)

    def index_div(self, children):
        return self._index_binary("/", children)

    def index_neg(self, children):
        from .indexing import IndexExpr

        return IndexExpr("neg", (children[1],), children[0].start, children[1].end)

    def index_pos(self, children):
        return children[1]._replace(start=children[0].start)

    def index_group(self, children):
        return children[1]._replace(start=children[0].start, end=children[2].end)

    # A statement's callback returns None: only ``start`` receives it, and a program's
    # statements would otherwise all be kept until its end.

    def expr_stmt(self, children):
        sink = self.builder.sink
        sink.set_output(children[0])
        sink.count_statement()

    def assign(self, children):
        target, _, value = children
        sink = self.builder.sink
        if isinstance(target, lalr.Token):  # a name; else an element, a Subscript
            self._check_target(target)
            sink.bind(target.text, value, target.start)
        else:
            sink.bind_subscript(target, value)
        sink.count_statement()

    def aug_assign(self, children):
        target, augop, value = children
        sink = self.builder.sink
        op = _AUGMENTED[augop.text]
        if isinstance(target, lalr.Token):  # a name; else an element, a Subscript
            self._check_target(target)
            current = sink.read(target.text, target.start, target.end)
            ref = sink.add(op, (current.index, value.index), target.start, value.end)
            sink.bind(target.text, ref, target.start)
        else:
            current = sink.read_subscript(target)
            ref = sink.add(op, (current.index, value.index), target.start, value.end)
            sink.bind_subscript(target, ref)
        sink.count_statement()

    def start(self, children):
        return None

    def _check_target(self, target) -> None:
        _refuse_superscripts(target, self.builder.source)
        if target.text in FUNCTIONS:
            raise CgSyntaxError(
                f"cannot assign to {target.text}: it is a function name",
                self.builder.source,
                target.start,
            )

    def _check_name(self, token, role: str) -> None:
        _refuse_superscripts(token, self.builder.source)
        if token.text in FUNCTIONS:
            raise self.builder.error(f"{token.text} is a function, not {role}", token.start)


class _Keyword:
    """A keyword argument of an array function as written: ``axis=0``, its ``name`` (a
    token) and its ``value`` (a :class:`Ref`)."""

    __slots__ = ("name", "value")

    def __init__(self, name, value: Ref) -> None:
        self.name = name
        self.value = value


_AUGMENTED = {"+=": "add", "-=": "sub", "*=": "mul", "/=": "div"}


def _refuse_superscripts(token, source: str) -> None:
    power = _superscript_power(token.text)
    if power is not None:
        raise CgSyntaxError(
            f"{token.text} is not a power in cg: write {power}",
            source,
            token.start + len(power.split("^")[0]),
        )


FUNCTION_ALIASES = {
    "ln": "log",
    "σ": "sigmoid",
    "sigma": "sigmoid",
    "sig": "sigmoid",
    "logistic": "sigmoid",
    "expit": "sigmoid",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "fabs": "abs",
    "power": "pow",
    "maximum": "max",
    "minimum": "min",
    "tg": "tan",
    "log10": "log(x)/log(10)",
    "log2": "log(x)/log(2)",
    "exp2": "2^x",
    "sqr": "x^2",
    "square": "x^2",
    "sign": "abs(x)/x (cg has no sign function; abs'(x) is the sign)",
    "sgn": "abs(x)/x (cg has no sign function; abs'(x) is the sign)",
    "step": "relu(x)/x (cg has no step function; relu'(x) is the step)",
    "heaviside": "relu(x)/x (cg has no step function; relu'(x) is the step)",
    "cbrt": "x^(1/3) (for x >= 0)",
    "cot": "1/tan(x)",
    "sec": "1/cos(x)",
    "csc": "1/sin(x)",
    "asinh": "log(x + sqrt(x^2 + 1))",
    "arcsinh": "log(x + sqrt(x^2 + 1))",
    "acosh": "log(x + sqrt(x^2 - 1))",
    "arccosh": "log(x + sqrt(x^2 - 1))",
    "atanh": "log((1 + x)/(1 - x))/2",
    "arctanh": "log((1 + x)/(1 - x))/2",
}
"""Names from other tools and textbooks, and what cg calls them."""


def _unknown_function(name: str) -> str:
    import difflib

    meant = FUNCTION_ALIASES.get(name) or FUNCTION_ALIASES.get(name.lower())
    if meant is None and name.lower() in FUNCTIONS:
        meant = name.lower()
    if meant is None:
        close = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1)
        meant = close[0] if close else None
    if meant:
        hint = f"; did you mean {meant}?"
    elif len(name) <= 2:  # a variable before a parenthesis: w(x + 1)
        hint = f"; did you mean {name}*(...)?"
    else:
        hint = " (cg docs language lists the functions)"
    return f"unknown function {name}{hint}"


_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPTS = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")


def _superscript_power(name: str) -> str | None:
    """``x²`` → ``x^2``: a name that ends in superscript digits was meant as a power."""
    if not name or name[-1] not in _SUPERSCRIPT_DIGITS:  # most names: no pattern to run
        return None
    match = re.fullmatch(r"(.*?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", name)
    if not match or not match.group(1):
        return None
    return f"{match.group(1)}^{match.group(2).translate(_SUPERSCRIPTS)}"


_CALLBACKS = _Callbacks()
_RULES = lalr.bind(_CALLBACKS)
_LOCK = _thread.allocate_lock()
"""One parse at a time (``threading.Lock`` is this lock)."""


class _no_cyclic_gc:
    """Parsing makes many objects and no reference cycles: pausing the cycle collector
    keeps it from scanning them again and again (it made large programs superlinear)."""

    def __enter__(self) -> None:
        self._enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc) -> None:
        if self._enabled:
            gc.enable()


def parse(source: str, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """Parse a program into a graph; raise :class:`CgSyntaxError` on bad input."""
    return _parse(source, limits, lists=False)[0]


def parse_list(source: str, limits: Limits = DEFAULT_LIMITS) -> list[Graph]:
    """A bracketed list of expressions, ``[0.5, -1, 2]`` (a value of an indexed name): one
    graph per element, each with that element as its output."""
    graph, lists = _parse(source, limits, lists=True)
    text = source.strip()
    offset = source.index(text) if text else 0
    whole = (offset, offset + len(text))
    if len(lists) != 1 or (lists[0][0], lists[0][1]) != whole or graph.statements != 1:
        pos = lists[1][0] if len(lists) > 1 else offset
        raise CgSyntaxError(
            "a list value is one bracketed list of numbers, such as [0.5, -1, 2]", source, pos
        )
    return [graph.replace(output=ref.index) for ref in lists[0][2]]


def _parse(source: str, limits: Limits, lists: bool) -> tuple[Graph, list]:
    if len(source) > limits.max_size:
        raise UsageError(
            f"the program has {len(source):,} characters, over the limit of "
            f"{limits.max_size:,} (raise it with --max-size)"
        )
    with _LOCK, _no_cyclic_gc():  # the callbacks hold the builder of the parse under way
        _CALLBACKS.builder = GraphBuilder(source, limits, lists)
        try:
            lalr.parse(source, _RULES, limits.max_depth)
            return _CALLBACKS.builder.graph(), _CALLBACKS.builder.lists or []
        except (lalr.UnexpectedCharacter, lalr.UnexpectedToken) as exc:
            raise _syntax_error(exc, source) from None
        except lalr.BadIndentation as exc:
            raise CgSyntaxError(exc.message, source, exc.pos) from None
        except lalr.TooDeep as exc:
            raise CgSyntaxError(
                f"the program nests deeper than the limit of {limits.max_depth:,} "
                "(raise it with --max-depth)",
                source,
                exc.token.start,
            ) from None
        except CgSyntaxError as exc:
            if exc.source != source:  # raised before the builder knew the source
                raise CgSyntaxError(exc.message, source, exc.pos) from None
            raise
        finally:
            del _CALLBACKS.builder  # its tables would live on until the next parse


# --- syntax errors in the user's words -----------------------------------------

_LAST_OPERAND = r"(\d*\.?\d+(?:[eE][-+]?\d+)?|\w+|\))$"
_OPERAND_START = {"NUMBER", "NAME", "LPAR"}
_TOKEN_WORDS = {
    "$END": "end of input",
    "_SEMI": "end of statement",
    "_NL": "end of line",
    "_INDENT": "indented line",
    "_DEDENT": "end of the loop's body",
    "NUMBER": "number",
    "NAME": "name",
}


def _at_end(token) -> bool:
    """$END, or the newline the driver adds at the end of a source that has none."""
    return token.type == lalr.END or (token.type == lalr.NEWLINE and not token.text)


def _syntax_error(exc, source: str) -> CgSyntaxError:
    if isinstance(exc, lalr.UnexpectedCharacter):
        return CgSyntaxError(_unexpected_character(source[exc.pos]), source, exc.pos)
    token = exc.token
    pos = len(source.rstrip()) if _at_end(token) else token.start
    return CgSyntaxError(_unexpected_token(token, exc.expected, source), source, pos)


_LOOKALIKES = {
    "\u2212": "-",
    "\u2013": "-",
    "\u00d7": "*",
    "\u22c5": "*",
    "\u00b7": "*",
    "\u2217": "*",
    "\u2219": "*",
    "\u00f7": "/",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2014": "-",
    "\uff0b": "+",
    "\uff0d": "-",
    "\uff0a": "*",
    "\uff0f": "/",
    "\uff08": "(",
    "\uff09": ")",
    "\uff1d": "=",
    "\u00a0": " ",
    "\u200b": None,
    "\ufeff": None,
}
_NOT_IN_CG = {
    "⁻": "write powers with ^, as in x^-1",
    "%": "cg has no remainder operator",
    ">": "cg has no comparisons",
    "<": "cg has no comparisons",
    "!": "cg has no comparisons or factorials",
    "&": "cg has no logical operators",
    "|": "cg has no logical operators (abs(x) is |x|)",
    "√": "write sqrt(x)",
    "π": "write pi",
}


def _unexpected_character(char: str) -> str:
    import unicodedata

    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    described = f"{char!r} ({code} {name})" if name else f"{char!r} ({code})"
    if char == "\n":
        described = "end of line"
    message = f"unexpected character {described}"
    if char.isdigit():
        return message + "; numbers are written with the digits 0-9"
    if char in _NOT_IN_CG:
        return f"{message}; {_NOT_IN_CG[char]}"
    if char in _LOOKALIKES:
        meant = _LOOKALIKES[char]
        if meant is None:
            return message + "; it is invisible: delete it"
        return message + (
            "; did you mean a space?" if meant == " " else f"; did you mean {meant!r}?"
        )
    return message


def _describe(token) -> str:
    if _at_end(token):
        return "end of input"
    word = _TOKEN_WORDS.get(token.type)
    if token.type in ("$END", "_SEMI", "_NL", "_INDENT", "_DEDENT"):
        return word
    if token.type in ("FOR", "IN"):
        return f"{token.text!r}"
    if word:
        return f"{word} {token.text!r}"
    return repr(token.text)


def _unexpected_token(token, expected: set[str], source: str) -> str:
    message = f"unexpected {_describe(token)}"
    hint = _juxtaposition_hint(token, source)
    if hint:
        return f"{message}; {hint}"
    if token.type in ("EQUAL", "AUGOP"):
        return _misplaced_assignment(token, source, message)
    if token.text == "[" and source[: token.start].rstrip().endswith(")"):
        return f"{message}: an entry is read from a name, so name the array first (p = ...; p[1])"
    if token.type == "RPAR" and source[: token.start].rstrip().endswith("("):
        called = re.search(r"(\w+)\s*\($", source[: token.start].rstrip())
        if called and called.group(1) in FUNCTIONS:
            op = FUNCTIONS[called.group(1)]
            plural = "s" if op.arity != 1 else ""
            return f"{called.group(1)} takes {op.arity} argument{plural}, got 0"
    loop_hint = _loop_hint(token, expected, source)
    if loop_hint:
        return f"{message}: {loop_hint}"
    if _OPERAND_START & expected:
        return f"{message}: expected a number, a name or '('"
    if "RPAR" in expected or "RSQB" in expected:
        return f"{message}: expected {' or '.join(repr(c) for c in _closers(expected))}"
    return f"{message}: expected an operator"


def _loop_hint(token, expected: set[str], source: str) -> str | None:
    """What a loop or a sum needs here: ``for t in 1..3:``, ``sum(x[t] for t in 1..3)``."""
    if token.type == "FOR":
        return (
            "a loop starts a line (for t in 1..3: ...), and only sum(...) and mean(...) "
            "repeat an expression (sum(x[t] for t in 1..3))"
        )
    if token.type == "DOTDOT" and "DOTDOT" not in expected:
        return (
            "a range first..last belongs to a loop (for t in 1..3:) or a sum "
            "(sum(x[t] for t in 1..3)); a number has at most one decimal point"
        )
    if token.type == "IN" and "IN" not in expected:
        return "'in' is a word of loops only: for t in 1..3"
    if expected == {"NAME"}:
        return "expected a name (the loop's variable: for t in 1..3)"
    if "IN" in expected:
        return "expected 'in' (for t in 1..3)"
    if token.type == "POW" and "POW" not in expected:
        return (
            "an index or a range's bound has + - * / only: set a constant first, "
            "such as N = 10^4, and use N"
        )
    line = source[source.rfind("\n", 0, token.start) + 1 : token.start]
    if "COLON" in expected and re.search(r"\bfor\b.*\.\.", line):
        return "expected ':' at the end of the loop's line (for t in 1..3:)"
    if "DOTDOT" in expected:
        return "expected '..': a range is written first..last, as 1..3"
    if token.type == "_INDENT":
        return "only a loop's body is indented, below a line that ends in ':'"
    return None


def _misplaced_assignment(token, source: str, message: str) -> str:
    """``x == y``, ``x ^= 2``, ``2 = x``: say what cg has instead."""
    before = source[: token.start]
    after = source[token.end :]
    if token.text == "=" and (after.startswith("=") or before.endswith("=")):
        return "'==' is not an operator: cg has no comparisons (= names a value)"
    power = re.search(r"(\w*)\s*(\^|\*\*)$", before.rstrip())
    if token.text == "=" and power:
        name, op = power.group(1) or "x", power.group(2)
        return f"'{op}=' is not an operator: write {name} = {name}{op}... (cg has +=, -=, *=, /=)"
    return f"{message}: only a name can be assigned to"


def _closers(expected: set[str]) -> list[str]:
    closers = [",", ")", "]"]
    wanted = {",": "COMMA", ")": "RPAR", "]": "RSQB"}
    return [c for c in closers if wanted[c] in expected]


def _juxtaposition_hint(token, source: str) -> str | None:
    """A hint for two operands written side by side, such as ``2x`` or ``x y``."""
    if token.type not in ("NAME", "NUMBER", "LPAR"):
        return None
    before = source[: token.start]
    previous = before.rstrip()
    if not previous or (previous[-1] not in ")._" and not previous[-1].isalnum()):
        return None
    adjacent = len(previous) == len(before)
    text = token.text
    if adjacent and previous[-1].isdigit() and token.type == "NAME":
        if text[0] in "eE":
            return "a number's exponent needs digits, as in 1e3 (for a product write 1*e)"
        if text[0] in "xXoObB" and previous[-1] == "0" and len(text) > 1:
            return "only decimal numbers are supported"
        if text[0] == "_":
            return "digit separators '_' are not allowed in numbers"
    if adjacent and previous[-1] == "." and token.type == "NUMBER":
        return "a number has at most one decimal point"
    left = re.search(_LAST_OPERAND, previous)
    left_text = left.group(0) if left else previous[-1]
    if left_text in FUNCTIONS:
        return f"{left_text} is a function: call it as {left_text}({text})"
    left_text = "(...)" if left_text == ")" else left_text
    right_text = "(...)" if token.type == "LPAR" else text
    if adjacent:
        return f"missing operator: did you mean {left_text}*{right_text}?"
    return f"missing operator between {left_text!r} and {text!r}"


def parse_program(program: object) -> Graph:
    """A program given to the library: its text (a str), parsed, or a parsed :class:`Graph`."""
    if isinstance(program, Graph):
        return program
    if isinstance(program, str):
        return parse(program)
    raise ArgumentTypeError(
        "program", f"expected the text of a program (a str) or a parsed Graph, not {program!r:.60}"
    )
