"""The site's pages (`pages/*.md`): published at their own URL, in the navigation and the
sitemap, never among the news (feeds, listings, search, related stories)."""

from __future__ import annotations

import re

import pytest

from conftest import build_files, write_files
from newsgen.errors import BuildFailed
from site_checks import tree_digest

ARTICLE = """\
---
title: Port reopens after the storm
date: 2025-06-01
tags: [ports]
section: Local
---
The port reopened on Sunday.
"""
ABOUT = """\
---
title: About us
menu: 2
summary: Who writes this archive.
---
We are a small newsroom.
"""
CONTACT = """\
---
title: Contact
menu: 1
slug: write-to-us
---
Write to us.
"""
IMPRINT = """\
---
title: Imprint
---
Not in the menu.
"""


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]*"(?: aria-current="page")?>([^<]*)</a>', nav)


def test_page_is_published_at_its_url_and_listed_in_the_navigation_in_menu_order(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": ARTICLE, "pages/about.md": ABOUT, "pages/contact.md": CONTACT,
                                   "pages/imprint.md": IMPRINT})
    about = (out / "about" / "index.html").read_text()
    assert "<h1 class=\"page-title\">About us</h1>" in about
    assert "<p>We are a small newsroom.</p>" in about
    assert '<meta name="description" content="Who writes this archive.">' in about
    assert (out / "write-to-us" / "index.html").is_file()
    assert (out / "imprint" / "index.html").is_file()
    assert nav_links(about)[-2:] == ["Contact", "About us"]
    assert '<a href="./" aria-current="page">About us</a>' in about
    front = (out / "index.html").read_text()
    assert nav_links(front)[-2:] == ["Contact", "About us"]
    assert '<a href="write-to-us/">Contact</a>' in front and '<a href="about/">About us</a>' in front
    assert "Imprint" not in front


def main_part(path) -> str:
    return path.read_text().split('<main id="main"', 1)[1]


def test_page_is_in_the_sitemap_and_in_no_feed_listing_or_other_page(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": ARTICLE, "pages/about.md": ABOUT})
    assert "<loc>http://localhost:8000/about/</loc>" in (out / "sitemap-pages.xml").read_text()
    for feed in out.rglob("feed.xml"):
        assert "About us" not in feed.read_text() and "about/" not in feed.read_text(), feed
    others = [p for p in out.rglob("*.html") if p.parent != out / "about"]
    assert len(others) > 10
    for path in others:
        assert "About us" not in main_part(path) and "small newsroom" not in main_part(path), path


def test_page_on_an_article_url_is_an_error_naming_both(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        build_files(tmp_path, {"content/about.md": ARTICLE.replace("title: Port", "slug: about\ntitle: Port"),
                              "pages/about.md": ABOUT}, permalink="{slug}/")
    assert str(caught.value) == ("build failed with 1 error:\n  1. content/about.md:2: URL /about/ is also claimed by "
                                 "pages/about.md; give one of them a different 'slug' or 'date'")


def test_page_on_a_listing_url_is_an_error_naming_it(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        build_files(tmp_path, {"content/a.md": ARTICLE, "pages/tags.md": IMPRINT})
    assert str(caught.value) == ("build failed with 1 error:\n  1. pages/tags.md: URL /tags/ is already the tag "
                                 "index page; give the page a different 'slug'")


def test_page_menu_that_is_not_a_number_is_an_error_naming_file_and_line(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        build_files(tmp_path, {"pages/about.md": "---\nmenu: first\ntitle: About\n---\nx\n"})
    assert str(caught.value) == ("build failed with 1 error:\n  1. pages/about.md:2: 'menu' must be a whole number "
                                 "(the page's place in the navigation), not 'first'")


def test_incremental_build_after_editing_and_adding_pages_equals_a_clean_build(tmp_path):
    files = {"content/a.md": ARTICLE, "pages/about.md": ABOUT}
    out, _ = build_files(tmp_path, files)
    site = tmp_path / "site"
    (site / "pages" / "about.md").write_text(ABOUT.replace("small newsroom", "tiny newsroom"))
    build_files(tmp_path, {})
    assert "tiny newsroom" in (out / "about" / "index.html").read_text()
    incremental = tree_digest(out)
    build_files(tmp_path, {}, clean=True)
    assert tree_digest(out) == incremental
    write_files(site, {"pages/contact.md": CONTACT})
    build_files(tmp_path, {})
    assert nav_links((out / "2025" / "06" / "01" / "port-reopens-after-the-storm" / "index.html").read_text())[-2:] == [
        "Contact", "About us"]
    incremental = tree_digest(out)
    build_files(tmp_path, {}, clean=True)
    assert tree_digest(out) == incremental
