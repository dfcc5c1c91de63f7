"""The tagged (screen) PDF editions as a screen reader and a PDF/UA checker read them.

WeasyPrint tags the text (pdf_tags), but leaves three things a PDF/UA-1 reader misses, which
``finish_tagged_pdf`` puts right in the written file (pikepdf), after WeasyPrint and before
the file is published:

- running heads and page numbers: WeasyPrint marks them as content whose structure elements
  hang in no tree (it says Artifact is only allowed in PDF 2.0 for them); a screen reader
  then has content that belongs to nothing. They become pagination artifacts;
- table header cells carry no /Scope: a TH in a row of header cells only heads its column,
  any other TH its row (as HTML's own scope="auto" reads them), unless the cell says;
- the file does not say it follows PDF/UA-1 (pdfuaid:part in its XMP metadata; beside a
  PDF/A identification, with the extension schema PDF/A-2 and -3 require for it).

``pdfua_findings`` runs the machine check of the pdfua package (the checkable subset of
PDF/UA-1 and WCAG 2.1) and gives each finding as one line; the preflight fails a tagged
edition on any.
"""

from __future__ import annotations

import re
from pathlib import Path

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# How WeasyPrint (pydyf) opens a marked-content sequence with a structure reference: each
# token on a line of its own.
_MARKED_CONTENT_RE = re.compile(rb"(?<=\n)/(\w+)\n<</MCID (\d+)>>\nBDC\n")
_ARTIFACT = b"/Artifact\n<</Type /Pagination>>\nBDC\n"


def finish_tagged_pdf(path: Path) -> None:
    """Rewrite the tagged PDF at ``path`` in place (see the module's docstring); a PDF
    without a structure tree is left as it is."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return
        pagination_as_artifacts(pdf)
        scope_header_cells(pdf)
        declare_pdfua(pdf)
        # Streams left alone are copied as they are (no decoding and compressing again);
        # the file ID is made from the contents, so the same input gives the same bytes.
        pdf.save(path, deterministic_id=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)


def _tree_elements(struct_tree_root) -> set[tuple[int, int]]:
    """The structure elements reachable from the root, by object number."""
    return {node.objgen for node in _structure(struct_tree_root.get("/K")) if node.is_indirect}


def _structure(kids):
    """The structure elements under ``kids`` (a /K entry), each once, depth first; marked
    content and object references are leaves, not elements."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    todo = [kids]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if node.get("/Type") in (pikepdf.Name.MCR, pikepdf.Name.OBJR):
                continue
            yield node
            todo.append(node.get("/K"))


def _parent_tree_entries(parent_tree):
    """(key, value) of a number tree, flat or with /Kids."""
    nums = parent_tree.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in parent_tree.get("/Kids") or []:
        yield from _parent_tree_entries(kid)


def pagination_as_artifacts(pdf) -> int:
    """Content marked for a structure element outside the tree (WeasyPrint's running heads
    and page numbers) is re-marked as a pagination artifact; returns how many sequences."""
    import pikepdf

    root = pdf.Root.StructTreeRoot
    if "/ParentTree" not in root:
        return 0
    in_tree = _tree_elements(root)
    entries = dict(_parent_tree_entries(root.ParentTree))
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        marks = entries.get(int(key)) if key is not None else None
        if not isinstance(marks, pikepdf.Array):
            continue
        outside = {mcid for mcid, element in enumerate(marks)
                   if isinstance(element, pikepdf.Dictionary)
                   and element.objgen not in in_tree}
        if not outside:
            continue
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            data = stream.read_bytes()
            found = []

            def artifact(match, found=found):
                if int(match[2]) in outside:
                    found.append(int(match[2]))
                    return _ARTIFACT
                return match[0]

            new = _MARKED_CONTENT_RE.sub(artifact, data)
            if found:
                stream.write(new)  # compressed again when the file is saved
                for mcid in found:
                    marks[mcid] = None
                changed += len(found)
    return changed


def scope_header_cells(pdf) -> int:
    """Each /TH gets a /Scope, as WeasyPrint tied it to the data cells (their /Headers name
    its /ID: the HTML's scope="row" or, by default, its column): /Row if data cells of its
    own row name it, /Column if others do; a header no data cell names is /Column in a row
    of header cells only, else /Row (as HTML reads scope="auto"). A cell that has a scope
    keeps it. Returns how many cells were given one."""
    import pikepdf

    rows = [[k for k in _kids(row) if isinstance(k, pikepdf.Dictionary)
             and k.get("/S") in ("/TH", "/TD")] for row in _elements(pdf, "/TR")]
    named_in: dict[str, set[int]] = {}  # header ID -> the rows of the data cells naming it
    for number, cells in enumerate(rows):
        for cell in cells:
            for attributes in _table_attributes(cell):
                for header in attributes.get("/Headers") or []:
                    named_in.setdefault(str(header), set()).add(number)
    given = 0
    for number, cells in enumerate(rows):
        for cell in cells:
            if cell.S != "/TH" or any("/Scope" in a for a in _table_attributes(cell)):
                continue
            naming = named_in.get(str(cell.get("/ID", "")), set())
            if naming:
                row = number in naming
            else:
                row = not all(c.S == "/TH" for c in cells)
            scope = pikepdf.Name.Row if row else pikepdf.Name.Column
            table_attributes = _table_attributes(cell)
            if table_attributes:
                table_attributes[0].Scope = scope
            else:
                extra = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)
                attributes = cell.get("/A")
                cell.A = (extra if attributes is None else
                          pikepdf.Array([*attributes, extra])
                          if isinstance(attributes, pikepdf.Array)
                          else pikepdf.Array([attributes, extra]))
            given += 1
    return given


