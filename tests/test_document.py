import pytest

from conftest import SOURCES, seed_paragraphs
from conftest import REPO
from paperpress.document import Figure, Heading, Paragraph, build_document, parse_text
from paperpress.locale import load_locale
from paperpress.model import Table

ZH = load_locale(REPO / "templates" / "locales" / "zh-CN.yaml")
from paperpress.errors import SourceError
from paperpress.statistics import load_statistics

FRONT = "---\ntitle: T\nissuer: I\ndate: D\nlang: zh-CN\n---\n"


@pytest.fixture
def stats(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("key,period,value,unit,label,section\n"
                    "trade,2013,664.4,亿元,贸易,一\ntrade,2022,3518.1,亿元,贸易,一\n",
                    encoding="utf-8")
    return load_statistics([path])


def parse(tmp_path, stats, body, charts=()):
    path = tmp_path / "text.md"
    path.write_text(FRONT + body, encoding="utf-8")
    return parse_text(path, stats, set(charts), locale=ZH)


def test_bold_lead_in_after_chinese_punctuation_is_bold_not_asterisks(tmp_path, stats):
    # Plain CommonMark leaves these asterisks in: '。' is punctuation and '正' is not space.
    doc = parse(tmp_path, stats, "# 一\n\n**国际朋友圈不断扩大。**十年来，新增国际友城。\n")
    para = doc.blocks[1]
    assert para.lead == "国际朋友圈不断扩大。"
    assert "*" not in para.text


def test_placeholders_take_the_value_and_unit_from_the_data(tmp_path, stats):
    doc = parse(tmp_path, stats, "# 一\n\n由{{ trade@2013 }}攀升至{{ trade@2022 }}，"
                                 "即{{ trade@2022 | number }}。\n")
    assert doc.blocks[1].text == "由664.4亿元攀升至3518.1亿元，即3518.1。"


def test_an_undefined_placeholder_names_the_file_and_line(tmp_path, stats):
    with pytest.raises(SourceError) as err:
        parse(tmp_path, stats, "# 一\n\n第一段。\n\n增长{{ trade_growth }}。\n")
    assert str(err.value).startswith(f"{tmp_path / 'text.md'}:11:")
    assert "no data has the key 'trade_growth'" in str(err.value)


def test_a_figure_directive_needs_a_chart_spec(tmp_path, stats):
    doc = parse(tmp_path, stats, "# 一\n\n{{ figure trade }}\n", charts=["trade"])
    assert isinstance(doc.blocks[1], Figure) and doc.blocks[1].number == 1
    with pytest.raises(SourceError, match=r"text.md:9: figure 'missing' has no chart spec"):
        parse(tmp_path, stats, "# 一\n\n{{ figure missing }}\n", charts=["trade"])


def test_a_figure_reference_gets_the_figure_number_and_anchor(tmp_path, stats):
    doc = parse(tmp_path, stats, "# 一\n\n规模扩大{{ see trade }}。\n\n{{ figure trade }}\n",
                charts=["trade"])
    para = doc.blocks[1]
    assert para.text == "规模扩大（见图1）。" and para.plain_text == "规模扩大。"
    assert para.spans[1].ref == "fig-1"
    with pytest.raises(SourceError, match=r"text.md:9: \{\{ see other \}\} refers to nothing with that id"):
        parse(tmp_path, stats, "# 一\n\n见{{ see other }}。\n\n{{ figure trade }}\n",
              charts=["trade", "other"])


def test_control_characters_that_would_corrupt_word_are_refused(tmp_path, stats):
    with pytest.raises(SourceError, match=r"text.md:9: holds the control character U\+0007"):
        parse(tmp_path, stats, "# 一\n\n正文\x07。\n")


def test_an_empty_text_file_is_refused(tmp_path, stats):
    path = tmp_path / "text.md"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="is empty"):
        parse_text(path, stats, set(), locale=ZH)


