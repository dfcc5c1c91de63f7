"""A warm worker: the pipeline's commands run in children forked from one process that has
already imported WeasyPrint, matplotlib, pydantic and python-docx.

Each workflow step is a fresh ``python -m paperpress …`` process, and most of what such a
process does is import the same libraries again: 0.5 s of a 0.7 s chart, 0.35 s of a brief
PDF (measured; 12.7 s of CPU for a clean build of the bundled publication, 6.0 s when every
step is forked from a process that imported them once). So a build starts one worker
(Snakemake's ``onstart``), and each step's process, if it finds the worker, hands it its
command line, working directory, environment and standard streams over a UNIX socket and
waits for the exit status; if it finds none it runs the command itself, as before.

What keeps this safe:
- The worker imports libraries, never the pipeline's own code: each child drops the
  ``paperpress`` modules and imports them from the calling step's ``sys.path``, so an
  edited module is the one that runs.
- Its socket lives in a directory only this user can enter (checked, else no worker),
  and the worker serves only peers of this user id.
- Its name is a hash of the interpreter, the installed packages (the site-packages
  folders' mtimes), this file and the variables that shape imports: after ``pip install``
  or an upgrade of this file, steps find no worker under the new name and a new one starts.
- A signal to the step (Ctrl-C, Snakemake cancelling) is passed to the child; if the step
  dies outright, the child notices its socket close and stops too.
- It exits after ``PAPERPRESS_WORKER_IDLE`` seconds without work (default 900), or at once
  when its socket is removed (``python -m paperpress worker stop``).
  ``PAPERPRESS_WORKER=off`` runs every step in its own process and starts no worker.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time

# Imported once in the worker; each is something a step would otherwise import itself.
PRELOAD = (
    "matplotlib", "matplotlib.figure", "matplotlib.style", "matplotlib.font_manager",
    "matplotlib.backends.backend_svg", "matplotlib.backends.backend_agg",
    "pydantic", "docx", "docxtpl", "jinja2.sandbox", "pypdf", "markdown_it",
    "mdit_py_cjk_friendly", "yaml", "fontTools.ttLib", "fontTools.cffLib",
)
# Environment variables that change what an import does (caches, fonts, locale), so a
# worker started under other values is not the one to use.
KEY_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "MPLBACKEND",
                 "FONTCONFIG_FILE", "FONTCONFIG_PATH", "LANG", "LC_ALL", "LC_CTYPE",
                 "PYTHONHASHSEED")
DEFAULT_IDLE_SECONDS = 900
_HEADER = struct.Struct("!Q")
_PID = struct.Struct("!i")
_STATUS = struct.Struct("!iq")  # exit code, peak resident size in KiB
_OFF = ("0", "off", "no", "false")


def enabled() -> bool:
    return os.environ.get("PAPERPRESS_WORKER", "").strip().lower() not in _OFF


def worker_dir() -> str | None:
    """The folder of this user's worker sockets, or None if it is not safely ours (then no
    worker is used: anyone who can write there could hand our steps to their process)."""
    base = os.environ.get("PAPERPRESS_WORKER_DIR")
    if not base:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        base = (os.path.join(runtime, "paperpress") if runtime and os.path.isdir(runtime)
                else f"/tmp/paperpress-{os.getuid()}")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError:
        return None
    if (not os.path.isdir(base) or os.path.islink(base) or st.st_uid != os.getuid()
            or st.st_mode & 0o077):
        return None
    return base


def worker_key() -> str:
    import site

    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\0{sys.prefix}\0{sys.version}\0".encode())
    for folder in site.getsitepackages():
        try:
            digest.update(f"{folder}:{os.stat(folder).st_mtime_ns}\0".encode())
        except OSError:
            pass
    with open(__file__, "rb") as f:
        digest.update(f.read())
    for name in KEY_VARIABLES:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    return digest.hexdigest()[:16]


def socket_path() -> str | None:
    folder = worker_dir()
    return None if folder is None else os.path.join(folder, f"worker-{worker_key()}.sock")


# The step's side ---------------------------------------------------------------------------

def run_via_worker(argv: list[str]) -> int | None:
    """Run ``paperpress argv`` in the worker and return its exit status, or None if there
    is no worker to run it (the caller then runs it itself)."""
    if not enabled() or argv[:1] == ["worker"]:
        return None
    started = time.time()
    path = socket_path()
    if path is None:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    umask = os.umask(0)
    os.umask(umask)
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                          "path": sys.path, "umask": umask}).encode()

    child = [0]
    pending: list[int] = []

    def forward(signum, _frame):
        if not child[0]:
            pending.append(signum)
            return
        try:
            os.kill(child[0], signum)
        except OSError:
            pass  # it has just finished

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM,
                                                       signal.SIGHUP)}
    try:
        try:
            socket.send_fds(conn, [_HEADER.pack(len(request))], [0, 1, 2])
            conn.sendall(request)
            pid = _recv_exact(conn, _PID.size)
        except OSError:
            pid = b""
        if len(pid) < _PID.size:
            # The worker went away before it started the command: nothing ran, so the
            # step can still run it itself.
            return None
        child[0] = _PID.unpack(pid)[0]
        for signum in pending:
            forward(signum, None)
        status = _recv_exact(conn, _STATUS.size)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        conn.close()
    if len(status) < _STATUS.size:
        print(f"paperpress: the worker's process for '{' '.join(argv[:1])}' stopped before"
              " it finished (killed?)", file=sys.stderr)
        return 1
    code, peak_kib = _STATUS.unpack(status)
    _log_job(argv, started, peak_kib)
    return code


def _log_job(argv: list[str], started: float, peak_kib: int) -> None:
    """Steps run in the worker are not children of Snakemake: the benchmark learns when
    each ran and its peak memory from this log (``PAPERPRESS_WORKER_LOG``, only when set):
    command, last argument, start and end (Unix time), peak resident KiB."""
    log = os.environ.get("PAPERPRESS_WORKER_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{argv[0]}\t{argv[-1]}\t{started:.3f}\t{time.time():.3f}\t{peak_kib}\n")


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def ping(path: str, timeout: float = 10.0) -> bool:
    """Whether a worker answers at ``path`` (a request of length 0)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(path)
        conn.sendall(_HEADER.pack(0))
        return len(_recv_exact(conn, _PID.size)) == _PID.size
    except socket.timeout:
        return True  # busy starting up, but there
    except OSError:
        return False
    finally:
        conn.close()


