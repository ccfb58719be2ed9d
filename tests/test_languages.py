"""The theme in the site's language: its strings from gettext catalogues with each language's
plural forms, dates and month names from CLDR, `<html lang dir>` from `language:` and an article's
`lang:`, a site's own `translations/`, and every shipped catalogue complete."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conftest import build_files, write_files
from newsgen.config import load_config
from newsgen.model import CalendarDay, MonthCalendar, Period
from newsgen.render.environment import make_environment
from newsgen.render.theme_sources import builtin_templates_dir
from newsgen.render.theme_sources import builtin_translations_dir

SHIPPED = ["en", "es", "pt", "fr", "de", "ar"]


def article(title: str, date: str, lang: str = "", body: str = "Text.") -> str:
    lang_line = f"lang: {lang}\n" if lang else ""
    return f"---\ntitle: {title}\ndate: {date}\n{lang_line}---\n{body}\n"


def calendar_html(tmp_path: Path, language: str, count: int) -> str:
    """The theme's month calendar for August 2022 with `count` articles, all on the 10th."""
    site = write_files(tmp_path / f"site-{language}-{count}", {"newsgen.yaml": f"language: {language}\n"})
    env = make_environment(load_config(site, {}))
    day = CalendarDay(10, "2022/08/10/", count)
    calendar = MonthCalendar(Period(2022, 8), count, ((None, None, day, None, None, None, None),))
    source = '{% from "_dates.html" import month_calendar with context %}{{ month_calendar(calendar) }}'
    return env.from_string(source).render(calendar=calendar, page_url="2022/")


@pytest.mark.parametrize("language, expected", [
    ("en", {0: "0 articles", 1: "1 article", 2: "2 articles", 3: "3 articles", 11: "11 articles",
            100: "100 articles"}),
    ("es", {0: "0 artículos", 1: "1 artículo", 2: "2 artículos", 3: "3 artículos", 11: "11 artículos",
            100: "100 artículos"}),
    ("ar", {0: "لا مقالات", 1: "مقال واحد", 2: "مقالان", 3: "3 مقالات", 11: "11 مقالًا", 100: "100 مقال"}),
])
def test_counts_take_the_plural_form_of_the_language(tmp_path, language, expected):
    for count, text in expected.items():
        html = calendar_html(tmp_path, language, count)
        assert f'<span class="count">{text}</span>' in html, (count, html)
        assert f": {text}</span>" in html  # the day's count as a screen reader hears it


def test_a_spanish_site_has_spanish_month_names_dates_and_theme_text(tmp_path):
    out, _ = build_files(tmp_path, {
        "newsgen.yaml": "language: es\n",
        "content/a.md": article("Reabre el puerto", "2022-08-10"),
        "content/b.md": article("Llueve en la costa", "2022-08-11"),
    })
    month = (out / "2022" / "08" / "index.html").read_text()
    assert '<html lang="es">' in month
    assert '<h1 class="page-title">agosto de 2022</h1>' in month
    assert '<p class="count">2 artículos</p>' in month
    assert '<abbr title="lunes">lun</abbr>' in month
    assert ">10 de agosto de 2022</a></h2>" in month  # the day's heading in the month
    archive = (out / "archive" / "index.html").read_text()
    assert '<h1 class="page-title">Archivo</h1>' in archive
    assert ">agosto</a>" in archive
    story = (out / "2022" / "08" / "10" / "reabre-el-puerto" / "index.html").read_text()
    assert '<time datetime="2022-08-10">10 de agosto de 2022</time>' in story
    assert "1 min de lectura" in story
    on_this_day = (out / "on-this-day" / "08-10" / "index.html").read_text()
    assert "Un día como hoy: 10 de agosto" in on_this_day
    assert '<a rel="next" href="../08-11/">11 de agosto →</a>' in on_this_day


