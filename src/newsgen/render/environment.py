"""The Jinja environment: template lookup, filters, rendering one template, and what a template
reads.

Site templates override built-in ones by name; `builtin/NAME` always reaches the built-in one.
Links go through the `url` filter, which makes them relative to the page being rendered.
Templates see only what their page gives them (see `render/views.py`) and the `config` global;
the build time is not among them, so a page never changes by itself. The theme's text goes through
gettext (`_`, `ngettext`: render/translations.py), and dates, month and day names, counts and lists
of names through Babel, in the page's language (page_language: its article's `lang:`, else the
site's `language`), and so do `month_names` and the labels of periods and calendar days that site
templates may read (NewsEnvironment). Everything a `{{ ... }}` writes leaves out the characters
XML 1.0 cannot hold (see _xml_safe), so no article text or setting can make a feed, a sitemap or
a page unreadable.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import hashlib
import io
import json
import os
import re
import stat
import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from contextvars import ContextVar
from typing import Any, Callable, Mapping, Sequence

import jinja2
from babel.dates import format_date, format_skeleton, format_time, get_day_names, get_month_names
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, meta, nodes
from jinja2 import select_autoescape
from jinja2.loaders import split_template_path

from newsgen.config import SiteConfig, zone_named
from newsgen.errors import BuildFailed, display_path
from newsgen.incremental.detector import WHOLE
from newsgen.incremental.keys import package_fingerprint
from newsgen.model import Article, DayOfYear, Period
from newsgen.render.links import page_language, page_link
from newsgen.render.metadata import TEMPLATE_GLOBALS as METADATA_GLOBALS
from newsgen.render.pictures import TEMPLATE_GLOBALS as PICTURE_GLOBALS
from newsgen.render.teasers import teaser_once
from newsgen.render.theme_sources import builtin_templates_dir
from newsgen.render.translations import Catalogue, catalogue_sources, cldr_locale, compiled_catalogue, text_direction
from newsgen.shipping import ShippedOnce
from newsgen.urls import absolute_url, feed_url
from newsgen.write.publish import write_atomic


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""C0 controls but tab and line ends, the noncharacters U+FFFE and U+FFFF, lone surrogates."""


@dataclass(frozen=True)
class ThemeFiles(ShippedOnce):
    """A site's own templates and translation catalogues, read here for workers that do not see
    the site folder (a cluster's): each template's name, file name as messages show it, and
    bytes; each catalogue's path and bytes, in the order they apply."""

    templates: tuple[tuple[str, str, bytes], ...]
    catalogues: tuple[tuple[str, tuple[tuple[Path, bytes], ...]], ...]
    """Each of the site's languages with its catalogue's sources."""
    digest: str


def read_theme_files(config: SiteConfig) -> ThemeFiles:
    """The site's templates (as make_environment finds them) and its languages' catalogues."""
    templates = []
    site = _site_templates(config)
    if site is not None:
        for name in site.list_templates():
            path = site.file_of(name)
            if path is not None:
                templates.append((name, display_path(path), path.read_bytes()))
    catalogues = tuple((language, catalogue_sources(language, config.site_dir)) for language in site_languages(config))
    digest = hashlib.blake2b(digest_size=16)
    for name, filename, data in templates:
        digest.update(f"{name}\0{filename}\0{len(data)}\0".encode("utf-8", "surrogateescape") + data)
    for _, sources in catalogues:
        for path, data in sources:
            digest.update(f"{path.name}\0{len(data)}\0".encode("utf-8", "surrogateescape") + data)
    return ThemeFiles(tuple(templates), catalogues, digest.hexdigest())


class SentTemplates(jinja2.BaseLoader):
    """A site's templates from ThemeFiles, decoded as a FileSystemLoader decodes files."""

    def __init__(self, theme: ThemeFiles):
        self.sources = {name: (filename, data) for name, filename, data in theme.templates}

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        if template not in self.sources:
            raise jinja2.TemplateNotFound(template)
        filename, data = self.sources[template]
        return data.decode("utf-8"), filename, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


def _site_templates(config: SiteConfig) -> SiteTemplates | None:
    """The site's `templates/` loader, unless there is none or it is a link leading outside the
    site folder (see theme_assets)."""
    if config.templates_path.is_dir() and config.linked_away(config.templates_path) is None:
        return SiteTemplates(config.templates_path, config.follow_symlinks)
    return None


