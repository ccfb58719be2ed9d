"""What the build reads back from .newsgen-cache/ is data: planted code never runs, a damaged or
foreign entry is rebuilt, and a build through the cache equals a clean build byte for byte."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest

from newsgen.build import build
from newsgen.config import load_config
from conftest import REPO, write_files

ABOUT_PORT = """\
---
title: Port reopens after the storm
date: 2024-03-05T23:30:00+00:00
tags: [Shipping, Weather]
---
The port reopened on Tuesday after three days of closure.
"""
ABOUT_SHIPS = """\
---
title: Ships queue outside the harbour
date: 2024-03-04T08:00:00+00:00
tags: [Shipping]
---
Dozens of ships waited at anchor.
"""
ABOUT_BUDGET = """\
---
title: Council approves the budget
date: 2024-03-01
tags: [Politics]
---
The council approved next year's budget by a narrow vote.
"""
PORT_PAGE = "2024/03/05/port-reopens-after-the-storm/index.html"


class Planted:
    """Unpickling this creates the marker file: proof that a cache file was unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def make(tmp_path: Path) -> Path:
    return write_files(tmp_path / "site", {"content/port.md": ABOUT_PORT, "content/ships.md": ABOUT_SHIPS,
                                           "content/budget.md": ABOUT_BUDGET})


def run(site: Path, clean: bool = False, **overrides):
    return build(load_config(site, {"workers": 1, **overrides}), clean=clean)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes but Pagefind's indexes (`pagefind/`, a language's `es/pagefind/`), which a
    clean build makes again and Pagefind writes differently each run (the search pages' shard keys
    stand for them)."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and "pagefind" not in path.relative_to(folder).parts[:2]}


def forget_output(site: Path) -> None:
    """Remove the output (so every page is rendered again from the cached records)."""
    shutil.rmtree(site / "public")
    shutil.rmtree(site / ".newsgen-cache" / "outputs")


def edit_budget(site: Path) -> None:
    """A change that makes the next build load, index and render (but leaves related stories as they are)."""
    path = site / "content" / "budget.md"
    path.write_text(path.read_text() + "\nThe vote was 21 to 19.\n")


def set_rows(site: Path, data: bytes) -> int:
    """Put data, with a matching checksum, in every row of the article store, as stub and as record."""
    checksum = hashlib.blake2b(data, digest_size=16).hexdigest()
    db = sqlite3.connect(site / ".newsgen-cache" / "articles.sqlite")
    count = db.execute("UPDATE entries SET stub = ?, stub_sum = ?, data = ?, data_sum = ?",
                       (data, checksum, data, checksum)).rowcount
    db.commit()
    db.close()
    return count


def test_a_pickle_planted_at_the_old_related_cache_name_is_never_unpickled(tmp_path):
    site = make(tmp_path)
    run(site)
    marker = tmp_path / "executed"
    (site / ".newsgen-cache" / "related.pickle").write_bytes(pickle.dumps(Planted(marker)))
    edit_budget(site)
    run(site)
    assert not marker.exists()
    page = (site / "public" / PORT_PAGE).read_text()
    assert "Ships queue outside the harbour" in page  # the related story is still shown


@pytest.mark.parametrize("content", [
    b"not json at all",
    b'{"key": "x", "related": {"2024/03/05/port-reopens-after-the-storm/": ["nowhere/"]}}',
    pickle.dumps("a pickle"),
], ids=["garbage", "unchecked-json", "pickle"])
def test_a_damaged_or_planted_related_cache_is_computed_again(tmp_path, content):
    site = make(tmp_path)
    run(site)
    expected = (site / "public" / PORT_PAGE).read_bytes()
    cached = site / ".newsgen-cache" / "related.json"
    assert cached.is_file()
    cached.write_bytes(content)
    forget_output(site)
    run(site)
    assert (site / "public" / PORT_PAGE).read_bytes() == expected
    assert cached.read_bytes() != content  # written again


def test_the_related_cache_with_a_checksum_that_no_longer_matches_is_computed_again(tmp_path):
    site = make(tmp_path)
    run(site)
    expected = (site / "public" / PORT_PAGE).read_bytes()
    cached = site / ".newsgen-cache" / "related.json"
    assert b"ships-queue" in cached.read_bytes()
    cached.write_bytes(cached.read_bytes().replace(b"ships-queue", b"ships-queux"))
    forget_output(site)
    run(site)
    assert (site / "public" / PORT_PAGE).read_bytes() == expected


def test_a_pickle_planted_in_the_article_store_is_never_unpickled(tmp_path):
    site = make(tmp_path)
    run(site)
    marker = tmp_path / "executed"
    assert set_rows(site, pickle.dumps(Planted(marker))) == 3
    forget_output(site)
    run(site)
    assert not marker.exists()
    assert "three days of closure" in (site / "public" / PORT_PAGE).read_text()


def retitle(entry):
    entry["articles"][0]["title"] = ["not", "text"]


def far_offset(entry):
    entry["articles"][0]["published"][-1] = ["fixed", 25 * 3600 * 10**6]


def unknown_zone(entry):
    entry["articles"][0]["published"][-1] = ["pickle", "os.system"]


def next_version(entry):
    entry["version"] += 1


def tagged_extra(entry):
    entry["articles"][0]["extra"] = {"object": "os.system"}


