"""The warm worker: steps run in it behave as steps run on their own, run the caller's code,
stop when the step is stopped, and no worker is used where its socket would not be safe."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PUB, REPO, SOURCES, copy_project, snakemake

SRC = REPO / "src"
EXECUTOR_PLUGIN = Path(__file__).resolve().parent / "fixtures" / "executor"
sys.path.insert(0, str(SRC))
from paperpress import worker  # noqa: E402


@pytest.fixture
def worker_dir(tmp_path, monkeypatch):
    folder = tmp_path / "workers"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("PAPERPRESS_WORKER_DIR", str(folder))
    monkeypatch.delenv("PAPERPRESS_WORKER", raising=False)
    yield folder
    for socket_file in folder.glob("*.sock"):
        socket_file.unlink()


def step(*argv, src=SRC, **env) -> subprocess.CompletedProcess:
    """Run ``python -m paperpress argv`` as a workflow step does."""
    return subprocess.run([sys.executable, "-m", "paperpress", *map(str, argv)],
                          env={**os.environ, "PYTHONPATH": str(src), **env},
                          capture_output=True, text=True, timeout=60)


def start(src=SRC) -> str:
    path = worker.start_worker(str(src))
    assert path is not None
    return path


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # our own child: reap it so it does not linger as a zombie
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_step_in_the_worker_fails_as_it_would_on_its_own(worker_dir, tmp_path):
    log = tmp_path / "jobs.log"
    start()
    via_worker = step("model", tmp_path / "nowhere", tmp_path / "m.json",
                      PAPERPRESS_WORKER_LOG=str(log))
    on_its_own = step("model", tmp_path / "nowhere", tmp_path / "m.json",
                      PAPERPRESS_WORKER="off")
    assert log.read_text().startswith("model\t"), "the step did not run in the worker"
    assert via_worker.returncode == on_its_own.returncode == 1
    assert via_worker.stderr == on_its_own.stderr
    assert "nowhere/publication.yaml: is missing" in via_worker.stderr


def test_a_usage_error_exits_2_with_argparse_message(worker_dir):
    start()
    result = step("pdf")
    assert result.returncode == 2
    assert "the following arguments are required: html, out" in result.stderr


@pytest.mark.parametrize("started_from", ["another folder", "the same folder"])
def test_the_worker_runs_the_callers_edited_code(worker_dir, tmp_path, started_from):
    """A step runs the code it would run on its own: a project whose code differs from the
    worker's, or the worker's own project after an edit, runs the edited module."""
    src = tmp_path / "src"
    shutil.copytree(SRC, src, ignore=shutil.ignore_patterns("__pycache__"))
    start(SRC if started_from == "another folder" else src)
    log = tmp_path / "jobs.log"
    before = step("model", tmp_path / "nowhere", tmp_path / "m.json", src=src,
                  PAPERPRESS_WORKER_LOG=str(log))
    assert before.stderr.startswith("error: "), before.stderr
    cli = src / "paperpress" / "cli.py"
    cli.write_text(cli.read_text(encoding="utf-8").replace('print(f"error: {exc}"',
                                                           'print(f"EDITED: {exc}"'),
                   encoding="utf-8")
    after = step("model", tmp_path / "nowhere", tmp_path / "m.json", src=src,
                 PAPERPRESS_WORKER_LOG=str(log))
    assert len(log.read_text().splitlines()) == 2, "the steps did not run in the worker"
    assert after.stderr.startswith("EDITED: "), after.stderr


def _blocked_step(tmp_path, **popen):
    """A step that waits: its publication.yaml is a named pipe nobody writes to."""
    source = tmp_path / "pub"
    if not source.exists():
        source.mkdir()
        os.mkfifo(source / "publication.yaml")
    return subprocess.Popen([sys.executable, "-m", "paperpress", "model", str(source),
                             str(tmp_path / "m.json")],
                            env={**os.environ, "PYTHONPATH": str(SRC), **popen.pop("env", {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _its_child(daemon: int, before: set[int]) -> int:
    deadline = time.monotonic() + 20
    while not (set(children_of(daemon)) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = set(children_of(daemon)) - before
    return child


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_stopping_a_step_stops_its_work_in_the_worker(worker_dir, tmp_path, how):
    """The step ends as it would on its own (killed by that signal, which make and shells
    tell from a failure), and its child in the worker ends with it."""
    on_its_own = _blocked_step(tmp_path, env={"PAPERPRESS_WORKER": "off"})
    time.sleep(1.0)  # let it reach the pipe
    on_its_own.send_signal(how)
    on_its_own.wait(timeout=10)

    path = start()
    assert worker.ping(path)
    daemon = worker.worker_pid(path)
    before = set(children_of(daemon))
    process = _blocked_step(tmp_path)
    child = _its_child(daemon, before)
    process.send_signal(how)
    process.wait(timeout=10)
    assert gone(child), f"the worker's process for the step outlived it ({how.name})"
    assert process.returncode == on_its_own.returncode == -how


def test_a_signal_the_step_ignores_stays_ignored(worker_dir, tmp_path):
    """Under nohup a step ignores SIGHUP; in the worker too."""
    path = start()
    assert worker.ping(path)
    daemon = worker.worker_pid(path)
    before = set(children_of(daemon))
    process = _blocked_step(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                                       signal.SIG_IGN))
    child = _its_child(daemon, before)
    process.send_signal(signal.SIGHUP)
    os.kill(child, signal.SIGHUP)
    time.sleep(0.5)
    assert process.poll() is None and not gone(child, within=0.1)
    process.terminate()
    process.wait(timeout=10)
    assert gone(child)


def test_a_step_waiting_for_a_stuck_worker_can_be_stopped(worker_dir, tmp_path):
    """A worker that never takes the step (stuck, or still starting): Ctrl-C or a TERM
    stops the step at once, as it would stop on its own."""
    stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stuck.bind(worker.socket_path())
    stuck.listen(8)  # and never accepts
    try:
        log = tmp_path / "jobs.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "paperpress", "model", str(tmp_path / "nowhere"),
             str(tmp_path / "m.json")],
            env={**os.environ, "PYTHONPATH": str(SRC), "PAPERPRESS_WORKER_LOG": str(log)})
        time.sleep(1.0)
        assert process.poll() is None, "the step did not wait for the worker"
        process.terminate()
        assert process.wait(timeout=5) == -signal.SIGTERM
        assert not log.exists()
    finally:
        stuck.close()


def test_the_steps_streams_encode_as_on_its_own(worker_dir, tmp_path):
    start()
    where = tmp_path / "café"
    runs = [subprocess.run([sys.executable, "-m", "paperpress", "model", str(where),
                            str(tmp_path / "m.json")],
                           env={**os.environ, "PYTHONPATH": str(SRC),
                                "PYTHONIOENCODING": "latin-1", **extra},
                           capture_output=True)
            for extra in ({"PAPERPRESS_WORKER_LOG": str(tmp_path / "jobs.log")},
                          {"PAPERPRESS_WORKER": "off"})]
    assert (tmp_path / "jobs.log").exists(), "the step did not run in the worker"
    assert b"caf\xe9" in runs[1].stderr
    assert runs[0].stderr == runs[1].stderr
    assert runs[0].returncode == runs[1].returncode == 1


def test_a_matplotlibrc_in_the_steps_folder_counts_as_on_its_own(worker_dir, tmp_path):
    """matplotlib reads ./matplotlibrc when it is imported; the worker imported it
    elsewhere. A chart now ignores any matplotlibrc (it is no declared input of the build:
    charts draw on matplotlib's built-in defaults and the house style), so a step in the
    worker and one on its own must both draw the chart as if there were none."""
    start()
    (tmp_path / "matplotlibrc").write_text("xtick.labelsize: 21\n", encoding="utf-8")
    svgs = []
    log = tmp_path / "jobs.log"
    for extra in ({"PAPERPRESS_WORKER_LOG": str(log)}, {"PAPERPRESS_WORKER": "off"}):
        svg = tmp_path / f"chart{len(svgs)}.svg"
        result = subprocess.run(
            [sys.executable, "-m", "paperpress", "chart",
             str(REPO / "sources" / "hunan-bri-2023" / "charts" / "trade-scale.yaml"),
             str(REPO / "sources" / "hunan-bri-2023" / "data"),
             str(REPO / "templates" / "charts" / "house.mplstyle"),
             str(REPO / "templates" / "locales" / "zh-CN.yaml"), str(svg),
             str(svg.with_suffix(".png"))],
            env={**os.environ, "PYTHONPATH": str(SRC), **extra}, cwd=tmp_path,
            capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        svgs.append(svg.read_bytes())
    assert log.exists(), "the step did not run in the worker"
    # The tick labels (#333333 in the house style) keep its 9.5 pt, not the matplotlibrc's 21.
    assert b"21px" not in svgs[1]
    assert b"font-size: 9.5px; font-family: 'Noto Sans CJK SC'; text-anchor: middle;" \
           b" fill: #333333" in svgs[1]
    assert svgs[0] == svgs[1]


def test_no_worker_where_others_could_reach_its_socket(tmp_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("PAPERPRESS_WORKER_DIR", str(folder))
    assert worker.socket_path() is None
    assert worker.start_worker(str(SRC)) is None
    result = step("model", tmp_path / "nowhere", tmp_path / "m.json")
    assert "publication.yaml: is missing" in result.stderr  # ran on its own


def test_socket_is_the_users_alone(worker_dir):
    path = start()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(worker_dir).st_mode & 0o777 == 0o700


def test_a_stale_socket_is_replaced(worker_dir):
    path = worker.socket_path()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()  # the file stays, nobody listens: a worker that was killed
    assert not worker.ping(path)
    assert start() == path
    assert worker.ping(path)


def test_stop_and_idle_exit(worker_dir, monkeypatch):
    path = start()
    assert worker.ping(path)
    pid = worker.worker_pid(path)
    assert worker.stop_worker()
    assert gone(pid), "the worker did not leave when its socket was removed"

    monkeypatch.setenv("PAPERPRESS_WORKER_IDLE", "0.5")
    path = start()
    assert worker.ping(path)
    pid = worker.worker_pid(path)
    assert gone(pid, within=10), "the worker did not leave when idle"
    assert not os.path.exists(path)


def test_off_means_no_worker(worker_dir, monkeypatch):
    monkeypatch.setenv("PAPERPRESS_WORKER", "off")
    assert worker.start_worker(str(SRC)) is None
    assert not list(worker_dir.glob("*.sock"))


def test_python_and_python3_of_one_environment_share_a_worker(tmp_path):
    """make publish runs Snakemake by one name of the interpreter, a user may run
    `python -m paperpress worker stop` by another: both must mean the same worker. The two
    names are made here, as a virtual environment makes them (links to one interpreter
    beside its pyvenv.cfg), whether or not this environment has both."""
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    config = Path(sys.prefix) / "pyvenv.cfg"
    if config.is_file():
        shutil.copy(config, env / "pyvenv.cfg")
    names = [env / "bin" / n for n in ("python", "python3")]
    for name in names:
        name.symlink_to(os.path.realpath(sys.executable))
    keys = {subprocess.run([str(n), "-c", "from paperpress.handoff import worker_key;"
                            " print(worker_key())"], env={**os.environ, "PYTHONPATH": str(SRC)},
                           capture_output=True, text=True, check=True).stdout for n in names}
    assert len(keys) == 1


# Where a worker cannot work, each step runs on its own, as if there were none --------------

PAPERPRESS = (sys.executable, "-m", "paperpress")


def model_step(out: Path, *, paperpress=PAPERPRESS, **env) -> subprocess.CompletedProcess:
    """The document model step of the bundled publication (it writes ``out``)."""
    return subprocess.run([*paperpress, "model", str(SOURCES), str(out)],
                          env={**os.environ, "PYTHONPATH": str(SRC), **env},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def model_on_its_own(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("on-its-own") / "document.json"
    result = model_step(out, PAPERPRESS_WORKER="off")
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def assert_ran_on_its_own(result, out: Path, log: Path, model_on_its_own: bytes) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not log.exists(), "the step ran in a worker"
    assert out.read_bytes() == model_on_its_own


def test_a_worker_that_cannot_start_leaves_the_build_to_run_without(tmp_path, monkeypatch,
                                                                     capfd, model_on_its_own):
    folder = tmp_path / ("long" * 30)  # a socket path past AF_UNIX's 108 bytes: bind fails
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("PAPERPRESS_WORKER_DIR", str(folder))
    assert worker.start_worker(str(SRC)) is None
    assert "no warm worker" in capfd.readouterr().err
    log = tmp_path / "jobs.log"
    result = model_step(tmp_path / "m.json", PAPERPRESS_WORKER_LOG=str(log))
    assert_ran_on_its_own(result, tmp_path / "m.json", log, model_on_its_own)


def test_a_socket_folder_that_cannot_be_made_means_no_worker(tmp_path, monkeypatch, capfd,
                                                             model_on_its_own):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("PAPERPRESS_WORKER_DIR", str(tmp_path / "a-file" / "workers"))
    assert worker.start_worker(str(SRC)) is None
    assert capfd.readouterr().err == ""
    log = tmp_path / "jobs.log"
    result = model_step(tmp_path / "m.json", PAPERPRESS_WORKER_LOG=str(log))
    assert_ran_on_its_own(result, tmp_path / "m.json", log, model_on_its_own)


# A step's interpreter on a system without SO_PEERCRED (macOS, the BSDs).
WITHOUT_PEERCRED = ("import runpy, socket; del socket.SO_PEERCRED;"
                    " runpy.run_module('paperpress', run_name='__main__', alter_sys=True)")


def test_without_so_peercred_no_worker_starts_and_steps_run_on_their_own(
        worker_dir, tmp_path, monkeypatch, capfd, model_on_its_own):
    """Without SO_PEERCRED a worker could not tell its own user's steps from others': none
    starts, and a step there does not use one it finds."""
    with monkeypatch.context() as patched:
        patched.delattr(socket, "SO_PEERCRED")
        assert worker.start_worker(str(SRC)) is None
        assert not list(worker_dir.glob("*.sock"))
        assert capfd.readouterr().err == ""
    start()  # one that a step could find: started where SO_PEERCRED exists
    log = tmp_path / "jobs.log"
    result = model_step(tmp_path / "m.json", PAPERPRESS_WORKER_LOG=str(log),
                        paperpress=(sys.executable, "-c", WITHOUT_PEERCRED))
    assert_ran_on_its_own(result, tmp_path / "m.json", log, model_on_its_own)


def in_own_mount_namespace(script: str, **env) -> subprocess.CompletedProcess:
    """Run the shell ``script`` where its mounts are its own (as root, or as a user who
    may map themselves to root in a user namespace), with $PY the test's interpreter."""
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    return subprocess.run(["unshare", "--mount", "--fork", *user, "sh", "-ec", script],
                          env={**os.environ, "PYTHONPATH": str(SRC), "PY": sys.executable,
                               **env}, capture_output=True, text=True, timeout=120)


def test_a_read_only_socket_folder_means_no_worker(worker_dir, tmp_path, model_on_its_own):
    log, out = tmp_path / "jobs.log", tmp_path / "m.json"
    result = in_own_mount_namespace(
        'mount --bind "$PAPERPRESS_WORKER_DIR" "$PAPERPRESS_WORKER_DIR"\n'
        'mount -o remount,bind,ro "$PAPERPRESS_WORKER_DIR"\n'
        '"$PY" -m paperpress worker start >&2\n'
        f'"$PY" -m paperpress model "{SOURCES}" "{out}"', PAPERPRESS_WORKER_LOG=str(log))
    assert result.returncode == 0, result.stderr
    assert "no warm worker" in result.stderr and f"[Errno {errno.EROFS}]" in result.stderr
    assert not log.exists(), "the step ran in a worker"
    assert out.read_bytes() == model_on_its_own


def test_a_build_needs_no_proc_filesystem(worker_dir, tmp_path, model_on_its_own):
    """Where /proc is not mounted (an empty folder in its place), the worker starts and its
    steps run as on their own: neither reads /proc."""
    log, out = tmp_path / "jobs.log", tmp_path / "m.json"
    result = in_own_mount_namespace(
        'mount -t tmpfs no-proc /proc\n'
        'test -z "$(ls /proc)"\n'
        '"$PY" -m paperpress worker start\n'
        f'"$PY" -m paperpress model "{SOURCES}" "{out}"', PAPERPRESS_WORKER_LOG=str(log))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert log.read_text().startswith("model\t"), "the step did not run in the worker"
    assert out.read_bytes() == model_on_its_own


def test_under_a_cluster_executor_no_worker_starts_and_jobs_run_on_their_own(
        worker_dir, tmp_path, model_on_its_own):
    """A cluster or cloud executor runs each job as its own `snakemake --mode remote`
    process (here: on this machine, tests/fixtures/executor). The build starts no worker,
    and such a job does not use one it finds."""
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    log = tmp_path / "jobs.log"
    target = f"build/{PUB}/document.json"

    def build():
        return snakemake(project, "--executor", "subprocess-nodes", "--jobs", "1", "--force",
                         target, env={"PYTHONPATH": str(EXECUTOR_PLUGIN),
                                      "PAPERPRESS_WORKER_LOG": str(log)})

    result = build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(worker_dir.glob("*.sock")), "the build started a worker"
    assert (project / target).read_bytes() == model_on_its_own
    start(project / "src")  # one that a job could find, for the very same code
    (project / target).unlink()
    result = build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert not log.exists(), "a job ran in a worker"
    assert (project / target).read_bytes() == model_on_its_own
