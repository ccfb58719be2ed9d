"""The incremental build's invariant: after any sequence of changes to a site, building into the
same output folder with the cache kept gives the same output, byte for byte, as a `--clean` build
of the same input, and the same report (articles, warnings, notices, drafts and future articles
left out).

hypothesis draws a tiny site (2-6 articles, `search: false`, `workers: 1`) and a short list of
operations (see OPERATION_KINDS). After each operation the site is built incrementally into its
`public/`; a copy of the site's input (no `.newsgen-cache/`, no `public/`) in a new folder is built
with clean=True; the two outputs and reports are compared. A build that fails must fail in both,
with the same message. The default run is fixed: a few sequences written out (explicit_cases),
then the same drawn sequences every time; it takes 10-20 s.

Environment variables, for the long campaign (benchmarks/invariant_campaign.py):

    NEWSGEN_INVARIANT_EXAMPLES   sequences to draw (default 4)
    NEWSGEN_INVARIANT_STEPS      most operations in a sequence (default 6; at least 3 are drawn)
    NEWSGEN_INVARIANT_SKIP       operation kinds left out, comma-separated: `hugo-bundle,clock`;
                                 `hugo` leaves out every kind whose name starts with `hugo-`
    NEWSGEN_INVARIANT_RANDOM     1: a new random set of sequences each run instead of a fixed one
    NEWSGEN_INVARIANT_SHRINK     0: report a failing sequence as found, without shrinking it
    NEWSGEN_INVARIANT_SHRINK_SECONDS  how long to look for a shorter failing sequence (default 30):
                                 every try replays its builds, so shrinking could take many minutes
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import newsgen
from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import NewsgenError
from newsgen.model import KeptBetweenBuilds

EPOCH = 1767225600
"""The build time of the first step: 2026-01-01T00:00:00Z, as in conftest.py."""
DAY = 86400

EXAMPLES = int(os.environ.get("NEWSGEN_INVARIANT_EXAMPLES", "4"))
STEPS = int(os.environ.get("NEWSGEN_INVARIANT_STEPS", "6"))
SKIP = {kind.strip() for kind in os.environ.get("NEWSGEN_INVARIANT_SKIP", "").split(",") if kind.strip()}
RANDOM = os.environ.get("NEWSGEN_INVARIANT_RANDOM", "") not in ("", "0")
SHRINK = os.environ.get("NEWSGEN_INVARIANT_SHRINK", "1") not in ("", "0")
SHRINK_SECONDS = float(os.environ.get("NEWSGEN_INVARIANT_SHRINK_SECONDS", "30"))

BUILTIN_TEMPLATES = Path(newsgen.__file__).resolve().parent / "templates"
SEARCH_FILES = "pagefind/"
"""Pagefind's own files (written with `search: true`, which these sites turn off) are not compared."""

TALLY = {"sequences": 0, "steps": 0}
"""Sequences and steps checked in this process (read by the campaign)."""


def run_build(site: Path, epoch: int, *, clean: bool, kept: KeptBetweenBuilds | None = None):
    """Build `site` as newsgen does at time `epoch` (seconds since 1970, UTC); with `kept`, as a
    process that builds again and again (`newsgen serve`) does. Every build in this file goes
    through here, so a change in the build's signature is a change of this function."""
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    return build(load_config(site), clean=clean, kept=kept)


# --- The site's input, as a model written to files ---------------------------------------------

NAMES = ["a.md", "b.md", "c.markdown", "2023-11-20-named-by-date.md", "e.txt", "f.md",
         "posts/a.md", "posts/b.md", "posts/c.markdown", "posts/2023-11-20-named-by-date.md", "posts/e.txt"]
"""Article file names under content/. Files in posts/ matter once the tree is a Hugo tree
(`content/_index.md`): Hugo skips files at the top of its content folder."""
TITLES = ["Storm closes the port", "Council approves the budget", "Rail link opens",
          "Wheat prices fall", "STORM CLOSES THE PORT", "Élections: the count begins"]
"""The fifth title gives the first one's slug: on one day, two articles with one URL."""
DATES = ["2023-05-01", "2024-01-02", "2024-01-02T23:30:00-05:00", "2024-02", "2024-03-05T08:00:00+01:00",
         "2025-12-31T12:00:00Z", "2026-01-02", "2026-01-20T09:00:00Z"]
