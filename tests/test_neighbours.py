"""A file of another generator's tree is read in the light of its neighbours (a Hugo `index.md`
makes its folder a page bundle; `_index.md` files mark sections): when they come or go, a build
through the cache, and a preview build in the same process, equal a clean build."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import write_files
from newsgen.build import BuildReport, build
from newsgen.config import load_config
from newsgen.content.layouts import Neighbours
from newsgen.content.scan import neighbours_on_disk, scan_sources
from newsgen.serve.server import PreviewState
from newsgen.serve.watch import PreviewBuilder

SETTINGS = {"workers": 1, "search": False}

HUGO_SITE = {
    "newsgen.yaml": "title: Harbour Desk\n",
    "content/_index.md": "---\ntitle: Home\n---\nThe front page.\n",
    "content/posts/_index.md": "---\ntitle: Posts\n---\nEvery post.\n",
    "content/posts/a.md": "---\ntitle: Ferry timetable changes\ndate: 2024-03-01\n---\nThe ferry leaves earlier.\n",
    "content/posts/b.md": "---\ntitle: Harbour wall repaired\ndate: 2024-03-02\n---\nThe wall stands again.\n",
}
BUNDLE_INDEX = "---\ntitle: Storm week in pictures\ndate: 2024-03-03\n---\nA week of storms.\n"


def build_site(site: Path, clean: bool = False) -> BuildReport:
    return build(load_config(site, SETTINGS), clean=clean)


def output_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build_of(site: Path, copy: Path) -> tuple[int, dict[str, bytes]]:
    """The article count and output of a clean build of a copy of the site's sources."""
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".newsgen-cache", "public"))
    report = build_site(copy, clean=True)
    return report.articles, output_files(report.output_dir)


def test_build_through_the_cache_equals_a_clean_build_as_a_hugo_bundle_index_comes_and_goes(tmp_path):
    site = write_files(tmp_path / "site", HUGO_SITE)
    assert build_site(site).articles == 2

    write_files(site, {"content/posts/index.md": BUNDLE_INDEX})
    report = build_site(site)
    assert (report.articles, output_files(report.output_dir)) == clean_build_of(site, tmp_path / "clean-1")
    assert report.articles == 1  # the bundle's own page; a.md and b.md are its resources

    (site / "content/posts/index.md").unlink()
    report = build_site(site)
    assert (report.articles, output_files(report.output_dir)) == clean_build_of(site, tmp_path / "clean-2")
    assert report.articles == 2


def test_preview_builds_in_one_process_equal_clean_builds_as_hugo_section_and_bundle_files_come_and_go(tmp_path):
    site = write_files(tmp_path / "site", HUGO_SITE)
    cache = tmp_path / "preview"
    cache.mkdir()
    builder = PreviewBuilder(site, SETTINGS, PreviewState(), cache)
    steps = [
        ("remove", "content/_index.md"),  # posts/ becomes the top of the site: its pages are no articles
        ("add", "content/posts/index.md"),
        ("add", "content/_index.md"),
        ("remove", "content/posts/index.md"),
    ]
    counts = []
    assert builder.build_once().error is None
    for number, (action, name) in enumerate(steps):
        if action == "add":
            write_files(site, {name: BUNDLE_INDEX if name.endswith("/index.md") else HUGO_SITE[name]})
        else:
            (site / name).unlink()
        outcome = builder.build_once((name,))
        assert outcome.error is None, outcome.error
        expected = clean_build_of(site, tmp_path / f"clean-{number}")
        assert (outcome.report.articles, output_files(builder.state.snapshot.root)) == expected, (action, name)
        counts.append(outcome.report.articles)
    assert counts == [0, 0, 1, 2]


def test_a_file_parsed_without_a_scan_sees_the_same_neighbours_as_the_scan(tmp_path):
    site = write_files(tmp_path / "site", {
        **HUGO_SITE,
        "content/about.md": "---\ntitle: About\ndate: 2024-01-01\n---\nWho we are.\n",
        "content/posts/trip/index.md": BUNDLE_INDEX,
        "content/posts/trip/notes.md": "---\ntitle: Notes\ndate: 2024-03-04\n---\nNotes.\n",
        "content/fr/_index.md": "---\ntitle: Accueil\n---\n",
        "content/fr/posts/c.md": "---\ntitle: Digue\ndate: 2024-03-05\n---\nLa digue.\n",
    })
    scan = scan_sources(load_config(site, SETTINGS))
    on_disk = [neighbours_on_disk(Path(path), scan.config) for path, _ in scan.items]
    assert on_disk == scan.neighbours
    facts = {shown: near for (_, shown), near in zip(scan.items, scan.neighbours)}
    assert facts["content/about.md"] == Neighbours(top_level=True)
    assert facts["content/posts/trip/notes.md"] == Neighbours(bundle_resource=True)
    assert facts["content/posts/trip/index.md"] == facts["content/fr/posts/c.md"] == Neighbours()
