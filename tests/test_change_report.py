"""The change report (changes.html) each publish writes beside the editions: the diff of
two models, numbers, pages; approval; and one small publication published twice."""

import json
import re
import shutil
import subprocess

import pytest

from paperpress.changes import Baseline, release_date
from paperpress.changes.numbers import data_number_changes, text_number_changes
from paperpress.changes.pages import changed_boxes
from paperpress.changes.textdiff import Unit, diff_units, text_diff, token_diff
from paperpress.publish import approve, current_release, publish, releases_dir


# --- the diff of two texts ------------------------------------------------------------

def test_an_english_text_is_diffed_by_words_and_a_number_is_one_word():
    ops = token_diff("The port handled 1,550.5 million TEU in 2025.",
                     "The port handled 1,572.0 million TEU in 2025.")
    assert ("delete", "1,550.5") in ops and ("insert", "1,572.0") in ops
    assert "".join(t for tag, t in ops if tag != "insert") == \
        "The port handled 1,550.5 million TEU in 2025."
    assert "".join(t for tag, t in ops if tag != "delete") == \
        "The port handled 1,572.0 million TEU in 2025."


def test_a_chinese_text_is_diffed_by_characters():
    ops = token_diff("经济运行总体平稳、稳中向好。", "经济运行总体平稳、稳中有进。", spaced=False)
    assert ops == [("equal", "经济运行总体平稳、稳中"), ("delete", "向好"), ("insert", "有进"),
                   ("equal", "。")]
    # A number stays whole among the characters.
    assert ("insert", "2940.5") in token_diff("总值2936.2亿元", "总值2940.5亿元", spaced=False)


def _units(*texts, kind="paragraph"):
    return [Unit(kind, t, "1 Traffic") for t in texts]


def test_units_are_paired_as_changed_or_else_added_and_removed():
    old = _units("Cargo rose by 3.7% to 27.7 million tonnes.", "A paragraph that goes.",
                 "Unchanged text stays out of the report.")
    new = _units("Cargo rose by 3.9% to 27.8 million tonnes.",
                 "Something quite different was written here instead.",
                 "Unchanged text stays out of the report.")
    changes = diff_units(old, new)
    assert [c.status for c in changes] == ["changed", "added", "removed"]
    assert changes[1].new.text.startswith("Something") and changes[2].old.text.startswith("A p")


def _model(blocks, lang="en", **extra):
    return {"meta": {"title": "T", "lang": lang}, "blocks": blocks, "strings": {}, **extra}


def _para(text, line=1):
    return {"kind": "paragraph", "spans": [{"text": text}], "line": line}


def test_the_model_diff_reaches_list_items_table_cells_and_captions():
    table = {"kind": "table", "label": "Table 1", "caption": "Cargo",
             "header": [[[{"text": "Type"}], [{"text": "2025"}]]],
             "rows": [[[{"text": "Dry bulk"}], [{"text": "5.8"}]]]}
    old = _model([{"kind": "heading", "text": "Traffic", "level": 1},
                  {"kind": "list", "items": [[_para("Ten berths")]]}, table,
                  {"kind": "figure", "label": "Figure 1", "caption": "Throughput, 2021–2025"}])
    new = json.loads(json.dumps(old))
    new["blocks"][1]["items"][0][0]["spans"][0]["text"] = "Eleven berths"
    new["blocks"][2]["rows"][0][1][0]["text"] = "6.1"
    new["blocks"][3]["caption"] = "Throughput, 2020–2025"
    changes = text_diff(old, new)
    assert [(c.unit.kind, c.unit.owner) for c in changes] == [
        ("item", ""), ("row", "Table 1"), ("caption", "")]
    assert ("insert", "6.1") in changes[1].ops


def test_numbers_read_from_the_text_are_one_row_each_with_every_place():
    old = _model([{"kind": "heading", "text": "1 Traffic", "level": 1},
                  _para("The port handled 1.55 million TEU.", 19),
                  _para("Throughput of 1.55 million TEU and 3,412 calls.", 56)])
    new = json.loads(json.dumps(old))
    for block in new["blocks"][1:]:
        block["spans"][0]["text"] = block["spans"][0]["text"].replace("1.55", "1.57")
    rows = text_number_changes(text_diff(old, new))
    assert [(r.old, r.new) for r in rows] == [("1.55", "1.57")]
    assert rows[0].where == ["1 Traffic (text.md:19)", "1 Traffic (text.md:56)"]


