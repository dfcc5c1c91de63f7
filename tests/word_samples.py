"""Render models built by hand for the Word writer's tests: one publication holding every
kind of block, in Chinese and in English, with the charts and pictures it shows."""

from __future__ import annotations

from pathlib import Path

import yaml
from PIL import Image as Picture

from conftest import REPO
from paperpress.model import (Box, Brief, BriefChapter, BriefPoint, BriefSection, Document,
                              Figure, Heading, Image, KeyFigure, KeyFigurePanel, ListBlock,
                              Note, Paragraph, Quote, Span, Table)

LANGS = ("zh-CN", "en")

# Every text of the sample, per language. The English one holds no CJK character at all,
# so any CJK in its editions came from the writer or the template.
TEXTS = {
    "zh-CN": {
        "title": "研发&创新<白皮书>", "issuer": "某某研究院", "date": "2023年10月",
        "chapter": "一、总述", "section": "（一）研发", "appendix": "附录",
        "lead": "研发投入增加。", "body": "投入增长12.5%，A & B < C", "em": "明显",
        "see_fig": "（见图1）", "see_tbl": "（见表1）", "see_box": "（见专栏1）",
        "see_sec": "（见“（一）研发”）", "pre_link": "，详见", "link": "统计局网站", "as": "如",
        "bullet1": "第一项要点", "bullet2": "第二项要点", "continued": "第二项的续段",
        "nested1": "子项甲", "nested2": "子项乙",
        "num1": "第一步", "num2": "第二步", "num3": "第三步", "num4": "第四步",
        "between": "两个编号列表之间的段落。",
        "quote": "引文：开放合作是发展的必由之路。",
        "box_title": "试点经验", "box_text": "专栏正文段落。", "box_item": "专栏列表项",
        "chart_caption": "湖南与共建国家贸易规模", "chart_source": "资料来源：湖南省商务厅",
        "chart_alt": "柱状图，贸易规模逐年增长",
        "photo_caption": "岳阳港城陵矶码头", "photo_alt": "港口照片：集装箱码头",
        "photo_source": "摄影：某某", "map_caption": "中欧班列线路", "map_alt": "线路示意图",
        "table_caption": "各港口集装箱吞吐量", "table_source": "资料来源：港务局统计",
        "port": "港口", "north": "北港", "south": "南港",
        "note1": "注释第一段。", "note2": "注释第二段，见", "note_link": "数据网站",
        "summary": "总述摘要。", "point": "研发投入增加。", "evidence": "投入增长12.5%。",
        "compact1": "合作不断深化。", "compact2": "交流日益密切。", "compact": "（二）合作",
        "kf_label": "研发投入", "kf_period": "2022年", "brief_title": "要点",
    },
    "en": {
        "title": "Research & Innovation <White Paper>", "issuer": "Example Institute",
        "date": "October 2023",
        "chapter": "1 Overview", "section": "1.1 Research", "appendix": "Appendix",
        "lead": "Research spending rose.", "body": " It grew by 12.5%, A & B < C, ",
        "em": "markedly",
        "see_fig": " (see Figure 1)", "see_tbl": " (see Table 1)", "see_box": " (see Box 1)",
        "see_sec": " (see “1.1 Research”)", "pre_link": "; see the ",
        "link": "statistics office", "as": "As ",
        "bullet1": "First bullet point", "bullet2": "Second bullet point",
        "continued": "A second paragraph of the second point",
        "nested1": "Nested item one", "nested2": "Nested item two",
        "num1": "Step one", "num2": "Step two", "num3": "Step three", "num4": "Step four",
        "between": "A paragraph between two numbered lists.",
        "quote": "Quoted: open cooperation is the way forward.",
        "box_title": "Lessons from the pilot", "box_text": "The box's own paragraph.",
        "box_item": "An item in the box",
        "chart_caption": "Trade with partner countries", "chart_source": "Source: Commerce Department",
        "chart_alt": "Column chart, trade growing every year",
        "photo_caption": "The container terminal", "photo_alt": "Photo of the harbour",
        "photo_source": "Photo: A. Photographer", "map_caption": "Freight train routes",
        "map_alt": "Map of the routes",
        "table_caption": "Container throughput by port", "table_source": "Source: Harbour Authority",
        "port": "Port", "north": "North port", "south": "South port",
        "note1": "The note's first paragraph.", "note2": "Its second paragraph, see ",
        "note_link": "the data site",
        "summary": "The overview in brief.", "point": "Research spending rose.",
        "evidence": "It grew by 12.5%.",
        "compact1": "Cooperation deepened.", "compact2": "Exchanges grew closer.",
        "compact": "1.2 Cooperation",
        "kf_label": "Research spending", "kf_period": "2022", "brief_title": "At a glance",
    },
}
URL = "https://example.org/stats?year=2023&page=2"
NOTE_URL = "mailto:data@example.org"


def locale_strings(lang: str) -> dict:
    path = REPO / "templates" / "locales" / f"{lang}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["strings"]


def numbered(strings: dict, kind: str, number: int) -> tuple[str, str]:
    """(label, label word) as the model makes them from the locale."""
    label = strings[kind].format(number=number)
    return label, strings[kind].replace("{number}", "").strip()


