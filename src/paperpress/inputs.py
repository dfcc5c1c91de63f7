"""The one policy for every file a build reads, and the list of what each publication reads.

A file reaches a build only when it is named in the sources (or fixed by the workflow, such
as text.md), resolved inside the publication's folder or templates/ (a CMYK profile may also
come from the system's ICC folder, by name), not through a symbolic link that leads out of
them, and present. Otherwise the build stops before anything is read, naming the file and
line that named it.

The workflow calls ``publication_inputs`` once per publication while it builds its DAG, and
declares exactly those files as the jobs' inputs: a missing file is an error, never a file
quietly left out of a job's inputs (which would make the job look up to date and publish a
stale edition beside a new one).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .textfiles import MAX_TEXT_BYTES

# Where an output profile may come from besides the project: the ICC profiles that Debian's
# packages install (libgs-common's default_cmyk.icc; colord's and icc-profiles-free's).
SYSTEM_PROFILE_DIRS = (Path("/usr/share/color/icc"),)

_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_named_file(name, *, base: Path, inside: tuple[Path, ...], named_in: Path,
                       line: int | None, what: str) -> Path:
    """The path of the file ``name`` names (relative to ``base``), after checking that it
    lies inside one of ``inside``, through no link that leaves them, and exists.

    ``named_in`` and ``line`` say where the name was written; every refusal names them."""
    def fail(message: str):
        raise SourceError(named_in, f"{what} '{name}' {message}", line=line)

    if not isinstance(name, str) or not name.strip():
        raise SourceError(named_in, f"{what} must name a file", line=line)
    places = " or ".join(f"{p}/" for p in inside)
    if _URL_RE.match(name):
        fail(f"is a URL: nothing is fetched while building; put the file in {places}"
             " and name it there")
    if "{" in name or "}" in name:
        # The workflow declares each file as a job input, where braces mark wildcards.
        fail("has '{' or '}' in its name, which the workflow cannot declare: rename the file")
    candidate = Path(name) if Path(name).is_absolute() else Path(base) / name
    lexical = Path(os.path.normpath(candidate))
    real = Path(os.path.realpath(candidate))
    if not _within(lexical, inside):
        fail(f"is outside {places}: a build reads only files of the project")
    if not _within(real, inside):
        fail(f"leads outside {places} through a symbolic link (to {real}): copy the file"
             " into the project instead")
    if not lexical.exists():
        fail(f"does not exist (looked for {lexical})")
    if not lexical.is_file():
        fail(f"is not a file ({lexical})")
    return lexical


def _within(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether ``path`` is inside one of ``roots``, each taken as written and as resolved
    (a project reached through a link of its own is still itself)."""
    absolute = Path(os.path.abspath(path))
    for root in roots:
        for form in {Path(os.path.abspath(root)), Path(os.path.realpath(root))}:
            if absolute == form or form in absolute.parents:
                return True
    return False


def named_data_files(spec, data_dir: Path) -> list[Path]:
    """The data files a chart's or a table's 'data:' list names, each inside the
    publication's data/ folder and present: only they rerun that chart or table."""
    data_dir = Path(data_dir)
    lines = spec.data_lines or [None] * len(spec.data)
    return [resolve_named_file(name, base=data_dir, inside=(data_dir,), named_in=Path(spec.path),
                               line=line, what="data file")
            for name, line in zip(spec.data, lines)]


def check_folder(folder: Path, project: Path, what: str) -> None:
    """A folder the workflow reads from (sources/<pub>/, its data/ and charts/, templates/…)
    must be the project's own, not a link to a folder elsewhere."""
    folder = Path(folder)
    if folder.exists() and not _within(Path(os.path.realpath(folder)),
                                       (Path(os.path.realpath(project)),)):
        raise SourceError(folder, f"{what} is a link to {os.path.realpath(folder)}, outside the"
                                  " project: a build reads only the project's own files; copy"
                                  " the folder in instead")


