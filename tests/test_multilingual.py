"""Multilingual sites (`languages:`): each language's front page, listings, archives and feeds
under its prefix, translations linked by `translation_key:` and announced with hreflang
alternates, in the sitemap and by a language switcher; the masthead's language menu; search
indexed per language; the checks of the configuration and of the keys."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build_files, write_files
from newsgen.config import load_config
from newsgen.errors import ConfigError

BASE = "https://news.example.org/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


def article(title: str, date: str, lang: str = "", key: str = "", tags: str = "", body: str = "Text.") -> str:
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"lang: {lang}"] if lang else []
    lines += [f"translation_key: {key}"] if key else []
    lines += [f"tags: [{tags}]"] if tags else []
    return "\n".join(lines + ["---", body, ""])


SITE = {
    "newsgen.yaml": f"base_url: {BASE}\nlanguages: [en, es, ar]\n",
    "content/port.md": article("Port reopens after the storm", "2022-08-10", key="port", tags="Ports"),
    "content/port-es.md": article("Reabre el puerto tras la tormenta", "2022-08-10", lang="es", key="port",
                                  tags="Puertos"),
    "content/rail.md": article("Rail link opens", "2022-08-12", tags="Rail"),
    "content/bici-es.md": article("Nueva red de carriles bici", "2023-03-01", lang="es-MX"),
    "content/water-ar.md": article("محطة جديدة لتحلية المياه", "2023-04-02", lang="ar"),
}


class Links(HTMLParser):
    """Every element's attributes, by tag; and the aria-label of the nav each link is in."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.navs: list[str | None] = []
        self.links_in: dict[str, list[dict[str, str]]] = {}
        self.html: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = {name: value or "" for name, value in attrs}
        self.elements.append((tag, found))
        if tag == "html":
            self.html = found
        if tag == "nav":
            self.navs.append(found.get("aria-label"))
        if tag == "a" and self.navs:
            self.links_in.setdefault(self.navs[-1] or "", []).append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.navs:
            self.navs.pop()


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def alternates(page: Links) -> dict[str, str]:
    return {attrs["hreflang"]: attrs["href"] for tag, attrs in page.elements
            if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs}


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory):
    out, report = build_files(tmp_path_factory.mktemp("multi"), SITE)
    return out, report


def test_each_language_has_its_pages_under_its_prefix_and_the_default_at_the_root(multilingual):
    out, _ = multilingual
    assert (out / "2022/08/10/port-reopens-after-the-storm/index.html").is_file()
    assert (out / "es/2022/08/10/reabre-el-puerto-tras-la-tormenta/index.html").is_file()
    assert (out / "es/2023/03/01/nueva-red-de-carriles-bici/index.html").is_file()  # es-MX goes with es
    assert not (out / "2022/08/10/reabre-el-puerto-tras-la-tormenta").exists()
    for folder in ("es/", "ar/"):
        for page in ("index.html", "archive/index.html", "feed.xml", "on-this-day/index.html"):
            assert (out / folder / page).is_file(), folder + page
    assert (out / "es/tags/puertos/index.html").is_file() and not (out / "tags/puertos").exists()
    assert (out / "tags/ports/index.html").is_file() and not (out / "es/tags/ports").exists()
    assert (out / "es/2022/08/index.html").is_file() and (out / "2022/08/index.html").is_file()
    assert not (out / "ar/2022").exists()  # no Arabic article in 2022


def test_each_front_page_lists_its_own_language_only_in_its_language(multilingual):
    out, _ = multilingual
    root, spanish = (out / "index.html").read_text(), (out / "es/index.html").read_text()
    assert "Rail link opens" in root and "Reabre el puerto" not in root and "Nueva red" not in root
    assert "Reabre el puerto" in spanish and "Nueva red" in spanish and "Rail link" not in spanish
    assert parse(out / "es/index.html").html == {"lang": "es"}
    assert parse(out / "ar/index.html").html == {"lang": "ar", "dir": "rtl"}
    assert ">Portada<" in spanish and ">Latest<" in root  # the theme's words in the page's language
    assert "agosto de 2022" in (out / "es/2022/08/index.html").read_text()


def test_translations_announce_each_other_with_hreflang_and_x_default(multilingual):
    out, _ = multilingual
    english = parse(out / "2022/08/10/port-reopens-after-the-storm/index.html")
    spanish = parse(out / "es/2022/08/10/reabre-el-puerto-tras-la-tormenta/index.html")
    expected = {"en": f"{BASE}2022/08/10/port-reopens-after-the-storm/",
                "es": f"{BASE}es/2022/08/10/reabre-el-puerto-tras-la-tormenta/",
                "x-default": f"{BASE}2022/08/10/port-reopens-after-the-storm/"}
    assert alternates(english) == expected
    assert alternates(spanish) == expected
    assert alternates(parse(out / "2022/08/12/rail-link-opens/index.html")) == {}


