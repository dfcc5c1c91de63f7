"""Remove a Snakemake lock left by a build that was killed (kill -9, a closed terminal),
so that the next `make publish` runs instead of asking for `snakemake --unlock`.

A lock is stale when no running snakemake process works in this directory.

    python tools/clear_stale_lock.py [DIRECTORY]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def snakemake_running_in(directory: Path) -> bool:
    if not Path("/proc").is_dir():
        return True  # no way to tell here (macOS, BSD): leave the lock to `snakemake --unlock`
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if any(b"snakemake" in part for part in cmdline):
            args = [a.decode(errors="replace") for a in cmdline]
            if "--directory" in args:
                i = args.index("--directory")
                if i + 1 < len(args):
                    cwd = (cwd / args[i + 1]).resolve()
            if cwd.resolve() == directory:
                return True
    return False


def main() -> int:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    locks = directory / ".snakemake" / "locks"
    stale = [p for p in locks.glob("*")] if locks.is_dir() else []
    if stale and not snakemake_running_in(directory):
        for lock in stale:
            lock.unlink(missing_ok=True)
        print(f"removed a stale lock left by an interrupted build ({len(stale)} file(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
