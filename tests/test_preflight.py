"""Each preflight check against a small document seeded with its fault, and a clean one."""

import base64
import io
import json

import pytest
from PIL import Image

from paperpress.errors import SourceError
from paperpress.pdf import render_pdf
from paperpress.preflight import preflight, run_preflight

PARAGRAPH = ("湖南与共建国家贸易规模由2013年的664.4亿元攀升至2022年的3518.1亿元，占外贸总比重由"
             "42.6%提升至50.1%。贸易新业态新模式蓬勃发展，获批长沙、岳阳等6个国家级跨境电商"
             "综合试验区，数量居中西部前列。")
STYLE = ('@page { size: A4; margin: 20mm } body { margin: 0; font-family: "Noto Serif CJK SC";'
         ' font-size: 11pt; line-height: 1.8 } p { text-align: justify }')


def build(tmp_path, body):
    html = tmp_path / "doc.html"
    html.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><style>{STYLE}</style></head>'
                    f"<body>{body}</body></html>", encoding="utf-8")
    pdf, layout = tmp_path / "doc.pdf", tmp_path / "doc.layout.json"
    render_pdf(html, pdf, layout)
    return pdf, json.loads(layout.read_text(encoding="utf-8"))


def findings(tmp_path, body):
    pdf, layout = build(tmp_path, body)
    return preflight(pdf, layout)[0]


def checks(found):
    return {f.check for f in found}


def test_a_clean_document_passes(tmp_path):
    assert findings(tmp_path, f"<p>{PARAGRAPH}</p>" * 3) == []


