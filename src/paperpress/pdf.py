"""Render an HTML edition to PDF with WeasyPrint, reading nothing from outside.

The HTML editions are self-contained (CSS and charts inlined as data: URLs), so the only
things the fetcher ever serves are data: URLs and the press edition's output profile, which
the renderer itself hands in under a name of its own. Anything else a template or the
content asks for (a local file, a URL on the network) stops the build, with the URL named.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_path, write_text
from .cmyk import drawing_in_cmyk, house_recipes, pictures_in_cmyk, style_sheets_of
from .errors import SourceError
from .pagination import paginate
from .pdftext import PAGE_AREA
from .stylesheets import read_stylesheet
from .typeset import install_cjk_justification, text_boxes
from .weasy import (carry_footnotes_after_a_carried_one, import_weasyprint,
                    use_default_compression_level)


def _make_fetcher():
    import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    from weasyprint.urls import URLFetcherResponse

    class DataOnlyFetcher(URLFetcher):
        """Serves data: URLs, and the few files the renderer itself hands in by name
        (``served``: URL -> bytes), nothing else."""

        def __init__(self, served: dict[str, bytes] | None = None):
            super().__init__(allowed_protocols=("data",), fail_on_errors=True)
            self.refused: list[str] = []
            self.served = dict(served or {})

        def fetch(self, url, headers=None):
            if url in self.served:
                return URLFetcherResponse(url, self.served[url])
            if not url.startswith("data:"):
                self.refused.append(url)
                # FatalURLFetchingError is a BaseException: it is the only way to stop
                # WeasyPrint, which otherwise logs a failed fetch and carries on.
                raise FatalURLFetchingError(f"refused to fetch {url}: editions may only use"
                                            " inlined (data:) resources")
            return super().fetch(url, headers)

    return DataOnlyFetcher, FatalURLFetchingError


@dataclass(frozen=True)
class PdfEdition:
    """How one PDF edition is made from the HTML: its PDF variant, whether it is tagged,
    extra stylesheets (the press edition's bleed and marks), and a CMYK output profile."""

    variant: str | None = None
    tagged: bool = False
    stylesheets: tuple[Path, ...] = ()
    output_profile: Path | None = None
    crop_marks: bool = False
    output_condition: str | None = None


def _edition_css(edition: PdfEdition, extra_css: list[str], fetcher,
                 color_profiles: dict) -> list:
    weasyprint = import_weasyprint()
    sheets = [weasyprint.CSS(string=css, url_fetcher=fetcher, color_profiles=color_profiles)
              for css in extra_css]
    if edition.output_profile is not None:
        # The fetcher serves the profile under this name (not as a data: URL: tinycss2
        # tokenizes and re-serializes a 250 KB url() character by character, 0.13 s).
        sheets.append(weasyprint.CSS(
            string=f"@color-profile device-cmyk {{ src: url({OUTPUT_PROFILE_URL});"
                   " components: c, m, y, k }", url_fetcher=fetcher,
            color_profiles=color_profiles))
    return sheets


OUTPUT_PROFILE_URL = "paperpress:output-profile.icc"


def _served_files(edition: PdfEdition) -> dict[str, bytes]:
    """What the renderer itself hands WeasyPrint by name: the print run's profile."""
    if edition.output_profile is None:
        return {}
    from .publication import check_cmyk_profile

    check_cmyk_profile(Path(edition.output_profile), Path(edition.output_profile))
    return {OUTPUT_PROFILE_URL: Path(edition.output_profile).read_bytes()}


def _recipes(html: str, edition: PdfEdition, extra_css: list[str]) -> dict:
    """For a print edition: the house colours' CMYK recipes, pairing the :root colours of
    the edition's own stylesheets with those of its extra (press) stylesheets."""
    if edition.output_profile is None:
        return {}
    return house_recipes(style_sheets_of(html), "\n".join(extra_css))


def _finish_for_press(path: Path, edition: PdfEdition) -> None:
    """Crop marks outside the bleed, black overprinting, the output condition named
    (pressmarks.py): what WeasyPrint does not do for a print edition."""
    if edition.crop_marks or edition.output_profile is not None:
        from .pressmarks import finish_press_pdf

        finish_press_pdf(path, crop_marks=edition.crop_marks,
                         overprint_black=edition.output_profile is not None,
                         output_condition=edition.output_condition)


def _options(edition: PdfEdition) -> dict:
    options = {"pdf_variant": edition.variant, "pdf_tags": edition.tagged}
    if edition.output_profile is not None:
        options["output_intent"] = "device-cmyk"
    return options


def render_pdf(html_path: Path, pdf_path: Path, layout_path: Path | None = None,
               edition: PdfEdition = PdfEdition()) -> None:
    """Render ``html_path`` to ``pdf_path``; with ``layout_path``, also write what the
    preflight needs to know of the layout (which page each figure and caption is on, and
    what WeasyPrint warned about)."""
    weasyprint = import_weasyprint()

    install_cjk_justification()
    use_default_compression_level()
    carry_footnotes_after_a_carried_one()
    fetcher_class, fatal = _make_fetcher()
    fetcher = fetcher_class(_served_files(edition))
    html_path = Path(html_path)
    # WeasyPrint reports missing glyphs, bad CSS and failed images as log warnings only;
    # collect them so that the preflight can say what went wrong.
    warnings = _CollectWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    try:
        source = html_path.read_text(encoding="utf-8")
        extra_css = [read_stylesheet(Path(path)) for path in edition.stylesheets]
        pictures = source
        if edition.output_profile is not None:
            pictures = pictures_in_cmyk(source, Path(edition.output_profile))
        # The variant and output intent are known before layout: WeasyPrint fixes the
        # output intent when it renders, not when it writes.
        profiles: dict = {}
        sheets = _edition_css(edition, extra_css, fetcher, profiles)

        def lay_out(text: str):
            html = weasyprint.HTML(string=text, base_url=None, url_fetcher=fetcher)
            return html.render(stylesheets=sheets, color_profiles=profiles,
                               **_options(edition))

        # Laid out again only when a figure left a page empty (pagination.py).
        document, moved = paginate(pictures, lay_out)
        with atomic_path(Path(pdf_path)) as tmp:
            with drawing_in_cmyk(edition.output_profile,
                                 _recipes(source, edition, extra_css)):
                document.write_pdf(tmp, **_options(edition))
            if edition.tagged:  # running heads as artifacts, header scopes, PDF/UA id
                from .accessibility import finish_tagged_pdf
                finish_tagged_pdf(tmp)
            if fetcher.refused:
                raise SourceError(html_path, "refused to fetch " + ", ".join(fetcher.refused))
            if warnings.errors:
                # A resource WeasyPrint could not load or draw would be missing from the
                # page without a word: an edition with a hole in it is not published.
                raise SourceError(html_path, "could not be rendered completely: "
                                             + "; ".join(warnings.errors))
            _finish_for_press(tmp, edition)
    except fatal as exc:
        raise SourceError(html_path, f"{exc}") from None
    finally:
        logger.removeHandler(warnings)
    if layout_path is not None:
        layout = {"figures": figure_pages(document), "page_ends": page_ends(document),
                  "pages": page_lines(document), "warnings": warnings.messages,
                  "pagination": moved}
        write_text(Path(layout_path), json.dumps(layout, ensure_ascii=False, indent=1))


PT_PER_PX = 0.75


def page_lines(document) -> list[dict]:
    """Every line WeasyPrint drew, page by page, and the boxes they must keep inside: in
    points from the top left of the trimmed page (bleed lies at negative coordinates and
    past ``width``/``height``), running heads and page numbers included.

    Each page has ``boxes``: ``page-area``, the content box of the page area (the page
    less its margins, borders and padding: the text column), and each margin box that
    holds text, by its at-keyword (``@top-left``). Each line is ``[x0, y0, x1, y1, text,
    box]``: where its glyphs start and end across (the trailing letter spacing that
    follows its last glyph left out), the top and bottom of its line box, what it says,
    and the name of the box it lies in. The preflight checks lines from here: poppler,
    reading them back out of the PDF, takes 0.6 s a white paper (it reloads each CJK font
    on every page)."""
    from weasyprint.formatting_structure import boxes

    def lines(box):
        if isinstance(box, boxes.LineBox):
            parts = [t for t in text_boxes(box) if t.text]
            if parts:
                yield [_pt(min(t.position_x for t in parts)), _pt(box.position_y),
                       _pt(max(t.position_x + t.width - _letter_spacing(t) for t in parts)),
                       _pt(box.position_y + box.height), "".join(t.text for t in parts)]
            return
        for child in getattr(box, "children", None) or []:
            yield from lines(child)

    pages = []
    for page in document.pages:
        page_box = page._page_box
        found = {PAGE_AREA: _content_box(page_box)}
        page_lines = []
        for child in page_box.children:
            name = child.at_keyword if isinstance(child, boxes.MarginBox) else PAGE_AREA
            in_child = [line + [name] for line in lines(child)]
            if in_child:
                found.setdefault(name, _content_box(child))
                page_lines += in_child
        pages.append({"width": _pt(page.width), "height": _pt(page.height),
                      "boxes": found, "lines": page_lines})
    return pages


def _pt(px: float) -> float:
    return round(px * PT_PER_PX, 2)


def _content_box(box) -> list[float]:
    x, y = box.content_box_x(), box.content_box_y()
    return [_pt(x), _pt(y), _pt(x + box.width), _pt(y + box.height)]


def _letter_spacing(text_box) -> float:
    """The spacing WeasyPrint adds after a text box's last character: past the ink."""
    spacing = text_box.style["letter_spacing"]
    return 0 if spacing == "normal" else spacing


_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "li", "aside", "table"}


