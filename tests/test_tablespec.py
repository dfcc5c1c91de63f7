import pytest

from conftest import REPO
from paperpress.errors import SourceError
from paperpress.locale import load_locale
from paperpress.model import Table, plain
from paperpress.statistics import load_statistics
from paperpress.inputs import named_data_files
from paperpress.tablespec import load_table_spec

EN = load_locale(REPO / "templates" / "locales" / "en.yaml")
ZH = load_locale(REPO / "templates" / "locales" / "zh-CN.yaml")
PORTS = ("key,period,value,unit,label,section\n"
         "teu_north,2023,1234.5,thousand TEU,Northern port,1\n"
         "teu_north,2024,1300.25,thousand TEU,Northern port,1\n"
         "teu_south,2023,-12.50,thousand TEU,Southern port,1\n"
         "teu_south,2024,807,thousand TEU,Southern port,1\n"
         "teu_total,2023,1222,thousand TEU,All ports,1\n"
         "teu_total,2024,2107.25,thousand TEU,All ports,1\n")
OTHER = "key,period,value,unit,label,section\nships,2023,5,ships,Ships,1\n"
SPEC = """\
caption: "Container throughput by port, {{ teu_total@2024 | period }}"
source: "Source: Harbour Authority statistics"
data: [ports.csv]
rows: [teu_north, teu_south, teu_total]
columns: ["2023", "2024"]
row_labels: {teu_total: Total}
"""


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ports.csv").write_text(PORTS, encoding="utf-8")
    (folder / "other.csv").write_text(OTHER, encoding="utf-8")
    return folder


def spec_file(tmp_path, text: str = SPEC):
    path = tmp_path / "port-throughput.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def stats_of(data):
    return load_statistics(sorted(data.glob("*.csv")))


def cells(rows) -> list[list[str]]:
    return [[plain(cell) for cell in row] for row in rows]


def test_a_data_table_prints_the_data_as_the_language_writes_it(tmp_path, data):
    spec = load_table_spec(spec_file(tmp_path))
    assert spec.id == "port-throughput"
    table = spec.table(stats_of(data), EN)
    assert isinstance(table, Table) and table.origin == "data" and table.number == 0
    assert cells(table.header) == [["", "2023", "2024"]]
    assert cells(table.rows) == [
        ["Northern port", "1,234.5\u00a0thousand TEU", "1,300.25\u00a0thousand TEU"],
        ["Southern port", "-12.50\u00a0thousand TEU", "807\u00a0thousand TEU"],
        ["Total", "1,222\u00a0thousand TEU", "2,107.25\u00a0thousand TEU"]]
    assert table.align == ["left", "right", "right"]
    assert abs(sum(table.widths) - 1) < 1e-9 and table.widths[0] > table.widths[1]
    assert table.caption == "Container throughput by port, 2024"
    assert table.source == "Source: Harbour Authority statistics"


def test_a_unit_for_the_whole_table_is_printed_once(tmp_path, data):
    spec = load_table_spec(spec_file(tmp_path, SPEC + "unit: thousand TEU\n"))
    en, zh = spec.table(stats_of(data), EN), spec.table(stats_of(data), ZH)
    assert cells(en.rows)[0] == ["Northern port", "1,234.5", "1,300.25"]
    assert en.source == "Unit: thousand TEU. Source: Harbour Authority statistics"
    assert cells(zh.header) == [["", "2023年", "2024年"]]
    assert cells(zh.rows)[2] == ["Total", "1222", "2107.25"]
    assert zh.source == "单位：thousand TEU\u3000Source: Harbour Authority statistics"


def test_a_changed_value_in_the_data_changes_the_table(tmp_path, data):
    spec = load_table_spec(spec_file(tmp_path))
    (data / "ports.csv").write_text(PORTS.replace("1234.5", "1240.0"), encoding="utf-8")
    assert cells(spec.table(stats_of(data), EN).rows)[0][1] == "1,240.0\u00a0thousand TEU"


