# The text's SVG pictures -> PNG at 300 dpi of their own size, for the Word editions (the
# PDF and web editions draw the SVG itself; PNG and JPEG pictures go into Word as they are).


rule image_png:
    input:
        svg=svg_source,
        code=code("rasterise"),
    output:
        "figures/{pub}/images/{image}.png",
    log:
        "build/{pub}/logs/image-{image}.log",
    benchmark:
        "build/{pub}/benchmarks/image-{image}.tsv"
    shell:
        "{PAPERPRESS} image-png {input.svg:q} {output:q} > {log} 2>&1"
