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


def carry_footnotes_after_a_carried_one() -> None:
    """Have WeasyPrint carry a line's footnotes to the next page when it carried an earlier
    note there to make room for that line, instead of dropping them (idempotent).

    WeasyPrint 70 (block.py, _linebox_layout): when a line overflows the page only because
    of the footnote area, and breaking before it would leave an orphan, it moves the notes
    already on the page to the next one ("reports" them), one by one from the last, until
    the line fits; then it places the line and stops the page there, skipping the code
    that lays out the notes this line calls. Those notes are never laid out, on any
    page: their calls stay in the text, their text is gone (Kozea/WeasyPrint#2437 added
    the moving; PR #1636 fixed the same loss on another path). Found in the Northwind
    press PDF: note 2 was carried from page 10 to 11 so that the line calling note 3 would
    fit, and note 3 vanished.

    The fix wraps _linebox_layout: a line it placed whose notes are still waiting has them
    laid out and moved to the next page after the note moved before them (they cannot stand
    above it, and the page has no room), and listed with the notes the block laid out, so
    that WeasyPrint takes them back with the line if it pushes the block on.
    """
    import_weasyprint()
    from weasyprint.layout import block

    original = block._linebox_layout
    if getattr(original, "paperpress_fix", False):
        return

    def linebox_layout(context, box, index, child, new_children, *args, **kwargs):
        placed_before = len(new_children)
        result = original(context, box, index, child, new_children, *args, **kwargs)
        abort, stop, _resume_at, _position_y, new_footnotes, _max_lines = result
        # That path places its line last and stops the page: only that line can hold
        # calls of notes still waiting (every other placed line had its notes laid out).
        if abort or not stop or not context.footnotes or len(new_children) == placed_before:
            return result
        for descendant in new_children[-1].descendants():
            footnote = getattr(descendant, "footnote", None)
            if footnote is not None and footnote in context.footnotes:
                context.layout_footnote(footnote)
                context.report_footnote(footnote)
                new_footnotes.append(footnote)
        return result

    linebox_layout.paperpress_fix = True
    block._linebox_layout = linebox_layout
