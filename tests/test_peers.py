"""Other generators' content folders build as they are: real ones from ../shared/corpora/peers (read
in place; those tests are skipped without it) and small ones written inline."""

import re
from pathlib import Path

import pytest

from conftest import SHARED, write_files
from newsgen.build import build
from newsgen.config import load_config, reference_time
from newsgen.errors import BuildFailed
from newsgen.content.load import load_articles

PEERS = SHARED / "corpora" / "peers"
needs_peers = pytest.mark.skipif(not PEERS.is_dir(), reason="needs ../shared/corpora/peers")

HUGO_ARTICLES = {
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-1.md",
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-2.md",
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-3.md",
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-4.md",
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-5.md",
    "gohugo-theme-ananke/exampleSite/content/en/post/chapter-6.md",
    "gohugo-theme-ananke/exampleSite/content/fr/post/chapter-1.md",
    "hugoBasicExample/content/post/emoji-support.md",
    "hugoBasicExample/content/post/markdown-syntax.md",
    "hugoBasicExample/content/post/math-typesetting.md",
    "hugoBasicExample/content/post/placeholder-text.md",
    "hugoBasicExample/content/post/rich-content.md",
}


def peer_site(tmp_path: Path, name: str, config: str = "") -> Path:
    site = write_files(tmp_path / name, {"newsgen.yaml": (config or "title: Peers\n") + "follow_symlinks: true\n"})
    (site / "content").symlink_to(PEERS / name, target_is_directory=True)  # a link out of the site: followed
    return site


def jekyll_posts() -> set[str]:
    """Every Jekyll post, found the way Jekyll finds them: dated names under `_posts`, published."""
    posts = set()
    for path in (PEERS / "jekyll").rglob("*"):
        rel = path.relative_to(PEERS / "jekyll")
        folders = rel.parts[:-1]
        if not path.is_file() or "_posts" not in folders or any(f.startswith("_") and f != "_posts" for f in folders):
            continue
        if not re.match(r"^\d{4}-\d{1,2}-\d{1,2}-", path.name) or path.suffix.lower() in (".yml",):
            continue
        if re.search(r"^published:\s*false", path.read_text(encoding="utf-8", errors="replace"), re.M):
            continue
        posts.add(rel.as_posix())
    return posts


def pelican_articles() -> set[str]:
    """Pelican articles: Markdown or HTML outside pages/, with a date (header, meta tag or file name)."""
    found = set()
    for path in (PEERS / "pelican").rglob("*"):
        rel = path.relative_to(PEERS / "pelican")
        if not path.is_file() or path.suffix.lower() not in (".md", ".markdown", ".mkd", ".mdown", ".html") \
                or "pages" in rel.parts or rel.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        dated = re.search(r"^date:", text, re.M | re.I) or 'name="date"' in text or re.match(r"\d{4}-\d{2}-\d{2}", path.name)
        if dated and not re.search(r"^status:\s*(draft|skip)", text, re.M | re.I):
            found.add(rel.as_posix())
    return found


def built_sources(site: Path) -> dict[str, object]:
    config = load_config(site, {"workers": 1})
    prefix = str(site / "content") + "/"
    return {a.source[len(prefix):]: a for a in load_articles(config, reference_time()).articles}


def assert_every_article_has_its_page(site: Path, articles) -> None:
    for article in articles:
        page = site / "public" / article.url / "index.html"
        assert page.is_file(), article.source
        title = article.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
        assert f"<h1>{title}</h1>" in page.read_text(encoding="utf-8"), article.source


@needs_peers
def test_jekyll_folder_builds_with_no_errors_and_every_post_has_a_page(tmp_path):
    site = peer_site(tmp_path, "jekyll")
    report = build(load_config(site, {"workers": 1}))
    articles = built_sources(site)
    assert set(articles) == jekyll_posts()
    assert report.articles == len(articles) == 161
    assert_every_article_has_its_page(site, articles.values())
    assert report.skipped_drafts == 1  # published: false
    liquid = [w for w in report.warnings if "Liquid tag" in w]
    assert any(w.endswith("2014-09-02-relative-includes.markdown:12: 17 Liquid tags left as text: "
                          "{% include_relative include_relative/{{…, {{ page.include1 }}, "
                          "{% include_relative {{ page.include2 | …, {{ page.include2 | append: '.html' }} and 7 more")
               for w in liquid)
    release = (site / "public/2013/05/06/jekyll-1-0-0-released/index.html").read_text(encoding="utf-8")
    assert "<h1>Jekyll 1.0.0 Released</h1>" in release
    assert any(n.endswith("test/source/_broken/bad_post.md: skipped: Jekyll's '_broken' folder holds layouts, "
                          "data or collections, not posts") for n in report.notices)


@needs_peers
def test_jekyll_categories_and_tags_strings_are_split_on_spaces(tmp_path):
    site = peer_site(tmp_path, "jekyll")
    articles = built_sources(site)
    tagged = articles["test/source/_posts/2009-05-18-tags.markdown"]
    assert [t.name for t in tagged.tags] == ["food", "cooking", "pizza"]
    topical = articles["test/source/foo/_posts/bar/2008-12-12-topical-post.markdown"]
    assert topical.section is not None and topical.section.name == "foo"


