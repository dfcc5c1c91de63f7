"""A publication's sources, loaded and validated once: metadata, data, chart specs, text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chartspec import ChartSpec, load_chart_spec
from .errors import SourceError
from .statistics import Statistics, load_statistics
from .textfiles import read_yaml_mapping


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
        return self.root / self.config.get("text", "text.md")


def load_config(root: Path) -> dict:
    path = Path(root) / "publication.yaml"
    if not path.exists():
        raise SourceError(path, "is missing: every publication needs a publication.yaml")
    return read_yaml_mapping(path)


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
