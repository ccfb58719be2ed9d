"""Bulk exports: JSON Lines and CSV files in the content folder are collections of articles."""

import json

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config
from newsgen.errors import BuildFailed, ConfigError


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


GOOD = [
    {"id": "w-1", "date": "2024-03-05T09:30:00", "title": "Port strike ends", "body": "Dockers voted.\n\nShips sail again.",
     "tags": ["Labour", "Shipping"], "author": "Ana Ruiz", "section": "Business"},
    {"id": "w-2", "date": "2024-03-06", "title": "", "body": "Rain is expected across the north on Thursday. More later.",
     "topics": ["weather"]},
]


def build_site(tmp_path, files, **overrides):
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, **overrides})
    return config, build(config)


def test_jsonl_records_become_article_pages_with_tags_author_and_paragraphs(make_site):
    out = make_site({"content/wire.jsonl": jsonl(*GOOD)})
    page = (out / "2024/03/05/port-strike-ends/index.html").read_text(encoding="utf-8")
    assert "<h1>Port strike ends</h1>" in page
    assert "<p>Dockers voted.</p>\n<p>Ships sail again.</p>" in page
    assert "Ana Ruiz" in page and "Labour" in page and "Shipping" in page
    assert (out / "tags/labour/index.html").is_file()
    assert (out / "sections/business/index.html").is_file()
    untitled = out / "2024/03/06/rain-is-expected-across-the-north-on-thursday/index.html"
    assert "<h1>Rain is expected across the north on Thursday</h1>" in untitled.read_text(encoding="utf-8")
    assert (out / "tags/weather/index.html").is_file()


def test_jsonl_bad_lines_fail_the_build_listing_every_one_with_file_and_line(tmp_path):
    records = jsonl(GOOD[0], '{"id": "w-9", "date": "2024-03-07", "title": "Cut off',
                    {"id": "w-3", "title": "No date here", "body": "x"},
                    {"id": "w-4", "date": "next Tuesday-ish", "title": "Odd date", "body": "x"},
                    "[1, 2]")
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/wire.jsonl": records})
    assert str(failed.value) == (
        "build failed with 4 errors:\n"
        "  1. content/wire.jsonl:2: invalid JSON: Unterminated string starting at (column 46)\n"
        "  2. content/wire.jsonl:3: no date: the record has none of the fields 'date', 'published', 'pubdate', 'datetime'\n"
        "  3. content/wire.jsonl:4: cannot parse date 'next Tuesday-ish'; use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00\n"
        "  4. content/wire.jsonl:5: expected a JSON object for one article, not list"
    )


