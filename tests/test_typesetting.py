from collections import Counter

from paperpress.pdf import render_pdf
from paperpress.pdftext import read_pages

TEXT = ("湖南与共建国家贸易规模由2013年的664.4亿元攀升至2022年的3518.1亿元，占外贸总比重由"
        "42.6%提升至50.1%。贸易新业态新模式蓬勃发展，获批长沙、岳阳等6个国家级跨境电商综合"
        "试验区，数量居中西部前列；高桥大市场获批国家第四批市场采购贸易方式试点市场。") * 3


def render(tmp_path, css=""):
    html = tmp_path / "t.html"
    html.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><style>'
        '@page { size: A4; margin: 20mm 25mm } body { margin: 0 } '
        'p { font-family: "Noto Serif CJK SC"; font-size: 11pt; text-align: justify; '
        f'text-indent: 2em; line-height: 1.8 }} {css}</style></head>'
        f"<body><p>{TEXT}</p><p>{TEXT}</p></body></html>", encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    render_pdf(html, pdf)
    return [line for page in read_pages(pdf) for line in page.lines]


def test_justified_chinese_lines_end_flush_with_the_column(tmp_path):
    lines = render(tmp_path)
    right = Counter(round(line.x1) for line in lines).most_common(1)[0][0]
    # A4 is 595.3 pt wide; 25 mm margins leave the column's right edge at 524.4 pt.
    assert abs(right - 524.4) < 1
    paragraph_ends = {len(lines) // 2 - 1, len(lines) - 1}
    for n, line in enumerate(lines):
        if n not in paragraph_ends:
            assert abs(line.x1 - 524.4) < 0.6, line


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(tmp_path):
    for line in render(tmp_path):
        assert line.text[0] not in "，。、；：？！”’）》", line
        assert line.text[-1] not in "“‘（《", line
