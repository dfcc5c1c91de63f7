"""Draw one chart from its spec and the data: SVG for the PDF and web editions, PNG for Word."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

from .chartstyle import drawing_error, house_style
from .chartspec import ChartSpec, load_chart_spec
from .inputs import named_data_files
from .errors import SourceError
from .locale import Locale, load_locale
from .statistics import Statistics, load_statistics

# Colours come from the style file's cycle: the first is the accent for the latest value,
# the last a muted tint for earlier ones.
_EARLIER, _LATEST = -1, 0
# The Word edition's pictures are the PNGs: 300 dpi at their printed size is what print
# needs (the SVG's raster parts, if any, get the same).
CHART_DPI = 300


def render_chart(spec_path: Path, data_dir: Path, style_path: Path, locale_path: Path,
                 svg_path: Path, png_path: Path, phone_style: Path | None = None,
                 phone_svg: Path | None = None) -> None:
    """Draw a chart in the publication's language (its locale file: period labels, number
    symbols, the unit line); with ``phone_svg``, also its narrow variant for the web edition
    on a phone, in the house style with ``phone_style`` on top."""
    spec = load_chart_spec(spec_path)
    stats = load_statistics(named_data_files(spec, data_dir))
    locale = load_locale(locale_path)
    draw(spec, stats, locale, Path(style_path), Path(svg_path), Path(png_path),
         phone_style=phone_style, phone_svg=phone_svg)


def _bar_range(values: list[float], headroom: float) -> tuple[float, float]:
    """Axis limits that hold every bar, negative ones too, with room for the labels."""
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    return (low - span * headroom if low < 0 else 0.0), (high + span * headroom if high > 0
                                                         else span * headroom)


# Characters of Chinese, Japanese or Korean script, and their full-width punctuation.
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _wrap(label: str, width: int = 12) -> str:
    """Break a long label into lines: a Chinese one into lines of at most ``width``
    characters, before an opening bracket where there is one, and never inside a run of
    digits or Latin letters; one in a script that spaces its words at its spaces, into lines
    about as wide (a Latin letter is half as wide as a Chinese character)."""
    if not _CJK_RE.search(label):
        return "\n".join(textwrap.wrap(label, width * 2, break_long_words=False,
                                        break_on_hyphens=False)) or label
    if len(label) <= width:
        return label
    head, bracket, tail = label.partition("（")
    if bracket and head:
        return _wrap(head, width) + "\n" + _wrap(bracket + tail, width)
    # Tokens: a run of ASCII letters/digits stays whole; every other character stands alone.
    tokens = re.findall(r"[A-Za-z0-9.%—–-]+|.", label)
    # Balanced lines: 13 characters become 7 + 6, not 12 + 1.
    target = -(-len(label) // -(-len(label) // width))
    lines, line = [], ""
    for token in tokens:
        if line and len(line) + len(token) > target:
            lines.append(line)
            line = ""
        line += token
    lines.append(line)
    return "\n".join(lines)


def draw(spec: ChartSpec, stats: Statistics, locale: Locale, style_path: Path,
         svg_path: Path, png_path: Path, phone_style: Path | None = None,
         phone_svg: Path | None = None) -> None:
    # Before the style: a fault in the spec names the spec.
    points = spec.points(stats, locale)
    unit_line = locale.text("unit", unit=spec.unit)
    # The page's chart (SVG and PNG), and the phone's (SVG) when it is asked for.
    variants = [None] + ([Path(phone_style)] if phone_svg is not None else [])
    drawn = []
    for variant in variants:
        try:
            with house_style(style_path, variant):
                if locale.chart_font and _font_known(locale.chart_font):
                    # The language's face first (Latin text in Noto Sans, not in the Latin
                    # glyphs of a CJK face); the house style's faces stay behind it.
                    import matplotlib

                    matplotlib.rcParams["font.family"] = [locale.chart_font,
                                                          *matplotlib.rcParams["font.family"]]
                drawn.append(_drawn(spec, points, unit_line, png=variant is None))
        except SourceError:
            raise
        except Exception as exc:
            raise drawing_error(variant or style_path, spec.id, exc) from None
    (svg, png), *phone = drawn
    svg_path.parent.mkdir(parents=True, exist_ok=True)
    svg_path.write_bytes(svg)
    png_path.write_bytes(png)
    if phone:
        Path(phone_svg).parent.mkdir(parents=True, exist_ok=True)
        Path(phone_svg).write_bytes(phone[0][0])


def _font_known(family: str) -> bool:
    """Whether matplotlib can draw in ``family``. matplotlib keeps a list of the system's
    fonts from the first time it ran: a face installed after that (Debian's fonts after
    the Python packages) is added from its files here. A face not installed at all is
    left out, and the house style's faces draw the chart."""
    from matplotlib import font_manager

    def known() -> bool:
        return any(f.name == family for f in font_manager.fontManager.ttflist)

    if not known():
        stem = family.replace(" ", "") + "-"
        for path in font_manager.findSystemFonts():
            if Path(path).name.startswith(stem):
                font_manager.fontManager.addfont(path)
    return known()


