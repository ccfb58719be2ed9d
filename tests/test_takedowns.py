"""Takedowns: `takedown:` replaces an article's page with a notice at the same URL, and the story
vanishes from every place that lists, indexes or points to it."""

from __future__ import annotations

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed
from site_checks import tree_digest

GONE = """\
---
title: Mayor accused over harbour contracts
date: 2025-12-31T09:00:00Z
tags: [harbour, council]
section: Local
author: Ana Ruiz
summary: A summary that must not show.
image: images/mayor.jpg
slug: {slug}
takedown: {{date: 2026-11-30, reason: "Removed after a court order"}}
---
Body text that must not show.
"""
KEPT = """\
---
title: Harbour dredging begins
date: 2024-12-31T09:00:00Z
tags: [harbour, council]
section: Local
author: Ana Ruiz
---
The dredgers arrived.
"""
SAME_DAY = """\
---
title: Ferry timetable changes
date: 2025-12-31T12:00:00Z
tags: [ferries]
---
New times from Monday.
"""
GONE_URL = "2025/12/31/mayor-contracts/"
HEADLINE = "Mayor accused over harbour contracts"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("takedown") / "site",
                       {"content/gone.md": GONE.format(slug="mayor-contracts"), "content/kept.md": KEPT,
                        "content/same-day.md": SAME_DAY})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        config = load_config(root, {"workers": 1, "search": False, "feed_rss": True})
        build(config)
    return config.output_path


def test_notice_replaces_the_article_page_at_its_url(site):
    page = (site / GONE_URL / "index.html").read_text()
    assert f"<h1>{HEADLINE}</h1>" in page
    assert '<p class="meta">Published <time datetime="2025-12-31T09:00:00+00:00">31 December 2025, 09:00 UTC</time></p>' in page
    assert ('<p class="notice">This article was taken down on <time datetime="2026-11-30">30 November 2026</time>: '
            "Removed after a court order</p>") in page
    assert '<meta name="robots" content="noindex">' in page
    for hidden in ("Body text that must not show", "A summary that must not show", "mayor.jpg"):
        assert hidden not in page


@pytest.mark.parametrize("place", [
    "index.html", "feed.xml", "rss.xml", "tags/harbour/index.html", "tags/harbour/feed.xml", "tags/index.html",
    "sections/local/index.html", "sections/local/feed.xml", "authors/ana-ruiz/index.html", "authors/ana-ruiz/feed.xml",
    "2025/index.html", "2025/12/index.html", "2025/12/31/index.html", "archive/index.html", "news-sitemap.xml",
    "on-this-day/12-31/index.html", "on-this-day/index.html", "2024/12/31/harbour-dredging-begins/index.html",
])
def test_taken_down_story_vanishes_from(site, place):
    text = (site / place).read_text()
    assert HEADLINE not in text and "mayor-contracts" not in text


def test_taken_down_story_is_in_no_sitemap(site):
    sitemaps = list(site.glob("sitemap*.xml"))
    assert len(sitemaps) == 4  # the index, 2025, 2024 and the pages
    for sitemap in sitemaps:
        assert "mayor-contracts" not in sitemap.read_text()


def test_taken_down_story_counts_in_no_listing(site):
    assert '<a href="harbour/">Harbour</a> <span class="count">1</span>' in (site / "tags" / "index.html").read_text()
    assert '<a href="ferries/">Ferries</a> <span class="count">1</span>' in (site / "tags" / "index.html").read_text()


def test_taken_down_story_is_never_the_target_of_an_automatic_redirect(tmp_path):
    root = write_files(tmp_path / "site", {"content/gone.md": GONE.format(slug="mayor-contracts").replace(
        'takedown: {date: 2026-11-30, reason: "Removed after a court order"}\n', "")})
    config = load_config(root, {"workers": 1, "search": False})
    build(config, record_urls=True)
    write_files(root, {"content/gone.md": GONE.format(slug="mayor-renamed")})
    report = build(config, record_urls=True)
    out = config.output_path
    assert (out / "2025" / "12" / "31" / "mayor-renamed" / "index.html").is_file()
    assert not (out / GONE_URL).exists() and not (out / "_redirects").exists()
    assert not any("URL changed" in line for line in report.notices)


def test_takedown_without_a_reason_is_an_error_naming_file_and_line(tmp_path):
    root = write_files(tmp_path / "site", {"content/gone.md": GONE.format(slug="x").replace(
        ', reason: "Removed after a court order"', "")})
    with pytest.raises(BuildFailed) as caught:
        build(load_config(root, {"workers": 1, "search": False}))
    assert str(caught.value) == ("build failed with 1 error:\n  1. content/gone.md:10: 'takedown' must be a mapping "
                                 "with 'date' and 'reason', like {date: 2026-11-30, reason: Removed after a court order}")


def test_incremental_build_after_a_takedown_equals_a_clean_build(tmp_path):
    live = GONE.format(slug="mayor-contracts").replace(
        'takedown: {date: 2026-11-30, reason: "Removed after a court order"}\n', "")
    root = write_files(tmp_path / "site", {"content/gone.md": live, "content/kept.md": KEPT, "content/same-day.md": SAME_DAY})
    config = load_config(root, {"workers": 1, "search": False})
    build(config)
    write_files(root, {"content/gone.md": GONE.format(slug="mayor-contracts")})
    build(config)
    incremental = tree_digest(config.output_path)
    build(config, clean=True)
    assert tree_digest(config.output_path) == incremental
    assert HEADLINE not in (config.output_path / "index.html").read_text()