def check_project_file(path: Path, inside: tuple[Path, ...], what: str) -> Path:
    """A file the workflow itself names (text.md, a data file found in data/, a template):
    it must not be a link out of the project, and must exist."""
    path = Path(path)
    return resolve_named_file(path.name, base=path.parent, inside=inside, named_in=path,
                              line=None, what=what)


@dataclass(frozen=True)
class PdfSettings:
    """How one PDF edition (screen or press) is made: the options and the files it reads."""

    variant: str | None = None
    tagged: bool = False
    stylesheets: tuple[Path, ...] = ()
    output_profile: Path | None = None
    crop_marks: bool = False
    output_condition: str | None = None

    def command_options(self) -> list[str]:
        options = []
        if self.variant:
            options += ["--variant", self.variant]
        if self.tagged:
            options.append("--tagged")
        for sheet in self.stylesheets:
            options += ["--stylesheet", str(sheet)]
        if self.output_profile is not None:
            options += ["--output-profile", str(self.output_profile)]
        if self.output_condition:
            options += ["--output-condition", self.output_condition]
        if self.crop_marks:
            options.append("--crop-marks")
        return options

    @property
    def files(self) -> list[str]:
        return [str(p) for p in self.stylesheets] + (
            [str(self.output_profile)] if self.output_profile is not None else [])


@dataclass
class PublicationInputs:
    """Every source file a publication's jobs read, checked against the policy above."""

    root: Path
    config: Path
    text: Path
    data: list[Path]
    charts: dict[str, Path]
    chart_data: dict[str, list[Path]]
    brief_charts: list[str]
    locale: Path  # templates/locales/<lang>.yaml, for the lang the text's front matter gives
    tables: dict[str, Path] = field(default_factory=dict)  # data table specs, by table id
    table_data: dict[str, list[Path]] = field(default_factory=dict)
    pdf: dict[str, PdfSettings] = field(default_factory=dict)
    keep_releases: int = 5
    # The pictures the text places (images/…), in the order it first places them.
    images: list[Path] = field(default_factory=list)
    # The editions built and published: the brief's only when publication.yaml has 'brief:'.
    editions: list[str] = field(default_factory=lambda: list(EDITIONS))

    @property
    def svg_images(self) -> list[Path]:
        """The SVG pictures: the Word editions take each as a PNG (rule image_png)."""
        return [p for p in self.images if p.suffix.lower() == ".svg"]

    @property
    def pdfs(self) -> list[str]:
        """The PDF editions by name without .pdf (whitepaper, whitepaper-press, …)."""
        return [e.removesuffix(".pdf") for e in self.editions if e.endswith(".pdf")]


WHITEPAPER_EDITIONS = ("whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html",
                       "whitepaper.docx")
# The editions the web edition offers its readers (the press PDF is the print shop's), each
# with the locale string that names it. All are published in one folder, output/<pub>/.
LINKED_EDITIONS = (("pdf_edition", "whitepaper.pdf"), ("word_edition", "whitepaper.docx"))
BRIEF_EDITIONS = ("brief.pdf", "brief-press.pdf", "brief.docx")
EDITIONS = WHITEPAPER_EDITIONS + BRIEF_EDITIONS


def editions_of(config: dict) -> list[str]:
    """The editions a publication builds: the brief's only when publication.yaml says
    'brief:'."""
    from .publication import has_brief

    return list(EDITIONS if has_brief(config) else WHITEPAPER_EDITIONS)


# The pictures a text may place, by file name ending: what every edition can carry.
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".svg": "SVG"}
IMAGES_FOLDER = "images"


def image_name(src: str) -> str:
    """The file name an image's ``src`` (as markdown-it gives it) stands for, relative to
    the publication's folder: markdown-it percent-encodes what is not ASCII (images/港口.jpg
    comes as images/%E6%B8%AF%E5%8F%A3.jpg)."""
    from urllib.parse import unquote

    return unquote(src)


