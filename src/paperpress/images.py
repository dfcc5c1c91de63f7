"""The pictures a text places: checked to be what their names say, sized, and safe to embed.

A raster image is opened with Pillow (bounded, so a decompression bomb is refused); an SVG
is read as data with lxml, and anything in it that would make a renderer load a file or an
address is refused, since every edition embeds the image as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import SourceError

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}
# An image larger than this is not a print picture but a mistake (and decoding it would
# take the memory of the whole build): 50 megapixels is an 8,000 x 6,000 photograph.
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def image_size(path: Path, suffix: str, text_path: Path, line: int) -> tuple[int, int]:
    """The image's size in pixels, after checking the file is what its name says."""
    size = Path(path).stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise SourceError(text_path, f"image '{path}' has {size // (1024 * 1024)} MB: an image"
                                     f" may have at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB",
                          line=line)
    if suffix == ".svg":
        return _svg_size(path, text_path, line)
    from PIL import Image as PILImage

    PILImage.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    expected = "PNG" if suffix == ".png" else "JPEG"
    try:
        with PILImage.open(path) as picture:
            if picture.format != expected:
                raise SourceError(text_path, f"image '{path}' is named {suffix} but is a"
                                             f" {picture.format} file: convert it or rename it",
                                  line=line)
            if picture.mode == "CMYK":
                # Separations are the press edition's work, through the print run's
                # profile; screens and Word show RGB.
                raise SourceError(text_path, f"image '{path}' is a CMYK picture: save it in"
                                             " RGB (the press edition separates it for print)",
                                  line=line)
            _load_whole(picture)  # a damaged or cut-short file fails here
            width, height = picture.size
            # A phone photo stored sideways, with an EXIF note to turn it: its size upright.
            if picture.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
            return width, height
    except SourceError:
        raise
    except PILImage.DecompressionBombError:
        raise SourceError(text_path, f"image '{path}' has more than {MAX_IMAGE_PIXELS:,}"
                                     " pixels: scale it down", line=line) from None
    except Exception as exc:  # Pillow's errors name no common base
        raise SourceError(text_path, f"image '{path}' cannot be read as {expected}:"
                                     f" {exc}", line=line) from None


def _svg_size(path: Path, text_path: Path, line: int) -> tuple[int, int]:
    """An SVG image is read as data, never as a document that fetches: anything that would
    load a file or an address (an external href, a script, foreignObject) is refused."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(text_path, f"image '{path}' is not a valid SVG file: {exc}",
                          line=line) from None
    root = tree.getroot()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # The Word editions' renderer refuses these (entities can fetch or explode).
        raise SourceError(text_path, f"image '{path}' declares a document type (<!DOCTYPE …>),"
                                     " which is not read: delete that line, or export the"
                                     " picture as plain SVG", line=line)
    if etree.QName(root).localname != "svg":
        raise SourceError(text_path, f"image '{path}' is not an SVG drawing", line=line)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name == "style" and re.search(r"@import|url\(\s*['\"]?(?!#|data:)",
                                          element.text or ""):
            raise SourceError(text_path, f"image '{path}' has a stylesheet that loads another"
                                         " file (@import or url()): an SVG image must hold"
                                         " everything it shows", line=line)
        if name in ("script", "foreignObject"):
            raise SourceError(text_path, f"image '{path}' holds a <{name}>, which the editions"
                                         " do not publish: remove it", line=line)
        for key, value in element.attrib.items():
            if etree.QName(key).localname == "href" and not value.startswith(("#", "data:")):
                raise SourceError(text_path, f"image '{path}' links to '{value[:60]}': an SVG"
                                             " image must hold everything it shows (embed"
                                             " pictures in it as data)", line=line)
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (not width or not height) and len(box) == 4:
        width, height = float(box[2]), float(box[3])
    if not width or not height:
        raise SourceError(text_path, f"image '{path}' has no size: give the <svg> a viewBox",
                          line=line)
    return round(width), round(height)


def _svg_length(value: str | None) -> float:
    m = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
    return float(m[1]) if m else 0.0


def _load_whole(picture) -> None:
    """Decode the whole picture, failing on a file cut short. WeasyPrint, once imported
    (in the warm worker every step shares), tells Pillow to accept truncated images for
    the whole process; the check here must not: a cut-short photo would be published
    with a grey band."""
    from PIL import ImageFile

    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        picture.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting
