# build/<pub>/ -> output/<pub>/: every PDF preflighted, every edition checked, then
# swapped in; manifest last.


rule preflight:
    priority: 10
    input:
        pdf="build/{pub}/{pdf}.pdf",
        layout="build/{pub}/{pdf}.layout.json",
        code=code("preflight"),
    output:
        "build/{pub}/{pdf}.preflight.txt",
    benchmark:
        "build/{pub}/benchmarks/preflight-{pdf}.tsv"
    shell:
        "{PAPERPRESS} preflight {input.pdf} {input.layout} {output}"

# The manifest is the only file Snakemake owns in output/, so a failed build never
# deletes a published edition.


rule publish:
    input:
        editions=lambda w: [f"build/{w.pub}/{e}" for e in EDITIONS],
        preflight=lambda w: [f"build/{w.pub}/{p}.preflight.txt" for p in PDFS],
        code=code("publish"),
    output:
        "output/{pub}/manifest.json",
    benchmark:
        "build/{pub}/benchmarks/publish.tsv"
    shell:
        "{PAPERPRESS} publish output/{wildcards.pub} {input.editions}"
