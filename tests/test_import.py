"""`newsgen import SRC DEST`: the imported folder builds into the same articles as the source."""

import json
import os
from pathlib import Path

import pytest

from conftest import SHARED, write_files
from newsgen.cli import main
from newsgen.config import load_config, reference_time
from newsgen.content.load import load_articles

PEERS = SHARED / "corpora" / "peers"


def signature(site: Path) -> list[tuple]:
    """What a reader sees of each article: title, date, tags, section, authors, body, URL, draft, old URLs."""
    config = load_config(site, {"workers": 1})
    return sorted(
        (a.url, a.title, a.published.isoformat(), a.precision, tuple(t.name for t in a.tags),
         a.section.name if a.section else None, tuple(x.name for x in a.authors), a.summary, a.body_html, a.draft, a.aliases)
        for a in load_articles(config, reference_time()).articles)


def round_trip(tmp_path: Path, source_site: Path, layout: str | None = None) -> tuple[list, list, str]:
    dest = tmp_path / "imported"
    args = ["import", str(source_site / "content"), str(dest / "content"), "--site", str(source_site)]
    assert main(args + (["--layout", layout] if layout else [])) == 0
    write_files(dest, {"newsgen.yaml": "title: Imported\n"})
    return signature(source_site), signature(dest), dest


@pytest.mark.parametrize("peer,layout,count,drafts", [("hugo", None, 12, 0), ("jekyll", None, 161, 1),
                                                     ("pelican", "pelican", 15, 1)])
def test_importing_a_peer_folder_gives_the_same_articles(tmp_path, peer, layout, count, drafts, capsys):
    if not PEERS.is_dir():
        pytest.skip("needs ../shared/corpora/peers")
    site = write_files(tmp_path / "src", {"newsgen.yaml": (f"content_layout: {layout}\n" if layout else "title: x\n")
                                          + "follow_symlinks: true\n"})
    (site / "content").symlink_to(PEERS / peer, target_is_directory=True)  # a link out of the site: followed
    direct, imported, _ = round_trip(tmp_path, site, layout)
    assert len(direct) == count
    assert imported == direct
    assert f"imported {count + drafts} articles from " in capsys.readouterr().out  # drafts stay drafts


def test_importing_an_export_keeps_derived_headlines_and_distinct_urls(tmp_path):
    records = [{"id": "r1", "date": "1987-04-07T10:00:00", "title": "OFFERINGS", "body": "One.", "tags": ["acq"]},
               {"id": "r2", "date": "1987-04-07T11:00:00", "title": "OFFERINGS", "body": "Two.\n\nMore *stars*."},
               {"id": "r3", "date": "1987-04", "title": "", "body": "Oil prices rose. Traders said so."}]
    site = write_files(tmp_path / "src", {"content/wire.jsonl": "".join(json.dumps(r) + "\n" for r in records)})
    direct, imported, dest = round_trip(tmp_path, site)
    assert imported == direct
    assert [row[0] for row in direct] == ["1987/04/07/offerings-r2/", "1987/04/07/offerings/", "1987/04/oil-prices-rose/"]
    text = (dest / "content/1987/1987-04-07-offerings-r2.md").read_text(encoding="utf-8")
    assert text == ("---\n# imported from content/wire.jsonl:2\ntitle: OFFERINGS\ndate: '1987-04-07T11:00:00+00:00'\n"
                    "slug: offerings-r2\nmarkup: text\n---\nTwo.\n\nMore *stars*.")


def test_import_keeps_hugo_aliases_and_jekyll_redirect_from_as_aliases(tmp_path):
    site = write_files(tmp_path / "src", {
        "content/_index.md": "---\ntitle: Home\n---\n",
        "content/posts/storm.md": "---\ntitle: Storm\ndate: 2020-01-02\naliases: [/old/storm/, /2019/storm.html]\n---\nBody.\n",
    })
    direct, imported, dest = round_trip(tmp_path, site)
    assert imported == direct
    assert [row[-1] for row in direct] == [("old/storm/", "2019/storm.html")]
    text = (dest / "content/2020/2020-01-02-storm.md").read_text(encoding="utf-8")
    assert "aliases:\n- /old/storm/\n- /2019/storm.html\n" in text
    jekyll = write_files(tmp_path / "jekyll", {
        "content/_posts/2020-01-03-flood.md": "---\ntitle: Flood\nredirect_from: /news/flood/\n---\nBody.\n"})
    dest = tmp_path / "jekyll-imported"
    assert main(["import", str(jekyll / "content"), str(dest / "content"), "--site", str(jekyll)]) == 0
    assert "aliases:\n- /news/flood/\n" in (dest / "content/2020/2020-01-03-flood.md").read_text(encoding="utf-8")


