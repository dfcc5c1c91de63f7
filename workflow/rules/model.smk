# Sources -> the document model: the one place text, data and chart specs are validated.


rule document_model:
    priority: 40
    input:
        config="sources/{pub}/publication.yaml",
        text="sources/{pub}/text.md",
        data=lambda w: sorted(Path(f"sources/{w.pub}/data").glob("*.csv")),
        charts=lambda w: sorted(Path(f"sources/{w.pub}/charts").glob("*.yaml")),
        code=code("document"),
    output:
        "build/{pub}/document.json",
    benchmark:
        "build/{pub}/benchmarks/model.tsv"
    shell:
        "{PAPERPRESS} model sources/{wildcards.pub} {output}"
