"""Chinese and Japanese micro-typography the writers apply to the model's text before
layout (W3C clreq, GB/T 15834).

- Punctuation compression (标点挤压). A full-width mark is drawn in half of its em box and
  leaves the other half blank; two marks side by side would leave a full em of blank
  between them. The marks that lose their blank half are told here and set with the
  font's OpenType ``halt`` feature (Noto CJK has it; it has no ``chws``): a closing mark
  followed by another closing mark or by an opening one (「），」「》《」「、“」「。”」), and an
  opening mark that follows another opening one (「（《」).
- 间隔号: U+00B7 between Chinese characters is full width and centred (``fwid``).
- Keeping a paragraph's end together: the last characters of a Chinese paragraph, cell or
  label are bound into one unbreakable group, so that no line of one or two characters
  ends it (「源头活｜水”。」); a short bracketed group at the end is kept whole (「（美元）」).

Only text whose language is Chinese or Japanese is touched: 「”“‘’」 are the same code
points as Latin quotes, full width only in Chinese or Japanese text. The HTML writer marks
the marks up (classes styled in the templates' CSS). The Word editions are left to Word's
own line breaking: the only means there, U+2060 WORD JOINER between characters, stays in
the text a reader copies or searches ("源头活水" no longer found), a worse fault than a
short last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from markupsafe import Markup, escape

CLOSING = frozenset("，。、；：！？）》」』”’〉】〕〗］｝")
OPENING = frozenset("（《「『“‘〈【〔〖［｛")
MIDDLE_DOT = "\u00b7"

# The classes the HTML writer gives; the templates' CSS sets their features.
HALT_CLASS = "cjk-halt"
FULL_WIDTH_CLASS = "cjk-fwid"
KEEP_CLASS = "cjk-keep"

# How many characters end a paragraph's last line at least (punctuation not counted; a
# Latin word or number counts as one), and the longest bracketed group kept whole.
TAIL_CHARACTERS = 3
KEEP_GROUP = 12

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                     r"\U00020000-\U0003ffff]")
_LATIN_RE = re.compile(r"[0-9A-Za-z\u00c0-\u024f.,%+\-−/]")


def is_cjk_language(lang: str | None) -> bool:
    return (lang or "").lower().startswith(("zh", "ja"))


def is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_RE.match(ch) is not None


def halved(text: str, before: str = "", after: str = "") -> list[bool]:
    """For each character of ``text``: whether it is a mark that loses its blank half.
    ``before`` and ``after`` are the characters around ``text`` (in the spans next to it)."""
    out = []
    for i, ch in enumerate(text):
        previous = text[i - 1] if i else before[-1:]
        following = text[i + 1] if i + 1 < len(text) else after[:1]
        if ch in CLOSING:
            out.append(following in CLOSING or following in OPENING)
        elif ch in OPENING:
            out.append(previous in OPENING)
        else:
            out.append(False)
    return out


def _full_width_dot(text: str, i: int, before: str, after: str) -> bool:
    previous = text[i - 1] if i else before[-1:]
    following = text[i + 1] if i + 1 < len(text) else after[:1]
    return any(is_cjk(c) or c in CLOSING or c in OPENING for c in (previous, following))


def markup(text: str, lang: str | None, before: str = "", after: str = "") -> Markup:
    """``text`` as HTML: escaped, and in Chinese or Japanese text the marks that lose
    their blank half, and the 间隔号, in spans of their classes."""
    if not is_cjk_language(lang) or not text:
        return escape(text)
    halves = halved(text, before, after)
    parts: list[str] = []
    run: list[str] = []
    for i, ch in enumerate(text):
        if halves[i]:
            run.append(ch)
            continue
        if run:
            parts.append(f'<span class="{HALT_CLASS}">{escape("".join(run))}</span>')
            run = []
        if ch == MIDDLE_DOT and _full_width_dot(text, i, before, after):
            parts.append(f'<span class="{FULL_WIDTH_CLASS}">{ch}</span>')
        else:
            parts.append(str(escape(ch)))
    if run:
        parts.append(f'<span class="{HALT_CLASS}">{escape("".join(run))}</span>')
    return Markup("".join(parts))


def tail_start(text: str) -> int | None:
    """Where the group that ends a Chinese paragraph starts in ``text``: its last
    ``TAIL_CHARACTERS`` characters with the punctuation around them, a Latin word or
    number whole, a short bracketed group whole; None when the text has no Chinese end
    to keep (it ends in Latin text after a space, or has no Chinese at all)."""
    end = len(text.rstrip())
    i = end
    counted = 0
    seen_cjk = False
    while i > 0 and counted < TAIL_CHARACTERS:
        ch = text[i - 1]
        if ch.isspace():
            break
        if ch in CLOSING or ch in OPENING or ch == MIDDLE_DOT:
            i -= 1
            continue
        if _LATIN_RE.match(ch):
            while i > 0 and _LATIN_RE.match(text[i - 1]):
                i -= 1
            counted += 1
            continue
        seen_cjk = seen_cjk or is_cjk(ch)
        counted += 1
        i -= 1
    if not seen_cjk:
        return None
    # Opening marks just before the group go with it (none may end a line).
    while i > 0 and text[i - 1] in OPENING:
        i -= 1
    # A bracketed group the group starts inside is kept whole, when it is short.
    opened = _open_bracket_before(text, i)
    if opened is not None and end - opened <= KEEP_GROUP:
        i = opened
        while i > 0 and text[i - 1] in OPENING:
            i -= 1
    return i if i < end else None


_PAIRS = {"）": "（", "》": "《", "」": "「", "』": "『", "”": "“", "’": "‘", "〉": "〈",
          "】": "【", "〕": "〔", "〗": "〖", "］": "［", "｝": "｛"}


def _open_bracket_before(text: str, i: int) -> int | None:
    """The index of the opening mark whose group is still open at ``i``, if any."""
    depth = 0
    for j in range(i - 1, -1, -1):
        ch = text[j]
        if ch in _PAIRS:
            depth += 1
        elif ch in OPENING:
            if depth == 0:
                return j
            depth -= 1
    return None


@dataclass(frozen=True)
class SetSpan:
    """A span of the model as the HTML writer sets it: the span's own fields, its text as
    markup (``html``), and whether the unbreakable end group opens before it
    (``keep_open``) or closes after it (``keep_close``)."""

    text: str
    html: Markup
    strong: bool = False
    em: bool = False
    ref: str = ""
    href: str = ""
    note: int = 0
    aside: bool = False
    keep_open: bool = False
    keep_close: bool = False


_SPAN_FIELDS = ("text", "strong", "em", "ref", "href", "note", "aside")


def _split_for_tail(spans: list, lang: str | None) -> tuple[list, int | None]:
    """The spans with the one the end group starts inside cut in two (a link or
    cross-reference is not cut: the group starts before it, or, when it is long, after
    it); and the index of the first span of the group, or None."""
    if not is_cjk_language(lang):
        return list(spans), None
    texts = [("" if s.note else s.text) for s in spans]
    flat = "".join(texts)
    start = tail_start(flat)
    if start is None:
        return list(spans), None
    out, first, offset = [], None, 0
    for span, text in zip(spans, texts):
        if first is None and offset + len(text) > start:
            cut = start - offset
            if cut <= 0:
                first = len(out)
            elif span.ref or span.href:
                if len(text) <= KEEP_GROUP:
                    first = len(out)
                else:
                    out.append(span)
                    first = len(out)
                    offset += len(text)
                    continue
            else:
                out.append(replace(span, text=text[:cut]))
                span = replace(span, text=text[cut:])
                first = len(out)
        out.append(span)
        offset += len(text)
    if first is None or first >= len(out):
        return out, None
    return out, first


def set_spans(spans: list, lang: str | None, keep_end: bool = True) -> list[SetSpan]:
    """The spans of a paragraph, cell or note as the HTML writer sets them (see
    ``SetSpan``): punctuation compressed across span boundaries, and (``keep_end``) the
    end group marked, in Chinese or Japanese text."""
    spans, first = _split_for_tail(spans, lang) if keep_end else (list(spans), None)
    texts = [("" if s.note else s.text) for s in spans]
    out = []
    for n, span in enumerate(spans):
        before = "".join(texts[:n])[-1:]
        after = "".join(texts[n + 1:])[:1]
        values = {name: getattr(span, name) for name in _SPAN_FIELDS}
        out.append(SetSpan(html=markup(span.text, lang, before, after)
                           if not span.note else escape(span.text),
                           keep_open=first is not None and n == first,
                           keep_close=first is not None and n == len(spans) - 1,
                           **values))
    return out


def keep_end(text: str, lang: str | None) -> Markup:
    """A label or short text as HTML: compressed, its end group in a keep span."""
    start = tail_start(text) if is_cjk_language(lang) else None
    if start is None:
        return markup(text, lang)
    head, tail = text[:start], text[start:]
    return Markup(markup(head, lang, after=tail[:1])
                  + Markup(f'<span class="{KEEP_CLASS}">')
                  + markup(tail, lang, before=head[-1:]) + Markup("</span>"))


