"""Build the bundled publication in a temporary copy of the project, as `make publish` does,
and check the published files themselves.

The tests share one build. Each starts on the project as that build left it, and one that
edits or rebuilds it says so with ``@CHANGES_PROJECT`` and has it put back afterwards: no
test depends on which ran before it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import (PUB, copy_project, jobs_run, seed_paragraphs, snakemake, squash,
                      without_figure_references)

pytestmark = pytest.mark.e2e

EDITIONS = ["whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html", "whitepaper.docx",
            "brief.pdf", "brief-press.pdf", "brief.docx"]
MM = 72 / 25.4
# Besides the editions, a release holds its change report and what the next one compares
# with (paperpress/changes/).
RELEASE_EXTRAS = ["changes.html", "document.json", "pages.json"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("project"))
    result = snakemake(root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture(scope="module")
def as_built(project, tmp_path_factory):
    """A copy of the project as its one build left it, times of modification included."""
    copy = tmp_path_factory.mktemp("as-built") / "project"
    shutil.copytree(project, copy, symlinks=True)
    return copy


def file_states(root: Path) -> dict[str, tuple[int, int]]:
    """Each file's size and time of modification: what Snakemake and the worker go by."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def put_back(project: Path, as_built: Path) -> None:
    """The project as it was built, in its own folder: its jobs' inputs and commands hold
    the folder's absolute path, so a copy elsewhere would not be up to date for Snakemake."""
    shutil.rmtree(project)
    shutil.copytree(as_built, project, symlinks=True)


@pytest.fixture
def project_is_put_back():
    """Marks a test that edits or rebuilds the shared project (the fixture below restores it)."""


CHANGES_PROJECT = pytest.mark.usefixtures("project_is_put_back")


@pytest.fixture(autouse=True)
def every_test_starts_and_leaves_the_project_as_built(request, project, as_built):
    built = file_states(as_built)
    if file_states(project) != built:
        put_back(project, as_built)
    yield
    if file_states(project) != built:
        put_back(project, as_built)
        if "project_is_put_back" not in request.fixturenames:
            pytest.fail("the test changed the shared project without @CHANGES_PROJECT")


def out(project: Path, name: str) -> Path:
    return project / "output" / PUB / name


def pdf_body_text(pdf: Path) -> str:
    """The text of the page bodies, without running headers and footers (A4, in points)."""
    result = subprocess.run(["pdftotext", "-r", "72", "-x", "0", "-y", "72", "-W", "595",
                             "-H", "700", str(pdf), "-"], capture_output=True, text=True,
                            check=True)
    return result.stdout


def docx_text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h1", "h2", "h3", "h4"):
            self._open = []

    def handle_endtag(self, tag):
        if tag in ("p", "h1", "h2", "h3", "h4") and self._open is not None:
            self.blocks.append("".join(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


def html_blocks(path: Path) -> list[str]:
    parser = _Blocks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.blocks


def rebuild(project: Path) -> set[str]:
    """Run the workflow again; return the jobs it ran."""
    result = snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    return jobs_run(project)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout)[1])


