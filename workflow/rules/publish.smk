# build/<pub>/ -> output/<pub>/: every PDF preflighted, every edition checked, then
# swapped in; manifest last.


rule preflight:
    input:
        pdf="build/{pub}/{edition}.pdf",
        layout="build/{pub}/{edition}.layout.json",
        code=code("preflight"),
    output:
        "build/{pub}/{edition}.preflight.txt",
    shell:
        "{PAPERPRESS} preflight {input.pdf} {input.layout} {output}"

# The manifest is the only file Snakemake owns in output/, so a failed build never
# deletes a published edition.


rule publish:
    input:
        editions=lambda w: [f"build/{w.pub}/{e}" for e in EDITIONS],
        preflight=["build/{pub}/whitepaper.preflight.txt", "build/{pub}/brief.preflight.txt"],
        code=code("publish"),
    output:
        "output/{pub}/manifest.json",
    shell:
        "{PAPERPRESS} publish output/{wildcards.pub} {input.editions}"