def resolve_image(src: str, *, root: Path, named_in: Path, line: int | None) -> Path:
    """The file an image of the text names: in the publication's images/ folder, present,
    and of a kind every edition carries (PNG, JPEG, SVG)."""
    root = Path(root)
    name = image_name(src)
    folder = root / IMAGES_FOLDER
    if (isinstance(name, str) and name.strip() and not _URL_RE.match(name)
            and _within(Path(os.path.normpath(root / name)), (root,))
            and not _within(Path(os.path.normpath(root / name)), (folder,))):
        raise SourceError(named_in, f"image '{name}' is not in the publication's"
                                    f" {IMAGES_FOLDER}/ folder: put it in {folder}/ and write"
                                    f" {IMAGES_FOLDER}/{Path(name).name}", line=line)
    path = resolve_named_file(name, base=root, inside=(folder,), named_in=named_in,
                              line=line, what="image")
    if path.suffix.lower() not in IMAGE_TYPES:
        kind = f"a {path.suffix} file" if path.suffix else "a file without an ending"
        raise SourceError(named_in, f"image '{name}' is {kind}: an image may be PNG (.png),"
                                    " JPEG (.jpg, .jpeg) or SVG (.svg); save it as one of"
                                    " those", line=line)
    return path


def text_images(text: Path, root: Path) -> list[Path]:
    """Every image the text places, each once, resolved by ``resolve_image``; the text is
    read within the limits the document model reads it with."""
    from .textfiles import read_text_file

    raw = read_text_file(text, MAX_TEXT_BYTES)
    if "![" not in raw:
        # No image syntax: no need to parse, nor to import the parser (0.06 s of every
        # run of the workflow, a no-op included).
        return []
    from .markup import markdown_parser

    source = _without_front_matter(raw)
    lines = source.splitlines()
    found: dict[Path, None] = {}
    for token in markdown_parser().parse(source):
        images = [c for c in token.children or [] if c.type == "image"]
        if token.type != "inline" or not images:
            continue
        starts = _image_lines(lines, token.map)
        for n, image in enumerate(images):
            line = starts[n] if len(starts) == len(images) else (
                token.map[0] + 1 if token.map else None)
            found.setdefault(resolve_image(image.attrGet("src") or "", root=root,
                                           named_in=text, line=line))
    return list(found)


def _without_front_matter(text: str) -> str:
    """The text with its front matter blanked: its lines keep their numbers, and nothing
    in it reads as Markdown."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return "\n" * text.count("\n", 0, end + 5) + text[end + 5:]
    return text


_IMAGE_START_RE = re.compile(r"(?<!\\)!\[")


def _image_lines(lines: list[str], block_map) -> list[int]:
    """The line (1-based) of each image opening '![' in a block's lines, in order."""
    if not block_map:
        return []
    first, last = block_map
    return [n + 1 for n in range(first, min(last, len(lines)))
            for _ in _IMAGE_START_RE.finditer(lines[n])]


# A chart's id is its spec's file name: it names files and Snakemake targets. A data
# table's id is its spec's file name likewise.
CHART_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")


def _specs(paths: list[Path], root: Path, load, kind: str,
           example: str) -> tuple[dict[str, Path], dict[str, list[Path]]]:
    """The chart or table specs of a publication (``kind``), each checked like the sources
    and named by its id, and the data files each names."""
    specs, data = {}, {}
    for path in paths:
        path = check_project_file(path, (root,), f"{kind} spec")
        if not CHART_ID_RE.fullmatch(path.stem):
            raise SourceError(path, f"a {kind} spec's file name is the {kind}'s id: use"
                                    f" lower-case letters, digits and '-' (e.g. {example})")
        spec = load(path)
        specs[spec.id] = path
        data[spec.id] = named_data_files(spec, root / "data")
    return specs, data


