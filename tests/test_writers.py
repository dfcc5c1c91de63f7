"""The writers on a small publication: text with '&' and '<' reaches every edition exactly."""

from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from conftest import REPO
from paperpress.docx import render_brief_docx, render_whitepaper_docx
from paperpress.document import write_document_model
from paperpress.html import render_brief_html, render_whitepaper_html

TITLE = "研发&创新<白皮书>"


@pytest.fixture
def model(tmp_path) -> Path:
    src = tmp_path / "sources" / "tiny"
    (src / "data").mkdir(parents=True)
    (src / "charts").mkdir()
    (src / "publication.yaml").write_text(
        "key_figures: [rd]\nappendix: {title: 附表}\nbrief: {title: 要点, charts: []}\n",
        encoding="utf-8")
    (src / "data" / "rd.csv").write_text(
        "key,period,value,unit,label,section\nrd,2022,12.5,%,研发（R&D）投入<试点>,一（一）\n",
        encoding="utf-8")
    (src / "text.md").write_text(
        f"---\ntitle: {TITLE}\nissuer: 某某 & 某某\ndate: 2023年\nlang: zh-CN\n---\n\n"
        "# 一、总述\n\n## （一）研发\n\n**研发投入增加。**投入增长{{ rd }}，A & B < C。\n",
        encoding="utf-8")
    out = tmp_path / "document.json"
    write_document_model(src, out)
    return out


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks = []

    def handle_data(self, data):
        self.chunks.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.chunks)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_ampersands_and_angle_brackets_reach_every_edition_exactly(model, tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    html_dir = REPO / "templates" / "html"
    docx_dir = REPO / "templates" / "docx"
    render_whitepaper_html(model, figures, html_dir, tmp_path / "w.html")
    render_brief_html(model, figures, html_dir, tmp_path / "b.html")
    render_whitepaper_docx(model, figures, docx_dir / "whitepaper.docx", tmp_path / "w.docx")
    render_brief_docx(model, figures, docx_dir / "brief.docx", tmp_path / "b.docx")
    for edition in ("w.html", "b.html"):
        text = html_text(tmp_path / edition)
        assert TITLE in text and "某某 & 某某" in text, edition
        assert "研发（R&D）投入<试点>" in text, edition
    assert "A & B < C。" in html_text(tmp_path / "w.html")
    for edition in ("w.docx", "b.docx"):
        text = docx_text(tmp_path / edition)
        assert TITLE in text and "某某 & 某某" in text, edition
        assert "研发（R&D）投入<试点>" in text, edition
    assert "投入增长12.5%，A & B < C。" in docx_text(tmp_path / "w.docx")
