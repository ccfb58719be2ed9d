"""Sitemaps, the Google News sitemap and robots.txt: what a search engine reads."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import write_files
from test_feeds import article, numbered_articles

from newsgen.render import sitemaps
from newsgen.config import load_config, reference_time
from newsgen.index.site import index_site
from newsgen.content.load import load_articles
from newsgen.render.environment import make_environment
from newsgen.render.jobs import RenderContext

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "https://example.org/news/"


def locs(path: Path) -> dict[str, str | None]:
    """<loc> -> <lastmod> of a sitemap or sitemap index."""
    root = ET.parse(path).getroot()
    return {node.findtext(f"{SM}loc"): node.findtext(f"{SM}lastmod") for node in root}


def all_listed(out: Path) -> list[str]:
    listed = []
    for sitemap in locs(out / "sitemap.xml"):
        assert sitemap.startswith(BASE)
        listed += list(locs(out / sitemap[len(BASE):]))
    return listed


def html_files(out: Path) -> set[str]:
    found = set()
    for folder, _, names in os.walk(out):
        for name in names:
            path = Path(folder, name).relative_to(out).as_posix()
            if name.endswith(".html") and path != "404.html":
                found.add(path)
    return found


SITE = {
    "content/a.md": article("Old story", "2021-03-04T10:00:00+01:00", tags="Oil", section="World", authors="Ana",
                            extra="updated: 2022-01-05T08:00:00+01:00\n"),
    "content/b.md": article("Middle story", "2022-06-07T10:00:00+00:00", tags="Oil, Trade", authors="Ben"),
    "content/c.md": article("New story", "2022-09-01T10:00:00+00:00", section="World"),
    "static/about.html": "<!doctype html><title>About</title>",
}


def test_sitemap_index_points_at_one_sitemap_per_year_and_undated_pages(make_site):
    out = make_site(SITE, base_url=BASE)
    assert locs(out / "sitemap.xml") == {
        f"{BASE}sitemap-2022.xml": "2022-09-01T10:00:00+00:00",
        f"{BASE}sitemap-2021.xml": "2022-01-05T08:00:00+01:00",
        f"{BASE}sitemap-pages.xml": "2022-09-01T10:00:00+00:00",
    }


def test_every_html_page_is_listed_exactly_once_with_absolute_urls(make_site):
    out = make_site(SITE, base_url=BASE, archive_page_size=1)
    listed = all_listed(out)
    assert len(listed) == len(set(listed))
    assert all(url.startswith(BASE) for url in listed)
    as_files = {url[len(BASE):] + ("index.html" if url.endswith("/") else "") for url in listed}
    assert as_files == html_files(out)
    assert "tags/oil/page/1/index.html" in as_files and "about.html" in as_files


def test_lastmod_is_the_content_date(make_site):
    out = make_site(SITE, base_url=BASE)
    year_2021 = locs(out / "sitemap-2021.xml")
    assert year_2021[f"{BASE}2021/03/04/old-story/"] == "2022-01-05T08:00:00+01:00"
    assert year_2021[f"{BASE}2021/"] == "2022-01-05T08:00:00+01:00"
    year_2022 = locs(out / "sitemap-2022.xml")
    assert year_2022[f"{BASE}"] == "2022-09-01T10:00:00+00:00"
    # a listing goes in the year of its newest article, with the newest change among its articles
    assert year_2022[f"{BASE}tags/oil/"] == "2022-06-07T10:00:00+00:00"
    assert year_2022[f"{BASE}sections/world/"] == "2022-09-01T10:00:00+00:00"
    pages = locs(out / "sitemap-pages.xml")
    assert pages[f"{BASE}archive/"] == "2022-09-01T10:00:00+00:00"
    assert pages[f"{BASE}about.html"] is None


def test_a_year_over_the_url_limit_is_split_into_parts(tmp_path):
    write_files(tmp_path, numbered_articles(5))
    config = load_config(tmp_path, {"workers": 1})
    site = index_site(load_articles(config, reference_time(), None).articles, config)
    urls = [a.url for a in site.articles]
    pages = {p.path: p.content for p in sitemaps.render_sitemaps(site, RenderContext(config, reference_time(), make_environment(config)), urls, max_urls=2)}
    assert sorted(p for p in pages if p.startswith("sitemap-")) == ["sitemap-2024-1.xml", "sitemap-2024-2.xml", "sitemap-2024-3.xml"]
    parts = [list(locs_from(pages[f"sitemap-2024-{n}.xml"])) for n in (1, 2, 3)]
    assert [len(p) for p in parts] == [2, 2, 1]
    assert sum(parts, []) == [config.absolute_url(u) for u in urls]
    assert len(locs_from(pages["sitemap.xml"])) == 3


def test_a_year_over_the_byte_limit_is_split_into_parts(tmp_path):
    write_files(tmp_path, numbered_articles(4))
    config = load_config(tmp_path, {"workers": 1})
    site = index_site(load_articles(config, reference_time(), None).articles, config)
    urls = [a.url for a in site.articles]
    pages = list(sitemaps.render_sitemaps(site, RenderContext(config, reference_time(), make_environment(config)), urls, max_bytes=600))
    parts = [p for p in pages if p.path.startswith("sitemap-2024")]
    assert len(parts) > 1 and all(len(p.content) <= 600 for p in parts)
    assert sum((list(locs_from(p.content)) for p in parts), []) == [config.absolute_url(u) for u in urls]


def locs_from(content: bytes) -> dict[str, str | None]:
    root = ET.fromstring(content)
    return {node.findtext(f"{SM}loc"): node.findtext(f"{SM}lastmod") for node in root}


def test_news_sitemap_lists_articles_of_the_two_days_before_the_reference_time(make_site):
    # the tests' reference time is 2026-01-01T00:00:00Z
    out = make_site({
        "content/in1.md": article("Last evening", "2025-12-31T18:00:00-05:00"),
        "content/in2.md": article("Two days ago", "2025-12-30T00:00:01+00:00"),
        "content/out1.md": article("Just too old", "2025-12-30T00:00:00+00:00"),
        "content/out2.md": article("Last week", "2025-12-24T12:00:00+00:00"),
    }, base_url=BASE, language="pt-BR", publisher="Diário Exemplo")
    root = ET.parse(out / "news-sitemap.xml").getroot()
    entries = [(u.findtext(f"{SM}loc"), u.findtext(f"{NEWS}news/{NEWS}publication_date"),
                u.findtext(f"{NEWS}news/{NEWS}title")) for u in root]
    assert entries == [
        (f"{BASE}2025/12/31/last-evening/", "2025-12-31T18:00:00-05:00", "Last evening"),
        (f"{BASE}2025/12/30/two-days-ago/", "2025-12-30T00:00:01+00:00", "Two days ago"),
    ]
    publication = root.find(f"{SM}url/{NEWS}news/{NEWS}publication")
    assert publication.findtext(f"{NEWS}name") == "Diário Exemplo"
    assert publication.findtext(f"{NEWS}language") == "pt"
    assert f"Sitemap: {BASE}news-sitemap.xml" in (out / "robots.txt").read_text()


def test_news_sitemap_holds_at_most_the_limit_newest_first(make_site, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 2)
    recent = {f"content/r{n}.md": article(f"Recent {n}", f"2025-12-31T0{n}:00:00+00:00") for n in range(3)}
    root = ET.parse(make_site(recent) / "news-sitemap.xml").getroot()
    assert [u.findtext(f"{NEWS}news/{NEWS}title") for u in root] == ["Recent 2", "Recent 1"]


def test_news_sitemap_is_absent_when_nothing_is_recent(make_site):
    out = make_site(numbered_articles(2))
    assert not (out / "news-sitemap.xml").exists()
    assert "news-sitemap" not in (out / "robots.txt").read_text()


def test_robots_txt_names_the_sitemap_index_unless_the_site_has_its_own(make_site):
    out = make_site(SITE, base_url=BASE)
    assert (out / "robots.txt").read_text() == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
    out = make_site({**SITE, "static/robots.txt": "User-agent: *\nDisallow: /drafts/\n"})
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"


def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(make_site, tmp_path):
    files = {**SITE, **numbered_articles(6, tags="Oil", authors="Ana, Ben")}
    first = make_site(files, base_url=BASE, feed_rss=True, output_dir="first")
    second = make_site(files, base_url=BASE, feed_rss=True, output_dir="second")

    def snapshot(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    one, two = snapshot(first), snapshot(second)
    assert {"sitemap.xml", "sitemap-2021.xml", "feed.xml", "rss.xml", "robots.txt", "tags/oil/feed.xml"} <= set(one)
    assert list(one) == list(two)
    assert [name for name in one if one[name] != two[name]] == []
