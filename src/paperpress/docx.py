"""The Word writer: the render model (paperpress.model) into the editor's Word template.

The template (templates/docx/*.docx) is an ordinary Word file. Its cover fields
({{ title }}, {{ issuer }}, {{ strings.contents }} … the locale's words) are filled by
docxtpl; the paragraph ``[[BODY]]`` marks where the text goes (wordbody.py writes it) and
``[[TOC]]`` where the table of contents goes. Every paragraph written uses a named style of
the template and no direct formatting, so restyling the template in Word restyles the next
build.
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
from .errors import SourceError
from .model import Document
from .textfiles import read_text_file
from .templating import (RENDER_ERRORS, describe_render_error, make_field_environment,
                         time_limit)
from .wordbody import BodyWriter, Flow
from .wordtemplate import check_word_template, check_written_word_file
from .wordpackage import finish_package, set_page_count
from .wordpages import bookmark_pages
from .wordxml import (add_link, add_page_reference, add_tab, begin_field, end_field,
                      set_language)

BODY_MARKER = "[[BODY]]"
TOC_MARKER = "[[TOC]]"
BRIEF_POINT = "Brief Point"  # a point of the brief: an item of a bulleted list
BRIEF_TEXT = "Brief Text"    # a chapter's summary, a section's run of headlines


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
    def render_naming_the_template(document_json, figures_dir, template_path, out,
                                   sources_dir=None):
        try:
            return render(document_json, figures_dir, template_path, out, sources_dir)
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
            ids[key] = _style_id(look_up, style_or_name, style_type, template_path,
                                 document.styles)
        return ids[key]

    part.get_style_id = get_style_id


STYLE_KINDS = {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character",
               WD_STYLE_TYPE.TABLE: "table", WD_STYLE_TYPE.LIST: "list"}


def _style_id(look_up, name: str, style_type, template_path: Path, styles=None):
    kind = STYLE_KINDS.get(style_type, "")
    try:
        return look_up(name, style_type)
    except KeyError:
        # Word saves its built-in styles under its own spelling ("footnote text", "toc 1").
        same = [s for s in styles or () if s.type == style_type
                and (s.name or "").lower() == name.lower()]
        if same:
            return same[0].style_id
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


def _text_width(docx) -> Emu:
    section = docx.sections[-1]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _finish(docx, doc: Document, subject: str) -> None:
    """The edition's properties, font table, theme and settings, from the publication."""
    meta = doc.meta
    keywords = meta.get("keywords", "")
    if isinstance(keywords, list):
        keywords = doc.strings.get("list_separator", ", ").join(map(str, keywords))
    finish_package(docx, title=meta["title"], subject=subject, author=meta["issuer"],
                   keywords=str(keywords),
                   description=run_on([meta["title"], meta.get("subtitle", "")]),
                   language=_language(doc),
                   word_fonts=doc.settings.get("word_fonts") or {})


def _language(doc: Document) -> str:
    """The publication's language tag as its locale gives it (en-GB), else the text's."""
    return doc.settings.get("language") or doc.meta["lang"]


def run_on(texts: list[str]) -> str:
    """Texts as one run of text: Latin-script sentences take a space between them, Chinese
    ones none (the model's texts carry their own punctuation)."""
    out = ""
    for text in texts:
        if out and text and out[-1].isascii() and text[0].isascii() \
                and not (out[-1].isspace() or text[0].isspace()):
            out += " "
        out += text
    return out