def sample_document(lang: str, chapters_on_new_page: bool = True) -> Document:
    t, s = TEXTS[lang], locale_strings(lang)
    fig1, fig_word = numbered(s, "figure", 1)
    fig2, _ = numbered(s, "figure", 2)
    fig3, _ = numbered(s, "figure", 3)
    tbl1, tbl_word = numbered(s, "table", 1)
    box1, box_word = numbered(s, "box", 1)
    chapter = Heading(1, t["chapter"], "overview")
    section = Heading(2, t["section"], "research")
    appendix = Heading(1, t["appendix"], "appendix")
    para = Paragraph
    blocks = [
        chapter,
        KeyFigurePanel(),
        para([Span(t["lead"], strong=True), Span(t["body"]), Span(t["em"], em=True),
              Span(t["see_fig"], ref="fig-1"), Span(t["pre_link"]), Span(t["link"], href=URL),
              Span("1", note=1), Span(s["sentence_end"])]),
        section,
        ListBlock(ordered=False, items=[
            [para([Span(t["bullet1"])])],
            [para([Span(t["bullet2"])]), para([Span(t["continued"])]),
             ListBlock(ordered=True, depth=2, items=[[para([Span(t["nested1"])])],
                                                     [para([Span(t["nested2"])])]])]]),
        ListBlock(ordered=True, items=[[para([Span(t["num1"])])], [para([Span(t["num2"])])]]),
        para([Span(t["between"])]),
        ListBlock(ordered=True, start=3,
                  items=[[para([Span(t["num3"])])], [para([Span(t["num4"])])]]),
        Quote([para([Span(t["quote"])])]),
        Box(number=1, label=box1, label_word=box_word, title=t["box_title"], anchor="box-1",
            blocks=[para([Span(t["box_text"])]),
                    ListBlock(ordered=False, items=[[para([Span(t["box_item"])])]])]),
        Figure(chart="trade", number=1, label=fig1, label_word=fig_word, anchor="fig-1",
               caption=t["chart_caption"], source=t["chart_source"], alt=t["chart_alt"]),
        Image(src="images/harbour.png", number=2, label=fig2, label_word=fig_word,
              anchor="harbour", caption=t["photo_caption"], alt=t["photo_alt"],
              source=t["photo_source"], width=0.5),
        Image(src="images/routes.svg", number=3, label=fig3, label_word=fig_word,
              anchor="routes", caption=t["map_caption"], alt=t["map_alt"], width=0.8),
        Table(header=[[[Span(t["port"])], [Span("2023")], [Span("2024")]]],
              rows=[[[Span(t["north"])], [Span("1,234.5")], [Span("1,301.0")]],
                    [[Span(t["south"], strong=True)], [Span("987.6")], [Span("1,002.4")]]],
              align=["left", "right", "right"], widths=[0.5, 0.25, 0.25], number=1,
              label=tbl1, label_word=tbl_word, anchor="tbl-1", caption=t["table_caption"],
              source=t["table_source"], origin="data"),
        para([Span(t["as"]), Span(tbl1, ref="tbl-1"), Span(t["see_tbl"], ref="tbl-1"),
              Span(t["see_box"], ref="box-1"), Span(t["see_sec"], ref="research"),
              Span(s["sentence_end"])]),
        appendix,
        Table(header=[[[Span(s[k])] for k in ("appendix_label", "appendix_period",
                                               "appendix_value")]],
              rows=[[[Span(t["kf_label"])], [Span(t["kf_period"])], [Span("12.5")]]],
              align=["left", "left", "right"], widths=[0.6, 0.2, 0.2], origin="appendix"),
    ]
    notes = [Note(1, [[Span(t["note1"])],
                      [Span(t["note2"]), Span(t["note_link"], href=NOTE_URL)]],
                  "fn-1", "fnref-1")]
    brief_figure = Figure(chart="trade", number=1, label=fig1, label_word=fig_word,
                          anchor="fig-1", caption=t["chart_caption"],
                          source=t["chart_source"], alt=t["chart_alt"])
    space = " " if lang == "en" else ""  # the model's statement carries its own space
    brief = Brief(title=t["brief_title"], chapters=[BriefChapter(
        heading=t["chapter"], summary=t["summary"], sections=[
            BriefSection(t["section"], [BriefPoint(t["point"], space + t["evidence"])],
                         figures=[brief_figure]),
            BriefSection(t["compact"], [BriefPoint(t["compact1"], space + t["compact2"])])])])
    return Document(
        meta={"title": t["title"], "issuer": t["issuer"], "date": t["date"], "lang": lang},
        blocks=blocks, notes=notes, brief=brief, strings=s,
        key_figures=[KeyFigure("12.5", "%", t["kf_label"], t["kf_period"],
                               period_note=s["period_note"].format(period=t["kf_period"])),
                     KeyFigure("3518.1", "", t["kf_label"], "")],
        settings={"chapters_on_new_page": chapters_on_new_page},
        contents=[chapter, section, appendix])


def write_sample(folder: Path, lang: str, **options) -> tuple[Path, Path, Path]:
    """The model as document.json, the drawn chart and SVG picture (figures/), and the
    publication's own picture (sources/images/): (document.json, figures, sources)."""
    folder.mkdir(parents=True, exist_ok=True)
    document_json = folder / "document.json"
    document_json.write_text(sample_document(lang, **options).to_json(), encoding="utf-8")
    figures, sources = folder / "figures", folder / "sources"
    (figures / "images").mkdir(parents=True, exist_ok=True)
    (sources / "images").mkdir(parents=True, exist_ok=True)
    Picture.new("RGB", (1200, 600), (158, 27, 30)).save(figures / "trade.png", dpi=(300, 300))
    Picture.new("RGB", (900, 600), (40, 90, 140)).save(figures / "images" / "routes.png")
    Picture.new("RGB", (800, 500), (200, 180, 120)).save(sources / "images" / "harbour.png")
    return document_json, figures, sources
