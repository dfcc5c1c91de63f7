"""A publication's language: every word the pipeline writes itself, and how it prints
numbers, quantities and periods, from templates/locales/<lang>.yaml.

The text's front matter names the language (``lang: en``); its locale file holds the words
(图3 / Figure 3, （见图3） / (see Figure 3), 单位：亿元 / Unit: million TEU …) and the patterns
of periods (2023年6月 / June 2023). The number symbols (decimal point, thousands separator,
minus sign) and the month names come from Babel, for the locale the file's ``babel:`` names.

A locale file is checked as a whole when it is loaded: every string present and plain text,
each using only the fields it is given (``{number}``, ``{unit}`` …) and those it must show,
so that a mistake in it names its line instead of printing wrong words in every edition.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from .errors import SourceError
from .textfiles import (line_of, plain_text_fault, read_yaml_mapping, refuse_unknown_keys,
                        yaml_flag)

# The strings a locale gives, each with the fields it is filled with. A field in a tuple
# is required; a tuple of several names requires at least one of them.
STRINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "contents": (),
    "key_figures": (),
    "notes": (),
    "back_to_text": (),
    # The web edition's links to the other editions: "Download: PDF edition · Word edition".
    "editions": (),
    "pdf_edition": (),
    "word_edition": (),
    "brief_title": (),
    "unit": (("unit",),),
    "period_note": (("period",),),
    "figure": (("number",),),
    "table": (("number",),),
    "box": (("number",),),
    "see_figure": (("number",),),
    "see_table": (("number",),),
    "see_box": (("number",),),
    "see_section": (("title",),),
    "caption_separator": (),
    "appendix_label": (),
    "appendix_period": (),
    "appendix_value": (),
    "appendix_unit": (),
    "appendix_section": (),
    "list_separator": (),
    "sentence_end": (),
    "sentence_join": (),  # between two sentences: a space in English, nothing in Chinese
    # A chart's alt text states its values: "2013: 664.4 billion yuan; 2022: …".
    "data_point": (("label",), ("value",)),
    "alt_with_values": (("alt",), ("values",)),
    # A value worked out from others (a chart's "a - b", a data row's 'derived' column):
    # its mark after the value or label, and the note under the chart or table.
    "derived_mark": (),
    "derived_note": (("mark",), ("label",), ("value",), ("formula",)),
    # The appendix's period cell for a value the text gives without a period.
    "period_unstated": (),
    # The change report a publish writes beside the editions (paperpress/changes/).
    "changes_title": (("title",),),
    "changes_first_edition": (),
    "changes_against_approved": (("release",), ("date",), ("approved",)),
    "changes_against_previous": (("release",), ("date",)),
    "changes_no_model": (),
    "changes_numbers": (),
    "changes_numbers_from_text": (),
    "changes_text": (),
    "changes_figures": (),
    "changes_pages": (),
    "changes_page_counts": (),
    "changes_pages_changed": (("pages",),),
    "changes_page_separator": (),  # between the numbers of the pages that changed
    "changes_page": (("number",),),
    "changes_rows": (("count",),),
    "changes_edition": (),
    "changes_key": (),
    "changes_period": (),
    "changes_old": (),
    "changes_new": (),
    "changes_where": (),
    "changes_place_chart": (("label",), ("caption",)),  # a chart that plots a number
    "changes_added": (),
    "changes_removed": (),
    "changes_changed": (),
    "changes_none": (),
    "changes_not_paged": (),
    # The provenance report (build/<pub>/numbers.html): where each printed number comes from.
    "numbers_title": (("title",),),
    "numbers_summary": (("count",), ("data",), ("typed",)),
    "numbers_summary_charts": (("count",),),  # the values charts show, beside the text's
    "numbers_checks": (),
    "numbers_check_duplicate": (),
    "numbers_check_contradiction": (),
    "numbers_setting_warn": (),
    "numbers_setting_stop": (),
    "numbers_warnings": (("count",),),
    "numbers_no_warnings": (),
    "numbers_warning_duplicate": (("text",), ("row",), ("placeholder",)),
    "numbers_warning_contradiction": (("text",), ("label",), ("values",)),
    "numbers_col_number": (),
    "numbers_col_from": (),
    "numbers_col_where": (),
    "numbers_col_text": (),
    "numbers_data": (),
    "numbers_typed": (),
    "numbers_before_text": (),
    **{f"numbers_kind_{kind}": () for kind in (
        "year", "date", "ordinal", "quantity", "value", "period", "label", "unit",
        "section")},
    **{f"numbers_place_{place}": () for place in (
        "paragraph", "heading", "list", "quote", "box", "table", "figure", "key_figure",
        "note", "cover", "chart")},
}
PERIODS: dict[str, tuple[tuple[str, ...], ...]] = {
    "year": (("year",),),
    "month": (("year",), ("month", "month_name")),
    "H1": (("year",),),
    "H2": (("year",),),
    "years": (("start",), ("end",)),
    "months_in_year": (("year",), ("start_month", "start_month_name"),
                       ("end_month", "end_month_name")),
    "range": (("start",), ("end",)),
}
SECTIONS = ("babel", "strings", "numbers", "periods")
# Optional: the face a chart's text is set in, ahead of the house style's; the faces the
# Word editions fall back to on a machine without the template's own; the live
# preview's words (paperpress/preview/page.py reads them).
OPTIONAL_SECTIONS = ("chart_font", "word_fonts", "preview")
# What a word_fonts entry may say of a face (see templates/locales/zh-CN.yaml).
WORD_FONT_KEYS = ("instead", "charset", "family", "panose")
WORD_FONT_FAMILIES = ("roman", "swiss", "modern", "script", "decorative", "auto")
NUMBER_SETTINGS = ("group_thousands", "unit_space", "attached_units")
# A language tag as the text's front matter gives it (BCP 47: en, zh-CN, zh-Hant-TW): it
# names the locale file, so nothing else may be in it.
LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
MAX_STRING_CHARS = 200


def locale_path(templates: Path, lang, named_in: Path | None = None,
                line: int | None = None) -> Path:
    """templates/locales/<lang>.yaml. A language without a file stops the build, naming
    where the language was given (``named_in``, ``line``) and how to add one."""
    folder = Path(templates) / "locales"
    where = named_in if named_in is not None else folder
    if not isinstance(lang, str) or not LANG_RE.fullmatch(lang):
        raise SourceError(where, f"lang '{lang}' is not a language tag: write one such as"
                                 " en, zh-CN or zh-TW", line=line)
    path = folder / f"{lang}.yaml"
    if not path.is_file():
        raise SourceError(where, f"lang '{lang}': there is no locale file {path}: copy"
                                 f" {folder / 'en.yaml'} to {path} and translate its words"
                                 " (see docs/locales.md)", line=line)
    return path


@dataclass(frozen=True)
class Locale:
    lang: str
    path: str
    babel: str
    strings: dict
    periods: dict
    group_thousands: bool
    unit_space: str
    attached_units: tuple[str, ...] = field(default=())
    chart_font: str = ""
    # Face of the Word template -> {"instead": [faces], "charset", "family", "panose"}.
    word_fonts: dict = field(default_factory=dict)

    @property
    def language_tag(self) -> str:
        """The language as a document declares it (Word, core properties): the text's tag,
        with the region of the Babel locale when the text gives none and the languages
        agree (lang: en, babel: en_GB -> en-GB)."""
        language, _, region = self.babel.partition("_")
        region = region.rpartition("_")[2]  # zh_Hans_CN -> CN
        if "-" in self.lang or language.lower() != self.lang.lower() or not region:
            return self.lang
        return f"{self.lang}-{region}"

    # --- words ------------------------------------------------------------------------

    def text(self, key: str, **fields) -> str:
        """The string ``key`` with its fields filled: text("see_figure", number=3)."""
        return self.strings[key].format(**fields)

    def label_word(self, kind: str) -> str:
        """What a numbered thing is called without its number: 图, Figure, Box."""
        return self.strings[kind].replace("{number}", "").strip()

    # --- numbers ----------------------------------------------------------------------

    @cached_property
    def _babel(self):
        from babel import Locale as BabelLocale

        return BabelLocale.parse(self.babel)

    @cached_property
    def _integer_pattern(self) -> str:
        """The integer part of the language's number pattern (#,##0; #,##,##0 in Hindi),
        or 0 where thousands are not grouped."""
        if not self.group_thousands:
            return "0"
        positive = self._babel.decimal_formats[None].pattern.split(";")[0]
        return re.sub(r"[^#,0]", "", positive.split(".")[0]) or "#,##0"

    def number(self, value: Decimal) -> str:
        """``value`` with exactly the decimals the data file typed (34.50 stays 34.50), in
        the language's symbols: 1,234.5 in English, 3518.1 in Chinese, −1 234,5 in Swedish."""
        from babel.numbers import format_decimal, get_minus_sign_symbol

        value = Decimal(value)
        decimals = max(-value.as_tuple().exponent, 0)
        # The pattern is built from the value's own exponent: Babel's own patterns round to
        # three decimals, and decimal_quantization=False drops trailing zeros (34.50 → 34.5).
        pattern = self._integer_pattern + ("." + "0" * decimals if decimals else "")
        text = format_decimal(abs(value), format=pattern, locale=self._babel)
        # Babel writes an ASCII hyphen before a negative number whatever the language's
        # minus sign is: put the language's own.
        return get_minus_sign_symbol(self._babel) + text if value < 0 else text

    @cached_property
    def number_symbols(self) -> tuple[str, str, str]:
        """The decimal point, thousands separator and minus sign ``number`` writes."""
        from babel.numbers import (get_decimal_symbol, get_group_symbol,
                                   get_minus_sign_symbol)

        return (get_decimal_symbol(self._babel), get_group_symbol(self._babel),
                get_minus_sign_symbol(self._babel))

    def quantity(self, number: str, unit: str) -> str:
        """A number with its unit: 3518.1亿元, 1.55 million TEU, 50.1%."""
        return f"{number}{self.unit_separator(unit)}{unit}" if unit else number

    def unit_separator(self, unit: str) -> str:
        """What stands between a number and ``unit``: a space in English (none before %),
        nothing in Chinese."""
        if any(unit.startswith(u) for u in self.attached_units):
            return ""
        return self.unit_space

    # --- periods ----------------------------------------------------------------------

    @cached_property
    def _month_names(self) -> dict:
        from babel.dates import get_month_names

        # Stand-alone names: a period is a label ("June 2023"), not part of a date.
        return get_month_names("wide", context="stand-alone", locale=self._babel)

    def period(self, period: str) -> str:
        """A period as the language writes it (every form statistics.PERIOD_RE accepts):
        2023-01/2023-10 → 2023年1—10月, January–October 2023."""
        p = self.periods
        start, _, end = period.partition("/")
        y1, s1 = _point(start)
        if not end:
            return self._point_text(y1, s1)
        y2, s2 = _point(end)
        if s1 is None and s2 is None:
            return p["years"].format(start=y1, end=y2)
        if y1 == y2 and _is_month(s1) and _is_month(s2):
            return p["months_in_year"].format(
                year=y1, start_month=int(s1), end_month=int(s2),
                start_month_name=self._month_names[int(s1)],
                end_month_name=self._month_names[int(s2)])
        return p["range"].format(start=self._point_text(y1, s1),
                                 end=self._point_text(y2, s2))

    def fact_period(self, fact) -> str:
        """A data row's period as printed: the words the data give for it as typed, else
        the period in the language's style; "" when the text gives none."""
        if fact.period_label:
            return fact.period_label
        return self.period(fact.period) if fact.period else ""

    def _point_text(self, year: str, sub: str | None) -> str:
        if sub is None:
            return self.periods["year"].format(year=year)
        if sub in ("H1", "H2"):
            return self.periods[sub].format(year=year)
        return self.periods["month"].format(year=year, month=int(sub),
                                            month_name=self._month_names[int(sub)])


