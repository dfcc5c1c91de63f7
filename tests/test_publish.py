import json

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
