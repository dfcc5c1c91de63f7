"""The text's SVG pictures as the PNG the Word editions embed: 300 dpi of their own size,
nothing fetched, a picture that cannot be drawn named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from paperpress.cli import main
from paperpress.errors import SourceError
from paperpress.rasterise import rasterise_svg

SVG = '<svg xmlns="http://www.w3.org/2000/svg" {size}>{body}</svg>'


def _svg(tmp_path: Path, size: str, body: str = '<rect width="10" height="10" fill="#036"/>',
         prolog: str = "") -> Path:
    path = tmp_path / "picture.svg"
    path.write_text(prolog + SVG.format(size=size, body=body), encoding="utf-8")
    return path


@pytest.mark.parametrize("size, pixels", [
    ('width="96" height="48"', (300, 150)),            # one inch by half an inch
    ('width="50.8mm" height="25.4mm"', (600, 300)),    # two inches by one
    ('viewBox="0 0 192 96"', (600, 300)),             # the viewBox, in px
])
def test_a_picture_is_drawn_at_300_dpi_of_its_own_size(tmp_path, size, pixels):
    rasterise_svg(_svg(tmp_path, size), tmp_path / "picture.png")
    with Image.open(tmp_path / "picture.png") as png:
        assert png.size == pixels
        assert [round(d) for d in png.info["dpi"]] == [300, 300]  # what Word sizes it by
        assert png.getpixel((pixels[0] // 40, pixels[1] // 40))[:3] == (0, 0x33, 0x66)


@pytest.mark.parametrize("body, says", [
    ('<image href="/etc/passwd" width="5" height="5"/>', "refers to file:///etc/passwd"),
    ('<image href="logo.png" width="5" height="5"/>', "refers to file://"),
    ('<image href="https://example.org/a.png" width="5" height="5"/>',
     "refers to https://example.org/a.png"),
    ('<style>@import url(https://example.org/a.css);</style>', "refers to https://example.org"),
])
def test_a_picture_that_refers_to_another_file_or_address_is_refused(tmp_path, body, says):
    svg = _svg(tmp_path, 'width="10" height="10"', body)
    with pytest.raises(SourceError) as caught:
        rasterise_svg(svg, tmp_path / "picture.png")
    assert str(caught.value).startswith(f"{svg}: {says}")
    assert not (tmp_path / "picture.png").exists()


@pytest.mark.parametrize("size, prolog, says", [
    ("", "", "has no size: give its <svg> element a width and height"),
    ('width="100000" height="100000"', "", "would be 312500×312500 px at 300 dpi of its size"
                                          " (26458×26458 mm): give its <svg> element the size"),
    ('width="10" height="10"', '<!DOCTYPE svg [<!ENTITY big "x">]>',
     "declares XML entities or a document type"),
])
def test_a_picture_that_cannot_be_drawn_is_named(tmp_path, size, prolog, says):
    svg = _svg(tmp_path, size, prolog=prolog)
    with pytest.raises(SourceError) as caught:
        rasterise_svg(svg, tmp_path / "picture.png")
    assert str(caught.value).startswith(f"{svg}: {says}")


def test_the_command_says_what_is_wrong_in_one_line(tmp_path, capsys):
    svg = tmp_path / "broken.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='5'", encoding="utf-8")
    assert main(["image-png", str(svg), str(tmp_path / "broken.png")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {svg}: is not an SVG picture that can be drawn (")
    assert len(err.splitlines()) == 1