def test_a_character_without_a_glyph_is_named_with_its_page_and_line(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><p style='break-before: page'>注\ue000释</p>")
    assert checks(found) == {"glyphs"}
    assert "U+E000" in str(found[0]) and "empty box" in str(found[0])
    assert found[0].page == 2 and str(found[0]).endswith(", in '注\ue000释'")


def test_a_font_that_is_not_embedded_is_named(tmp_path):
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(_pdf_with_unembedded_helvetica())
    found, _ = preflight(pdf)
    assert "fonts" in checks(found)
    assert "Helvetica is not embedded" in " ".join(map(str, found))


def test_a_low_resolution_image_is_named_with_its_dpi(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (158, 27, 30)).save(buffer, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    found = findings(tmp_path, f'<p>{PARAGRAPH}</p><img src="{uri}" style="width: 120mm">')
    assert checks(found) == {"images"}
    assert "printed at 13 dpi" in str(found[0]) and found[0].page == 1


def _png(tmp_path, width: int, height: int) -> str:
    """A PNG file as a photo is handed over (72 dpi in its header), as a data: URL."""
    path = tmp_path / f"photo-{width}.png"
    Image.new("RGB", (width, height), (20, 90, 160)).save(path, dpi=(72, 72))
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _figure(uri: str, anchor: str, width: str) -> str:
    return (f"<figure id='{anchor}' style='margin: 0'><img src='{uri}' style='display: block;"
            f" width: {width}'><figcaption>{anchor}</figcaption></figure>")


# What the document model says of the text's images (the reader measures them).
MODEL = {"blocks": [
    {"kind": "heading", "level": 1, "text": "One"},
    {"kind": "image", "src": "images/harbour.png", "label": "Figure 2", "anchor": "fig-2",
     "pixel_width": 640, "pixel_height": 480},
    {"kind": "list", "items": [[{"kind": "image", "src": "images/crane.png", "label": "Figure 3",
                                 "anchor": "fig-3", "pixel_width": 2000,
                                 "pixel_height": 1500}]]}]}


def test_an_image_printed_under_300_dpi_is_named_with_its_page_and_what_would_do(tmp_path):
    # 640 px across 80 % of a 170 mm column: 120 dpi. 1600 px would do at that width, or
    # the 640 px at 31 % of the column (308 dpi; 32 % would be 299).
    pdf, layout = build(tmp_path, f"<p>{PARAGRAPH}</p><div style='break-before: page'></div>"
                                  + _figure(_png(tmp_path, 640, 480), "fig-2", "80%")
                                  + _figure(_png(tmp_path, 2000, 1500), "fig-3", "80%"))
    found, facts = preflight(pdf, layout, MODEL)
    assert facts["images"] == 2
    assert [str(f) for f in found] == [
        "images: page 2: image images/harbour.png (Figure 2) of 640×480 px is printed at 120"
        " dpi (needs 300): use a larger image (at least 1600 px wide) or print it smaller"
        ' (width="31%" or less)']


def test_without_the_model_a_coarse_image_is_named_by_its_size(tmp_path):
    pdf, layout = build(tmp_path, _figure(_png(tmp_path, 640, 480), "fig-1", "100%"))
    found, _ = preflight(pdf, layout)
    assert [f.page for f in found] == [1]
    assert found[0].message.startswith("an image of 640×480 px is printed at 96 dpi")
    assert found[0].message.endswith('(width="31%" or less)')


def test_an_image_with_the_pixels_its_printed_size_needs_passes(tmp_path):
    pdf, layout = build(tmp_path, _figure(_png(tmp_path, 2000, 1500), "fig-3", "80%"))
    assert preflight(pdf, layout, MODEL)[0] == []


def test_text_running_out_of_its_column_is_an_overflow(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH * 2}</p><p>{'ABCDEFGHIJ' * 7}</p>")
    assert checks(found) == {"overflow"}
    assert "runs out of the text column" in str(found[0])


def test_text_running_off_the_page_is_an_overflow(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH * 2}</p><p>{'ABCDEFGHIJ' * 14}</p>")
    assert checks(found) == {"overflow"}
    assert "runs off the page" in str(found[0])


# A brief of a small publication: a handful of short lines and one label long enough to
# wrap. The column is the page's own (A4 less 20 mm margins), not its most common line end.
SHORT_PAGE = ("<h2>湖南参与共建“一带一路”</h2>" + "<p>贸易规模3518.1亿元</p>" * 6
              + "<p>湖南与共建国家贸易规模由2013年的664.4亿元攀升至2022年的3518.1亿元，"
                "占外贸总比重由42.6%提升至50.1%</p>" + "<p>友好城市102对</p>" * 3)


def test_a_short_page_with_a_long_wrapped_label_passes(tmp_path):
    assert findings(tmp_path, SHORT_PAGE) == []


def test_a_line_past_the_text_column_is_named_with_its_page_and_text(tmp_path):
    # 566 pt wide: past the column (539 pt), short of the page's edge (595 pt).
    found = findings(tmp_path, SHORT_PAGE + "<p style='break-before: page; white-space: nowrap'>"
                               "占外贸总比重由42.6%提升至50.1%，贸易新业态新模式蓬勃发展，"
                               "获批长沙、岳阳等6个国家级跨境电商</p>")
    assert checks(found) == {"overflow"}
    assert [f.page for f in found] == [2]
    assert "'占外贸总比重由42.6%提升至50.1%，贸易新…' runs out of the text column" in str(found[0])


def test_a_table_wider_than_the_column_is_an_overflow(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><table><tr>{'<td>3518.1</td>' * 14}</tr>"
                               "</table>")
    assert checks(found) == {"overflow"} and [f.page for f in found] == [1]
    assert "'3518.1' runs out of the text column" in str(found[0])
    assert "past its right edge" in str(found[0])


def test_running_heads_and_page_numbers_in_the_margins_pass(tmp_path):
    margins = ("<style>@page { @top-left { content: '湖南省参与共建“一带一路”十年成果和未来展望' }"
               " @top-right { content: '一、贸易畅通' } @bottom-center { content: counter(page) }"
               " @left-middle { content: '内部资料' } }</style>")
    assert findings(tmp_path, margins + SHORT_PAGE) == []


def test_a_running_head_past_its_margin_box_is_an_overflow(tmp_path):
    margins = ("<style>@page { @left-middle { content: '湖南省参与共建一带一路十年成果和未来展望';"
               " white-space: nowrap } }</style>")
    found = findings(tmp_path, margins + SHORT_PAGE)
    assert checks(found) == {"overflow"} and found[0].page == 1
    assert ("'湖南省参与共建一带一路十年成果和未来展望' runs out of its margin box @left-middle"
            in str(found[0]))


def test_bleed_and_crop_marks_leave_the_column_where_the_margins_put_it(tmp_path):
    press = ("<style>@page { bleed: 3mm; marks: crop cross; @top-right { content: '一、贸易畅通' }"
             " @bottom-center { content: counter(page) } }</style>")
    assert findings(tmp_path, press + SHORT_PAGE) == []
    found = findings(tmp_path, press + f"<p>{PARAGRAPH}</p><table><tr>"
                                       f"{'<td>3518.1</td>' * 14}</tr></table>")
    assert checks(found) == {"overflow"} and "'3518.1' runs out of the text column" in str(found[0])


def test_without_a_layout_file_pdftotext_lines_still_show_an_overflow(tmp_path):
    pdf, _ = build(tmp_path, f"<p>{PARAGRAPH * 2}</p><p>{'ABCDEFGHIJ' * 7}</p>")
    found, _ = preflight(pdf)
    assert checks(found) == {"overflow"}
    assert "ABCDEFGHIJ" in str(found[0])


def test_closing_punctuation_at_a_line_start_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><p>湖南与共建国家<br>，贸易规模</p>")
    assert checks(found) == {"punctuation"}
    assert "line starts with '，'" in str(found[0])


def test_opening_punctuation_at_a_line_end_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><p>湖南与共建国家“<br>一带一路”</p>")
    assert checks(found) == {"punctuation"}
    assert "line ends with '“'" in str(found[0])


def test_an_empty_page_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><div style='break-before: page'></div>"
                               f"<p style='break-before: page'>{PARAGRAPH}</p>")
    assert checks(found) == {"empty-pages"}
    assert found[0].page == 2


def test_a_figure_split_from_its_caption_is_caught(tmp_path):
    svg = ('data:image/svg+xml;base64,' + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
        b'<rect width="400" height="100" fill="#9e1b1e"/></svg>').decode())
    found = findings(tmp_path, f"<div style='height: 225mm'></div>"
                               f"<figure id='fig-1' style='break-inside: auto; margin: 0'>"
                               f"<img src='{svg}' style='height: 20mm'>"
                               f"<figcaption style='margin-top: 15mm'>图1 标题</figcaption>"
                               f"</figure>")
    assert checks(found) == {"figures"}
    assert "fig-1: image on page 1, caption on page 2" in str(found[0])


