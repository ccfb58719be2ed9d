"""The manual cannot drift from the code: the configuration reference is the one the script writes,
and every example in README.md and docs/*.md that newsgen can read is read or run.

Which fenced blocks are checked:
- ```markdown (or md) blocks that start with `---`, `+++` or a `Title: ` header line: an article, loaded by the loader
  without errors or warnings (`<!-- shows a warning -->` before the block allows warnings);
  `<!-- file: pages/about.md -->` puts it at another path (under `pages/`: read as a page).
- ```yaml blocks whose first line is `# newsgen.yaml`: validated by load_config.
- ```sh, ```shell and ```console blocks: their lines starting `newsgen ` (or `$ newsgen `) run in
  order, in one shell, in a copy of a site made by `newsgen init`, and must exit 0. `newsgen serve`
  never returns, so its arguments are checked by the command-line parser instead.
`<!-- not run: REASON -->` before a block leaves it out (examples that need S3, a server, a CI).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

from newsgen.cli import make_parser
from newsgen.config import USER_KEYS, load_config, reference_time
from newsgen.content.load import load_articles
from newsgen.content.pages import parse_pages
from newsgen.content.scan import read_page_sources
from newsgen.errors import NewsgenError

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^(`{3,})([\w-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*(not run|shows a warning|file):?\s*(.*?)\s*-->\s*$")
HEADER = re.compile(r"[A-Z][a-z]+: ")  # Pelican's `Title: ...` headers
SHELLS = {"sh", "shell", "bash", "console"}


def _load_tool():
    spec = importlib.util.spec_from_file_location("config_reference", REPO / "tools" / "config_reference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["config_reference"] = module
    spec.loader.exec_module(module)
    return module


config_reference = _load_tool()


@dataclass(frozen=True)
class Block:
    """One fenced block of a Markdown file, with the markers in the lines just above it."""

    path: Path
    line: int
    lang: str
    text: str
    markers: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def kind(self) -> str | None:
        if self.lang in ("markdown", "md") and (self.text.startswith(("---\n", "+++\n")) or "file" in self.markers
                                                 or HEADER.match(self.text)):
            return "article"
        if self.lang == "yaml" and self.text.startswith("# newsgen.yaml"):
            return "config"
        if self.lang in SHELLS and self.commands:
            return "commands"
        return None

    @property
    def commands(self) -> list[str]:
        lines = [line.removeprefix("$ ") for line in self.text.splitlines()]
        return [line for line in lines if line.startswith("newsgen ")]


def read_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        markers = {}
        above = text[:match.start()].rstrip("\n").splitlines()
        while above and (found := MARKER.search(above[-1])):
            markers[found.group(1)] = found.group(2)
            above.pop()
        blocks.append(Block(path, line, match.group(2), match.group(3), markers))
    return blocks


BLOCKS = [block for path in DOCS for block in read_blocks(path) if block.kind and "not run" not in block.markers]


def blocks_of(kind: str) -> list:
    """The blocks of one kind; a block of commands that repeats another's word for word runs once."""
    seen: set[tuple[str, ...]] = set()
    params = []
    for block in BLOCKS:
        words = tuple(" ".join(shlex.split(command, comments=True)) for command in block.commands)
        if block.kind != kind or (kind == "commands" and words in seen):
            continue
        seen.add(words)
        params.append(pytest.param(block, id=block.where))
    return params


# --- the configuration reference ------------------------------------------------------------

def test_configuration_reference_is_the_scripts_output():
    committed = config_reference.REFERENCE.read_text(encoding="utf-8")
    assert committed == config_reference.render(), (
        "docs/configuration.md is out of date: run `make docs` (python tools/config_reference.py) to update it")


def test_every_config_key_is_in_the_reference_with_a_docstring():
    keys = config_reference.read_keys()
    assert [key.name for key in keys] == USER_KEYS
    assert [key.name for key in keys if not key.doc] == [], "give each of these SiteConfig fields a docstring"


