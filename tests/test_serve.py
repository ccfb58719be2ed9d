"""`newsgen serve`: rebuild on change, live reload, build errors in the browser, safety, and stopping."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import write_files
from newsgen.serve.server import PreviewServer, PreviewState
from newsgen.serve.watch import PreviewBuilder, SiteWatcher, source_folders
from serving import make_server
from serving import request, start_serve, wait_for

ARTICLE = """\
---
title: Harbour reopens
date: 2025-03-04T09:30:00+00:00
tags: [ports]
---

The harbour reopened on {day} after the storm.
"""
ARTICLE_URL = "2025/03/04/harbour-reopens/"


def make_preview_site(root: Path, **files: str) -> Path:
    site = root / "site"
    write_files(site, {
        "newsgen.yaml": "title: Harbour News\n",
        "content/harbour.md": ARTICLE.format(day="Monday"),
        "templates/README.md": "site templates\n",
        **files,
    })
    (site / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    return site


def replace_file(path: Path, text: str) -> None:
    """Save the way many editors do: write a temporary file, then rename it over the old one."""
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def served(tmp_path):
    servers = []

    def _start(site: Path, *args: str):
        servers.append(start_serve(site, *args))
        return servers[-1]

    yield _start
    for server in servers:
        code, out, err = server.stop()
        assert "Traceback" not in err, err


def test_preview_builds_swap_in_only_complete_builds_into_one_folder(tmp_path):
    site = make_preview_site(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    state = PreviewState()
    builder = PreviewBuilder(site, {"workers": 1}, state, cache)
    outcomes = []
    for number in range(8):
        text = ARTICLE.format(day=f"day {number}")
        broken = number % 2 == 1
        (site / "content/harbour.md").write_text(text.replace("[ports]", "[ports") if broken else text, encoding="utf-8")
        outcomes.append(builder.build_once(("content/harbour.md",)))

    assert [outcome.error is None for outcome in outcomes] == [True, False] * 4
    assert sorted(p.name for p in cache.iterdir()) == [".site.standby", "site"]  # the site, and the one before it
    snapshot = state.snapshot
    assert snapshot.root == cache / "site"  # the last good build, while the newest one failed
    assert "content/harbour.md:5: invalid YAML front matter: did not find expected ',' or ']'" in snapshot.error
    page = (snapshot.root / ARTICLE_URL / "index.html").read_text(encoding="utf-8")
    assert "reopened on day 6" in page and "newsgen-live-reload" not in page
    assert outcomes[-2].report.pages_written < outcomes[0].report.pages_written  # only what changed


def test_serve_rebuilds_an_edited_article_and_serves_the_new_text_without_restart(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site)
    assert "reopened on Monday" in server.page(ARTICLE_URL)

    (site / "content/harbour.md").write_text(ARTICLE.format(day="Tuesday"), encoding="utf-8")

    wait_for(lambda: "reopened on Tuesday" in server.page(ARTICLE_URL))
    assert server.process.poll() is None


def test_serve_shows_a_front_matter_error_over_the_last_good_page_until_a_fix_is_saved(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site)
    article = site / "content/harbour.md"

    article.write_text(ARTICLE.format(day="Friday").replace("tags: [ports]", "tags: [ports"), encoding="utf-8")

    page = wait_for(lambda: (lambda p: p if "newsgen-build-error" in p else None)(server.page(ARTICLE_URL)))
    assert "the last change did not build" in page
    assert ("content/harbour.md:5: invalid YAML front matter: did not find expected &#x27;,&#x27; or &#x27;]&#x27;"
            in page)
    assert "reopened on Monday" in page  # the last good build is still what is served
    assert "newsgen-build-error" in server.page("")  # on every page
    article.write_text(ARTICLE.format(day="Friday"), encoding="utf-8")
    # The fixed site is swapped in just before the server learns that the build succeeded.
    page = wait_for(lambda: (lambda p: p if "reopened on Friday" in p and "newsgen-build-error" not in p else None)(
        server.page(ARTICLE_URL)))
    assert "newsgen-build-error" not in server.page("")
    code, out, err = server.stop()
    assert "content/harbour.md:5: invalid YAML front matter: did not find expected ',' or ']'" in err
    assert "still serving the last good build" in err


def test_serve_starts_with_an_error_page_when_the_first_build_fails_and_recovers(tmp_path, served):
    site = make_preview_site(tmp_path)
    (site / "content/harbour.md").write_text("---\ntitle: No date\n---\n\nText.\n", encoding="utf-8")
    server = served(site)

    status, _, page = server.get(server.base)
    assert status == 500
    assert "content/harbour.md:1: no date: add &#x27;date: YYYY-MM-DD&#x27;" in page
    assert "data-newsgen-live-reload" in page

    (site / "content/harbour.md").write_text(ARTICLE.format(day="Sunday"), encoding="utf-8")
    wait_for(lambda: server.get(server.base + ARTICLE_URL)[0] == 200)
    assert "reopened on Sunday" in server.page(ARTICLE_URL)


def _rendered(report) -> int:
    """The HTML pages a build rendered (a page whose key was unchanged is kept without rendering)."""
    return sum(cost.pages for cost in report.page_costs if cost.kind in ("article pages", "listing pages"))


def _files(folder: Path) -> dict[str, bytes]:
    """Every file's bytes but the search index's (Pagefind writes its files differently each run)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")}


