"""The example site in content/: every page type exists, is linked and shows what a reader needs."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import REPO, SEED
from newsgen.build import build
from newsgen.cli import main
from newsgen.config import load_config

SEED_URL = "2022/08/10/venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia/"
MONTH_URL = "2021/03/foreign-visits-to-the-country-s-national-parks-fell-by-more-than-half-last-year/"
IN_ENGLISH = 16  # 21 files in content/: one a draft, three in Spanish and one in Arabic, under es/ and ar/
_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def copy_example(target: Path) -> Path:
    """The repository's example site (content/, newsgen.yaml, static/) copied to target."""
    for name in ("content", "static"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "newsgen.yaml", target / "newsgen.yaml")
    return target


def build_example(target: Path, **overrides) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        config = load_config(copy_example(target), {"workers": 1, **overrides})
        build(config)
    return config.output_path


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return build_example(tmp_path_factory.mktemp("example"))


def read(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def local_links(page: str) -> list[str]:
    return [html.unescape(h) for h in _LINK.findall(page) if not re.match(r"^[a-z]+:|^#", h)]


def resolve(page_url: str, href: str) -> str:
    """The site URL an href on the page at page_url points to (`a/b/` or `static/x.css`)."""
    target = posixpath.normpath(posixpath.join("/" + page_url, unquote(href.split("#")[0])))
    target = target.lstrip("/")
    return target + "/" if href.split("#")[0].endswith("/") and target else target


def file_for(out: Path, url: str) -> Path:
    return out / url / "index.html" if url == "" or url.endswith("/") else out / url


def test_example_seed_article_shows_derived_headline_date_and_full_text(example):
    page = read(example, SEED_URL)
    assert "<h1>Venezuela has started contacts with the government of Gustavo Petro in Colombia to…</h1>" in page
    assert '<time datetime="2022-08-10">10 August 2022</time>' in page
    text = SEED.read_text(encoding="utf-8").split(" ", 3)[3]
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) == 12
    for paragraph in paragraphs:
        assert f"<p>{html.escape(paragraph, quote=False)}</p>" in page
    assert "“military relations”" in page and "minister’s words" in page


def test_example_has_every_page_type(example):
    expected = [
        "", "page/1/", "page/2/", SEED_URL, MONTH_URL,
        "tags/", "tags/venezuela/", "tags/trade/page/1/", "2022/page/1/", "sections/", "sections/economy/", "authors/", "authors/tomas-ferreira/",
        "archive/", "2022/", "2022/08/", "2022/08/10/", "2021/03/",
    ]
    missing = [url for url in expected if not (example / url / "index.html").is_file()]
    assert missing == []
    assert (example / "404.html").is_file()
    assert (example / "static/style.css").is_file()


def test_example_every_page_is_reached_from_the_front_page_and_no_link_is_broken(example):
    seen, queue, broken = {""}, [""], []
    while queue:
        url = queue.pop()
        for href in local_links(file_for(example, url).read_text(encoding="utf-8")):
            target = resolve(url, href)
            if not file_for(example, target).is_file():
                broken.append(f"{url} -> {href}")
            elif target not in seen and (target == "" or target.endswith("/")):
                seen.add(target)
                queue.append(target)
    pages = {p.relative_to(example).parent.as_posix() + "/" for p in example.rglob("index.html")
             if '<meta http-equiv="refresh"' not in p.read_text(encoding="utf-8")}  # redirects: old URLs
    pages = {"" if p == "./" else p for p in pages}
    assert broken == []
    assert pages - seen == set()


def test_example_front_page_pages_hold_each_article_once(example):
    titles = []
    for url in ("", "page/2/", "page/1/"):
        titles += re.findall(r'<h2 class="teaser-title"[^>]*><a href="[^"]+">([^<]+)</a>', read(example, url))
    assert len(titles) == IN_ENGLISH
    assert len(set(titles)) == IN_ENGLISH
    front = read(example, "")
    assert 'rel="next" href="page/2/"' in front and '<span aria-current="page">Newest</span>' in front
    assert 'rel="prev" href="../../"' in read(example, "page/2/")
    assert "Page " not in front + read(example, "page/2/")


def test_example_article_links_to_older_and_newer_articles(example):
    page = read(example, SEED_URL)
    older = re.search(r'<a class="older" rel="prev" href="([^"]+)">', page).group(1)
    newer = re.search(r'<a class="newer" rel="next" href="([^"]+)">', page).group(1)
    assert resolve(SEED_URL, older) == "2022/03/14/port-congestion-eases-as-shipping-lines-add-capacity/"
    assert resolve(SEED_URL, newer) == "2022/08/10/traders-on-the-colombia-venezuela-border-wait-for-the-bridges-to-reopen-to/"


