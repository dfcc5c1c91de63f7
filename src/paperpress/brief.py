"""The brief: a few pages for a busy reader, written from the white paper's own model.

Nothing in it is typed by hand: the key figures come from the data, the charts are the
white paper's, and each section's points are the lead sentences its paragraphs open with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document, Figure, Heading, KeyFigure, Paragraph

_SENTENCE_RE = re.compile(r"^.+?[。！？](?=[^”’）」』]|$)")


@dataclass
class Point:
    lead: str
    evidence: str = ""  # the sentence after the lead, when it carries the numbers


@dataclass
class BriefSection:
    heading: str
    points: list[Point]
    figures: list[Figure] = field(default_factory=list)

    @property
    def compact(self) -> bool:
        """Points with no numbers read best as one run of headlines, not a list."""
        return not any(p.evidence for p in self.points)


@dataclass
class BriefChapter:
    heading: str
    summary: str
    sections: list[BriefSection] = field(default_factory=list)


@dataclass
class Brief:
    meta: dict
    title: str
    key_figures: list[KeyFigure]
    charts: list[Figure]
    chapters: list[BriefChapter]


def first_sentence(text: str) -> str:
    m = _SENTENCE_RE.match(text)
    return m[0] if m else text


# A point quotes the sentence after its lead only when that sentence is short and has a
# number in it: that is the evidence a busy reader wants, and it keeps the brief to 2-4 pages.
EVIDENCE_MAX_CHARS = 90


def _points(blocks) -> list[Point]:
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    points = []
    for p in paragraphs:
        if not p.lead:
            continue
        rest = p.plain_text[len(p.lead):]
        evidence = first_sentence(rest)
        if not re.search(r"\d", evidence) or len(evidence) > EVIDENCE_MAX_CHARS:
            evidence = ""
        points.append(Point(lead=p.lead, evidence=evidence))
    if not points and paragraphs:
        points.append(Point(lead=first_sentence(paragraphs[0].plain_text)))
    return points


def make_brief(doc: Document) -> Brief:
    charts = [doc.figure(c) for c in doc.brief.get("charts", [])]
    wanted = {f.chart for f in charts}
    chapters = []
    for chapter, blocks in doc.sections(level=1):
        if not any(isinstance(b, (Paragraph, Heading)) for b in blocks):
            continue  # the statistics appendix: nothing to summarise
        intro = []
        for b in blocks:
            if isinstance(b, Heading):
                break
            intro.append(b)
        summary_paras = [b for b in intro if isinstance(b, Paragraph)]
        summary = first_sentence(summary_paras[0].plain_text) if summary_paras else ""
        item = BriefChapter(heading=chapter.text, summary=summary)
        sub = [(h, bs) for h, bs in _subsections(blocks)]
        for heading, sub_blocks in sub:
            figures = [b for b in sub_blocks if isinstance(b, Figure) and b.chart in wanted]
            item.sections.append(BriefSection(heading=heading.text, points=_points(sub_blocks),
                                              figures=figures))
        chapters.append(item)
    return Brief(meta=doc.meta, title=doc.brief.get("title", "要点"),
                 key_figures=doc.key_figures, charts=charts, chapters=chapters)


def _subsections(blocks) -> list[tuple[Heading, list]]:
    out: list[tuple[Heading, list]] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append((b, []))
        elif out:
            out[-1][1].append(b)
    return out