def test_the_first_preview_build_starts_from_the_site_newsgen_build_made(tmp_path):
    """`newsgen serve` after `newsgen build` renders nothing that did not change since, and
    serves the same pages; its later builds leave the built site as it was."""
    from newsgen.cli import main
    site = make_preview_site(tmp_path, **{"content/second.md": ARTICLE.replace("Harbour reopens", "Ferry resumes")
                                          .replace("2025-03-04", "2025-03-05").format(day="Tuesday")})
    assert main(["build", str(site), "-q"]) == 0
    built = _files(site / "public")
    cache = tmp_path / "cache"
    cache.mkdir()
    builder = PreviewBuilder(site, {"workers": 1}, PreviewState(), cache)
    first = builder.build_once()
    assert first.error is None and _rendered(first.report) == 0 and first.report.pages_written == 0
    assert _files(cache / "site") == built
    assert (cache / "site/pagefind/best.json").is_file()  # the search index came with the copy

    (site / "content/harbour.md").write_text(ARTICLE.format(day="Friday"), encoding="utf-8")
    second = builder.build_once(("content/harbour.md",))
    assert second.error is None and _rendered(second.report) >= 1
    assert "reopened on Friday" in (cache / "site" / ARTICLE_URL / "index.html").read_text(encoding="utf-8")
    assert _files(site / "public") == built  # the links the preview shared with it were replaced, not written into
    assert main(["build", str(site), "-q", "-o", str(tmp_path / "fresh"), "--clean"]) == 0
    assert _files(cache / "site") == _files(tmp_path / "fresh")


def test_the_first_preview_build_renders_everything_without_a_built_site_or_with_other_settings(tmp_path):
    from newsgen.cli import main
    site = make_preview_site(tmp_path)
    for overrides, cache in (({"workers": 1}, tmp_path / "none"), ({"workers": 1, "drafts": True}, tmp_path / "drafts")):
        cache.mkdir()
        outcome = PreviewBuilder(site, overrides, PreviewState(), cache).build_once()
        assert outcome.error is None and _rendered(outcome.report) >= 5  # each article and listing page
        assert main(["build", str(site), "-q"]) == 0  # the second preview finds a built site, made without drafts


def test_serve_rebuilds_after_config_template_and_static_changes(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site)
    assert "Harbour News" in server.page("")

    replace_file(site / "newsgen.yaml", "title: Port Gazette\n")
    wait_for(lambda: "Port Gazette" in server.page(""))
    (site / "templates/_head.html").write_text('<meta name="x-theme" content="harbour">\n', encoding="utf-8")
    wait_for(lambda: 'content="harbour"' in server.page(ARTICLE_URL))
    replace_file(site / "newsgen.yaml", "title: Port Gazette Two\n")  # the config is still watched after a rename
    wait_for(lambda: "Port Gazette Two" in server.page(""))
    incoming = write_files(tmp_path / "incoming", {"robots.txt": "User-agent: *\n"})
    os.rename(incoming, site / "static")  # a static folder that appears while serving is watched from then on
    wait_for(lambda: server.get(server.base + "robots.txt")[0] == 200)
    (site / "static/robots.txt").write_text("User-agent: harbour\n", encoding="utf-8")
    wait_for(lambda: "harbour" in server.get(server.base + "robots.txt")[2])


