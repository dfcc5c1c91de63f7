"""The Word writer maps every block of the render model to the Word construct a reader of
Word expects (list numbering, footnotes, hyperlinks, tables, boxes, numbered captions), in
the publication's language, all read back from the written .docx."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import etree

from conftest import REPO, squash
from paperpress import docx as word_writer
from paperpress.docx import render_brief_docx, render_whitepaper_docx
from paperpress.errors import SourceError
from paperpress.model import Document, Paragraph, UnknownBlock
from word_samples import LANGS, NOTE_URL, TEXTS, URL, sample_document, write_sample

TEMPLATES = REPO / "templates" / "docx"
WHITEPAPER, BRIEF = TEMPLATES / "whitepaper.docx", TEMPLATES / "brief.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class Edition:
    lang: str
    whitepaper: Path
    brief: Path
    doc: Document

    @property
    def t(self) -> dict:
        return TEXTS[self.lang]

    @property
    def s(self) -> dict:
        return self.doc.strings


@pytest.fixture(scope="module", params=LANGS)
def built(request, tmp_path_factory) -> Edition:
    lang = request.param
    folder = tmp_path_factory.mktemp(lang)
    document_json, figures, sources = write_sample(folder, lang)
    render_whitepaper_docx(document_json, figures, WHITEPAPER, folder / "w.docx", sources)
    render_brief_docx(document_json, figures, BRIEF, folder / "b.docx", sources)
    return Edition(lang, folder / "w.docx", folder / "b.docx", sample_document(lang))


def part(path: Path, name: str):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def text(element) -> str:
    """The text a reader sees."""
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def style_of(paragraph) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(f"{W}val")


def entry(paragraph) -> str:
    """A contents entry's text, up to the tab before its page number."""
    out = ""
    for element in paragraph.iter(f"{W}t", f"{W}tab"):
        if element.tag == f"{W}tab":
            break
        out += element.text or ""
    return out


def paragraphs(root, style: str) -> list:
    return [p for p in root.iter(f"{W}p") if style_of(p) == style]


def texts(root, style: str) -> list[str]:
    return [text(p) for p in paragraphs(root, style)]


def num_id(paragraph) -> str | None:
    num = paragraph.find(f"{W}pPr/{W}numPr/{W}numId")
    return None if num is None else num.get(f"{W}val")


def instructions(root) -> list[str]:
    return [i.text for i in root.iter(f"{W}instrText")]


# --- Lists -------------------------------------------------------------------------------

def test_lists_are_numbered_by_word_and_each_numbered_list_starts_again(built):
    body, t = part(built.whitepaper, "word/document.xml"), built.t
    assert texts(body, "ListBullet") == [t["bullet1"], t["bullet2"], t["box_item"]]
    assert texts(body, "ListContinue") == [t["continued"]]
    assert texts(body, "ListNumber2") == [t["nested1"], t["nested2"]]
    numbered = paragraphs(body, "ListNumber")
    assert [text(p) for p in numbered] == [t["num1"], t["num2"], t["num3"], t["num4"]]
    first, second, nested = num_id(numbered[0]), num_id(numbered[2]), num_id(
        paragraphs(body, "ListNumber2")[0])
    assert num_id(numbered[1]) == first and num_id(numbered[3]) == second
    assert len({first, second, nested}) == 3

    numbering = part(built.whitepaper, "word/numbering.xml")
    styles = part(built.whitepaper, "word/styles.xml")

    def num(num_id_value):
        return numbering.find(f"{W}num[@{W}numId='{num_id_value}']")

    def abstract_of_style(style_id):
        style = styles.find(f"{W}style[@{W}styleId='{style_id}']")
        style_num = style.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
        return num(style_num).find(f"{W}abstractNumId").get(f"{W}val")

    for value, start, style_id in ((first, "1", "ListNumber"), (second, "3", "ListNumber"),
                                   (nested, "1", "ListNumber2")):
        override = num(value).find(f"{W}lvlOverride/{W}startOverride")
        assert override.get(f"{W}val") == start
        assert num(value).find(f"{W}abstractNumId").get(f"{W}val") == abstract_of_style(
            style_id)
    # The bullets come from the style's own numbering: no numbering written per paragraph.
    assert all(num_id(p) is None for p in paragraphs(body, "ListBullet"))
    bullet = numbering.find(
        f"{W}abstractNum[@{W}abstractNumId='{abstract_of_style('ListBullet')}']")
    assert bullet.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == "bullet"


