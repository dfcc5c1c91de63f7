"""Live preview: `paperpress preview [publication]` serves the publication's web edition
and screen PDF on 127.0.0.1, rebuilds them through Snakemake when sources/ or templates/
change, and reloads the page in the browser; a build's errors are shown over the last
good page.

    watcher.py        which files changed (polled)
    rebuild.py        when to rebuild, and what: the web edition, then the PDF
    snakemake_run.py  one Snakemake run and its errors
    state.py          what is served: the last good files, the build's state
    server.py, page.py, bar.html   the web server and the page's bar and script
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ..errors import SourceError
from .page import bar, inject, preview_words, source_lang, waiting_page
from .rebuild import HTML, Rebuilder
from .server import PreviewServer
from .snakemake_run import SnakemakeRunner
from .state import KeptFiles, PreviewState
from .watcher import Watcher


def publications(project: Path) -> list[str]:
    """The publications the workflow builds (as workflow/rules/common.smk finds them)."""
    return sorted(p.parent.name for p in (project / "sources").glob("*/publication.yaml"))


def choose_publication(project: Path, wanted: str | None) -> tuple[str, str]:
    """(publication, why it was chosen); SourceError naming the choices for one that is
    not there."""
    names = publications(project)
    if not names:
        raise SourceError(f"{project}{os.sep}sources", "no publication here (no sources/*/"
                                                        "publication.yaml): run the preview"
                                                        " in the project's folder")
    if wanted is not None:
        if wanted not in names:
            raise SourceError("sources", f"no publication '{wanted}': there are "
                                         f"{', '.join(names)}")
        return wanted, ""
    if len(names) == 1:
        return names[0], " (the only publication)"
    return names[0], (f" (the first of {', '.join(names)}; name another to preview it:"
                      " paperpress preview NAME, make preview PUB=NAME)")


def of_publication(project: Path, pub: str):
    """Whether a changed file can touch ``pub``: not another publication's sources."""
    sources = str(project / "sources") + os.sep
    own = sources + pub + os.sep

    def wanted(path: str) -> bool:
        return not path.startswith(sources) or path.startswith(own)
    return wanted


def clear_stale_lock(project: Path) -> None:
    """A lock left by a killed build would stop every rebuild (tools/clear_stale_lock.py
    removes it when no Snakemake runs in the project, as `make publish` does)."""
    tool = project / "tools" / "clear_stale_lock.py"
    if tool.exists():
        subprocess.run([sys.executable, str(tool), str(project)], check=False)


def run_preview(project: Path, wanted: str | None, port: int = 0, cores: str = "all") -> int:
    project = project.resolve()
    pub, why = choose_publication(project, wanted)
    clear_stale_lock(project)
    state, files = PreviewState(), KeptFiles(project / "build" / pub / "preview")
    lang = source_lang(project / "sources" / pub)
    words = preview_words(project / "templates", lang)

    def page() -> bytes:
        snippet = bar(state.version, state.pdf_version, words)
        kept = files.read(HTML)
        return waiting_page(lang, words, snippet) if kept is None else inject(kept, snippet)

    try:
        server = PreviewServer(port, state, files, page)
    except OSError as exc:
        print(f"error: 127.0.0.1:{port}: {exc.strerror or exc} (leave out --port for a free"
              " one)", file=sys.stderr)
        return 1
    runner = SnakemakeRunner(project, project / "build" / pub / "preview", cores)
    rebuilder = Rebuilder(project, pub, runner, state, files)
    watcher = Watcher([project / "sources", project / "templates"], rebuilder.changed,
                      of_publication(project, pub))
    # What a previous preview kept is shown at once, while the first build runs.
    if files.read(HTML) is not None:
        state.update(version=1)
    serving = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopped.set())
    print(f"previewing {pub}{why}", flush=True)
    print(f"  {server.url}   (Ctrl-C stops)", flush=True)
    serving.start()
    rebuilder.start()
    watcher.start()
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    # Stopping: a second Ctrl-C would only cut short the end of the run in progress.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watcher.stop()
    rebuilder.stop()
    state.stop()
    server.shutdown()
    server.server_close()
    rebuilder.join(20)
    print("preview stopped", flush=True)
    return 0
