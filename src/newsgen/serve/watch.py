"""Watch a site's sources and rebuild the preview on every change (`newsgen serve`).

Every build goes into one folder (`site` in a private cache folder) as `newsgen build` does: it
renders and writes only what changed, and swaps the new site in whole (write/publish.py), so a
half-written site is never served; a failed build leaves the last good one in place. The folder
holding the previous site is removed after the server is told of the new one, not before. The
worker processes stay up between builds. The first build starts from a copy of the site
`newsgen build` last made (hard links), so it renders only what changed since.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import traceback
from contextlib import suppress
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import watchfiles

from newsgen.build import Progress, build
from newsgen.model import BuildReport, KeptBetweenBuilds
from newsgen.config import CONFIG_NAME, SiteConfig, load_config, reference_time
from newsgen.errors import NewsgenError, display_path
from newsgen.serve.server import PreviewState
from newsgen.incremental.keys import manifest_path, reach_path
from newsgen.write.publish import link_site_copy, read_manifest, remove_retired
from newsgen.render.theme_sources import SITE_TRANSLATIONS

EDITOR_LITTER = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")
IDLE_MS = 100
"""How long a watch waits without changes before it reports in; its first report shows it is watching."""


@dataclass(frozen=True)
class RebuildOutcome:
    """One preview build: what changed, and the report or the error text."""

    changes: tuple[str, ...]
    report: BuildReport | None
    error: str | None


class PreviewBuilder:
    """Builds the site into its preview folder and tells the state of each complete build."""

    def __init__(self, site_dir: Path, overrides: dict[str, Any], state: PreviewState, cache_dir: Path,
                 executor: Executor | None = None):
        self.site_dir = site_dir
        self.overrides = overrides
        self.state = state
        self.cache_dir = cache_dir
        self.executor = executor
        self.kept = KeptBetweenBuilds()
        """The parsed articles and the site's index of the last build (see KeptBetweenBuilds)."""
        self.started = False
        """Whether a build was begun (the first starts from the site `newsgen build` made, if any)."""

    def build_once(self, changes: tuple[str, ...] = (), progress: Progress | None = None) -> RebuildOutcome:
        """Read the config again, build, and serve the result; on error keep the last good build.
        A folder holding the previous site that the build does not keep as its standby (see
        write/publish.py) is removed after the server is told of the new one."""
        target = self.cache_dir / "site"
        retired: list[Path] = []
        report: BuildReport | None = None
        try:
            config = load_config(self.site_dir, self.overrides)
            if not self.started:
                self.started = True
                start_from_built_site(config, target)
            config = replace(config, output_dir=str(target.resolve()))
            report = build(config, reference_time(), self.executor, progress, kept=self.kept,
                           retire=retired.append)
        except NewsgenError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in newsgen, or the server stopping mid-build: keep serving
            error = "internal error (please report it):\n" + "".join(traceback.format_exception(exc)).rstrip()
        else:
            error = None
        if error is None:
            self.state.publish(target, config.base_path)
        else:
            self.state.fail(error)
        for folder in retired:
            remove_retired(folder)
        return RebuildOutcome(changes, report, error)


def start_from_built_site(config: SiteConfig, target: Path) -> bool:
    """Make the preview folder `target` a copy of the site as `newsgen build` last made it in the
    site's output folder, with its record of what each page was made from, so that the first
    preview build renders only what changed since (at 10,000 articles a few seconds instead of a
    whole build). The preview's pages are those `newsgen build` makes from the same settings:
    pages made with other settings (`--drafts`, say) differ in their keys and are rendered again.
    The map of what each page shows is copied too (incremental/reach.py), so that the first
    build works out the keys of the pages that show a changed article only.
    False, and nothing made, when there is no such site or it cannot be copied (see
    link_site_copy)."""
    built = config.output_path
    preview = replace(config, output_dir=str(target.resolve()))
    if not link_site_copy(read_manifest(manifest_path(config), built), built, target, manifest_path(preview)):
        return False
    with suppress(OSError):  # without it, the first preview build works out every page's key
        shutil.copyfile(reach_path(config), reach_path(preview))
    return True


def make_cache_dir(site_dir: Path) -> Path:
    """A private folder for this server's builds: `.newsgen-cache/serve-PID/` in the site, or a
    temporary folder when the site is read-only. Folders left by servers that died are removed."""
    cache = site_dir / ".newsgen-cache"
    try:
        cache.mkdir(exist_ok=True)
        for stale in cache.glob("serve-*"):
            if not _process_alive(stale.name.removeprefix("serve-")):
                shutil.rmtree(stale, ignore_errors=True)
        folder = cache / f"serve-{os.getpid()}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return folder
    except OSError:
        return Path(tempfile.mkdtemp(prefix="newsgen-serve-"))


def _process_alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle, not the workers'


def make_preview_executor(workers: int) -> Executor | None:
    """One process pool for every preview build; its workers ignore Ctrl-C (no traceback spam)."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        return None
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_ignore_interrupts)


class _Either:
    """A stop flag for watchfiles that is set when either of two events is."""

    def __init__(self, first: threading.Event, second: threading.Event):
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


class _SourceFilter(watchfiles.DefaultFilter):
    """watchfiles' default filter (VCS folders, caches, swap files) plus other editors' litter."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        name = os.path.basename(path)
        return not name.endswith(EDITOR_LITTER) and not name.startswith(".#") and super().__call__(change, path)


