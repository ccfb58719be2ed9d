"""Builds on a Dask cluster (`--scheduler`): a real distributed.LocalCluster with two worker
processes on this machine gives the same bytes as a local build, and every way a cluster can let
a build down is one clear message."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed", reason="the Dask extra: pip install 'newsgen[dask]'")

import newsgen  # noqa: E402
from newsgen import cluster  # noqa: E402
from newsgen.cli import main  # noqa: E402
from newsgen.errors import BuildFailed  # noqa: E402
from test_parallel import make_site, snapshot  # noqa: E402
from conftest import write_files  # noqa: E402


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster with two worker processes (each restarted by its nanny if it dies)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  scheduler_port=0, silence_logs=40) as local:
        yield local.scheduler_address


def build_cli(site, *arguments: str) -> int:
    return main(["build", str(site), "--quiet", *arguments])


def local_and_cluster_builds(tmp_path, address, count=120):
    site = make_site(tmp_path / "site", count)
    write_files(site, {"newsgen.yaml": "title: Cluster test\nsearch: false\n"})
    assert build_cli(site, "-o", str(tmp_path / "local"), "-j", "1") == 0
    assert build_cli(site, "-o", str(tmp_path / "cluster"), "--scheduler", address, "--clean") == 0
    return site, snapshot(tmp_path / "local"), snapshot(tmp_path / "cluster")


def test_a_build_on_the_cluster_writes_the_same_bytes_as_a_local_build(tmp_path, scheduler):
    site, local, on_cluster = local_and_cluster_builds(tmp_path, scheduler)
    assert len(local) > 300 and "2023/01/02/report-number-1-on-the-week/index.html" in local
    assert on_cluster == local
    # Cached: a second cluster build after one edit equals a local build of the same site.
    page = site / "content/r007.md"
    page.write_text(page.read_text().replace("Paragraph one of report 7.", "A corrected first paragraph."))
    assert build_cli(site, "-o", str(tmp_path / "cluster"), "--scheduler", scheduler) == 0
    assert build_cli(site, "-o", str(tmp_path / "local2"), "-j", "1", "--clean") == 0
    assert snapshot(tmp_path / "cluster") == snapshot(tmp_path / "local2")
    assert "A corrected first paragraph." in (tmp_path / "cluster/2023/01/08/report-number-7-on-the-week/index.html").read_text()


def test_workers_never_read_or_write_the_site_folder(tmp_path, scheduler):
    """Every file a worker opens or lists is watched (an audit hook on each worker process): the
    site folder, its cache and its output are out of bounds, and the build is still whole."""
    def forbid(root: str) -> None:
        import sys

        def hook(event: str, args: tuple) -> None:
            if event in ("open", "os.listdir", "os.scandir", "sqlite3.connect") and args \
                    and str(args[0]).startswith(root):
                raise PermissionError(f"a worker touched {args[0]}")

        sys.addaudithook(hook)

    site = make_site(tmp_path / "site", 120)
    write_files(site, {"newsgen.yaml": "title: Cluster test\nsearch: false\n",
                       "templates/article.html": '{% extends "builtin/article.html" %}\n'
                                                 '{% block content %}<p class="sent">Theme sent</p>{{ super() }}'
                                                 '{% endblock %}\n'})
    assert build_cli(site, "-o", str(tmp_path / "local"), "-j", "1") == 0
    with distributed.Client(scheduler, set_as_default=False) as client:
        client.run(forbid, str(tmp_path))
        assert build_cli(site, "-o", str(tmp_path / "cluster"), "--scheduler", scheduler, "--clean") == 0
    on_cluster = snapshot(tmp_path / "cluster")
    assert on_cluster == snapshot(tmp_path / "local")
    assert b'<p class="sent">Theme sent</p>' in on_cluster["2023/01/02/report-number-1-on-the-week/index.html"]


def test_scheduler_in_the_config_file_is_used_like_the_option(tmp_path, scheduler, monkeypatch):
    site = make_site(tmp_path / "site", 12)
    write_files(site, {"newsgen.yaml": f"search: false\nscheduler: {scheduler}\n"})
    used = []
    real = cluster.ClusterExecutor.__init__

    def counting(self, client):
        used.append(client.scheduler.address)
        real(self, client)

    monkeypatch.setattr(cluster.ClusterExecutor, "__init__", counting)
    assert build_cli(site) == 0
    assert used == [scheduler]
    assert (site / "public/index.html").is_file()


def test_a_template_error_raised_on_a_worker_arrives_whole_with_its_file_and_line(tmp_path, scheduler, capsys):
    site = make_site(tmp_path / "site", 120)
    write_files(site, {"newsgen.yaml": "search: false\n",
                       "templates/article.html": '{% extends "builtin/article.html" %}\n'
                                                 '{% block content %}\n{{ article.title|no_such_filter }}\n{% endblock %}\n'})
    assert build_cli(site, "--scheduler", scheduler) == 1
    err = capsys.readouterr().err
    assert "error: build failed with 1 error:" in err or "build failed with 1 error:" in err
    assert "templates/article.html:3:" in err and "no_such_filter" in err
    assert "Traceback" not in err
    assert not (site / "public").exists()


def test_an_unreachable_scheduler_is_a_one_line_error_not_a_hang(tmp_path, capsys, monkeypatch):
    site = make_site(tmp_path / "site", 3)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    started = time.monotonic()
    assert build_cli(site, "--scheduler", "tcp://127.0.0.1:9") == 1
    assert time.monotonic() - started < 30
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: scheduler tcp://127.0.0.1:9: no Dask scheduler answered within 2 s (")
    assert not (site / "public").exists()


def test_a_scheduler_without_workers_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    site = make_site(tmp_path / "site", 3)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0", scheduler_port=0,
                                  silence_logs=40) as empty:
        assert build_cli(site, "--scheduler", empty.scheduler_address) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: scheduler {empty.scheduler_address}: no worker joined within 1 s; "
        f"start some with `dask worker {empty.scheduler_address}`"]


def test_a_scheduler_address_that_is_not_one_is_a_configuration_error(tmp_path, capsys):
    site = make_site(tmp_path / "site", 3)
    write_files(site, {"newsgen.yaml": "scheduler: http://example.org/dask\n"})
    assert build_cli(site) == 1
    assert ("newsgen.yaml:1: 'scheduler' must be a Dask scheduler's address like tcp://HOST:8786, "
            "not 'http://example.org/dask'") in capsys.readouterr().err


def test_workers_running_other_software_are_refused_by_name(scheduler, monkeypatch):
    monkeypatch.setattr(cluster, "package_fingerprint", lambda: "newsgen 9.9 schema 3 " + "0" * 64)
    with pytest.raises(BuildFailed) as raised:
        with cluster.cluster_executor(scheduler):
            pass
    message = str(raised.value)
    assert message.count(f"runs other software than this machine: newsgen {newsgen.__version__} schema ") == 2
    assert "(here 9.9 schema 3 000000000000)" in message
    assert "every worker needs the same newsgen, Python and libraries as this machine" in message


def test_a_worker_killed_mid_build_has_its_jobs_run_again_and_the_output_is_whole(tmp_path, scheduler):
    site = make_site(tmp_path / "site", 250)
    write_files(site, {"newsgen.yaml": "search: false\n"})
    assert build_cli(site, "-o", str(tmp_path / "local"), "-j", "1") == 0
    with distributed.Client(scheduler, set_as_default=False) as client:
        pids = client.run(os.getpid)
        outcome = {}
        runner = threading.Thread(target=lambda: outcome.setdefault(
            "code", build_cli(site, "-o", str(tmp_path / "cluster"), "--scheduler", scheduler, "--clean")))
        runner.start()
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline and runner.is_alive():
            busy = [worker for worker, tasks in client.processing().items() if tasks and worker in pids]
            victim = busy[0] if busy else None
            time.sleep(0.01)
        assert victim is not None and runner.is_alive(), "the build finished before a worker could be killed"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(180)
        assert not runner.is_alive()
        client.wait_for_workers(2, timeout=60)  # the nanny starts a new worker process
    assert outcome["code"] == 0
    assert snapshot(tmp_path / "cluster") == snapshot(tmp_path / "local")
