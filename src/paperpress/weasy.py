"""Importing WeasyPrint without paying for its library search.

WeasyPrint opens Pango, HarfBuzz and fontconfig through cffi under several names each, the
Windows and macOS ones first. For every name that is not a file name, cffi falls back to
ctypes.util.find_library, which on Linux runs ldconfig, then gcc, then ld: 22 lookups cost
0.2 s of a 0.45 s import (measured), in every PDF job. The names WeasyPrint ends with
('libpango-1.0.so.0', ...) open directly, so the lookups only have to fail fast.
"""

from __future__ import annotations

import sys


def import_weasyprint():
    """Import and return the weasyprint module, looking libraries up only by file name; if
    that finds them not (another platform's names), import it the usual way."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:
        weasyprint = None
    finally:
        ctypes.util.find_library = find_library
    if weasyprint is None:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint
    return weasyprint


class _DefaultLevelZlib:
    """zlib as pydyf sees it, with its hard-coded level 9 replaced by zlib's default (6).
    Measured on the white paper: level 9 costs 0.1 s of a 1.0 s render (the CJK font
    programs) for a file 0.4 % smaller; the bytes still inflate with any reader."""

    def __getattr__(self, name):
        import zlib

        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=-1, *args, **kwargs):
        import zlib

        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)


def use_default_compression_level() -> None:
    """Have pydyf (WeasyPrint's PDF writer) compress streams at zlib's default level."""
    import pydyf

    if getattr(pydyf, "zlib", None) is not None and not isinstance(pydyf.zlib, _DefaultLevelZlib):
        pydyf.zlib = _DefaultLevelZlib()
