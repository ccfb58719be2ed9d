"""Preview server: serve a built site on loopback, under the site's base path.

`SiteRequestHandler` serves one folder and never a file outside it. `PreviewRequestHandler`
adds what `newsgen serve` needs: it serves whichever complete build `PreviewState` holds at the
moment a request arrives, injects a small live-reload script into HTML responses only (never
into built files), lays the last build error over the page, and streams reload events on
`<base path>__newsgen__/events` (Server-Sent Events). It answers only requests addressed to it
(the `Host` header: loopback names or the `--host` address), and handles at most MAX_CONNECTIONS
connections at once.
"""

from __future__ import annotations

import errno
import html
import http.server
import io
import ipaddress
import posixpath
import socket
import stat
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

from newsgen.errors import NewsgenError
from newsgen.render.environment import script_json

RESERVED = "__newsgen__/"
EVENTS = RESERVED + "events"
HEARTBEAT_SECONDS = 15.0
MAX_CONNECTIONS = 64
"""Connections the preview handles at once; each open tab's reload stream holds one."""
SLOT_WAIT_SECONDS = 1.0
"""How long a connection over the limit waits for a free slot before it gets a 503."""
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
WRONG_HOST = (b"newsgen serve answers requests addressed to localhost, 127.0.0.1, [::1] "
              b"or the --host address only\n")
BUSY = b"newsgen serve has too many open connections; try again in a moment\n"
NAME_MAX = 255
"""Bytes in one file name on common file systems: a longer path segment names no file."""


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files of one folder only, under a URL prefix; never a file outside the folder."""

    base_path = "/"

    def __init__(self, *args, directory: str, base_path: str = "/", **kwargs):
        self.base_path = base_path
        super().__init__(*args, directory=directory, **kwargs)

    def translate_path(self, path: str) -> str:
        root = Path(self.directory).resolve()
        raw = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
        if not raw.startswith(self.base_path):
            return ""  # outside the site's path: a 404
        relative = raw[len(self.base_path):]
        parts = [p for p in posixpath.normpath("/" + relative).split("/") if p]
        if any(p in ("..", ".") or "\\" in p or "\x00" in p for p in parts):
            return ""
        if any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX for p in parts):
            return ""  # no file has such a name: a 404, not an error from the file system
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return ""
        if resolved != root and not resolved.is_relative_to(root):
            return ""
        result = str(resolved)
        return result + "/" if relative.endswith("/") and is_folder(resolved) else result

    def send_head(self):
        path = self.translate_path(self.path)
        if not path:
            if self.path.rstrip("/") == self.base_path.rstrip("/") or self.path == "/":
                return self._redirect(self.base_path)
            return self._not_found()
        target = Path(path)
        if is_folder(target):
            asked = self.path.split("?", 1)[0]
            if not asked.endswith("/"):
                return self._redirect("/" + asked.lstrip("/") + "/")  # never `//host/`: no open redirect
            target = target / "index.html"  # no folder listings: a folder without a page is a 404
        if not is_file(target):
            return self._not_found()
        if target.suffix in (".html", ".htm"):
            return self.send_html(200, target.read_bytes())
        return super().send_head()

    def _redirect(self, location: str):
        self.send_response(302 if location == self.base_path else 301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title><p>Not found</p>"
        return self.send_html(404, body)

    def send_html(self, status: int, body: bytes):
        """Send the headers of an HTML response; return the body for do_GET to copy (None for HEAD)."""
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args) -> None:  # quiet by default
        pass


def is_folder(path: Path) -> bool:
    """Whether path is a folder; False when the system cannot say (a path too long, no permission)."""
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    """Whether path is a regular file; False when the system cannot say."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class Snapshot:
    """What the preview serves right now. Replaced whole, never changed in place."""

    root: Path | None
    """Folder of the last complete build; None until one has succeeded."""
    base_path: str
    error: str | None
    """The last build's error text when it failed (the root is then the build before)."""
    token: str
    """Changes with every build outcome; a page's reload script compares it with its own."""


class PreviewState:
    """The snapshot shared by the request threads and the builder, with a condition to wait on."""

    def __init__(self, base_path: str = "/"):
        self._changed = threading.Condition()
        self._generation = 0
        self._prefix = f"{time.time_ns():x}"
        self._snapshot = Snapshot(None, base_path, None, self._next_token())
        self._closed = False

    def _next_token(self) -> str:
        self._generation += 1
        return f"{self._prefix}-{self._generation}"

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def publish(self, root: Path, base_path: str) -> None:
        """A build succeeded: serve its folder from the next request on, and clear any error."""
        self._update(root=root, base_path=base_path, error=None)

    def fail(self, error: str, base_path: str | None = None) -> None:
        """A build failed: keep serving the last good folder, and show the error over it."""
        self._update(error=error, base_path=base_path or self._snapshot.base_path)

    def _update(self, **changes) -> None:
        with self._changed:
            self._snapshot = replace(self._snapshot, token=self._next_token(), **changes)
            self._changed.notify_all()

    def wait_for_change(self, token: str, timeout: float) -> Snapshot | None:
        """The snapshot once its token differs from `token` (or after timeout); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._snapshot.token != token, timeout)
            return None if self._closed else self._snapshot

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


RELOAD_SCRIPT = """<script data-newsgen-live-reload>
(function () {
  var events = new EventSource(%s + "?v=" + encodeURIComponent(%s));
  events.addEventListener("reload", function () { events.close(); location.reload(); });
})();
</script>
"""
ERROR_OVERLAY = """<div id="newsgen-build-error" role="alert" style="position:fixed;z-index:2147483647;\
top:0;left:0;right:0;max-height:70vh;overflow:auto;margin:0;padding:1em 1.25em;background:#fff1f0;\
color:#7a0000;border-bottom:4px solid #c00;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;\
text-align:left">
<strong>newsgen: the last change did not build</strong> (showing the last good build; save a fix to reload)

