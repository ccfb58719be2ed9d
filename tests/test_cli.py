"""The `newsgen` command: options, exit codes, and errors printed as a numbered list, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, write_files

from newsgen import __version__
from newsgen.cli import main

GOOD = "---\ntitle: Good news\ndate: 2022-01-01\n---\nAll well.\n"
DRAFT = "---\ntitle: Draft news\ndate: 2022-01-02\ndraft: true\n---\nNot yet.\n"
FUTURE = "---\ntitle: Future news\ndate: 2030-01-01\n---\nLater.\n"
COLLIDING = {
    "content/one.md": "---\ntitle: One\ndate: 2022-01-01\nslug: same\n---\nOne.\n",
    "content/two.md": "---\ntitle: Two\ndate: 2022-01-01T18:00:00Z\nslug: same\n---\nTwo.\n",
    "content/undated.md": "---\ntitle: Undated\n---\nNo date.\n",
}
COLLISION_REPORT = (
    "error: build failed with 2 errors:\n"
    "  1. content/undated.md:1: no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md\n"
    "  2. content/one.md:4: URL /2022/01/01/same/ is also claimed by content/two.md:4; "
    "give one of them a different 'slug' or 'date'\n"
)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """A site folder, made the working directory so messages show paths relative to it."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"newsgen {__version__}\n"