_ESCAPED_TEMPLATES = select_autoescape(["html", "xml"], default_for_string=True)
"""HTML and XML templates escape what they print; so do templates made from strings."""


def make_environment(config: SiteConfig, theme: ThemeFiles | None = None) -> Environment:
    """The environment for config's site: its `templates/` first (unless it is a link leading
    outside the site folder, see theme_assets), then the built-in theme. With `theme`, the
    site's templates and catalogues are those it holds, and the site folder is not read.

    An environment serves one build: each template file is read once, when first used, and not
    checked again (Jinja's auto_reload would look at its modification time on every page, and a
    template changed during the build would give pages keyed by its other text)."""
    builtin = FileSystemLoader(builtin_templates_dir())
    loaders: list[jinja2.BaseLoader] = []
    site = _site_templates(config) if theme is None else SentTemplates(theme)
    if site is not None:
        loaders.append(site)
    loaders += [PrefixLoader({"builtin": builtin}), builtin]
    env = NewsEnvironment(
        loader=ChoiceLoader(loaders),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        autoescape=_ESCAPED_TEMPLATES,
        undefined=HintingUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_xml_safe,
        bytecode_cache=COMPILED_TEMPLATES,
        auto_reload=False,
    )
    sources = dict(theme.catalogues) if theme is not None else \
        {language: catalogue_sources(language, config.site_dir) for language in site_languages(config)}
    catalogues = {language: compiled_catalogue(language, sources.get(language, ())) for language in site_languages(config)}
    catalogue = catalogues[config.language]
    if len(catalogues) > 1:
        catalogue = Catalogue(PageCatalogue(catalogues, config.language),  # type: ignore[arg-type]
                              "".join(each.digest for each in catalogues.values()))
    env.install_gettext_translations(catalogue.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(url=_url, home=_home, absolute=_absolute, date=_format_date, isodate=isodate, tojson_ld=_json_ld,
                       by_period=_by_period, number=_number, month_name=_month_name, period_label=_period_label,
                       day_label=_day_label, names_list=_names_list,
                       on_this_day_label=_on_this_day_label)
    env.globals.update(config=config, month_names=MonthNames(), feed_url=feed_url, page_language=_page_language,
                       text_direction=text_direction, weekday_names=_weekday_names, catalogue_digest=catalogue.digest,
                       plural_forms=_plural_forms, plural_locale=_plural_locale, numbering_system=_numbering_system,
                       teaser_once=teaser_once, **METADATA_GLOBALS, **PICTURE_GLOBALS)
    env.tests["sameas"] = _same_as
    return env


class CompiledTemplates(jinja2.BytecodeCache):
    """Each template compiled once: in memory for the process, whatever the number of environments
    made from it (a `newsgen serve` rebuild, a worker's next build, the next build of a test), and
    on disk for the user (compiling the theme costs a fresh `newsgen build` or worker about a third
    of a second, loading it a few milliseconds).

    Jinja keys compiled code by template name, file name and a checksum of the source, and checks
    the checksum again when it loads code; what else compilation reads from the environment (the
    filters and tests it finds and how they are called, the extensions, new-style gettext) is added
    to the key, so an environment set up differently never receives code compiled for another. On
    disk the key also holds newsgen's code and its libraries' versions (package_fingerprint).

    The disk cache is the user's (`$XDG_CACHE_HOME/newsgen/templates`, else
    `~/.cache/newsgen/templates`), never the site's: compiled code is run as it is, so it must not
    come from a folder a downloaded archive could bring. It is used only when that folder is the
    user's own and nobody else can write to it; any failure to read or write it costs a compile."""

    def __init__(self, folder: Path | None = None) -> None:
        self.codes: dict[tuple[str, tuple], tuple[str, Any]] = {}
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        settings = _compile_settings(bucket.environment)
        checksum, code = self.codes.get((bucket.key, settings), ("", None))
        if checksum == bucket.checksum:
            bucket.code = code
            return
        folder = self._usable_folder()
        if folder is None:
            return
        try:
            with open(folder / self._file_name(bucket.key, settings), "rb") as file:
                bucket.load_bytecode(file)  # Jinja checks its version and the source checksum
        except Exception:  # a damaged file fails in marshal or pickle, with any of their errors: compile
            bucket.reset()
        if bucket.code is not None:
            self.codes[bucket.key, settings] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        settings = _compile_settings(bucket.environment)
        self.codes[bucket.key, settings] = (bucket.checksum, bucket.code)
        folder = self._usable_folder()
        if folder is None:
            return
        compiled = io.BytesIO()
        bucket.write_bytecode(compiled)
        with contextlib.suppress(OSError):  # not kept: the next process compiles it again
            write_atomic(folder / self._file_name(bucket.key, settings), compiled.getvalue())

    @staticmethod
    def _file_name(key: str, settings: tuple) -> str:
        text = f"{key}\0{_stable_text(settings)}\0{package_fingerprint()}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest() + ".jinja"

    def _usable_folder(self) -> Path | None:
        folder = self.folder
        if folder is None or not hasattr(os, "getuid"):  # no owner to check (not POSIX): memory only
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            found = os.stat(folder, follow_symlinks=False)
        except OSError:
            self.folder = None
            return None
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o022:
            self.folder = None  # another user's folder, a link, or one others can write to: memory only
            return None
        return folder


def user_template_cache() -> Path | None:
    """Where the user's compiled templates are kept (see CompiledTemplates); None without a home."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "newsgen" / "templates"


def _stable_text(value: Any) -> str:
    """value as text that is the same in every process: functions by their qualified name."""
    if isinstance(value, tuple):
        return "(" + ",".join(_stable_text(item) for item in value) + ")"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return repr(value)


def _compile_settings(env: Environment) -> tuple:
    """What Jinja's compiler reads from env besides the template's source."""
    def passing(functions: Mapping[str, Any]) -> tuple:
        return tuple(sorted((name, str(getattr(function, "jinja_pass_arg", None)))
                            for name, function in functions.items()))
    return (passing(env.filters), passing(env.tests), tuple(sorted(env.extensions)),
            getattr(env, "newstyle_gettext", False), env.finalize, env.autoescape, env.optimized,
            env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline)


COMPILED_TEMPLATES = CompiledTemplates(user_template_cache())


OTHER_NAMES = {"headline": "title", "date": "published", "content": "body_html", "body": "body_html",
               "text": "body_html", "excerpt": "summary", "description": "summary", "author": "authors",
               "category": "section", "categories": "section", "link": "url", "permalink": "url",
               "lastmod": "updated", "reading_time": "reading_minutes"}
"""Names other generators' templates use (Jekyll, Hugo, Pelican) for what a record names otherwise."""


LISTED_NAMES = 40
"""A record with at most this many attributes lists them all in a template error."""


class HintingUndefined(StrictUndefined):
    """StrictUndefined whose message for a missing attribute names the closest ones the value
    has and, for a record (an Article, a listing, a mapping such as `article.extra`) with few
    enough, lists them all (`... has no attribute 'headline' (did you mean 'title'? Article has: ...)`)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        message = super()._undefined_message
        value, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or value is jinja2.utils.missing or not isinstance(name, str):
            return message
        record = isinstance(value, Mapping) or dataclasses.is_dataclass(value)
        names = sorted(map(str, value)) if isinstance(value, Mapping) else \
            sorted({n for n in [*dir(type(value)), *getattr(value, "__dict__", ())] if not n.startswith("_")})
        close = [OTHER_NAMES[name]] if OTHER_NAMES.get(name) in names else []
        close += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.75) if n not in close]
        hints = [f"did you mean {' or '.join(repr(n) for n in close[:3])}?"] if close else []
        if record and 0 < len(names) <= LISTED_NAMES:  # a str's methods or every setting would bury the hint
            hints.append(f"{type(value).__name__} has: {', '.join(names)}")
        return f"{message} ({' '.join(hints)})" if hints else message


def _xml_safe(value: Any) -> Any:
    """A value as `{{ ... }}` writes it in every template: text without the characters XML 1.0
    cannot hold (a control character in a tag or title would make a feed unparsable), markup
    still markup. Applied before escaping, to each value printed."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return type(value)(_NOT_XML.sub("", value))  # a Markup value stays Markup
    return value
class SiteTemplates(FileSystemLoader):
    """A site's `templates/` folder, where a template that is a symbolic link leading outside the
    folder is not found (the built-in one of that name is used) unless follow_symlinks;
    theme_assets names each such link in a warning."""

    def __init__(self, folder: Path, follow_symlinks: bool):
        super().__init__(folder)
        self.inside = None if follow_symlinks else folder.resolve()

    def file_of(self, template: str) -> Path | None:
        """The file get_source reads for template, or None if it finds none."""
        for folder in self.searchpath:
            path = Path(folder, *split_template_path(template))
            if path.is_file():
                inside = self.inside is None or path.resolve().is_relative_to(self.inside)
                return path if inside else None
        return None

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if self.inside is not None and not Path(filename).resolve().is_relative_to(self.inside):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def site_languages(config: SiteConfig) -> list[str]:
    """The languages whose catalogues a site's pages use: each of a multilingual site's, else its one."""
    return list(config.languages) if config.multilingual else [config.language]


class PageCatalogue:
    """gettext for a multilingual site: the catalogue of the language of the page being rendered
    (its `config.language`, see render_template)."""

    def __init__(self, catalogues: dict[str, Catalogue], default: str):
        self.catalogues = {language: catalogue.translations for language, catalogue in catalogues.items()}
        self.default = self.catalogues[default]

    def _current(self) -> Any:
        return self.catalogues.get(_THEME_LANGUAGE.get(), self.default)

    def gettext(self, message: str) -> str:
        return self._current().gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._current().ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self._current().pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return self._current().npgettext(context, singular, plural, count)


def render_template(env: Environment, template: str, context: dict[str, Any]) -> bytes:
    """One template rendered with context, as UTF-8. A template error raises BuildFailed naming
    the template file and line. The theme's words are in the language of the page's `config`
    (a multilingual site's pages give their language's), its dates in its article's `lang:`."""
    config = context.get("config") or env.globals["config"]
    language = getattr(context.get("article"), "lang", "") or config.language
    rendering = _RENDERING_LANGUAGE.set(language)
    theme = _THEME_LANGUAGE.set(config.language)
    try:
        return env.get_template(template).render(context).encode("utf-8")
    except jinja2.TemplateError as exc:
        raise BuildFailed([_template_error(exc, template)]) from None
    except UnicodeDecodeError as exc:
        raise BuildFailed([f"{_undecodable(env, template) or template}: template error: not UTF-8 text "
                           f"(byte {exc.start + 1} cannot be read)"]) from None
    finally:
        _RENDERING_LANGUAGE.reset(rendering)
        _THEME_LANGUAGE.reset(theme)


_RENDERING_LANGUAGE: ContextVar[str] = ContextVar("rendering_language", default="en")
"""The language of the page render_template is rendering, for what reads it without the template's
context: the labels of model records (NewsEnvironment.getattr) and `month_names`."""
_THEME_LANGUAGE: ContextVar[str] = ContextVar("theme_language", default="")
"""The language of the theme's words on the page render_template is rendering (PageCatalogue)."""


class NewsEnvironment(Environment):
    """Jinja's environment, with the English labels of the model's records read in the language of
    the page being rendered: `period.label` (`agosto de 2022`), `period.short_label` and a
    calendar day's `day.label` (`10 de agosto`), as the `period_label` and `day_label` filters
    write them, for site templates written with the labels."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute in ("label", "short_label") and isinstance(obj, Period):
            return period_label(obj, _RENDERING_LANGUAGE.get(), short=attribute == "short_label")
        if attribute == "label" and isinstance(obj, DayOfYear):
            return day_label(obj.month, obj.day, _RENDERING_LANGUAGE.get())
        return super().getattr(obj, attribute)


class MonthNames(Sequence[str]):
    """`month_names` in templates: the twelve months' names (`month_names[0]` is January) in the
    language of the page being rendered."""

    def __getitem__(self, index: Any) -> Any:
        return _month_names(_RENDERING_LANGUAGE.get())[index]

    def __len__(self) -> int:
        return 12


@functools.lru_cache(maxsize=64)
def _month_names(language: str) -> tuple[str, ...]:
    names = get_month_names("wide", "stand-alone", locale=cldr_locale(language))
    return tuple(names[month] for month in range(1, 13))


def _undecodable(env: Environment, template: str) -> str | None:
    """The file of the first template, among those `template` loads, that is not UTF-8 text."""
    for name in [template, *env.list_templates()]:
        try:
            env.loader.get_source(env, name)  # type: ignore[union-attr]
        except UnicodeDecodeError:
            found = next((path for loader in _file_loaders(env) for path in [Path(folder, name) for folder in loader.searchpath]
                          if path.is_file()), None)
            return display_path(found) if found else name
        except jinja2.TemplateNotFound:
            continue
    return None


def _file_loaders(env: Environment) -> list[FileSystemLoader]:
    loader = env.loader
    loaders = loader.loaders if isinstance(loader, ChoiceLoader) else [loader]
    return [each for each in loaders if isinstance(each, FileSystemLoader)]


@jinja2.pass_context
def _url(context: Any, target: str) -> str:
    """A link to a site URL from the current page: relative, or under the base path for pages
    (like 404.html) served at any depth."""
    return page_link(context, target)


@jinja2.pass_context
def _home(context: Any, target: str) -> str:
    """A URL of the page's language's own pages (`archive/`, `tags/`, `''` for its front page) as a
    site URL: under the language's prefix on a multilingual site (`es/archive/`), else itself."""
    return context["config"].home + target


@jinja2.pass_context
def _absolute(context: Any, target: str) -> str:
    return absolute_url(context["config"].base_url, target)


@jinja2.pass_context
def _page_language(context: Any) -> str:
    """The language of the page being rendered: its article's `lang:`, else the site's `language`."""
    return page_language(context)


@jinja2.pass_context
def _format_date(context: Any, moment: datetime, precision: str = "day") -> str:
    """A date in the page's language (CLDR's long date: `10 August 2022`, `10 de agosto de 2022`),
    its month and year alone, or with the time of day and the zone's abbreviation."""
    return formatted_date(moment, precision, context["config"].timezone, page_language(context))


@functools.lru_cache(maxsize=65536)
def formatted_date(moment: datetime, precision: str, timezone: str, language: str) -> str:
    """A date as pages show it, in the zone and language named: `May 2023`, `4 May 2023` or
    `4 May 2023, 09:30 UTC` in English."""
    local = moment.astimezone(zone_named(timezone))
    locale = cldr_locale(language)
    if precision == "month":
        return format_skeleton("yMMMM", local, locale=locale)
    text = format_date(local, "long", locale=locale)
    if precision == "time":
        time = f"{format_time(local, 'short', locale=locale)} {local.tzname() or ''}".rstrip()
        text = locale.datetime_formats["medium"].format(time, text)
    return text


@jinja2.pass_context
def _number(context: Any, value: int) -> str:
    """A count with the page's language's digit grouping (`12,345`, `12.345`)."""
    return format_decimal(value, locale=cldr_locale(page_language(context)))


PLURAL_SAMPLES = (1, 2, 3, 11, 100, 0, 1_000_000, *range(4, 200))
"""Numbers tried, in order, for one of each plural category: the usual counts first, so that a
category gets a number the catalogue's own plural rule puts in the same form."""


@jinja2.pass_context
def _plural_forms(context: Any, message: Callable[[int], str]) -> dict[str, str]:
    """A message with plural forms for a script to finish: `message` (a macro of one number, that
    calls ngettext) once for each CLDR plural category of the page's language (`one`, `few`, `other`,
    ...), for the script to choose with `Intl.PluralRules(plural_locale())`. Arabic has six."""
    rule = cldr_locale(_page_language(context)).plural_form
    forms: dict[str, str] = {}
    for number in PLURAL_SAMPLES:
        if (category := rule(number)) not in forms:
            forms[category] = str(message(number))
    return forms


@jinja2.pass_context
def _plural_locale(context: Any) -> str:
    """The BCP 47 tag of the CLDR locale the page's counts, dates and plural forms are written in (`en-GB`, `ar`)."""
    return str(cldr_locale(_page_language(context))).replace("_", "-")


@jinja2.pass_context
def _numbering_system(context: Any) -> str:
    """The digits the page's language writes counts in, as `Intl.NumberFormat` names them (`latn`)."""
    return cldr_locale(_page_language(context)).default_numbering_system


@jinja2.pass_context
def _names_list(context: Any, items: list[str]) -> str:
    """Names joined as the page's language lists them (`A, B and C`, `A, B y C`); each item escaped
    unless it is markup."""
    escape = jinja2.utils.markupsafe.escape
    joined = format_list([str(escape(item)) for item in items], locale=cldr_locale(page_language(context)))
    return jinja2.utils.markupsafe.Markup(joined)


@jinja2.pass_context
def _month_name(context: Any, month: int) -> str:
    """A month's name on its own (`August`, `agosto`), in the page's language."""
    return get_month_names("wide", "stand-alone", locale=cldr_locale(page_language(context)))[month]


@jinja2.pass_context
def _weekday_names(context: Any) -> list[tuple[str, str]]:
    """(full, abbreviated) names of the days Monday to Sunday in the page's language."""
    locale = cldr_locale(page_language(context))
    wide, short = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    return [(wide[day], short[day]) for day in range(7)]


@jinja2.pass_context
def _period_label(context: Any, period: Period, short: bool = False) -> str:
    """A Period's label in the page's language: `2022`, `August 2022`, `10 August 2022`; short: its
    name inside its parent (`2022`, `August`, `10`)."""
    return period_label(period, _page_language(context), short)


def period_label(period: Period, language: str, short: bool = False) -> str:
    """A Period's label in a language (see _period_label)."""
    if period.month is None:
        return str(period.year)
    locale = cldr_locale(language)
    if short:
        return str(period.day) if period.day is not None else get_month_names("wide", "stand-alone", locale=locale)[period.month]
    first = date(period.year, period.month, period.day or 1)
    if period.day is None:
        return format_skeleton("yMMMM", first, locale=locale)
    return format_date(first, "long", locale=locale)


@jinja2.pass_context
def _day_label(context: Any, month: int, day: int) -> str:
    """A calendar day without a year (`10 August`, `10 de agosto`) in the page's language."""
    return day_label(month, day, _page_language(context))


def day_label(month: int, day: int, language: str) -> str:
    return format_skeleton("MMMMd", date(2000, month, day), locale=cldr_locale(language))


_ON_THIS_DAY = re.compile(r"on-this-day/(\d\d)-(\d\d)/$")


@jinja2.pass_context
def _on_this_day_label(context: Any, url: str) -> str:
    """The calendar day an on-this-day page's URL (`on-this-day/08-10/`) names, as _day_label writes it."""
    month, day = _ON_THIS_DAY.search(url).groups()  # type: ignore[union-attr]
    return _day_label(context, int(month), int(day))


@jinja2.pass_context
def _by_period(context: Any, articles: tuple[Article, ...], level: str) -> list[tuple[Period, list[Article]]]:
    """Articles grouped by their year or day ("year" or "day") in the site's zone, in the order
    given: `(Period, articles)` pairs. An article dated to a month goes under its month."""
    config = context["config"]
    zone, root = zone_named(config.timezone), config.home
    groups: dict[Period, list[Article]] = {}
    for article in articles:
        local = article.published.astimezone(zone)
        if level == "year":
            period = Period(local.year, root=root)
        elif article.precision == "month":
            period = Period(local.year, local.month, root=root)
        else:
            period = Period(local.year, local.month, local.day, root=root)
        groups.setdefault(period, []).append(article)
    return list(groups.items())


def isodate(moment: datetime, precision: str = "time") -> str:
    """A `<time datetime>` value: `2022-08`, `2022-08-10` or a full timestamp with offset."""
    if precision == "month":
        return f"{moment:%Y-%m}"
    if precision == "day":
        return f"{moment:%Y-%m-%d}"
    return moment.isoformat(timespec="seconds")


def script_json(data: Any) -> str:
    """JSON for a `<script>` block: `<`, `>` and `&` escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_ld(data: Any) -> str:
    return jinja2.utils.markupsafe.Markup(script_json(data))


def _same_as(value: Any, other: Any) -> bool:
    """Jinja's `sameas`, where two copies of one article (one sent to a worker process, one in
    the site outline) count as the same."""
    if value is other:
        return True
    return (isinstance(value, Article) and isinstance(other, Article)
            and (value.source, value.url) == (other.source, other.url))


def _template_error(exc: jinja2.TemplateError, template: str) -> str:
    """`file:line: template error: ...`. Syntax errors carry their line; for runtime errors
    (an undefined name under StrictUndefined) the line comes from Jinja's rewritten traceback."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if not line:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    name = name or template
    if Path(name).is_file():
        name = display_path(Path(name))
    where = f"{name}:{line}" if line else f"{name}"
    return f"{where}: template error: {exc.message or exc.__class__.__name__}"


