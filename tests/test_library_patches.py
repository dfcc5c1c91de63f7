"""The pipeline patches a few library internals for speed or for Chinese typesetting. Each
patch was written against what the installed version does; these tests check that it
still does, so that an upgrade that changes what a patch replaces or copies fails here,
naming the patch, instead of quietly undoing it or breaking a build.

A digest pins a function that a patch replaces or copies whole: when it fails, compare the
patch with the function's new source (printed), then put the new digest here.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import inspect
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "src"))

COMMON_SMK = REPO / "workflow" / "rules" / "common.smk"


def definition(module, qualname: str) -> ast.FunctionDef:
    """The definition of ``qualname`` in the installed module's file, where a patch made
    in this process cannot hide it."""
    node = ast.parse(inspect.getsource(module))
    for name in qualname.split("."):
        node = next((n for n in node.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                     and n.name == name), None)
        assert node is not None, f"{module.__name__} has no {qualname}"
    return node


def parameters(module, qualname: str) -> list[str]:
    return [a.arg for a in definition(module, qualname).args.args]


def source(module, qualname: str) -> str:
    segment = ast.get_source_segment(inspect.getsource(module), definition(module, qualname),
                                     padded=True)
    return textwrap.dedent(segment)


def assert_unchanged(patch: str, module, qualname: str, distribution: str, digest: str):
    text = source(module, qualname)
    found = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert found == digest, (
        f"{module.__name__}.{qualname} of the installed {distribution}"
        f" {importlib.metadata.version(distribution)} is not the one the patch {patch} was"
        f" written against: check the patch against its source below, then set its digest"
        f" in this test to {found}.\n{text}")


def package_files_mentioning(package, name: str) -> set[str]:
    root = Path(package.__file__).parent
    return {str(p.relative_to(root)) for p in root.rglob("*.py")
            if name in p.read_text(encoding="utf-8")}


# workflow/rules/common.smk ---------------------------------------------------------------

RATE_LIMIT_PATCH = "workflow/rules/common.smk: _exit_without_waiting_for_rate_limit_timers"
LAST_GC_PATCH = "workflow/rules/common.smk: _skip_the_last_garbage_collection"


def test_the_rate_limit_timer_patch_matches_snakemakes_scheduler():
    """The patch replaces JobScheduler._schedule_reevalutation with a copy whose timer is a
    daemon thread: the original must still be that method, starting that timer."""
    from snakemake.scheduling import job_scheduler

    patch_text = COMMON_SMK.read_text(encoding="utf-8")
    assert "scheduler._schedule_reevalutation = schedule_reevaluation" in patch_text
    assert parameters(job_scheduler, "JobScheduler._schedule_reevalutation") == [
        "self", "delay"], RATE_LIMIT_PATCH
    original = source(job_scheduler, "JobScheduler._schedule_reevalutation")
    assert "threading.Timer(" in original and "self._open_jobs.release()" in original, (
        RATE_LIMIT_PATCH)
    module_text = inspect.getsource(job_scheduler)
    assert "self._open_jobs = threading.Semaphore(" in module_text, RATE_LIMIT_PATCH
    assert "self._schedule_reevalutation(" in module_text, (
        f"{RATE_LIMIT_PATCH}: the scheduler no longer calls the method it replaces")
    assert_unchanged(RATE_LIMIT_PATCH, job_scheduler, "JobScheduler._schedule_reevalutation",
                     "snakemake", "0a0bced72471ce83")


GARBAGE_AT_EXIT = """
import atexit, gc, os, sys
gc.set_threshold(0)  # no collection before exit: only the last one could find the cycle
class Noisy:
    def __del__(self):
        os.write(1, b"collected")
garbage = Noisy(); garbage.cycle = garbage; del garbage
if sys.argv[1] == "frozen":
    atexit.register(gc.freeze)
