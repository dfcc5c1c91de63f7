"""Benchmark the bundled publication's builds, run by hand: `make bench`.

Builds a temporary copy of the project and prints, for each kind of run, the median wall
time and the peak memory of the largest process over several runs, then the time each
stage took in the clean build (from the rules' Snakemake benchmark files).

    python tools/bench.py [--runs 3] [--cores 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PUB = "hunan-bri-2023"
BUDGETS = {"clean build": 6.0, "no-op rebuild": 1.2, "one data value changed": 4.0}
PEAK_BUDGET_MB = 500
# Run snakemake in a child and report the largest resident size among it and its jobs.
MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
           "wall = time.perf_counter() - t\n"
           "if r.returncode: sys.stderr.write(r.stderr.decode()); sys.exit(r.returncode)\n"
           "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def copy_project(dest: Path) -> Path:
    for name in ("Snakefile", "profiles", "workflow", "src", "sources", "templates"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def build(project: Path, cores: int) -> tuple[float, float]:
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "snakemake", "--cores",
           str(cores), "--snakefile", str(project / "Snakefile"), "--directory", str(project)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"build failed:\n{out.stderr[-3000:]}")
    wall, rss_kb = out.stdout.split()
    return float(wall), int(rss_kb) / 1024


def clean(project: Path) -> None:
    for name in ("build", "figures", "output", ".snakemake"):
        shutil.rmtree(project / name, ignore_errors=True)


def change_data(project: Path, n: int) -> None:
    path = project / "sources" / PUB / "data" / "trade.csv"
    text = path.read_text(encoding="utf-8")
    old, new = ("3518.1", "3518.2") if n % 2 == 0 else ("3518.2", "3518.1")
    path.write_text(text.replace(f"2022,{old},", f"2022,{new},"), encoding="utf-8")


def change_css(project: Path, n: int) -> None:
    path = project / "templates" / "html" / "whitepaper.css"
    path.write_text(path.read_text(encoding="utf-8") + f"\n/* bench {n} */\n", encoding="utf-8")


def change_word_template(project: Path, n: int) -> None:
    import docx
    from docx.shared import RGBColor

    path = project / "templates" / "docx" / "whitepaper.docx"
    document = docx.Document(str(path))
    document.styles["Heading 1"].font.color.rgb = RGBColor(n % 2 * 0x20, 0x20, 0x20)
    document.save(str(path))


def stage_times(project: Path) -> dict[str, tuple[int, float, float]]:
    """Stage -> (jobs, summed seconds, largest max RSS in MB) from the benchmark files."""
    stages: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for tsv in sorted((project / "build" / PUB / "benchmarks").glob("*.tsv")):
        stage = tsv.stem.split("-")[0]
        with open(tsv, newline="") as f:
            row = next(csv.DictReader(f, delimiter="\t"))
        entry = stages[stage]
        entry[0] += 1
        entry[1] += float(row["s"])
        rss = row.get("max_rss", "NA")
        entry[2] = max(entry[2], float(rss) if rss not in ("NA", "-") else 0.0)
    return {k: tuple(v) for k, v in stages.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()

    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="paperpress-bench-") as tmp:
        project = copy_project(Path(tmp))
        for _ in range(args.runs):
            clean(project)
            results["clean build"].append(build(project, args.cores))
        stages = stage_times(project)
        scenarios = [("no-op rebuild", None), ("one data value changed", change_data),
                     ("stylesheet changed", change_css),
                     ("Word template restyled", change_word_template)]
        for name, change in scenarios:
            for n in range(args.runs):
                if change is not None:
                    change(project, n)
                results[name].append(build(project, args.cores))

    print(f"paperpress benchmark: {PUB}, {args.runs} runs each, --cores {args.cores},"
          f" {os.cpu_count()} CPUs")
    print(f"{'run':<26}{'median wall':>12}{'min':>8}{'max':>8}{'peak MiB':>10}  budget")
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        peak = max(m for _, m in runs)
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else (
            f"{budget:.1f} s {'ok' if statistics.median(walls) <= budget else 'OVER'}")
        print(f"{name:<26}{statistics.median(walls):>11.2f}s{min(walls):>7.2f}s"
              f"{max(walls):>7.2f}s{peak:>10.0f}  {verdict}")
    print(f"peak memory budget {PEAK_BUDGET_MB} MiB:"
          f" {'ok' if max(m for r in results.values() for _, m in r) < PEAK_BUDGET_MB else 'OVER'}")
    print("\nstages of the last clean build (seconds summed over their jobs; 2 run at once):")
    print(f"{'stage':<12}{'jobs':>6}{'seconds':>10}{'max MiB':>10}")
    for stage, (jobs, seconds, rss) in sorted(stages.items(), key=lambda kv: -kv[1][1]):
        print(f"{stage:<12}{jobs:>6}{seconds:>10.2f}{rss:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