def _point(text: str) -> tuple[str, str | None]:
    year, _, sub = text.partition("-")
    return year, sub or None


def _is_month(sub: str | None) -> bool:
    return sub is not None and sub.isdigit()


def load_locale(path: Path) -> Locale:
    """Read and check a locale file; every fault names the file and line."""
    path = Path(path)
    raw = read_yaml_mapping(path, " (babel:, strings:, numbers:, periods:)")
    refuse_unknown_keys(path, raw, SECTIONS + OPTIONAL_SECTIONS, "a part of a locale file",
                        listing="it has")
    for key in SECTIONS:
        if key not in raw:
            raise SourceError(path, f"lacks '{key}:' (see templates/locales/en.yaml)",
                              line=1)
    babel_name = _babel_name(path, raw)
    strings = _patterns(path, raw, "strings", STRINGS)
    periods = _patterns(path, raw, "periods", PERIODS)
    numbers = _section(path, raw, "numbers")
    for key in numbers:
        if key not in NUMBER_SETTINGS:
            raise SourceError(path, f"numbers: '{key}' is not a number setting (they are"
                                    f" {', '.join(NUMBER_SETTINGS)})", line=line_of(numbers, key))
    for key in ("group_thousands", "unit_space"):
        if key not in numbers:
            raise SourceError(path, f"numbers: lacks '{key}'", line=line_of(raw, "numbers"))
    try:
        group = yaml_flag(numbers["group_thousands"], path, "group_thousands")
    except SourceError as exc:
        raise SourceError(path, f"numbers: {exc.message}",
                          line=line_of(numbers, "group_thousands")) from None
    unit_space = numbers["unit_space"]
    if not isinstance(unit_space, str) or unit_space.strip():
        raise SourceError(path, "numbers: 'unit_space' is what stands between a number and"
                                ' its unit: "" for none, " " for a space',
                          line=line_of(numbers, "unit_space"))
    attached = numbers.get("attached_units", [])
    if not isinstance(attached, list) or not all(isinstance(u, str) and u for u in attached):
        raise SourceError(path, "numbers: 'attached_units' must be a list of units written"
                                ' without a space, e.g. ["%", "‰", "°"]',
                          line=line_of(numbers, "attached_units"))
    chart_font = raw.get("chart_font", "")
    if not isinstance(chart_font, str) or len(chart_font) > 100 or plain_text_fault(chart_font):
        raise SourceError(path, "'chart_font' must be the name of a font family, e.g."
                                " Noto Sans", line=line_of(raw, "chart_font"))
    return Locale(lang=path.stem, path=str(path), babel=babel_name, strings=strings,
                  periods=periods, group_thousands=group, unit_space=unit_space,
                  attached_units=tuple(attached), chart_font=chart_font.strip(),
                  word_fonts=_word_fonts(path, raw))


