"""The preview server under concurrent load while articles change: benchmarks/serve_load.py, short."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.slow
def test_serve_under_load_while_rebuilding_fails_no_request_and_serves_no_half_page():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks/serve_load.py"),
                             "--clients", "8", "--seconds", "6", "--articles", "40"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\nfailures: 0\n" in result.stdout
    assert "tracebacks in stderr: 0" in result.stdout
    served = int(result.stdout.split("requests served: ")[1].split(" ")[0])
    assert served > 100