def test_numbers_from_the_data_are_matched_by_key_and_period():
    def entry(value, place="paragraph 2"):
        return {"text": f"{value} million TEU", "value": value, "unit": "million TEU",
                "source": "data", "key": "teu_total", "period": "2025", "section": "1 Traffic",
                "place": place}

    old = [entry("1.55"), entry("1.55", "key figures"),
           {"source": "typed", "text": "eleven", "value": "11"}]
    new = [entry("1.57"), entry("1.57", "key figures"),
           {"source": "typed", "text": "eleven", "value": "11"}]
    rows = data_number_changes(old, new)
    assert [(r.key, r.period, r.old, r.new) for r in rows] == [
        ("teu_total", "2025", "1.55 million TEU", "1.57 million TEU")]
    assert rows[0].where == ["1 Traffic — paragraph 2", "1 Traffic — key figures"]
    assert data_number_changes(old, old) == []


def test_with_the_models_lists_a_data_number_is_listed_once_by_key_and_a_typed_one_too():
    from paperpress.changes.numbers import number_changes

    def model(teu, berths):
        text = f"The port handled {teu} million TEU at {berths} berths."
        return _model([{"kind": "heading", "text": "Traffic", "level": 1, "anchor": "sec-1"},
                       _para(text, 19)],
                      numbers=[{"text": "2025", "value": "2025", "source": "data",
                                "key": "teu", "period": "2025", "kind": "period",
                                "block": 1, "place": "paragraph", "section": "sec-1"},
                               {"text": teu, "value": teu, "unit": "million TEU",
                                "source": "data", "key": "teu", "period": "2025",
                                "kind": "value", "block": 1, "place": "paragraph",
                                "section": "sec-1"},
                               {"text": berths, "value": berths, "source": "typed",
                                "block": 1, "place": "paragraph", "section": "sec-1"}])

    old, new = model("1.55", "11"), model("1.57", "12")
    rows, listed = number_changes(old, new, text_diff(old, new))
    assert listed
    assert [(r.key, r.period, r.old, r.new, r.where) for r in rows] == [
        ("teu", "2025", "1.55", "1.57", ["Traffic — paragraph (text.md:19)"]),
        ("", "", "11", "12", ["Traffic (text.md:19)"])]


def _chart_model(teu_2024, teu_2025, lang="en"):
    """A paragraph printing teu 2025 and, after it, a chart plotting teu 2024 and 2025."""
    def plotted(period, value):
        return {"key": "teu", "period": period, "value": value, "unit": "million TEU",
                "text": f"{value} million TEU"}

    strings = {"en": {"changes_place_chart": "{label} {caption} — chart"},
               "zh-CN": {"changes_place_chart": "{label}\u3000{caption}（图表）"}}[lang]
    return _model([{"kind": "heading", "text": "Traffic", "level": 1, "anchor": "sec-1"},
                   _para(f"The port handled {teu_2025} million TEU.", 19),
                   {"kind": "figure", "chart": "teu", "label": "Figure 1", "line": 21,
                    "caption": "Container throughput, 2024–2025",
                    "plots": [plotted("2024", teu_2024), plotted("2025", teu_2025)]},
                   _para("The outlook is good.", 23)],
                  lang=lang, strings=strings,
                  numbers=[{"text": teu_2025, "value": teu_2025, "unit": "million TEU",
                            "source": "data", "key": "teu", "period": "2025",
                            "kind": "value", "block": 1, "place": "paragraph",
                            "section": "sec-1"}])


def test_a_chart_is_a_place_of_each_value_it_plots_and_a_value_only_it_shows_is_listed():
    from paperpress.changes.numbers import number_changes

    old, new = _chart_model("1.48", "1.55"), _chart_model("1.49", "1.57")
    rows, _ = number_changes(old, new, text_diff(old, new))
    chart = "Figure 1 Container throughput, 2024–2025 — chart (text.md:21)"
    assert [(r.key, r.period, r.old, r.new, r.where) for r in rows] == [
        ("teu", "2025", "1.55", "1.57", ["Traffic — paragraph (text.md:19)", chart]),
        ("teu", "2024", "1.48 million TEU", "1.49 million TEU", [chart])]
    zh = _chart_model("1.48", "1.57", lang="zh-CN")
    rows, _ = number_changes(_chart_model("1.48", "1.55", lang="zh-CN"), zh, [])
    assert rows[0].where[-1] == ("Figure 1\u3000Container throughput, 2024–2025（图表）"
                                 " (text.md:21)")


def test_a_model_made_before_figures_listed_their_data_shows_no_chart_value_as_added():
    from paperpress.changes.numbers import number_changes

    old, new = _chart_model("1.48", "1.55"), _chart_model("1.48", "1.55")
    del old["blocks"][2]["plots"]
    assert number_changes(old, new, [])[0] == []


