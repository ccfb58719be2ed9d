"""Slugs of headlines and names in other scripts: readable ASCII (`slug_script: ascii`, the
default) or kept as written (`unicode`); a site whose URLs change keeps its old ones reachable."""

from __future__ import annotations

import pytest

from conftest import write_files
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import ConfigError

GREEK = """\
---
title: Νέο λιμάνι στην Αθήνα
date: 2025-06-01
tags: [Αθήνα, Ports]
section: Οικονομία
author: Νίκος Παπαδόπουλος
---
Το λιμάνι άνοιξε την Κυριακή.
"""
CHINESE = """\
---
title: 北京举行新闻发布会
date: 2025-06-02
---
发布会在周一举行。
"""
OLD_GREEK = "2025/06/01/νεο-λιμανι-στην-αθηνα/"
NEW_GREEK = "2025/06/01/neo-limani-stin-athina/"


def build_site(site, record_urls=True, **overrides):
    config = load_config(site, {"workers": 1, "search": False, **overrides})
    return config.output_path, build(config, record_urls=record_urls)


def test_headlines_in_other_scripts_get_transliterated_urls(tmp_path):
    site = write_files(tmp_path / "site", {"content/greek.md": GREEK, "content/chinese.md": CHINESE})
    out, _ = build_site(site)
    assert (out / NEW_GREEK / "index.html").is_file()
    assert (out / "2025/06/02/bei-jing-ju-xing-xin-wen-fa-bu-hui/index.html").is_file()
    front = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2025/06/01/neo-limani-stin-athina/"' in front
    assert (out / "tags/athina/feed.xml").is_file() and (out / "sections/oikonomia/index.html").is_file()
    assert (out / "authors/nikos-papadopoylos/index.html").is_file()


def test_slug_script_unicode_keeps_the_letters_as_written(tmp_path):
    site = write_files(tmp_path / "site", {"content/greek.md": GREEK})
    out, _ = build_site(site, slug_script="unicode")
    assert (out / OLD_GREEK / "index.html").is_file()
    assert (out / "tags/αθηνα/feed.xml").is_file()
    assert not (out / NEW_GREEK).exists() and not (out / "tags/athina").exists()
    assert not (out / "_redirects").exists()


def test_accented_latin_slugs_are_the_same_in_both_settings(tmp_path):
    story = "---\ntitle: Bogotá recibe a São Paulo\ndate: 2025-06-01\ntags: [Bogotá]\n---\nx\n"
    site = write_files(tmp_path / "site", {"content/a.md": story})
    for script in ("ascii", "unicode"):
        out, _ = build_site(site, slug_script=script)
        assert (out / "2025/06/01/bogota-recibe-a-sao-paulo/index.html").is_file()
        assert (out / "tags/bogota/index.html").is_file() and not (out / "_redirects").exists()


def test_an_article_published_with_a_unicode_slug_redirects_to_its_ascii_url(tmp_path):
    site = write_files(tmp_path / "site", {"content/greek.md": GREEK})
    build_site(site, slug_script="unicode")
    assert f"content/greek.md\t/{OLD_GREEK}" in (site / "newsgen-urls.txt").read_text(encoding="utf-8")
    out, report = build_site(site)
    assert (f"content/greek.md: URL changed from /{OLD_GREEK} to /{NEW_GREEK}; /{OLD_GREEK} now redirects there"
            in report.notices)
    page = (out / OLD_GREEK / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../neo-limani-stin-athina/">' in page
    rules = (out / "_redirects").read_text()
    assert "/2025/06/01/%CE%BD%CE%B5%CE%BF-" in rules and f" /{NEW_GREEK} 301\n" in rules


def test_listings_keep_a_redirect_at_their_unicode_url(tmp_path):
    stories = {f"content/{n}.md": GREEK.replace("2025-06-01", f"2025-06-{n:02d}") for n in range(1, 6)}
    site = write_files(tmp_path / "site", stories)
    out, _ = build_site(site, archive_page_size=2)
    for old, new in [("tags/αθηνα/", "tags/athina/"), ("sections/οικονομια/", "sections/oikonomia/"),
                     ("authors/νικοσ-παπαδοπουλοσ/", "authors/nikos-papadopoylos/")]:
        page = (out / old / "index.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="http://localhost:8000/{new}">' in page
    assert ('<meta http-equiv="refresh" content="0; url=../../../athina/page/1/">'
            in (out / "tags/αθηνα/page/1/index.html").read_text(encoding="utf-8"))
    rules = (out / "_redirects").read_text()
    assert "/tags/%CE%B1%CE%B8%CE%B7%CE%BD%CE%B1/page/1/ /tags/athina/page/1/ 301\n" in rules
    assert "/tags/ports/" not in rules


def test_unknown_slug_script_is_a_config_error(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "slug_script: latin\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    assert "'slug_script' must be one of ascii, unicode, not 'latin'" in str(caught.value)
