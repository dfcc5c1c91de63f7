# Sources -> the document model: the one place text, data and chart specs are validated.


rule document_model:
    priority: 40
    input:
        config=lambda w: str(INPUTS[w.pub].config),
        text=lambda w: str(INPUTS[w.pub].text),
        data=lambda w: [str(p) for p in INPUTS[w.pub].data],
        charts=lambda w: [str(p) for p in INPUTS[w.pub].charts.values()],
        # Its pixel size is measured (and checked) into the model.
        images=lambda w: images(w.pub),
        extras=lambda w: model_extras(w.pub),
        code=code("document"),
    output:
        "build/{pub}/document.json",
    log:
        "build/{pub}/logs/model.log",
    benchmark:
        "build/{pub}/benchmarks/model.tsv"
    shell:
        "{PAPERPRESS} model sources/{wildcards.pub} {output} > {log} 2>&1"


# A publication whose sources are at fault before any step could be planned (a missing
# file its text names, a bad publication.yaml: common.smk's _read_sources): this step
# stands for its whole build and fails saying why, so that the run ends in failure naming
# the fault while every other publication builds and publishes.
rule sources_fault:
    output:
        "build/{pub}/sources-fault.txt",
    params:
        fault=lambda w: f"error: {SOURCE_FAULTS[w.pub]}",
    log:
        "build/{pub}/logs/sources.log",
    shell:
        "printf '%s\\n' {params.fault:q} > {log}; exit 1"
