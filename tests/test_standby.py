"""The standby: the site as it was before the last swap, kept beside the output folder and brought
up to date by the next build, so that a rebuild stages what changed instead of the whole site.
Whatever happens to it, the output equals a clean build and a failed or killed build leaves the
previous site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newsgen.build import build
from newsgen.config import load_config
from newsgen.write import publish as writer
from conftest import interrupted_on_call, write_files
from test_parallel import article, make_site, snapshot

STANDBY = ".public.standby"


def run(site: Path, output: str = "public", search: bool = False, clean: bool = False):
    """Build with one process, search off unless asked (the standby treats the index as any file)."""
    return build(load_config(site, {"workers": 1, "output_dir": output, "search": search}), clean=clean)


def standby_files(site: Path) -> dict[str, bytes]:
    """The standby's files but its token."""
    files = snapshot(site / STANDBY, search_index=True)
    assert len(files.pop(writer.STANDBY_TOKEN)) == 32
    return files


def beside(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".public."))


def same_as_clean(site: Path, search: bool = False) -> None:
    shutil.rmtree(site / "fresh", ignore_errors=True)
    run(site, output="fresh", clean=True, search=search)
    assert snapshot(site / "public") == snapshot(site / "fresh")
    shutil.rmtree(site / "fresh")


def site_with_standby(tmp_path: Path) -> Path:
    """A site built twice, the second time after an edit: its previous site is the standby."""
    site = make_site(tmp_path / "site", count=40)
    run(site)
    write_files(site, {"content/r020.md": article(20, body="A new first paragraph.")})
    run(site)
    return site


def counting_links(monkeypatch) -> list[str]:
    """Record every hard link the writer makes."""
    made: list[str] = []
    real = writer.os.link

    def link(source, target):
        made.append(target)
        return real(source, target)

    monkeypatch.setattr(writer.os, "link", link)
    return made


def test_a_rebuild_keeps_the_previous_site_as_the_standby(tmp_path):
    site = make_site(tmp_path / "site", count=40)
    run(site, search=True)
    assert beside(site) == []  # the first build has no previous site
    first = snapshot(site / "public", search_index=True)
    write_files(site, {"content/r020.md": article(20, body="A new first paragraph.")})
    run(site, search=True)
    assert beside(site) == [STANDBY]
    assert standby_files(site) == first  # exactly the site before the swap, its index too
    second = snapshot(site / "public", search_index=True)
    write_files(site, {"content/r030.md": article(30, body="Another new first paragraph.")})
    run(site, search=True)  # staged in the standby: its old index removed, the new one written
    assert standby_files(site) == second
    assert (site / "public/pagefind/pagefind.js").is_file()
    same_as_clean(site, search=True)


def test_the_next_rebuild_stages_what_changed_not_the_whole_site(tmp_path, monkeypatch):
    site = make_site(tmp_path / "site", count=40)
    run(site)
    write_files(site, {"content/r020.md": article(20, body="A new first paragraph.")})
    run(site)  # makes the standby
    files = len(snapshot(site / "public", search_index=True))
    second = snapshot(site / "public", search_index=True)
    made = counting_links(monkeypatch)
    write_files(site, {"content/r030.md": article(30, body="Another new first paragraph.")})
    report = run(site)
    assert 0 < report.pages_written and files > 150
    assert len(made) < files / 5  # the files changed by the last two builds, not one link per file
    assert standby_files(site) == second
    same_as_clean(site)


def test_added_deleted_and_moved_pages_through_the_standby_equal_a_clean_build(tmp_path):
    site = make_site(tmp_path / "site", count=40)
    run(site)
    steps = [
        {"content/r200.md": article(200)},  # an added article: new folders
        {"content/r005.md": None},  # a deleted one: its folders go
        {"content/r010.md": article(10, title="A renamed report")},  # a moved page
        {"content/r200.md": None, "content/r005.md": article(5)},  # back as it was two builds ago
    ]
    for step in steps:
        for name, text in step.items():
            if text is None:
                (site / name).unlink()
            else:
                write_files(site, {name: text})
        run(site)
        assert beside(site) == [STANDBY]
        same_as_clean(site)


def test_a_build_killed_while_updating_the_standby_leaves_the_previous_site(tmp_path):
    site = site_with_standby(tmp_path)
    before = snapshot(site / "public", search_index=True)
    write_files(site, {"content/r030.md": article(30, body="Yet another first paragraph.")})
    with interrupted_on_call(writer.os, "replace", 2) as calls, pytest.raises(KeyboardInterrupt):
        run(site)
    assert len(calls) == 2  # it was updating the standby
    assert snapshot(site / "public", search_index=True) == before
    run(site)
    assert beside(site) == [STANDBY]
    same_as_clean(site)


@pytest.mark.parametrize("how", ["replaced", "emptied"])
def test_a_standby_the_manifest_does_not_describe_is_removed_not_published(tmp_path, how):
    site = site_with_standby(tmp_path)
    if how == "replaced":  # another folder, which may get the removed one's inode
        shutil.rmtree(site / STANDBY)
    else:  # the same folder (device and inode), its files removed by hand
        for child in (site / STANDBY).iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    (site / STANDBY / "2023").mkdir(parents=True)
    (site / STANDBY / "stray.html").write_text("not newsgen's")
    write_files(site, {"content/r030.md": article(30, body="Yet another first paragraph.")})
    run(site)
    assert not (site / "public" / "stray.html").exists()
    assert not (site / STANDBY / "stray.html").exists()
    same_as_clean(site)


def test_a_stray_file_inside_the_standby_is_not_published(tmp_path):
    site = site_with_standby(tmp_path)
    (site / STANDBY / "stray.html").write_text("not newsgen's")
    write_files(site, {"content/r030.md": article(30, body="Yet another first paragraph.")})
    run(site)
    assert not (site / "public" / "stray.html").exists()
    same_as_clean(site)


def test_clean_builds_and_failed_builds_leave_no_stale_standby(tmp_path):
    site = site_with_standby(tmp_path)
    run(site, clean=True)
    assert beside(site) == []  # a clean build knows nothing of the previous site's files
    write_files(site, {"content/r020.md": article(20, body="Changed again.")})
    run(site)
    write_files(site, {"templates/article.html": "{{ nonsense() }}"})
    with pytest.raises(Exception):
        run(site)
    assert beside(site) in ([], [STANDBY])
    os.unlink(site / "templates/article.html")
    run(site)
    same_as_clean(site)
