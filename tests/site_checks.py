"""Checks over a built output folder that do not depend on which pages a branch renders:
every file stays inside, every internal link resolves, and every XML / JSON / JSON-LD parses."""

from __future__ import annotations

import hashlib
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree


def tree_digest(root: Path, skip: Path | None = None, ignore: tuple[str, ...] = (".newsgen-cache",)) -> dict[str, str]:
    """Relative path -> sha256 of every file (and link target of every link) under root, leaving
    out the folder skip and folders named in ignore (by default the build cache, which builds
    are meant to change)."""
    digest = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) != skip and d not in ignore]
        for name in dirs + files:
            path = Path(folder, name)
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                digest[key] = "link:" + os.readlink(path)
            elif path.is_file():
                digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                digest[key] = "dir"
    return digest


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.scripts: list[tuple[str, str]] = []
        self._script_type: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name])
        if tag == "script":
            self._script_type = values.get("type") or "text/javascript"
            self._script_text = []

    def handle_data(self, data):
        if self._script_type is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script_type is not None:
            self.scripts.append((self._script_type, "".join(self._script_text)))
            self._script_type = None


def parse_html(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector


def broken_links(out: Path) -> list[str]:
    """Relative links in every HTML file that lead to no file in out (or leave it)."""
    problems = []
    root = out.resolve()
    for page in sorted(out.rglob("*.html")):
        base = "http://site.invalid/" + page.relative_to(out).as_posix()
        for href in parse_html(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("#", "/", "mailto:")):
                continue
            target_url = urlsplit(urljoin(base, parts.path)).path
            target = (out / unquote(target_url).lstrip("/")).resolve()
            if not target.is_relative_to(root):
                problems.append(f"{page.relative_to(out)}: {href} leaves the site")
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(out)}: {href} -> missing {target.relative_to(root)}")
    return problems


def structured_data_problems(out: Path) -> list[str]:
    """Every .xml parses, every .json parses, every ld+json block parses and cannot close its
    <script> element early; no other <script> comes from article data."""
    problems = []
    for path in sorted(out.rglob("*.xml")):
        try:
            ElementTree.parse(path)
        except ElementTree.ParseError as exc:
            problems.append(f"{path.relative_to(out)}: {exc}")
    for path in sorted(out.rglob("*.json")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{path.relative_to(out)}: {exc}")
    for path in sorted(out.rglob("*.html")):
        for kind, text in parse_html(path).scripts:
            if kind == "application/ld+json":
                if "</script" in text.lower():
                    problems.append(f"{path.relative_to(out)}: ld+json holds '</script'")
                try:
                    json.loads(text)
                except ValueError as exc:
                    problems.append(f"{path.relative_to(out)}: ld+json does not parse: {exc}")
            elif "alert(" in text:
                problems.append(f"{path.relative_to(out)}: a <script> from article data: {text[:60]!r}")
    return problems
