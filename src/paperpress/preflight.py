"""Preflight: read a finished PDF as a print shop would and fail it on faults a reader sees.

Fonts, glyphs, images, empty pages and the outline are read from the PDF itself; the lines
of text, and where figures, captions and headings fell, come from the layout file the
renderer writes beside it (pdftotext gives the same lines but takes 0.6 s a white paper; it
is used when there is no layout file).

Checks: fonts embedded; no character drawn without a glyph; raster images at 300 dpi or more
at their printed size (each named by its file and label, from the document model); nothing past the page, its text column (the page less its margins)
or, for running heads and page numbers, their margin box; no closing punctuation at a
line start and no opening punctuation at a line end; no empty page; no figure split from its
caption; no heading left alone at the bottom of a page; table-of-contents page numbers that
match the headings; beside a CMYK output intent (the press edition), nothing drawn in device
RGB, which PDF/X-4 does not allow there; a tagged PDF (the screen editions) passing the
machine-checkable part of PDF/UA-1 (the pdfua package: structure tree, language, title,
alternative text of figures, table headers, link descriptions …; 0.05–0.3 s).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text
from .errors import SourceError
from .pdftext import PAGE_AREA, Line, Page, read_pages

CLOSING = "，。、；：？！”’）》」』】〕…·"
OPENING = "“‘（《「『【〔"
MIN_DPI = 300
# How far (pt) a line may pass the box it lies in before it is an overflow (a list's
# outside bullet hangs 0.6 pt left of the column).
OVERFLOW_TOLERANCE = 1.5


@dataclass(frozen=True)
class Finding:
    check: str
    page: int | None
    message: str

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        return f"{self.check}: {where}{self.message}"


CHECKS = ("fonts", "glyphs", "images", "colour", "overflow", "punctuation", "empty-pages",
          "figures", "headings", "contents", "accessibility")


def preflight(pdf: Path, layout: dict | None = None,
              document: dict | None = None) -> tuple[list[Finding], dict]:
    """All findings for ``pdf``, and a few facts for the report (pages, fonts, images).

    ``document`` is the document model the PDF was made from (its JSON): with it, a
    raster image is named by its file and label, not by its size alone."""
    from pypdf import PdfReader

    pdf = Path(pdf)
    reader = PdfReader(pdf)
    pages = _layout_pages(layout) if layout and "pages" in layout else read_pages(pdf)
    findings: list[Finding] = []
    fonts = list(_fonts(reader))
    findings += [Finding("fonts", page, f"font {name} is not embedded")
                 for name, program, _, page in fonts if program is None]
    findings += _missing_glyphs(fonts, pages)
    images = _images(pdf) if _has_raster_images(reader) else []
    figures, model_images = (layout or {}).get("figures", {}), _model_images(document)
    findings += _low_resolution(images, pages, figures, model_images)
    if _output_intent_components(reader) == 4:
        findings += _device_rgb(reader, figures, model_images)
    findings += _overflow(pages)
    findings += _punctuation(pages)
    findings += _empty_pages(pages, reader)
    findings += _split_figures((layout or {}).get("figures", {}))
    findings += _lone_headings((layout or {}).get("page_ends", []), len(pages))
    findings += _contents(reader, pages)
    if "/StructTreeRoot" in reader.trailer["/Root"]:
        findings += _accessibility(pdf)
    facts = {"pages": len(pages), "fonts": len(fonts), "images": len(images)}
    return findings, facts


def _accessibility(pdf: Path) -> list[Finding]:
    from .accessibility import pdfua_findings

    return [Finding("accessibility", page, message) for page, message in pdfua_findings(pdf)]


def _layout_pages(layout: dict) -> list[Page]:
    """The lines the renderer drew and the boxes they lie in (see pdf.page_lines)."""
    return [Page(n, page["width"], page["height"],
                 tuple(Line(n, *line) for line in page["lines"]),
                 _boxes(page))
            for n, page in enumerate(layout["pages"], 1)]


def _boxes(page: dict) -> dict | None:
    if "boxes" not in page:  # a layout file written before pages had their geometry
        return None
    return {name: tuple(box) for name, box in page["boxes"].items()}


def _fonts(reader):
    """(name, embedded font program bytes or None, ToUnicode map {code: text}, first page
    using it) per font."""
    seen = set()
    for number, page in enumerate(reader.pages, 1):
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "?")).lstrip("/")
            if name in seen:
                continue
            seen.add(name)
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            program = None
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    program = descriptor[key].get_object().get_data()
            to_unicode = {}
            if "/ToUnicode" in font:
                to_unicode = _parse_to_unicode(font["/ToUnicode"].get_object().get_data())
            yield name, program, to_unicode, number


def _parse_to_unicode(data: bytes) -> dict[int, str]:
    text = data.decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>",
                                      block):
            start = int(uni, 16)
            for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + n)
    return mapping


def _missing_glyphs(fonts, pages: list[Page]) -> list[Finding]:
    """A glyph id the embedded font does not have is drawn as an empty box (.notdef):
    WeasyPrint gives characters no font could draw ids past the font's last glyph. Each is
    named with the first line that has it."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    findings = []
    for name, program, to_unicode, first_page in fonts:
        if program is None or not to_unicode:
            continue
        try:
            # maxp, not the glyph order: the CFF's charset of ~60,000 retained ids costs
            # 0.05 s a font to read.
            count = TTFont(io.BytesIO(program))["maxp"].numGlyphs
        except Exception:  # a bare CFF program (FontFile3 /CIDFontType0C)
            try:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(program), None)
                count = len(cff[cff.fontNames[0]].charset)
            except Exception:
                continue
        missing = sorted({text for code, text in to_unicode.items() if code >= count})
        for text in missing:
            codes = " ".join(f"U+{ord(c):04X}" for c in text)
            line = next((line for page in pages for line in page.lines if text in line.text),
                        None)
            where = f", in '{_quote(line.text)}'" if line is not None else ""
            findings.append(Finding("glyphs", line.page if line is not None else first_page,
                                    f"'{text}' ({codes}) has no glyph in {name}: it prints as"
                                    f" an empty box{where}"))
    return findings