"""Past days, a late-evening time that is the next day in UTC, a month (on no day), a time inside
the news sitemap's two days before the first build time, and two dates after it (left out unless
`future`)."""
TAGS = ["ports", "economy", "Economy", "weather", "Bogotá", "Bogota", "rail"]
"""Spellings that fold together: `economy`/`Economy` by case, `Bogotá`/`Bogota` with a warning."""
SECTIONS = [None, "Local", "Economy", "local"]
AUTHORS = [None, "Ada Byron", "Tomás Ferreira", "Tomas Ferreira"]
SLUGS = [None, "storm-closes-the-port", "budget", "rail-link-opens"]
BODIES = ["Short body.",
          "A longer body with **bold** words.\n\nA second paragraph about the port and the storm.",
          "Lead paragraph.\n\n<!--more-->\n\nAfter the break.",
          "A Hugo shortcode: {{< figure src=\"port.jpg\" >}}\n\nAnd text after it.",
          "An embed: <iframe src=\"https://player.vimeo.com/video/1\"></iframe>\n\n<p onclick=\"x()\">Raw</p>"
          "<script>alert(1)</script>"]
HUGO_INDEX = "---\ntitle: Home\n---\nThe site's front page text.\n"
"""content/_index.md, which makes the content folder a Hugo tree."""
BUNDLE_NAME = "posts/index.md"
"""Added and removed by `hugo-bundle`. It is an article (BUNDLE), which edits reach like any
other; in a Hugo tree it makes posts/ a page bundle, whose other files are not articles."""
BUNDLE = dict(title="The posts bundle", date="2024-02-01", tags=["bundle"], section=None, author=None,
              slug=None, draft=False, body="The page of a Hugo page bundle.")

CONFIG_VALUES: dict[str, list[Any]] = {
    "title": [None, "News Archive", "The Daily Ledger"],
    "page_size": [None, 1, 2, 3],
    "archive_page_size": [None, 1, 2],
    "feed_rss": [None, True, False],
    "related_count": [None, 0, 1, 2],
    "permalink": [None, "{year}/{month}/{slug}/", "{section}/{year}/{slug}/"],
    "future": [None, True],
    "drafts": [None, True],
    "unsafe_html": [None, True],
    "embed_hosts": [None, ["www.youtube.com"], ["player.vimeo.com"]],
    "markdown_engine": [None, "commonmark"],
    "languages": [None, ["en", "es"], ["en", "es", "ar"]],
    "default_language_in_subdir": [None, True],
}
"""None removes the key from newsgen.yaml (its default applies)."""

TEMPLATE_NAMES = ["article.html", "base.html"]
TEMPLATE_VARIANTS = [None, "marker", "reads", "extends"]
"""None removes the override; `marker` is the built-in template with a comment added, `reads`
with text that reads more of the context, `extends` extends `builtin/NAME` and replaces a block."""
TEMPLATE_INSERTS = {
    "article.html": ("<h1>{{ article.title }}</h1>",
                     {"marker": "<!-- invariant marker -->",
                      "reads": "<p class=\"marker\">{{ article.summary }} ({{ site.tags|length }} topics)</p>"},
                     "{% block title %}{{ article.title }} | {{ config.title }}{% endblock %}"),
    "base.html": ("<main id=\"main\" class=\"wrap\" tabindex=\"-1\">",
                  {"marker": "<!-- invariant marker -->",
                   "reads": "<p class=\"marker\">{{ config.title }}: {{ site.sections|length }} sections</p>"},
                  "{% block head %}<meta name=\"invariant\" content=\"{{ config.title }}\">{% endblock %}"),
}

STATIC_FILES = {
    "extra.css": ["body { color: red }\n", "body { color: tan }\n", "main { margin: 0 auto; padding: 1em }\n"],
    "robots.txt": ["User-agent: *\nDisallow: /drafts/\n", "User-agent: *\nDisallow:\n"],
    "about/index.html": ["<!doctype html><title>About</title><p>About us.</p>\n",
                         "<!doctype html><title>About</title><p>About the paper.</p>\n"],
}
"""Files of `static/` (copied to the output root); two versions of extra.css have one size. A
robots.txt replaces the generated one; an HTML page is listed in sitemap-pages.xml."""
STATIC_PAGES = ["about/index.html"]
"""Changed by `static-page`; the other files by `static-file`."""

