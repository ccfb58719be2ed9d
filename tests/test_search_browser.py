"""The search page in a real browser: headless Chromium (Debian's package) over CDP."""

import threading

import pytest
from browser import CHROMIUM, Browser
from conftest import REPO, write_files

from newsgen.build import build
from newsgen.config import load_config
from serving import make_server

SEED_TITLE = "Venezuela has started contacts with the government of Gustavo Petro in Colombia to…"
SEED_PATH = "/news/2022/08/10/venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia/"


HARBOUR_STORY = """\
---
title: Harbour report {day}
date: 2023-05-0{day}T09:30:00Z
section: {section}
---
The harbour {word} on day {day} of the month.
"""


def _serve_under_news(config):
    """Build the site for the sub-path /news/ and serve it there, yielding its address; the server
    stops when the fixture using it ends."""
    build(config)
    server = make_server(config.output_path, "127.0.0.1", 0, "/news/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def sharded_site_under_news(tmp_path):
    """Five articles, each in a search shard of its own (`search_shard_words: 1`), four of them
    about the harbour (the third is about the market), built for and served under /news/."""
    words = ["froze", "flooded", "reopened", "closed", "grew"]
    site = write_files(tmp_path / "site", {
        f"content/h{day}.md": HARBOUR_STORY.format(day=day, word=words[day - 1],
                                                   section="Ports" if day % 2 else "Weather")
        for day in range(1, 6)})
    (site / "content/h3.md").write_text(HARBOUR_STORY.format(day=3, word="x", section="Ports")
                                        .replace("Harbour", "Market").replace("harbour x", "market opened"),
                                        encoding="utf-8")
    yield from _serve_one_article_a_shard(site)


def _serve_one_article_a_shard(site):
    """Build a site whose every article ends its search shard (`search_shard_words: 1`) for the
    sub-path /news/, and serve it there (_serve_under_news)."""
    config = load_config(site, {"workers": 1, "search_shard_words": 1, "base_url": "https://example.org/news/"})
    yield from _serve_under_news(config)


@pytest.mark.slow
def test_a_query_over_a_sharded_index_lists_results_from_every_shard_newest_first(sharded_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    with Browser() as browser:
        browser.navigate(sharded_site_under_news + "search/?sort=newest")
        shards = browser.evaluate("document.querySelector('[data-search]').dataset.shards.split(' ').length")
        assert shards == 5
        browser.wait_for("!document.querySelector('.search-filters').hidden")  # Pagefind loaded
        browser.type_text("#search-query", "harbour")
        browser.wait_for("document.querySelector('[data-search-status]').textContent.includes('found')")
        assert browser.evaluate("document.querySelector('[data-search-status]').textContent") == \
            "4 articles found for “harbour”."
        titles = "[...document.querySelectorAll('[data-search-results] .teaser-title a')]" \
                 ".map(a => [a.textContent, new URL(a.href).pathname])"
        assert browser.evaluate(titles) == [
            [f"Harbour report {day}", f"/news/2023/05/0{day}/harbour-report-{day}/"] for day in (5, 4, 2, 1)]

        browser.evaluate("const sort = document.querySelector('#search-sort'); sort.value = 'oldest';"
                         "sort.dispatchEvent(new Event('change'))")
        browser.wait_for("location.search === '?q=harbour&sort=oldest'")
        browser.wait_for(f"JSON.stringify({titles}.map(t => t[0])) === "
                         "JSON.stringify(['Harbour report 1', 'Harbour report 2', 'Harbour report 4', 'Harbour report 5'])")

        browser.evaluate("document.querySelector('.search-filters summary').click()")  # merges every shard
        browser.wait_for("document.querySelectorAll('#search-section option').length > 1")
        sections = browser.evaluate("[...document.querySelectorAll('#search-section option')].map(o => o.textContent)")
        assert sections == ["Any", "Ports (3)", "Weather (2)"]  # counted across the whole archive
        browser.evaluate("const section = document.querySelector('#search-section'); section.value = 'Ports';"
                         "document.querySelector('#search-sort').value = 'newest'; section.dispatchEvent(new Event('change'))")
        browser.wait_for("document.querySelector('[data-search-status]').textContent"
                         " === '2 articles found for “harbour”. Filters applied.'")
        assert browser.evaluate(titles) == [
            [f"Harbour report {day}", f"/news/2023/05/0{day}/harbour-report-{day}/"] for day in (5, 1)]
        assert browser.console == []


@pytest.fixture
def example_site_under_news(tmp_path):
    """The repository's example site, built for and served under the sub-path /news/."""
    config = load_config(REPO, {"output_dir": str(tmp_path / "public"), "workers": 1,
                                "base_url": "https://example.org/news/"})
    yield from _serve_under_news(config)


@pytest.mark.slow
def test_typing_a_query_on_the_search_page_shows_the_seed_article(example_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    with Browser() as browser:
        browser.navigate(example_site_under_news + "search/")
        browser.wait_for("!document.querySelector('.search-filters').hidden")  # Pagefind loaded
        browser.type_text("#search-query", "Maduro")
        status = browser.wait_for("document.querySelector('[data-search-results] a') &&"
                                  " document.querySelector('[data-search-status]').textContent")
        assert status == "Best matches for “Maduro”."  # best match is the default order
        results = browser.evaluate("[...document.querySelectorAll('[data-search-results] .teaser-title a')]"
                                   ".map(a => [a.textContent, new URL(a.href).pathname])")
        assert [SEED_TITLE, SEED_PATH] in results
        summaries = browser.evaluate("[...document.querySelectorAll('[data-search-results] .summary')]"
                                     ".map(p => p.innerHTML)")
        assert summaries[results.index([SEED_TITLE, SEED_PATH])].startswith(
            "Venezuela has started contacts with the government of Gustavo Petro")  # a best match shows the summary
        assert browser.evaluate("location.search") == "?q=Maduro"

        browser.evaluate("document.querySelector('.search-filters summary').click()")  # loads the filter values
        browser.wait_for("document.querySelectorAll('#search-year option').length > 1")
        years = browser.evaluate("[...document.querySelectorAll('#search-year option')].map(o => o.textContent)")
        assert years[0] == "Any" and "2022 (4)" in years  # the example site's four 2022 articles
        browser.evaluate("const year = document.querySelector('#search-year'); year.value = '2022';"
                         "year.dispatchEvent(new Event('change'))")
        browser.wait_for("location.search === '?q=Maduro&year=2022'")
        browser.wait_for("document.querySelector('[data-search-status]').textContent"
                         " === '1 article found for “Maduro”. Filters applied.'")

        browser.evaluate("document.querySelector('[data-search-results] .teaser-title a').click()")
        browser.wait_for(f"location.pathname === {SEED_PATH!r} && document.readyState === 'complete'")
        assert browser.evaluate("document.querySelector('h1').textContent") == SEED_TITLE
        assert browser.console == []


@pytest.mark.slow
def test_a_query_that_matches_nothing_says_so(example_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    with Browser() as browser:
        browser.navigate(example_site_under_news + "search/?q=xylophonist")
        browser.wait_for("document.querySelector('[data-search-status]').textContent.startsWith('No')")
        assert browser.evaluate("document.querySelector('[data-search-status]').textContent") == \
            "No articles found for “xylophonist”."
        assert browser.evaluate("document.querySelectorAll('[data-search-results] li').length") == 0


ARABIC_STORY = """\
---
title: تقرير الميناء {day}
date: 2023-05-{day:02d}T09:30:00Z
---
أعيد فتح الميناء في اليوم {day} من الشهر.
"""


@pytest.fixture
def arabic_site_under_news(tmp_path):
    """An Arabic site of eleven articles about the harbour and an English one, built for and served under /news/."""
    english = "---\ntitle: Harbour report\ndate: 2023-04-30T09:30:00Z\nlang: en\n---\nThe harbour (الميناء) reopened.\n"
    site = write_files(tmp_path / "site", {"newsgen.yaml": "language: ar\n", "content/en.md": english, **{
        f"content/h{day}.md": ARABIC_STORY.format(day=day) for day in range(1, 12)}})
    config = load_config(site, {"workers": 1, "base_url": "https://example.org/news/"})
    yield from _serve_under_news(config)


@pytest.mark.slow
def test_the_search_page_of_an_arabic_site_speaks_arabic(arabic_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    status = "document.querySelector('[data-search-status]').textContent"
    with Browser() as browser:
        browser.navigate(arabic_site_under_news + "search/?q=الميناء&sort=newest")
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "عُثر على 12 مقالًا عن «الميناء»."  # the form for 11 to 99
        assert browser.evaluate("document.querySelector('[data-search-results] .meta').textContent") == \
            "11 مايو 2023، 9:30 ص UTC"
        assert browser.evaluate("document.querySelector('[data-search-more]').textContent") == "عرض المزيد من النتائج"
        assert browser.evaluate("document.querySelector('[data-search-results] article').lang") == ""
        browser.evaluate("document.querySelector('[data-search-more]').click()")
        browser.wait_for("document.querySelectorAll('[data-search-results] li').length === 12")
        english = "[...document.querySelectorAll('[data-search-results] article')].at(-1)"
        assert browser.evaluate(f"[{english}.lang, {english}.dir, {english}.querySelector('.meta').textContent]") == \
            ["en", "ltr", "30 April 2023, 09:30 UTC"]
        browser.navigate(arabic_site_under_news + "search/?q=xylophonist")
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "لم يُعثر على أي مقال عن «xylophonist»."
        browser.navigate(arabic_site_under_news + "search/?q=الميناء")  # best match: Arabic stems
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "أفضل النتائج عن «الميناء»."
        assert browser.evaluate("document.querySelectorAll('[data-search-results] li').length") == 10
        assert browser.console == []


@pytest.mark.slow
def test_the_spanish_search_page_of_the_multilingual_example_finds_spanish_articles_only(example_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    status = "document.querySelector('[data-search-status]').textContent"
    results = ("[...document.querySelectorAll('[data-search-results] .teaser-title a')]"
               ".map(a => new URL(a.href).pathname)")
    with Browser() as browser:
        browser.navigate(example_site_under_news + "es/search/?q=cosecha&sort=newest")
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "Se encontraron 2 artículos para «cosecha»."
        assert browser.evaluate(results) == ["/news/es/2025/05/12/cacao-harvest-es/",
                                             "/news/es/2019/06/04/caficultores-colombianos-cosecha-mas-pequena/"]
        browser.navigate(example_site_under_news + "es/search/?q=cosechas")  # best match, Spanish stems
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "Mejores resultados para «cosechas»."
        assert sorted(browser.evaluate(results)) == ["/news/es/2019/06/04/caficultores-colombianos-cosecha-mas-pequena/",
                                                     "/news/es/2025/05/12/cacao-harvest-es/"]
        browser.navigate(example_site_under_news + "es/search/?q=growers")  # in the English version only
        browser.wait_for(f"{status}.includes('«')")
        assert browser.evaluate(status) == "No se encontró ningún artículo para «growers»."
        browser.navigate(example_site_under_news + "search/?q=growers")
        browser.wait_for(f"document.querySelector('[data-search-results] a') && {status}.includes('“')")
        paths = browser.evaluate(results)
        assert "/news/2019/06/04/colombia-coffee-harvest/" in paths
        assert not [path for path in paths if path.startswith(("/news/es/", "/news/ar/"))]
        assert browser.console == []


@pytest.fixture
def best_match_site_under_news(tmp_path):
    """Five articles, each in a search shard of its own, built for and served under /news/: three
    about the harbour, two about cranes (one of them also about the harbour), one about the market."""
    stories = [("Harbour report 1", "The harbour froze."), ("Crane strike", "Crane drivers stopped work."),
               ("Harbour cranes", "The harbour cranes stood idle as the harbour emptied."),
               ("Market report", "The market opened."), ("Harbour report 5", "The harbour grew.")]
    site = write_files(tmp_path / "site", {
        f"content/s{day}.md": f"---\ntitle: {title}\ndate: 2023-05-0{day}T09:30:00Z\n"
                              f"section: {'Ports' if day % 2 else 'Weather'}\n---\n{body}\n"
        for day, (title, body) in enumerate(stories, 1)})
    yield from _serve_one_article_a_shard(site)


@pytest.mark.slow
def test_best_match_ranks_results_of_several_shards_without_opening_them(best_match_site_under_news):
    assert CHROMIUM.is_file(), "the browser test needs Debian's Chromium: apt-get install chromium"
    with Browser() as browser:
        browser.navigate(best_match_site_under_news + "search/")  # best match is the default order
        shards = browser.evaluate("document.querySelector('[data-search]').dataset.shards.split(' ')")
        assert len(shards) == 5
        browser.wait_for("!document.querySelector('.search-filters').hidden")  # Pagefind loaded
        browser.type_text("#search-query", "harbour cran")  # the last word is still being typed
        browser.wait_for("document.querySelector('[data-search-status]').textContent"
                         " === 'Best matches for “harbour cran”.'")
        assert browser.evaluate("document.querySelector('[data-search-count]').hidden")  # a ranking, no count
        titles = "[...document.querySelectorAll('[data-search-results] .teaser-title a')]" \
                 ".map(a => [a.textContent, new URL(a.href).pathname])"
        assert browser.evaluate(titles) == [
            ["Harbour cranes", "/news/2023/05/03/harbour-cranes/"], ["Crane strike", "/news/2023/05/02/crane-strike/"],
            ["Harbour report 5", "/news/2023/05/05/harbour-report-5/"],
            ["Harbour report 1", "/news/2023/05/01/harbour-report-1/"]]  # from four shards
        marked = browser.evaluate("[...document.querySelectorAll('[data-search-results] mark')].map(m => m.textContent)")
        assert marked[:3] == ["harbour", "cranes", "harbour"]
        fetched = browser.evaluate("performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)")
        assert not [path for path in fetched if any(f"/pagefind/{key}/" in path for key in shards[1:])]
        assert "/news/pagefind/pagefind.js" not in fetched  # best match needs no Pagefind
        assert any(path.startswith("/news/pagefind/best-") for path in fetched)

        # The filter panel shows the archive's values and counts without opening a shard; with a
        # filter, best match ranks what Pagefind finds in every shard.
        browser.evaluate("document.querySelector('.search-filters summary').click()")
        browser.wait_for("document.querySelectorAll('#search-section option').length > 1")
        assert browser.evaluate("[...document.querySelectorAll('#search-section option')].map(o => o.textContent)") \
            == ["Any", "Ports (3)", "Weather (2)"]
        fetched = browser.evaluate("performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)")
        assert not [path for path in fetched if any(f"/pagefind/{key}/" in path for key in shards[1:])]
        browser.evaluate("const section = document.querySelector('#search-section'); section.value = 'Ports';"
                         "section.dispatchEvent(new Event('change'))")
        browser.wait_for("document.querySelector('[data-search-status]').textContent.endsWith('Filters applied.')")
        assert browser.evaluate("location.search") == "?q=harbour+cran&section=Ports"
        assert sorted(title for title, _ in browser.evaluate(titles)) == ["Harbour cranes", "Harbour report 1",
                                                                         "Harbour report 5"]
        assert browser.console == []
