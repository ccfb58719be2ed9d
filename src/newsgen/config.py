"""Site configuration: `newsgen.yaml`, validated once, then passed explicitly to every stage."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import string
import sys
import typing
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from dateutil import tz

from newsgen.errors import ConfigError, describe, display_path, numbered_list
from newsgen.urls import SHARE_URLS, SLUG_SCRIPTS, WINDOWS_DEVICES
from newsgen.yaml_problems import explain_yaml_error, key_without_space

CONFIG_NAME = "newsgen.yaml"
MARKDOWN_ENGINES = ("markdown", "commonmark")
EMBED_HOSTS = ("www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com", "datawrapper.dwcdn.net",
               "flo.uri.sh", "public.flourish.studio", "www.google.com")
"""The default `embed_hosts`: YouTube and Vimeo players, Datawrapper and Flourish charts, Google Maps."""


@functools.lru_cache(maxsize=64)
def zone_named(name: str) -> tzinfo:
    """The time zone a `timezone` setting names (UTC for a name dateutil does not know)."""
    return tz.gettz(name) or timezone.utc


@dataclass(frozen=True)
class SiteConfig:
    """Everything a build needs to know. The fields above `site_dir` are the user's keys."""

    title: str = "News Archive"
    """The site's name, shown in the header, page titles and feeds."""
    description: str = "An archive of news reports."
    """One sentence about the site, used as the front page's meta description."""
    base_url: str = "http://localhost:8000/"
    """Absolute URL the site is published at; may have a sub-path (`https://example.org/news/`)."""
    language: str = "en"
    """BCP 47 language tag of the content, for `<html lang>` and feeds. On a multilingual site,
    the first of `languages`."""
    languages: list[str] = field(default_factory=list)
    """The languages of a multilingual site, the default one first (`[en, es, ar]`): each language
    gets its own front page, listings, archives, feeds and search under its prefix (`es/`); an
    article is in the language its `lang:` names. Empty (or one language): a single-language site."""
    default_language_in_subdir: bool = False
    """On a multilingual site, put the default language under its prefix too (`en/`) instead of at
    the site root, as Hugo's `defaultContentLanguageInSubdir` does."""
    language_titles: dict[str, str] = field(default_factory=dict)
    """On a multilingual site, the site's name in other languages than the first: `{es: El Diario}`;
    a language not named here uses `title`."""
    language_descriptions: dict[str, str] = field(default_factory=dict)
    """On a multilingual site, `description` in other languages than the first: `{es: Un archivo de noticias.}`."""
    timezone: str = "UTC"
    """IANA zone given to dates that have none, and used for archive days and article URLs."""
    date_order: str = ""
    """How to read a date like `01/12/2026`: `DMY` (1 December) or `MDY` (12 January). Empty: such a
    date is an error unless only one reading is a real date (`13/01/2026`)."""
    page_size: int = 20
    """Articles per page on the front page."""
    archive_page_size: int = 50
    """Articles per page on tag, section, author and date archive pages."""
    permalink: str = "{year}/{month}/{day}/{slug}/"
    """Article URL pattern. Fields: {year} {month} {day} {slug} {section}. Must end with `/`."""
    slug_script: str = "ascii"
    """How slugs (of articles, pages, tags, sections and authors) write letters of other scripts
    than Latin: `ascii` transliterates them (`Αθήνα` -> `athina`, `Москва` -> `moskva`, `北京` ->
    `bei-jing`), `unicode` keeps them (`αθηνα`), as Hugo does. Latin letters lose their accents
    either way (`Bogotá` -> `bogota`). When a slug changes, the URL history redirects the article's
    old URL, and a tag, section or author listing keeps a redirect at its `unicode` URL."""
    content_dir: str = "content"
    """Folder of article files, relative to the site folder."""
    output_dir: str = "public"
    """Folder the site is written to, relative to the site folder."""
    author: str = ""
    """Byline for articles that name no author (empty: none)."""
    drafts: bool = False
    """Include articles marked `draft: true`."""
    future: bool = False
    """Include articles dated after the build's reference time."""
    summary_words: int = 60
    """Longest summary, in words, when an article has no `summary` of its own."""
    workers: int = 0
    """Processes for parsing and rendering; 0 means one per CPU core."""
    scheduler: str = ""
    """Address of a Dask scheduler (`tcp://HOST:8786`) whose workers parse and render instead of
    local processes; empty: build on this machine. Needs `pip install 'newsgen[dask]'` here and the
    same newsgen on every worker (see docs/scale-out.md)."""

    # Feeds, sitemaps and page metadata
    feed_limit: int = 50
    """Most entries in each feed (site, tag, section, author), newest first."""
    feed_full_content: bool = False
    """Put each article's full text in feeds; otherwise only its summary."""
    feed_rss: bool = False
    """Also write RSS 2.0 feeds (`rss.xml`) beside the Atom ones (`feed.xml`)."""
    publisher: str = ""
    """Publisher / publication name for schema.org and the Google News sitemap; empty: the title."""
    logo: str = ""
    """Publisher logo for schema.org: an absolute URL or a path under the site root (empty: none)."""
    image: str = ""
    """Default social image (OpenGraph, Twitter, schema.org) for pages without their own: URL or site path."""
    strict_images: bool = False
    """Fail the build when an article's `image:` or a local picture of its body names a file that is
    not there (otherwise each is a warning naming the file and line, and the picture is left out)."""
    twitter: str = ""
    """The site's Twitter/X handle for `twitter:site`, like `@example` (empty: none)."""
    # Imports: bulk exports, other generators' content, automatic tags
    export_fields: dict[str, list[str]] = field(default_factory=dict)
    """Field names of `.jsonl`/`.ndjson`/`.csv` exports, per article field, tried in order; they
    replace that field's default names: `{body: [story], tags: [topics, places]}`."""
    export_markup: str = "text"
    """Markup of export bodies: `text` (paragraphs split by blank lines), `markdown` or `html`."""
    skip_invalid: bool = False
    """Build the valid articles when some files or export records are invalid; list the skipped ones."""
    content_layout: str = "auto"
    """Whose content folder this is: `newsgen`, `jekyll`, `hugo`, `pelican`, or `auto` (Jekyll and
    Hugo trees are recognised by their `_posts` folders and `_index.md` files)."""
    auto_tags: bool = False
    """Tag articles that have no tags with the names that recur in their text."""
    known_tags: dict[str, list[str]] = field(default_factory=dict)
    """Tags to find in untagged text, each with its aliases: `{Venezuela: [Venezuelan, Caracas]}`."""
    auto_tags_limit: int = 5
    """Most automatic tags given to one article."""
    auto_tags_stopwords: list[str] = field(default_factory=list)
    """Capitalised words never used as automatic tags, beyond the built-in list."""
    # Finding things: search, related stories
    search: bool = True
    """Index the built site with Pagefind and add a /search/ page (needs JavaScript in the reader's browser)."""
    search_shard_words: int = 300_000
    """Most words in one shard of the search index. Pagefind takes about 450 bytes per word while it
    indexes a shard (about 150 MB at the default); an edited article re-indexes its shard only, and
    a search in the browser reads each shard it opens. Shards hold half this on average. At most
    10,000,000."""
    related_count: int = 4
    """Related stories listed under each article; 0 turns them off."""
    share: list[str] = field(default_factory=lambda: ["email"])
    """Share links under each article, in this order: any of email, bluesky, facebook, linkedin,
    reddit, telegram, whatsapp, x. Plain links to each network's share form (no script, nothing
    loaded from the network until the reader clicks); `[]` shows none."""
    # Untrusted input: links out of the site's folders, raw HTML in bodies
    follow_symlinks: bool = False
    """Read symbolic links in the content, static and theme folders that lead outside them, and those
    folders themselves when they are links leading outside the site folder (off: skipped with a notice;
    a content folder that is such a link is an error)."""
    markdown_engine: str = "markdown"
    """Which Markdown renders `.md` bodies: `markdown` (Python-Markdown with its `extra` extensions:
    abbreviations, definition lists, attribute lists) or `commonmark` (cmark-gfm: CommonMark with
    GitHub's tables, strikethrough, autolinks and footnotes). Headings get the same ids with both."""
    unsafe_html: bool = False
    """Keep raw HTML in article bodies as written, scripts included. `false` (the default) removes
    scripts, event handlers, `javascript:` URLs, styles, objects, forms, and iframes not from
    `embed_hosts`, with the nh3 sanitiser."""
    embed_hosts: list[str] = field(default_factory=lambda: list(EMBED_HOSTS))
    """Host names whose https iframes article bodies keep when `unsafe_html` is false (video,
    charts, maps); `[]` keeps none."""
    tags_per_article_warning: int = 100
    """Warn about an article with more tags than this (each tag gets a page and a feed); 0: never warn."""
    max_article_bytes: int = 10_000_000
    """Largest article file, or record of a bulk export (an export file may be larger), in bytes."""
    max_title_length: int = 300
    """Longest title, in characters."""

    site_dir: Path = field(default=Path("."), metadata={"internal": True})
    """The site folder (not a key)."""

    @property
    def zone(self) -> tzinfo:
        return zone_named(self.timezone)

    def as_pages_see_it(self) -> "SiteConfig":
        """These settings but where the site's folder is, where the site is written and how many
        processes render it (and where): no page shows them, so a page's key never depends on
        them. A site built into one folder by one process is the same in another folder built by
        several, and `newsgen build .` and `newsgen build /srv/news` of one site give its pages
        the same keys."""
        return dataclasses.replace(self, workers=0, scheduler="", output_dir="", site_dir=Path("."))

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with `/`."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def content_path(self) -> Path:
        return self.site_dir / self.content_dir

    @property
    def output_path(self) -> Path:
        """Where the site is written. A symbolic link (`public -> /var/www/site`) is followed, so
        the build replaces the folder it points to and the link stays."""
        path = self.site_dir / self.output_dir
        return path.resolve() if path.is_symlink() else path

    @property
    def templates_path(self) -> Path:
        return self.site_dir / "templates"

    @property
    def static_path(self) -> Path:
        return self.site_dir / "static"

    def linked_away(self, folder: Path) -> Path | None:
        """Where one of the site's folders (content, static, templates) really is, when a symbolic
        link takes it out of the site folder and follow_symlinks is off: such a folder is not read.
        None for a folder inside the site folder, or one the config names outside it (`content_dir: ../x`)."""
        site = Path(os.path.abspath(self.site_dir))
        if self.follow_symlinks or not Path(os.path.abspath(folder)).is_relative_to(site):
            return None
        target = folder.resolve()
        return None if target.is_relative_to(site.resolve()) else target

    @property
    def pages_path(self) -> Path:
        """The site's pages (`pages/about.md` -> `/about/`), beside the content folder."""
        return self.site_dir / "pages"

    @property
    def publisher_name(self) -> str:
        """The publication's name: `publisher`, else the site title."""
        return self.publisher or self.title

    @property
    def multilingual(self) -> bool:
        """More than one language in `languages`: each gets its own tree of pages."""
        return len(self.languages) > 1

    def language_root(self, language: str) -> str:
        """Where a configured language's pages live: `""` (the site root) for the default language
        unless default_language_in_subdir, else `es/`; `""` on a single-language site."""
        if not self.multilingual or (language == self.languages[0] and not self.default_language_in_subdir):
            return ""
        return f"{language.lower()}/"

    @property
    def home(self) -> str:
        """The front page of the configured `language`'s pages: language_root(language)."""
        return self.language_root(self.language)

    def tree_language(self, tag: str) -> str | None:
        """The configured language an article's `lang:` belongs to (the tag itself, else the one
        with its primary subtag: `es-MX` goes with `es`); the default language for no tag; None for
        a language the site does not have."""
        if not tag:
            return self.languages[0] if self.languages else self.language
        languages = self.languages or [self.language]
        by_tag = {language.lower(): language for language in languages}
        if tag.lower() in by_tag:
            return by_tag[tag.lower()]
        primary = tag.split("-")[0].lower()
        return next((language for language in languages if language.split("-")[0].lower() == primary), None)

    def for_language(self, language: str) -> "SiteConfig":
        """The configuration one language's pages are rendered with: `language` set to it, and its
        `title` and `description` from language_titles and language_descriptions."""
        if language == self.language:
            return self
        titles = {tag.lower(): title for tag, title in self.language_titles.items()}
        descriptions = {tag.lower(): text for tag, text in self.language_descriptions.items()}
        return dataclasses.replace(self, language=language, title=titles.get(language.lower(), self.title),
                                   description=descriptions.get(language.lower(), self.description))

    def absolute_url(self, site_url: str) -> str:
        """A site-relative URL (`2022/08/10/x/`) as an absolute one under base_url."""
        return self.base_url + site_url.lstrip("/")


