"""The Word editions as their readers open them, read back from the .docx files: a contents
that shows its page numbers and leaders without updating fields, faces to fall back on
declared in the font table, nothing of the template's origin in the package, the settings
a Chinese text needs, and the brief's outline and points as real headings and lists."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO
from paperpress.docx import render_brief_docx, render_whitepaper_docx
from paperpress.document import write_document_model
from paperpress.errors import SourceError
from paperpress.locale import load_locale

TEMPLATES = REPO / "templates"
WHITEPAPER = TEMPLATES / "docx" / "whitepaper.docx"
BRIEF = TEMPLATES / "docx" / "brief.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# Two chapters of several pages each, so that the contents has page numbers to show.
TEXTS = {
    "zh-CN": {"title": "测试白皮书", "issuer": "某某办公室", "date": "2025年6月",
              "chapters": ["一、总述", "二、展望"], "section": "（一）进展",
              "sentence": "全省对外贸易持续增长，合作领域不断拓展，成效显著。",
              "lead": "**合作不断深化。**贸易增长{{ trade }}。", "brief": "要点"},
    "en": {"title": "A Test Report", "issuer": "Test Office", "date": "June 2025",
           "chapters": ["1 Overview", "2 Outlook"], "section": "1.1 Progress",
           "sentence": "Trade grew in every quarter of the year and cooperation widened. ",
           "lead": "**Cooperation deepened.** Trade grew by {{ trade }}. ",
           "brief": "At a glance"},
}


def write_publication(root: Path, lang: str) -> Path:
    t = TEXTS[lang]
    src = root / "sources" / f"pub-{lang}"
    (src / "data").mkdir(parents=True)
    (src / "charts").mkdir()
    (src / "publication.yaml").write_text(
        f"key_figures: [trade]\nbrief: {{title: {t['brief']}, charts: []}}\n",
        encoding="utf-8")
    (src / "data" / "trade.csv").write_text(
        "key,period,value,unit,label,section\ntrade,2024,12.5,%,Trade,1\n", encoding="utf-8")
    body = (t["sentence"] * 12 + "\n\n") * 12
    text = (f"---\ntitle: {t['title']}\nissuer: {t['issuer']}\ndate: {t['date']}\n"
            f"lang: {lang}\n---\n\n{{{{ key-figures }}}}\n\n")
    for chapter in t["chapters"]:
        text += (f"# {chapter}\n\n{body}## {t['section']}\n\n{t['lead']}{t['sentence']}\n\n"
                 f"{body}")
    (src / "text.md").write_text(text, encoding="utf-8")
    out = root / "document.json"
    write_document_model(src, out, TEMPLATES)
    return out


@pytest.fixture(scope="module", params=sorted(TEXTS))
def edition(request, tmp_path_factory):
    lang = request.param
    root = tmp_path_factory.mktemp(lang)
    model = write_publication(root, lang)
    figures = root / "figures"
    figures.mkdir()
    render_whitepaper_docx(model, figures, WHITEPAPER, root / "w.docx")
    render_brief_docx(model, figures, BRIEF, root / "b.docx")
    return lang, root / "w.docx", root / "b.docx"


def part(path: Path, name: str):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def style_of(paragraph) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(f"{W}val")


def text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def style(styles, style_id: str):
    return next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == style_id)


# --- The contents ---------------------------------------------------------------------------

def contents_entries(body) -> list:
    return [p for p in body.iter(f"{W}p") if re.fullmatch(r"TOC[1-3]", style_of(p))]


def test_the_contents_stores_its_entries_with_page_numbers_and_leaders(edition):
    lang, whitepaper, _ = edition
    body = part(whitepaper, "word/document.xml")
    styles = part(whitepaper, "word/styles.xml")
    entries = contents_entries(body)
    assert [text(p) for p in entries if style_of(p) == "TOC1"][0].startswith(
        TEXTS[lang]["chapters"][0])
    numbers = []
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    for entry in entries:
        link = entry.find(f"{W}hyperlink")
        assert link is not None and link.get(f"{W}anchor") in bookmarks
        instructions = [i.text for i in entry.iter(f"{W}instrText")]
        assert any(f"PAGEREF {link.get(f'{W}anchor')} \\h" in i for i in instructions)
        # The tab before the number, and the stored number after the field's separator.
        assert link.find(f"{W}r/{W}tab") is not None
        numbers.append(int(re.search(r"(\d+)$", text(entry))[1]))
        # The tab stop: right-aligned at the margin with a dot leader, in the entry's style.
        tabs = style(styles, style_of(entry)).findall(f"{W}pPr/{W}tabs/{W}tab")
        assert [(t.get(f"{W}val"), t.get(f"{W}leader")) for t in tabs] == [("right", "dot")]
    # After the cover and the contents, in reading order, a chapter a few pages on.
    assert numbers[0] >= 3 and numbers == sorted(numbers) and numbers[-1] > numbers[0]
    # The whole contents is one TOC field that Word can update (F9) …
    assert any(i.strip().startswith("TOC \\o") for i in
               (i.text for i in entries[0].iter(f"{W}instrText")))
    # … and nobody is asked to update fields on opening.
    assert part(whitepaper, "word/settings.xml").find(f"{W}updateFields") is None


def test_the_contents_shows_numbers_and_leaders_in_libreoffice(edition, tmp_path):
    """The numbers stored are those of the layout: the contents page as LibreOffice shows
    it lists each chapter with its dot leader and the page it stands on."""
    assert shutil.which("soffice"), ("soffice is not installed:"
                                   " `make publish` installs libreoffice-writer (DEB_PACKAGES)")
    lang, whitepaper, _ = edition
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(whitepaper)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "w.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    stored = [text(p) for p in contents_entries(part(whitepaper, "word/document.xml"))]
    for chapter in TEXTS[lang]["chapters"]:
        line = next(line for line in pages[1].splitlines() if chapter in line)
        number = re.search(r"\.{5,}\s*(\d+)\s*$", line)
        assert number, line
        assert chapter + number[1] in stored
        # The chapter stands on that page.
        assert chapter in pages[int(number[1]) - 1]
    # The page count the file keeps (for the change report) is that of this layout.
    assert part(whitepaper, "docProps/app.xml").findtext(f"{EP}Pages") == str(len(pages) - 1)


def test_without_libreoffice_the_build_says_what_to_install(tmp_path, monkeypatch):
    from paperpress import wordpages

    monkeypatch.setattr(wordpages, "office_program", lambda: None)
    model = write_publication(tmp_path, "en")
    with pytest.raises(SourceError) as err:
        render_whitepaper_docx(model, tmp_path, WHITEPAPER, tmp_path / "w.docx")
    message = str(err.value)
    assert "\n" not in message and "libreoffice-writer" in message
    assert not (tmp_path / "w.docx").exists()


# --- Faces ----------------------------------------------------------------------------------

def test_the_font_table_names_the_faces_to_fall_back_on_from_the_locale(edition):
    lang, whitepaper, brief = edition
    locale = load_locale(TEMPLATES / "locales" / f"{lang}.yaml")
    assert locale.word_fonts
    for path in (whitepaper, brief):
        fonts = {f.get(f"{W}name"): f for f in part(path, "word/fontTable.xml")}
        styles = part(path, "word/styles.xml")
        used = {f.get(f"{W}{slot}") for f in styles.iter(f"{W}rFonts")
                for slot in ("ascii", "hAnsi", "eastAsia")} - {None}
        # Every face the styles use is declared, and no face of the template's origin.
        assert used <= set(fonts)
        assert not [name for name in fonts if re.search(r"[\u3040-\u30ff]|ＭＳ", name)]
        for face, fallback in locale.word_fonts.items():
            if face not in used:
                continue
            font = fonts[face]
            assert font.find(f"{W}altName").get(f"{W}val") == ",".join(fallback["instead"])
            assert font.find(f"{W}charset").get(f"{W}val") == fallback["charset"]
            assert font.find(f"{W}family").get(f"{W}val") == fallback["family"]
    if lang == "zh-CN":
        fonts = {f.get(f"{W}name"): f for f in part(whitepaper, "word/fontTable.xml")}
        assert fonts["Noto Serif CJK SC"].find(f"{W}altName").get(f"{W}val").startswith("宋体")
        assert fonts["Noto Sans CJK SC"].find(f"{W}altName").get(f"{W}val").startswith("黑体")
        assert fonts["Noto Serif CJK SC"].find(f"{W}charset").get(f"{W}val") == "86"


def test_a_locale_refuses_a_word_font_it_cannot_declare(tmp_path):
    text = (TEMPLATES / "locales" / "en.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "en.yaml"
    bad.write_text(text.replace('charset: "00", family: roman',
                                'charset: "GB2312", family: roman'), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_locale(bad)
    line = next(n for n, l in enumerate(bad.read_text().splitlines(), 1) if "GB2312" in l)
    assert str(err.value).startswith(f"{bad}:{line}: word_fonts: 'Cambria' charset")


# --- Nothing of the template's origin -------------------------------------------------------

def test_properties_are_the_publications(edition, monkeypatch):
    lang, whitepaper, brief = edition
    for path in (whitepaper, brief):
        core = part(path, "docProps/core.xml")
        assert core.findtext(f"{DC}title") == TEXTS[lang]["title"]
        assert core.findtext(f"{DC}creator") == TEXTS[lang]["issuer"]
        # The language as the locale gives it: en with Babel's en_GB is en-GB.
        assert core.findtext(f"{DC}language") == {"en": "en-GB", "zh-CN": "zh-CN"}[lang]
        created = core.findtext(f"{DCTERMS}created")
        assert created == core.findtext(f"{DCTERMS}modified")
        made = datetime.datetime.fromisoformat(created.rstrip("Z"))
        assert abs(datetime.datetime.utcnow() - made) < datetime.timedelta(hours=1)
        assert "python-docx" not in etree.tostring(core, encoding="unicode")
        app = part(path, "docProps/app.xml")
        assert app.findtext(f"{EP}Application") == "paperpress"
        assert app.find(f"{EP}AppVersion") is None
        # The template's page count is not the edition's: the white paper's is that of
        # the layout its contents were numbered from; the brief, without one, gives none.
        pages = app.findtext(f"{EP}Pages")
        assert pages.isdigit() if path == whitepaper else pages is None
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            rels = package.read("_rels/.rels").decode()
        assert not [n for n in names if "thumbnail" in n.lower()]
        assert "thumbnail" not in rels
        assert "word/stylesWithEffects.xml" not in names
        types = part(path, "[Content_Types].xml")
        assert not [o for o in types.iter(f"{CT}Override")
                    if "thumbnail" in o.get("PartName").lower()]


def test_a_reproducible_build_dates_the_file_by_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    model = write_publication(tmp_path, "zh-CN")
    render_brief_docx(model, tmp_path, BRIEF, tmp_path / "b.docx")
    core = part(tmp_path / "b.docx", "docProps/core.xml")
    assert core.findtext(f"{DCTERMS}created") == "2025-06-15T15:06:40Z"


def test_the_theme_and_its_language_are_the_publications(edition):
    lang, whitepaper, _ = edition
    theme = part(whitepaper, "word/theme/theme1.xml")
    scripts = {f.get("script") for f in theme.iter(f"{A}font")}
    assert not scripts & {"Jpan", "Hang", "Hans", "Hant"}
    major = theme.find(f".//{A}majorFont/{A}ea").get("typeface")
    minor = theme.find(f".//{A}minorFont/{A}ea").get("typeface")
    theme_lang = part(whitepaper, "word/settings.xml").find(f"{W}themeFontLang")
    if lang == "zh-CN":
        assert (major, minor) == ("Noto Sans CJK SC", "Noto Serif CJK SC")
        assert theme_lang.get(f"{W}eastAsia") == "zh-CN"
    else:
        assert (major, minor) == ("", "")
        assert theme_lang.get(f"{W}val") == "en-GB"
        assert theme_lang.get(f"{W}eastAsia") is None


# --- Chinese settings -----------------------------------------------------------------------

def test_chinese_punctuation_is_compressed_and_no_space_is_added_between_scripts(edition):
    lang, whitepaper, brief = edition
    for path in (whitepaper, brief):
        settings = part(path, "word/settings.xml")
        control = settings.find(f"{W}characterSpacingControl").get(f"{W}val")
        defaults = part(path, "word/styles.xml").find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
        if lang == "zh-CN":
            assert control == "compressPunctuation"
            for name in ("autoSpaceDE", "autoSpaceDN"):
                assert defaults.find(f"{W}{name}").get(f"{W}val") == "0"
            # Line-breaking rules stay on.
            assert settings.find(f"{W}noLineBreaksAfter") is None
            assert not [k for k in part(path, "word/styles.xml").iter(f"{W}kinsoku")
                        if k.get(f"{W}val") in ("0", "false")]
        else:
            assert control != "compressPunctuation"


# --- The brief ------------------------------------------------------------------------------

def test_the_briefs_points_are_a_list_and_its_chapters_headings(edition):
    lang, _, brief = edition
    body = part(brief, "word/document.xml")
    styles = part(brief, "word/styles.xml")
    numbering = part(brief, "word/numbering.xml")
    t = TEXTS[lang]
    headings = [(style_of(p), text(p)) for p in body.iter(f"{W}p")
                if style_of(p).startswith("Heading")]
    assert headings == [("Heading1", t["chapters"][0]), ("Heading2", t["section"]),
                        ("Heading1", t["chapters"][1]), ("Heading2", t["section"])]
    points = [p for p in body.iter(f"{W}p") if style_of(p) == "BriefPoint"]
    assert points and not [p for p in points if re.match(r"\s*[•·\-–*]", text(p))]
    # The bullet is the style's list numbering.
    num_id = style(styles, "BriefPoint").find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
    num = next(n for n in numbering.iter(f"{W}num") if n.get(f"{W}numId") == num_id)
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = next(a for a in numbering.iter(f"{W}abstractNum")
                    if a.get(f"{W}abstractNumId") == abstract_id)
    assert abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == "bullet"


def test_the_key_figures_title_is_no_heading_of_the_outline(edition):
    lang, whitepaper, brief = edition
    key_figures = load_locale(TEMPLATES / "locales" / f"{lang}.yaml").strings["key_figures"]
    for path in (whitepaper, brief):
        body = part(path, "word/document.xml")
        titles = [p for p in body.iter(f"{W}p") if text(p) == key_figures]
        assert [style_of(p) for p in titles] == ["KeyFiguresTitle"]
        title_style = style(part(path, "word/styles.xml"), "KeyFiguresTitle")
        assert title_style.find(f"{W}pPr/{W}outlineLvl") is None
        assert title_style.find(f"{W}basedOn").get(f"{W}val") == "Normal"


def test_contents_numbers_follow_the_templates_page_numbering(edition, tmp_path):
    """A template whose pages are numbered from 0 (the cover uncounted): the contents
    shows the numbers its footers show, not the count of pages."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang, whitepaper, _ = edition
    template = docx.Document(str(WHITEPAPER))
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "0")
    sect_pr = template.sections[0]._sectPr
    sect_pr.find(qn("w:pgMar")).addnext(numbering)
    template.save(str(tmp_path / "from-zero.docx"))
    model = write_publication(tmp_path, lang)
    render_whitepaper_docx(model, tmp_path, tmp_path / "from-zero.docx", tmp_path / "w.docx")

    def numbers(path):
        return [int(re.search(r"(\d+)$", text(p))[1])
                for p in contents_entries(part(path, "word/document.xml"))]

    assert numbers(tmp_path / "w.docx") == [n - 1 for n in numbers(whitepaper)]
