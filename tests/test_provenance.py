"""Number provenance: the model lists every number it prints, from the data or typed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from paperpress import cli
from paperpress.document import build_document
from paperpress.errors import SourceError
from paperpress.locale import load_locale
from paperpress.model import (Box, Document, Figure, Heading, Image, KeyFigurePanel, ListBlock,
                              Paragraph, Quote, Table, walk)
from paperpress.numberchecks import check_numbers
from paperpress.numbersreport import render_report
from paperpress.provenance import NUMBER_RE, typed_numbers
from paperpress.publication import load_config, load_publication

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
PUBLICATIONS = {"zh": REPO / "sources" / "hunan-bri-2023",
                "en": REPO / "sources" / "northwind-harbour-2025",
                "bulletin": REPO / "tests" / "fixtures" / "bulletin-zh"}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: build_document(root, TEMPLATES) for name, root in PUBLICATIONS.items()}


def _find(doc: Document, **fields):
    found = [n for n in doc.numbers if all(getattr(n, k) == v for k, v in fields.items())]
    assert found, f"no number with {fields}"
    return found


def test_a_placeholder_is_a_number_from_the_data_with_its_row(docs):
    doc = docs["zh"]
    trains = _find(doc, key="cer_trains_cumulative", place="paragraph")[0]
    assert (trains.text, trains.value, trains.unit, trains.source, trains.period) == (
        "4168列", "4168", "列", "data", "2023-06")
    assert (trains.file, trains.line) == ("sources/hunan-bri-2023/data/connectivity.csv", 2)
    block = doc.blocks[trains.block]
    assert isinstance(block, Paragraph) and "4168列" in block.text
    heading = max((i for i, b in enumerate(doc.blocks[:trains.block + 1])
                   if isinstance(b, Heading)))
    assert trains.section == doc.blocks[heading].anchor


def test_typed_digits_are_typed_numbers_with_their_line(docs):
    doc = docs["zh"]
    lines = (PUBLICATIONS["zh"] / "text.md").read_text(encoding="utf-8").splitlines()
    typed = [n for n in doc.numbers if n.source == "typed" and n.file.endswith("text.md")]
    assert typed
    for n in typed:
        assert n.file == "sources/hunan-bri-2023/text.md"
        assert n.text.split(" ")[0].rstrip(n.unit) in lines[n.line - 1], n
    # 2023年6月底: a year, then a month.
    kinds = [(n.text, n.kind) for n in typed if n.line == 43][:2]
    assert kinds == [("2023", "year"), ("6", "date")]


def test_english_numbers_print_as_the_language_writes_them(docs):
    doc = docs["en"]
    teu = _find(doc, key="teu_total", period="2025", place="paragraph")[0]
    assert (teu.text, teu.value, teu.unit) == ("1.55\u00a0million TEU", "1.55", "million TEU")
    calls = _find(doc, key="vessel_calls", period="2024")[0]  # {{ … | number }}
    assert (calls.text, calls.value) == ("3,287", "3287")
    assert _find(doc, place="note", text="2025")[0].block is None


def test_key_figures_data_tables_and_captions_carry_their_sources(docs):
    doc = docs["bulletin"]
    key = _find(doc, place="key_figure")
    assert [n.key for n in key] == ["gdp", "gdp_growth", "income", "cpi_change"]
    assert all(n.block is None and n.source == "data" for n in key)
    grain = _find(doc, key="grain", period="2024", place="table")[0]
    assert (grain.file, grain.line) == ("fixtures/bulletin-zh/data/farming.csv", 2)
    heads = _find(doc, place="table", file="fixtures/bulletin-zh/tables/farm-output.yaml")
    assert {n.text for n in heads} >= {"2024", "2025"}
    cells = _find(doc, place="table", source="typed", file="fixtures/bulletin-zh/text.md")
    # The caption, typed under the table, is printed (and listed) above it.
    assert [n.text for n in cells[:2]] == ["2025", "2936.2"] and cells[0].line > cells[1].line
    assert isinstance(doc.blocks[cells[0].block], Table)
    assert _find(doc, place="figure", file="fixtures/bulletin-zh/charts/gdp-trend.yaml")


def test_each_chart_lists_the_data_values_it_plots_with_their_rows(docs):
    plots = docs["bulletin"].figure("gdp-trend").plots
    assert [(p["key"], p["period"]) for p in plots] == [("gdp", str(y)) for y in range(2021, 2026)]
    assert (plots[-1]["text"], plots[-1]["file"], plots[-1]["line"]) == (
        "2936.2亿元", "fixtures/bulletin-zh/data/economy.csv", 6)
    # A difference plots the values it is worked out from.
    assert [p["key"] for p in docs["zh"].figure("friendship-cities").plots] == [
        "friendship_cities_total", "friendship_cities_new"]


@pytest.mark.parametrize("name", PUBLICATIONS)
def test_every_digit_the_text_prints_is_listed_once_in_reading_order(docs, name):
    """The digit runs each block prints (but the pipeline's own labels, 图3 / Table 2, and
    note calls) are those of its numbers: typed and data tables, the appendix, captions."""
    assert_every_digit_listed(docs[name])


def assert_every_digit_listed(doc: Document) -> None:
    for index, block in enumerate(doc.blocks):
        if isinstance(block, KeyFigurePanel):
            continue
        printed = [m[0] for text in _texts(block) for m in NUMBER_RE.finditer(text)]
        listed = [m[0] for n in doc.numbers if n.block == index
                  for m in NUMBER_RE.finditer(n.text)]
        assert listed == printed, (index, block)
    blocks = [n.block for n in doc.numbers if n.block is not None]
    assert blocks == sorted(blocks)


def _texts(block):
    for b in walk([block]):
        if isinstance(b, Heading):
            yield b.text
        elif isinstance(b, Box):
            yield b.title
        elif isinstance(b, Paragraph):
            yield "".join(s.text for s in b.spans if not (s.ref or s.note))
        elif isinstance(b, Table):  # its caption above it, its source below
            yield b.caption
            yield from ("".join(s.text for s in cell) for row in b.header + b.rows
                        for cell in row)
            yield b.source
        elif isinstance(b, (Figure, Image)):
            yield b.caption
            yield b.source


def test_the_model_keeps_its_numbers_through_json(docs):
    doc = docs["en"]
    assert Document.from_json(doc.to_json()).numbers == doc.numbers


@pytest.mark.parametrize("text, units, expected", [
    ("累计开行4168列。", ["列"], [("4168列", "4168", "列", "quantity")]),
    ("2023年6月底", [], [("2023", "2023", "", "year"), ("6", "6", "", "date")]),
    ("1-6月、1—10月", [], [("1", "1", "", "date"), ("6", "6", "", "date"),
                         ("1", "1", "", "date"), ("10", "10", "", "date")]),
    ("1,234.5 tonnes and 12 per cent", ["tonnes", "%"],
     [("1,234.5 tonnes", "1234.5", "tonnes", "quantity"), ("12 per cent", "12", "%", "quantity")]),
    ("on 12 February 2026, or February 12", [],
     [("12", "12", "", "date"), ("2026", "2026", "", "year"), ("12", "12", "", "date")]),
    ("5 tonnesx, 第3次, the 2nd", ["tonnes"],
     [("5", "5", "", "quantity"), ("3", "3", "", "ordinal"), ("2", "2", "", "ordinal")]),
])
def test_typed_numbers_read_the_unit_after_them(text, units, expected):
    found = typed_numbers(text, "text.md", 7, units)
    assert [(n["text"], n["value"], n["unit"], n["kind"]) for n in found] == expected
    assert {n["line"] for n in found} == {7}


def small_publication(root: Path, text: str, config: str = "", tables: dict | None = None,
                      derived: bool = False) -> Path:
    """A publication of one data file (列 and % values) and ``text``'s body."""
    pub = root / "sources" / "pub"
    (pub / "data").mkdir(parents=True)
    (pub / "tables").mkdir()
    for name, spec in (tables or {}).items():
        (pub / "tables" / f"{name}.yaml").write_text(spec, encoding="utf-8")
    (pub / "text.md").write_text("---\ntitle: 标题\nissuer: 某局\ndate: 2026年3月\nlang: zh-CN\n"
                                 "---\n\n" + text, encoding="utf-8")
    (pub / "data" / "trains.csv").write_text(
        "key,period,value,unit,label,section" + (",derived" if derived else "") + "\n"
        + "".join(row + ("," if derived else "") + "\n" for row in (
            "trains,2023,4168,列,中欧班列开行,一", "trains,2022,3200,列,中欧班列开行,一",
            "trains_growth,2023,30.3,%,中欧班列开行增长,一"))
        + ("trains_more,2023,968,列,第2年多开,二（1）,trains@2023 - trains@2022\n"
           if derived else ""), encoding="utf-8")
    (pub / "publication.yaml").write_text(config or "{}\n", encoding="utf-8")
    return pub