def _write_toc(docx, doc: Document, template_path: Path, bookmarks) -> list | None:
    """The table of contents at the template's [[TOC]]: None if it has none, else each
    entry's bookmark and the text element of its page number, for ``_number_contents``.

    One TOC field whose stored result is the contents as Word writes it: each entry a link
    to its heading in the TOC 1–3 style, a dot-leader tab, and a PAGEREF field to the
    heading's bookmark holding its page number. Word, WPS and LibreOffice show it as it is
    on opening; updating the field (F9) remakes it from the headings."""
    marker = _find_marker(docx, TOC_MARKER, template_path, required=False)
    if marker is None:
        return None
    levels = max([h.level for h in doc.contents] or [2])
    width = _text_width(docx).twips
    numbers = []
    paragraph = None
    for n, heading in enumerate(doc.contents):
        style = f"TOC {min(max(heading.level, 1), 3)}"
        paragraph = marker.insert_paragraph_before("", style=style)
        if not _has_right_tab(docx, style):
            # A template whose TOC style sets no tab for the page numbers: the one Word
            # itself writes into each entry.
            add_tab(paragraph, "right", width, leader="dot")
        if n == 0:
            begin_field(paragraph, f' TOC \\o "1-{levels}" \\h \\z \\u ')
        if heading.anchor:
            name = bookmarks.name(heading.anchor)
            run = add_link(paragraph, heading.text, None, anchor=name)
            numbers.append((name, add_page_reference(run._r.getparent(), name, "00")))
        else:
            paragraph.add_run(heading.text)
    if paragraph is None:  # no headings: the field alone, which Word fills on updating
        paragraph = marker.insert_paragraph_before("", style="TOC 1")
        begin_field(paragraph, f' TOC \\o "1-{levels}" \\h \\z \\u ')
    end_field(paragraph)
    marker._p.getparent().remove(marker._p)
    return numbers


