"""Worker processes, change-only writes and their safety: same bytes however the site is built."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from newsgen.write import publish as writer
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config, reference_time
from newsgen.errors import BuildFailed, NewsgenError
from conftest import interrupted_on_call, write_files

TAGS = ["Energy", "Transport", "Health", "Courts", "Weather"]


def article(number: int, title: str | None = None, body: str | None = None) -> str:
    day = 1 + number % 27
    month = 1 + number // 27 % 12
    tags = ", ".join(TAGS[(number + k) % len(TAGS)] for k in range(1 + number % 3))
    return (f"---\ntitle: {title or f'Report number {number} on the week'}\n"
            f"date: 2023-{month:02d}-{day:02d}T{number % 24:02d}:15:00+00:00\n"
            f"tags: [{tags}]\nauthor: Desk {number % 4}\n---\n"
            f"{body or f'Paragraph one of report {number}.'}\n\nA second paragraph, *emphasised* {number}.\n")


def make_site(root: Path, count: int = 90) -> Path:
    return write_files(root, {f"content/r{n:03d}.md": article(n) for n in range(count)})


def snapshot(folder: Path, search_index: bool = False) -> dict[str, bytes]:
    """Every file's bytes; Pagefind's index only with search_index=True (a clean build makes it
    again, and Pagefind writes it differently each run: the search page's shard keys stand for it)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and (search_index or not p.relative_to(folder).as_posix().startswith("pagefind/"))}


def run(site: Path, workers: int = 1, output: str = "public", **kwargs):
    return build(load_config(site, {"workers": workers, "output_dir": output}), **kwargs)


def test_one_worker_and_two_workers_give_identical_output_cold_and_cached(tmp_path):
    site = make_site(tmp_path / "site")
    run(site, workers=1, output="one")
    run(site, workers=2, output="two")
    one, two = snapshot(site / "one"), snapshot(site / "two")
    assert len(one) > 150
    assert one == two
    shutil.rmtree(site / "two")  # cached articles, pages rendered again by workers
    run(site, workers=2, output="two")
    assert snapshot(site / "two") == one
    run(site, workers=2, output="three", clean=True)
    assert snapshot(site / "three") == one


def test_one_edit_rewrites_the_article_its_neighbours_and_its_listings_only(tmp_path):
    site = make_site(tmp_path / "site")
    run(site, workers=2)
    before = snapshot(site / "public")
    write_files(site, {"content/r040.md": article(40, title="Flood barrier holds overnight")})
    report = run(site, workers=2)
    after = snapshot(site / "public")
    changed = {path for path in after if before.get(path) != after[path]}
    assert report.pages_written == len(changed)
    expected = {
        "2023/02/14/flood-barrier-holds-overnight/index.html",  # the article, at its new URL
        "2023/02/13/report-number-39-on-the-week/index.html",  # its older neighbour
        "2023/02/15/report-number-41-on-the-week/index.html",  # its newer neighbour
        "2023/02/index.html", "2023/02/14/index.html",
    }
    assert expected <= changed
    for listing in ("tags/energy/", "tags/transport/", "authors/desk-0/", "2023/"):
        assert any(path.startswith(listing) for path in changed), listing
    assert "2023/02/14/report-number-40-on-the-week/index.html" not in after
    assert report.pages_deleted == 1
    untouched = [p for p in after if p.endswith("index.html") and "report-number-7-" in p]
    assert untouched and not set(untouched) & changed
    run(site, workers=1, output="fresh", clean=True)
    assert snapshot(site / "fresh") == after


def test_a_rebuild_starts_worker_processes_only_for_work_worth_sending(tmp_path, monkeypatch):
    """A cold build starts its workers first; a rebuild starts them when a step has more to do
    than STARTING_BATCHES batches, and not for one edited article nor for the hundred pages of a
    changed template on this small site."""
    import newsgen.render.workers as workers
    import newsgen.stages as stages
    started: list[int] = []

    class CountedPool(stages.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers", 0))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(stages, "ProcessPoolExecutor", CountedPool)
    site = make_site(tmp_path / "site")
    run(site, workers=2)
    assert started == [2]
    write_files(site, {"content/r040.md": article(40, body="A corrected first paragraph.")})
    report = run(site, workers=2)
    assert started == [2] and report.pages_written >= 1
    write_files(site, {"templates/article.html": '{% extends "base.html" %}{% block content %}'
                                                 '<h1>{{ article.title }}</h1>{% endblock %}'})
    report = run(site, workers=2)
    assert started == [2] and report.pages_written >= 90  # about four batches, rendered here
    monkeypatch.setattr(workers, "STARTING_BATCHES", 2)
    write_files(site, {"templates/article.html": '{% extends "base.html" %}{% block content %}'
                                                 '<h1>{{ article.title }}</h1><p>{{ article.summary }}</p>{% endblock %}'})
    report = run(site, workers=2)
    assert started == [2, 2] and report.pages_written >= 90
    run(site, workers=1, output="fresh", clean=True)
    assert snapshot(site / "fresh") == snapshot(site / "public")


def test_workers_kept_between_builds_render_with_a_template_changed_since(tmp_path, monkeypatch):
    """`newsgen serve` keeps its worker processes from build to build; each build's pages come
    from the templates as they are when it starts, in every worker, however often each was used."""
    import newsgen.render.workers as workers
    from concurrent.futures import ProcessPoolExecutor
    monkeypatch.setattr(workers, "STARTING_BATCHES", 0)  # every step in the workers
    site = make_site(tmp_path / "site")
    config = load_config(site, {"workers": 2})
    with ProcessPoolExecutor(2) as pool:
        build(config, executor=pool)
        for edition in ("first", "second"):
            write_files(site, {"templates/article.html": '{% extends "base.html" %}{% block content %}'
                                                         f'<h1>{{{{ article.title }}}}</h1><p>{edition} edition</p>{{% endblock %}}'})
            report = build(config, executor=pool)
            pages = sorted((site / "public/2023").glob("*/*/*/index.html"))
            assert len(pages) == 90 and report.pages_written >= 90
            assert all(f"{edition} edition" in page.read_text(encoding="utf-8") for page in pages), edition
    run(site, workers=1, output="fresh", clean=True)
    assert snapshot(site / "fresh") == snapshot(site / "public")


def test_page_keys_hold_when_their_memos_start_afresh_every_few_values(tmp_path, monkeypatch):
    """The memos of fingerprints (and of what pages reach) are emptied whenever they reach their
    limit of values (a large site would otherwise hold every page's values to the end of the
    build): with a small limit,
    rebuilds after an edit, an addition and a retag still keep exactly the pages a clean build
    makes the same, and equal it (forty values: emptied every few pages here)."""
    from newsgen.incremental import detector
    site = make_site(tmp_path / "site")
    run(site)
    monkeypatch.setattr(detector, "MEMO_LIMIT", 40)
    monkeypatch.setattr(detector, "REACH_MEMO_LIMIT", 40)
    for files in ({"content/r040.md": article(40, body="An edited first paragraph.")},
                  {"content/r200.md": article(200, title="A story added today")},
                  {"content/r041.md": article(41).replace("tags: [", "tags: [Floods, ")}):
        write_files(site, files)
        report = run(site)
        assert 1 <= report.pages_written < report.pages_unchanged
        run(site, output="fresh", clean=True)
        assert snapshot(site / "fresh") == snapshot(site / "public")
        shutil.rmtree(site / "fresh")


def test_rebuild_with_nothing_changed_writes_nothing_with_workers(tmp_path):
    site = make_site(tmp_path / "site")
    first = run(site, workers=2)
    report = run(site, workers=2)
    assert (report.pages_written, report.pages_unchanged) == (0, first.pages_written)


def test_failed_rebuild_leaves_the_previous_site_as_it_was(tmp_path):
    site = make_site(tmp_path / "site")
    run(site, workers=2)
    before = snapshot(site / "public", search_index=True)
    write_files(site, {"content/r010.md": article(10, body="Changed body."),
                       "content/bad.md": "---\ntitle: No date here\n---\nText.\n"})
    with pytest.raises(NewsgenError):
        run(site, workers=2)
    assert snapshot(site / "public", search_index=True) == before
    (site / "content/bad.md").unlink()
    write_files(site, {"templates/listing.html": "{% extends 'builtin/listing.html' %}{% block title %}{{ oops }}{% endblock %}"})
    with pytest.raises(NewsgenError, match="listing.html"):
        run(site, workers=2)
    assert snapshot(site / "public", search_index=True) == before
    assert not list(site.glob(".public.staging-*"))


def test_build_killed_while_staging_changed_files_leaves_the_previous_site(tmp_path):
    site = make_site(tmp_path / "site")
    run(site)
    before = snapshot(site / "public", search_index=True)
    write_files(site, {"content/r020.md": article(20, body="A new first paragraph.")})
    # a few unchanged files linked into staging, then killed
    with interrupted_on_call(writer.os, "link", 5), pytest.raises(KeyboardInterrupt):
        run(site)
    assert snapshot(site / "public", search_index=True) == before  # nothing in the output was touched
    report = run(site)
    assert [p.name for p in site.glob(".public.*")] == [".public.standby"]  # the previous site, kept for the next build
    run(site, output="fresh", clean=True)
    assert snapshot(site / "public") == snapshot(site / "fresh")
    assert 0 < report.pages_written < report.pages_unchanged  # only the changed files were written


def test_generators_get_article_bodies_from_the_cache(tmp_path):
    from newsgen.content.load import load_articles
    from newsgen.incremental.store import open_store
    from newsgen.render.environment import make_environment
    from newsgen.render.jobs import ArticleBodies, RenderContext, with_body

    site = make_site(tmp_path / "site", count=3)
    config = load_config(site, {"workers": 1})
    store = open_store(config)
    loaded = load_articles(config, reference_time(), None, store)
    files = loaded.files
    ctx = RenderContext(config, reference_time(), make_environment(config), bodies=ArticleBodies(store, files.keys, files.files))
    article = next(a for a in loaded.articles if a.source.endswith("r001.md"))
    assert article.body_html == ""  # the main process holds no bodies
    assert with_body(ctx, article).body_html == "<p>Paragraph one of report 1.</p>\n<p>A second paragraph, <em>emphasised</em> 1.</p>"


def test_the_outline_shipped_to_workers_is_removed_after_the_build_even_a_failed_one(tmp_path, monkeypatch):
    site = make_site(tmp_path / "site", 200)  # enough pages that article batches go to the workers
    monkeypatch.chdir(site)  # error messages show paths relative to the working folder
    run(site, workers=2)
    shipped = site / ".newsgen-cache" / "shipped"
    assert shipped.is_dir() and list(shipped.iterdir()) == []
    write_files(site, {"templates/article.html": "{{ site.tags|length }}{{ no_such_thing }}"})
    with pytest.raises(BuildFailed) as caught:
        run(site, workers=2)
    assert str(caught.value) == (
        "build failed with 1 error:\n  1. templates/article.html:1: template error: 'no_such_thing' is undefined")
    assert list(shipped.iterdir()) == []


def test_build_failed_crosses_a_process_boundary_with_its_errors_and_warnings():
    failed = BuildFailed(["a.md:2: no date", "b.md: empty file"], ["c.md: unknown key 'colour'"])
    copy = pickle.loads(pickle.dumps(failed))
    assert (copy.errors, copy.warnings) == (failed.errors, failed.warnings)
    assert str(copy) == "build failed with 2 errors:\n  1. a.md:2: no date\n  2. b.md: empty file"


TYPO_IN_ARTICLE_TEMPLATE = [
    ("<p>{{ headline }}</p>", "'headline' is undefined"),
    ("{% if %}", "Expected an expression, got 'end of statement block'"),
]


def article_template(line: str) -> str:
    """An article.html extending the built-in base, with `line` on line 3."""
    return '{% extends "base.html" %}\n{% block content %}\n' + line + "\n{% endblock %}\n"


@pytest.mark.parametrize("line, message", TYPO_IN_ARTICLE_TEMPLATE)
def test_template_error_raised_in_a_worker_arrives_as_one_error_with_file_and_line(tmp_path, monkeypatch,
                                                                                  line, message):
    site = make_site(tmp_path / "site", 200)  # enough pages that article batches go to the workers
    write_files(site, {"templates/article.html": article_template(line)})
    monkeypatch.chdir(site)
    with pytest.raises(BuildFailed) as caught:
        run(site, workers=2)
    assert caught.value.errors == [f"templates/article.html:3: template error: {message}"]
    assert str(caught.value) == f"build failed with 1 error:\n  1. templates/article.html:3: template error: {message}"


def test_cli_prints_a_template_error_from_a_worker_as_one_numbered_error(tmp_path, monkeypatch, capsys):
    line, message = TYPO_IN_ARTICLE_TEMPLATE[0]
    site = make_site(tmp_path / "site", 200)
    write_files(site, {"templates/article.html": article_template(line)})
    monkeypatch.chdir(site)
    assert main(["build", str(site), "-j", "2"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: build failed with 1 error:\n  1. templates/article.html:3: template error: {message}\n"
    assert not (site / "public").exists()


def test_pages_rendered_by_workers_read_the_same_outline_as_pages_rendered_here(tmp_path):
    site = make_site(tmp_path / "site", 200)
    write_files(site, {"templates/_head.html": "<meta name=\"tags\" content=\"{{ site.tags|length }}\">\n"})
    run(site, workers=2, output="many")
    run(site, workers=1, output="one")
    many, one = snapshot(site / "many"), snapshot(site / "one")
    assert many == one
    dated_pages = [text.decode() for path, text in many.items() if path.endswith("index.html") and path[0].isdigit()]
    assert len(dated_pages) > 200  # article pages (from the workers) and period pages
    assert all('<meta name="tags" content="5">' in text for text in dated_pages)


def test_a_local_time_the_clocks_skipped_shows_the_same_on_every_page_whatever_the_worker_count(tmp_path):
    files = {"newsgen.yaml": "timezone: Europe/Paris\n",
             "content/gap.md": "---\ntitle: In the gap\ndate: 2024-03-31 02:30\ntags: [Clocks]\n---\nClocks went forward.\n"}
    files.update({f"content/filler-{n:03d}.md": f"---\ntitle: Filler {n}\ndate: 2023-0{1 + n % 9}-1{n % 10} 10:00\n"
                                                 f"tags: [Clocks]\n---\nFiller.\n" for n in range(150)})
    site = write_files(tmp_path / "site", files)
    run(site, workers=1, output="serial", clean=True)
    run(site, workers=2, output="parallel", clean=True)
    assert snapshot(site / "parallel") == snapshot(site / "serial")
    shown = '<time datetime="2024-03-31T03:30:00+02:00">31 March 2024, 03:30 CEST</time>'
    assert shown in (site / "serial" / "2024/03/31/in-the-gap/index.html").read_text()
    assert shown in (site / "serial" / "2024/03/index.html").read_text()