def test_the_editions_are_the_same_when_every_step_runs_on_its_own(project, tmp_path_factory):
    """The warm worker only changes where a step runs: a build with it turned off gives
    the same HTML, the same Word XML and PDFs with the same text."""
    root = copy_project(tmp_path_factory.mktemp("without-worker"))
    log = root / "worker-jobs.log"
    result = snakemake(root, env={"PAPERPRESS_WORKER": "off", "PAPERPRESS_WORKER_LOG": str(log)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert not log.exists(), "a step ran in a worker"
    for name in ("whitepaper.html", "brief.html"):  # the brief's HTML is made for its PDFs
        built = [r / "build" / PUB / name for r in (root, project)]
        assert built[0].read_bytes() == built[1].read_bytes(), name
    for name in ("whitepaper.docx", "brief.docx"):
        with zipfile.ZipFile(out(root, name)) as a, zipfile.ZipFile(out(project, name)) as b:
            assert a.read("word/document.xml") == b.read("word/document.xml"), name
    for name in ("whitepaper.pdf", "whitepaper-press.pdf", "brief.pdf", "brief-press.pdf"):
        texts = [subprocess.run(["pdftotext", str(out(r, name)), "-"], capture_output=True,
                                text=True, check=True).stdout for r in (root, project)]
        assert texts[0] == texts[1], name


def test_the_five_editions_are_published_with_a_manifest(project):
    for name in EDITIONS + ["manifest.json", "numbers.html"]:
        assert out(project, name).stat().st_size > 0, name


def test_the_pdf_carries_every_heading_and_paragraph_of_the_seed(project):
    body = without_figure_references(squash(pdf_body_text(out(project, "whitepaper.pdf"))))
    missing = [p for p in seed_paragraphs() if squash(p) not in body]
    assert missing == []


def test_the_html_and_docx_carry_every_paragraph_of_the_seed(project):
    page = out(project, "whitepaper.html").read_text(encoding="utf-8")
    # Without lang, fontconfig picks Noto CJK's Japanese glyph forms for Chinese text.
    assert '<html lang="zh-CN">' in page
    # Self-contained: nothing is loaded from a file or the network when it is opened.
    # The links to the PDF and Word editions beside it are only followed when clicked.
    assert not re.search(r'(src|srcset)="(?!data:)|href="(?!data:|#|whitepaper\.(pdf|docx)")',
                         page)
    html = [without_figure_references(b) for b in html_blocks(out(project, "whitepaper.html"))]
    word = [without_figure_references(p) for p in docx_text(out(project, "whitepaper.docx"))]
    for paragraph in seed_paragraphs():
        assert paragraph in html, paragraph
        assert paragraph in word, paragraph


def test_every_pdf_font_is_embedded_and_cjk(project):
    for name in ("whitepaper.pdf", "brief.pdf"):
        listing = subprocess.run(["pdffonts", str(out(project, name))], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
        assert listing, name
        for line in listing:
            assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+", line), line
            emb = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+", line)[1]
            assert emb == "yes", line
        assert any("CJK-SC" in line for line in listing), listing


def test_the_pdf_has_the_document_metadata(project):
    info = subprocess.run(["pdfinfo", str(out(project, "whitepaper.pdf"))],
                          capture_output=True, text=True, check=True).stdout
    assert "湖南省参与共建“一带一路”十年成果和未来展望" in info
    assert page_count(out(project, "whitepaper.pdf")) >= 10


def _outline(reader):
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return entries


def test_the_outline_mirrors_the_headings_and_the_contents_shows_their_pages(project):
    from pypdf import PdfReader

    reader = PdfReader(out(project, "whitepaper.pdf"))
    outline = _outline(reader)
    headings = [(1 if not p.startswith("（") else 2, p) for p in seed_paragraphs()
                if re.match(r"^(前言|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", p)
                and len(p) < 40]
    assert [(level, title) for level, title, _ in outline] == headings + [(1, "附表\u3000主要统计数据")]
    contents = squash(subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(
        out(project, "whitepaper.pdf")), "-"], capture_output=True, text=True).stdout)
    for _, title, page in outline:
        assert re.search(re.escape(squash(title)) + r"[·.]*" + str(page) + r"(?!\d)", contents)
    chapter_pages = [page for level, _, page in outline if level == 1]
    assert len(set(chapter_pages)) == len(chapter_pages)  # each chapter opens a new page


def test_the_screen_edition_is_tagged_archival_with_metadata(project):
    from pypdf import PdfReader

    reader = PdfReader(out(project, "whitepaper.pdf"))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "zh-CN"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    info = reader.metadata
    assert info.title == "湖南省参与共建“一带一路”十年成果和未来展望"
    assert info.author == "湖南省人民政府新闻办公室"
    assert "一带一路" in info["/Keywords"] and "白皮书" in info.subject
    assert out(project, "whitepaper.pdf").stat().st_size < 5_000_000  # fits in an e-mail
    alts = _figure_alt_texts(root["/StructTreeRoot"])
    assert len(alts) == 7 and all(alts)
    assert "2013年664.4亿元" in alts[2]


def _figure_alt_texts(node) -> list:
    node = node.get_object()
    found = []
    if node.get("/S") == "/Figure":
        found.append(str(node.get("/Alt", "")))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        if kid is not None and hasattr(kid.get_object(), "get"):
            found += _figure_alt_texts(kid)
    return found


def test_the_press_edition_has_bleed_crop_marks_and_a_print_output_intent(project):
    from pypdf import PdfReader

    for name in ("whitepaper-press.pdf", "brief-press.pdf"):
        reader = PdfReader(out(project, name))
        page = reader.pages[0]
        trim, bleed = page.trimbox, page.bleedbox
        assert abs(float(trim.left) - float(bleed.left) - 3 * MM) < 0.01
        assert abs(float(bleed.top) - float(trim.top) - 3 * MM) < 0.01
        assert abs(float(trim.width) - 210 * MM) < 0.01
        # Crop marks lie outside the bleed: the sheet is larger than trim and bleed.
        media = page.mediabox
        assert float(bleed.left) - float(media.left) > 5 * MM
        root = reader.trailer["/Root"]
        intent = root["/OutputIntents"][0].get_object()
        assert intent["/S"] == "/GTS_PDFX" and "/DestOutputProfile" in intent
        assert intent["/OutputConditionIdentifier"] == "FOGRA39"
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "PDF/X-4" in xmp
    # Text and house colours are CMYK: the preface page paints nothing in RGB.
    preface = PdfReader(out(project, "whitepaper-press.pdf")).pages[2].get_contents().get_data()
    assert b"/DeviceCMYK cs" in preface
    assert not re.search(rb"\s(rg|RG)\s", preface)
    # Nor does any page, charts and crop marks included (they are converted as drawn).
    from paperpress.preflight import _device_rgb

    for name in ("whitepaper-press.pdf", "brief-press.pdf"):
        assert _device_rgb(PdfReader(out(project, name))) == [], name


def test_the_brief_has_two_to_four_pages_with_key_figures_and_headlines(project):
    brief = out(project, "brief.pdf")
    assert 2 <= page_count(brief) <= 4
    text = squash(subprocess.run(["pdftotext", str(brief), "-"], capture_output=True,
                                 text=True, check=True).stdout)
    for expected in ("关键数据", "3518.1亿元", "国际朋友圈不断扩大。", "图1", "图3",
                     "持续推进创新丝绸之路建设。"):
        assert expected in text
    word = "".join(docx_text(out(project, "brief.docx")))
    for expected in ("国际朋友圈不断扩大。", "持续推进创新丝绸之路建设。"):
        assert expected in word
    tables = docx.Document(str(out(project, "brief.docx"))).tables
    assert "3518.1" in tables[0].cell(0, 1).text


def test_the_word_editions_text_copies_and_searches_as_written(project):
    # What a press office copies out of the Word edition into a release is the text as
    # written: no invisible joiners or other format characters inside its words.
    import unicodedata
    import zipfile

    for name in ("whitepaper.docx", "brief.docx"):
        with zipfile.ZipFile(out(project, name)) as package:
            body = package.read("word/document.xml").decode("utf-8")
        assert not [c for c in body if unicodedata.category(c) == "Cf"], name
    assert "源头活水" in "".join(docx_text(out(project, "whitepaper.docx")))


def test_word_edition_uses_heading_styles_and_carries_the_charts(project):
    document = docx.Document(str(out(project, "whitepaper.docx")))
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["一、进展成效"] == "Heading 1"
    assert styles["（一）政策沟通不断加强，迈上了交流交往新台阶"] == "Heading 2"
    pictures = document.inline_shapes
    assert len(pictures) >= 6
    assert all(s._inline.docPr.get("descr") for s in pictures)
    assert document.core_properties.title == "湖南省参与共建“一带一路”十年成果和未来展望"
    assert "1190.97" in document.tables[0].cell(1, 1).text  # the key-figure panel
    xml = document.element.xml
    # Captions numbered by SEQ fields and bookmarked; （见图3） links to figure 3's bookmark.
    assert "SEQ 图" in xml and 'w:name="_Ref_fig_3"' in xml
    assert 'w:anchor="_Ref_fig_3"' in xml
    appendix = document.tables[1]
    assert appendix.style.name == "Report Table"
    assert appendix.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats
    assert [c.text for c in appendix.rows[0].cells] == ["指标", "时期", "数值", "单位", "章节"]
    assert len(appendix.rows) > 20


def test_the_white_paper_has_the_key_figure_panel_from_the_data(project):
    body = squash(pdf_body_text(out(project, "whitepaper.pdf")))
    for text in ("关键数据", "106对", "国际友城总数", "1190.97亿美元",
                 "累计实际使用外资（2013—2022年）", "累计新增境外企业（十年来）"):
        assert text in body
    # The text gives the total without a year: the panel prints none.
    assert "国际友城总数（" not in body


@pytest.fixture(scope="module")
def word_as_rendered(project, tmp_path_factory):
    """The Word editions as LibreOffice lays them out (converted to PDF)."""
    outdir = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("lo-profile")
    result = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir),
         str(out(project, "whitepaper.docx")), str(out(project, "brief.docx"))],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return outdir


