"""Hostile slugs, tags, authors, sections, config values and symbolic links never write outside
the output folder, never overwrite each other, and always give working, distinct URLs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed, ConfigError
from site_checks import broken_links, tree_digest

HOSTILE_NAMES = [
    "../../x", "../../../../../../tmp/escape", "/etc/passwd", "%2e%2e%2f%2e%2e", "..\\..\\win", "C:\\Windows\\x",
    "CON", "nul.txt", "aux", "LPT1", "．．", "..", ".", "．．／．．／up", "~/.ssh", "a" * 400,
    "\U00020000" * 100, "<script>x</script>", "x\x00y", "trailing. ", "%00", "\\\\server\\share",
]


def _article(number: int, name: str) -> str:
    return yaml.safe_dump({
        "title": f"Story {number}", "date": "2024-03-0%d" % (1 + number % 9), "slug": name,
        "tags": [name], "author": name, "section": name,
    }, allow_unicode=True)


@pytest.fixture
def hostile_site(tmp_path):
    files = {f"content/a{n:02d}.md": "---\n" + _article(n, name) + "---\nBody.\n" for n, name in enumerate(HOSTILE_NAMES)}
    site = write_files(tmp_path / "deep" / "er" / "site", files)
    (tmp_path / "tmp").mkdir()
    return tmp_path, site


def test_hostile_names_write_only_inside_the_output_folder(hostile_site):
    root, site = hostile_site
    before = tree_digest(root)
    config = load_config(site, {"workers": 1})
    build(config)
    out = config.output_path.resolve()
    after = tree_digest(root, skip=config.output_path)
    assert after == before and config.output_path.is_dir()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out) and not path.is_symlink(), path
        assert len(path.name.encode("utf-8")) <= 255


def test_hostile_names_get_distinct_working_urls(hostile_site):
    _, site = hostile_site
    config = load_config(site, {"workers": 1})
    build(config)
    out = config.output_path
    articles = [p for p in out.glob("2024/03/*/*/index.html")]
    assert len(articles) == len(HOSTILE_NAMES)
    for kind in ("tags", "authors", "sections"):
        pages = [p for p in (out / kind).iterdir() if (p / "feed.xml").is_file()]  # not the redirects
        assert len(pages) == len(HOSTILE_NAMES), kind
    assert broken_links(out) == []
    for path in out.rglob("*"):
        rel = path.relative_to(out).as_posix()
        assert "\\" not in rel and ":" not in rel and "%" not in rel and not any(
            part in (".", "..") or part.rstrip(" .") != part for part in rel.split("/")), rel
        stem = path.name.split(".")[0].lower()
        assert stem not in ("con", "nul", "aux", "prn", "lpt1", "com1"), rel


def test_fullwidth_dots_and_encoded_dots_are_not_parent_folders(make_site):
    out = make_site({
        "content/a.md": "---\ntitle: A\ndate: 2024-01-02\nslug: ．．\ntags: [．．／．．]\n---\nx\n",
        "content/b.md": "---\ntitle: B\ndate: 2024-01-02\nslug: '%2e%2e'\n---\nx\n",
    })
    slugs = sorted(p.name for p in (out / "2024/01/02").iterdir() if p.is_dir())
    assert slugs[0] == "2e-2e" and slugs[1].startswith("article-") and len(slugs) == 2
    assert [p.name for p in (out / "tags").iterdir() if p.is_dir()][0].startswith("tag-")


@pytest.mark.parametrize("permalink, problem", [
    ("../../{slug}/", "'permalink' must be folder names joined by '/', without '.', '..'"),
    ("{year}/./{slug}/", "'permalink' must be folder names joined by '/', without '.', '..'"),
    ("{year}\\..\\{slug}/", "'permalink' must be folder names joined by '/', without '.', '..'"),
    ("C:/{slug}/", "'permalink' must be folder names joined by '/', without '.', '..'"),
    ("%2e%2e/{slug}/", "'permalink' must be folder names joined by '/', without '.', '..'"),
    ("news/CON/{slug}/", "'permalink' has a folder named like a Windows device (CON, NUL, ...)"),
    ("{slug.__class__}/{slug}/", "'permalink' may only use the fields {year} {month} {day} {slug} {section}"),
])
def test_permalink_that_could_leave_the_output_folder_is_a_config_error(tmp_path, permalink, problem):
    site = write_files(tmp_path, {"newsgen.yaml": yaml.safe_dump({"permalink": permalink}), "content/.keep": ""})
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    assert f"newsgen.yaml:1: {problem}" in str(caught.value)


def test_section_in_permalink_is_a_slug_not_a_path(make_site):
    out = make_site({"content/a.md": "---\ntitle: A\ndate: 2024-01-02\nsection: ../../etc\n---\nx\n"},
                    permalink="{section}/{slug}/")
    assert (out / "etc/a/index.html").is_file()


def test_config_alias_bomb_and_deep_nesting_are_quick_config_errors(tmp_path):
    from test_fuzz_readers import BILLION_LAUGHS

    site = write_files(tmp_path, {"newsgen.yaml": BILLION_LAUGHS.removeprefix("---\n") + "title: *i\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    assert str(caught.value).endswith("newsgen.yaml:10: 'title' must be text, not [[...], [...], [...], [...], ...]")
    (site / "newsgen.yaml").write_text("title: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    assert str(caught.value).endswith("newsgen.yaml:1: invalid YAML: nested too deeply")


@pytest.fixture
def linked_site(tmp_path):
    outside = write_files(tmp_path / "outside", {
        "secret.md": "---\ntitle: Secret\ndate: 2024-01-02\n---\nprivate\n",
        "folder/other.md": "---\ntitle: Other\ndate: 2024-01-03\n---\nprivate\n",
        "key.txt": "private key",
    })
    site = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n",
                                           "static/robots.txt": "User-agent: *\n"})
    os.symlink(outside / "secret.md", site / "content/secret.md")
    os.symlink(outside / "folder", site / "content/folder")
    os.symlink(outside / "key.txt", site / "static/key.txt")
    os.symlink(site / "content", site / "content/loop")  # a link back inside: read once, no loop
    return site


def test_symlinks_leading_outside_are_skipped_with_a_notice(linked_site):
    config = load_config(linked_site, {"workers": 1})
    report = build(config)
    out = config.output_path
    assert report.articles == 1
    assert not (out / "key.txt").exists() and (out / "robots.txt").is_file()
    assert sorted(report.warnings) == [
        "content/folder: skipped: a symbolic link to a folder outside content (set follow_symlinks: true to read it)",
        "content/secret.md: skipped: a symbolic link to a file outside content (set follow_symlinks: true to read it)",
        "static/key.txt: skipped: a symbolic link to a file outside static (set follow_symlinks: true to read it)",
    ]


def test_symlinks_are_followed_when_configured(linked_site):
    (linked_site / "newsgen.yaml").write_text("follow_symlinks: true\n")
    config = load_config(linked_site, {"workers": 1})
    report = build(config)
    assert report.articles == 3 and report.warnings == ()
    assert (config.output_path / "key.txt").read_text() == "private key"


def test_cli_build_with_hostile_names_exits_cleanly(hostile_site):
    _, site = hostile_site
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-j", "1", "-q"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert Path(site / "public/index.html").is_file()


@pytest.fixture
def linked_folders_site(tmp_path):
    """A site whose static and templates folders are links to folders outside it."""
    outside = write_files(tmp_path / "outside", {
        "keys/id_rsa": "private key",
        "theme/base.html": "stolen theme {% block content %}{% endblock %}",
        "theme/static/style.css": "stolen css",
    })
    site = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n"})
    os.symlink(outside / "keys", site / "static")
    os.symlink(outside / "theme", site / "templates")
    return site, outside


def test_static_and_templates_folders_linked_outside_the_site_are_skipped_with_a_warning(linked_folders_site):
    site, outside = linked_folders_site
    config = load_config(site, {"workers": 1})
    report = build(config)
    out = config.output_path
    assert not (out / "id_rsa").exists()
    assert "stolen" not in (out / "index.html").read_text() and "stolen" not in (out / "static/style.css").read_text()
    assert sorted(report.warnings) == [
        f"static: skipped: a symbolic link to {outside / 'keys'}, outside the site folder "
        "(set follow_symlinks: true to read it)",
        f"templates: skipped: a symbolic link to {outside / 'theme'}, outside the site folder; the built-in theme "
        "is used (set follow_symlinks: true to read it)",
    ]


def test_static_and_templates_folders_linked_outside_are_read_with_follow_symlinks(linked_folders_site):
    site, _ = linked_folders_site
    config = load_config(site, {"workers": 1, "follow_symlinks": True, "search": False})
    report = build(config)
    out = config.output_path
    assert report.warnings == ()
    assert (out / "id_rsa").read_text() == "private key"
    assert (out / "index.html").read_text().startswith("stolen theme")
    assert (out / "static/style.css").read_text() == "stolen css"


def test_content_folder_linked_outside_the_site_is_an_error(tmp_path):
    outside = write_files(tmp_path / "outside", {"a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n"})
    site = tmp_path / "site"
    site.mkdir()
    os.symlink(outside, site / "content")
    with pytest.raises(BuildFailed) as caught:
        build(load_config(site, {"workers": 1}))
    assert caught.value.errors == [f"content: the content folder is a symbolic link to {outside}, outside the site "
                                   "folder, and is not read; set follow_symlinks: true to build from it"]
    assert not (site / "public").exists()
    assert build(load_config(site, {"workers": 1, "follow_symlinks": True})).articles == 1


def test_folders_linked_inside_the_site_are_read(tmp_path):
    site = write_files(tmp_path / "site", {"articles/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n",
                                           "assets/logo.txt": "logo"})
    os.symlink(site / "articles", site / "content")
    os.symlink("assets", site / "static")
    config = load_config(site, {"workers": 1})
    report = build(config)
    assert report.articles == 1 and report.warnings == ()
    assert (config.output_path / "logo.txt").read_text() == "logo"


def test_links_in_the_templates_folder_leading_outside_are_skipped(tmp_path):
    outside = write_files(tmp_path / "outside", {"passwd": "root:x:0:0"})
    site = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n",
                                           "templates/static/own.css": "own"})
    os.symlink(outside / "passwd", site / "templates/static/passwd")
    os.symlink(outside / "passwd", site / "templates/article.html")
    config = load_config(site, {"workers": 1})
    report = build(config)
    out = config.output_path
    assert not (out / "static/passwd").exists() and "root:x" not in (out / "2024/01/01/a/index.html").read_text()
    assert (out / "static/own.css").read_text() == "own"
    assert report.warnings == (
        "templates/article.html: skipped: a symbolic link to a file outside templates "
        "(set follow_symlinks: true to read it)",
        "templates/static/passwd: skipped: a symbolic link to a file outside templates "
        "(set follow_symlinks: true to read it)")