"""


def test_the_last_garbage_collection_patch_still_skips_a_collection_at_exit():
    """The patch registers gc.freeze at exit: this Python must still collect garbage as
    it exits (else there is nothing to skip), and not what gc.freeze took out."""
    assert "atexit.register(gc.freeze)" in COMMON_SMK.read_text(encoding="utf-8")
    runs = {how: subprocess.run([sys.executable, "-c", GARBAGE_AT_EXIT, how],
                                capture_output=True, text=True, timeout=60)
            for how in ("plain", "frozen")}
    assert runs["plain"].stdout == "collected", f"{LAST_GC_PATCH}: no collection at exit"
    assert runs["frozen"].stdout == "", f"{LAST_GC_PATCH}: gc.freeze no longer skips it"


# src/paperpress/weasy.py -----------------------------------------------------------------

FIND_LIBRARY_PATCH = "src/paperpress/weasy.py: import_weasyprint (no find_library)"
ZLIB_PATCH = "src/paperpress/weasy.py: use_default_compression_level (pydyf.zlib)"

IMPORT_WITHOUT_FIND_LIBRARY = """
import ctypes.util
asked = []
ctypes.util.find_library = lambda name: asked.append(name)  # finds nothing
import weasyprint
from weasyprint.text import ffi
assert None not in (ffi.pango, ffi.harfbuzz, ffi.harfbuzz_subset, ffi.fontconfig)
print(len(asked))
"""


def test_weasyprint_still_opens_its_libraries_without_find_library():
    """The patch makes ctypes.util.find_library find nothing while WeasyPrint is imported:
    WeasyPrint (through cffi) must still ask it, and still open every library by a file
    name it tries after the names that need it."""
    result = subprocess.run([sys.executable, "-c", IMPORT_WITHOUT_FIND_LIBRARY],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{FIND_LIBRARY_PATCH}:\n{result.stderr}"
    assert int(result.stdout) > 0, f"{FIND_LIBRARY_PATCH}: find_library is no longer asked"


def test_pydyf_still_compresses_streams_through_its_zlib_at_level_9():
    """The patch swaps the zlib that pydyf's module sees for one whose compressobj ignores
    the level: pydyf must still call zlib.compressobj(level=9) through its module global."""
    import pydyf

    from paperpress.weasy import use_default_compression_level

    assert "\nimport zlib\n" in inspect.getsource(pydyf), ZLIB_PATCH
    assert "zlib.compressobj(level=9)" in source(pydyf, "Stream.data"), ZLIB_PATCH
    use_default_compression_level()
    words = [f"{n * 7919 % 1000:03d}".encode() for n in range(300)]
    data = b" ".join(words[n * n % 300] for n in range(40000))
    at_level = {}
    for level in (9, zlib.Z_DEFAULT_COMPRESSION):
        compressor = zlib.compressobj(level)
        at_level[level] = compressor.compress(data) + compressor.flush()
    assert at_level[9] != at_level[zlib.Z_DEFAULT_COMPRESSION]  # the sample tells them apart
    written = pydyf.Stream([data], compress=True).data
    assert at_level[zlib.Z_DEFAULT_COMPRESSION] in written, ZLIB_PATCH


FOOTNOTE_PATCH = "src/paperpress/weasy.py: carry_footnotes_after_a_carried_one"


def test_weasyprints_line_layout_is_what_the_footnote_patch_wraps():
    """The patch wraps weasyprint.layout.block._linebox_layout (every caller reaches it
    through the module global), reads the lines it appended to new_children and the notes
    it returns, and moves the notes it left waiting with LayoutContext.layout_footnote and
    report_footnote. The digest pins the version that places a line after carrying notes
    to the next page without laying out the line's own: on an upgrade, check whether the
    new one still drops them (tests/test_pdf_footnotes.py without the patch)."""
    import weasyprint
    from weasyprint import layout
    from weasyprint.layout import block

    assert package_files_mentioning(weasyprint, "_linebox_layout") == {"layout/block.py"}, (
        FOOTNOTE_PATCH)
    assert inspect.getsource(block).count("_linebox_layout(") == 2, (
        f"{FOOTNOTE_PATCH}: no longer defined and called once in block.py")
    assert parameters(block, "_linebox_layout")[:5] == [
        "context", "box", "index", "child", "new_children"], FOOTNOTE_PATCH
    original = source(block, "_linebox_layout")
    assert "return abort, stop, resume_at, position_y, new_footnotes, max_lines" in original, (
        FOOTNOTE_PATCH)
    assert "new_children.append(line)" in original, FOOTNOTE_PATCH
    for method in ("layout_footnote", "report_footnote"):
        assert parameters(layout, f"LayoutContext.{method}") == ["self", "footnote"], (
            FOOTNOTE_PATCH)
    assert "self.footnotes.remove(footnote)" in source(layout, "LayoutContext.layout_footnote")
    assert "self.reported_footnotes.append(footnote)" in source(
        layout, "LayoutContext.report_footnote"), FOOTNOTE_PATCH
    assert_unchanged(FOOTNOTE_PATCH, block, "_linebox_layout", "weasyprint",
                     "2edf8a7e471b161a")


# src/paperpress/typeset.py ---------------------------------------------------------------

JUSTIFY_PATCH = "src/paperpress/typeset.py: install_cjk_justification"


def test_weasyprints_line_justification_is_what_the_cjk_patch_hooks():
    """The patch replaces weasyprint.layout.inline.justify_line (calling the original for
    other text) and copies add_word_spacing into its own spread()."""
    import weasyprint
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    assert parameters(inline, "justify_line") == ["context", "line", "extra_width"], (
        JUSTIFY_PATCH)
    # Replacing the module's global reaches every caller: all of them are in inline.py.
    assert package_files_mentioning(weasyprint, "justify_line") == {"layout/inline.py"}, (
        JUSTIFY_PATCH)
    assert "justify_line(context, line, offset)" in inspect.getsource(inline), JUSTIFY_PATCH
    assert parameters(line_break, "create_layout") == [
        "text", "style", "context", "max_width", "justification_spacing"], JUSTIFY_PATCH
    assert parameters(line_break, "line_size") == ["line", "style"], JUSTIFY_PATCH
    assert_unchanged(JUSTIFY_PATCH, inline, "justify_line", "weasyprint", "cbba344b3c57ef10")
    assert_unchanged(JUSTIFY_PATCH, inline, "add_word_spacing", "weasyprint",
                     "9a16bf0652ccb78c")


LINE_START_PATCH = "src/paperpress/typeset.py: install_cjk_justification (text_align)"


def test_weasyprints_text_align_is_what_the_line_start_patch_hooks():
    """The patch wraps weasyprint.layout.inline.text_align (calling the original) to give
    an opening mark that starts a CJK line the halt feature: text_align must still be
    called, through the module global, with the laid-out line before it is justified and
    placed, and TextBox.copy_with_text must still copy a text box with other text."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    assert parameters(inline, "text_align") == [
        "context", "line", "available_width", "last"], LINE_START_PATCH
    text = inspect.getsource(inline)
    assert "offset_x = text_align(" in text, LINE_START_PATCH
    assert "line.width >= available_width" in source(inline, "text_align"), LINE_START_PATCH
    assert_unchanged(LINE_START_PATCH, inline, "text_align", "weasyprint", "79372fc12c3602fd")
    assert_unchanged(LINE_START_PATCH, boxes, "TextBox.copy_with_text", "weasyprint",
                     "6802dcd072be7dbc")
    # The text box's width stays what the line's text_align reads (line.width): the patch
    # lowers it by the half em it frees.
    assert "text_indent" in source(inline, "iter_line_boxes"), LINE_START_PATCH