def _has_right_tab(docx, style_name: str) -> bool:
    """Whether the style, or one it is based on, sets a right-aligned tab stop."""
    styles = docx.styles.element
    style = styles.get_by_id(docx.part.get_style_id(style_name, WD_STYLE_TYPE.PARAGRAPH))
    for _ in range(20):  # styles may be based on each other in a circle
        if style is None:
            return False
        for tab in style.iterfind(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"):
            if tab.get(qn("w:val")) in ("right", "end"):
                return True
        based_on = style.basedOn_val
        style = None if based_on is None else styles.get_by_id(based_on)
    return False


def _number_contents(docx, path: Path, numbers: list, first_page: int) -> None:
    """Each contents entry's page number, from a layout of the written file ``path``, and
    the edition's page count where Word keeps it (the change report reads it there)."""
    layout = bookmark_pages(path, [name for name, _ in numbers])
    for name, element in numbers:
        page = layout.bookmarks.get(name)
        element.text = "" if page is None else str(page - 1 + first_page)
    set_page_count(docx, layout.pages)


def _first_page_number(docx) -> int:
    """The number the first page bears: 1, or what the template's first section starts
    its page numbers at (Word: Page Number Format > Start at)."""
    start = docx.sections[0]._sectPr.find(f"{qn('w:pgNumType')}")
    value = None if start is None else start.get(qn("w:start"))
    return int(value) if value and value.isdigit() else 1


def _save(tpl: DocxTemplate, out: Path, template_path: Path, paginate=None) -> None:
    """Write the edition; ``paginate(path)``, if given, reads the written file's layout
    and fills in what depends on it (the contents' page numbers), then it is written
    again."""
    with atomic_path(Path(out)) as tmp:
        tpl.save(str(tmp))
        if paginate is not None:
            paginate(tmp)
            tpl.save(str(tmp))
        # Defence in depth: nothing fetched or run on opening leaves the pipeline, even if
        # a cover field spelt out what the template check refuses.
        check_written_word_file(tmp, template_path)


def _cover_context(doc: Document) -> dict:
    meta = doc.meta
    lines = meta.get("title_lines") or [meta["title"]]
    return {"title": meta["title"], "title_lines": lines + [""] * (2 - len(lines)),
            "subtitle": meta.get("subtitle", ""), "issuer": meta["issuer"],
            "date": meta["date"], "strings": dict(doc.strings)}


def _read_model(document_json: Path) -> Document:
    return Document.from_json(read_text_file(Path(document_json)))


@_naming_the_template
def render_whitepaper_docx(document_json: Path, figures_dir: Path, template_path: Path,
                           out: Path, sources_dir: Path | None = None) -> None:
    """The white paper's Word edition. ``sources_dir``: the publication's folder, where
    its pictures (images/…) are."""
    template_path = Path(template_path)
    doc = _read_model(document_json)
    tpl = _fill_cover(template_path, _cover_context(doc))
    docx = tpl.docx
    set_language(docx, _language(doc))
    chapters_on_new_page = bool(doc.settings.get("chapters_on_new_page", True))
    writer = BodyWriter(docx, doc, figures_dir, sources_dir, template_path,
                        figure_width=0.92, chapters_on_new_page=chapters_on_new_page)
    contents = _write_toc(docx, doc, template_path, writer.bookmarks)
    marker = _find_marker(docx, BODY_MARKER, template_path)
    flow = Flow.at_marker(docx, marker, _text_width(docx))
    writer.blocks(flow, doc.blocks)
    if contents is not None and not chapters_on_new_page:
        _start_on_new_page(flow)
    _remove_marker(marker)
    writer.finish()
    _finish(docx, doc, run_on([doc.meta["title"], doc.meta.get("subtitle", "")]))
    first_page = _first_page_number(docx)
    paginate = None if not contents else \
        (lambda path: _number_contents(docx, path, contents, first_page))
    _save(tpl, out, template_path, paginate)


def _start_on_new_page(flow: Flow) -> None:
    """The text after the contents opens a page, chapters on new pages or not."""
    first = flow.first
    if first is None:
        return
    if first.tag != qn("w:p"):
        first.addprevious(OxmlElement("w:p"))
        first = first.getprevious()
    ppr = first.get_or_add_pPr()
    ppr.get_or_add_pageBreakBefore().val = True


def _remove_marker(marker) -> None:
    """The body marker goes, but for a table at the end of the text: a document ends with
    a paragraph (Word's rule), so the marker stays, emptied."""
    previous = marker._p.getprevious()
    following = marker._p.getnext()
    if previous is not None and previous.tag == qn("w:tbl") and (
            following is None or following.tag != qn("w:p")):
        for child in [c for c in marker._p if c.tag != qn("w:pPr")]:
            marker._p.remove(child)
        return
    marker._p.getparent().remove(marker._p)


@_naming_the_template
def render_brief_docx(document_json: Path, figures_dir: Path, template_path: Path,
                      out: Path, sources_dir: Path | None = None) -> None:
    template_path = Path(template_path)
    doc = _read_model(document_json)
    brief = doc.brief
    if brief is None:
        raise SourceError(document_json, "the publication has no brief: publication.yaml"
                                         " has no 'brief:' setting")
    tpl = _fill_cover(template_path, _cover_context(doc) | {"brief_title": brief.title})
    docx = tpl.docx
    set_language(docx, _language(doc))
    writer = BodyWriter(docx, doc, figures_dir, sources_dir, template_path, figure_width=0.6)
    marker = _find_marker(docx, BODY_MARKER, template_path)
    flow = Flow.at_marker(docx, marker, _text_width(docx))
    writer.key_figures(flow)
    # The brief's outline as the white paper's: chapters Heading 1, sections Heading 2;
    # its points a bulleted list (Brief Point is tied to the template's list numbering).
    for chapter in brief.chapters:
        flow.paragraph("Heading 1").add_run(chapter.heading)
        if chapter.summary:
            flow.paragraph(BRIEF_TEXT).add_run(chapter.summary)
        for figure in chapter.figures:
            writer.figure(flow, figure)
        for section in chapter.sections:
            flow.paragraph("Heading 2").add_run(section.heading)
            for point in section.points:
                paragraph = flow.paragraph(BRIEF_POINT)
                paragraph.add_run(point.lead, style="Lead-in")
                paragraph.add_run(point.evidence)
            for figure in section.figures:
                writer.figure(flow, figure)
    _remove_marker(marker)
    writer.finish()
    _finish(docx, doc, run_on([doc.meta["title"], brief.title]))
    _save(tpl, out, template_path)
