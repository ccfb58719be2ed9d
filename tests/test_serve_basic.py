"""The preview server: serves the output under the base path, never a file outside it."""

from __future__ import annotations

import http.client
import threading

import pytest
from conftest import write_files

from newsgen.build import build
from newsgen.config import load_config
from serving import make_server

SECRET = "top secret, outside the output folder"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    site = write_files(tmp_path / "site", {
        "content/a.md": "---\ntitle: Served\ndate: 2022-01-01\n---\nHello.\n",
    })
    (tmp_path / "secret.txt").write_text(SECRET)
    config = load_config(site, {"workers": 1, "base_url": "https://example.org/news/"})
    build(config)
    (config.output_path / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (config.output_path / "leakdir").symlink_to(tmp_path)
    httpd = make_server(config.output_path, "127.0.0.1", 0, config.base_path)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_serve_front_page_and_article_under_base_path(server):
    status, body = get(server, "/news/")
    assert status == 200 and "Served" in body
    status, body = get(server, "/news/2022/01/01/served/")
    assert status == 200 and "<h1>Served</h1>" in body


def test_serve_redirects_bare_root_to_base_path(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    conn.request("GET", "/")
    response = conn.getresponse()
    assert (response.status, response.getheader("Location")) == (302, "/news/")
    conn.close()


@pytest.mark.parametrize("path", [
    "/../etc/passwd",
    "/news/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/news/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/news/..%2f..%2f..%2fetc/passwd",
    "/news/leak.txt",
    "/news/leakdir/secret.txt",
    "/news/leakdir/",
    "/secret.txt",
    "/news/%2e%2e/secret.txt",
])
def test_serve_never_serves_a_file_outside_the_output_folder(server, path):
    status, body = get(server, path)
    assert status in (403, 404)
    assert SECRET not in body and "root:" not in body


def test_serve_unknown_page_gets_the_sites_404_page(server):
    status, body = get(server, "/news/no/such/page/")
    assert status == 404 and "<html" in body
