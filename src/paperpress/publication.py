"""A publication's sources, loaded and validated once: metadata, data, chart specs, text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chartspec import ChartSpec, load_chart_spec
from .tablespec import TableSpec, load_table_spec
from .errors import SourceError
from .statistics import Statistics, load_statistics
from .stylesheets import check_settings
from .inputs import SYSTEM_PROFILE_DIRS, PdfSettings, resolve_named_file
from .textfiles import line_of, plain_text_fault, read_yaml_mapping, yaml_flag


@dataclass
class Publication:
    root: Path
    config: dict
    stats: Statistics
    charts: dict[str, ChartSpec] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def text_path(self) -> Path:
        # Always text.md: the workflow declares it as the model's input by that name.
        return self.root / "text.md"


def load_config(root: Path) -> dict:
    path = Path(root) / "publication.yaml"
    if not path.exists():
        raise SourceError(path, "is missing: every publication needs a publication.yaml")
    config = read_yaml_mapping(path)
    check_config(path, config)
    return config


PDF_SETTINGS = {"variant", "tagged", "stylesheet", "output_profile", "output_condition",
                "crop_marks"}
# The flags among them (true or false).
PDF_FLAGS = ("tagged", "crop_marks")
# The PDF variants WeasyPrint writes (weasyprint.pdf.VARIANTS, less its 'debug'); a test
# fails when the installed WeasyPrint offers another set.
PDF_VARIANTS = ("pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a",
                "pdf/a-3b", "pdf/a-3u", "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1",
                "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")
DEFAULT_RELEASES_KEPT = 5
# Each PDF edition's settings where publication.yaml gives none: the screen edition
# archival and tagged for screen readers, the press edition PDF/X-4 with bleed, crop marks
# outside it and, as output intent, the profile of ISO 12647-2 coated offset (FOGRA39,
# templates/icc/), which a publication names its print run's profile to replace.
PDF_DEFAULTS = {
    "screen": {"variant": "pdf/a-3u", "tagged": "true"},
    "press": {"variant": "pdf/x-4", "stylesheet": "press.css", "crop_marks": "true",
              "output_profile": "CoatedFOGRA39.icc", "output_condition": "FOGRA39"},
}
# Where a profile named by its file name alone is found when the publication's folder has
# none of that name: the profiles paperpress brings (templates/icc/).
PROFILE_FOLDER = "icc"
# The registered print conditions an output_condition may name, each with the words its
# profile's description holds (templates/icc/).
CONDITIONS_FILE = "conditions.yaml"


def check_config(path: Path, config: dict) -> None:
    """The shape of publication.yaml: a mistake stops here, named, not half-way through."""
    def fail(message: str, *where):
        # The line of the innermost setting named in ``where`` (a path of keys).
        line, node = None, config
        for key in where:
            line = line_of(node, key) or line
            if isinstance(node, dict):
                node = node.get(key)
            else:
                node = node[key] if isinstance(node, list) and isinstance(key, int) else None
        raise SourceError(path, message, line=line)

    def plain_text(value, name: str, *where):
        # Titles and labels are printed as typed, in every edition.
        if isinstance(value, str) and (fault := plain_text_fault(value)):
            fail(f"'{name}' {fault}", *where)

    def mapping(value, name: str, *where) -> dict:
        if value is None:
            return {}
        if value == "":
            fail(f"'{name}' is empty: give its settings indented under it, or leave it out",
                 *where)
        if not isinstance(value, dict):
            fail(f"'{name}' must be a mapping (name: value lines indented under it)", *where)
        return value

    def strings(value, name: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"'{name}' must be a list of names, e.g. [a, b]")
        return value

    known = {"key_figures", "brief", "appendix", "pdf", "releases", "layout", "numbers"}
    for key in config:
        if key not in known:
            fail(f"unknown setting '{key}' (known: {', '.join(sorted(known))})", key)
    figures = config.get("key_figures")
    if figures is not None and not isinstance(figures, list):
        fail("'key_figures' must be a list of data references, e.g. - ref: bri_trade@2022")
    for n, item in enumerate(figures or [], 1):
        item = item if isinstance(item, dict) else {"ref": item}
        if not isinstance(item.get("ref"), str) or not isinstance(item.get("label", ""), str):
            fail(f"key figure {n} must be a data reference (ref:) with an optional label:")
        plain_text(item.get("label"), f"key_figures: {n}: label", "key_figures", n - 1,
                   "label")
    brief = mapping(config.get("brief"), "brief", "brief")
    strings(brief.get("charts"), "brief: charts")
    if not isinstance(brief.get("title", ""), str):
        fail("'brief: title' must be text")
    plain_text(brief.get("title"), "brief: title", "brief", "title")
    appendix = mapping(config.get("appendix"), "appendix", "appendix")
    if not isinstance(appendix.get("title", ""), str):
        fail("'appendix: title' must be text")
    plain_text(appendix.get("title"), "appendix: title", "appendix", "title")
    for kind, settings in mapping(config.get("pdf"), "pdf", "pdf").items():
        if kind not in ("screen", "press"):
            fail(f"'pdf: {kind}' is not an edition (screen or press)", "pdf", kind)
        settings = mapping(settings, f"pdf: {kind}", "pdf", kind)
        for key, value in settings.items():
            if key not in PDF_SETTINGS:
                fail(f"'pdf: {kind}: {key}' is not a setting"
                     f" ({', '.join(sorted(PDF_SETTINGS))})", "pdf", kind, key)
            if not isinstance(value, str):
                fail(f"'pdf: {kind}: {key}' must be a single value", "pdf", kind, key)
        for flag in PDF_FLAGS:
            if flag in settings:
                try:
                    yaml_flag(settings[flag], path, f"pdf: {kind}: {flag}")
                except SourceError as exc:
                    fail(exc.message, "pdf", kind, flag)
        variant = settings.get("variant")
        if variant is not None and variant.lower() not in PDF_VARIANTS:
            fail(f"'pdf: {kind}: variant' is '{variant}', which is not a PDF variant"
                 f" ({', '.join(PDF_VARIANTS)})", "pdf", kind, "variant")
    layout = mapping(config.get("layout"), "layout", "layout")
    for key, value in layout.items():
        if key not in LAYOUT_DEFAULTS:
            fail(f"'layout: {key}' is not a setting ({', '.join(sorted(LAYOUT_DEFAULTS))})",
                 "layout", key)
        if not isinstance(value, str) or value.strip().lower() not in ("true", "false"):
            shown = value if isinstance(value, str) else "a list or mapping"
            fail(f"'layout: {key}' must be true or false, not '{shown}'", "layout", key)
    numbers = mapping(config.get("numbers"), "numbers", "numbers")
    for key, value in numbers.items():
        if key not in NUMBER_SETTINGS:
            fail(f"'numbers: {key}' is not a setting ({', '.join(NUMBER_SETTINGS)})",
                 "numbers", key)
        try:
            yaml_flag(value, path, f"numbers: {key}")
        except SourceError as exc:
            fail(exc.message, "numbers", key)
    releases = mapping(config.get("releases"), "releases", "releases")
    for key in releases:
        if key != "keep":
            fail(f"'releases: {key}' is not a setting (keep)", "releases", key)
    keep = releases.get("keep", str(DEFAULT_RELEASES_KEPT))
    if not (isinstance(keep, str) and keep.isdigit() and 1 <= int(keep) <= 100):
        fail("'releases: keep' must be a whole number from 1 to 100 (how many published"
             " releases output/ keeps)", "releases", "keep")


# How the editions lay the text out (publication.yaml's layout:), when it does not say.
LAYOUT_DEFAULTS = {
    # Each chapter (#) opens a new page: right for a long white paper, not for a short
    # report whose chapters are a few paragraphs each.
    "chapters_on_new_page": True,
}


def layout_settings(config: dict) -> dict:
    """The layout settings of a checked publication.yaml, every one given: the document
    model carries them to the writers (``Document.settings``)."""
    given = config.get("layout") or {}
    return {key: (str(given[key]).strip().lower() == "true") if key in given else default
            for key, default in LAYOUT_DEFAULTS.items()}


# What publication.yaml's numbers: says of the checks of typed numbers (numberchecks.py):
# stop_on_warning: true makes each warning an error that stops the build.
NUMBER_SETTINGS = ("stop_on_warning",)


def stop_on_number_warnings(config: dict) -> bool:
    """Whether a checked publication.yaml makes the number warnings stop the build."""
    value = (config.get("numbers") or {}).get("stop_on_warning", "false")
    return str(value).strip().lower() == "true"


def has_brief(config: dict) -> bool:
    """Whether the publication has a brief: only when publication.yaml says 'brief:'."""
    return config.get("brief") is not None


def releases_kept(config: dict) -> int:
    """How many releases of the publication output/ keeps (the current one included)."""
    return int((config.get("releases") or {}).get("keep", DEFAULT_RELEASES_KEPT))


def pdf_settings(config: dict, root: Path, templates: Path) -> dict[str, PdfSettings]:
    """The screen and press editions' settings, every file they name checked (inputs.py):
    a stylesheet is named relative to templates/html/, an output profile relative to the
    publication's folder, by its file name alone when it is one templates/icc/ brings,
    or by its full path in the system's ICC folder."""
    path = Path(root) / "publication.yaml"
    editions = {}
    for kind in ("screen", "press"):
        given = ((config.get("pdf") or {}).get(kind)) or {}
        # What is not given is the edition's default: a press edition is print-ready
        # (PDF/X-4, bleed and marks, CMYK) whether or not publication.yaml says how.
        settings = {**PDF_DEFAULTS[kind], **given}
        if "output_profile" in given and "output_condition" not in given:
            # The default condition is that of the default profile, not of another.
            settings.pop("output_condition", None)
        stylesheets = ()
        if settings.get("stylesheet"):
            stylesheets = (resolve_named_file(
                settings["stylesheet"], base=Path(templates) / "html",
                inside=(Path(templates), Path(root)), named_in=path,
                line=line_of(given, "stylesheet"), what=f"pdf: {kind}: stylesheet"),)
            check_settings(stylesheets[0])
        profile = None
        if settings.get("output_profile"):
            line = line_of(given, "output_profile")
            name = settings["output_profile"]
            base = Path(root)
            bundled = Path(templates) / PROFILE_FOLDER
            if (isinstance(name, str) and "/" not in name and not (base / name).exists()
                    and (bundled / name).exists()):
                base = bundled
            profile = resolve_named_file(
                name, base=base,
                inside=(Path(root), Path(templates), *SYSTEM_PROFILE_DIRS), named_in=path,
                line=line, what=f"pdf: {kind}: output_profile")
            check_cmyk_profile(profile, path, line)
        if settings.get("output_condition") and profile is None:
            raise SourceError(path, f"'pdf: {kind}: output_condition' names the print"
                                    " condition of an output profile: give output_profile too",
                              line=line_of(given, "output_condition"))
        if settings.get("output_condition"):
            check_output_condition(
                str(settings["output_condition"]).strip(), profile,
                Path(templates) / PROFILE_FOLDER / CONDITIONS_FILE, path,
                line_of(given, "output_condition") or line_of(given, "output_profile"),
                f"pdf: {kind}: output_condition")
        editions[kind] = PdfSettings(
            variant=(settings.get("variant") or "").lower() or None,
            tagged=yaml_flag(settings.get("tagged", "false"), path, f"pdf: {kind}: tagged"),
            stylesheets=stylesheets, output_profile=profile,
            crop_marks=yaml_flag(settings.get("crop_marks", "false"), path,
                                 f"pdf: {kind}: crop_marks"),
            output_condition=(settings.get("output_condition") or "").strip() or None)
    return editions


