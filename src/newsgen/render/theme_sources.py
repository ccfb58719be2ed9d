"""Where a theme's files are: the built-in templates and translation catalogues shipped in the
package, and the name of a site's own catalogue folder. Kept apart from the Jinja environment and
the catalogue compiler so that the build's first check, which digests these folders, loads neither."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SITE_TRANSLATIONS = "translations"
"""A site's folder of its own `.po` files."""


def builtin_templates_dir() -> Path:
    return Path(str(resources.files("newsgen") / "templates"))


def builtin_translations_dir() -> Path:
    return Path(str(resources.files("newsgen") / "translations"))
