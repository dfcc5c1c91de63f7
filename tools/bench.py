"""Benchmark the bundled publication's builds, run by hand: `make bench`.

Builds a temporary copy of the project and prints, for each kind of run, the median wall
time and the peak memory of the largest process over several runs, then the time each
stage took in the clean build (from the rules' Snakemake benchmark files), and the live
preview's latency: from saving text.md to the new text in the page the preview serves,
for the bundled white paper and the short Chinese bulletin (tests/fixtures/bulletin-zh).

    python tools/bench.py [--runs 3] [--cores 2] [--only-preview]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PUB = "hunan-bri-2023"
BUDGETS = {"clean build, no worker yet": 6.0, "clean build": 6.0, "no-op rebuild": 1.2,
           "one data value changed": 4.0}
# Save -> the new text served by `paperpress preview` ("within a few seconds", issue 13).
PREVIEW_BUDGET = 3.0
SMALL_PUB = REPO / "tests" / "fixtures" / "bulletin-zh"
PEAK_BUDGET_MB = 500
# Run snakemake in a child and report the largest resident size among it and its jobs.
MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
           "wall = time.perf_counter() - t\n"
           "if r.returncode: sys.stderr.write(r.stderr.decode()); sys.exit(r.returncode)\n"
           "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def copy_project(dest: Path, pub: str = PUB, source: Path | None = None) -> Path:
    """A copy of the project with one publication: ``pub`` of sources/, or ``source``."""
    dest.mkdir()
    for name in ("Snakefile", "profiles", "workflow", "src", "sources", "templates"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    # The budgets are the bundled white paper's: the other publications are left out.
    for other in (dest / "sources").iterdir():
        if other.name != pub:
            shutil.rmtree(other)
    if source is not None:
        shutil.copytree(source, dest / "sources" / pub)
    return dest


def build(project: Path, cores: int, env: dict) -> tuple[float, float]:
    """Wall seconds and the peak resident MiB of the largest process: Snakemake and its
    children, and the steps the warm worker ran (from its job log)."""
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "snakemake", "--cores",
           str(cores), "--snakefile", str(project / "Snakefile"), "--directory", str(project)]
    log = Path(env["PAPERPRESS_WORKER_DIR"]) / "jobs.log"
    log.unlink(missing_ok=True)
    out = subprocess.run(cmd, capture_output=True, text=True,
                         env={**env, "PAPERPRESS_WORKER_LOG": str(log)})
    if out.returncode:
        raise SystemExit(f"build failed:\n{out.stderr[-3000:]}")
    wall, rss_kb = out.stdout.split()
    peaks = [int(rss_kb)]
    if log.exists():
        peaks += [int(line.split("\t")[-1]) for line in log.read_text().splitlines()]
    return float(wall), max(peaks) / 1024


def stop_workers(folder: Path) -> float:
    """Stop the warm worker(s) started from ``folder``; return the largest one's peak
    resident MiB (its own, without the steps it forked)."""
    peak = 0.0
    for socket_file in folder.glob("*.sock"):
        pid_file = socket_file.with_suffix(".pid")
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        if pid:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) / 1024)
            except (OSError, IndexError, ValueError):
                pass
        socket_file.unlink()
        while pid and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)
    return peak


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


def enlarge_to_the_limits(project: Path) -> str:
    """The largest publication the build accepts: the bundled text repeated up to the text
    bound (its figures placed once) and data filling the appendix to its bound."""
    sys.path.insert(0, str(project / "src"))
    from paperpress.document import MAX_APPENDIX_ROWS, MAX_TEXT_BYTES

    text_path = project / "sources" / PUB / "text.md"
    text = text_path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + 5
    body = text[end:]
    copy = "\n" + body.replace("{{ key-figures }}", "")
    copy = "\n".join(line for line in copy.splitlines() if "{{ figure " not in line) + "\n"
    room = MAX_TEXT_BYTES - len(text.encode("utf-8"))
    repeats = room // len(copy.encode("utf-8"))
    text_path.write_text(text + copy * repeats, encoding="utf-8")
    data = project / "sources" / PUB / "data"
    rows = sum(len(p.read_text(encoding="utf-8").strip().splitlines()) - 1
               for p in data.glob("*.csv"))
    extra = ["key,period,value,unit,label,section"] + [
        f"bench_{n},2022,{n}.5,亿元,第{n}项指标,一（三）" for n in range(MAX_APPENDIX_ROWS - rows)]
    (data / "zz-bench.csv").write_text("\n".join(extra) + "\n", encoding="utf-8")
    size = text_path.stat().st_size
    return f"text {size // 1024} KB ({repeats + 1}x the bundled), {MAX_APPENDIX_ROWS} data rows"


def stage_times(project: Path) -> dict[str, tuple[int, float]]:
    """Stage -> (jobs, summed wall seconds) from the rules' benchmark files. (Their memory
    column is the step's own process, which hands its work to the worker: not shown.)"""
    stages: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for tsv in sorted((project / "build" / PUB / "benchmarks").glob("*.tsv")):
        stage = tsv.stem.split("-")[0]
        with open(tsv, newline="") as f:
            row = next(csv.DictReader(f, delimiter="\t"))
        stages[stage][0] += 1
        stages[stage][1] += float(row["s"])
    return {k: tuple(v) for k, v in stages.items()}