USER_KEYS = [f.name for f in dataclasses.fields(SiteConfig) if not f.metadata.get("internal")]


def reference_time() -> datetime:
    """The build time: SOURCE_DATE_EPOCH when set (reproducible builds), else the current time,
    in UTC. Read once per build, by the command line, and passed to `build()`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}")
    return datetime.now(timezone.utc)


def load_config(site_dir: Path, overrides: dict[str, typing.Any] | None = None) -> SiteConfig:
    """Read `newsgen.yaml` in site_dir (optional), validate every key, apply CLI overrides."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise ConfigError(f"{site_dir}: site folder not found")
    path = site_dir / CONFIG_NAME
    values: dict[str, typing.Any] = {}
    lines: dict[str, int] = {}
    shown = display_path(path, site_dir)
    errors: list[str] = []
    if path.is_file():
        values, lines, errors = _read_yaml_mapping(path, shown)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    values.update(given)
    where = {key: f"{shown}:{lines[key]}" for key in lines} | {key: "command line" for key in given}
    errors += _validate(values, where, shown)
    if not errors and values.get("languages") and values.get("language", values["languages"][0]) != values["languages"][0]:
        errors.append(f"{where.get('language', shown)}: 'language' is {describe(values['language'])} but the first of "
                      f"'languages' (the default language) is {describe(values['languages'][0])}; name the same one, "
                      "or leave 'language' out")
    for key in ("language_titles", "language_descriptions"):
        if errors or not values.get(key):
            continue
        others = [tag.lower() for tag in values.get("languages", [])[1:]]
        unknown = [tag for tag in values[key] if tag.lower() not in others]
        if unknown:
            errors.append(f"{where.get(key, shown)}: '{key}' names {describe(unknown[0])}, which is not one of the "
                          f"languages after the first in 'languages' ({', '.join(others) or 'none'}); the first "
                          "language's are 'title' and 'description'")
    if errors:
        count = len(errors)
        raise ConfigError(numbered_list(f"invalid configuration ({count} error{'s' if count != 1 else ''}):", errors))
    if "base_url" in values:
        values["base_url"] = _normalise_base_url(values["base_url"])
    if values.get("languages"):
        values["language"] = values["languages"][0]
    return SiteConfig(**values, site_dir=site_dir)


