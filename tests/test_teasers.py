"""Teasers rendered once and reused on listing pages: the pages are byte for byte those of a theme
that runs its teaser macro on every page, for the built-in teaser and a site's own, with one
worker or two, cold, cached and after edits."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from newsgen.build import build
from newsgen.config import load_config
from newsgen.render.theme_sources import builtin_templates_dir
from conftest import write_files

BUILTIN_MACROS = (builtin_templates_dir() / "_macros.html").read_text(encoding="utf-8")
ONCE = "teaser_once(teaser, article, heading, loop.index > eager)"
DIRECT = "teaser(article, heading, loop.index > eager)"
OWN_TEASER = '''{% macro teaser(article, heading="h2", lazy=true) -%}
<div class="own-teaser"><{{ heading }}{{ lang_of(article) }}><a href="{{ article.url|url }}">{{ article.title|upper }}</a></{{ heading }}>
{% if article.picture %}{{ picture_html(article.picture, article.title, "10rem", lazy) }}{% endif %}
{% for author in article.authors %}<a class="who" href="{{ author.url|url }}">{{ author.name }}</a>{% endfor %}
<span>{{ article.published|date }} · {{ article.summary|truncate(40) }} · {{ "x" ~ article.section.url|url }}</span></div>
{%- endmacro %}'''


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 140)).save(out, "JPEG", quality=80)
    return out.getvalue()


def story(number: int) -> str:
    authors = ", ".join(["Ana Lima", "Bo Chen", "Cy Okafor"][: 1 + number % 3])
    lang = "lang: fr\n" if number % 7 == 0 else ""
    image = "image: lead.jpg\n" if number % 5 == 0 else ""
    return (f"---\ntitle: Story {number} & more\ndate: {2022 + number % 2}-{1 + number % 12:02d}-{1 + number % 9:02d}T10:00:00Z\n"
            f"section: {['Economy', 'Politics'][number % 2]}\ntags: [{['Trade', 'Ports', 'Rail'][number % 3]}, Wire]\n"
            f"authors: [{authors}]\n{lang}{image}---\nParagraph of story {number}.\n")


def site_files(macros: str | None = None) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for number in range(40):
        folder = f"content/s{number:02d}/"
        files[folder + "index.md"] = story(number)
        if number % 5 == 0:
            files[folder + "lead.jpg"] = jpeg()
    if macros is not None:
        files["templates/_macros.html"] = macros
    return files


def built(root: Path, files: dict[str, str | bytes], workers: int = 1, **overrides) -> dict[str, bytes]:
    site = write_files(root, files)
    config = load_config(site, {"workers": workers, "search": False, "page_size": 4, "archive_page_size": 3,
                                **overrides})
    build(config)
    return snapshot(config.output_path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_builtin_teasers_equal_the_teaser_macro_run_on_every_page_with_one_worker_or_two(tmp_path):
    assert ONCE in BUILTIN_MACROS
    expected = built(tmp_path / "direct", site_files(BUILTIN_MACROS.replace(ONCE, DIRECT)))
    once = built(tmp_path / "once", site_files())
    assert "tags/wire/page/2/index.html" in once and "2022/01/index.html" in once
    assert 'lang="fr"' in once["index.html"].decode() and "<picture" in once["sections/economy/index.html"].decode()
    assert once == expected
    assert built(tmp_path / "two", site_files(), workers=2) == expected


def test_a_site_teaser_macro_gives_its_own_teasers_on_every_listing_page(tmp_path):
    own = BUILTIN_MACROS.replace(BUILTIN_MACROS[BUILTIN_MACROS.index("{% macro teaser("):
                                                BUILTIN_MACROS.index("{%- endmacro %}", BUILTIN_MACROS.index("{% macro teaser("))
                                                + len("{%- endmacro %}")], OWN_TEASER)
    expected = built(tmp_path / "direct", site_files(own.replace(ONCE, DIRECT)))
    once = built(tmp_path / "once", site_files(own))
    page = once["tags/wire/page/2/index.html"].decode()
    assert 'class="own-teaser"' in page and '<article class="teaser' not in page and "STORY" in page
    assert once == expected
    assert built(tmp_path / "two", site_files(own), workers=2) == expected


@pytest.mark.parametrize("change, shown", [
    ('<article data-page="{{ page.url }}" class="teaser', 'data-page="tags/wire/page/2/"'),
    ('<article data-depth="{{ (article.url|url)|length }}" class="teaser', 'data-depth="36"'),
    ('<article data-link="{{ article.url|url|replace(\'/\', \' \') }}" class="teaser', 'data-link=".. .. .. .. 2022'),
], ids=["reads the page", "measures a link", "changes a link"])
def test_a_teaser_that_reads_the_page_or_changes_a_link_shows_each_page_its_own_value(tmp_path, change, shown):
    changed = BUILTIN_MACROS.replace('<article class="teaser', change)
    once = built(tmp_path / "once", site_files(changed))
    assert once == built(tmp_path / "direct", site_files(changed.replace(ONCE, DIRECT)))
    assert shown in once["tags/wire/page/2/index.html"].decode()


def test_an_edited_teaser_macro_or_headline_rebuilds_listings_as_a_clean_build_does(tmp_path):
    files = site_files()
    built(tmp_path / "site", files)
    edits = {"templates/_macros.html": BUILTIN_MACROS.replace('<p class="summary"', '<p class="summary edited"'),
             "content/s03/index.md": story(3).replace("title: Story 3 & more", "title: Story three")}
    incremental = built(tmp_path / "site", edits)
    shutil.copytree(tmp_path / "site", tmp_path / "clean", ignore=shutil.ignore_patterns("public", ".newsgen-cache"))
    assert built(tmp_path / "clean", {}) == incremental
    trade = [page.decode() for path, page in incremental.items() if path.startswith("tags/trade/")]
    assert any("Story three" in page and 'class="summary edited"' in page for page in trade)
    assert not any("Story 3 &amp; more" in page for page in trade)
