"""The brief: a few pages for a busy reader, chosen from the white paper's own model.

Nothing in it is typed by hand: the key figures come from the data, the charts are the
white paper's (renumbered in the brief's order), each chapter opens with its first
sentences, and each section's points are the lead sentences its paragraphs open with, each
with the statement that follows it. The reader calls ``make_brief`` once; the writers print
what it chose, every point in the same form: the lead, then the statement.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .errors import SourceError
from .locale import Locale
from .model import (INLINE_REFERENCE, Brief, BriefChapter, BriefPoint, BriefSection, Document, Figure, Heading,
                    ListBlock, Paragraph, walk)
from .textfiles import line_of


def is_cjk_boundary(text: str) -> bool:
    """Whether ``text`` ends in a CJK character: a line break there is no space."""
    return bool(text) and ord(text[-1]) > 0x2E80


# A sentence closes with 。！？ (and any closing quotes or brackets after it) or with . ! ?
# before a space: a decimal point is no stop.
_SENTENCE_RE = re.compile(r"^.+?(?:[。！？][”’）」』》]*|[.!?][\"”’)]?(?=\s|$))", re.S)
# Widths are measured in Chinese characters (a Latin letter is half of one).
# A point is its lead and the statement after it: the first sentence that follows the lead,
# ended early at a clause when it is wider than this (see ``shortened``), or the sentence
# and the list it introduces, when the whole fits in the wider width: the brief keeps to
# four pages or so, and each point to two or three lines.
STATEMENT_MAX_WIDTH = 50
LIST_STATEMENT_MAX_WIDTH = 85
# A chapter's summary is its opening sentences, as many as fit in this width (and always
# the first): a busy reader's paragraph, not the chapter dumped whole. A chapter with
# sections is summarised by their points, and its summary only opens it: one sentence. A
# chapter without (a preface, a foreword) has no points: its summary says it, in up to two.
SUMMARY_MAX_WIDTH = 140
SUMMARY_MAX_SENTENCES = 2
# A sentence ending in a colon introduces what follows it: it says nothing on its own.
_INTRODUCES = ("：", ":")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_CLAUSE_END = "；;，,、"
_OPENING_MARKS, _CLOSING_MARKS = "“‘（《「『〈【", "”’）》」』〉】"


def quotable(sentence: str) -> str:
    """The sentence, or nothing when it names a figure or table by number in its course."""
    return "" if INLINE_REFERENCE in sentence else sentence


def first_sentence(text: str) -> str:
    m = _SENTENCE_RE.match(text.strip())
    return m[0] if m else text.strip()


def sentences(text: str) -> list[str]:
    """The text's sentences in order, each with its closing punctuation and no space."""
    out, rest = [], text.strip()
    while rest:
        sentence = first_sentence(rest)
        out.append(sentence.strip())
        rest = rest[len(sentence):].strip()
    return out


def _width(text: str) -> float:
    return sum(1 if ord(c) > 0x2E80 else 0.5 for c in text)


def joined(texts: list[str]) -> str:
    """Sentences as one run of text: a space between Latin-script ones, none after CJK."""
    out = ""
    for text in texts:
        if out and not is_cjk_boundary(out) and not out[-1].isspace():
            out += " "
        out += text
    return out


def summary(text: str, limit: float = SUMMARY_MAX_WIDTH,
            most: int = SUMMARY_MAX_SENTENCES) -> str:
    """The text's opening sentences, at most ``most`` and as many as fit in ``limit`` (the
    first always), up to the first that names a figure by number or introduces what
    follows it."""
    taken: list[str] = []
    for sentence in sentences(text):
        if not quotable(sentence) or sentence.endswith(_INTRODUCES):
            break
        if taken and (len(taken) == most or _width(joined(taken + [sentence])) > limit):
            break
        taken.append(sentence)
    return joined(taken)


def _item_text(item: list) -> str:
    """A list item's own text (its first paragraph), as a brief quotes it."""
    return next((b.plain_text.strip() for b in item if isinstance(b, Paragraph)), "")


def _closed(text: str, like: str = "") -> str:
    """Text that ends a sentence early (opening clauses, a run of list items whose last
    ends in ';') closed as a sentence: with the stop ``like`` ends in, else with the stop
    of its script."""
    text = text.rstrip().rstrip(_CLAUSE_END)
    if text and text.rstrip(_CLOSING_MARKS + "\"'")[-1:] not in tuple("。！？.!?"):
        stop = like.rstrip(_CLOSING_MARKS + "\"')")[-1:]
        if stop not in ("。", "."):
            stop = "。" if _CJK.search(text) else "."
        text += stop
    return text


def statement(rest: str, following) -> str:
    """What a lead's point says after the lead: the first sentence after it that quotes as
    it stands. A sentence that introduces a list (…as follows:) brings the list with it
    when the whole fits; else it closes with a stop, as the sentence it is."""
    for sentence in sentences(rest):
        if not quotable(sentence):
            continue
        if sentence.endswith(_INTRODUCES):
            if isinstance(following, ListBlock) and sentence == sentences(rest)[-1]:
                items = [_item_text(i) for i in following.items]
                whole = _closed(joined([sentence] + items), like=items[-1])
                if all(items) and INLINE_REFERENCE not in whole \
                        and _width(whole) <= LIST_STATEMENT_MAX_WIDTH:
                    return whole
            stem = sentence[:-1].rstrip()
            # "其中：" (of which:) alone says nothing; a clause that names what it lists does.
            return _closed(stem, like=stem) if _width(stem) >= 8 else ""
        return shortened(sentence)
    return ""