def test_the_bundled_text_carries_the_seed_verbatim_and_in_order():
    doc = build_document(SOURCES)
    carried = [b.text if isinstance(b, Heading) else b.plain_text
               for b in doc.blocks if isinstance(b, (Heading, Paragraph))]
    # The text is the seed's; the pipeline adds only the statistics appendix after it.
    assert carried == seed_paragraphs() + ["附表\u3000主要统计数据"]
    assert isinstance(doc.blocks[-1], Table) and doc.blocks[-1].origin == "appendix"
    assert len(doc.blocks[-1].rows) >= 20
    assert doc.meta["title"] == "湖南省参与共建“一带一路”十年成果和未来展望"
    assert doc.meta["subtitle"] == "（白皮书）"


def test_every_lead_sentence_of_the_seed_is_bold():
    doc = build_document(SOURCES)
    leads = [b.lead for b in doc.blocks if isinstance(b, Paragraph) and b.lead]
    assert len(leads) == 42
    assert "国际朋友圈不断扩大。" in leads and "持续推进创新丝绸之路建设。" in leads


def test_the_brief_is_written_from_the_sections_and_the_data():
    doc = build_document(SOURCES)
    brief = doc.brief
    assert [c.heading for c in brief.chapters] == ["前言", "一、进展成效", "二、经验做法",
                                                   "三、未来展望"]
    progress = brief.chapters[1]
    assert len(progress.sections) == 5
    first = progress.sections[0].points[0]
    assert first.lead == "国际朋友圈不断扩大。"
    assert "106对" in first.evidence
    # In the order the text places them, numbered in the brief's own order.
    assert [(f.chart, f.label) for f in brief.charts] == [
        ("friendship-cities", "图1"), ("trade-scale", "图2"), ("trade-share", "图3")]
    assert [(k.number, k.unit) for k in doc.key_figures][:3] == [
        ("106", "对"), ("3518.1", "亿元"), ("50.1", "%")]


def test_yaml_keeps_what_the_editor_typed(tmp_path, stats):
    # YAML 1.1 would read NO as false and 010 as 8.
    path = tmp_path / "text.md"
    path.write_text("---\ntitle: T\nsubtitle: NO\nissuer: I\ndate: 010\nlang: zh-CN\n---\n"
                    "# 一\n", encoding="utf-8")
    doc = parse_text(path, stats, set(), locale=ZH)
    assert doc.meta["subtitle"] == "NO" and doc.meta["date"] == "010"


def test_square_brackets_and_escaped_link_syntax_stay_text(tmp_path, stats):
    doc = parse(tmp_path, stats, "# 一\n\n[注]数据来自统计局，【注】，见[1]，[注]：全角冒号。\n"
                                 "写作\\[文字\\](地址)。\n")
    assert doc.blocks[1].text == ("[注]数据来自统计局，【注】，见[1]，[注]：全角冒号。"
                                  "写作[文字](地址)。")


@pytest.mark.parametrize("body, expected", [
    ("Hunan Province  \nleads the way.", "Hunan Province leads the way."),
    ("Hunan Province\\\nleads the way.", "Hunan Province leads the way."),
    ("湖南省  \n走在前列。", "湖南省走在前列。"),
    ("湖南省\\\n走在前列。", "湖南省走在前列。"),
])
def test_a_forced_line_break_reads_as_a_line_break(tmp_path, stats, body, expected):
    doc = parse(tmp_path, stats, f"# 一\n\n{body}\n")
    assert doc.blocks[1].text == expected


