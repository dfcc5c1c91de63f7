"""Word templates from editors: nothing fetched or run on opening reaches the Word editions,
and every broken template stops the build with one line naming it."""

from __future__ import annotations

import importlib.util
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import REPO
from paperpress.docx import render_brief_docx, render_whitepaper_docx
from paperpress.errors import SourceError
from paperpress.model import (Brief, BriefChapter, BriefPoint, BriefSection, Document,
                              Heading, KeyFigure, KeyFigurePanel, Paragraph, Span, Table)
from paperpress.wordtemplate import check_word_template

TEMPLATES = REPO / "templates" / "docx"
WHITEPAPER = TEMPLATES / "whitepaper.docx"
RENDERERS = {"whitepaper": render_whitepaper_docx, "brief": render_brief_docx}
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCUMENT_RELS = "word/_rels/document.xml.rels"


@pytest.fixture
def model(tmp_path) -> Path:
    """A tiny publication's render model with the kinds of block both Word editions write
    (built by hand: the Word writer reads the model, not the Markdown)."""
    chapter = Heading(1, "一、总述", "overview")
    doc = Document(
        meta={"title": "白皮书", "issuer": "某某", "date": "2023年", "lang": "zh-CN"},
        blocks=[chapter, KeyFigurePanel(), Heading(2, "（一）研发", "research"),
                Paragraph([Span("研发投入增加。", strong=True), Span("投入"),
                           Span("增长", em=True), Span("12.5%。")]),
                Table(header=[[[Span("指标")], [Span("数值")]]],
                      rows=[[[Span("研发投入")], [Span("12.5")]]], align=["left", "right"],
                      widths=[0.7, 0.3], origin="appendix")],
        key_figures=[KeyFigure("12.5", "%", "研发投入", "2022年")],
        brief=Brief("要点", [BriefChapter("一、总述", "", sections=[BriefSection(
            "（一）研发", [BriefPoint("研发投入增加。", "投入增长12.5%。")])])]),
        strings=yaml.safe_load((REPO / "templates" / "locales" / "zh-CN.yaml").read_text(
            encoding="utf-8"))["strings"],
        contents=[chapter])
    out = tmp_path / "document.json"
    out.write_text(doc.to_json(), encoding="utf-8")
    (tmp_path / "figures").mkdir()
    return out


