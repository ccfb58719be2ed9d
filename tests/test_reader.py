"""What a reader sees on listings, articles and archives: where a page is, each story told once,
share links without scripts, a print that keeps the story and its URL, nothing tied to the build day."""

from __future__ import annotations

import re

import pytest

from conftest import build_files
from newsgen.config import load_config
from newsgen.errors import ConfigError


def story(n: int, **fields: str) -> str:
    head = {"title": f"Story {n:02d}", "date": f"2024-01-{n:02d}T09:30:00+01:00", "tags": "[Public Health]",
            "section": "Local", **fields}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in head.items()) + f"---\nBody text of story {n}.\n"


def read(out, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def main_of(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture(scope="module")
def twelve(tmp_path_factory):
    """12 stories in one tag and section, two per page: the newest page and pages 1 to 5."""
    files = {f"content/{n:02d}.md": story(n) for n in range(1, 13)}
    out, _ = build_files(tmp_path_factory.mktemp("twelve"), files, page_size=2, archive_page_size=2)
    return out


def page_links(page: str) -> list[str]:
    nav = re.search(r'<ol class="page-links">(.*?)</ol>', page, re.S).group(1)
    return re.findall(r"<li>(?:<a href=\"[^\"]*\">|<span aria-current=\"page\">)([^<]+)</", nav)


def test_a_numbered_page_links_the_pages_around_it_with_the_newest_and_oldest(twelve):
    page = read(twelve, "page/3/")
    assert page_links(page) == ["Newest", "5", "4", "3", "2", "1"]
    assert '<span aria-current="page">3</span>' in page
    assert '<a class="step" rel="prev" href="../4/">← Newer</a>' in page
    assert '<a class="step" rel="next" href="../2/">Older →</a>' in page
    assert page_links(read(twelve, "page/5/")) == ["Newest", "5", "4", "3", "Oldest"]
    assert page_links(read(twelve, "")) == ["Newest", "5", "4", "Oldest"]
    assert '<a href="page/1/">Oldest</a>' in read(twelve, "")


def test_no_listing_page_says_how_many_pages_there_are(twelve):
    for url in ("", "page/1/", "page/3/", "tags/public-health/page/2/"):
        page = main_of(read(twelve, url))
        assert " of 6" not in page and "Page " not in page


def test_every_page_of_a_listing_has_the_same_rail_without_counts(twelve):
    def rail(url: str) -> str:
        return re.search(r'<aside class="rail" aria-label="Browse the archive">.*?</aside>', read(twelve, url), re.S).group(0)
    for listing in ("", "tags/public-health/", "sections/local/"):
        first, numbered = rail(listing), rail(listing + "page/2/")
        same_links = re.compile(r'href="(\.\./)*(\./)?')  # relative to each page
        assert same_links.sub('href="', first) == same_links.sub('href="', numbered)
        assert 'class="count"' not in first + numbered
        assert ">Local</a>" in numbered and ">2024</a>" in numbered


def test_listing_pages_show_a_visible_feed_link(twelve):
    assert '<a href="feed.xml" type="application/atom+xml">Feed</a>' in main_of(read(twelve, ""))
    assert '<a href="feed.xml" type="application/atom+xml">Feed</a>' in main_of(read(twelve, "tags/public-health/"))
    assert '<a href="../../feed.xml" type="application/atom+xml">Feed</a>' in main_of(read(twelve, "sections/local/page/2/"))
    assert (twelve / "sections/local/feed.xml").is_file()


def test_tags_show_their_display_spelling_on_their_page_and_in_articles(twelve):
    tag_page = read(twelve, "tags/public-health/")
    assert '<h1 class="page-title">Public Health</h1>' in tag_page
    assert "<title>Public Health · " in tag_page
    assert 'rel="tag">Public Health</a>' in read(twelve, "2024/01/05/story-05/")
    assert "public-health<" not in tag_page


def test_month_archive_groups_stories_by_day_with_neighbours_at_the_top(tmp_path):
    files = {"content/a.md": story(3), "content/b.md": story(3, title="Story 03b", date="2024-01-03T15:00:00+01:00"),
             "content/c.md": story(7), "content/d.md": story(2, date="2023-12-02"), "content/e.md": story(4, date="2024-02-04")}
    out, _ = build_files(tmp_path, files, archive_page_size=10)
    page = main_of(read(out, "2024/01/"))
    headings = re.findall(r'<h2 id="[^"]+" class="group-heading"><a href="([^"]+)">([^<]+)</a></h2>', page)
    assert headings == [("07/", "7 January 2024"), ("03/", "3 January 2024")]
    day_3 = page.split("3 January 2024</a></h2>", 1)[1]
    assert re.findall(r'class="teaser-title"><a href="[^"]+">([^<]+)<', day_3) == ["Story 03b", "Story 03"]
    top = page.index('class="period-nav period-nav-top"')
    assert top < page.index('class="group-heading"')
    assert page.count('href="../../2023/12/">← December 2023</a>') == 2  # at the top and at the foot
    assert page.count("February 2024 →</a>") == 2
    assert page.count(">3 articles<") == 1


def test_on_this_day_groups_stories_by_year_with_year_headings(tmp_path):
    files = {"content/a.md": story(5, date="2024-01-05"), "content/b.md": story(6, date="2021-01-05"),
             "content/c.md": story(7, date="2021-01-05T18:00:00Z")}
    out, _ = build_files(tmp_path, files)
    page = main_of(read(out, "on-this-day/01-05/"))
    assert re.findall(r'class="group-heading"><a href="([^"]+)">([^<]+)</a>', page) == [
        ("../../2024/", "2024"), ("../../2021/", "2021")]
    assert not re.search(r"\b(ago|today|yesterday)\b", page, re.I)


def test_article_shows_its_standfirst_and_updated_time_like_its_published_time(tmp_path):
    files = {"content/a.md": story(5, summary="A short standfirst.", updated="2024-01-06T14:05:00+01:00")}
    out, _ = build_files(tmp_path, files, timezone="Europe/Paris")
    page = read(out, "2024/01/05/story-05/")
    assert '<p class="standfirst">A short standfirst.</p>' in page
    assert '<time datetime="2024-01-05T09:30:00+01:00">5 January 2024, 09:30 CET</time>' in page
    assert 'Updated <time datetime="2024-01-06T14:05:00+01:00">6 January 2024, 14:05 CET</time>' in page
    assert "hidden" not in page.split('class="standfirst"')[0].rsplit("<", 3)[-1]


def test_article_lists_each_further_story_once_in_one_block(tmp_path):
    files = {f"content/{n:02d}.md": story(n) for n in range(1, 8)}
    out, _ = build_files(tmp_path, files, related_count=3)
    page = read(out, "2024/01/04/story-04/")
    assert page.count("<aside") == 1 and "More in Local</h2>" not in page and "Related stories" not in page
    block = re.search(r'<aside class="rail related".*?</aside>', page, re.S).group(0)
    titles = re.findall(r'<a href="[^"]+">(Story \d\d)</a>', block)
    assert len(titles) == len(set(titles)) >= 5 and "Story 04" not in titles
    assert '<a href="../../../../sections/local/">More in Local</a>' in block


def test_share_links_are_plain_links_configured_by_share(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": story(5, title="Rates & prices")}, share=["email", "bluesky"],
                         base_url="https://example.org/")
    page = read(out, "2024/01/05/rates-prices/")
    share = re.search(r'<p class="share">.*?</p>', page).group(0)
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', share) == [
        ("mailto:?subject=Rates%20%26%20prices&amp;body=https%3A%2F%2Fexample.org%2F2024%2F01%2F05%2Frates-prices%2F", "Email"),
        ("https://bsky.app/intent/compose?text=Rates%20%26%20prices%20https%3A%2F%2Fexample.org%2F2024%2F01%2F05%2Frates-prices%2F", "Bluesky"),
    ]
    assert "<script" not in page.split("</head>", 1)[1]
    none, _ = build_files(tmp_path / "none", {"content/a.md": story(5)}, share=[])
    assert 'class="share"' not in read(none, "2024/01/05/story-05/")


def test_share_names_an_unknown_network(tmp_path):
    (tmp_path / "newsgen.yaml").write_text("share: [email, mastodn]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="newsgen.yaml:1: 'share' does not know 'mastodn'"):
        load_config(tmp_path)


def test_print_keeps_the_story_and_its_url_and_drops_navigation(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": story(5)})
    page = read(out, "2024/01/05/story-05/")
    assert '<p class="print-url">' in page
    url_line = re.search(r'<p class="print-url"[^>]*>([^<]+)</p>', page).group(1)
    assert url_line.endswith("/2024/01/05/story-05/")
    css = (out / "static/style.css").read_text(encoding="utf-8")
    print_css = css.split("@media print {", 1)[1]
    hidden = print_css.split("{", 1)[0]
    for selector in (".masthead nav", ".rail", ".related", ".story-footer", ".story-nav", ".on-this-day-link",
                     ".search-form", ".site-footer"):
        assert selector in hidden
    assert ".print-url { display: block" in print_css
    assert "a[href]::after" not in css


def test_a_tag_shows_its_capitalised_spelling_on_every_page_and_feed(tmp_path):
    files = {"content/a.md": story(1, tags="[weather, trade]"), "content/b.md": story(2, tags="[weather]"),
             "content/c.md": story(3, tags="[Weather]")}
    out, _ = build_files(tmp_path, files)
    for slug, name in (("weather", "Weather"), ("trade", "Trade")):
        tag_page = read(out, f"tags/{slug}/")
        assert f'<h1 class="page-title">{name}</h1>' in tag_page and f"<title>{name} · " in tag_page
        assert f'<a href="{slug}/">{name}</a>' in read(out, "tags/")
        assert f'rel="tag">{name}</a>' in read(out, "2024/01/01/story-01/")
        assert f'label="{name}"' in (out / "feed.xml").read_text(encoding="utf-8")
