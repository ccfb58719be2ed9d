"""Titles, tags and author names with markup are escaped everywhere; raw HTML in bodies is kept
unless `unsafe_html: false`, which strips active content with a real sanitiser."""

from __future__ import annotations

import re

import pytest

from site_checks import parse_html, structured_data_problems

EVIL = '<script>alert(1)</script> "Q" \'S\' & </script><!--'
EVIL_ARTICLE = f"""---
title: '{EVIL.replace("'", "''")} headline'
summary: '{EVIL.replace("'", "''")} summary'
date: 2024-05-06
tags: ['{EVIL.replace("'", "''")}', 'plain']
author: '{EVIL.replace("'", "''")} writer'
section: '{EVIL.replace("'", "''")}'
---
Body text.
"""

BODY = """---
title: Embed
date: 2024-05-07
---
Intro paragraph.

<div class="embed" onclick="steal()"><iframe src="https://player.example/v/1"></iframe></div>

<script>alert("body")</script>

<p><a href="javascript:alert(2)">bad link</a> <a href="https://example.org/">good link</a>
<img src="chart.png" alt="A &amp; B" onerror="alert(3)"> <object data="x.swf"></object></p>

<form action="https://evil.example/"><input name="q"></form>
"""


def test_markup_in_titles_tags_and_authors_is_escaped_on_every_page(make_site):
    out = make_site({"content/evil.md": EVIL_ARTICLE}, title=EVIL + " site", description=EVIL + " about")
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "</script><!--" not in html, page
        allowed = {"application/ld+json"} | ({"module"} if page == out / "search/index.html" else set())
        assert all(kind in allowed for kind, _ in parse_html(page).scripts), page  # search.js, our own
    article = next(out.glob("2024/05/06/*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Q&#34; &#39;S&#39; &amp; &lt;/script&gt;&lt;!-- headline" in article
    assert structured_data_problems(out) == []


def test_markup_in_names_is_escaped_in_every_xml_and_json_file(make_site):
    out = make_site({"content/evil.md": EVIL_ARTICLE})
    assert structured_data_problems(out) == []
    for path in list(out.rglob("*.xml")) + list(out.rglob("*.json")):
        assert "<script>" not in path.read_text(encoding="utf-8"), path


def test_raw_html_in_bodies_is_kept_by_default(make_site):
    out = make_site({"content/embed.md": BODY})
    html = (out / "2024/05/07/embed/index.html").read_text(encoding="utf-8")
    assert '<iframe src="https://player.example/v/1"></iframe>' in html
    assert '<script>alert("body")</script>' in html


def test_unsafe_html_false_strips_scripts_handlers_and_javascript_urls(make_site):
    out = make_site({"content/embed.md": BODY}, unsafe_html=False)
    html = (out / "2024/05/07/embed/index.html").read_text(encoding="utf-8")
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)  # data, not code
    body = html[html.index("Intro paragraph"):html.index("</form>") if "</form>" in html else None]
    for banned in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<object", "<form", "<input"):
        assert banned not in html.lower(), banned
    assert '<a href="https://example.org/">good link</a>' in html
    assert '<img src="chart.png" alt="A &amp; B">' in html
    assert '<div class="embed">' in body and "bad link" in body


@pytest.mark.parametrize("value", [True, False])
def test_unsafe_html_keeps_markdown_anchors_and_footnotes(make_site, value):
    out = make_site({"content/n.md": "---\ntitle: N\ndate: 2024-05-08\n---\n## Part one\n\nText[^1].\n\n[^1]: Note.\n"},
                    unsafe_html=value)
    html = (out / "2024/05/08/n/index.html").read_text(encoding="utf-8")
    assert '<h2 id="part-one">Part one</h2>' in html
    assert 'href="#fn:1"' in html and 'id="fn:1"' in html
