"""Where a Word edition's headings fall, and how many pages it has, read from the edition
laid out by LibreOffice.

A Word file does not hold its pages: Word, WPS and LibreOffice each lay it out on opening.
A table of contents is a field whose last result is stored in the file and shown as it is
until the reader updates fields, so a contents written without page numbers shows none in
Word and WPS. The numbers written here come from one real layout of the finished file:
LibreOffice (headless) turns it into a PDF whose named destinations are the file's
bookmarks, each on the page where its heading stands. Word lays the file out by itself
and may place a heading a page away (other fonts, other line breaking); updating the
field (F9) then corrects the numbers, which stay fields.

LibreOffice is a build dependency of the Word editions with a contents (the Makefile's
DEB_PACKAGES); without it the build stops with one line saying what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError

# A white paper lays out in about 3 s (measured, LibreOffice 7.4, 19 pages): far below this.
TIMEOUT_SECONDS = 180
PROGRAMS = ("soffice", "libreoffice")
INSTALL = ("the Word edition's contents takes its page numbers from a layout by"
           " LibreOffice, which is not installed: install the Debian package"
           " libreoffice-writer (make publish does)")
# The PDF export writes each bookmark of the file as a named destination of that name.
EXPORT = ('pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":'
          '{"type":"boolean","value":"true"}}')


def office_program() -> str | None:
    return next((p for p in map(shutil.which, PROGRAMS) if p), None)


@dataclass
class Layout:
    bookmarks: dict[str, int]  # bookmark -> the page it stands on, the first page 1
    pages: int                 # how many pages the edition has


def bookmark_pages(docx: Path, names: list[str]) -> Layout:
    """The page each bookmark of ``names`` stands on when LibreOffice lays out ``docx``,
    counted from the first page as 1 (a bookmark it did not place is left out), and the
    number of pages."""
    program = office_program()
    if program is None:
        raise SourceError("libreoffice", INSTALL)
    import pypdf

    with tempfile.TemporaryDirectory(prefix="paperpress-lo-") as tmp, \
            _profile(Path(tmp), Path(docx).resolve().parent) as profile:
        tmp_path = Path(tmp)
        command = [program, "--headless", "--norestore", "--nologo",
                   f"-env:UserInstallation={profile.as_uri()}", "--convert-to", EXPORT,
                   "--outdir", str(tmp_path), str(Path(docx).resolve())]
        try:
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS, check=False,
                           cwd=tmp)
        except subprocess.TimeoutExpired:
            raise SourceError(docx, f"LibreOffice did not lay out the Word edition in"
                                    f" {TIMEOUT_SECONDS} s, so its contents has no page"
                                    " numbers") from None
        pdf = tmp_path / (Path(docx).stem + ".pdf")
        if not pdf.is_file():
            raise SourceError(docx, "LibreOffice could not lay out the Word edition (no PDF"
                                    " came out), so its contents has no page numbers")
        reader = pypdf.PdfReader(pdf)
        wanted = {_destination_name(n): n for n in names} | {n: n for n in names}
        pages = {}
        for key, destination in reader.named_destinations.items():
            name = wanted.get(str(key).lstrip("/"))
            if name is not None and name not in pages:
                pages[name] = reader.get_destination_page_number(destination) + 1
        return Layout(pages, len(reader.pages))


@contextlib.contextmanager
def _profile(tmp: Path, beside: Path):
    """The LibreOffice profile to lay out with: the one kept beside the edition in the
    build folder (LibreOffice makes one in about 0.8 s on its first start, measured; kept
    inside the project, as everything a build reads), held under a lock since two
    LibreOffice processes cannot share one; while another build holds it, or if it cannot
    be used, a new one in ``tmp``. No reader's settings have a say."""
    import fcntl

    try:
        cache = beside / ".libreoffice"
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        if cache.stat().st_uid != os.getuid():
            raise OSError("not this user's folder")
        fd = os.open(cache / "libreoffice-profile.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        yield tmp / "profile"
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield tmp / "profile"
            return
        profile = cache / "libreoffice-profile"
        # Left by a LibreOffice that was stopped (the timeout): none runs on it now.
        (profile / ".lock").unlink(missing_ok=True)
        yield profile
    finally:
        os.close(fd)


def _destination_name(bookmark: str) -> str:
    """LibreOffice writes a bookmark's name with each character but letters and digits as
    its code in hex (_Ref_sec_1 -> 5FRef5Fsec5F1)."""
    return "".join(c if c.isascii() and c.isalnum() else f"{ord(c):02X}" for c in bookmark)
