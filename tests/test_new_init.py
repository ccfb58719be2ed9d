"""`newsgen new` and `newsgen init`: the files they write, and that what they write builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_files
from newsgen.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_front_matter_dated_now_in_the_site_zone(tmp_path, capsys):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "timezone: Europe/Paris\n"})

    code, out, err = run(capsys, "new", "Storm closes the port: “all ships stay in”", str(site),
                         "--tags", "weather, ports", "--section", "Local", "--author", "A. Reporter")

    path = site / "content/2026/2026-01-01-storm-closes-the-port-all-ships-stay-in.md"
    assert (code, err) == (0, "")
    assert out == f"wrote {path}\n"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Storm closes the port: “all ships stay in”"\n'
        "date: 2026-01-01T01:00:00+01:00\n"
        'tags: ["weather", "ports"]\n'
        'section: "Local"\n'
        'author: "A. Reporter"\n'
        "---\n\n"
    )


def test_a_new_article_builds_to_a_page_with_its_headline_tags_and_section(tmp_path, capsys):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "timezone: America/New_York\n"})
    run(capsys, "new", 'Council votes "yes" on budget', str(site), "--tags", "politics", "--section", "City")

    code, out, err = run(capsys, "build", str(site), "-j", "1")

    assert code == 0, err
    # 2026-01-01 00:00 UTC is still 31 December in New York: the file, the date and the URL agree
    page = site / "public/2025/12/31/council-votes-yes-on-budget/index.html"
    html = page.read_text(encoding="utf-8")
    assert "<h1>Council votes &#34;yes&#34; on budget</h1>" in html
    assert (site / "content/2025/2025-12-31-council-votes-yes-on-budget.md").is_file()
    assert 'href="../../../../tags/politics/"' in html
    assert (site / "public/sections/city/index.html").is_file()


def test_new_never_overwrites_an_article_with_the_same_headline_the_same_day(tmp_path, capsys):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n"})
    run(capsys, "new", "Harbour reopens", str(site))
    path = site / "content/2026/2026-01-01-harbour-reopens.md"
    path.write_text(path.read_text(encoding="utf-8") + "My text.\n", encoding="utf-8")
    before = path.read_bytes()

    code, out, err = run(capsys, "new", "Harbour reopens", str(site))

    assert code == 1 and out == ""
    assert err == (f"error: {path} already exists (an article with this headline today); "
                   "not overwritten: edit it, or choose another headline\n")
    assert path.read_bytes() == before


def test_new_marks_a_draft_that_only_serve_drafts_shows(tmp_path, capsys):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n"})
    run(capsys, "new", "Embargoed story", str(site), "--draft")
    code, out, _ = run(capsys, "build", str(site), "-j", "1")
    assert "built 0 articles (left out: 1 draft)" in out
    assert "draft: true\n" in (site / "content/2026/2026-01-01-embargoed-story.md").read_text(encoding="utf-8")


def test_new_refuses_an_empty_headline(tmp_path, capsys):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "title: T\n"})
    code, out, err = run(capsys, "new", "   ", str(site))
    assert code == 1
    assert err == 'error: the headline is empty; give one in quotes: newsgen new "Headline"\n'
    assert not (site / "content").exists()


def test_init_scaffolds_a_site_that_builds_at_once(tmp_path, capsys):
    folder = tmp_path / "gazette"

    code, out, err = run(capsys, "init", str(folder), "--title", "The Harbour Gazette")

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (f"created {folder}: newsgen.yaml, content/2026/2026-01-01-welcome-to-your-news-archive.md, "
                        "templates/README.md, .gitignore")
    assert lines[1].startswith("built 1 article: ") and f"to {folder}/public in " in lines[1]
    assert lines[2] == f"next: cd {folder} && newsgen serve"
    assert sorted(p.name for p in (folder / "templates").iterdir()) == ["README.md"]
    config = (folder / "newsgen.yaml").read_text(encoding="utf-8")
    assert 'title: "The Harbour Gazette"' in config
    assert "# Where the site will be published." in config
    readme = (folder / "templates/README.md").read_text(encoding="utf-8")
    assert '{% extends "builtin/article.html" %}' in readme and "article.html, base.html" in readme
    home = (folder / "public/index.html").read_text(encoding="utf-8")
    assert "The Harbour Gazette" in home and "Welcome to your news archive" in home
    assert (folder / "public/2026/01/01/welcome-to-your-news-archive/index.html").is_file()


def test_init_config_names_real_keys_and_an_override_from_the_readme_works(tmp_path, capsys):
    folder = tmp_path / "site"
    run(capsys, "init", str(folder), "-q")
    (folder / "templates/article.html").write_text(
        '{% extends "builtin/article.html" %}{% block content %}{{ super() }}<p>Thanks for reading.</p>{% endblock %}',
        encoding="utf-8")
    code, out, err = run(capsys, "build", str(folder), "-q", "-j", "1")
    assert (code, out, err) == (0, "", "")
    page = folder / "public/2026/01/01/welcome-to-your-news-archive/index.html"
    assert "<p>Thanks for reading.</p>" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("existing", ["notes.txt", ".git/HEAD"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys, existing):
    folder = write_files(tmp_path / "site", {existing: "keep me\n"})

    code, out, err = run(capsys, "init", str(folder))

    assert code == 1 and out == ""
    assert err == f"error: {folder} is not an empty folder; `newsgen init` only fills a new or empty one\n"
    assert [p.name for p in folder.iterdir()] == [Path(existing).parts[0]]


def test_init_fills_an_empty_existing_folder(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    code, _, err = run(capsys, "init", str(folder), "-q")
    assert (code, err) == (0, "")
    assert (folder / "public/index.html").is_file()