def known_conditions(conditions: Path) -> dict[str, tuple[str, ...]]:
    """The registered print conditions paperpress knows (templates/icc/conditions.yaml),
    each with the words one of which its profile's description holds."""
    known, listed = {}, read_yaml_mapping(conditions)
    for name, words in listed.items():
        words = [words] if isinstance(words, str) else words
        if not isinstance(words, list) or not words or not all(
                isinstance(w, str) and w.strip() for w in words):
            raise SourceError(conditions, f"'{name}' must list the words its profile's"
                                          " description holds ([FOGRA39, ISO Coated v2])",
                              line=line_of(listed, name))
        known[name] = tuple(w.strip() for w in words)
    return known


def check_output_condition(condition: str, profile: Path, conditions: Path,
                           named_in: Path, line: int | None, what: str) -> None:
    """An output condition is one of the registry's that paperpress knows, and the one its
    profile characterises: the output intent would otherwise tell the print shop to print
    to a condition the profile is not of."""
    from .pressmarks import profile_description

    known = known_conditions(conditions)
    if condition not in known:
        raise SourceError(named_in, f"'{what}' {condition} is not a registered print condition"
                                    f" ({', '.join(known)}; templates/icc/{CONDITIONS_FILE}):"
                                    " name one of these, or leave it out for a profile of"
                                    " no registered condition", line=line)
    description = profile_description(profile.read_bytes())
    if not description or not any(w.casefold() in description.casefold()
                                  for w in known[condition]):
        raise SourceError(named_in, f"'{what}' {condition} is not the condition of output"
                                    f" profile {profile.name} ('{description or 'undescribed'}'):"
                                    " name the profile's condition, or leave it out", line=line)