def test_a_heading_left_alone_at_the_bottom_of_a_page_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><div style='height: 200mm'></div>"
                               "<h2>（二）设施联通不断推进</h2>"
                               f"<p style='break-before: page'>{PARAGRAPH}</p>")
    assert checks(found) == {"headings"}
    assert "heading '（二）设施联通不断推进' is left alone" in str(found[0])
    assert found[0].page == 1


def test_a_contents_entry_with_the_wrong_page_is_caught(tmp_path):
    found = findings(tmp_path, "<nav><p><a href='#c1'>第一章 概述 ······ 5</a></p></nav>"
                               f"<h1 id='c1' style='break-before: page'>第一章 概述</h1>"
                               f"<p>{PARAGRAPH}</p>")
    assert checks(found) == {"contents"}
    assert "'第一章 概述' is listed at page 5 but starts on page 2" in str(found[0])


def _two_chapters_with_a_summary_each(second_summary_page: int) -> str:
    return ("<nav><p>第一章 ······ 2</p><p>小结 ······ 3</p><p>第二章 ······ 4</p>"
            f"<p>小结 ······ {second_summary_page}</p></nav>"
            + "".join(f"<h1 style='break-before: page'>{title}</h1><p>{PARAGRAPH}</p>"
                      f"<h2 style='break-before: page'>小结</h2><p>{PARAGRAPH}</p>"
                      for title in ("第一章", "第二章")))


def test_headings_of_the_same_title_are_each_checked_against_their_own_page(tmp_path):
    assert findings(tmp_path, _two_chapters_with_a_summary_each(5)) == []
    (tmp_path / "wrong").mkdir()
    found = findings(tmp_path / "wrong", _two_chapters_with_a_summary_each(6))
    assert [str(f) for f in found] == [
        "contents: page 1: '小结' is listed at page 6 but starts on page 5"]


def test_a_deeper_heading_the_contents_does_not_list_is_not_taken_for_an_entry(tmp_path):
    body = ("<nav><p>第一章 ······ 2</p><p>小结 ······ 3</p></nav>"
            f"<h1 style='break-before: page'>第一章</h1><h3>小结</h3><p>{PARAGRAPH}</p>"
            f"<h2 style='break-before: page'>小结</h2><p>{PARAGRAPH}</p>")
    assert findings(tmp_path, body) == []