def publication_inputs(root: Path, templates: Path = Path("templates"),
                       project: Path = Path(".")) -> PublicationInputs:
    """Load what the workflow must know of a publication before any job runs, checking
    every file it names. Raises SourceError for the first fault."""
    from .chartspec import load_chart_spec
    from .publication import (chart_files, data_files, load_config, pdf_settings,
                              releases_kept, table_files)
    from .tablespec import load_table_spec
    from .textfiles import line_of

    root = Path(root)
    for folder, what in ((root.parent, "the sources folder"), (root, "the publication's folder"),
                         (root / "data", "its data folder"), (root / "charts", "its charts folder"),
                         (root / "tables", "its tables folder"),
                         (Path(templates), "the templates folder"),
                         (Path(templates) / "html", "the templates folder"),
                         (Path(templates) / "locales", "the templates folder")):
        check_folder(folder, project, what)
    inside = (root,)
    config_path = check_project_file(root / "publication.yaml", inside, "the settings file")
    config = load_config(root)
    text = check_project_file(root / "text.md", inside, "the text")
    locale = text_locale(text, Path(templates))
    data = [check_project_file(p, inside, "data file") for p in data_files(root)]
    charts, chart_data = _specs(chart_files(root), root, load_chart_spec, "chart",
                                "trade-scale.yaml")
    tables, table_data = _specs(table_files(root), root, load_table_spec, "table",
                                "port-throughput.yaml")
    brief = config.get("brief") or {}
    brief_charts = list(brief.get("charts") or [])
    for n, chart in enumerate(brief_charts):
        if chart not in charts:
            raise SourceError(config_path, f"brief chart '{chart}' has no chart spec"
                                           f" charts/{chart}.yaml (charts:"
                                           f" {', '.join(sorted(charts)) or 'none'})",
                              line=line_of(brief.get("charts"), n))
    check_folder(root / IMAGES_FOLDER, project, "its images folder")
    images = text_images(text, root)
    editions = editions_of(config)
    return PublicationInputs(root=root, config=config_path, text=text, data=data,
                             charts=charts, chart_data=chart_data, brief_charts=brief_charts,
                             locale=locale, tables=tables, table_data=table_data,
                             pdf=pdf_settings(config, root, Path(templates)),
                             keep_releases=releases_kept(config), images=images,
                             editions=editions)


def text_locale(text: Path, templates: Path) -> Path:
    """The locale file of the language the text's front matter gives (``lang: en``):
    templates/locales/<lang>.yaml, checked like every file a build reads. Only the front
    matter is parsed: the text itself is the model step's to read."""
    from .locale import locale_path
    from .textfiles import line_of, read_text_file, split_front_matter

    meta, _, _ = split_front_matter(text, read_text_file(text, MAX_TEXT_BYTES))
    if not meta.get("lang"):
        raise SourceError(text, "front matter lacks 'lang' (the text's language: zh-CN, en …)",
                          line=line_of(meta, "lang") or 1)
    path = locale_path(templates, meta["lang"], named_in=text, line=line_of(meta, "lang"))
    return check_project_file(path, (Path(templates),), "locale file")


# The templates every publication's editions are made with (templates/…), and the HTML
# templates whose includes are followed.
FIXED_TEMPLATES = ("html/base.css", "html/whitepaper.css", "html/brief.css", "html/web.css",
                   "docx/whitepaper.docx", "docx/brief.docx", "charts/house.mplstyle",
                   "charts/phone.mplstyle")
PAGE_TEMPLATES = ("html/whitepaper.html.j2", "html/brief.html.j2", "html/numbers.html.j2",
                  "html/changes.html.j2")


def template_inputs(templates: Path = Path("templates"),
                    project: Path = Path(".")) -> dict[str, list[str]]:
    """Each template the workflow declares, by its name under templates/: the fixed ones,
    and each page template with every template it includes, all checked like the sources.
    Raises SourceError for the first fault."""
    from .stylesheets import check_settings
    from .templating import templates_used

    templates = Path(templates)
    for folder in sorted({templates, *(templates / n.partition("/")[0]
                                       for n in FIXED_TEMPLATES + PAGE_TEMPLATES)}):
        check_folder(folder, project, "the templates folder")
    found = {name: [str(check_project_file(templates / name, (templates,), "template"))]
             for name in FIXED_TEMPLATES}
    for name in FIXED_TEMPLATES:
        if name.endswith(".css"):
            check_settings(templates / name)  # its pagination settings, before any job
    for name in PAGE_TEMPLATES:
        folder, _, page = name.partition("/")
        found[name] = [str(check_project_file(path, (templates,), "template"))
                       for path in templates_used(templates / folder, page)]
    return found
