"""Which PDF pages changed, and where on the page.

Each page is drawn once at a low resolution (pdfium, in process: a 15-page edition in
0.2 s) and signed by its text and its pixels; a release keeps its pages' signatures
(``pages.json``), so the next publish draws only its own pages and, of the release it
compares with, only the pages that changed. Those are diffed pixel by pixel and the
changed regions boxed on the new page."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

# Low enough to keep the report light (a page about 40 KB as PNG), high enough that one
# changed digit changes a dozen pixels.
DPI = 50
# A pixel changed: its largest channel moved by more than this (0-255). Two builds draw a
# page identically; anti-aliasing of the same page never moves a pixel at all.
PIXEL_THRESHOLD = 40
# Changed pixels closer than this (in pixels) are one region.
CELL = 10
# A report shows at most this many changed pages of an edition side by side; the rest are
# named by their numbers.
MAX_SHOWN = 12


@dataclass
class PageChange:
    number: int               # 1-based, in the new edition (in the old one when removed)
    status: str               # changed, added, removed
    text_changed: bool = False
    old_png: str = ""         # data: URIs
    new_png: str = ""
    boxes: list = field(default_factory=list)


@dataclass
class EditionPages:
    name: str
    old_count: int | None
    new_count: int
    changes: list[PageChange] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)  # the new edition's, for pages.json

    @property
    def numbers(self) -> list[int]:
        return [c.number for c in self.changes]


def _render(page):
    return page.render(scale=DPI / 72).to_pil().convert("RGB")


def _signature(page, image) -> dict:
    text = page.get_textpage().get_text_range()
    return {"text": hashlib.sha256(re.sub(r"\s+", "", text).encode()).hexdigest()[:16],
            "image": hashlib.sha256(image.tobytes()).hexdigest()[:16]}


def compare_pdf(new_pdf: Path, old_pdf: Path | None, old_signatures: list[dict] | None,
                ) -> EditionPages:
    """Every page of ``new_pdf`` signed; those that differ from ``old_pdf``'s (by the
    signatures stored with it, else by drawing it too) drawn side by side and boxed."""
    import pypdfium2 as pdfium

    new_doc = pdfium.PdfDocument(str(new_pdf))
    old_doc = None
    if old_pdf is not None:
        try:
            old_doc = pdfium.PdfDocument(str(old_pdf))
        except pdfium.PdfiumError:
            old_doc = None  # damaged by hand since: its pages are not compared
    try:
        old_count = len(old_doc) if old_doc is not None else None
        if old_doc is not None and (old_signatures is None or len(old_signatures) != old_count):
            old_signatures = [_signature(old_doc[i], _render(old_doc[i]))
                              for i in range(old_count)]
        result = EditionPages(Path(new_pdf).name, old_count, len(new_doc))
        for i in range(len(new_doc)):
            page = new_doc[i]
            image = _render(page)
            signature = _signature(page, image)
            result.signatures.append(signature)
            if old_doc is None:
                continue
            if i >= old_count:
                result.changes.append(PageChange(i + 1, "added", True,
                                                 new_png=_png(_framed(image))))
            elif old_signatures[i] != signature:
                old_image = _render(old_doc[i])
                boxes = changed_boxes(old_image, image)
                result.changes.append(PageChange(
                    i + 1, "changed", old_signatures[i]["text"] != signature["text"],
                    old_png=_png(old_image), new_png=_png(mark(image, boxes)), boxes=boxes))
        for i in range(len(new_doc), old_count or 0):
            result.changes.append(PageChange(i + 1, "removed", True,
                                             old_png=_png(_render(old_doc[i]))))
        for change in result.changes[MAX_SHOWN:]:
            change.old_png = change.new_png = ""  # named, not shown
        return result
    finally:
        new_doc.close()
        if old_doc is not None:
            old_doc.close()


def changed_boxes(old, new) -> list[tuple[int, int, int, int]]:
    """The regions where two page images differ, as (left, top, right, bottom) boxes:
    changed pixels grouped on a grid of CELL pixels, touching cells merged."""
    import numpy as np

    if old.size != new.size:
        return [(0, 0, new.size[0] - 1, new.size[1] - 1)]
    a = np.asarray(old, dtype=np.int16)
    b = np.asarray(new, dtype=np.int16)
    changed = (np.abs(a - b).max(axis=2) > PIXEL_THRESHOLD)
    h, w = changed.shape
    rows, cols = -(-h // CELL), -(-w // CELL)
    padded = np.zeros((rows * CELL, cols * CELL), dtype=bool)
    padded[:h, :w] = changed
    cells = padded.reshape(rows, CELL, cols, CELL).any(axis=(1, 3))
    seen = np.zeros_like(cells)
    boxes = []
    for r, c in zip(*np.nonzero(cells)):
        if seen[r, c]:
            continue
        stack, top, left, bottom, right = [(r, c)], r, c, r, c
        seen[r, c] = True
        while stack:  # the cells touching this one, diagonals too
            y, x = stack.pop()
            top, left, bottom, right = min(top, y), min(left, x), max(bottom, y), max(right, x)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < rows and 0 <= xx < cols and cells[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
        boxes.append((int(left * CELL), int(top * CELL), int(min(w, (right + 1) * CELL) - 1),
                      int(min(h, (bottom + 1) * CELL) - 1)))
    return boxes


def mark(image, boxes):
    """The page with each changed region outlined in red."""
    from PIL import ImageDraw

    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    for left, top, right, bottom in boxes:
        draw.rectangle((max(0, left - 2), max(0, top - 2), right + 2, bottom + 2),
                       outline=(220, 0, 0), width=2)
    return marked


def _framed(image):
    return mark(image, [(2, 2, image.size[0] - 3, image.size[1] - 3)])


def _png(image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # fast: 0.17 -> 0.11 s for the white paper
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def page_count(path: Path) -> int | None:
    """Pages of a PDF edition; of a Word edition, those its properties give (app.xml's
    <Pages>: of the layout its contents were numbered from; Word lays the pages out again
    with the reader's own fonts); None for an edition without fixed pages (web) or a
    Word edition that gives none (one without a contents, or published before)."""
    if Path(path).suffix == ".docx":
        return word_page_count(path)
    if Path(path).suffix != ".pdf":
        return None
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def word_page_count(path: Path) -> int | None:
    """<Pages> of a Word file's docProps/app.xml, None when it has none."""
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(path) as package:
            root = etree.fromstring(package.read("docProps/app.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    pages = root.findtext("{http://schemas.openxmlformats.org/officeDocument/2006/"
                          "extended-properties}Pages")
    return int(pages) if pages and pages.strip().isdigit() else None
