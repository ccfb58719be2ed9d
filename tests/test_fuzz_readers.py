"""Every reader, fed random and mutated input, gives an article or a `path:line: message` error:
never another exception, a hang, or code run by a YAML tag. The long campaign is
benchmarks/fuzz_campaign.py; here each reader gets a short run that fits in CI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fuzz_inputs import EXPORT_READERS, HAS_EXPORT_READERS, READERS, SENTINEL, check_file, time_limit
from newsgen.config import load_config
from newsgen.content.load import parse_article_file

CI_EXAMPLES = 100
CI_TIME_LIMIT = 15
"""Seconds one parse may take here: generous, as CI machines are shared; the campaign uses 5."""


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("fuzz")
    (site / "content").mkdir()
    SENTINEL.unlink(missing_ok=True)
    return site, load_config(site, {"workers": 1, "timezone": "Pacific/Kiritimati"})


@pytest.mark.parametrize("reader", sorted(READERS))
def test_reader_gives_an_article_or_a_located_error_for_any_input(reader, fuzz_site):
    if reader in EXPORT_READERS and not HAS_EXPORT_READERS:
        pytest.skip("JSON Lines / CSV readers are not on this branch (imports branch); runs once merged")
    site, config = fuzz_site
    names, contents = READERS[reader]

    @settings(max_examples=CI_EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              derandomize=True, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(name=names, data=contents)
    def run(name, data):
        path = site / "content" / name
        path.write_bytes(data)
        problem = check_file(path, config, seconds=CI_TIME_LIMIT)
        assert problem is None, problem

    run()


BILLION_LAUGHS = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))

HOSTILE = {
    "laughs-date.md": BILLION_LAUGHS + "title: x\ndate: *i\n---\nbody\n",
    "laughs-draft.md": BILLION_LAUGHS + "title: x\ndate: 2020-01-01\ndraft: *i\n---\nbody\n",
    "laughs-tags.md": BILLION_LAUGHS + "title: x\ndate: 2020-01-01\ntags: *i\n---\nbody\n",
    "laughs-title.md": BILLION_LAUGHS + "title: *i\ndate: 2020-01-01\n---\nbody\n",
    "self-reference.md": "---\ntitle: x\ndate: &d [*d]\n---\nbody\n",
    "deep-lists.md": "---\ntitle: " + "[" * 20000 + "]" * 20000 + "\n---\n",
    "deep-maps.md": "---\ntitle: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n---\n",
    "deep-toml.md": "+++\ntitle = " + "[" * 20000 + "]" * 20000 + "\n+++\n",
    "python-apply.md": f"---\ntitle: !!python/object/apply:os.system ['touch {SENTINEL}']\n---\n",
    "python-name.md": "---\ntitle: x\ndate: 2020-01-01\nslug: !!python/name:os.system\n---\n",
    "2020-01-01-spaces-heading.md": "# " + " " * 100_000,
    "2020-01-01-hash-heading.md": "# a" + " #" * 50_000 + "\nbody",
    "2020-01-01-long-line.md": "word " * 200_000,
    "long-date.md": "---\ntitle: x\ndate: " + "1 " * 50_000 + "\n---\n",
    "2020-01-01-brackets.md": "x " + "[" * 60_000,
    "2020-01-01-links.md": "[a](" * 20_000,
    "2020-01-01-tags.md": "<a " * 20_000,
    "2020-01-01-nested-list.md": "* " * 5000 + "x",
    "2020-01-01-nested-quote.md": "> " * 5000 + "x",
    "2020-01-01-spaced-heading.md": "# Title" + " " * 45_000 + "end\n\nbody",
    "2020-01-01-spaced-cell.md": "| a |\n|---|\n| x" + " " * 45_000 + "y |\n",
    "year-zero.txt": "date 0000-01 body",
    "far-future.txt": "date 9999-12-31T23:59:59-23:59 body",
    "toml-far-future.md": "+++\ntitle = 'x'\ndate = 9999-12-31T23:59:59-23:59\n+++\n",
    "yaml-year-one.md": "---\ntitle: x\ndate: 0001-01-01 00:00:00+23:00\n---\n",
    "nul.md": "---\ntitle: x\x00\ndate: 2020-01-01\n---\n",
    "utf16.md": "\ufeff---\ntitle: x\ndate: 2020-01-01\n---\nbody".encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_a_located_error_or_an_article_within_seconds(name, fuzz_site):
    site, config = fuzz_site
    path = site / "content" / name
    data = HOSTILE[name]
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    assert check_file(path, config, seconds=10) is None
    assert not SENTINEL.exists()


def only_error(fuzz_site, name: str, text: str) -> str:
    """The one error parsing text as content/name gives."""
    site, config = fuzz_site
    path = site / "content" / name
    path.write_text(text, encoding="utf-8")
    (error,) = parse_article_file(path, config).errors
    return str(error)


def test_billion_laughs_error_is_short_and_names_the_line(fuzz_site):
    error = only_error(fuzz_site, "laughs.md", HOSTILE["laughs-draft.md"])
    assert error.startswith("content/laughs.md:13: 'draft' must be true or false, not a list")
    assert len(error) < 200


def test_out_of_range_date_is_a_located_error(fuzz_site):
    assert only_error(fuzz_site, "far.txt", "date 9999-12-31T23:59:59-23:59 Text.") == (
        "content/far.txt:1: 'date' '9999-12-31T23:59:59-23:59' is out of range for the site's time zone")


def test_deeply_nested_markdown_is_a_located_error(fuzz_site):
    assert only_error(fuzz_site, "2020-01-01-lists.md", "Intro.\n\n" + "* " * 5000 + "x") == (
        "content/2020-01-01-lists.md:1: the Markdown body nests too deeply to render "
        "(for example lists or quotes inside each other)")


def test_markdown_renders_normally_after_a_too_deeply_nested_file(fuzz_site):
    only_error(fuzz_site, "2020-01-01-deep.md", "* " * 5000 + "x")
    site, config = fuzz_site
    path = site / "content" / "2020-01-01-next.md"
    path.write_text("Some *emphasis*.\n", encoding="utf-8")
    assert parse_article_file(path, config).article.body_html == "<p>Some <em>emphasis</em>.</p>"


def test_runs_of_unclosed_brackets_are_refused_before_markdown_stalls(fuzz_site):
    assert only_error(fuzz_site, "2020-01-01-b.md", "Intro.\n\nSee " + "[" * 5000 + " here.\n") == (
        "content/2020-01-01-b.md:3: paragraph has too many unclosed '[', '](' or '<' for the Markdown renderer; "
        "close them, split the paragraph or put it in a code block")


def test_big_balanced_html_tables_and_link_lists_are_kept(fuzz_site):
    site, config = fuzz_site
    rows = "".join(f'<tr><td>{i}</td><td><a href="/x/{i}">x</a></td></tr>\n' for i in range(3000))
    links = " ".join(f"[link {i}](https://example.org/{i})" for i in range(3000))
    path = site / "content" / "2020-01-01-table.md"
    path.write_text(f"Intro.\n\n<table>\n{rows}</table>\n\n{links}\n", encoding="utf-8")
    with time_limit(15):
        result = parse_article_file(path, config)
    assert result.errors == () and "<td>2999</td>" in result.article.body_html
    assert '<a href="https://example.org/2999">link 2999</a>' in result.article.body_html


def test_impossible_yaml_date_is_a_located_error(fuzz_site):
    assert only_error(fuzz_site, "feb.md", "---\ntitle: Leap\ntags: [a]\ndate: 2024-02-30\n---\nx\n") == (
        "content/feb.md:4: invalid date '2024-02-30' in YAML front matter: day is out of range for month")
    assert only_error(fuzz_site, "month.md", "---\n?: 0114-0-29 07:34:09-18:58\n---\n") == (
        "content/month.md:2: invalid date '0114-0-29 07:34:09-18:58' in YAML front matter: month must be in 1..12")


def test_python_yaml_tag_is_refused_not_run(fuzz_site):
    error = only_error(fuzz_site, "tag.md", HOSTILE["python-apply.md"])
    assert error.startswith("content/tag.md:2: invalid YAML front matter: could not determine a constructor")
    assert not SENTINEL.exists()


@given(st.text(max_size=200))
@settings(max_examples=50, deadline=None, database=None)
def test_heading_detection_is_linear_on_any_first_line(text):
    from newsgen.content.formats.readers import parse_document

    with time_limit(5):
        parse_document("# " + text * 200 + "\nbody")
