"""Redirects from old URLs: `aliases:` in front matter publish a redirect page at each old path
and a `_redirects` file; an alias that is already something else is an error naming both."""

from __future__ import annotations

import pytest

from conftest import build_files
from newsgen.errors import BuildFailed
from site_checks import tree_digest

MOVED = """\
---
title: Port reopens after the storm
date: 2025-06-01
aliases: [/2019/old-slug/, old/path.html]
---
The port reopened on Sunday.
"""
NEW_URL = "2025/06/01/port-reopens-after-the-storm/"


def build_error(tmp_path, files, **overrides) -> str:
    with pytest.raises(BuildFailed) as caught:
        build_files(tmp_path, files, **overrides)
    return str(caught.value)


def test_alias_publishes_a_redirect_page_at_each_old_path(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED}, base_url="https://example.org/news/")
    folder_page = (out / "2019" / "old-slug" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../2025/06/01/port-reopens-after-the-storm/">' in folder_page
    assert f'<link rel="canonical" href="https://example.org/news/{NEW_URL}">' in folder_page
    assert '<meta name="robots" content="noindex">' in folder_page
    assert f'<a href="../../{NEW_URL}">https://example.org/news/{NEW_URL}</a>' in folder_page
    file_page = (out / "old" / "path.html").read_text()
    assert f'<meta http-equiv="refresh" content="0; url=../{NEW_URL}">' in file_page


def test_redirects_file_lists_every_alias_under_the_base_path(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED, "pages/about.md": "---\ntitle: About\naliases: /who/\n---\nUs.\n"},
                        base_url="https://example.org/news/")
    assert (out / "_redirects").read_text() == (
        f"/news/2019/old-slug/ /news/{NEW_URL} 301\n"
        f"/news/old/path.html /news/{NEW_URL} 301\n"
        "/news/who/ /news/about/ 301\n")


def test_redirect_pages_are_not_in_the_sitemap(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED})
    sitemaps = "".join(path.read_text() for path in out.glob("sitemap*.xml"))
    assert NEW_URL in sitemaps
    assert "old-slug" not in sitemaps and "old/path.html" not in sitemaps


def test_site_without_aliases_has_no_redirects_file(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED.replace("aliases: [/2019/old-slug/, old/path.html]\n", "")})
    assert not (out / "_redirects").exists()


def test_alias_on_an_article_url_is_an_error_naming_both(tmp_path):
    message = build_error(tmp_path, {
        "content/a.md": MOVED,
        "content/b.md": "---\ntitle: Other\ndate: 2025-05-01\naliases: [/2025/06/01/port-reopens-after-the-storm/]\n---\nx\n"})
    assert message == ("build failed with 1 error:\n  1. content/b.md: alias /2025/06/01/port-reopens-after-the-storm/ "
                       "is already content/a.md; remove it from 'aliases'")


def test_alias_on_a_listing_page_or_a_page_or_a_static_file_is_an_error_naming_it(tmp_path):
    message = build_error(tmp_path, {
        "content/a.md": MOVED.replace("[/2019/old-slug/, old/path.html]", "[/archive/, /about/, robots.txt]"),
        "pages/about.md": "---\ntitle: About\n---\nUs.\n",
        "static/robots.txt": "User-agent: *\n"})
    assert message == (
        "build failed with 3 errors:\n"
        "  1. content/a.md: alias /archive/ is already the archive index page; remove it from 'aliases'\n"
        "  2. content/a.md: alias /about/ is already pages/about.md; remove it from 'aliases'\n"
        "  3. content/a.md: alias /robots.txt is already the file static/robots.txt; remove it from 'aliases'")


def test_one_alias_in_two_files_is_an_error_naming_both(tmp_path):
    message = build_error(tmp_path, {
        "content/a.md": MOVED,
        "content/b.md": "---\ntitle: Other\ndate: 2025-05-01\naliases: [2019/old-slug/]\n---\nx\n"})
    assert message == ("build failed with 1 error:\n  1. content/b.md: alias /2019/old-slug/ is also an alias in "
                       "content/a.md; keep it in one file")


def test_alias_outside_the_site_is_an_error_naming_file_and_line(tmp_path):
    message = build_error(tmp_path, {"content/a.md": MOVED.replace("/2019/old-slug/", "../../etc/passwd")})
    assert message == ("build failed with 1 error:\n  1. content/a.md:4: 'aliases' has '../../etc/passwd', which is "
                       "no path of this site; give paths like /2019/old-slug/ or old/page.html")


def test_incremental_build_after_changing_an_alias_equals_a_clean_build(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED})
    out, _ = build_files(tmp_path, {"content/a.md": MOVED.replace("old/path.html", "older/")})
    assert not (out / "old" / "path.html").exists() and (out / "older" / "index.html").is_file()
    incremental = tree_digest(out)
    build_files(tmp_path, {}, clean=True)
    assert tree_digest(out) == incremental


def test_site_redirects_file_keeps_its_rules_before_the_aliases(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED, "static/_redirects": "/shop https://shop.example.org/ 302"})
    assert (out / "_redirects").read_text() == (
        "/shop https://shop.example.org/ 302\n"
        f"/2019/old-slug/ /{NEW_URL} 301\n"
        f"/old/path.html /{NEW_URL} 301\n")


def test_site_redirects_file_is_copied_as_it_is_without_aliases(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": MOVED.replace("aliases: [/2019/old-slug/, old/path.html]\n", ""),
                                   "static/_redirects": "/shop https://shop.example.org/ 302"})
    assert (out / "_redirects").read_text() == "/shop https://shop.example.org/ 302"
