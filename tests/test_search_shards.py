"""The search index in shards: how articles are cut into shards, what a rebuild indexes again, the
search cache's checks, and where the shards are published."""

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from article_records import make_article
from pagefind_index import find_word, shard_bundles

from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import ConfigError
from newsgen.write.search import cut_shards

STORY = """\
---
title: {title}
date: 2023-05-0{day}T09:30:00Z
tags: [Trade]
---
The {word} report arrived on day {day}.
"""
WORDS = ["walrus", "heron", "otter", "badger"]
ONE_PER_SHARD = {"search_shard_words": 1}  # every article is long enough to end its shard


def _stories() -> dict[str, str]:
    return {f"content/story-{n}.md": STORY.format(title=f"Story {n}", day=n, word=word)
            for n, word in enumerate(WORDS, 1)}


def _url(n: int) -> str:
    return f"/2023/05/0{n}/story-{n}/"


def _shard_keys(out) -> list[str]:
    html = (out / "search/index.html").read_text(encoding="utf-8")
    return re.search(r'data-shards="([^"]*)"', html).group(1).split()


def _archive(count: int, words: int = 100):
    return [replace(make_article(f"a{n:04d}", n), word_count=words) for n in range(count)]


def _slugs(shards):
    return [tuple(article.slug for article in shard) for shard in shards]


# ------------------------------------------------------------------ cutting (pure)

def test_shards_keep_date_order_and_stay_under_the_word_cap():
    articles = _archive(500)
    shards = cut_shards(articles, 3000)
    assert [a for shard in shards for a in shard] == articles
    assert all(sum(a.word_count + 2 for a in shard) <= 3000 for shard in shards)
    assert 10 < len(shards) < 150  # about 1,500 words each on average


def test_an_added_article_changes_only_the_shards_around_it():
    articles = _archive(500)
    before = _slugs(cut_shards(articles, 3000))
    added = replace(make_article("inserted", 250), word_count=100)
    after = _slugs(cut_shards(articles[:250] + [added] + articles[250:], 3000))
    changed = [shard for shard in after if shard not in before]
    assert 1 <= len(changed) <= 2 and any("inserted" in shard for shard in changed)
    assert len(set(before) - set(after)) <= 2


def test_a_removed_or_edited_article_changes_only_its_own_shard():
    articles = _archive(500)
    before = _slugs(cut_shards(articles, 3000))
    after = _slugs(cut_shards(articles[:100] + articles[101:], 3000))
    assert len(set(before) - set(after)) <= 2
    edited = articles[:300] + [replace(articles[300], title="A new headline")] + articles[301:]
    assert _slugs(cut_shards(edited, 3000)) == before


def test_a_long_article_stands_alone():
    articles = _archive(3)
    shards = cut_shards(articles[:1] + [replace(articles[1], word_count=10_000)] + articles[2:], 3000)
    assert ("a0001",) in _slugs(shards)


# ------------------------------------------------------------------ builds

def test_older_shards_are_published_in_their_own_folders_without_script_under_a_sub_path(make_site):
    out = make_site(_stories(), base_url="https://example.org/news/", **ONE_PER_SHARD)
    keys = _shard_keys(out)
    assert len(keys) == 4
    bundle = out / "pagefind"
    assert (bundle / "pagefind.js").is_file() and list(bundle.glob("wasm.*.pagefind"))
    assert not list(bundle.rglob("pagefind-ui.js")) and not list(bundle.rglob("pagefind-highlight.js"))
    assert sorted(p.name for p in bundle.iterdir() if p.is_dir() and (p / "pagefind-entry.json").is_file()) \
        == sorted(keys[1:])
    for key in keys[1:]:
        assert not (bundle / key / "pagefind.js").exists() and not list((bundle / key).glob("wasm.*"))
    assert find_word(bundle, "badger") == [_url(4)]  # the newest article is in the primary index
    assert find_word(bundle / keys[3], "walrus") == [_url(1)]  # the oldest in the last shard listed
    html = (out / "search/index.html").read_text(encoding="utf-8")
    assert 'data-bundle="../pagefind/"' in html


def test_an_edited_article_reindexes_its_shard_only(make_site, tmp_path):
    out = make_site(_stories(), **ONE_PER_SHARD)
    keys = _shard_keys(out)
    story = tmp_path / "site/content/story-2.md"
    story.write_text(story.read_text(encoding="utf-8").replace("heron", "pelican"), encoding="utf-8")
    report = build(load_config(tmp_path / "site", {"workers": 1, **ONE_PER_SHARD}))
    assert (report.search_shards_indexed, report.search_shards_reused) == (1, 3)
    changed = _shard_keys(out)
    assert [k for k in changed if k not in keys] == [changed[2]]  # the second oldest of four
    assert find_word(out / "pagefind" / changed[2], "pelican") == [_url(2)]
    assert [u for b in shard_bundles(out / "pagefind") for u in find_word(b, "heron")] == []


def test_an_added_article_indexes_the_newest_shard(make_site, tmp_path):
    out = make_site(_stories(), **ONE_PER_SHARD)
    (tmp_path / "site/content/story-5.md").write_text(STORY.format(title="Story 5", day=5, word="lynx"),
                                                      encoding="utf-8")
    report = build(load_config(tmp_path / "site", {"workers": 1, **ONE_PER_SHARD}))
    assert (report.search_shards_indexed, report.search_shards_reused) == (1, 4)
    assert find_word(out / "pagefind", "lynx") == [_url(5)]


