"""The brief: a few pages for a busy reader, chosen from the white paper's own model.

Nothing in it is typed by hand: the key figures come from the data, the charts are the
white paper's (renumbered in the brief's order), and each section's points are the lead
sentences its paragraphs open with. The reader calls ``make_brief`` once; the writers print
what it chose.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .errors import SourceError
from .locale import Locale
from .model import (INLINE_REFERENCE, Brief, BriefChapter, BriefPoint, BriefSection, Document, Figure, Heading,
                    Paragraph, walk)
from .textfiles import line_of


def is_cjk_boundary(text: str) -> bool:
    """Whether ``text`` ends in a CJK character: a line break there is no space."""
    return bool(text) and ord(text[-1]) > 0x2E80


_SENTENCE_RE = re.compile(r"^.+?(?:[。！？](?=[^”’）」』]|$)|[.!?][\"”’)]?(?=\s|$))", re.S)
# A point quotes the sentence after its lead only when that sentence is short and has a
# number in it: that is the evidence a busy reader wants, and it keeps the brief to 2-4
# pages. Measured in the width of a Chinese character (a Latin letter is half of one).
EVIDENCE_MAX_WIDTH = 90


def quotable(sentence: str) -> str:
    """The sentence, or nothing when it names a figure or table by number in its course."""
    return "" if INLINE_REFERENCE in sentence else sentence


def first_sentence(text: str) -> str:
    m = _SENTENCE_RE.match(text.strip())
    return m[0] if m else text.strip()


def _width(text: str) -> float:
    return sum(1 if ord(c) > 0x2E80 else 0.5 for c in text)


def _points(blocks) -> list[BriefPoint]:
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    points = []
    for p in paragraphs:
        if not p.lead:
            continue
        if INLINE_REFERENCE in p.lead:
            continue  # names a figure by its number in the paper, not in the brief
        rest = p.rest
        evidence = first_sentence(rest) if rest else ""
        if (not re.search(r"\d", evidence) or _width(evidence) > EVIDENCE_MAX_WIDTH
                or INLINE_REFERENCE in evidence):
            evidence = ""
        separator = " " if evidence and not is_cjk_boundary(p.lead) else ""
        points.append(BriefPoint(lead=p.lead.strip(), evidence=separator + evidence))
    if not points and paragraphs:
        if lead := quotable(first_sentence(paragraphs[0].plain_text)):
            points.append(BriefPoint(lead=lead))
    return points


def make_brief(doc: Document, settings: dict, locale: Locale, config_path: Path) -> Brief:
    """The brief: each chapter's first sentence, each section's lead sentences, and the
    charts the settings name, wherever the text places them, renumbered in the brief."""
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
        summary = quotable(first_sentence(summary_paras[0].plain_text)) if summary_paras else ""
        item = BriefChapter(heading=chapter.text, summary=summary,
                            figures=[renumbered(f) for f in walk(intro)
                                     if isinstance(f, Figure) and f.chart in wanted])
        for heading, sub_blocks in _subsections(blocks):
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