PAGES = {"about.md": ("About us", 1), "contact.md": ("Contact", 2), "corrections.md": ("Corrections policy", None)}
"""Pages under pages/: title and place in the navigation (None: not in it)."""
PAGE_BODIES = ["Who we are.", "How to reach the newsroom.\n\nWrite to us."]
ALIASES = [None, ["/old/story/"], ["/2019/01/01/old-slug/", "/legacy/story.html"]]
TAKEDOWNS = [None, {"date": "2025-12-30", "reason": "Removed after a court order"}]
LANGS = [None, "es", "ar", "fr"]
"""`lang:` values: two of the multilingual configurations' languages and one they do not have."""
TRANSLATION_KEYS = [None, "port", "budget"]

CLOCK_OFFSETS = [0, DAY, 3 * DAY, 25 * DAY]
"""Build times, from the first one: a day later the news sitemap changes, 25 days later the
future articles are published."""


@dataclasses.dataclass
class Story:
    """One article file: YAML front matter and a Markdown body."""

    title: str
    date: str
    tags: list[str] | None
    section: str | None
    author: str | None
    slug: str | None
    draft: bool
    body: str
    aliases: list[str] | None = None
    takedown: dict[str, str] | None = None
    lang: str | None = None
    translation_key: str | None = None

    def text(self) -> str:
        lines = ["---", f"title: {json.dumps(self.title, ensure_ascii=False)}", f"date: {self.date}"]
        if self.tags is not None:
            lines.append(f"tags: {json.dumps(self.tags, ensure_ascii=False)}")
        for key in ("section", "author", "slug", "lang", "translation_key"):
            if getattr(self, key) is not None:
                lines.append(f"{key}: {json.dumps(getattr(self, key), ensure_ascii=False)}")
        if self.draft:
            lines.append("draft: true")
        if self.aliases:
            lines.append(f"aliases: {json.dumps(self.aliases)}")
        if self.takedown:
            lines.append(f"takedown: {json.dumps(self.takedown)}")
        return "\n".join(lines + ["---", "", self.body, ""])


@dataclasses.dataclass
class SiteModel:
    """Everything in the site folder but the output and the cache."""

    stories: dict[str, Story]
    """By path under content/."""
    hugo_root: bool = False
    config: dict[str, Any] = dataclasses.field(default_factory=dict)
    templates: dict[str, str] = dataclasses.field(default_factory=dict)
    static: dict[str, int] = dataclasses.field(default_factory=dict)
    """Path under static/ -> which version of it (an index into STATIC_FILES[path])."""
    pages: dict[str, int] = dataclasses.field(default_factory=dict)
    """Name under pages/ -> which body (an index into PAGE_BODIES)."""
    epoch: int = EPOCH

    def files(self) -> dict[str, bytes]:
        files = {f"content/{name}": story.text() for name, story in self.stories.items()}
        if self.hugo_root:
            files["content/_index.md"] = HUGO_INDEX
        config = {"search": False, "workers": 1, **self.config}
        files["newsgen.yaml"] = "".join(f"{key}: {json.dumps(value)}\n" for key, value in config.items())
        for name, variant in self.templates.items():
            files[f"templates/{name}"] = template_text(name, variant)
        for path, version in self.static.items():
            files[f"static/{path}"] = STATIC_FILES[path][version]
        for name, body in self.pages.items():
            title, menu = PAGES[name]
            files[f"pages/{name}"] = (f"---\ntitle: {title}\n" + (f"menu: {menu}\n" if menu else "")
                                      + f"---\n{PAGE_BODIES[body]}\n")
        return {path: text.encode("utf-8") for path, text in files.items()}

    def ordered(self) -> list[str]:
        return sorted(self.stories)


def template_text(name: str, variant: str) -> str:
    anchor, inserts, block = TEMPLATE_INSERTS[name]
    if variant == "extends":
        return f'{{% extends "builtin/{name}" %}}\n{block}\n'
    builtin = (BUILTIN_TEMPLATES / name).read_text(encoding="utf-8")
    assert anchor in builtin, f"{name}: the built-in template no longer has {anchor!r}"
    return builtin.replace(anchor, anchor + inserts[variant], 1)


