# paperpress: every publication under sources/ -> output/<publication>/
#   whitepaper.pdf, whitepaper.html, whitepaper.docx, brief.pdf, brief.docx, manifest.json
#
# Run `make publish` (or `snakemake --cores 2` inside the virtual environment).

include: "workflow/rules/common.smk"


rule all:
    input:
        expand(RECEIPT, pub=PUBLICATIONS),


include: "workflow/rules/model.smk"
include: "workflow/rules/charts.smk"
include: "workflow/rules/editions.smk"
include: "workflow/rules/publish.smk"
