"""Hostile text: characters, sizes and numbers a broken scraper or an attacker can put in articles
give clear `path:line` errors or safe output, never a traceback."""

from __future__ import annotations

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config
from newsgen.errors import BuildFailed, ConfigError

LONE_SURROGATE = '{"date": "2024-01-01", "title": "x\\ud800", "body": "b"}\n'
GOOD_RECORD = '{"date": "2024-01-02", "title": "Good", "body": "b"}\n'


def build_site(tmp_path, files, **overrides):
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, **overrides})
    return config, build(config)


def test_a_lone_surrogate_in_a_json_record_is_an_error_naming_file_and_line(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/wire.jsonl": GOOD_RECORD + LONE_SURROGATE})
    assert str(failed.value) == (
        "build failed with 1 error:\n"
        "  1. content/wire.jsonl:2: invalid JSON: \\ud800 is half of a UTF-16 surrogate pair, not a character")


def test_a_lone_surrogate_record_is_skipped_with_skip_invalid_and_the_rest_builds(tmp_path, capsys):
    write_files(tmp_path / "site", {"content/wire.jsonl": LONE_SURROGATE + GOOD_RECORD})
    assert main(["build", str(tmp_path / "site"), "-j", "1", "--skip-invalid"]) == 0
    err = capsys.readouterr().err
    assert ("skipped 1 invalid article (--skip-invalid):\n"
            "  1. content/wire.jsonl:1: invalid JSON: \\ud800 is half of a UTF-16 surrogate pair, not a character") in err
    assert (tmp_path / "site/public/2024/01/02/good/index.html").is_file()


def test_a_surrogate_pair_in_a_json_record_is_one_character(make_site):
    out = make_site({"content/wire.jsonl": '{"date": "2024-01-01", "title": "Smile \\ud83d\\ude00", "body": "b"}\n'})
    assert "<h1>Smile \U0001F600</h1>" in (out / "2024/01/01/smile/index.html").read_text(encoding="utf-8")


def test_a_lone_surrogate_in_the_config_is_an_error_naming_the_key(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": 'title: "News \\ud800"\n', "content/a.md": "x"})
    with pytest.raises(ConfigError) as failed:
        load_config(site)
    assert str(failed.value) == (
        "invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: 'title' holds half of a UTF-16 surrogate pair (an escape like \\ud800), not a character")


CONTROL_TAGS = ["Bad\x01tag", "Nul\x00tag", "Non\ufffecharacter"]


def _parse_xml(path):
    import xml.etree.ElementTree as ET
    return ET.fromstring(path.read_bytes())


def test_control_characters_in_tags_and_titles_leave_every_feed_and_sitemap_parsable(tmp_path, monkeypatch):
    import yaml
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704153600")  # 2024-01-02: the article is in the news sitemap
    header = yaml.safe_dump({"title": "Storm\x02 warning", "date": "2024-01-01", "tags": CONTROL_TAGS,
                             "author": "Ana\x03 Ruiz", "summary": "Rain\x1f ahead"}, allow_unicode=True)
    config, _ = build_site(tmp_path, {"newsgen.yaml": 'title: "Daily\\u0001 News"\nfeed_rss: true\n',
                                      "content/a.md": f"---\n{header}---\nBody\x07 text.\n"},
                           feed_full_content=True)
    out = config.output_path
    atom = "{http://www.w3.org/2005/Atom}"
    feed = _parse_xml(out / "feed.xml")
    assert feed.find(f"{atom}title").text == "Daily News"
    entry = feed.find(f"{atom}entry")
    assert entry.find(f"{atom}title").text == "Storm warning"
    assert entry.find(f"{atom}author/{atom}name").text == "Ana Ruiz"
    assert entry.find(f"{atom}summary").text == "Rain ahead"
    assert [c.get("label") for c in entry.findall(f"{atom}category")] == ["Badtag", "Nultag", "Noncharacter"]
    assert "<p>Body text.</p>" in entry.find(f"{atom}content").text
    rss = _parse_xml(out / "rss.xml")
    assert [c.text for c in rss.iter("category")] == ["Badtag", "Nultag", "Noncharacter"]
    assert rss.find("channel/title").text == "Daily News"
    tag_feeds = sorted((out / "tags").glob("*/feed.xml"))
    assert len(tag_feeds) == 3
    for path in tag_feeds + sorted((out / "tags").glob("*/rss.xml")):
        _parse_xml(path)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    sitemap = _parse_xml(out / "news-sitemap.xml")
    assert sitemap.find(f".//{news}name").text == "Daily News"
    assert sitemap.find(f".//{news}title").text == "Storm warning"
    for path in out.glob("sitemap*.xml"):
        _parse_xml(path)


def test_thousands_of_tags_give_bounded_feeds_and_a_warning_naming_file_and_line(tmp_path):
    tags = ", ".join(f"topic {number}" for number in range(2000))
    config, report = build_site(tmp_path, {"content/a.md": f"---\ntitle: Tagged\ndate: 2024-01-01\ntags: [{tags}]\n---\nx\n"},
                                search=False)
    out = config.output_path
    assert report.warnings == ("content/a.md:4: 2000 tags on one article, more than tags_per_article_warning (100); "
                               "each tag gets a page and a feed",)
    assert len(list((out / "tags").glob("*/feed.xml"))) == 2000
    feed = (out / "tags/topic-1999/feed.xml").read_text(encoding="utf-8")
    assert feed.count("<category ") == 20 and 'label="Topic 19"' in feed and 'label="Topic 20"' not in feed
    assert sum(path.stat().st_size for path in (out / "tags").rglob("*.xml")) < 2000 * 5000
    page = (out / "2024/01/01/tagged/index.html").read_text(encoding="utf-8")
    assert "Topic 1999" in page


def test_the_tag_warning_threshold_is_a_setting_and_the_tags_are_kept(tmp_path):
    record = '{"date": "2024-01-01", "title": "Keywords", "body": "x", "tags": "a; b; c; d"}\n'
    config, report = build_site(tmp_path, {"content/wire.jsonl": GOOD_RECORD + record}, tags_per_article_warning=3)
    assert report.warnings == ("content/wire.jsonl:2: 4 tags on one article, more than tags_per_article_warning (3); "
                               "each tag gets a page and a feed",)
    assert sorted(path.name for path in (config.output_path / "tags").iterdir() if path.is_dir()) == ["a", "b", "c", "d"]


def test_a_csv_field_over_128_kib_is_read_with_every_later_row(tmp_path):
    long_body = "word " * 60_000
    csv_text = (f"date,title,body\n2024-01-01,Long,{long_body}\n2024-01-02,After,Short body\n")
    config, report = build_site(tmp_path, {"content/feed.csv": csv_text})
    assert report.articles == 2
    assert (config.output_path / "2024/01/01/long/index.html").stat().st_size > 300_000
    assert (config.output_path / "2024/01/02/after/index.html").is_file()


def test_bad_csv_rows_are_errors_at_their_lines_and_every_good_row_is_read(tmp_path):
    csv_text = ("date,title,body\n"
                "2024-01-01,First,One\n"
                '2024-01-02,"Quoted"junk,Two\n'
                "2024-01-03,Nul\x00row,Three\n"
                "2024-01-04,Fourth,Four\n"
                '2024-01-05,"Never closed,Five\n'
                "2024-01-06,Sixth,Six\n")
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/feed.csv": csv_text})
    assert str(failed.value) == (
        "build failed with 3 errors:\n"
        "  1. content/feed.csv:3: invalid CSV: ',' expected after '\"'\n"
        "  2. content/feed.csv:4: invalid CSV: the row holds a NUL byte\n"
        "  3. content/feed.csv:6: invalid CSV: unexpected end of data")
    config, report = build_site(tmp_path, {"content/feed.csv": csv_text}, skip_invalid=True)
    built = sorted(path.parent.name for path in config.output_path.glob("2024/01/*/*/index.html"))
    assert built == ["first", "fourth", "sixth"]


BIG = "9" * 5000


def test_numbers_of_more_than_4300_digits_are_errors_naming_file_and_line(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {
            "content/a.md": f"---\ntitle: T\ndate: 2024-01-03\nwords: {BIG}\n---\nb\n",
            "content/b.md": f"+++\ntitle = 'T'\ndate = 2024-01-04\n\nwords = [1, {BIG}]\n+++\nb\n",
            "content/c.jsonl": GOOD_RECORD + f'{{"date": "2024-01-05", "title": "x", "words": {BIG}}}\n',
            "content/d.md": f"---\ntitle: T\ndate: 2024-01-06\ntags: [a, 0x{'f' * 5000}]\n---\nb\n",
            "content/e.md": f"+++\ntitle = 'T'\ndate = 2024-01-07\nslug = 0x{'f' * 5000}\n+++\nb\n",
        })
    assert str(failed.value) == (
        "build failed with 5 errors:\n"
        "  1. content/a.md:4: invalid YAML front matter: a number of more than 4300 digits\n"
        "  2. content/b.md:5: invalid TOML front matter: a number of more than 4300 digits\n"
        "  3. content/c.jsonl:2: invalid JSON: a number of more than 4300 digits (column 47)\n"
        "  4. content/d.md:4: 'tags' holds a number of more than 4300 digits\n"
        "  5. content/e.md:4: 'slug' holds a number of more than 4300 digits")


def test_an_impossible_yaml_date_is_still_reported_with_its_own_line(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/a.md": "---\ntitle: T\nwords: 12\ndate: 2024-02-30\n---\nb\n"})
    assert str(failed.value) == (
        "build failed with 1 error:\n"
        "  1. content/a.md:4: invalid date '2024-02-30' in YAML front matter: day is out of range for month")


@pytest.mark.parametrize("script, greek", [("ascii", "odos"), ("unicode", "οδοσ")])
def test_names_that_differ_only_in_case_folding_are_one_tag_author_and_section(make_site, script, greek):
    out = make_site({
        "content/a.md": "---\ntitle: A\ndate: 2024-01-01\ntags: [ΟΔΟΣ, Straße]\nauthor: Jürgen Strauß\nsection: Straße\n---\nx\n",
        "content/b.md": "---\ntitle: B\ndate: 2024-01-02\ntags: [οδοσ, STRASSE]\nauthor: JÜRGEN STRAUSS\nsection: STRASSE\n---\nx\n",
        "content/c.md": "---\ntitle: C\ndate: 2024-01-03\ntags: [οδος]\n---\nx\n",
    }, slug_script=script)
    listings = sorted(p.name for p in (out / "tags").iterdir() if (p / "feed.xml").is_file())
    assert listings == sorted(["strasse", greek])
    assert [p.name for p in (out / "authors").iterdir() if p.is_dir()] == ["jurgen-strauss"]
    assert [p.name for p in (out / "sections").iterdir() if p.is_dir()] == ["strasse"]
    listing = (out / "tags" / greek / "index.html").read_text(encoding="utf-8")
    assert all(f">{title}</a>" in listing for title in "ABC")


LONG_NAME = "-".join(["漢" * 30, "漢" * 30, "漢" * 10])
"""Slugified with `slug_script: unicode`, 200 bytes: a slug as long as one can be."""


def _output_names(out):
    return [len(path.name.encode("utf-8")) for path in out.rglob("*")]


def test_a_renamed_article_of_a_jekyll_tree_keeps_its_slug_within_200_bytes(tmp_path):
    name = f"2024-01-01-{LONG_NAME}.md"
    config, report = build_site(tmp_path, {f"content/_posts/{name}": "---\ntitle: Same\n---\nOne\n",
                                           f"content/world/_posts/{name}": "---\ntitle: Same\n---\nTwo\n"},
                                slug_script="unicode")
    folders = sorted((path.name for path in (config.output_path / "2024/01/01").iterdir() if path.is_dir()), key=len)
    assert len(folders) == 2 and max(map(len, map(str.encode, folders))) <= 200
    assert folders[1] == "漢" * 30 + "-" + "漢" * 3 + "-2024-01-01-" + "漢" * 29
    assert len(report.warnings) == 1 and f"this article gets /2024/01/01/{folders[1]}/" in report.warnings[0]
    assert max(_output_names(config.output_path)) <= 200


def test_export_records_renamed_by_a_long_id_keep_their_slugs_within_200_bytes(tmp_path):
    records = "".join(f'{{"id": "{LONG_NAME}{n}", "date": "2024-01-01", "title": "{LONG_NAME}", "body": "b"}}\n'
                      for n in range(3))
    config, report = build_site(tmp_path, {"content/wire.jsonl": records}, slug_script="unicode")
    assert report.articles == 3
    assert max(_output_names(config.output_path)) <= 200


@pytest.mark.parametrize("epoch, day", [("253402300799", "9999-12-31"), ("-62135596800", "0001-01-01")])
def test_a_build_at_the_edge_of_the_calendar_lists_the_article_in_the_news_sitemap(tmp_path, monkeypatch, epoch, day):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    config, report = build_site(tmp_path, {"content/a.md": f"---\ntitle: Edge\ndate: {day}\n---\nb\n"})
    assert report.articles == 1
    news = (config.output_path / "news-sitemap.xml").read_text(encoding="utf-8")
    assert f"<news:publication_date>{day}T00:00:00+00:00</news:publication_date>" in news
    assert build(config).nothing_changed


def test_an_article_file_or_export_record_over_max_article_bytes_is_an_error_the_export_file_is_not(tmp_path):
    body = "x" * 600
    files = {"content/big.md": f"---\ntitle: Big\ndate: 2024-01-01\n---\n{body}\n",
             "content/small.md": "---\ntitle: Small\ndate: 2024-01-02\n---\nx\n",
             "content/wire.jsonl": GOOD_RECORD + f'{{"date": "2024-01-03", "title": "Long", "body": "{body}"}}\n' + '{"date": "2024-01-04", "title": "After", "body": "b"}\n',
             "content/feed.csv": f'date,title,body\n2024-01-05,Fine,x\n2024-01-06,Long,"{body[:300]}\n{body[:300]}"\n'}
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, files, max_article_bytes=500)
    assert str(failed.value) == (
        "build failed with 3 errors:\n"
        "  1. content/big.md:1: the article is 637 bytes, more than max_article_bytes (500)\n"
        "  2. content/feed.csv:3: the record is 620 bytes, more than max_article_bytes (500)\n"
        "  3. content/wire.jsonl:2: the record is 651 bytes, more than max_article_bytes (500)")
    config, report = build_site(tmp_path, files, max_article_bytes=500, skip_invalid=True)
    assert report.articles == 4 and len(report.skipped_invalid) == 3


def test_a_title_over_max_title_length_is_an_error_at_its_line(tmp_path, capsys):
    write_files(tmp_path / "site", {
        "content/a.md": "---\ndate: 2024-01-01\ntitle: " + "Long " * 100 + "\n---\nx\n",
        "content/b.md": "---\ndate: 2024-01-02\ntitle: Short\n---\nx\n",
        "newsgen.yaml": "max_title_length: 200\nsearch: false\n"})
    assert main(["build", str(tmp_path / "site"), "-j", "1", "--skip-invalid"]) == 0
    assert ("skipped 1 invalid article (--skip-invalid):\n"
            "  1. content/a.md:3: the title is 499 characters long, more than max_title_length (200)") in capsys.readouterr().err
    assert (tmp_path / "site/public/2024/01/02/short/index.html").is_file()


def test_stray_nul_bytes_in_an_article_are_removed_with_a_warning_naming_the_lines(tmp_path):
    files = {"content/a.md": b"---\r\ntitle: Stray\x00 bytes\r\ndate: 2024-01-01\r\n---\r\nBody\x00 te\x00xt.\r\n",
             "content/b.md": b"---\ntitle: One\x00\ndate: 2024-01-02\n---\nx\n"}
    config, report = build_site(tmp_path, files)
    assert report.warnings == ("content/a.md:2: removed 3 NUL bytes (lines 2, 5)", "content/b.md:2: removed 1 NUL byte")
    page = (config.output_path / "2024/01/01/stray-bytes/index.html").read_text(encoding="utf-8")
    assert "<h1>Stray bytes</h1>" in page and "<p>Body text.</p>" in page


def test_a_file_that_is_mostly_nul_bytes_is_still_binary(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/a.md": "---\ntitle: T\ndate: 2024-01-01\n---\nx\n".encode("utf-16-le")})
    assert str(failed.value) == "build failed with 1 error:\n  1. content/a.md:1: contains NUL bytes; is this a binary file?"


def test_a_number_of_more_than_4300_digits_in_the_config_is_an_error_naming_its_line(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": f"title: News\npage_size: {BIG}\n", "content/a.md": "x"})
    with pytest.raises(ConfigError) as failed:
        load_config(site)
    assert str(failed.value) == "newsgen.yaml:2: invalid YAML: a number of more than 4300 digits"


def test_an_article_file_over_max_article_bytes_is_never_read_into_memory(tmp_path):
    import tracemalloc
    site = write_files(tmp_path / "site", {"content/small.md": "---\ntitle: Small\ndate: 2024-01-02\n---\nx\n"})
    with open(site / "content/huge.md", "wb") as handle:
        handle.truncate(64_000_000)  # sparse: no disk used
    config = load_config(site, {"workers": 1, "skip_invalid": True, "search": False, "max_article_bytes": 1_000_000})
    tracemalloc.start()
    try:
        report = build(config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.skipped_invalid == ("content/huge.md:1: the article is 64,000,000 bytes, more than "
                                      "max_article_bytes (1,000,000)",)
    assert report.articles == 1 and peak < 20_000_000


def test_related_stories_of_an_archive_with_a_large_keyword_vocabulary_take_seconds():
    import random
    import time

    from article_records import make_article
    from newsgen.index.related import relate_articles

    rng = random.Random(7)
    vocabulary = [f"k{number}" for number in range(20_000)]
    articles = [make_article(f"a{number}", -number, tuple(rng.sample(vocabulary, 40))) for number in range(2000)]
    started = time.perf_counter()
    related = relate_articles(articles, 4)
    assert time.perf_counter() - started < 20  # about 2 s; scanning each pair's bits of every tag took minutes
    assert len(related) == 2000 and all(len(others) == 4 for others in related.values())


def test_an_author_feed_names_at_most_20_of_an_articles_authors(tmp_path):
    names = ", ".join(f"Author {number}" for number in range(30))
    config, _ = build_site(tmp_path, {"content/a.md": f"---\ntitle: Crowd\ndate: 2024-01-01\nauthors: [{names}]\n---\nx\n"},
                           search=False)
    feed = (config.output_path / "authors/author-29/feed.xml").read_text(encoding="utf-8")
    assert feed.count("<author>") == 1 + 20 and "<name>Author 19</name>" in feed and "Author 20<" not in feed


def test_a_teaser_names_20_authors_and_counts_the_others_the_article_page_names_all(tmp_path):
    names = ", ".join(f"Author {number}" for number in range(30))
    config, _ = build_site(tmp_path, {"content/a.md": f"---\ntitle: Crowd\ndate: 2024-01-01\nauthors: [{names}]\n---\nx\n",
                                      "content/b.md": "---\ntitle: Pair\ndate: 2024-01-02\nauthors: [Ana, Bo, Cy]\n---\nx\n"},
                           search=False)
    out = config.output_path
    listing = (out / "authors/author-29/index.html").read_text(encoding="utf-8")
    assert '<a href="../author-19/">Author 19</a> and 10 others</p>' in listing
    assert listing.count('<a href="../author-') == 20
    article = (out / "2024/01/01/crowd/index.html").read_text(encoding="utf-8")
    assert '<a href="../../../../authors/author-28/">Author 28</a> and <a href="../../../../authors/author-29/">Author 29</a>' in article
    front = (out / "index.html").read_text(encoding="utf-8")
    assert ('By <a href="authors/ana/">Ana</a>, <a href="authors/bo/">Bo</a> and <a href="authors/cy/">Cy</a></p>'
            in front)
