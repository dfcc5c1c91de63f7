"""The cross-edition check before publish (src/paperpress/crosscheck.py): every edition read
back carries every paragraph and number of the model, or the publish stops, naming the
edition and the paragraph.

One small Chinese publication (tests/fixtures/bulletin-zh) is built once for the module;
each failing case tampers a copy of one of its editions. The reading of each format and
the messages are tested on small inputs, in English too, without a build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, copy_project, jobs_run, snakemake
from paperpress.crosscheck import (Item, _block_items, _key_figure_items, check_edition, diagnose,
                                   numbers, run_crosscheck)
from paperpress.editiontext import (_footnote_start, docx_streams, html_streams, normalise,
                                    reading_order, squashed)
from paperpress.model import Document, KeyFigure, Paragraph, Span
from paperpress.pdftext import Line

PUB = "bulletin-zh"
TEXT = f"sources/{PUB}/text.md"
# A number of the paragraph at text.md:19 that one tampered edition loses: 5.9% (the
# second industry's growth; the table's 5.9 stays, so it is missing *here*).
SENTENCE, TAMPERED = "3.6%、5.9%和5.1%", "3.6%和5.1%"
# The paragraph at text.md:13 made to end on a note call before its 。, as a reviewer's
# did: the press PDF's pdftotext reads the superscript 1 ahead of its line ("1义（见专栏1）
# ，全年…"), which the check once took for a lost number 1.
NOTE_AT_END = ("高质量发展取得新成效[^1]。本公报所用主要指标的含义{{ see indicators }}。",
               "高质量发展取得新成效。本公报所用主要指标的含义{{ see indicators }}，"
               "全年接待游客比上年提高1.2个百分点（主要景区接待能力稳步提升）[^1]。")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("crosscheck"))
    shutil.rmtree(project / "sources")
    shutil.copytree(REPO / "tests" / "fixtures" / PUB, project / "sources" / PUB)
    text = project / TEXT
    assert text.read_text("utf-8").count(NOTE_AT_END[0]) == 1
    text.write_text(text.read_text("utf-8").replace(*NOTE_AT_END), "utf-8")
    result = snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def _model(project: Path) -> Document:
    return Document.from_json((project / "build" / PUB / "document.json").read_text("utf-8"))


def _check(project: Path, edition: Path) -> list[str]:
    text_lines = (project / TEXT).read_text("utf-8").splitlines()
    return check_edition(_model(project), edition, text_lines, f"sources/{PUB}/")[0]


def test_a_built_publication_passes_and_is_published(built):
    report = (built / "build" / PUB / "crosscheck.txt").read_text("utf-8").splitlines()
    editions = [line.split(":")[0] for line in report]
    assert editions == [f"build/{PUB}/{e}" for e in (
        "whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html", "whitepaper.docx",
        "brief.pdf", "brief-press.pdf", "brief.docx")]
    assert all("no problems" in line for line in report), report
    # The white paper's editions are checked for the whole text, the brief's for less.
    counts = [int(re.search(r"(\d+) paragraphs", line)[1]) for line in report]
    assert counts[0] == counts[3] > counts[4] > 10
    assert (built / "output" / PUB / "whitepaper.docx").exists()


def _tampered(src: Path, dest: Path, old: str, new: str) -> Path:
    """A copy of an edition, a file in its zip (Word) or itself (HTML), with ``old`` made
    ``new`` once."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix == ".docx":
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "word/document.xml":
                    text = data.decode("utf-8")
                    assert text.count(old) == 1
                    data = text.replace(old, new).encode("utf-8")
                zout.writestr(info, data)
    else:
        text = src.read_text("utf-8")
        assert text.count(old) == 1
        dest.write_text(text.replace(old, new), "utf-8")
    return dest


def _names_the_lost_number(problems: list[str], edition: Path) -> None:
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{edition}: {TEXT}:19 “")
    assert problems[0].endswith(")") and ": the number 5.9% is missing here" in problems[0]


