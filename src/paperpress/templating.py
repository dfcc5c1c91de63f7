"""Jinja2 for editors' templates: sandboxed, autoescaped, strict, with errors that name
the template file and line."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import SourceError

# What an expression in an editor's template can raise as it is rendered: undefined names
# and the sandbox's refusals ({{ ''.__class__ }}) are jinja2 errors; a bad operation
# ({{ 1/0 }}, {{ title + 1 }}, {{ 10.0**400 }}, {{ int('x') }}) raises Python's own.
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
                 AttributeError, RecursionError)


def make_environment(template_dir: Path) -> jinja2.Environment:
    # Templates come from editors: the sandbox keeps them from reaching Python internals,
    # autoescape is explicit because select_autoescape() does not know '.html.j2'.
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(template_dir: Path, name: str, context: dict) -> str:
    env = make_environment(template_dir)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or str(Path(template_dir) / name)
        raise SourceError(path, f"template syntax error: {exc.message}",
                          line=exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise SourceError(Path(template_dir) / str(exc.name),
                          "template not found") from None
    except RENDER_ERRORS as exc:
        path, line = _template_frame(sys.exc_info()[2], template_dir)
        raise SourceError(path or Path(template_dir) / name,
                          f"template error: {describe_render_error(exc)}", line=line) from None


def describe_render_error(exc: BaseException) -> str:
    """One line for a message: jinja2's own, or Python's with what kind of error it is."""
    if isinstance(exc, jinja2.TemplateError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return " ".join(text.split())


def _template_frame(tb, template_dir: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file: its path and line."""
    root = str(Path(template_dir).resolve())
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root) or filename.endswith((".j2", ".html", ".xml")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