def test_the_tables_data_files_are_those_its_spec_names(tmp_path, data):
    spec = load_table_spec(spec_file(tmp_path))
    assert named_data_files(spec, data) == [data / "ports.csv"]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("old, new, needle, message", [
    ("rows: [teu_north, teu_south, teu_total]", "rows:\n  - teu_total\n  - teu_west",
     "teu_west", "row 'teu_west', column '2023': no data has the key 'teu_west'"),
    ('columns: ["2023", "2024"]', 'columns:\n  - "2023"\n  - "2025"', '"2025"',
     "row 'teu_north', column '2025': 'teu_north' has no period '2025' (it has 2023, 2024)"),
    ("rows: [teu_north, teu_south, teu_total]", "rows:\n  - teu_total\n  - ships",
     "- ships", "row 'ships' comes from other.csv, which the table's 'data:' list does not"
                " name"),
])
def test_a_cell_the_data_lack_names_the_spec_and_the_line_of_its_row_or_column(
        tmp_path, data, old, new, needle, message):
    text = SPEC.replace(old, new)
    spec = load_table_spec(spec_file(tmp_path, text))
    with pytest.raises(SourceError) as err:
        spec.table(stats_of(data), EN)
    path = tmp_path / "port-throughput.yaml"
    assert str(err.value) == f"{path}:{line_of(text, needle)}: {message}"


def test_a_placeholder_in_the_caption_that_resolves_nothing_names_its_line(tmp_path, data):
    text = SPEC.replace("teu_total@2024", "teu_totl@2024")
    spec = load_table_spec(spec_file(tmp_path, text))
    with pytest.raises(SourceError, match=r"port-throughput.yaml:1: caption: placeholder"
                                          r" .*no data has the key 'teu_totl'"):
        spec.table(stats_of(data), EN)


MANY_ROWS = "rows: [" + ", ".join(f"k{n}" for n in range(61)) + "]"
MANY_COLUMNS = "columns: [" + ", ".join(str(2000 + n) for n in range(21)) + "]"


@pytest.mark.parametrize("old, new, needle, message", [
    ("source: ", "sauce: ", "sauce:", "'sauce' is not a table setting"),
    ('columns: ["2023", "2024"]\n', "", None, "lacks 'columns'"),
    ('caption: "Container throughput by port, {{ teu_total@2024 | period }}"',
     "caption: <b>x</b>", "caption:", "'caption' holds HTML (<b>)"),
    ('source: "Source: Harbour Authority statistics"', "source: [a, b]", "source:",
     "'source' must be text, not a list"),
    ("rows: [teu_north, teu_south, teu_total]", "rows: teu_north", "rows:",
     "'rows' must be a list of data keys"),
    ("rows: [teu_north, teu_south, teu_total]", "rows: []", "rows:",
     "'rows' must be a list of data keys"),
    ("rows: [teu_north, teu_south, teu_total]", "rows:\n  - teu_north\n  - Teu-North",
     "Teu-North", "rows: 'Teu-North' is not a data key"),
    ("rows: [teu_north, teu_south, teu_total]", "rows: [teu_total, teu_north, teu_total]",
     "rows:", "rows: 'teu_total' is given twice"),
    ('columns: ["2023", "2024"]', 'columns:\n  - "2023"\n  - "June 2024"', "June",
     "columns: 'June 2024' is not a period"),
    ("rows: [teu_north, teu_south, teu_total]", MANY_ROWS, "rows:",
     "'rows' has 61 items: a table has at most 60"),
    ('columns: ["2023", "2024"]', MANY_COLUMNS, "columns:",
     "'columns' has 21 items: a table has at most 20"),
    ("row_labels: {teu_total: Total}", "row_labels:\n  teu_totl: Total", "teu_totl",
     "row_labels: 'teu_totl' is not one of the rows"),
    ("row_labels: {teu_total: Total}", "row_labels:\n  teu_total: '**Total**'", "**Total**",
     "row_labels: 'teu_total' holds Markdown bold"),
    ("row_labels: {teu_total: Total}", "row_labels: [Total]", "row_labels:",
     "'row_labels' must map rows to labels"),
    ("data: [ports.csv]", "data: []", "data:", "'data' must name the data files"),
])
def test_a_fault_in_a_table_spec_names_the_file_and_line(tmp_path, old, new, needle, message):
    assert old in SPEC
    text = SPEC.replace(old, new)
    path = spec_file(tmp_path, text)
    with pytest.raises(SourceError) as err:
        load_table_spec(path)
    line = 1 if needle is None else line_of(text, needle)
    assert str(err.value).startswith(f"{path}:{line}: {message}")


def test_a_data_file_outside_the_data_folder_names_the_spec_line(tmp_path, data):
    text = SPEC.replace("data: [ports.csv]", "data: [../../etc/passwd]")
    spec = load_table_spec(spec_file(tmp_path, text))
    with pytest.raises(SourceError, match=r"port-throughput.yaml:3: data file"
                                          r" '../../etc/passwd' is outside"):
        named_data_files(spec, data)