def test_an_article_with_translations_has_a_language_switcher(multilingual):
    out, _ = multilingual
    spanish = parse(out / "es/2022/08/10/reabre-el-puerto-tras-la-tormenta/index.html")
    switcher = spanish.links_in["Este artículo en otros idiomas"]
    assert switcher == [{"href": "../../../../../2022/08/10/port-reopens-after-the-storm/", "hreflang": "en",
                         "lang": "en"}]
    english = parse(out / "2022/08/10/port-reopens-after-the-storm/index.html")
    assert [(a["hreflang"], a["href"]) for a in english.links_in["This article in other languages"]] == [
        ("es", "../../../../es/2022/08/10/reabre-el-puerto-tras-la-tormenta/")]
    assert "Español</a>" in (out / "2022/08/10/port-reopens-after-the-storm/index.html").read_text()
    assert "This article in other languages" not in parse(out / "2022/08/12/rail-link-opens/index.html").links_in


def test_the_masthead_links_each_languages_front_page_in_its_own_name(multilingual):
    out, _ = multilingual
    page = parse(out / "es/2023/03/01/nueva-red-de-carriles-bici/index.html")
    menu = page.links_in["Idiomas"]
    assert [(a["hreflang"], a["href"]) for a in menu] == [("en", "../../../../../"), ("ar", "../../../../../ar/")]
    assert menu[1]["dir"] == "rtl"
    html = (out / "es/2023/03/01/nueva-red-de-carriles-bici/index.html").read_text()
    assert '<span lang="es" aria-current="true"><strong>Español</strong></span>' in html  # the page's own, unlinked
    html = (out / "index.html").read_text()
    assert "<strong>English</strong>" in html and ">Español</a>" in html and ">العربية</a>" in html


def test_links_of_a_language_s_pages_stay_in_its_language(multilingual):
    out, _ = multilingual
    page = parse(out / "es/2022/08/10/reabre-el-puerto-tras-la-tormenta/index.html")
    site_nav = {a["href"] for a in page.links_in["Sitio"]}
    assert {"../../../../", "../../../../archive/", "../../../../tags/"} <= site_nav
    resolved = [(out / "es/2022/08/10/reabre-el-puerto-tras-la-tormenta" / href).resolve() for href in site_nav]
    assert all(path.is_relative_to((out / "es").resolve()) for path in resolved)


def test_feeds_per_language_name_their_language(multilingual):
    out, _ = multilingual
    spanish = ET.parse(out / "es/feed.xml").getroot()
    assert spanish.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    titles = [entry.findtext(f"{ATOM}title") for entry in spanish.iter(f"{ATOM}entry")]
    assert titles == ["Nueva red de carriles bici", "Reabre el puerto tras la tormenta"]
    assert spanish.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE}es/feed.xml"
    english = ET.parse(out / "feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in english.iter(f"{ATOM}entry")] == [
        "Rail link opens", "Port reopens after the storm"]
    assert (out / "es/tags/puertos/feed.xml").is_file()


def test_the_sitemap_lists_every_language_with_xhtml_alternates(multilingual):
    out, _ = multilingual
    urls: dict[str, dict[str, str]] = {}
    for path in out.glob("sitemap-*.xml"):
        text = path.read_text()
        root = ET.parse(path).getroot()
        has = bool(root.findall(f".//{XHTML}link"))
        assert ('xmlns:xhtml="http://www.w3.org/1999/xhtml"' in text) == has
        for url in root.iter(f"{SITEMAP}url"):
            urls[url.findtext(f"{SITEMAP}loc")] = {link.get("hreflang"): link.get("href")
                                                   for link in url.findall(f"{XHTML}link")}
    english, spanish = f"{BASE}2022/08/10/port-reopens-after-the-storm/", f"{BASE}es/2022/08/10/reabre-el-puerto-tras-la-tormenta/"
    assert urls[english] == urls[spanish] == {"en": english, "es": spanish}
    assert urls[f"{BASE}es/tags/"] == {} and urls[f"{BASE}2022/08/12/rail-link-opens/"] == {}


def test_a_single_language_site_has_no_prefixes_hreflang_or_language_menu(tmp_path):
    files = {"newsgen.yaml": f"base_url: {BASE}\n", "content/port.md": article("Port reopens", "2022-08-10", key="port"),
             "content/port-es.md": article("Reabre el puerto", "2022-08-11", lang="es", key="port")}
    out, _ = build_files(tmp_path / "single", files)
    one, _ = build_files(tmp_path / "one", {**files, "newsgen.yaml": f"base_url: {BASE}\nlanguages: [en]\n"})
    assert not (out / "es").exists()
    html = (out / "2022/08/11/reabre-el-puerto/index.html").read_text()
    assert "hreflang" not in html and "Idiomas" not in html and "Languages" not in html
    assert "xhtml" not in (out / "sitemap-2022.xml").read_text()
    written = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert written == {p.relative_to(one): p.read_bytes() for p in one.rglob("*") if p.is_file()}