def sync_files(root: Path, wanted: dict[str, bytes], written: dict[str, bytes]) -> None:
    """Make the input files under root those of `wanted`, touching only the ones that differ
    from `written` (what was written before); `written` is updated."""
    for path in sorted(set(written) - set(wanted)):
        (root / path).unlink()
        del written[path]
        folder = (root / path).parent
        while folder not in (root, root / "content") and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    for path, data in sorted(wanted.items()):
        if written.get(path) != data:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
            written[path] = data


# --- Operations -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Op:
    """One change to the site. `target` picks an article: the (target % count)th by path."""

    kind: str
    target: int = 0
    value: Any = None

    def __repr__(self) -> str:
        return f"Op({self.kind!r}, {self.target}, {self.value!r})"


def apply(model: SiteModel, op: Op) -> str:
    """Apply `op` to the model; say what it did, in words (with the file it touched)."""
    names = model.ordered()
    name = names[op.target % len(names)] if names else None
    story = model.stories.get(name) if name else None
    kind, value = op.kind, op.value
    if kind == "rebuild":
        return "build again with nothing changed"
    if kind == "add":
        new_name, fields = value
        new_name = free_name(model, new_name)
        model.stories[new_name] = Story(**fields)
        return f"add content/{new_name}"
    if kind == "hugo-root":
        model.hugo_root = not model.hugo_root
        return f"{'add' if model.hugo_root else 'remove'} content/_index.md"
    if kind == "hugo-bundle":
        if BUNDLE_NAME in model.stories:
            del model.stories[BUNDLE_NAME]
            return f"remove content/{BUNDLE_NAME}"
        model.stories[BUNDLE_NAME] = Story(**BUNDLE)
        return f"add content/{BUNDLE_NAME}"
    if kind == "template":
        template, variant = value
        if variant is None:
            model.templates.pop(template, None)
            return f"remove templates/{template}"
        model.templates[template] = variant
        return f"write templates/{template} ({variant})"
    if kind == "config":
        key, setting = value
        if setting is None:
            model.config.pop(key, None)
            return f"newsgen.yaml: remove {key}"
        model.config[key] = setting
        return f"newsgen.yaml: {key}: {json.dumps(setting)}"
    if kind in ("static-file", "static-page"):
        path, version = value
        if version is None:
            model.static.pop(path, None)
            return f"remove static/{path}"
        model.static[path] = version % len(STATIC_FILES[path])
        return f"write static/{path} (version {model.static[path]})"
    if kind == "page":
        page, body = value
        if body is None:
            model.pages.pop(page, None)
            return f"remove pages/{page}"
        model.pages[page] = body % len(PAGE_BODIES)
        return f"write pages/{page} (body {model.pages[page]})"
    if kind == "clock":
        model.epoch = EPOCH + value
        return f"build time: first build's + {value // DAY} days"
    if story is None:
        return f"{kind}: no article to change"
    if kind == "delete":
        del model.stories[name]
        return f"delete content/{name}"
    if kind == "rename":
        new_name = free_name(model, value)
        model.stories[new_name] = model.stories.pop(name)
        return f"rename content/{name} to content/{new_name}"
    if kind == "draft":
        story.draft = not story.draft
        return f"content/{name}: draft: {str(story.draft).lower()}"
    if kind == "tags":
        mode, tags = value
        if mode == "replace":
            story.tags = list(tags)
        elif mode == "add":
            story.tags = (story.tags or []) + [tag for tag in tags if tag not in (story.tags or [])]
        else:
            story.tags = None
        return f"content/{name}: tags {mode} -> {story.tags}"
    setattr(story, kind, value)  # title, date, section, author, slug, body, aliases, takedown, lang, translation_key
    return f"content/{name}: {kind}: {value!r}"


def free_name(model: SiteModel, name: str) -> str:
    """`name`, or the first of NAMES after it that no article has."""
    if name not in model.stories:
        return name
    start = NAMES.index(name) if name in NAMES else 0
    for candidate in NAMES[start:] + NAMES[:start]:
        if candidate not in model.stories:
            return candidate
    number = 1
    while f"more-{number}.md" in model.stories:
        number += 1
    return f"more-{number}.md"