def test_reference_reports_a_key_without_docstring():
    source = 'class SiteConfig:\n    """Doc."""\n\n    title: str = "x"\n    """The title."""\n    # Feeds\n    feed_limit: int = 5\n'
    keys = config_reference.read_keys(source)
    assert [(key.name, key.group, key.doc) for key in keys] == [
        ("title", config_reference.FIRST_GROUP, "The title."), ("feed_limit", "Feeds", "")]


def test_docs_hold_examples_of_every_checked_kind():
    kinds = {block.kind for block in BLOCKS}
    assert kinds == {"article", "config", "commands"}


def test_docs_have_no_internal_references():
    pattern = re.compile(r"\bissues? ?#?[0-9]+\b|closing note|2-core machine this project", re.I)
    found = [f"{path.relative_to(REPO)}:{number}" for path in DOCS
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


def _prose(path: Path) -> str:
    """A Markdown file without its fenced blocks and code spans."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", path.read_text(encoding="utf-8")))


def _anchors(path: Path) -> set[str]:
    """The anchors Git hosts give the headings of a Markdown file."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", path.read_text(encoding="utf-8")), re.M)
    return {config_reference._anchor(heading.replace("`", "")) for heading in headings}


def test_links_between_docs_pages_lead_to_files_and_headings():
    link = re.compile(r"\]\((?!https?://|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)")
    broken = []
    for path in DOCS:
        for target, anchor in link.findall(_prose(path)):
            linked = (path.parent / target) if target else path
            if not linked.exists():
                broken.append(f"{path.relative_to(REPO)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{path.relative_to(REPO)}: {target}#{anchor}")
    assert broken == []


# --- examples ---------------------------------------------------------------------------------

@pytest.mark.parametrize("block", blocks_of("config"))
def test_config_example_is_valid(block, tmp_path):
    (tmp_path / "newsgen.yaml").write_text(block.text, encoding="utf-8")
    try:
        load_config(tmp_path)
    except NewsgenError as error:
        pytest.fail(f"{block.where}: {error}")


@pytest.mark.parametrize("block", blocks_of("article"))
def test_article_example_loads(block, tmp_path):
    target = block.markers.get("file") or "content/example.md"
    path = tmp_path / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text, encoding="utf-8")
    (tmp_path / "content").mkdir(exist_ok=True)
    config = load_config(tmp_path, {"workers": 1, "drafts": True, "future": True})
    try:
        if target.startswith("pages/"):
            assert len(parse_pages(read_page_sources(config), config)) == 1
            return
        loaded = load_articles(config, reference_time())
    except NewsgenError as error:
        pytest.fail(f"{block.where}: {error}")
    assert len(loaded.articles) == 1, block.where
    if "shows a warning" in block.markers:
        assert loaded.warnings != [], f"{block.where}: marked as showing a warning, but loads without one"
    else:
        assert loaded.warnings == [], f"{block.where}: mark the block <!-- shows a warning --> if that is its point"


@pytest.fixture(scope="module")
def initialised_site(tmp_path_factory):
    """A site made by `newsgen init`, and a folder of a `newsgen` command that runs this checkout."""
    root = tmp_path_factory.mktemp("docs")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    script = bin_dir / "newsgen"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m newsgen "$@"\n')
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(["newsgen", "init", "site", "--title", "Docs"], cwd=root, env=env, check=True,
                   capture_output=True)
    return root / "site", env


@pytest.mark.parametrize("block", blocks_of("commands"))
def test_commands_run_in_an_initialised_site(block, initialised_site, tmp_path):
    site, env = initialised_site
    work = tmp_path / "site"
    shutil.copytree(site, work, symlinks=True)
    script = ["set -e"]
    for command in block.commands:
        words = shlex.split(command, comments=True)
        if words[1:2] == ["serve"]:
            try:  # serve does not return: its arguments must parse
                make_parser().parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"{block.where}: {command!r} has arguments newsgen serve does not take")
            continue
        script.append(command.replace("newsgen build", "newsgen build -j 1", 1))
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"{block.where}: {done.stdout}{done.stderr}"
