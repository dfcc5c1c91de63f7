"""Products of a build whose sources are gone: cleared before Snakemake plans the next one.

When a step fails, Snakemake deletes that step's outputs (the document model, a chart).
The editions made from the previous model stay in build/, newer than every source, and
Snakemake does not remake a missing intermediate file whose products are all present: the
next run would say "Nothing to be done" while the text still holds the fault and the
editor's other edits never reach an edition. So when an intermediate file is missing, what
was made from it goes too, and the next run remakes the chain (or stops at the fault
again). Only build/ is touched; output/ keeps the last good release.
"""

from __future__ import annotations

from pathlib import Path

# What build/<pub>/ holds that is made from the model and the figures.
PRODUCTS = ("*.html", "*.pdf", "*.docx", "*.layout.json", "*.preflight.txt", "release.json")


def clear_orphaned_products(build_dir: Path, intermediates: list[Path]) -> list[Path]:
    """Delete the editions, preflight reports and receipt in ``build_dir`` when one of
    ``intermediates`` (the model, the charts, the pictures drawn for Word) is missing.
    Returns what was deleted."""
    build_dir = Path(build_dir)
    if all(Path(p).exists() for p in intermediates):
        return []
    cleared = []
    for pattern in PRODUCTS:
        for product in sorted(build_dir.glob(pattern)):
            product.unlink()
            cleared.append(product)
    return cleared
