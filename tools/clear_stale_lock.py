"""Remove a Snakemake lock left by a build that was killed (kill -9, a closed terminal).

Every `snakemake` run in this project does this by itself before it takes its lock (the
workflow calls paperpress.stalelock); this is the same step by hand:

    python tools/clear_stale_lock.py [DIRECTORY]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from paperpress.stalelock import clear_stale_lock  # noqa: E402


def main() -> int:
    removed = clear_stale_lock(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
    if removed:
        print(f"removed a stale lock left by an interrupted build ({removed} file(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