def test_a_failed_preflight_stops_with_the_report(tmp_path):
    pdf, _ = build(tmp_path, f"<p>{PARAGRAPH}\ue000</p>")
    layout = tmp_path / "doc.layout.json"
    with pytest.raises(SourceError, match=r"(?s)doc.pdf: failed preflight:.*FAIL  glyphs"):
        run_preflight(pdf, layout, tmp_path / "doc.preflight.txt")
    assert not (tmp_path / "doc.preflight.txt").exists()


def _pdf_with_unembedded_helvetica() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    content = b"BT /F1 12 Tf 72 720 Td (Not embedded) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_text_running_off_the_left_edge_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><p style='margin-left: -25mm'>{PARAGRAPH}</p>")
    assert "overflow" in checks(found)


def test_a_line_that_is_only_a_full_stop_is_caught(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}</p><p>湖南<br>。</p>")
    assert checks(found) == {"punctuation"}


PRINT_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
CHART = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
         '<rect width="120" height="60" fill="#9E1B1E"/>'
         '<line x1="0" y1="90" x2="200" y2="90" stroke="#DDDDDD"/></svg>')


def _press_pdf(tmp_path, monkeypatch, convert: bool):
    from contextlib import nullcontext

    from paperpress import pdf as pdf_module
    from paperpress.pdf import PdfEdition

    if not convert:
        monkeypatch.setattr(pdf_module, "drawing_in_cmyk", lambda *args: nullcontext())
    chart = base64.b64encode(CHART.encode()).decode()
    html = tmp_path / "doc.html"
    html.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><style>{STYLE}</style></head>'
                    f'<body><p style="color: #9E1B1E">{PARAGRAPH}</p>'
                    f'<img src="data:image/svg+xml;base64,{chart}"></body></html>',
                    encoding="utf-8")
    pdf, layout = tmp_path / "doc.pdf", tmp_path / "doc.layout.json"
    render_pdf(html, pdf, layout, PdfEdition(variant="pdf/x-4", output_profile=PRINT_PROFILE))
    return preflight(pdf, json.loads(layout.read_text(encoding="utf-8")))[0]


def test_device_rgb_beside_a_cmyk_output_intent_is_caught(tmp_path, monkeypatch):
    found = [f for f in _press_pdf(tmp_path, monkeypatch, convert=False) if f.check == "colour"]
    assert found and found[0].page == 1 and "device RGB" in found[0].message


def test_the_press_edition_draws_rgb_as_cmyk_and_passes(tmp_path, monkeypatch):
    assert _press_pdf(tmp_path, monkeypatch, convert=True) == []


def test_an_rgb_image_in_the_press_edition_is_named_on_the_page_that_draws_it(tmp_path):
    """Every page of a WeasyPrint PDF shares one resource dictionary that names every
    image: only the page that draws the picture has the finding."""
    from paperpress.pdf import PdfEdition

    html = tmp_path / "doc.html"
    html.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><style>{STYLE}</style></head>'
                    f"<body><p>{PARAGRAPH}</p><p style='break-before: page'>{PARAGRAPH}</p>"
                    + _figure(_png(tmp_path, 2000, 1500), "fig-3", "80%")
                    + f"<p style='break-before: page'>{PARAGRAPH}</p></body></html>",
                    encoding="utf-8")
    pdf, layout = tmp_path / "doc.pdf", tmp_path / "doc.layout.json"
    render_pdf(html, pdf, layout, PdfEdition(variant="pdf/x-4", output_profile=PRINT_PROFILE))
    found, _ = preflight(pdf, json.loads(layout.read_text(encoding="utf-8")), MODEL)
    assert [str(f) for f in found] == [
        "colour: page 2: image images/crane.png (Figure 3) of 2000×1500 px set in device RGB"
        " beside a CMYK output intent: a PDF/X-4 check refuses them"]


def test_greys_print_on_black_ink_alone_and_colours_through_the_profile():
    from paperpress.cmyk import CmykConversion

    conversion = CmykConversion(PRINT_PROFILE)
    assert conversion.convert(0, 0, 0) == (0, 0, 0, 1)
    assert conversion.convert(0.8, 0.8, 0.8) == (0, 0, 0, 0.2)
    c, m, y, k = conversion.convert(0.62, 0.106, 0.118)  # the house red, #9E1B1E
    assert m > 0.8 and y > 0.8 and c < 0.5


