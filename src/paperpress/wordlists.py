"""Word lists: the template's list styles carry their bullets and numbers (numbering.xml),
and each numbered list of the text starts again at its own first number."""

from __future__ import annotations

from pathlib import Path

from docx.enum.style import WD_STYLE_TYPE

from .errors import SourceError

BULLETS = ("List Bullet", "List Bullet 2")
NUMBERS = ("List Number", "List Number 2")
CONTINUE = ("List Continue", "List Continue 2")
MAX_STYLE_DEPTH = 20  # a template's styles may be based on each other in a circle


def list_style(ordered: bool, depth: int) -> str:
    return (NUMBERS if ordered else BULLETS)[min(max(depth, 1), 2) - 1]


def continue_style(depth: int) -> str:
    return CONTINUE[min(max(depth, 1), 2) - 1]


class Numbering:
    def __init__(self, docx, template_path: Path):
        self.docx = docx
        self.template_path = Path(template_path)

    def restart(self, style_name: str, start: int) -> int:
        """A new numbering instance of the style's list definition, counting from ``start``
        (Word: Restart Numbering / Set Numbering Value): its numId."""
        numbering = self.docx.part.numbering_part.element
        abstract = self._abstract_of(style_name, numbering)
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    @staticmethod
    def number(paragraph, num_id: int) -> None:
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id

    def _abstract_of(self, style_name: str, numbering) -> int:
        # The lookup that names the template when it lacks the style.
        style_id = self.docx.part.get_style_id(style_name, WD_STYLE_TYPE.PARAGRAPH)
        style = self.docx.styles.element.get_by_id(style_id)
        for _ in range(MAX_STYLE_DEPTH):
            if style is None:
                break
            ppr = style.pPr
            num_pr = None if ppr is None else ppr.numPr
            if num_pr is not None and num_pr.numId is not None:
                try:
                    return numbering.num_having_numId(num_pr.numId.val).abstractNumId.val
                except KeyError:
                    break
            based_on = style.basedOn_val
            style = None if based_on is None else self.docx.styles.element.get_by_id(based_on)
        raise SourceError(self.template_path, f"its style '{style_name}' has no numbering,"
                                              " which the Word editions' numbered lists"
                                              " need: in Word, select a paragraph in that"
                                              " style, Home > Numbering, pick a format and"
                                              " update the style to match")
