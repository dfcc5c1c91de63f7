"""A warm worker: the pipeline's commands run in children forked from one process that has
already imported WeasyPrint, matplotlib, pydantic and python-docx.

Each workflow step is a fresh ``python -m paperpress …`` process, and most of what such a
process does is import the same libraries again: 0.5 s of a 0.7 s chart, 0.35 s of a brief
PDF (measured; 12.7 s of CPU for a clean build of the bundled publication, 6.0 s when every
step is forked from a process that imported them once). So a build starts one worker
(Snakemake's ``onstart``), and each step's process, if it finds the worker, hands it its
command line, working directory, environment and standard streams over a UNIX socket and
waits for the exit status (handoff.py); if it finds none it runs the command itself.

What keeps this safe:
- A step runs the pipeline code it would run on its own: the worker keeps the modules of
  the package it was started from only for steps of that same folder, and only while
  none of its files has changed since; otherwise the child drops them and imports the
  step's own from the step's ``sys.path``.
- Its socket lives in a directory only this user can enter (checked, else no worker),
  and the worker serves only peers of this user id.
- Its name is a checksum of the interpreter, the installed packages (the site-packages
  folders' mtimes), this file and handoff.py, and the variables that shape imports: after
  ``pip install`` or an edit of either file, steps find no worker under the new name and
  a new one starts.
- A signal to the step (Ctrl-C, Snakemake cancelling) is passed to the child; if the step
  dies outright, the child notices its socket close and stops too.
- It exits after ``PAPERPRESS_WORKER_IDLE`` seconds without work (default 900), or at once
  when its socket is removed (``python -m paperpress worker stop``).
  ``PAPERPRESS_WORKER=off`` runs every step in its own process and starts no worker.
"""

from __future__ import annotations

import marshal
import os
import signal
import socket
import sys
import time

from .handoff import (FORWARDED, HEADER, PID, STATUS, enabled, peer_uid, ping, recv_exact,
                      socket_path)

# Imported once in the worker; each is something a step would otherwise import itself.
PRELOAD = (
    "matplotlib", "matplotlib.figure", "matplotlib.style", "matplotlib.font_manager",
    "matplotlib.backends.backend_svg", "matplotlib.backends.backend_agg",
    "pydantic", "docx", "docxtpl", "jinja2.sandbox", "pypdf", "markdown_it",
    "mdit_py_cjk_friendly", "mdit_py_plugins.footnote", "yaml", "fontTools.ttLib",
    "fontTools.cffLib", "PIL.ImageCms",
)
DEFAULT_IDLE_SECONDS = 900


# Starting and stopping ---------------------------------------------------------------------

class _Lock:
    """Held while a worker is started or leaves, so two builds do not both start one.
    With ``wait=False`` it is only taken if free (``held`` says whether it was)."""

    def __init__(self, path: str, wait: bool = True):
        self.path, self.wait, self.held = path, wait, False

    def __enter__(self):
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
            self.held = True
        except BlockingIOError:
            pass
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


def start_worker(src_dir: str) -> str | None:
    """Start a worker unless one is running; return its socket path (None: no worker).

    The socket is bound here, before the worker has imported anything, so the steps that
    start at once connect and wait for it rather than importing everything themselves.
    A worker is only a speed-up: if one cannot be started, say why and build without."""
    if not enabled():
        return None
    path = socket_path()
    if path is None:
        return None
    try:
        with _Lock(path + ".lock"):
            if os.path.exists(path):
                if ping(path):
                    return path
                os.unlink(path)  # left by a worker that was killed
            _spawn(path, src_dir)
    except OSError as exc:  # e.g. a socket path longer than AF_UNIX allows (108 bytes)
        print(f"paperpress: no warm worker ({exc}); each step runs on its own",
              file=sys.stderr)
        return None
    return path


