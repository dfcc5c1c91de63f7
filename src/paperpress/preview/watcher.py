"""Which files under sources/ and templates/ changed: their modification times and sizes,
polled (the standard library has no portable change notification, and a poll of a
project's few hundred files every fifth of a second costs a few milliseconds)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Callable

# What editors write beside a file while it is being saved or edited, never a source:
# hidden files (.text.md.swp, .#text.md), Vim's swap and backup files and its write test
# "4913", Emacs' #autosave# and backup~, and temporary or partial files.
SCRATCH = re.compile(r"^\.|~$|^#.*#$|\.(swp|swo|swx|swpx|tmp|temp|bak|orig|part|crdownload)$"
                     r"|^4913$", re.IGNORECASE)

Snapshot = dict[str, tuple[int, int]]


def is_scratch(name: str) -> bool:
    return bool(SCRATCH.search(name))


def snapshot(folders: list[Path]) -> Snapshot:
    """Path -> (modification time in ns, size) of every file under ``folders`` that is
    not an editor's scratch file (hidden folders skipped)."""
    found: Snapshot = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if is_scratch(name):
                    continue
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed while we looked (an editor's save by rename)
                found[path] = (st.st_mtime_ns, st.st_size)
    return found


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class Watcher(threading.Thread):
    """Polls ``folders`` every ``interval`` seconds and calls ``on_change(paths)`` with
    the files that changed and that ``wanted`` accepts."""

    def __init__(self, folders: list[Path], on_change: Callable[[list[str]], None],
                 wanted: Callable[[str], bool] = lambda path: True, interval: float = 0.2):
        super().__init__(name="preview-watcher", daemon=True)
        self.folders, self.on_change, self.wanted = folders, on_change, wanted
        self.interval = interval
        self.stopping = threading.Event()
        self.last = snapshot(folders)

    def poll(self) -> list[str]:
        now = snapshot(self.folders)
        paths = [p for p in changed(self.last, now) if self.wanted(p)]
        self.last = now
        return paths

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            paths = self.poll()
            if paths:
                self.on_change(paths)

    def stop(self) -> None:
        self.stopping.set()
