"""Jinja2 for editors' templates: sandboxed, autoescaped, strict, with errors that name
the template file and line."""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import jinja2

from .errors import SourceError
from .sandbox import BoundedSandbox

# What an expression in an editor's template can raise as it is rendered: undefined names
# and the sandbox's refusals ({{ ''.__class__ }}) are jinja2 errors; a bad operation
# ({{ 1/0 }}, {{ title + 1 }}, {{ 10.0**400 }}, {{ int('x') }}) raises Python's own, and
# one that the sandbox's bounds did not foresee may still run out of memory.
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
                 AttributeError, RecursionError, MemoryError)


class _ProjectLoader(jinja2.FileSystemLoader):
    """Loads templates from one folder, refusing any that is a link to a file outside it
    (Jinja already refuses '..' in a template name)."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        from .inputs import check_project_file

        folder = Path(self.searchpath[0])
        check_project_file(Path(filename), (folder,), "template")
        return source, filename, uptodate


# How long a template may run before the build stops it (a loop that does not end).
TIME_LIMIT_SECONDS = 30


def make_environment(template_dir: Path) -> jinja2.Environment:
    # Templates come from editors: the sandbox keeps them from reaching Python internals
    # and from building more than a job's memory holds; autoescape is explicit because
    # select_autoescape() does not know '.html.j2'.
    return BoundedSandbox(loader=_ProjectLoader(str(template_dir)), **_OPTIONS)


_OPTIONS = dict(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                lstrip_blocks=True, keep_trailing_newline=True)


class FieldsIncludeFiles(jinja2.TemplateError):
    """A Word template's field that names another file ({% include 'note.txt' %})."""


class _NoFilesLoader(jinja2.BaseLoader):
    def get_source(self, environment, template):
        raise FieldsIncludeFiles(f"a Word template's fields cannot include other files"
                                 f" ('{template}'): write the text into the template")


def make_field_environment() -> jinja2.Environment:
    """For the fields of a Word template: they may not include, import or extend another
    file, which the build would neither declare as an input nor check."""
    return BoundedSandbox(loader=_NoFilesLoader(), **_OPTIONS)


class TemplateTimeout(jinja2.TemplateError):
    """A template that ran past the time limit (a loop that does not end)."""


@contextmanager
def time_limit(seconds: float | None = None):
    """Raise TemplateTimeout in the block after ``seconds`` (a template loop that does not
    end). Only the main thread can take signals; elsewhere the block runs unbounded."""
    seconds = TIME_LIMIT_SECONDS if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TemplateTimeout(f"ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_template(template_dir: Path, name: str, context: dict,
                    filters: dict | None = None) -> str:
    """``name`` rendered with ``context``; ``filters``: the writer's own filters (the
    typesetting of the text, which imported macros use too)."""
    env = make_environment(template_dir)
    env.filters.update(filters or {})
    try:
        with time_limit():
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


def templates_used(template_dir: Path, name: str) -> list[Path]:
    """``name`` and every template it extends, includes or imports, so that the workflow
    declares them all as inputs. A template that names others through a variable may use
    any template of the folder; one that does not parse is left for its step to report."""
    from jinja2 import meta

    env = make_environment(template_dir)
    found, pending = [], [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.append(current)
        try:
            source = env.loader.get_source(env, current)[0]
            referenced = list(meta.find_referenced_templates(env.parse(source)))
        except (jinja2.TemplateError, SourceError, OSError):
            continue
        if None in referenced:
            # A name made at render time may be any file below the folder.
            return sorted(p for p in Path(template_dir).rglob("*") if p.is_file())
        pending += referenced
    return [Path(template_dir) / n for n in found]


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