# Starting and stopping ---------------------------------------------------------------------

class _Lock:
    """Held while a worker is started or leaves, so two builds do not both start one."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


def start_worker(src_dir: str) -> str | None:
    """Start a worker unless one is running; return its socket path (None: no worker).

    The socket is bound here, before the worker has imported anything, so the steps that
    start at once connect and wait for it rather than importing everything themselves."""
    import subprocess

    if not enabled():
        return None
    path = socket_path()
    if path is None:
        return None
    with _Lock(path + ".lock"):
        if os.path.exists(path):
            if ping(path):
                return path
            os.unlink(path)  # left by a worker that was killed
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        umask = os.umask(0o177)
        try:
            listener.bind(path)
        finally:
            os.umask(umask)
        listener.listen(64)
        env = dict(os.environ, PYTHONPATH=str(src_dir), OPENBLAS_NUM_THREADS="1")
        stem = path[:-len(".sock")]
        with open(stem + ".log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "paperpress.worker", str(listener.fileno())],
                pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log, cwd="/", env=env,
                start_new_session=True)
        listener.close()
        with open(stem + ".pid", "w", encoding="ascii") as f:
            f.write(f"{process.pid}\n")
    return path


def worker_pid(path: str) -> int | None:
    """The process id of the worker started for ``path`` (from its .pid file)."""
    try:
        with open(path[:-len(".sock")] + ".pid", encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def stop_worker() -> bool:
    """Stop this environment's worker (it exits within a second of its socket going)."""
    path = socket_path()
    if path is None or not os.path.exists(path):
        return False
    os.unlink(path)
    return True


# The worker's side -------------------------------------------------------------------------

def serve(fd: int) -> None:
    listener = socket.socket(fileno=fd)
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
                with _Lock(path + ".lock"):
                    if _still_ours(path, inode):
                        os.unlink(path)
                break
            continue
        last_work = time.monotonic()
        conn.setblocking(True)
        if not _same_user(conn):
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
    sys.stderr.flush()


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


def _same_user(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _run_one(conn: socket.socket) -> int:
    """In the forked child: become the step (its streams, folder, environment, import
    path), run its command, send back the exit status."""
    header, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 3)
    header += _recv_exact(conn, _HEADER.size - len(header))
    if len(header) < _HEADER.size:
        return 1
    size = _HEADER.unpack(header)[0]
    if size == 0:  # a ping
        conn.sendall(_PID.pack(os.getpid()))
        return 0
    request = json.loads(_recv_exact(conn, size))
    if len(fds) != 3:
        return 1
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])
    sys.path[:] = request["path"]
    sys.argv = ["paperpress", *request["argv"]]
    for name in [m for m in sys.modules if m == "paperpress" or m.startswith("paperpress.")]:
        del sys.modules[name]
    import importlib

    importlib.invalidate_caches()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    conn.sendall(_PID.pack(os.getpid()))
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
        conn.sendall(_STATUS.pack(code, peak))
    except OSError:
        pass
    return code


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
