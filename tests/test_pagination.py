"""Pagination as a reader sees it in the PDF: no page left empty for a figure that went over,
no page holding only a row or two of a table, no running head on a chapter's opening page,
light contents leaders, and numbers in table columns aligned on the decimal point.

Each test builds a publication of its own to its PDF with the real renderer and reads the
PDF back (pdfplumber glyph positions, pdftotext)."""

from __future__ import annotations

import re
import subprocess

import pdfplumber
import pytest

from pagination_pub import build, paragraphs
from paperpress.decimals import FIGURE_SPACE, PUNCTUATION_SPACE, align_decimals
from paperpress.model import Span, Table

MM = 72 / 25.4
# The white paper's A4 page: the text area lies between these margins.
TOP, BOTTOM = 27 * MM, 24 * MM


def empty_below(page) -> float:
    """How much of the page's text area is empty below its last mark (a fraction)."""
    top, bottom = TOP, page.height - BOTTOM
    marks = [o for o in page.chars + page.images + page.rects + page.lines
             if o["top"] >= top - 2 and o["bottom"] <= bottom + 2]
    return (bottom - max(o["bottom"] for o in marks)) / (bottom - top)


def page_text(pdf, number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


TALL = {"tall.png": (600, 500)}
FIGURE = '![一张高图](images/tall.png "一张高图"){#tall width="60%"}'


def chapter(before: int, after: str, lines: int = 0) -> str:
    """A chapter whose picture comes after ``before`` paragraphs and one of about ``lines``
    lines."""
    short = "短" * (40 * lines - 2) + "。" if lines else ""
    return (f"# 一、第一章\n\n见{{{{ ref tall }}}}。\n\n{paragraphs(before)}\n\n{short}\n\n"
            f"{FIGURE}\n\n{after}")


def test_a_figure_that_does_not_fit_lets_the_text_go_on_and_takes_the_next_page(tmp_path):
    # Three paragraphs and one of seven lines leave a quarter of the page for the picture,
    # which needs more.
    body = chapter(3, paragraphs(4, 4) + "\n\n## （一）下一节\n\n" + paragraphs(2, 20), lines=7)
    pdf, layout, _ = build(tmp_path, body, pictures=TALL)
    assert any("fig-1" in move and "moved" in move for move in layout["pagination"])
    (figure_page,) = layout["figures"]["fig-1"]["image"]
    with pdfplumber.open(pdf) as doc:
        # Without the move the chapter's first page is left a fifth empty.
        assert empty_below(doc.pages[figure_page - 2]) < 0.15
    # The paragraphs after the picture moved up before it, and it keeps its number and
    # its place in the section (before the next heading); the reference still names it.
    text = squash(page_text(pdf, figure_page - 1) + page_text(pdf, figure_page))
    assert text.index("第5段") < text.index("图1一张高图") < text.index("第6段")
    assert "见图1" in squash(page_text(pdf, figure_page - 1) + page_text(pdf, figure_page - 2)
                            + page_text(pdf, 3))


def test_a_figure_slightly_too_tall_is_made_to_fit_the_page(tmp_path):
    # With a paragraph of three lines instead, it is a twelfth too tall for the room left.
    pdf, layout, _ = build(tmp_path, chapter(3, paragraphs(4, 4), lines=3), pictures=TALL)
    assert any("fig-1" in move and "size" in move for move in layout["pagination"])
    # On the chapter's first page, after the four paragraphs, not on the next.
    assert layout["figures"]["fig-1"] == {"image": [3], "caption": [3]}


def test_a_figure_that_ends_a_section_may_follow_the_next_sections_opening(tmp_path):
    # The picture is the last block of its section: the next section's heading and first
    # paragraph fill the page, and the picture heads the next one, as a book's float does.
    body = chapter(3, "## （二）下一节\n\n" + paragraphs(3, 20), lines=7)
    pdf, layout, _ = build(tmp_path, body, pictures=TALL)
    assert any("fig-1" in move and "moved" in move for move in layout["pagination"])
    (figure_page,) = layout["figures"]["fig-1"]["image"]
    with pdfplumber.open(pdf) as doc:
        assert empty_below(doc.pages[figure_page - 2]) < 0.15
    text = squash(page_text(pdf, figure_page - 1))
    assert "（二）下一节" in text and "第20段" in text


def test_a_figure_never_moves_past_a_chapter_heading(tmp_path):
    body = chapter(3, "# 二、第二章\n\n" + paragraphs(3, 20), lines=7)
    pdf, layout, _ = build(tmp_path, body, pictures=TALL)
    assert not any("moved" in move for move in layout["pagination"])
    text = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                 check=True).stdout)
    assert text.index("图1一张高图") < text.rindex("二、第二章")