def test_the_default_language_can_have_its_own_prefix(tmp_path):
    out, _ = build_files(tmp_path, {**SITE, "newsgen.yaml": f"base_url: {BASE}\nlanguages: [en, es]\n"
                                                             "default_language_in_subdir: true\n"})
    assert (out / "en/2022/08/10/port-reopens-after-the-storm/index.html").is_file()
    assert (out / "en/feed.xml").is_file() and not (out / "feed.xml").exists()
    root = (out / "index.html").read_text()
    assert 'http-equiv="refresh"' in root and "en/" in root
    assert "/ /en/ 301" in (out / "_redirects").read_text()
    english = parse(out / "en/2022/08/10/port-reopens-after-the-storm/index.html")
    assert alternates(english)["x-default"] == f"{BASE}en/2022/08/10/port-reopens-after-the-storm/"


def test_an_article_in_a_language_the_site_does_not_have_goes_with_the_default_one(tmp_path):
    out, report = build_files(tmp_path, {**SITE, "content/fr.md": article("Le port rouvre", "2022-08-11", lang="fr",
                                                                          key="port")})
    page = out / "2022/08/11/le-port-rouvre/index.html"
    assert parse(page).html == {"lang": "fr"}
    assert ">Latest<" in page.read_text()  # the default language's theme words
    assert any(w.startswith("content/fr.md: lang 'fr' is not one of the site's languages (en, es, ar)")
               for w in report.warnings), report.warnings
    assert any(w.startswith("content/fr.md: translation_key 'port' links it to content/port") and "not linked" in w
               for w in report.warnings), report.warnings
    assert "hreflang=\"fr\"" not in (out / "2022/08/10/port-reopens-after-the-storm/index.html").read_text()


def test_two_versions_of_a_story_in_one_language_are_named_in_a_warning(tmp_path):
    out, report = build_files(tmp_path, {**SITE, "content/port-2.md": article("Port reopens, again", "2022-08-09",
                                                                              key="port")})
    warning = [w for w in report.warnings if "translation_key 'port'" in w]
    assert warning == ["content/port-2.md: translation_key 'port' is also the key of content/port.md, in the same "
                       "language (en); a story has one version per language: only content/port.md is linked"]
    assert alternates(parse(out / "2022/08/09/port-reopens-again/index.html")) == {}


@pytest.mark.parametrize("yaml, message", [
    ("languages: [en, es, EN]\n", "newsgen.yaml:1: 'languages' names 'EN' twice"),
    ("languages: [en, 'e s']\n", "newsgen.yaml:1: 'languages' must hold language tags like 'en' or 'pt-BR', not 'e s'"),
    ("languages: en\n", "newsgen.yaml:1: 'languages' must be a list of language tags like [en, es, ar], not 'en'"),
    ("language: es\nlanguages: [en, es]\n", "newsgen.yaml:1: 'language' is 'es' but the first of 'languages' (the "
                                            "default language) is 'en'"),
    ("languages: [en, es]\nlanguage_titles: {en: The Ledger}\n",
     "'language_titles' names 'en', which is not one of the languages after the first in 'languages' (es)"),
    ("languages: [en, es]\nlanguage_descriptions: {es: [a]}\n",
     "'language_descriptions' must map languages to text, like {es: El Diario}"),
])
def test_the_languages_settings_are_checked(tmp_path, yaml, message):
    site = write_files(tmp_path / "site", {"newsgen.yaml": yaml})
    with pytest.raises(ConfigError) as error:
        load_config(site)
    assert message in str(error.value)


def test_the_first_language_is_the_site_s_language(tmp_path):
    site = write_files(tmp_path / "site", {"newsgen.yaml": "languages: [es, en]\n"})
    config = load_config(site)
    assert config.language == "es" and config.multilingual
    assert config.language_root("es") == "" and config.language_root("en") == "en/"
    assert config.tree_language("en-GB") == "en" and config.tree_language("") == "es"
    assert config.tree_language("fr") is None


def _search_page(out: Path, folder: str) -> tuple[str, list[str]]:
    html = (out / folder / "search/index.html").read_text(encoding="utf-8")
    bundle = re.search(r'data-bundle="([^"]*)"', html).group(1)
    return bundle, re.search(r'data-shards="([^"]*)"', html).group(1).split()