@pytest.mark.parametrize("change", [retitle, far_offset, unknown_zone, next_version, tagged_extra, None])
def test_an_article_store_entry_of_the_wrong_shape_or_version_is_parsed_again(tmp_path, change):
    site = make(tmp_path)
    run(site)
    expected = tree(site / "public")
    db = sqlite3.connect(site / ".newsgen-cache" / "articles.sqlite")
    (data,) = db.execute("SELECT data FROM entries").fetchone()
    db.close()
    if change is None:
        data = b"{not json"
    else:
        entry = json.loads(data)
        change(entry)
        data = json.dumps(entry).encode()
    set_rows(site, data)
    forget_output(site)
    report = run(site)
    assert tree(site / "public") == expected
    assert report.articles == 3
    forget_output(site)
    run(site)  # the entries were stored again, and serve this build
    assert tree(site / "public") == expected


ZONES_AND_RECORDS = {
    "newsgen.yaml": "timezone: Europe/Paris\nrelated_count: 3\n",
    "content/paris.md": """\
        ---
        title: Paris local time, no zone given
        date: 2024-03-31 02:30
        updated: 2024-10-27 02:30
        tags: [Zones, Paris]
        extra: {desk: Metro, rank: 3, ratio: 0.5, on_front: true, missing: null, when: 2024-03-01,
                stamp: 2024-03-01T10:00:00-05:00, naive: 2024-03-01 10:00:00, nested: {list: [1, "two", [3]]}}
        corrections:
          - date: 2024-04-01T09:00:00+02:00
            text: An earlier version gave the wrong time.
          - date: 2024-04-02
            text: A second correction, with a date only.
        ---
        Clocks went forward.
        """,
    "content/new-york.md": """\
        ---
        title: New York offset
        date: 2024-03-05T10:15:00-05:00
        tags: [Zones]
        author: [Ana Ruiz, Li Wei]
        section: World
        ---
        Five hours behind.
        """,
    "content/utc.md": """\
        ---
        title: UTC with a Z
        date: 2024-03-05T10:15:00Z
        tags: [Zones]
        aliases: [old/utc.html]
        ---
        Zulu time.
        """,
    "content/zero-offset.md": """\
        ---
        title: UTC as an offset
        date: "2024-03-06T10:15:00+00:00"
        tags: [Zones]
        ---
        Zero offset, written as text.
        """,
    "content/free-form.md": """\
        ---
        title: A free-form date with a zone name
        date: "10 March 2024 10:00 UTC"
        tags: [Zones]
        ---
        Written as words.
        """,
    "content/month.md": """\
        ---
        title: Only a month is known
        date: 2024-02
        tags: [Zones, Paris]
        ---
        Sometime in February.
        """,
    "content/removed.md": """\
        ---
        title: Taken down
        date: 2024-01-10T12:00:00+01:00
        tags: [Zones]
        takedown: {date: 2024-05-01T08:00:00+02:00, reason: Removed after a court order}
        ---
        Gone.
        """,
    "content/toml.md": """\
        +++
        title = "TOML dates"
        date = 2024-03-07T07:00:00+05:30
        tags = ["Zones"]
        [extra]
        local = 2024-03-07T07:00:00
        day = 2024-03-07
        at = 07:30:00
        +++
        From a TOML header.
        """,
    "content/wire.jsonl": '{"id": "A-1", "title": "Wire one", "date": "2024-03-08T06:00:00+01:00", "body": "First.",'
                          ' "tags": ["Zones"]}\n'
                          '{"id": "A-2", "title": "Wire two", "date": "2024-03-08T07:00:00-03:00", "body": "Second.",'
                          ' "tags": ["Zones"]}\n',
}


def example_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "newsgen.yaml", site / "newsgen.yaml")
    return site


@pytest.mark.parametrize("make_site", [example_site, lambda tmp_path: write_files(tmp_path / "site", ZONES_AND_RECORDS)],
                         ids=["example-site", "zones-and-records"])
def test_a_build_from_the_cache_equals_a_clean_build_byte_for_byte(tmp_path, make_site):
    site = make_site(tmp_path)
    run(site, clean=True, output_dir="clean")
    run(site)  # fills the cache
    forget_output(site)
    run(site)  # every page rendered from the records read back from the cache
    assert tree(site / "public") == tree(site / "clean")
    edit = sorted((site / "content").glob("*.md"))[0]
    edit.write_text(edit.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    run(site)
    run(site, clean=True, output_dir="clean")
    assert tree(site / "public") == tree(site / "clean")


def test_records_read_back_from_the_store_equal_the_parsed_ones_with_the_same_zones(tmp_path):
    from newsgen.content.load import parse_file_again
    from newsgen.incremental.store import open_store

    site = write_files(tmp_path / "site", ZONES_AND_RECORDS)
    config = load_config(site, {"workers": 1})
    parsed = {path.name: parse_file_again(path, config) for path in sorted((site / "content").iterdir())}
    store = open_store(config)
    store.put_many({name: (result, result) for name, result in parsed.items()})
    read = store.get_many(parsed)
    assert read == parsed
    assert repr(read) == repr(parsed)  # repr shows each zone object: tzfile, tzoffset, tzutc, timezone...
    zones = {name: [a.published.tzinfo for a in result.articles] for name, result in parsed.items()}
    assert {name: [a.published.tzinfo for a in result.articles] for name, result in read.items()} == zones


def test_the_store_keeps_every_field_of_an_article():
    import dataclasses

    from newsgen.incremental import codec
    from newsgen.model import Article

    assert set(codec._ARTICLE_FIELDS) | set(codec.LATER_FIELDS) == {field.name for field in dataclasses.fields(Article)}
