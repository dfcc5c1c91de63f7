"""Chinese micro-typography (W3C clreq, GB/T 15834) as a reader finds it on the page: glyph
positions in small WeasyPrint renders of the editions' own stylesheets, and the bundled
white paper's PDF and Word edition."""

from __future__ import annotations

import re
import subprocess
import sys

import pdfplumber
import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "src"))

from paperpress import cjkpunct  # noqa: E402
from paperpress.model import Span  # noqa: E402
from paperpress.pdf import render_pdf  # noqa: E402

BASE_CSS = (REPO / "templates" / "html" / "base.css").read_text(encoding="utf-8")
WHITEPAPER_CSS = (REPO / "templates" / "html" / "whitepaper.css").read_text(encoding="utf-8")
SIZE = 10  # pt, the body size of the small renders
CJK_RE = re.compile(r"[\u3400-\u9fff]")


def render(tmp_path, body: str, css: str = "", lang: str = "zh-CN") -> list[list[dict]]:
    """The lines of ``body`` (HTML) rendered with base.css, each a list of pdfplumber chars."""
    html = tmp_path / "t.html"
    html.write_text(
        f'<!DOCTYPE html><html lang="{lang}"><head><style>{BASE_CSS}\n'
        f'@page {{ size: A4; margin: 20mm 25mm }} body {{ margin: 0 }}'
        f' p {{ font-size: {SIZE}pt; text-align: justify; line-height: 1.8 }} {css}'
        f'</style></head><body>{body}</body></html>', encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    render_pdf(html, pdf)
    with pdfplumber.open(pdf) as document:
        return [line["chars"] for page in document.pages
                for line in page.extract_text_lines(return_chars=True)]


def advances(chars: list[dict]) -> dict[str, float]:
    """Each character's advance (to the next glyph's origin), by the character, in ems."""
    return {a["text"]: round((b["x0"] - a["x0"]) / SIZE, 2) for a, b in zip(chars, chars[1:])}


# Punctuation compression ---------------------------------------------------------------

def test_the_clreq_adjacency_rules_pick_the_marks_that_lose_their_blank_half():
    assert cjkpunct.halved("）》，") == [True, True, False]      # closing, closing: first half
    assert cjkpunct.halved("）》《") == [True, True, False]      # closing, opening: half em
    assert cjkpunct.halved("、“") == [True, False]
    assert cjkpunct.halved("。”") == [True, False]
    assert cjkpunct.halved("（《") == [False, True]              # opening, opening: second
    assert cjkpunct.halved("中，文") == [False, False, False]
    # across spans: the mark before a bold run's opening quote
    assert cjkpunct.halved("，", after="“") == [True]
    assert cjkpunct.halved("“", before="（") == [True]


def test_latin_quotes_are_left_alone_outside_chinese_and_japanese_text():
    assert cjkpunct.markup("“Hi”, “there”", "en") == "“Hi”, “there”"
    assert "cjk-halt" in cjkpunct.markup("“你好”，“再见”", "zh-CN")
    assert "cjk-halt" in cjkpunct.markup("「はい」、「いいえ」", "ja")


def test_adjacent_marks_take_one_em_and_a_half_not_two_or_three(tmp_path):
    text = "他说（美元）》，又说《甲》《乙》、“丙”。“丁”结束"
    before, = render(tmp_path, f"<p>{text}</p>", css=".cjk-halt { font-feature-settings: normal }")
    after, = render(tmp_path, f"<p>{cjkpunct.markup(text, 'zh-CN')}</p>")
    assert "".join(c["text"] for c in after) == text
    # Today's renders: every mark a full em.
    width = lambda chars, a, b: round((chars[b]["x0"] - chars[a]["x0"]) / SIZE, 2)
    positions = {s: text.index(s) for s in ("）》，", "》《", "、“", "”。“")}
    p = positions["）》，"]
    assert width(before, p, p + 3) == 3
    assert width(after, p, p + 3) == 2          # ） half, 》 half, ，whole
    p = positions["》《"]
    assert width(after, p, p + 2) == 1.5        # a half em between the pair
    p = positions["、“"]
    assert width(after, p, p + 2) == 1.5
    p = positions["”。“"]
    assert width(after, p, p + 3) == 2          # ” half, 。 half, “ whole


def test_an_opening_mark_that_starts_a_line_loses_its_leading_half_em(tmp_path):
    # 20 characters a line: the opening quote falls at the start of the second line.
    lines = render(tmp_path, "<p>" + "一二三四五六七八九十" * 2 + "《源头活水》之类"
                   + "一二三四五六七八九十" * 3 + "</p>", css="p { width: 20em }")
    assert lines[1][0]["text"] == "《"
    left = lines[0][0]["x0"]
    # The mark's ink (the right half of its em) starts at the column's edge (give or take
    # the letter spacing that justifies the line: a few hundredths of an em) ...
    assert lines[1][0]["x0"] == pytest.approx(left - SIZE / 2, abs=0.03 * SIZE)
    assert lines[2][0]["x0"] == pytest.approx(left, abs=0.01)
    # ... and the freed half em goes to the line's justification: it still ends at the
    # column's edge (a justified line's last glyph ends half a letter spacing short of it,
    # as every letter-spaced line does: Pango trims that half at a line's end).
    assert lines[1][-1]["x1"] == pytest.approx(lines[0][-1]["x1"], abs=0.03 * SIZE)


def test_an_indented_first_line_keeps_its_opening_mark_whole(tmp_path):
    lines = render(tmp_path, "<p>“源头活水”" + "一二三四五六七八九十" * 3 + "</p>",
                   css="p { width: 20em; text-indent: 2em }")
    assert lines[0][0]["text"] == "“"
    assert lines[0][0]["x0"] == pytest.approx(lines[1][0]["x0"] + 2 * SIZE, abs=0.05)


# 间隔号 -------------------------------------------------------------------------------

def test_the_middle_dot_between_chinese_names_is_full_width_and_centred(tmp_path):
    text = "纯粹中国·锦绣潇湘"
    plain, = render(tmp_path, f"<p>{text}</p>")
    marked, = render(tmp_path, f"<p>{cjkpunct.markup(text, 'zh-CN')}</p>")
    assert advances(plain)["·"] < 0.4  # Noto Serif CJK SC's proportional dot
    assert advances(marked)["·"] == 1
    assert cjkpunct.markup("A·B", "zh-CN") == "A·B"  # between Latin letters: as it is


# The measure ---------------------------------------------------------------------------

def test_the_white_papers_measure_is_a_whole_number_of_body_characters(tmp_path):
    """A justified all-Chinese line of the white paper's text column: each glyph a full
    body em from the last, the last ending exactly at the column's right edge."""
    html = tmp_path / "w.html"
    paragraph = "湖南与共建国家贸易规模攀升占外贸总比重提升贸易新业态新模式蓬勃发展" * 6
    html.write_text(
        f'<!DOCTYPE html><html lang="zh-CN"><head><style>{BASE_CSS}\n{WHITEPAPER_CSS}'
        f'</style></head><body><main><p>{paragraph}</p></main></body></html>',
        encoding="utf-8")
    render_pdf(html, tmp_path / "w.pdf")
    with pdfplumber.open(tmp_path / "w.pdf") as document:
        page = document.pages[0]
        lines = [l["chars"] for l in page.extract_text_lines(return_chars=True)]
        width = float(page.width)
    size = lines[1][0]["size"]
    full = lines[1]  # a whole line, not indented, not the last
    right = width - full[0]["x0"]  # the margins are equal
    assert right - full[0]["x0"] == pytest.approx(len(full) * 11, abs=0.05)  # 11 pt body
    steps = {round(b["x0"] - a["x0"], 3) for a, b in zip(full, full[1:])}
    assert steps == {round(size, 3)}, "extra spacing in an all-Chinese line"
    assert full[-1]["x1"] == pytest.approx(right, abs=0.05)


# The end of a paragraph ----------------------------------------------------------------

def test_the_end_group_holds_three_characters_with_its_punctuation_and_brackets():
    def tail(text):
        start = cjkpunct.tail_start(text)
        return None if start is None else text[start:]

    assert tail("涓涓细流汇聚成源头活水”。") == "头活水”。"
    assert tail("各方面工作不断巩固。") == "断巩固。"
    assert tail("中欧班列累计开行（2023年6月）") == "（2023年6月）"  # a bracket whole
    assert tail("国际友城总数（2023年）") == "数（2023年）"  # a number counts as one
    assert tail("对外投资额（美元）") == "额（美元）"
    assert tail("as the World Bank says.") is None  # Latin text: its spaces break it
    assert tail("Noto") is None


def test_no_paragraph_of_a_render_ends_in_a_line_of_one_or_two_characters(tmp_path):
    # Without the keep, 40 characters in a 19-em column leave 「断巩固。」's 固。 alone.
    text = "一二三四五六七八九十" * 3 + "持续深化各方面工作不断巩固。"
    spans = cjkpunct.set_spans([Span(text)], "zh-CN")
    assert spans[-1].keep_open and spans[-1].keep_close
    plain = render(tmp_path, f"<p>{text}</p>", css="p { width: 21em }")
    assert len(CJK_RE.findall("".join(c["text"] for c in plain[-1]))) <= 2  # the defect
    kept = render(tmp_path, f"<p>{cjkpunct.keep_end(text, 'zh-CN')}</p>",
                  css="p { width: 21em }")
    assert len(CJK_RE.findall("".join(c["text"] for c in kept[-1]))) >= 3


# The bundled white paper ---------------------------------------------------------------

PLACEHOLDER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="380"'
                   ' viewBox="0 0 600 380"><rect width="600" height="380" fill="#eee"/></svg>')


