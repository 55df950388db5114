"""benchmarks/fifty_offices.py runs to the end, behind gitolite over sshd on 127.0.0.1 and on
the real clock (so it does not rot): a tiny group, every phase, the server checked after."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.conftest import SRC
from tests.gitolite_server import why_not


def test_fifty_offices_runs_to_the_end_behind_gitolite(capsys: pytest.CaptureFixture[str]) -> None:
    reason = why_not() or (None if os.access("/usr/bin/time", os.X_OK) else "GNU time (/usr/bin/time) is missing")
    if reason:
        pytest.skip(reason)
    sys.path.insert(0, str(SRC / "benchmarks"))
    try:
        import fifty_offices
    finally:
        sys.path.remove(str(SRC / "benchmarks"))
    # Six steps for two offices: each records complaints of its own complainants (none a
    # repeat, R-AS-5, which this office's clerk could not assign) and takes one further.
    assert fifty_offices.main(["--count", "40", "--offices", "2", "--steps", "6", "--rate", "36000",
                               "--bursts", "1", "--burst-size", "2"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out[out.index("{\n"):])
    assert figures["peak"]["syncs"] == 6 and figures["burst"]["syncs"] == 2
    assert figures["peak"]["pre_receive_runs"] >= 1 and figures["pre_receive_refused"] == 0
    assert figures["peak"]["sync_p95_s"] > 0 and figures["peak"]["cpu_s_per_sync_server"] > 0
    check = figures["check"]
    assert check["recorded"] >= 3 and check["server_cases"] == 40 + check["recorded"]
    assert (check["lost"], check["duplicate_ids"], check["last_step_missing"]) == (0, 0, 0)
