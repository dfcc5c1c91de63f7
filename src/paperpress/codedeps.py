"""Which of the package's modules a workflow step runs, so the workflow can declare them.

Snakemake does not see code imported by a rule's command. Each rule declares as inputs the
modules its command imports, found by following ``from .x import`` statements (including
imports inside functions), so a code change reruns exactly the steps that can run it.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


# The command line imports each command's module inside that command's function: following
# those would make every step depend on every module. Only its top-level imports count.
DISPATCHERS = ("cli", "__main__")


def imported_modules(path: Path, top_level_only: bool = False, level: int = 1) -> set[str]:
    """The package's modules ``path`` imports; ``level``: how many dots name the package
    from it (2 in a subpackage such as changes/)."""
    stat = Path(path).stat()
    return set(_imported_modules(str(path), top_level_only, stat.st_mtime_ns, stat.st_size,
                                 level))


# Every rule asks about the same few modules each time the workflow is read (before even a
# no-op run): parse each file once. The key holds the file's mtime and size, so an edited
# module is read again.
@lru_cache(maxsize=None)
def _imported_modules(path: str, top_level_only: bool, _mtime_ns: int,
                      _size: int, level: int = 1) -> frozenset[str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    names = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.level == level:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return frozenset(names)


def modules_used(command_module: str, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The module files a CLI command runs: the dispatcher, ``command_module`` and every
    module those import, transitively."""
    package_dir = Path(package_dir)
    seen: set[str] = set()
    todo = ["__init__", *DISPATCHERS, command_module]
    files: list[Path] = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if (package_dir / f"{name}.py").exists():
            files.append(package_dir / f"{name}.py")
            todo.extend(imported_modules(package_dir / f"{name}.py",
                                         top_level_only=name in DISPATCHERS))
        elif (package_dir / name / "__init__.py").exists():
            # A subpackage (changes/) is run as a whole: every module of it, and what
            # they import from the package (``from ..x import``).
            for module in sorted((package_dir / name).glob("*.py")):
                files.append(module)
                todo.extend(imported_modules(module, level=2))
    return sorted(files)
