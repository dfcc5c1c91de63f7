"""Publish a built edition set into output/: only complete, checked files, swapped in whole.

The workflow builds into build/<pub>/; this step checks every file, copies them beside
their final place and renames each into output/<pub>/, then writes manifest.json last.
A failed or interrupted build therefore never touches what output/ holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .atomic import write_text
from .errors import SourceError

MANIFEST = "manifest.json"


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


def publish(files: list[Path], out_dir: Path) -> Path:
    """Check every file, then move copies into ``out_dir`` and write its manifest."""
    files = [Path(f) for f in files]
    for f in files:
        check_edition(f)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for leftover in out_dir.glob(".staging-*"):  # from a publish that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        entries = []
        for f in files:
            staged = staging / f.name
            shutil.copy2(f, staged)
            with open(staged, "rb") as fh:
                os.fsync(fh.fileno())
            entries.append({"file": f.name, "bytes": staged.stat().st_size,
                            "sha256": sha256(staged)})
        for f in files:
            os.replace(staging / f.name, out_dir / f.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = out_dir / MANIFEST
    write_text(manifest, json.dumps({"files": entries}, ensure_ascii=False, indent=1) + "\n")
    return manifest


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
