"""A step's side of the warm worker (worker.py): find this environment's worker, hand it
the step's command line, folder, environment and standard streams, pass on signals, and
return its exit status; or say there is none, and the step runs on its own.

Every step imports this module before anything else, so it stays small and imports little:
json and hashlib alone cost a step 8 ms (re, OpenSSL), marshal and zlib nothing.
"""

from __future__ import annotations

import marshal
import os
import signal
import socket
import struct
import sys
import time

# Environment variables that change what an import does (caches, fonts, locale), so a
# worker started under other values is not the one to use.
KEY_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_DIRS", "MPLCONFIGDIR",
                 "MPLBACKEND", "MATPLOTLIBRC", "FONTCONFIG_FILE", "FONTCONFIG_PATH", "LANG",
                 "LC_ALL", "LC_CTYPE", "PYTHONHASHSEED", "PYTHONUTF8", "PYTHONWARNINGS",
                 "LD_LIBRARY_PATH", "LD_PRELOAD")
HEADER = struct.Struct("!Q")  # length of the request that follows; 0: a ping
PID = struct.Struct("!i")
STATUS = struct.Struct("!iq")  # exit code, peak resident size in KiB
_OFF = ("0", "off", "no", "false")


def enabled() -> bool:
    """Whether steps may run in a worker: it is not turned off, and the kernel tells who is
    at the other end of a UNIX socket (SO_PEERCRED, which keeps a worker and its steps to
    one user: Linux has it, macOS and the BSDs do not). Without it each step runs itself."""
    return (os.environ.get("PAPERPRESS_WORKER", "").strip().lower() not in _OFF
            and hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED"))


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
    """Names the worker for this interpreter, installed packages, worker code and import
    environment. (A name, not a secret: the folder's permissions keep others out. zlib's
    checksums, because hashlib loads OpenSSL: 2 ms of every step.)"""
    import site
    import zlib

    parts = [os.path.realpath(sys.executable), sys.prefix, sys.version, repr(sys.flags)]
    for folder in site.getsitepackages():
        try:
            parts.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
        except OSError:
            pass
    parts += [f"{name}={os.environ.get(name, '')}" for name in KEY_VARIABLES]
    data = "\0".join(parts).encode()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("handoff.py", "worker.py"):
        with open(os.path.join(here, name), "rb") as f:
            data += f.read()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_path() -> str | None:
    folder = worker_dir()
    return None if folder is None else os.path.join(folder, f"worker-{worker_key()}.sock")


# The step's side ---------------------------------------------------------------------------

# Signals a step passes on to its child; one the step ignores (nohup) stays ignored.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# How long a step waits for the worker to take it before running itself: the worker
# starts in about a second; one that takes this long is stuck.
TAKE_TIMEOUT = 30.0
# Process settings a child takes over from its step.
LIMITS = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE",
          "RLIMIT_STACK")


def run_via_worker(argv: list[str]) -> int | None:
    """Run ``paperpress argv`` in the worker and return its exit status, or None if there
    is no worker to run it (the caller then runs it itself)."""
    # The preview is a long-running server of its own, not a step: never in the worker.
    if not enabled() or argv[:1] in (["worker"], ["preview"]):
        return None
    started = time.time()
    path = socket_path()
    if path is None:
        return None
    conn = _connect(path)
    if conn is None:
        return None
    ignored = [s for s in FORWARDED if signal.getsignal(s) == signal.SIG_IGN]
    request = marshal.dumps(_step_settings(argv, ignored))

    child = [0]
    forwarded: list[int] = []

    def forward(signum, _frame):
        if not child[0]:
            # Not taken yet: nothing runs for this step, so stop as it would have.
            conn.close()
            _die_by(signum)
        forwarded.append(signum)
        try:
            os.kill(child[0], signum)
        except OSError:
            pass  # it has just finished

    previous = {s: signal.signal(s, forward) for s in FORWARDED if s not in ignored}
    try:
        try:
            socket.send_fds(conn, [HEADER.pack(len(request))], [0, 1, 2])
            conn.sendall(request)
            conn.settimeout(TAKE_TIMEOUT)
            pid = recv_exact(conn, PID.size)
            conn.settimeout(None)
        except OSError:  # socket.timeout included
            pid = b""
        if len(pid) < PID.size:
            # The worker went away, or is stuck, before it started the command: nothing
            # ran (a child that still sends its pid finds the socket closed and stops).
            return None
        child[0] = PID.unpack(pid)[0]
        status = recv_exact(conn, STATUS.size)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        conn.close()
    if len(status) == STATUS.size:
        code, peak_kib = STATUS.unpack(status)
        _log_job(argv, started, peak_kib)
    else:
        code = None
    if forwarded and code in (None, 128 + forwarded[-1], 130):
        _die_by(forwarded[-1])  # as the step would have: by the signal, for make and shells
    if code is None:
        print(f"paperpress: the worker's process for '{' '.join(argv[:1])}' stopped before"
              " it finished (killed?)", file=sys.stderr)
        return 1
    return code


def _connect(path: str):
    """A connection to the worker at ``path``, or None; only to a worker of this user."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        if peer_uid(conn) == os.getuid():
            return conn
    except OSError:
        pass
    conn.close()
    return None


def peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _step_settings(argv: list[str], ignored: list[int]) -> dict:
    """What makes a step's process what it is, for the child to take over: its command,
    folder, environment, import path, umask, ignored signals, niceness and limits, and how
    its standard streams encode and buffer (the child's were set up for the worker)."""
    import resource

    umask = os.umask(0)
    os.umask(umask)
    limits = {}
    for name in LIMITS:
        if hasattr(resource, name):
            limits[name] = resource.getrlimit(getattr(resource, name))
    streams = [(s.encoding, s.errors, s.line_buffering, s.write_through) if s is not None
               else None for s in (sys.stdin, sys.stdout, sys.stderr)]
    return {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "path": sys.path,
            "umask": umask, "ignored": [int(s) for s in ignored], "nice": os.nice(0),
            "limits": limits, "streams": streams}


def _die_by(signum: int) -> None:
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # not reached


def _log_job(argv: list[str], started: float, peak_kib: int) -> None:
    """Steps run in the worker are not children of Snakemake: the benchmark learns when
    each ran and its peak memory from this log (``PAPERPRESS_WORKER_LOG``, only when set):
    command, last argument, start and end (Unix time), peak resident KiB."""
    log = os.environ.get("PAPERPRESS_WORKER_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{argv[0]}\t{argv[-1]}\t{started:.3f}\t{time.time():.3f}\t{peak_kib}\n")


def recv_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def ping(path: str, timeout: float = 10.0) -> bool:
    """Whether a worker answers at ``path`` (a request of length 0). One that does not
    answer within ``timeout`` is stuck; a full queue (EAGAIN) means a busy one."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(path)
        conn.sendall(HEADER.pack(0))
        return len(recv_exact(conn, PID.size)) == PID.size
    except BlockingIOError:
        return True
    except OSError:  # socket.timeout included
        return False
    finally:
        conn.close()