%s</div>
"""
ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed - newsgen</title></head>
<body>
<h1>The site did not build</h1>
<p>Fix the problem below and save: this page reloads by itself.</p>
</body></html>
"""


def inject_live_reload(body: bytes, snapshot: Snapshot) -> bytes:
    """The page with the reload script (and the error overlay, if any) before its last `</body>`."""
    events_url = snapshot.base_path + EVENTS
    extra = RELOAD_SCRIPT % (script_json(events_url), script_json(snapshot.token))
    if snapshot.error:
        extra = ERROR_OVERLAY % html.escape(snapshot.error) + extra
    data = extra.encode("utf-8")
    at = body.lower().rfind(b"</body>")
    return body[:at] + data + body[at:] if at >= 0 else body + data


class PreviewRequestHandler(SiteRequestHandler):
    """Serves the state's current build; live-reload script in every HTML response."""

    server: "PreviewServer"
    timeout = 60  # seconds a silent client may hold a connection

    def __init__(self, request, client_address, server: "PreviewServer"):
        self.snapshot = server.state.snapshot  # one snapshot per connection (HTTP/1.0: one request)
        root = self.snapshot.root or server.empty_root
        super().__init__(request, client_address, server, directory=str(root), base_path=self.snapshot.base_path)

    def handle(self) -> None:
        """Handle the connection in one of the server's slots; with none free after a short wait,
        read the request and answer 503."""
        self.busy = not self.server.slots.acquire(timeout=SLOT_WAIT_SECONDS)
        if self.busy:
            self.connection.settimeout(SLOT_WAIT_SECONDS)  # a refused client gets no long wait either
            self.handle_one_request()
            return
        try:
            super().handle()
        finally:
            self.server.slots.release()

    def parse_request(self) -> bool:
        """Parse the request, then refuse it when its Host is not this server's (403: a page on
        another site that re-points its DNS name here reads nothing) or no slot was free (503)."""
        if not super().parse_request():
            return False
        if not self.server.answers_host(self.headers.get("Host")):
            self.send_plain(403, WRONG_HOST)
            return False
        if self.busy:
            self.send_plain(503, BUSY, {"Retry-After": "1"})
            return False
        return True

    def send_plain(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """A whole short plain-text response; the connection closes after it."""
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path.split("?", 1)[0].endswith("/" + EVENTS):  # any base: pages from before a base_url change
            return self._stream_events()
        return super().do_GET()

    def send_head(self):
        if self.snapshot.root is None:  # no build has succeeded yet: the error is all there is to show
            return self.send_html(500, ERROR_PAGE.encode())
        return super().send_head()

    def send_html(self, status: int, body: bytes):
        return super().send_html(status, inject_live_reload(body, self.snapshot))

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # never a stale page after a rebuild
        super().end_headers()

    def _stream_events(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        token = query.get("v", [""])[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        self.wfile.flush()
        state = self.server.state
        while True:
            current = state.wait_for_change(token, HEARTBEAT_SECONDS)
            if current is None:
                return
            if current.token != token:
                self.wfile.write(f"event: reload\ndata: {current.token}\n\n".encode())
                self.wfile.flush()
                return
            self.wfile.write(b": still here\n\n")  # finds clients that have gone away
            self.wfile.flush()

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class PreviewServer(http.server.ThreadingHTTPServer):
    """A thread per connection; clients that hang up mid-response are not errors."""

    daemon_threads = True
    request_queue_size = 128  # a page load opens many connections at once; don't drop them at 5

    def __init__(self, address: tuple[str, int], state: PreviewState, empty_root: Path, verbose: bool = False,
                 max_connections: int = MAX_CONNECTIONS):
        self.state = state
        self.empty_root = empty_root
        self.verbose = verbose
        self.slots = threading.BoundedSemaphore(max_connections)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewRequestHandler)
        bound = self.server_address[0]
        self.host_names = LOOPBACK_NAMES | {address[0].lower().strip("[]"), bound.lower()}
        self.any_address = address[0] in WILDCARD_ADDRESSES

    def answers_host(self, header: str | None) -> bool:
        """Whether a request with this Host header is for this server: a loopback name, the name or
        address it was started with, or, when it listens on every interface, any IP address (a DNS
        name other than these is another site's). A request without Host (HTTP/1.0) is answered:
        browsers always send one."""
        if header is None:
            return True
        name = host_name(header)
        if name in self.host_names:
            return True
        if self.any_address:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away or went quiet: nothing to report
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        self.state.close()
        super().server_close()


def host_name(header: str) -> str:
    """The name in a Host header, lower case, without its port or IPv6 brackets:
    `[::1]:8000` -> `::1`, `LocalHost:80` -> `localhost`."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class PortInUse(NewsgenError):
    """The address is taken; the message says what to do."""


def open_server(make, host: str, port: int):
    """Call make((host, port)); turn a bind failure into an error message a user can act on."""
    try:
        return make((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {host} is already in use (another `newsgen serve`?); "
                            f"stop it, or pick another port with --port N, or --port 0 for any free one")
        if exc.errno == errno.EACCES:
            raise PortInUse(f"not allowed to listen on {host}:{port}; ports below 1024 need privileges, try --port 8000")
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def server_url(server: http.server.HTTPServer, base_path: str) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path}"