def test_box_titles_notes_and_headings_ids(tmp_path):
    text = ("# 一、第1章 {#ch2024}\n\n"
            "开行{{ trains@2023 }}[^n]，{{ trains@2022 | period }}为{{ trains@2022 | number }}列。\n\n"
            "[^n]: 截至12月31日。\n\n"
            "::: box 专栏2 十年{{ \"{{\" }}9\n\n共11条。\n\n:::\n")
    doc = build_document(small_publication(tmp_path, text), TEMPLATES)
    assert [(n.text, n.source, n.place, n.line, n.block, n.kind) for n in doc.numbers] == [
        ("2026", "typed", "cover", 4, None, "year"),
        ("3", "typed", "cover", 4, None, "date"),
        ("1", "typed", "heading", 8, 0, "ordinal"),
        ("4168列", "data", "paragraph", 2, 1, "value"),
        ("2022", "data", "paragraph", 3, 1, "period"),
        ("3200", "data", "paragraph", 3, 1, "value"),
        ("2", "typed", "box", 14, 2, "quantity"),
        ("9", "typed", "box", 14, 2, "quantity"),
        ("11", "typed", "box", 16, 2, "quantity"),
        ("12", "typed", "note", 12, None, "date"),
        ("31", "typed", "note", 12, None, "date"),
    ]
    assert {n.section for n in doc.numbers if n.place == "note"} == {"sec-1"}


