import re
from decimal import Decimal

import pytest

from conftest import REPO
from paperpress.errors import SourceError
from paperpress.locale import load_locale, locale_path

LOCALES = REPO / "templates" / "locales"
EN = load_locale(LOCALES / "en.yaml")
ZH = load_locale(LOCALES / "zh-CN.yaml")


# --- Words --------------------------------------------------------------------------------

@pytest.mark.parametrize("key, fields, en, zh", [
    ("see_figure", {"number": 3}, "(see Figure\u00a03)", "（见图3）"),
    ("see_table", {"number": 2}, "(see Table\u00a02)", "（见表2）"),
    ("see_box", {"number": 1}, "(see Box\u00a01)", "（见专栏1）"),
    ("see_section", {"title": "Ports"}, "(see “Ports”)", "（见“Ports”）"),
    ("figure", {"number": 3}, "Figure\u00a03", "图3"),
    ("unit", {"unit": "million TEU"}, "Unit: million TEU", "单位：million TEU"),
    ("contents", {}, "Contents", "目录"),
    ("key_figures", {}, "Key figures", "关键数据"),
    ("data_point", {"label": "2013", "value": "5"}, "2013: 5", "20135"),
])
def test_each_language_has_its_words(key, fields, en, zh):
    assert EN.text(key, **fields) == en
    assert ZH.text(key, **fields) == zh


@pytest.mark.parametrize("kind, en, zh", [("figure", "Figure", "图"), ("table", "Table", "表"),
                                          ("box", "Box", "专栏")])
def test_a_label_word_is_the_label_without_its_number(kind, en, zh):
    assert (EN.label_word(kind), ZH.label_word(kind)) == (en, zh)


# --- Numbers and quantities -----------------------------------------------------------------

@pytest.mark.parametrize("typed, en, zh", [
    ("34.50", "34.50", "34.50"),
    ("0.50", "0.50", "0.50"),
    ("3518.1", "3,518.1", "3518.1"),
    ("1234.5", "1,234.5", "1234.5"),
    ("1000000", "1,000,000", "1000000"),
    ("999", "999", "999"),
    ("007", "7", "7"),
    ("-12.25", "-12.25", "-12.25"),
    ("-1234567.250", "-1,234,567.250", "-1234567.250"),
    ("-0.000000000000001", "-0.000000000000001", "-0.000000000000001"),
    ("123456789012345", "123,456,789,012,345", "123456789012345"),
])
def test_a_number_keeps_the_decimals_typed_and_groups_as_the_language_does(typed, en, zh):
    assert EN.number(Decimal(typed)) == en
    assert ZH.number(Decimal(typed)) == zh


def test_a_negative_number_takes_the_languages_minus_and_separators(tmp_path):
    # Swedish writes the minus as U+2212 and groups with a no-break space: from Babel.
    path = tmp_path / "sv.yaml"
    path.write_text((LOCALES / "en.yaml").read_text(encoding="utf-8")
                    .replace("babel: en_GB", "babel: sv_SE"), encoding="utf-8")
    assert load_locale(path).number(Decimal("-1234.50")) == "\u22121\u00a0234,50"


@pytest.mark.parametrize("number, unit, en, zh", [
    ("1.55", "million TEU", "1.55\u00a0million TEU", "1.55million TEU"),
    ("3518.1", "亿元", "3518.1\u00a0亿元", "3518.1亿元"),
    ("50.1", "%", "50.1%", "50.1%"),
    ("3", "‰", "3‰", "3‰"),
    ("12", "°C", "12°C", "12°C"),
    ("12", "% of GDP", "12% of GDP", "12% of GDP"),
    ("106", "", "106", "106"),
])
def test_a_quantity_spaces_its_unit_as_the_language_does(number, unit, en, zh):
    assert EN.quantity(number, unit) == en
    assert ZH.quantity(number, unit) == zh


# --- Periods ------------------------------------------------------------------------------

# Every form statistics.PERIOD_RE accepts. The Chinese column is what the white paper has
# always printed (statistics.format_period before the locales).
PERIODS = [
    ("2023", "2023", "2023年"),
    ("2023-06", "June 2023", "2023年6月"),
    ("2023-H1", "H1 2023", "2023年上半年"),
    ("2023-H2", "H2 2023", "2023年下半年"),
    ("2013/2022", "2013–2022", "2013—2022年"),
    ("2023-01/2023-10", "January–October 2023", "2023年1—10月"),
    ("2022-06/2023-03", "June 2022–March 2023", "2022年6月—2023年3月"),
    ("2022-06/2023-H1", "June 2022–H1 2023", "2022年6月—2023年上半年"),
    ("2023-H1/2023-H2", "H1 2023–H2 2023", "2023年上半年—2023年下半年"),
    ("2013/2023-06", "2013–June 2023", "2013年—2023年6月"),
    ("2023-06/2024", "June 2023–2024", "2023年6月—2024年"),
    ("2022-H2/2023-06", "H2 2022–June 2023", "2022年下半年—2023年6月"),
]


@pytest.mark.parametrize("period, en, zh", PERIODS, ids=[p[0] for p in PERIODS])
def test_every_period_form_reads_as_each_language_writes_it(period, en, zh):
    from paperpress.statistics import PERIOD_RE

    assert PERIOD_RE.match(period)
    assert EN.period(period) == en
    assert ZH.period(period) == zh


# --- Checking a locale file -----------------------------------------------------------------

