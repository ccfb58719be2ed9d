"""The build cache in .newsgen-cache/: used when nothing changed, never served stale or damaged."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import dataclasses
from importlib import metadata
from pathlib import Path

import pytest

import newsgen
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed
from newsgen.incremental.codec import decode_result, encode_result
from newsgen.incremental.keys import _code_fingerprint
from conftest import write_files

ARTICLE = """\
---
title: Port reopens after the storm
date: 2024-03-05T23:30:00+00:00
tags: [Shipping, Weather]
---
The port reopened on Tuesday after three days of closure.

Dock workers returned to clear the backlog.
"""
OTHER = """\
---
title: Council approves the budget
date: 2024-03-01
tags: [Politics]
---
The council approved next year's budget by a narrow vote.
"""
STORY = "2024/03/05/port-reopens-after-the-storm/index.html"


def make(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    return write_files(tmp_path / "site", files or {"content/port.md": ARTICLE, "content/budget.md": OTHER})


def run(site: Path, clean: bool = False, **overrides):
    return build(load_config(site, {"workers": 1, **overrides}), clean=clean)


def poison_cache(site: Path, text: str = "POISON") -> None:
    """Replace every cached body with `text`, with valid checksums: served only if trusted."""
    db = sqlite3.connect(site / ".newsgen-cache" / "articles.sqlite")
    for key, data in db.execute("SELECT key, data FROM entries").fetchall():
        result = decode_result(data, "UTC")
        articles = tuple(dataclasses.replace(a, body_html=f"<p>{text}</p>") for a in result.articles)
        data = encode_result(dataclasses.replace(result, article=articles[0], articles=articles), "UTC")
        db.execute("UPDATE entries SET data = ?, data_sum = ? WHERE key = ?",
                   (data, hashlib.blake2b(data, digest_size=16).hexdigest(), key))
    db.commit()
    db.close()


def forget_output(site: Path) -> None:
    """Remove the output (so every page is rendered again) but keep the parsed-article cache."""
    shutil.rmtree(site / "public")
    shutil.rmtree(site / ".newsgen-cache" / "outputs")


def story(site: Path) -> str:
    return (site / "public" / STORY).read_text(encoding="utf-8")


def test_cached_articles_are_served_when_nothing_changed(tmp_path):
    # The control for the tests below: a poisoned entry IS served while its key still matches.
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    forget_output(site)
    run(site)
    assert "POISON" in story(site)


def test_edited_article_is_parsed_again(tmp_path):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    write_files(site, {"content/port.md": ARTICLE.replace("three days", "four days")})
    run(site)
    assert "four days of closure" in story(site)
    assert "POISON" not in story(site)


def test_changed_template_renders_pages_again(tmp_path):
    site = make(tmp_path)
    run(site)
    write_files(site, {"templates/article.html": """\
        {% extends "builtin/article.html" %}
        {% block title %}EDITION {{ article.title }}{% endblock %}
        """})
    report = run(site)
    assert "<title>EDITION Port reopens after the storm</title>" in story(site)
    assert report.pages_written == 2  # the two article pages, nothing else


def test_changed_config_invalidates_parsed_articles(tmp_path):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    write_files(site, {"newsgen.yaml": "timezone: Europe/Paris\n"})
    report = run(site)
    # 23:30 UTC is already the next day in Paris: the article moves to that day's URL.
    moved = site / "public" / "2024/03/06/port-reopens-after-the-storm/index.html"
    assert "three days of closure" in moved.read_text(encoding="utf-8")
    assert not (site / "public" / STORY).exists()
    assert report.pages_deleted > 0
    write_files(site, {"newsgen.yaml": "summary_words: 3\n"})
    run(site)
    front = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "The port reopened…" in front
    assert "POISON" not in story(site)


def test_new_newsgen_version_invalidates_parsed_articles(tmp_path, monkeypatch):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    forget_output(site)
    monkeypatch.setattr(newsgen, "__version__", "99.0")
    run(site)
    assert "POISON" not in story(site)
    assert "three days of closure" in story(site)


@pytest.fixture
def library_versions(monkeypatch):
    """set(name, version): builds from then on see that version of the library installed."""
    installed = metadata.version

    def _set(name: str, version: str) -> None:
        monkeypatch.setattr(metadata, "version", lambda asked: version if asked == name else installed(asked))
        _code_fingerprint.cache_clear()  # read once per process: this test stands for a new process

    yield _set
    _code_fingerprint.cache_clear()


def test_new_sanitiser_version_invalidates_parsed_articles(tmp_path, library_versions):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    forget_output(site)
    library_versions("nh3", "99.0")
    run(site)
    assert "POISON" not in story(site)
    assert "three days of closure" in story(site)


@pytest.mark.parametrize("part", ["stub", "data"])
def test_damaged_cache_entry_is_not_trusted(tmp_path, part):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    db = sqlite3.connect(site / ".newsgen-cache" / "articles.sqlite")
    db.execute(f"UPDATE entries SET {part} = substr({part}, 1, length({part}) - 7)")  # checksum no longer matches
    db.commit()
    db.close()
    forget_output(site)
    run(site)
    assert "three days of closure" in story(site)
    assert "POISON" not in story(site)


def test_corrupt_cache_file_is_ignored_and_rebuilt(tmp_path):
    site = make(tmp_path)
    run(site)
    expected = story(site)
    (site / ".newsgen-cache" / "articles.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in (site / ".newsgen-cache").glob("articles.sqlite-*"):
        extra.unlink()
    forget_output(site)
    run(site)
    assert story(site) == expected
    run(site)  # and the rebuilt cache works
    assert story(site) == expected


def test_corrupt_manifest_means_a_whole_tree_write(tmp_path):
    site = make(tmp_path)
    first = run(site)
    for manifest in (site / ".newsgen-cache" / "outputs").glob("*.json"):
        manifest.write_text("{not json")
    report = run(site)
    assert report.pages_written == first.pages_written
    assert "three days of closure" in story(site)


def test_clean_build_ignores_the_cache(tmp_path):
    site = make(tmp_path)
    run(site)
    poison_cache(site)
    report = run(site, clean=True)
    assert "POISON" not in story(site)
    assert report.pages_unchanged == 0


def test_rebuild_with_nothing_changed_writes_no_files(tmp_path):
    site = make(tmp_path)
    first = run(site)
    page = site / "public" / STORY
    before = page.stat()
    report = run(site)
    assert report.pages_written == 0
    assert report.pages_unchanged == first.pages_written
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("workers", [1, 2])
def test_output_moved_by_hand_is_written_whole(tmp_path, workers):
    site = make(tmp_path)
    run(site, workers=workers)
    shutil.rmtree(site / "public")
    report = run(site, workers=workers)
    assert report.pages_unchanged == 0
    assert "three days of closure" in story(site)


def test_templates_cannot_read_the_build_time(tmp_path):
    site = make(tmp_path)
    write_files(site, {"templates/_head.html": "<meta name=\"built\" content=\"{{ config.now.year }}\">\n"})
    with pytest.raises(BuildFailed) as failed:
        run(site)
    assert failed.value.errors == [
        f"{site / 'templates/_head.html'}:1: template error: 'newsgen.config.SiteConfig object' has no attribute 'now'"]


def test_a_later_build_time_renders_no_page_again(tmp_path, monkeypatch):
    from newsgen.render import jobs

    site = make(tmp_path)
    write_files(site, {"static/notice.txt": "notice\n"})
    run(site)
    rendered = []
    real = jobs.render_template
    monkeypatch.setattr(jobs, "render_template", lambda env, name, context: rendered.append(name) or real(env, name, context))
    os.utime(site / "static" / "notice.txt", ns=(1_700_000_000 * 10**9,) * 2)  # an input changed: the build runs
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 3600))
    report = run(site)
    assert not report.nothing_changed and report.pages_written == 0
    assert "robots.txt" in rendered  # small pages render on every build that runs
    assert [name for name in rendered if name.endswith(".html")] == []


# --- a rebuild with no input changed stops after reading the article files ---

def test_nothing_changed_rebuild_still_restores_a_deleted_page(tmp_path):
    site = make(tmp_path)
    run(site)
    assert run(site).nothing_changed
    (site / "public" / STORY).unlink()
    report = run(site)
    assert not report.nothing_changed
    assert "three days of closure" in story(site)


def test_static_file_rewritten_with_the_same_size_is_copied_again(tmp_path):
    site = make(tmp_path)
    write_files(site, {"static/notice.txt": "version A\n"})
    run(site)
    write_files(site, {"static/notice.txt": "version B\n"})
    run(site)
    assert (site / "public" / "notice.txt").read_text() == "version B\n"


def test_future_article_appears_once_its_time_comes_with_no_file_changed(tmp_path, monkeypatch):
    later = ARTICLE.replace("2024-03-05T23:30:00+00:00", "2026-06-01T08:00:00+00:00")
    site = make(tmp_path, {"content/port.md": later, "content/budget.md": OTHER})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    assert run(site).skipped_future == 1
    assert run(site).nothing_changed
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 200 * 86400))  # July 2026
    report = run(site)
    assert report.skipped_future == 0 and report.articles == 2
    assert (site / "public" / "2026/06/01/port-reopens-after-the-storm/index.html").is_file()


def test_nothing_changed_rebuild_reports_the_warnings_again(tmp_path):
    site = make(tmp_path, {"content/port.md": ARTICLE, "content/budget.md": OTHER, "content/notes.rst": "Notes\n"})
    write_files(tmp_path, {"secret/key.txt": "not for the web\n"})
    (site / "static").mkdir()
    (site / "static" / "key.txt").symlink_to(tmp_path / "secret" / "key.txt")
    first = run(site)
    assert first.warnings == (
        "content/notes.rst: skipped: reStructuredText is not supported; convert it to Markdown",
        "static/key.txt: skipped: a symbolic link to a file outside static (set follow_symlinks: true to read it)")
    again = run(site)
    assert again.nothing_changed
    assert (again.articles, again.warnings, again.notices) == (first.articles, first.warnings, first.notices)


# --- related stories and feeds are reused only while what they show is the same ---

def test_related_stories_follow_a_changed_tag(tmp_path):
    third = OTHER.replace("Council approves the budget", "Storm damage assessed").replace("[Politics]", "[Politics]")
    site = make(tmp_path, {"content/port.md": ARTICLE, "content/budget.md": OTHER, "content/storm.md": third})
    run(site)
    assert "Storm damage assessed" not in story(site).split('id="related-heading"')[-1]
    write_files(site, {"content/storm.md": third.replace("[Politics]", "[Weather]")})
    run(site)
    assert "Storm damage assessed" in story(site).split('id="related-heading"')[-1]


def test_feed_is_kept_while_its_articles_are_unchanged_and_shows_an_edited_title(tmp_path):
    site = make(tmp_path)
    run(site)
    feed = site / "public" / "feed.xml"
    before = feed.stat()
    (site / "public" / STORY).unlink()  # a build that renders something, with no article changed
    assert run(site).pages_written == 1
    assert (feed.stat().st_ino, feed.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    write_files(site, {"content/port.md": ARTICLE.replace("Port reopens after the storm", "Harbour reopens")})
    run(site)
    assert "Harbour reopens" in feed.read_text(encoding="utf-8")


def test_a_later_build_time_alone_changes_nothing_and_builds_nothing(tmp_path, monkeypatch):
    site = make(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    run(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 86400))  # every real build has a new time
    assert run(site).nothing_changed


def test_news_sitemap_follows_the_clock_with_no_file_changed(tmp_path, monkeypatch):
    fresh = ARTICLE.replace("2024-03-05T23:30:00+00:00", "2026-01-01T08:00:00+00:00")
    site = make(tmp_path, {"content/port.md": fresh, "content/budget.md": OTHER})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 12 * 3600))  # 2026-01-01 12:00 UTC
    run(site)
    assert "Port reopens" in (site / "public" / "news-sitemap.xml").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 24 * 3600))  # a day later: still in the window
    assert run(site).nothing_changed
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 3 * 86400))  # out of the two-day window
    report = run(site)
    assert not report.nothing_changed
    assert not (site / "public" / "news-sitemap.xml").exists()


def rendered(report) -> dict[str, int]:
    """Pages rendered in a build, by kind (`newsgen build --timings`)."""
    return {cost.kind: cost.pages for cost in report.page_costs}


def test_an_edited_text_renders_its_own_page_alone_when_its_record_stays(tmp_path):
    summarised = ARTICLE.replace("tags: [Shipping, Weather]", "tags: [Shipping, Weather]\nsummary: The port is open again.")
    site = make(tmp_path, {"content/port.md": summarised, "content/budget.md": OTHER})
    run(site, search=False)
    write_files(site, {"content/port.md": summarised.replace("three days of closure", "four days of closure")})
    report = run(site, search=False)
    assert rendered(report).get("article pages") == 1
    assert "listing pages" not in rendered(report)  # the tag, month and front pages show the same teaser
    assert "four days of closure" in story(site)
    incremental = {p.relative_to(site / "public"): p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    run(site, clean=True, search=False)
    assert incremental == {p.relative_to(site / "public"): p.read_bytes()
                           for p in (site / "public").rglob("*") if p.is_file()}


def test_an_edited_first_paragraph_renders_the_listings_showing_its_summary(tmp_path):
    site = make(tmp_path)
    run(site, search=False)
    write_files(site, {"content/port.md": ARTICLE.replace("reopened on Tuesday", "reopened on Wednesday")})
    report = run(site, search=False)
    assert rendered(report).get("listing pages", 0) >= 3  # front page, tags, archives
    front = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "reopened on Wednesday" in front and "reopened on Tuesday" not in front


def test_the_site_folder_spelled_another_way_renders_nothing_again(tmp_path, monkeypatch):
    import io
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 140)).save(picture, "JPEG")
    site = make(tmp_path, {"content/port.md": ARTICLE, "content/budget.md": OTHER, "static/notice.txt": "notice\n",
                           "content/harbour/index.md": OTHER.replace("Council approves", "Harbour plans")
                           + "\n![The quay](quay.jpg)\n",
                           "content/harbour/quay.jpg": picture.getvalue()})
    monkeypatch.chdir(site)
    build(load_config(Path("."), {"workers": 1}))
    assert build(load_config(site, {"workers": 1})).nothing_changed
    monkeypatch.chdir(tmp_path)
    assert build(load_config(Path("site/../site"), {"workers": 1})).nothing_changed
    write_files(site, {"content/port.md": ARTICLE.replace("clear the backlog", "clear the queue")})
    report = build(load_config(Path("site"), {"workers": 1}))
    assert "clear the queue" in story(site)
    assert rendered(report).get("article pages") == 1 and "listing pages" not in rendered(report)