@pytest.fixture(scope="module")
def white_paper(tmp_path_factory):
    """The bundled white paper's model, and its PDF's lines as WeasyPrint laid them out
    (the charts drawn as grey placeholders of a chart's size: only the text is looked at)."""
    import json

    from paperpress.html import render_whitepaper_html
    from paperpress.model import Document

    out = tmp_path_factory.mktemp("paper")
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "paperpress", "model", "sources/hunan-bri-2023",
                    str(out / "document.json")], check=True, capture_output=True, cwd=REPO,
                   env=env)
    doc = Document.from_json((out / "document.json").read_text(encoding="utf-8"))
    figures = out / "figures"
    (figures / "phone").mkdir(parents=True)
    for figure in doc.figures:
        (figures / f"{figure.chart}.svg").write_text(PLACEHOLDER_SVG, encoding="utf-8")
        (figures / "phone" / f"{figure.chart}.svg").write_text(PLACEHOLDER_SVG,
                                                               encoding="utf-8")
    render_whitepaper_html(out / "document.json", figures, REPO / "templates" / "html",
                           out / "whitepaper.html", REPO / "sources" / "hunan-bri-2023")
    render_pdf(out / "whitepaper.html", out / "whitepaper.pdf", out / "layout.json")
    layout = json.loads((out / "layout.json").read_text(encoding="utf-8"))
    lines = [line[4] for page in layout["pages"] for line in page["lines"]]
    return doc, lines, out