def test_example_month_precision_article_shows_the_month_and_no_day(example):
    page = read(example, MONTH_URL)
    assert '<time datetime="2021-03">March 2021</time>' in page
    assert not re.search(r"\b\d{1,2} March 2021\b", page)
    assert "Foreign visits to the country’s national parks fell" in read(example, "2021/03/")
    assert not (example / "2021/03/01").exists()


def test_example_tag_spellings_share_one_page_and_counts_are_shown(example):
    tag_page = read(example, "tags/venezuela/")
    assert '<span class="count">3 articles</span>' in tag_page  # two spellings, and the seed's automatic tag
    assert "Venezuela invites foreign observers" in tag_page and "Traders on the Colombia–Venezuela border" in tag_page
    assert "Venezuela has started contacts with the government of Gustavo Petro" in tag_page
    assert '<a href="venezuela/">Venezuela</a> <span class="count">3</span>' in read(example, "tags/")
    assert '<a href="../2022/">2022</a> <span class="count">4 articles</span>' in read(example, "archive/")


def test_example_period_pages_link_to_neighbouring_periods(example):
    day = read(example, "2022/08/10/")
    assert '<a rel="prev" href="../../03/14/">← 14 March 2022</a>' in day
    assert '<a rel="next" href="../../12/06/">6 December 2022 →</a>' in day
    year = read(example, "2022/")
    assert '<a rel="prev" href="../2021/">← 2021</a>' in year and '<a rel="next" href="../2023/">2023 →</a>' in year


def test_example_formats_and_metadata_reach_the_pages(example):
    glacier = read(example, "2021/10/02/alpine-glaciers-lost-a-record-share-of-their-ice-over-the-summer-survey-finds/")
    assert 'By <a href="../../../../authors/ingrid-halvorsen/">Ingrid Halvorsen</a> and <a href="../../../../authors/tomas-ferreira/">Tomás Ferreira</a>' in glacier
    port = read(example, "2022/03/14/port-congestion-eases-as-shipping-lines-add-capacity/")
    assert "<strong>Correction, <time datetime=\"2022-03-16T00:00:00+00:00\">16 March 2022</time>:</strong> An earlier version" in port
    satellite = read(example, "2022/12/06/weather-satellite-reaches-orbit-and-sends-its-first-signals/")
    assert ('<img src="../../../../images/satellite-orbit.svg" alt="Diagram: a satellite on a polar orbit around the Earth" '
            'width="800" height="400" fetchpriority="high">') in satellite
    assert (example / "images/satellite-orbit.svg").is_file()
    assert (example / "2019/11/21/cross-border-rail-link-opens-after-eight-years-of-construction/index.html").is_file()
    assert (example / "2021/05/19/hospitals-trial-solar-powered-fridges-to-keep-vaccines-cold-in-remote-clinics/index.html").is_file()
    assert (example / "2023/06/21/heatwave-power-grid/index.html").is_file()
    assert not list(example.rglob("what-to-expect-from-next-week-s-budget"))


def test_example_front_page_and_port_story_show_their_pictures(example):
    front = read(example, "")
    assert front.count('class="teaser-picture"') == 2  # the solar farm and the satellite, among the newest
    assert ('<source type="image/webp" srcset="images/solar-farm.480w.webp 480w, images/solar-farm.960w.webp 960w, '
            'images/solar-farm.1600w.webp 1600w" sizes="(min-width: 40rem) 10rem, 33vw">') in front
    port = read(example, "2022/03/14/port-congestion-eases-as-shipping-lines-add-capacity/")
    assert ('<figcaption>Ships waiting at anchor outside the port on Monday morning. '
            '<span class="credit">Drawing by the newsroom</span></figcaption>') in port
    assert 'src="ships-waiting.900w.png" alt="Bar chart: the ships waiting at anchor' in port
    assert (example / "2022/03/14/port-congestion-eases-as-shipping-lines-add-capacity/harbour.960w.webp").is_file()


