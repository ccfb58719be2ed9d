"""Site configuration: `newsgen.yaml`, validated once, then passed explicitly to every stage."""

from __future__ import annotations

import dataclasses
import difflib
import os
import string
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from dateutil import tz

from .errors import ConfigError, describe, display_path
from .urls import WINDOWS_DEVICES

CONFIG_NAME = "newsgen.yaml"


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
    """BCP 47 language tag of the content, for `<html lang>` and feeds."""
    timezone: str = "UTC"
    """IANA zone given to dates that have none, and used for archive days and article URLs."""
    page_size: int = 20
    """Articles per page on the front page."""
    archive_page_size: int = 50
    """Articles per page on tag, section, author and date archive pages."""
    permalink: str = "{year}/{month}/{day}/{slug}/"
    """Article URL pattern. Fields: {year} {month} {day} {slug} {section}. Must end with `/`."""
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

    # --- hostile input (issue 8) ---
    follow_symlinks: bool = False
    """Read symbolic links in the content and static folders that lead outside them (off: skipped with a notice)."""
    unsafe_html: bool = True
    """Keep raw HTML in article bodies as written. `false` strips scripts, event handlers,
    `javascript:` URLs, iframes, objects and forms with the nh3 sanitiser."""

    site_dir: Path = field(default=Path("."), metadata={"internal": True})
    """The site folder (not a key)."""
    now: datetime = field(
        default_factory=lambda: datetime.now(timezone.utc), metadata={"internal": True}
    )
    """The build's reference time: SOURCE_DATE_EPOCH when set (not a key)."""

    @property
    def zone(self) -> tzinfo:
        return tz.gettz(self.timezone) or timezone.utc

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
        return self.site_dir / self.output_dir

    @property
    def templates_path(self) -> Path:
        return self.site_dir / "templates"

    @property
    def static_path(self) -> Path:
        return self.site_dir / "static"

    def absolute_url(self, site_url: str) -> str:
        """A site-relative URL (`2022/08/10/x/`) as an absolute one under base_url."""
        return self.base_url + site_url.lstrip("/")


USER_KEYS = [f.name for f in dataclasses.fields(SiteConfig) if not f.metadata.get("internal")]


def reference_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the current time, in UTC."""
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
    shown = display_path(path)
    if path.is_file():
        values, lines = _read_yaml_mapping(path, shown)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    errors = _validate(values, lines, shown)
    if errors:
        raise ConfigError("invalid configuration:\n" + "\n".join(f"  {e}" for e in errors))
    if "base_url" in values:
        values["base_url"] = _normalise_base_url(values["base_url"])
    return SiteConfig(**values, site_dir=site_dir, now=reference_time())


def _read_yaml_mapping(path: Path, shown: str) -> tuple[dict, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text")
    except RecursionError:
        raise ConfigError(f"{shown}:1: invalid YAML: nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # an impossible date such as 2024-02-30
        raise ConfigError(f"{shown}: invalid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{shown}:{line}: invalid YAML: {problem}")
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}:1: expected a mapping of keys to values")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
    return {str(k): v for k, v in data.items()}, lines


def _validate(values: dict, lines: dict[str, int], shown: str) -> list[str]:
    hints = typing.get_type_hints(SiteConfig)
    errors = []
    for key, value in values.items():
        where = f"{shown}:{lines[key]}" if key in lines else shown
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
        else:
            problem = _check_value(key, value)
            if problem:
                errors.append(f"{where}: {problem}")
    return errors


def _check_value(key: str, value: typing.Any) -> str | None:
    if key in ("page_size", "archive_page_size", "summary_words") and value < 1:
        return f"'{key}' must be at least 1"
    if key == "workers" and value < 0:
        return "'workers' must be 0 (one per core) or more"
    if key == "timezone" and tz.gettz(value) is None:
        return f"'timezone' is not a known time zone: {describe(value)} (try 'Europe/Paris' or 'UTC')"
    if key == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"'base_url' must be an absolute http(s) URL, not {describe(value)}"
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
    if key == "language" and not value.replace("-", "").isalnum():
        return f"'language' must be a language tag like 'en' or 'pt-BR', not {describe(value)}"
    return None


def _normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
