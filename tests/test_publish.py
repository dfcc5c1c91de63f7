"""Publishing: one release at a time, switched in whole, earlier ones kept."""

import json
import os
import shutil

import pytest

from paperpress import publish as publishing
from paperpress.errors import SourceError
from paperpress.publish import (current_release, manifest_is_intact, publish,
                                receipt_is_current, releases_dir)


def _editions(folder, **texts):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        path = folder / name.replace("_", ".")
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _releases(out):
    return sorted(p.name for p in releases_dir(out).iterdir() if not p.name.startswith("."))


def _listing(out):
    """What a reader of output/<pub>/ sees: every file and its content."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_release_is_a_folder_of_its_own_that_output_points_at(tmp_path):
    files = _editions(tmp_path / "build", a_html="<html>3518.1</html>", b_html="<html>b</html>")
    out = tmp_path / "output" / "pub"
    manifest = publish(files, out, receipt=tmp_path / "receipt.json")
    assert out.is_symlink() and current_release(out).parent == releases_dir(out)
    assert sorted(_listing(out)) == ["a.html", "b.html", "manifest.json"]
    entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    assert [e["file"] for e in entries] == ["a.html", "b.html"]
    assert manifest_is_intact(manifest)
    assert receipt_is_current(tmp_path / "receipt.json", out)


def test_a_new_release_replaces_the_old_one_whole_and_the_last_n_are_kept(tmp_path):
    out = tmp_path / "output" / "pub"
    releases = []
    for n in range(4):
        files = _editions(tmp_path / f"build{n}", a_html=f"<html>{n}</html>",
                          b_html=f"<html>b{n}</html>")
        publish(files, out, keep=2)
        releases.append(current_release(out))
        assert _listing(out)["a.html"] == f"<html>{n}</html>".encode()
        assert _listing(out)["b.html"] == f"<html>b{n}</html>".encode()
    assert _releases(out) == sorted(r.name for r in releases[-2:])


def test_the_same_editions_published_again_make_no_new_release(tmp_path):
    files = _editions(tmp_path / "build", a_html="<html>a</html>")
    out = tmp_path / "output" / "pub"
    publish(files, out)
    first = current_release(out)
    publish(files, out, receipt=tmp_path / "receipt.json")
    assert current_release(out) == first
    assert _releases(out) == [first.name]
    assert receipt_is_current(tmp_path / "receipt.json", out)


def test_a_publish_that_fails_half_way_leaves_the_release_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "output" / "pub"
    publish(_editions(tmp_path / "old", a_html="<html>old a</html>",
                      b_html="<html>old b</html>"), out)
    before = _listing(out)
    copies, copy = [], shutil.copyfile

    def copy_then_fail(src, dst, **kwargs):  # the disk fills up at the second file
        copies.append(src)
        if len(copies) == 2:
            raise OSError(28, "No space left on device", str(dst))
        return copy(src, dst)

    monkeypatch.setattr(publishing.shutil, "copyfile", copy_then_fail)
    new = _editions(tmp_path / "new", a_html="<html>new a</html>", b_html="<html>new b</html>")
    with pytest.raises(OSError):
        publish(new, out)
    assert _listing(out) == before
    assert _releases(out) == [current_release(out).name]


def test_what_a_killed_publish_left_is_cleared_by_the_next(tmp_path):
    out = tmp_path / "output" / "pub"
    publish(_editions(tmp_path / "old", a_html="<html>old</html>"), out)
    partial = releases_dir(out) / ".partial-20260101T000000Z-x-1"
    partial.mkdir()
    (partial / "a.html").write_text("<html>half", encoding="utf-8")
    os.symlink("nowhere", out.parent / ".pub.link-1")
    assert _listing(out)["a.html"] == b"<html>old</html>"  # readers never see the partial
    publish(_editions(tmp_path / "new", a_html="<html>new</html>"), out)
    assert not partial.exists() and not (out.parent / ".pub.link-1").is_symlink()
    assert _listing(out)["a.html"] == b"<html>new</html>"


def _publish_killed_at(call: str, files, out, staging) -> int:
    """Publish in a child process that is killed outright (SIGKILL: no handler runs) the
    first time publish makes the call named; return the child's exit signal."""
    import multiprocessing
    import signal

    def child():
        def kill(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        setattr(publishing if hasattr(publishing, call) else publishing.os, call, kill)
        publish(files, out, staging=staging)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join()
    return -process.exitcode


@pytest.mark.parametrize("call", ["_fsync", "symlink", "replace"])
def test_a_publish_killed_at_any_point_leaves_output_as_it_was(tmp_path, call):
    import signal

    out, staging = tmp_path / "output" / "pub", tmp_path / "build" / "pub"
    publish(_editions(tmp_path / "old", a_html="<html>old</html>"), out, staging=staging)
    before = {p: p.read_bytes() for p in sorted((tmp_path / "output").rglob("*"))
              if p.is_file()}
    new = _editions(tmp_path / "new", a_html="<html>new</html>")
    assert _publish_killed_at(call, new, out, staging) == signal.SIGKILL
    if call == "_fsync":  # killed while copying: nothing of it in output/
        assert {p: p.read_bytes() for p in sorted((tmp_path / "output").rglob("*"))
                if p.is_file()} == before
    assert _listing(out)["a.html"] == b"<html>old</html>"  # the old release, whole
    publish(new, out, staging=staging)  # the next publish recovers
    assert _listing(out)["a.html"] == b"<html>new</html>"
    assert len(_releases(out)) == 2 and not list(staging.glob(".partial-*"))


def test_a_release_made_but_never_switched_to_goes_and_keep_counts_published_ones(tmp_path):
    out = tmp_path / "output" / "pub"
    publish(_editions(tmp_path / "r1", a_html="<html>1</html>"), out, keep=2)
    first = current_release(out)
    # A publish killed after its release was renamed into the store, before the switch:
    orphan = releases_dir(out) / "20990101T000000Z-0123456789"
    orphan.mkdir()
    (orphan / "a.html").write_text("<html>orphan</html>", encoding="utf-8")
    publish(_editions(tmp_path / "r2", a_html="<html>2</html>"), out, keep=2)
    assert not orphan.exists()
    assert _releases(out) == sorted([first.name, current_release(out).name])


def test_releases_in_a_store_made_before_the_record_of_published_ones_are_kept(tmp_path):
    out = tmp_path / "output" / "pub"
    for n in range(3):
        publish(_editions(tmp_path / f"r{n}", a_html=f"<html>{n}</html>"), out)
    (releases_dir(out) / publishing.PUBLISHED).unlink()  # as an earlier version left it
    publish(_editions(tmp_path / "r3", a_html="<html>3</html>"), out)
    assert len(_releases(out)) == 4


def test_editions_published_before_releases_existed_are_kept_as_a_release(tmp_path):
    out = tmp_path / "output" / "pub"
    out.mkdir(parents=True)
    (out / "a.html").write_text("<html>legacy</html>", encoding="utf-8")
    publish(_editions(tmp_path / "new", a_html="<html>new</html>"), out)
    assert out.is_symlink()
    legacy = [p for p in releases_dir(out).iterdir() if p.name.startswith("earlier-")]
    assert [(p / "a.html").read_text(encoding="utf-8") for p in legacy] == ["<html>legacy</html>"]


def test_a_published_file_edited_by_hand_makes_the_receipt_stale(tmp_path):
    files = _editions(tmp_path / "build", a_html="<html>3518.1</html>")
    out = tmp_path / "out"
    manifest = publish(files, out, receipt=tmp_path / "receipt.json")
    assert manifest_is_intact(manifest)
    (out / "a.html").write_text("<html>3519.2</html>", encoding="utf-8")
    assert not manifest_is_intact(manifest)  # same size, other content
    assert not receipt_is_current(tmp_path / "receipt.json", out)


def test_a_damaged_manifest_is_stale_not_a_crash(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"files": None}), encoding="utf-8")
    assert not manifest_is_intact(manifest)


