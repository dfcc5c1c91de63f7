"""The text a reader gets from each finished edition, read back from the file itself:
the PDF through pdftotext (page by page), the Word edition from its XML, the web edition
from its HTML as a browser shows it. Used by the cross-edition check (crosscheck.py).

Each edition is read into *streams*: ``body`` (the text in reading order) and ``notes``
(the footnotes' text). A PDF page's running heads and page number are left out, and its
footnotes go to ``notes``, so that a paragraph that runs on over a page break reads as
one; the comparison itself is done on normalised text (``normalise``).
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from html import unescape
from pathlib import Path

from lxml import etree, html as lxml_html

from .pdftext import _LINE_RE, _WORD_RE, Line, Page, bbox_pages

# Hyphens a renderer adds where it breaks a word at a line's end (WeasyPrint draws U+2010;
# a soft hyphen may stay in the text): not the text's own hyphen-minus.
_ADDED_HYPHENS = {"\u2010", "\u00ad"}


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` as the check compares it, with, for each character kept, its index in
    ``text``: Unicode NFKC (ligatures, full-width digits and no-break spaces come out as
    the plain characters), no white space, no invisible format characters (word joiners,
    soft hyphens, zero-width spaces) and no hyphen a line break added."""
    out, where = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if c.isspace() or c in _ADDED_HYPHENS or unicodedata.category(c) == "Cf":
                continue
            out.append(c)
            where.append(i)
    return "".join(out), where


def squashed(text: str) -> str:
    return normalise(text)[0]


# --- PDF -------------------------------------------------------------------------------

_NOTE_START = re.compile(r"^(\d+)\.")
_BLOCK_RE = re.compile(r'<block xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">'
                       r'(.*?)</block>', re.S)


def read_blocks(pdf: Path) -> list[Page]:
    """The pages of ``pdf`` (pdftotext -bbox-layout) with pdftotext's blocks for lines:
    each a run of lines it found together (a paragraph's lines, a table cell's, a
    caption), its text their words, line after line."""
    pages = []
    for n, (width, height, body) in enumerate(bbox_pages(pdf), 1):
        blocks = tuple(
            Line(n, float(x0), float(y0), float(x1), float(y1),
                 "\n".join(" ".join(unescape(w) for w in _WORD_RE.findall(line[4]))
                           for line in _LINE_RE.findall(inner)))
            for x0, y0, x1, y1, inner in _BLOCK_RE.findall(body))
        pages.append(Page(n, float(width), float(height), blocks))
    return pages


def _margin_boxes(layout_page: dict) -> list[tuple[float, float, float, float]]:
    return [tuple(box) for name, box in layout_page.get("boxes", {}).items()
            if name.startswith("@")]


def _in_box(x: float, y: float, box) -> bool:
    return box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1


# Lines whose tops lie this close (points) stand on one row of the page: a list item's
# marker and its first line, a table row's cells, a key-figure panel's values.
SAME_ROW = 3.0


def reading_order(lines) -> list:
    """A page's lines as a reader of one text column reads them: row by row from the top,
    each row from the left. (pdftotext's own order reads a table column by column and puts
    a list item's marker after the item's first line.)"""
    rows: list[list] = []
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        if rows and line.y0 - rows[-1][0].y0 < SAME_ROW:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda l: l.x0)]


def _footnote_start(lines: list[str], notes: dict[int, str]) -> int:
    """Where a page's footnotes begin among its lines (in reading order): the first line
    that opens with a note's marker ("2.") and the first characters of that note's text;
    ``len(lines)`` when the page has none. Footnotes stand at the foot of the page, after
    its text."""
    for i, line in enumerate(lines):
        text = squashed(line)
        m = _NOTE_START.match(text)
        if m and int(m[1]) in notes:
            opening, rest = notes[int(m[1])][:12], text[m.end():]
            k = min(len(opening), len(rest))
            if k and rest[:k] == opening[:k]:
                return i
    return len(lines)


