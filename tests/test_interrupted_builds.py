"""A build killed at any moment (SIGKILL while loading, rendering or writing) leaves the previous
site complete and unchanged, and the next build matches a clean one. A full disk or an output
folder that cannot be created gives a clear error and no partial site."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_checks import tree_digest

ARTICLES = 300


def write_news_site(site: Path, count: int = ARTICLES, edition: str = "first") -> Path:
    """count articles over three years, with tags, sections and authors; `edition` changes every body."""
    content = site / "content"
    content.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        year, month, day = 2021 + number % 3, 1 + number % 12, 1 + number % 28
        (content / f"{year}-{month:02d}-{day:02d}-story-{number}.md").write_text(
            f"---\ntitle: Story {number} of the {edition} edition\ntags: [topic {number % 17}, desk {number % 5}]\n"
            f"section: section {number % 4}\nauthor: writer {number % 9}\n---\n"
            + f"Paragraph {number} of the {edition} edition. " * 40 + "\n\nSecond paragraph.\n", encoding="utf-8")
    return site


def run_build(site: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newsgen", "build", str(site), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kwargs)


def build_ok(site: Path) -> float:
    started = time.perf_counter()
    process = run_build(site)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr.decode()
    return time.perf_counter() - started


def leftovers(site: Path) -> list[str]:
    """What a build left beside the output folder besides the standby (the previous site, kept)."""
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".public.") and p.name != ".public.standby")


BUILT_BESIDE = (".newsgen-cache", ".public.standby")
"""What a build writes outside the output folder: its cache, and the standby (the previous site)."""

SEARCH_INDEX = ("pagefind",)
"""Pagefind's files differ between two sites built from the same content (its issue #638), so a
clean build elsewhere is compared without them; each state must still have a complete index."""


def kill_campaign(tmp_path: Path, kill_points: int, seed: int, count: int = ARTICLES) -> dict[str, int]:
    """Build edition one, then repeatedly start a build of edition two and SIGKILL its whole
    process group after a random delay. After each kill the output must be exactly edition one
    or exactly a clean edition two; the final build must match a clean build of edition two."""
    clean = write_news_site(tmp_path / "clean", count, edition="second")
    build_ok(clean)
    second = tree_digest(clean / "public", ignore=SEARCH_INDEX)

    site = write_news_site(tmp_path / "site", count, edition="first")
    duration = build_ok(site)
    first = tree_digest(site / "public", ignore=SEARCH_INDEX)
    write_news_site(site, count, edition="second")
    outside_before = tree_digest(site, skip=site / "public", ignore=BUILT_BESIDE)

    rng = random.Random(seed)
    outcomes = {"killed while loading": 0, "killed while rendering and writing": 0, "killed after the swap": 0}
    for _ in range(kill_points):
        stale = set(leftovers(site))  # what earlier kills left; the build removes it before writing
        process = run_build(site)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        writing = any(name.startswith(".public.staging-") for name in set(leftovers(site)) - stale)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        now = tree_digest(site / "public", ignore=SEARCH_INDEX)
        assert now in (first, second), "the output folder was left half-built"
        assert (site / "public/pagefind/pagefind.js").is_file(), "the search index is missing"
        phase = "after the swap" if now == second else "while rendering and writing" if writing else "while loading"
        outcomes[f"killed {phase}"] += 1
        if now == second:  # the kill came after the swap: start again from edition one
            shutil.rmtree(site / "public")
            write_news_site(site, count, edition="first")
            build_ok(site)
            write_news_site(site, count, edition="second")
    build_ok(site)
    assert tree_digest(site / "public", ignore=SEARCH_INDEX) == second
    assert leftovers(site) == []
    assert tree_digest(site, skip=site / "public", ignore=BUILT_BESIDE) == outside_before
    return outcomes


def test_build_killed_while_writing_its_staging_folder_leaves_the_previous_site(tmp_path):
    clean = write_news_site(tmp_path / "clean", 40, edition="second")
    build_ok(clean)
    site = write_news_site(tmp_path / "site", 40, edition="first")
    build_ok(site)
    first = tree_digest(site / "public", ignore=SEARCH_INDEX)
    write_news_site(site, 40, edition="second")
    process = run_build(site)
    deadline = time.monotonic() + 120
    while not any(name.startswith(".public.staging-") for name in leftovers(site)):
        assert process.poll() is None and time.monotonic() < deadline, "the build wrote no staging folder"
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert any(name.startswith(".public.staging-") for name in leftovers(site))  # killed mid-write
    assert tree_digest(site / "public", ignore=SEARCH_INDEX) == first
    assert (site / "public/pagefind/pagefind.js").is_file()
    build_ok(site)
    assert tree_digest(site / "public", ignore=SEARCH_INDEX) == tree_digest(clean / "public", ignore=SEARCH_INDEX)
    assert leftovers(site) == []


@pytest.mark.slow
def test_builds_killed_at_five_random_moments_leave_the_previous_site(tmp_path):
    outcomes = kill_campaign(tmp_path, kill_points=5, seed=8, count=120)
    assert outcomes["killed while loading"] + outcomes["killed while rendering and writing"] > 0, outcomes


@pytest.mark.slow
def test_builds_killed_at_forty_random_moments_leave_the_previous_site(tmp_path):
    outcomes = kill_campaign(tmp_path, kill_points=40, seed=int(time.time()))
    print(f"kill outcomes: {outcomes}")
    assert outcomes["killed while loading"] > 0 and outcomes["killed while rendering and writing"] > 0


def test_leftovers_of_a_killed_build_are_removed_and_the_old_site_restored(tmp_path):
    site = write_news_site(tmp_path / "site", count=3)
    build_ok(site)
    before = tree_digest(site / "public")
    # what a kill between the fallback swap's two renames leaves: no output, a retired copy, a staging folder
    os.rename(site / "public", site / ".public.old-abc123")
    (site / ".public.staging-xyz").mkdir()
    (site / ".public.staging-xyz/index.html").write_text("half")
    assert build_ok(site) >= 0
    assert tree_digest(site / "public") == before
    assert leftovers(site) == []


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path):
    site = write_news_site(tmp_path / "site", count=3)
    (site / "blocker").write_text("a file where a folder should be")
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-o", str(site / "blocker/out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == f"error: cannot create the output folder {site}/blocker/out: File exists ({site}/blocker)\n"
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["blocker", "content"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1.5 MiB tmpfs: room for a two-article site and its search index, not for 200 articles
    (needs root and mount permission; skipped otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_leaves_the_previous_site(tmp_path, tiny_disk):
    site = write_news_site(tmp_path / "site", count=2)
    output = tiny_disk / "public"
    process = run_build(site, env={**os.environ})
    process.communicate(timeout=120)
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-o", str(output)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before = tree_digest(output)
    write_news_site(site, count=200, edition="long")
    result = subprocess.run([sys.executable, "-m", "newsgen", "build", str(site), "-o", str(output)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot write the site to {output}: No space left on device")
    assert result.stderr.rstrip().endswith("the previous site was left as it was")
    assert "Traceback" not in result.stderr
    assert tree_digest(output) == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["public"]


def site_with_cache_on(disk: Path, tmp_path: Path) -> Path:
    """A small site whose .newsgen-cache folder lies on `disk`."""
    site = write_news_site(tmp_path / "site", count=2)
    (site / "newsgen.yaml").write_text("search: false\n")
    (disk / "cache").mkdir()
    os.symlink(disk / "cache", site / ".newsgen-cache")
    return site


def fill(disk: Path) -> None:
    """Write to `disk` until it is full (the file `filler` holds the space)."""
    with open(disk / "filler", "wb", buffering=0) as filler:
        with pytest.raises(OSError):
            while True:
                filler.write(b"x" * 4096)


def test_full_cache_disk_after_the_site_went_live_says_so_and_leaves_no_temporary_file(tmp_path, tiny_disk, capsys):
    from newsgen.cli import main

    site = site_with_cache_on(tiny_disk, tmp_path)
    assert main(["build", str(site), "-j", "1", "-q"]) == 0
    [manifest] = [p for p in (tiny_disk / "cache/outputs").iterdir() if not p.name.endswith(".reach.json")]
    fill(tiny_disk)
    capsys.readouterr()
    write_news_site(site, count=2, edition="second")
    assert main(["build", str(site), "-j", "1", "-q"]) == 1
    assert capsys.readouterr().err == (
        f"error: the site was published to {site / 'public'}, but the build cache file "
        f"{site / '.newsgen-cache/outputs' / manifest.name} could not be "
        "written: No space left on device; the next build will write every file again\n")
    assert "second edition" in (site / "public/2021/01/01/story-0/index.html").read_text()
    assert not [p for p in tiny_disk.rglob("*") if p.name.endswith(".tmp")] and not manifest.exists()
    (tiny_disk / "filler").unlink()
    assert main(["build", str(site), "-j", "1"]) == 0
    assert " pages written (0 unchanged) " in capsys.readouterr().out


def test_full_cache_disk_before_the_site_went_live_names_the_cache_file(tmp_path, tiny_disk, capsys):
    from newsgen.cli import main

    site = site_with_cache_on(tiny_disk, tmp_path)
    assert main(["build", str(site), "-j", "2", "-q"]) == 0
    before = tree_digest(site / "public")
    fill(tiny_disk)
    capsys.readouterr()
    write_news_site(site, count=2, edition="second")
    assert main(["build", str(site), "-j", "2", "-q"]) == 1  # two workers: the site's outline is shipped in a file
    assert re.fullmatch(f"error: cannot write {re.escape(str(site))}/.newsgen-cache/shipped/[0-9a-f]{{32}}.pickle: "
                        "No space left on device; the site was not built, and the previous site was left as it was\n",
                        capsys.readouterr().err)
    assert tree_digest(site / "public") == before
    assert not [p for p in tiny_disk.rglob("*") if p.name.endswith(".tmp")]
