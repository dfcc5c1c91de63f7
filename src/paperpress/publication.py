"""A publication's sources, loaded and validated once: metadata, data, chart specs, text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chartspec import ChartSpec, load_chart_spec
from .errors import SourceError
from .statistics import Statistics, load_statistics
from .textfiles import read_yaml_mapping, yaml_flag


@dataclass
class Publication:
    root: Path
    config: dict
    stats: Statistics
    charts: dict[str, ChartSpec] = field(default_factory=dict)

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


PDF_SETTINGS = {"variant", "tagged", "stylesheet", "output_profile"}


def check_config(path: Path, config: dict) -> None:
    """The shape of publication.yaml: a mistake stops here, named, not half-way through."""
    def fail(message: str):
        raise SourceError(path, message)

    def mapping(value, name: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            fail(f"'{name}' must be a mapping (name: value lines indented under it)")
        return value

    def strings(value, name: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"'{name}' must be a list of names, e.g. [a, b]")
        return value

    known = {"key_figures", "brief", "appendix", "pdf"}
    for key in config:
        if key not in known:
            fail(f"unknown setting '{key}' (known: {', '.join(sorted(known))})")
    figures = config.get("key_figures")
    if figures is not None and not isinstance(figures, list):
        fail("'key_figures' must be a list of data references, e.g. - ref: bri_trade@2022")
    for n, item in enumerate(figures or [], 1):
        item = item if isinstance(item, dict) else {"ref": item}
        if not isinstance(item.get("ref"), str) or not isinstance(item.get("label", ""), str):
            fail(f"key figure {n} must be a data reference (ref:) with an optional label:")
    brief = mapping(config.get("brief"), "brief")
    strings(brief.get("charts"), "brief: charts")
    if not isinstance(brief.get("title", ""), str):
        fail("'brief: title' must be text")
    appendix = mapping(config.get("appendix"), "appendix")
    if not isinstance(appendix.get("title", ""), str):
        fail("'appendix: title' must be text")
    for kind, settings in mapping(config.get("pdf"), "pdf").items():
        if kind not in ("screen", "press"):
            fail(f"'pdf: {kind}' is not an edition (screen or press)")
        settings = mapping(settings, f"pdf: {kind}")
        for key, value in settings.items():
            if key not in PDF_SETTINGS:
                fail(f"'pdf: {kind}: {key}' is not a setting ({', '.join(sorted(PDF_SETTINGS))})")
            if not isinstance(value, str):
                fail(f"'pdf: {kind}: {key}' must be a single value")
        if "tagged" in settings:
            yaml_flag(settings["tagged"], path, f"pdf: {kind}: tagged")


def data_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "data").glob("*.csv"))


def chart_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "charts").glob("*.yaml"))


def load_publication(root: Path) -> Publication:
    root = Path(root)
    config = load_config(root)
    stats = load_statistics(data_files(root))
    charts = {p.stem: load_chart_spec(p) for p in chart_files(root)}
    for spec in charts.values():
        spec.points(stats)  # every chart's references must resolve now, not at draw time
    return Publication(root=root, config=config, stats=stats, charts=charts)
