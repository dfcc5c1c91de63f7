"""The Word writer: the document model into the editor's Word template.

The template (templates/docx/*.docx) is an ordinary Word file. Its cover fields
({{ title }}, {{ issuer }} …) are filled by docxtpl; the paragraph ``[[BODY]]`` marks where
the text goes and ``[[TOC]]`` where the table of contents goes. Every paragraph written here
uses a named style of the template and no direct formatting, so restyling the template in
Word restyles the next build.
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import jinja2
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docxtpl import DocxTemplate
from lxml import etree

from .atomic import atomic_path
from .brief import make_brief
from .document import (DataTable, Document, Figure, Heading, KeyFigure, KeyFigurePanel,
                       Paragraph)
from .errors import SourceError
from .textfiles import read_text_file
from .templating import (RENDER_ERRORS, describe_render_error, make_field_environment,
                         time_limit)
from .wordtemplate import check_word_template, check_written_word_file

BODY_MARKER = "[[BODY]]"
TOC_MARKER = "[[TOC]]"


def _fill_cover(template_path: Path, context: dict) -> DocxTemplate:
    # The template is an editor's file and the edition inherits its parts: it is checked
    # as a package before python-docx reads it.
    check_word_template(template_path)
    tpl = DocxTemplate(str(template_path))
    try:
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            etree.XMLSyntaxError) as exc:  # what the check above did not foresee
        raise SourceError(template_path, f"is not a valid Word file (.docx):"
                                         f" {describe_render_error(exc)}") from None
    env = make_field_environment()
    try:
        # autoescape: without it docxtpl writes '&' and '<' raw and Word drops the text after.
        with time_limit():
            tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(template_path, f"template syntax error in a field: {exc.message}")\
            from None
    except etree.XMLSyntaxError as exc:
        # docxtpl reads each filled part back as XML.
        raise SourceError(template_path, "template field error: the filled fields are not"
                                         " valid Word XML (a control character in a value, or"
                                         " markup let through with |safe): "
                                         + " ".join(str(exc).split())) from None
    except RENDER_ERRORS as exc:
        if _not_xml_compatible(exc):
            raise SourceError(template_path, "template field error: a field's value"
                                             f" {NOT_XML_COMPATIBLE}") from None
        raise SourceError(template_path, "template field error:"
                                         f" {describe_render_error(exc)}") from None
    _look_up_styles_once(tpl.docx, template_path)
    return tpl


NOT_XML_COMPATIBLE = "holds a character that a Word file cannot carry (NUL or another control" \
                     " character)"


def _not_xml_compatible(exc: BaseException) -> bool:
    # python-docx and lxml refuse such text with this ValueError.
    return isinstance(exc, ValueError) and "XML compatible" in str(exc)


def _naming_the_template(render):
    """Text that reaches python-docx with a character XML cannot carry: the sources refuse
    such characters, so this only names the template instead of raising a traceback."""
    @functools.wraps(render)
    def render_naming_the_template(document_json, figures_dir, template_path, out):
        try:
            return render(document_json, figures_dir, template_path, out)
        except ValueError as exc:
            if not _not_xml_compatible(exc):
                raise
            raise SourceError(template_path, f"the text written into it {NOT_XML_COMPATIBLE}")\
                from None
    return render_naming_the_template


def _look_up_styles_once(document, template_path: Path) -> None:
    """python-docx finds a style by name by scanning all of the template's styles, twice, for
    every paragraph and run it styles: 0.25 s of the white paper. The styles do not change
    while the body is written, so each name is looked up once per document; a name the
    template lacks (renamed or deleted in Word) is an error naming the template."""
    part = document.part
    look_up = part.get_style_id
    ids: dict = {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return look_up(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in ids:
            ids[key] = _style_id(look_up, style_or_name, style_type, template_path)
        return ids[key]

    part.get_style_id = get_style_id


STYLE_KINDS = {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character",
               WD_STYLE_TYPE.TABLE: "table", WD_STYLE_TYPE.LIST: "list"}


def _style_id(look_up, name: str, style_type, template_path: Path):
    kind = STYLE_KINDS.get(style_type, "")
    try:
        return look_up(name, style_type)
    except KeyError:
        raise SourceError(template_path, f"has no {kind} style '{name}', which the Word"
                                         " editions use: add it (or undo its renaming) in"
                                         " Word's Styles pane") from None
    except ValueError:  # python-docx: "assigned style is type CHARACTER (2), need ..."
        raise SourceError(template_path, f"its style '{name}' is not a {kind} style, which"
                                         " the Word editions need: make a new"
                                         f" {kind} style of that name") from None


def _find_marker(doc, marker: str, template_path: Path, required: bool = True):
    for paragraph in doc.paragraphs:
        if paragraph.text.strip() == marker:
            return paragraph
    if required:
        raise SourceError(template_path, f"has no paragraph '{marker}': add one where the"
                                         " text should go")
    return None


class _Writer:
    """Inserts styled paragraphs before a marker paragraph, then removes the marker."""

    def __init__(self, docx, marker, figures_dir: Path, text_width: Emu):
        self.docx, self.marker = docx, marker
        self.figures_dir = Path(figures_dir)
        self.text_width = text_width
        self.bookmarks = 0

    def paragraph(self, style: str, text: str = ""):
        p = self.marker.insert_paragraph_before(text, style=style)
        return p

    def heading(self, text: str, level: int):
        return self.paragraph(f"Heading {level}", text)

    def body(self, block: Paragraph, style: str = "Body Text"):
        p = self.paragraph(style)
        for span in block.spans:
            char_style = "Lead-in" if span.strong else "Emphasis" if span.em else None
            if span.ref:
                # （见图3）: "图3" is a REF field to the caption's bookmark, so Word keeps the
                # number right when figures are added or moved.
                number = span.ref.removeprefix("fig-")
                p.add_run("（见", style=char_style)
                _add_field(p, f" REF {_caption_bookmark(number)} \\h ", f"图{number}",
                           char_style=char_style)
                p.add_run("）", style=char_style)
            else:
                p.add_run(span.text, style=char_style)
        return p

    def figure(self, fig: Figure, number: int, width_ratio: float = 1.0):
        png = self.figures_dir / f"{fig.chart}.png"
        if not png.exists():
            raise SourceError(png, f"chart for figure {number} has not been drawn")
        p = self.paragraph("Figure")
        run = p.add_run()
        shape = run.add_picture(str(png), width=Emu(int(self.text_width * width_ratio)))
        # Alt text lives on the drawing's docPr (Word: Format Picture > Alt Text).
        shape._inline.docPr.set("descr", fig.alt)
        shape._inline.docPr.set("title", fig.caption)
        cap = self.paragraph("Caption")
        self.bookmarks += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), _caption_bookmark(number))
        cap._p.append(start)
        cap.add_run("图", style="Figure Number")
        _add_field(cap, " SEQ 图 \\* ARABIC ", str(number), char_style="Figure Number")
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmarks))
        cap._p.append(end)
        cap.add_run("\u3000" + fig.caption)
        self.paragraph("Source Note", fig.source)

    def finish(self):
        self.marker._p.getparent().remove(self.marker._p)


def _caption_bookmark(number) -> str:
    # Word hides bookmarks whose names start with _Ref, as it does for its own captions.
    return f"_RefFigure{number}"


def _add_field(paragraph, instruction: str, cached: str, char_style: str | None = None):
    """A Word field (SEQ, PAGE, TOC …) with a cached result shown until Word updates it."""
    def run_with(child):
        run = paragraph.add_run(style=char_style)
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(cached, style=char_style)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _text_width(docx) -> Emu:
    section = docx.sections[-1]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _set_properties(docx, meta: dict, subject: str) -> None:
    props = docx.core_properties
    props.title = meta["title"]
    props.subject = subject
    props.author = meta["issuer"]
    props.keywords = meta.get("keywords", "")
    props.language = meta["lang"]
    props.comments = f"{meta['title']}{meta.get('subtitle', '')}"
    props.last_modified_by = meta["issuer"]


def _write_toc(docx, doc: Document, template_path: Path) -> None:
    marker = _find_marker(docx, TOC_MARKER, template_path, required=False)
    if marker is None:
        return
    headings = [b for b in doc.blocks if isinstance(b, Heading) and b.level <= 2]
    # One TOC field whose cached result lists the headings: Word refreshes it (with page
    # numbers) on opening, and any reader that does not update fields still sees the list.
    first = marker.insert_paragraph_before("", style="TOC 1")
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    first.add_run()._r.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    first.add_run()._r.append(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    first.add_run()._r.append(sep)
    paragraph = first
    for n, h in enumerate(headings):
        if n:
            paragraph = marker.insert_paragraph_before("", style=f"TOC {h.level}")
        else:
            paragraph.style = f"TOC {h.level}"
        paragraph.add_run(h.text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
    marker._p.getparent().remove(marker._p)
    _request_field_update(docx)


def _request_field_update(docx) -> None:
    settings = docx.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def _save(tpl: DocxTemplate, out: Path, template_path: Path) -> None:
    with atomic_path(Path(out)) as tmp:
        tpl.save(str(tmp))
        # Defence in depth: nothing fetched or run on opening leaves the pipeline, even if
        # a cover field spelt out what the template check refuses.
        check_written_word_file(tmp, template_path)


def _cover_context(meta: dict) -> dict:
    lines = meta.get("title_lines") or [meta["title"]]
    return {"title": meta["title"], "title_lines": lines + [""] * (2 - len(lines)),
            "subtitle": meta.get("subtitle", ""), "issuer": meta["issuer"],
            "date": meta["date"]}


@_naming_the_template
def render_whitepaper_docx(document_json: Path, figures_dir: Path, template_path: Path,
                           out: Path) -> None:
    doc = Document.from_json(read_text_file(Path(document_json)))
    tpl = _fill_cover(Path(template_path), _cover_context(doc.meta))
    docx = tpl.docx
    _write_toc(docx, doc, Path(template_path))
    writer = _Writer(docx, _find_marker(docx, BODY_MARKER, Path(template_path)), figures_dir,
                     _text_width(docx))
    # Chapters open on a new page because the template's Heading 1 style says so.
    for block in doc.blocks:
        if isinstance(block, Heading):
            writer.heading(block.text, block.level)
        elif isinstance(block, Paragraph):
            writer.body(block)
        elif isinstance(block, KeyFigurePanel):
            _key_figure_table(writer, doc.key_figures)
        elif isinstance(block, DataTable):
            _data_table(writer, block)
        else:
            writer.figure(block, block.number, width_ratio=0.92)
    writer.finish()
    _set_properties(docx, doc.meta, f"{doc.meta['title']}{doc.meta.get('subtitle', '')}")
    _save(tpl, out, Path(template_path))


@_naming_the_template
def render_brief_docx(document_json: Path, figures_dir: Path, template_path: Path,
                      out: Path) -> None:
    brief = make_brief(Document.from_json(read_text_file(Path(document_json))))
    context = _cover_context(brief.meta) | {"brief_title": brief.title}
    tpl = _fill_cover(Path(template_path), context)
    docx = tpl.docx
    writer = _Writer(docx, _find_marker(docx, BODY_MARKER, Path(template_path)), figures_dir,
                     _text_width(docx))
    _key_figure_table(writer, brief.key_figures)
    number = 0
    for chapter in brief.chapters:
        writer.heading(chapter.heading, 2)
        if chapter.summary:
            writer.paragraph("Brief Point", chapter.summary)
        for section in chapter.sections:
            writer.heading(section.heading, 3)
            if section.compact:
                writer.paragraph("Brief Point", "".join(p.lead for p in section.points))
            for point in [] if section.compact else section.points:
                p = writer.paragraph("Brief Point")
                p.add_run(point.lead, style="Lead-in")
                if point.evidence:
                    p.add_run(point.evidence)
            for fig in section.figures:
                number += 1
                writer.figure(fig, number, width_ratio=0.6)
    writer.finish()
    _set_properties(docx, brief.meta, f"{brief.meta['title']}{brief.title}")
    _save(tpl, out, Path(template_path))


def _key_figure_table(writer: _Writer, figures: list[KeyFigure]) -> None:
    if not figures:
        return
    writer.paragraph("Heading 3", "关键数据")
    cols = 3
    rows = (len(figures) + cols - 1) // cols
    table = writer.docx.add_table(rows=rows, cols=cols)
    table.style = "Key Figures"
    for n, k in enumerate(figures):
        cell = table.cell(n // cols, n % cols)
        value = cell.paragraphs[0]
        value.style = "Key Figure Value"
        value.add_run(k.number)
        value.add_run(k.unit, style="Key Figure Unit")
        cell.add_paragraph(f"{k.label}（{k.period}）", style="Key Figure Label")
    writer.marker._p.addprevious(table._tbl)
    writer.paragraph("Normal")


# Label, period, value, unit, section: the label takes what the others leave.
DATA_COLUMN_SHARES = (0.44, 0.19, 0.12, 0.13, 0.12)


def _data_table(writer: _Writer, block: DataTable) -> None:
    columns = DataTable.COLUMNS
    table = writer.docx.add_table(rows=1 + len(block.rows), cols=len(columns))
    table.style = "Data Table"
    header = table.rows[0]
    # The header row repeats at the top of every page the table runs over.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    table.autofit = False
    widths = [Emu(int(writer.text_width * share)) for share in DATA_COLUMN_SHARES]
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid, which LibreOffice reads
    for row_cells, data in zip((r.cells for r in table.rows),
                               [None] + list(block.rows)):
        for cell, width, (key, title) in zip(row_cells, widths, columns):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Text"
            paragraph.add_run(title if data is None else str(data[key]))
    writer.marker._p.addprevious(table._tbl)
