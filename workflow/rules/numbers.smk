# The document model -> the provenance report (build/<pub>/numbers.html): every number the
# publication prints, from the data (key, period, file:row) or typed (file:line). Its
# warnings (a typed number that is a data value, or one the data contradict) are printed
# as file:line: warning: …; publication.yaml's numbers: stop_on_warning: true makes them
# stop the build before anything is published.


rule numbers:
    priority: 30
    input:
        model="build/{pub}/document.json",
        # The checks compare the typed numbers with every row of the data, and the
        # setting that makes their warnings errors is publication.yaml's.
        config=lambda w: str(INPUTS[w.pub].config),
        data=lambda w: [str(p) for p in INPUTS[w.pub].data],
        locale=lambda w: str(INPUTS[w.pub].locale),
        template=TEMPLATE_FILES["html/numbers.html.j2"],
        code=code("numbersreport"),
    output:
        "build/{pub}/numbers.html",
    log:
        "build/{pub}/logs/numbers.log",
    benchmark:
        "build/{pub}/benchmarks/numbers.tsv"
    shell:
        "{PAPERPRESS} numbers sources/{wildcards.pub} {input.model} {output} > {log} 2>&1"