def test_derived_values_in_a_data_table_and_the_appendix_list_their_terms(tmp_path):
    table = ("caption: 2023年开行\nsource: 资料来源：某局\ndata: [trains.csv]\n"
             "rows: [trains, trains_more]\ncolumns: [\"2023\"]\n")
    pub = small_publication(tmp_path, "# 一、综合\n\n{{ table t }}\n",
                            config="appendix:\n  title: 附表\n", tables={"t": table},
                            derived=True)
    doc = build_document(pub, TEMPLATES)
    assert_every_digit_listed(doc)
    note = [(n.text, n.key, n.kind) for n in doc.numbers if n.block == 1][-5:]
    assert note == [("2", "trains_more", "label"), ("2023", "trains_more", "period"),
                    ("968", "trains_more", "value"), ("4168", "trains", "value"),
                    ("3200", "trains", "value")]


# -- the checks and the report ---------------------------------------------------------

CHECKED_TEXT = ("# 一、综合\n\n"
                "中欧班列开行4168列，比上年增长30.3%。\n"     # line 10: two data values typed
                "中欧班列开行增长31%。中欧班列开行3000列。\n"  # line 11: both contradicted
                "增长30%，新开5条线路，2022年为3200列。\n"     # line 12: 3200 is a data value
                "中欧班列开行{{ trains@2023 }}，其中去程2100列。\n")  # 13: another count


def test_typed_data_values_and_contradictions_are_warned_once_each(tmp_path):
    pub = small_publication(tmp_path, CHECKED_TEXT)
    doc = build_document(pub, TEMPLATES)
    warnings = check_numbers(doc, load_publication(pub).stats)
    assert [(w.line, doc.numbers[w.number].text, w.check, [f.key for f in w.facts])
            for w in warnings] == [
        (10, "4168列", "typed_data_value", ["trains"]),
        (10, "30.3%", "typed_data_value", ["trains_growth"]),
        (11, "31%", "contradicted", ["trains_growth"]),
        (11, "3000列", "contradicted", ["trains", "trains"]),
        (12, "3200列", "typed_data_value", ["trains"]),
    ]
    assert str(warnings[0]) == (
        "sources/pub/text.md:10: 4168列 is typed, and the data hold it: trains.csv:2"
        " trains@2023: write {{ trains@2023 }} so that it follows the data")
    assert "'中欧班列开行', which the data give as trains.csv:2 trains@2023 4168列" \
        in warnings[3].message