def _read_yaml_mapping(path: Path, shown: str) -> tuple[dict, dict[str, int], list[str]]:
    """The mapping in the file, the line of each top-level key, and any keys given twice."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text")
    except RecursionError:
        raise ConfigError(f"{shown}:1: invalid YAML: nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # an impossible date such as 2024-02-30, or a huge number
        digits = sys.get_int_max_str_digits()
        if "digits" in str(exc) and (number := re.search(r"[0-9][0-9_]{%d,}" % digits, text)):
            raise ConfigError(f"{shown}:{text.count(chr(10), 0, number.start()) + 1}: invalid YAML: "
                              f"a number of more than {digits} digits") from None
        raise ConfigError(f"{shown}: invalid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        found = explain_yaml_error(exc, text)
        raise ConfigError(f"{shown}:{found.line + 1 if found.line is not None else 0}: invalid YAML: {found.message}")
    if data is None:
        return {}, {}, []
    if not isinstance(data, dict):
        hint = key_without_space(text.split("\n")[node.start_mark.line]) if isinstance(node, yaml.ScalarNode) else None
        line = node.start_mark.line + 1 if hint else 1
        raise ConfigError(f"{shown}:{line}: " + (f"invalid YAML: {hint}" if hint else "expected a mapping of keys to values"))
    lines: dict[str, int] = {}
    duplicates = []
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in lines:
                duplicates.append(f"{shown}:{line}: '{key}' is given twice (first on line {lines[key]})")
            else:
                lines[key] = line
    return {str(k): v for k, v in data.items()}, lines, duplicates


def _validate(values: dict, where_given: dict[str, str], shown: str) -> list[str]:
    """Every problem with the values; each names where its key was given (file:line or command line)."""
    hints = typing.get_type_hints(SiteConfig)
    errors = []
    for key, value in values.items():
        where = where_given.get(key, shown)
        if key not in USER_KEYS:
            close = difflib.get_close_matches(key, USER_KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            errors.append(f"{where}: unknown key '{key}'{hint}")
            continue
        expected = hints[key]
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors.append(f"{where}: '{key}' must be a whole number, not {describe(value)}")
        elif expected is bool and not isinstance(value, bool):
            errors.append(f"{where}: '{key}' must be true or false, not {describe(value)}")
        elif expected is str and not isinstance(value, str):
            errors.append(f"{where}: '{key}' must be text, not {describe(value)}")
        elif expected is str and not _is_unicode(value):
            errors.append(f"{where}: '{key}' holds half of a UTF-16 surrogate pair (an escape like \\ud800), "
                          "not a character")
        else:
            problem = _check_value(key, value)
            if problem:
                errors.append(f"{where}: {problem}")
    return errors


def _is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate, which YAML's `"\\ud800"` escape can give."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MOST_SHARD_WORDS = 10_000_000
"""The largest search shard: Pagefind would take about 4.5 GB to index it."""

SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss)://)?[^\s/:]+(?::\d{1,5})?")
"""A Dask scheduler's address: an optional tcp, tls, ws or wss scheme, a host, an optional port."""


