"""HTML articles the way Pelican writes them: `<title>` and `<meta name=... content=...>` in the
head give the metadata, the `<body>` is the article."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from newsgen.content.formats import SourceDocument

_BODY = re.compile(r"<body[^>]*>(.*?)(?:</body>|\Z)", re.S | re.I)


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.lines: dict[str, int] = {}
        self._in_title = False
        self._in_head = True
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_head = False
        elif tag == "title" and self._in_head:
            self._in_title = True
        elif tag == "meta" and self._in_head:
            values = dict(attrs)
            name = (values.get("name") or "").strip().lower()
            content = values.get("content", values.get("contents"))
            if name and content is not None:
                if name in self.meta and name == "tags":
                    self.meta[name] += ", " + content
                else:
                    self.meta[name] = content
                self.lines.setdefault(name, self.getpos()[0])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            if self._title:
                self.meta.setdefault("title", " ".join("".join(self._title).split()))
        elif tag == "head":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)


def looks_like_html(text: str) -> bool:
    return bool(re.match(r"\s*(<!doctype html|<html|<head)", text, re.I))


def parse_html(text: str) -> SourceDocument:
    parser = _HeadParser()
    parser.feed(text)
    parser.close()
    body_match = _BODY.search(text)
    body = body_match.group(1) if body_match else ""
    body_line = text.count("\n", 0, body_match.start(1)) + 1 if body_match else 1
    return SourceDocument(meta=parser.meta, meta_lines=parser.lines, body=body.strip(), body_line=body_line,
                          markup="html", format="html")
