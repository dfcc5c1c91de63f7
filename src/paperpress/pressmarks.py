"""The press edition as a print shop takes it, finished after WeasyPrint has written it.

Three things WeasyPrint does not do, done here on the written PDF (pikepdf):

- **Crop marks outside the bleed.** CSS ``marks: crop`` draws the marks inside the bleed,
  where the artwork that runs off the page covers them. Here the sheet (MediaBox) is made
  larger than trim + bleed and the marks are drawn in the slug around it, starting
  ``MARK_GAP`` beyond the bleed, in registration colour (Separation /All: every plate).
  TrimBox and BleedBox stay as WeasyPrint wrote them. Without marks, nothing is added: the
  sheet is the BleedBox and the print shop trims on the TrimBox.
- **Black overprints.** What is set in black ink alone at 100 % (``0 0 0 1`` in
  DeviceCMYK: body text, rules) prints over what lies beneath it, so no white gap shows
  when the plates are slightly out of register: an ExtGState with /OP and /op true and
  /OPM 1 (only the K plate is painted; C, M and Y beneath are kept) is set before each such
  fill or stroke, and turned off again before anything else is painted. Greys (K tints),
  white and colours knock out as before: a tint or white that overprinted would print
  darker than proofed or vanish.
- **The output condition.** WeasyPrint names the output intent after its profile's
  description; a print run characterised by a registered condition (FOGRA39, JC200103 …)
  is named by it, with the ICC's registry, as PDF/X asks, so the print shop's preflight
  recognises the condition.
"""

from __future__ import annotations

from pathlib import Path

MM = 72 / 25.4
# The marks: ``MARK_GAP`` beyond the bleed, ``MARK_LENGTH`` long, ``MARK_WIDTH`` thick,
# with ``SLUG_MARGIN`` of sheet beyond them.
MARK_GAP = 1 * MM
MARK_LENGTH = 5 * MM
MARK_WIDTH = 0.25
SLUG_MARGIN = 2 * MM
ICC_REGISTRY = "http://www.color.org"

# What the finishing adds to a page's or form's resources (names no writer uses).
REGISTRATION = "/PaperpressAll"
_OVERPRINT_STATES = {(f, s): f"/PaperpressOP{int(f)}{int(s)}"
                     for f in (False, True) for s in (False, True)}


