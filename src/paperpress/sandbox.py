"""The sandbox editors' templates run in: Jinja's, also bounding what one render may build.

A time limit cannot stop one operation that runs in C: a power, a product or a repetition
of a huge number ({{ 10**10**10 }}, {{ 'a' * 10**10 }}), a padding width
({{ 'x'|center(400000000) }}, {{ '%0400000000d' % 1 }}) takes hours or all memory before
the signal gets a say. So each such operation is checked before it runs, and what a render
builds (its text and printed values, repetitions, joins, concatenations) is counted against
one budget.
"""

from __future__ import annotations

import re
import string
from functools import update_wrapper

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

# A template may count to this (Jinja's sandbox allows 100,000 a range, and two nested
# loops of that never end).
MAX_RANGE = 10_000
MAX_BITS = 4096  # of a number a power or a product makes
MAX_REPETITION = 1_000_000  # items of one repetition ('a' * n, [x] * n)
MAX_WIDTH = 10_000  # a padding width, a format's width or precision, a batch's size
# What one render may build, printed or not, in characters (about bytes): some 500 times
# the white paper's HTML. Each piece of output also counts what Python spends to hold one
# more string, so that a loop writing short pieces is bounded as well.
MAX_RENDER_CHARS = 50_000_000
PIECE_COST = 50

# A printf conversion: '%(name)-08.3f' (width 8, precision 3) or '%*d' (width from the args).
_PRINTF_RE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?")
_NUMBER_RE = re.compile(r"\d+")


def refuse(message: str):
    raise jinja2.exceptions.SecurityError(message)


def bounded_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        refuse(f"range() of {len(numbers)} numbers: a template may count to {MAX_RANGE}")
    return numbers


def check_width(width, what: str) -> None:
    if isinstance(width, str):
        width = len(width)
    if isinstance(width, int) and width > MAX_WIDTH:
        refuse(f"{what} of {width}: a template may pad to {MAX_WIDTH} characters")


def check_printf(text: str) -> None:
    """Refuse a printf format ('%05d') whose width or precision is over MAX_WIDTH or is
    taken from the arguments."""
    for m in _PRINTF_RE.finditer(text):
        for part in ("width", "precision"):
            value = m[part]
            if value == "*":
                refuse(f"a format's {part} from its arguments ('{m[0]}'): write the number")
            check_width(int(value) if value else 0, f"a format's {part}")