# --- Notes and links ------------------------------------------------------------------------

def test_a_note_is_a_word_footnote(built):
    body = part(built.whitepaper, "word/document.xml")
    calls = list(body.iter(f"{W}footnoteReference"))
    assert len(calls) == 1
    call_run = calls[0].getparent()
    assert call_run.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"
    notes = part(built.whitepaper, "word/footnotes.xml")
    by_id = {n.get(f"{W}id"): n for n in notes.iter(f"{W}footnote")}
    assert {by_id["-1"].get(f"{W}type"), by_id["0"].get(f"{W}type")} == {
        "separator", "continuationSeparator"}
    note = by_id[calls[0].get(f"{W}id")]
    note_paragraphs = note.findall(f"{W}p")
    assert [style_of(p) for p in note_paragraphs] == ["FootnoteText", "FootnoteText"]
    assert note_paragraphs[0].find(f".//{W}footnoteRef") is not None
    assert text(note_paragraphs[0]).strip() == built.t["note1"]
    assert text(note_paragraphs[1]) == built.t["note2"] + built.t["note_link"]

    with zipfile.ZipFile(built.whitepaper) as package:
        types = etree.fromstring(package.read("[Content_Types].xml"))
        note_rels = etree.fromstring(package.read("word/_rels/footnotes.xml.rels"))
    assert {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}[
        "/word/footnotes.xml"] == ("application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.footnotes+xml")
    # The link in the note is the footnotes part's own relationship.
    link = note_paragraphs[1].find(f"{W}hyperlink")
    rel = note_rels.find(f"{RELS}Relationship[@Id='{link.get(f'{R}id')}']")
    assert (rel.get("Type"), rel.get("Target"), rel.get("TargetMode")) == (
        HYPERLINK, NOTE_URL, "External")
    settings = part(built.whitepaper, "word/settings.xml")
    assert [f.get(f"{W}id") for f in settings.findall(f"{W}footnotePr/{W}footnote")] == [
        "-1", "0"]


def test_notes_join_a_footnotes_part_the_template_has(tmp_path):
    # Word saves a footnotes part (its separators) in most documents, footnotes or not.
    from paperpress.wordnotes import SEPARATORS

    document_json, figures, sources = write_sample(tmp_path, "en")
    template = tmp_path / "template.docx"
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    with zipfile.ZipFile(WHITEPAPER) as src, zipfile.ZipFile(template, "w") as out:
        for name in src.namelist():
            data = src.read(name).decode("utf-8") if name.endswith((".xml", ".rels")) \
                else src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace("</Types>", '<Override PartName="/word/footnotes.xml"'
                                    ' ContentType="application/vnd.openxmlformats-officedocument.'
                                    'wordprocessingml.footnotes+xml"/></Types>')
            elif name == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", f'<Relationship Id="rIdNotes"'
                                    f' Type="{kind}" Target="footnotes.xml"/></Relationships>')
            out.writestr(name, data)
        out.writestr("word/footnotes.xml", SEPARATORS)
    render_whitepaper_docx(document_json, figures, template, tmp_path / "w.docx", sources)
    with zipfile.ZipFile(tmp_path / "w.docx") as package:
        assert [n for n in package.namelist() if "footnotes" in n] == [
            "word/footnotes.xml", "word/_rels/footnotes.xml.rels"]
    notes = part(tmp_path / "w.docx", "word/footnotes.xml")
    assert [n.get(f"{W}id") for n in notes.iter(f"{W}footnote")] == ["-1", "0", "1"]
    assert TEXTS["en"]["note1"] in text(notes)