def _identity(folder: Path) -> tuple[int, int]:
    """A folder's inode and modification time: a folder removed and made again may get the same
    inode number back, but not the same time to the nanosecond."""
    stat = os.stat(folder)
    return stat.st_ino, stat.st_mtime_ns


def test_older_shards_stay_in_the_standby_and_one_changed_there_is_linked_again(make_site, tmp_path):
    """A rebuild stages itself in the site before the last (the standby): its older shards stay
    where they are, unless their files are not the ones the cache lists."""
    out = make_site(_stories(), **ONE_PER_SHARD)
    site = tmp_path / "site"
    config = load_config(site, {"workers": 1, **ONE_PER_SHARD})
    newest = site / "content/story-4.md"
    for word in ("lynx", "ibex", "yak"):  # the newest shard (the primary index) alone changes
        standby = site / ".public.standby/pagefind"
        keys = _shard_keys(out)
        held = {key: _identity(standby / key) for key in keys[1:] if (standby / key).is_dir()}
        if word == "yak":
            assert sorted(held) == sorted(keys[1:])
            taken = next(path for path in sorted((standby / keys[2]).rglob("*")) if path.is_file())
            taken.unlink()
            stray = standby / keys[2] / "stray.txt"
            stray.write_text("not from the cache", encoding="utf-8")
        newest.write_text(STORY.format(title="Story 4", day=4, word=word), encoding="utf-8")
        report = build(config)
        assert (report.search_shards_indexed, report.search_shards_reused) == (1, 3)
    assert _identity(out / "pagefind" / keys[1]) == held[keys[1]]  # kept, not linked again
    assert (out / "pagefind" / taken.relative_to(standby)).is_file()  # replaced, complete
    assert not (out / "pagefind" / stray.relative_to(standby)).exists()
    assert find_word(out / "pagefind" / keys[2], "heron") == [_url(2)]
    assert find_word(out / "pagefind" / keys[3], "walrus") == [_url(1)]
    assert find_word(out / "pagefind", "yak") == [_url(4)]


def test_a_damaged_cache_entry_is_never_published_and_is_indexed_again(make_site, tmp_path):
    out = make_site(_stories(), **ONE_PER_SHARD)
    keys = _shard_keys(out)
    cache = tmp_path / "site/.newsgen-cache/search"
    (cache / keys[0] / "pagefind.js").write_text("alert('taken over')", encoding="utf-8")
    chunk = next((cache / keys[2] / "index").iterdir())
    chunk.write_bytes(b"\x1f\x8b" + bytes(20))
    report = build(load_config(tmp_path / "site", {"workers": 1, "output_dir": "again", **ONE_PER_SHARD}))
    assert (report.search_shards_indexed, report.search_shards_reused) == (2, 2)
    damaged = [w for w in report.warnings if "damaged" in w]
    assert damaged == [
        "search: the cached index of 1 article from 2023/05/04/story-4/ was damaged "
        "(pagefind.js does not match its checksum); indexed again",
        f"search: the cached index of 1 article from 2023/05/02/story-2/ was damaged "
        f"({chunk.relative_to(cache / keys[2]).as_posix()} does not match its checksum); indexed again"]
    again = report.output_dir / "pagefind"
    assert (again / "pagefind.js").read_bytes() == (out / "pagefind/pagefind.js").read_bytes()
    assert find_word(again / keys[2], "heron") == [_url(2)]
    assert (cache / keys[0] / "pagefind.js").read_bytes() == (out / "pagefind/pagefind.js").read_bytes()


def test_clean_indexes_every_shard_again_into_the_same_shards(make_site, tmp_path):
    out = make_site(_stories(), **ONE_PER_SHARD)
    keys = _shard_keys(out)
    report = build(load_config(tmp_path / "site", {"workers": 1, **ONE_PER_SHARD}), clean=True)
    assert (report.search_shards_indexed, report.search_shards_reused) == (4, 0)
    assert _shard_keys(out) == keys


def test_shard_size_must_be_positive(tmp_path):
    (tmp_path / "newsgen.yaml").write_text("search_shard_words: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)
    assert str(failure.value) == ("invalid configuration (1 error):\n"
                                  "  1. newsgen.yaml:1: 'search_shard_words' must be at least 1")


def test_cache_entries_a_build_did_not_use_are_pruned(make_site, tmp_path):
    make_site(_stories(), **ONE_PER_SHARD)
    (tmp_path / "site/content/story-1.md").unlink()
    build(load_config(tmp_path / "site", {"workers": 1, **ONE_PER_SHARD}))
    cache = tmp_path / "site/.newsgen-cache/search"
    out = tmp_path / "site/public"
    assert sorted(p.name for p in cache.iterdir()) == sorted(_shard_keys(out))


def test_shard_size_has_a_ceiling(tmp_path):
    (tmp_path / "newsgen.yaml").write_text("search_shard_words: 20000000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_config(tmp_path)
    assert str(failure.value) == (
        "invalid configuration (1 error):\n  1. newsgen.yaml:1: 'search_shard_words' must be at most "
        "10,000,000 (Pagefind needs about 450 bytes a word)")
