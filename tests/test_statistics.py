from decimal import Decimal

import pytest

from conftest import REPO, SOURCES
from paperpress.errors import SourceError
from paperpress.locale import load_locale
from paperpress.statistics import load_statistics

HEADER = "key,period,value,unit,label,section\n"
# The bundled white paper's language: how its numbers and periods print.
ZH = load_locale(REPO / "templates" / "locales" / "zh-CN.yaml")


def display(fact) -> str:
    return ZH.quantity(ZH.number(fact.value), fact.unit)


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_values_keep_the_decimals_the_file_typed(tmp_path):
    stats = load_statistics([write(tmp_path, HEADER + "teu,2023-06,34.65,万标箱,集装箱,一\n"
                                               "trains,2023-06,4168,列,班列,一\n")])
    fact = stats.resolve("teu")
    assert fact.value == Decimal("34.65")
    assert display(fact) == "34.65万标箱"
    assert display(stats.resolve("trains@2023-06")) == "4168列"
    assert fact.line == 2


def test_a_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n", encoding="utf-8-sig")
    assert load_statistics([path]).resolve("a").value == Decimal("1")


@pytest.mark.parametrize("cell, expected", [
    ("3518.1亿元", "has a unit in the number cell: write 3518.1 and put '亿元'"),
    ("1,190.97", "has thousands separators: write 1190.97"),
    ("３５１８", "full-width digits"),
    ("", "is empty"),
    ("many", "'many' is not a number"),
])
def test_a_bad_value_names_file_row_and_column(tmp_path, cell, expected):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n" + f'b,2013,"{cell}",亿元,y,一\n')
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    message = str(err.value)
    assert message.startswith(f"{path}:3: column 'value':")
    assert expected in message


def test_a_missing_column_is_named(tmp_path):
    path = write(tmp_path, "key,period,unit,label,section\na,2013,对,x,一\n")
    with pytest.raises(SourceError, match=r"data.csv:1: header lacks column\(s\) value"):
        load_statistics([path])