def test_a_link_out_is_a_hyperlink_to_its_address(built):
    body = part(built.whitepaper, "word/document.xml")
    rels = part(built.whitepaper, "word/_rels/document.xml.rels")
    external = [(r.get("Type"), r.get("Target"), r.get("TargetMode"), r.get("Id"))
                for r in rels.iter(f"{RELS}Relationship") if r.get("TargetMode")]
    assert [e[:3] for e in external] == [(HYPERLINK, URL, "External")]
    links = [h for h in body.iter(f"{W}hyperlink") if h.get(f"{R}id") == external[0][3]]
    assert [text(h) for h in links] == [built.t["link"]]
    assert links[0].find(f"{W}r/{W}rPr/{W}rStyle").get(f"{W}val") == "Hyperlink"


def test_a_cross_reference_links_to_a_bookmark_on_what_it_names(built):
    body = part(built.whitepaper, "word/document.xml")
    marked = {}  # bookmark name -> the paragraph that holds it
    for start in body.iter(f"{W}bookmarkStart"):
        marked[start.get(f"{W}name")] = start.getparent()
    links = {}
    for link in body.iter(f"{W}hyperlink"):
        if link.get(f"{W}anchor") and link.getparent().getparent().tag == f"{W}body" \
                and not style_of(link.getparent()).startswith("TOC"):
            links.setdefault(text(link), link.get(f"{W}anchor"))
    spans = [s for b in built.doc.walk() if isinstance(b, Paragraph) for s in b.spans
             if s.ref]
    assert len(spans) == 5
    target_style = {"fig-1": "Caption", "tbl-1": "Caption", "box-1": "BoxTitle",
                    "research": "Heading2"}
    s = built.s
    target_text = {"fig-1": s["figure"].format(number=1), "tbl-1": s["table"].format(number=1),
                   "box-1": s["box"].format(number=1), "research": built.t["section"]}
    for span in spans:
        target = marked[links[span.text]]  # the link shows the model's text
        assert style_of(target) == target_style[span.ref], span
        assert text(target).startswith(target_text[span.ref]), span


# --- Numbered things ------------------------------------------------------------------------

def test_captions_are_numbered_by_seq_fields_and_say_what_the_model_says(built):
    body, t, s = part(built.whitepaper, "word/document.xml"), built.t, built.s
    words = {kind: s[kind].replace("{number}", "").strip() for kind in ("figure", "table", "box")}
    fields = [" ".join(i.split()) for i in instructions(body)]
    assert fields.count(f"SEQ {words['figure']} \\* ARABIC") == 3
    assert fields.count(f"SEQ {words['table']} \\* ARABIC") == 1
    assert fields.count(f"SEQ {words['box']} \\* ARABIC") == 1
    sep = s["caption_separator"]
    assert texts(body, "Caption") == [
        s["figure"].format(number=1) + sep + t["chart_caption"],
        s["figure"].format(number=2) + sep + t["photo_caption"],
        s["figure"].format(number=3) + sep + t["map_caption"],
        s["table"].format(number=1) + sep + t["table_caption"]]
    assert texts(body, "BoxTitle") == [s["box"].format(number=1) + sep + t["box_title"]]
    assert texts(body, "SourceNote") == [t["chart_source"], t["photo_source"],
                                         t["table_source"]]


def report_tables(path: Path) -> list:
    return [t for t in docx.Document(str(path)).tables if t.style.name == "Report Table"]