def finish_press_pdf(path: Path, *, crop_marks: bool, overprint_black: bool,
                     output_condition: str | None = None) -> None:
    """Finish the PDF at ``path`` in place for the print shop (see the module's text)."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if overprint_black:
            _overprint_black(pdf)
        if output_condition:
            _name_output_condition(pdf, output_condition)
        if crop_marks:
            _crop_marks(pdf)
        pdf.save(path)


# Crop marks -----------------------------------------------------------------------------

def _box(page, name: str) -> list[float]:
    box = page.obj.get(name) or page.obj.get("/MediaBox")
    return [float(v) for v in box]


def _crop_marks(pdf) -> None:
    import pikepdf

    registration = pdf.make_indirect(pikepdf.Array([
        pikepdf.Name("/Separation"), pikepdf.Name("/All"), pikepdf.Name("/DeviceCMYK"),
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1],
                           N=1)]))
    for page in pdf.pages:
        trim = _box(page, "/TrimBox")
        bleed = _box(page, "/BleedBox")
        # The marks start beyond the widest bleed, so that none lies inside the BleedBox.
        widest = max(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2],
                     bleed[3] - trim[3], 0)
        offset = widest + MARK_GAP
        reach = offset + MARK_LENGTH + SLUG_MARGIN
        page.obj.MediaBox = pikepdf.Array([trim[0] - reach, trim[1] - reach,
                                           trim[2] + reach, trim[3] + reach])
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]
        if "/TrimBox" not in page.obj:
            page.obj.TrimBox = pikepdf.Array(trim)
        if "/BleedBox" not in page.obj:
            page.obj.BleedBox = pikepdf.Array(bleed)
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = pikepdf.Dictionary()
        if "/ColorSpace" not in resources:
            resources.ColorSpace = pikepdf.Dictionary()
        resources.ColorSpace[REGISTRATION] = registration
        # The page's own drawing is closed in q … Q, so that the marks are drawn in the
        # default coordinates, on top of anything that strays past the bleed.
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"Q\n" + _marks(trim, offset)))


def _marks(trim: list[float], offset: float) -> bytes:
    """Crop marks at the four corners, on the lines of the trim, and a registration target
    in the middle of each side, all ``offset`` or more from the trim."""
    x0, y0, x1, y1 = trim
    start, end = offset, offset + MARK_LENGTH
    lines = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append(((x + sx * start, y), (x + sx * end, y)))   # across
            lines.append(((x, y + sy * start), (x, y + sy * end)))   # along
    middle = (start + end) / 2
    radius = MARK_LENGTH / 2 * 0.6
    centres = [((x0 + x1) / 2, y0 - middle), ((x0 + x1) / 2, y1 + middle),
               (x0 - middle, (y0 + y1) / 2), (x1 + middle, (y0 + y1) / 2)]
    # An artifact: no part of the content a tagged edition's structure describes.
    out = [f"/Artifact BMC q {REGISTRATION} CS 1 SCN {MARK_WIDTH:g} w 0 J [] 0 d"]
    for (ax, ay), (bx, by) in lines:
        out.append(f"{ax:.3f} {ay:.3f} m {bx:.3f} {by:.3f} l S")
    for cx, cy in centres:
        half = MARK_LENGTH / 2
        out.append(f"{cx - half:.3f} {cy:.3f} m {cx + half:.3f} {cy:.3f} l S")
        out.append(f"{cx:.3f} {cy - half:.3f} m {cx:.3f} {cy + half:.3f} l S")
        out.append(_circle(cx, cy, radius) + " S")
    out.append("Q EMC")
    return ("\n".join(out) + "\n").encode()


def _circle(cx: float, cy: float, r: float) -> str:
    k = 0.5523 * r  # four Bézier quarters
    return (f"{cx + r:.3f} {cy:.3f} m "
            f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
            f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
            f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
            f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c")


# The output condition --------------------------------------------------------------------

def _name_output_condition(pdf, identifier: str) -> None:
    """The PDF/X output intent names its registered condition; its profile's description
    becomes the human-readable /Info."""
    import pikepdf

    for intent in pdf.Root.get("/OutputIntents") or []:
        if intent.get("/S") != "/GTS_PDFX":
            continue
        info = _profile_description(intent.get("/DestOutputProfile")) or str(
            intent.get("/Info") or "")
        intent.OutputConditionIdentifier = pikepdf.String(identifier)
        intent.RegistryName = pikepdf.String(ICC_REGISTRY)
        intent.Info = pikepdf.String(info or identifier)
        intent.OutputCondition = pikepdf.String(info or identifier)


def _profile_description(stream) -> str | None:
    """The description ('desc' tag) of an embedded ICC profile."""
    return None if stream is None else profile_description(stream.read_bytes())


def profile_description(data: bytes) -> str | None:
    """The description ('desc' tag) of the ICC profile ``data``; None if it has none."""
    import io

    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        return ImageCms.getProfileDescription(profile).strip() or None
    except (OSError, ImageCms.PyCMSError):
        return None


# Overprinting black ----------------------------------------------------------------------

_TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
_PATH_PAINTING = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}
_INITIAL = {"/DeviceCMYK": (0.0, 0.0, 0.0, 1.0), "/DeviceGray": (0.0,), "/DeviceRGB": (0.0,) * 3}


def is_black(colour) -> bool:
    """Whether a (space, components) colour is black ink alone at 100 %."""
    if colour is None:
        return False
    space, components = colour
    if space != "/DeviceCMYK" or components is None or len(components) != 4:
        return False
    c, m, y, k = components
    return max(c, m, y) < 0.0005 and k > 0.9995


def _overprint_black(pdf) -> None:
    done: set = set()
    for page in pdf.pages:
        _overprint_stream(pdf, page.obj, page.obj.get("/Resources"), done, in_form=False)


def _overprint_stream(pdf, holder, resources, done: set, in_form: bool) -> None:
    """Rewrite one content stream (a page's, or a form XObject's, and those it draws) so
    that each 100 % K fill and stroke overprints and nothing else does."""
    import pikepdf

    if resources is None:
        return
    operations = pikepdf.parse_content_stream(holder)
    # What the graphics state holds: fill and stroke colour as (space, components) and the
    # overprint flags. A form inherits both from where it is drawn (None: as inherited);
    # the caller sets the flags to match its colours before every Do (below).
    unknown = None if in_form else False
    state = {"fill": None if in_form else ("/DeviceGray", (0.0,)),
             "stroke": None if in_form else ("/DeviceGray", (0.0,)),
             "op": (unknown, unknown)}
    stack = []
    out = []
    changed = False
    ext_states = resources.get("/ExtGState")

    path_start = None  # where the path being built began: no gs may come inside it

    def want(fill_black, stroke_black, at=None):
        nonlocal changed
        if state["op"] == (fill_black, stroke_black):
            return
        flags = (bool(fill_black), bool(stroke_black))
        out.insert(len(out) if at is None else at,
                   ([pikepdf.Name(_overprint_state(pdf, resources, flags))],
                    pikepdf.Operator("gs")))
        state["op"] = flags
        changed = True

    def colour_flags():
        return tuple(None if state[k] is None else is_black(state[k])
                     for k in ("fill", "stroke"))

    for operands, operator in operations:
        op = str(operator)
        if op == "q":
            stack.append(dict(state))
        elif op == "Q" and stack:
            state = stack.pop()
        elif op in ("cs", "CS"):
            key = "fill" if op == "cs" else "stroke"
            space = str(operands[0])
            state[key] = (space, _INITIAL.get(space))
        elif op in ("sc", "scn", "SC", "SCN"):
            key = "fill" if op in ("sc", "scn") else "stroke"
            space = state[key][0] if state[key] else None
            if operands and isinstance(operands[-1], pikepdf.Name):
                state[key] = ("/Pattern", None)
            else:
                state[key] = (space, tuple(float(v) for v in operands))
        elif op in ("k", "K", "g", "G", "rg", "RG"):
            key = "fill" if op.islower() else "stroke"
            space = {"k": "/DeviceCMYK", "g": "/DeviceGray", "rg": "/DeviceRGB"}[op.lower()]
            state[key] = (space, tuple(float(v) for v in operands))
        elif op == "gs" and ext_states is not None:
            given = ext_states.get(str(operands[0]))
            if given is not None and ("/OP" in given or "/op" in given):
                stroke = bool(given.get("/OP", False))
                state["op"] = (bool(given.get("/op", stroke)), stroke)
        elif op in ("m", "re"):
            if path_start is None:
                path_start = len(out)
        elif op in _TEXT_SHOWING or op in _PATH_PAINTING:
            fill, stroke = colour_flags()
            current = state["op"]
            # An unknown colour is the inherited one, whose flags were set to match it.
            wanted = (current[0] if fill is None else fill,
                      current[1] if stroke is None else stroke)
            want(*wanted, at=path_start if op in _PATH_PAINTING else None)
            path_start = None
        elif op == "n":
            path_start = None
        elif op in ("sh", "INLINE IMAGE"):
            want(False, False)
        elif op == "Do":
            xobject = (resources.get("/XObject") or {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                fill, stroke = colour_flags()
                current = state["op"]
                want(current[0] if fill is None else fill,
                     current[1] if stroke is None else stroke)
                key = xobject.objgen
                if key not in done:
                    done.add(key)
                    _overprint_stream(pdf, xobject, xobject.get("/Resources") or resources,
                                      done, in_form=True)
            else:
                want(False, False)
        out.append((operands, operator))
    if changed:
        data = pikepdf.unparse_content_stream(out)
        if isinstance(holder, pikepdf.Stream):
            holder.write(data)
        else:
            holder.Contents = pdf.make_stream(data)


def _overprint_state(pdf, resources, flags: tuple[bool, bool]) -> str:
    """The name of the ExtGState setting (fill, stroke) overprint, added to ``resources``."""
    import pikepdf

    name = _OVERPRINT_STATES[flags]
    if "/ExtGState" not in resources:
        resources.ExtGState = pikepdf.Dictionary()
    if name not in resources.ExtGState:
        fill, stroke = flags
        settings = {"/Type": pikepdf.Name("/ExtGState"), "/op": fill, "/OP": stroke}
        if fill or stroke:
            settings["/OPM"] = 1
        resources.ExtGState[name] = pikepdf.Dictionary(settings)
    return name
