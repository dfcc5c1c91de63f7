import warnings

import pytest
from PIL import Image

from conftest import REPO, SOURCES
from paperpress.charts import render_chart
from paperpress.chartspec import load_chart_spec
from paperpress.errors import SourceError
from paperpress.publication import load_publication

STYLE = REPO / "templates" / "charts" / "house.mplstyle"


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
        render_chart(spec, SOURCES / "data", STYLE, tmp_path / "c.svg", tmp_path / "c.png")


def test_a_chart_draws_svg_with_real_text_and_a_300_dpi_png(tmp_path):
    svg, png = tmp_path / "c.svg", tmp_path / "c.png"
    with warnings.catch_warnings():
        # A CJK label in a font without the glyph warns "Glyph … missing": fail on it.
        warnings.simplefilter("error")
        render_chart(SOURCES / "charts" / "trade-scale.yaml", SOURCES / "data", STYLE, svg, png)
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
    render_chart(SOURCES / "charts" / "trade-scale.yaml", data, STYLE, svg, png)
    assert "4000.5" in svg.read_text(encoding="utf-8")


def test_a_spec_naming_a_series_that_does_not_exist_names_the_spec(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("caption: c\nkind: column\nunit: 亿元\ndata: [trade.csv]\nsource: s\n"
                    "series:\n  - value: bri_trade@1999\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.yaml: series item 1: 'bri_trade' has no"
                                          r" period '1999'"):
        render_chart(spec, SOURCES / "data", STYLE, tmp_path / "c.svg", tmp_path / "c.png")


def test_differences_of_stated_figures_are_computed_not_typed():
    pub = load_publication(SOURCES)
    points = load_chart_spec(SOURCES / "charts" / "friendship-cities.yaml").points(pub.stats)
    assert [p.value for p in points] == [106 - 41, 106]


def test_negative_values_are_drawn_not_cut_off(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from paperpress.charts import _bar_range

    low, high = _bar_range([12.5, -8.3], 0.18)
    assert low < -8.3 and high > 12.5
    low, high = _bar_range([-3.0, -5.0], 0.15)
    assert low < -5.0 and high >= 0
