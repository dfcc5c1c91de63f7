"""Page images of the built editions, compared with reviewed reference images.

Which pages: tests/reference-pages/pages.yaml, per publication and edition file, a name for
each page and how to find it (so that a page that moves still is the page meant):

    hunan-bri-2023:               # a folder of sources/ (or of tests/fixtures/)
      whitepaper.pdf:
        cover: 1                  # a page number (-1: the last page)
        contents: {showing: 目录}  # the first page whose text holds this (spaces ignored)
        chart: {figure: fig-3}    # the page the figure with this anchor is drawn on
      brief.pdf: all              # every page, named p1, p2, ...
      brief.docx: all             # a Word edition: as LibreOffice prints it to PDF

The references are tests/reference-pages/<publication>/<edition>-<name>.png (the edition's
file name without .pdf; a Word edition's keeps "docx"), pages rendered by pdftoppm at DPI.
tests/test_page_images.py renders the same pages of a fresh build and fails on a changed
page, with a diff image; tools/update_page_references.py writes new references.

A page is changed when more than MAX_CHANGED_PIXELS of its pixels differ by more than
PIXEL_THRESHOLD (0–255, the largest of the three channels), both images first blurred over
3 × 3 pixels. Measured on the bundled publications' pages at 60 dpi: two builds render
identically (0 pixels differ); a page drawn a quarter pixel (0.3 pt) aside along either
axis (anti-aliasing at other sub-pixel positions) changes no pixel by more than 19 after
the blur, and passes; half a pixel aside changes thousands by up to 38, and fails; one
character of body text changed (a CJK character, or one digit of a number) changes 11 to 28
pixels by more than 24, and fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCES = REPO / "tests" / "reference-pages"
PAGES_FILE = REFERENCES / "pages.yaml"
FIXTURES = REPO / "tests" / "fixtures"
DIFFS = REPO / "build" / "page-diffs"

DPI = 60
PIXEL_THRESHOLD = 24
MAX_CHANGED_PIXELS = 4


@dataclass(frozen=True)
class PageSpec:
    pub: str
    edition: str  # file name in output/<pub>/: whitepaper.pdf, brief.docx …
    name: str
    where: object  # int, "all", {"showing": text} or {"figure": anchor}

    @property
    def label(self) -> str:
        return f"{self.pub}/{self.edition} {self.name}"


@dataclass(frozen=True)
class Page:
    """One page to compare: its reference file and where it is in the built edition."""

    pub: str
    edition: str
    name: str
    number: int
    pdf: Path

    @property
    def reference(self) -> Path:
        return REFERENCES / self.pub / f"{_stem(self.edition)}-{self.name}.png"

    @property
    def label(self) -> str:
        return f"{self.pub}/{self.edition} page {self.number} ({self.name})"


def _stem(edition: str) -> str:
    return edition[:-4] if edition.endswith(".pdf") else edition.replace(".", "-")


def declared_pages(pages_file: Path = PAGES_FILE) -> list[PageSpec]:
    import yaml

    data = yaml.safe_load(pages_file.read_text(encoding="utf-8")) or {}
    specs = []
    for pub, editions in data.items():
        for edition, pages in (editions or {}).items():
            if pages == "all":
                specs.append(PageSpec(pub, edition, "all", "all"))
                continue
            if not isinstance(pages, dict):
                raise SystemExit(f"{pages_file}: {pub}: {edition}: give 'all' or name: page"
                                 " lines")
            for name, where in pages.items():
                if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(name)):
                    raise SystemExit(f"{pages_file}: {pub}: {edition}: page name {name!r}:"
                                     " use lower-case letters, digits and '-'")
                specs.append(PageSpec(pub, edition, str(name), where))
    return specs


def publications(specs: list[PageSpec]) -> list[str]:
    return sorted({s.pub for s in specs})


# Building ---------------------------------------------------------------------------------

def build_publications(dest: Path, pubs: list[str], cores: int = 2) -> Path:
    """A copy of the project in ``dest`` holding the publications ``pubs`` (from sources/
    or, for a test publication such as the bulletin, tests/fixtures/), built with
    Snakemake; returns ``dest``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "profiles", "workflow", "src", "templates", "tools"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    for pub in pubs:
        src = REPO / "sources" / pub
        if not src.is_dir():
            src = FIXTURES / pub
        if not (src / "publication.yaml").is_file():
            raise SystemExit(f"{PAGES_FILE}: no publication {pub} in sources/ or tests/fixtures/")
        shutil.copytree(src, dest / "sources" / pub)
    for name in ("figures", "output"):
        (dest / name).mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores), "--snakefile",
         str(dest / "Snakefile"), "--directory", str(dest)],
        capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("the build failed:\n" + result.stderr[-3000:])
    return dest