def _output_intent_components(reader) -> int | None:
    """Colour components of the PDF's output intent profile (4: a CMYK print run)."""
    for intent in reader.trailer["/Root"].get("/OutputIntents") or []:
        profile = intent.get_object().get("/DestOutputProfile")
        if profile is not None:
            return int(profile.get_object().get("/N", 0))
    return None


# A colour set in device RGB: a number and rg/RG (the last of its three operands), or the
# DeviceRGB space selected. (Matching all three numbers backtracks: 0.18 s a white paper.)
_RGB_OPERATOR = re.compile(rb"\d\s+(?:rg|RG)\b|/DeviceRGB\s+(?:cs|CS)\b")


def _device_rgb(reader, figures: dict | None = None,
                model_images: list[dict] | None = None) -> list[Finding]:
    """Pages that draw in device RGB (their content, and the forms and images it draws),
    which a PDF/X-4 with a CMYK output intent may not (cmyk.py converts while drawing). An
    image is named as the low-resolution check names it."""
    findings = []
    for number, page in enumerate(reader.pages, 1):
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        uses = len(_RGB_OPERATOR.findall(data))
        images = []
        for xobject in _drawn_xobjects(page.get("/Resources"), data, set()):
            if xobject.get("/Subtype") == "/Image":
                if xobject.get("/ColorSpace") == "/DeviceRGB":
                    images.append(_image_name(
                        PlacedImage(number, int(xobject.get("/Width", 0)),
                                    int(xobject.get("/Height", 0)), 0, 0),
                        figures or {}, model_images or [])
                        + f" of {xobject.get('/Width')}×{xobject.get('/Height')} px")
            elif xobject.get("/Subtype") == "/Form":
                uses += len(_RGB_OPERATOR.findall(xobject.get_data() or b""))
        drawn = ([f"{uses} colour(s)"] if uses else []) + images
        if drawn:
            findings.append(Finding("colour", number, f"{', '.join(drawn)} set in device RGB"
                                    " beside a CMYK output intent: a PDF/X-4 check refuses"
                                    " them"))
    return findings