def repack(dest: Path, changes: dict, source: Path = WHITEPAPER) -> Path:
    """A copy of ``source`` with parts replaced (text or bytes), edited (a function of the
    part's text), added, or removed (None), as an editor's Word might have saved it."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            change = changes.get(name, src.read(name))
            if callable(change):
                change = change(src.read(name).decode("utf-8"))
            if change is not None:
                out.writestr(name, change)
        for name, content in changes.items():
            if name not in src.namelist() and content is not None:
                out.writestr(name, content)
    return dest


def add_relationship(rels_xml: str, rel_id: str, kind: str, target: str,
                     external: bool = True) -> str:
    mode = ' TargetMode="External"' if external else ""
    return rels_xml.replace("</Relationships>", f'<Relationship Id="{rel_id}" Type="{kind}"'
                                                f' Target="{target}"{mode}/></Relationships>')


def add_content_type(types_xml: str, part: str, content_type: str) -> str:
    return types_xml.replace("</Types>", f'<Override PartName="/{part}"'
                                         f' ContentType="{content_type}"/></Types>')


def add_to_body(document_xml: str, paragraph: str) -> str:
    return document_xml.replace("<w:body>", "<w:body>" + paragraph, 1)


LINKED_PICTURE = (
    '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/>'
    '<wp:docPr id="99" name="logo"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="0" name="logo"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:link="rIdLogo"/><a:stretch><a:fillRect/></a:stretch>'
    '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/>'
    '</a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    '</wp:inline></w:drawing></w:r></w:p>')


def field(instruction: str) -> str:
    return ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText'
            f' xml:space="preserve">{instruction}</w:instrText></w:r><w:r><w:fldChar'
            ' w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r><w:r><w:fldChar'
            ' w:fldCharType="end"/></w:r></w:p>')


def external_picture(dest):
    return repack(dest, {
        DOCUMENT_RELS: lambda x: add_relationship(x, "rIdLogo", f"{REL}/image",
                                                  "http://example.invalid/logo.png"),
        "word/document.xml": lambda x: add_to_body(x, LINKED_PICTURE)})


def remote_attached_template(dest):
    return repack(dest, {
        "word/_rels/settings.xml.rels": add_relationship(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{RELS_NS}"></Relationships>', "rId1",
            f"{REL}/attachedTemplate", "http://example.invalid/x.dotm"),
        "word/settings.xml": lambda x: re.sub(r"(<w:proofState[^>]*/>)",
                                              r'\1<w:attachedTemplate r:id="rId1"/>', x)})


def macros(dest):
    return repack(dest, {
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
        "[Content_Types].xml": lambda x: add_content_type(x, "word/vbaProject.bin",
                                                          "application/vnd.ms-office.vbaProject")})


def macro_enabled(dest):
    return repack(dest, {"[Content_Types].xml": lambda x: x.replace(
        "wordprocessingml.document.main+xml", "PLACEHOLDER").replace(
        "application/vnd.openxmlformats-officedocument.PLACEHOLDER",
        "application/vnd.ms-word.document.macroEnabled.main+xml")})


def embedded_object(dest):
    ole = "application/vnd.openxmlformats-officedocument.oleObject"
    return repack(dest, {
        "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
        "[Content_Types].xml": lambda x: add_content_type(x, "word/embeddings/oleObject1.bin",
                                                          ole),
        DOCUMENT_RELS: lambda x: add_relationship(x, "rIdOle", f"{REL}/oleObject",
                                                  "embeddings/oleObject1.bin", external=False)})


def linked_object(dest):
    return repack(dest, {DOCUMENT_RELS: lambda x: add_relationship(
        x, "rIdOle", f"{REL}/oleObject", "file://server/share/budget.xlsx")})


def activex(dest):
    return repack(dest, {"word/activeX/activeX1.xml": "<ax:ocx xmlns:ax="
                         '"http://schemas.microsoft.com/office/2006/activeX"/>'})


def fetching_field(dest):
    return repack(dest, {"word/document.xml": lambda x: add_to_body(
        x, field('INCLUDEPICTURE "http://example.invalid/p.png" \\d'))})


def file_hyperlink(dest):
    return repack(dest, {DOCUMENT_RELS: lambda x: add_relationship(
        x, "rIdLink", f"{REL}/hyperlink", "file://///server/share/x.docx")})


def mail_merge(dest):
    return repack(dest, {"word/settings.xml": lambda x: re.sub(
        r"(<w:proofState[^>]*/>)", r'\1<w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
        r'<w:dataType w:val="native"/></w:mailMerge>', x)})


def truncated(dest):
    data = WHITEPAPER.read_bytes()
    dest.write_bytes(data[:len(data) // 2])
    return dest


def damaged_part(dest):
    data = bytearray(WHITEPAPER.read_bytes())
    with zipfile.ZipFile(WHITEPAPER) as package:
        styles = package.getinfo("word/styles.xml")
    start = styles.header_offset + 30 + len(styles.filename) + len(styles.extra)
    data[start + 1000:start + 1100] = bytes(100)
    dest.write_bytes(bytes(data))
    return dest


def text_file(dest):
    dest.write_text("这不是Word文件\n", encoding="utf-8")
    return dest


def old_word_format(dest):
    dest.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    return dest


def no_document_part(dest):
    return repack(dest, {"word/document.xml": None})


def malformed_part(dest):
    return repack(dest, {"word/styles.xml": lambda x: x[:len(x) // 2]})


def opendocument(dest):
    with zipfile.ZipFile(dest, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content xmlns:office="
                                        '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return dest


def word_template_file(dest):
    return repack(dest, {"[Content_Types].xml": lambda x: x.replace(
        "wordprocessingml.document.main", "wordprocessingml.template.main")})


# Each broken template, and words its one-line message must carry: what was found and how.
BROKEN = {
    "external picture": (external_picture, ["http://example.invalid/logo.png", "picture",
                                            "Break Link"]),
    "remote attached template": (remote_attached_template,
                                 ["http://example.invalid/x.dotm", "Document Template"]),
    "macros": (macros, ["macros", "vbaProject.bin", "Word Document (.docx)"]),
    "macro-enabled": (macro_enabled, ["macro-enabled", "Save As > Word Document (.docx)"]),
    "embedded object": (embedded_object, ["embedded", "oleObject1.bin"]),
    "linked object": (linked_object, ["file://server/share/budget.xlsx"]),
    "activex": (activex, ["ActiveX", "activeX1.xml"]),
    "fetching field": (fetching_field, ["INCLUDEPICTURE", "http://example.invalid/p.png",
                                        "Ctrl+Shift+F9"]),
    "file hyperlink": (file_hyperlink, ["file://///server/share/x.docx", "Remove Hyperlink"]),
    "mail merge": (mail_merge, ["mail-merge", "Normal Word Document"]),
    "truncated": (truncated, ["is not a valid Word file (.docx)"]),
    "damaged part": (damaged_part, ["is not a valid Word file (.docx)", "word/styles.xml"]),
    "text file": (text_file, ["is not a valid Word file (.docx)", "not a zip"]),
    "old .doc": (old_word_format, [".doc", "Word Document (.docx)"]),
    "no document part": (no_document_part, ["is not a valid Word file (.docx)",
                                            "word/document.xml"]),
    "malformed part": (malformed_part, ["is not a valid Word file (.docx)", "word/styles.xml"]),
    ".dotx": (word_template_file, [".dotx", "Word Document (.docx)"]),
    ".odt": (opendocument, ["OpenDocument", "(.docx)"]),
    "missing": (lambda dest: dest, ["not found"]),
}


@pytest.mark.parametrize("edition", RENDERERS)
@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_or_hostile_template_stops_the_build_naming_it(case, edition, model,
                                                                tmp_path):
    make, words = BROKEN[case]
    template = make(tmp_path / "template.docx")
    out = tmp_path / "out.docx"
    with pytest.raises(SourceError) as err:
        RENDERERS[edition](model, tmp_path / "figures", template, out)
    message = str(err.value)
    assert err.value.path == str(template)
    assert message.startswith(f"{template}: ") and "\n" not in message
    for word in words:
        assert word in message
    assert not out.exists() and not list(tmp_path.glob(".out.docx.*"))


def run_cli(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERPRESS_WORKER": "off"}
    return subprocess.run([sys.executable, "-m", "paperpress", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("case", ["remote attached template", "macro-enabled", "truncated",
                                  "text file"])
def test_the_command_line_reports_a_broken_template_in_one_line(case, model, tmp_path):
    template = BROKEN[case][0](tmp_path / "template.docx")
    result = run_cli("docx", "whitepaper", model, tmp_path / "figures", template,
                     tmp_path / "out.docx")
    assert result.returncode == 1
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {template}: ")


def with_cover_field(dest: Path, expression: str, source: Path = WHITEPAPER) -> Path:
    return repack(dest, {"word/document.xml": lambda x: x.replace(
        "{{ issuer }}", expression.replace("<", "&lt;").replace(">", "&gt;"))}, source)


FIELD_ERRORS = {
    "{{ 1/0 }}": "division by zero",
    "{{ ''.__class__ }}": "unsafe",
    "{{ title.__class__.__mro__ }}": "unsafe",
    "{{ title + 1 }}": "TypeError",
    "{{ 10.0 ** 400 }}": "OverflowError",
    "{{ issuer_name }}": "'issuer_name' is undefined",
}


@pytest.mark.parametrize("edition", RENDERERS)
@pytest.mark.parametrize("expression", FIELD_ERRORS)
def test_an_error_in_a_cover_field_names_the_template(expression, edition, model, tmp_path):
    source = TEMPLATES / f"{edition}.docx"
    template = with_cover_field(tmp_path / "template.docx", expression, source)
    with pytest.raises(SourceError) as err:
        RENDERERS[edition](model, tmp_path / "figures", template, tmp_path / "out.docx")
    message = str(err.value)
    assert message.startswith(f"{template}: template field error: ") and "\n" not in message
    assert FIELD_ERRORS[expression] in message


@pytest.mark.parametrize("expression", ["{{ 1/0 }}", "{{ title.__class__.__mro__ }}"])
def test_the_command_line_reports_a_cover_field_error_in_one_line(expression, model,
                                                                  tmp_path):
    template = with_cover_field(tmp_path / "template.docx", expression)
    result = run_cli("docx", "whitepaper", model, tmp_path / "figures", template,
                     tmp_path / "out.docx")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {template}: template field error: ")


def test_a_field_spelt_out_by_the_cover_fields_is_caught_in_the_written_edition(model,
                                                                                 tmp_path):
    # The template's field instruction is Jinja, not INCLUDEPICTURE, until it is filled.
    template = repack(tmp_path / "template.docx", {"word/document.xml": lambda x: add_to_body(
        x, field("{{ 'INCLUDE' ~ 'PICTURE' }} &quot;http://example.invalid/p.png&quot;"))})
    check_word_template(template)
    out = tmp_path / "out.docx"
    with pytest.raises(SourceError) as err:
        render_whitepaper_docx(model, tmp_path / "figures", template, out)
    assert str(err.value).startswith(f"{template}: the Word edition written from this template")
    assert "INCLUDEPICTURE" in str(err.value)
    assert not out.exists() and not list(tmp_path.glob(".out.docx.*"))


@pytest.mark.parametrize("name", ["whitepaper.docx", "brief.docx"])
def test_the_bundled_templates_pass_the_check(name):
    check_word_template(TEMPLATES / name)


def test_templates_made_by_the_template_tool_pass_the_check(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_word_templates",
                                                  REPO / "tools" / "make_word_templates.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(tool, "OUT", tmp_path)
    tool.whitepaper()
    tool.brief()
    for name in ("whitepaper.docx", "brief.docx"):
        check_word_template(tmp_path / name)


def external_relationships(docx: Path) -> list[tuple[str, str, str]]:
    """(part, relationship type, target) of every external relationship in the file."""
    found = []
    with zipfile.ZipFile(docx) as package:
        for name in package.namelist():
            if name.endswith(".rels"):
                rels = etree.fromstring(package.read(name))
                for rel in rels.iter(f"{{{RELS_NS}}}Relationship"):
                    if rel.get("TargetMode") == "External":
                        found.append((name, rel.get("Type"), rel.get("Target")))
    return found


@pytest.mark.parametrize("edition", RENDERERS)
def test_the_edition_carries_no_external_relationship_but_the_templates_hyperlinks(
        edition, model, tmp_path):
    # The footer links the issuer's web site: the one kind of external link a template keeps.
    source = TEMPLATES / f"{edition}.docx"
    template = repack(tmp_path / "template.docx", {
        "word/_rels/footer1.xml.rels": add_relationship(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{RELS_NS}"></Relationships>', "rIdSite",
            f"{REL}/hyperlink", "https://example.org/"),
        "word/footer1.xml": lambda x: x.replace(
            "</w:ftr>", '<w:p><w:hyperlink r:id="rIdSite"><w:r><w:t>example.org</w:t></w:r>'
                        '</w:hyperlink></w:p></w:ftr>')}, source)
    out = tmp_path / "out.docx"
    RENDERERS[edition](model, tmp_path / "figures", template, out)
    assert external_relationships(out) == [("word/_rels/footer1.xml.rels", f"{REL}/hyperlink",
                                            "https://example.org/")]
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
    assert not [n for n in names if re.search(r"vbaProject|embeddings/|activeX/", n, re.I)]


def test_a_picture_held_in_the_template_passes(model, tmp_path):
    png = (REPO / "docs" / "pages" / "cover.png").read_bytes()
    template = repack(tmp_path / "template.docx", {
        "word/media/logo.png": png,
        "[Content_Types].xml": lambda x: add_content_type(x, "word/media/logo.png",
                                                          "image/png"),
        DOCUMENT_RELS: lambda x: add_relationship(x, "rIdLogo", f"{REL}/image",
                                                  "media/logo.png", external=False),
        "word/document.xml": lambda x: add_to_body(
            x, LINKED_PICTURE.replace('r:link="rIdLogo"', 'r:embed="rIdLogo"'))})
    out = tmp_path / "out.docx"
    render_whitepaper_docx(model, tmp_path / "figures", template, out)
    with zipfile.ZipFile(out) as package:
        assert package.read("word/media/logo.png") == png


@pytest.mark.parametrize("edition, style", [
    ("whitepaper", "Body Text"), ("whitepaper", "Report Table"), ("whitepaper", "TOC 1"),
    ("whitepaper", "Key Figures"), ("brief", "Brief Point"), ("brief", "Key Figure Unit")])
def test_a_renamed_style_names_the_template_and_the_style(style, edition, model, tmp_path):
    source = TEMPLATES / f"{edition}.docx"
    template = repack(tmp_path / "template.docx", {"word/styles.xml": lambda x: x.replace(
        f'<w:name w:val="{style}"/>', '<w:name w:val="Renamed"/>')}, source)
    with pytest.raises(SourceError) as err:
        RENDERERS[edition](model, tmp_path / "figures", template, tmp_path / "out.docx")
    assert str(err.value).startswith(f"{template}: has no ")
    assert f"style '{style}'" in str(err.value)


def test_a_character_style_made_a_paragraph_style_names_the_template(model, tmp_path):
    template = repack(tmp_path / "template.docx", {"word/styles.xml": lambda x: re.sub(
        r'w:type="character"([^>]*w:styleId="KeyFigureUnit")', r'w:type="paragraph"\1', x)})
    with pytest.raises(SourceError) as err:
        render_brief_docx(model, tmp_path / "figures", template, tmp_path / "out.docx")
    assert str(err.value) == (f"{template}: its style 'Key Figure Unit' is not a character"
                              " style, which the Word editions need: make a new character"
                              " style of that name")


@pytest.mark.parametrize("edition", RENDERERS)
@pytest.mark.parametrize("where", ["title", "body"])
def test_a_control_character_in_the_text_names_the_template(where, edition, model, tmp_path):
    # The sources refuse control characters; a model that holds one anyway stops here.
    text = model.read_text(encoding="utf-8")
    original = "白皮书" if where == "title" else "研发投入增加"
    assert original in text
    model.write_text(text.replace(original, original[:2] + "\\u0001" + original[2:]),
                     encoding="utf-8")
    with pytest.raises(SourceError) as err:
        RENDERERS[edition](model, tmp_path / "figures", TEMPLATES / f"{edition}.docx",
                           tmp_path / "out.docx")
    assert str(err.value).startswith(f"{TEMPLATES / f'{edition}.docx'}: ")
    assert "control character" in str(err.value)


@pytest.mark.parametrize("edition", RENDERERS)
@pytest.mark.parametrize("statement", ["{% include 'note.txt' %}",
                                       "{% import 'note.txt' as note %}",
                                       "{% from 'note.txt' import x %}"])
def test_a_cover_field_cannot_include_another_file(statement, edition, model, tmp_path):
    # A file the fields read would be no declared input of the build: a change to it would
    # not reach the editions, nor would anything check what it holds.
    source = TEMPLATES / f"{edition}.docx"
    (tmp_path / "note.txt").write_text("内部备注", encoding="utf-8")
    template = with_cover_field(tmp_path / "template.docx", "{{ issuer }}" + statement,
                                source)
    out = tmp_path / "out.docx"
    with pytest.raises(SourceError) as err:
        RENDERERS[edition](model, tmp_path / "figures", template, out)
    assert str(err.value) == (f"{template}: template field error: a Word template's fields"
                              " cannot include other files ('note.txt'): write the text into"
                              " the template")
    assert not out.exists()


# --- Zip bombs: what a template unpacks to is bounded before any part is read ---------------

def with_streamed_part(dest: Path, name: str, head: bytes, megabytes_of_spaces: int,
                       source: Path = WHITEPAPER) -> Path:
    """A copy of ``source`` with part ``name`` written as ``head`` followed by that many
    megabytes of spaces, streamed, so the test never holds them in memory."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != name:
                out.writestr(info.filename, src.read(info.filename))
        with out.open(name, "w") as part:
            part.write(head)
            for _ in range(megabytes_of_spaces):
                part.write(b" " * (1 << 20))
    return dest