def test_skip_invalid_builds_the_rest_and_prints_the_count_and_list(tmp_path, capsys):
    write_files(tmp_path / "site", {"content/wire.ndjson": jsonl(GOOD[0], "{oops", GOOD[1])})
    assert main(["build", str(tmp_path / "site"), "-j", "1", "--skip-invalid"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 invalid article (--skip-invalid):\n  1. " in err
    assert "wire.ndjson:2: invalid JSON: Expecting property name enclosed in double quotes (column 2)" in err
    assert (tmp_path / "site/public/2024/03/05/port-strike-ends/index.html").is_file()
    assert (tmp_path / "site/public/2024/03/06/rain-is-expected-across-the-north-on-thursday/index.html").is_file()


def test_skip_invalid_config_key_also_skips_bad_article_files(tmp_path):
    _, report = build_site(tmp_path, {"content/a.md": "# No date\n\ntext\n", "content/wire.jsonl": jsonl(GOOD[0])},
                           skip_invalid=True)
    assert report.articles == 1
    assert report.skipped_invalid == (
        "content/a.md:1: no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md",)


def test_csv_rows_with_quoted_multiline_bodies_and_bad_rows_report_file_lines(tmp_path):
    csv_text = (
        "id,date,title,text,tags,authors\n"
        'a1,2023-11-02,Bridge reopens,"First paragraph.\n\nSecond paragraph.","roads, city",Kim Lee; Bo Diaz\n'
        "a2,2023-11-02,Short row\n"
        "a3,,No date,Body,,\n"
        "a4,2023-13-45,Bad date,Body,,\n"
    )
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, {"content/feed.csv": csv_text})
    assert str(failed.value) == (
        "build failed with 3 errors:\n"
        "  1. content/feed.csv:5: expected 6 fields like the header row, found 3\n"
        "  2. content/feed.csv:6: no date: the record has none of the fields 'date', 'published', 'pubdate', 'datetime'\n"
        "  3. content/feed.csv:7: cannot parse date '2023-13-45'; use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00"
    )


def test_csv_good_rows_build_with_list_fields_split(make_site):
    csv_text = ('id,date,title,text,tags,authors\n'
                'a1,2023-11-02,Bridge reopens,"First paragraph.\n\nSecond paragraph.","roads, city",Kim Lee; Bo Diaz\n')
    out = make_site({"content/feed.csv": csv_text})
    page = (out / "2023/11/02/bridge-reopens/index.html").read_text(encoding="utf-8")
    assert "<p>First paragraph.</p>\n<p>Second paragraph.</p>" in page
    assert (out / "tags/roads/index.html").is_file() and (out / "tags/city/index.html").is_file()
    assert (out / "authors/kim-lee/index.html").is_file() and (out / "authors/bo-diaz/index.html").is_file()


def test_same_headline_same_day_gets_distinct_urls_from_the_record_id(make_site):
    records = [{"id": f"R-{n}", "date": f"1987-04-07T10:0{n}:00", "title": "PROPOSED OFFERINGS", "body": f"Filing {n}."}
               for n in range(3)]
    out = make_site({"content/wire.jsonl": jsonl(*records)})
    day = out / "1987/04/07"
    assert sorted(p.name for p in day.iterdir() if p.is_dir()) == [
        "proposed-offerings", "proposed-offerings-r-1", "proposed-offerings-r-2"]
    assert "Filing 0." in (day / "proposed-offerings/index.html").read_text(encoding="utf-8")
    assert "Filing 2." in (day / "proposed-offerings-r-2/index.html").read_text(encoding="utf-8")


def test_url_clash_between_an_export_record_and_another_file_publishes_both_with_a_warning(tmp_path):
    files = {"content/wire.jsonl": jsonl(GOOD[0]),
             "content/strike.md": "---\ntitle: Port strike ends\ndate: 2024-03-05\n---\nText.\n"}
    config, report = build_site(tmp_path, files)
    assert report.warnings == (
        "content/wire.jsonl:1: URL /2024/03/05/port-strike-ends/ is also derived by content/strike.md; "
        "published at /2024/03/05/port-strike-ends-2/ (give it a slug to choose)",)
    day = config.output_path / "2024/03/05"
    assert "Dockers voted." in (day / "port-strike-ends-2/index.html").read_text(encoding="utf-8")
    assert "Text." in (day / "port-strike-ends/index.html").read_text(encoding="utf-8")


def test_url_clash_between_chosen_slugs_of_an_export_and_another_file_is_an_error_naming_both(tmp_path):
    files = {"content/wire.jsonl": jsonl({**GOOD[0], "slug": "strike"}),
             "content/strike.md": "---\ntitle: Port strike ends\ndate: 2024-03-05\nslug: strike\n---\nText.\n"}
    with pytest.raises(BuildFailed) as failed:
        build_site(tmp_path, files)
    assert str(failed.value) == (
        "build failed with 1 error:\n"
        "  1. content/strike.md:4: URL /2024/03/05/strike/ is also claimed by content/wire.jsonl:1; "
        "give one of them a different 'slug' or 'date'")


def test_export_fields_and_markup_come_from_the_config(make_site):
    record = {"uid": 7, "when": "2021-06-01", "headline": "Budget passes", "html": "<p>Vote <em>close</em>.</p>",
              "kw": "fiscal; parliament"}
    out = make_site({"content/x.jsonl": jsonl(record)}, export_markup="html",
                    export_fields={"date": "when", "title": ["headline"], "body": ["html"], "tags": ["kw"], "id": "uid"})
    page = (out / "2021/06/01/budget-passes/index.html").read_text(encoding="utf-8")
    assert "<p>Vote <em>close</em>.</p>" in page
    assert (out / "tags/fiscal/index.html").is_file() and (out / "tags/parliament/index.html").is_file()


def test_unknown_export_field_and_markup_are_config_errors(tmp_path):
    (tmp_path / "newsgen.yaml").write_text("export_markup: rst\nexport_fields:\n  titel: headline\n")
    with pytest.raises(ConfigError) as failed:
        load_config(tmp_path)
    assert str(failed.value) == (
        "invalid configuration (2 errors):\n"
        "  1. newsgen.yaml:1: 'export_markup' must be text, markdown or html, not 'rst'\n"
        "  2. newsgen.yaml:2: 'export_fields' has an unknown article field 'titel' (did you mean 'title'?)")


def test_a_record_url_gives_the_slug_when_there_is_none(make_site):
    record = {"date": "2022-02-02", "title": "Long headline that differs", "url": "https://old.example/news/short-name.html",
              "body": "Text."}
    out = make_site({"content/old.jsonl": jsonl(record)})
    assert "<h1>Long headline that differs</h1>" in (out / "2022/02/02/short-name/index.html").read_text(encoding="utf-8")


def test_an_empty_record_is_left_out_with_a_warning_naming_its_line(tmp_path):
    records = jsonl(GOOD[0], {"id": "w-5", "date": "2024-03-07", "title": "", "body": "  "})
    config, report = build_site(tmp_path, {"content/wire.jsonl": records})
    assert report.articles == 1
    assert report.warnings == ("content/wire.jsonl:2: empty record (no title and no body text); left out",)
