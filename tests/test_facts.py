from decimal import Decimal

import pytest

from conftest import REPO
from paperpress.facts import PlaceholderError, fill_placeholders
from paperpress.locale import load_locale
from paperpress.statistics import load_statistics

LOCALES = REPO / "templates" / "locales"
DATA = ("key,period,value,unit,label,section\n"
        "teu,2023-06,1550.50,thousand TEU,Throughput,1\n"
        "share,2023-01/2023-10,50.1,%,Share,1\n"
        "trade,2022,3518.1,亿元,Trade,1\n"
        "change,2023-H1,-1234.5,thousand TEU,Change,1\n")


@pytest.fixture
def stats(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(DATA, encoding="utf-8")
    return load_statistics([path])


@pytest.mark.parametrize("text, en, zh", [
    ("{{ teu@2023-06 }}", "1,550.50\u00a0thousand TEU", "1550.50thousand TEU"),
    ("{{ share }}", "50.1%", "50.1%"),
    ("{{ trade }}", "3,518.1\u00a0亿元", "3518.1亿元"),
    ("{{ change }}", "-1,234.5\u00a0thousand TEU", "-1234.5thousand TEU"),
    ("{{ teu | number }}", "1,550.50", "1550.50"),
    ("{{ teu | unit }}", "thousand TEU", "thousand TEU"),
    ("{{ teu | period }}", "June 2023", "2023年6月"),
    ("{{ share | period }}", "January–October 2023", "2023年1—10月"),
    ("{{ change | period }}", "H1 2023", "2023年上半年"),
    ('{{ "{{" }} x {{ "}}" }}', "{{ x }}", "{{ x }}"),
])
def test_placeholders_print_as_the_language_writes(stats, text, en, zh):
    assert fill_placeholders(text, stats, load_locale(LOCALES / "en.yaml")) == en
    assert fill_placeholders(text, stats, load_locale(LOCALES / "zh-CN.yaml")) == zh


def test_a_fact_keeps_the_value_typed_not_a_printed_form(stats):
    fact = stats.resolve("teu")
    assert fact.value == Decimal("1550.50") and fact.period == "2023-06"
    # period_label holds only words the data file types for a period, never a printed form.
    assert not hasattr(fact, "display") and fact.period_label == ""


def test_an_unknown_format_is_named(stats):
    with pytest.raises(PlaceholderError, match=r"unknown format 'percent'"):
        fill_placeholders("{{ share | percent }}", stats, load_locale(LOCALES / "en.yaml"))
