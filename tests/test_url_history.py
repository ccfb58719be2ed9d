"""Automatic redirects: the site's URL history (`newsgen-urls.txt`) turns every earlier URL of a
published article into a redirect, survives `--clean` and a fresh clone, and says which URLs went."""

from __future__ import annotations

import shutil

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed
from site_checks import tree_digest

STORY = """\
---
title: Port reopens after the storm
date: 2025-06-01
slug: {slug}
---
The port reopened on Sunday.
"""
OLD, NEW = "2025/06/01/port-reopens/", "2025/06/01/port-back-in-business/"


def build_site(site, clean=False, record_urls=True, **overrides):
    config = load_config(site, {"workers": 1, "search": False, **overrides})
    return config.output_path, build(config, clean=clean, record_urls=record_urls)


def renamed_site(tmp_path):
    """A site built once with the slug `port-reopens`, then given the slug `port-back-in-business`."""
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens")})
    build_site(site)
    write_files(site, {"content/port.md": STORY.format(slug="port-back-in-business")})
    return site


def test_history_file_lists_every_published_url(tmp_path):
    site = renamed_site(tmp_path)
    assert (site / "newsgen-urls.txt").read_text().splitlines()[2:] == [f"content/port.md\t/{OLD}"]
    build_site(site)
    assert (site / "newsgen-urls.txt").read_text().splitlines()[2:] == [
        f"content/port.md\t/{NEW}", f"content/port.md\t/{OLD}"]


def test_changed_slug_makes_the_old_url_a_redirect_and_the_build_says_so(tmp_path):
    site = renamed_site(tmp_path)
    out, report = build_site(site, base_url="https://example.org/news/")
    assert f"content/port.md: URL changed from /{OLD} to /{NEW}; /{OLD} now redirects there" in report.notices
    page = (out / OLD / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../port-back-in-business/">' in page
    assert f"/news/{OLD} /news/{NEW} 301\n" == (out / "_redirects").read_text()
    _, again = build_site(site, base_url="https://example.org/news/")
    assert not any("URL changed" in line for line in again.notices)


def test_redirect_survives_a_clean_build_and_a_fresh_clone(tmp_path):
    site = renamed_site(tmp_path)
    out, _ = build_site(site)
    incremental = tree_digest(out)
    build_site(site, clean=True)
    assert tree_digest(out) == incremental
    clone = tmp_path / "clone"
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns(".newsgen-cache", "public"))
    cloned_out, _ = build_site(clone)
    assert tree_digest(cloned_out) == incremental
    assert (cloned_out / OLD / "index.html").is_file()


def test_deleted_article_url_disappears_and_the_build_names_it(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens"),
                                           "content/other.md": STORY.format(slug="other")})
    build_site(site)
    (site / "content" / "port.md").unlink()
    out, report = build_site(site)
    assert report.warnings == (f"content/port.md: deleted; its URL /{OLD} is no longer published (no redirect)",)
    assert not (out / OLD).exists() and not (out / "_redirects").exists()
    assert "port.md" not in (site / "newsgen-urls.txt").read_text()


def test_only_newsgen_build_writes_the_history(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens")})
    build_site(site, record_urls=False)
    assert not (site / "newsgen-urls.txt").exists()


def test_edited_history_is_an_input_of_the_build(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-back-in-business")})
    out, _ = build_site(site)
    with open(site / "newsgen-urls.txt", "a") as history:
        history.write(f"content/port.md\t/{OLD}\n")
    build_site(site)
    assert (out / OLD / "index.html").is_file()


def test_damaged_history_line_is_an_error_naming_file_and_line(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens"),
                                           "newsgen-urls.txt": "content/port.md /2025/06/01/port-reopens/\n"})
    with pytest.raises(BuildFailed) as caught:
        build_site(site)
    assert str(caught.value) == ("build failed with 1 error:\n  1. newsgen-urls.txt:1: expected 'source<TAB>/url/', "
                                 "not 'content/port.md /2025/06/01/port-reopens/'")


def test_export_record_keeps_its_history_by_id_when_its_line_moves(tmp_path):
    record = '{{"id": "A-1", "date": "2025-06-01", "title": "{title}", "body": "Text."}}\n'
    site = write_files(tmp_path / "site", {"content/wire.jsonl": record.format(title="Port reopens")})
    build_site(site)
    other = '{"id": "B-2", "date": "2025-05-01", "title": "Other news", "body": "Text."}\n'
    write_files(site, {"content/wire.jsonl": other + record.format(title="Port back in business")})
    out, report = build_site(site)
    assert (f"content/wire.jsonl:2: URL changed from /{OLD} to /{NEW}; /{OLD} now redirects there"
            in report.notices)
    assert (out / OLD / "index.html").is_file()


def test_newsgen_build_writes_the_history_and_the_next_build_has_nothing_to_do(tmp_path, capsys):
    from newsgen.cli import main

    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens")})
    assert main(["build", str(site), "-q", "-j", "1"]) == 0
    history = site / "newsgen-urls.txt"
    assert history.read_text().splitlines()[2:] == [f"content/port.md\t/{OLD}"]
    written = history.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["build", str(site), "-j", "1", "-v"]) == 0
    assert "(no input changed since the last build)" in capsys.readouterr().err
    assert history.stat().st_mtime_ns == written


def test_renamed_page_redirects_from_its_old_url(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens"),
                                           "pages/about.md": "---\ntitle: About\n---\nUs.\n"})
    build_site(site)
    write_files(site, {"pages/about.md": "---\ntitle: About\nslug: about-us\n---\nUs.\n"})
    out, report = build_site(site)
    assert "pages/about.md: URL changed from /about/ to /about-us/; /about/ now redirects there" in report.notices
    assert '<meta http-equiv="refresh" content="0; url=../about-us/">' in (out / "about" / "index.html").read_text()


def test_file_renamed_with_its_url_unchanged_reports_nothing_gone(tmp_path):
    site = write_files(tmp_path / "site", {"content/port.md": STORY.format(slug="port-reopens")})
    build_site(site)
    (site / "content" / "port.md").rename(site / "content" / "harbour.md")
    out, report = build_site(site)
    assert report.warnings == ()
    assert (site / "newsgen-urls.txt").read_text().splitlines()[2:] == [f"content/harbour.md\t/{OLD}"]
