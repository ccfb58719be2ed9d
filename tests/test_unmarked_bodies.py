"""Bodies with no Markdown markup skip Python-Markdown and come out byte for byte as it writes them."""

from __future__ import annotations

import json

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from conftest import SHARED
from newsgen.content.markdown_engines import PYTHON_MARKDOWN_EXTENSIONS, render_markdown, render_unmarked_paragraphs

REUTERS = SHARED / "corpora" / "reuters21578" / "articles.jsonl"
_ENGINE = markdown.Markdown(extensions=PYTHON_MARKDOWN_EXTENSIONS, output_format="html")

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ACCENTED = "éèêëàâäçñöüßøåÉÀÇÑÖÜ"
DIGITS = "0123456789"
PUNCTUATION = ".,;:!?'\"()-+=/%$@€£—–…‘’“”*_`[]<>&#|~{}^\\"
ALPHABET = LETTERS + ACCENTED + DIGITS + PUNCTUATION + "  \n\n\t\u00a0"


def python_markdown(text: str) -> str:
    return _ENGINE.reset().convert(text)


def test_a_body_without_markup_is_paragraphs_of_its_lines():
    text = "Shares rose 5 pct, the company said.\nIt was the first rise in years.\n\n\nProfit: 1.5 mln dlrs!"
    assert render_unmarked_paragraphs(text) == ("<p>Shares rose 5 pct, the company said.\nIt was the first rise in years.</p>\n"
                                                "<p>Profit: 1.5 mln dlrs!</p>")
    assert render_markdown(text) == python_markdown(text)


@pytest.mark.parametrize("text", ["- a list", "1. a list", "2) a list", "  indented", "a  \nbreak", "Heading\n===",
                                  "a *word*", "AT&T", "a <b>", "# Title", ": definition", "a|b", "x\ttab", "no\u00a0break"])
def test_a_body_with_anything_markdown_may_read_goes_to_the_engine(text):
    assert render_unmarked_paragraphs(text) is None
    assert render_markdown(text) == python_markdown(text)


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet=ALPHABET, max_size=200))
def test_any_text_the_shortcut_takes_renders_as_python_markdown_renders_it(text):
    shortcut = render_unmarked_paragraphs(text)
    if shortcut is not None:
        assert shortcut == python_markdown(text)
    assert render_markdown(text) == python_markdown(text)


_WORD = st.text(alphabet=LETTERS + ACCENTED + DIGITS + ".,;:!?'\"()-+=/%$@€£—–…‘’“”", min_size=1, max_size=8)
_LINE = st.lists(_WORD, min_size=1, max_size=8).map(" ".join)
_PARAGRAPH = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)
_BREAK = st.sampled_from(["\n\n", "\n\n\n", "\n\n\n\n"])
_BODY = st.tuples(st.sampled_from(["", "\n", "\n\n"]), st.lists(st.tuples(_PARAGRAPH, _BREAK), min_size=1, max_size=5),
                  st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=400, deadline=None, database=None)
@given(_BODY)
def test_wire_like_paragraphs_the_shortcut_takes_render_as_python_markdown_renders_them(parts):
    head, paragraphs, tail = parts
    text = head + "".join(p + b for p, b in paragraphs)[:-2] + tail
    shortcut = render_unmarked_paragraphs(text)
    if shortcut is not None:
        assert shortcut == python_markdown(text)


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.is_file(), reason="needs the Reuters corpus")
def test_every_reuters_body_the_shortcut_takes_renders_as_python_markdown_renders_it():
    taken = total = 0
    with REUTERS.open(encoding="utf-8") as lines:
        for line in lines:
            body = json.loads(line)["body"]
            total += 1
            shortcut = render_unmarked_paragraphs(body)
            if shortcut is not None:
                taken += 1
                assert shortcut == python_markdown(body), json.loads(line)["id"]
    assert taken > total // 2