def test_a_table_is_a_word_table_with_its_caption_above_and_header_repeated(built):
    numbered, appendix = report_tables(built.whitepaper)
    t, s = built.t, built.s
    caption = numbered._tbl.getprevious()
    assert style_of(caption) == "Caption" and text(caption).endswith(t["table_caption"])
    assert style_of(numbered._tbl.getnext()) == "SourceNote"
    header, *rows = numbered.rows
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r._tr.find(f"{W}trPr/{W}tblHeader") is None for r in rows)
    assert [text(c._tc) for c in header.cells] == [t["port"], "2023", "2024"]
    assert [text(c._tc) for c in rows[1].cells] == [t["south"], "987.6", "1,002.4"]
    styles = [[c.paragraphs[0].style.name for c in r.cells] for r in numbered.rows]
    assert styles[0] == ["Table Header", "Table Header Number", "Table Header Number"]
    assert styles[1] == ["Table Text", "Table Text Number", "Table Text Number"]
    number_cell = rows[0].cells[1].paragraphs[0]
    assert number_cell.paragraph_format.alignment is None  # no formatting written …
    assert number_cell.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT  # … styled
    grid = [int(c.get(f"{W}w")) for c in numbered._tbl.iter(f"{W}gridCol")]
    assert abs(grid[0] - 2 * grid[1]) <= 2 and grid[1] == grid[2]
    # The appendix has no caption: its table follows its heading.
    assert style_of(appendix._tbl.getprevious()) == "Heading1"
    assert [text(c._tc) for c in appendix.rows[0].cells] == [
        s["appendix_label"], s["appendix_period"], s["appendix_value"]]


def test_a_box_is_a_ruled_cell_holding_its_title_and_blocks(built):
    boxes = [t for t in docx.Document(str(built.whitepaper)).tables if t.style.name == "Box"]
    assert len(boxes) == 1 and len(boxes[0].rows) == 1 and len(boxes[0].columns) == 1
    cell = boxes[0].cell(0, 0)
    assert [(p.style.name, text(p._p)) for p in cell.paragraphs] == [
        ("Box Title", built.s["box"].format(number=1) + built.s["caption_separator"]
         + built.t["box_title"]),
        ("Box Text", built.t["box_text"]), ("List Bullet", built.t["box_item"])]
    assert any("SEQ" in i for i in instructions(cell._tc))


def test_pictures_carry_their_alt_text_at_their_width(built):
    document = docx.Document(str(built.whitepaper))
    section = document.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    shapes = {s._inline.docPr.get("descr"): s for s in document.inline_shapes}
    t = built.t
    assert set(shapes) == {t["chart_alt"], t["photo_alt"], t["map_alt"]}
    assert abs(shapes[t["photo_alt"]].width - 0.5 * text_width) <= 1
    assert abs(shapes[t["map_alt"]].width - 0.8 * text_width) <= 1
    assert abs(shapes[t["chart_alt"]].width - 0.92 * text_width) <= 1
    with zipfile.ZipFile(built.whitepaper) as package:
        assert len([n for n in package.namelist() if n.startswith("word/media/")]) == 3


def test_a_quote_is_set_in_the_quote_style(built):
    body = part(built.whitepaper, "word/document.xml")
    assert texts(body, "Quote") == [built.t["quote"]]


# --- Headings, contents, words --------------------------------------------------------------

def test_headings_contents_and_key_figures_speak_the_publications_language(built):
    body, t, s = part(built.whitepaper, "word/document.xml"), built.t, built.s
    chapters = paragraphs(body, "Heading1")
    assert [text(p) for p in chapters] == [t["chapter"], t["appendix"]]
    # chapters_on_new_page (the default): each chapter opens a page.
    assert all(p.find(f"{W}pPr/{W}pageBreakBefore") is not None for p in chapters)
    assert texts(body, "TOCHeading") == [s["contents"]]
    # Each entry: its heading's text, a tab, its page number (a PAGEREF field).
    assert [entry(p) for p in paragraphs(body, "TOC1")] == [t["chapter"], t["appendix"]]
    assert [entry(p) for p in paragraphs(body, "TOC2")] == [t["section"]]
    assert any('TOC \\o "1-2"' in i for i in instructions(body))
    # The key-figure panel's title is no heading of the outline.
    assert s["key_figures"] in texts(body, "KeyFiguresTitle")
    assert s["key_figures"] not in texts(body, "Heading3")
    assert texts(body, "KeyFigureLabel") == [
        t["kf_label"] + s["period_note"].format(period=t["kf_period"]), t["kf_label"]]