def test_the_word_edition_opens_in_libreoffice_with_every_paragraph(word_as_rendered):
    pdf = word_as_rendered / "whitepaper.pdf"
    text = without_figure_references(squash(pdf_body_text(pdf)))
    missing = [p for p in seed_paragraphs() if squash(p) not in text]
    assert missing == []
    assert page_count(pdf) >= 10


def test_the_word_brief_has_two_to_four_pages_in_libreoffice(word_as_rendered):
    pdf = word_as_rendered / "brief.pdf"
    assert 2 <= page_count(pdf) <= 4
    text = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                 text=True, check=True).stdout)
    for expected in ("关键数据", "3518.1亿元", "国际朋友圈不断扩大。", "图3"):
        assert expected in text


@CHANGES_PROJECT
def test_a_rebuild_with_nothing_changed_runs_no_job(project):
    result = snakemake(project)
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr
    assert jobs_run(project) == set()


@CHANGES_PROJECT
def test_a_changed_data_value_reruns_its_charts_and_the_documents_only(project):
    old = trade_value(project)
    set_trade_value(project, "3600.7")
    assert rebuild(project) == {
        "document_model", "chart[trade-scale]", "chart[trade-share]", "whitepaper_html",
        "brief_html", "pdf[whitepaper]", "pdf[brief]", "pdf_press[whitepaper]",
        "pdf_press[brief]", "preflight[whitepaper]", "preflight[brief]",
        "preflight[whitepaper-press]", "preflight[brief-press]", "whitepaper_docx",
        "brief_docx", "numbers", "crosscheck", "publish", "all"}
    sentence = "攀升至2022年的3600.7亿元（见图3）"
    assert sentence in squash(pdf_body_text(out(project, "whitepaper.pdf")))
    assert any(sentence in p for p in docx_text(out(project, "whitepaper.docx")))
    assert "3600.7" in out(project, "whitepaper.html").read_text(encoding="utf-8")
    assert f"{old}亿元" not in squash(pdf_body_text(out(project, "whitepaper.pdf")))


