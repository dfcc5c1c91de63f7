"""Every file a build reads is named, inside the project, present: or the build stops
before anything is read, naming the file and line, and output/ stays as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PUB, SOURCES, copy_project, snakemake
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
PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"

def _move_out(project: Path, relative: str) -> None:
    """Move a folder out of the project and leave a link to it in its place."""
    outside = project.parent / ("outside-" + relative.replace("/", "-"))
    (project / relative).rename(outside)
    (project / relative).symlink_to(outside)


TEXT = f"sources/{PUB}/text.md"
# The line an image appended to the text stands on (after one blank line).
IMAGE_LINE = len((SOURCES / "text.md").read_text(encoding="utf-8").rstrip("\n")
                 .splitlines()) + 2


def _place_image(project: Path, markdown: str, files: dict[str, bytes] | None = None) -> None:
    """Append a paragraph placing an image to the text, and put ``files`` (by their path
    in the publication's folder) in place."""
    root = project / "sources" / PUB
    for name, data in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    text = (root / "text.md").read_text(encoding="utf-8").rstrip("\n") + "\n"
    (root / "text.md").write_text(text + "\n" + markdown + "\n", encoding="utf-8")


def _link_image(project: Path, name: str, target: str) -> None:
    (project / "sources" / PUB / "images").mkdir(exist_ok=True)
    (project / "sources" / PUB / "images" / name).symlink_to(target)
    _place_image(project, f"![A picture](images/{name})")


PNG = bytes.fromhex("89504e470d0a1a0a")  # a name is checked before the picture is read

CASES = {
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
    "image from an address": (lambda p: _place_image(
        p, "![Harbour](https://example.org/harbour.jpg)"),
                              f"{TEXT}:{IMAGE_LINE}: image 'https://example.org/harbour.jpg'"
                              " is a URL: nothing is fetched while building"),
    "image by absolute path": (lambda p: _place_image(p, "![Passwords](/etc/passwd)"),
                               f"{TEXT}:{IMAGE_LINE}: image '/etc/passwd' is outside"
                               f" sources/{PUB}/images/"),
    "image climbing out": (lambda p: _place_image(p, "![Workflow](images/../../../Snakefile)"),
                           f"{TEXT}:{IMAGE_LINE}: image 'images/../../../Snakefile' is outside"
                           f" sources/{PUB}/images/"),
    "image beside the text, not in images/": (lambda p: _place_image(
        p, "![Photo](photo.png)", {"photo.png": PNG}),
                                             f"{TEXT}:{IMAGE_LINE}: image 'photo.png' is not in"
                                             " the publication's images/ folder: put it in"
                                             f" sources/{PUB}/images/ and write"
                                             " images/photo.png"),
    "image missing": (lambda p: _place_image(p, "![Harbour](images/harbour.jpg \"Caption\")"
                                                '{#harbour width="60%"}'),
                      f"{TEXT}:{IMAGE_LINE}: image 'images/harbour.jpg' does not exist (looked"
                      f" for sources/{PUB}/images/harbour.jpg)"),
    "image linked out": (lambda p: _link_image(p, "secret.png", "/etc/passwd"),
                         f"{TEXT}:{IMAGE_LINE}: image 'images/secret.png' leads outside"
                         f" sources/{PUB}/images/ through a symbolic link"),
    "image of a kind no edition carries": (lambda p: _place_image(
        p, "Some text.\n![Animation](images/spin.gif)", {"images/spin.gif": b"GIF89a"}),
                                           f"{TEXT}:{IMAGE_LINE + 1}: image 'images/spin.gif'"
                                           " is a .gif file: an image may be PNG (.png), JPEG"
                                           " (.jpg, .jpeg) or SVG (.svg); save it as one of"
                                           " those"),
    "images folder linked out": (lambda p: (_place_image(p, "![P](images/p.png)",
                                                         {"images/p.png": PNG}),
                                            _move_out(p, f"sources/{PUB}/images")),
                                 f"sources/{PUB}/images: its images folder is a link to"),
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
    for args in ((), ("-n",)):
        result = snakemake(root, *args)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 1, result.stderr[-2000:]
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
    assert str(inputs.pdf["press"].output_profile) == PROFILE


# --- the text's pictures ---------------------------------------------------------------

FRONT = "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n"


def _publication(tmp_path: Path, body: str, files: tuple[str, ...] = ()) -> Path:
    root = tmp_path / "sources" / "pub"
    (root / "images").mkdir(parents=True)
    (root / "publication.yaml").write_text("", encoding="utf-8")
    (root / "text.md").write_text(FRONT + body, encoding="utf-8")
    for name in files:
        (root / name).write_bytes(PNG)
    return root


def _images(tmp_path: Path, root: Path) -> list[str]:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        found = publication_inputs(root.relative_to(tmp_path), project=Path("."))
    finally:
        os.chdir(cwd)
    return [str(p) for p in found.images]


def test_every_picture_the_text_places_is_an_input_once_in_order(tmp_path):
    root = _publication(tmp_path, (
        "# One\n\n![B](images/b.png)\n\n- a list item\n  ![A](images/a.jpg)\n\n"
        "| x | y |\n|---|---|\n| ![C](images/港口.svg) | ![B again](images/b.png) |\n\n"
        "Escaped, not a picture: \\![D](images/d.png)\n"),
        ("images/a.jpg", "images/b.png", "images/港口.svg"))
    assert _images(tmp_path, root) == ["sources/pub/images/b.png", "sources/pub/images/a.jpg",
                                       "sources/pub/images/港口.svg"]


def test_a_text_without_pictures_has_none(tmp_path):
    root = _publication(tmp_path, "# One\n\nNo pictures here, only [a link](https://e.org).\n")
    assert _images(tmp_path, root) == []


@pytest.mark.parametrize("body, line", [
    ("# One\n\n![X](images/x.png)\n", 9),                          # after the front matter
    ("# One\n\nA paragraph\nover lines ![X](images/x.png)\n", 10),  # its own line
    ("# One\n\n| a |\n|---|\n| 1 |\n| ![X](images/x.png) |\n", 12),  # a table's row
    ("# One\n\n> quoted\n>\n> ![X](images/x.png)\n", 11),
    ("# One\n\n![Y](images/y.png) and ![X](images/x.png)\n", 9),
])
def test_a_missing_picture_is_named_with_its_line(tmp_path, body, line):
    root = _publication(tmp_path, body, ("images/y.png",))
    with pytest.raises(SourceError) as caught:
        _images(tmp_path, root)
    assert str(caught.value).startswith(f"sources/pub/text.md:{line}: image 'images/x.png'"
                                        " does not exist")


def test_the_text_is_read_within_the_model_s_bound_before_any_picture(tmp_path):
    root = _publication(tmp_path, "# One\n\n![X](images/x.png)\n\n"
                                  + "A long paragraph. " * 30_000)  # 527 KB
    with pytest.raises(SourceError, match=r"^sources/pub/text.md: is 527 KB, more than the"
                                          r" 512 KB"):
        _images(tmp_path, root)


def _jobs(log: str) -> dict[str, list[str]]:
    """The inputs of each job a dry run lists, by rule name (a rule's jobs together)."""
    import re

    found: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", log):
        m = re.match(r"(?:local)?rule (\w+):", block.strip())
        inputs = re.search(r"\n\s+input: ([^\n]+)", block)
        if m and inputs:
            found.setdefault(m[1], []).extend(inputs[1].split(", "))
    return found


def test_the_pictures_are_inputs_of_the_jobs_that_read_them(tmp_path):
    """The model measures them, the HTML editions embed them and the Word editions embed
    them too, an SVG as the PNG the image_png rule draws of it: a changed picture reruns
    each of them."""
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48">'
           '<rect width="96" height="48" fill="#036"/></svg>')
    _place_image(root, "![A map](images/map.svg)\n\n![A photo](images/photo.png)",
                 {"images/map.svg": svg.encode(), "images/photo.png": PNG})
    result = snakemake(root, "-n")
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = _jobs(result.stdout + result.stderr)
    pictures = [f"sources/{PUB}/images/map.svg", f"sources/{PUB}/images/photo.png"]
    for rule in ("document_model", "whitepaper_html", "brief_html"):
        assert set(pictures) <= set(jobs[rule]), rule
    for rule in ("whitepaper_docx", "brief_docx"):
        assert {f"figures/{PUB}/images/map.png", pictures[1]} <= set(jobs[rule]), rule
        assert pictures[0] not in jobs[rule]
    assert pictures[0] in jobs["image_png"]
