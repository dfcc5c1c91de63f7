"""The house chart style (``templates/charts/house.mplstyle``): read, bounded and applied.

The style is an editor's file, and matplotlib would take a mistake in it as a warning on
stderr, a traceback from deep inside the drawing, or a chart of hundreds of megabytes.
Here every setting matplotlib skips or refuses stops the build naming the style and the
line, sizes are bounded, and the few settings that are the pipeline's (how text is read,
the scale a chart is drawn at) are set after the style, whatever it says.

Charts depend on matplotlib's built-in defaults and this file alone: a ``matplotlibrc`` in
the current folder, in $MPLCONFIGDIR or in ~/.config/matplotlib is not a declared input of
the build, so it must not change a chart.
"""

from __future__ import annotations

import codecs
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import SourceError
from .textfiles import read_text_file

MAX_STYLE_BYTES = 64 * 1024
# A chart stands in a 160 mm (6.3 in) text block; a figure beyond a page either way is a
# typo, and at the PNG's resolution its pixels grow with the square of its size.
MAX_FIGURE_INCHES = 12.0
# Font sizes, line widths, tick lengths and pads, in points. matplotlib rasterizes a glyph
# or a marker whole: a 5000 pt font took 1.3 GB, a 1e7 pt tick 2.2 GB. An inch is far more
# than any chart needs.
MAX_POINTS = 72.0
_LENGTH_KEY = re.compile(r"(size|width|pad)$")

# What the pipeline decides, whatever the style says. Chart text is plain text: no TeX
# (a LaTeX installation is no input of the build) and no mathtext, so '$' is a dollar and
# '$x^$' a label, not a parse error. No tight bounding box: every chart keeps the size the
# style gives it, so chart text is the same size on every page.
PIPELINE_SETTINGS = {"text.usetex": False, "text.parse_math": False,
                     "savefig.bbox": "standard"}


@contextmanager
def house_style(style_path: Path, variant_path: Path | None = None) -> Iterator[None]:
    """matplotlib's built-in defaults, then the house style, then a variant's settings on
    top of it if one is given (``templates/charts/phone.mplstyle``: the web edition's narrow
    charts), then PIPELINE_SETTINGS, for the duration of the block; the global settings are
    restored after it."""
    import matplotlib
    import matplotlib.style

    layers = [_read_style(Path(p)) for p in (style_path, variant_path) if p is not None]
    # "default" is matplotlib's built-in style, not whatever matplotlibrc was read at import.
    with matplotlib.style.context(["default"]):
        for path, text, settings in layers:
            matplotlib.style.use(settings)
            _check_bounds(path, text, matplotlib.rcParams)
        matplotlib.rcParams.update(PIPELINE_SETTINGS)
        yield


def _read_style(style_path: Path) -> tuple[Path, str, dict]:
    text = read_text_file(style_path, MAX_STYLE_BYTES)
    if style_path.read_bytes().startswith(codecs.BOM_UTF8):
        # matplotlib would read the mark as part of the first line's setting.
        raise SourceError(style_path, "starts with a byte order mark (UTF-8 with BOM): save"
                                      " it as UTF-8 without one", line=1)
    return style_path, text, _read_settings(style_path, text)


def _read_settings(style_path: Path, text: str) -> dict:
    """The style's settings, read by matplotlib's own reader. It logs a line it skips
    (an unknown setting, no colon, a setting given twice) as a warning: each is an error
    here, as is a value its validators refuse."""
    import matplotlib

    skipped = _LoggedWarnings()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(skipped)
    try:
        settings = matplotlib.rc_params_from_file(style_path, fail_on_error=True,
                                                  use_default_template=False)
    except Exception as exc:  # a validator's refusal: "Key font.size: Could not convert …"
        message = _one_line(exc)
        key = re.match(r"Key (\S+): (.*)", message)
        if key is None:
            raise SourceError(style_path,
                              f"matplotlib cannot read this style: {message}") from None
        raise SourceError(style_path, f"'{key[1]}': {key[2]}",
                          line=_line_of_setting(text, key[1])) from None
    finally:
        logger.removeHandler(skipped)
    if skipped.messages:
        raise _skipped_line_error(style_path, text, skipped.messages[0])
    return dict(settings)