def _word_fonts(path: Path, raw: dict) -> dict:
    """word_fonts: each face of the Word template with the faces a reader's Word or
    LibreOffice takes instead, and what the font table says of it."""
    section = raw.get("word_fonts") or {}
    if not isinstance(section, dict):
        raise SourceError(path, "'word_fonts' must be a mapping of a face to its"
                                " replacements, e.g. Noto Serif CJK SC: {instead: [宋体]}",
                          line=line_of(raw, "word_fonts"))
    fonts = {}
    for face, entry in section.items():
        line = line_of(section, face)

        def fail(message):
            raise SourceError(path, f"word_fonts: '{face}' {message}", line=line)

        if not face.strip() or len(face) > 100 or plain_text_fault(face):
            fail("is not the name of a font family")
        if not isinstance(entry, dict):
            fail("must be a mapping such as {instead: [宋体, SimSun], charset: \"86\"}")
        for key in entry:
            if key not in WORD_FONT_KEYS:
                fail(f"has '{key}', which is not one of {', '.join(WORD_FONT_KEYS)}")
        instead = entry.get("instead")
        if not isinstance(instead, list) or not instead or not all(
                isinstance(n, str) and n.strip() and "," not in n and len(n) <= 100
                for n in instead):
            fail("needs 'instead': a list of font family names, e.g. [宋体, SimSun]")
        charset = entry.get("charset", "")
        if not isinstance(charset, str) or (charset and not re.fullmatch(
                r"[0-9A-Fa-f]{2}", charset)):
            fail("charset must be two hex digits, as Word writes them: \"86\" for Simplified"
                 " Chinese (GB 2312), \"00\" for Latin")
        family = entry.get("family", "")
        if family and family not in WORD_FONT_FAMILIES:
            fail(f"family must be one of {', '.join(WORD_FONT_FAMILIES)}")
        panose = entry.get("panose", "")
        if not isinstance(panose, str) or (panose and not re.fullmatch(r"[0-9A-Fa-f]{20}",
                                                                       panose)):
            fail("panose must be the face's PANOSE number: 20 hex digits")
        fonts[face.strip()] = {"instead": [n.strip() for n in instead],
                               "charset": charset.upper(), "family": family,
                               "panose": panose.upper()}
    return fonts