def test_a_figure_never_moves_past_a_heading_or_another_figure(tmp_path):
    second = FIGURE.replace("{#tall", "{#tall2").replace("一张高图", "第二张图")
    body = chapter(3, second + "\n\n" + paragraphs(2, 4) + "\n\n## （一）下一节\n\n"
                   + paragraphs(2, 20), lines=7)
    pdf, layout, _ = build(tmp_path, body, pictures=TALL)
    assert layout["pagination"] == []
    text = squash("".join(page_text(pdf, n) for n in range(3, 6)))
    assert text.index("图1一张高图") < text.index("图2第二张图") < text.index("第4段")


def table_rows_by_page(pdf, marker: str) -> dict[int, int]:
    """How many body rows of the table whose cells start with ``marker`` each page holds."""
    found = {}
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            count = len(re.findall(rf"{marker}\d+", page.extract_text() or ""))
            if count:
                found[number] = count
    return found


def test_a_table_parted_across_pages_keeps_three_rows_at_its_start_and_end(tmp_path):
    # Tables of 14 to 47 rows one after another: wherever one breaks, neither part may be
    # a row or two alone (the header repeats above the rows on the next page). Without the
    # rule, the fourth and fifth leave two rows and one on the next page.
    tables = []
    for n, rows in enumerate(range(14, 50, 3)):
        lines = ["| 项目 | 数值 |", "|:--|--:|"] + [f"| T{n}R{r} | {r} |" for r in range(rows)]
        tables.append(paragraphs(1, n + 1) + "\n\n" + "\n".join(lines))
    pdf, _, _ = build(tmp_path, "# 一、表格\n\n" + "\n\n".join(tables))
    parted = 0
    for n in range(12):
        pages = table_rows_by_page(pdf, f"T{n}R")
        parted += len(pages) > 1
        if len(pages) > 1:
            assert min(pages.values()) >= 3, (n, pages)
    assert parted >= 6
    # The header row repeats on the page a table runs on to.
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            if re.search(r"T\d+R\d", page.extract_text() or "") and number > 3:
                assert "项目" in page.extract_text()


def test_no_last_page_holds_only_the_last_rows_of_a_long_table(tmp_path):
    # Long tables of different lengths end the edition: where the last rows alone would
    # make a last page of a quarter or less, the table is set tight and ends a page sooner.
    tightened = 0
    for rows in (34, 36, 38, 72):
        lines = ["| 项目 | 数值 |", "|:--|--:|"] + [f"| R{r} | {r} |" for r in range(rows)]
        pdf, layout, _ = build(tmp_path / str(rows), "# 一、附表\n\n" + "\n".join(lines))
        tightened += any("set tight" in note for note in layout["pagination"])
        with pdfplumber.open(pdf) as doc:
            last = doc.pages[-1]
            if re.search(r"R\d+", last.extract_text() or ""):
                assert len(doc.pages) == 3 or empty_below(last) < 0.75, (rows, len(doc.pages))
    assert tightened


def test_no_running_head_on_the_page_a_chapter_opens(tmp_path):
    body = "\n\n".join(f"# {n}、第{n}章\n\n" + paragraphs(12, 1) for n in "一二")
    pdf, layout, _ = build(tmp_path, body, title="分页测试报告")
    with pdfplumber.open(pdf) as doc:
        heads = [squash(page.crop((0, 0, page.width, TOP)).extract_text() or "")
                 for page in doc.pages]
        feet = [squash(page.crop((0, page.height - BOTTOM, page.width, page.height))
                       .extract_text() or "") for page in doc.pages]
        opening = [n for n, page in enumerate(doc.pages)
                   if re.match(r"[一二]、第", squash(page.extract_text() or "")
                               .replace(heads[n], "", 1))]
    assert len(opening) == 2 and len(doc.pages) >= 6
    for n, head in enumerate(heads[2:], 2):
        if n in opening:
            assert head == "", (n, head)
        else:
            assert head.startswith("分页测试报告") and "第" in head, (n, head)
        assert feet[n] == str(n + 1)  # the page number stays


def test_the_contents_leaders_are_light_spaced_dots(tmp_path):
    body = "\n\n".join(f"# {n}、第{n}章\n\n" + paragraphs(1) + f"\n\n## （一）第{n}章的一节\n\n"
                       + paragraphs(1) for n in "一二")
    pdf, _, _ = build(tmp_path, body)
    with pdfplumber.open(pdf) as doc:
        contents = doc.pages[1]
        dots = [c for c in contents.chars if c["text"] == "·"]
        numbers = [c for c in contents.chars if c["text"].isdigit()]
    assert dots and numbers
    for dot in dots:
        assert "Bold" not in dot["fontname"]
        grey = dot["non_stroking_color"]
        assert grey != numbers[0]["non_stroking_color"]
        assert min(grey) > 0.3 or (len(grey) == 4 and grey[3] < 0.7)  # lighter than ink
    line = sorted((d for d in dots if abs(d["top"] - dots[0]["top"]) < 1), key=lambda d: d["x0"])
    gaps = [b["x0"] - a["x0"] for a, b in zip(line, line[1:])]
    assert min(gaps) > 0.9 * dots[0]["size"]  # spaced, not a dotted rule


