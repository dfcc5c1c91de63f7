"""Every file a build reads is named, inside the project, present: or the build stops
before anything is read, naming the file and line, and output/ stays as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PUB, copy_project, snakemake
from paperpress.errors import SourceError
from paperpress.inputs import publication_inputs, resolve_named_file
from paperpress.publish import publish


def _resolve(tmp_path, name):
    inside = tmp_path / "pub"
    (inside / "data").mkdir(parents=True, exist_ok=True)
    (inside / "data" / "a.csv").write_text("key\n", encoding="utf-8")
    return resolve_named_file(name, base=inside / "data", inside=(inside / "data",),
                              named_in=inside / "charts" / "c.yaml", line=4,
                              what="data file")


def test_a_file_inside_is_resolved(tmp_path):
    assert _resolve(tmp_path, "a.csv") == tmp_path / "pub" / "data" / "a.csv"


@pytest.mark.parametrize("name, says", [
    ("b.csv", "does not exist"),
    ("/etc/passwd", "is outside"),
    ("../../../../../../etc/passwd", "is outside"),
    ("../c.csv", "is outside"),
    ("https://example.org/a.csv", "is a URL"),
    ("file:///etc/passwd", "is a URL"),
    (".", "is not a file"),
])
def test_a_name_that_leaves_the_folder_or_names_nothing_is_refused(tmp_path, name, says):
    with pytest.raises(SourceError) as caught:
        _resolve(tmp_path, name)
    assert str(caught.value).startswith(f"{tmp_path}/pub/charts/c.yaml:4: data file '{name}' ")
    assert says in str(caught.value)


def test_a_link_that_leads_out_is_refused(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("key\n", encoding="utf-8")
    (tmp_path / "pub" / "data").mkdir(parents=True)
    (tmp_path / "pub" / "data" / "l.csv").symlink_to(outside)
    with pytest.raises(SourceError, match="through a symbolic link"):
        _resolve(tmp_path, "l.csv")


# --- whole builds: the workflow reads these before any job runs -------------------------

def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _link(project: Path, relative: str, target: str) -> None:
    path = project / relative
    path.unlink(missing_ok=True)
    path.symlink_to(target)


CONFIG = f"sources/{PUB}/publication.yaml"
SPEC = f"sources/{PUB}/charts/trade-scale.yaml"
TEXT = f"sources/{PUB}/text.md"
PROFILE = "CoatedFOGRA39.icc"  # bundled: templates/icc/

def _move_out(project: Path, relative: str) -> None:
    """Move a folder out of the project and leave a link to it in its place."""
    outside = project.parent / ("outside-" + relative.replace("/", "-"))
    (project / relative).rename(outside)
    (project / relative).symlink_to(outside)


TABLE = ("caption: 贸易规模\nsource: 资料来源：海关\ndata: [trade.csv]\nrows: [bri_trade]\n"
         'columns: ["2013", "2022"]\n')


def _add_table(project: Path, text: str, name: str = "trade-table.yaml") -> Path:
    path = project / f"sources/{PUB}/tables/{name}"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _append(project: Path, relative: str, text: str) -> None:
    with (project / relative).open("a", encoding="utf-8") as f:
        f.write(text)


def _line_of(relative: str, text: str) -> int:
    """The line of the bundled file ``relative`` that holds ``text`` (1-based)."""
    from conftest import REPO

    lines = (REPO / relative).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


WHITEPAPER_CSS = "templates/html/whitepaper.css"
PRESS_CSS = "templates/html/press.css"
_PRESS_END = len((Path(__file__).resolve().parent.parent / PRESS_CSS)
                 .read_text(encoding="utf-8").splitlines())

CASES = {
    "pagination setting out of range": (
        lambda p: _edit(p, WHITEPAPER_CSS, "--float-shrink: 15%", "--float-shrink: 150%"),
        f"{WHITEPAPER_CSS}:{_line_of(WHITEPAPER_CSS, '--float-shrink: 15%')}: --float-shrink:"
        " 150% — a share of the picture's height from 0% to 40%"),
    "pagination setting misspelt": (
        lambda p: _edit(p, WHITEPAPER_CSS, "--tail-page: 25%", "--tail-pgae: 25%"),
        f"{WHITEPAPER_CSS}:{_line_of(WHITEPAPER_CSS, '--tail-page: 25%')}: --tail-pgae: 25%"
        " — no such setting: did you mean --tail-page?"),
    "pagination setting in a press stylesheet, no percentage": (
        lambda p: _append(p, PRESS_CSS, "\nmain > figure { --float-gap: 15; }\n"),
        f"{PRESS_CSS}:{_PRESS_END + 2}: --float-gap: 15 — a share of the page's height"
        " from 0% to 100%"),
    "stylesheet typo": (lambda p: _edit(p, CONFIG, "stylesheet: press.css",
                                        "stylesheet: pres.css"),
                        f"{CONFIG}:35: pdf: press: stylesheet 'pres.css' does not exist"),
    "renamed template stylesheet": (lambda p: (p / "templates/html/brief.css").rename(
        p / "templates/html/brief-old.css"), "templates/html/brief.css: template 'brief.css'"
                                            " does not exist"),
    "missing output profile": (lambda p: _edit(p, CONFIG, PROFILE, PROFILE + "x"),
                               f"{CONFIG}:36: pdf: press: output_profile '{PROFILE}x' does"
                               " not exist"),
    "output profile outside": (lambda p: _edit(p, CONFIG, PROFILE, "/etc/passwd"),
                               f"{CONFIG}:36: pdf: press: output_profile '/etc/passwd' is"
                               " outside"),
    "output profile not ICC": (lambda p: _edit(p, CONFIG, PROFILE, "text.md"),
                               f"{CONFIG}:36: output profile sources/{PUB}/text.md is not"
                               " an ICC profile"),
    "stylesheet climbing out": (lambda p: _edit(p, CONFIG, "stylesheet: press.css",
                                                "stylesheet: ../../../../etc/passwd"),
                                f"{CONFIG}:35: pdf: press: stylesheet"
                                " '../../../../etc/passwd' is outside"),
    "chart data absolute": (lambda p: _edit(p, SPEC, "data: [trade.csv]",
                                            "data: [/etc/passwd]"),
                            f"{SPEC}:4: data file '/etc/passwd' is outside"),
    "chart data climbing out": (lambda p: _edit(p, SPEC, "data: [trade.csv]",
                                                "data: [../../../Snakefile]"),
                                f"{SPEC}:4: data file '../../../Snakefile' is outside"),
    "chart data missing": (lambda p: _edit(p, SPEC, "data: [trade.csv]",
                                           "data: [trade.cvs]"),
                           f"{SPEC}:4: data file 'trade.cvs' does not exist"),
    "data file linked out": (lambda p: _link(p, f"sources/{PUB}/data/extra.csv",
                                             "/etc/passwd"),
                             f"sources/{PUB}/data/extra.csv: data file 'extra.csv' leads"
                             " outside"),
    "template linked out": (lambda p: _link(p, "templates/html/whitepaper.css", "/etc/hostname"),
                            "templates/html/whitepaper.css: template 'whitepaper.css' leads"
                            " outside"),
    "stylesheet linked out": (lambda p: (_link(p, "templates/html/evil.css", "/etc/passwd"),
                                         _edit(p, CONFIG, "stylesheet: press.css",
                                               "stylesheet: evil.css")),
                              f"{CONFIG}:35: pdf: press: stylesheet 'evil.css' leads outside"),
    "chart spec named unlike an id": (lambda p: (p / SPEC).rename(
        p / f"sources/{PUB}/charts/贸易规模.yaml"),
                                      f"sources/{PUB}/charts/贸易规模.yaml: a chart spec's file"
                                      " name is the chart's id"),
    "publication folder linked out": (lambda p: _move_out(p, f"sources/{PUB}"),
                                      f"sources/{PUB}: the publication's folder is a link to"),
    "data folder linked out": (lambda p: _move_out(p, f"sources/{PUB}/data"),
                               f"sources/{PUB}/data: its data folder is a link to"),
    "templates folder linked out": (lambda p: _move_out(p, "templates"),
                                    "templates: the templates folder is a link to"),
    "html templates linked out": (lambda p: _move_out(p, "templates/html"),
                                  "templates/html: the templates folder is a link to"),
    "data file with braces in its name": (lambda p: (p / f"sources/{PUB}/data/x{{pub}}.csv")
                                          .write_text("key,period,value,unit,label,section\n"
                                                      "zz,2023,5,个,新增,一\n"),
                                          f"sources/{PUB}/data/x{{pub}}.csv: data file"
                                          " 'x{pub}.csv' has '{' or '}' in its name"),
    "alias bomb": (lambda p: (p / SPEC).write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n'
        'c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n', encoding="utf-8"),
                   f"{SPEC}:2: is not valid YAML: aliases (*name) are not allowed"),
    "brief chart without spec": (lambda p: _edit(p, CONFIG, "charts: [trade-scale,",
                                                 "charts: [trade-scales,"),
                                 f"{CONFIG}:22: brief chart 'trade-scales' has no chart spec"),
    "text language without a locale file": (
        lambda p: _edit(p, TEXT, "lang: zh-CN", "lang: fr"),
        f"{TEXT}:7: lang 'fr': there is no locale file templates/locales/fr.yaml: copy"
        " templates/locales/en.yaml to templates/locales/fr.yaml"),
    "text without a language": (lambda p: _edit(p, TEXT, "lang: zh-CN\n", ""),
                                f"{TEXT}:1: front matter lacks 'lang'"),
    "locale file linked out": (lambda p: _link(p, "templates/locales/zh-CN.yaml", "/etc/hostname"),
                               "templates/locales/zh-CN.yaml: locale file 'zh-CN.yaml' leads"
                               " outside"),
    "table data missing": (lambda p: _add_table(p, TABLE.replace("[trade.csv]", "[trade.cvs]")),
                           f"sources/{PUB}/tables/trade-table.yaml:3: data file 'trade.cvs'"
                           " does not exist"),
    "unknown pdf variant": (lambda p: _edit(p, CONFIG, "variant: pdf/x-4",
                                            "variant: pdf/z-9"),
                            f"{CONFIG}:34: 'pdf: press: variant' is 'pdf/z-9', which is not"
                            " a PDF variant"),
}


@pytest.fixture(scope="module")
def published_project(tmp_path_factory):
    """A project whose output/ holds a release (of stand-in files: nothing here builds)."""
    root = copy_project(tmp_path_factory.mktemp("inputs"))
    stand_in = root / "stand-in.html"
    stand_in.write_text("<html>the last good edition</html>", encoding="utf-8")
    publish([stand_in], root / "output" / PUB)
    return root


def _output_state(root: Path) -> dict[str, bytes | str]:
    state = {}
    for path in sorted((root / "output").rglob("*")):
        key = str(path.relative_to(root))
        state[key] = os.readlink(path) if path.is_symlink() else (
            path.read_bytes() if path.is_file() else "dir")
    return state


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_file_reference_stops_the_build_with_one_line_and_output_untouched(
        published_project, tmp_path, case):
    import shutil

    root = tmp_path / "project"
    shutil.copytree(published_project, root, symlinks=True)
    change, expected = CASES[case]
    change(root)
    before = _output_state(root)
    # The publication at fault alone (the others still build: see test_editor_loop).
    for args in ((PUB,), ("-n", PUB)):
        result = snakemake(root, *args)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        # A dry run runs no step: the fault of one publication's sources (its step
        # sources_fault) is said, not met; a template's stops the workflow as it is read.
        dry_ok = "-n" in args and expected.startswith("sources/")
        assert result.returncode == (0 if dry_ok else 1), result.stderr[-2000:]
        assert errors == [errors[0]] and errors[0].startswith(f"error: {expected}"), \
            result.stderr[-2000:]
        assert "Traceback" not in result.stderr
        assert _output_state(root) == before


def test_the_bundled_publication_reads_only_files_inside_the_project():
    from conftest import REPO

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        inputs = publication_inputs(Path("sources") / PUB)
    finally:
        os.chdir(cwd)
    named = [inputs.config, inputs.text, *inputs.data, *inputs.charts.values(),
             *(p for paths in inputs.chart_data.values() for p in paths)]
    assert all(str(p).startswith(f"sources/{PUB}/") for p in named)
    assert [str(p) for p in inputs.pdf["press"].stylesheets] == ["templates/html/press.css"]
    assert str(inputs.pdf["press"].output_profile) == f"templates/icc/{PROFILE}"
    assert inputs.locale == Path("templates/locales/zh-CN.yaml")


def test_each_chart_is_drawn_with_the_locale_file_of_its_texts_language(tmp_path):
    # Declared as the chart job's input (and so passed on its command line): editing the
    # locale, or the text's lang, redraws the charts.
    root = copy_project(tmp_path)
    text = root / TEXT
    text.write_text(text.read_text(encoding="utf-8").replace("lang: zh-CN", "lang: en"),
                    encoding="utf-8")
    result = snakemake(root, "-n", "-p", f"figures/{PUB}/trade-scale.svg")
    assert result.returncode == 0, result.stderr[-2000:]
    commands = [line for line in result.stdout.splitlines() if " chart " in line]
    assert len(commands) == 1 and " templates/locales/en.yaml " in commands[0]


def _inputs_of(project: Path):
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return publication_inputs(Path("sources") / PUB)
    finally:
        os.chdir(cwd)


def test_a_publications_table_specs_and_the_data_they_name_are_its_inputs(tmp_path):
    root = copy_project(tmp_path)
    _add_table(root, TABLE)
    inputs = _inputs_of(root)
    assert inputs.tables == {"trade-table": Path(f"sources/{PUB}/tables/trade-table.yaml")}
    assert inputs.table_data == {"trade-table": [Path(f"sources/{PUB}/data/trade.csv")]}


@pytest.mark.parametrize("name, text, message", [
    ("贸易表.yaml", TABLE, "贸易表.yaml: a table spec's file name is the table's id"),
    ("trade-table.yaml", TABLE.replace("rows:", "rowz:"),
     "trade-table.yaml:4: 'rowz' is not a table setting"),
    ("trade-table.yaml", TABLE.replace("[trade.csv]", "[/etc/passwd]"),
     "trade-table.yaml:3: data file '/etc/passwd' is outside"),
])
def test_a_fault_in_a_table_spec_stops_the_inputs_naming_it(tmp_path, name, text, message):
    root = copy_project(tmp_path)
    _add_table(root, text, name)
    with pytest.raises(SourceError) as err:
        _inputs_of(root)
    assert str(err.value).startswith(f"sources/{PUB}/tables/{message}")
