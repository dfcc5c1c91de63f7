"""A publication written for a test, built to its PDF edition as the workflow builds it:
text -> model -> HTML -> PDF (and layout file)."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from conftest import REPO
from paperpress.document import write_document_model
from paperpress.html import render_whitepaper_html
from paperpress.pdf import render_pdf

FILLER_ZH = ("这是一段用于检查分页的正文，它的长度足以占据好几行，让页面上的文字像真正的报告一样连续排下去，"
             "直到页面的底部为止。")


def paragraphs(count: int, start: int = 1, lang: str = "zh-CN") -> str:
    """``count`` numbered body paragraphs, each a few lines long."""
    if lang == "en":
        return "\n\n".join(f"Paragraph {n}. " + "The text runs on as a report's text does, "
                           "line after line, until the page is full and it goes on to the next. " * 4
                           for n in range(start, start + count))
    return "\n\n".join(f"第{n}段。" + FILLER_ZH * 3 for n in range(start, start + count))


def build(tmp_path: Path, body: str, *, lang: str = "zh-CN", title: str = "分页测试报告",
          config: str = "layout:\n  chapters_on_new_page: true\n",
          pictures: dict[str, tuple[int, int]] | None = None,
          data: str = "") -> tuple[Path, dict, Path]:
    """Write a publication with ``body`` as its text and build its screen PDF; returns the
    PDF, its layout file (parsed) and the HTML."""
    src = tmp_path / "sources" / "pagination"
    (src / "data").mkdir(parents=True)
    (src / "charts").mkdir()
    (src / "images").mkdir()
    for name, size in (pictures or {}).items():
        Image.new("RGB", size, (200, 80, 60)).save(src / "images" / name)
    (src / "publication.yaml").write_text(config, encoding="utf-8")
    (src / "data" / "d.csv").write_text(
        "key,period,value,unit,label,section\n" + (data or "x,2024,1,%,x,1\n"),
        encoding="utf-8")
    (src / "text.md").write_text(
        f"---\ntitle: {title}\nissuer: 测试\ndate: 2026\nlang: {lang}\n---\n\n{body}\n",
        encoding="utf-8")
    model = tmp_path / "document.json"
    write_document_model(src, model, REPO / "templates")
    html = tmp_path / "whitepaper.html"
    figures = tmp_path / "figures"
    figures.mkdir()
    render_whitepaper_html(model, figures, REPO / "templates" / "html", html, sources_dir=src)
    pdf, layout = tmp_path / "whitepaper.pdf", tmp_path / "layout.json"
    render_pdf(html, pdf, layout)
    return pdf, json.loads(layout.read_text(encoding="utf-8")), html
