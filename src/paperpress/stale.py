"""Products of a build whose sources are gone: cleared before Snakemake plans the next one.

When a step fails, Snakemake deletes that step's outputs (the document model, a chart).
The editions made from the previous model stay in build/, newer than every source, and
Snakemake does not remake a missing intermediate file whose products are all present: the
next run would say "Nothing to be done" while the text still holds the fault and the
editor's other edits never reach an edition. So when an intermediate file is missing, what
was made from it goes too, and the next run remakes the chain (or stops at the fault
again). Only build/ is touched; output/ keeps the last good release.

Each intermediate clears only what is made from it: a chart's PNG or a picture drawn for
Word that was never made (a build of the web edition alone, as the live preview runs) must
not take the web edition and the PDFs with it.
"""

from __future__ import annotations

from pathlib import Path

# What build/<pub>/ holds that is made from the model and the figures, by what reads what.
RECEIPT = ("release.json", "crosscheck.txt")
MADE_FROM_MODEL = ("*.html", "*.pdf", "*.docx", "*.layout.json", "*.preflight.txt") + RECEIPT
MADE_FROM_SVG = ("*.html", "*.pdf", "*.layout.json", "*.preflight.txt") + RECEIPT
MADE_FROM_PNG = ("*.docx",) + RECEIPT


def clear_orphaned_products(build_dir: Path, intermediates: dict[Path, tuple[str, ...]]
                            ) -> list[Path]:
    """Delete the products in ``build_dir`` (glob patterns) of each of ``intermediates``
    (the model, the charts, the pictures drawn for Word) that is missing. Returns what was
    deleted."""
    build_dir = Path(build_dir)
    patterns = dict.fromkeys(p for path, made in intermediates.items()
                             if not Path(path).exists() for p in made)
    cleared = []
    for pattern in patterns:
        for product in sorted(build_dir.glob(pattern)):
            if product.exists():
                product.unlink()
                cleared.append(product)
    return cleared


# What is made from an HTML edition (build/<pub>/<stem>.html): its PDFs (screen, press),
# where their figures fell, and their preflight reports.
FROM_HTML = ("{stem}.pdf", "{stem}-press.pdf", "{stem}*.layout.json", "{stem}*.preflight.txt")


def clear_products_of_missing_html(build_dir: Path, stems=("whitepaper", "brief")) -> list[Path]:
    """When an HTML edition is missing (its step failed, e.g. on a template error) while
    PDFs made from an earlier one are still there, those PDFs, their reports and the
    receipt go, so that the next run makes the HTML again (or stops at the fault again)
    instead of saying "Nothing to be done". Returns what was deleted."""
    build_dir = Path(build_dir)
    cleared = []
    for stem in stems:
        if (build_dir / f"{stem}.html").exists():
            continue
        products = sorted({p for pattern in FROM_HTML
                           for p in build_dir.glob(pattern.format(stem=stem))})
        if products:  # (a publication without a brief has none)
            products.append(build_dir / "release.json")
        for product in products:
            if product.exists():
                product.unlink()
                cleared.append(product)
    return cleared