def test_a_word_editions_page_count_is_read_from_its_properties(tmp_path):
    import zipfile

    from paperpress.changes.pages import page_count

    app = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'extended-properties"><Application>paperpress</Application>{}</Properties>')
    for name, pages in (("paged.docx", "<Pages>17</Pages>"), ("older.docx", "")):
        with zipfile.ZipFile(tmp_path / name, "w") as package:
            package.writestr("docProps/app.xml", app.format(pages))
    assert page_count(tmp_path / "paged.docx") == 17
    assert page_count(tmp_path / "older.docx") is None  # "not paged", as before


def test_a_changed_region_of_a_page_is_one_box_around_it():
    from PIL import Image, ImageDraw

    old = Image.new("RGB", (200, 300), "white")
    new = old.copy()
    ImageDraw.Draw(new).rectangle((50, 100, 70, 108), fill="black")  # a changed word
    ImageDraw.Draw(new).rectangle((150, 250, 152, 252), fill="black")  # a dot far off
    boxes = changed_boxes(old, new)
    assert len(boxes) == 2
    left, top, right, bottom = boxes[0]
    assert left <= 50 and top <= 100 and right >= 70 and bottom >= 108
    assert right - left < 40 and bottom - top < 30
    assert changed_boxes(old, old.copy()) == []


def test_a_release_date_is_read_from_its_name():
    assert release_date("20261202T172216Z-caebd1e22e") == "2026-12-02 17:22 UTC"


# --- approval, and what a report compares with ----------------------------------------

def _publish(tmp_path, n, out, keep=5, seen=None):
    build = tmp_path / f"build{n}"
    build.mkdir()
    (build / "a.html").write_text(f"<html>{n}</html>", encoding="utf-8")

    def report(baseline, folder):
        if seen is not None:
            seen.append(None if baseline is None else
                        (baseline.release.name, bool(baseline.approved)))
        path = folder / "changes.html"
        path.write_text(f"<html>report {n}</html>", encoding="utf-8")
        return [path]

    publish([build / "a.html"], out, keep=keep, staging=build, report=report)
    return current_release(out).name


def test_the_approved_release_is_compared_with_and_never_pruned(tmp_path):
    out, seen = tmp_path / "output" / "pub", []
    first = _publish(tmp_path, 0, out, keep=1, seen=seen)
    assert seen == [None]  # the first edition compares with nothing
    assert (out / "changes.html").is_file()
    second = _publish(tmp_path, 1, out, keep=1, seen=seen)
    assert seen[-1] == (first, False)  # no approval yet: the previous release
    assert approve(out) == second
    for n in (2, 3):
        _publish(tmp_path, n, out, keep=1, seen=seen)
        assert seen[-1] == (second, True)
    kept = sorted(p.name for p in releases_dir(out).iterdir() if not p.name.startswith("."))
    assert second in kept and len(kept) == 2  # keep: 1, and the approved release


def test_the_same_editions_are_not_published_again_for_a_new_report(tmp_path):
    out = tmp_path / "output" / "pub"
    _publish(tmp_path, 0, out)
    release = current_release(out)
    build = tmp_path / "again"
    build.mkdir()
    (build / "a.html").write_text("<html>0</html>", encoding="utf-8")
    publish([build / "a.html"], out, report=lambda b, f: pytest.fail("reported again"))
    assert current_release(out) == release


# --- a small publication published twice, one number changed ---------------------------