def _cut_short(src, dest, keep):
    data = src.read_bytes()
    dest.write_bytes(data[:keep] if keep > 0 else data[:len(data) + keep])
    return dest


@pytest.mark.parametrize("name, content", [
    ("a.pdf", b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n"),
    ("a.html", "<html><body>湖南</body></html>".encode()),
])
def test_a_file_cut_short_is_not_published(tmp_path, name, content):
    whole = tmp_path / "whole" / name
    whole.parent.mkdir()
    whole.write_bytes(content)
    publish([whole], tmp_path / "out")  # the whole file passes
    short = _cut_short(whole, tmp_path / name, -10)
    with pytest.raises(SourceError, match=f"{name}: is .*not publishing"):
        publish([short], tmp_path / "out2")
    assert not (tmp_path / "out2").exists()


def test_a_damaged_word_file_is_not_published(tmp_path):
    import docx

    whole = tmp_path / "whole.docx"
    docx.Document().save(str(whole))
    publish([whole], tmp_path / "out")
    short = _cut_short(whole, tmp_path / "short.docx", -200)
    with pytest.raises(SourceError, match=r"short.docx: is not a complete Word file"):
        publish([short], tmp_path / "out2")
    flipped = bytearray(whole.read_bytes())
    flipped[len(flipped) // 3] ^= 0xFF  # one byte inside a compressed part
    (tmp_path / "flipped.docx").write_bytes(bytes(flipped))
    with pytest.raises(SourceError, match=r"flipped.docx: "):
        publish([tmp_path / "flipped.docx"], tmp_path / "out3")


def test_a_dry_run_or_lint_changes_nothing_in_output_even_after_a_hand_edit(tmp_path):
    """The workflow used to delete a touched release's manifest while reading itself, so
    that even `snakemake -n` left output/ without one."""
    from conftest import PUB, copy_project, snakemake

    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    out = root / "output" / PUB
    stand_in = _editions(root / "build" / PUB, whitepaper_html="<html>last good</html>")
    publish(stand_in, out, receipt=root / "build" / PUB / "release.json")
    (out / "whitepaper.html").write_text("<html>edited by hand</html>", encoding="utf-8")
    before = {p: p.read_bytes() for p in sorted(root.joinpath("output").rglob("*"))
              if p.is_file()}
    for args in (("-n",), ("--lint",)):
        snakemake(root, *args)
        after = {p: p.read_bytes() for p in sorted(root.joinpath("output").rglob("*"))
                 if p.is_file()}
        assert after == before, args
    assert (out / "manifest.json").exists()


def test_a_full_disk_is_one_line_naming_the_file_not_a_traceback(tmp_path, monkeypatch, capsys):
    from paperpress.cli import main

    files = _editions(tmp_path / "build", a_html="<html>a</html>")

    def disk_full(src, dst, **kwargs):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(publishing.shutil, "copyfile", disk_full)
    assert main(["publish", str(tmp_path / "output" / "pub"), *map(str, files)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") \
        and lines[0].endswith("a.html: No space left on device")
    assert not (tmp_path / "output" / "pub").exists()
