"""A real browser tab reloads by itself: headless Chromium (Debian's `chromium`, installed by
`make test-slow`) driven over the Chrome DevTools Protocol with the `websocket-client` package."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from itertools import count
from pathlib import Path

import pytest

from serving import start_serve, wait_for
from test_serve import ARTICLE, ARTICLE_URL, make_preview_site

pytestmark = pytest.mark.slow


class Tab:
    """One Chromium page over its DevTools websocket: navigate and evaluate JavaScript."""

    def __init__(self, websocket_url: str):
        import websocket  # websocket-client, from the test extras

        self.socket = websocket.create_connection(websocket_url, timeout=20, suppress_origin=True)
        self.ids = count(1)

    def call(self, method: str, **params) -> dict:
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


@pytest.fixture
def chromium(tmp_path):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("chromium is not installed: `make test-slow` installs Debian's chromium package")
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = profile / "DevToolsActivePort"
        port = int(wait_for(lambda: active.is_file() and active.read_text().split("\n")[0], timeout=60))
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        tab = Tab(page["webSocketDebuggerUrl"])
        yield tab
        tab.socket.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_an_open_tab_reloads_by_itself_after_an_edit_and_shows_build_errors(tmp_path, chromium):
    site = make_preview_site(tmp_path)
    server = start_serve(site)
    try:
        chromium.call("Page.navigate", url=server.url + ARTICLE_URL)
        wait_for(lambda: "reopened on Monday" in (chromium.evaluate("document.body && document.body.innerText") or ""))
        wait_for(lambda: chromium.evaluate("window.__before_edit = true"))
        time.sleep(0.5)  # let the page's event stream connect

        (site / "content/harbour.md").write_text(ARTICLE.format(day="Wednesday"), encoding="utf-8")

        # a reload drops the marker set on the old page; nobody else touched the tab
        wait_for(lambda: chromium.evaluate(
            "window.__before_edit === undefined && document.body.innerText.includes('reopened on Wednesday')"))

        Path(site / "content/harbour.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        overlay = wait_for(lambda: chromium.evaluate(
            "(document.getElementById('newsgen-build-error') || {}).innerText"))
        assert "content/harbour.md:3: invalid YAML front matter" in overlay
        assert "reopened on Wednesday" in chromium.evaluate("document.body.innerText")

        (site / "content/harbour.md").write_text(ARTICLE.format(day="Saturday"), encoding="utf-8")
        wait_for(lambda: chromium.evaluate(
            "!document.getElementById('newsgen-build-error') && document.body.innerText.includes('reopened on Saturday')"))
    finally:
        code, out, err = server.stop()
    assert code == 0 and "Traceback" not in err
