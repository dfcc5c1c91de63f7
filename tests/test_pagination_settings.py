"""The pagination settings editors write in the stylesheets (--float-gap, --float-shrink,
--tail-page): WeasyPrint takes any custom property with any value, so each is checked where
a stylesheet is read, and a misspelt name or a value out of its range stops the build with
the file and line rather than turning the setting off or shrinking a chart to nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from paperpress.errors import SourceError
from paperpress.pagination import GAP, SETTINGS, SHRINK, TAIL
from paperpress.stylesheets import read_stylesheet


def _sheet(tmp_path: Path, declaration: str) -> Path:
    # The declaration on line 5, inside @media as the white paper's are.
    path = tmp_path / "edition.css"
    path.write_text("a { color: red; }\n@page { @top-center { content: 'x' } }\n"
                    "@media print {\n  /* the settings */\n"
                    f"  main > figure {{ {declaration}; }}\n}}\n", encoding="utf-8")
    return path


def _refusal(tmp_path: Path, declaration: str) -> str:
    path = _sheet(tmp_path, declaration)
    with pytest.raises(SourceError) as caught:
        read_stylesheet(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:5: ")
    return message[len(f"{path}:5: "):]


def test_the_settings_pagination_reads_are_the_ones_checked():
    assert set(SETTINGS) == {GAP, SHRINK, TAIL}


@pytest.mark.parametrize("name", ["base.css", "whitepaper.css", "brief.css", "web.css",
                                  "press.css"])
def test_the_bundled_stylesheets_pass(name):
    read_stylesheet(REPO / "templates" / "html" / name)


@pytest.mark.parametrize("declaration", [
    "--float-gap: 15%", "--float-gap: 0%", "--float-gap: 100%", "--float-shrink: 40%",
    "--float-shrink: 0%", "--tail-page: 25%", "--float-gap: 15% !important",
    "--float-gap:15%",
    # Other custom properties are the editors' own.
    "--list-gap: 3mm", "--accent: #c00", "--note-gap: 2mm",
])
def test_a_share_in_range_and_other_custom_properties_pass(tmp_path, declaration):
    read_stylesheet(_sheet(tmp_path, declaration))


@pytest.mark.parametrize("declaration, says", [
    # 150% shrank a chart to a third of its size, its text unreadable.
    ("--float-shrink: 150%", "--float-shrink: 150% — a share of the picture's height from 0%"
                             " to 40% (a chart made smaller still would have text too small"
                             " to read)"),
    ("--float-shrink: 41%", "--float-shrink: 41% — a share of the picture's height from 0%"),
    # A bare number was read as a share of 1: 15 was 1500%, and figures never moved.
    ("--float-gap: 15", "--float-gap: 15 — a share of the page's height from 0% to 100%"),
    ("--float-gap: 0.15", "--float-gap: 0.15 — a share of the page's height from 0% to 100%"),
    # These turned the setting off.
    ("--float-gap: 15px", "--float-gap: 15px — a share of the page's height from 0% to 100%"),
    ("--float-gap: 15 %", "--float-gap: 15 % — a share of the page's height from 0% to 100%"),
    ("--float-gap: 15% 20%", "--float-gap: 15% 20% — a share of the page's height"),
    ("--float-gap: -5%", "--float-gap: -5% — a share of the page's height from 0% to 100%"),
    ("--tail-page: 120%", "--tail-page: 120% — a share of the page's height from 0% to 100%"),
    ("--tail-page: var(--x)", "--tail-page: var(--x) — a share of the page's height"),
])
def test_a_value_that_is_not_a_share_in_range_is_refused(tmp_path, declaration, says):
    assert _refusal(tmp_path, declaration).startswith(says)


@pytest.mark.parametrize("declaration, says", [
    ("--flaot-gap: 15%", "--flaot-gap: 15% — no such setting: did you mean --float-gap?"),
    ("--float-shirnk: 15%", "--float-shrink?"),
    ("--tailpage: 25%", "did you mean --tail-page?"),
    ("--Float-Gap: 15%", "did you mean --float-gap?"),
    ("--float-gaps: 15%", "did you mean --float-gap?"),
    ("--float-margin: 15%", "--float-margin: 15% — no such setting: the settings are"
                            " --float-gap, --float-shrink, --tail-page"),
    ("--tail-rows: 3", "no such setting: the settings are"),
])
def test_a_misspelt_or_unknown_setting_is_refused(tmp_path, declaration, says):
    assert says in _refusal(tmp_path, declaration)
