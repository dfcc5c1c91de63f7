"""Chinese typesetting that WeasyPrint does not do by itself.

WeasyPrint justifies a line only by widening its spaces, and Chinese text has none, so
"text-align: justify" leaves every CJK line ragged. ``install_cjk_justification`` makes
WeasyPrint spread a justified line's slack evenly between its characters instead (the way
Chinese books are set), for text whose language is Chinese or Japanese.
"""

from __future__ import annotations

from .weasy import import_weasyprint

_INSTALLED = False


def _is_cjk_language(style) -> bool:
    lang = (style["lang"] or "").lower()
    return lang.startswith(("zh", "ja"))


def text_boxes(box):
    """The text boxes of a line box, through its inline boxes, in order."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from text_boxes(child)


def install_cjk_justification() -> None:
    """Patch WeasyPrint's line justification once per process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import_weasyprint()
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text.line_break import create_layout, line_size

    original = inline.justify_line

    def spread(context, box, spacing, x_advance):
        """Add ``spacing`` after every character of the line's text boxes, moving what
        follows; returns the new x advance. Mirrors WeasyPrint's add_word_spacing."""
        if isinstance(box, boxes.TextBox):
            box.position_x += x_advance
            if box.text:
                style = box.style.copy()
                base = 0 if style["letter_spacing"] == "normal" else style["letter_spacing"]
                style["letter_spacing"] = base + spacing
                layout = create_layout(box.text, style, context, max_width=None,
                                       justification_spacing=box.justification_spacing)
                line, _ = layout.get_first_line()
                width, _ = line_size(line, style)
                layout.deactivate()
                x_advance += width - box.width
                box.width = width
                box.style = style
                box.pango_layout = layout
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            before = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = spread(context, child, spacing, x_advance)
            box.width += x_advance - before
        else:
            box.translate(x_advance, 0)
        return x_advance

    def justify_line(context, line, extra_width):
        if not _is_cjk_language(line.style) or extra_width <= 0:
            return original(context, line, extra_width)
        gaps = sum(len(b.text) for b in text_boxes(line)) - 1
        if gaps <= 0:
            return original(context, line, extra_width)
        # Letter spacing follows every character, the last one too: spread the slack over
        # the gaps between characters, so the last glyph ends at the right edge and only
        # its (invisible) trailing space passes it.
        spread(context, line, extra_width / gaps, 0)
        return None

    inline.justify_line = justify_line
    _INSTALLED = True
