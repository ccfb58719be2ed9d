"""Preview server: serve the output folder on loopback, under the site's base path."""

from __future__ import annotations

import functools
import http.server
import posixpath
import urllib.parse
from pathlib import Path


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
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return ""
        if resolved != root and not resolved.is_relative_to(root):
            return ""
        result = str(resolved)
        return result + "/" if relative.endswith("/") and resolved.is_dir() else result

    def send_head(self):
        path = self.translate_path(self.path)
        if not path:
            if self.path.rstrip("/") == self.base_path.rstrip("/") or self.path == "/":
                self.send_response(302)
                self.send_header("Location", self.base_path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._not_found()
        if not Path(path).exists():
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format: str, *args) -> None:  # quiet by default
        pass


def make_server(output_dir: Path, host: str, port: int, base_path: str) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(SiteRequestHandler, directory=str(output_dir), base_path=base_path)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
