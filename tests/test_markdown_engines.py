"""`markdown_engine`: Python-Markdown (the default) or cmark-gfm (`commonmark`) render article bodies."""

from __future__ import annotations

import os
import re

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config
from newsgen.content.markdown_engines import render_markdown
from test_config import config_error, site_with_config
from test_site import build_example

ARTICLE = "2024/05/01/a/index.html"
_HEADING = re.compile(r"<h([1-6])(?: id=\"([^\"]*)\")?>(.*?)</h\1>", re.S)


def article_body(make_site, body: str, **overrides) -> str:
    """The article page built from body, from its first tag after the title to the end of the article."""
    out = make_site({"content/a.md": "---\ntitle: A\ndate: 2024-05-01\n---\n\n" + body}, search=False, **overrides)
    return (out / ARTICLE).read_text(encoding="utf-8")


def headings(page: str) -> list[tuple[str, str, str]]:
    """(level, id, inner HTML) of each heading in the page's article body (the page title is the h1)."""
    return [m.groups() for m in _HEADING.finditer(page) if m.group(1) != "1"]


def test_example_site_is_the_same_with_either_engine(tmp_path):
    default = build_example(tmp_path / "markdown", search=False)
    commonmark = build_example(tmp_path / "commonmark", search=False, markdown_engine="commonmark")

    files = sorted(p.relative_to(default) for p in default.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(commonmark) for p in commonmark.rglob("*") if p.is_file())
    assert [f for f in files if (default / f).read_bytes() != (commonmark / f).read_bytes()] == []
    rail = next(p for p in commonmark.rglob("index.html") if "rail-link" in str(p)).read_text(encoding="utf-8")
    assert "<p><em>This article was updated on 22 November" in rail


COMMON_MARKDOWN = """\
## Who voted

Turnout was **high** in the *north*, see [the results](https://example.org/results) and `code`.

- first item
- second item with [a link](https://example.org/)

1. one
2. two

> A quote from the minister.

### Who voted
"""


@pytest.mark.parametrize("engine", ["markdown", "commonmark"])
def test_common_markdown_renders_alike_in_both_engines(make_site, engine):
    page = article_body(make_site, COMMON_MARKDOWN, markdown_engine=engine)

    assert headings(page) == [("2", "who-voted", "Who voted"), ("3", "who-voted_1", "Who voted")]
    assert ('<p>Turnout was <strong>high</strong> in the <em>north</em>, see '
            '<a href="https://example.org/results">the results</a> and <code>code</code>.</p>') in page
    assert '<ul>\n<li>first item</li>\n<li>second item with <a href="https://example.org/">a link</a></li>\n</ul>' in page
    assert "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" in page
    assert "<blockquote>\n<p>A quote from the minister.</p>\n</blockquote>" in page


def test_commonmark_renders_tables_strikethrough_autolinks_and_footnotes(make_site):
    page = article_body(make_site, """\
        | Party | Seats |
        |:------|------:|
        | Green | 12    |

        The ~~old~~ new count is at www.example.org/count today.[^1]

        [^1]: Counted by the electoral board.
        """.replace("        ", ""), markdown_engine="commonmark")

    assert ('<table>\n<thead>\n<tr>\n<th style="text-align: left">Party</th>\n'
            '<th style="text-align: right">Seats</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
            '<td style="text-align: left">Green</td>\n<td style="text-align: right">12</td>\n'
            '</tr>\n</tbody>\n</table>') in page
    assert ('<p>The <del>old</del> new count is at <a href="http://www.example.org/count">www.example.org/count</a> '
            'today.<sup class="footnote-ref"><a href="#fn-1" id="fnref-1">1</a></sup></p>') in page
    assert '<li id="fn-1">\n<p>Counted by the electoral board. <a href="#fnref-1" class="footnote-backref"' in page


HEADINGS = """\
# Élection à Zürich

## Results: 2024!

## Results: 2024!

## Results 2024_1

## The `code` and *emphasis*

## Café & crème[^n]

## ¿Qué?

## ???

## ???

[^n]: A note.
"""


def test_heading_ids_are_the_same_in_both_engines(make_site):
    default = headings(article_body(make_site, HEADINGS))
    commonmark = headings(article_body(make_site, HEADINGS, markdown_engine="commonmark"))

    ids = [heading_id for _, heading_id, _ in commonmark]
    assert ids == ["results-2024", "results-2024_1", "results-2024_2", "the-code-and-emphasis",
                   "cafe-creme", "que", "_1", "_2"]
    assert ids == [heading_id for _, heading_id, _ in default]


def test_first_heading_keeps_its_accents_folded_in_its_id(make_site):
    page = article_body(make_site, HEADINGS, markdown_engine="commonmark")
    assert '<h1 id="election-a-zurich">Élection à Zürich</h1>' in page


def test_commonmark_bodies_lose_scripts_by_default_and_keep_them_with_unsafe_html(make_site):
    body = "Before.\n\n<script>alert(1)</script>\n\nAfter <b onclick=\"x()\">bold</b>.\n"

    page = article_body(make_site, body, markdown_engine="commonmark")
    assert "alert(1)" not in page and "onclick" not in page
    assert "<p>After <b>bold</b>.</p>" in page

    unsafe = article_body(make_site, body, markdown_engine="commonmark", unsafe_html=True)
    assert "<script>alert(1)</script>" in unsafe


def test_changing_the_engine_renders_the_cached_articles_again(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2024-05-01\n---\n\nThe ~~old~~ count.\n"})
    build(load_config(site, {"workers": 1, "search": False}))
    assert "<p>The ~~old~~ count.</p>" in (site / "public" / ARTICLE).read_text(encoding="utf-8")

    (site / "newsgen.yaml").write_text("markdown_engine: commonmark\n", encoding="utf-8")
    build(load_config(site, {"workers": 1, "search": False}))
    assert "<p>The <del>old</del> count.</p>" in (site / "public" / ARTICLE).read_text(encoding="utf-8")


def test_an_unknown_engine_is_a_config_error(tmp_path):
    site = site_with_config(tmp_path, "markdown_engine: gfm\n")
    assert config_error(site) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'markdown_engine' must be markdown (Python-Markdown, the default) or commonmark "
        "(cmark-gfm), not 'gfm'")


def test_init_writes_the_engine_key_commented_with_when_to_choose_commonmark(tmp_path, capsys):
    assert main(["init", str(tmp_path / "site"), "-q"]) == 0
    config = (tmp_path / "site" / "newsgen.yaml").read_text(encoding="utf-8")

    assert "\n# markdown_engine: markdown\n" in config
    assert "# Markdown engine: choose commonmark when your articles are written for CommonMark or GitHub" in config
    uncommented = config.replace("# markdown_engine: markdown", "markdown_engine: commonmark")
    (tmp_path / "site" / "newsgen.yaml").write_text(uncommented, encoding="utf-8")
    assert load_config(tmp_path / "site").markdown_engine == "commonmark"



def test_the_commonmark_engine_gives_back_its_memory_after_each_article():
    """cmark-gfm's syntax tree and HTML buffer are freed: 3,000 articles leave the process's
    resident memory where it was (unfreed, they took about 70 MB)."""
    def resident_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    text = "## A heading\n\n" + "Words of the *story* with ~~errors~~ and www.example.org. " * 60 + \
           "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA note[^1].\n\n[^1]: The note.\n"
    render_markdown(text, "commonmark")
    before = resident_mb()
    for number in range(3000):
        render_markdown(f"{text}\n\nParagraph {number}.", "commonmark")
    assert resident_mb() - before < 15
