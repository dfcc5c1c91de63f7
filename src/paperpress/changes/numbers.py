"""Every number that changed: from the model's list of its numbers (key, period, value and
where each appears) when both models carry one, else read from the text that changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .textdiff import Change, changed_numbers


@dataclass
class NumberChange:
    key: str
    period: str
    old: str        # as the text prints it; "" when the number is new
    new: str        # "" when it is gone
    where: list[str] = field(default_factory=list)


def _place(entry: dict, where: dict) -> str:
    """Where a listed number is printed: its section's heading, the kind of place
    (paragraph, key_figure, table …) and the line of text.md its block starts at.
    ``where``: {"lines": block index -> line, "sections": heading anchor -> its text}."""
    section = entry.get("section") or ""
    kind = str(entry.get("place") or "")
    # The provenance report's locale words for a place, where the locale has them.
    shown = where.get("strings", {}).get(f"numbers_place_{kind}", kind.replace("_", " "))
    parts = [where.get("sections", {}).get(section, section), shown]
    place = " — ".join(dict.fromkeys(p for p in parts if p)) or str(entry.get("block", ""))
    line = where.get("lines", {}).get(entry.get("block"))
    return f"{place} (text.md:{line})" if line else place


def _by_key(numbers: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for entry in numbers:
        # A data row prints its value, and may print its period and label too (a table's
        # row): the value is what changes.
        if (entry.get("source") == "data" and entry.get("key")
                and entry.get("kind", "value") in ("value", "")):
            out.setdefault((str(entry["key"]), str(entry.get("period") or "")), []).append(entry)
    return out


def _shown(entries: list[dict]) -> str:
    e = entries[0]
    return str(e.get("text") or e.get("value", ""))


def data_number_changes(old: list[dict], new: list[dict], old_where: dict | None = None,
                        new_where: dict | None = None) -> list[NumberChange]:
    """Numbers drawn from the data whose value changed, or that came or went, by key and
    period, each with every place it appears in the new text (the old, when gone), the
    charts that plot it among them; a value only a chart shows is listed too.
    ``*_where``: how to name a place of each model (see ``_place``)."""
    old_where, new_where = old_where or {}, new_where or {}
    before, after = _by_key(old), _by_key(new)
    if old_where.get("plots_listed") and new_where.get("plots_listed"):
        # A model made before figures said what they plot would make every value only
        # a chart shows look added.
        before, after = _with_charts(before, old_where), _with_charts(after, new_where)
    out = []
    for key, entries in after.items():
        was = before.get(key)
        if was is None:
            out.append(NumberChange(*key, "", _shown(entries), _places(entries, new_where)))
        elif (was[0].get("value"), was[0].get("unit")) != (entries[0].get("value"),
                                                           entries[0].get("unit")):
            out.append(NumberChange(*key, _shown(was), _shown(entries),
                                    _places(entries, new_where)))
    for key, entries in before.items():
        if key not in after:
            out.append(NumberChange(*key, _shown(entries), "", _places(entries, old_where)))
    return out


def _places(entries: list[dict], where: dict) -> list[str]:
    """Every place a number is printed, in reading order, with every chart that plots it
    after what the chart's block prints (its caption)."""
    places = [(e.get("block"), _place(e, where)) for e in entries if not e.get("chart_only")]
    if entries:
        key = (str(entries[0].get("key")), str(entries[0].get("period") or ""))
        for block, chart, _ in where.get("charts", {}).get(key, []):
            at = next((n for n, (b, _) in enumerate(places)
                       if isinstance(b, int) and b > block), len(places))
            places.insert(at, (block, chart))
    return list(dict.fromkeys(place for _, place in places))


def _with_charts(by_key: dict, where: dict) -> dict:
    """``by_key`` and the values only a chart shows (no text prints them)."""
    for key, charts in where.get("charts", {}).items():
        if key not in by_key:
            by_key[key] = [{**charts[0][2], "source": "data", "kind": "value",
                            "chart_only": True}]
    return by_key


def _chart_place(figure: dict, block: int, where: dict) -> str:
    """A chart as a place: "Figure 2 Container throughput, 2021–2025 — chart (text.md:40)",
    in the locale's words."""
    template = where.get("strings", {}).get("changes_place_chart", "{label} {caption} — chart")
    place = template.format(label=figure.get("label", ""), caption=figure.get("caption", ""))
    line = figure.get("line") or where.get("lines", {}).get(block)
    return f"{place} (text.md:{line})" if line else place


def _charts(model: dict, where: dict) -> dict[tuple[str, str], list[tuple[int, str, dict]]]:
    """(key, period) -> (top-level block, place, the value as plotted) of each chart that
    plots it; none in a model made before figures said what they plot (then
    ``where["plots_listed"]`` is False)."""
    out: dict[tuple[str, str], list[tuple[int, str, dict]]] = {}
    where["plots_listed"] = True

    def walk(blocks, top):
        for n, b in enumerate(blocks):
            index = n if top is None else top
            if b.get("kind") == "figure":
                where["plots_listed"] = where["plots_listed"] and "plots" in b
                for plotted in b.get("plots") or []:
                    key = (str(plotted.get("key")), str(plotted.get("period") or ""))
                    out.setdefault(key, []).append((index, _chart_place(b, index, where),
                                                    plotted))
            walk(b.get("blocks", []), index)
            for item in b.get("items", []):
                walk(item, index)

    walk(model.get("blocks", []), None)
    return out


def _plain(number: str) -> str:
    return number.replace(",", "").rstrip("%")


def _where(model: dict) -> dict:
    """What names a listed number's place in ``model``: each top-level block's line in
    text.md, each heading's text by its anchor, the charts that plot each key@period."""
    where = {"strings": model.get("strings", {}),
             "lines": {i: b.get("line", 0) for i, b in enumerate(model.get("blocks", []))},
             "sections": {b.get("anchor"): b.get("text", "") for b in model.get("blocks", [])
                          if b.get("kind") == "heading"}}
    where["charts"] = _charts(model, where)
    return where


def text_number_changes(changes: list[Change], known: set[str] = frozenset()) -> list[NumberChange]:
    """Numbers replaced in the text that changed (one row per old -> new, with every unit
    it was replaced in), leaving out those ``known`` already (the data's, by value)."""
    rows: dict[tuple[str, str], NumberChange] = {}
    for change in changes:
        if change.status != "changed":
            continue
        for old, new in changed_numbers(change):
            if _plain(new) in known:
                continue  # listed with its key and period
            row = rows.setdefault((old, new), NumberChange("", "", old, new))
            unit = change.unit
            place = " — ".join(dict.fromkeys(p for p in (unit.section, unit.owner) if p))
            place = place or unit.kind
            if unit.line:
                place += f" (text.md:{unit.line})"
            if place not in row.where:
                row.where.append(place)
    return list(rows.values())


def number_changes(old_model: dict, new_model: dict,
                   changes: list[Change]) -> tuple[list[NumberChange], bool]:
    """(the numbers that changed, whether they came from the models' lists of numbers)."""
    if isinstance(old_model.get("numbers"), list) and isinstance(new_model.get("numbers"), list):
        data = data_number_changes(old_model["numbers"], new_model["numbers"],
                                   _where(old_model), _where(new_model))
        known = {_plain(str(e.get("value", ""))) for e in new_model["numbers"]
                 if e.get("source") == "data" and any(
                     (e.get("key"), str(e.get("period") or "")) == (n.key, n.period)
                     for n in data)}
        return data + text_number_changes(changes, known), True
    return text_number_changes(changes), False