def test_each_language_s_search_page_searches_its_own_index_only(tmp_path):
    from newsgen.build import build
    from pagefind_index import indexed_pages

    files = {**SITE, "content/port.md": article("Port reopens after the storm", "2022-08-10", key="port",
                                                body="The harbour reopened."),
             "content/port-es.md": article("Reabre el puerto tras la tormenta", "2022-08-10", lang="es", key="port",
                                           body="El muelle reabrió."),
             "newsgen.yaml": f"base_url: {BASE}\nlanguages: [en, es, ar]\nsearch_shard_words: 1\n"}
    site = write_files(tmp_path / "site", files)
    config = load_config(site, {"workers": 1})
    build(config)
    out = config.output_path
    (root_bundle, root_shards), (es_bundle, es_shards) = _search_page(out, ""), _search_page(out, "es/")
    assert root_bundle == "../pagefind/" and es_bundle == "../pagefind/"  # each from its own search/ folder
    assert len(es_shards) == 2 and not set(es_shards) & set(root_shards)
    urls = {}
    for folder, shards in (("pagefind", root_shards), ("es/pagefind", es_shards)):
        bundles = [out / folder] + [out / folder / key for key in shards[1:]]
        urls[folder] = sorted(page["url"] for bundle in bundles for page in indexed_pages(bundle))
    assert urls["pagefind"] == ["/2022/08/10/port-reopens-after-the-storm/", "/2022/08/12/rail-link-opens/"]
    assert urls["es/pagefind"] == ["/es/2022/08/10/reabre-el-puerto-tras-la-tormenta/",
                                   "/es/2023/03/01/nueva-red-de-carriles-bici/"]
    entry = (out / "es/pagefind/pagefind-entry.json").read_text()
    assert '"es"' in entry and '"en"' not in entry  # indexed as Spanish (stemming, Pagefind's language)
    assert (out / "ar/pagefind/pagefind.js").is_file()
    again = build(load_config(site, {"workers": 1, "output_dir": "again"}))  # from the cache, every language's shards
    assert (again.search_shards_indexed, again.search_shards_reused) == (0, len(root_shards) + len(es_shards) + 1)
    index = sorted(p.relative_to(out) for p in out.rglob("*") if "pagefind" in p.parts and p.is_file())
    assert index == sorted(p.relative_to(again.output_dir) for p in again.output_dir.rglob("*")
                           if "pagefind" in p.parts and p.is_file())
    assert all((out / p).read_bytes() == (again.output_dir / p).read_bytes() for p in index)


def test_the_notice_of_a_spanish_article_taken_down_is_in_spanish_under_its_prefix(tmp_path):
    gone = article("Cierra la fábrica", "2022-08-11", lang="es").replace(
        "---\nText.", 'takedown: {date: 2026-11-30, reason: "Retirado por orden judicial"}\n---\nText.')
    out, _ = build_files(tmp_path, {**SITE, "content/gone-es.md": gone})
    page = out / "es/2022/08/11/cierra-la-fabrica/index.html"
    assert parse(page).html == {"lang": "es"}
    html = page.read_text()
    assert "Retirado por orden judicial" in html and ">Portada<" in html and "Text." not in html
    assert "Cierra la fábrica" not in (out / "es/index.html").read_text()


def test_the_front_pages_announce_each_other(multilingual):
    out, _ = multilingual
    fronts = {"en": BASE, "es": f"{BASE}es/", "ar": f"{BASE}ar/", "x-default": BASE}
    for page in ("index.html", "es/index.html", "ar/index.html"):
        assert alternates(parse(out / page)) == fronts, page
    sitemap = ET.parse(out / "sitemap-2023.xml").getroot()
    listed = {url.findtext(f"{SITEMAP}loc"): {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
              for url in sitemap.iter(f"{SITEMAP}url")}
    assert listed[f"{BASE}es/"] == {"en": BASE, "es": f"{BASE}es/", "ar": f"{BASE}ar/"}


def test_a_language_can_have_its_own_title_and_description(tmp_path):
    out, _ = build_files(tmp_path, {**SITE, "newsgen.yaml": f"base_url: {BASE}\nlanguages: [en, es, ar]\ntitle: The Ledger\n"
                                                             "language_titles: {es: El Diario}\n"
                                                             "language_descriptions: {es: Noticias del valle.}\n"})
    spanish, english = (out / "es/index.html").read_text(), (out / "index.html").read_text()
    assert '<a class="site-title" href="./">El Diario</a>' in spanish
    assert " · El Diario</title>" in spanish and '<meta name="description" content="Noticias del valle.">' in spanish
    assert '<a class="site-title" href="./">The Ledger</a>' in english
    assert '<a class="site-title" href="./">The Ledger</a>' in (out / "ar/index.html").read_text()
    feed = ET.parse(out / "es/feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "El Diario" and feed.findtext(f"{ATOM}subtitle") == "Noticias del valle."
