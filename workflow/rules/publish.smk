# build/<pub>/ -> output/<pub>/: every edition checked, then swapped in; manifest last.
# The manifest is the only file Snakemake owns in output/, so a failed build never
# deletes a published edition.


rule publish:
    input:
        editions=lambda w: [f"build/{w.pub}/{e}" for e in EDITIONS],
        code=code("publish"),
    output:
        "output/{pub}/manifest.json",
    shell:
        "{PAPERPRESS} publish output/{wildcards.pub} {input.editions}"
