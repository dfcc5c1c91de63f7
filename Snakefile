# paperpress: every publication under sources/ -> output/<publication>/
#   whitepaper.pdf, whitepaper-press.pdf, whitepaper.html, whitepaper.docx, manifest.json,
#   and brief.pdf, brief-press.pdf, brief.docx for a publication with a brief, and
#   numbers.html, the report of where each number comes from
#
# Run `snakemake` in the project's environment (or `make publish`): every publication.
# `snakemake <publication>` (e.g. `snakemake hunan-bri-2023`) builds and publishes one.
# The settings of every run (cores, recovery from an interrupted build, the scheduler, the
# console output) are in profiles/default/profile.yaml.

include: "workflow/rules/common.smk"


rule all:
    input:
        [target(pub) for pub in PUBLICATIONS],


include: "workflow/rules/model.smk"
include: "workflow/rules/charts.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/editions.smk"
include: "workflow/rules/numbers.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/publish.smk"


# One target per publication, named as its folder: `snakemake hunan-bri-2023` (a folder
# named as a step, such as `chart`, keeps only its path: build/<pub>/release.json).
for _pub in PUBLICATIONS:
    if workflow.is_rule(_pub):
        continue

    rule:
        name:
            _pub
        input:
            target(_pub),
        localrule: True
