"""Publish a built edition set into output/ as one release, switched in by one rename.

``output/<pub>`` is a symbolic link to ``output/.releases/<pub>/<release>/``, a folder that
holds every edition of one build and its ``manifest.json``. Publishing checks every file,
copies them into a new release folder (manifest last, everything synced), renames that
folder into place, and then points ``output/<pub>`` at it with one rename of a new link
over the old. Whatever fails or is killed when, a reader of ``output/<pub>/`` sees either
the old release whole or the new one whole: never files of two builds side by side, never
a release without its manifest. The last few releases are kept (``releases: keep:``).

Snakemake does not own anything in output/ (it deletes a job's outputs before running it):
the publish step's own output is a receipt in build/<pub>/, naming the release it made.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from .atomic import write_text
from .changes import DERIVED, Baseline
from .errors import SourceError

MANIFEST = "manifest.json"
RELEASES = ".releases"
# In each release store: the releases that output/<pub> has pointed at, oldest first. A
# folder in the store not listed there was never published (a publish killed after making
# it) and goes at the next publish.
PUBLISHED = ".published"
# In each release store: the release approved for sending out (paperpress approve), and
# when. It is never pruned, and change reports compare with it.
APPROVED = ".approved"


def check_edition(path: Path) -> None:
    """Refuse a file that is not a complete edition: empty, cut short or unreadable.

    The PDFs' content was preflighted and the Word files were written by python-docx in this
    build; here each file's container is checked whole (a PDF's header and end-of-file
    marker, every member and CRC of a .docx zip and its main part's XML) without parsing
    them again, which cost 0.3 s at the end of every build."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise SourceError(path, "is missing or empty: not publishing")
    if path.suffix == ".pdf":
        with open(path, "rb") as f:
            head = f.read(8)
            f.seek(max(0, path.stat().st_size - 1024))
            tail = f.read()
        if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
            raise SourceError(path, "is not a complete PDF (no header or end-of-file"
                                    " marker): not publishing")
    elif path.suffix == ".docx":
        _check_docx(path)
    elif path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        if "</html>" not in text:
            raise SourceError(path, "is truncated (no </html>): not publishing")


def _check_docx(path: Path) -> None:
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as package:
            damaged = package.testzip()
            if damaged is not None:
                raise SourceError(path, f"has a damaged part {damaged}: not publishing")
            for part in ("[Content_Types].xml", "word/document.xml"):
                ElementTree.fromstring(package.read(part))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise SourceError(path, f"is not a complete Word file ({exc}): not publishing") from None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def releases_dir(out_dir: Path) -> Path:
    """Where the releases of ``output/<pub>`` live: ``output/.releases/<pub>/``."""
    out_dir = Path(out_dir)
    return out_dir.parent / RELEASES / out_dir.name


def current_release(out_dir: Path) -> Path | None:
    """The release folder ``output/<pub>`` points at, if it is one."""
    out_dir = Path(out_dir)
    if not out_dir.is_symlink():
        return None
    target = out_dir.parent / os.readlink(out_dir)
    return target if target.is_dir() else None


def publish(files: list[Path], out_dir: Path, keep: int = 5,
            receipt: Path | None = None, staging: Path | None = None,
            report=None) -> Path:
    """Check every file, publish them as one new release of ``out_dir`` and return the
    release's manifest. An identical set already published is not published twice.

    The release is put together in ``staging`` (build/<pub>/ in the workflow), so that a
    publish killed half-way leaves nothing in output/; it goes into the store by a rename.
    ``report(baseline, folder)``, when given, writes files derived from ``files`` into
    ``folder`` for a new release (the change report, paperpress/changes/), comparing with
    ``baseline`` (the approved release, else the current one; None at the first), and
    returns their paths: they are published with the rest and listed in the manifest, but a
    set whose other files are already published is not published again for them."""
    files = [Path(f) for f in files]
    for f in files:
        check_edition(f)
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise SourceError(files[0], "two editions share a file name: not publishing")
    out_dir = Path(out_dir)
    store = releases_dir(out_dir)
    store.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out_dir, store, staging)
    entries = [{"file": f.name, "bytes": f.stat().st_size, "sha256": sha256(f)} for f in files]
    manifest_text = json.dumps({"files": entries}, ensure_ascii=False, indent=1) + "\n"
    current = current_release(out_dir)
    if current is not None and _same_release(current, entries):
        release = current  # nothing new to publish: the receipt is all that was missing
        manifest_text = (current / MANIFEST).read_text(encoding="utf-8")
    else:
        if report is not None:
            derived = [Path(f) for f in report(baseline(out_dir), Path(staging or store))]
            files += derived
            entries += [{"file": f.name, "bytes": f.stat().st_size, "sha256": sha256(f)}
                        for f in derived]
            manifest_text = json.dumps({"files": entries}, ensure_ascii=False, indent=1) + "\n"
        release = _make_release(files, store, manifest_text, staging or store)
        _switch(out_dir, release)
        _prune(store, keep)
    if receipt is not None:
        write_text(Path(receipt), json.dumps({
            "release": release.name, "path": str(out_dir),
            "manifest_sha256": hashlib.sha256(manifest_text.encode()).hexdigest()},
            indent=1) + "\n")
    return out_dir / MANIFEST


def _same_release(release: Path, entries: list[dict]) -> bool:
    """Whether ``release`` holds, intact, these files (and what a report derived from
    them: a change report compares with whichever release came before, so it is not what
    makes two releases different)."""
    manifest = release / MANIFEST
    try:
        published = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        own = [e for e in published if e["file"] not in DERIVED]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return own == entries and manifest_is_intact(manifest)