def test_build_reports_what_it_wrote(site, capsys):
    write_files(site, {"content/a.md": GOOD})
    assert main(["build", "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("built 1 article: ") and f" pages written (0 unchanged) to {Path('public')} in " in out
    assert (site / "public" / "2022/01/01/good-news/index.html").is_file()


def test_build_timings_print_pages_and_cpu_time_by_kind_of_page_of_what_was_rendered(site, capsys):
    write_files(site, {"content/a.md": GOOD, "content/b.md": GOOD.replace("Good news", "Better news")})
    assert main(["build", "-j", "1", "--timings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["kind", "of", "page", "pages", "CPU", "ms", "ms/page"]
    kinds = {" ".join(line.split()[:-3]): int(line.split()[-3].replace(",", "")) for line in lines[1:-1]}
    assert kinds["article pages"] == 2 and kinds["listing pages"] >= 5 and kinds["feeds"] >= 1
    assert kinds["search page"] == 1 and kinds["search index"] == 1
    assert list(kinds)[:2] == ["article pages", "listing pages"] and lines[-1].startswith("built 2 articles: ")
    assert main(["build", "-j", "1", "--timings"]) == 0  # nothing changed: nothing rendered
    assert capsys.readouterr().out.splitlines()[1] == "(no page rendered)"


def test_build_options_output_base_url_drafts_future(site, capsys):
    write_files(site, {"content/a.md": GOOD, "content/d.md": DRAFT, "content/f.md": FUTURE})
    code = main(["build", ".", "-o", "../out", "--base-url", "https://example.org/news", "--drafts", "--future"])
    assert code == 0
    out = site.parent / "out"
    assert (out / "2022/01/02/draft-news/index.html").is_file()
    assert (out / "2030/01/01/future-news/index.html").is_file()
    page = (out / "2022/01/01/good-news/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/news/2022/01/01/good-news/">' in page
    assert 'href="/news/' in (out / "404.html").read_text(encoding="utf-8")
    assert not (site / "public").exists()


def test_build_leaves_out_drafts_and_future_by_default(site, capsys):
    write_files(site, {"content/a.md": GOOD, "content/d.md": DRAFT, "content/f.md": FUTURE})
    assert main(["build", "-j", "1"]) == 0
    assert "built 1 article (left out: 1 draft, 1 future): " in capsys.readouterr().out
    assert not (site / "public/2022/01/02").exists()


def test_output_option_is_relative_to_the_working_directory(tmp_path, site, monkeypatch):
    write_files(site, {"content/a.md": GOOD})
    monkeypatch.chdir(tmp_path)
    assert main(["build", "site", "-o", "elsewhere", "-q"]) == 0
    assert (tmp_path / "elsewhere/index.html").is_file()
    assert not (site / "elsewhere").exists()


def test_build_warns_about_windows_1252_files_on_stderr(site, capsys):
    write_files(site, {"content/old.md": "---\ntitle: Caf\xe9\ndate: 2022-01-01\n---\nB.\n".encode("cp1252")})
    assert main(["build"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "warning: content/old.md: not valid UTF-8; read as Windows-1252\n"
    assert captured.out.startswith("built 1 article: ")
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr() == ("", "")  # --quiet prints errors only


def test_warnings_are_shown_with_the_errors_of_a_failed_build(site, capsys):
    write_files(site, {"content/old.md": "---\ntitle: Caf\xe9\n---\nB.\n".encode("cp1252")})
    assert main(["build"]) == 1
    assert capsys.readouterr().err == (
        "warning: content/old.md: not valid UTF-8; read as Windows-1252\n"
        "error: build failed with 1 error:\n"
        "  1. content/old.md:1: no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md\n"
    )


def test_all_errors_shown_as_a_numbered_list_with_exit_code_one(site, capsys):
    write_files(site, COLLIDING)
    assert main(["build"]) == 1
    captured = capsys.readouterr()
    assert captured.err == COLLISION_REPORT
    assert captured.out == ""
    assert not (site / "public").exists()


def test_module_entry_point_prints_errors_without_traceback(site):
    write_files(site, COLLIDING)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run([sys.executable, "-m", "newsgen", "build"], cwd=site, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == COLLISION_REPORT
    assert "Traceback" not in result.stdout + result.stderr


def test_config_errors_are_printed_not_raised(site, capsys):
    write_files(site, {"newsgen.yaml": "titel: X\n"})
    assert main(["build"]) == 1
    assert capsys.readouterr().err == (
        "error: invalid configuration (1 error):\n"
        "  1. newsgen.yaml:1: unknown key 'titel' (did you mean 'title'?)\n"
    )


def test_missing_site_folder_is_a_clean_error(site, capsys):
    assert main(["build", "nowhere"]) == 1
    assert capsys.readouterr().err == "error: nowhere: site folder not found\n"


@pytest.mark.parametrize("output", [".", "content", "content/public", "templates", ".."])
def test_output_folder_that_would_replace_site_files_is_refused(site, capsys, output):
    write_files(site, {"content/a.md": GOOD, "templates/article.html": "{% extends 'builtin/article.html' %}"})
    before = sorted(p.relative_to(site.parent) for p in site.parent.rglob("*"))
    assert main(["build", "-o", output]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: output folder ") and err.endswith("; choose another output folder\n")
    assert sorted(p.relative_to(site.parent) for p in site.parent.rglob("*")) == before


def test_unwritable_output_is_a_clean_error(site, capsys):
    write_files(site, {"content/a.md": GOOD, "blocker": "a file, not a folder"})
    assert main(["build", "-o", "blocker/out"]) == 1
    assert capsys.readouterr().err == (
        f"error: cannot create the output folder {site / 'blocker/out'}: File exists ({site / 'blocker'})\n")


@pytest.mark.parametrize("port", ["70000", "-1", "65536", "http"])
def test_serve_refuses_a_port_outside_0_to_65535_with_a_message(site, capsys, port):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", port])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"newsgen serve: error: argument --port: '{port}' is not a port: "
        "give a number from 0 to 65535 (0 picks a free one)")
    assert not (site / ".newsgen-cache").exists()


def test_output_that_is_an_existing_file_is_refused(site, capsys):
    write_files(site, {"content/a.md": GOOD, "newsgen.yaml": "title: Mine\n"})
    assert main(["build", "-o", "newsgen.yaml", "-j", "1"]) == 1
    assert capsys.readouterr().err == (f"error: output folder {site / 'newsgen.yaml'} is a file, and a build would "
                                       "replace it with the site; choose another output folder\n")
    assert sorted(p.name for p in site.iterdir()) == ["content", "newsgen.yaml"]
    assert (site / "newsgen.yaml").read_text() == "title: Mine\n"


@pytest.mark.parametrize("output, refusal", [
    (".newsgen-cache", "is the cache folder .newsgen-cache"),
    (".newsgen-cache/site", "is inside the cache folder .newsgen-cache"),
])
def test_output_folder_in_the_sites_cache_is_refused(site, capsys, output, refusal):
    write_files(site, {"content/a.md": GOOD, ".newsgen-cache/keep": "x"})
    assert main(["build", "-o", output, "-j", "1"]) == 1
    assert capsys.readouterr().err == f"error: output folder {site / output} {refusal}; choose another output folder\n"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == [
        ".newsgen-cache", ".newsgen-cache/keep", "content", "content/a.md"]