def _texts(doc) -> list[str]:
    """Every paragraph, list item, table cell and key-figure label of the model."""
    from paperpress import model

    found = []

    def spans_text(spans):
        return "".join(s.text for s in spans if not s.note)

    def walk(blocks):
        for block in blocks:
            if isinstance(block, model.Paragraph):
                found.append(spans_text(block.spans))
            elif isinstance(block, model.ListBlock):
                for item in block.items:
                    walk(item)
            elif isinstance(block, (model.Quote, model.Box)):
                walk(block.blocks)
            elif isinstance(block, model.Table):
                found.extend(spans_text(cell) for row in block.rows for cell in row)

    walk(doc.blocks)
    found.extend(k.label + k.period_note for k in doc.key_figures)
    return [t for t in found if CJK_RE.search(t)]


def test_no_paragraph_cell_or_label_of_the_white_paper_ends_in_one_or_two_characters(
        white_paper):
    doc, lines, _ = white_paper
    texts = _texts(doc)
    # A line ends a text when it and the line before end it (a line alone could be a
    # shorter text of its own elsewhere: a table cell 「2023年」).
    last_lines = [(line, text) for before, line in zip(lines, lines[1:]) for text in texts
                  if text.endswith(before + line) and CJK_RE.search(line)]
    assert len(last_lines) > 50  # the paper's paragraphs that run over more than a line
    # A key figure's period 「（2023年6月）」 may stand on a line of its own, whole.
    periods = {k.period_note for k in doc.key_figures}
    short = [(line, text[-20:]) for line, text in last_lines
             if len(CJK_RE.findall(line)) <= 2 and line not in periods]
    assert short == []


def test_the_white_papers_marks_are_compressed_and_its_dots_full_width(white_paper):
    _, _, out = white_paper
    html = (out / "whitepaper.html").read_text(encoding="utf-8")
    # 「；“纯粹中国·锦绣潇湘”」: the semicolon before the quote, the dot between names
    assert '<span class="cjk-halt">；</span>“纯粹中国<span class="cjk-fwid">·</span>锦绣' in html
    with pdfplumber.open(out / "whitepaper.pdf") as document:
        lines = [line["chars"] for page in document.pages
                 for line in page.extract_text_lines(return_chars=True)]
    dots = [(line[n - 1], line[n], line[n + 1]) for line in lines
            for n in range(1, len(line) - 1) if line[n]["text"] == "·"
            and CJK_RE.match(line[n - 1]["text"]) and CJK_RE.match(line[n + 1]["text"])]
    assert len(dots) >= 3  # 「纯粹中国·锦绣潇湘」「文化中国·四海同春」 …
    for before, dot, after in dots:
        assert dot["x0"] - before["x0"] == pytest.approx(before["size"], abs=0.6)
        assert after["x0"] - dot["x0"] == pytest.approx(dot["size"], abs=0.6)
    pairs = [(line[n], line[n + 1]) for line in lines for n in range(len(line) - 1)
             if line[n]["text"] in "；、，。" and line[n + 1]["text"] == "“"]
    assert pairs
    for mark, quote in pairs:  # 「；“」「、“」: a half em between them, not a whole one
        assert quote["x0"] - mark["x0"] == pytest.approx(mark["size"] / 2, abs=0.6)


def test_the_html_adds_no_space_between_chinese_and_latin_or_digits(white_paper):
    """The Word edition sets Chinese and digits tight (autoSpaceDE/DN off): so do the PDF
    and the web edition, which add no spaces of their own."""
    doc, _, out = white_paper
    html = (out / "whitepaper.html").read_text(encoding="utf-8")
    assert "text-autospace" not in BASE_CSS + WHITEPAPER_CSS
    assert "由2013年的664.4亿元" in re.sub(r"<[^>]+>", "", html)