def _make_release(files: list[Path], store: Path, manifest_text: str, staging: Path) -> Path:
    """A complete release folder, named by time and content, renamed into ``store``."""
    digest = hashlib.sha256(manifest_text.encode()).hexdigest()[:10]
    name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{digest}"
    Path(staging).mkdir(parents=True, exist_ok=True)
    partial = Path(staging) / f".partial-{name}-{os.getpid()}"
    partial.mkdir()
    try:
        for f in files:
            shutil.copyfile(f, partial / f.name)
            shutil.copystat(f, partial / f.name)
            _fsync(partial / f.name)
        (partial / MANIFEST).write_text(manifest_text, encoding="utf-8")
        _fsync(partial / MANIFEST)
        _fsync(partial)
        release = store / name
        n = 1
        while release.exists():  # two publishes of other content within one second
            release = store / f"{name}.{n}"
            n += 1
        try:
            os.rename(partial, release)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # output/ on another file system than build/: copy over, then rename there.
            near = store / partial.name
            shutil.copytree(partial, near)
            os.rename(near, release)
            shutil.rmtree(partial, ignore_errors=True)
        _fsync(store)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return release


def _switch(out_dir: Path, release: Path) -> None:
    """Point ``out_dir`` at ``release`` with one rename of a new link over the old one.

    An ``out_dir`` that is still a plain folder (published before releases existed) is
    first moved into the release store as a release of its own, so nothing is lost; in the
    moment between the two renames ``out_dir`` is absent, never mixed."""
    link = out_dir.parent / f".{out_dir.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, out_dir.parent), link)
    try:
        if out_dir.exists() and not out_dir.is_symlink():
            legacy = release.parent / ("earlier-" + time.strftime("%Y%m%dT%H%M%SZ",
                                                                  time.gmtime()))
            os.rename(out_dir, legacy)
            _record_published(release.parent, legacy.name)
        os.replace(link, out_dir)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    _fsync(out_dir.parent)
    _record_published(release.parent, release.name)


def _published(store: Path) -> list[str]:
    """The releases output/<pub> has pointed at, oldest first, that are still there."""
    try:
        names = (store / PUBLISHED).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        # A store made before the record existed: every release in it was published.
        names = [p.name for p in sorted(store.iterdir(), key=lambda p: p.stat().st_mtime)
                 if p.is_dir() and not p.name.startswith(".")] if store.is_dir() else []
    return [n for n in dict.fromkeys(names) if (store / n).is_dir()]


def _record_published(store: Path, name: str) -> None:
    names = [n for n in _published(store) if n != name] + [name]
    write_text(store / PUBLISHED, "\n".join(names) + "\n")


def _prune(store: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` published releases (the current one is newest)
    and the approved one."""
    published = _published(store)
    approved = (approval(store) or {}).get("release")
    kept = [n for n in published if n in published[-keep:] or n == approved]
    for old in published:
        if old not in kept:
            shutil.rmtree(store / old, ignore_errors=True)
    write_text(store / PUBLISHED, "\n".join(kept) + "\n")


def approval(store: Path) -> dict | None:
    """The approved release of a store, {"release": name, "approved": when}, while it is
    one of the store's published releases (a record edited to name anything else is no
    approval)."""
    try:
        record = json.loads((Path(store) / APPROVED).read_text(encoding="utf-8"))
        name = record["release"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if isinstance(name, str) and name in _published(Path(store)) else None


def approve(out_dir: Path) -> str:
    """Mark the release ``output/<pub>`` points at as approved; return its name."""
    out_dir = Path(out_dir)
    current = current_release(out_dir)
    if current is None:
        raise SourceError(out_dir, "has no published release to approve: publish first")
    write_text(releases_dir(out_dir) / APPROVED, json.dumps({
        "release": current.name,
        "approved": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, indent=1) + "\n")
    return current.name


def baseline(out_dir: Path):
    """What a new release's change report compares with: the approved release, else the
    current one; None when nothing was published yet."""
    store = releases_dir(out_dir)
    record = approval(store)
    if record is not None:
        return Baseline(store / record["release"], record.get("approved", ""))
    current = current_release(out_dir)
    return None if current is None else Baseline(current)


def _clear_leftovers(out_dir: Path, store: Path, staging: Path | None) -> None:
    """What a publish that was killed left: half-made releases (in staging, or in the store
    where output/ is on a file system of its own), a release made but never switched to,
    and a link not yet renamed into place."""
    for folder in {store, *([Path(staging)] if staging is not None else [])}:
        for leftover in Path(folder).glob(".partial-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    current = current_release(out_dir)
    if current is not None and current.name not in _published(store):
        _record_published(store, current.name)  # switched to, then killed before recorded
    keep = set(_published(store))
    for folder in store.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    for link in out_dir.parent.glob(f".{out_dir.name}.link-*"):
        link.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def manifest_is_intact(manifest: Path) -> bool:
    """True when every file the manifest lists is present with its recorded content."""
    try:
        entries = json.loads(Path(manifest).read_text(encoding="utf-8"))["files"]
        for entry in entries:
            f = Path(manifest).parent / entry["file"]
            if not f.exists() or f.stat().st_size != entry["bytes"]:
                return False
            if sha256(f) != entry["sha256"]:  # same size, other content: edited by hand
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def receipt_is_current(receipt: Path, out_dir: Path) -> bool:
    """Whether ``output/<pub>`` still is, intact, the release the receipt names: if not (a
    file edited or deleted by hand, an older release restored), the publish step must run
    again."""
    try:
        named = json.loads(Path(receipt).read_text(encoding="utf-8"))["release"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    current = current_release(out_dir)
    return (current is not None and current.name == named
            and manifest_is_intact(current / MANIFEST))