# What each front matter field holds is printed as typed, on the cover and in the PDF's
# properties: markup there would be published as its characters.
@pytest.mark.parametrize("field, line, says", [
    ("subtitle: （白皮书）<b>粗</b>", 3, "front matter 'subtitle' holds HTML (<b>), which this"
                                      " field prints as typed: write plain text"),
    ('subtitle: "<!-- 内部 -->"', 3, "front matter 'subtitle' holds an HTML comment"),
    ('subtitle: "**粗**"', 3, "front matter 'subtitle' holds Markdown bold"),
    ("keywords: [一带一路, <i>湖南</i>]", 3, "front matter 'keywords' holds HTML (<i>)"),
    ("title_lines:\n  - 第一行\n  - 第二行`x`", 5, "front matter 'title_lines' holds a backtick"),
    ('subtitle: "2023\\ud800年"', 3, "a value holds the lone surrogate U+D800, which no Word"
                                   " file can carry: '2023\\ud800年'"),
])
def test_markup_in_the_front_matter_is_refused_naming_the_line(tmp_path, stats, field, line,
                                                               says):
    path = tmp_path / "text.md"
    path.write_text(f"---\ntitle: T\n{field}\nissuer: I\ndate: D\nlang: zh-CN\n---\n# 一\n",
                    encoding="utf-8")
    with pytest.raises(SourceError) as err:
        parse_text(path, stats, set(), locale=ZH)
    assert str(err.value).startswith(f"{path}:{line}: {says}")


