"""The cross-edition check, before publish: the text read back from each finished edition
(PDF, Word, web) carries every paragraph and every number of the render model that the
edition is meant to carry: a white paper's edition the whole text, a brief's what the
model's brief chose.

Each paragraph, heading, list item, caption, table row, note and key figure of the model
is one *item*, with the source line it came from. An item passes when its text, normalised
(editiontext.normalise: no white space, NFKC, no added hyphens or invisible characters),
stands whole in the edition's text read back and normalised the same way (in a PDF, a
paragraph's note calls may stand out of place: pdftotext misplaces superscripts; a key
figure's value and unit may stand apart in its panel). An item that
does not is one line naming the edition, the item's source line and first words, and what
differs: the number that is missing or reads otherwise, or else where the text parts from
the model's.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text
from .editiontext import edition_streams, normalise, squashed
from .model import (Box, Document, Figure, Heading, Image, KeyFigurePanel, Paragraph, Table,
                    plain)
from .textfiles import read_text_file


@dataclass(frozen=True)
class Item:
    """One thing an edition must carry: its text, where in the sources it comes from
    (``file`` relative to the publication's folder, ``line`` 0 when not known) and which
    of the edition's streams it is read from (body or notes)."""

    text: str
    line: int
    file: str = "text.md"
    stream: str = "body"
    # Where it must stand: within so many characters after this text (a key figure, in
    # its panel); ("", 0): anywhere.
    panel: tuple[str, int] = ("", 0)
    # How many times it stands there at least: a heading the contents lists stands twice.
    times: int = 1
    # A key figure's value and unit: each must stand in the panel, not the two together (a
    # unit that wraps under its value is read back after the row of values).
    parts: tuple[str, ...] = ()
    # A paragraph's note calls (their markers) and its text without them: a PDF read back
    # may give a call's superscript out of place (pdftotext reads it ahead of its line).
    marks: tuple[str, ...] = ()
    bare: str = ""

    def found_in(self, stream: str, loose_marks: bool = False) -> bool:
        """Whether the item stands in ``stream``; ``loose_marks``: its note calls may stand
        anywhere in it (a PDF's)."""
        norm = squashed(self.text)
        title, span = self.panel
        if not title:
            return (stream.count(norm) >= self.times
                    or bool(loose_marks and self.marks and self._found_marks_loose(stream)))
        needles = [squashed(p) for p in self.parts] or [norm]
        at = stream.find(title)
        while at >= 0:
            if all(n in stream[at:at + span] for n in needles):
                return True
            at = stream.find(title, at + 1)
        return False

    def _found_marks_loose(self, stream: str) -> bool:
        """The text without its note calls, with each call's marker once somewhere in it
        or at either end, never beside a digit of the text: a marker read there cannot be
        told from a changed number (1.2 read 21.2), which the check must catch."""
        bare, marks = squashed(self.bare), sorted(squashed(m) for m in self.marks)
        mark = "(" + "|".join(re.escape(m) for m in sorted(set(marks), key=len, reverse=True)) + ")?"
        pattern = []
        for i in range(len(bare) + 1):
            if not any(c.isdigit() for c in bare[max(0, i - 1):i + 1]):
                pattern.append(mark)
            pattern.append(re.escape(bare[i:i + 1]))
        for m in re.finditer("".join(pattern), stream):
            if sorted(g for g in m.groups() if g) == marks:
                return True
        return False


# A number as the text writes it (1,550.5  3518.1  4.7), and the unit written after it:
# a per cent sign, the word(s) the model binds to it with a no-break space (1.55 million
# TEU), or a Chinese unit (亿元, 万吨, 人次).
NUMBER_RE = re.compile(
    r"\d+(?:[.,]\d+)*"
    r"(?:\s?%|\u00a0[^\s\u00a0,;:()（）]+(?: [A-Z]{2,}(?![A-Za-z]))?|[万亿千百]*(?:美元|元|吨|人次|人|家|个|条|项|倍|%))?")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> list[re.Match]:
    return list(NUMBER_RE.finditer(text))


# --- what each edition must carry --------------------------------------------------------

def _key_figure_items(doc: Document, line: int, file: str) -> list[Item]:
    items = [Item(doc.strings.get("key_figures", ""), line, file)] if doc.key_figures else []
    # A value alone (5.3%) might stand anywhere in the text: a key figure's value and its
    # label are looked for in the panel, the text after its title, as long as the panel's
    # text. (Not as one: a PDF's panel reads a row of values, then a row of labels.)
    title = squashed(doc.strings.get("key_figures", ""))
    texts = [(t, parts) for k in doc.key_figures
             for t, parts in ((f"{k.number}{k.unit_separator}{k.unit}",
                               (k.number, k.unit) if k.unit else ()),
                              (f"{k.label}{k.period_note}", ()))]
    span = len(title) + sum(len(squashed(t)) for t, _ in texts)
    items += [Item(t, line, file, panel=(title, span), parts=parts) for t, parts in texts]
    return items


def _caption(block, separator: str = " ") -> str:
    return f"{block.label}{separator}{block.caption}".strip()


def _block_items(block, doc: Document, sep: str) -> list[Item]:
    """The items of one block (not of the blocks inside it: Document.walk gives those);
    ``sep`` stands between a caption's label and its text in the edition."""
    line = block.line
    if isinstance(block, Heading):
        # The contents lists it too: found once, it would be found there.
        listed = any(h.anchor == block.anchor for h in doc.contents)
        return [Item(block.text, line, times=2 if listed else 1)]
    if isinstance(block, Paragraph):
        marks = tuple(s.text for s in block.spans if s.note)
        return [Item(block.text, line, marks=marks,
                     bare="".join(s.text for s in block.spans if not s.note))]
    if isinstance(block, Box):
        return [Item(f"{block.label}{sep}{block.title}", line)]
    if isinstance(block, (Figure, Image)):
        return [Item(_caption(block, sep), line)] + ([Item(block.source, line)] if block.source else [])
    if isinstance(block, Table):
        items = [Item(_caption(block, sep), line)] if block.number else []
        # A row is read as one: its cells in order (a number in its own row and column).
        # The statistics appendix is drawn from the data by publication.yaml's setting.
        file = "publication.yaml" if block.origin == "appendix" else "text.md"
        items += [Item("".join(plain(cell) for cell in row), line, file)
                  for row in block.header + block.rows]
        return items + ([Item(block.source, line)] if block.source else [])
    if isinstance(block, KeyFigurePanel):
        return _key_figure_items(doc, line, "text.md")
    return []


def _front_matter_line(text_lines: list[str], key: str) -> int:
    for n, line in enumerate(text_lines[:60], 1):
        if line.startswith(f"{key}:"):
            return n
    return 0


def whitepaper_items(doc: Document, text_lines: list[str] = (), sep: str = " ") -> list[Item]:
    """The white paper's editions carry the whole text: the cover's title, subtitle and
    issuer, every block and every note (the contents repeats the headings: not counted)."""
    items = [Item(" ".join(doc.meta.get("title_lines") or [doc.meta.get("title", "")]),
                  _front_matter_line(text_lines, "title_lines")
                  or _front_matter_line(text_lines, "title"))]
    for key in ("subtitle", "issuer", "date"):
        if doc.meta.get(key):
            items.append(Item(str(doc.meta[key]), _front_matter_line(text_lines, key)))
    for block in doc.walk():
        items += _block_items(block, doc, sep)
    for note in doc.notes:
        items += [Item(plain(p), note.line, stream="notes") for p in note.paragraphs]
    return items


def brief_items(doc: Document, text_lines: list[str] = (), sep: str = " ") -> list[Item]:
    """A brief's editions carry what the model's brief chose: its title, the key figures,
    each chapter's heading and summary, each section's heading and points (a lead and its
    statement, read as one), and its charts' captions; each named by the line of the text
    it was drawn from."""
    brief = doc.brief
    if brief is None:
        return []
    blocks = list(doc.walk())
    heading_line = {}
    for b in blocks:
        if isinstance(b, Heading):
            heading_line.setdefault(b.text, b.line)
    lead_line = {}
    for b in blocks:
        if isinstance(b, Paragraph) and b.lead:
            lead_line.setdefault(b.lead.strip(), b.line)
    first_paragraph_line = {}
    for chapter, chapter_blocks in doc.sections(level=1):
        first = next((b for b in chapter_blocks if isinstance(b, Paragraph)), None)
        first_paragraph_line[chapter.text] = first.line if first else chapter.line
    panel = next((b for b in blocks if isinstance(b, KeyFigurePanel)), None)
    items = [Item(brief.title, 0, "publication.yaml"),
             Item(doc.meta.get("title", ""), _front_matter_line(text_lines, "title"))]
    items += _key_figure_items(doc, panel.line if panel else 0,
                               "text.md" if panel else "publication.yaml")
    for chapter in brief.chapters:
        items.append(Item(chapter.heading, heading_line.get(chapter.heading, 0)))
        if chapter.summary:
            items.append(Item(chapter.summary, first_paragraph_line.get(chapter.heading, 0)))
        figures = list(chapter.figures)
        for section in chapter.sections:
            items.append(Item(section.heading, heading_line.get(section.heading, 0)))
            items += [Item(p.lead + p.evidence, lead_line.get(p.lead, 0)) for p in section.points]
            figures += section.figures
        for fig in figures:
            items.append(Item(_caption(fig, sep), fig.line))
            if fig.source:
                items.append(Item(fig.source, fig.line))
    return items


def items_for(doc: Document, edition: Path, text_lines: list[str] = ()) -> list[Item]:
    """What ``edition`` must carry, by its file name: brief.*, brief-press.pdf the brief,
    anything else the white paper. The Word editions part a caption's label from its text
    with the locale's caption separator ("Figure 1. …"), the others with a space."""
    sep = (doc.strings.get("caption_separator", " ")
           if Path(edition).suffix.lower() == ".docx" else " ")
    if Path(edition).name.startswith("brief"):
        return brief_items(doc, text_lines, sep)
    return whitepaper_items(doc, text_lines, sep)


# --- comparing --------------------------------------------------------------------------

def _first_words(text: str) -> str:
    text = " ".join(text.split())
    if re.search(r"[\u3000-\u9fff]", text[:20]):
        short = text[:14]
    else:
        short = " ".join(text.split(" ")[:4])
    return f"“{short}…”" if len(short) < len(text) else f"“{short}”"


def _longest_prefix_found(needle: str, haystack: str) -> tuple[int, int]:
    """The length of the longest start of ``needle`` found in ``haystack``, and where it
    is found (binary search: every shorter start of a found one is found)."""
    lo, hi, at = 0, len(needle), 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        pos = haystack.find(needle[:mid])
        if pos >= 0:
            lo, at = mid, pos
        else:
            hi = mid - 1
    return lo, at


def _longest_suffix_found(needle: str, haystack: str) -> int:
    lo, hi = 0, len(needle)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if needle[len(needle) - mid:] in haystack:
            lo = mid
        else:
            hi = mid - 1
    return lo


# A paragraph whose start and end are both found for fewer characters than this is
# missing, not changed: so few characters are found anywhere.
WHOLLY_MISSING = 8


def diagnose(text: str, stream: str) -> str:
    """What differs, when ``text`` (original) does not stand whole in ``stream``
    (normalised): a number that is missing or reads otherwise, or the words after which
    the edition parts from the model."""
    norm, where = normalise(text)
    start, at = _longest_prefix_found(norm, stream)
    # The part of the model's text the edition does not have, found from both ends:
    # [start, end) of ``norm``, at least one character.
    tail = _longest_suffix_found(norm, stream)
    if max(start, tail) < min(WHOLLY_MISSING, len(norm)):
        return "it is missing (nothing like it in the edition)"
    if start < WHOLLY_MISSING:
        start = 0  # a few characters found are found by chance: the start differs
    end = max(len(norm) - tail, start + 1)
    for m in numbers(text):
        first = next((i for i, w in enumerate(where) if w >= m.start()), len(norm))
        last = next((i for i, w in enumerate(where) if w >= m.end()), len(norm))
        if first < end and start < last:  # the number lies in the part that differs
            shown = " ".join(m[0].split())
            # "here": the edition has these digits, elsewhere.
            here = " here" if squashed(_DIGITS.match(m[0])[0]) in stream else ""
            reads = (f" (the edition reads {_excerpt(stream, at, min(first, start), start)})"
                     if start else "")
            return f"the number {shown} is missing{here}{reads}"
    differs = " ".join(text[where[start]:where[min(end, len(norm)) - 1] + 1].split())
    said = differs if len(differs) <= 24 else differs[:24] + "…"
    if start:
        reads = f"the edition reads {_excerpt(stream, at, start, start)}"
    else:  # what the edition has before the model's text picks up again
        found = stream.find(norm[len(norm) - tail:])
        reads = (f"the edition reads “…{stream[max(0, found - 16):found]}” before the rest"
                 if found > 0 else "the edition has only the rest")
    return f"the text differs from the model's at “{said}” ({reads})"


def _excerpt(stream: str, at: int, offset: int, matched: int) -> str:
    """A few characters of the edition where the model's text parts from it: ``offset``
    characters on from where its first ``matched`` characters were found."""
    if not matched:
        return "nothing like it"
    shown = stream[at + offset:at + offset + 16]
    return f"“{shown}…”" if shown else "nothing more"


def check_edition(doc: Document, edition: Path, text_lines: list[str] = (),
                  source_dir: str = "") -> tuple[list[str], int, int]:
    """The problems of one edition, each one line, and how many items and numbers it was
    checked for."""
    edition = Path(edition)
    notes = {n.number: squashed(" ".join(plain(p) for p in n.paragraphs)) for n in doc.notes}
    layout = edition.with_name(edition.stem + ".layout.json")
    streams = {name: squashed(text) for name, text in
               edition_streams(edition, notes, layout if layout.exists() else None).items()}
    loose_marks = edition.suffix.lower() == ".pdf"
    problems, checked, counted = [], 0, 0
    for item in items_for(doc, edition, text_lines):
        norm = squashed(item.text)
        if not norm:
            continue
        checked += 1
        counted += len(numbers(item.text))
        if item.found_in(streams[item.stream], loose_marks):
            continue
        where = f"{source_dir}{item.file}" + (f":{item.line}" if item.line else "")
        if item.times > 1 and norm in streams[item.stream]:
            problem = "it stands only once, in the contents or the text (a heading: both)"
        elif norm in streams[item.stream]:  # a key figure, found outside its panel
            what = (f"the number {' '.join(item.text.split())}" if numbers(item.text)
                    else "it")
            problem = f"{what} is missing from the key-figure panel (the edition has it elsewhere)"
        else:
            problem = diagnose(item.text, streams[item.stream])
        problems.append(f"{edition}: {where} {_first_words(item.text)}: {problem}")
    return list(dict.fromkeys(problems)), checked, counted


def run_crosscheck(document_json: Path, editions: list[Path], report: Path,
                   sources_dir: Path | None = None) -> list[str]:
    """Check every edition against the model; write ``report`` when all pass, and return
    the problems (one line each) when any does not (``report`` is then not written)."""
    doc = Document.from_json(read_text_file(Path(document_json)))
    text_lines, source_dir = [], ""
    if sources_dir is not None:
        source_dir = f"{Path(sources_dir).as_posix()}/"
        text_path = Path(sources_dir) / "text.md"
        if text_path.exists():
            text_lines = read_text_file(text_path).splitlines()
    lines, problems = [], []
    for edition in editions:
        began = time.perf_counter()
        found, checked, counted = check_edition(doc, edition, text_lines, source_dir)
        problems += found
        lines.append(f"{edition}: {checked} paragraphs and {counted} numbers checked,"
                     f" {len(found) or 'no'} problem{'' if len(found) == 1 else 's'}"
                     f" ({time.perf_counter() - began:.2f} s)")
    if not problems:
        write_text(Path(report), "\n".join(lines) + "\n")
    return problems