# --- no false alarms: short publications in two languages, on the house stylesheets ----

from conftest import REPO  # noqa: E402

CONSTRUCTS = """
ul, ol { margin: 1mm 0; padding-left: 1.4em; }
blockquote { margin: 2mm 0 2mm 6mm; padding-left: 3mm; border-left: 0.8mm solid var(--gold); }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 1mm 1.5mm; border-bottom: 0.2mm solid #ccc; } td.num { text-align: right; }
.box { border: 0.4mm solid var(--accent); padding: 2mm 3mm; margin: 3mm 0; }
.note { float: footnote; font-size: 8pt; text-indent: 0; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 70%; }
::footnote-marker { content: counter(footnote) ". "; }
"""


def _short_publication(tmp_path, lang: str, stylesheets: tuple[str, ...], words: dict) -> list:
    """One page of a short publication with every construct the text may have, set with
    the house stylesheets (templates/html/): its preflight findings."""
    css = "\n".join((REPO / "templates" / "html" / name).read_text(encoding="utf-8")
                    for name in stylesheets) + CONSTRUCTS
    p, note = words["paragraph"], words["note"]
    rows = "".join(f"<tr><td>{label}</td><td class='num'>1,234.5</td>"
                   f"<td class='num'>123,456.7</td></tr>" for label in words["rows"])
    html = tmp_path / "doc.html"
    html.write_text(
        f'<!DOCTYPE html><html lang="{lang}"><head><style>{css}</style></head><body>'
        f'<header class="masthead"><div class="brief-title">{words["brief"]}</div>'
        f'<div class="title">{words["title"]}</div><div class="byline">{words["by"]}</div>'
        f'</header><main><h2 class="chapter">{words["chapter"]}</h2>'
        f'<p>{p}<span class="note">{note} <a href="https://example.org/statistics/harbour-2025">'
        f'https://example.org/statistics/harbour-2025</a></span> {p}</p>'
        f'<ul><li>{p}<ol><li>{words["section"]}</li><li>{p}</li></ol></li>'
        f'<li>{words["section"]}</li></ul><blockquote><p>{words["quote"]}</p></blockquote>'
        f'<div class="box"><h3>{words["section"]}</h3><p>{p}</p></div>'
        f'<table><thead><tr><th></th><th>2024</th><th>2025</th></tr></thead>'
        f'<tbody>{rows}</tbody></table></main></body></html>', encoding="utf-8")
    pdf, layout = tmp_path / "doc.pdf", tmp_path / "doc.layout.json"
    render_pdf(html, pdf, layout)
    found, facts = preflight(pdf, json.loads(layout.read_text(encoding="utf-8")))
    assert facts["pages"] == 1
    return found


def test_a_one_page_english_brief_raises_no_false_alarm(tmp_path):
    assert _short_publication(tmp_path, "en", ("base.css", "brief.css"), {
        "brief": "In brief", "title": "Harbour Trade Report 2025",
        "by": "A fictional example · Example Statistics Office · June 2025",
        "chapter": "Trade grew for the fifth year", "section": "Containers and routes",
        "paragraph": "The harbour handled 1.55 million TEU in 2024, up from 1.21 million TEU"
                     " in 2020, notwithstanding the internationalisation of shipping lines.",
        "note": "Harbour Authority, annual statistics, table 4.",
        "quote": "“Trade is the lifeblood of a harbour city.”",
        "rows": ["North terminal", "South terminal", "Total"]}) == []


def test_a_short_chinese_publication_raises_no_false_alarm(tmp_path):
    assert _short_publication(tmp_path, "zh-CN", ("base.css", "brief.css"), {
        "brief": "要点速览", "title": "示例统计公报", "by": "虚构示例 · 统计局 · 2025年6月",
        "chapter": "一、贸易畅通", "section": "（一）贸易规模",
        "paragraph": PARAGRAPH, "note": "资料来源：湖南省商务厅。",
        "quote": "“一带一路”倡议提出十年来，合作成果丰硕。", "rows": ["北港", "南港", "合计"]}) == []
