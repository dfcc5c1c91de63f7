import os
import re
import subprocess
import sys
import warnings

import pytest
from PIL import Image

from conftest import REPO, SOURCES
from paperpress.charts import render_chart
from paperpress.chartspec import load_chart_spec
from paperpress.errors import SourceError
from paperpress.locale import load_locale
from paperpress.publication import load_publication

STYLE = REPO / "templates" / "charts" / "house.mplstyle"
ZH = REPO / "templates" / "locales" / "zh-CN.yaml"
EN = REPO / "templates" / "locales" / "en.yaml"


def test_the_bundled_publication_declares_at_least_six_charts_placed_in_the_text():
    pub = load_publication(SOURCES)
    assert len(pub.charts) >= 6
    text = pub.text_path.read_text(encoding="utf-8")
    for chart in pub.charts:
        assert f"{{{{ figure {chart} }}}}" in text


@pytest.mark.parametrize("spec", sorted((SOURCES / "charts").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_chart_draws_without_a_missing_glyph(tmp_path, spec):
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" where a box would be drawn.
        warnings.simplefilter("error")
        render_chart(spec, SOURCES / "data", STYLE, ZH, tmp_path / "c.svg", tmp_path / "c.png")


def test_a_chart_draws_svg_with_real_text_and_a_300_dpi_png(tmp_path):
    svg, png = tmp_path / "c.svg", tmp_path / "c.png"
    with warnings.catch_warnings():
        # A CJK label in a font without the glyph warns "Glyph … missing": fail on it.
        warnings.simplefilter("error")
        render_chart(SOURCES / "charts" / "trade-scale.yaml", SOURCES / "data", STYLE, ZH, svg,
                     png)
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "Noto Sans CJK SC" in text
    assert "3518.1" in text and "2022年" in text and "单位：亿元" in text
    dpi = Image.open(png).info["dpi"]
    assert round(dpi[0]) == 300


def test_a_chart_value_comes_from_the_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "trade.csv").write_text(
        (SOURCES / "data" / "trade.csv").read_text(encoding="utf-8").replace("3518.1", "4000.5"),
        encoding="utf-8")
    svg, png = tmp_path / "c.svg", tmp_path / "c.png"
    render_chart(SOURCES / "charts" / "trade-scale.yaml", data, STYLE, ZH, svg, png)
    assert "4000.5" in svg.read_text(encoding="utf-8")


def test_a_spec_naming_a_series_that_does_not_exist_names_the_spec(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("caption: c\nkind: column\nunit: 亿元\ndata: [trade.csv]\nsource: s\n"
                    "series:\n  - value: bri_trade@1999\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.yaml:7: series item 1: 'bri_trade' has no"
                                          r" period '1999'"):
        render_chart(spec, SOURCES / "data", STYLE, ZH, tmp_path / "c.svg", tmp_path / "c.png")


def test_differences_of_stated_figures_are_computed_not_typed():
    pub = load_publication(SOURCES)
    spec = load_chart_spec(SOURCES / "charts" / "friendship-cities.yaml")
    points = spec.points(pub.stats, load_locale(ZH))
    assert [p.value for p in points] == [106 - 41, 106]
    assert [p.text for p in points] == ["65", "106"]


def test_negative_values_are_drawn_not_cut_off(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from paperpress.charts import _bar_range

    low, high = _bar_range([12.5, -8.3], 0.18)
    assert low < -8.3 and high > 12.5
    low, high = _bar_range([-3.0, -5.0], 0.15)
    assert low < -5.0 and high >= 0


# --- Chart text is plain text -------------------------------------------------------------

def spec_file(tmp_path, text: str, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TRADE_SPEC = ("caption: {caption}\nkind: {kind}\nunit: {unit}\ndata: [trade.csv]\nsource: s\n"
              "series:\n  - label: {label}\n    value: bri_trade@2013\n"
              "  - value: bri_trade@2022\n")


@pytest.mark.parametrize("kind", ["column", "bar", "line"])
def test_dollar_signs_in_chart_text_are_drawn_as_typed(tmp_path, kind):
    # mathtext would read these as formulas: '$x^$' is a parse error, '$\foo$' an unknown
    # command, and either stopped the chart with a traceback.
    spec = spec_file(tmp_path, TRADE_SPEC.format(caption="'$x^$'", kind=kind,
                                                 unit="'$\\foo$'", label="'$x^$ 美元'"))
    data = tmp_path / "data"
    data.mkdir()
    # The chart's unit is its data's: the data say '$\foo$' too.
    (data / "trade.csv").write_text((SOURCES / "data" / "trade.csv").read_text(
        encoding="utf-8").replace(",亿元,", ",$\\foo$,"), encoding="utf-8")
    svg = tmp_path / "c.svg"
    render_chart(spec, data, STYLE, ZH, svg, tmp_path / "c.png")
    text = svg.read_text(encoding="utf-8")
    assert "单位：$\\foo$" in text and "$x^$ 美元" in text


# --- The house style is an editor's file --------------------------------------------------

def house_style_with(tmp_path, *lines: str):
    """The house style with each setting in ``lines`` given in place of the house one (or
    added), and the line each stands on."""
    text = STYLE.read_text(encoding="utf-8").splitlines()
    numbers = []
    for line in lines:
        key = line.split(":", 1)[0].strip()
        at = next((n for n, old in enumerate(text) if old.split(":", 1)[0].strip() == key),
                  None)
        if at is None:
            text.append(line)
            at = len(text) - 1
        else:
            text[at] = line
        numbers.append(at + 1)
    path = tmp_path / "house.mplstyle"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path, numbers


def draw_trade_scale(tmp_path, style):
    svg, png = tmp_path / "c.svg", tmp_path / "c.png"
    render_chart(SOURCES / "charts" / "trade-scale.yaml", SOURCES / "data", style, ZH, svg, png)
    return svg, png


def test_a_style_asking_for_tex_draws_plain_text(tmp_path):
    # There is no LaTeX on the build machine, and none is an input of the build.
    style, _ = house_style_with(tmp_path, "text.usetex: True")
    svg, _ = draw_trade_scale(tmp_path, style)
    assert "单位：亿元" in svg.read_text(encoding="utf-8")


def test_the_png_is_300_dpi_whatever_the_style_asks(tmp_path):
    _, house_png = draw_trade_scale(tmp_path / "house", STYLE)
    style, _ = house_style_with(tmp_path, "savefig.dpi: 3000")
    _, png = draw_trade_scale(tmp_path, style)
    with Image.open(png) as image, Image.open(house_png) as house:
        assert round(image.info["dpi"][0]) == 300
        assert image.size == house.size


@pytest.mark.parametrize("lines, message", [
    (["figure.figsize: 100, 100"],
     "'figure.figsize' is 100 x 100 inches: a chart may be at most 12 x 12 inches"),
    (["font.size: 5000"], "'font.size' is 5000 points: a size, width or pad in a chart may"
                          " be at most 72 points"),
    (["xtick.major.size: 1e7"], "'xtick.major.size' is 1e+07 points"),
    (["font.size: big"], "'font.size': Could not convert 'big' to float"),
    (["fontsize: 12"], "'fontsize' is not a matplotlib setting"),
    (["font.size 12"], "is not a 'setting: value' line"),
    (["axes.prop_cycle: cycler('color', [])"], "'axes.prop_cycle' gives the charts' colours"),
], ids=["figure size", "font size", "tick size", "not a number", "unknown setting",
        "no colon", "no colours"])
def test_a_fault_in_the_style_names_the_style_and_line(tmp_path, lines, message):
    style, numbers = house_style_with(tmp_path, *lines)
    with pytest.raises(SourceError) as err:
        draw_trade_scale(tmp_path, style)
    assert str(err.value).startswith(f"{style}:{numbers[-1]}: {message}")


def test_a_setting_given_twice_in_the_style_names_both_lines(tmp_path):
    style = tmp_path / "house.mplstyle"
    style.write_text(STYLE.read_text(encoding="utf-8") + "font.size: 12\n", encoding="utf-8")
    first = next(n for n, line in enumerate(STYLE.read_text(encoding="utf-8").splitlines(), 1)
                 if line.startswith("font.size:"))
    last = len(style.read_text(encoding="utf-8").splitlines())
    with pytest.raises(SourceError, match=rf"house.mplstyle:{last}: sets 'font.size' a second"
                                          rf" time \(first on line {first}\)"):
        draw_trade_scale(tmp_path, style)


@pytest.mark.parametrize("line, exception", [
    ("image.cmap: /etc/passwd", "ValueError"),
    ("path.effects: x", "AttributeError"),
])
def test_a_style_matplotlib_fails_to_draw_with_is_named_in_one_line(tmp_path, line, exception):
    style, _ = house_style_with(tmp_path, line)
    with pytest.raises(SourceError) as err:
        draw_trade_scale(tmp_path, style)
    message = str(err.value)
    assert message.startswith(f"{style}: chart 'trade-scale' cannot be drawn with this style:"
                              f" {exception}: ")
    assert "\n" not in message and len(message) < len(str(style)) + 300


def test_the_command_line_reports_a_broken_style_in_one_line(tmp_path):
    style, _ = house_style_with(tmp_path, "path.effects: x")
    result = subprocess.run(
        [sys.executable, "-m", "paperpress", "chart", SOURCES / "charts" / "trade-scale.yaml",
         SOURCES / "data", style, ZH, tmp_path / "c.svg", tmp_path / "c.png"],
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERPRESS_WORKER": "off"},
        capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "Warning" not in line]
    assert errors == [f"error: {style}: chart 'trade-scale' cannot be drawn with this style:"
                      " AttributeError: 'str' object has no attribute 'draw_path'"]


def test_a_style_saved_with_a_byte_order_mark_says_so(tmp_path):
    style = tmp_path / "house.mplstyle"
    style.write_bytes(b"\xef\xbb\xbf" + STYLE.read_bytes())
    with pytest.raises(SourceError, match=r"house.mplstyle:1: starts with a byte order mark"):
        draw_trade_scale(tmp_path, style)

def test_a_matplotlibrc_outside_the_project_does_not_change_a_chart(tmp_path):
    # matplotlib reads ./matplotlibrc (and $MATPLOTLIBRC, ~/.config/matplotlib/matplotlibrc)
    # when it is imported: none is an input of the build, so none may change a chart.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "matplotlibrc").write_text("xtick.labelsize: 21\ntext.color: FF00FF\n"
                                            "savefig.dpi: 50\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "paperpress", "chart", SOURCES / "charts" / "trade-scale.yaml",
         SOURCES / "data", STYLE, ZH, tmp_path / "there.svg", tmp_path / "there.png"],
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERPRESS_WORKER": "off"},
        cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    here_svg, here_png = draw_trade_scale(tmp_path, STYLE)
    assert (tmp_path / "there.svg").read_bytes() == here_svg.read_bytes()
    assert (tmp_path / "there.png").read_bytes() == here_png.read_bytes()


# --- The shape of a chart spec ------------------------------------------------------------

SPEC = ("caption: 贸易规模\nkind: column\nunit: 亿元\ndata: [trade.csv]\nsource: 资料来源\n"
        "alt: 柱状图\nseries:\n  - label: 十年前\n    value: bri_trade@2013\n")


@pytest.mark.parametrize("old, new, line, message", [
    ("caption: 贸易规模", "caption: [a, b]", 1, "'caption' must be text, not a list"),
    ("unit: 亿元", "unit: {x: y}", 3, "'unit' must be text, not a mapping"),
    ("source: 资料来源", "source:\n  - a", 5, "'source' must be text, not a list"),
    ("alt: 柱状图", "alt: [x]", 6, "'alt' must be text, not a list"),
    ("alt: 柱状图", "alt: 柱状图\nnote: {a: b}", 7, "'note' must be text, not a mapping"),
    ("label: 十年前", "label: [十年前]", 8, "series item 1: 'label' must be text, not a list"),
    ("value: bri_trade@2013", "value: [bri_trade@2013]", 9,
     "series item 1: 'value' must be text, not a list"),
    ("caption: 贸易规模", "caption: 贸易<b>规模</b>", 1, "'caption' holds HTML (<b>)"),
    ("alt: 柱状图", 'alt: "<!-- 内部备注 -->"', 6, "'alt' holds an HTML comment"),
    ("label: 十年前", "label: '**十年前**'", 8, "series item 1: 'label' holds Markdown bold"),
    ("unit: 亿元", "unit: " + "亿" * 201, 3, "'unit' has 201 characters: at most 200"),
], ids=["caption list", "unit mapping", "source list", "alt list", "note mapping",
        "label list", "value list", "caption HTML", "alt comment", "label bold", "long unit"])
def test_a_text_field_of_a_spec_must_be_plain_text(tmp_path, old, new, line, message):
    assert old in SPEC
    spec = spec_file(tmp_path, SPEC.replace(old, new))
    with pytest.raises(SourceError) as err:
        load_chart_spec(spec)
    assert str(err.value).startswith(f"{spec}:{line}: {message}")


def test_the_unchanged_test_spec_loads(tmp_path):
    assert load_chart_spec(spec_file(tmp_path, SPEC)).caption == "贸易规模"


def test_a_chart_has_a_bounded_number_of_series_items(tmp_path):
    items = "".join("  - value: bri_trade@2013\n" for _ in range(61))
    spec = spec_file(tmp_path, SPEC.split("series:")[0] + "series:\n" + items)
    with pytest.raises(SourceError) as err:
        load_chart_spec(spec)
    assert str(err.value) == f"{spec}:7: 'series' has 61 items: a chart shows at most 60"



# --- A chart in the publication's language ----------------------------------------------

PORTS = ("key,period,value,unit,label,section\n"
         "teu,2022-06,1234.5,thousand TEU,Container throughput,1\n"
         "teu,2023-01/2023-10,1550.25,thousand TEU,Container throughput,1\n"
         "teu,2023-H1,-12.50,thousand TEU,Container throughput,1\n")


def english_chart(tmp_path, kind="column"):
    data = tmp_path / "data"
    data.mkdir()
    (data / "ports.csv").write_text(PORTS, encoding="utf-8")
    spec = spec_file(tmp_path, f"caption: Throughput\nkind: {kind}\nunit: thousand TEU\n"
                               "data: [ports.csv]\nsource: Harbour Authority\n"
                               "alt: Column chart of throughput.\nseries:\n"
                               "  - value: teu@2022-06\n  - value: teu@2023-01/2023-10\n"
                               "  - value: teu@2023-H1\n", name="ports.yaml")
    return spec, data


@pytest.mark.parametrize("kind", ["column", "bar", "line"])
def test_a_chart_in_english_has_english_labels_numbers_and_unit_line(tmp_path, kind):
    spec, data = english_chart(tmp_path, kind)
    svg = tmp_path / "c.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_chart(spec, data, STYLE, EN, svg, tmp_path / "c.png")
    text = svg.read_text(encoding="utf-8")
    assert "Unit: thousand TEU" in text and "单位" not in text
    assert "June 2022" in text and "January–October 2023" in text and "H1 2023" in text
    assert "1,234.5" in text and "1,550.25" in text and "-12.50" in text


def test_the_same_chart_in_chinese_keeps_its_chinese_labels(tmp_path):
    spec, data = english_chart(tmp_path)
    svg = tmp_path / "c.svg"
    render_chart(spec, data, STYLE, ZH, svg, tmp_path / "c.png")
    text = svg.read_text(encoding="utf-8")
    assert "单位：thousand TEU" in text and "2023年1—10月" in text and "1234.5" in text


def test_alt_text_states_the_values_in_the_language_of_the_publication(tmp_path):
    spec, data = english_chart(tmp_path)
    from paperpress.statistics import load_statistics

    stats = load_statistics([data / "ports.csv"])
    assert load_chart_spec(spec).alt_text(stats, load_locale(EN)) == (
        "Column chart of throughput: June 2022: 1,234.5\u00a0thousand TEU; January–October 2023:"
        " 1,550.25\u00a0thousand TEU; H1 2023: -12.50\u00a0thousand TEU.")
    zh_spec = spec_file(tmp_path, SPEC + "  - value: bri_trade@2022\n", name="zh.yaml")
    zh_stats = load_statistics(sorted((SOURCES / "data").glob("*.csv")))
    assert load_chart_spec(zh_spec).alt_text(zh_stats, load_locale(ZH)) == (
        "柱状图：十年前664.4亿元；2022年3518.1亿元。")


def test_the_chart_command_reads_the_locale_file_it_is_given(tmp_path):
    spec, data = english_chart(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "paperpress", "chart", spec, data, STYLE, EN,
         tmp_path / "c.svg", tmp_path / "c.png"],
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERPRESS_WORKER": "off"},
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Unit: thousand TEU" in (tmp_path / "c.svg").read_text(encoding="utf-8")


def test_a_broken_locale_file_stops_the_chart_naming_its_line(tmp_path):
    spec, data = english_chart(tmp_path)
    locale = tmp_path / "en.yaml"
    locale.write_text(EN.read_text(encoding="utf-8").replace('unit: "Unit: {unit}"',
                                                             'unit: "Unit: {units}"'),
                      encoding="utf-8")
    line = next(n for n, l in enumerate(locale.read_text(encoding="utf-8").splitlines(), 1)
                if "{units}" in l)
    with pytest.raises(SourceError, match=rf"en.yaml:{line}: strings: 'unit' uses {{units}}"):
        render_chart(spec, data, STYLE, locale, tmp_path / "c.svg", tmp_path / "c.png")


def test_a_latin_label_wraps_at_its_spaces_and_a_chinese_one_as_before():
    from paperpress.charts import _wrap

    label = "Container throughput of the northern harbour"
    lines = _wrap(label).split("\n")
    assert len(lines) > 1 and " ".join(lines) == label
    assert all(len(line) <= 24 for line in lines)
    assert _wrap("January–October 2023") == "January–October 2023"
    assert _wrap("中欧班列（长沙）境外运输线路") == "中欧班列\n（长沙）境外运输线路"
    assert _wrap("与共建国家贸易额占外贸总值比重") == "与共建国家贸易额\n占外贸总值比重"


def test_a_chart_is_set_in_its_languages_face(tmp_path):
    # English labels in Noto Sans (en.yaml's chart_font), Chinese in the house style's face.
    spec = spec_file(tmp_path, TRADE_SPEC.format(caption="c", kind="column", unit="亿元",
                                                 label="a"))
    faces = {}
    for name, locale in (("en", EN), ("zh", ZH)):
        svg = tmp_path / f"{name}.svg"
        render_chart(spec, SOURCES / "data", STYLE, locale, svg, tmp_path / f"{name}.png")
        faces[name] = set(re.findall(r"font-family: ([^;\"]+)", svg.read_text(encoding="utf-8")))
    assert faces["en"] == {"'Noto Sans', 'Noto Sans CJK SC'"}
    assert faces["zh"] == {"'Noto Sans CJK SC'"}


PHONE_STYLE = REPO / "templates" / "charts" / "phone.mplstyle"


def _svg_size(svg) -> tuple[float, list[float]]:
    """An SVG chart's width in points and the sizes of its text."""
    text = svg.read_text(encoding="utf-8")
    width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', text)[1])
    return width, [float(s) for s in re.findall(r"font-size: ([\d.]+)px", text)]


def test_the_phone_variant_is_the_same_chart_drawn_narrower_with_text_of_the_same_size(tmp_path):
    svg, png, phone = tmp_path / "c.svg", tmp_path / "c.png", tmp_path / "phone" / "c.svg"
    render_chart(SOURCES / "charts" / "trade-scale.yaml", SOURCES / "data", STYLE, ZH, svg,
                 png, phone_style=PHONE_STYLE, phone_svg=phone)
    page_width, page_sizes = _svg_size(svg)
    phone_width, phone_sizes = _svg_size(phone)
    # Shown across a 358 px column (a 390 px phone), the phone's chart text is >= 11 px
    # (sizes are in the SVG's units, its width's points); the page's would be 7 px.
    assert phone_width < page_width * 0.6
    assert min(phone_sizes) == min(page_sizes)
    assert min(phone_sizes) * 358 / phone_width >= 11
    assert min(page_sizes) * 358 / page_width < 7
    assert "3518.1" in phone.read_text(encoding="utf-8")


def test_a_fault_in_the_phone_style_names_the_phone_style(tmp_path):
    style = tmp_path / "phone.mplstyle"
    style.write_text("figure.figsize: 3.2, 2.6\nfigure.fgsize: 1, 1\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"phone.mplstyle:2: 'figure.fgsize' is not a"):
        render_chart(SOURCES / "charts" / "trade-scale.yaml", SOURCES / "data", STYLE, ZH,
                     tmp_path / "c.svg", tmp_path / "c.png", phone_style=style,
                     phone_svg=tmp_path / "p.svg")