def test_import_never_overwrites_a_file(tmp_path, capsys):
    site = write_files(tmp_path / "src", {"content/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nBody.\n"})
    dest = tmp_path / "dest"
    assert main(["import", str(site / "content"), str(dest)]) == 0
    (dest / "2020/2020-01-02-a.md").write_text("mine\n")
    assert main(["import", str(site / "content"), str(dest)]) == 1
    assert capsys.readouterr().err.endswith(
        "error: build failed with 1 error:\n"
        f"  1. {dest / '2020/2020-01-02-a.md'}: already exists; not overwritten (from content/a.md)\n")
    assert (dest / "2020/2020-01-02-a.md").read_text() == "mine\n"


def test_import_counts_a_dangling_link_as_taken_and_writes_nothing(tmp_path, capsys):
    site = write_files(tmp_path / "src", {"content/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nBody.\n",
                                          "content/b.md": "---\ntitle: B\ndate: 2020-01-03\n---\nBody.\n"})
    dest = tmp_path / "dest"
    (dest / "2020").mkdir(parents=True)
    os.symlink(tmp_path / "nowhere", dest / "2020/2020-01-03-b.md")
    assert main(["import", str(site / "content"), str(dest)]) == 1
    assert capsys.readouterr().err == (
        "error: build failed with 1 error:\n"
        f"  1. {dest / '2020/2020-01-03-b.md'}: already exists; not overwritten (from content/b.md)\n")
    assert sorted(p.name for p in (dest / "2020").iterdir()) == ["2020-01-03-b.md"]
    assert not (tmp_path / "nowhere").exists()


def test_import_that_cannot_write_a_file_removes_what_it_wrote(tmp_path, capsys):
    site = write_files(tmp_path / "src", {"content/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nBody.\n",
                                          "content/b.md": "---\ntitle: B\ndate: 2021-01-03\n---\nBody.\n"})
    dest = write_files(tmp_path / "dest", {"2021": "a file where a folder goes"})
    assert main(["import", str(site / "content"), str(dest)]) == 1
    assert capsys.readouterr().err == f"error: {dest / '2021'}: cannot write: File exists; nothing was imported\n"
    assert sorted(p.name for p in dest.iterdir()) == ["2021"]


@pytest.mark.parametrize("dest", ["content", "content/imported"])
def test_import_into_its_own_source_folder_is_refused(tmp_path, monkeypatch, capsys, dest):
    site = write_files(tmp_path / "src", {"content/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\nBody.\n"})
    monkeypatch.chdir(site)
    assert main(["import", "content", dest]) == 1
    assert capsys.readouterr().err == (
        f"error: cannot import content into {dest}: the destination is inside the source folder, so the imported "
        "files would be read as articles beside their originals; choose a destination outside it\n")
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == ["content", "content/a.md"]


def test_a_nul_in_an_export_body_is_left_out_of_the_imported_file_with_a_warning(tmp_path, capsys):
    (tmp_path / "site").mkdir()
    (tmp_path / "x.jsonl").write_text('{"date":"2024-01-01","title":"Nul body","body":"before\\u0000after"}\n',
                                      encoding="utf-8")
    assert main(["import", str(tmp_path / "x.jsonl"), str(tmp_path / "site/content"), "--site", str(tmp_path / "site")]) == 0
    out = capsys.readouterr()
    assert "x.jsonl:1: NUL characters in the body, left out of the imported file" in out.err + out.out
    written = (tmp_path / "site/content/2024/2024-01-01-nul-body.md").read_text(encoding="utf-8")
    assert "\x00" not in written and written.endswith("---\nbeforeafter")
    assert main(["build", str(tmp_path / "site"), "-q", "-j", "1"]) == 0
    assert "beforeafter" in (tmp_path / "site/public/2024/01/01/nul-body/index.html").read_text(encoding="utf-8")
