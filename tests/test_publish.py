import json

import pytest

from paperpress.errors import SourceError

from paperpress.publish import manifest_is_intact, publish


def test_a_published_file_edited_by_hand_makes_the_manifest_stale(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "a.html").write_text("<html>3518.1</html>", encoding="utf-8")
    manifest = publish([build / "a.html"], tmp_path / "out")
    assert manifest_is_intact(manifest)
    (tmp_path / "out" / "a.html").write_text("<html>3519.2</html>", encoding="utf-8")
    assert not manifest_is_intact(manifest)  # same size, other content


def test_a_damaged_manifest_is_stale_not_a_crash(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"files": None}), encoding="utf-8")
    assert not manifest_is_intact(manifest)


def test_staging_left_by_a_killed_publish_is_cleared(tmp_path):
    out = tmp_path / "out"
    (out / ".staging-old").mkdir(parents=True)
    (tmp_path / "a.html").write_text("<html></html>", encoding="utf-8")
    publish([tmp_path / "a.html"], out)
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "manifest.json"]


def _cut_short(src, dest, keep):
    data = src.read_bytes()
    dest.write_bytes(data[:keep] if keep > 0 else data[:len(data) + keep])
    return dest


@pytest.mark.parametrize("name, content", [
    ("a.pdf", b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n"),
    ("a.html", "<html><body>湖南</body></html>".encode()),
])
def test_a_file_cut_short_is_not_published(tmp_path, name, content):
    whole = tmp_path / "whole" / name
    whole.parent.mkdir()
    whole.write_bytes(content)
    publish([whole], tmp_path / "out")  # the whole file passes
    short = _cut_short(whole, tmp_path / name, -10)
    with pytest.raises(SourceError, match=f"{name}: is .*not publishing"):
        publish([short], tmp_path / "out2")
    assert not (tmp_path / "out2" / name).exists()


def test_a_damaged_word_file_is_not_published(tmp_path):
    import docx

    whole = tmp_path / "whole.docx"
    docx.Document().save(str(whole))
    publish([whole], tmp_path / "out")
    short = _cut_short(whole, tmp_path / "short.docx", -200)
    with pytest.raises(SourceError, match=r"short.docx: is not a complete Word file"):
        publish([short], tmp_path / "out2")
    flipped = bytearray(whole.read_bytes())
    flipped[len(flipped) // 3] ^= 0xFF  # one byte inside a compressed part
    (tmp_path / "flipped.docx").write_bytes(bytes(flipped))
    with pytest.raises(SourceError, match=r"flipped.docx: "):
        publish([tmp_path / "flipped.docx"], tmp_path / "out3")
