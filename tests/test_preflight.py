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


def test_a_character_without_a_glyph_is_named(tmp_path):
    found = findings(tmp_path, f"<p>{PARAGRAPH}\ue000</p>")
    assert checks(found) == {"glyphs"}
    assert "U+E000" in str(found[0]) and "empty box" in str(found[0])


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


def test_greys_print_on_black_ink_alone_and_colours_through_the_profile():
    from paperpress.cmyk import CmykConversion

    conversion = CmykConversion(PRINT_PROFILE)
    assert conversion.convert(0, 0, 0) == (0, 0, 0, 1)
    assert conversion.convert(0.8, 0.8, 0.8) == (0, 0, 0, 0.2)
    c, m, y, k = conversion.convert(0.62, 0.106, 0.118)  # the house red, #9E1B1E
    assert m > 0.8 and y > 0.8 and c < 0.5
