"""Compiled templates kept in the user's cache folder: the next `newsgen build` process loads them
instead of compiling the theme, with the same pages; a site's edited template is compiled again;
a folder others can write to, or a damaged file, is never run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, write_files

SITE = {
    "newsgen.yaml": "title: Cache Test\nsearch: false\nworkers: 1\n",
    "content/a.md": """\
        ---
        title: Harbour reopens
        date: 2025-03-04
        tags: [ports]
        ---
        The harbour reopened on Tuesday.
        """,
    "templates/article.html": """\
        {% extends "builtin/article.html" %}
        """,
}


def newsgen_build(site: Path, cache: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "XDG_CACHE_HOME": str(cache),
           "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", *options], cwd=site, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def site_files(output: Path) -> dict[str, bytes]:
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*")) if path.is_file()}


def make(tmp_path: Path, with_template: bool = False) -> Path:
    files = dict(SITE)
    if not with_template:
        del files["templates/article.html"]
    return write_files(tmp_path / "site", files)


def test_a_second_process_loads_the_compiled_theme_and_writes_the_same_pages(tmp_path):
    site = make(tmp_path)
    cache = tmp_path / "cache"
    newsgen_build(site, cache)
    kept = cache / "newsgen" / "templates"
    compiled = sorted(kept.glob("*.jinja"))
    assert len(compiled) >= 5  # article, listings, base, macros, feeds...
    assert (kept.stat().st_mode & 0o777) == 0o700
    first = site_files(site / "public")
    stamps = {path: path.stat().st_mtime_ns for path in compiled}
    newsgen_build(site, cache, "--clean")
    assert site_files(site / "public") == first
    assert {path: path.stat().st_mtime_ns for path in compiled} == stamps  # loaded, not written again
    newsgen_build(site, tmp_path / "other-cache", "--clean")
    assert site_files(site / "public") == first  # the same pages as a process that compiled everything


def test_an_edited_site_template_is_compiled_again(tmp_path):
    site = make(tmp_path, with_template=True)
    cache = tmp_path / "cache"
    write_files(site, {"templates/article.html": """\
        {% extends "builtin/article.html" %}
        {% block content %}<p class="marker">first version</p>{{ super() }}{% endblock %}
        """})
    newsgen_build(site, cache)
    page = next((site / "public").rglob("harbour-reopens/index.html"))
    assert "first version" in page.read_text(encoding="utf-8")
    write_files(site, {"templates/article.html": """\
        {% extends "builtin/article.html" %}
        {% block content %}<p class="marker">second version</p>{{ super() }}{% endblock %}
        """})
    newsgen_build(site, cache)
    text = page.read_text(encoding="utf-8")
    assert "second version" in text and "first version" not in text


def test_a_cache_folder_others_can_write_to_is_left_alone(tmp_path):
    site = make(tmp_path)
    cache = tmp_path / "cache"
    kept = cache / "newsgen" / "templates"
    kept.mkdir(parents=True)
    kept.chmod(0o777)
    newsgen_build(site, cache)
    assert list(kept.iterdir()) == []
    assert (site / "public" / "index.html").is_file()


def test_damaged_compiled_files_are_compiled_again(tmp_path):
    site = make(tmp_path)
    cache = tmp_path / "cache"
    newsgen_build(site, cache)
    first = site_files(site / "public")
    for path in (cache / "newsgen" / "templates").glob("*.jinja"):
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    newsgen_build(site, cache, "--clean")
    assert site_files(site / "public") == first
