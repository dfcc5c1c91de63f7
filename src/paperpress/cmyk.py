"""The press edition draws in CMYK only: what would be drawn in RGB is converted through the
print run's profile as it is drawn.

The press stylesheet gives the house colours as the designer's CMYK recipes, but the
charts (SVG from matplotlib), borders given in hex and WeasyPrint's own crop marks are
drawn in DeviceRGB, which PDF/X-4 does not allow beside a CMYK output intent (a print
shop's preflight rejects the file). Every RGB colour WeasyPrint sets goes through one
method (Stream.set_color); for the press edition it is converted there: neutral greys
(and black) to black ink alone, as prepress does for text and hairlines, so that they
print sharp on one plate; the house colours to the press stylesheet's own recipes, so a
chart's bars print in the same inks as the headings beside them (a colour the screen
stylesheet names ``--accent: #9e1b1e`` on :root and the press stylesheet names
``--accent: device-cmyk(…)``); other colours through littleCMS (Pillow's ImageCms), sRGB
to the output profile, relative colorimetric with black point compensation.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

_CONVERTED_SPACES = ("srgb", "hsl", "hwb")
RGB = tuple[int, int, int]
CMYK = tuple[float, float, float, float]


def root_colours(css: str, space: str) -> dict[str, tuple]:
    """The custom properties a stylesheet sets on :root to a colour of ``space`` ('srgb'
    or 'device-cmyk'): name -> its coordinates."""
    import tinycss2
    from tinycss2.color5 import parse_color

    colours = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                          skip_whitespace=True):
            if declaration.type != "declaration" or not declaration.name.startswith("--"):
                continue
            value = [t for t in declaration.value if t.type not in ("whitespace", "comment")]
            colour = parse_color(value[0]) if len(value) == 1 else None
            if colour is not None and getattr(colour, "space", None) == space:
                colours[declaration.name] = tuple(colour.coordinates)
    return colours


def house_recipes(screen_css: str, press_css: str) -> dict[RGB, CMYK]:
    """Screen colour -> press recipe, for each :root colour both stylesheets name."""
    screen = root_colours(screen_css, "srgb")
    press = root_colours(press_css, "device-cmyk")
    return {_rgb8(*screen[name]): tuple(float(v) for v in press[name])
            for name in screen.keys() & press.keys()}


def style_sheets_of(html: str) -> str:
    """The CSS inlined in an edition's HTML (its <style> elements)."""
    return "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I))


def _rgb8(red: float, green: float, blue: float) -> RGB:
    return tuple(min(255, max(0, round(v * 255))) for v in (red, green, blue))


class CmykConversion:
    """sRGB -> the CMYK of one output profile, house colours to their recipes."""

    def __init__(self, profile: Path, recipes: dict[RGB, CMYK] | None = None):
        from PIL import ImageCms

        self.recipes = dict(recipes or {})

        self.transform = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB",
            "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        self.convert = lru_cache(maxsize=None)(self._convert)

    def _convert(self, red: float, green: float, blue: float) -> tuple[float, ...]:
        from PIL import Image, ImageCms

        rgb = _rgb8(red, green, blue)
        if rgb in self.recipes:
            return self.recipes[rgb]
        if rgb[0] == rgb[1] == rgb[2]:
            return (0.0, 0.0, 0.0, round(1 - rgb[0] / 255, 4))
        pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), self.transform)
        return tuple(round(v / 255, 4) for v in pixel.getpixel((0, 0)))


@contextmanager
def drawing_in_cmyk(profile: Path | None, recipes: dict[RGB, CMYK] | None = None):
    """While drawing (``Document.write_pdf``), have WeasyPrint set every RGB colour as
    DeviceCMYK: a house colour as its recipe, others converted through ``profile``; with
    no profile, change nothing."""
    if profile is None:
        yield
        return
    from tinycss2.color5 import Color  # the level that knows device-cmyk()
    from weasyprint.pdf.stream import Stream

    conversion = CmykConversion(profile, recipes)
    set_color = Stream.set_color

    def set_color_in_cmyk(self, color, stroke=False):
        if color.space in _CONVERTED_SPACES:
            *_, alpha = color
            cmyk = conversion.convert(*color.to("srgb").coordinates)
            color = Color("device-cmyk", cmyk, alpha)
        return set_color(self, color, stroke)

    Stream.set_color = set_color_in_cmyk
    try:
        yield
    finally:
        Stream.set_color = set_color


# A picture the text places, inlined by the HTML writer as a data: URL.
_RASTER_DATA_URL = re.compile(r'src="data:image/(?P<type>png|jpeg);base64,(?P<data>[A-Za-z0-9+/=]+)"')


def pictures_in_cmyk(html: str, profile: Path) -> str:
    """The HTML with every raster picture converted to CMYK through the print run's
    profile, as prepress separates a photograph: PDF/X-4 beside a CMYK output intent allows
    no DeviceRGB image, and the ink a photograph is printed in should be the one the print
    shop's profile gives, not the RIP's guess. (Charts are drawn, not raster: their colours
    go through ``drawing_in_cmyk``.)"""
    import base64
    import io

    from PIL import Image, ImageCms

    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB",
        "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)

    def separated(match: re.Match) -> str:
        with Image.open(io.BytesIO(base64.b64decode(match["data"]))) as picture:
            if picture.mode == "CMYK":
                return match[0]
            picture = picture.convert("RGBA")
            # Transparency prints on white paper: flatten onto white first.
            flat = Image.new("RGB", picture.size, "white")
            flat.paste(picture, mask=picture.getchannel("A"))
            cmyk = ImageCms.applyTransform(flat, transform)
        out = io.BytesIO()
        # JPEG at high quality: a photograph's separations, as a print shop receives them.
        cmyk.save(out, format="JPEG", quality=92, subsampling=0)
        return 'src="data:image/jpeg;base64,' + base64.b64encode(out.getvalue()).decode() + '"'

    return _RASTER_DATA_URL.sub(separated, html)