def _babel_name(path: Path, raw: dict) -> str:
    from babel import Locale as BabelLocale, UnknownLocaleError

    name, line = raw["babel"], line_of(raw, "babel")
    if not isinstance(name, str):
        raise SourceError(path, "'babel' must be a locale name such as en_GB", line=line)
    try:
        BabelLocale.parse(name, sep="-" if "-" in name else "_")
    except (UnknownLocaleError, ValueError, TypeError):
        raise SourceError(path, f"babel: '{name}' is not a locale Babel knows: write one such"
                                " as en_GB, en_US, zh_Hans_CN or zh_Hant_TW", line=line) from None
    return name.replace("-", "_")


def _section(path: Path, raw: dict, name: str) -> dict:
    section = raw[name]
    if not isinstance(section, dict):
        raise SourceError(path, f"'{name}' must be a mapping of names to text",
                          line=line_of(raw, name))
    return section


def _patterns(path: Path, raw: dict, name: str, wanted: dict) -> dict:
    """The strings of section ``name``: all of ``wanted`` there, nothing else, each plain
    text using only the fields it is filled with, and those it must show."""
    section = _section(path, raw, name)
    for key in section:
        if key not in wanted:
            raise SourceError(path, f"{name}: '{key}' is not one of the locale's {name}"
                                    f" ({', '.join(wanted)})", line=line_of(section, key))
    for key, required in wanted.items():
        if key not in section:
            raise SourceError(path, f"{name}: lacks '{key}' (templates/locales/en.yaml has"
                                    f" each of them)", line=line_of(raw, name))
        value, line = section[key], line_of(section, key)
        if not isinstance(value, str):
            raise SourceError(path, f"{name}: '{key}' must be text, in quotes if it holds"
                                    " [ ] { } or a colon", line=line)
        if len(value) > MAX_STRING_CHARS:
            raise SourceError(path, f"{name}: '{key}' has {len(value)} characters: at most"
                                    f" {MAX_STRING_CHARS}", line=line)
        if fault := plain_text_fault(value):
            raise SourceError(path, f"{name}: '{key}' {fault}", line=line)
        _check_fields(path, f"{name}: '{key}'", value, required, line)
    return dict(section)


def _check_fields(path: Path, shown: str, value: str, required, line) -> None:
    allowed = {n for names in required for n in names}
    may = " or ".join(f"{{{n}}}" for n in sorted(allowed)) or "no field"
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        raise SourceError(path, f"{shown} has a '{{' or '}}' that opens or closes no field:"
                                " write {{ and }} for the braces themselves", line=line) from None
    used = set()
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if spec or conversion:
            raise SourceError(path, f"{shown}: write the field as {{{field_name}}}, without"
                                    " a format or conversion", line=line)
        if field_name not in allowed:
            raise SourceError(path, f"{shown} uses {{{field_name}}}, which it cannot fill"
                                    f" (it may use {may})", line=line)
        used.add(field_name)
    for names in required:
        if not used & set(names):
            needed = " or ".join(f"{{{n}}}" for n in names)
            raise SourceError(path, f"{shown} must contain {needed}", line=line)