@needs_peers
def test_hugo_folder_builds_its_posts_and_skips_its_pages_with_notices(tmp_path):
    site = peer_site(tmp_path, "hugo")
    report = build(load_config(site, {"workers": 1}))
    articles = built_sources(site)
    assert set(articles) == HUGO_ARTICLES and report.articles == 12
    assert_every_article_has_its_page(site, articles.values())
    syntax = articles["hugoBasicExample/content/post/markdown-syntax.md"]
    assert syntax.section.name == "themes" and {"markdown", "css", "html", "syntax"} <= {t.name for t in syntax.tags}
    emoji = (site / "public" / articles["hugoBasicExample/content/post/emoji-support.md"].url / "index.html").read_text()
    assert "<p>{{&lt; css.inline &gt;}}</p>" in emoji and "<p>{{&lt; /css.inline &gt;}}</p>" in emoji
    assert '<pre><code class="language-html">.emoji {' in emoji  # a highlight block is rendered as code
    assert any(w.endswith("emoji-support.md:32: 2 Hugo shortcodes left as text: {{< css.inline >}}, "
                          "{{< /css.inline >}}") for w in report.warnings)
    assert articles["hugoBasicExample/content/post/emoji-support.md"].summary == \
        "Emoji can be enabled in a Hugo project in a number of ways."
    notices = "\n".join(report.notices)
    assert "hugoBasicExample/content/post/_index.md: skipped: a Hugo section list page (_index), not an article" in notices
    assert "hugoBasicExample/content/homepage/index.md: skipped: a headless Hugo bundle, not an article" in notices
    assert "hugoBasicExample/content/about.md: skipped: a Hugo page at the top of the site, not in a section" in notices


@needs_peers
def test_pelican_folder_builds_its_dated_articles_and_skips_rst_with_a_notice(tmp_path):
    site = peer_site(tmp_path, "pelican", "content_layout: pelican\n")
    report = build(load_config(site, {"workers": 1}))
    articles = built_sources(site)
    assert set(articles) == pelican_articles() and report.articles == 15
    assert_every_article_has_its_page(site, articles.values())
    assert report.skipped_drafts == 1
    dupes = articles["pelican/tests/content/article_with_duplicate_tags_authors.md"]
    assert [a.name for a in dupes.authors] == ["Author, First", "Author, Second"]
    assert [t.name for t in dupes.tags] == ["foo", "bar", "foobar"]
    multi = articles["pelican/tests/content/article_with_markdown_and_summary_metadata_multi.md"]
    assert multi.summary == "A multi-line summary should be supported as well as **inline markup**."
    html = articles["pelican/tests/content/article_with_metadata.html"]
    assert html.section.name == "yeah" and [a.name for a in html.authors] == ["Alexis Métaireau"]
    assert any(w.endswith("samples/content/super_article.rst: skipped: reStructuredText is not supported; "
                          "convert it to Markdown") for w in report.warnings)
    assert any("URL /2010/12/02/this-is-a-super-article/ is also claimed by" in w for w in report.warnings)


def test_an_undated_file_in_a_newsgen_site_is_still_an_error(tmp_path):
    site = write_files(tmp_path / "site", {"content/pages/about.md": "---\ntitle: About\n---\nUs.\n"})
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site, {"workers": 1}))
    assert str(failed.value) == ("build failed with 1 error:\n  1. content/pages/about.md:1: no date: add "
                                 "'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md")


HUGO_TREE = {
    "newsgen.yaml": "title: Harbour\n",
    "content/_index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/about.md": "---\ntitle: About us\ndate: 2024-01-01\n---\nThe desk.\n",
    "content/homepage/index.md": "---\nheadless: true\ntitle: Hero\ndate: 2024-01-01\n---\nHero text.\n",
    "content/post/_index.md": "---\ntitle: Posts\n---\n",
    "content/post/harbour.md": ('+++\ntitle = "Harbour reopens"\ndate = 2024-03-04T09:30:00Z\n'
                                'tags = ["ports", "weather"]\ncategories = ["local"]\n+++\n'
                                "The harbour reopened.\n<!--more-->\nShips queued overnight.\n"),
    "content/post/contact.md": "---\ntitle: Contact\ntype: page\ndate: 2024-01-02\n---\nMail us.\n",
    "content/post/storm/index.md": '---\ntitle: Storm passes\ndate: 2024-03-05\n---\nRain {{< figure src="x.jpg" >}} stopped.\n',
    "content/post/storm/caption.md": "---\ntitle: Caption\ndate: 2024-03-05\n---\nA caption.\n",
    "content/post/undated.md": "---\ntitle: Undated\n---\nNo date.\n",
}


def test_hugo_tree_builds_its_dated_section_posts_and_skips_each_kind_of_page_with_a_notice(tmp_path, monkeypatch):
    site = write_files(tmp_path / "site", HUGO_TREE)
    monkeypatch.chdir(site)  # messages show paths relative to the working folder
    report = build(load_config(site, {"workers": 1}))
    articles = {a.source: a for a in load_articles(load_config(site, {"workers": 1}), reference_time()).articles}
    assert sorted(articles) == ["content/post/harbour.md", "content/post/storm/index.md"] and report.articles == 2
    assert_every_article_has_its_page(site, articles.values())
    harbour = articles["content/post/harbour.md"]
    assert (harbour.url, [t.name for t in harbour.tags], harbour.section.name, harbour.summary) == \
        ("2024/03/04/harbour-reopens/", ["ports", "weather"], "local", "The harbour reopened.")
    assert report.notices == (
        "content/_index.md: skipped: a Hugo section list page (_index), not an article",
        "content/about.md: skipped: a Hugo page at the top of the site, not in a section",
        "content/homepage/index.md: skipped: a headless Hugo bundle, not an article",
        "content/post/_index.md: skipped: a Hugo section list page (_index), not an article",
        "content/post/contact.md: skipped: a Hugo page of type 'page', not an article",
        "content/post/undated.md: skipped: a Hugo page without a date, not an article",
        "content/post/storm/caption.md: skipped: a resource of a Hugo page bundle, not an article",
    )
    assert report.warnings == ('content/post/storm/index.md:5: 1 Hugo shortcode left as text: {{< figure src="x.jpg" >}}',)
