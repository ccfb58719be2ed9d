"""The theme's own text in the site's language: gettext catalogues and CLDR locales.

The built-in catalogues are `.po` files in `newsgen/translations/` (`es.po`, `ar.po`, ...). A site's
`translations/` folder holds more: `LANG.po` files that add a language or override some of the
built-in strings of one (a string the site's file leaves out keeps its built-in translation).
Catalogues are compiled in memory with Babel when a build starts (a few milliseconds), so the
`.po` sources are the only files shipped and a site's own files need no compiling step.

`pt-BR` looks for `pt_BR.po`, then `pt.po`; a language without any catalogue is written in the
theme's English.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from newsgen.errors import BuildFailed, display_path
from newsgen.render.theme_sources import SITE_TRANSLATIONS, builtin_translations_dir


RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
"""Languages whose pages are laid out right to left even where CLDR does not say (a tag Babel does not know)."""


@dataclass(frozen=True)
class Catalogue:
    translations: gettext.NullTranslations
    digest: str
    """A digest of every `.po` source it was compiled from (empty: none)."""


def catalogue_names(language: str) -> list[str]:
    """File stems to look for, most specific first: `pt-BR` gives `pt_BR`, `pt`."""
    parts = language.replace("-", "_").split("_")
    names = ["_".join(parts[:count]) for count in range(len(parts), 0, -1)]
    return [name[:1].lower() + name[1:] if name else name for name in names]


def catalogue_sources(language: str, site_dir: Path) -> tuple[tuple[Path, bytes], ...]:
    """The `.po` files of language's catalogue, each path with its bytes, the site's
    `translations/` first, most specific first (`pt_BR` before `pt`)."""
    sources = [folder / f"{name}.po" for folder in (site_dir / SITE_TRANSLATIONS, builtin_translations_dir())
               for name in catalogue_names(language)]
    return tuple((path, path.read_bytes()) for path in sources if path.is_file())


@functools.lru_cache(maxsize=16)
def compiled_catalogue(language: str, sources: tuple[tuple[Path, bytes], ...]) -> Catalogue:
    """The catalogue made of sources (see catalogue_sources), each compiled once per process."""
    digest = hashlib.blake2b(digest_size=16)
    chain: gettext.NullTranslations | None = None
    for path, data in sources:
        digest.update(path.name.encode() + b"\0" + data)
        compiled = _compile_po(path, data, language)
        if chain is None:
            chain = compiled
        else:
            chain.add_fallback(compiled)
    return Catalogue(chain or gettext.NullTranslations(), digest.hexdigest() if sources else "")


def _compile_po(path: Path, data: bytes, language: str) -> gettext.GNUTranslations:
    try:
        catalog = read_po(BytesIO(data), locale=babel_locale(language), abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise BuildFailed([f"{display_path(path)}: not a readable gettext catalogue: {exc}"]) from None
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale | None:
    """The CLDR locale of a language tag (`pt-BR`), or its language alone, or None when CLDR does not know it."""
    for name in catalogue_names(language):
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return None


@functools.lru_cache(maxsize=64)
def cldr_locale(language: str) -> Locale:
    """The locale dates, numbers and lists are written in: the language's, with plain `en` as in Britain and most of the
    English-speaking world (`10 August 2022`; `en-US` gives `August 10, 2022`); English when unknown."""
    if language.lower() == "en":
        return Locale.parse("en_GB")
    return babel_locale(language) or Locale.parse("en_GB")


@functools.lru_cache(maxsize=64)
def text_direction(language: str) -> str:
    """`rtl` or `ltr`: CLDR's direction for the language's script."""
    locale = babel_locale(language)
    if locale is None:
        return "rtl" if catalogue_names(language)[-1].lower() in RIGHT_TO_LEFT else "ltr"
    return locale.text_direction


@functools.lru_cache(maxsize=64)
def language_name(language: str) -> str:
    """The language's name in itself, as a language menu lists it (`English`, `Español`,
    `العربية`): CLDR's, its first letter capitalised; the tag itself when CLDR does not know it."""
    locale = babel_locale(language)
    name = locale.get_display_name(locale) if locale is not None else None
    return name[:1].upper() + name[1:] if name else language
