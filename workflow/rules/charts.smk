# Chart spec + the data files it names -> SVG (PDF, web) and 300 dpi PNG (Word), in the
# publication's language (its locale file: period labels, number symbols, the unit line),
# and a narrow SVG that the web edition shows on a phone (the house style with
# templates/charts/phone.mplstyle on top).


rule chart:
    priority: 30
    input:
        spec=chart_spec,
        data=chart_data,
        style=TEMPLATE_FILES["charts/house.mplstyle"][0],
        phone_style=TEMPLATE_FILES["charts/phone.mplstyle"][0],
        locale=lambda w: str(INPUTS[w.pub].locale),
        code=code("charts"),
    output:
        svg="figures/{pub}/{chart}.svg",
        png="figures/{pub}/{chart}.png",
        phone="figures/{pub}/phone/{chart}.svg",
    log:
        "build/{pub}/logs/chart-{chart}.log",
    benchmark:
        "build/{pub}/benchmarks/chart-{chart}.tsv"
    shell:
        "{PAPERPRESS} chart {input.spec} sources/{wildcards.pub}/data {input.style}"
        " {input.locale} {output.svg} {output.png}"
        " --phone-style {input.phone_style} --phone-svg {output.phone} > {log} 2>&1"