def test_feeds_of_tags_sections_and_authors_describe_themselves_in_the_site_language(tmp_path):
    story = ("---\ntitle: Reabre el puerto\ndate: 2022-08-10\ntags: [Puertos]\nsection: Economía\n"
             "author: Ana Ruiz\n---\nTexto.\n")
    spanish, _ = build_files(tmp_path / "es", {"newsgen.yaml": "language: es\ntitle: El Diario\nfeed_rss: true\n",
                                               "content/a.md": story})
    atom = "{http://www.w3.org/2005/Atom}"
    subtitles = {kind: ET.parse(spanish / kind / slug / "feed.xml").getroot().findtext(f"{atom}subtitle")
                 for kind, slug in [("tags", "puertos"), ("sections", "economia"), ("authors", "ana-ruiz")]}
    assert subtitles == {"tags": "Los últimos artículos sobre el tema Puertos en El Diario.",
                         "sections": "Los últimos artículos de la sección Economía en El Diario.",
                         "authors": "Los últimos artículos de Ana Ruiz en El Diario."}
    rss = ET.parse(spanish / "tags" / "puertos" / "rss.xml").getroot()
    assert rss.findtext("channel/description") == "Los últimos artículos sobre el tema Puertos en El Diario."
    english, _ = build_files(tmp_path / "en", {"newsgen.yaml": "title: The Ledger\n", "content/a.md": story})
    tag_feed = ET.parse(english / "tags" / "puertos" / "feed.xml").getroot()
    assert tag_feed.findtext(f"{atom}subtitle") == "The latest articles on the topic Puertos on The Ledger."


def test_a_french_site_writes_french_months(tmp_path):
    out, _ = build_files(tmp_path, {"newsgen.yaml": "language: fr\n",
                                    "content/a.md": article("Le port rouvre", "2022-08-10")})
    month = (out / "2022" / "08" / "index.html").read_text()
    assert '<h1 class="page-title">août 2022</h1>' in month
    assert ">10 août 2022</a></h2>" in month
    assert '<p class="count">1 article</p>' in month


def test_right_to_left_languages_set_dir_on_the_page(tmp_path):
    out, _ = build_files(tmp_path, {
        "newsgen.yaml": "language: ar\n",
        "content/a.md": article("افتتاح الميناء", "2022-08-10", body="أعيد افتتاح الميناء يوم الأحد."),
        "content/b.md": article("Port reopens", "2022-08-11", lang="en", body="The port reopened."),
    })
    front = (out / "index.html").read_text()
    assert '<html lang="ar" dir="rtl">' in front
    assert "آخر الأخبار" in front
    assert '<h2 class="teaser-title" lang="en" dir="ltr">' in front  # a story in another language keeps its own
    assert '<h2 class="teaser-title"><a href="2022/08/10/' in front
    english = next(out.glob("2022/08/11/*/index.html")).read_text()
    assert '<html lang="en">' in english
    assert '<time datetime="2022-08-11">11 August 2022</time>' in english  # its own dates in its language
    linked_data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', english, re.S).group(1))
    assert linked_data["@type"] == "NewsArticle" and linked_data["inLanguage"] == "en"


@pytest.mark.parametrize("language", ["he", "fa", "ur"])
def test_hebrew_persian_and_urdu_are_right_to_left_too(tmp_path, language):
    site = write_files(tmp_path / "site", {"newsgen.yaml": f"language: {language}\n"})
    env = make_environment(load_config(site, {}))
    html = env.from_string('<html lang="{{ page_language() }}" dir="{{ text_direction(page_language()) }}">').render()
    assert html == f'<html lang="{language}" dir="rtl">'


def test_an_article_in_another_language_has_its_lang_and_dates(tmp_path):
    out, _ = build_files(tmp_path, {"content/a.md": article("Reabre el puerto", "2022-08-10", lang="es")})
    story = next(out.glob("2022/08/10/*/index.html")).read_text()
    assert '<html lang="es">' in story
    assert "10 de agosto de 2022" in story
    front = (out / "index.html").read_text()
    assert '<html lang="en">' in front
    assert "10 August 2022" in front


def test_a_site_translations_folder_overrides_strings_and_adds_a_language(tmp_path):
    override = 'msgid "Latest news"\nmsgstr "Lo más nuevo"\n'
    out, _ = build_files(tmp_path, {"newsgen.yaml": "language: es\n", "translations/es.po": override,
                                    "content/a.md": article("Reabre el puerto", "2022-08-10")})
    front = (out / "index.html").read_text()
    assert '<h1 class="page-title">Lo más nuevo</h1>' in front
    assert ">Archivo</a>" in front  # the strings it leaves out keep their built-in translation
    italian = ('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
               'msgid "Latest news"\nmsgstr "Ultime notizie"\n\n'
               'msgid "%(num)s article"\nmsgid_plural "%(num)s articles"\nmsgstr[0] "%(num)s articolo"\n'
               'msgstr[1] "%(num)s articoli"\n')
    out, _ = build_files(tmp_path / "it", {"newsgen.yaml": "language: it\n", "translations/it.po": italian,
                                           "content/a.md": article("Riapre il porto", "2022-08-10")})
    front = (out / "index.html").read_text()
    assert '<h1 class="page-title">Ultime notizie</h1>' in front
    assert "10 agosto 2022" in front
    assert '<p class="count">1 articolo</p>' in (out / "2022" / "08" / "index.html").read_text()


