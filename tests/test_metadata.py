"""Page metadata: title, description, canonical, social cards, feed links and JSON-LD."""

from __future__ import annotations

import json
import re

import pytest
from conftest import write_files
from test_feeds import article

from newsgen.config import load_config
from newsgen.errors import ConfigError

BASE = "https://example.org/news/"
CORRECTED = article(
    "Port reopens after </script> strike", "2024-03-01T09:30:00+01:00",
    tags="Shipping, Labour", section="Business", authors="Ana Díaz, Ben Ode",
    extra=("summary: Dockers return to work.\nimage: images/port.jpg\n"
           "corrections:\n  - date: 2024-03-02T16:00:00+01:00\n    text: The strike lasted nine days, not ten.\n"),
)
ARTICLE_PAGE = "2024/03/01/port-reopens-after-script-strike/index.html"
CONFIG = dict(base_url=BASE, publisher="Example Tribune", logo="images/logo.png",
              image="https://cdn.example.org/social.png", twitter="@tribune", language="en-GB")


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def meta(html: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)


@pytest.fixture
def corrected_page(make_site) -> str:
    out = make_site({"content/a.md": CORRECTED,
                     "content/b.md": article("Quiet day", "2024-02-01", body="Nothing happened.")}, **CONFIG)
    return (out / ARTICLE_PAGE).read_text(encoding="utf-8")


def test_news_article_json_ld_of_an_article_with_two_authors_and_a_correction(corrected_page):
    news, breadcrumbs = json_ld(corrected_page)
    url = BASE + "2024/03/01/port-reopens-after-script-strike/"
    assert news == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Port reopens after </script> strike",
        "description": "Dockers return to work.",
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": "2024-03-01T09:30:00+01:00",
        "dateModified": "2024-03-02T16:00:00+01:00",
        "author": [
            {"@type": "Person", "name": "Ana Díaz", "url": BASE + "authors/ana-diaz/"},
            {"@type": "Person", "name": "Ben Ode", "url": BASE + "authors/ben-ode/"},
        ],
        "publisher": {"@type": "Organization", "name": "Example Tribune", "url": BASE,
                      "logo": {"@type": "ImageObject", "url": BASE + "images/logo.png"}},
        "inLanguage": "en-GB",
        "wordCount": 2,
        "articleSection": "Business",
        "keywords": ["Shipping", "Labour"],
        "image": [BASE + "images/port.jpg"],
    }
    assert breadcrumbs["@type"] == "BreadcrumbList"
    assert [(i["position"], i["name"], i["item"]) for i in breadcrumbs["itemListElement"]] == [
        (1, "News Archive", BASE), (2, "Business", BASE + "sections/business/"),
        (3, "Port reopens after </script> strike", url)]


def test_a_headline_cannot_close_the_json_ld_script(corrected_page):
    head = corrected_page.split("</head>")[0]
    assert head.count("</script>") == 2
    assert "after \\u003c/script\\u003e strike" in head


def test_article_without_section_or_author_gets_year_breadcrumb_and_publisher_as_author(make_site):
    out = make_site({"content/b.md": article("Quiet day", "2024-02-01", body="Nothing happened.")}, **CONFIG)
    news, breadcrumbs = json_ld((out / "2024/02/01/quiet-day/index.html").read_text())
    assert news["author"] == [{"@type": "Organization", "name": "Example Tribune", "url": BASE,
                               "logo": {"@type": "ImageObject", "url": BASE + "images/logo.png"}}]
    assert news["image"] == ["https://cdn.example.org/social.png"]
    assert news["dateModified"] == news["datePublished"] == "2024-02-01T00:00:00+00:00"
    assert [i["name"] for i in breadcrumbs["itemListElement"]] == ["News Archive", "2024", "Quiet day"]
    assert breadcrumbs["itemListElement"][1]["item"] == BASE + "2024/"


def test_article_head_has_title_description_canonical_language_and_social_cards(corrected_page):
    html = corrected_page
    assert html.startswith('<!doctype html>\n<html lang="en-GB">')
    assert "<title>Port reopens after &lt;/script&gt; strike · News Archive</title>" in html
    assert meta(html, "name", "description") == ["Dockers return to work."]
    assert f'<link rel="canonical" href="{BASE}2024/03/01/port-reopens-after-script-strike/">' in html
    assert meta(html, "property", "og:type") == ["article"]
    assert meta(html, "property", "og:title") == ["Port reopens after &lt;/script&gt; strike"]
    assert meta(html, "property", "og:image") == [BASE + "images/port.jpg"]
    assert meta(html, "property", "article:modified_time") == ["2024-03-02T16:00:00+01:00"]
    assert meta(html, "property", "article:tag") == ["Shipping", "Labour"]
    assert meta(html, "name", "twitter:card") == ["summary_large_image"]
    assert meta(html, "name", "twitter:site") == ["@tribune"]


def test_correction_shows_as_a_dated_note(corrected_page):
    assert ('<p><strong>Correction, <time datetime="2024-03-02T16:00:00+01:00">2 March 2024</time>:</strong> '
            "The strike lasted nine days, not ten.</p>") in corrected_page


def test_listing_pages_use_the_site_image_and_link_their_feed(make_site):
    out = make_site({"content/a.md": CORRECTED}, **CONFIG)
    html = (out / "tags/shipping/index.html").read_text()
    assert meta(html, "property", "og:type") == ["website"]
    assert meta(html, "property", "og:image") == ["https://cdn.example.org/social.png"]
    assert meta(html, "property", "og:url") == [BASE + "tags/shipping/"]
    assert '<link rel="alternate" type="application/atom+xml" title="Shipping · News Archive" href="feed.xml">' in html
    assert json_ld(html) == []


def test_pages_without_any_image_get_a_summary_card(make_site):
    out = make_site({"content/b.md": article("Quiet day", "2024-02-01")})
    html = (out / "index.html").read_text()
    assert meta(html, "property", "og:image") == []
    assert meta(html, "name", "twitter:card") == ["summary"]
    assert meta(html, "name", "description") == ["An archive of news reports."]


def test_metadata_config_keys_are_validated(tmp_path):
    write_files(tmp_path, {"newsgen.yaml": "feed_limit: 0\ntwitter: tribune\nfeed_rss: yes please\n"})
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value) == (
        "invalid configuration (3 errors):\n"
        "  1. newsgen.yaml:1: 'feed_limit' must be at least 1\n"
        "  2. newsgen.yaml:2: 'twitter' must be a handle starting with '@', not 'tribune'\n"
        "  3. newsgen.yaml:3: 'feed_rss' must be true or false, not 'yes please'")


def test_a_site_base_template_without_the_title_variables_still_gets_social_tags(make_site):
    out = make_site({
        "content/a.md": article("Story", "2024-02-01"),
        "templates/base.html": ('<!doctype html><html lang="{{ config.language }}"><head><title>x</title>'
                                '{% include "_head.html" %}</head><body>{% block content %}{% endblock %}</body></html>'),
    })
    html = (out / "archive/index.html").read_text()
    assert meta(html, "property", "og:title") == ["News Archive"]
    assert meta(html, "property", "og:description") == ["An archive of news reports."]