def test_example_under_a_sub_path_has_canonical_urls_there_and_relative_links(tmp_path):
    out = build_example(tmp_path, base_url="https://example.org/news/")
    page = read(out, SEED_URL)
    assert f'<link rel="canonical" href="https://example.org/news/{SEED_URL}">' in page
    assert '<link rel="stylesheet" href="../../../../static/style.css">' in page
    for path in out.rglob("index.html"):
        hrefs = _LINK.findall(path.read_text(encoding="utf-8"))
        assert [h for h in hrefs if h.startswith("/")] == [], path
    not_found = (out / "404.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="/news/static/style.css">' in not_found
    assert '<a href="/news/archive/">' in not_found


ARTICLE = {"content/2024-05-01-story.md": "---\ntitle: A story\ntags: [x]\n---\n\nBody text.\n"}


def test_site_template_overrides_a_builtin_one_by_name_and_can_extend_it(make_site):
    out = make_site({
        **ARTICLE,
        "templates/article.html": (
            '{% extends "builtin/article.html" %}\n'
            "{% block title %}Custom: {{ article.title }}{% endblock %}\n"
        ),
    })
    page = (out / "2024/05/01/story/index.html").read_text(encoding="utf-8")
    assert "<title>Custom: A story</title>" in page
    assert "<h1>A story</h1>" in page
    assert "<title>X · News Archive</title>" in (out / "tags/x/index.html").read_text(encoding="utf-8")
    assert "Custom:" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("line, message", [
    ("<p>{{ artcle.title }}</p>", "'artcle' is undefined"),
    ("<p>{{ article.title }</p>", "unexpected '}'"),
])
def test_template_typo_fails_the_build_with_file_and_line(tmp_path, monkeypatch, capsys, line, message):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content/2024-05-01-story.md").write_text(ARTICLE["content/2024-05-01-story.md"], encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n' + line + "\n{% endblock %}\n", encoding="utf-8")
    monkeypatch.chdir(site)
    assert main(["build", ".", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert err == f"error: build failed with 1 error:\n  1. templates/article.html:3: template error: {message}\n"
    assert not (site / "public").exists()


def story_site(tmp_path: Path, count: int, article_template: str) -> Path:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    for number in range(count):
        day = date(2024, 5, 1) + timedelta(days=number)
        (site / f"content/{day}-story-{number}.md").write_text(
            f"---\ntitle: Story {number}\ntags: [t{number % 3}]\n---\nBody {number}.\n", encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(article_template, encoding="utf-8")
    return site


@pytest.mark.parametrize("count", [1, 11, 200])
def test_the_whole_article_list_is_refused_to_page_templates_at_any_size(tmp_path, monkeypatch, capsys, count):
    site = story_site(tmp_path, count, '{% extends "base.html" %}\n{% block content %}\n'
                      "{% for a in site.articles %}{{ a.title }}{% endfor %}\n{% endblock %}\n")
    monkeypatch.chdir(site)
    assert main(["build", ".", "-j", "1"]) == 1
    assert capsys.readouterr().err == (
        "error: build failed with 1 error:\n  1. templates/article.html:3: template error: site.articles is not "
        "available to templates, whatever the size of the site: a page that reads every article would be rendered "
        "again whenever any article changes. Use page.articles (the articles of this page), site.article_count, "
        "or the newest articles of a listing (site.tags[0].head, at most 10)\n")


def test_a_theme_reading_the_tag_counts_on_article_pages_shows_them_current_after_an_add(tmp_path):
    site = story_site(tmp_path, 3, '{% extends "builtin/article.html" %}\n{% block title %}'
                      "{% for t in site.tags %}{{ t.title }}={{ t.count }} {% endfor %}{% endblock %}\n")
    config = load_config(site, {"workers": 1, "search": False})
    build(config)
    page = site / "public/2024/05/01/story-0/index.html"
    assert "<title>T0=1 T1=1 T2=1 </title>" in page.read_text(encoding="utf-8")
    (site / "content/2024-06-01-more.md").write_text("---\ntitle: More\ntags: [t1]\n---\nMore.\n", encoding="utf-8")
    build(config)
    assert "<title>T0=1 T1=2 T2=1 </title>" in page.read_text(encoding="utf-8")


def test_a_template_that_is_not_utf8_is_an_error_naming_it(tmp_path, monkeypatch, capsys):
    site = story_site(tmp_path, 2, '{% extends "base.html" %}{% block content %}{% include "_box.html" %}{% endblock %}')
    (site / "templates/_box.html").write_bytes(b"\xff\xfe box")
    monkeypatch.chdir(site)
    assert main(["build", ".", "-j", "1"]) == 1
    assert capsys.readouterr().err == (
        "error: build failed with 1 error:\n  1. templates/_box.html: template error: not UTF-8 text (byte 1 cannot be read)\n")


def test_example_tag_pages_are_paginated_from_the_oldest(example):
    newest = read(example, "tags/trade/")
    oldest = read(example, "tags/trade/page/1/")
    assert '<span aria-current="page">Newest</span>' in newest and 'rel="next" href="page/1/"' in newest
    assert '<span class="page-number">4 June 2019 – 14 March 2022</span>' in oldest and 'rel="prev" href="../../"' in oldest
    assert "<title>Trade (4 June 2019 – 14 March 2022) · The Daily Ledger</title>" in oldest
    assert "Wheat prices fall back" in newest and "Colombian coffee growers" in oldest
    assert "Colombian coffee growers" not in newest