def theme_messages() -> set[str]:
    """Every msgid of the built-in templates, as Babel's Jinja extractor finds them."""
    options = {"extensions": "jinja2.ext.do", "trim_blocks": "True", "lstrip_blocks": "True"}
    found = extract_from_dir(str(builtin_templates_dir()), method_map=[("**.html", "jinja2.ext:babel_extract"),
                                                                       ("**.xml", "jinja2.ext:babel_extract")],
                             options_map={"**.html": options, "**.xml": options})
    return {message[0] if isinstance(message, tuple) else message for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", SHIPPED)
def test_every_theme_string_is_translated_in_every_shipped_catalogue(language):
    with (builtin_translations_dir() / f"{language}.po").open("rb") as file:
        catalogue = read_po(file, locale=language)
    wanted = theme_messages()
    assert wanted, "the extractor found no theme strings"
    untranslated = sorted(m for m in wanted if m not in catalogue or not all(
        catalogue[m].string if isinstance(catalogue[m].string, tuple) else [catalogue[m].string]))
    assert not untranslated, f"{language}.po lacks: {untranslated}"
    for message in catalogue:
        if message.id and message.pluralizable:
            assert len(message.string) == catalogue.num_plurals, message.id
        if message.id:
            wanted_names = set(re.findall(r"%\((\w+)\)s", message.id[0] if message.pluralizable else message.id))
            forms = message.string if message.pluralizable else (message.string,)
            for form in forms:
                assert set(re.findall(r"%\((\w+)\)s", form)) <= wanted_names | {"num"}, (message.id, form)


SPANISH_QUESTION = "¿Será este el mejor año para el cacao del valle? Las cooperativas calculan que sí, y lo celebran."
SPANISH_EXCLAMATION = "Llegó la lluvia. ¡Él mismo lo anunció en la plaza!"
ARABIC_QUESTION = "هل ستكفي المحطة لسد العجز؟ يقول خبراء المياه إن الجواب يتوقف على إصلاح الشبكة القديمة."
ARABIC_STOP = "بدأت المحطة العمل صباح الاثنين. وقالت البلدية، في بيان، إنها تنتج الكثير من المياه."


@pytest.mark.parametrize("text, headline", [
    (SPANISH_QUESTION, "¿Será este el mejor año para el cacao del valle?"),
    (SPANISH_EXCLAMATION, "Llegó la lluvia"),
    ("Ya es oficial. Ésta es la noticia.", "Ya es oficial"),
    (ARABIC_QUESTION, "هل ستكفي المحطة لسد العجز؟"),
    (ARABIC_STOP, "بدأت المحطة العمل صباح الاثنين"),
])
def test_headlines_derived_from_spanish_and_arabic_text(tmp_path, text, headline):
    out, _ = build_files(tmp_path, {"content/2022-08-10-story.md": f"{text}\n\nSegundo párrafo.\n"})
    story = (out / "2022" / "08" / "10" / "story" / "index.html").read_text()
    assert f"<h1>{headline}</h1>" in story


def test_an_arabic_summary_cut_short_drops_its_trailing_comma(tmp_path):
    words = "قالت البلدية، في بيان، إن المحطة تنتج الكثير"
    out, _ = build_files(tmp_path, {"content/a.md": article("المحطة", "2022-08-10", body=words)}, summary_words=2)
    assert '<meta name="description" content="قالت البلدية…">' in next(out.glob("2022/08/10/*/index.html")).read_text()


def test_auto_tags_leave_arabic_articles_untagged_and_say_so(tmp_path):
    arabic = article("افتتاح محطة التحلية", "2022-08-10", body=ARABIC_STOP + " " + ARABIC_QUESTION)
    out, report = build_files(tmp_path, {"content/a.md": arabic}, auto_tags=True, language="ar")
    assert not (out / "tags").exists()
    assert any("1 article in a script without capital letters" in notice for notice in report.notices)


def test_a_changed_site_translation_reaches_the_pages_of_the_next_build(tmp_path):
    files = {"newsgen.yaml": "language: es\n", "translations/es.po": 'msgid "Latest news"\nmsgstr "Lo más nuevo"\n',
             "content/a.md": article("Reabre el puerto", "2022-08-10")}
    out, _ = build_files(tmp_path, files)
    (tmp_path / "site" / "translations" / "es.po").write_text('msgid "Latest news"\nmsgstr "Hoy"\n', encoding="utf-8")
    out, _ = build_files(tmp_path, {})
    assert '<h1 class="page-title">Hoy</h1>' in (out / "index.html").read_text()


def search_strings(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="search-strings">(.*?)</script>', page, re.S).group(1))


def test_the_search_page_is_written_in_the_site_language_with_every_plural_form(tmp_path):
    out, _ = build_files(tmp_path, {"newsgen.yaml": "language: ar\n",
                                    "content/a.md": article("افتتاح الميناء", "2022-08-10")}, search=True)
    page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert '<label for="search-query">كلمات البحث</label>' in page
    assert '<option value="newest">الأحدث أولًا</option>' in page
    assert '<button type="button" class="search-more" data-search-more hidden>عرض المزيد من النتائج</button>' in page
    assert '<meta name="description" content="ابحث في مقال واحد على News Archive بالكلمة' in page
    strings = search_strings(page)
    assert (strings["locale"], strings["numbering"]) == ("ar", "latn")
    assert strings["searching"] == "جارٍ البحث…"
    assert strings["noneQuery"] == "لم يُعثر على أي مقال عن «{query}»."
    assert strings["foundQuery"] == {
        "zero": "لم يُعثر على أي مقال عن «{query}».", "one": "عُثر على مقال واحد عن «{query}».",
        "two": "عُثر على مقالين عن «{query}».", "few": "عُثر على {count} مقالات عن «{query}».",
        "many": "عُثر على {count} مقالًا عن «{query}».", "other": "عُثر على {count} مقال عن «{query}»."}


@pytest.mark.parametrize("language, expected", [
    ("en", {"one": "{count} article found.", "other": "{count} articles found."}),
    ("es", {"one": "Se encontró {count} artículo.", "other": "Se encontraron {count} artículos.",
            "many": "Se encontraron {count} de artículos."}),
    ("de", {"one": "{count} Artikel gefunden.", "other": "{count} Artikel gefunden."}),
])
def test_search_counts_carry_one_form_per_plural_category(tmp_path, language, expected):
    out, _ = build_files(tmp_path, {"newsgen.yaml": f"language: {language}\n",
                                    "content/a.md": article("Port", "2022-08-10")}, search=True)
    strings = search_strings((out / "search" / "index.html").read_text(encoding="utf-8"))
    assert strings["found"] == expected


SEARCH_SCRIPT = builtin_templates_dir() / "static" / "search.js"


def test_the_search_script_writes_no_words_of_its_own(tmp_path):
    """Every word the search page shows comes through the catalogues: the script's string
    literals are selectors, names and keys, never text for the reader, and each message it reads
    is one the page gives it."""
    code = re.sub(r"^\s*//.*$", "", SEARCH_SCRIPT.read_text(encoding="utf-8"), flags=re.M)
    literals = [text for pair in re.findall(r'"([^"\n]*)"|`([^`]*)`', code) for text in pair]
    words = [re.sub(r"\$\{[^}]*\}", " ", text).strip() for text in literals]
    prose = [text for text in words if re.search(r"[A-Za-z]{2,} +[A-Za-z]{2,}|[A-Za-z]{2,}[.!?…:]$", text)]
    assert prose == []
    out, _ = build_files(tmp_path, {"content/a.md": article("Port", "2022-08-10")}, search=True)
    given = search_strings((out / "search" / "index.html").read_text(encoding="utf-8"))
    assert set(re.findall(r"words\.(\w+)", code)) <= set(given)


def test_site_templates_reading_month_names_and_labels_get_them_in_the_page_language(tmp_path):
    period_template = ("{% extends 'builtin/period.html' %}{% block title %}{{ archive.period.label }}|"
                       "{{ archive.period.short_label }}|{{ month_names[7] }}|{{ month_names|length }}{% endblock %}")
    day_template = "{% extends 'builtin/on_this_day.html' %}{% block title %}{{ day_of_year.label }}{% endblock %}"
    out, _ = build_files(tmp_path, {"newsgen.yaml": "language: es\n",
                                    "templates/period.html": period_template,
                                    "templates/on_this_day.html": day_template,
                                    "content/a.md": article("Reabre el puerto", "2022-08-10")})
    assert "<title>agosto de 2022|agosto|agosto|12</title>" in (out / "2022/08/index.html").read_text()
    assert "<title>10 de agosto de 2022|10|agosto|12</title>" in (out / "2022/08/10/index.html").read_text()
    assert "<title>10 de agosto</title>" in (out / "on-this-day/08-10/index.html").read_text()