def story_fields() -> st.SearchStrategy[dict[str, Any]]:
    """A new article's fields: mostly published and without a slug of its own, so that most
    steps build (a slug shared on one day is an error that stops the build)."""
    return st.fixed_dictionaries({
        "title": st.sampled_from(TITLES), "date": st.sampled_from(DATES),
        "tags": st.one_of(st.none(), st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
        "section": st.sampled_from(SECTIONS), "author": st.sampled_from(AUTHORS),
        "slug": st.sampled_from([None, None] + SLUGS), "draft": st.sampled_from([False, False, False, True]),
        "body": st.sampled_from(BODIES)})


def targeted(kind: str, values: st.SearchStrategy) -> st.SearchStrategy[Op]:
    """A change to one of the articles."""
    return st.builds(Op, st.just(kind), st.integers(0, 7), values)


def sitewide(kind: str, values: st.SearchStrategy = st.none()) -> st.SearchStrategy[Op]:
    """A change to no article in particular."""
    return st.builds(Op, st.just(kind), st.just(0), values)


OPERATION_KINDS: dict[str, st.SearchStrategy[Op]] = {
    "rebuild": st.builds(Op, st.just("rebuild")),  # first: the one hypothesis shrinks an operation towards
    "add": targeted("add", st.tuples(st.sampled_from(NAMES), story_fields())),
    "delete": targeted("delete", st.none()),
    "rename": targeted("rename", st.sampled_from(NAMES)),
    "body": targeted("body", st.sampled_from(BODIES)),
    "title": targeted("title", st.sampled_from(TITLES)),
    "date": targeted("date", st.sampled_from(DATES)),
    "draft": targeted("draft", st.none()),
    "tags": targeted("tags", st.one_of(
        st.tuples(st.just("replace"), st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
        st.tuples(st.just("add"), st.lists(st.sampled_from(TAGS), min_size=1, max_size=1)),
        st.tuples(st.just("remove"), st.just(())))),
    "section": targeted("section", st.sampled_from(SECTIONS)),
    "author": targeted("author", st.sampled_from(AUTHORS)),
    "slug": targeted("slug", st.sampled_from(SLUGS)),
    "hugo-root": sitewide("hugo-root"),
    "hugo-bundle": sitewide("hugo-bundle"),
    "template": sitewide("template", st.tuples(st.sampled_from(TEMPLATE_NAMES), st.sampled_from(TEMPLATE_VARIANTS))),
    "config": sitewide("config", st.sampled_from(list(CONFIG_VALUES)).flatmap(
        lambda key: st.tuples(st.just(key), st.sampled_from(CONFIG_VALUES[key])))),
    "static-file": sitewide("static-file", st.tuples(st.sampled_from([p for p in STATIC_FILES if p not in STATIC_PAGES]),
                                                     st.one_of(st.none(), st.integers(0, 2)))),
    "static-page": sitewide("static-page", st.tuples(st.sampled_from(STATIC_PAGES), st.one_of(st.none(), st.integers(0, 2)))),
    "page": sitewide("page", st.tuples(st.sampled_from(list(PAGES)), st.one_of(st.none(), st.integers(0, 1)))),
    "aliases": targeted("aliases", st.sampled_from(ALIASES)),
    "takedown": targeted("takedown", st.sampled_from(TAKEDOWNS)),
    "lang": targeted("lang", st.sampled_from(LANGS)),
    "translation_key": targeted("translation_key", st.sampled_from(TRANSLATION_KEYS)),
    "clock": sitewide("clock", st.sampled_from(CLOCK_OFFSETS)),
}
"""Each kind of change; NEWSGEN_INVARIANT_SKIP names kinds to leave out."""


def skipped(kind: str, skip: set[str]) -> bool:
    """Whether `skip` leaves out `kind`: by its name, or by the part before its first `-`."""
    return kind in skip or kind.split("-")[0] in skip


def check_skip(skip: set[str]) -> None:
    unknown = sorted(name for name in skip if not any(skipped(kind, {name}) for kind in OPERATION_KINDS))
    if unknown:
        raise ValueError(f"unknown operation kinds {unknown} to skip; known: {', '.join(OPERATION_KINDS)}")


check_skip(SKIP)


def operations(skip: set[str] = SKIP) -> st.SearchStrategy[Op]:
    return st.one_of([strategy for kind, strategy in OPERATION_KINDS.items() if not skipped(kind, skip)])


def initial_sites(skip: set[str] = SKIP) -> st.SearchStrategy[SiteModel]:
    """2-6 articles; a Hugo tree (`content/_index.md`) or not, unless `hugo-root` is skipped."""
    hugo = not skipped("hugo-root", skip)
    stories = st.lists(st.tuples(st.sampled_from(NAMES), story_fields()), min_size=2, max_size=6,
                       unique_by=lambda item: item[0])
    return st.builds(lambda items, hugo_root: SiteModel({name: Story(**fields) for name, fields in items}, hugo_root),
                     stories, st.booleans() if hugo else st.just(False))


# --- Building and comparing ---------------------------------------------------------------------

class InvariantBroken(AssertionError):
    """The incremental build and the clean build disagree; the message says where and how."""


@dataclasses.dataclass
class Outcome:
    """What a build gave: the report's fields that must agree, or the error's message."""

    report: dict[str, Any] | None
    error: str | None


def outcome(site: Path, epoch: int, clean: bool, kept: KeptBetweenBuilds | None = None) -> Outcome:
    """The two builds run in different folders: their absolute path is shown as SITE."""
    def relative(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(relative(item) for item in value)
        return value.replace(str(site), "SITE") if isinstance(value, str) else value

    try:
        report = run_build(site, epoch, clean=clean, kept=kept)
    except NewsgenError as exc:
        return Outcome(None, relative(f"{type(exc).__name__}: {exc}"))
    fields = ("articles", "warnings", "notices", "skipped_drafts", "skipped_future", "skipped_invalid")
    return Outcome({name: relative(getattr(report, name)) for name in fields}, None)


def output_files(folder: Path) -> dict[str, bytes]:
    """Every file under the output folder by its relative path, Pagefind's aside."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()
            and not path.relative_to(folder).as_posix().startswith(SEARCH_FILES)}


def difference(incremental: dict[str, bytes], clean: dict[str, bytes]) -> str | None:
    """None when the two outputs are the same; else the paths that differ and a diff of the first."""
    only_incremental = sorted(set(incremental) - set(clean))
    only_clean = sorted(set(clean) - set(incremental))
    changed = sorted(path for path in set(incremental) & set(clean) if incremental[path] != clean[path])
    if not (only_incremental or only_clean or changed):
        return None
    lines = []
    if only_incremental:
        lines.append(f"only in the incremental output: {only_incremental[:10]}")
    if only_clean:
        lines.append(f"only in the clean output: {only_clean[:10]}")
    if changed:
        lines.append(f"{len(changed)} files differ: {changed[:10]}")
        first = changed[0]
        diff = difflib.unified_diff(incremental[first].decode("utf-8", "replace").splitlines(),
                                    clean[first].decode("utf-8", "replace").splitlines(),
                                    f"incremental/{first}", f"clean/{first}", n=2, lineterm="")
        shown = list(diff)
        lines += [f"first differing file: {first}"] + shown[:24] + (["..."] if len(shown) > 24 else [])
    return "\n".join(lines)


def compare(step: int, steps: int, log: list[str], site: Path, clean_site: Path, epoch: int,
            kept: KeptBetweenBuilds | None = None) -> None:
    """Build the site incrementally (with `kept`, as `newsgen serve` does) and its copy clean;
    raise InvariantBroken unless both fail with one message, or both succeed with the same report
    and the same files."""
    __tracebackhide__ = True  # pytest shows the message, not this function's source
    incremental = outcome(site, epoch, clean=False, kept=kept)
    clean = outcome(clean_site, epoch, clean=True)
    history = "\n".join(f"  {number}. {line}" for number, line in enumerate(log))
    rest = f" (the {steps - step} after it not applied)" if step < steps else ""
    where = f"after step {step} of {steps}{rest}:\n{history}\n"
    if incremental.error or clean.error:
        if incremental.error != clean.error:
            raise InvariantBroken(f"{where}the builds disagree on failing:\n  incremental: {incremental.error}\n"
                                  f"  clean: {clean.error}")
        return
    problems = [f"report.{name} differs:\n  incremental: {value!r}\n  clean: {clean.report[name]!r}"
                for name, value in incremental.report.items() if value != clean.report[name]]
    output = difference(output_files(site / "public"), output_files(clean_site / "public"))
    if output:
        problems.append(f"the outputs differ:\n{output}")
    if problems:
        raise InvariantBroken(where + "\n".join(problems))


def check_sequence(model: SiteModel, ops: list[Op], in_one_process: bool = False) -> None:
    """Build the site, then after each operation build it again and check the invariant; with
    in_one_process, the incremental builds keep what `newsgen serve` keeps between builds."""
    __tracebackhide__ = True
    model = copy.deepcopy(model)  # hypothesis shows the model as drawn
    kept = KeptBetweenBuilds() if in_one_process else None
    with tempfile.TemporaryDirectory(prefix="newsgen-invariant-") as folder:
        root = Path(folder)
        site = root / "site"
        (site / "content").mkdir(parents=True)
        written: dict[str, bytes] = {}
        log = [f"start: {', '.join('content/' + name for name in model.ordered())}"]
        for step in range(len(ops) + 1):
            if step:
                log.append(apply(model, ops[step - 1]))
            sync_files(site, model.files(), written)
            clean_site = root / f"clean-{step}"  # a new folder each time: nothing is shared with the last
            shutil.copytree(site, clean_site, ignore=shutil.ignore_patterns(".newsgen-cache", "public"))
            compare(step, len(ops), log, site, clean_site, model.epoch, kept)
            shutil.rmtree(clean_site)
            TALLY["steps"] += 1
        TALLY["sequences"] += 1


def explicit_cases() -> list[tuple[SiteModel, list[Op]]]:
    """Sequences the fixed run checks before drawing any: changes whose effect reaches files other
    than the one changed. A page bundle's index.md makes the other files of its folder resources,
    not articles; a static HTML page is listed in sitemap-pages.xml."""
    story = dict(BUNDLE, title="Rail link opens", date="2024-01-02", tags=["rail"])
    multilingual = {"languages": ["en", "es", "ar"]}
    return [
        (SiteModel({"a.md": Story(**dict(story, translation_key="port")),
                    "b.md": Story(**dict(story, title="Wheat prices fall", lang="es", translation_key="port")),
                    "e.txt": Story(**dict(story, title="Council approves the budget"))}, config=multilingual),
         [Op("translation_key", 2, "port"), Op("lang", 2, "ar"), Op("translation_key", 0, None), Op("lang", 1, None),
          Op("config", 0, ("default_language_in_subdir", True)), Op("lang", 1, "fr")]),
        (SiteModel({"a.md": Story(**story), "posts/a.md": Story(**dict(story, title="Wheat prices fall"))}, hugo_root=True),
         [Op("hugo-bundle"), Op("rebuild"), Op("hugo-bundle")]),
        (SiteModel({"a.md": Story(**story), "b.md": Story(**dict(story, title="Wheat prices fall"))}),
         [Op("static-page", 0, ("about/index.html", 0)), Op("static-page", 0, ("about/index.html", 1)),
          Op("static-page", 0, ("about/index.html", None))]),
    ]


def invariant_settings(examples: int = EXAMPLES, random: bool = RANDOM, shrink: bool = SHRINK, **extra) -> settings:
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples, deadline=None, derandomize=not random, database=None, phases=phases,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                            HealthCheck.filter_too_much,
                                                            HealthCheck.function_scoped_fixture], **extra)


def invariant_test(examples: int = EXAMPLES, steps: int = STEPS, skip: set[str] = SKIP, random: bool = RANDOM,
                   shrink: bool = SHRINK, shrink_seconds: float = SHRINK_SECONDS, **extra):
    """The property as a hypothesis test function of no arguments (the campaign runs it too).
    The fixed run (random=False) checks explicit_cases() first.

    Shrinking gets `shrink_seconds` from the first failure: after that, a sequence not yet tried
    counts as passing without being built, so hypothesis ends with the shortest failing sequence
    found so far; a sequence that failed before fails again with its first error, unbuilt."""
    failures: dict[str, Exception] = {}
    first_failure: list[float] = []

    @invariant_settings(examples, random, shrink, **extra)
    @given(model=initial_sites(skip), ops=st.lists(operations(skip), min_size=min(3, steps), max_size=steps),
           in_one_process=st.booleans())
    def incremental_equals_clean(model: SiteModel, ops: list[Op], in_one_process: bool):
        __tracebackhide__ = True
        key = repr((model, ops, in_one_process))
        if key in failures:
            raise failures[key]
        if first_failure and time.monotonic() - first_failure[0] > shrink_seconds:
            return
        try:
            check_sequence(model, ops, in_one_process)
        except Exception as exc:
            failures[key] = exc
            if not first_failure:
                first_failure.append(time.monotonic())
            raise

    if not random:
        for number, (model, ops) in enumerate(explicit_cases()):  # every other one as `newsgen serve` builds
            kinds = {op.kind for op in ops} | ({"hugo-root"} if model.hugo_root else set())
            if not any(skipped(kind, skip) for kind in kinds):
                incremental_equals_clean = example(model=model, ops=ops, in_one_process=number % 2 == 1)(
                    incremental_equals_clean)
    return incremental_equals_clean


def test_incremental_build_equals_clean_build_after_any_changes(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))  # run_build sets it per build; restored after
    invariant_test()()


def test_every_operation_kind_changes_the_input_it_names():
    """The operations do what they say: each kind changes the files written for a small site."""
    base = SiteModel({"a.md": Story(**BUNDLE), "posts/b.md": Story(**{**BUNDLE, "title": "Rail link opens"})})
    samples = {
        "add": Op("add", 0, ("c.markdown", dict(BUNDLE))), "delete": Op("delete", 0),
        "rename": Op("rename", 0, "f.md"), "body": Op("body", 0, BODIES[1]), "title": Op("title", 0, TITLES[0]),
        "date": Op("date", 0, DATES[5]), "draft": Op("draft", 0), "tags": Op("tags", 0, ("remove", ())),
        "section": Op("section", 0, "Local"), "author": Op("author", 0, "Ada Byron"), "slug": Op("slug", 0, "budget"),
        "hugo-root": Op("hugo-root"), "hugo-bundle": Op("hugo-bundle"),
        "template": Op("template", 0, ("article.html", "reads")), "config": Op("config", 0, ("page_size", 1)),
        "static-file": Op("static-file", 0, ("extra.css", 1)), "static-page": Op("static-page", 0, ("about/index.html", 0)),
        "page": Op("page", 0, ("about.md", 0)), "aliases": Op("aliases", 0, ALIASES[1]),
        "takedown": Op("takedown", 0, TAKEDOWNS[1]), "lang": Op("lang", 0, "es"),
        "translation_key": Op("translation_key", 0, "port"),
    }
    assert set(samples) | {"clock", "rebuild"} == set(OPERATION_KINDS)
    for kind, op in samples.items():
        model = dataclasses.replace(base, stories={n: dataclasses.replace(s) for n, s in base.stories.items()})
        before = model.files()
        apply(model, op)
        assert model.files() != before, kind
    for variant in ("marker", "reads", "extends"):
        for name in TEMPLATE_NAMES:
            assert template_text(name, variant) != (BUILTIN_TEMPLATES / name).read_text(encoding="utf-8")


def test_incremental_build_after_adding_wire_copy_with_a_taken_headline_equals_a_clean_build(tmp_path):
    first = " date 2024-01-02 Storm closes the port. Ships wait outside the harbour.\n"
    second = " date 2024-01-02T06:00 Storm closes the port. The ferry to the islands is cancelled.\n"
    site, clean_site = tmp_path / "site", tmp_path / "clean"
    for folder in (site, clean_site):
        (folder / "content").mkdir(parents=True)
        (folder / "content/b.txt").write_text(second, encoding="utf-8")
    run_build(site, EPOCH, clean=False)
    for folder in (site, clean_site):
        (folder / "content/a.txt").write_text(first, encoding="utf-8")
    compare(1, 1, ["add content/a.txt, earlier on the day of content/b.txt, with its headline"], site, clean_site, EPOCH)
    assert "ferry" in (site / "public/2024/01/02/storm-closes-the-port-2/index.html").read_text(encoding="utf-8")