def word_as_pdf(docx: Path, out_dir: Path, profile: Path | None = None) -> Path:
    """The Word edition as LibreOffice prints it (with a profile of its own, so that a
    running LibreOffice of the user's is neither disturbed nor asked)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = profile or out_dir / "lo-profile"
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                   capture_output=True, check=True, timeout=300)
    return out_dir / (docx.stem + ".pdf")


# Finding the pages ------------------------------------------------------------------------

def page_texts(pdf: Path, layout: Path | None = None) -> list[str]:
    """The text of each page, white space taken out: from the layout file the renderer
    wrote beside the PDF when there is one (pdftotext takes 0.7 s of CPU on a CJK white
    paper), else from pdftotext."""
    if layout is not None and layout.is_file():
        pages = json.loads(layout.read_text(encoding="utf-8"))["pages"]
        return [re.sub(r"\s+", "", "".join(line[4] for line in page["lines"]))
                for page in pages]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def resolve(specs: list[PageSpec], project: Path, work: Path) -> list[Page]:
    """Each declared page as a page number of a PDF of the built ``project``."""
    pages, pdfs, texts = [], {}, {}
    for spec in specs:
        key = (spec.pub, spec.edition)
        if key not in pdfs:
            built = project / "output" / spec.pub / spec.edition
            if not built.is_file():
                raise AssertionError(f"{spec.label}: the build made no {built}")
            if spec.edition.endswith(".docx"):
                pdfs[key] = word_as_pdf(built, work / spec.pub, work / "lo-profile")
                layout = None
            else:
                pdfs[key] = built
                layout = project / "build" / spec.pub / (built.stem + ".layout.json")
            texts[key] = page_texts(pdfs[key], layout)
        pdf, text = pdfs[key], texts[key]
        if spec.where == "all":
            pages += [Page(spec.pub, spec.edition, f"p{n}", n, pdf)
                      for n in range(1, len(text) + 1)]
            continue
        number = _find(spec, text, project)
        pages.append(Page(spec.pub, spec.edition, spec.name, number, pdf))
    return pages


def _find(spec: PageSpec, text: list[str], project: Path) -> int:
    where = spec.where
    if isinstance(where, int) and not isinstance(where, bool):
        number = where if where > 0 else len(text) + 1 + where
        if not 1 <= number <= len(text):
            raise AssertionError(f"{spec.label}: page {where}, but it has {len(text)} pages")
        return number
    if isinstance(where, dict) and set(where) == {"showing"}:
        wanted = re.sub(r"\s+", "", str(where["showing"]))
        for number, page in enumerate(text, 1):
            if wanted in page:
                return number
        raise AssertionError(f"{spec.label}: no page shows {where['showing']!r}")
    if isinstance(where, dict) and set(where) == {"figure"}:
        layout = project / "build" / spec.pub / (Path(spec.edition).stem + ".layout.json")
        figures = json.loads(layout.read_text(encoding="utf-8")).get("figures", {})
        found = figures.get(str(where["figure"]), {}).get("image")
        if not found:
            raise AssertionError(f"{spec.label}: no figure {where['figure']!r} in {layout.name}")
        return found[0]
    raise AssertionError(f"{spec.label}: give a page number, all, {{showing: text}} or"
                         f" {{figure: anchor}}, not {where!r}")


# Rendering and comparing ------------------------------------------------------------------

def render(page: Page, work: Path):
    """The page as an RGB image at DPI."""
    from PIL import Image

    work.mkdir(parents=True, exist_ok=True)
    root = work / f"{page.pub}-{_stem(page.edition)}-{page.name}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page.number),
                    "-l", str(page.number), str(page.pdf), str(root)],
                   capture_output=True, check=True)
    with Image.open(f"{root}.png") as image:
        return image.convert("RGB")


@dataclass
class Comparison:
    changed_pixels: int
    size_changed: bool
    mask: object = None  # numpy bool array of changed pixels, when the sizes agree

    @property
    def changed(self) -> bool:
        return self.size_changed or self.changed_pixels > MAX_CHANGED_PIXELS


def compare(reference, rendered) -> Comparison:
    import numpy as np

    a = np.asarray(reference.convert("RGB"), dtype=np.float32)
    b = np.asarray(rendered.convert("RGB"), dtype=np.float32)
    if a.shape != b.shape:
        return Comparison(changed_pixels=max(a.size, b.size) // 3, size_changed=True)
    delta = np.abs(_blur(a) - _blur(b)).max(axis=2)
    mask = delta > PIXEL_THRESHOLD
    return Comparison(changed_pixels=int(mask.sum()), size_changed=False, mask=mask)


def _blur(image):
    """A 3 × 3 box blur (edges repeated)."""
    import numpy as np

    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = image.shape[:2]
    return sum(padded[y:y + h, x:x + w] for y in range(3) for x in range(3)) / 9


def diff_image(reference, rendered, comparison: Comparison):
    """Reference | rendered | the reference faded with the changed pixels in red."""
    import numpy as np
    from PIL import Image

    width = reference.width + rendered.width + max(reference.width, rendered.width) + 20
    height = max(reference.height, rendered.height)
    sheet = Image.new("RGB", (width, height), (128, 128, 128))
    sheet.paste(reference, (0, 0))
    sheet.paste(rendered, (reference.width + 10, 0))
    if comparison.mask is not None:
        faded = np.asarray(reference.convert("L"), dtype=np.float32) * 0.3 + 178
        marked = np.stack([faded] * 3, axis=2).astype(np.uint8)
        grown = _grow(comparison.mask)
        marked[grown] = (220, 0, 0)
        sheet.paste(Image.fromarray(marked), (reference.width + rendered.width + 20, 0))
    return sheet


def _grow(mask):
    """The changed pixels and their neighbours, so that a few stand out in the picture."""
    import numpy as np

    padded = np.pad(mask, 2)
    h, w = mask.shape
    return np.any([padded[y:y + h, x:x + w] for y in range(5) for x in range(5)], axis=0)


def save_png(image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


def check_page(page: Page, work: Path, diffs: Path = DIFFS) -> str | None:
    """None if ``page`` looks as its reference, else what differs, naming the diff image
    written for it under ``diffs``."""
    from PIL import Image

    rendered = render(page, work)
    if not page.reference.is_file():
        return (f"{page.label}: no reference image {_rel(page.reference)} (make"
                " update-page-references writes it)")
    with Image.open(page.reference) as image:
        reference = image.convert("RGB")
    comparison = compare(reference, rendered)
    out = diffs / page.pub / page.reference.name
    if not comparison.changed:
        out.unlink(missing_ok=True)  # a diff of an earlier run, no longer true
        return None
    save_png(diff_image(reference, rendered, comparison), out)
    what = ("its size changed" if comparison.size_changed else
            f"{comparison.changed_pixels} pixels changed")
    return (f"{page.label}: {what}, see {_rel(out)} (reference | now | changes in red);"
            " if the change is meant, run make update-page-references")


def check_pages(project: Path, specs: list[PageSpec] | None = None,
                diffs: Path = DIFFS) -> list[str]:
    """Compare each declared page of the built ``project`` with its reference; one message
    per page that differs or has no reference, and per reference of no declared page."""
    specs = declared_pages() if specs is None else specs
    failures = []
    with tempfile.TemporaryDirectory(prefix="page-images-") as tmp:
        pages = resolve(specs, project, Path(tmp))
        for page in pages:
            failure = check_page(page, Path(tmp) / "pages", diffs)
            if failure:
                failures.append(failure)
    expected = {p.reference for p in pages}
    for pub in sorted({s.pub for s in specs}):
        for stray in sorted((REFERENCES / pub).glob("*.png")):
            if stray not in expected:
                failures.append(f"{_rel(stray)}: a reference of no declared page (the edition"
                                " has fewer pages, or pages.yaml changed): make"
                                " update-page-references removes it")
    return failures


def _rel(path: Path) -> str:
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)