def check_cmyk_profile(profile: Path, named_in: Path, line: int | None = None) -> None:
    """An output profile must be an ICC profile of a CMYK print condition: its header says
    so ('acsp' at byte 36, colour space 'CMYK' at byte 16)."""
    with open(profile, "rb") as f:
        header = f.read(128)
    if len(header) < 128 or header[36:40] != b"acsp":
        raise SourceError(named_in, f"output profile {profile} is not an ICC profile", line=line)
    space = header[16:20].decode("latin-1").strip()
    if space != "CMYK":
        raise SourceError(named_in, f"output profile {profile} is for {space or '?'} colour, not"
                                    " CMYK: name the print run's CMYK profile", line=line)


def data_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "data").glob("*.csv"))


def chart_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "charts").glob("*.yaml"))


def table_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "tables").glob("*.yaml"))


def load_publication(root: Path) -> Publication:
    root = Path(root)
    config = load_config(root)
    stats = load_statistics(data_files(root))
    charts = {p.stem: load_chart_spec(p) for p in chart_files(root)}
    for spec in charts.values():
        spec.values(stats)  # every chart's references must resolve now, not at draw time
    tables = {p.stem: load_table_spec(p) for p in table_files(root)}
    return Publication(root=root, config=config, stats=stats, charts=charts, tables=tables)
