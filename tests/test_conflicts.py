"""Duplicates and conflicts are deterministic and explained, never a silent overwrite."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed


def build_errors(tmp_path, files, **overrides) -> str:
    site = write_files(tmp_path / "site", files)
    with pytest.raises(BuildFailed) as caught:
        build(load_config(site, {"workers": 1, **overrides}))
    assert not (site / "public").exists()
    return str(caught.value)


def test_two_files_claiming_one_url_is_an_error_naming_both(tmp_path):
    message = build_errors(tmp_path, {
        "content/b.md": "---\ntitle: Two\ndate: 2024-02-03\nslug: same\n---\nx\n",
        "content/a.md": "---\ntitle: One\ndate: 2024-02-03\nslug: same\n---\nx\n",
    })
    assert message == ("build failed with 1 error:\n  1. content/a.md:4: URL /2024/02/03/same/ is also claimed by "
                       "content/b.md:4; give one of them a different 'slug' or 'date'")


def build_site(tmp_path, files, **overrides):
    """Build a site from files; the report and the output folder."""
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1, **overrides})
    return build(config), config.output_path


WIRE_A = " date 2024-01-02 Storm closes the port. Ships wait outside the harbour.\n"
WIRE_B = " date 2024-01-02 Storm closes the port. The ferry to the islands is cancelled.\n"


def test_wire_copy_with_one_derived_headline_on_one_day_is_published_twice_with_a_warning(tmp_path):
    report, out = build_site(tmp_path, {"content/b.txt": WIRE_B, "content/a.txt": WIRE_A})
    assert "Ships wait outside" in (out / "2024/01/02/storm-closes-the-port/index.html").read_text(encoding="utf-8")
    assert "ferry to the islands" in (out / "2024/01/02/storm-closes-the-port-2/index.html").read_text(encoding="utf-8")
    assert report.warnings == (
        "content/b.txt: URL /2024/01/02/storm-closes-the-port/ is also derived by content/a.txt; "
        "published at /2024/01/02/storm-closes-the-port-2/ (give it a slug to choose)",)


def test_the_earliest_derived_headline_keeps_the_url_whatever_the_file_names_and_writing_order(tmp_path):
    files = {f"content/{name}.md": "---\ntitle: Storm hits the coast\ndate: 2024-02-03T0%d:00:00\n---\n%s\n" % (hour, name)
             for hour, name in [(3, "a-web-copy"), (1, "z-wire-copy"), (2, "m-desk-copy")]}
    report, out = build_site(tmp_path / "1", files)
    assert report.warnings == (
        "content/m-desk-copy.md: URL /2024/02/03/storm-hits-the-coast/ is also derived by content/z-wire-copy.md; "
        "published at /2024/02/03/storm-hits-the-coast-2/ (give it a slug to choose)",
        "content/a-web-copy.md: URL /2024/02/03/storm-hits-the-coast/ is also derived by content/z-wire-copy.md; "
        "published at /2024/02/03/storm-hits-the-coast-3/ (give it a slug to choose)")
    pages = {suffix: (out / f"2024/02/03/storm-hits-the-coast{suffix}/index.html").read_text(encoding="utf-8")
             for suffix in ("", "-2", "-3")}
    assert ["z-wire-copy" in pages[""], "m-desk-copy" in pages["-2"], "a-web-copy" in pages["-3"]] == [True] * 3
    again, out_again = build_site(tmp_path / "2", dict(reversed(files.items())))
    assert again.warnings == report.warnings
    assert {suffix: (out_again / f"2024/02/03/storm-hits-the-coast{suffix}/index.html").read_text(encoding="utf-8")
            for suffix in ("", "-2", "-3")} == pages


def test_same_time_derived_headlines_are_ordered_by_path_and_a_chosen_slug_keeps_its_url(tmp_path):
    report, out = build_site(tmp_path, {
        "content/b.md": "---\ntitle: Budget vote\ndate: 2024-02-03\n---\nb\n",
        "content/a.md": "---\ntitle: Budget vote\ndate: 2024-02-03\n---\na\n",
        "content/c.md": "---\ntitle: Other\ndate: 2024-02-03\nslug: budget-vote-2\n---\nc\n",
        "content/d.md": "---\ntitle: Ballot\ndate: 2024-02-03\nslug: ballot\n---\nd\n",
        "content/e.md": "---\ntitle: Ballot\ndate: 2024-02-03T10:00\n---\ne\n",
    })
    assert report.warnings == (
        "content/b.md: URL /2024/02/03/budget-vote/ is also derived by content/a.md; "
        "published at /2024/02/03/budget-vote-3/ (give it a slug to choose)",
        "content/e.md: URL /2024/02/03/ballot/ is also claimed by content/d.md; "
        "published at /2024/02/03/ballot-2/ (give it a slug to choose)")
    assert (out / "2024/02/03/budget-vote-2/index.html").read_text(encoding="utf-8").count("<p>c</p>") == 1


def test_same_headline_on_different_days_gets_two_pages(make_site):
    out = make_site({"content/a.md": "---\ntitle: Budget vote\ndate: 2024-02-03\n---\nx\n",
                     "content/b.md": "---\ntitle: Budget vote\ndate: 2024-02-04\n---\ny\n"})
    assert (out / "2024/02/03/budget-vote/index.html").is_file()
    assert (out / "2024/02/04/budget-vote/index.html").is_file()


def test_one_tag_spelled_three_ways_is_one_tag_with_a_notice(tmp_path):
    site = write_files(tmp_path / "site", {
        f"content/{n}.md": f"---\ntitle: Story {n}\ndate: 2024-02-0{n}\ntags: [{tag}]\n---\nx\n"
        for n, tag in enumerate(["New York", "new-york", "NEW YORK", "New York"], start=1)})
    config = load_config(site, {"workers": 1})
    report = build(config)
    tags = sorted(p.name for p in (config.output_path / "tags").iterdir() if p.is_dir())
    assert tags == ["new-york"]
    page = (config.output_path / "tags/new-york/index.html").read_text(encoding="utf-8")
    assert all(f"Story {n}" in page for n in range(1, 5))
    assert report.warnings == ("tag 'New York' also spelled 'NEW YORK', 'new-york': shown as one tag at tags/new-york/",)


def test_tag_and_author_with_one_slug_keep_separate_pages(make_site):
    out = make_site({"content/a.md": "---\ntitle: A\ndate: 2024-02-03\ntags: [Smith]\n---\nx\n",
                     "content/b.md": "---\ntitle: B\ndate: 2024-02-04\nauthor: Smith\nsection: Smith\n---\ny\n"})
    tag = (out / "tags/smith/index.html").read_text(encoding="utf-8")
    author = (out / "authors/smith/index.html").read_text(encoding="utf-8")
    section = (out / "sections/smith/index.html").read_text(encoding="utf-8")
    assert ">A</a>" in tag and ">B</a>" not in tag
    assert ">B</a>" in author and ">A</a>" not in author
    assert ">B</a>" in section and ">A</a>" not in section


@pytest.mark.parametrize("slug, permalink, claimed", [
    ("tags", "{slug}/", "/tags/ is already the tag index page"),
    ("archive", "{slug}/", "/archive/ is already the archive index page"),
    ("02", "{year}/{slug}/", "/2024/02/ is already the archive page 'February 2024'"),
    ("page", "{slug}/1/", "/page/1/ is already the front page 'News Archive'"),
    ("search", "{slug}/", "/search/ is already the search page"),
    ("on-this-day", "{slug}/", "/on-this-day/ is already the on-this-day index page"),
    ("02-03", "on-this-day/{slug}/", "/on-this-day/02-03/ is already the page 'On this day: 3 February'"),
])
def test_article_url_that_is_a_listing_page_is_an_error_naming_the_file(tmp_path, slug, permalink, claimed):
    files = {"content/x.md": f"---\ntitle: X\ndate: 2024-02-03\nslug: '{slug}'\ntags: [tags]\n---\nx\n"}
    files.update({f"content/f{n}.md": f"---\ntitle: F{n}\ndate: 2023-01-0{n}\n---\nx\n" for n in range(1, 4)})
    message = build_errors(tmp_path, files, permalink=permalink, page_size=2)
    assert message == (f"build failed with 1 error:\n  1. content/x.md:4: URL {claimed}; "
                       "give the article a different 'slug', or change 'permalink'")


def test_url_errors_name_the_line_of_the_key_the_url_came_from(tmp_path):
    files = {"content/2024-02-03-tags.md": "---\ntitle: Named by its file\ndate: 2024-02-03T10:00\ntags: [x]\n---\nx\n",
             "content/b.md": "---\ntags: [x]\ndate: 2024-02-04\ntitle: Archive\n---\nx\n"}
    message = build_errors(tmp_path, files, permalink="{slug}/")
    assert message == (
        "build failed with 2 errors:\n"
        "  1. content/2024-02-03-tags.md:3: URL /tags/ is already the tag index page; give the article a different "
        "'slug', or change 'permalink'\n"
        "  2. content/b.md:4: URL /archive/ is already the archive index page; give the article a different "
        "'slug', or change 'permalink'")


def test_static_file_clashing_with_a_page_is_an_error_not_an_overwrite(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2024-02-03\n---\nx\n",
                                           "static/index.html": "<p>mine</p>"})
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-j", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == ("error: build failed with 1 error:\n  1. static/index.html: would be written to "
                             "index.html, which newsgen writes itself; rename or remove the file\n")
    assert not (site / "public").exists()


@pytest.mark.parametrize("name", ["feed.xml", "sitemap.xml", "static/style.css", "tags/index.html"])
def test_static_file_clashing_with_a_generated_file_names_the_static_file(tmp_path, name):
    message = build_errors(tmp_path, {"content/a.md": "---\ntitle: A\ndate: 2024-02-03\ntags: [t]\n---\nx\n",
                                      f"static/{name}": "mine"})
    assert message == (f"build failed with 1 error:\n  1. static/{name}: would be written to {name}, which newsgen "
                       "writes itself; rename or remove the file")