def test_serve_rebuilds_after_a_page_changes_and_never_writes_the_url_history(tmp_path, served):
    site = make_preview_site(tmp_path)
    write_files(site, {"pages/about.md": "---\ntitle: About\n---\nWe are the harbour desk.\n"})
    server = served(site)
    assert "harbour desk" in server.page("about/")
    (site / "pages/about.md").write_text("---\ntitle: About\n---\nWe are the port desk.\n", encoding="utf-8")
    wait_for(lambda: "port desk" in server.page("about/"))
    server.stop()
    assert not (site / "newsgen-urls.txt").exists()


def test_serve_injects_the_reload_script_into_served_html_only_never_into_built_files(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site)
    status, headers, page = server.get(server.base + ARTICLE_URL)
    assert status == 200 and headers["cache-control"] == "no-store"
    assert page.count("data-newsgen-live-reload") == 1
    assert page.rstrip().endswith("</html>")
    assert "data-newsgen-live-reload" not in server.get(server.base + "static/style.css")[2]
    assert not (site / "public").exists()  # serve never writes the output folder

    subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-q", "-j", "1"], check=True)
    built = [p for p in (site / "public").rglob("*") if p.is_file()]
    assert built and not any(b"newsgen-live-reload" in p.read_bytes() for p in built)


def test_reload_events_tell_an_open_page_to_reload_after_a_rebuild(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site)
    token = server.page(ARTICLE_URL).split('encodeURIComponent("', 1)[1].split('"', 1)[0]
    stream = urllib.request.urlopen(f"{server.url}__newsgen__/events?v={token}", timeout=20)
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert stream.readline() == b"retry: 1000\n"

    (site / "content/harbour.md").write_text(ARTICLE.format(day="Thursday"), encoding="utf-8")

    received = stream.read().decode()  # the server ends the stream after the reload event
    assert "event: reload\n" in received
    assert "reopened on Thursday" in server.page(ARTICLE_URL)
    stale = urllib.request.urlopen(f"{server.url}__newsgen__/events?v={token}", timeout=5).read().decode()
    assert "event: reload" in stale  # a page from an older build reloads at once


def test_serve_shows_a_broken_config_at_start_and_picks_up_the_fix(tmp_path, served):
    site = make_preview_site(tmp_path, **{"newsgen.yaml": "title: Harbour News\npage_sise: 10\n"})
    server = served(site)
    status, _, page = server.get("/")
    assert status == 500
    assert "newsgen.yaml:2: unknown key &#x27;page_sise&#x27; (did you mean &#x27;page_size&#x27;?)" in page
    replace_file(site / "newsgen.yaml", "title: Harbour News\npage_size: 10\n")
    wait_for(lambda: server.get(server.base + ARTICLE_URL)[0] == 200)


def test_folder_redirects_keep_to_this_host(tmp_path, served):
    server = served(make_preview_site(tmp_path))
    status, headers, _ = server.get("//2025")
    assert status == 301 and headers["location"] == "/2025/"
    assert server.get("/2025")[1]["location"] == "/2025/"


def test_serve_drafts_and_future_flags_preview_unpublished_articles(tmp_path, served):
    site = make_preview_site(tmp_path, **{
        "content/draft.md": "---\ntitle: Embargoed\ndate: 2025-05-05\ndraft: true\n---\n\nSecret plan.\n",
        "content/later.md": "---\ntitle: Tomorrow\ndate: 2030-01-01\n---\n\nNot yet.\n",
    })
    plain = served(site)
    assert plain.get(plain.base + "2025/05/05/embargoed/")[0] == 404
    preview = served(site, "--drafts", "--future")
    assert "Secret plan." in preview.page("2025/05/05/embargoed/")
    assert "Not yet." in preview.page("2030/01/01/tomorrow/")


