"""What a reader sees on the pages of a PDF: its text lines with their positions (poppler's
pdftotext -bbox-layout). Used by the preflight and the tests alike."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_LINE_RE = re.compile(r'<line xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">'
                      r'(.*?)</line>', re.S)
_WORD_RE = re.compile(r"<word [^>]*>([^<]*)</word>")


# The name the layout file gives the page area's content box, the text column.
PAGE_AREA = "page-area"


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    # The box the line lies in and must keep inside (the layout file's name for it: the
    # page area or a margin box); pdftotext does not know it.
    box: str | None = None


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    # Name -> (x0, y0, x1, y1) of the boxes the lines lie in, from the layout file.
    boxes: dict[str, tuple[float, float, float, float]] | None = None


def bbox_pages(pdf: Path) -> list[tuple[str, str, str]]:
    """(width, height, XHTML body) of each page, as pdftotext -bbox-layout writes them."""
    result = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                            text=True, check=True)
    return _PAGE_RE.findall(result.stdout)


def read_pages(pdf: Path) -> list[Page]:
    pages = []
    for n, (width, height, body) in enumerate(bbox_pages(pdf), 1):
        lines = tuple(
            Line(n, float(x0), float(y0), float(x1), float(y1),
                 unescape("".join(_WORD_RE.findall(inner))))
            for x0, y0, x1, y1, inner in _LINE_RE.findall(body))
        pages.append(Page(n, float(width), float(height), lines))
    return pages