def _status(url: str) -> dict:
    import json

    with urllib.request.urlopen(url + "status", timeout=30) as r:
        return json.load(r)


def _served(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8")


def _until(condition, timeout: float = 600.0, every: float = 0.02) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("preview: timed out")
        time.sleep(every)


def mark_text(path: Path, n: int) -> str:
    """Put a word of its own into the text's first paragraph (after its first comma);
    returns the word."""
    word = f"预览第{n}次"
    text = re.sub(r"预览第\d+次", "", path.read_text(encoding="utf-8"))
    body_at = text.index("\n---\n", 4) + 5
    for m in re.finditer(r"^[^#{\-|>:\s].*$", text[body_at:], re.MULTILINE):
        line = m[0]
        if "，" in line:
            at = body_at + m.start() + line.index("，") + 1
            path.write_text(text[:at] + word + text[at:], encoding="utf-8")
            return word
    raise SystemExit(f"{path}: no paragraph with a comma to mark")


def preview_latency(project: Path, pub: str, runs: int, cores: int, env: dict) -> list[float]:
    """Seconds from saving text.md to the served page holding the new text, ``runs``
    times, each save made with the preview idle (its previous web edition and PDF built):
    `paperpress preview` as an editor runs it, polled every 20 ms."""
    proc = subprocess.Popen([sys.executable, "-m", "paperpress", "preview", pub, "--cores",
                             str(cores)], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**env, "PYTHONPATH": str(project / "src")})
    try:
        proc.stdout.readline()
        url = re.search(r"http://\S+/", proc.stdout.readline())[0]
        idle = lambda: (lambda s: s["version"] >= 1 and s["building"] is None)(_status(url))  # noqa: E731
        _until(idle, every=0.2)  # the first build, with its PDF
        times = []
        for n in range(runs):
            word = mark_text(project / "sources" / pub / "text.md", n)
            saved = time.perf_counter()
            _until(lambda: word in _served(url))
            times.append(time.perf_counter() - saved)
            _until(idle, every=0.2)
        return times
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)


def preview_results(tmp: Path, runs: int, cores: int, env: dict) -> dict[str, list[float]]:
    results = {}
    for pub, source in ((PUB, None), (SMALL_PUB.name, SMALL_PUB)):
        project = copy_project(tmp / f"preview-{pub}", pub, source)
        results[f"preview: {pub}"] = preview_latency(project, pub, runs, cores, env)
    return results