@CHANGES_PROJECT
def test_a_changed_stylesheet_reruns_only_the_white_paper_html_and_pdf(project):
    css = project / "templates" / "html" / "whitepaper.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* editor's change */\n",
                   encoding="utf-8")
    assert rebuild(project) == {
        "whitepaper_html", "pdf[whitepaper]", "pdf_press[whitepaper]", "preflight[whitepaper]",
        "preflight[whitepaper-press]", "crosscheck", "publish", "all"}


@CHANGES_PROJECT
def test_a_restyled_word_template_reruns_only_its_word_edition(project):
    from docx.shared import Pt, RGBColor

    template = project / "templates" / "docx" / "whitepaper.docx"
    editor = docx.Document(str(template))
    editor.styles["Heading 1"].font.color.rgb = RGBColor(0x00, 0x55, 0x99)
    editor.styles["Heading 1"].font.size = Pt(22)
    editor.save(str(template))
    assert rebuild(project) == {"whitepaper_docx", "crosscheck", "publish", "all"}
    published = docx.Document(str(out(project, "whitepaper.docx")))
    style = published.styles["Heading 1"]
    assert style.font.color.rgb == RGBColor(0x00, 0x55, 0x99) and style.font.size == Pt(22)
    # In effect: nothing written into the chapter headings overrides the style.
    headings = [p for p in published.paragraphs if p.style.name == "Heading 1"]
    assert [h.text for h in headings][:2] == ["前言", "一、进展成效"]
    for paragraph in headings:
        assert paragraph.paragraph_format.alignment is None, paragraph.text
        for run in paragraph.runs:
            assert run.font.color.rgb is None and run.font.size is None, paragraph.text


@CHANGES_PROJECT
def test_a_change_to_the_word_writer_reruns_only_the_word_editions(project):
    code = project / "src" / "paperpress" / "docx.py"
    code.write_text(code.read_text(encoding="utf-8") + "\n# a maintainer's change\n",
                    encoding="utf-8")
    assert rebuild(project) == {
        "whitepaper_docx", "brief_docx", "crosscheck", "publish", "all"}