ANY_NAME = WHOLE
"""In TemplateReads.names: every name of the context may be read whole."""
_PRESENCE_TESTS = {"defined", "undefined"}
"""`NAME is defined` asks whether the context has the name, not what its value is."""
READ_BY_FILTERS = {"page_url": WHOLE, "article": "lang", "config": "language"}
"""Context names the filters read without the template naming them (`url` links from page_url, dates in
the language of the page's article, the theme's words in the page's `config.language`), with the
attribute they read."""


@dataclass(frozen=True)
class TemplateReads:
    """What rendering one template can read: the template files (it and everything it extends,
    includes and imports, by name and source digest), and for each name it uses, the attributes
    it reads of it (`{{ listing.title }}`: title) or WHOLE (it uses the value other than as
    `NAME.attr`, so it may read all of it)."""

    digest: str
    """A digest of the source of every template file the template can load."""
    names: dict[str, frozenset[str]]


def template_reads(env: Environment, template: str) -> TemplateReads:
    """Found by parsing the templates, never by watching a render: a template that names another
    by a variable (`{% include name %}`) may load any template, so all of them count; a template
    that does not parse may read anything (rendering it reports the error)."""
    names: dict[str, set[str]] = {name: {read} for name, read in READ_BY_FILTERS.items()}
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"catalogue\0{env.globals.get('catalogue_digest', '')}\n".encode())
    unreadable = False
    seen: set[str] = set()
    pending = [template]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            digest.update(f"{name}\0missing\n".encode())
            continue
        except UnicodeDecodeError:  # rendering reports it
            unreadable = True
            continue
        digest.update(f"{name}\0{filename}\0".encode("utf-8", "surrogateescape"))
        digest.update(source.encode("utf-8", "surrogatepass"))
        facts = _source_facts(env, name, filename, source)
        if facts is None:
            unreadable = True
            continue
        references, reads = facts
        for read, attributes in reads.items():
            names.setdefault(read, set()).update(attributes)
        if None in references:
            pending.extend(set(env.list_templates()) - seen)
        pending.extend(r for r in references if r is not None)
    if unreadable:
        names = {ANY_NAME: {WHOLE}}
    return TemplateReads(digest.hexdigest(), {name: frozenset(reads) for name, reads in sorted(names.items())})