def test_serve_uses_the_base_url_path(tmp_path, served):
    site = make_preview_site(tmp_path, **{"newsgen.yaml": "base_url: https://example.org/news/\n"})
    server = served(site)
    assert server.base == "/news/"
    status, headers, _ = server.get("/")
    assert status == 302 and headers["location"] == "/news/"
    assert server.get("/news/" + ARTICLE_URL)[0] == 200
    assert server.get("/" + ARTICLE_URL)[0] == 404
    assert '"/news/__newsgen__/events"' in server.page(ARTICLE_URL)


def test_a_base_url_with_a_closing_script_tag_cannot_break_out_of_the_reload_script(tmp_path, served):
    site = make_preview_site(tmp_path, **{
        "newsgen.yaml": 'base_url: "https://x.org/a</script><script>alert(1)</script>/"\n'})
    server = served(site)
    assert server.base == "/a</script><script>alert(1)</script>/"
    status, _, page = server.get(server.base + ARTICLE_URL)
    assert status == 200
    reload_script = page.split("<script data-newsgen-live-reload>", 1)[1].split("</script>", 1)[0]
    assert ('new EventSource("/a\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e/'
            '__newsgen__/events" + "?v="') in reload_script
    assert "<script>alert(1)" not in page


TRAVERSALS = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt", "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt", "/static/..%2f..%2fsecret.txt", "/static/..%5c..%5csecret.txt",
    "/%252e%252e/secret.txt", "//secret.txt", "/static/%00", "/./../secret.txt", "/news/../secret.txt",
]


def test_serve_never_serves_a_file_outside_the_built_site(tmp_path, served):
    site = make_preview_site(tmp_path)
    server = served(site, "--quiet")  # quiet still prints the URL, and only that
    assert server.stdout[0].startswith("serving http://127.0.0.1:")
    for path in TRAVERSALS:
        status, _, body = server.get(path)
        assert status in (403, 404), path
        assert "TOP SECRET" not in body, path


def plain_server(folder: Path):
    return make_server(folder, "127.0.0.1", 0, "/")


def preview_server(folder: Path):
    state = PreviewState()
    state.publish(folder, "/")
    return PreviewServer(("127.0.0.1", 0), state, folder / "none")


