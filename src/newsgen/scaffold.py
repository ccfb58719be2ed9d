"""Files newsgen writes for its user: a new article (`newsgen new`) and a new site (`newsgen init`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsgen.config import CONFIG_NAME, SiteConfig
from newsgen.errors import NewsgenError, display_path
from newsgen.render.theme_sources import builtin_templates_dir
from newsgen.urls import slugify


@dataclass(frozen=True)
class ArticleDraft:
    """What `newsgen new` was asked for."""

    headline: str
    tags: tuple[str, ...] = ()
    section: str | None = None
    author: str | None = None
    draft: bool = False


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML ones)."""
    return json.dumps(value, ensure_ascii=False)


def article_source(draft: ArticleDraft, when: datetime, body: str = "") -> str:
    """Front-matter Markdown for a new article dated `when` (kept with its zone offset)."""
    lines = ["---", f"title: {_yaml_text(draft.headline)}", f"date: {when.isoformat(timespec='seconds')}"]
    if draft.tags:
        lines.append(f"tags: [{', '.join(_yaml_text(t) for t in draft.tags)}]")
    if draft.section:
        lines.append(f"section: {_yaml_text(draft.section)}")
    if draft.author:
        lines.append(f"author: {_yaml_text(draft.author)}")
    if draft.draft:
        lines.append("draft: true")
    lines += ["---", "", body]
    return "\n".join(lines)


def new_article(config: SiteConfig, draft: ArticleDraft, now: datetime, body: str = "") -> Path:
    """Write `content/YYYY/YYYY-MM-DD-slug.md` dated `now` in the site's zone. Never overwrites:
    an existing file of that name (same headline, same day) is an error."""
    headline = " ".join(draft.headline.split())
    if not headline:
        raise NewsgenError("the headline is empty; give one in quotes: newsgen new \"Headline\"")
    draft = ArticleDraft(headline, tuple(t.strip() for t in draft.tags if t.strip()), draft.section, draft.author,
                         draft.draft)
    when = now.astimezone(config.zone).replace(microsecond=0)
    path = config.content_path / f"{when:%Y}" / f"{when:%Y-%m-%d}-{slugify(headline, 'article', config.slug_script)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(article_source(draft, when, body))
    except FileExistsError:
        raise NewsgenError(f"{display_path(path)} already exists (an article with this headline today); "
                           f"not overwritten: edit it, or choose another headline")
    return path


CONFIG_TEMPLATE = """\
# newsgen.yaml: the settings of this site. Every key is optional; delete a line to get the default.
# A wrong key or value fails the build with this file's name, the line and a hint.

# The site's name (header, page titles, feeds) and a sentence about it (front page description).
title: {title}
description: "An archive of news reports."

# Where the site will be published. Links between pages are relative, so the site also works
# from a sub-path (https://example.org/news/); `newsgen serve` serves it under that path too.
base_url: "http://localhost:8000/"

# Language of the articles (for <html lang>) and the time zone given to dates that have none;
# archive days and article URLs use this zone.
language: "en"
timezone: "UTC"

# Articles per page on the front page, and on tag, section, author and date archive pages.
page_size: 20
archive_page_size: 50

# Article URLs. Fields: {{year}} {{month}} {{day}} {{slug}} {{section}}; must end with "/".
permalink: "{{year}}/{{month}}/{{day}}/{{slug}}/"

# Byline for articles that name no author ("" for none).
author: ""

# Folders, relative to this file: articles in, site out.
content_dir: "content"
output_dir: "public"

# Markdown engine: choose commonmark when your articles are written for CommonMark or GitHub
# (lists indented by the marker's width, GitHub tables, ~~strikethrough~~, bare links).
# markdown_engine: markdown
"""

EXAMPLE_BODY = """\
This is an example article. Every file in `content/` is one article: Markdown with a YAML header
like the one above (title, date, tags, section, author), plain text that starts with `date YYYY-MM-DD`,
or Markdown named `YYYY-MM-DD-slug.md`.

Write the next one with `newsgen new "Your headline"`, watch it appear with `newsgen serve`, and
publish the `public/` folder to any static host with `newsgen build`.
"""

TEMPLATES_README = """\
# Overriding the theme

This folder starts empty: the site uses newsgen's built-in theme. A file here replaces the
built-in template of the same name; the others stay built-in.

- To change a page type, copy the built-in template of that name here and edit it.
- To change only a part, extend the built-in one through the `builtin/` prefix and override a block:

      {{% extends "builtin/article.html" %}}
      {{% block content %}}{{{{ super() }}}}<p>Thanks for reading.</p>{{% endblock %}}

- To replace a theme file (CSS, icon), put a file of the same name in `templates/static/`
  (`templates/static/style.css`). Your own files (images, robots.txt) go in the site's
  `static/` folder, copied as they are to the site's root.

Built-in templates: {names}. They are in {folder}.
`base.html` is the frame of every page (blocks: title, description, head, content, scripts) and
includes `_head.html`, an empty hook for extra tags in `<head>`.

Templates are Jinja2 with autoescaping and strict undefined variables: a typo fails the build
with the template's name and line. Link with the `url` filter (`{{{{ 'archive/'|url }}}}`), which
makes links relative so the site works under any sub-path.
"""

GITIGNORE = "/public/\n/.public.*/\n.newsgen-cache/\n"


def init_site(folder: Path, title: str, now: datetime) -> list[Path]:
    """Scaffold a site in folder (new or empty): config, one example article, an empty
    `templates/` with a README. Returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NewsgenError(f"{folder} is not an empty folder; `newsgen init` only fills a new or empty one")
    builtin = builtin_templates_dir()
    names = ", ".join(sorted(p.name for p in builtin.glob("*.html")))
    example = ArticleDraft("Welcome to your news archive", ("newsgen",), "Meta", "The Editors")
    files = {
        CONFIG_NAME: CONFIG_TEMPLATE.format(title=_yaml_text(title)),
        f"content/{now:%Y}/{now:%Y-%m-%d}-welcome-to-your-news-archive.md": article_source(example, now, EXAMPLE_BODY),
        "templates/README.md": TEMPLATES_README.format(names=names, folder=builtin),
        ".gitignore": GITIGNORE,
    }
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
