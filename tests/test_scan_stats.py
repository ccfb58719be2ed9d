"""The scan reads only the article files whose stats changed (size, modification and change
times, inode), and reads again a file modified in the second of the scan that recorded it."""

import os

from conftest import write_files

from newsgen.build import build
from newsgen.config import load_config
from newsgen.incremental.stats import KnownFiles, context_digest, file_stats_path

ARTICLE = "---\ntitle: Harbour reopens\ndate: 2024-03-01\n---\nThe harbour reopened on {}.\n"
PAGE = "public/2024/03/01/harbour-reopens/index.html"


def edited_site(tmp_path):
    site = write_files(tmp_path / "site", {"content/harbour.md": ARTICLE.format("Monday")})
    os.utime(site / "content/harbour.md", (1_600_000_000, 1_600_000_000))  # long before the scan
    config = load_config(site, {"workers": 1, "search": False})
    build(config)
    return site, config


def test_an_edit_that_puts_size_and_modification_time_back_is_seen(tmp_path):
    site, config = edited_site(tmp_path)
    source = site / "content/harbour.md"
    before = os.stat(source)
    source.write_text(ARTICLE.format("Friday"), encoding="utf-8")  # same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time moves all the same
    assert os.stat(source).st_size == before.st_size
    build(config)
    assert "reopened on Friday" in (site / PAGE).read_text(encoding="utf-8")


def test_a_file_replaced_by_another_of_the_same_size_and_times_is_seen(tmp_path):
    site, config = edited_site(tmp_path)
    source = site / "content/harbour.md"
    before = os.stat(source)
    replacement = site / "harbour.new"
    replacement.write_text(ARTICLE.format("Sunday"), encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, source)  # another inode
    build(config)
    assert "reopened on Sunday" in (site / PAGE).read_text(encoding="utf-8")


def test_a_damaged_record_of_the_files_only_costs_reading_them(tmp_path):
    site, config = edited_site(tmp_path)
    file_stats_path(config).write_bytes(b"{not json")
    (site / "content/harbour.md").write_text(ARTICLE.format("Tuesday"), encoding="utf-8")
    report = build(config)
    assert report.pages_written > 0
    assert "reopened on Tuesday" in (site / PAGE).read_text(encoding="utf-8")


def test_a_file_modified_in_the_second_of_the_recording_scan_is_read_again(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("x", encoding="utf-8")
    stat = os.stat(path)
    entry = KnownFiles.entry(stat, context_digest("content/a.md", "near"), "key")
    same_second = KnownFiles("context", stat.st_mtime_ns - stat.st_mtime_ns % 10**9, {str(path): entry})
    later = KnownFiles("context", stat.st_mtime_ns - stat.st_mtime_ns % 10**9 + 10**9, {str(path): entry})
    assert same_second.key(str(path), stat, context_digest("content/a.md", "near")) is None
    assert later.key(str(path), stat, context_digest("content/a.md", "near")) == "key"
    assert later.key(str(path), stat, context_digest("content/b.md", "near")) is None  # another path as shown
