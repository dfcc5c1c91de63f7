"""The text of a Word edition: each block of the render model as the Word construct that
says the same thing: heading styles, list numbering, footnotes, hyperlinks, tables, and
captions numbered by SEQ fields.

Every word and number written comes from the model (labels, reference texts, the locale's
strings); every paragraph, run and table takes a named style of the template and no
direct formatting, so restyling the template restyles the next build.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph as WordParagraph

from . import model
from .errors import SourceError
from .wordlists import Numbering, continue_style, list_style
from .wordnotes import Footnotes
from .wordxml import Bookmarks, add_label, add_link

LEAD = "Lead-in"
EMPHASIS = "Emphasis"
LABEL = "Figure Number"  # the label of every caption: 图3, Table 2, Box 1
CELL_STYLES = {
    (False, "left"): "Table Text", (False, "right"): "Table Text Number",
    (False, "center"): "Table Text Centered",
    (True, "left"): "Table Header", (True, "right"): "Table Header Number",
    (True, "center"): "Table Header Centered"}
KEY_FIGURE_COLUMNS = 3
KEY_FIGURES_TITLE = "Key Figures Title"
# What of a box's width its text has, inside the box style's cell margins.
BOX_TEXT_SHARE = 0.93


class Flow:
    """Where blocks go: before the template's [[BODY]] marker, or into a table cell (a
    box); and the paragraph style the text's paragraphs take there."""

    def __init__(self, docx, width: int, container, parent, body_style: str = "Body Text",
                 before=None):
        self.docx = docx
        self.width = int(width)
        self.container = container  # the w:body or w:tc the blocks go into
        self.parent = parent        # what python-docx proxies ask for their part
        self.body_style = body_style
        self.before = before        # the element blocks go before (the marker), or None
        self._first = [None]        # the first element written, shared with styled()

    @property
    def first(self):
        """The first element written here (a w:p or w:tbl), or None."""
        return self._first[0]

    @classmethod
    def at_marker(cls, docx, marker, width: int) -> Flow:
        return cls(docx, width, marker._p.getparent(), docx._body, before=marker._p)

    @classmethod
    def in_cell(cls, docx, cell, width: int, body_style: str) -> Flow:
        for paragraph in cell._tc.findall(qn("w:p")):
            cell._tc.remove(paragraph)
        return cls(docx, width, cell._tc, cell, body_style)

    def styled(self, body_style: str) -> Flow:
        """The same place, with the text's paragraphs in another style (a quote)."""
        flow = Flow(self.docx, self.width, self.container, self.parent, body_style,
                    self.before)
        flow._first = self._first
        return flow

    def paragraph(self, style: str) -> WordParagraph:
        element = OxmlElement("w:p")
        self._place(element)
        paragraph = WordParagraph(element, self.parent)
        paragraph.style = style
        return paragraph

    def table(self, rows: int, cols: int, style: str):
        # Word joins two tables that touch into one.
        if self._last() is not None and self._last().tag == qn("w:tbl"):
            self._place(OxmlElement("w:p"))
        table = self.docx.add_table(rows=rows, cols=cols)
        self._place(table._tbl)
        table.style = style
        return table

    def close(self) -> None:
        """A cell ends with a paragraph (Word's rule), after a nested table too."""
        last = self._last()
        if self.before is None and (last is None or last.tag != qn("w:p")):
            self.container.append(OxmlElement("w:p"))

    def _last(self):
        if self.before is not None:
            previous = self.before.getprevious()
        else:
            previous = self.container[-1] if len(self.container) else None
        return None if previous is None or previous.tag == qn("w:tcPr") else previous

    def _place(self, element) -> None:
        if self._first[0] is None:
            self._first[0] = element
        if self.before is not None:
            self.before.addprevious(element)
        else:
            self.container.append(element)