def test_chapters_share_pages_when_the_publication_says_so(tmp_path):
    document_json, figures, sources = write_sample(tmp_path, "zh-CN",
                                                   chapters_on_new_page=False)
    render_whitepaper_docx(document_json, figures, WHITEPAPER, tmp_path / "w.docx", sources)
    body = part(tmp_path / "w.docx", "word/document.xml")
    chapters = paragraphs(body, "Heading1")
    breaks = [p.find(f"{W}pPr/{W}pageBreakBefore") is not None for p in chapters]
    # Only the text's start leaves the contents' page.
    assert breaks == [True, False]
    styles = part(tmp_path / "w.docx", "word/styles.xml")
    heading = styles.find(f"{W}style[@{W}styleId='Heading1']/{W}pPr/{W}pageBreakBefore")
    assert heading is None or heading.get(f"{W}val") in ("0", "false")


def test_the_language_sets_the_documents_language_and_latin_face(built):
    styles = part(built.whitepaper, "word/styles.xml")
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}eastAsia") == built.lang
    fonts = styles.find(f"{W}style[@{W}styleId='Normal']/{W}rPr/{W}rFonts")
    template_fonts = part(WHITEPAPER, "word/styles.xml").find(
        f"{W}style[@{W}styleId='Normal']/{W}rPr/{W}rFonts")
    assert "CJK" in fonts.get(f"{W}eastAsia")
    if built.lang == "en":
        assert lang.get(f"{W}val") == "en"
        # The template's Latin face, not the CJK face's Latin letters.
        assert fonts.get(f"{W}ascii") == template_fonts.get(f"{W}ascii")
        assert "CJK" not in fonts.get(f"{W}ascii")
    else:
        assert fonts.get(f"{W}ascii") == fonts.get(f"{W}eastAsia")
    assert docx.Document(str(built.whitepaper)).core_properties.language == built.lang


def test_the_english_editions_hold_no_chinese(built):
    # The English sample holds no CJK: any in its editions came from the writer or the
    # templates. (The Chinese editions show that the check finds it where it is.)
    for edition in (built.whitepaper, built.brief):
        found = []
        with zipfile.ZipFile(edition) as package:
            for name in package.namelist():
                if name.endswith(".xml"):
                    root = etree.fromstring(package.read(name))
                    found += [(name, c) for c in CJK.findall("".join(root.itertext()))]
        assert bool(found) == (built.lang != "en"), (edition.name, found[:10])


# --- The brief ------------------------------------------------------------------------------

def test_the_brief_carries_its_points_figures_and_title(built):
    body, t, s = part(built.brief, "word/document.xml"), built.t, built.s
    space = " " if built.lang == "en" else ""
    # The brief's outline as the white paper's: chapters Heading 1, sections Heading 2;
    # the masthead's label and the key figures' title are no headings of it.
    assert texts(body, "Heading1") == [t["chapter"]]
    assert texts(body, "Heading2") == [t["section"], t["compact"]]
    assert texts(body, "Heading3") == []
    assert texts(body, "BriefLabel") == [t["brief_title"]]
    assert texts(body, "KeyFiguresTitle") == [s["key_figures"]]
    # Points are items of a list (the style's numbering), summaries and runs of headlines
    # plain text.
    assert texts(body, "BriefPoint") == [t["point"] + space + t["evidence"],
                                         t["compact1"] + space + t["compact2"]]
    assert texts(body, "BriefText") == [t["summary"]]
    assert texts(body, "Caption") == [
        s["figure"].format(number=1) + s["caption_separator"] + t["chart_caption"]]
    assert docx.Document(str(built.brief)).core_properties.title == t["title"]