@pytest.mark.parametrize("make", [plain_server, preview_server])
def test_servers_do_not_follow_a_symlink_out_of_the_folder(tmp_path, make):
    out = tmp_path / "out"
    (out / "static").mkdir(parents=True)
    (out / "index.html").write_text("<!doctype html><html><body>home</body></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    (out / "static/leak.txt").symlink_to(tmp_path / "secret.txt")
    (out / "linked").symlink_to(tmp_path)
    server = make(out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        for path in ["/static/leak.txt", "/linked/secret.txt", "/linked/", "/%2e%2e/secret.txt"] + TRAVERSALS:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()
            except urllib.error.HTTPError as error:
                assert error.code in (403, 404), path
                body = error.read()
            assert b"TOP SECRET" not in body and b"secret.txt" not in body, path
        assert b"home" in urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("make", [plain_server, preview_server])
@pytest.mark.parametrize("path", ["/" + "a" * 256, "/static/" + "%C3%A9" * 128 + "/", "/" + ("b" * 250 + "/") * 20])
def test_servers_answer_a_name_too_long_for_any_file_with_the_sites_404_page(tmp_path, make, path):
    out = tmp_path / "out"
    (out / "static").mkdir(parents=True)
    (out / "404.html").write_text("<!doctype html><html><body>No such story</body></html>", encoding="utf-8")
    server = make(out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{path}", timeout=5)
        assert error.value.code == 404
        assert b"No such story" in error.value.read()
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def running(server: PreviewServer):
    """The server answering in a thread; its port."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def published(tmp_path: Path) -> PreviewState:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<!doctype html><html><body>home</body></html>", encoding="utf-8")
    state = PreviewState()
    state.publish(out, "/")
    return state


WRONG_HOST = "newsgen serve answers requests addressed to localhost, 127.0.0.1, [::1] or the --host address only\n"


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LocalHost:80", "127.0.0.1", "127.0.0.1:1",
                                  "[::1]:8000", "[::1]"])
def test_preview_answers_requests_for_loopback_names_on_any_port(tmp_path, host):
    state = published(tmp_path)
    with running(PreviewServer(("127.0.0.1", 0), state, tmp_path / "none")) as port:
        status, _, body = request(port, "/", host=host)
    assert status == 200 and "home" in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example",
                                  "127.0.0.1.nip.io:8000", "192.168.1.5:8000", "[::2]:8000", ""])
def test_preview_refuses_requests_for_other_host_names_with_a_short_403(tmp_path, host):
    state = published(tmp_path)
    with running(PreviewServer(("127.0.0.1", 0), state, tmp_path / "none")) as port:
        status, headers, body = request(port, "/", host=host)
        assert request(port, "/__newsgen__/events", host=host)[0] == 403
    assert (status, headers["content-type"], body) == (403, "text/plain; charset=utf-8", WRONG_HOST)


def test_preview_answers_an_http_1_0_request_without_a_host(tmp_path):
    state = published(tmp_path)
    with running(PreviewServer(("127.0.0.1", 0), state, tmp_path / "none")) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET / HTTP/1.0\r\n\r\n")
            response = b"".join(iter(lambda: client.recv(65536), b""))
    assert response.startswith(b"HTTP/1.0 200 ") and b"home" in response


def test_preview_answers_the_address_it_was_started_with(tmp_path):
    state = published(tmp_path)
    with running(PreviewServer(("127.0.0.2", 0), state, tmp_path / "none")) as port:
        assert request(port, "/", host="127.0.0.2:8000", address="127.0.0.2")[0] == 200
        assert request(port, "/", host="localhost", address="127.0.0.2")[0] == 200
        assert request(port, "/", host="evil.example", address="127.0.0.2")[0] == 403


def test_preview_on_every_interface_answers_ip_addresses_but_no_other_name(tmp_path):
    state = published(tmp_path)
    with running(PreviewServer(("0.0.0.0", 0), state, tmp_path / "none")) as port:
        assert request(port, "/", host="192.168.1.5:8000")[0] == 200  # how another machine reaches it
        assert request(port, "/", host="evil.example:8000")[2] == WRONG_HOST


def test_serve_refuses_a_page_of_another_site_pointed_at_the_preview(tmp_path, served):
    server = served(make_preview_site(tmp_path))
    status, _, body = server.get(server.base + ARTICLE_URL, host=f"rebind.evil.example:{server.port}")
    assert (status, body) == (403, WRONG_HOST)
    assert server.get(server.base + ARTICLE_URL, host=f"localhost:{server.port}")[0] == 200


def hold_connection(port: int) -> socket.socket:
    """A connection that has sent half a request, so the server keeps a slot for it."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET / HTTP/1.0\r\n")
    return client


def all_slots_taken(server: PreviewServer) -> bool:
    if server.slots.acquire(blocking=False):
        server.slots.release()
        return False
    return True


def test_preview_over_its_connection_limit_answers_503_and_serves_again_once_a_slot_frees(tmp_path):
    state = published(tmp_path)
    server = PreviewServer(("127.0.0.1", 0), state, tmp_path / "none", max_connections=2)
    with running(server) as port:
        held = [hold_connection(port), hold_connection(port)]
        wait_for(lambda: all_slots_taken(server), timeout=5)
        status, headers, body = request(port, "/")
        assert (status, headers["retry-after"], body) == (
            503, "1", "newsgen serve has too many open connections; try again in a moment\n")
        threading.Timer(0.3, held.pop().close).start()  # a slot frees while the next request waits for one
        status, _, body = request(port, "/")
        assert status == 200 and "home" in body
        held.pop().close()


def test_serve_reports_a_port_in_use_clearly(tmp_path):
    site = make_preview_site(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "newsgen", "serve", str(site), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"error: port {port} on 127.0.0.1 is already in use (another `newsgen serve`?); "
                             f"stop it, or pick another port with --port N, or --port 0 for any free one\n")


def test_clients_that_hang_up_mid_response_do_not_disturb_the_server(tmp_path, served):
    big = "Paragraph. " * 200_000  # a page of a few megabytes, more than a socket buffer holds
    site = make_preview_site(tmp_path, **{"content/big.md": f"---\ntitle: Big\ndate: 2025-01-01\n---\n\n{big}\n"})
    server = served(site)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset on close
            client.sendall(f"GET {server.base}2025/01/01/big/ HTTP/1.0\r\n\r\n".encode())
            client.recv(1024)
    assert "reopened on Monday" in server.page(ARTICLE_URL)
    code, out, err = server.stop()
    assert code == 0
    assert err == ""


@pytest.mark.parametrize("interrupts_ignored", [False, True], ids=["in a terminal", "as a background job"])
def test_ctrl_c_stops_serve_cleanly_and_removes_its_builds(tmp_path, interrupts_ignored):
    site = make_preview_site(tmp_path)
    server = start_serve(site, interrupts_ignored=interrupts_ignored)
    assert list((site / ".newsgen-cache").glob("serve-*"))
    code, out, err = server.stop(signal.SIGINT)
    assert code == 0
    assert err == ""
    assert out.rstrip().endswith("stopped")
    assert not list((site / ".newsgen-cache").glob("serve-*"))


def test_serve_open_starts_a_browser_on_the_site_url(tmp_path, served, monkeypatch):
    site = make_preview_site(tmp_path)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys, pathlib\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser} %s")
    server = served(site, "--open")
    assert wait_for(lambda: opened.exists() and opened.read_text()) == server.url


@pytest.fixture
def watching(tmp_path):
    """watching(site) -> a queue of the SiteWatcher's batches; the watcher stops after the test
    (the test fails if its threads outlive that)."""
    stop = threading.Event()
    running = threading.active_count()

    def _watch(site: Path) -> queue.Queue:
        watcher = SiteWatcher(site, lambda: source_folders(site, {}), stop)
        batches: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [batches.put(batch) for batch in watcher.batches()], daemon=True).start()
        return batches

    yield _watch
    stop.set()
    wait_for(lambda: threading.active_count() == running, timeout=5)