_known_sources: dict[tuple[str, str], tuple[tuple[str | None, ...], dict[str, frozenset[str]]] | None] = {}
"""_source_facts by template name and source text: a pure function of them, kept for the life of
the process (a preview server rebuilds with the same templates many times)."""


def _source_facts(env: Environment, name: str, filename: str | None,
                  source: str) -> tuple[tuple[str | None, ...], dict[str, frozenset[str]]] | None:
    """The templates one template source names (None for a name it computes) and the names it
    reads with their attributes; None when it does not parse."""
    key = (name, source)
    if key not in _known_sources:
        try:
            tree = env.parse(source, name, filename)
        except jinja2.TemplateSyntaxError:
            facts = None
        else:
            facts = (tuple(meta.find_referenced_templates(tree)), _names_read(tree))
        if len(_known_sources) > 1024:
            _known_sources.clear()
        _known_sources[key] = facts
    return _known_sources[key]


def _names_read(tree: nodes.Template) -> dict[str, frozenset[str]]:
    """The names the template loads, each with the attributes read of it (or WHOLE)."""
    attributes: dict[int, str] = {}
    presence: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            attributes[id(node.node)] = node.attr
    for node in tree.find_all(nodes.Test):
        if isinstance(node.node, nodes.Name) and node.name in _PRESENCE_TESTS:
            presence.add(id(node.node))
    names: dict[str, set[str]] = {}
    for node in tree.find_all(nodes.Name):
        if node.ctx != "load" or id(node) in presence:
            continue
        names.setdefault(node.name, set()).add(attributes.get(id(node), WHOLE))
    return {name: frozenset(reads) for name, reads in names.items()}