def test_a_publication_without_a_brief_has_no_brief_edition(tmp_path):
    document_json, figures, sources = write_sample(tmp_path, "en")
    doc = Document.from_json(document_json.read_text(encoding="utf-8"))
    doc.brief = None
    document_json.write_text(doc.to_json(), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_brief_docx(document_json, figures, BRIEF, tmp_path / "b.docx", sources)
    assert str(err.value).startswith(f"{document_json}: the publication has no brief")
    assert not (tmp_path / "b.docx").exists()


# --- Errors ---------------------------------------------------------------------------------

def test_a_block_of_an_unknown_kind_is_an_error_not_skipped(tmp_path, monkeypatch):
    document_json, figures, sources = write_sample(tmp_path, "en")
    text_json = document_json.read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(text_json.replace('"kind": "quote"', '"kind": "video"'), encoding="utf-8")
    with pytest.raises(UnknownBlock, match="'video'"):
        render_whitepaper_docx(bad, figures, WHITEPAPER, tmp_path / "a.docx", sources)

    @dataclass
    class Video:
        kind: str = "video"

    doc = sample_document("en")
    doc.blocks.insert(2, Video())
    monkeypatch.setattr(word_writer, "_read_model", lambda _path: doc)
    with pytest.raises(UnknownBlock, match="the Word writer has no markup for a block of"
                                           " kind 'video'"):
        render_whitepaper_docx(document_json, figures, WHITEPAPER, tmp_path / "b.docx",
                               sources)
    assert not list(tmp_path.glob("*.docx"))


def test_a_list_style_without_numbering_names_the_template(tmp_path):
    document_json, figures, sources = write_sample(tmp_path, "en")
    template = tmp_path / "template.docx"
    with zipfile.ZipFile(WHITEPAPER) as src, zipfile.ZipFile(template, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "word/styles.xml":
                data = re.sub(rb'(w:styleId="ListNumber">.*?)<w:numPr>.*?</w:numPr>', rb"\1",
                              data, flags=re.S)
            out.writestr(name, data)
    with pytest.raises(SourceError) as err:
        render_whitepaper_docx(document_json, figures, template, tmp_path / "w.docx", sources)
    assert str(err.value).startswith(f"{template}: its style 'List Number' has no numbering")


@pytest.mark.parametrize("missing", ["sources/images/harbour.png", "figures/images/routes.png",
                                     "figures/trade.png"])
def test_a_picture_not_there_names_the_file(missing, tmp_path):
    document_json, figures, sources = write_sample(tmp_path, "en")
    (tmp_path / missing).unlink()
    with pytest.raises(SourceError) as err:
        render_whitepaper_docx(document_json, figures, WHITEPAPER, tmp_path / "w.docx", sources)
    assert err.value.path == str(tmp_path / missing)
    assert not (tmp_path / "w.docx").exists()


# --- As a reader sees it --------------------------------------------------------------------

def test_libreoffice_shows_the_notes_lists_and_box(built, tmp_path):
    assert shutil.which("libreoffice"), ("libreoffice is not installed:"
                                   " `make publish` installs libreoffice-writer (DEB_PACKAGES)")
    # A profile of its own: LibreOffice lets one process at a time use a profile.
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(built.whitepaper)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "w.pdf"
    shown = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    t = built.t
    for expected in (t["note1"], t["note2"] + t["note_link"], t["bullet1"], t["nested2"],
                     "1." + t["num1"], "3." + t["num3"], "4." + t["num4"], t["quote"],
                     built.s["box"].format(number=1), t["box_item"], t["table_caption"],
                     "1,002.4", built.s["contents"]):
        assert squash(expected) in shown, expected


def test_an_english_edition_has_no_letter_spaced_style(built):
    # The template's Title and Subtitle spread a Chinese cover out; Latin text is never
    # letter-spaced.
    styles = zipfile.ZipFile(built.whitepaper).read("word/styles.xml").decode("utf-8")
    spaced = re.findall(r"<w:rPr>(?:(?!</w:rPr>).)*?<w:spacing [^>]*>", styles, re.S)
    assert (spaced == []) == (built.lang == "en")
