"""Output: staged and swapped in whole, never written outside the output folder."""

from __future__ import annotations

import posixpath
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import write_files

from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed, NewsgenError
from newsgen.model import Page
from newsgen.write.publish import write_site

GOOD = "---\ntitle: Good news\ndate: 2022-01-01\ntags: [a]\n---\nAll well.\n"


def site_entries(site: Path) -> list[str]:
    """What a build leaves in the site folder, but for its cache (.newsgen-cache, which builds keep)."""
    return sorted(p.name for p in site.iterdir() if p.name != ".newsgen-cache")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_site(site: Path, **overrides):
    return build(load_config(site, {"workers": 1, **overrides}))


@pytest.fixture
def built(tmp_path) -> tuple[Path, dict[str, bytes]]:
    site = write_files(tmp_path / "site", {"content/good.md": GOOD, "content/2022-01-02-more.md": "# More\n\nText.\n"})
    build_site(site)
    return site, snapshot(site / "public")


def test_build_writes_every_page_type(built):
    site, files = built
    assert {"index.html", "404.html", "archive/index.html", "tags/index.html", "tags/a/index.html",
            "2022/index.html", "2022/01/index.html", "2022/01/01/index.html", "2022/01/01/good-news/index.html",
            "2022/01/02/more/index.html", "static/style.css"} <= set(files)