# An XObject drawn: its name, then Do.
_DRAW_RE = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def _drawn_xobjects(resources, content: bytes, seen: set):
    """The XObjects ``content`` draws (by name, from ``resources``), and those the forms
    among them draw, once each. Only these count for a page: WeasyPrint gives every page
    one shared resource dictionary, which names what all the pages draw."""
    available = (resources or {}).get("/XObject") or {}
    for name in dict.fromkeys(_DRAW_RE.findall(content)):
        ref = available.get("/" + name.decode("latin-1"))
        if ref is None:
            continue
        key = getattr(ref, "idnum", id(ref))
        if key in seen:
            continue
        seen.add(key)
        xobject = ref.get_object()
        yield xobject
        if xobject.get("/Subtype") == "/Form":
            yield from _drawn_xobjects(xobject.get("/Resources") or resources,
                                       xobject.get_data() or b"", seen)


def _xobjects(resources, seen: set):
    """Each XObject ``resources`` name, and those of the forms among them, once each."""
    for ref in ((resources or {}).get("/XObject") or {}).values():
        key = getattr(ref, "idnum", id(ref))
        if key in seen:
            continue
        seen.add(key)
        xobject = ref.get_object()
        yield xobject
        if xobject.get("/Subtype") == "/Form":
            yield from _xobjects(xobject.get("/Resources"), seen)


def _has_raster_images(reader) -> bool:
    """Whether any page (or form it draws) holds an image; pdfimages costs ~0.6 s."""
    seen: set = set()
    return any(xobject.get("/Subtype") == "/Image" for page in reader.pages
               for xobject in _xobjects(page.get("/Resources"), seen))


@dataclass(frozen=True)
class PlacedImage:
    """A raster image as drawn on a page: its pixels, and the resolution they print at."""

    page: int
    width: int   # px
    height: int  # px
    x_dpi: int
    y_dpi: int

    @property
    def dpi(self) -> int:
        return min(self.x_dpi, self.y_dpi)

    @property
    def printed_width(self) -> float:
        """Its width on the page, in pt."""
        return self.width / self.x_dpi * 72 if self.x_dpi else 0.0


def _images(pdf: Path) -> list[PlacedImage]:
    """Each raster image drawn (a soft mask, its transparency, is not one), from
    pdfimages -list: page, type, pixel size, … x-ppi, y-ppi."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    images = []
    for row in listing:
        cols = row.split()
        if len(cols) < 14 or cols[2] == "smask":
            continue
        images.append(PlacedImage(page=int(cols[0]), width=int(cols[3]), height=int(cols[4]),
                                  x_dpi=int(cols[12]), y_dpi=int(cols[13])))
    return images


def _model_images(document: dict | None) -> list[dict]:
    """The image blocks of a document model (JSON), wherever they stand (in lists, boxes)."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("kind") == "image":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk((document or {}).get("blocks", []))
    return found


def _low_resolution(images: list[PlacedImage], pages: list[Page], figures: dict,
                    model_images: list[dict]) -> list[Finding]:
    """An image printed under MIN_DPI, named by its file and label where the model knows
    it, with what would bring it to MIN_DPI: the pixels it needs at this size, and the
    width (a share of the text column, as the text's width="…%" gives it) at which the
    pixels it has suffice."""
    findings = []
    for image in images:
        if image.dpi >= MIN_DPI:
            continue
        name = _image_name(image, figures, model_images)
        advice = [f"use a larger image (at least"
                  f" {-(-image.width * MIN_DPI // image.dpi)} px wide)"]
        column = _column_width(pages, image.page)
        if column:
            share = int(image.printed_width * image.dpi / MIN_DPI / column * 100)
            if share >= 1:
                advice.append(f'print it smaller (width="{share}%" or less)')
        findings.append(Finding("images", image.page,
                                f"{name} of {image.width}×{image.height} px is printed at"
                                f" {image.dpi} dpi (needs {MIN_DPI}): {' or '.join(advice)}"))
    return findings


def _image_name(image: PlacedImage, figures: dict, model_images: list[dict]) -> str:
    """'image images/harbour.jpg (Figure 3)' where the model places an image of these
    pixels (on this page, if several), else 'an image'."""
    def on_page(block):
        return image.page in figures.get(block.get("anchor"), {}).get("image", [])

    sized = [b for b in model_images
             if {(b.get("pixel_width"), b.get("pixel_height")),
                 (b.get("pixel_height"), b.get("pixel_width"))} & {(image.width, image.height)}]
    candidates = ([b for b in sized if on_page(b)] or sized
                  or [b for b in model_images if on_page(b)
                      and not str(b.get("src", "")).lower().endswith(".svg")])
    if not candidates:
        return "an image"
    block = candidates[0]
    label = f" ({block['label']})" if block.get("label") else ""
    return f"image {block.get('src', '?')}{label}"


