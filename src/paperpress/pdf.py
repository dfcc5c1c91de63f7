"""Render an HTML edition to PDF with WeasyPrint, reading nothing from outside.

The HTML editions are self-contained (CSS and charts inlined as data: URLs), so the only
thing the fetcher ever needs to serve is a data: URL. Anything else a template or the
content asks for (a local file, a URL on the network) stops the build, with the URL named.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .atomic import atomic_path, write_text
from .errors import SourceError


class BlockedResource(Exception):
    pass


def _make_fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data",), fail_on_errors=True)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                self.refused.append(url)
                # FatalURLFetchingError is a BaseException: it is the only way to stop
                # WeasyPrint, which otherwise logs a failed fetch and carries on.
                raise FatalURLFetchingError(f"refused to fetch {url}: editions may only use"
                                            " inlined (data:) resources")
            return super().fetch(url, headers)

    return DataOnlyFetcher, FatalURLFetchingError


def render_pdf(html_path: Path, pdf_path: Path, layout_path: Path | None = None) -> None:
    """Render ``html_path`` to ``pdf_path``; with ``layout_path``, also write what the
    preflight needs to know of the layout (which page each figure and caption is on, and
    what WeasyPrint warned about)."""
    import weasyprint

    from .typeset import install_cjk_justification

    install_cjk_justification()
    fetcher_class, fatal = _make_fetcher()
    fetcher = fetcher_class()
    html_path = Path(html_path)
    # WeasyPrint reports missing glyphs, bad CSS and failed images as log warnings only;
    # collect them so that the preflight can say what went wrong.
    warnings = _CollectWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    try:
        html = weasyprint.HTML(string=html_path.read_text(encoding="utf-8"),
                               base_url=None, url_fetcher=fetcher)
        document = html.render()
        with atomic_path(Path(pdf_path)) as tmp:
            document.write_pdf(tmp)
            if fetcher.refused:
                raise SourceError(html_path, "refused to fetch " + ", ".join(fetcher.refused))
    except fatal as exc:
        raise SourceError(html_path, f"{exc}") from None
    finally:
        logger.removeHandler(warnings)
    if layout_path is not None:
        layout = {"figures": figure_pages(document), "warnings": warnings.messages}
        write_text(Path(layout_path), json.dumps(layout, ensure_ascii=False, indent=1))


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

    def emit(self, record):
        self.messages.append(record.getMessage())