def test_failed_build_leaves_previous_output_untouched(built):
    site, before = built
    (site / "content/good.md").write_text("---\ntitle: Broken\ndate: soon\n---\nX.\n", encoding="utf-8")
    (site / "content/new.md").write_text("---\ntitle: New\ndate: 2022-02-02\n---\nNew.\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build_site(site)
    assert snapshot(site / "public") == before
    assert site_entries(site) == ["content", "public"]


def test_template_error_leaves_previous_output_untouched_and_no_staging_folder(built):
    site, before = built
    write_files(site, {"templates/article.html": "<h1>{{ article.title }}</h1>\n{{ misspelt }}\n"})
    with pytest.raises(BuildFailed) as caught:
        build_site(site)
    assert len(caught.value.errors) == 1 and "template error: 'misspelt' is undefined" in caught.value.errors[0]
    assert snapshot(site / "public") == before
    assert site_entries(site) == ["content", "public", "templates"]


def test_rebuild_replaces_output_and_drops_stale_pages(built):
    site, before = built
    (site / "content/2022-01-02-more.md").unlink()
    build_site(site)
    after = snapshot(site / "public")
    assert "2022/01/02/more/index.html" in before and "2022/01/02/more/index.html" not in after
    assert site_entries(site) == [".public.standby", "content", "public"]  # the previous site, for the next build
    standby = snapshot(site / ".public.standby")
    assert len(standby.pop(".newsgen-standby")) == 32  # its token
    assert standby == before


def test_rebuild_is_byte_for_byte_reproducible(built):
    site, before = built
    build_site(site)
    assert snapshot(site / "public") == before


def test_slug_and_title_with_dot_dot_stay_inside_the_output_folder(tmp_path):
    site = write_files(tmp_path / "site", {
        "content/a.md": "---\ntitle: ../../escape\nslug: ../../../x\ndate: 2022-01-01\n---\nA.\n",
        "content/b.md": "---\ntitle: /etc/passwd\ndate: 2022-01-02\ntags: ['../../t', '/abs']\n---\nB.\n",
    })
    build_site(site)
    outside = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert {p for p in outside if not p.startswith(("site/content/", "site/public/", "site/.newsgen-cache/"))} == set()
    files = snapshot(site / "public")
    assert {"2022/01/01/x/index.html", "2022/01/02/etc-passwd/index.html",
            "tags/t/index.html", "tags/abs/index.html"} <= set(files)


@pytest.mark.parametrize("path", ["../x.html", "a/../../x.html", "/tmp/x.html", "\\..\\x.html", "C:/x.html"])
def test_writer_refuses_paths_outside_the_output_folder(tmp_path, path):
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as caught:
        write_site([Page("index.html", b"ok"), Page(path, b"bad")], out)
    assert caught.value.errors == [f"refusing to write outside the output folder: {path!r}"]
    assert [p.name for p in tmp_path.iterdir()] == []


def test_writer_refuses_two_pages_at_one_path(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        write_site([Page("a/index.html", b"1"), Page("a/./index.html", b"2")], tmp_path / "out")
    assert caught.value.errors == ["two pages would be written to a/index.html"]
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_to_replace_a_folder_that_is_not_a_built_site(tmp_path):
    out = tmp_path / "Documents"
    write_files(out, {"thesis.txt": "precious"})
    with pytest.raises(NewsgenError) as caught:
        build_site(write_files(tmp_path / "site", {"content/a.md": GOOD}), output_dir=str(out))
    assert str(caught.value) == (
        f"output folder {out} holds files newsgen did not write (it has no .newsgen-output file), "
        "and a build replaces it whole; empty it or choose another output folder"
    )
    assert (out / "thesis.txt").read_text() == "precious"


def test_writer_refuses_a_folder_with_an_index_page_it_did_not_write(tmp_path):
    out = write_files(tmp_path / "docs", {"index.html": "<h1>Docs</h1>", "notes.md": "precious"})
    with pytest.raises(NewsgenError) as caught:
        build_site(write_files(tmp_path / "site", {"content/a.md": GOOD}), output_dir=str(out))
    assert str(caught.value) == (
        f"output folder {out} holds files newsgen did not write (it has no .newsgen-output file), "
        "and a build replaces it whole; empty it or choose another output folder"
    )
    assert snapshot(out) == {"index.html": b"<h1>Docs</h1>", "notes.md": b"precious"}


def test_a_folder_newsgen_wrote_is_replaced_after_clean_and_without_its_cache(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": GOOD})
    out = tmp_path / "docs"
    build_site(site, output_dir=str(out))
    assert (out / ".newsgen-output").is_file()
    (site / "content/b.md").write_text(GOOD.replace("Good news", "More news"))
    build(load_config(site, {"workers": 1, "output_dir": str(out)}), clean=True)
    shutil.rmtree(site / ".newsgen-cache")
    (site / "content/a.md").unlink()
    build_site(site, output_dir=str(out))
    assert (out / "2022/01/01/more-news/index.html").is_file() and not (out / "2022/01/01/good-news").exists()


def test_an_output_folder_without_the_mark_is_replaced_while_the_cache_says_newsgen_wrote_it(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": GOOD})
    build_site(site)
    (site / "public/.newsgen-output").unlink()
    (site / "content/b.md").write_text(GOOD.replace("Good news", "More news"))
    build_site(site)
    assert (site / "public/2022/01/01/more-news/index.html").is_file() and (site / "public/.newsgen-output").is_file()


@pytest.mark.parametrize("output, refusal", [
    ("templates/static", "is inside the templates folder {site}/templates"),
    ("static/site", "is inside the static folder {site}/static"),
    ("content/site", "is inside the content folder {site}/content"),
])
def test_output_folder_in_the_sites_own_folders_is_refused(tmp_path, output, refusal):
    site = write_files(tmp_path / "site", {"content/a.md": GOOD, "templates/static/x.css": "x",
                                           "static/robots.txt": "x", ".newsgen-cache/keep": "x"})
    before = snapshot(site)
    with pytest.raises(NewsgenError) as caught:
        build_site(site, output_dir=output)
    assert str(caught.value) == f"output folder {site / output} {refusal.format(site=site)}; choose another output folder"
    assert snapshot(site) == before


def test_output_folder_equal_to_content_folder_is_refused(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": GOOD})
    with pytest.raises(NewsgenError) as caught:
        build_site(site, output_dir="content")
    assert str(caught.value) == f"output folder {site / 'content'} would replace {site / 'content'}; choose another output folder"
    assert snapshot(site / "content") == {"a.md": GOOD.encode()}


# --- what the built site links to ---------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def linked_urls(out: Path, page_url: str) -> set[str]:
    """Site URLs the page at page_url links to, resolved from its relative hrefs."""
    parser = _Links()
    parser.feed((out / page_url / "index.html").read_text(encoding="utf-8"))
    resolved = set()
    for href in parser.hrefs:
        target = posixpath.normpath(posixpath.join("/" + page_url, unquote(href.split("#")[0])))
        resolved.add(target.lstrip("/") + ("/" if href.endswith("/") and target != "/" else ""))
    return resolved


def test_untagged_article_is_linked_from_front_page_and_every_date_archive(make_site):
    out = make_site({"content/u.md": "---\ntitle: Untagged\ndate: 2022-05-01\n---\nU.\n",
                     "content/t.md": GOOD})
    for page in ("", "2022/", "2022/05/", "2022/05/01/"):
        assert "2022/05/01/untagged/" in linked_urls(out, page), page


def test_zone_less_date_lands_on_its_own_day_in_the_site_zone(make_site):
    out = make_site({"content/2022-08-10-filed.md": "# Filed\n\nF.\n",
                     "content/fm.md": "---\ntitle: Front\ndate: 2022-08-10\n---\nF.\n"},
                    timezone="America/Los_Angeles")
    assert (out / "2022/08/10/filed/index.html").is_file()
    assert (out / "2022/08/10/front/index.html").is_file()
    assert {"2022/08/10/filed/", "2022/08/10/front/"} <= linked_urls(out, "2022/08/10/")


def test_month_precision_article_page_shows_a_month_and_is_in_no_day_archive(make_site):
    out = make_site({"content/m.txt": "date 2022-08 Something happened in August.\n"})
    page = (out / "2022/08/something-happened-in-august/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2022-08">August 2022</time>' in page
    assert not (out / "2022/08/01").exists()
    assert "2022/08/something-happened-in-august/" in linked_urls(out, "2022/08/")


def test_output_folder_behind_a_symlink_is_replaced_and_the_link_kept(tmp_path):
    site = write_files(tmp_path / "site", {"content/a.md": GOOD})
    target = tmp_path / "www"
    target.mkdir()
    (site / "public").symlink_to(target)
    build_site(site)
    build_site(site)
    assert (site / "public").is_symlink() and (site / "public").resolve() == target
    assert (target / "2022/01/01/good-news/index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]
    assert site_entries(site) == ["content", "public"]


def test_tags_differing_in_case_get_one_page(make_site):
    out = make_site({
        "content/a.md": "---\ntitle: A\ndate: 2022-01-01\ntags: [Venezuela]\n---\nA.\n",
        "content/b.md": "---\ntitle: B\ndate: 2022-01-02\ntags: [venezuela]\n---\nB.\n",
        "content/c.md": "---\ntitle: C\ndate: 2022-01-03\ntags: [Venezuela]\n---\nC.\n",
    })
    assert sorted(p.name for p in (out / "tags").iterdir()) == ["index.html", "venezuela"]
    assert linked_urls(out, "tags/venezuela/") >= {"2022/01/01/a/", "2022/01/02/b/", "2022/01/03/c/"}
    assert ">Venezuela<" in (out / "tags/venezuela/index.html").read_text(encoding="utf-8")


def test_adding_an_article_keeps_page_one_of_the_front_page(tmp_path):
    site = write_files(tmp_path / "site", {
        f"content/a{n}.md": f"---\ntitle: A{n}\ndate: 2022-01-0{n}\n---\nText.\n" for n in range(1, 6)})
    build_site(site, page_size=2)
    articles = {u for u in linked_urls(site / "public", "page/1/") if u.startswith("2022/01/0")}
    write_files(site, {"content/a6.md": "---\ntitle: A6\ndate: 2022-01-06\n---\nText.\n"})
    build_site(site, page_size=2)
    assert {u for u in linked_urls(site / "public", "page/1/") if u.startswith("2022/01/0")} == articles
    assert {"2022/01/01/a1/", "2022/01/02/a2/"} <= articles and "2022/01/03/a3/" not in articles
    front = linked_urls(site / "public", "")
    assert {"2022/01/06/a6/", "2022/01/05/a5/"} <= front and "2022/01/04/a4/" not in front