def _column_width(pages: list[Page], number: int) -> float | None:
    """The width (pt) of the text column of page ``number``, where the layout gives it."""
    if not 1 <= number <= len(pages) or pages[number - 1].boxes is None:
        return None
    box = pages[number - 1].boxes.get(PAGE_AREA)
    return (box[2] - box[0]) if box else None


def _overflow(pages: list[Page]) -> list[Finding]:
    """Lines off the page, and lines past the box they lie in: the text column (the page
    area's content box) for the text, their own margin box for running heads and page
    numbers. Without a layout file (pdftotext) a page's boxes are unknown, and the column
    is guessed from the lines themselves (``_most_common_column``)."""
    guessed = _most_common_column(pages) if any(p.boxes is None for p in pages) else None
    findings = []
    for page in pages:
        for line in page.lines:
            if line.x0 < 0 or line.y0 < 0 or line.x1 > page.width or line.y1 > page.height:
                findings.append(Finding("overflow", page.number,
                                        f"'{_quote(line.text)}' runs off the page"))
                continue
            if page.boxes is not None and line.box in page.boxes:
                box = page.boxes[line.box]
                where = "the text column" if line.box == PAGE_AREA else f"its margin box {line.box}"
            elif guessed is not None:
                box, where = (guessed[0], line.y0, guessed[1], line.y1), "the text column"
            else:
                continue
            side, past = _past(line, box)
            if past > OVERFLOW_TOLERANCE:
                axis = 0 if side in ("left", "right") else 1
                findings.append(Finding(
                    "overflow", page.number,
                    f"'{_quote(line.text)}' runs out of {where}: {past:.1f} pt past its {side}"
                    f" edge (line {_span(line, axis)}, box {box[axis]:.0f}–{box[axis + 2]:.0f} pt"
                    f" {'across' if axis == 0 else 'down'})"))
    return findings


def _past(line: Line, box: tuple[float, float, float, float]) -> tuple[str, float]:
    """The side of ``box`` that ``line`` passes furthest, and by how much (pt)."""
    x0, y0, x1, y1 = box
    return max((("left", x0 - line.x0), ("right", line.x1 - x1),
                ("top", y0 - line.y0), ("bottom", line.y1 - y1)), key=lambda side: side[1])


def _span(line: Line, axis: int) -> str:
    return f"{line.x0:.0f}–{line.x1:.0f}" if axis == 0 else f"{line.y0:.0f}–{line.y1:.0f}"


def _most_common_column(pages: list[Page]) -> tuple[float, float] | None:
    """The fallback for lines read by pdftotext, which knows no page geometry: the most
    common left and right line edges of the whole PDF taken for the column. It holds for
    a long text of justified lines, and misfires on a short one (a brief of few, mostly
    short lines), which is why the build always checks against the layout file's boxes."""
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return None
    lefts = Counter(round(line.x0) for line in lines)
    rights = Counter(round(line.x1) for line in lines)
    return lefts.most_common(1)[0][0], rights.most_common(1)[0][0]


def _punctuation(pages: list[Page]) -> list[Finding]:
    findings = []
    for page in pages:
        for line in page.lines:
            text = line.text.strip()
            if not text:
                continue
            if text[0] in CLOSING:
                findings.append(Finding("punctuation", page.number,
                                        f"line starts with '{text[0]}': '{_quote(text)}'"))
            if text[-1] in OPENING:
                findings.append(Finding("punctuation", page.number,
                                        f"line ends with '{text[-1]}': '{_quote(text)}'"))
    return findings


# Operators that put marks on a page: fill, stroke, shading, images and forms, text.
_PAINT_RE = re.compile(rb"(?<![A-Za-z*])(f\*?|F|S|s|B\*?|b\*?|sh|Do|Tj|TJ|'|\")(?![A-Za-z*])")


