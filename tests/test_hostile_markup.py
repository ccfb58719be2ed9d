"""Titles, tags and author names with markup are escaped everywhere; article bodies lose active
content (a real sanitiser) and keep iframes from `embed_hosts` only, unless `unsafe_html: true`."""

from __future__ import annotations

import html
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
        allowed = {"application/ld+json"} | ({"module", "application/json"} if page == out / "search/index.html" else set())
        assert all(kind in allowed for kind, _ in parse_html(page).scripts), page  # search.js and its words, our own
    article = next(out.glob("2024/05/06/*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Q&#34; &#39;S&#39; &amp; &lt;/script&gt;&lt;!-- headline" in article
    assert structured_data_problems(out) == []


def test_markup_in_names_is_escaped_in_every_xml_and_json_file(make_site):
    out = make_site({"content/evil.md": EVIL_ARTICLE})
    assert structured_data_problems(out) == []
    for path in list(out.rglob("*.xml")) + list(out.rglob("*.json")):
        assert "<script>" not in path.read_text(encoding="utf-8"), path


def test_unsafe_html_true_keeps_raw_html_in_bodies_as_written(make_site):
    out = make_site({"content/embed.md": BODY}, unsafe_html=True)
    html = (out / "2024/05/07/embed/index.html").read_text(encoding="utf-8")
    assert '<iframe src="https://player.example/v/1"></iframe>' in html
    assert '<script>alert("body")</script>' in html
    assert '<img src="chart.png" alt="A &amp; B" onerror="alert(3)">' in html


def test_bodies_lose_scripts_handlers_javascript_urls_and_foreign_iframes_by_default(make_site):
    out = make_site({"content/embed.md": BODY})
    html = (out / "2024/05/07/embed/index.html").read_text(encoding="utf-8")
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)  # data, not code
    body = html[html.index("Intro paragraph"):html.index("</form>") if "</form>" in html else None]
    for banned in ("<script", "onclick", "onerror", "javascript:", "<iframe", "player.example", "<object",
                   "<form", "<input"):
        assert banned not in html.lower(), banned
    assert '<a href="https://example.org/">good link</a>' in html
    assert '<img src="chart.png" alt="A &amp; B">' in html
    assert '<div class="embed"></div>' in body and "bad link" in body


YOUTUBE = ('<iframe width="560" height="315" src="https://www.youtube.com/embed/M7lc1UVf-VE" '
           'title="YouTube video player" frameborder="0" allow="accelerometer; autoplay; encrypted-media" '
           'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen=""></iframe>')
EMBEDS = f"""---
title: Embeds
date: 2024-05-09
---
Video:

{YOUTUBE}

<iframe src="http://www.youtube.com/embed/plain-http"></iframe>
<iframe src="https://www.youtube.com.evil.example/embed/lookalike"></iframe>
<iframe src="//www.youtube.com/embed/no-scheme"></iframe>
<iframe src="https://player.vimeo.com/video/76979871" srcdoc="<script>alert(4)</script>">Fallback <b>text</b></iframe>
<iframe src="https://charts.example.org/chart/1"></iframe>
"""


def test_iframes_on_the_embed_hosts_are_kept_and_others_removed_by_default(make_site):
    out = make_site({"content/embeds.md": EMBEDS})
    html = (out / "2024/05/09/embeds/index.html").read_text(encoding="utf-8")
    iframes = re.findall(r"<iframe.*?</iframe>", html, flags=re.S)
    assert iframes == [YOUTUBE, '<iframe src="https://player.vimeo.com/video/76979871"></iframe>']
    assert "alert(4)" not in html and "Fallback" not in html


def test_embed_hosts_from_the_config_replace_the_default_list_on_the_next_build(make_site):
    make_site({"content/embeds.md": EMBEDS})
    out = make_site({"content/embeds.md": EMBEDS}, embed_hosts=["charts.example.org"])  # same site and cache
    html = (out / "2024/05/09/embeds/index.html").read_text(encoding="utf-8")
    assert re.findall(r"<iframe.*?</iframe>", html, flags=re.S) == [
        '<iframe src="https://charts.example.org/chart/1"></iframe>']


MARKDOWN = """---
title: Everything Markdown writes
date: 2024-05-10
---
## Results by region {#results}

Turnout rose[^1] in *every* region; see [the tally](https://example.org/tally "Tally") and `table 2`.

| Region | Turnout |
|:-------|--------:|
| North  | 61%     |
| South  | 58%     |

```python
if turnout > 0.6 and region != "<all>":
    print("high")
```

![A queue at a polling station](images/queue.jpg "Polling day")

<figure><img src="images/count.jpg" alt="Counting"><figcaption>The count &amp; recount</figcaption></figure>

Term
: Its definition.

*[HTML]: HyperText Markup Language

Results in HTML, a&nbsp;b.

[^1]: By four points.
"""


def test_markdown_output_survives_the_sanitiser_unchanged(make_site):
    def article_body(unsafe_html: bool) -> str:
        out = make_site({"content/m.md": MARKDOWN}, unsafe_html=unsafe_html)
        page = (out / "2024/05/10/everything-markdown-writes/index.html").read_text(encoding="utf-8")
        return page[page.index('<h2 id="results">'):page.index("By four points.")]

    sanitised, raw = article_body(False), article_body(True)
    assert '<th style="text-align: left;">Region</th>' in sanitised
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in sanitised
    assert '<code class="language-python">if turnout &gt; 0.6 and region != "&lt;all&gt;":' in sanitised
    assert '<img alt="A queue at a polling station" src="images/queue.jpg" title="Polling day">' in sanitised
    assert '<figcaption>The count &amp; recount</figcaption>' in sanitised
    assert '<abbr title="HyperText Markup Language">HTML</abbr>' in sanitised
    # the sanitiser writes characters in its own form (`&#160;` as `&nbsp;`, `&quot;` as `"`): same text
    assert html.unescape(sanitised) == html.unescape(raw)


@pytest.mark.parametrize("value", [True, False])
def test_unsafe_html_keeps_markdown_anchors_and_footnotes(make_site, value):
    out = make_site({"content/n.md": "---\ntitle: N\ndate: 2024-05-08\n---\n## Part one\n\nText[^1].\n\n[^1]: Note.\n"},
                    unsafe_html=value)
    html = (out / "2024/05/08/n/index.html").read_text(encoding="utf-8")
    assert '<h2 id="part-one">Part one</h2>' in html
    assert 'href="#fn:1"' in html and 'id="fn:1"' in html
