"""The text's pictures: each one the text places is found before any job runs, resolved
in the publication's images/ folder and declared as an input of the jobs that read it; a
picture from an address, outside the folder, missing or of a kind no edition carries stops
the build with the text's file and line, and output/ stays as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import PUB, SOURCES, copy_project, snakemake
from paperpress.errors import SourceError
from paperpress.publish import publish
from test_inputs import _move_out, _output_state

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
}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A project whose output/ holds a release (of a stand-in file: nothing here builds)."""
    root = copy_project(tmp_path_factory.mktemp("images"))
    stand_in = root / "stand-in.html"
    stand_in.write_text("<html>the last good edition</html>", encoding="utf-8")
    publish([stand_in], root / "output" / PUB)
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_picture_stops_the_build_with_one_line_and_output_untouched(
        published, tmp_path, case):
    root = tmp_path / "project"
    shutil.copytree(published, root, symlinks=True)
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
    from paperpress.inputs import text_images

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        relative = root.relative_to(tmp_path)
        return [str(p) for p in text_images(relative / "text.md", relative)]
    finally:
        os.chdir(cwd)


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
    for rule in ("document_model", "whitepaper_html"):
        assert set(pictures) <= set(jobs[rule]), rule
    # The brief shows the paper's charts, not its pictures: a new photo does not rerun it.
    assert not set(pictures) & set(jobs["brief_html"])
    for rule in ("whitepaper_docx", "brief_docx"):
        assert {f"figures/{PUB}/images/map.png", pictures[1]} <= set(jobs[rule]), rule
        assert pictures[0] not in jobs[rule]
    assert pictures[0] in jobs["image_png"]
