"""Pages settled by the map of what each page shows: after an edit of some articles' text alone, a
rebuild works out the keys of the pages that show those articles only, and still gives what a
clean build gives, with the same page keys recorded for the next build."""

from __future__ import annotations

import json
import shutil

from newsgen.config import load_config
from newsgen.incremental import detector
from newsgen.incremental.keys import manifest_path, reach_path
from conftest import write_files
from test_parallel import article, make_site, run, snapshot


def page_keys(site, output: str = "public") -> dict[str, str]:
    """The page keys the last build into `output` recorded for the next one."""
    return json.loads(manifest_path(load_config(site, {"output_dir": output})).read_text())["extra"]["pages"]


def keyed_pages(monkeypatch) -> list[int]:
    """A counter, in a one-item list, of the page keys worked out from here on."""
    count = [0]
    key = detector.ChangeDetector.key

    def counting(self, page):
        count[0] += 1
        return key(self, page)

    monkeypatch.setattr(detector.ChangeDetector, "key", counting)
    return count


def equals_clean_build(site) -> None:
    run(site, output="fresh", clean=True)
    assert snapshot(site / "fresh") == snapshot(site / "public")
    assert page_keys(site, "fresh") == page_keys(site)
    shutil.rmtree(site / "fresh")


def test_an_edited_body_keys_only_the_pages_that_show_its_article(tmp_path, monkeypatch):
    site = make_site(tmp_path / "site")
    run(site)
    pages = len(page_keys(site))
    keyed = keyed_pages(monkeypatch)
    write_files(site, {"content/r040.md": article(40, body="An edited first paragraph, longer than it was.")})
    report = run(site)
    assert report.pages_written >= 1
    assert "An edited first paragraph" in (site / "public/2023/02/14/report-number-40-on-the-week/index.html").read_text()
    assert 0 < keyed[0] < pages // 4  # its page, its neighbours', its listings', its feeds, the sitemaps
    equals_clean_build(site)
    keyed[0] = 0
    write_files(site, {"content/r041.md": article(41, body="Another edit."),
                       "content/r077.md": article(77, body="And one more.")})
    run(site)
    assert 0 < keyed[0] < pages // 3
    equals_clean_build(site)


def test_the_map_follows_added_and_deleted_articles(tmp_path, monkeypatch):
    """An addition or a deletion changes what many pages show, and the positions of the articles
    in the map: the map the build saves then lets the next edit settle the right pages."""
    site = make_site(tmp_path / "site")
    run(site)
    keyed = keyed_pages(monkeypatch)
    for change in ({"content/r300.md": article(300, title="A story added today")}, "content/r012.md",
                   {"content/r200.md": article(200, title="Another story")}):
        if isinstance(change, str):
            (site / change).unlink()
        else:
            write_files(site, change)
        run(site)
        equals_clean_build(site)
        for number in (40, 61):
            keyed[0] = 0
            write_files(site, {f"content/r{number:03d}.md": article(number, body=f"Edited after {change!s:.20}.")})
            run(site)
            assert 0 < keyed[0] < len(page_keys(site)) // 4
            equals_clean_build(site)


def test_an_edit_of_what_the_index_reads_keys_every_page(tmp_path, monkeypatch):
    """A new headline, date or tag can change any page's inputs (listings, outlines, neighbours):
    the map is not used, and every page is keyed."""
    site = make_site(tmp_path / "site")
    run(site)
    keyed = keyed_pages(monkeypatch)
    write_files(site, {"content/r040.md": article(40, title="A new headline for report forty")})
    run(site)
    assert keyed[0] == len(page_keys(site))
    equals_clean_build(site)


def test_a_map_the_manifest_does_not_name_is_not_used(tmp_path):
    """A map changed since the build that wrote it (by hand, or a build killed between writing
    the manifest and the map) could settle pages that changed: it is not used."""
    site = make_site(tmp_path / "site")
    run(site)
    path = reach_path(load_config(site, {"output_dir": "public"}))
    reach = json.loads(path.read_text())
    reach["pages"] = {page: "" for page in reach["pages"]}  # every page showing no article: all settled
    path.write_text(json.dumps(reach))
    write_files(site, {"content/r040.md": article(40, body="Text the article page must show.")})
    run(site)
    assert "Text the article page must show." in (
        site / "public/2023/02/14/report-number-40-on-the-week/index.html").read_text()
    equals_clean_build(site)


def test_the_search_page_follows_the_index_after_an_edited_body(tmp_path):
    """The search page lists the index's shards, whose keys change with their articles' text
    although no page shows that text: it is keyed on every build."""
    site = make_site(tmp_path / "site", count=12)
    write_files(site, {"newsgen.yaml": "search: true\n"})
    run(site)
    before = (site / "public/search/index.html").read_text()
    write_files(site, {"content/r004.md": article(4, body="Words the index must now hold.")})
    run(site)
    after = (site / "public/search/index.html").read_text()
    assert after != before
    run(site, output="fresh", clean=True)
    assert (site / "fresh/search/index.html").read_text() == after


