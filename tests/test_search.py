"""Search: the Pagefind index written at build time, the /search/ page, and the `search` switch."""

import re
from pathlib import Path

import pytest
from conftest import SEED
from pagefind_index import find_word, indexed_pages

from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed, ConfigError

SEED_URL = "/2022/08/10/venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia/"

TAGGED = """\
---
title: Tariffs rise on steel
date: 2023-05-04T09:30:00Z
tags: [Trade, "Oil, gas"]
section: Business
authors: [Ana Lima, Bo Chen]
summary: Zebrafish exporters fear the new duties.
---
The finance ministry raised duties on imported steel on Thursday.
"""


def test_index_answers_a_query_for_a_word_of_the_seed_article(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    assert find_word(out / "pagefind", "maduro") == [SEED_URL]
    assert find_word(out / "pagefind", "guatemala") == [SEED_URL]


def test_index_holds_article_pages_only_never_listings(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes(), "content/tariffs.md": TAGGED})
    urls = sorted(page["url"] for page in indexed_pages(out / "pagefind"))
    assert urls == [SEED_URL, "/2023/05/04/tariffs-rise-on-steel/"]


def test_index_covers_headline_summary_and_body_and_keeps_bylines_out_of_the_text(make_site):
    out = make_site({"content/tariffs.md": TAGGED})
    bundle = out / "pagefind"
    for word in ("tariff", "zebrafish", "ministri"):  # headline, summary (not shown on the page), body; stemmed
        assert find_word(bundle, word) == ["/2023/05/04/tariffs-rise-on-steel/"], word
    (page,) = indexed_pages(bundle)
    assert page["content"] == ("Tariffs rise on steel. Zebrafish exporters fear the new duties. "
                               "The finance ministry raised duties on imported steel on Thursday.")
    assert page["meta"] == {"title": "Tariffs rise on steel", "date": "4 May 2023, 09:30 UTC"}


def test_index_has_tag_section_author_and_year_filters(make_site):
    out = make_site({"content/tariffs.md": TAGGED})
    (page,) = indexed_pages(out / "pagefind")
    assert page["filters"] == {"tag": ["Trade", "Oil, gas"], "section": ["Business"],
                               "author": ["Ana Lima", "Bo Chen"], "year": ["2023"]}


def test_year_filter_uses_the_site_time_zone(make_site):
    new_year = TAGGED.replace("2023-05-04T09:30:00Z", "2022-12-31T23:30:00-05:00")
    out = make_site({"content/tariffs.md": new_year}, timezone="Asia/Tokyo")
    (page,) = indexed_pages(out / "pagefind")
    assert page["filters"]["year"] == ["2023"]


def test_search_page_needs_javascript_and_links_relatively_under_a_sub_path(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()}, base_url="https://example.org/news/")
    html = (out / "search/index.html").read_text(encoding="utf-8")
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "Search needs JavaScript" in noscript
    assert '<a href="../archive/">the archive by date</a>' in noscript
    assert 'data-site-root="../" data-bundle="../pagefind/"' in html
    assert '<script type="module" src="../static/search.js"></script>' in html
    assert '<label for="search-query">Words to find</label>' in html
    for name in ("tag", "section", "author", "year"):
        assert f'data-filter="{name}"' in html
    assert (out / "pagefind/pagefind.js").is_file()
    assert (out / "static/search.js").is_file()


def test_every_page_links_to_search_and_no_other_page_has_a_script(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    pages = [p for p in out.rglob("*.html") if "pagefind" not in p.parts]
    assert len(pages) > 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if page.name == "404.html":
            assert '<a href="/search/">Search</a>' in html
        elif page != out / "search/index.html":
            assert re.search(r'<a href="(\.\./)*search/">Search</a>', html), page
            scripts = re.findall(r"<script[^>]*>", html)
            assert all('type="application/ld+json"' in s for s in scripts), page  # data, never code


def test_search_off_writes_no_index_no_search_page_no_script_and_no_link(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes(), "newsgen.yaml": "search: false\n"})
    assert not (out / "pagefind").exists()
    assert not (out / "search").exists()
    assert sorted(path.name for path in (out / "static").iterdir()) == ["favicon.svg", "style.css"]
    assert "search/" not in (out / "index.html").read_text(encoding="utf-8")