def model_step(pub, out):
    """The workflow's model step on its own, as the command line runs it."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    return subprocess.run([sys.executable, "-m", "paperpress", "model", str(pub), str(out)],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src"),
                               "PAPERPRESS_WORKER": "off"})


def test_a_lone_surrogate_in_the_front_matter_is_one_line_from_the_command_line(tmp_path):
    import shutil

    pub = tmp_path / "pub"
    shutil.copytree(SOURCES, pub)
    text = pub / "text.md"
    source = text.read_text(encoding="utf-8")
    text.write_text(source.replace("date: 2023年11月", 'date: "2023\\ud800年"'),
                    encoding="utf-8")
    line = source.splitlines().index("date: 2023年11月") + 1
    result = model_step(pub, tmp_path / "model.json")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {text}:{line}: a value holds the lone surrogate U+D800, which no Word file can"
        " carry: '2023\\ud800年'"]
    assert not (tmp_path / "model.json").exists()


def test_the_key_figure_panel_is_placed_once(tmp_path, stats):
    with pytest.raises(SourceError) as err:
        parse(tmp_path, stats, "# 一\n\n{{ key-figures }}\n\n正文。\n\n{{ key-figures }}\n")
    assert str(err.value) == (f"{tmp_path / 'text.md'}:13: {{{{ key-figures }}}} is placed"
                              " twice (first on line 9): keep one")


def test_a_control_character_written_as_an_entity_is_refused(tmp_path, stats):
    with pytest.raises(SourceError, match=r"text.md:9: holds the control character U\+000C"):
        parse(tmp_path, stats, "# 一\n\nx&#12;y\n")


def test_a_control_character_written_as_a_yaml_escape_is_refused(tmp_path, stats):
    path = tmp_path / "text.md"
    path.write_text('---\ntitle: "T\\x01"\nissuer: I\ndate: D\nlang: zh-CN\n---\n# 一\n',
                    encoding="utf-8")
    with pytest.raises(SourceError, match=r"control character U\+0001"):
        parse_text(path, stats, set(), locale=ZH)


def test_windows_line_ends_are_read_like_unix_ones(tmp_path, stats):
    path = tmp_path / "text.md"
    path.write_bytes((FRONT + "# 一\n\n正文。\n").replace("\n", "\r\n").encode("utf-8"))
    assert parse_text(path, stats, set(), locale=ZH).blocks[1].text == "正文。"


def test_a_data_key_may_start_with_figure(tmp_path):
    from paperpress.statistics import load_statistics

    data = tmp_path / "d.csv"
    data.write_text("key,period,value,unit,label,section\nfigures_total,2023,7,幅,图,一\n",
                    encoding="utf-8")
    doc = parse(tmp_path, load_statistics([data]), "# 一\n\n共{{ figures_total }}。\n")
    assert doc.blocks[1].text == "共7幅。"


@pytest.mark.parametrize("config, message", [
    ("brief: [charts]\n", "'brief' must be a mapping"),
    ("appendix: x\n", "'appendix' must be a mapping"),
    ("key_figures: bri_trade@2022\n", "'key_figures' must be a list"),
    ("pdf:\n  screen: pdf/a-3u\n", "'pdf: screen' must be a mapping"),
    ("pdf:\n  screen:\n    output-profile: x.icc\n", "'pdf: screen: output-profile' is not a"),
    ("pdf:\n  screen:\n    tagged: yes\n", "must be true or false"),
    ("text: body.md\n", "unknown setting 'text'"),
    ("pdf:\n  press:\n    variant: pdf/z-9\n", ":3: 'pdf: press: variant' is 'pdf/z-9', which is"
                                               " not a PDF variant"),
    ("releases:\n  keep: all\n", ":2: 'releases: keep' must be a whole number"),
    ("brief:\n  title: a\n  title: b\n", ":3: 'title' is given twice"),
    # Titles and labels are printed as typed.
    ("brief:\n  title: 要点<b>速览</b>\n", ":2: 'brief: title' holds HTML"),
    ("appendix:\n  title: '**附表**'\n", ":2: 'appendix: title' holds Markdown bold"),
    ("key_figures:\n  - ref: a\n  - ref: b\n    label: 贸易<!-- 待核 -->\n",
     ":4: 'key_figures: 2: label' holds an HTML comment"),
])
def test_a_misshapen_publication_yaml_is_named(tmp_path, config, message):
    from paperpress.publication import load_config

    (tmp_path / "publication.yaml").write_text(config, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        load_config(tmp_path)


def test_the_pdf_variants_are_those_weasyprint_writes():
    import weasyprint.pdf

    from paperpress.publication import PDF_VARIANTS

    assert set(PDF_VARIANTS) == set(weasyprint.pdf.VARIANTS) - {"debug"}


def test_a_text_larger_than_the_bound_is_refused_before_it_is_read(tmp_path, stats,
                                                                  monkeypatch):
    import paperpress.document as document

    monkeypatch.setattr(document, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "text.md"
    path.write_text(FRONT + "# 一\n\n" + "正文。" * 400, encoding="utf-8")
    with pytest.raises(SourceError, match=r"text.md: is \d+ KB, more than the 1000 bytes"):
        parse_text(path, stats, set(), locale=ZH)


def test_front_matter_lists_are_read_as_lines_and_keywords(tmp_path, stats):
    path = tmp_path / "text.md"
    path.write_text("---\ntitle: T\ntitle_lines: 单行\nkeywords: [一带一路, 湖南]\nissuer: I\n"
                    "date: D\nlang: zh-CN\n---\n# 一\n", encoding="utf-8")
    meta = parse_text(path, stats, set(), locale=ZH).meta
    assert meta["title_lines"] == ["单行"] and meta["keywords"] == "一带一路, 湖南"


def test_a_figure_reference_in_a_heading_is_refused(tmp_path, stats):
    with pytest.raises(SourceError, match=r"text.md:7: a heading holds plain text only"):
        parse(tmp_path, stats, "# 一{{ see trade }}\n\n{{ figure trade }}\n", charts=["trade"])


def test_literal_double_braces_are_written_as_in_jinja(tmp_path, stats):
    doc = parse(tmp_path, stats, '# 一\n\n模板写作 {{ "{{" }} 名称 {{ "}}" }}，'
                                 "贸易额{{ trade@2022 }}。\n")
    text = "".join(s.text for s in doc.blocks[1].spans)
    assert text == "模板写作 {{ 名称 }}，贸易额3518.1亿元。"


def test_an_unclosed_placeholder_says_how_to_write_braces(tmp_path, stats):
    with pytest.raises(SourceError) as err:
        parse(tmp_path, stats, "# 一\n\n贸易额{{ trade@2022 。\n")
    assert "text.md:9: placeholder {{: is not closed or opened" in str(err.value)
    assert '{{ "{{" }}' in str(err.value)


# Markdown the editions do not render is refused where it stands, saying what to write
# instead: a construct the parser did not know would be printed as its characters.
# The front matter takes lines 1-6: "# 一" is line 7 and the paragraph below it line 9.
@pytest.mark.parametrize("body, line, advice", [
    ("# 一\n\n正文。\n\n<!-- 内部备注：不要发布 -->\n", 11,
     "an HTML comment (<!-- … -->) would be published as text: delete it, or keep internal"
     " notes outside text.md"),
    ("# 一\n\n第一行，\n第二行<!-- 内部备注：不要发布 -->。\n", 10, "an HTML comment"),
    ("# 一\n\n正文。\n\n<!--\n内部备注\n-->\n", 11, "an HTML comment"),
    ("# 一<!-- 待定 -->\n", 7, "an HTML comment"),
    ("# 一\n\n第一行，\n第二行<span>重点</span>。\n", 10,
     "raw HTML (<span>) is not published: write Markdown (**bold**, *italic*)"),
    ("# 一\n\n<div>\n正文\n</div>\n", 9, "raw HTML (<div>) is not published"),
    ("# 一\n\n第一行，\n第二行~~删去~~。\n", 10,
     "~~strikethrough~~ is not published: delete the text, or keep it without ~~"),
    ("# 一\n\n    缩进的段落\n", 9, "is a code block: remove the indent"),
    ("# 一\n\n```\n代码\n```\n", 9, "a code block (```) is not published: write the text as"
                                  " a paragraph"),
    ("# 一\n\n正文。\n\n***\n\n正文。\n", 11,
     "a thematic break (***) is not published: start a new section with a heading"),
    # Raw HTML may run over a line break: the construct after it is found on its line.
    ("# 一\n\n正文<span\nclass=x>跨行，\n再一行<!-- 注 -->。\n", 9, "raw HTML (<span)"),
    ("# 一\n\n段落`<!-- 内部备注：数字待核 -->`。\n", 9,
     "inline code (`…`) is not published as code: write the text without backticks"),
    ("# 一\n\n第一行，\n正文`代码\n跨行`。\n", 10, "inline code (`…`)"),
    # Link syntax the parser leaves as text (an address scheme it refuses, or a reference
    # definition, which it does not read) would be printed as typed.
    ("# 一\n\n第一行，\n见<file:///etc/passwd>。\n", 10,
     "a link may go to an https:, http: or mailto: address only"),
    ("# 一\n\n第一行，\n见[官网](file:///etc/passwd)。\n", 10,
     "a link may go to an https:, http: or mailto: address only"),
    ("# 一\n\n[x](javascript:alert(1))\n", 9, "a link may go to an https:"),
    ("# 一\n\n第一行，\n见[**官网**](file:///etc/passwd)。\n", 10, "a link may go to"),
    ("# 一\n\n第一行，\n见[附件](files/a.pdf)。\n", 10,
     "a link to 'files/a.pdf': links may go to https:, http: or mailto: addresses only"),
    ("# 一\n\n第一行，\n![图](file:///etc/passwd)\n", 10,
     "an image must be a file of the publication's folder"),
    ("# 一\n\n第一行，\n正文![图](images/a.png \"图\")。\n", 9,
     "an image must stand alone in its own paragraph"),
    ("# 一\n\n- 甲\n  - 乙\n    - 丙\n", 11, "a list may be nested 2 levels deep at most"),
    ("# 一\n\n#### 四级\n", 9, "a heading of level 4 (####)"),
    ("# 一\n\n- 甲\n\n  # 乙\n", 11, "a heading cannot stand inside a list"),
    ("# 一\n\n::: note\n注意\n:::\n", 9, "a ':::' block must be a box"),
    ("# 一\n\n::: box\n正文\n:::\n", 9, "a box needs a title"),
    ("# 一\n\n::: box 甲\n::: box 乙\n正文\n:::\n:::\n", 10,
     "a box cannot stand inside a box"),
    ("# 一\n\n第一行，\n第二行[^1]。\n", 10, "note [^1] has no text: add a line '[^1]: …'"),
    ("# 一\n\n正文。\n\n[^1]: 注释\n", 11, "note [^1] is never called"),
    ("# 一\n\n甲[^1]，乙[^1]。\n\n[^1]: 注释\n", 9, "note [^1] is called twice"),
    ("# 一\n\n甲[^1]。\n\n[^1]: 注释\n[^1]: 又一\n", 12, "note [^1] is defined twice"),
    ("# 一\n\n甲。\n\nTable: 无表之题\n", 11,
     "a table caption ('Table: …') belongs on the line after its table"),
    ("# 一\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\nTable: 题 {#t1 colour=red}\n", 13,
     "unknown attribute(s) colour"),
    ("# 一 {#a}\n\n## 二 {#a}\n", 9, "the id 'a' is given twice (first on line 7)"),
    ("# 一\n\n见{{ see nowhere }}。\n", 9,
     "{{ see nowhere }} refers to nothing with that id"),
    ("# 一\n\n| 甲 |\n|---|\n| 1 |\n\n见{{ see t }}。\n", 13,
     "refers to nothing with that id"),
    ("# 一\n\n[注]: 数据来自统计局\n", 9,
     "a line starting '[注]:' reads as a link reference definition ([label]: …), which is"
     " not published: write the colon full-width ([注]：) or the note in brackets （…）"),
    ("# 一\n\n正文。\n[注]: 数据来自统计局\n", 10, "reads as a link reference definition"),
])
def test_markdown_the_editions_do_not_render_is_refused_with_advice(tmp_path, stats, body,
                                                                     line, advice):
    with pytest.raises(SourceError) as err:
        parse(tmp_path, stats, body)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'text.md'}:{line}: ")
    assert advice in message


def test_angle_brackets_and_entities_in_prose_stay_text(tmp_path, stats):
    # Only a '<' that opens a tag is HTML: before a digit, a space or a Chinese word it is text.
    doc = parse(tmp_path, stats, "# 一\n\n**领句。**a < b，占比<5%，《标题》，<not a tag，"
                                 "<国家>，x&amp;y，约3~5成。\n")
    para = doc.blocks[1]
    assert para.lead == "领句。"
    assert para.text == "领句。a < b，占比<5%，《标题》，<not a tag，<国家>，x&y，约3~5成。"


def test_a_backslash_keeps_a_tag_like_text_literal(tmp_path, stats):
    # What the refusal of raw HTML advises.
    doc = parse(tmp_path, stats, "# 一\n\n写作\\<span>。\n")
    assert doc.blocks[1].text == "写作<span>。"


def test_the_command_line_names_an_html_comment_in_one_line(tmp_path):
    import shutil

    pub = tmp_path / "pub"
    shutil.copytree(SOURCES, pub)
    text = pub / "text.md"
    lines = text.read_text(encoding="utf-8").splitlines(keepends=True)
    heading = next(n for n, l in enumerate(lines) if l.startswith("# "))
    lines.insert(heading + 1, "\n<!-- 内部备注：不要发布 -->\n")
    text.write_text("".join(lines), encoding="utf-8")
    result = model_step(pub, tmp_path / "model.json")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {text}:{heading + 3}: an HTML comment (<!-- … -->) would be published as"
        " text: delete it, or keep internal notes outside text.md"]
    assert not (tmp_path / "model.json").exists()


def test_an_appendix_longer_than_the_bound_is_refused_naming_the_setting(tmp_path, monkeypatch):
    import shutil

    import paperpress.document as document
    from conftest import SOURCES

    root = tmp_path / "pub"
    shutil.copytree(SOURCES, root)
    monkeypatch.setattr(document, "MAX_APPENDIX_ROWS", 3)
    with pytest.raises(SourceError) as err:
        document.build_document(root, REPO / "templates")
    assert str(err.value).startswith(f"{root}/publication.yaml:16: the appendix would table")