def _spawn(path: str, src_dir: str) -> None:
    import subprocess

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        umask = os.umask(0o177)
        try:
            listener.bind(path)
        finally:
            os.umask(umask)
        listener.listen(socket.SOMAXCONN)
        env = dict(os.environ, PYTHONPATH=str(src_dir), OPENBLAS_NUM_THREADS="1")
        stem = path[:-len(".sock")]
        with open(stem + ".log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "paperpress.worker", str(listener.fileno())],
                pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log, cwd="/", env=env,
                start_new_session=True)
        with open(stem + ".pid", "w", encoding="ascii") as f:
            f.write(f"{process.pid}\n")
    finally:
        listener.close()


def worker_pid(path: str) -> int | None:
    """The process id of the worker started for ``path`` (from its .pid file)."""
    try:
        with open(path[:-len(".sock")] + ".pid", encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def stop_worker() -> bool:
    """Stop this user's workers, this environment's and any left by an older version
    (each exits within a second of its socket going); whether there was one."""
    from .handoff import worker_dir

    folder = worker_dir()
    if folder is None:
        return False
    sockets = [n for n in os.listdir(folder) if n.startswith("worker-") and n.endswith(".sock")]
    for name in sockets:
        try:
            os.unlink(os.path.join(folder, name))
        except FileNotFoundError:
            pass
    return bool(sockets)


# The worker's side -------------------------------------------------------------------------

def serve(fd: int) -> None:
    listener = socket.socket(fileno=fd)
    listener.set_inheritable(False)  # not into the steps' own subprocesses
    path = listener.getsockname()
    inode = os.stat(path).st_ino
    idle = float(os.environ.get("PAPERPRESS_WORKER_IDLE", DEFAULT_IDLE_SECONDS))
    _preload()
    children: set[int] = set()
    last_work = time.monotonic()
    listener.settimeout(1.0)
    while True:
        _reap(children)
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            if not _still_ours(path, inode):
                break
            if not children and time.monotonic() - last_work > idle:
                # Not while a build is starting or pinging us (it holds the lock): it
                # is about to send work.
                with _Lock(path + ".lock", wait=False) as lock:
                    if lock.held:
                        if _still_ours(path, inode):
                            os.unlink(path)
                        break
            continue
        last_work = time.monotonic()
        conn.setblocking(True)
        if peer_uid(conn) != os.getuid():
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            code = 1
            try:
                code = _run_one(conn)
            finally:
                os._exit(code)
        children.add(pid)
        conn.close()
    listener.close()


def _preload() -> None:
    import importlib

    try:
        from paperpress.weasy import import_weasyprint

        import_weasyprint()
    except Exception as exc:  # the PDF steps will say what is missing
        print(f"paperpress worker: WeasyPrint not preloaded: {exc}", file=sys.stderr)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # the step that needs it will say so
            print(f"paperpress worker: not preloaded: {name}: {exc}", file=sys.stderr)
    _import_package()
    sys.stderr.flush()


# The package's own modules as the worker imported them: file -> (mtime, size). A step
# whose package is this very folder, unchanged, uses them (building the pydantic schema
# alone costs 0.05 s a step); any other step imports its own.
_PACKAGE_FILES: dict[str, tuple[int, int]] = {}


def _import_package() -> None:
    import importlib

    import paperpress

    folder = os.path.dirname(os.path.realpath(paperpress.__file__))
    names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
    # Stat before importing and compare after: a file saved while it was being imported
    # would otherwise be recorded as new while the old code sits in memory.
    before = _stat_files(os.path.join(folder, n) for n in names)
    for name in names:
        if name != "__main__.py":  # that one runs the CLI
            try:
                importlib.import_module(f"paperpress.{name[:-3]}")
            except Exception as exc:  # the step will import it again and say what fails
                print(f"paperpress worker: not preloaded: paperpress.{name[:-3]}: {exc}",
                      file=sys.stderr)
    loaded = _stat_files(os.path.realpath(m.__file__) for m in _package_modules())
    if all(before.get(path) == stat for path, stat in loaded.items()):
        _PACKAGE_FILES.update(loaded)


def _stat_files(paths) -> dict[str, tuple[int, int]]:
    stats = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        stats[os.path.realpath(path)] = (st.st_mtime_ns, st.st_size)
    return stats


def _package_module_names() -> list[str]:
    return [name for name in sys.modules
            if name == "paperpress" or name.startswith("paperpress.")]


def _package_modules() -> list:
    return [m for m in map(sys.modules.get, _package_module_names())
            if getattr(m, "__file__", None)]


def _package_unchanged_for(path_entries: list[str]) -> bool:
    """Whether the step would import the very package files the worker holds: the first
    ``paperpress`` on its path is the worker's folder and not one file of it has changed
    (or gone) since. If one has, all are imported anew: a module kept beside an edited one
    would hold the old one's classes."""
    if not _PACKAGE_FILES:
        return False
    folder = None
    for entry in path_entries:
        candidate = os.path.join(entry or os.getcwd(), "paperpress", "__init__.py")
        if os.path.isfile(candidate):
            folder = os.path.dirname(os.path.realpath(candidate))
            break
    if folder is None or any(os.path.dirname(f) != folder for f in _PACKAGE_FILES):
        return False
    return _stat_files(_PACKAGE_FILES) == _PACKAGE_FILES  # a file gone is missing here


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _still_ours(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _run_one(conn: socket.socket) -> int:
    """In the forked child: become the step (its streams, folder, environment, import
    path, process settings), run its command, send back the exit status."""
    header, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, 3)
    header += recv_exact(conn, HEADER.size - len(header))
    if len(header) < HEADER.size:
        return 1
    size = HEADER.unpack(header)[0]
    if size == 0:  # a ping
        conn.sendall(PID.pack(os.getpid()))
        return 0
    request = marshal.loads(recv_exact(conn, size))
    if len(fds) != 3:
        return 1
    try:
        _become_the_step(request, fds)
    except Exception:
        return 1  # nothing ran and nothing was said: the step runs itself
    conn.sendall(PID.pack(os.getpid()))
    finished = _stop_when_step_goes(conn)

    code = _main(request["argv"])
    finished.set()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        conn.sendall(STATUS.pack(code, peak))
    except OSError:
        pass
    return code


def _become_the_step(request: dict, fds: list[int]) -> None:
    import io
    import resource

    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # the step's TZ for the dates it writes (PDF metadata)
    os.umask(request["umask"])
    if request["nice"] > os.nice(0):
        os.nice(request["nice"] - os.nice(0))
    for name, limits in request["limits"].items():
        try:
            resource.setrlimit(getattr(resource, name), limits)
        except (ValueError, OSError):
            pass  # a limit above the worker's own hard limit: keep the worker's
    # The streams as the step's Python set them up (encoding, line buffering on a
    # terminal), not as they were for the worker, whose streams were /dev/null.
    for fd, (name, mode, setting) in enumerate(zip(("stdin", "stdout", "stderr"),
                                                   ("r", "w", "w"), request["streams"])):
        if setting is not None:
            encoding, errors, line_buffering, write_through = setting
            raw = io.open(fd, mode + "b", buffering=0 if write_through else -1, closefd=False)
            setattr(sys, name, io.TextIOWrapper(raw, encoding=encoding, errors=errors,
                                                line_buffering=line_buffering,
                                                write_through=write_through))
    sys.path[:] = request["path"]
    sys.argv = ["paperpress", *request["argv"]]
    if not _package_unchanged_for(request["path"]):
        for name in _package_module_names():
            del sys.modules[name]
        import importlib

        importlib.invalidate_caches()
    # The dispositions of a fresh Python, but for what the step ignores.
    for signum in FORWARDED:
        signal.signal(signum, signal.SIG_IGN if signum in request["ignored"] else
                      signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)


def _main(argv: list[str]) -> int:
    try:
        from paperpress.cli import main

        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors, sys.exit in a command
        code = exc.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    return code if isinstance(code, int) else (0 if code is None else 1)


def _stop_when_step_goes(conn: socket.socket):
    """The step sends nothing more; end of file before the command has finished means the
    step was killed: stop its work too."""
    import threading

    finished = threading.Event()

    def watch():
        try:
            while conn.recv(1):
                pass
        except OSError:
            pass
        if not finished.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()
    return finished


if __name__ == "__main__":
    serve(int(sys.argv[1]))
