"""The press edition's colours: house colours print in the press stylesheet's recipes,
charts included; everything else is converted through the print profile."""

import base64
import re

from pypdf import PdfReader

from paperpress.cmyk import CmykConversion, house_recipes, style_sheets_of
from paperpress.pdf import PdfEdition, render_pdf

PRINT_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
SCREEN = ":root { --accent: #9e1b1e; --muted: #666; --serif: 'Noto Serif CJK SC'; }" \
         " p { --accent: #000 }"
PRESS = ":root { --accent: device-cmyk(0 0.9 0.8 0.35) !important;" \
        " --muted: device-cmyk(0 0 0 0.62) !important; --extra: device-cmyk(1 0 0 0) }"


def test_recipes_pair_the_root_colours_both_stylesheets_name():
    assert house_recipes(SCREEN, PRESS) == {(158, 27, 30): (0.0, 0.9, 0.8, 0.35),
                                            (102, 102, 102): (0.0, 0.0, 0.0, 0.62)}


def test_a_house_colour_prints_in_its_recipe_and_others_through_the_profile():
    conversion = CmykConversion(PRINT_PROFILE, house_recipes(SCREEN, PRESS))
    assert conversion.convert(158 / 255, 27 / 255, 30 / 255) == (0.0, 0.9, 0.8, 0.35)
    assert conversion.convert(0.4, 0.4, 0.4) == (0.0, 0.0, 0.0, 0.62)  # the recipe, not K .6
    assert conversion.convert(0.2, 0.2, 0.2) == (0, 0, 0, 0.8)
    c, m, y, k = conversion.convert(217 / 255, 140 / 255, 142 / 255)  # not a house colour
    assert 0 < m < 0.7 and c < m


def test_a_charts_house_red_prints_in_the_same_inks_as_the_headings(tmp_path):
    chart = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
                             b'<rect width="80" height="40" fill="#9E1B1E"/></svg>').decode()
    html = tmp_path / "doc.html"
    html.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><style>{SCREEN}'
                    " h1 { color: var(--accent) }</style></head><body><h1>标题</h1>"
                    f'<img src="data:image/svg+xml;base64,{chart}"></body></html>',
                    encoding="utf-8")
    press = tmp_path / "press.css"
    press.write_text(PRESS, encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    render_pdf(html, pdf, None, PdfEdition(variant="pdf/x-4", stylesheets=(press,),
                                           output_profile=PRINT_PROFILE))
    page = PdfReader(pdf).pages[0]
    drawn = page.get_contents().get_data()
    for xobject in page["/Resources"]["/XObject"].values():
        drawn += xobject.get_object().get_data()
    # The heading and the bar share one colour: the recipe (set once, the bar reuses it).
    assert set(re.findall(rb"([\d. ]+) scn", drawn)) == {b"0 0.9 0.8 0.35"}
    assert b" rg" not in drawn


def test_the_inlined_css_is_found():
    assert style_sheets_of("<style>a{}</style><p><style media=print>b{}</style>") == "a{}\nb{}"