def _empty_pages(pages: list[Page], reader) -> list[Finding]:
    findings = []
    for page, pdf_page in zip(pages, reader.pages):
        if page.lines:
            continue
        contents = pdf_page.get_contents()
        data = contents.get_data() if contents is not None else b""
        if not _PAINT_RE.search(data):
            findings.append(Finding("empty-pages", page.number, "the page is empty"))
    return findings


def _split_figures(figures: dict) -> list[Finding]:
    findings = []
    for fid, parts in sorted(figures.items()):
        image, caption = parts.get("image", []), parts.get("caption", [])
        if len(image) > 1 or len(caption) > 1 or (image and caption and image != caption):
            findings.append(Finding("figures", (image or caption or [None])[0],
                                    f"{fid}: image on page {','.join(map(str, image))},"
                                    f" caption on page {','.join(map(str, caption))}"))
    return findings


def _lone_headings(page_ends: list[dict], page_count: int) -> list[Finding]:
    return [Finding("headings", end["page"], f"heading '{end['text']}' is left alone at the"
                                             " bottom of the page")
            for end in page_ends
            if re.fullmatch(r"h[1-6]", end["tag"]) and end["page"] < page_count]


def _outline(reader) -> list[tuple[str, int]]:
    entries = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                entries.append((str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return entries


_TOC_LINE_RE = re.compile(r"^(?P<title>.*?)[\s.·…]*(?P<page>\d+)$")


def _contents(reader, pages: list[Page]) -> list[Finding]:
    """Every outline entry listed on a contents page must show the page it opens on."""
    outline = _outline(reader)
    if not outline:
        return []
    titles = {_squash(title) for title, _ in outline}
    listed: list[tuple[str, int, int]] = []  # (title, page shown, contents page), in order
    for page in pages:
        if page.number >= outline[0][1]:
            break  # contents pages come before the first heading
        pending = ""  # an entry's start, where pdftotext broke it over two lines
        for line in page.lines:
            text = line.text.strip()
            for candidate in (pending + text, text):
                m = _TOC_LINE_RE.match(candidate)
                key = _squash(m["title"]).rstrip("·.") if m else None
                if key in titles:
                    listed.append((key, int(m["page"]), page.number))
                    break
            pending = "" if _TOC_LINE_RE.match(text) else pending + text
    # Each contents entry pairs, in order, with a heading of its title: the one on the page
    # it shows if there is one (a deeper heading of the same title, which the contents does
    # not list, may come first), else the next one. So two chapters that both have a
    # section called 小结 are each checked against their own page.
    findings, cursor = [], 0
    for key, shown, on_page in listed:
        candidates = [n for n in range(cursor, len(outline)) if _squash(outline[n][0]) == key]
        if not candidates:
            continue
        match = next((n for n in candidates if outline[n][1] == shown), candidates[0])
        cursor = match + 1
        title, actual = outline[match]
        if shown != actual:
            findings.append(Finding("contents", on_page,
                                    f"'{title}' is listed at page {shown} but starts on"
                                    f" page {actual}"))
    return findings


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quote(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def report(pdf: Path, findings: list[Finding], facts: dict) -> str:
    failed = {f.check for f in findings}
    lines = [f"Preflight of {Path(pdf).name}: {facts['pages']} pages, {facts['fonts']} fonts,"
             f" {facts['images']} raster images",
             "result: " + ("FAILED" if findings else "passed")]
    for check in CHECKS:
        lines.append(f"  {'FAIL' if check in failed else 'ok  '}  {check}")
    lines += [f"  - {f}" for f in findings]
    return "\n".join(lines) + "\n"


def run_preflight(pdf: Path, layout_path: Path | None, report_path: Path,
                  document_path: Path | None = None) -> None:
    """Write the report beside the PDF; stop the build when anything failed."""
    layout = json.loads(Path(layout_path).read_text(encoding="utf-8")) if layout_path else None
    document = (json.loads(Path(document_path).read_text(encoding="utf-8"))
                if document_path else None)
    findings, facts = preflight(pdf, layout, document)
    text = report(pdf, findings, facts)
    if findings:
        raise SourceError(pdf, "failed preflight:\n" + text)
    write_text(Path(report_path), text)
