"""Helpers for tests that serve a site: a built folder in this process, or `newsgen serve` in a
subprocess, on a free loopback port."""

from __future__ import annotations

import functools
import http.server

import http.client
import os
import re
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from newsgen.serve.server import SiteRequestHandler


def make_server(output_dir: Path, host: str, port: int, base_path: str) -> http.server.ThreadingHTTPServer:
    """A plain threaded server of one built folder, as a static host would serve it (the site
    request handler of `newsgen serve`, without watching or reloading)."""
    handler = functools.partial(SiteRequestHandler, directory=str(output_dir), base_path=base_path)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def request(port: int, path: str, method: str = "GET", host: str | None = None,
            address: str = "127.0.0.1") -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of one request to address:port; the path is sent as it is (no
    normalising), with the Host header given (default: address:port, as http.client sends it)."""
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


SERVING = re.compile(r"serving (http://127\.0\.0\.1:(\d+)(/\S*))")


@dataclass
class Served:
    """A running `newsgen serve`: its process, port, base path and everything it printed so far."""

    process: subprocess.Popen
    port: int
    base: str
    url: str
    stdout: list[str] = field(default_factory=list)

    def get(self, path: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) for a raw request path, sent as it is (no normalising)."""
        return request(self.port, path, method, host)

    def page(self, path: str = "") -> str:
        return self.get(self.base + path)[2]

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        """Stop it as a user would (Ctrl-C); return (exit code, rest of stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        time.sleep(0.1)  # let the reader thread take the last lines
        return self.process.returncode, "".join(self.stdout), self.process.stderr.read()


def start_serve(site: Path, *args: str, timeout: float = 30, interrupts_ignored: bool = False) -> Served:
    """Start `newsgen serve SITE --port 0 ARGS` and wait for the line that gives its URL;
    interrupts_ignored starts it as a script's background job starts it: with SIGINT ignored."""
    command = [sys.executable, "-m", "newsgen", "serve", str(site), "--port", "0", "-j", "1", *args]
    ignoring = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if interrupts_ignored else None
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=site, env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=ignoring)
    lines: list[str] = []
    found = queue.Queue()

    def read_stdout() -> None:  # keeps the pipe drained for the whole run
        for line in process.stdout:
            lines.append(line)
            match = SERVING.search(line)
            if match:
                found.put(match)
        found.put(None)

    threading.Thread(target=read_stdout, daemon=True).start()
    try:
        match = found.get(timeout=timeout)
    except queue.Empty:
        match = None
    if match is None:
        process.kill()
        raise AssertionError(f"serve did not start:\n{''.join(lines)}\n{process.stderr.read()}")
    return Served(process, int(match.group(2)), match.group(3), match.group(1), lines)


def wait_for(check: Callable[[], object], timeout: float = 20.0, every: float = 0.1):
    """The first truthy value of check(), polling until timeout (then an AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {check}")
        time.sleep(every)
