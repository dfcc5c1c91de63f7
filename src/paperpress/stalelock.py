"""Clear a Snakemake lock left by a build that was killed (kill -9, a closed terminal), so
that the next `snakemake` runs instead of asking for `snakemake --unlock`.

The workflow calls this while Snakemake reads the Snakefile, which it does before it takes
its lock (snakemake/workflow.py: the DAG is built and `persistence.lock()` taken after the
Snakefile was included). A lock is stale when no other snakemake process works in this
directory; while one does, the lock is left alone and Snakemake refuses to start, as it
should.
"""

from __future__ import annotations

import os
from pathlib import Path


def _is_snakemake(argv: list[str]) -> bool:
    """Whether a command line runs Snakemake: `snakemake …`, `python …/snakemake …` or
    `python -m snakemake …` (not any command that merely mentions the word)."""
    if not argv:
        return False
    program = os.path.basename(argv[0])
    if program.startswith("snakemake"):
        return True
    if not program.startswith("python"):
        return False
    args = argv[1:]
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "-m":
        i += 1  # the interpreter's own options (-u, -O, …)
    if i < len(args) and args[i] == "-m":
        return args[i + 1:i + 2] == ["snakemake"]
    return i < len(args) and os.path.basename(args[i]) == "snakemake"


def _workdir(argv: list[str], cwd: Path) -> Path:
    """The directory a snakemake command line works in (--directory / -d, else its cwd)."""
    for i, arg in enumerate(argv):
        if arg in ("--directory", "-d") and i + 1 < len(argv):
            return (cwd / argv[i + 1]).resolve()
        if arg.startswith("--directory="):
            return (cwd / arg.split("=", 1)[1]).resolve()
    return cwd.resolve()


def snakemake_running_in(directory: Path, exclude: set[int] | None = None) -> bool:
    """Whether a snakemake process other than those in ``exclude`` (and this one) works in
    ``directory``. Without /proc (macOS, BSD) there is no telling: say yes, and the lock is
    left to `snakemake --unlock`."""
    if not Path("/proc").is_dir():
        return True
    skip = {os.getpid()} | (exclude or set())
    directory = directory.resolve()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) in skip:
            continue
        try:
            argv = [a.decode(errors="replace")
                    for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue  # gone, or not ours to look at
        if _is_snakemake(argv) and _workdir(argv, cwd) == directory:
            return True
    return False


def clear_stale_lock(directory: Path) -> int:
    """Remove the locks in ``directory``/.snakemake/locks if no other snakemake works
    there; return how many were removed."""
    locks = Path(directory) / ".snakemake" / "locks"
    stale = sorted(locks.glob("*")) if locks.is_dir() else []
    if not stale or snakemake_running_in(Path(directory)):
        return 0
    for lock in stale:
        lock.unlink(missing_ok=True)
    return len(stale)