@pytest.mark.parametrize("edition", ["whitepaper.docx", "whitepaper.html"])
def test_an_edition_that_lost_a_number_fails_naming_edition_and_paragraph(built, tmp_path,
                                                                          edition):
    copy = _tampered(built / "build" / PUB / edition, tmp_path / edition, SENTENCE, TAMPERED)
    _names_the_lost_number(_check(built, copy), copy)


def test_a_pdf_rendered_without_a_number_fails(built, tmp_path):
    """The web edition re-rendered with the number left out, as a writer that dropped a
    span would: its PDF fails, read back through pdftotext."""
    html = _tampered(built / "build" / PUB / "whitepaper.html", tmp_path / "whitepaper.html",
                     SENTENCE, TAMPERED)
    pdf = tmp_path / "whitepaper.pdf"
    subprocess.run([sys.executable, "-m", "paperpress", "pdf", str(html), str(pdf),
                    "--layout", str(tmp_path / "whitepaper.layout.json")],
                   check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    _names_the_lost_number(_check(built, pdf), pdf)


# --- reading and comparing, without a build ----------------------------------------------

def test_normalising_drops_what_a_renderer_adds_and_keeps_the_text():
    # A break's hyphen (U+2010) and a soft hyphen go, the text's own hyphen stays; no-break
    # and full-width characters become plain; word joiners and white space go.
    assert squashed("ship-to-shore con\u2010\ntainer 1.55\u00a0mil\u00adlion") == \
        "ship-to-shorecontainer1.55million"
    assert squashed("增长１０．１％\u2060。") == "增长10.1%。"
    text, where = normalise("a b\u00a0c")
    assert text == "abc" and where == [0, 2, 4]


def test_numbers_carry_their_unit():
    # (A note's call may follow the unit: TEU¹ reads "TEU1".)
    found = [m[0] for m in numbers("handled 1.55\u00a0million TEU1 in 2025, up 4.7% on"
                                    " 3,412\u00a0calls; 贸易额3518.1亿元，增长10.1%")]
    assert found == ["1.55\u00a0million TEU", "1", "2025", "4.7%", "3,412\u00a0calls",
                     "3518.1亿元", "10.1%"]


@pytest.mark.parametrize("edition, message", [
    ("The port handled in 2025, up 4.7% on the year.",
     "the number 1.55 million TEU is missing (the edition reads “in2025,up4.7%ont…”)"),
    ("The port handled 1.56 million TEU in 2025, up 4.7% on the year.",
     "the number 1.55 million TEU is missing (the edition reads “1.56millionTEUin…”)"),
    ("The port handled 1.55 million TEU in 2024, up 4.7% on the year. 2025",
     "the number 2025 is missing here (the edition reads “2024,up4.7%onthe…”)"),
    ("The harbour handled 1.55 million TEU in 2025, up 4.7% on the year.",
     "the text differs from the model's at “The port” (the edition reads “…Theharbour” before"
     " the rest)"),
    ("1.55 million TEU in 2025, up 4.7% on the year.",
     "the text differs from the model's at “The port handled” (the edition has only the rest)"),
    ("The port handled 1.55 million TEU in 2025, up 4.7% on the year",
     "the text differs from the model's at “.” (the edition reads nothing more)"),
    ("Something else entirely.", "it is missing (nothing like it in the edition)"),
])
def test_a_difference_is_named_by_its_number_or_its_words(edition, message):
    model = "The port handled 1.55\u00a0million TEU in 2025, up 4.7% on the year."
    assert diagnose(model, squashed(edition)) == message


def test_a_key_figure_is_looked_for_in_its_panel():
    # The panel reads its title, a row of values, then a row of labels; the same value in
    # the text does not stand for a value the panel lost.
    kf = Item("5.3%", 15, panel=("关键数据", len("关键数据5.3%46218元增长收入")))
    assert kf.found_in(squashed("增长5.3%。关键数据 5.3% 46218元 增长 收入"))
    assert not kf.found_in(squashed("增长5.3%。关键数据 46218元 增长 收入 其他文字 5.3%"))
    assert Item("5.3%", 15).found_in(squashed("增长5.3%。"))


def test_a_key_figure_whose_unit_wraps_is_found_in_its_panel():
    # "44.3" over "million journeys": the panel reads the row of values, then the unit.
    doc = Document(meta={}, strings={"key_figures": "Key figures"}, key_figures=[
        KeyFigure("1.55", "million TEU", "Container throughput", "2025", " (2025)", "\u00a0"),
        KeyFigure("44.3", "million journeys", "Ferry passengers", "2025", " (2025)", "\u00a0")])
    items = _key_figure_items(doc, 12, "text.md")
    value = next(i for i in items if i.text.startswith("44.3"))
    panel = ("Key figures 1.55 million TEU 44.3 Container throughput (2025) million journeys"
             " Ferry passengers (2025)")
    assert all(i.found_in(squashed(panel)) for i in items)
    # Both must stand in the panel: the value or the unit found only in the text is not.
    text = " The ferries carried more people than in any year before: 44.3 million journeys."
    assert not value.found_in(squashed(panel.replace("44.3", "") + text))
    assert not value.found_in(squashed(panel.replace("million journeys", "journeys") + text))


def test_a_pdf_may_give_a_note_call_out_of_place_but_not_a_number():
    # …提高1.2个百分点（表1列出主要景区）[^2]。 read back with the superscript 2 at the
    # start of its line (ahead of 高).
    para = Paragraph([Span("接待能力稳步提升。", strong=True),
                      Span("全年接待游客比上年提高1.2个百分点（表1列出主要景区）"),
                      Span("2", note=2), Span("。")], line=46)
    [item] = _block_items(para, Document(meta={}), " ")
    misplaced = "前文。接待能力稳步提升。全年接待游客比上年提\n2\n高1.2个百分点(表1列出主要景区)。下一段"
    assert not item.found_in(squashed(misplaced))  # Word and HTML: in its place
    assert item.found_in(squashed(misplaced), loose_marks=True)
    ahead = misplaced.replace("\n2\n", "").replace("前文。", "前文。2")  # of its first line
    assert item.found_in(squashed(ahead), loose_marks=True)
    # A number the edition lost or changed, a marker beside it or not, still fails; and
    # so does a paragraph that lost its note call.
    for spoiled in (misplaced.replace("1.2个", "个"), misplaced.replace("1.2个", "1.3个"),
                    misplaced.replace("\n2\n高1.2", "高21.2"),
                    misplaced.replace("\n2\n高1.2个", "高1.22个"),
                    misplaced.replace("\n2\n", "")):
        assert not item.found_in(squashed(spoiled), loose_marks=True), spoiled
    message = diagnose(item.text, squashed(misplaced.replace("1.2个", "个")))
    assert message.startswith("the number 1.2个 is missing")


def test_a_heading_the_contents_lists_must_stand_twice():
    heading = Item("一、综合", 11, times=2)
    assert heading.found_in(squashed("目录 一、综合 二、农业 一、综合 全年经济"))
    assert not heading.found_in(squashed("目录 一、综合 二、农业 全年经济"))


def test_a_page_is_read_row_by_row_and_its_footnotes_apart():
    # pdftotext gives a list item's marker after the item's first line, and a table by
    # columns; the foot of the page holds note 2.
    lines = [Line(1, 121, 144.0, 500, 158, "The team checks the certificate"),
             Line(1, 94, 144.1, 102, 159, "1."),
             Line(1, 105, 160, 300, 174, "with the engineer."),
             Line(1, 72, 200, 100, 210, "Value"), Line(1, 72, 220, 100, 230, "2025"),
             Line(1, 150, 200, 200, 210, "Unit"), Line(1, 150, 220, 200, 230, "TEU"),
             Line(1, 72, 750, 500, 760, "2. Scope 1 and 2 emissions,"),
             Line(1, 72, 762, 200, 772, "location-based.")]
    ordered = [l.text for l in reading_order(lines)]
    assert ordered[:7] == ["1.", "The team checks the certificate", "with the engineer.",
                           "Value", "Unit", "2025", "TEU"]
    notes = {2: squashed("Scope 1 and 2 emissions, location-based."), 3: "Other"}
    assert _footnote_start(ordered, notes) == 7
    assert _footnote_start(ordered[:7], notes) == 7  # no note on the page


def test_the_web_edition_is_read_as_a_screen_shows_it():
    html = ("<html><head><title>T</title><style>p{}</style></head><body>"
            "<div class='doc-title'>Title again</div>"
            "<p>Rate<a class='fn-call'>3</a><span class='footnote'>Injuries per hour.</span>"
            " fell to 1.7 per million.</p>"
            "<td>1<span class='pad'>0</span>2.5</td>"
            "<picture><source srcset='data:x'><img alt='chart of 9 values'></picture>"
            "<section class='endnotes'><li><p>Injuries per hour.</p></li></section></body></html>")
    path = Path(__file__).parent / "fixtures" / "_web.html"
    try:
        path.write_text(html, "utf-8")
        text = squashed(html_streams(path)["body"])
    finally:
        path.unlink()
    assert text == "Rate3fellto1.7permillion.12.5Injuriesperhour."


def test_word_text_numbers_its_footnote_calls_and_skips_field_codes(tmp_path):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = (f'<w:document {w}><w:body><w:p><w:r><w:t>Figure </w:t></w:r>'
                '<w:r><w:instrText> SEQ Figure </w:instrText></w:r><w:r><w:t>2</w:t></w:r>'
                '<w:r><w:t>. Rate</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r>'
                '<w:r><w:t> fell.</w:t></w:r></w:p></w:body></w:document>')
    footnotes = (f'<w:footnotes {w}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
                 '<w:t>—</w:t></w:r></w:p></w:footnote><w:footnote w:id="7"><w:p><w:r>'
                 '<w:footnoteRef/></w:r><w:r><w:t> Per hour.</w:t></w:r></w:p></w:footnote>'
                 '</w:footnotes>')
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", document)
        z.writestr("word/footnotes.xml", footnotes)
    streams = docx_streams(path)
    assert squashed(streams["body"]) == "Figure2.Rate1fell."
    assert squashed(streams["notes"]) == "Perhour."


def test_the_report_is_written_only_when_every_edition_passes(built, tmp_path):
    build = built / "build" / PUB
    report = tmp_path / "crosscheck.txt"
    assert run_crosscheck(build / "document.json", [build / "whitepaper.html"], report,
                          built / "sources" / PUB) == []
    assert report.read_text("utf-8").startswith(f"{build / 'whitepaper.html'}: ")
    spoiled = _tampered(build / "whitepaper.html", tmp_path / "whitepaper.html", SENTENCE,
                        TAMPERED)
    report.unlink()
    assert len(run_crosscheck(build / "document.json", [spoiled], report)) == 1
    assert not report.exists()


def test_publish_does_not_run_when_the_check_fails(built):
    """An edition spoiled after it was built (the brief's Word edition loses a number of a
    point): the check reruns, fails with its one line, the publish step does not run, and
    the release in output/ stays the one published before. (Last in the module: it
    spoils the module's build.)"""
    build = built / "build" / PUB
    release = (build / "release.json").read_text("utf-8")
    spoiled = _tampered(build / "brief.docx", built / "brief.docx", "城镇化率68.4%，", "城镇化率，")
    spoiled.replace(build / "brief.docx")
    line = next(n for n, text in enumerate((built / TEXT).read_text("utf-8").splitlines(), 1)
                if text.startswith("**人口总量保持稳定。**"))
    result = snakemake(built)
    assert result.returncode != 0
    errors = [l for l in result.stderr.splitlines() if l.startswith("error: ")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: build/{PUB}/brief.docx: {TEXT}:{line} “人口总量保持稳定。")
    assert ": the number 68.4% is missing" in errors[0]
    jobs = jobs_run(built)
    assert "crosscheck" in jobs and "publish" not in jobs
    assert (build / "release.json").read_text("utf-8") == release
    assert not (build / "crosscheck.txt").exists()