@CHANGES_PROJECT
def test_bad_data_stops_the_build_naming_the_file_and_row_and_keeps_the_editions(project):
    before = {n: out(project, n).read_bytes() for n in EDITIONS + ["manifest.json"]}
    trade = project / "sources" / PUB / "data" / "trade.csv"
    good, value = trade.read_text(encoding="utf-8"), trade_value(project)
    set_trade_value(project, f"{value}亿元")
    try:
        result = snakemake(project)
        assert result.returncode != 0
        assert (f"data/trade.csv:4: column 'value': '{value}亿元' has a unit in the number cell"
                in result.stderr + result.stdout)
        after = {n: out(project, n).read_bytes() for n in EDITIONS + ["manifest.json"]}
        assert after == before
        assert sorted(p.name for p in out(project, "").iterdir()) == sorted(
            EDITIONS + ["manifest.json", "numbers.html"] + RELEASE_EXTRAS)
    finally:
        trade.write_text(good, encoding="utf-8")


@CHANGES_PROJECT
def test_an_undefined_placeholder_stops_the_build_naming_the_text_line(project):
    text = project / "sources" / PUB / "text.md"
    good = text.read_text(encoding="utf-8")
    text.write_text(good.replace("{{ fdi_growth }}", "{{ fdi_growht }}"), encoding="utf-8")
    try:
        result = snakemake(project)
        assert result.returncode != 0
        line = next(n for n, l in enumerate(good.splitlines(), 1) if "{{ fdi_growth }}" in l)
        assert (f"text.md:{line}: placeholder {{{{ fdi_growht }}}}: no data has the key"
                in result.stderr + result.stdout)
    finally:
        text.write_text(good, encoding="utf-8")


@CHANGES_PROJECT
def test_a_chart_spec_naming_a_missing_data_file_names_the_spec(project):
    before = published(project)
    spec = project / "sources" / PUB / "charts" / "trade-scale.yaml"
    good = spec.read_text(encoding="utf-8")
    assert "trade.csv" in good
    spec.write_text(good.replace("trade.csv", "trade.cvs"), encoding="utf-8")
    try:
        result = snakemake(project)
        assert result.returncode != 0
        log = result.stderr + result.stdout
        assert "charts/trade-scale.yaml" in log and "trade.cvs" in log
        assert "MissingInputException" not in log
        assert published(project) == before
    finally:
        spec.write_text(good, encoding="utf-8")


def published(project: Path) -> dict[str, bytes]:
    return {n: out(project, n).read_bytes() for n in EDITIONS + ["manifest.json"]}


def changed_since(project: Path, good: dict[str, bytes]) -> list[str]:
    """The published files that differ from ``good`` (by name: comparing the bytes of whole
    editions in an assertion makes pytest diff megabytes, for many minutes)."""
    now = published(project)
    return [n for n in good if now.get(n) != good[n]]


def trade_value(project: Path) -> str:
    """The 2022 trade volume as the data file has it now."""
    trade = project / "sources" / PUB / "data" / "trade.csv"
    return re.search(r"^bri_trade,2022,([^,]*),", trade.read_text(encoding="utf-8"), re.M)[1]


def set_trade_value(project: Path, new: str) -> None:
    """Set the 2022 trade volume in the data file, whatever it is now."""
    trade = project / "sources" / PUB / "data" / "trade.csv"
    text, n = re.subn(r"^bri_trade,2022,[^,]*,", f"bri_trade,2022,{new},",
                      trade.read_text(encoding="utf-8"), flags=re.M)
    assert n == 1
    trade.write_text(text, encoding="utf-8")


def make_publish(project: Path) -> subprocess.CompletedProcess:
    """What `make publish` runs: clear a stale lock, then rebuild what is incomplete."""
    subprocess.run([sys.executable, str(project / "tools" / "clear_stale_lock.py"),
                    str(project)], check=True)
    return snakemake(project, "--rerun-incomplete")


