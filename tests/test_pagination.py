"""Stable pagination: numbered from the oldest, so /page/N/ keeps its articles as new ones arrive."""

import re

from article_records import make_article
from conftest import write_files

from newsgen.build import build
from newsgen.config import load_config
from newsgen.model import Listing


def numbered_pages(listing: Listing, size: int) -> dict[str, tuple[str, ...]]:
    return {page.url: tuple(a.slug for a in page.articles)
            for page in listing.pages(size) if page.url != listing.url}


def test_adding_an_article_never_changes_a_numbered_page():
    articles = [make_article(f"a{n:02d}", n) for n in range(40)]
    for count in range(1, 40):
        before = Listing("tags/x/", "x", tuple(reversed(articles[:count])))
        after = Listing("tags/x/", "x", tuple(reversed(articles[:count + 1])))
        old, new = numbered_pages(before, 5), numbered_pages(after, 5)
        assert {url: new[url] for url in old} == old, count
        assert len(new) - len(old) in (0, 1)


def test_page_one_holds_the_oldest_articles_and_the_own_url_the_newest():
    articles = tuple(reversed([make_article(f"a{n:02d}", n) for n in range(12)]))  # newest first
    pages = Listing("tags/x/", "x", articles).pages(5)
    assert [(p.url, p.number, [a.slug for a in p.articles]) for p in pages] == [
        ("tags/x/page/1/", 1, ["a04", "a03", "a02", "a01", "a00"]),
        ("tags/x/", 2, ["a11", "a10", "a09", "a08", "a07", "a06", "a05"]),  # no article on two pages
    ]
    assert [(p.newer_url, p.older_url) for p in pages] == [("tags/x/", None), (None, "tags/x/page/1/")]


def article_file(n: int) -> str:
    return f"---\ntitle: Story {n:02d}\ndate: 2024-01-{n:02d}\ntags: [Trade]\n---\nText {n}.\n"


def titles(path) -> list[str]:
    return re.findall(r'class="teaser-title"><a href="[^"]*">([^<]*)</a>', path.read_text(encoding="utf-8"))


def test_rebuilding_with_a_new_article_keeps_every_built_page_n(tmp_path):
    site = write_files(tmp_path / "site", {f"content/{n:02d}.md": article_file(n) for n in range(1, 8)})
    config = load_config(site, {"workers": 1, "archive_page_size": 3, "page_size": 3})
    build(config)
    out = config.output_path
    listings = ["tags/trade", "", "2024/01"]  # a tag, the front page, a month
    before = {p.relative_to(out): titles(p) for url in listings for p in (out / url / "page").glob("*/index.html")}
    assert before[(out / "tags/trade/page/1/index.html").relative_to(out)] == ["Story 03", "Story 02", "Story 01"]
    assert len(before) == 3
    for n in (8, 9, 10):
        (site / f"content/{n:02d}.md").write_text(article_file(n), encoding="utf-8")
        build(config)
        after = {p.relative_to(out): titles(p) for url in listings for p in (out / url / "page").glob("*/index.html")}
        assert {path: after[path] for path in before} == before
    assert titles(out / "tags/trade/index.html") == ["Story 10", "Story 09", "Story 08", "Story 07"]
    assert titles(out / "tags/trade/page/2/index.html") == ["Story 06", "Story 05", "Story 04"]


def site_files(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_an_added_article_changes_only_the_pages_that_show_it(tmp_path):
    """One story added on the newest day: its page, its neighbours' (the newer link, the stories
    nearby in its section), the newest page of each listing it is in, the index pages with
    counts, feeds and sitemaps change; numbered pages and the rest of the articles do not."""
    in_world = "tags: [Trade]\nsection: World"
    files = {f"content/{n:02d}.md": article_file(n).replace("tags: [Trade]", in_world) for n in range(1, 20)}
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, "archive_page_size": 3, "page_size": 3, "search": False})
    build(config)
    out = config.output_path
    before = site_files(out)
    (site / "content/20.md").write_text(article_file(19).replace("Story 19", "Story 20").replace("Text 19", "Text 20")
                                        .replace("tags: [Trade]", in_world), encoding="utf-8")
    build(config)
    after = site_files(out)
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed == [
        "2024/01/17/story-17/index.html", "2024/01/18/story-18/index.html",  # stories nearby in the section
        "2024/01/19/index.html",
        "2024/01/19/story-19/index.html",  # the older neighbour
        "2024/01/19/story-20/index.html",  # the article
        "2024/01/index.html", "2024/index.html",
        "archive/index.html", "feed.xml", "index.html",
        "on-this-day/01-19/index.html", "on-this-day/index.html",
        "sections/index.html", "sections/world/feed.xml", "sections/world/index.html",
        "sitemap-2024.xml",
        "tags/index.html", "tags/trade/feed.xml", "tags/trade/index.html",
    ]
    assert "Story 20" in after["2024/01/19/story-19/index.html"].decode()
    assert "Story 20" in after["2024/01/17/story-17/index.html"].decode()


def test_a_deletion_that_takes_a_page_away_renders_only_the_pages_near_the_newest_again(tmp_path):
    """24 stories, three a page: pages 1 to 7 and the newest. Deleting the newest story leaves
    six numbered pages: page 6 links to the newest page instead of page 7, page 5 no longer to
    page 7; pages 1 to 4 show and link to what they did, and are not rendered again."""
    site = write_files(tmp_path / "site", {f"content/{n:02d}.md": article_file(n) for n in range(1, 25)})
    config = load_config(site, {"workers": 1, "page_size": 3, "archive_page_size": 100, "search": False})
    build(config)
    out = config.output_path
    before = {n: (out / f"page/{n}/index.html").read_bytes() for n in range(1, 8)}
    (site / "content/24.md").unlink()
    report = build(config)
    assert not (out / "page/7/index.html").exists()
    assert [n for n in range(1, 7) if (out / f"page/{n}/index.html").read_bytes() != before[n]] == [5, 6]
    rendered = {cost.kind: cost.pages for cost in report.page_costs}
    # the front page's newest page and pages 5 and 6; the tag's, the month's and the year's page;
    # the newest remaining day's and its on-this-day page (their "next" links); the indexes of
    # tags, of the archive and of on this day (their counts). Pages 1 to 4 are not among them.
    assert rendered["listing pages"] == 11