def test_a_preview_started_after_an_edit_keys_only_the_pages_that_show_it(tmp_path, monkeypatch):
    """`newsgen serve` starts from the built site with its map: its first build after an edited
    body works out the keys of that article's pages alone, and gives what a clean build gives."""
    from newsgen.serve.server import PreviewState
    from newsgen.serve.watch import PreviewBuilder

    site = make_site(tmp_path / "site")
    run(site)
    pages = len(page_keys(site))
    write_files(site, {"content/r040.md": article(40, body="Seen first in the preview.")})
    keyed = keyed_pages(monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir()
    outcome = PreviewBuilder(site, {"workers": 1}, PreviewState(), cache).build_once()
    assert outcome.error is None
    assert 0 < keyed[0] < pages // 4
    run(site, output="fresh", clean=True)
    assert snapshot(cache / "site") == snapshot(site / "fresh")


def test_an_edit_after_builds_that_recorded_new_urls_keys_few_pages(tmp_path, monkeypatch):
    """`newsgen build` records the site's URLs in newsgen-urls.txt, which the next build reads:
    the map is saved for the history as recorded, so that an edit after an addition (whose URL
    the history then holds) still keys only the pages that show the edited article."""
    from newsgen.cli import main

    site = make_site(tmp_path / "site")
    assert main(["build", str(site), "-q", "-j", "1"]) == 0
    write_files(site, {"content/r300.md": article(300, title="A story added today")})
    assert main(["build", str(site), "-q", "-j", "1"]) == 0
    assert "added-today" in (site / "newsgen-urls.txt").read_text()
    keyed = keyed_pages(monkeypatch)
    write_files(site, {"content/r040.md": article(40, body="Edited once the history has the new URL.")})
    assert main(["build", str(site), "-q", "-j", "1"]) == 0
    assert 0 < keyed[0] < len(page_keys(site)) // 4
    equals_clean_build(site)


def test_a_process_building_again_keeps_the_index_through_edits_of_text_alone(tmp_path, monkeypatch):
    """`newsgen serve` keeps the site's index between builds (KeptBetweenBuilds): an edit of an
    article's text updates it, every other change makes it afresh, and each build gives what a
    clean build gives."""
    from newsgen import stages
    from newsgen.model import KeptBetweenBuilds

    site = make_site(tmp_path / "site")
    kept = KeptBetweenBuilds()
    indexed = []
    index_site = stages.index_site
    monkeypatch.setattr(stages, "index_site", lambda *args, **kwargs: indexed.append(1) or index_site(*args, **kwargs))

    def indexed_afresh(files: dict[str, str]) -> bool:
        write_files(site, files)
        indexed.clear()
        run(site, kept=kept)
        return bool(indexed)

    run(site, kept=kept)
    assert kept.index is not None
    assert not indexed_afresh({"content/r040.md": article(40, body="A first paragraph the listings show, edited.")})
    assert "A first paragraph the listings show, edited." in (site / "public/tags/energy/index.html").read_text()
    equals_clean_build(site)
    assert not indexed_afresh({"content/r041.md": article(41, body="Edited too, twice in a row."),
                               "content/r077.md": article(77, body="And one more.")})
    equals_clean_build(site)
    assert indexed_afresh({"content/r041.md": article(41, title="A headline the index reads", body="Edited too.")})
    equals_clean_build(site)
    assert not indexed_afresh({"content/r041.md": article(41, title="A headline the index reads", body="Edited.")})
    equals_clean_build(site)
    assert indexed_afresh({"content/r300.md": article(300)})
    equals_clean_build(site)


def test_the_kept_index_of_a_multilingual_site_with_a_takedown_follows_edits_of_text(tmp_path, monkeypatch):
    from newsgen import stages
    from newsgen.model import KeptBetweenBuilds

    def story(number: int, lang: str, body: str, header: str = "") -> str:
        text = article(number, body=body)
        end = text.index("\n---\n") + 1
        return text[:end] + f"lang: {lang}\ntranslation_key: k{number % 5}\n{header}" + text[end:]

    site = make_site(tmp_path / "site", 30)
    takedown = 'takedown: {date: 2023-12-01, reason: "Removed after a court order"}\n'
    write_files(site, {"newsgen.yaml": "languages: [en, es]\nsearch: false\n",
                       **{f"content/es{n:02d}.md": story(n, "es", f"Texto {n}.") for n in range(12)},
                       "content/gone.md": story(50, "en", "Taken down.", takedown)})
    kept = KeptBetweenBuilds()
    run(site, kept=kept)
    indexed = []
    index_site = stages.index_site
    monkeypatch.setattr(stages, "index_site", lambda *args, **kwargs: indexed.append(1) or index_site(*args, **kwargs))
    write_files(site, {"content/es03.md": story(3, "es", "Texto editado, con su primer párrafo."),
                       "content/gone.md": story(50, "en", "Taken down, and edited.", takedown),
                       "content/r007.md": article(7, body="An English first paragraph, edited.")})
    run(site, kept=kept)
    assert indexed == []
    assert "Texto editado" in (site / "public/es/index.html").read_text()
    run(site, output="fresh", clean=True)
    assert snapshot(site / "fresh") == snapshot(site / "public")
