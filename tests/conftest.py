"""Shared fixtures: small sites written inline, built with a pinned reference time."""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from newsgen.build import build
from newsgen.config import load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = REPO / "content" / "000_4601f00b7666163f.txt"


@pytest.fixture(autouse=True)
def pinned_time(monkeypatch):
    """Every build in the tests happens at 2026-01-01T00:00:00Z."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


@contextmanager
def interrupted_on_call(owner: Any, name: str, number: int) -> Iterator[list[tuple]]:
    """While the block runs, owner.name raises KeyboardInterrupt (a kill, as far as the build can
    tell) on its number-th call and runs as it does on the others; yields each call's arguments."""
    real = getattr(owner, name)
    calls: list[tuple] = []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == number:
            raise KeyboardInterrupt
        return real(*args)

    setattr(owner, name, interrupted)
    try:
        yield calls
    finally:
        setattr(owner, name, real)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path):
    """make_site({"content/a.md": "..."}, **config_overrides) -> built output folder."""

    def _make(files: dict[str, str | bytes], **overrides):
        site = write_files(tmp_path / "site", files)
        (site / "content").mkdir(exist_ok=True)
        config = load_config(site, {"workers": 1, **overrides})
        build(config)
        return config.output_path

    return _make


def build_files(tmp_path: Path, files: dict[str, str | bytes], clean: bool = False, **overrides):
    """Write files into a new site folder and build it with one worker and no search index:
    (the output folder, the build report)."""
    site = write_files(tmp_path / "site", files)
    (site / "content").mkdir(exist_ok=True)
    config = load_config(site, {"workers": 1, "search": False, **overrides})
    return config.output_path, build(config, clean=clean)
