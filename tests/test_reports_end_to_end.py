"""Two reports of other shapes and languages, built as `make publish` builds them: the
bundled English example (sources/northwind-harbour-2025) and a Chinese statistical
bulletin (tests/fixtures/bulletin-zh). Each construct is checked in each edition from the
files a reader gets: the PDF's text and links, the Word file's XML, the HTML."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import REPO, copy_project, snakemake, squash

pytestmark = pytest.mark.e2e

EN, ZH = "northwind-harbour-2025", "bulletin-zh"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("reports"))
    shutil.rmtree(root / "sources" / "hunan-bri-2023")  # built by test_end_to_end.py
    shutil.copytree(REPO / "tests" / "fixtures" / ZH, root / "sources" / ZH)
    result = snakemake(root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def edition(project: Path, pub: str, name: str) -> Path:
    return project / "output" / pub / name


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def docx_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(part).decode("utf-8")


def html_body(path: Path):
    return lxml_html.parse(str(path)).getroot().cssselect("body")[0]


def test_each_report_publishes_its_editions_and_the_bulletin_no_appendix(project):
    for pub in (EN, ZH):
        names = {p.name for p in (project / "output" / pub).iterdir()}
        assert {"whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html", "whitepaper.docx",
                "brief.pdf", "brief-press.pdf", "brief.docx", "manifest.json",
                "numbers.html", "changes.html", "document.json", "pages.json"} == names
    assert "Annex: Statistics" in pdf_text(edition(project, EN, "whitepaper.pdf"))
    assert "附表" not in pdf_text(edition(project, ZH, "whitepaper.pdf"))


def test_the_english_pdf_carries_every_construct_in_english(project):
    pages = pdf_text(edition(project, EN, "whitepaper.pdf")).split("\f")
    text = "\n".join(pages)
    flat = " ".join(text.split())
    assert "Contents" in text and "Key figures" in text
    assert "1.55 million TEU" in flat and "GBP 102.7 million" in flat
    assert "Table 1 Cargo handled by type, 2023–2025" in flat
    assert "Table 2 Main scheduled services, 2025" in flat
    assert "Figure 1 Container Terminal North at dusk" in flat
    assert "Box 1 Connecting a ship to shore power" in flat
    assert "(see Table 1)" in flat and "(see Box 1)" in flat and "(see “Outlook”)" in flat
    assert "as Figure 2 shows" in flat
    assert "A port is only as good as the trust" in flat  # the chair's quote
    # A footnote is printed at the foot of the page that calls it.
    calling = next(p for p in pages if "Container throughput rose for the fourth year" in p)
    assert "TEU, the twenty-foot equivalent unit" in " ".join(calling.split())
    assert not CJK.search(text)


def test_the_english_pdf_links_go_where_the_text_says(project):
    from pypdf import PdfReader

    reader = PdfReader(str(edition(project, EN, "whitepaper.pdf")))
    uris = {a.get_object()["/A"].get("/URI") for page in reader.pages
            for a in page.get("/Annots") or [] if "/A" in a.get_object()}
    assert {"https://example.org/paperpress", "https://example.com/northwind/survey-2025",
            "mailto:press@example.org"} <= uris


def test_the_english_word_edition_has_real_lists_notes_links_and_tables(project):
    path = edition(project, EN, "whitepaper.docx")
    xml = docx_xml(path)
    assert "<w:numPr>" in xml  # list paragraphs carry Word numbering
    assert "w:footnoteReference" in xml
    notes = docx_xml(path, "word/footnotes.xml")
    assert "twenty-foot equivalent unit" in notes
    rels = docx_xml(path, "word/_rels/document.xml.rels")
    assert 'Target="https://example.org/paperpress" TargetMode="External"' in rels
    assert "w:tblHeader" in xml and "SEQ Table" in xml and "SEQ Figure" in xml
    assert "Connecting a ship to shore power" in xml
    assert not CJK.search(re.sub(r"<[^>]+>", "", xml))
    # English as the locale has it (babel: en_GB): British spelling and hyphenation.
    assert 'w:val="en-GB"' in docx_xml(path, "word/styles.xml")


def test_the_english_web_edition_has_notes_with_back_links(project):
    body = html_body(edition(project, EN, "whitepaper.html"))
    notes = body.cssselect("section.endnotes li")
    assert len(notes) == 4
    assert notes[0].cssselect("a.back")[0].get("href") == "#fnref-1"
    assert body.cssselect("#fnref-1")[0].get("href") == "#fn-1"
    assert body.cssselect("figure.picture img")[0].get("alt")
    assert body.cssselect("blockquote")
    assert not CJK.search(body.text_content())


def test_the_chinese_bulletin_carries_its_table_box_notes_and_lists(project):
    text = squash(pdf_text(edition(project, ZH, "whitepaper.pdf")))
    for expected in ("目录", "关键数据", "表12025年地区生产总值及三次产业增加值", "专栏1主要指标解释",
                     "（见专栏1）", "（见表1）", "青山市为虚构城市。", "2936.2亿元"):
        assert expected in text
    assert not re.search(r"Table|Figure|Box|Contents|Source|see ", text)
    xml = docx_xml(edition(project, ZH, "whitepaper.docx"))
    assert "<w:numPr>" in xml and "w:footnoteReference" in xml and "SEQ 表" in xml
    assert "青山市为虚构城市" in docx_xml(edition(project, ZH, "whitepaper.docx"),
                                          "word/footnotes.xml")


def test_the_english_word_edition_reads_right_in_libreoffice(project, tmp_path):
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(edition(project, EN, "whitepaper.docx"))], capture_output=True, text=True,
        timeout=300)
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_text(tmp_path / "whitepaper.pdf").split())
    assert "Table 2 Main scheduled services, 2025" in text or "Table 2. Main" in text
    assert "TEU, the twenty-foot equivalent unit" in text
    assert "1. The team checks the ship’s certificate" in text  # a numbered list in a box


def test_a_failed_build_fails_again_until_the_fault_is_mended(project):
    """The failed model step's output is gone; the editions made from the one before are
    not remade from it, nor taken as up to date: the next run stops at the fault again."""
    text = project / "sources" / EN / "text.md"
    good = text.read_text(encoding="utf-8")
    released = (project / "output" / EN).resolve()
    text.write_text(good.replace("{{ see outlook }}", "{{ see outlok }}")
                    .replace("Four things stood out in 2025.", "Five things stood out."),
                    encoding="utf-8")
    other = project / "sources" / ZH / "text.md"
    other_text = other.read_text(encoding="utf-8")
    other.write_text(other_text + "\n追加的一段。\n", encoding="utf-8")
    try:
        for run in range(2):
            result = snakemake(project)
            assert result.returncode == 1
            assert f"sources/{EN}/text.md:19: {{{{ see outlok }}}} refers to nothing" \
                in result.stderr
            assert (project / "output" / EN).resolve() == released
            if run == 0:
                # The other publication's change is published all the same.
                assert "追加的一段。" in pdf_text(edition(project, ZH, "whitepaper.pdf"))
    finally:
        text.write_text(good.replace("Four things stood out in 2025.", "Five things stood out."),
                        encoding="utf-8")
        other.write_text(other_text, encoding="utf-8")
    assert snakemake(project).returncode == 0
    assert "Five things stood out." in pdf_text(edition(project, EN, "whitepaper.pdf"))
