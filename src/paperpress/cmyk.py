"""The press edition draws in CMYK only: what would be drawn in RGB is converted through the
print run's profile as it is drawn.

The press stylesheet gives the house colours as the designer's CMYK recipes, but the
charts (SVG from matplotlib), borders given in hex and WeasyPrint's own crop marks are
drawn in DeviceRGB, which PDF/X-4 does not allow beside a CMYK output intent (a print
shop's preflight rejects the file). Every RGB colour WeasyPrint sets goes through one
method (Stream.set_color); for the press edition it is converted there: neutral greys
(and black) to black ink alone, as prepress does for text and hairlines, so that they
print sharp on one plate; other colours through littleCMS (Pillow's ImageCms), sRGB to
the output profile, relative colorimetric with black point compensation.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

_CONVERTED_SPACES = ("srgb", "hsl", "hwb")


class CmykConversion:
    """sRGB -> the CMYK of one output profile."""

    def __init__(self, profile: Path):
        from PIL import ImageCms

        self.transform = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB",
            "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        self.convert = lru_cache(maxsize=None)(self._convert)

    def _convert(self, red: float, green: float, blue: float) -> tuple[float, ...]:
        from PIL import Image, ImageCms

        rgb = tuple(min(255, max(0, round(v * 255))) for v in (red, green, blue))
        if rgb[0] == rgb[1] == rgb[2]:
            return (0.0, 0.0, 0.0, round(1 - rgb[0] / 255, 4))
        pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), self.transform)
        return tuple(round(v / 255, 4) for v in pixel.getpixel((0, 0)))


@contextmanager
def drawing_in_cmyk(profile: Path | None):
    """While drawing (``Document.write_pdf``), have WeasyPrint set every RGB colour as
    DeviceCMYK converted through ``profile``; with None, change nothing."""
    if profile is None:
        yield
        return
    from tinycss2.color5 import Color  # the level that knows device-cmyk()
    from weasyprint.pdf.stream import Stream

    conversion = CmykConversion(profile)
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