def print_preview(results: dict[str, list[float]], cores: int) -> None:
    print(f"\nlive preview, save -> new text served (the web edition rebuilt, --cores {cores}):")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<32}{median:>8.2f}s{min(times):>7.2f}s{max(times):>7.2f}s"
              f"  budget {PREVIEW_BUDGET:.1f} s {'ok' if median <= PREVIEW_BUDGET else 'OVER'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--skip-largest", action="store_true",
                        help="leave out the build of the largest accepted publication")
    parser.add_argument("--only-preview", action="store_true",
                        help="measure the live preview's latency alone")
    args = parser.parse_args()

    if args.only_preview:
        with tempfile.TemporaryDirectory(prefix="paperpress-bench-") as tmp:
            workers = Path(tmp) / "workers"
            workers.mkdir(mode=0o700)
            env = {**os.environ, "PAPERPRESS_WORKER_DIR": str(workers)}
            print_preview(preview_results(Path(tmp), args.runs, args.cores, env), args.cores)
            stop_workers(workers)
        return 0

    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    worker_peak = 0.0
    with tempfile.TemporaryDirectory(prefix="paperpress-bench-") as tmp:
        project = copy_project(Path(tmp) / "project")
        workers = Path(tmp) / "workers"
        workers.mkdir(mode=0o700)
        env = {**os.environ, "PAPERPRESS_WORKER_DIR": str(workers)}
        env.pop("PAPERPRESS_WORKER", None)
        for _ in range(args.runs):
            clean(project)
            results["clean build, worker off"].append(
                build(project, args.cores, {**env, "PAPERPRESS_WORKER": "off"}))
        for _ in range(args.runs):
            clean(project)
            worker_peak = max(worker_peak, stop_workers(workers))
            results["clean build, no worker yet"].append(build(project, args.cores, env))
        for _ in range(args.runs):
            clean(project)
            results["clean build"].append(build(project, args.cores, env))
        stages = stage_times(project)
        scenarios = [("no-op rebuild", None), ("one data value changed", change_data),
                     ("stylesheet changed", change_css),
                     ("Word template restyled", change_word_template)]
        publish_step = []  # the publish step's own seconds after a data change
        for name, change in scenarios:
            for n in range(args.runs):
                if change is not None:
                    change(project, n)
                results[name].append(build(project, args.cores, env))
                if change is change_data:
                    publish_step.append(stage_times(project)["publish"][1])
        preview = preview_results(Path(tmp), args.runs, args.cores, env)
        worker_peak = max(worker_peak, stop_workers(workers))
        largest = None
        if not args.skip_largest:
            big = copy_project(Path(tmp) / "largest")
            largest = enlarge_to_the_limits(big)
            results["largest accepted input"].append(
                build(big, args.cores, {**env, "PAPERPRESS_WORKER": "off"}))
        results["clean build, no worker yet"] = results.pop("clean build, no worker yet")
        results = {k: results[k] for k in ["clean build, worker off",
                                            "clean build, no worker yet", "clean build",
                                            *[n for n, _ in scenarios]]
                   + (["largest accepted input"] if largest else [])}

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
    if largest:
        print(f"largest accepted input: {largest}, one clean build, worker off")
    print(f"the publish step after a data change (a new release and its change report):"
          f" median {statistics.median(publish_step):.2f} s")
    peak = max(worker_peak, *(m for r in results.values() for _, m in r))
    print(f"the warm worker itself: {worker_peak:.0f} MiB (each step it forks shares those"
          " pages; the peaks above count them)")
    print(f"peak memory budget {PEAK_BUDGET_MB} MiB: {'ok' if peak < PEAK_BUDGET_MB else 'OVER'}")
    print_preview(preview, args.cores)
    print("\nstages of the last clean build, warm worker (seconds summed over their jobs;"
          f" {args.cores} run at once):")
    print(f"{'stage':<12}{'jobs':>6}{'seconds':>10}")
    for stage, (jobs, seconds) in sorted(stages.items(), key=lambda kv: -kv[1][1]):
        print(f"{stage:<12}{jobs:>6}{seconds:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