def _check_value(key: str, value: typing.Any) -> str | None:
    if key in ("page_size", "archive_page_size", "summary_words", "search_shard_words") and value < 1:
        return f"'{key}' must be at least 1"
    if key == "search_shard_words" and value > MOST_SHARD_WORDS:
        return f"'search_shard_words' must be at most {MOST_SHARD_WORDS:,} (Pagefind needs about 450 bytes a word)"
    if key == "feed_limit" and value < 1:
        return "'feed_limit' must be at least 1"
    if key == "twitter" and value and not value.startswith("@"):
        return f"'twitter' must be a handle starting with '@', not {describe(value)}"
    if key == "related_count" and value < 0:
        return "'related_count' must be 0 (none) or more"
    if key in ("max_article_bytes", "max_title_length") and value < 1:
        return f"'{key}' must be at least 1"
    if key == "tags_per_article_warning" and value < 0:
        return "'tags_per_article_warning' must be 0 (never warn) or more"
    if key == "workers" and value < 0:
        return "'workers' must be 0 (one per core) or more"
    if key == "scheduler" and value and not SCHEDULER_ADDRESS.fullmatch(value):
        return f"'scheduler' must be a Dask scheduler's address like tcp://HOST:8786, not {describe(value)}"
    if key == "markdown_engine" and value not in MARKDOWN_ENGINES:
        return (f"'markdown_engine' must be markdown (Python-Markdown, the default) or commonmark (cmark-gfm), "
                f"not {describe(value)}")
    if key == "date_order" and value not in ("", "DMY", "MDY"):
        return f"'date_order' must be DMY or MDY, not {describe(value)}"
    if key == "timezone" and (not value.strip() or tz.gettz(value) is None):
        return f"'timezone' is not a known time zone: {describe(value)} ({_zone_hint(value)})"
    if key == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"'base_url' must be an absolute http(s) URL, not {describe(value)}"
        if parts.query or parts.fragment or value.endswith(("?", "#")):
            return f"'base_url' must not have a query or fragment, not {describe(value)}"
    if key == "permalink":
        if not value.endswith("/") or "{slug}" not in value:
            return "'permalink' must contain {slug} and end with '/'"
        try:
            value.format(year="", month="", day="", slug="", section="")
        except (KeyError, IndexError, ValueError) as exc:
            return f"'permalink' has an unknown field: {exc}"
        fields = [f for _, f, spec, conv in string.Formatter().parse(value) if f is not None]
        if any(f not in ("year", "month", "day", "slug", "section") for f in fields):
            return f"'permalink' may only use the fields {{year}} {{month}} {{day}} {{slug}} {{section}}: {describe(value)}"
        if any(s.split(".")[0].lower() in WINDOWS_DEVICES for s in value.split("/")):
            return f"'permalink' has a folder named like a Windows device (CON, NUL, ...): {describe(value)}"
        if any(s in (".", "..") for s in value.split("/")) or any(c in value for c in "\\:%?#\x00"):
            return f"'permalink' must be folder names joined by '/', without '.', '..', '\\', ':', '%', '?' or '#': {describe(value)}"
    if key in ("content_dir", "output_dir"):
        if not value.strip() or Path(value).is_absolute() and key == "content_dir":
            return f"'{key}' must be a folder path"
        if key == "output_dir" and value.strip() in (".", "./"):
            return "'output_dir' cannot be the site folder itself"
    if key == "embed_hosts":
        return _check_embed_hosts(value)
    if key == "share":
        return _check_share(value)
    problem = _check_import_value(key, value)
    if problem:
        return problem
    if key == "language" and not value.replace("-", "").isalnum():
        return f"'language' must be a language tag like 'en' or 'pt-BR', not {describe(value)}"
    if key == "languages":
        return _check_languages(value)
    if key in ("language_titles", "language_descriptions"):
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                  for k, v in value.items()):
            return f"'{key}' must map languages to text, like {{es: El Diario}}, not {describe(value)}"
    return None