def _mark_derived(fig, points: list, artists: list) -> None:
    """A value worked out from others, not stated: its bar hatched and outlined (its point
    hollow) and, under the chart, the note saying how (its words from the locale file)."""
    notes = []
    for point, artist in zip(points, artists):
        if not point.derived:
            continue
        notes.append(point.derived)
        color = artist.get_facecolor() if hasattr(artist, "get_hatch") else artist.get_color()
        if hasattr(artist, "get_hatch"):  # a bar
            artist.set_facecolor("white")
            artist.set_edgecolor(color)
            artist.set_hatch("////")
            artist.set_linewidth(1.0)
        else:  # a point on a line
            artist.set_markerfacecolor("white")
            artist.set_markeredgecolor(color)
            artist.set_zorder(3)
    if notes:
        fig.supxlabel("\n".join(notes), x=0.01, ha="left", fontsize=8, color="#666666")


def _drawn(spec: ChartSpec, points: list, unit_line: str,
           png: bool = True) -> tuple[bytes, bytes | None]:
    """The chart as SVG and PNG (without ``png``, SVG alone), drawn with the settings in
    force."""
    # The object-oriented API without pyplot: no GUI backend machinery to import (0.06 s of
    # each chart job) and no global figure list to close.
    import matplotlib
    from matplotlib.figure import Figure

    labels = [_wrap(p.label) for p in points]
    values = [p.value for p in points]
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    accent, muted = colors[_LATEST], colors[_EARLIER]
    # A fixed page size (no tight bounding box) gives every chart the same scale on the
    # page, so chart text is the same size everywhere; constrained layout fits labels.
    fig = Figure(layout="constrained")
    ax = fig.subplots()
    if spec.kind == "column":
        bar_colors = [muted] * (len(points) - 1) + [accent]
        bars = ax.bar(labels, values, width=0.5, color=bar_colors)
        ax.bar_label(bars, labels=[p.text for p in points], padding=3, fontsize=9.5,
                     fontweight="bold")
        ax.set_ylim(*_bar_range(values, 0.18))
        if min(values) < 0:
            ax.axhline(0, color="#555555", linewidth=0.6)
        ax.set_yticklabels([])
        _mark_derived(fig, points, list(bars))
    elif spec.kind == "bar":
        # Horizontal bars: the height follows the number of bars, not the page.
        fig.set_size_inches(fig.get_figwidth(), 0.75 + 0.5 * len(points))
        # Horizontal bars read top to bottom in the order the spec lists them.
        bar_colors = [accent if v == max(values) else muted for v in values]
        bars = ax.barh(labels[::-1], values[::-1], height=0.5, color=bar_colors[::-1])
        ax.bar_label(bars, labels=[p.text for p in points][::-1], padding=3, fontsize=9.5,
                     fontweight="bold")
        ax.set_xlim(*_bar_range(values, 0.15))
        if min(values) < 0:
            ax.axvline(0, color="#555555", linewidth=0.6)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(True)
        ax.spines["bottom"].set_visible(False)
        ax.set_xticklabels([])
        _mark_derived(fig, points, list(bars)[::-1])
    else:  # line
        xs = range(len(points))
        ax.plot(xs, values, color=accent, linewidth=2, marker="o", markersize=6)
        for x, p in zip(xs, points):
            ax.annotate(p.text, (x, p.value), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize=9.5, fontweight="bold")
        ax.set_xticks(list(xs), labels)
        low, high = min(values), max(values)
        span = (high - low) or abs(high) or 1
        ax.set_ylim(low - span * 0.6, high + span * 0.6)
        ax.set_xlim(-0.4, len(points) - 0.6)
        ax.set_yticklabels([])
        _mark_derived(fig, points, [ax.plot([x], [p.value], linestyle="none", marker="o",
                                            markersize=6, color=accent)[0]
                                    for x, p in zip(xs, points)])
    fig.suptitle(unit_line, x=0.01, ha="left", fontsize=8, color="#666666")
    # Fixed metadata keeps rebuilds byte-identical when nothing changed. The resolution
    # is the pipeline's, not the style's savefig.dpi (3000 made a 585 MB chart).
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", dpi=CHART_DPI, metadata={"Date": None, "Creator": None})
    if not png:
        return svg.getvalue(), None
    raster = io.BytesIO()
    fig.savefig(raster, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return svg.getvalue(), raster.getvalue()