def test_search_switch_must_be_true_or_false(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsgen.yaml").write_text("title: x\nsearch: yes please\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)
    assert str(failure.value) == ("invalid configuration (1 error):\n"
                                  "  1. newsgen.yaml:2: 'search' must be true or false, not 'yes please'")


def test_a_failed_index_fails_the_build_and_keeps_the_previous_site(make_site, tmp_path, monkeypatch):
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (tmp_path / "site/content/more.md").write_text(TAGGED, encoding="utf-8")
    broken = tmp_path / "pagefind-broken"
    broken.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    with pytest.raises(BuildFailed) as failure:
        build(load_config(tmp_path / "site", {"workers": 1}))
    assert str(failure.value) == ("build failed with 1 error:\n"
                                  "  1. search: Pagefind failed with exit code 3: Error: disk full")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    leftovers = [p.name for p in (tmp_path / "site").iterdir() if p.name.startswith(".")]
    assert leftovers in ([], [".newsgen-cache"])  # no staging folder left behind


def test_a_rebuild_that_fails_while_rendering_stops_the_pagefind_run_it_started(make_site, tmp_path, monkeypatch):
    """A rebuild starts Pagefind on the changed shard before it renders the pages; when rendering
    fails, the run is stopped and its working folder removed, and the previous site stays."""
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    site = tmp_path / "site"
    (site / "content/more.md").write_text(TAGGED, encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text("{{ no_such_thing.title }}\n", encoding="utf-8")
    started = tmp_path / "pagefind-started"
    slow = tmp_path / "pagefind-slow"
    slow.write_text(f"#!/bin/sh\necho $$ > {started}\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    with pytest.raises(BuildFailed) as failure:
        build(load_config(site, {"workers": 1}))
    assert "templates/article.html:1: template error" in str(failure.value)
    pid = int(started.read_text())  # the run had started
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert not list((site / ".newsgen-cache/search").glob(".scratch-*"))
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def _bundle_files(out):
    return {p.relative_to(out): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}


def test_a_site_built_again_reuses_its_search_index_byte_for_byte(make_site, tmp_path):
    files = {"content/seed.txt": SEED.read_bytes(), "content/more.md": TAGGED}
    first = make_site(files, output_dir="first")
    again = build(load_config(tmp_path / "site", {"workers": 1, "output_dir": "again"}))
    assert (again.search_shards_indexed, again.search_shards_reused) == (0, 1)
    assert _bundle_files(again.output_dir) == _bundle_files(first)


def test_a_changed_article_is_indexed_again(make_site, tmp_path):
    out = make_site({"content/seed.txt": SEED.read_bytes(), "content/more.md": TAGGED})
    (tmp_path / "site/content/more.md").write_text(TAGGED.replace("Zebrafish", "Salmon"), encoding="utf-8")
    report = build(load_config(tmp_path / "site", {"workers": 1}))
    assert 0 < report.pages_written < report.pages_unchanged  # only the changed pages were written
    assert report.search_shards_indexed == 1
    urls = sorted(page["url"] for page in indexed_pages(out / "pagefind"))
    assert urls == [SEED_URL, "/2023/05/04/tariffs-rise-on-steel/"]  # the unchanged seed article is still indexed
    assert find_word(out / "pagefind", "salmon") == ["/2023/05/04/tariffs-rise-on-steel/"]
    assert find_word(out / "pagefind", "zebrafish") == []


def test_a_site_built_for_two_base_urls_shares_its_search_index(make_site, tmp_path):
    files = {"content/seed.txt": SEED.read_bytes(), "content/more.md": TAGGED}
    first = make_site(files, output_dir="first")
    sub = build(load_config(tmp_path / "site", {"workers": 1, "output_dir": "sub",
                                                "base_url": "https://example.org/news/"}))
    assert sub.search_shards_indexed == 0
    assert _bundle_files(sub.output_dir) == _bundle_files(first)