def batch_with(batches: queue.Queue, path: Path, timeout: float = 10) -> set[str]:
    """The first batch that names path (queue.Empty after `timeout` seconds without a batch)."""
    while True:
        batch = batches.get(timeout=timeout)
        if str(path) in batch:
            return batch


def test_site_watcher_sees_a_change_made_as_soon_as_it_is_constructed(tmp_path, watching):
    site = make_preview_site(tmp_path).resolve()
    batches = watching(site)
    (site / "content/harbour.md").write_text(ARTICLE.format(day="Tuesday"), encoding="utf-8")
    assert batch_with(batches, site / "content/harbour.md") == {str(site / "content/harbour.md")}


def test_site_watcher_watches_a_source_folder_again_after_it_vanishes_and_comes_back(tmp_path, watching):
    site = make_preview_site(tmp_path).resolve()
    batches = watching(site)
    shutil.rmtree(site / "templates")
    batch_with(batches, site / "templates")
    incoming = write_files(tmp_path / "incoming", {"article.html": "{{ article.title }}\n"})
    os.rename(incoming, site / "templates")
    batch_with(batches, site / "templates")
    # Events of the removal and of the return can arrive in one batch or two, so the batch read
    # above may come before the folder is watched again: save until a save is reported, as a
    # writer would, within a few seconds.
    target, seen = site / "templates/article.html", set()
    for attempt in range(20):
        target.write_text(f"<h1>{{{{ article.title }}}}</h1> {attempt}\n", encoding="utf-8")
        try:
            seen = batch_with(batches, target, timeout=0.5)
            break
        except queue.Empty:
            continue
    assert seen == {str(target)}


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts this process's open files in /proc")
def test_a_preview_that_builds_again_and_again_keeps_no_file_open(tmp_path):
    """A preview builds in one process for hours: each build closes the files it opened (the
    article store's database), or the server would stop at the system's limit of open files."""
    site = make_preview_site(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    builder = PreviewBuilder(site, {"workers": 1}, PreviewState(), cache)
    assert builder.build_once().error is None
    before = len(os.listdir("/proc/self/fd"))
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        (site / "content/harbour.md").write_text(ARTICLE.format(day=day), encoding="utf-8")
        assert builder.build_once(("content/harbour.md",)).error is None
    assert len(os.listdir("/proc/self/fd")) == before