def _check_languages(value: typing.Any) -> str | None:
    """`languages`: a list of distinct language tags."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        return f"'languages' must be a list of language tags like [en, es, ar], not {describe(value)}"
    bad = [tag for tag in value if not tag or not tag.replace("-", "").isalnum()]
    if bad:
        return f"'languages' must hold language tags like 'en' or 'pt-BR', not {describe(bad[0])}"
    seen: set[str] = set()
    for tag in value:
        if tag.lower() in seen:
            return f"'languages' names {describe(tag)} twice"
        seen.add(tag.lower())
    return None


_HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", re.I)


def _check_embed_hosts(value: typing.Any) -> str | None:
    """`embed_hosts`: a list of host names, without scheme, path or port."""
    if not isinstance(value, list):
        return f"'embed_hosts' must be a list of host names like [www.youtube.com], not {describe(value)}"
    bad = [host for host in value if not isinstance(host, str) or not _HOST_NAME.fullmatch(host)]
    if bad:
        return (f"'embed_hosts' must hold host names only, without https://, path or port, "
                f"not {', '.join(describe(host) for host in bad)}")
    return None


def _check_share(value: typing.Any) -> str | None:
    """`share`: a list of the networks SHARE_URLS knows."""
    if not isinstance(value, list):
        return f"'share' must be a list like [email, bluesky], not {describe(value)}"
    unknown = [name for name in value if name not in SHARE_URLS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), SHARE_URLS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"'share' does not know {describe(unknown[0])}{hint}; it knows {', '.join(SHARE_URLS)}"
    return None


EXPORT_FIELD_NAMES = ("date", "title", "body", "tags", "author", "section", "id", "url",
                      "summary", "updated", "slug", "draft")
LAYOUTS = ("auto", "newsgen", "jekyll", "hugo", "pelican")


def _names(value: typing.Any) -> bool:
    return isinstance(value, str) or isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_import_value(key: str, value: typing.Any) -> str | None:
    """Checks for the keys of imports: exports, content layouts, automatic tags."""
    if key == "export_fields":
        if not isinstance(value, dict):
            return "'export_fields' must map article fields to export field names"
        for name, fields in value.items():
            if name not in EXPORT_FIELD_NAMES:
                close = difflib.get_close_matches(str(name), EXPORT_FIELD_NAMES, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                return f"'export_fields' has an unknown article field '{name}'{hint}"
            if not _names(fields):
                return f"'export_fields.{name}' must be a field name or a list of field names"
    if key == "export_markup" and value not in ("text", "markdown", "html"):
        return f"'export_markup' must be text, markdown or html, not {value!r}"
    if key == "slug_script" and value not in SLUG_SCRIPTS:
        return f"'slug_script' must be one of {', '.join(SLUG_SCRIPTS)}, not {value!r}"
    if key == "content_layout" and value not in LAYOUTS:
        return f"'content_layout' must be one of {', '.join(LAYOUTS)}, not {value!r}"
    if key == "known_tags":
        if not isinstance(value, dict) or not all(isinstance(k, str) and (v is None or _names(v))
                                                  for k, v in value.items()):
            return "'known_tags' must map each tag to a list of aliases: {Venezuela: [Venezuelan, Caracas]}"
    if key == "auto_tags_stopwords" and not (isinstance(value, list) and _names(value)):
        return "'auto_tags_stopwords' must be a list of words"
    if key == "auto_tags_limit" and value < 1:
        return "'auto_tags_limit' must be at least 1"
    return None


def _zone_hint(name: str) -> str:
    """`did you mean 'Europe/Lisbon', ...?` with the closest IANA zone names, best first."""
    by_lower = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    close = [by_lower[found] for found in difflib.get_close_matches(name.strip().lower(), list(by_lower), n=3)]
    if not close:
        return "try 'Europe/Paris' or 'UTC'"
    quoted = [f"'{zone}'" for zone in close]
    return "did you mean " + (f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]) + "?"


def _normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
