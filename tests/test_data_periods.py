"""Data faithful to the text: periods as the text words them, derived values marked, and
source lines that name who published the numbers.

Loading is checked on small data files; the bundled white paper is checked in what its
build writes (the web edition, which inlines the charts' SVG, and the Word edition).
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SOURCES, copy_project, snakemake
from paperpress.charts import render_chart
from paperpress.document import build_document
from paperpress.errors import SourceError
from paperpress.locale import load_locale
from paperpress.statistics import load_statistics
from paperpress.tablespec import load_table_spec

STYLE = REPO / "templates" / "charts" / "house.mplstyle"
LOCALES = REPO / "templates" / "locales"
ZH, EN = LOCALES / "zh-CN.yaml", LOCALES / "en.yaml"

HEADER = "key,period,period_label,value,unit,label,section,derived\n"
ROWS = ("total,-,,106,对,国际友城总数,一,\n"
        "added,,十年来,41,对,新增国际友城,一,\n"
        "before,,十年前,65,对,十年前国际友城数量,一,total - added\n"
        "trains,2023-06,截至2023年6月底,4168,列,累计开行,一,\n"
        "trade,2022,,3518.1,亿元,贸易规模,一,\n")


def data_file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    path = data_file(tmp_path, text)
    with pytest.raises(SourceError) as exc:
        load_statistics([path])
    return str(exc.value)


# --- loading --------------------------------------------------------------------------

def test_a_period_in_words_none_or_both_loads_and_prints_as_typed(tmp_path):
    stats = load_statistics([data_file(tmp_path, HEADER + ROWS)])
    zh, en = load_locale(ZH), load_locale(EN)
    added, total = stats.resolve("added"), stats.resolve("total")
    trains, trade = stats.resolve("trains@2023-06"), stats.resolve("trade@2022")
    assert added.period == "" and zh.fact_period(added) == "十年来"
    # The words print as typed in any language: they are the text's, not the locale's.
    assert en.fact_period(added) == "十年来"
    assert total.period == "" and zh.fact_period(total) == ""
    assert zh.fact_period(trains) == "截至2023年6月底"
    assert zh.fact_period(trade) == "2022年" and en.fact_period(trade) == "2022"
    # A worded period without spaces names its row, as a real one does.
    assert stats.resolve("added@十年来") is added and stats.resolve("total@-") is total


def test_a_file_without_the_new_columns_loads_as_before(tmp_path):
    stats = load_statistics([data_file(
        tmp_path, "key,period,value,unit,label,section\ntrade,2022,3518.1,亿元,贸易规模,一\n")])
    fact = stats.resolve("trade")
    assert fact.period == "2022" and fact.period_label == "" and fact.derived == ""


@pytest.mark.parametrize("row, column, message", [
    ("added,十年来,,41,对,新增,一,", "period",
     "'十年来' is not a period (write 2013, 2023-06, 2023-H1, 2013/2022 or 2023-01/2023-10;"
     " a period the text gives in words goes in the period_label column"),
    ("added,,2023,41,对,新增,一,", "period_label", "'2023' is a period: write it in the period"
                                                   " column"),
    ("added,-,十年来,41,对,新增,一,", "period", "says - (no period), and period_label words"
                                            " one ('十年来'): keep one of them"),
    ("added,,,41,对,新增,一,", "period", "is empty: write the period"),
    ("added,,-,41,对,新增,一,", "period_label", "'-' (no period) belongs in the period column"),
    ("before,,十年前,65,对,十年前,一,total minus added", "derived",
     "'total minus added' is not a sum or difference of references"),
])
def test_a_period_or_derivation_that_is_neither_is_one_line_naming_file_row_and_column(
        tmp_path, row, column, message):
    text = load_error(tmp_path, HEADER + row + "\n")
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(f"{tmp_path / 'data' / 'data.csv'}:2: column '{column}': ")
    assert message in text


def test_a_derived_value_must_be_what_its_references_make(tmp_path):
    text = load_error(tmp_path, HEADER + ROWS.replace("before,,十年前,65,", "before,,十年前,66,"))
    assert text == (f"{tmp_path / 'data' / 'data.csv'}:4: column 'derived': 'total - added'"
                    " makes 65, not 66")


def test_a_derived_value_names_a_reference_the_file_lacks(tmp_path):
    text = load_error(tmp_path, HEADER + ROWS.replace("total - added", "total - removed"))
    assert text.startswith(f"{tmp_path / 'data' / 'data.csv'}:4: column 'derived': no data"
                           " has the key 'removed'")
    assert "\n" not in text


def test_the_check_command_reports_a_worded_period_in_the_period_column_in_one_line(tmp_path):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    csv = project / "sources" / "hunan-bri-2023" / "data" / "investment.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("odi_enterprises,,十年来",
                                                           "odi_enterprises,十年来,"),
                   encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "paperpress", "check",
                             str(project / "sources" / "hunan-bri-2023")],
                            capture_output=True, text=True, cwd=project,
                            env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    errors = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert re.match(r"error: .*investment\.csv:5: column 'period': '十年来' is not a period",
                    errors[0])


# --- charts and tables ----------------------------------------------------------------

def chart(tmp_path: Path, series: str, locale: Path = ZH, data: str = HEADER + ROWS,
          unit: str = "对") -> str:
    data_file(tmp_path, data)
    spec = tmp_path / "c.yaml"
    spec.write_text(f"caption: 友城\nkind: column\nunit: {unit}\ndata: [data.csv]\n"
                    f"source: 资料来源：某局\nseries:\n{series}", encoding="utf-8")
    svg = tmp_path / "c.svg"
    render_chart(spec, tmp_path / "data", STYLE, locale, svg, tmp_path / "c.png")
    return svg.read_text(encoding="utf-8")


def svg_texts(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_a_derived_data_row_is_marked_on_its_chart_with_a_note_saying_how(tmp_path):
    svg = chart(tmp_path, "  - value: before\n  - label: 现在\n    value: total\n")
    texts = svg_texts(svg)
    assert "十年前*" in texts and "现在" in texts
    assert "*十年前为推算值：65 = 106 \u2212 41" in texts
    assert "<pattern" in svg  # the derived bar is hatched, not filled


def test_a_value_the_spec_works_out_is_marked_as_derived_too(tmp_path):
    svg = chart(tmp_path, "  - label: 十年前\n    value: total - added\n"
                          "  - value: trains@2023-06\n",
                data=HEADER + ROWS.replace("列", "对"))
    texts = svg_texts(svg)
    # The worded period labels an item without a label of its own.
    assert "十年前*" in texts and "截至2023年6月底" in texts
    assert "*十年前为推算值：65 = 106 \u2212 41" in texts


def test_the_derived_note_is_in_the_publications_language(tmp_path):
    data = ("key,period,value,unit,label,section,derived\n"
            "calls,2025,3412,calls,Calls,1,\ncalls,2024,3287,calls,Calls,1,\n"
            "added,2025,125,calls,More calls,1,calls@2025 - calls@2024\n")
    svg = chart(tmp_path, "  - value: added\n", EN, data, unit="calls")
    assert "* 2025 is derived: 125 = 3,412 \u2212 3,287" in svg_texts(svg)


def test_a_chart_item_with_no_period_and_no_label_names_the_spec(tmp_path):
    with pytest.raises(SourceError, match=r"c.yaml:7: series item 1: 'total' has no period"
                                          r" to label it with: give it a label"):
        chart(tmp_path, "  - value: total\n")


def test_a_table_heads_a_worded_column_as_typed_and_marks_a_derived_cell(tmp_path):
    data = ("key,period,period_label,value,unit,label,section,derived\n"
            "loans,,累计,45,亿美元,贷款,一,\nloans,2023,,10,亿美元,贷款,一,\n"
            "grants,,累计,12,亿美元,赠款,一,\ngrants,2023,,3,亿美元,赠款,一,\n"
            "total,,累计,57,亿美元,合计,一,loans@累计 + grants@累计\n"
            "total,2023,,13,亿美元,合计,一,loans@2023 + grants@2023\n")
    stats = load_statistics([data_file(tmp_path, data)])
    spec = tmp_path / "t.yaml"
    spec.write_text("caption: 金融支持\nsource: 资料来源：某行\ndata: [data.csv]\n"
                    "rows: [loans, grants, total]\ncolumns: [\"累计\", \"2023\"]\nunit: 亿美元\n",
                    encoding="utf-8")
    table = load_table_spec(spec).table(stats, load_locale(ZH))
    assert [c[0].text for c in table.header[0][1:]] == ["累计", "2023年"]
    assert [c[0].text for c in table.rows[2][1:]] == ["57*", "13*"]
    assert table.source == ("单位：亿美元\u3000*合计（累计）为推算值：57 = 45 + 12。"
                            "*合计（2023年）为推算值：13 = 10 + 3。\u3000资料来源：某行")


# --- source lines ---------------------------------------------------------------------

@pytest.mark.parametrize("source, fault", [
    ("source: 资料来源：《湖南省参与共建“一带一路”十年成果和未来展望》白皮书",
     "source '资料来源：《湖南省参与共建"),
    ("source: 资料来源：湖南省参与共建“一带一路” 十年成果和未来展望", "names this publication itself"),
    ("source: 湖南省参与共建-一带一路-十年成果和未来展望", "names this publication itself"),
    ('source: ""', "source is empty"),
    ("source: '   '", "source is empty"),
], ids=["quoted", "spaced", "dashed", "empty", "blank"])
def test_a_source_line_that_names_the_paper_however_written_or_nothing_is_refused(
        tmp_path, source, fault):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    pub = project / "sources" / "hunan-bri-2023"
    spec = pub / "charts" / "trade-scale.yaml"
    lines = spec.read_text(encoding="utf-8").splitlines()
    n = next(i for i, l in enumerate(lines, 1) if l.startswith("source:"))
    lines[n - 1] = source
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        build_document(pub)
    assert str(exc.value).startswith(f"{spec}:{n}: ") and fault in str(exc.value)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("pub", [SOURCES, REPO / "sources" / "northwind-harbour-2025",
                                 REPO / "tests" / "fixtures" / "bulletin-zh"],
                         ids=lambda p: p.name)
def test_no_bundled_source_line_names_its_own_publication(pub):
    doc = build_document(pub, REPO / "templates")  # refuses one
    title = doc.meta["title"]
    for spec in list((pub / "charts").glob("*.yaml")) + list((pub / "tables").glob("*.yaml")):
        assert title not in spec.read_text(encoding="utf-8")


# --- the bundled white paper, as built ------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"))
    result = snakemake(project, "build/hunan-bri-2023/whitepaper.html",
                       "build/hunan-bri-2023/whitepaper.docx")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def visible_text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


def key_figures(html: str) -> str:
    m = re.search(r'<(ul|section|div|aside)[^>]*class="key-figures[^"]*".*?</\1>', html,
                  re.S)
    assert m, "the web edition has no key-figure panel"
    return visible_text(m[0])


def edition(project: Path, name: str) -> Path:
    return project / "build" / "hunan-bri-2023" / name


def test_the_key_figures_print_the_periods_as_the_text_words_them(built):
    panel = key_figures(edition(built, "whitepaper.html").read_text(encoding="utf-8"))
    assert "中欧班列（长沙）累计开行（截至2023年6月底）" in panel
    assert "累计新增境外企业（十年来）" in panel
    assert "累计实际使用外资（2013—2022年）" in panel  # a span the text does state
    # The text gives the total without a year: the panel prints none.
    assert "国际友城总数" in panel and "国际友城总数（" not in panel
    assert "2013—2023年" not in panel and "（2023年）" not in panel


def test_no_edition_gives_a_period_the_text_does_not_state(built):
    html = visible_text(edition(built, "whitepaper.html").read_text(encoding="utf-8"))
    with zipfile.ZipFile(edition(built, "whitepaper.docx")) as docx:
        word = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    for text in (html, word):
        assert "2013—2023年" not in text
        assert "1040家" in text
    # In the appendix: each figure's period as the text words it.
    appendix = html[html.index("附表"):]
    for label, period, value in [("累计新增境外企业", "十年来", "1040"),
                                 ("国家开发银行湖南省分行发放“一带一路”贷款（美元）", "累计", "45"),
                                 ("中欧班列（长沙）境外运输线路（拓展前）", "—", "3"),
                                 ("建立经贸往来的国家和地区", "—", "231"),
                                 ("国际友城总数", "—", "106")]:
        assert f"{label}{period}{value}" in appendix


def test_the_charts_label_worded_periods_and_mark_the_derived_value(built):
    charts = built / "figures" / "hunan-bri-2023"
    rail = svg_texts((charts / "rail-routes.svg").read_text(encoding="utf-8"))
    assert "截至2023年6月底" in rail and "拓展前" in rail
    friends = (charts / "friendship-cities.svg").read_text(encoding="utf-8")
    assert "十年前*" in svg_texts(friends) and "<pattern" in friends
    assert "*十年前为推算值：65 = 106 \u2212 41" in svg_texts(friends)
    for svg in charts.glob("*.svg"):
        assert not any("2013—2023" in t for t in svg_texts(svg.read_text(encoding="utf-8")))
    # The alt text says it too, for those who do not see the chart.
    html = edition(built, "whitepaper.html").read_text(encoding="utf-8")
    assert re.search(r'alt="[^"]*十年前\*65对；现在106对。\*十年前为推算值：65 = 106 \u2212 41。"',
                     html)


def test_the_source_lines_name_the_issuer_not_the_white_paper(built):
    html = visible_text(edition(built, "whitepaper.html").read_text(encoding="utf-8"))
    sources = re.findall(r"资料来源：[^。<]*", html)
    assert sources and all("白皮书" not in s and "《" not in s for s in sources)
    assert "资料来源：湖南省人民政府新闻办公室" in html


def test_a_table_column_that_is_neither_a_period_nor_words_names_the_spec_line(tmp_path):
    spec = tmp_path / "t.yaml"
    spec.write_text("caption: c\nsource: s\ndata: [data.csv]\nrows: [loans]\n"
                    "columns:\n  - \"2023\"\n  - \"2023-6\"\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"t.yaml:7: columns: '2023-6' is not a period"):
        load_table_spec(spec)


def test_the_appendix_marks_a_derived_row_and_says_how_it_was_worked_out(tmp_path):
    (tmp_path / "project").mkdir()
    pub = copy_project(tmp_path / "project") / "sources" / "hunan-bri-2023"
    csv = pub / "data" / "exchanges.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",derived"] + [l + "," for l in lines[1:]] + [
        "friendship_cities_before,,十年前,65,对,十年前国际友城数量,一（一）,"
        "friendship_cities_total - friendship_cities_new"]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = build_document(pub)
    appendix = doc.blocks[-1]
    row = next(r for r in appendix.rows if r[0][0].text == "十年前国际友城数量")
    assert [c[0].text for c in row] == ["十年前国际友城数量", "十年前", "65*", "对", "一（一）"]
    assert appendix.source == "*十年前国际友城数量为推算值：65 = 106 \u2212 41。"
