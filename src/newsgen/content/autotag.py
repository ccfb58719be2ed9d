"""Automatic tags for untagged articles (config `auto_tags`): the names that recur in the text.

A candidate is a run of capitalised words ("Gustavo Petro", "Padrino López"), with title words
("President", "Defense Minister") and stop words trimmed from its ends. Then, deterministically:

- a demonym folds into its place when the place is also named (`Venezuelan` -> `Venezuela`);
- a surname folds into the full name it ends ("Petro" -> "Gustavo Petro");
- a run that starts a sentence counts only when the same name also appears inside a sentence,
  so "The" or "In" never qualify, nor a capitalised word seen only at sentence starts;
- a name must appear more than once; known tags (`known_tags`, with aliases) need one mention.

Tags are ordered by mentions (most first), then by first appearance, at most `auto_tags_limit`.
No network, no model: plain text rules. Text in a script without capital letters (Arabic, Hebrew,
Chinese...) has no names to find this way: such an article is left untagged, and the build says
how many were (caseless_notice).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

from newsgen.content.articles import html_to_text
from newsgen.config import SiteConfig
from newsgen.model import Article, Term
from newsgen.urls import slugify, term_url

STOPWORDS = frozenset("""
a an and as at but by for from he her his i if in into it its of on or our she so that the their
them then there these they this those to we when where which while who why with you your after
before since during under over about also however although though according yet meanwhile
mr mrs ms dr sir president minister ministers prime defense defence foreign interior secretary
general gen chief director chairman spokesman spokeswoman official officials government state
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december today yesterday tomorrow reuters ap afp
""".split())
CONNECTORS = frozenset({"de", "del", "da", "do", "dos", "la", "le", "van", "von", "der", "bin", "al", "of"})
_SENTENCES = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
_TOKEN = re.compile(r"[\w’'\-]+|[^\w\s]")


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _clean(word: str) -> str:
    """`Petro’s` -> `Petro`."""
    return re.sub(r"[’']s$", "", word).strip("’'-")


def find_candidates(text: str, extra_stopwords: frozenset[str] = frozenset()) -> list[tuple[str, int, bool]]:
    """Capitalised runs as (phrase, position, starts a sentence), in text order."""
    stop = STOPWORDS | extra_stopwords
    found: list[tuple[str, int, bool]] = []
    position = 0
    for sentence in _SENTENCES.split(text):
        tokens = [_clean(t) for t in _TOKEN.findall(sentence)]
        first_word = next((i for i, t in enumerate(tokens) if t[:1].isalnum()), 0)
        run: list[str] = []
        run_start = 0
        for index, token in enumerate(tokens + [""]):
            is_word = bool(token) and token[0].isalnum()
            if is_word and _capitalised(token) and not token.isdigit():
                if not run:
                    run_start = index
                run.append(token)
                continue
            if run and is_word and token in CONNECTORS and index + 1 < len(tokens) and _capitalised(tokens[index + 1]):
                run.append(token)
                continue
            if run:
                found.extend(_trim(run, run_start - first_word, position, stop))
                position += 1
            run = []
    return found


def _trim(run: list[str], start: int, position: int, stop: frozenset[str]) -> list[tuple[str, int, bool]]:
    """Split a run at stop words; drop connectors and stop words at the ends of each piece."""
    pieces: list[tuple[list[str], int]] = [([], start)]
    for offset, word in enumerate(run):
        if word.casefold() in stop and word.casefold() not in CONNECTORS:
            pieces.append(([], start + offset + 1))
        else:
            pieces[-1][0].append(word)
    result = []
    for words, piece_start in pieces:
        while words and words[0].casefold() in CONNECTORS:
            words, piece_start = words[1:], piece_start + 1
        while words and words[-1].casefold() in CONNECTORS:
            words = words[:-1]
        if words and not (len(words) == 1 and len(words[0]) < 2):
            result.append((" ".join(words), position, piece_start == 0))
    return result


def rank_tags(text: str, config: SiteConfig) -> list[str]:
    """The automatic tags for a text, best first."""
    stop = frozenset(w.casefold() for w in config.auto_tags_stopwords)
    candidates = find_candidates(text, stop)
    aliases = {alias: name for name, names in config.known_tags.items() for alias in [name, *(names or [])]}
    names = {phrase for phrase, _, _ in candidates}
    words = {w for phrase in names for w in phrase.split()}

    def canonical(phrase: str) -> str:
        if phrase in aliases:
            return aliases[phrase]
        if " " not in phrase:
            for ending in ("ian", "n", "an"):
                stem = phrase[: -len(ending)]
                if phrase.endswith(ending) and len(stem) > 2 and stem in words:
                    return aliases.get(stem, stem)
            longer = sorted(n for n in names if n.endswith(" " + phrase))
            if len(longer) == 1:
                return longer[0]
        else:
            first, rest = phrase.split(" ", 1)
            if canonical(first) != first and rest:
                return canonical(rest)
        return phrase

    counts: dict[str, int] = defaultdict(int)
    first_seen: dict[str, int] = {}
    inside: set[str] = set()
    for phrase, position, at_start in candidates:
        name = canonical(phrase)
        if " " in phrase and canonical(phrase.split(" ", 1)[0]) != phrase.split(" ", 1)[0]:
            demonym = canonical(phrase.split(" ", 1)[0])  # "Venezuelan Armed Forces": count the place too
            counts[demonym] += 1
            first_seen.setdefault(demonym, position)
            inside.add(demonym)
        counts[name] += 1
        first_seen.setdefault(name, position)
        if not at_start:
            inside.add(name)
    known = set(config.known_tags)
    chosen = [n for n in counts if n.casefold() not in STOPWORDS | stop
              and (n in known or (n in inside and counts[n] > 1))]
    chosen.sort(key=lambda n: (-counts[n], first_seen[n], n))
    return chosen[: config.auto_tags_limit]


def apply_auto_tags(article: Article, config: SiteConfig) -> Article:
    """The article with automatic tags when `auto_tags` is on and it has none of its own."""
    if not config.auto_tags or article.tags:
        return article
    text = html_to_text(article.body_html)
    if without_capitals(text):
        return article
    names = rank_tags(text, config)
    tags: dict[str, Term] = {}
    for name in names:
        slug = slugify(name, "tag", config.slug_script)
        tags.setdefault(slug, Term("tag", name, slug, term_url("tag", slug)))
    return dataclasses.replace(article, tags=tuple(tags.values())) if tags else article


def without_capitals(text: str) -> bool:
    """True when most letters of text belong to scripts without capital letters (Arabic, Hebrew, CJK)."""
    letters = [char for char in text if char.isalpha()]
    caseless = sum(1 for char in letters if char.lower() == char.upper())
    return caseless * 2 > len(letters)


def caseless_notice(articles: tuple[Article, ...] | list[Article], config: SiteConfig) -> tuple[str, ...]:
    """With `auto_tags`, one notice counting the untagged articles written in a script without
    capital letters (judged by title and summary), which the tagger leaves as they are."""
    if not config.auto_tags:
        return ()
    count = sum(1 for article in articles if not article.tags and without_capitals(f"{article.title} {article.summary}"))
    if not count:
        return ()
    return (f"auto_tags: {count} article{'s' if count != 1 else ''} in a script without capital letters (such as "
            "Arabic) left without automatic tags: the tagger finds names by their capitals; give "
            f"{'them' if count != 1 else 'it'} `tags:` in the front matter",)