def understate(path: Path, name: str, claimed: bytes) -> Path:
    """Make the zip directory (and local header) say that part ``name`` holds ``claimed``,
    size and CRC, while its data inflates to more: what a crafted zip bomb does."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(name)
    crc, size = zlib.crc32(claimed), len(claimed)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, size)
    central = next(at for at in _central_entries(data) if _entry_name(data, at) == name)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as package:
        assert package.getinfo(name).file_size == size
    return path


def _central_entries(data: bytes):
    at = data.find(b"PK\x01\x02")
    while at != -1:
        yield at
        at = data.find(b"PK\x01\x02", at + 4)


def _entry_name(data: bytes, at: int) -> str:
    length = struct.unpack_from("<H", data, at + 28)[0]
    return data[at + 46:at + 46 + length].decode("utf-8", "replace")


def test_a_part_that_unpacks_past_the_bound_is_refused_before_it_is_read(tmp_path):
    template = with_streamed_part(tmp_path / "bomb.docx", "word/media/padding.bin", b"", 51)
    assert template.stat().st_size < 1_000_000
    with pytest.raises(SourceError) as err:
        check_word_template(template)
    assert str(err.value).startswith(f"{template}: its part word/media/padding.bin unpacks to"
                                     " 51 MB, more than the 50 MB a part may have: ")


def test_xml_parts_that_unpack_past_their_bound_are_refused_before_they_are_parsed(tmp_path):
    template = with_streamed_part(tmp_path / "bomb.docx", "customXml/item1.xml", b"<a>", 10)
    with pytest.raises(SourceError) as err:
        check_word_template(template)
    # The template's own parts count too (how much depends on the template).
    assert re.match(rf"{re.escape(str(template))}: its XML parts unpack to 1[01] MB, more"
                    " than the 10 MB a Word file's text, styles and settings may have: ",
                    str(err.value))


def test_parts_that_unpack_past_the_bound_together_are_refused(tmp_path, monkeypatch):
    import paperpress.wordtemplate as wordtemplate

    monkeypatch.setattr(wordtemplate, "MAX_PACKAGE_BYTES", 3 << 20)
    template = with_streamed_part(tmp_path / "bomb.docx", "word/media/padding.bin", b"", 3)
    with pytest.raises(SourceError) as err:
        check_word_template(template)
    assert re.match(rf"{re.escape(str(template))}: unpacks to [34] MB, more than the 3 MB a"
                    " Word file may have: ", str(err.value))


def test_a_part_that_inflates_past_its_declared_size_is_refused(tmp_path):
    document = zipfile.ZipFile(WHITEPAPER).read("word/document.xml")
    template = understate(with_streamed_part(tmp_path / "bomb.docx", "word/document.xml",
                                             document, 8), "word/document.xml", document)
    with pytest.raises(SourceError) as err:
        check_word_template(template)
    assert str(err.value).startswith(f"{template}: is not a valid Word file (.docx): the part"
                                     " word/document.xml is damaged (")


def test_reading_a_part_holds_no_more_than_its_declared_size(tmp_path):
    # The check of a written edition reads its XML parts without testing every member
    # first: a read that inflated all there is would hold 64 MB here.
    import tracemalloc

    from paperpress.wordtemplate import check_written_word_file

    document = zipfile.ZipFile(WHITEPAPER).read("word/document.xml")
    written = understate(with_streamed_part(tmp_path / "bomb.docx", "word/document.xml",
                                            document, 64), "word/document.xml", document)
    tracemalloc.start()
    try:
        check_written_word_file(written, WHITEPAPER)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