# Where a long sentence may end early: after a clause that stands as a sentence. Chinese
# runs clauses on with commas, each with its own verb; an English comma may part a list or
# a phrase, so only its semicolons are such places.
_CJK_CLAUSE_ENDS, _LATIN_CLAUSE_ENDS = "，；", ";"
SHORTEST_CLAUSE_WIDTH = 16
SHORTEST_LAST_CLAUSE_WIDTH = 7


def shortened(sentence: str, limit: float = STATEMENT_MAX_WIDTH) -> str:
    """The sentence, or when it is wider than ``limit`` its opening clauses up to the last
    clause end within it, closed as a sentence (nothing inside brackets or quotes is cut)."""
    if _width(sentence) <= limit:
        return sentence
    depth, cut, clause_start = 0, None, 0
    for n, c in enumerate(sentence):
        depth += (c in _OPENING_MARKS) - (c in _CLOSING_MARKS)
        if _width(sentence[:n]) > limit:
            break
        ends = _CJK_CLAUSE_ENDS if ord(c) > 0x2E80 else _LATIN_CLAUSE_ENDS
        if depth == 0 and c in ends:
            # A short last clause (结合特色优势) leans on what follows it, unless it
            # carries a figure (同比增加10.1%).
            clause = sentence[clause_start:n]
            if (_width(sentence[:n]) >= SHORTEST_CLAUSE_WIDTH
                    and (_width(clause) >= SHORTEST_LAST_CLAUSE_WIDTH
                         or re.search(r"\d", clause))):
                cut = n
            clause_start = n + 1
    if cut is None:
        return sentence
    return _closed(sentence[:cut], like=sentence)


def _points(blocks) -> list[BriefPoint]:
    """Each lead sentence of the section's paragraphs with the statement that follows it.
    A lead with nothing after it to quote is no point: the brief leaves it out."""
    points = []
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    for n, p in enumerate(blocks):
        if not isinstance(p, Paragraph) or not p.lead:
            continue
        if INLINE_REFERENCE in p.lead:
            continue  # names a figure by its number in the paper, not in the brief
        said = statement(p.rest, blocks[n + 1] if n + 1 < len(blocks) else None)
        if said:
            points.append(_point(p.lead.strip(), said))
    if not points and paragraphs:
        # No bold leads: the first paragraph's first sentence leads, the next one states.
        opening = sentences(paragraphs[0].plain_text)
        if len(opening) > 1 and quotable(opening[0]) and quotable(opening[1]):
            points.append(_point(opening[0], shortened(opening[1])))
    return points


def _point(lead: str, said: str) -> BriefPoint:
    separator = "" if is_cjk_boundary(lead) else " "
    return BriefPoint(lead=lead, evidence=separator + said)


def make_brief(doc: Document, settings: dict, locale: Locale, config_path: Path) -> Brief:
    """The brief: each chapter's opening sentences, each section's lead sentences with
    the statement after each, and the charts the settings name, wherever the text places
    them, renumbered in the brief."""
    wanted = list(settings.get("charts") or [])
    placed = {f.chart for f in doc.figures}
    for n, chart in enumerate(wanted):
        if chart not in placed:
            raise SourceError(config_path, f"brief chart '{chart}' is not placed in the text"
                                           f" ({', '.join(sorted(placed)) or 'no charts'})",
                              line=line_of(settings.get("charts"), n))
    brief = Brief(title=str(settings.get("title") or locale.text("brief_title")))
    number = 0

    def renumbered(fig: Figure) -> Figure:
        nonlocal number
        number += 1
        return replace(fig, number=number, label=locale.text("figure", number=number),
                       anchor=f"fig-{number}")

    for chapter, blocks in doc.sections(level=1):
        if not any(isinstance(b, (Paragraph, Heading)) for b in blocks):
            continue  # the statistics appendix: nothing to summarise
        intro = []
        for b in blocks:
            if isinstance(b, Heading):
                break
            intro.append(b)
        summary_paras = [b for b in intro if isinstance(b, Paragraph)]
        sections = _subsections(blocks)
        summary_text = summary(summary_paras[0].plain_text,
                               most=1 if sections else SUMMARY_MAX_SENTENCES) if summary_paras else ""
        item = BriefChapter(heading=chapter.text, summary=summary_text,
                            figures=[renumbered(f) for f in walk(intro)
                                     if isinstance(f, Figure) and f.chart in wanted])
        for heading, sub_blocks in sections:
            figures = [renumbered(f) for f in walk(sub_blocks)
                       if isinstance(f, Figure) and f.chart in wanted]
            item.sections.append(BriefSection(heading=heading.text, points=_points(sub_blocks),
                                              figures=figures))
        brief.chapters.append(item)
    return brief


def _subsections(blocks) -> list[tuple[Heading, list]]:
    """The ## sections of a chapter, each with its blocks (### and below included)."""
    out: list[tuple[Heading, list]] = []
    for b in blocks:
        if isinstance(b, Heading) and b.level == 2:
            out.append((b, []))
        elif out:
            out[-1][1].append(b)
    return out