def edited_locale(tmp_path, old: str, new: str, name: str = "en.yaml"):
    """en.yaml with the line holding ``old`` replaced by ``new``, and the line it is on."""
    lines = (LOCALES / name).read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.strip().startswith(old))
    lines[at] = new
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, at + 1


@pytest.mark.parametrize("old, new, message", [
    ("see_figure:", '  see_figure: "(see Figure)"', "strings: 'see_figure' must contain {number}"),
    ("see_figure:", '  see_figure: "(see Figure {number} on page {page})"',
     "strings: 'see_figure' uses {page}, which it cannot fill (it may use {number})"),
    ("contents:", '  contents: "Contents {number}"',
     "strings: 'contents' uses {number}, which it cannot fill (it may use no field)"),
    ("unit:", '  unit: "Unit: {unit.upper}"', "strings: 'unit' uses {unit.upper}"),
    ("figure:", '  figure: "Figure {number:>3}"',
     "strings: 'figure': write the field as {number}, without a format or conversion"),
    ("unit:", '  unit: "Unit: {unit"', "strings: 'unit' has a '{' or '}' that opens"),
    ("contents:", "  contents: <b>Contents</b>", "strings: 'contents' holds HTML (<b>)"),
    ("contents:", "  contents: [Contents]", "strings: 'contents' must be text"),
    ("contents:", "  contants: Contents", "strings: 'contants' is not one of the locale's strings"),
    ("month:", '  month: "{year}"', "periods: 'month' must contain {month} or {month_name}"),
    ("months_in_year:", '  months_in_year: "{start_month_name} {year}"',
     "periods: 'months_in_year' must contain {end_month} or {end_month_name}"),
    ("babel:", "babel: en_XX", "babel: 'en_XX' is not a locale Babel knows"),
    ("babel:", "babel: klingon", "babel: 'klingon' is not a locale Babel knows"),
    ("group_thousands:", "  group_thousands: maybe",
     "numbers: 'group_thousands' must be true or false, not 'maybe'"),
    ("unit_space:", "  unit_space: x", "numbers: 'unit_space' is what stands between"),
    ("attached_units:", "  attached_units: '%'", "numbers: 'attached_units' must be a list"),
], ids=["required field", "unknown field", "field in plain string", "attribute", "format",
        "lone brace", "html", "list", "unknown key", "month", "months in year", "babel region",
        "babel name", "flag", "unit space", "attached units"])
def test_a_fault_in_a_locale_file_names_the_file_and_line(tmp_path, old, new, message):
    path, line = edited_locale(tmp_path, old, new)
    with pytest.raises(SourceError) as err:
        load_locale(path)
    assert str(err.value).startswith(f"{path}:{line}: {message}")


def test_a_locale_lacking_a_string_names_its_section(tmp_path):
    text = (LOCALES / "en.yaml").read_text(encoding="utf-8")
    path = tmp_path / "en.yaml"
    path.write_text(re.sub(r"\n  notes: Notes", "", text), encoding="utf-8")
    line = text.split("\n").index("strings:") + 1
    with pytest.raises(SourceError) as err:
        load_locale(path)
    assert str(err.value).startswith(f"{path}:{line}: strings: lacks 'notes'")


def test_a_locale_lacking_a_part_says_which(tmp_path):
    text = (LOCALES / "zh-CN.yaml").read_text(encoding="utf-8")
    path = tmp_path / "zh-CN.yaml"
    path.write_text(text[:text.index("periods:")], encoding="utf-8")
    with pytest.raises(SourceError, match=r"zh-CN.yaml:1: lacks 'periods:'"):
        load_locale(path)


# --- Finding a language's file --------------------------------------------------------------

def test_a_language_without_a_file_says_how_to_add_one(tmp_path):
    text = tmp_path / "text.md"
    with pytest.raises(SourceError) as err:
        locale_path(REPO / "templates", "fr", named_in=text, line=6)
    assert str(err.value) == (
        f"{text}:6: lang 'fr': there is no locale file {LOCALES / 'fr.yaml'}: copy"
        f" {LOCALES / 'en.yaml'} to {LOCALES / 'fr.yaml'} and translate its words"
        " (see docs/locales.md)")


@pytest.mark.parametrize("lang", ["../../etc/passwd", "en/../zh-CN", "", "e"])
def test_a_language_tag_names_nothing_but_a_locale_file(tmp_path, lang):
    with pytest.raises(SourceError, match=rf"text.md:3: lang '.*' is not a language tag"):
        locale_path(REPO / "templates", lang, named_in=tmp_path / "text.md", line=3)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_shipped_languages_have_files(lang):
    assert load_locale(locale_path(REPO / "templates", lang)).lang == lang


def test_the_documented_zh_tw_example_is_a_working_locale(tmp_path):
    docs = (REPO / "docs" / "locales.md").read_text(encoding="utf-8")
    section = docs[docs.index("### Example: Traditional Chinese (zh-TW)"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    (tmp_path / "locales").mkdir()
    (tmp_path / "locales" / "zh-TW.yaml").write_text(example, encoding="utf-8")
    zh_tw = load_locale(locale_path(tmp_path, "zh-TW"))
    assert zh_tw.text("see_figure", number=3) == "（見圖3）"
    assert zh_tw.quantity(zh_tw.number(Decimal("3518.1")), "億元") == "3518.1億元"
    assert zh_tw.period("2023-01/2023-10") == "2023年1—10月"
    assert not (LOCALES / "zh-TW.yaml").exists()  # documented, not shipped
