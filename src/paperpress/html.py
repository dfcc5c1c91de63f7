"""The HTML writer: the render model through a jinja2 template into one self-contained
file (CSS, charts and pictures inlined), which is both the web edition and the PDF's source.

It decides nothing: the template maps each block kind of the model to markup, and a kind it
has no markup for stops the build."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from lxml import etree

from . import cjkpunct
from .atomic import write_text
from .errors import SourceError
from .images import IMAGE_TYPES
from .model import Document, Figure, Image, UnknownBlock
from .stylesheets import read_stylesheet
from .textfiles import read_text_file
from .templating import render_template


def data_uri(path: Path, media_type: str) -> str:
    data = Path(path).read_bytes()
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


# Where the web edition finds a chart's narrow variant, and the key it has in ``images``.
PHONE_FOLDER = "phone"


def _images(charts: list[Figure], pictures: list[Image], figures_dir: Path,
            sources_dir: Path | None, phone: bool = False) -> dict[str, str]:
    """Every picture the edition shows, as a data: URL, by chart id or image path; with
    ``phone``, each chart's narrow variant too, by "phone/<chart id>"."""
    images = {}
    for fig in charts:
        for key in [fig.chart] + ([f"{PHONE_FOLDER}/{fig.chart}"] if phone else []):
            svg = Path(figures_dir) / f"{key}.svg"
            if not svg.exists():
                raise SourceError(svg, f"chart for {fig.label or fig.chart} has not been"
                                       " drawn")
            images[key] = data_uri(svg, "image/svg+xml")
    for image in pictures:
        if sources_dir is None:
            raise SourceError(image.src, "the edition places pictures, and no publication"
                                         " folder was given to find them in")
        path = Path(sources_dir) / image.src
        images[image.src] = data_uri(path, IMAGE_TYPES[path.suffix.lower()])
    return images


_LENGTH = re.compile(r"^\s*([\d.]+)\s*(pt|px|mm|in)?\s*$")
_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)")
_POINTS = {"pt": 1, "px": 0.75, "mm": 72 / 25.4, "in": 72, None: 0.75}


def chart_geometry(svg: Path) -> dict[str, float]:
    """A drawn chart's printed width and its smallest text, in points, from its SVG: the
    brief sizes each chart so that its smallest text keeps the size the template asks."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(svg), parser).getroot()
    width = _LENGTH.match(root.get("width") or "")
    box = (root.get("viewBox") or "").split()
    if not width or len(box) != 4:
        raise SourceError(svg, "chart has no width and viewBox to size it by")
    points = float(width[1]) * _POINTS[width[2]]
    per_unit = points / float(box[2])
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    sizes = [float(m) for el in elements for m in _FONT_SIZE.findall(el.get("style") or "")]
    sizes += [float(m[1]) for el in elements if (m := _LENGTH.match(el.get("font-size") or ""))]
    if not sizes:
        raise SourceError(svg, "chart has no text to size it by (svg.fonttype must be none)")
    return {"width": points, "smallest_text": min(sizes) * per_unit}


def _stylesheets(template_dir: Path, names: list[str]) -> str:
    return "\n".join(read_stylesheet(Path(template_dir) / n) for n in names)


def _unknown_block(kind: str):
    raise UnknownBlock(kind, "the HTML template")


def typesetting_filters(lang: str) -> dict:
    """The templates' filters that set the model's text for the document's language:
    ``cjk`` (a text: punctuation compressed, 间隔号 full width), ``cjk_keep`` (a label: the
    same, its end kept on one line) and ``cjk_spans`` (a paragraph's or cell's spans: the
    same across spans, see cjkpunct.SetSpan). Text in other languages is only escaped."""
    return {"cjk": lambda text: cjkpunct.markup(str(text), lang),
            "cjk_keep": lambda text: cjkpunct.keep_end(str(text), lang),
            "cjk_spans": lambda spans: cjkpunct.set_spans(spans, lang)}


def render_whitepaper_html(document_json: Path, figures_dir: Path, template_dir: Path,
                           out: Path, sources_dir: Path | None = None) -> None:
    doc = Document.from_json(read_text_file(Path(document_json)))
    html = render_template(template_dir, "whitepaper.html.j2", {
        "doc": doc,
        # The white paper's HTML is also the web edition: its charts have a phone variant.
        "images": _images(doc.figures, doc.images, figures_dir, sources_dir, phone=True),
        "css": _stylesheets(template_dir, ["base.css", "whitepaper.css", "web.css"]),
        "unknown_block": _unknown_block,
    }, filters=typesetting_filters(doc.meta.get("lang", "")))
    write_text(out, html)


def render_brief_html(document_json: Path, figures_dir: Path, template_dir: Path,
                      out: Path, sources_dir: Path | None = None) -> None:
    doc = Document.from_json(read_text_file(Path(document_json)))
    if doc.brief is None:
        raise SourceError(Path(document_json), "the publication has no brief (no 'brief:' in"
                                               " its publication.yaml)")
    html = render_template(template_dir, "brief.html.j2", {
        "doc": doc,
        "brief": doc.brief,
        # The brief shows the paper's charts, not its pictures.
        "images": _images(doc.brief.charts, [], figures_dir, sources_dir),
        "charts": {f.chart: chart_geometry(Path(figures_dir) / f"{f.chart}.svg")
                   for f in doc.brief.charts},
        "css": _stylesheets(template_dir, ["base.css", "brief.css"]),
        "unknown_block": _unknown_block,
    }, filters=typesetting_filters(doc.meta.get("lang", "")))
    write_text(out, html)
