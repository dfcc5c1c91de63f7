"""An SVG picture of the text, as the PNG the Word editions embed: 300 dpi at its own size.

The PDF and web editions draw the SVG itself; Word files carry a PNG (LibreOffice and older
Word show no SVG, and Word wants a PNG beside one anyway). The picture's own size is its
``width`` and ``height`` (CSS units: 96 px to the inch), or its viewBox in px; it is drawn
at 300 dpi of that, the resolution print needs. Like the PDF renderer, it fetches nothing:
an SVG that refers to another file or an address is refused, never drawn with a hole.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from .atomic import atomic_path
from .errors import SourceError

IMAGE_DPI = 300
CSS_PX_PER_INCH = 96
# An SVG is a drawing of a few hundred kilobytes at most; one far larger is a mistake.
MAX_SVG_BYTES = 5 * 1024 * 1024
# Pixels of the PNG: an A3 page at 300 dpi is 17.4 million; four bytes each are held twice
# while the PNG is written.
MAX_PIXELS = 25_000_000


def rasterise_svg(svg_path: Path, png_path: Path) -> None:
    """Draw ``svg_path`` into ``png_path`` at 300 dpi of its own size."""
    from cairosvg.helpers import node_format
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface
    from defusedxml import DefusedXmlException
    from PIL import Image

    svg_path = Path(svg_path)
    size = svg_path.stat().st_size
    if size > MAX_SVG_BYTES:
        raise SourceError(svg_path, f"is {size / 1048576:.1f} MB, more than the"
                                    f" {MAX_SVG_BYTES // 1048576} MB an SVG picture may have")

    def fetch(url, resource_type):
        # cairosvg asks for whatever the SVG refers to: only what it holds itself is drawn.
        if url.startswith("data:"):
            from cairosvg.url import fetch as fetch_data

            return fetch_data(url, resource_type)
        raise SourceError(svg_path, f"refers to {url}: a picture may show only what it holds"
                                    " itself (embed a picture in it as a data: URL, or save"
                                    " the whole as one PNG)")

    try:
        tree = Tree(bytestring=svg_path.read_bytes(), url_fetcher=fetch, unsafe=False)
        width, height, _ = node_format(_MEASURE, tree)
    except SourceError:
        raise
    except DefusedXmlException:
        raise SourceError(svg_path, "declares XML entities or a document type (<!ENTITY …>,"
                                    " <!DOCTYPE …>), which are not read: save the picture"
                                    " without them") from None
    except Exception as exc:  # ElementTree and cairosvg each raise their own
        raise SourceError(svg_path, f"is not an SVG picture that can be drawn ({exc})") from None
    scale = IMAGE_DPI / CSS_PX_PER_INCH
    pixels = (round(width * scale), round(height * scale))
    if min(pixels) < 1:
        raise SourceError(svg_path, "has no size: give its <svg> element a width and height"
                                    ' (e.g. width="160mm" height="90mm") or a viewBox')
    if pixels[0] * pixels[1] > MAX_PIXELS:
        raise SourceError(svg_path, f"would be {pixels[0]}×{pixels[1]} px at {IMAGE_DPI} dpi"
                                    f" of its size ({width / CSS_PX_PER_INCH * 25.4:.0f}×"
                                    f"{height / CSS_PX_PER_INCH * 25.4:.0f} mm): give its"
                                    " <svg> element the size it is printed at")
    drawn = io.BytesIO()
    try:
        PNGSurface(tree, drawn, CSS_PX_PER_INCH, scale=scale).finish()
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(svg_path, f"could not be drawn ({exc})") from None
    with Image.open(drawn) as png, atomic_path(Path(png_path)) as tmp:
        # The resolution recorded in the file is what Word sizes a picture by.
        png.save(tmp, format="PNG", dpi=(IMAGE_DPI, IMAGE_DPI))


# What cairosvg's size arithmetic reads of a surface, for measuring before drawing:
# CSS units (96 px to the inch, 12 pt type for em), and no viewport for percentages.
_MEASURE = SimpleNamespace(dpi=CSS_PX_PER_INCH, font_size=16.0, context_width=None,
                           context_height=None)