def _table_attributes(cell) -> list:
    """The cell's attribute dictionaries of the Table owner."""
    import pikepdf

    attributes = cell.get("/A")
    found = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    return [a for a in found if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table"]


def _kids(element):
    import pikepdf

    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(pdf, role: str):
    return (node for node in _structure(pdf.Root.StructTreeRoot.get("/K"))
            if node.get("/S") == role)


_PDFUA_DESCRIPTION = (
    '<rdf:Description xmlns:rdf="' + RDF_NS + '" rdf:about=""'
    ' xmlns:pdfuaid="' + PDFUA_NS + '" pdfuaid:part="1"/>')

# PDF/A-2 and -3 accept XMP properties of schemas they do not predefine only when the file
# describes the schema (ISO 19005-2, 6.6.2.3.2); PDF/UA's identification is one of those.
_PDFUA_SCHEMA = (
    '<rdf:Description xmlns:rdf="' + RDF_NS + '" rdf:about=""'
    ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    '<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    '<pdfaSchema:namespaceURI>' + PDFUA_NS + '</pdfaSchema:namespaceURI>'
    '<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    '<pdfaProperty:name>part</pdfaProperty:name>'
    '<pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    '<pdfaProperty:category>internal</pdfaProperty:category>'
    '<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed'
    '</pdfaProperty:description>'
    '</rdf:li></rdf:Seq></pdfaSchema:property>'
    '</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>')


def declare_pdfua(pdf) -> bool:
    """Add the PDF/UA-1 identification to the XMP metadata (and, beside a PDF/A-1 to -3
    identification, its extension schema). False if it was there already or there is no
    XMP packet to add it to."""
    import pikepdf

    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return False
    xmp = metadata.read_bytes().decode("utf-8")
    if "pdfuaid:part" in xmp or "</rdf:RDF>" not in xmp:
        return False
    added = _PDFUA_DESCRIPTION
    if re.search(r'pdfaid:part(="|>)[123]\b', xmp):
        added += _PDFUA_SCHEMA
    xmp = xmp.replace("</rdf:RDF>", added + "</rdf:RDF>", 1)
    # XMP metadata stays uncompressed (PDF/A wants it readable as text).
    metadata.write(xmp.encode("utf-8"), filter=None)
    metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    return True


# The machine check ------------------------------------------------------------------------

def pdfua_findings(path: Path) -> list[tuple[int | None, str]]:
    """The pdfua package's findings for the PDF at ``path``, each as (page or None, one
    line: rule, what, where), and one for each rule it could not run."""
    from pdfua import Validator

    use_pdfua_fixes()
    report = Validator().validate(str(path))
    found = []
    for finding in report.findings:
        location = finding.location
        where = " ".join(filter(None, (location.struct_role, location.object_path)))
        message = " ".join(finding.message.split())
        found.append((location.page,
                      f"{finding.rule_id} ({finding.severity.name.lower()}"
                      f"{', ' + where if where else ''}): {_first_sentence(message)}"))
    for outcome in report.skipped:
        found.append((None, f"{outcome.rule_id} could not be checked:"
                            f" {outcome.skipped_reason}"))
    return found


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.:])(\s|$)", text)
    return m[1] if m else text


def use_pdfua_fixes() -> None:
    """pdfua 0.1.3's as_integer asks a pikepdf object for ``is_integer`` with getattr and a
    default; pikepdf 10 raises ValueError (not AttributeError) for it on an array, so the
    empty-heading rule (UA-14-001) stops on the first heading whose /K is an array (every
    heading WeasyPrint writes) and is skipped. An array or a dictionary is not a number."""
    import pikepdf
    from pdfua import document
    from pdfua.rules import structure

    original = document.as_integer
    if getattr(original, "paperpress_fix", False):
        return

    def as_integer(value):
        if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)):
            return None
        return original(value)

    as_integer.paperpress_fix = True
    document.as_integer = as_integer
    structure.as_integer = as_integer