def interrupt_build(project: Path, sig: int) -> None:
    """Start a build and stop it with ``sig`` while its PDF jobs run."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--snakefile",
         str(project / "Snakefile"), "--directory", str(project)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    marker = project / "build" / PUB / "whitepaper.html"
    before = marker.stat().st_mtime if marker.exists() else 0
    # Generous: on a loaded machine the steps before the HTML can take over a minute, and
    # a signal sent later than meant would land in the publish step instead.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if marker.exists() and marker.stat().st_mtime > before:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    assert marker.exists() and marker.stat().st_mtime > before, "no new HTML in 300 s"
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)
    if sig == signal.SIGINT:  # Snakemake waits for its jobs; make sure none is left
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL) if _group_alive(proc.pid) else None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@CHANGES_PROJECT
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_build_keeps_the_editions_and_the_next_publish_recovers(project, sig):
    good = published(project)
    new = {signal.SIGINT: "3700.3", signal.SIGKILL: "3700.9"}[sig]
    set_trade_value(project, new)
    interrupt_build(project, sig)
    assert changed_since(project, good) == []
    assert not [p for p in out(project, "").iterdir() if p.name.startswith(".")]
    result = make_publish(project)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{new}亿元".encode() in out(project, "whitepaper.html").read_bytes()


@CHANGES_PROJECT
def test_a_job_failing_half_way_keeps_the_editions(project):
    good = published(project)
    template = project / "templates" / "html" / "brief.html.j2"
    text = template.read_text(encoding="utf-8")
    # The white paper's jobs succeed; the brief's HTML step fails on a template error.
    template.write_text(text.replace("{{ brief.title }}</div>", "{{ brief.title }</div>"),
                        encoding="utf-8")
    set_trade_value(project, "3801.9")
    try:
        result = snakemake(project, "--keep-going")
        assert result.returncode != 0
        assert "brief.html.j2" in result.stderr + result.stdout
        assert (project / "build" / PUB / "whitepaper.pdf").exists()  # the rest was built
        assert changed_since(project, good) == []
    finally:
        template.write_text(text, encoding="utf-8")
    assert make_publish(project).returncode == 0
    assert b"3801.9" in out(project, "whitepaper.html").read_bytes()


ALL_DOCUMENTS = {"whitepaper_html", "brief_html", "pdf[whitepaper]", "pdf[brief]",
                 "pdf_press[whitepaper]", "pdf_press[brief]", "preflight[whitepaper]",
                 "preflight[brief]", "preflight[whitepaper-press]", "preflight[brief-press]",
                 "whitepaper_docx", "brief_docx", "crosscheck", "publish", "all"}
ALL_CHARTS = {f"chart[{c}]" for c in ("friendship-cities", "rail-routes", "trade-scale",
                                      "trade-share", "investment", "policy-finance",
                                      "green-exports")}
WHITEPAPER_PDFS = {"pdf[whitepaper]", "pdf_press[whitepaper]", "preflight[whitepaper]",
                   "preflight[whitepaper-press]", "crosscheck", "publish", "all"}


def _append(path: str, text: str):
    def change(project: Path) -> None:
        target = project / path
        target.write_text(target.read_text(encoding="utf-8") + text, encoding="utf-8")
    return change


def _replace(path: str, old: str, new: str):
    def change(project: Path) -> None:
        target = project / path
        content = target.read_text(encoding="utf-8")
        assert old in content, old
        target.write_text(content.replace(old, new, 1), encoding="utf-8")
    return change


REBUILDS = {
    "the text": (_replace(f"sources/{PUB}/text.md", "居全国第九", "居全国第九位"),
                 {"document_model", "numbers"} | ALL_DOCUMENTS),
    "one chart spec": (_replace(f"sources/{PUB}/charts/investment.yaml", "双向投资", "双向投资规模"),
                       {"chart[investment]", "document_model", "numbers"} | ALL_DOCUMENTS),
    "the white paper's HTML template": (
        _replace("templates/html/whitepaper.html.j2", "<nav class=\"toc\"",
                 "<nav data-edited=\"1\" class=\"toc\""),
        {"whitepaper_html"} | WHITEPAPER_PDFS),
    # Every publication's charts: the English example's too.
    "the chart code": (_append("src/paperpress/charts.py", "\n# a maintainer's change\n"),
                       ALL_CHARTS | ALL_DOCUMENTS | {"chart[teu-throughput]",
                                                    "chart[trade-lanes]", "chart[emissions]"}),
    "the publication's config": (
        _replace(f"sources/{PUB}/publication.yaml", "title: 要点速览", "title: 要点速览（修订）"),
        {"document_model", "numbers"} | ALL_DOCUMENTS),
}


@CHANGES_PROJECT
@pytest.mark.parametrize("what", list(REBUILDS))
def test_a_change_reruns_exactly_the_jobs_it_touches(project, what):
    change, expected = REBUILDS[what]
    change(project)
    assert rebuild(project) == expected
    assert rebuild(project) == set()  # and then nothing