class _LoggedWarnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _skipped_line_error(style_path: Path, text: str, logged: str) -> SourceError:
    """matplotlib's warning about a line it skipped, e.g. "Bad key x in file F, line 3
    ('x: 1')", in the pipeline's words."""
    first = next((ln for ln in logged.splitlines() if ln.strip()), logged).strip()
    where = re.search(r", line (\d+)", first)
    line = int(where[1]) if where else None
    what = first.split(" in file ", 1)[0]
    if m := re.fullmatch(r"Bad key (\S+)", what):
        message = f"'{m[1]}' is not a matplotlib setting (check its spelling)"
    elif what == "Missing colon":
        message = "is not a 'setting: value' line"
    elif (what == "Duplicate key" and (typed := re.search(r"\('\s*([^:']+?)\s*:", first))
          and len(lines := _lines_of_setting(text, typed[1])) > 1):
        message = f"sets '{typed[1]}' a second time (first on line {lines[0]}): keep one"
    else:
        message = f"matplotlib cannot use this line: {_one_line(first)}"
    return SourceError(style_path, message, line=line)


def _check_bounds(style_path: Path, text: str, params) -> None:
    """Refuse a figure or a length in points beyond any chart's need (see the bounds), and
    a colour cycle without colours (the charts take their accent and muted tint from it)."""
    from matplotlib.font_manager import FontProperties

    if not params["axes.prop_cycle"].by_key().get("color"):
        raise SourceError(style_path, "'axes.prop_cycle' gives the charts' colours: write"
                                      " cycler('color', ['9E1B1E', …]), the accent first",
                          line=_line_of_setting(text, "axes.prop_cycle"))

    width, height = params["figure.figsize"]
    if not (0 < width <= MAX_FIGURE_INCHES and 0 < height <= MAX_FIGURE_INCHES):
        raise SourceError(style_path, f"'figure.figsize' is {width:g} x {height:g} inches: a"
                                      f" chart may be at most {MAX_FIGURE_INCHES:g} x"
                                      f" {MAX_FIGURE_INCHES:g} inches",
                          line=_line_of_setting(text, "figure.figsize"))
    for key in sorted(params, key=lambda k: (k != "font.size", k)):
        if not _LENGTH_KEY.search(key):
            continue
        value = params[key]
        if isinstance(value, str):
            try:  # a relative font size ("large"), in points at the style's font.size
                value = FontProperties(size=value).get_size_in_points()
            except ValueError:
                continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not abs(value) <= MAX_POINTS:  # NaN too
            shown = f"{value:g} points" + ("" if params[key] == value else
                                           f" ({params[key]})")
            raise SourceError(style_path, f"'{key}' is {shown}: a size, width or pad in a"
                                          f" chart may be at most {MAX_POINTS:g} points"
                                          " (an inch)",
                              line=_line_of_setting(text, key))


def _line_of_setting(text: str, key: str) -> int | None:
    """The line that sets ``key`` (the last one, which matplotlib would take)."""
    lines = _lines_of_setting(text, key)
    return lines[-1] if lines else None


def _lines_of_setting(text: str, key: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1
            for m in re.finditer(rf"^[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)]


def _one_line(exc_or_text, limit: int = 200) -> str:
    """An exception's message (or a text) as one line of at most ``limit`` characters."""
    text = " ".join(str(exc_or_text).split()) or type(exc_or_text).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def drawing_error(style_path: Path, chart: str, exc: Exception) -> SourceError:
    """An exception matplotlib raised while drawing with the editor's style (a colour map
    that does not exist, a path effect that is not one, an empty colour cycle …)."""
    return SourceError(style_path, f"chart '{chart}' cannot be drawn with this style:"
                                   f" {type(exc).__name__}: {_one_line(exc)}")
