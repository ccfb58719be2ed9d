"""The loader: every input format, chosen by content, to complete Article records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import SEED, write_files
from dateutil import tz

from newsgen.config import load_config, reference_time
from newsgen.errors import BuildFailed
from newsgen.content.load import load_articles

SEED_SLUG = "venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia"


def load(tmp_path, files: dict[str, str | bytes], **overrides):
    site = write_files(tmp_path / "site", files)
    (site / "content").mkdir(exist_ok=True)
    return load_articles(load_config(site, {"workers": 1, **overrides}), reference_time())


def load_one(tmp_path, name: str, text: str | bytes, **overrides):
    loaded = load(tmp_path, {f"content/{name}": text}, **overrides)
    assert len(loaded.articles) == 1, loaded
    return loaded.articles[0]


def load_errors(tmp_path, files: dict[str, str | bytes], **overrides) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        load(tmp_path, files, **overrides)
    return caught.value.errors


# --- the seed's wire format -------------------------------------------------------------------

def test_wire_seed_gets_headline_from_first_sentence_cut_at_word_with_ellipsis(tmp_path):
    article = load_one(tmp_path, "seed.txt", SEED.read_bytes())
    assert article.title == "Venezuela has started contacts with the government of Gustavo Petro in Colombia to…"
    assert len(article.title) <= 90
    assert article.slug == SEED_SLUG
    assert article.url == f"2022/08/10/{SEED_SLUG}/"
    assert article.precision == "day"
    assert article.published == datetime(2022, 8, 10, tzinfo=timezone.utc)
    assert article.tags == ()


def test_wire_seed_summary_is_first_paragraph_and_curly_quotes_survive(tmp_path):
    article = load_one(tmp_path, "seed.txt", SEED.read_bytes())
    first_paragraph = SEED.read_text(encoding="utf-8").split("\n\n")[0].split(" ", 3)[3].strip()
    assert article.summary == first_paragraph
    assert "“military relations”" in article.summary
    assert "<p>“I received instructions” from President Nicols Maduro" in article.body_html


def test_wire_leading_whitespace_and_month_precision(tmp_path):
    article = load_one(tmp_path, "m.txt", b"\n\n   date 2021-03 Prices rose in March. Analysts were surprised.\n")
    assert article.precision == "month"
    assert article.published == datetime(2021, 3, 1, tzinfo=timezone.utc)
    assert article.title == "Prices rose in March"
    assert article.url == "2021/03/prices-rose-in-march/"


def test_wire_full_timestamp_keeps_time_and_zone(tmp_path):
    article = load_one(tmp_path, "t.txt", "date 2022-08-10T23:30:00+02:00 Markets closed early.\n")
    assert article.precision == "time"
    assert article.published == datetime(2022, 8, 10, 21, 30, tzinfo=timezone.utc)
    assert article.url == "2022/08/10/markets-closed-early/"


def test_wire_headline_never_cuts_mid_word(tmp_path):
    words = "Incomprehensibilities " * 10
    article = load_one(tmp_path, "w.txt", f"date 2022-01-02 {words}end.\n")
    assert article.title == "Incomprehensibilities Incomprehensibilities Incomprehensibilities Incomprehensibilities…"
    assert len(article.title) <= 90


def test_wire_headline_of_exactly_ninety_characters_is_not_cut(tmp_path):
    sentence = ("word " * 18)[:89] + "x"  # 90 characters, no full stop
    article = load_one(tmp_path, "w.txt", f"date 2022-01-02 {sentence}\n")
    assert article.title == sentence


def test_wire_headline_keeps_abbreviations_inside_the_first_sentence(tmp_path):
    article = load_one(tmp_path, "w.txt", "date 2022-01-02 U.S. President Biden met Mr. Lula in Brasilia. Later he left.\n")
    assert article.title == "U.S. President Biden met Mr. Lula in Brasilia"


def test_wire_headline_keeps_the_full_stop_of_a_final_abbreviation(tmp_path):
    article = load_one(tmp_path, "w.txt", "date 2022-01-02 Talks resume with the U.S.\n")
    assert article.title == "Talks resume with the U.S."


def test_wire_body_is_escaped_plain_text_in_paragraphs(tmp_path):
    article = load_one(tmp_path, "w.txt", "date 2022-01-02 A <b>bold</b> claim & more.\n\nSecond   para\nwraps.\n")
    assert article.body_html == "<p>A &lt;b&gt;bold&lt;/b&gt; claim &amp; more.</p>\n<p>Second para wraps.</p>"


# --- YAML front matter --------------------------------------------------------------------------

def test_yaml_front_matter_reads_every_field(tmp_path):
    article = load_one(tmp_path, "a.md", """\
        ---
        title: Storm hits coast
        date: 2023-05-04 10:15
        updated: 2023-05-05
        tags: [Weather, Floods]
        section: World
        authors: [Ana Silva, Bo Chen]
        summary: A short summary.
        slug: storm
        ---
        The storm *arrived* at dawn.
        """)
    assert article.title == "Storm hits coast"
    assert article.published == datetime(2023, 5, 4, 10, 15, tzinfo=timezone.utc)
    assert article.precision == "time"
    assert article.updated == datetime(2023, 5, 5, tzinfo=timezone.utc)
    assert [t.name for t in article.tags] == ["Weather", "Floods"]
    assert article.section.name == "World"
    assert [a.name for a in article.authors] == ["Ana Silva", "Bo Chen"]
    assert article.summary == "A short summary."
    assert article.url == "2023/05/04/storm/"
    assert article.body_html == "<p>The storm <em>arrived</em> at dawn.</p>"


def test_yaml_int_title_is_normalised_to_text(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: 2024\ndate: 2023-01-01\n---\nBody.\n")
    assert article.title == "2024"
    assert article.slug == "2024"


@pytest.mark.parametrize("value, expected", [
    ("news", ["news"]),
    ("news, politics , economy", ["news", "politics", "economy"]),
    ("[news, politics]", ["news", "politics"]),
    ("\n  - news\n  - politics", ["news", "politics"]),
    ("2024", ["2024"]),
])
def test_yaml_tags_accept_string_comma_string_and_list(tmp_path, value, expected):
    article = load_one(tmp_path, "a.md", f"---\ntitle: T\ndate: 2023-01-01\ntags: {value}\n---\nBody.\n")
    assert [t.name for t in article.tags] == expected


def test_yaml_single_author_with_comma_is_one_author(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: T\ndate: 2023-01-01\nauthor: Martin Luther King, Jr.\n---\nB.\n")
    assert [a.name for a in article.authors] == ["Martin Luther King, Jr."]


@pytest.mark.parametrize("line, message", [
    ("title: [a, b]", "'title' must be text, not list"),
    ("tags: {a: 1}", "'tags' must be a list of names or a comma-separated string"),
    ("tags: true", "'tags' must be a list of names or a comma-separated string"),
    ("draft: maybe", "'draft' must be true or false, not 'maybe'"),
    ("date: 2023", "'date' must be a date like 2022-08-10, not 2023"),
    ("date: [2023-01-01]", "'date' must be a date like 2022-08-10, not a list"),
])
def test_yaml_wrong_type_is_error_naming_the_keys_file_line(tmp_path, line, message):
    text = f"---\nsummary: fine\n{line}\n---\nBody.\n"
    if not line.startswith("date"):
        text = text.replace("summary: fine", "date: 2023-01-01")
    errors = load_errors(tmp_path, {"content/bad.md": text})
    assert errors == [f"content/bad.md:3: {message}"]


def test_error_in_a_later_alias_key_names_that_keys_line(tmp_path):
    text = "---\ntitle: T\ndate: 2022-01-01\nauthors: [{name: x}]\n---\nB.\n"
    assert load_errors(tmp_path, {"content/a.md": text}) == [
        "content/a.md:4: 'authors' must be a list of names or a comma-separated string"]
    text = "+++\ntitle = 'T'\ndate = 2022-01-01\nupdated = 10:00:00\n+++\nB.\n"
    assert load_errors(tmp_path, {"content/a.md": text}) == [
        "content/a.md:4: 'updated' must be a date like 2022-08-10, not a time of day alone (10:00:00)"]


def test_yaml_empty_draft_is_not_a_draft(tmp_path):
    assert load_one(tmp_path, "a.md", "---\ntitle: T\ndate: 2022-01-01\ndraft:\n---\nB.\n").draft is False


def test_yaml_syntax_error_reports_file_line(tmp_path):
    errors = load_errors(tmp_path, {"content/bad.md": "---\ntitle: T\ndate: 2023-01-01\ntags: [a, b\n---\nBody.\n"})
    assert errors == [
        "content/bad.md:5: invalid YAML front matter: did not find expected ',' or ']' "
        "(while parsing a flow sequence started on line 4)"]


def test_yaml_unclosed_front_matter_is_error(tmp_path):
    errors = load_errors(tmp_path, {"content/bad.md": "---\ntitle: T\ndate: 2023-01-01\nBody.\n"})
    assert errors == ["content/bad.md:1: front matter opened with '---' on line 1 is never closed"]


# --- TOML, Pelican headers, Jekyll file names, plain Markdown ------------------------------------

def test_toml_front_matter(tmp_path):
    article = load_one(tmp_path, "a.md", """\
        +++
        title = "Rates unchanged"
        date = 2023-02-03T09:00:00-05:00
        tags = ["Economy"]
        +++
        The bank held rates.
        """)
    assert article.title == "Rates unchanged"
    assert article.published == datetime(2023, 2, 3, 14, 0, tzinfo=timezone.utc)
    assert [t.name for t in article.tags] == ["Economy"]


def test_toml_syntax_error_reports_file_line(tmp_path):
    errors = load_errors(tmp_path, {"content/bad.md": '+++\ntitle = "T"\ndate = \n+++\nBody.\n'})
    assert errors == ["content/bad.md:3: invalid TOML front matter: Invalid value"]


def test_pelican_key_value_headers(tmp_path):
    article = load_one(tmp_path, "p.md", """\
        Title: Bridge reopens
        Date: 2021-11-12 08:30
        Tags: Transport, City
        Category: Local
        Author: Dee Jones
        Slug: bridge

        The bridge **reopened** today.
        """)
    assert article.title == "Bridge reopens"
    assert article.published == datetime(2021, 11, 12, 8, 30, tzinfo=timezone.utc)
    assert [t.name for t in article.tags] == ["Transport", "City"]
    assert article.section.name == "Local"
    assert [a.name for a in article.authors] == ["Dee Jones"]
    assert article.url == "2021/11/12/bridge/"
    assert article.body_html == "<p>The bridge <strong>reopened</strong> today.</p>"


def test_pelican_status_draft_is_a_draft(tmp_path):
    loaded = load(tmp_path, {"content/p.md": "Title: T\nDate: 2021-11-12\nStatus: draft\n\nBody.\n"})
    assert loaded.articles == [] and loaded.skipped_drafts == 1


def test_jekyll_file_name_gives_date_and_slug(tmp_path):
    article = load_one(tmp_path, "2020-02-29-leap-day-story.md", "---\ntitle: A leap day\n---\nBody.\n")
    assert article.published == datetime(2020, 2, 29, tzinfo=timezone.utc)
    assert article.precision == "day"
    assert article.url == "2020/02/29/leap-day-story/"


def test_plain_markdown_heading_is_title_and_file_name_gives_date(tmp_path):
    article = load_one(tmp_path, "2020-03-01-x.md", "# Council votes\n\nThe council voted.\n")
    assert article.title == "Council votes"
    assert article.summary == "The council voted."
    assert article.body_html == "<p>The council voted.</p>"


def test_front_matter_date_wins_over_file_name_date(tmp_path):
    article = load_one(tmp_path, "2020-03-01-x.md", "---\ntitle: T\ndate: 2021-04-05\n---\nB.\n")
    assert article.url == "2021/04/05/x/"


def test_summary_skips_paragraphs_without_text(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: T\ndate: 2021-04-05\n---\n![](photo.jpg)\n\nReal text.\n")
    assert article.summary == "Real text."


# --- encodings ---------------------------------------------------------------------------------

def test_utf8_bom_and_crlf_are_read(tmp_path):
    raw = "\ufeff---\r\ntitle: Café “open”\r\ndate: 2022-01-02\r\n---\r\nLine one.\r\n".encode("utf-8")
    article = load_one(tmp_path, "a.md", raw)
    assert article.title == "Café “open”"
    assert article.body_html == "<p>Line one.</p>"


def test_utf8_bom_before_wire_date_is_read(tmp_path):
    article = load_one(tmp_path, "w.txt", "\ufeff date 2022-01-02 Body here.\r\n".encode("utf-8"))
    assert article.title == "Body here"


def test_windows_1252_bytes_are_decoded_with_a_warning_naming_the_file(tmp_path):
    raw = "---\ntitle: Caf\xe9 \x93open\x94\ndate: 2022-01-02\n---\nB.\n".encode("latin-1")
    loaded = load(tmp_path, {"content/old.md": raw})
    assert loaded.articles[0].title == "Café “open”"
    assert loaded.warnings == ["content/old.md: not valid UTF-8; read as Windows-1252"]


def test_utf16_with_bom_is_decoded(tmp_path):
    raw = "---\ntitle: Wide\ndate: 2022-01-02\n---\nB.\n".encode("utf-16")
    assert load_one(tmp_path, "u.md", raw).title == "Wide"


def test_a_file_of_many_nul_bytes_is_an_error_naming_the_line(tmp_path):
    errors = load_errors(tmp_path, {"content/bin.md": b"---\ntitle: x\x00" + b"\x00" * 8 + b"\n"})
    assert errors == ["content/bin.md:2: contains NUL bytes; is this a binary file?"]


# --- dates and time zones ----------------------------------------------------------------------

@pytest.mark.parametrize("name, text", [
    ("2022-08-10-story.md", "---\ntitle: Story\n---\nB.\n"),
    ("story.md", "---\ntitle: Story\ndate: 2022-08-10\n---\nB.\n"),
    ("story.md", "---\ntitle: Story\ndate: '2022-08-10'\n---\nB.\n"),
    ("story.md", "Title: Story\nDate: 2022-08-10\n\nB.\n"),
    ("story.txt", "date 2022-08-10 Story.\n"),
])
def test_site_zone_applies_alike_to_file_name_and_header_dates(tmp_path, name, text):
    article = load_one(tmp_path, name, text, timezone="America/Los_Angeles")
    assert article.published == datetime(2022, 8, 10, tzinfo=tz.gettz("America/Los_Angeles"))
    assert article.published.utcoffset() == timedelta(hours=-7)
    assert article.url == "2022/08/10/story/"


def test_explicit_zone_in_date_is_kept_and_url_uses_site_zone(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: Late\ndate: 2022-08-11T02:00:00Z\n---\nB.\n",
                       timezone="America/Los_Angeles")
    assert article.published == datetime(2022, 8, 11, 2, tzinfo=timezone.utc)
    assert article.url == "2022/08/10/late/"


def test_month_name_date_is_month_precision_not_a_made_up_day(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: T\ndate: August 2022\n---\nB.\n")
    assert article.precision == "month"
    assert article.url == "2022/08/t/"


def test_missing_date_is_an_error_not_mtime(tmp_path):
    errors = load_errors(tmp_path, {"content/nodate.md": "---\ntitle: T\n---\nB.\n"})
    assert errors == ["content/nodate.md:1: no date: add 'date: YYYY-MM-DD' to the header "
                      "or name the file YYYY-MM-DD-slug.md"]


def test_unparseable_date_is_an_error_at_its_line(tmp_path):
    errors = load_errors(tmp_path, {"content/bad.md": "---\ntitle: T\n\ndate: next tuesday-ish\n---\nB.\n"})
    assert errors == ["content/bad.md:4: cannot parse date 'next tuesday-ish'; "
                      "use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00"]


def test_date_without_a_year_is_an_error(tmp_path):
    errors = load_errors(tmp_path, {"content/bad.md": "Title: T\nDate: 10 August\n\nB.\n"})
    assert errors == ["content/bad.md:2: cannot parse date '10 August'; "
                      "use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00"]


def test_impossible_file_name_date_is_an_error(tmp_path):
    errors = load_errors(tmp_path, {"content/2022-02-30-x.md": "# X\n\nB.\n"})
    assert errors == ["content/2022-02-30-x.md:1: cannot parse date '2022-02-30'; "
                      "use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00"]


def test_errors_from_every_file_are_collected(tmp_path):
    errors = load_errors(tmp_path, {
        "content/a.md": "---\ntitle: A\n---\nB.\n",
        "content/b.md": "---\ntitle: B\ndate: 2022-01-01\ndraft: 3\n---\nB.\n",
        "content/c.md": "---\ntitle: C\ndate: 2022-01-01\n---\nFine.\n",
    })
    assert errors == [
        "content/a.md:1: no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md",
        "content/b.md:4: 'draft' must be true or false, not 3",
    ]


# --- drafts and the future ------------------------------------------------------------------------

DRAFT = "---\ntitle: Draft\ndate: 2022-01-01\ndraft: true\n---\nB.\n"
FUTURE = "---\ntitle: Future\ndate: 2026-01-01T00:00:01Z\n---\nB.\n"
NOW = "---\ntitle: Now\ndate: 2026-01-01T00:00:00Z\n---\nB.\n"


def test_drafts_left_out_unless_asked(tmp_path):
    assert load(tmp_path, {"content/d.md": DRAFT}).articles == []
    assert [a.title for a in load(tmp_path, {"content/d.md": DRAFT}, drafts=True).articles] == ["Draft"]


def test_future_articles_left_out_by_source_date_epoch_unless_asked(tmp_path):
    loaded = load(tmp_path, {"content/f.md": FUTURE, "content/n.md": NOW})
    assert [a.title for a in loaded.articles] == ["Now"]
    assert loaded.skipped_future == 1
    both = load(tmp_path, {"content/f.md": FUTURE, "content/n.md": NOW}, future=True)
    assert sorted(a.title for a in both.articles) == ["Future", "Now"]


def test_source_date_epoch_moves_the_reference_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 10))
    assert len(load(tmp_path, {"content/f.md": FUTURE}).articles) == 1


# --- which files are read -------------------------------------------------------------------------

def test_hidden_files_and_rst_are_passed_over_with_a_notice(tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path / "site")  # as when `newsgen build` runs in the site folder
    loaded = load(tmp_path, {
        "content/.draft.md": "junk",
        "content/.git/x.md": "junk",
        "content/old.rst": "junk",
        "content/ok.md": NOW,
    })
    assert [a.title for a in loaded.articles] == ["Now"]
    assert loaded.warnings == ["content/old.rst: skipped: reStructuredText is not supported; convert it to Markdown"]


# --- updated ---------------------------------------------------------------------------------

def test_updated_on_the_same_day_as_a_timed_date_is_accepted(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: T\ndate: 2022-08-10 14:00\nupdated: 2022-08-10\n---\nB.\n")
    assert article.updated == datetime(2022, 8, 10, tzinfo=timezone.utc)


def test_updated_before_the_date_is_an_error_at_its_own_line(tmp_path):
    errors = load_errors(tmp_path, {"content/p.md": "Title: T\nDate: 2022-08-10\nModified: 2022-08-09\n\nB.\n"})
    assert errors == ["content/p.md:3: 'modified' is earlier than the article's date"]


def test_bad_wire_date_is_an_error_at_its_line(tmp_path):
    errors = load_errors(tmp_path, {"content/w.txt": b"\n\n date 2022-13-45 Body.\n"})
    assert errors == ["content/w.txt:3: cannot parse date '2022-13-45'; "
                      "use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00"]


def test_a_left_out_draft_does_not_collide_with_the_published_article(tmp_path):
    loaded = load(tmp_path, {
        "content/a.md": "---\ntitle: Same\ndate: 2022-01-01\n---\nA.\n",
        "content/b.md": "---\ntitle: Same\ndate: 2022-01-01\ndraft: true\n---\nB.\n",
    })
    assert [a.source for a in loaded.articles] == ["content/a.md"]


def test_local_time_the_clocks_skip_is_read_after_the_jump_with_a_warning_at_its_line(tmp_path):
    loaded = load(tmp_path, {"content/x.md": "---\ntitle: Clocks change\ndate: 2023-03-26T02:30\n---\nB.\n"},
                  timezone="Europe/Paris")
    assert loaded.warnings == ["content/x.md:3: 2023-03-26 02:30 does not exist in Europe/Paris "
                               "(the clocks went forward); read as 03:30 CEST"]
    article = loaded.articles[0]
    assert article.published.isoformat() == "2023-03-26T03:30:00+02:00"
    assert article.published == datetime(2023, 3, 26, 1, 30, tzinfo=timezone.utc)


def test_local_time_the_clocks_repeat_is_read_as_the_first_with_a_warning_naming_the_second(tmp_path):
    loaded = load(tmp_path, {"content/x.md": "Title: Clocks change\nDate: 2023-10-29 01:00\n"
                                             "Modified: 2023-10-29 02:30:15\n\nB.\n"}, timezone="Europe/Paris")
    assert loaded.warnings == ["content/x.md:3: 2023-10-29 02:30:15 happens twice in Europe/Paris (the clocks went "
                               "back); read as the first, 02:30:15 CEST; write 2023-10-29T02:30+01:00 for the second"]
    assert loaded.articles[0].updated.astimezone(timezone.utc) == datetime(2023, 10, 29, 0, 30, 15, tzinfo=timezone.utc)


def test_skipped_local_times_in_corrections_and_takedowns_are_warned_at_their_key(tmp_path):
    loaded = load(tmp_path, {"content/x.md": (
        "---\ntitle: T\ndate: 2023-03-20\ncorrections:\n  - date: 2023-03-26 02:15\n    text: Fixed.\n"
        "takedown: {date: '2023-03-26 02:45', reason: Court order}\n---\nB.\n")}, timezone="Europe/Paris")
    assert loaded.warnings == [
        "content/x.md:4: 2023-03-26 02:15 does not exist in Europe/Paris (the clocks went forward); read as 03:15 CEST",
        "content/x.md:7: 2023-03-26 02:45 does not exist in Europe/Paris (the clocks went forward); read as 03:45 CEST"]


def test_local_times_that_exist_once_and_dates_with_an_offset_or_no_time_give_no_warning(tmp_path):
    loaded = load(tmp_path, {
        "content/a.md": "---\ntitle: A\ndate: 2023-03-26T02:30+01:00\n---\nB.\n",
        "content/b.md": "---\ntitle: B\ndate: 2023-03-26T04:00\n---\nB.\n",
        "content/c.txt": " date 2018-11-04 Midnight never came in Sao Paulo that day.\n",
    }, timezone="America/Sao_Paulo")
    assert loaded.warnings == []
    assert loaded.articles[2].url == "2018/11/04/midnight-never-came-in-sao-paulo-that-day/"


def test_date_at_the_calendars_edge_is_an_error_not_a_crash(tmp_path):
    errors = load_errors(tmp_path, {"content/a.md": "---\ntitle: T\ndate: 9999-12-31T23:00:00-05:00\n---\nB.\n"},
                         future=True)
    assert errors == ["content/a.md:3: 'date' 9999-12-31 23:00:00-05:00 is out of range for the site's time zone"]


# --- other generators' conventions -------------------------------------------------------------

def test_zola_taxonomies_table_gives_tags_and_section(tmp_path):
    article = load_one(tmp_path, "z.md", (
        '+++\ntitle = "Z"\ndate = 2022-01-01\n\n[taxonomies]\ntags = ["Energy", "Oil"]\ncategories = ["Business"]\n+++\nB.\n'))
    assert [t.name for t in article.tags] == ["Energy", "Oil"]
    assert article.section.name == "Business"


def test_jekyll_published_false_is_left_out_like_a_draft(tmp_path):
    loaded = load(tmp_path, {"content/2022-01-01-x.md": "---\ntitle: X\npublished: false\n---\nB.\n"})
    assert (loaded.articles, loaded.skipped_drafts) == ([], 1)


def test_pelican_authors_separated_by_semicolons_keep_their_commas(tmp_path):
    article = load_one(tmp_path, "p.md", "Title: T\nDate: 2022-01-01\nAuthors: King, Jr.; Ada Lovelace\n\nB.\n")
    assert [a.name for a in article.authors] == ["King, Jr.", "Ada Lovelace"]


def test_jekyll_date_with_space_before_offset(tmp_path):
    article = load_one(tmp_path, "a.md", "---\ntitle: T\ndate: 2022-08-10 23:30:00 -0700\n---\nB.\n")
    assert article.published == datetime(2022, 8, 11, 6, 30, tzinfo=timezone.utc)
    assert article.url == "2022/08/11/t/"


def test_parallel_loading_gives_the_same_articles_and_errors_as_serial(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    files = {f"content/a{n:03d}.md": f"---\ntitle: A{n}\ndate: 2022-01-01T00:{n % 60:02d}:00Z\n---\nB.\n"
             for n in range(80)}
    files["content/zz.md"] = "---\ntitle: Bad\n---\nB.\n"
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 2})
    with pytest.raises(BuildFailed) as serial:
        load_articles(config, reference_time())
    with ProcessPoolExecutor(2) as pool, pytest.raises(BuildFailed) as parallel:
        load_articles(config, reference_time(), pool)
    assert parallel.value.errors == serial.value.errors == [
        "content/zz.md:1: no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md"]
    (site / "content/zz.md").unlink()
    with ProcessPoolExecutor(2) as pool:
        assert load_articles(config, reference_time(), pool).articles == load_articles(config, reference_time()).articles


def test_front_matter_fences_may_carry_trailing_spaces(tmp_path):
    article = load_one(tmp_path, "a.md", b"--- \ntitle: Spaced\ndate: 2022-01-01\n---  \nBody.\n")
    assert (article.title, article.body_html) == ("Spaced", "<p>Body.</p>")
