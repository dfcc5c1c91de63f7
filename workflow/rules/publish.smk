# build/<pub>/ -> output/<pub>/: every PDF preflighted, every edition checked, then
# swapped in; manifest last.


rule preflight:
    priority: 10
    input:
        pdf="build/{pub}/{pdf}.pdf",
        layout="build/{pub}/{pdf}.layout.json",
        # Which file and label a raster image printed too coarsely is.
        model="build/{pub}/document.json",
        code=code("preflight"),
    output:
        "build/{pub}/{pdf}.preflight.txt",
    log:
        "build/{pub}/logs/preflight-{pdf}.log",
    benchmark:
        "build/{pub}/benchmarks/preflight-{pdf}.tsv"
    shell:
        "{PAPERPRESS} preflight {input.pdf} {input.layout} {output} --document {input.model}"
        " > {log} 2>&1"

# Snakemake owns nothing in output/ (it deletes a job's outputs before running it): the
# publish step makes a new release there and switches output/<pub> to it in one rename, and
# its Snakemake output is the receipt in build/. A failed, interrupted or dry run leaves
# output/ as it was.


rule publish:
    input:
        editions=lambda w: [f"build/{w.pub}/{e}" for e in editions(w.pub)],
        preflight=lambda w: [f"build/{w.pub}/{p}.preflight.txt" for p in pdfs(w.pub)],
        # Published beside the editions, for whoever signs them off.
        reports=lambda w: [f"build/{w.pub}/numbers.html"],
        # Kept in the release: the next publish's change report compares with it.
        model="build/{pub}/document.json",
        report=TEMPLATE_FILES["html/changes.html.j2"],
        crosscheck="build/{pub}/crosscheck.txt",  # every edition carries the whole model
        code=code("publish"),
    output:
        RECEIPT,
    params:
        keep=lambda w: INPUTS[w.pub].keep_releases,
    log:
        "build/{pub}/logs/publish.log",
    benchmark:
        "build/{pub}/benchmarks/publish.tsv"
    shell:
        "{PAPERPRESS} publish output/{wildcards.pub} {input.editions} {input.reports}"
        " {input.model}"
        " --keep {params.keep} --receipt {output} --staging build/{wildcards.pub}"
        " --change-report templates/html > {log} 2>&1"