def pdf_streams(pdf: Path, layout: Path | None, notes: dict[int, str]) -> dict[str, str]:
    """The PDF's text: ``body`` without running heads and page numbers (the lines in the
    margin boxes that the layout file names for each page), ``notes`` its footnotes.
    ``notes`` maps a note's number to its normalised text (where a footnote begins)."""
    pages: list[Page] = read_blocks(pdf)
    layout_pages = json.loads(Path(layout).read_text(encoding="utf-8"))["pages"] if layout else []
    body, foot = [], []
    for n, page in enumerate(pages):
        boxes, dx, dy = [], 0.0, 0.0
        if n < len(layout_pages):
            lp = layout_pages[n]
            boxes = _margin_boxes(lp)
            # A press edition's page sits centred on a larger sheet (bleed, crop marks).
            dx, dy = (page.width - lp["width"]) / 2, (page.height - lp["height"]) / 2
        lines = [line.text for line in reading_order(page.lines)
                 if not any(_in_box((line.x0 + line.x1) / 2 - dx, (line.y0 + line.y1) / 2 - dy, b)
                            for b in boxes)]
        cut = _footnote_start(lines, notes)
        body.extend(lines[:cut])
        foot.extend(lines[cut:])
    return {"body": "\n".join(body), "notes": "\n".join(foot)}


# --- Word ------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _word_text(root, marks: dict[str, int]) -> str:
    """The text of the paragraphs under ``root``, in order: the runs' text, and at each
    footnote reference or note's own mark the number Word shows there (footnotes are
    numbered in the order the text calls them). Field codes, deleted text and tabs are
    no text."""
    parts = []
    for el in root.iter(f"{_W}t", f"{_W}footnoteReference", f"{_W}footnoteRef",
                        f"{_W}noBreakHyphen", f"{_W}p"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}footnoteReference":
            parts.append(str(marks.setdefault(el.get(f"{_W}id"), len(marks) + 1)))
        elif el.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif el.tag == f"{_W}p":
            parts.append("\n")
    return "".join(parts)


def docx_streams(docx: Path) -> dict[str, str]:
    """The Word edition's text: ``body`` from word/document.xml, ``notes`` from
    word/footnotes.xml (not its separators)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    with zipfile.ZipFile(docx) as z:
        document = etree.fromstring(z.read("word/document.xml"), parser)
        footnotes = (etree.fromstring(z.read("word/footnotes.xml"), parser)
                     if "word/footnotes.xml" in z.namelist() else None)
    marks: dict[str, int] = {}
    body = _word_text(document.find(f"{_W}body"), marks)
    notes = []
    if footnotes is not None:
        for note in footnotes.iter(f"{_W}footnote"):
            if note.get(f"{_W}type") in ("separator", "continuationSeparator",
                                          "continuationNotice"):
                continue
            notes.append(_word_text(note, {}))
    return {"body": body, "notes": "\n".join(notes)}


# --- HTML ------------------------------------------------------------------------------

# What the web edition's markup holds that a screen does not show (base.css, web.css):
# each footnote's copy inside its paragraph (the PDF's; the screen shows the notes at the
# end), the hidden digits that line a table's decimal points up, and the title the PDF's
# running head takes its text from.
HIDDEN_ON_SCREEN = ("footnote", "pad", "doc-title")


def html_streams(path: Path) -> dict[str, str]:
    """The web edition's text as a screen shows it: the body's text, without what
    ``HIDDEN_ON_SCREEN`` names, styles and scripts. Pictures (the charts, the phone's
    variants of them) and attributes (alt text, labels for screen readers) are no text.
    The notes are in the body (at its end)."""
    root = lxml_html.fromstring(Path(path).read_bytes())
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue  # a comment, or the root
        classes = (el.get("class") or "").split()
        if (el.tag in ("head", "style", "script", "template") or el.get("hidden") is not None
                or any(c in HIDDEN_ON_SCREEN for c in classes)):
            el.drop_tree()  # its tail, the text after it, stays
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    return {"body": text, "notes": text}


def edition_streams(path: Path, notes: dict[int, str], layout: Path | None = None) -> dict[str, str]:
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return pdf_streams(path, layout, notes)
    if suffix == ".docx":
        return docx_streams(path)
    if suffix in (".html", ".htm"):
        return html_streams(path)
    raise ValueError(f"{path}: not an edition the check reads (PDF, Word, HTML)")
