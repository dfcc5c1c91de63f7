"""A publication's language: every word the pipeline writes and every number and period
format, from templates/locales/<lang>.yaml (Babel for the number formats).

(First cut: the full loader with validation replaces this.)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .errors import SourceError
from .textfiles import read_yaml_mapping


def locale_path(templates: Path, lang: str) -> Path:
    return Path(templates) / "locales" / f"{lang}.yaml"


@dataclass
class Locale:
    lang: str
    path: str
    babel: str
    strings: dict
    numbers: dict
    periods: dict

    def text(self, key: str, **fields) -> str:
        try:
            template = self.strings[key]
        except KeyError:
            raise SourceError(Path(self.path), f"lacks the string '{key}'") from None
        return template.format(**fields)

    def label_word(self, kind: str) -> str:
        return self.strings[kind].replace("{number}", "").strip()

    def number(self, value: Decimal) -> str:
        text = format(value, "f")
        if str(self.numbers.get("group_thousands")).lower() not in ("true", "yes"):
            return text
        sign, digits, exponent = value.as_tuple()
        decimals = max(-exponent, 0)
        from babel.numbers import format_decimal
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.babel,
                              decimal_quantization=False)

    def quantity(self, number: str, unit: str) -> str:
        if not unit:
            return number
        space = self.numbers.get("unit_space", "")
        if unit[0] in "%‰°" or not space:
            return f"{number}{unit}"
        return f"{number}{space}{unit}"

    def period(self, period: str) -> str:
        from babel.dates import get_month_names

        months = get_month_names("wide", locale=self.babel)
        p = self.periods

        def point(text: str) -> tuple[str, str | None]:
            year, _, rest = text.partition("-")
            return year, rest or None

        def one(year: str, sub: str | None) -> str:
            if sub is None:
                return p["year"].format(year=year)
            if sub.startswith("H"):
                return p[sub].format(year=year)
            return p["month"].format(year=year, month=int(sub), month_name=months[int(sub)])

        start, _, end = period.partition("/")
        y1, s1 = point(start)
        if not end:
            return one(y1, s1)
        y2, s2 = point(end)
        if s1 is None and s2 is None:
            return p["years"].format(start=y1, end=y2)
        if y1 == y2 and s1 and s2 and not s1.startswith("H"):
            return p["months_in_year"].format(
                year=y1, start_month=int(s1), end_month=int(s2),
                start_month_name=months[int(s1)], end_month_name=months[int(s2)])
        return p["range"].format(start=one(y1, s1), end=one(y2, s2))


def load_locale(path: Path) -> Locale:
    path = Path(path)
    raw = read_yaml_mapping(path)
    return Locale(lang=path.stem, path=str(path), babel=raw["babel"], strings=raw["strings"],
                  numbers=raw.get("numbers") or {}, periods=raw["periods"])
