"""Rebuild templates/icc/CoatedFOGRA39.icc, the press edition's default output profile.

The profile of ISO 12647-2 coated offset printing (FOGRA39) that print shops name is ECI's
"ISO Coated v2", whose licence does not let paperpress ship it. Its characterisation data,
FOGRA39L, is free (Debian's icc-profiles-free, zlib licence: /usr/share/color/icc/FOGRA39L.ti3),
and ArgyllCMS's colprof (Debian's argyll) makes an ICC output profile of it. This script
does so, as it was done for the committed profile:

    apt-get install icc-profiles-free argyll
    python3 tools/make_fogra39_profile.py

Medium quality, ramp black generation, 330 % total ink (ISO 12647-2 coated); the
characterisation data is not embedded (-nc), to keep the profile that every press PDF
embeds small (120 KB).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")
OUT = Path(__file__).resolve().parent.parent / "templates" / "icc" / "CoatedFOGRA39.icc"
DESCRIPTION = "Coated FOGRA39 (ISO 12647-2:2004)"
COPYRIGHT = ("Built by paperpress with ArgyllCMS colprof from FOGRA39L.ti3 (Fogra data;"
             " Copyright Kai-Uwe Behrmann, zlib licence). Not ECI's ISO Coated v2.")


def main() -> int:
    if not DATA.exists():
        print(f"error: {DATA} is missing: apt-get install icc-profiles-free", file=sys.stderr)
        return 1
    if shutil.which("colprof") is None:
        print("error: colprof is missing: apt-get install argyll", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(DATA, Path(work) / "FOGRA39L.ti3")
        subprocess.run(["colprof", "-qm", "-nc", "-kr", "-l330", "-A", "paperpress",
                        "-M", "FOGRA39L characterisation data", "-D", DESCRIPTION,
                        "-C", COPYRIGHT, "FOGRA39L"], cwd=work, check=True)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(work) / "FOGRA39L.icc", OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
