"""The preview's web server, on 127.0.0.1 alone. It serves four things and nothing else
(no file is looked up from a request's path, so no listing and no way out of the preview):

    /, /whitepaper.html   the last good web edition, with the preview's bar and script
    /whitepaper.pdf       the last good screen PDF
    /status               the build's state as JSON
    /events               the same, as Server-Sent Events each time it changes
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from .state import KeptFiles, PreviewState

KEEPALIVE = 15.0  # seconds between comments on a quiet event stream (finds closed pages)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream does not hold up the end of the preview

    def __init__(self, port: int, state: PreviewState, files: KeptFiles,
                 page: Callable[[], bytes]):
        self.state, self.files, self.page = state, files, page
        super().__init__(("127.0.0.1", port), PreviewHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "paperpress-preview"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the terminal shows the preview's own lines, not each request

    def _host_is_ours(self) -> bool:
        # A page elsewhere may point a name of its own at 127.0.0.1 (DNS rebinding) and
        # read what is served; its requests carry that name, not ours.
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self):  # noqa: N802
        if not self._host_is_ours():
            return self._send(403, b"not this preview's address\n", "text/plain")
        path = self.path.split("?", 1)[0]
        if path in ("/", "/whitepaper.html"):
            return self._send(200, self.server.page(), "text/html; charset=utf-8")
        if path == "/whitepaper.pdf":
            pdf = self.server.files.read("whitepaper.pdf")
            if pdf is None:
                return self._send(404, b"no PDF yet: it is built after the web edition\n",
                                  "text/plain; charset=utf-8")
            return self._send(200, pdf, "application/pdf")
        if path == "/status":
            body = json.dumps(self.server.state.current()[1], ensure_ascii=False)
            return self._send(200, body.encode("utf-8"), "application/json")
        if path == "/events":
            return self._events()
        self._send(404, b"the preview serves the web edition (/) and the PDF"
                        b" (/whitepaper.pdf) only\n", "text/plain; charset=utf-8")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        try:
            seen, now = state.current()
            while now is not None or not state.stopping:
                if now is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    data = json.dumps(now, ensure_ascii=False)
                    self.wfile.write(f"data: {data}\n\n".encode("utf-8"))
                self.wfile.flush()
                seen, now = state.wait(seen, KEEPALIVE)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away (reloaded or closed)
