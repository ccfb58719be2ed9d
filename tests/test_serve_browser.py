"""A real browser tab reloads by itself: headless Chromium (Debian's `chromium`, installed by
`make test-slow`) driven over the Chrome DevTools Protocol with the `websocket-client` package."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import Browser
from serving import start_serve, wait_for
from test_serve import ARTICLE, ARTICLE_URL, make_preview_site

pytestmark = pytest.mark.slow


class Tab(Browser):
    """The shared Chromium driver (tests/browser.py); while a page reloads its old context is gone,
    so an expression that fails then reads as "not yet" (None)."""

    def evaluate(self, expression: str):
        try:
            return super().evaluate(expression)
        except RuntimeError:
            return None


@pytest.fixture
def chromium():
    with Tab() as tab:
        yield tab


def test_an_open_tab_reloads_by_itself_after_an_edit_and_shows_build_errors(tmp_path, chromium):
    site = make_preview_site(tmp_path)
    server = start_serve(site)
    try:
        chromium.send("Page.navigate", url=server.url + ARTICLE_URL)
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