def test_the_model_pads_numbers_to_the_columns_decimal_point():
    table = Table(header=[[[Span("a")], [Span("b")], [Span("c")]]],
                  rows=[[[Span("x")], [Span("12.5")], [Span("1,200.5%")]],
                        [[Span("y")], [Span("3")], [Span("3%")]],
                        [[Span("z")], [Span("140.25")], [Span("n/a")]]],
                  align=["left", "right", "right"], widths=[0.4, 0.3, 0.3])
    align_decimals([table], (".", ",", "−"))
    assert [row[1][0].text for row in table.rows] == [
        "12.5" + FIGURE_SPACE, "3" + PUNCTUATION_SPACE + FIGURE_SPACE * 2, "140.25"]
    assert [row[2][0].text for row in table.rows] == [
        "1,200.5%", "3" + PUNCTUATION_SPACE + FIGURE_SPACE + "%", "n/a"]
    assert table.rows[0][0][0].text == "x"  # left-aligned columns are not touched


def test_decimal_points_in_a_table_column_share_one_line_in_the_pdf(tmp_path):
    values = ["12.5", "3", "140.25", "7.125", "1,024"]
    table = "\n".join(["| 项目 | 数值 |", "|:--|--:|"] + [f"| R{n} | {v} |"
                                                         for n, v in enumerate(values)])
    pdf, _, html = build(tmp_path, "# 一、表格\n\n" + paragraphs(1) + "\n\n" + table)
    points = []
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[2]
        for n, value in enumerate(values):
            (label,) = [w for w in page.extract_words() if w["text"] == f"R{n}"]
            row = sorted((c for c in page.chars if abs(c["top"] - label["top"]) < 2
                          and c["x0"] > label["x1"] + 20), key=lambda c: c["x0"])
            assert "".join(c["text"] for c in row) == value  # the padding is not text
            point = [c["x0"] for c in row if c["text"] == "."]
            points.append(point[0] if point else row[-1]["x1"])
    assert max(points) - min(points) <= 0.3, points


def test_an_edition_is_laid_out_once_when_no_figure_leaves_a_page_empty():
    from paperpress.pagination import paginate
    from paperpress.weasy import import_weasyprint

    weasyprint = import_weasyprint()
    layouts = []

    def lay_out(text):
        layouts.append(text)
        return weasyprint.HTML(string=text).render()

    source = ("<html><style>figure { --float-gap: 15% }</style><body><main>"
              + "<p>Text.</p>" * 20
              + '<figure id="f"><div style="height: 50mm"></div></figure></main></body></html>')
    document, moved = paginate(source, lay_out)
    assert (len(layouts), moved, len(document.pages)) == (1, [], 1)


@pytest.mark.parametrize("css, moves", [("figure { --float-gap: 15% }", 1), ("", 0)])
def test_the_stylesheet_decides_which_blocks_may_move(css, moves):
    """--float-gap on a block lets it move; an edition whose stylesheet sets none keeps
    WeasyPrint's own pagination."""
    from paperpress.pagination import paginate
    from paperpress.weasy import import_weasyprint

    weasyprint = import_weasyprint()
    paragraph = '<p style="height: 25mm; margin: 0">{}</p>'
    source = (f"<html><style>@page {{ size: A6; margin: 10mm }} {css}</style><body><main>"
              + "".join(paragraph.format(f"P{n}") for n in range(1, 5))
              + '<figure id="f" style="margin: 0"><div style="height: 50mm">F</div></figure>'
              + "".join(paragraph.format(f"P{n}") for n in range(5, 7)) + "</main></body></html>")
    document, moved = paginate(source, lambda text: weasyprint.HTML(string=text).render())
    assert len(moved) == moves
    pages = ["".join(t.text for t in _texts(page._page_box)) for page in document.pages]
    assert pages == (["P1P2P3P4P5", "P6F"] if moves else ["P1P2P3P4", "FP5P6"])


def _texts(box):
    if getattr(box, "text", None):
        yield box
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def test_chapters_that_run_on_keep_the_running_heads(tmp_path):
    body = "\n\n".join(f"# {n}、第{n}章\n\n" + paragraphs(7, 1) for n in "一二三")
    pdf, _, _ = build(tmp_path, body, config="layout:\n  chapters_on_new_page: false\n")
    with pdfplumber.open(pdf) as doc:
        heads = [squash(page.crop((0, 0, page.width, TOP)).extract_text() or "")
                 for page in doc.pages[2:]]
    assert len(heads) >= 3
    assert all(head.startswith("分页测试报告") for head in heads[1:]), heads
