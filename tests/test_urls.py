"""URL rules: slugs, permalinks, relative links that work at a domain root and under a sub-path."""

from __future__ import annotations

from datetime import datetime

import pytest

from newsgen.urls import (absolute_url, article_url, output_path, page_url, period_url, relative_url,
                          root_relative_url, slugify, url_collisions)

PERMALINK = "{year}/{month}/{day}/{slug}/"


@pytest.mark.parametrize("text, slug", [
    ("Bogotá: “Hello” World!", "bogota-hello-world"),
    ("Москва сегодня", "moskva-segodnya"),
    ("snake_case and  spaces", "snake-case-and-spaces"),
    ("../../etc/passwd", "etc-passwd"),
    ("C:\\Windows\\system32", "c-windows-system32"),
    ("%2e%2e", "2e-2e"),
    ("con", "con-1"),
    ("NUL", "nul-1"),
])
def test_slugify_keeps_letters_drops_separators_and_device_names(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("text, ascii_slug, unicode_slug", [
    ("Bogotá: “Hello” World!", "bogota-hello-world", "bogota-hello-world"),
    ("São Paulo, Zürich, Straße", "sao-paulo-zurich-strasse", "sao-paulo-zurich-strasse"),
    ("€100 for 5 ½ days", "100-for-5-1-2-days", "100-for-5-1-2-days"),
    ("Ελλάδα: ΟΔΟΣ Αθηνάς", "ellada-odos-athinas", "ελλαδα-οδοσ-αθηνασ"),
    ("Москва сегодня", "moskva-segodnya", "москва-сегодня"),
    ("北京举行新闻发布会", "bei-jing-ju-xing-xin-wen-fa-bu-hui", "北京举行新闻发布会"),
    ("محطة جديدة لتحلية المياه", "mhth-jdydh-lthlyh-lmyh", "محطة-جديدة-لتحلية-المياه"),
    ("عمر يزور ٣ مدن", "mr-yzwr-3-mdn", "عمر-يزور-٣-مدن"),
    ("Łódź i Đà Nẵng", "lodz-i-da-nang", "łodz-i-đa-nang"),
])
def test_slugify_transliterates_other_scripts_unless_asked_to_keep_them(text, ascii_slug, unicode_slug):
    assert slugify(text) == slugify(text, script="ascii") == ascii_slug
    assert slugify(text, script="unicode") == unicode_slug


def test_slugify_cuts_long_text_at_a_hyphen():
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word") and "--" not in slug


def test_slugify_gives_text_without_letters_a_stable_hash():
    assert slugify("…", fallback="tag") == slugify("…", fallback="tag")
    assert slugify("…", fallback="tag").startswith("tag-") and slugify("!!!", fallback="tag") != slugify("…", fallback="tag")


def test_article_url_uses_date_and_slug():
    assert article_url(PERMALINK, datetime(2022, 8, 10, 23, 59), "time", "x", "") == "2022/08/10/x/"


def test_article_url_of_month_precision_has_no_day_segment():
    assert article_url(PERMALINK, datetime(2022, 8, 1), "month", "x", "") == "2022/08/x/"


def test_article_url_with_section_pattern():
    assert article_url("{section}/{year}/{slug}/", datetime(2022, 8, 1), "day", "x", "world") == "world/2022/x/"
    assert article_url("{section}/{year}/{slug}/", datetime(2022, 8, 1), "day", "x", "") == "news/2022/x/"


def test_period_page_and_output_paths():
    assert [period_url(2022), period_url(2022, 8), period_url(2022, 8, 1)] == ["2022/", "2022/08/", "2022/08/01/"]
    assert [page_url("", 2), page_url("tags/a/", 3), page_url("tags/a/", None)] == ["page/2/", "tags/a/page/3/", "tags/a/"]
    assert [output_path(""), output_path("a/b/"), output_path("feed.xml")] == ["index.html", "a/b/index.html", "feed.xml"]


@pytest.mark.parametrize("here, target, href", [
    ("", "2022/08/10/x/", "2022/08/10/x/"),
    ("2022/08/10/x/", "", "../../../../"),
    ("2022/08/10/x/", "tags/venezuela/", "../../../../tags/venezuela/"),
    ("tags/a/page/2/", "tags/a/", "../../"),
    ("tags/a/", "tags/a/", "./"),
    ("2022/", "static/style.css", "../static/style.css"),
    ("", "tags/são-paulo/", "tags/s%C3%A3o-paulo/"),
])
def test_relative_url_needs_no_base_path(here, target, href):
    assert relative_url(here, target) == href


def test_absolute_and_root_relative_urls_honour_a_sub_path():
    assert absolute_url("https://example.org/news/", "2022/08/10/x/") == "https://example.org/news/2022/08/10/x/"
    assert absolute_url("https://example.org/", "") == "https://example.org/"
    assert root_relative_url("/news/", "tags/") == "/news/tags/"


def test_url_collisions_name_every_file_claiming_a_url():
    claims = [("a/", "c.md"), ("b/", "x.md"), ("a/", "b.md"), ("a/", "a.md")]
    assert url_collisions(claims) == [
        "a.md: URL /a/ is also claimed by b.md, c.md; give one of them a different 'slug' or 'date'"
    ]
