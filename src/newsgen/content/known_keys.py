"""The header keys each content layout knows, and a warning for any other key: a misspelled
`tgas:` would otherwise leave an article without tags and say nothing.

newsgen's own keys are the ones articles.py and layouts.py read. In another generator's tree the
keys that generator defines and newsgen ignores (Jekyll's `layout`, Hugo's `weight`) are known too.
A site's own fields go under `extra:`, which is never checked.
"""

from __future__ import annotations

import difflib

from newsgen.content.formats import SourceDocument

NEWSGEN_KEYS = frozenset({
    "title", "date", "updated", "modified", "lastmod", "tags", "tag", "keywords", "section", "category",
    "categories", "authors", "author", "summary", "description", "slug", "image", "image_alt", "image_caption", "image_credit", "draft", "status",
    "published", "corrections", "markup", "taxonomies", "extra", "aliases", "redirect_from", "takedown", "lang",
    "translation_key",
})
JEKYLL_KEYS = frozenset({
    "layout", "permalink", "excerpt", "excerpt_separator", "last_modified_at", "redirect_from", "redirect_to",
    "sitemap", "comments", "lang",
})
HUGO_KEYS = frozenset({
    "aliases", "audio", "build", "cascade", "expirydate", "headless", "images", "iscjklanguage", "layout",
    "linktitle", "menu", "menus", "outputs", "params", "publishdate", "resources", "series", "sitemap", "toc",
    "translationkey", "type", "url", "videos", "weight",
})
PELICAN_KEYS = frozenset({"lang", "translation", "template", "save_as", "url"})
KNOWN_KEYS = {
    "newsgen": NEWSGEN_KEYS,
    "jekyll": NEWSGEN_KEYS | JEKYLL_KEYS,
    "hugo": NEWSGEN_KEYS | HUGO_KEYS,
    "pelican": NEWSGEN_KEYS | PELICAN_KEYS,
}
CHECKED_FORMATS = {"yaml", "toml", "headers"}
"""Formats whose keys the writer chose. HTML `<meta>` names (viewport, generator) belong to the
page, and export fields are mapped by the config (its `export_fields` is checked there)."""


def unknown_key_warnings(document: SourceDocument, layout: str, shown: str) -> tuple[str, ...]:
    """`content/x.md:3: unknown front-matter key 'tgas' (did you mean 'tags'?)` for each header
    key the layout does not know, in line order. `layout` is resolved (not `auto`)."""
    if document.format not in CHECKED_FORMATS:
        return ()
    known = KNOWN_KEYS.get(layout, NEWSGEN_KEYS)
    found = []
    for key in document.meta:
        if key in known:
            continue
        line = document.meta_lines.get(key, 0)
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        where = f"{shown}:{line}" if line else shown
        found.append((line, f"{where}: unknown front-matter key '{key}'{hint}"))
    return tuple(message for _, message in sorted(found))
