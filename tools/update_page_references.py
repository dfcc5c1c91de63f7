"""Write the reference page images the page-image test compares with: `make
update-page-references`. A deliberate step: look at the pages it reports changed (and at
the diff images in build/page-diffs/) before you commit them.

Builds a fresh copy of the project with the publications tests/reference-pages/pages.yaml
names, renders the pages it declares and writes each one that is new or changed beyond the
test's tolerance (an unchanged page keeps its file, so git shows only real changes);
references of pages no longer declared are removed.

    python tools/update_page_references.py [--project DIR] [--cores N]

--project DIR takes an already built project (DIR/output/<publication>/) instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pageimages as pi  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="a built project to take the pages from")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args(argv)
    specs = pi.declared_pages()
    with tempfile.TemporaryDirectory(prefix="page-references-") as tmp:
        tmp = Path(tmp)
        project = args.project
        if project is None:
            print(f"building {', '.join(pi.publications(specs))} …", flush=True)
            project = pi.build_publications(tmp / "project", pi.publications(specs), args.cores)
        pages = pi.resolve(specs, project, tmp / "work")
        from PIL import Image

        written, kept = set(), 0
        for page in pages:
            rendered = pi.render(page, tmp / "pages")
            ref = page.reference
            if ref.is_file():
                with Image.open(ref) as image:
                    comparison = pi.compare(image.convert("RGB"), rendered)
                    old = image.convert("RGB")
                if not comparison.changed:
                    kept += 1
                    written.add(ref)
                    continue
                what = ("size changed" if comparison.size_changed
                        else f"{comparison.changed_pixels} pixels changed")
                diff = pi.DIFFS / page.pub / ref.name
                pi.save_png(pi.diff_image(old, rendered, comparison), diff)
                print(f"changed  {pi._rel(ref)}  ({page.label}: {what}; see {pi._rel(diff)})")
            else:
                print(f"new      {pi._rel(ref)}  ({page.label})")
            pi.save_png(rendered, ref)
            written.add(ref)
        removed = 0
        for pub in pi.publications(specs):
            for stray in sorted((pi.REFERENCES / pub).glob("*.png")):
                if stray not in written:
                    stray.unlink()
                    removed += 1
                    print(f"removed  {pi._rel(stray)}")
    total = sum(p.stat().st_size for p in pi.REFERENCES.rglob("*.png"))
    print(f"{len(pages)} pages: {len(pages) - kept} written, {kept} unchanged, {removed}"
          f" removed; references take {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
