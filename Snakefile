# paperpress: every publication under sources/ -> output/<publication>/
#   whitepaper.pdf, whitepaper-press.pdf, whitepaper.html, whitepaper.docx, manifest.json,
#   and brief.pdf, brief-press.pdf, brief.docx for a publication with a brief, and
#   numbers.html, the report of where each number comes from
#
# Run `make publish` (or `snakemake --cores 2` inside the virtual environment).

include: "workflow/rules/common.smk"


rule all:
    input:
        expand(RECEIPT, pub=PUBLICATIONS),


include: "workflow/rules/model.smk"
include: "workflow/rules/charts.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/editions.smk"
include: "workflow/rules/numbers.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/publish.smk"