def _pump(events: queue.Queue, folders: list[Path], recursive: bool, stop: Any,
          accept: Callable[[watchfiles.Change, str], bool], watching: threading.Event) -> None:
    """Put each batch of accepted changes on the queue until stop is set. Runs in its own thread.
    Sets `watching` once the folders are watched: watchfiles opens its watch before it waits, so
    its first report (a batch, or an empty set after IDLE_MS without changes) comes after that."""
    try:
        for changes in watchfiles.watch(*folders, watch_filter=accept, recursive=recursive, stop_event=stop,
                                        debounce=1600, step=50,  # group changes until 50 ms pass without one
                                        rust_timeout=IDLE_MS, yield_on_timeout=True, raise_interrupt=False):
            watching.set()
            paths = _lasting(changes)
            if paths:
                events.put(paths)
    except (OSError, RuntimeError) as exc:  # a watched folder vanished: the site watch restarts us
        events.put(exc)
    finally:
        watching.set()  # stopped or failed before its first report: nobody waits for it any more


def _lasting(changes: set[tuple[watchfiles.Change, str]]) -> set[str]:
    """Changed paths, less files that came and went within the batch (an editor's or sed's temporaries)."""
    kinds: dict[str, set[watchfiles.Change]] = {}
    for change, path in changes:
        kinds.setdefault(path, set()).add(change)
    passing = {watchfiles.Change.added, watchfiles.Change.deleted}
    return {path for path, seen in kinds.items() if not passing <= seen or os.path.exists(path)}


class SiteWatcher:
    """Batches of changed paths in a site's source folders and its config file.

    watchfiles (inotify on Linux) watches the folders given by source_dirs() recursively, and
    the site folder itself, not recursively, for the config file and for source folders that
    appear or vanish (then the folder watch restarts); so editors that save by renaming a
    new file over the old one are seen. Watching starts in the constructor: a change made
    once it returns is never missed.
    """

    def __init__(self, site_dir: Path, source_dirs: Callable[[], list[Path]], stop: threading.Event):
        self.site = site_dir.resolve()
        self.source_dirs = source_dirs
        self.stop = stop
        self.events: queue.Queue = queue.Queue()
        self.top_names: set[str] = set()
        self.restart = threading.Event()
        site_watched = self._start([self.site], False, stop, self._is_top_level)
        self._watch_sources()
        site_watched.wait()

    def _start(self, folders: list[Path], recursive: bool, stop: Any,
               accept: Callable[[watchfiles.Change, str], bool]) -> threading.Event:
        """Watch folders in a new thread; the event returned is set once they are watched."""
        watching = threading.Event()
        threading.Thread(target=_pump, args=(self.events, folders, recursive, stop, accept, watching),
                         daemon=True).start()
        return watching

    def _is_top_level(self, change: watchfiles.Change, path: str) -> bool:
        return os.path.basename(path) in self.top_names

    def _watch_sources(self) -> None:
        folders = self.source_dirs()
        self.top_names = {CONFIG_NAME} | {_first_part(p, self.site) for p in folders}
        watched = [p.resolve() for p in folders if p.is_dir()]
        if watched:
            self._start(watched, True, _Either(self.stop, self.restart), _SourceFilter()).wait()

    def batches(self) -> Iterator[set[str]]:
        """Each batch of changes as it comes, until stop is set."""
        while not self.stop.is_set():
            try:
                items = [self.events.get(timeout=0.1)]
            except queue.Empty:
                continue
            while not self.events.empty():
                items.append(self.events.get_nowait())
            batch: set[str] = set().union(*(i for i in items if isinstance(i, set)))
            if any(Path(p).parent == self.site for p in batch):
                self.restart.set()  # a source folder or the config changed at the top: watch the folders anew
                self.restart = threading.Event()
                self._watch_sources()
            if batch:
                yield batch


def _first_part(folder: Path, site_dir: Path) -> str:
    try:
        return folder.resolve().relative_to(site_dir).parts[0]
    except (ValueError, IndexError):
        return folder.name


def source_folders(site_dir: Path, overrides: dict[str, Any]) -> list[Path]:
    """The folders a preview watches: content, templates, static, pages and translations (the config may
    move content)."""
    try:
        config = load_config(site_dir, overrides)
    except NewsgenError:
        return [site_dir / "content", site_dir / "templates", site_dir / "static", site_dir / "pages",
                site_dir / SITE_TRANSLATIONS]
    return [config.content_path, config.templates_path, config.static_path, config.pages_path,
            config.site_dir / SITE_TRANSLATIONS]


def run_rebuilds(builder: PreviewBuilder, watcher: SiteWatcher, on_outcome: Callable[[RebuildOutcome], None]) -> None:
    """Rebuild after every batch of changes until the watcher stops. Runs in its own thread."""
    for batch in watcher.batches():
        shown = tuple(sorted(display_path(Path(p), builder.site_dir) for p in batch))
        outcome = builder.build_once(shown)
        if watcher.stop.is_set():
            return
        on_outcome(outcome)
