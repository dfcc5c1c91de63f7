"""Word footnotes: the footnotes part (word/footnotes.xml), which python-docx has no API for.

Word numbers footnotes itself, in the order the text calls them, as the model does; each
note's paragraphs are written by the caller into the element ``add`` returns.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from .wordxml import put_setting

# The separator line above the notes, and the one above a note continued from the page
# before: Word expects both, with these ids, in every footnotes part.
SEPARATORS = f"""<w:footnotes {nsdecls("w", "r")}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>
<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
<w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>
<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""


class Footnotes:
    """The document's footnotes part, made on the first note (a template saved by Word may
    hold one already: its notes and separators are kept)."""

    def __init__(self, docx):
        self.docx = docx
        self.part: Part | None = None
        self.root = None
        self.next_id = 1

    def add(self):
        """A new, empty w:footnote element and its id, for a call in the text."""
        if self.part is None:
            self._open()
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(self.next_id))
        self.root.append(note)
        self.next_id += 1
        return self.next_id - 1, note

    def _open(self) -> None:
        document_part = self.docx.part
        existing = [rel.target_part for rel in document_part.rels.values()
                    if rel.reltype == RT.FOOTNOTES and not rel.is_external]
        if existing:
            self.part = existing[0]
            self.root = parse_xml(self.part.blob)
        else:
            self.part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                             package=document_part.package)
            document_part.relate_to(self.part, RT.FOOTNOTES)
            self.root = parse_xml(SEPARATORS)
            note_pr = OxmlElement("w:footnotePr")
            for separator in ("-1", "0"):
                ref = OxmlElement("w:footnote")
                ref.set(qn("w:id"), separator)
                note_pr.append(ref)
            put_setting(self.docx.settings.element, note_pr)
        ids = [int(n.get(qn("w:id"))) for n in self.root.iter(qn("w:footnote"))
               if (n.get(qn("w:id")) or "").lstrip("-").isdigit()]
        self.next_id = max([0, *ids]) + 1

    def finish(self) -> None:
        if self.part is not None:
            # A part python-docx holds as bytes (as docxtpl does for the cover fields).
            self.part._blob = etree.tostring(self.root, encoding="UTF-8",
                                             xml_declaration=True, standalone=True)
