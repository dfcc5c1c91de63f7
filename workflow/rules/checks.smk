# Before publish: every edition read back (PDF text, Word XML, web HTML) must carry every
# paragraph and number of the model it is meant to carry (src/paperpress/crosscheck.py).
# A mismatch stops the build, one line per problem naming the edition and the source line;
# the publish rule takes the report as an input, so nothing is published then.


rule crosscheck:
    priority: 10
    input:
        model="build/{pub}/document.json",
        editions=lambda w: [f"build/{w.pub}/{e}" for e in editions(w.pub)],
        # A PDF's running heads and page numbers are told by its layout file's margin boxes.
        layouts=lambda w: [f"build/{w.pub}/{p}.layout.json" for p in pdfs(w.pub)],
        code=code("crosscheck"),
    output:
        "build/{pub}/crosscheck.txt",
    log:
        "build/{pub}/logs/crosscheck.log",
    benchmark:
        "build/{pub}/benchmarks/crosscheck.tsv"
    shell:
        "{PAPERPRESS} crosscheck {input.model} {output} {input.editions}"
        " --sources sources/{wildcards.pub} > {log} 2>&1"