class BodyWriter:
    def __init__(self, docx, doc: model.Document, figures_dir: Path,
                 sources_dir: Path | None, template_path: Path, *,
                 figure_width: float = 1.0, chapters_on_new_page: bool = False):
        self.docx = docx
        self.doc = doc
        self.figures_dir = Path(figures_dir)
        self.sources_dir = None if sources_dir is None else Path(sources_dir)
        self.figure_width = figure_width
        self.chapters_on_new_page = chapters_on_new_page
        self.bookmarks = Bookmarks(docx.element.body)
        self.footnotes = Footnotes(docx)
        self.numbering = Numbering(docx, template_path)
        self.notes = {note.number: note for note in doc.notes}
        self.writers = {model.Heading: self.heading, model.Paragraph: self.paragraph,
                        model.ListBlock: self.list, model.Quote: self.quote,
                        model.Box: self.box, model.Figure: self.figure,
                        model.Image: self.image, model.Table: self.table,
                        model.KeyFigurePanel: self.key_figures}

    def word(self, key: str) -> str:
        """A word the locale gives (contents, key figures …), from the model."""
        try:
            return self.doc.strings[key]
        except KeyError:
            raise ValueError(f"the document model has no string '{key}'") from None

    def blocks(self, flow: Flow, blocks) -> None:
        for block in blocks:
            self.block(flow, block)

    def block(self, flow: Flow, block) -> None:
        write = self.writers.get(type(block))
        if write is None:
            raise model.UnknownBlock(getattr(block, "kind", type(block).__name__),
                                     "the Word writer")
        write(flow, block)

    def finish(self) -> None:
        self.footnotes.finish()

    # --- Text -----------------------------------------------------------------------------

    def heading(self, flow: Flow, heading: model.Heading) -> None:
        paragraph = flow.paragraph(f"Heading {min(max(heading.level, 1), 3)}")
        if heading.level == 1 and self.chapters_on_new_page:
            paragraph.paragraph_format.page_break_before = True
        mark = self.bookmarks.start(paragraph, heading.anchor)
        paragraph.add_run(heading.text)
        self.bookmarks.end(paragraph, mark)

    def paragraph(self, flow: Flow, block: model.Paragraph) -> None:
        self.spans(flow.paragraph(flow.body_style), block.spans)

    def spans(self, paragraph, spans: list[model.Span], links_from=None) -> None:
        """Runs for the spans: bold in the lead-in style, italic in Emphasis; a
        cross-reference a link to the bookmark of what it names, showing the model's text
        ("（见图3）"); a link out a hyperlink to its address; a note call a footnote.
        ``links_from``: the part that holds link addresses (the footnotes, in a note)."""
        for span in spans:
            style = LEAD if span.strong else EMPHASIS if span.em else None
            if span.note:
                if links_from is not None:
                    raise ValueError(f"note {span.note} is called from inside a note")
                self.note_call(paragraph, span.note)
            elif span.href:
                relationship = (links_from or self.docx.part).relate_to(
                    span.href, RT.HYPERLINK, is_external=True)
                add_link(paragraph, span.text, "Hyperlink", relationship=relationship)
            elif span.ref:
                add_link(paragraph, span.text, style, anchor=self.bookmarks.name(span.ref))
            else:
                paragraph.add_run(span.text, style=style)

    def note_call(self, paragraph, number: int) -> None:
        try:
            note = self.notes[number]
        except KeyError:
            raise ValueError(f"the text calls note {number}, which the document model"
                             " does not hold") from None
        note_id, element = self.footnotes.add()
        call = paragraph.add_run(style="Footnote Reference")
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(note_id))
        call._r.append(reference)
        # Paragraphs of the footnotes part take the document's styles.
        parent = SimpleNamespace(part=self.docx.part)
        for n, spans in enumerate(note.paragraphs or [[]]):
            p = OxmlElement("w:p")
            element.append(p)
            note_paragraph = WordParagraph(p, parent)
            note_paragraph.style = "Footnote Text"
            if n == 0:  # the note's own number, which Word keeps in step with the call
                mark = note_paragraph.add_run(style="Footnote Reference")
                mark._r.append(OxmlElement("w:footnoteRef"))
                note_paragraph.add_run(" ")
            self.spans(note_paragraph, spans, links_from=self.footnotes.part)

    def list(self, flow: Flow, block: model.ListBlock) -> None:
        style = list_style(block.ordered, block.depth)
        num_id = self.numbering.restart(style, block.start) if block.ordered else None
        for item in block.items:
            first = True
            for child in item:
                if isinstance(child, model.Paragraph):
                    paragraph = flow.paragraph(style if first else continue_style(block.depth))
                elif first:  # the item's marker, on a paragraph of its own
                    paragraph = flow.paragraph(style)
                else:
                    paragraph = None
                if first and num_id is not None:
                    Numbering.number(paragraph, num_id)
                first = False
                if isinstance(child, model.Paragraph):
                    self.spans(paragraph, child.spans)
                else:
                    self.block(flow, child)

    def quote(self, flow: Flow, quote: model.Quote) -> None:
        self.blocks(flow.styled("Quote"), quote.blocks)

    def box(self, flow: Flow, box: model.Box) -> None:
        table = flow.table(1, 1, "Box")
        self._set_widths(table, [flow.width])
        inner = Flow.in_cell(self.docx, table.cell(0, 0), flow.width * BOX_TEXT_SHARE,
                             "Box Text")
        title = inner.paragraph("Box Title")
        self.label(title, box)
        if box.title:
            title.add_run(self.word("caption_separator") + box.title)
        self.blocks(inner, box.blocks)
        inner.close()

    # --- Numbered things --------------------------------------------------------------------

    def label(self, paragraph, block) -> None:
        """The block's label ("图3"), its number a SEQ field, under a bookmark that the
        cross-references link to."""
        mark = self.bookmarks.start(paragraph, block.anchor)
        add_label(paragraph, block.label, block.label_word, block.number, LABEL)
        self.bookmarks.end(paragraph, mark)

    def caption(self, flow: Flow, block) -> None:
        paragraph = flow.paragraph("Caption")
        self.label(paragraph, block)
        if block.caption:
            paragraph.add_run(self.word("caption_separator") + block.caption)

    def source_note(self, flow: Flow, source: str) -> None:
        if source:
            flow.paragraph("Source Note").add_run(source)

    def figure(self, flow: Flow, figure: model.Figure) -> None:
        png = self.figures_dir / f"{figure.chart}.png"
        if not png.exists():
            raise SourceError(png, f"the chart of {figure.label or figure.chart} has not"
                                   " been drawn")
        self.picture(flow, png, flow.width * self.figure_width, figure.alt, figure.caption)
        self.caption(flow, figure)
        self.source_note(flow, figure.source)

    def image(self, flow: Flow, image: model.Image) -> None:
        path = self.image_file(image)
        self.picture(flow, path, flow.width * image.width, image.alt, image.caption)
        self.caption(flow, image)
        self.source_note(flow, image.source)

    def image_file(self, image: model.Image) -> Path:
        src = Path(image.src)
        if src.suffix.lower() == ".svg":
            # Word shows no SVG without a PNG beside it: the build draws one per SVG.
            # Drawn by the workflow's image_png rule: figures/<pub>/images/….png.
            png = self.figures_dir / Path(image.src).with_suffix(".png")
            if not png.exists():
                raise SourceError(png, f"the picture of {image.src} for the Word editions"
                                       " has not been drawn")
            return png
        if self.sources_dir is None:
            raise ValueError(f"{image.src}: the Word writer needs the publication's folder"
                             " (sources_dir) to find its pictures")
        path = self.sources_dir / src
        if not path.is_file():
            raise SourceError(path, f"picture {image.label} not found")
        return path

    def picture(self, flow: Flow, path: Path, width: float, alt: str, title: str) -> None:
        run = flow.paragraph("Figure").add_run()
        try:
            shape = run.add_picture(upright(path), width=Emu(int(width)))
        except UnrecognizedImageError:
            raise SourceError(path, "is not a picture Word can show: save it as PNG or"
                                    " JPEG") from None
        # Alt text lives on the drawing's docPr (Word: Format Picture > Alt Text).
        shape._inline.docPr.set("descr", alt)
        shape._inline.docPr.set("title", title)

    def table(self, flow: Flow, block: model.Table) -> None:
        if block.number:  # numbered tables have their caption above (an appendix none)
            self.caption(flow, block)
        rows = [*block.header, *block.rows]
        columns = max([len(block.align), *(len(row) for row in rows)])
        table = flow.table(len(rows), columns, "Report Table")
        shares = block.widths if len(block.widths) == columns else [1 / columns] * columns
        self._set_widths(table, [flow.width * share for share in shares])
        align = [*block.align, *["left"] * (columns - len(block.align))]
        for r, (cells, row) in enumerate(zip(rows, table.rows)):
            header = r < len(block.header)
            if header:  # repeated at the top of every page the table runs over
                repeat = OxmlElement("w:tblHeader")
                repeat.set(qn("w:val"), "true")
                row._tr.get_or_add_trPr().append(repeat)
            for c, cell in enumerate(row.cells):
                paragraph = cell.paragraphs[0]
                paragraph.style = CELL_STYLES[header, align[c]]
                if c < len(cells):
                    self.spans(paragraph, cells[c])
        self.source_note(flow, block.source)

    def key_figures(self, flow: Flow, _panel=None) -> None:
        figures = self.doc.key_figures
        if not figures:
            return
        # Titled, but no section of the text: no heading of the outline (navigation pane).
        flow.paragraph(KEY_FIGURES_TITLE).add_run(self.word("key_figures"))
        rows = (len(figures) + KEY_FIGURE_COLUMNS - 1) // KEY_FIGURE_COLUMNS
        table = flow.table(rows, KEY_FIGURE_COLUMNS, "Key Figures")
        for n, figure in enumerate(figures):
            cell = table.cell(n // KEY_FIGURE_COLUMNS, n % KEY_FIGURE_COLUMNS)
            value = cell.paragraphs[0]
            value.style = "Key Figure Value"
            value.add_run(figure.number)
            value.add_run(figure.unit_separator + figure.unit, style="Key Figure Unit")
            cell.add_paragraph(figure.label + figure.period_note, style="Key Figure Label")
        flow.paragraph("Normal")

    @staticmethod
    def _set_widths(table, widths: list[float]) -> None:
        table.autofit = False
        widths = [Emu(int(w)) for w in widths]
        for column, width in zip(table.columns, widths):
            column.width = width  # the grid, which LibreOffice reads
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = width  # the cells, which Word reads


# EXIF orientations that turn the picture a quarter or a half (2, 4, 5, 7 mirror it too).
_TURNED = {2, 3, 4, 5, 6, 7, 8}


def upright(path: Path):
    """The picture as its reader sees it: a phone photo is stored sideways with an EXIF
    note to turn it, which browsers and WeasyPrint obey and Word does not. Such a JPEG is
    handed to Word turned (as a stream); any other file as it is."""
    import io

    from PIL import Image, ImageOps

    with Image.open(path) as picture:
        if picture.format != "JPEG" or picture.getexif().get(0x0112, 1) not in _TURNED:
            return str(path)
        turned = ImageOps.exif_transpose(picture)
        stream = io.BytesIO()
        turned.save(stream, format="JPEG", quality=95)
    stream.seek(0)
    return stream
