# Document model + figures + templates -> the HTML, PDF and Word editions, in build/.
#
# Priorities order the work on a few cores so that the longest chain starts first: every
# chart (the HTML waits for all of them), the white paper's HTML, then the PDFs (the white
# paper's, with the larger input, first), then their preflights; the Word editions fill gaps.


rule whitepaper_html:
    priority: 30
    input:
        model="build/{pub}/document.json",
        figures=lambda w: figures(w.pub, "svg"),
        phone=lambda w: phone_figures(w.pub),  # the charts a phone shows
        images=lambda w: images(w.pub),  # embedded as data: URLs
        templates=TEMPLATE_FILES["html/whitepaper.html.j2"],
        css=TEMPLATE_FILES["html/base.css"] + TEMPLATE_FILES["html/whitepaper.css"]
        + TEMPLATE_FILES["html/web.css"],
        code=code("html"),
    output:
        "build/{pub}/whitepaper.html",
    log:
        "build/{pub}/logs/html-whitepaper.log",
    benchmark:
        "build/{pub}/benchmarks/html-whitepaper.tsv"
    shell:
        "{PAPERPRESS} html whitepaper {input.model} figures/{wildcards.pub} templates/html {output}"
        " --sources sources/{wildcards.pub} > {log} 2>&1"


rule brief_html:
    priority: 20
    input:
        model="build/{pub}/document.json",
        figures=lambda w: figures(w.pub, "svg", brief_charts(w.pub)),
        templates=TEMPLATE_FILES["html/brief.html.j2"],
        css=TEMPLATE_FILES["html/base.css"] + TEMPLATE_FILES["html/brief.css"],
        code=code("html"),
    output:
        "build/{pub}/brief.html",
    log:
        "build/{pub}/logs/html-brief.log",
    benchmark:
        "build/{pub}/benchmarks/html-brief.tsv"
    shell:
        "{PAPERPRESS} html brief {input.model} figures/{wildcards.pub} templates/html {output}"
        " --sources sources/{wildcards.pub} > {log} 2>&1"


rule pdf:
    priority: 20
    input:
        html="build/{pub}/{edition}.html",
        extra=lambda w: pdf_files(w.pub, "screen"),
        code=code("pdf"),
    output:
        pdf="build/{pub}/{edition}.pdf",
        layout="build/{pub}/{edition}.layout.json",
    params:
        options=lambda w: pdf_options(w.pub, "screen"),
    log:
        "build/{pub}/logs/pdf-{edition}.log",
    benchmark:
        "build/{pub}/benchmarks/pdf-{edition}.tsv"
    shell:
        "{PAPERPRESS} pdf {input.html} {output.pdf} --layout {output.layout} {params.options}"
        " > {log} 2>&1"


rule pdf_press:
    priority: 20
    input:
        html="build/{pub}/{edition}.html",
        extra=lambda w: pdf_files(w.pub, "press"),
        code=code("pdf"),
    output:
        pdf="build/{pub}/{edition}-press.pdf",
        layout="build/{pub}/{edition}-press.layout.json",
    params:
        options=lambda w: pdf_options(w.pub, "press"),
    log:
        "build/{pub}/logs/pdf-{edition}-press.log",
    benchmark:
        "build/{pub}/benchmarks/pdf-{edition}-press.tsv"
    shell:
        "{PAPERPRESS} pdf {input.html} {output.pdf} --layout {output.layout} {params.options}"
        " > {log} 2>&1"


rule whitepaper_docx:
    input:
        model="build/{pub}/document.json",
        figures=lambda w: figures(w.pub, "png"),
        images=lambda w: word_images(w.pub),
        template=TEMPLATE_FILES["docx/whitepaper.docx"][0],
        code=code("docx"),
    output:
        "build/{pub}/whitepaper.docx",
    log:
        "build/{pub}/logs/docx-whitepaper.log",
    benchmark:
        "build/{pub}/benchmarks/docx-whitepaper.tsv"
    shell:
        "{PAPERPRESS} docx whitepaper {input.model} figures/{wildcards.pub} {input.template} {output}"
        " --sources sources/{wildcards.pub} > {log} 2>&1"


rule brief_docx:
    input:
        model="build/{pub}/document.json",
        figures=lambda w: figures(w.pub, "png", brief_charts(w.pub)),
        images=lambda w: word_images(w.pub),
        template=TEMPLATE_FILES["docx/brief.docx"][0],
        code=code("docx"),
    output:
        "build/{pub}/brief.docx",
    log:
        "build/{pub}/logs/docx-brief.log",
    benchmark:
        "build/{pub}/benchmarks/docx-brief.tsv"
    shell:
        "{PAPERPRESS} docx brief {input.model} figures/{wildcards.pub} {input.template} {output}"
        " --sources sources/{wildcards.pub} > {log} 2>&1"