def test_a_gbk_file_is_refused_with_the_line_and_a_fix(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,国际友城,一\n", encoding="gbk")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    assert f"{path}:2:" in str(err.value)
    assert "not valid UTF-8" in str(err.value)
    assert "GBK" in str(err.value) and "iconv" in str(err.value)


def test_duplicate_key_and_period_points_at_both_rows(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\na,2013,2,对,x,一\n")
    with pytest.raises(SourceError, match=r"data.csv:3: duplicate key 'a' for period '2013'"
                                          r" \(first at .*data.csv:2\)"):
        load_statistics([path])


def test_a_reference_to_a_key_with_several_periods_must_name_one(tmp_path):
    stats = load_statistics([write(tmp_path, HEADER + "a,2013,1,对,x,一\na,2022,2,对,x,一\n")])
    with pytest.raises(LookupError, match="several periods"):
        stats.resolve("a")
    with pytest.raises(LookupError, match="has no period '2014'"):
        stats.resolve("a@2014")


@pytest.mark.parametrize("period, text", [
    ("2013", "2013年"), ("2023-06", "2023年6月"), ("2013/2022", "2013—2022年"),
    ("2023-01/2023-10", "2023年1—10月"), ("2023-H1", "2023年上半年"),
])
def test_periods_read_as_chinese_prose(period, text):
    assert ZH.period(period) == text


def test_a_control_character_in_a_data_file_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,国际\x0b友城,一\n")
    with pytest.raises(SourceError, match=r"data.csv:2: holds the control character U\+000B"):
        load_statistics([path])


def test_rows_after_blank_lines_are_named_by_their_own_line(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n\n   \n" + "b,2013,many,对,x,一\n")
    with pytest.raises(SourceError, match=r"data.csv:5: column 'value': 'many'"):
        load_statistics([path])


def test_a_row_after_a_multi_line_cell_is_named_by_its_own_line(tmp_path):
    path = write(tmp_path, HEADER + 'a,2013,1,对,"两行\n标签",一\nb,2013,x,对,y,一\n')
    with pytest.raises(SourceError, match=r"data.csv:4: column 'value'"):
        load_statistics([path])


def test_a_column_named_twice_in_the_header_is_refused(tmp_path):
    path = write(tmp_path, "key,period,value,unit,label,section,key\na,2013,1,对,x,一,zz\n")
    with pytest.raises(SourceError, match=r"data.csv:1: header names column\(s\) key twice"):
        load_statistics([path])


def test_every_fault_in_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n"
                                    "b,2013,\"1,190.97\",亿元,y,一\n"
                                    "C,13,7,个,z,一\n")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    lines = str(err.value).splitlines()
    assert lines[0] == f"{path}:3: column 'value': '1,190.97' has thousands separators: write 1190.97"
    assert lines[1].startswith(f"{path}:4: column 'key': 'C' is not a valid key")
    assert lines[2].startswith(f"{path}:4: column 'period': '13' is not a period")


def test_codes_with_leading_zeros_stay_text(tmp_path):
    # Only the value column is a number: a code typed in another cell keeps its zeros.
    stats = load_statistics([write(tmp_path, HEADER + "a,2023-06,0.50,个,010,001\n")])
    fact = stats.resolve("a")
    assert (fact.label, fact.section, fact.period) == ("010", "001", "2023-06")
    assert ZH.number(fact.value) == "0.50"


def test_a_value_with_more_digits_than_a_chart_can_draw_is_refused(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n" + f"b,2013,{'9' * 400},亿元,y,一\n")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    assert str(err.value).startswith(f"{path}:3: column 'value': ")
    assert "has 400 digits: a value may have at most 15" in str(err.value)


def test_data_files_have_bounds_on_size_and_rows(tmp_path, monkeypatch):
    import paperpress.statistics as statistics

    rows = "".join(f"k{n},2013,{n},对,x,一\n" for n in range(30))
    monkeypatch.setattr(statistics, "MAX_ROWS", 20)
    with pytest.raises(SourceError, match=r"data.csv:22: the publication's data files hold"
                                          r" more than 20 rows"):
        load_statistics([write(tmp_path, HEADER + rows)])
    monkeypatch.setattr(statistics, "MAX_DATA_BYTES", 100)
    with pytest.raises(SourceError, match=r"big.csv: is \d+ bytes, more than the 100 bytes"):
        load_statistics([write(tmp_path, HEADER + rows, name="big.csv")])


def test_a_cell_past_the_csv_modules_limit_names_the_line(tmp_path):
    # A quote left open makes the rest of the file one cell; a cell that long stopped the
    # build with a _csv.Error traceback.
    rows = "".join(f"k{n},2013,{n},对,{'x' * 100},一\n" for n in range(2000))
    path = write(tmp_path, HEADER + "a,2013,1,对,x,一\n" + 'b,2013,1,对,"open,一\n' + rows)
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    assert str(err.value) == (f"{path}:3: a cell from this line on runs past 131072"
                              " characters: is a quote (\") left open?")


@pytest.mark.parametrize("column", ["key", "unit", "label", "section"])
def test_a_text_cell_has_a_bounded_length(tmp_path, column):
    cells = {"key": "a", "period": "2013", "value": "1", "unit": "对", "label": "x",
             "section": "一"}
    cells[column] = "a" * 100_000 if column == "key" else "亿" * 100_000
    path = write(tmp_path, HEADER + "b,2013,1,对,y,一\n" + ",".join(cells.values()) + "\n")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    message = str(err.value)
    assert message.startswith(f"{path}:3: column '{column}': ")
    assert message.endswith("has 100000 characters: a cell may have at most 200")
    assert len(message) < len(str(path)) + 200  # the cell is quoted, not printed whole


@pytest.mark.parametrize("label, found", [
    ("<b>与共建</b>", "HTML (<b>)"),
    ("<!-- 内部备注 -->贸易", "an HTML comment"),
    ("**贸易**规模", "Markdown bold"),
], ids=["html", "comment", "bold"])
def test_markup_in_a_text_cell_is_refused(tmp_path, label, found):
    path = write(tmp_path, HEADER + f"a,2013,1,对,{label},一\n")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    assert str(err.value).startswith(f"{path}:2: column 'label': holds {found}")


def test_zeros_after_the_decimal_point_count_as_digits(tmp_path):
    path = write(tmp_path, HEADER + "a,2013,0." + "0" * 100_000 + "1,对,x,一\n")
    with pytest.raises(SourceError) as err:
        load_statistics([path])
    assert str(err.value).startswith(f"{path}:2: column 'value': ")
    assert "has 100001 digits: a value may have at most 15" in str(err.value)


def test_values_with_up_to_fifteen_digits_load(tmp_path):
    values = ["34.65", "0.5", "3518.1", "-12.25", "0.50", "0", "007", "0.123456789012345",
              "123456789012345", "-0.000000000000001"]
    rows = "".join(f"k{n},2013,{value},对,x,一\n" for n, value in enumerate(values))
    stats = load_statistics([write(tmp_path, HEADER + rows)])
    assert [ZH.number(stats.resolve(f"k{n}").value) for n in range(len(values))] == [
        "34.65", "0.5", "3518.1", "-12.25", "0.50", "0", "7", "0.123456789012345",
        "123456789012345", "-0.000000000000001"]


def test_the_bundled_data_loads():
    stats = load_statistics(sorted((SOURCES / "data").glob("*.csv")))
    assert len(stats.facts) > 20
    assert display(stats.resolve("bri_trade@2022")) == "3518.1亿元"
    assert display(stats.resolve("cer_teu_cumulative")) == "34.65万标箱"
