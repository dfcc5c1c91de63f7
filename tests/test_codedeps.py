from paperpress.codedeps import modules_used


def names(command):
    return {p.stem for p in modules_used(command)}


def test_a_step_depends_on_the_modules_its_command_imports():
    assert {"cli", "charts", "chartspec", "statistics", "facts", "errors"} <= names("charts")
    assert {"document", "atomic", "publication", "statistics"} <= names("document")


def test_a_step_does_not_depend_on_other_commands_modules():
    assert not {"docx", "pdf", "html", "publish"} & names("charts")
    assert not {"charts", "docx", "html"} & names("pdf")
    assert "docx" not in names("html") and "html" not in names("docx")