def check_format_spec(text: str) -> None:
    """The same for str.format: '{:>400000000}', or a width from an argument '{:{w}}'."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format itself reports the malformed string
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            refuse("a format's width from its arguments: write the number")
        for number in _NUMBER_RE.findall(spec or ""):
            check_width(int(number), "a format's width")


def _is_str_sequence(value) -> bool:
    return isinstance(value, (str, bytes, bytearray, list, tuple))


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles '~' (concatenation) and the template's own text to calls the environment
    counts: a doubling in a loop ({% set ns.x = ns.x ~ ns.x %}), or text written out in
    nested loops inside a block that collects it ({% filter %}, a macro), would otherwise
    take all memory."""

    def _output_const_repr(self, group) -> str:
        return f"environment.printed({super()._output_const_repr(group)})"

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.bounded_concat(context.eval_ctx, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, refusing any operation that would build more than the
    bounds above. The budget is the environment's: make one environment for each job."""

    intercepted_binops = frozenset(["**", "*", "%", "+"])
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, finalize=self.printed, **kwargs)
        self.chars_built = 0
        self.globals["range"] = bounded_range
        self.filters.update(_bounded_filters(self))

    def charge(self, size: int) -> None:
        """Count ``size`` characters (or items) about to be built against the budget."""
        self.chars_built += size
        if self.chars_built > MAX_RENDER_CHARS:
            refuse(f"the template builds more than {MAX_RENDER_CHARS // 1_000_000} million"
                   " characters")

    def printed(self, value):
        """``value``, counted as a piece of the output."""
        self.charge(PIECE_COST + (len(value) if isinstance(value, str) else len(str(value))))
        return value

    def bounded_concat(self, eval_ctx, items: tuple):
        self.charge(sum(len(i) for i in items if isinstance(i, str)))
        return markup_join(items) if eval_ctx.autoescape else str_join(items)

    def call_binop(self, context, operator, left, right):
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and left.bit_length() * right > MAX_BITS:
            refuse(f"a power with more than {MAX_BITS} bits is too large")
        if operator == "*" and ints and left.bit_length() + right.bit_length() > MAX_BITS:
            refuse(f"a product with more than {MAX_BITS} bits is too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _is_str_sequence(seq) and isinstance(times, int):
                    if len(seq) * times > MAX_REPETITION:
                        refuse("a repetition longer than a million items is too long")
                    self.charge(len(seq) * times)
        if operator == "+" and _is_str_sequence(left) and _is_str_sequence(right):
            self.charge(len(left) + len(right))
        if operator == "%" and isinstance(left, str):
            check_printf(left)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            check_format_spec(value.__self__)
        return wrapper

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (as Jinja's)
        if isinstance(getattr(__obj, "__self__", None), (str, bytes, bytearray)):
            args = __self._check_str_method(__obj.__self__, __obj.__name__, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def _check_str_method(self, text, name: str, args: tuple, kwargs: dict) -> tuple:
        """Check a call of a text's method that pads or builds ('x'.center(10**9)); a
        join's items are read here once, so the count is of what is joined."""
        first = args[0] if args else next(iter(kwargs.values()), None)
        if name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
            check_width(first, f"{name}() width")
            if name == "expandtabs" and isinstance(first, int):
                self.charge(text.count("\t") * first)
        elif name == "replace" and len(args) >= 2:
            self.charge(_replaced_size(text, *args[:3]))
        elif name == "join" and args:
            items = list(args[0])
            self.charge(sum(len(i) for i in items if isinstance(i, str))
                        + len(text) * len(items))
            args = (items, *args[1:])
        return args


def _replaced_size(text: str, old, new, count=-1) -> int:
    if not (isinstance(old, str) and isinstance(new, str)):
        return 0
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))


def _bounded_filters(env: BoundedSandbox) -> dict:
    """The filters that pad, repeat or join, each checked before Jinja's own runs."""

    def bounded(name, check):
        original = FILTERS[name]

        def run(*args, **kwargs):
            # Jinja passes the environment or evaluation context first to some filters.
            value_at = 1 if getattr(original, "jinja_pass_arg", None) else 0
            args = check(args[value_at:], kwargs, args[:value_at]) or args
            return original(*args, **kwargs)

        return update_wrapper(run, original)

    def arg(args, kwargs, n, name, default=None):
        return args[n] if len(args) > n else kwargs.get(name, default)

    def center(args, kwargs, passed):
        check_width(arg(args, kwargs, 1, "width", 80), "center width")

    def indent(args, kwargs, passed):
        width = arg(args, kwargs, 1, "width", 4)
        check_width(width, "indent width")
        if args and isinstance(args[0], str):  # the indent is repeated on every line
            env.charge(args[0].count("\n") * (len(width) if isinstance(width, str) else
                                               width if isinstance(width, int) else 0))

    def wordwrap(args, kwargs, passed):
        check_width(arg(args, kwargs, 1, "width", 79), "wordwrap width")
        wrapstring = arg(args, kwargs, 3, "wrapstring")
        if args and isinstance(args[0], str) and isinstance(wrapstring, str):
            # At most a line a character, each ended by the wrap string.
            env.charge(len(args[0]) * max(1, len(wrapstring)))

    def format_(args, kwargs, passed):
        if args and isinstance(args[0], str):
            check_printf(args[0])

    def batch(args, kwargs, passed):
        if arg(args, kwargs, 2, "fill_with") is not None:
            check_width(arg(args, kwargs, 1, "linecount"), "batch size")

    def tojson(args, kwargs, passed):
        check_width(arg(args, kwargs, 1, "indent", 0) or 0, "tojson indent")

    def slice_(args, kwargs, passed):
        check_width(arg(args, kwargs, 1, "slices"), "slice count")

    def replace(args, kwargs, passed):
        if args and isinstance(args[0], str):
            env.charge(_replaced_size(args[0], arg(args, kwargs, 1, "old"),
                                      arg(args, kwargs, 2, "new"),
                                      arg(args, kwargs, 3, "count", -1) or -1))

    def join(args, kwargs, passed):
        if not args:
            return None
        items = list(args[0])
        joiner = arg(args, kwargs, 1, "d", "")
        env.charge(sum(len(i) for i in items if isinstance(i, str))
                   + len(str(joiner)) * len(items))
        return (*passed, items, *args[1:])

    def sum_(args, kwargs, passed):
        if not args:
            return None
        items = list(args[0])
        env.charge(sum(len(i) for i in items if _is_str_sequence(i)))
        return (*passed, items, *args[1:])

    checks = {"center": center, "indent": indent, "wordwrap": wordwrap, "format": format_,
              "batch": batch, "slice": slice_, "replace": replace, "join": join,
              "sum": sum_, "tojson": tojson}
    return {name: bounded(name, check) for name, check in checks.items()}
