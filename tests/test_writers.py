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
    write_document_model(src, out, REPO / "templates")
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


# A stylesheet may load nothing but data: URLs: the PDF renderer has no base address to
# resolve a relative one against (WeasyPrint leaves it out with a warning), and the web
# edition would keep it pointing nowhere.
@pytest.mark.parametrize("css, what", [
    ("body { background: url(logo.png) }", "url() of 'logo.png'"),
    ("ul { list-style-image: url('bullet.png') }", "url() of 'bullet.png'"),
    ("h1::before { content: url(mark.svg) }", "url() of 'mark.svg'"),
    ("@page { background: url(\"paper.jpg\") }", "url() of 'paper.jpg'"),
    ("@import \"extra.css\";", "@import of 'extra.css'"),
    ("@font-face { font-family: X; src: url(x.woff) format('woff') }", "url() of 'x.woff'"),
    ("@media print { p { background: url(https://example.com/a.png) } }",
     "url() of 'https://example.com/a.png'"),
    (".cover { background-image: image-set(\"https://t.example/p.png\" 1x) }",
     "image-set() of 'https://t.example/p.png'"),
    ("p { background: url(\" data:x\") }", "url() of ' data:x'"),
])
def test_a_stylesheet_that_loads_a_file_is_refused_naming_its_line(model, tmp_path, css, what):
    import shutil

    from paperpress.errors import SourceError

    templates = tmp_path / "html"
    shutil.copytree(REPO / "templates" / "html", templates)
    sheet = templates / "whitepaper.css"
    lines = sheet.read_text(encoding="utf-8").count("\n")
    with sheet.open("a", encoding="utf-8") as f:
        f.write(f"/* the editor's addition */\n{css}\n")
    (tmp_path / "figures").mkdir()
    out = tmp_path / "w.html"
    with pytest.raises(SourceError) as err:
        render_whitepaper_html(model, tmp_path / "figures", templates, out)
    assert str(err.value) == (f"{sheet}:{lines + 2}: {what}: editions use only inlined"
                              " resources: write it as a data: URL, or delete it")
    assert not out.exists()


def test_a_stylesheet_may_inline_a_resource_as_a_data_url(model, tmp_path):
    import shutil

    templates = tmp_path / "html"
    shutil.copytree(REPO / "templates" / "html", templates)
    dot = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
    with (templates / "whitepaper.css").open("a", encoding="utf-8") as f:
        f.write(f"li {{ list-style-image: url({dot}) }}\n")
    (tmp_path / "figures").mkdir()
    render_whitepaper_html(model, tmp_path / "figures", templates, tmp_path / "w.html")
    assert f"url({dot})" in (tmp_path / "w.html").read_text(encoding="utf-8")
