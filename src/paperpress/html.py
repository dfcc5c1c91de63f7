"""The HTML writer: the document model through a jinja2 template into one self-contained
file (CSS and charts inlined), which is both the web edition and the PDF's source."""

from __future__ import annotations

import base64
from pathlib import Path

from .atomic import write_text
from .brief import make_brief
from .document import Document, Figure, Heading
from .errors import SourceError
from .stylesheets import read_stylesheet
from .textfiles import read_text_file
from .templating import render_template


def svg_data_uri(path: Path) -> str:
    data = Path(path).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def _figure_images(figures: list[Figure], figures_dir: Path) -> dict[str, str]:
    images = {}
    for fig in figures:
        svg = Path(figures_dir) / f"{fig.chart}.svg"
        if not svg.exists():
            raise SourceError(svg, f"chart for figure {fig.number} has not been drawn")
        images[fig.chart] = svg_data_uri(svg)
    return images


def _stylesheets(template_dir: Path, names: list[str]) -> str:
    return "\n".join(read_stylesheet(Path(template_dir) / n) for n in names)


def render_whitepaper_html(document_json: Path, figures_dir: Path, template_dir: Path,
                           out: Path) -> None:
    doc = Document.from_json(read_text_file(Path(document_json)))
    toc = [b for b in doc.blocks if isinstance(b, Heading) and b.level <= 2]
    html = render_template(template_dir, "whitepaper.html.j2", {
        "meta": doc.meta,
        "blocks": doc.blocks,
        "key_figures": doc.key_figures,
        "toc": toc,
        "images": _figure_images(doc.figures, figures_dir),
        "css": _stylesheets(template_dir, ["base.css", "whitepaper.css"]),
    })
    write_text(out, html)


def render_brief_html(document_json: Path, figures_dir: Path, template_dir: Path,
                      out: Path) -> None:
    brief = make_brief(Document.from_json(read_text_file(Path(document_json))))
    html = render_template(template_dir, "brief.html.j2", {
        "meta": brief.meta,
        "brief": brief,
        "images": _figure_images(brief.charts, figures_dir),
        "css": _stylesheets(template_dir, ["base.css", "brief.css"]),
    })
    write_text(out, html)