# src/paperpress/docx.py ------------------------------------------------------------------

STYLES_PATCH = "src/paperpress/docx.py: _look_up_styles_once"


def test_python_docx_styles_through_the_part_lookup_the_patch_caches():
    """The patch sets a caching get_style_id on the document's part: python-docx must
    still find style ids only through part.get_style_id, a lookup by name and type."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.parts import document

    from paperpress.docx import _look_up_styles_once

    assert parameters(document, "DocumentPart.get_style_id") == [
        "self", "style_or_name", "style_type"], STYLES_PATCH
    assert_unchanged(STYLES_PATCH, document, "DocumentPart.get_style_id", "python-docx",
                     "03d1b8ab1495d1d2")
    for caller in ("text/paragraph.py", "text/run.py", "table.py"):
        assert caller in package_files_mentioning(docx, "self.part.get_style_id("), (
            f"{STYLES_PATCH}: {caller}")

    doc = docx.Document()
    asked = []
    look_up = doc.part.get_style_id

    def counting(style_or_name, style_type):
        asked.append((style_or_name, style_type))
        return look_up(style_or_name, style_type)

    doc.part.get_style_id = counting
    _look_up_styles_once(doc, Path("whitepaper.docx"))
    paragraphs = [doc.add_paragraph("标题", style="Heading 1") for _ in range(3)]
    assert [p.style.name for p in paragraphs] == ["Heading 1"] * 3
    assert asked == [("Heading 1", WD_STYLE_TYPE.PARAGRAPH)], STYLES_PATCH


# src/paperpress/accessibility.py ---------------------------------------------------------

PDFUA_PATCH = "src/paperpress/accessibility.py: use_pdfua_fixes"


def test_pdfua_reads_numbers_through_the_as_integer_the_fix_replaces(tmp_path):
    """The fix replaces pdfua's as_integer, in its document module and in the rules module
    that imported it by name: pdfua must still decide 'is this an MCID number' there, and
    without the fix still fail on an array (so the empty-heading rule is skipped)."""
    import pikepdf
    from pdfua import document
    from pdfua.rules import structure

    from paperpress.accessibility import use_pdfua_fixes

    assert_unchanged(PDFUA_PATCH, document, "as_integer", "pdfua", "791956ac0c3ef409")
    assert "from ..document import PdfDocument, StructElement, as_integer" in inspect.getsource(
        structure), PDFUA_PATCH
    if not getattr(document.as_integer, "paperpress_fix", False):
        try:
            document.as_integer(pikepdf.Array([1, 2]))
        except ValueError:
            pass  # the fault the fix is for
    use_pdfua_fixes()
    assert structure.as_integer is document.as_integer, PDFUA_PATCH
    assert document.as_integer(pikepdf.Array([1, 2])) is None
    assert document.as_integer(pikepdf.Dictionary()) is None
    assert document.as_integer(7) == 7 and document.as_integer(True) is None
