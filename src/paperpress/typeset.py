"""Chinese typesetting that WeasyPrint does not do by itself.

WeasyPrint justifies a line only by widening its spaces, and Chinese text has none, so
"text-align: justify" leaves every CJK line ragged. ``install_cjk_justification`` makes
WeasyPrint spread a justified line's slack evenly between its characters instead (the way
Chinese books are set), for text whose language is Chinese or Japanese.

It also sets a line that starts with an opening mark (「“」「（」「《」) so that the mark loses
its leading blank half em (W3C clreq): the mark's first character takes the font's
``halt`` feature, and the half em it frees goes to the line's justification. A paragraph's
indented first line keeps its mark whole; a centred or right-aligned line is left alone.
"""

from __future__ import annotations

from .cjkpunct import OPENING
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

    def first_text_box(box, parents):
        """The first text box of a line with the boxes it lies in, or None when the
        line starts with something else (a picture, an inline block)."""
        for child in box.children:
            if not child.is_in_normal_flow():
                continue
            if isinstance(child, boxes.TextBox):
                return (child, [*parents, box]) if child.text else None
            if isinstance(child, boxes.InlineBox):
                found = first_text_box(child, [*parents, box])
                if found is not None or child.children:
                    return found
                continue
            return None
        return None

    def trim_opening_mark(context, line) -> float:
        """Give the opening mark that starts ``line`` the font's halt feature (its own
        text box, the rest of the text following it); returns the width freed."""
        found = first_text_box(line, [])
        if found is None:
            return 0
        box, parents = found
        features = box.style["font_feature_settings"]
        if box.text[0] not in OPENING or (features != "normal" and any(
                tag == "halt" for tag, _ in features)):
            return 0
        style = box.style.copy()
        style["font_feature_settings"] = (
            (() if features == "normal" else tuple(features)) + (("halt", 1),))
        mark = box.copy_with_text(box.text[0])
        mark.style = style
        layout = create_layout(mark.text, style, context, max_width=None,
                               justification_spacing=0)
        mark.width, _ = line_size(layout.get_first_line()[0], style)
        layout.deactivate()
        mark.pango_layout = layout
        pieces = [mark]
        freed = box.width - mark.width
        if len(box.text) > 1:
            rest = box.copy_with_text(box.text[1:])
            layout = create_layout(rest.text, box.style, context, max_width=None,
                                   justification_spacing=0)
            rest.width, _ = line_size(layout.get_first_line()[0], box.style)
            layout.deactivate()
            rest.pango_layout = layout
            rest.position_x = mark.position_x + mark.width
            freed -= rest.width
            pieces.append(rest)
        parent = parents[-1]
        index = parent.children.index(box)
        parent.children = [*parent.children[:index], *pieces, *parent.children[index + 1:]]
        shift_after(parent, index + len(pieces), -freed)
        for ancestor in parents:
            ancestor.width -= freed
        for ancestor, child in zip(parents, parents[1:]):
            shift_after(ancestor, ancestor.children.index(child) + 1, -freed)
        return freed

    def shift_after(box, index, dx):
        for child in box.children[index:]:
            if child.is_in_normal_flow():
                child.translate(dx, 0)

    original_text_align = inline.text_align

    def text_align(context, line, available_width, last):
        if (_is_cjk_language(line.style) and not line.text_indent
                and line.style["text_align_all"] in ("justify", "start", "left")
                and line.style["direction"] == "ltr"):
            trim_opening_mark(context, line)
        return original_text_align(context, line, available_width, last)

    inline.justify_line = justify_line
    inline.text_align = text_align
    _INSTALLED = True
