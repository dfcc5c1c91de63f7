"""Placeholders: how text (prose, captions, chart notes) takes its numbers from the data.

``{{ key }}`` or ``{{ key@period }}`` prints the value with its unit as the publication's
language writes it (``3518.1亿元``, ``1.55 million TEU``); ``{{ key | number }}``, ``| unit``
and ``| period`` print one part. Literal double braces
are written as Jinja writes them: ``{{ "{{" }}`` and ``{{ "}}" }}``.
"""

from __future__ import annotations

import re

from .locale import Locale
from .statistics import Statistics

PLACEHOLDER_RE = re.compile(r"\{\{\s*(?P<body>[^{}]*?)\s*\}\}")
_LITERAL = r"""\{\{\s*(?P<quote>["'])(?P<literal>\{\{|\}\})(?P=quote)\s*\}\}"""
# A literal brace pair first: at the same place, it wins over a placeholder.
_TOKEN_RE = re.compile(f"{_LITERAL}|{PLACEHOLDER_RE.pattern}")
FORMATS = ("number", "unit", "period")


class PlaceholderError(LookupError):
    def __init__(self, placeholder: str, message: str):
        self.placeholder = placeholder
        super().__init__(f"placeholder {placeholder}: {message}")


def fill_placeholders(text: str, stats: Statistics, locale: Locale) -> str:
    """Replace every data placeholder in ``text``; the first bad one raises PlaceholderError."""
    return "".join(piece for piece, _, _ in fill_segments(text, stats, locale))


def fill_segments(text: str, stats: Statistics, locale: Locale) -> list[tuple]:
    """``text`` as printed, in pieces: (typed text, None, "") and (placeholder's output,
    its Fact, its format), so that provenance can tell the editor's digits from the
    data's. The first bad placeholder raises PlaceholderError."""
    def replace(m: re.Match) -> str:
        if m["literal"]:
            return m["literal"]
        ref, _, fmt = (p.strip() for p in m["body"].partition("|"))
        if re.match(r"figure\s", ref):
            raise PlaceholderError(m[0], "a figure must stand alone in its own paragraph")
        try:
            fact = stats.resolve(ref)
        except LookupError as exc:
            raise PlaceholderError(m[0], str(exc)) from None
        if fmt == "":
            return locale.quantity(locale.number(fact.value), fact.unit)
        if fmt == "number":
            return locale.number(fact.value)
        if fmt == "unit":
            return fact.unit
        if fmt == "period":
            return locale.fact_period(fact)
        raise PlaceholderError(m[0], f"unknown format '{fmt}' (use {', '.join(FORMATS)})")

    leftover = _TOKEN_RE.sub("", text)
    for stray in ("{{", "}}"):
        if stray in leftover:
            raise PlaceholderError(stray, "is not closed or opened: write {{ key }}, or"
                                          f" {{{{ \"{stray}\" }}}} for the braces themselves")
    pieces: list[tuple] = []
    end = 0
    for m in _TOKEN_RE.finditer(text):
        if m.start() > end:
            pieces.append((text[end:m.start()], None, ""))
        printed = replace(m)
        if m["literal"]:
            pieces.append((printed, None, ""))
        else:
            ref, _, fmt = (p.strip() for p in m["body"].partition("|"))
            pieces.append((printed, stats.resolve(ref), fmt))
        end = m.end()
    if end < len(text):
        pieces.append((text[end:], None, ""))
    return pieces


# Between the terms of a derived value's formula: 106 − 41, 12 + 3.
_SIGNS = {1: " + ", -1: " \u2212 "}


def derived_note(locale: Locale, label: str, value, terms: list) -> str:
    """The note under a chart or table saying how a value was worked out, in the
    language's words: *十年前为推算值：65 = 106 − 41."""
    formula = locale.number(terms[0][1].value) if terms[0][0] > 0 else (
        "\u2212" + locale.number(terms[0][1].value))
    for sign, fact in terms[1:]:
        formula += _SIGNS[sign] + locale.number(fact.value)
    return locale.text("derived_note", mark=locale.text("derived_mark"), label=label,
                       value=locale.number(value), formula=formula)


def notes_text(locale: Locale, notes: list[str]) -> str:
    """Notes as one line under a table, each a sentence."""
    end = locale.text("sentence_end")
    return locale.text("sentence_join").join(n.removesuffix(end) + end for n in notes)