PUB = "harbour-note"
TEXT = """---
title: Harbour Note 2025
issuer: Example Harbour Office
date: March 2026
lang: en
---

# The year

**A busy year.** The harbour handled {{ teu@2025 }} of containers in 2025 and welcomed
{{ calls@2025 }} of ships. Its eleven berths worked around the clock.

{{ key-figures }}

# Containers

**Throughput rose again.** Container throughput reached {{ teu@2025 }}, after
{{ teu@2024 }} the year before {{ see teu }}.

{{ figure teu }}

# Outlook

**More to come.** The Board expects another year of growth in 2026.
"""
DATA = """key,period,value,unit,label,section
teu,2023,1.41,million TEU,Container throughput,Containers
teu,2024,1.48,million TEU,Container throughput,Containers
teu,2025,1.55,million TEU,Container throughput,Containers
calls,2025,3412,calls,Vessel calls,The year
"""
CHART = """caption: Container throughput, 2023–2025
kind: line
unit: million TEU
data: [traffic.csv]
series:
  - value: teu@2023
  - value: teu@2024
  - value: teu@2025
source: "Source: Example Harbour Office"
alt: Line chart of container throughput, rising every year
"""


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """A project holding only a small English publication, published, then published
    again with one data value changed (teu 2025: 1.55 -> 1.57): (project, first report,
    second report)."""
    from conftest import copy_project, snakemake

    root = copy_project(tmp_path_factory.mktemp("changes"))
    shutil.rmtree(root / "sources")
    pub = root / "sources" / PUB
    (pub / "data").mkdir(parents=True)
    (pub / "charts").mkdir()
    (pub / "publication.yaml").write_text(
        "key_figures:\n  - ref: teu@2025\n  - ref: calls@2025\n"
        "layout:\n  chapters_on_new_page: false\n", encoding="utf-8")
    (pub / "text.md").write_text(TEXT, encoding="utf-8")
    (pub / "data" / "traffic.csv").write_text(DATA, encoding="utf-8")
    (pub / "charts" / "teu.yaml").write_text(CHART, encoding="utf-8")
    reports = []
    for step in range(2):
        if step:
            (pub / "data" / "traffic.csv").write_text(
                DATA.replace("2025,1.55,", "2025,1.57,"), encoding="utf-8")
        result = snakemake(root)
        assert result.returncode == 0, result.stderr[-3000:]
        reports.append((root / "output" / PUB / "changes.html").read_text(encoding="utf-8"))
    return root, reports[0], reports[1]


def _section(report: str, heading: str) -> str:
    return report.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]


def _page_texts(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [re.sub(r"\s+", " ", page) for page in text.split("\f")[:-1]]


def test_the_first_publish_says_first_edition_and_counts_the_pages(twice):
    root, first, _ = twice
    assert "First edition" in first
    counts = _section(first, "Page counts")
    pages = len(_page_texts(root / "output" / PUB / "whitepaper.pdf"))
    assert re.search(rf"<td>whitepaper.pdf</td>\s*<td class=\"num\">{pages}</td>", counts)


def test_the_report_lists_exactly_the_changed_number_and_the_pages_it_moved(twice):
    root, _, second = twice
    store = releases_dir(root / "output" / PUB)
    old, new = (store / n for n in (store / ".published").read_text().split())
    assert f"Compared with the previous release, {old.name}" in second
    numbers = _section(second, "Numbers")
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\"><del>(.*?)</del>"
                      r".*?<ins>(.*?)</ins></td>\s*<td>(.*?)</td></tr>", numbers, re.S)
    assert [r[:2] for r in rows] == [("teu", "2025")]  # that number alone, by key and period
    assert rows[0][2].startswith("1.55") and rows[0][3].startswith("1.57")
    # Every place it appears: the two paragraphs (by their lines), the chart that plots
    # it (after the paragraph it follows) and the key figures.
    places = rows[0][4].split("<br>")
    assert len(places) == 4, places
    assert places[3] == ("Figure\u00a01 Container throughput, 2023–2025 — chart"
                         " (text.md:20)"), places
    assert len([p for p in places if "paragraph (text.md:" in p]) == 2
    assert "Figure" in _section(second, "Charts and tables")
    # The pages listed are those whose text changed, found here by pdftotext.
    before, after = (_page_texts(r / "whitepaper.pdf") for r in (old, new))
    moved = [n for n, (a, b) in enumerate(zip(before, after), 1) if a != b]
    assert moved and all("1.57" in after[n - 1] for n in moved)
    listed = re.search(r"<h3>whitepaper.pdf: pages ([\d, ]+) changed</h3>", second)[1]
    assert [int(n) for n in listed.split(", ")] == moved
    assert second.count('<div class="pair">') == len(moved)  # side by side, each
    # Every edition with pages is counted: the PDFs and the Word white paper (by the
    # layout its contents were numbered from).
    counts = dict(re.findall(r"<tr><td>([\w.-]+)</td>\s*<td class=\"num\">(\d+)</td>",
                             _section(second, "Page counts")))
    assert {"whitepaper.pdf", "whitepaper.docx"} <= set(counts), counts
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert {"document.json", "changes.html", "pages.json"} <= {e["file"] for e in
                                                             manifest["files"]}


def test_the_release_with_its_report_stays_current(twice):
    from conftest import snakemake

    root = twice[0]
    result = snakemake(root, "-n")  # the receipt names the release, intact: nothing to do
    assert result.returncode == 0 and "Nothing to be done" in result.stdout + result.stderr


def test_approving_before_anything_is_published_is_one_line(tmp_path, capsys):
    from paperpress.cli import main

    assert main(["approve", "pub", "--output", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"error: {tmp_path / 'pub'}: has no published release"
                                       " to approve: publish first\n")