def page_ends(document) -> list[dict]:
    """For each page, the last block laid out on it (tag and text): a heading there is a
    heading left alone at the bottom of the page."""
    ends = []

    def walk(box, found):
        tag = getattr(box, "element_tag", None)
        if tag in _BLOCK_TAGS and box.is_in_normal_flow():
            found[0] = box
            if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li"):
                return  # its lines are not blocks of their own
        for child in getattr(box, "children", None) or []:
            walk(child, found)

    for number, page in enumerate(document.pages, 1):
        found = [None]
        walk(page._page_box, found)
        if found[0] is not None:
            ends.append({"page": number, "tag": found[0].element_tag,
                         "text": _box_text(found[0])[:40]})
    return ends


def _box_text(box) -> str:
    text = getattr(box, "text", None)
    if text is not None:
        return text
    return "".join(_box_text(c) for c in getattr(box, "children", None) or [])


def figure_pages(document) -> dict[str, dict[str, list[int]]]:
    """For each <figure id=…>: the pages (1-based) its image and its caption are drawn on."""
    found: dict[str, dict[str, set[int]]] = {}

    def walk(box, page, figure_id):
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", None)
        if tag == "figure" and element is not None and element.get("id"):
            figure_id = element.get("id")
        if figure_id and tag in ("img", "figcaption"):
            part = "caption" if tag == "figcaption" else "image"
            found.setdefault(figure_id, {"image": set(), "caption": set()})[part].add(page)
        for child in getattr(box, "children", None) or []:
            walk(child, page, figure_id)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, number, None)
    return {fid: {k: sorted(v) for k, v in parts.items()} for fid, parts in found.items()}


class _CollectWarnings(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

        self.errors: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        self.messages.append(message)
        # A url() WeasyPrint could not resolve is only a warning, and the resource is left
        # out of the page: a hole in the edition, as a failed load is.
        if record.levelno >= logging.ERROR or RELATIVE_URL_WARNING in message:
            self.errors.append(message)


RELATIVE_URL_WARNING = "Relative URI reference without a base URI"