def test_a_short_value_is_a_data_value_only_where_its_sentence_names_the_row(tmp_path):
    text = "# 一、综合\n\n开行增长30.3%，另一指标为4168列。\n其他增长5条。\n"
    pub = small_publication(tmp_path, text)
    (pub / "data" / "trains.csv").write_text(
        "key,period,value,unit,label,section\nroutes,2023,5,条,新开线路,一\n"
        "share,2023,4168,列,开行,一\nshort,2023,8,%,开行增长,一\n", encoding="utf-8")
    doc = build_document(pub, TEMPLATES)
    warnings = check_numbers(doc, load_publication(pub).stats)
    # 5条 is no row's (its sentence names none); 4168列 is, by its four digits; 30.3% is
    # typed after 开行增长 but 8% is another number: contradicted.
    assert [(doc.numbers[w.number].text, w.check) for w in warnings] == [
        ("30.3%", "contradicted"), ("4168列", "typed_data_value")]


@pytest.mark.parametrize("setting, message", [
    ("numbers:\n  stop_on_warning: maybe\n", "publication.yaml:2: 'numbers: stop_on_warning'"
                                             " must be true or false, not 'maybe'"),
    ("numbers:\n  stop: true\n", "publication.yaml:2: 'numbers: stop' is not a setting"
                                 " (stop_on_warning)"),
])
def test_the_setting_is_checked_with_its_line(tmp_path, setting, message):
    pub = small_publication(tmp_path, "# 一\n", config=setting)
    with pytest.raises(SourceError) as caught:
        load_config(pub)
    assert str(caught.value).endswith(message)


@pytest.mark.parametrize("stop", [False, True])
def test_the_command_writes_the_report_and_warns_or_stops(tmp_path, capsys, monkeypatch,
                                                          stop):
    pub = small_publication(tmp_path, CHECKED_TEXT,
                            config="numbers:\n  stop_on_warning: true\n" if stop else "")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    model, report = tmp_path / "document.json", tmp_path / "numbers.html"
    assert cli.main(["model", "sources/pub", str(model)]) == 0
    code = cli.main(["numbers", "sources/pub", str(model), str(report)])
    err = capsys.readouterr().err.splitlines()
    if stop:
        assert code == 1
        assert err[0].startswith("error: sources/pub/text.md:10: 4168列 is typed")
        assert [e.split(":")[1] for e in err[1:]] == ["10", "11", "11", "12"]
    else:
        assert code == 0
        assert [e.split(": ")[:2] for e in err] == [
            [f"sources/pub/text.md:{line}", "warning"] for line in (10, 10, 11, 11, 12)]
    html = report.read_text(encoding="utf-8")
    assert "数字来源：标题" in html and html.count("<tr id=\"n-") == 12
    assert "sources/pub/text.md:11</code></a> 3000列为手工录入，句中写明“中欧班列开行”" in html
    assert ("任一提示即中止生成" in html) == stop


def test_the_report_speaks_the_publications_language(docs):
    doc = docs["en"]
    locale = load_locale(TEMPLATES / "locales" / "en.yaml")
    stats = load_publication(PUBLICATIONS["en"]).stats
    html = render_report(doc, stats, check_numbers(doc, stats), locale, TEMPLATES, False)
    assert "<title>Where each number comes from: Northwind Harbour" in html
    assert "No warnings: no typed number repeats" in html
    assert html.count("<tr id=\"n-") == len(doc.numbers)
    # And each value a chart shows, after the chart's caption, with its data row.
    plotted = sum(len(f.plots) for f in doc.figures)
    assert html.count("<td>chart</td>") == plotted > 0
    assert f"Charts show {plotted} values from the data" in html
    assert re.search(r"<code>teu_total@2021</code>\s*<br><span class=\"file\">sources/"
                     r"northwind-harbour-2025/data/traffic.csv:2</span></td>\s*<td>chart</td>",
                     html)
    # A number with the words around it, and its data row.
    assert "<mark>1.55\u00a0million TEU</mark> of containers" in html
    assert "sources/northwind-harbour-2025/data/traffic.csv:6" in html
