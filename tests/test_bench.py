"""The benchmark script runs end to end on a tiny repository (so it does not rot)."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import SRC


def test_bench_builds_a_repo_and_times_the_chosen_commands(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(SRC / "benchmarks"))
    try:
        import bench
    finally:
        sys.path.remove(str(SRC / "benchmarks"))
    assert bench.main(["--count", "25", "--only", "show", "--only", "list-cold", "--only", "new", "--only", "hook",
                       "--runs", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["build"]["cases"] == 25 and figures["build"]["commits"] > 25
    assert set(figures["commands"]) == {"show", "list-cold", "new", "hook"}
    assert figures["commands"]["show"]["runs"] == 2 and figures["commands"]["show"]["median_s"] > 0
    assert figures["commands"]["new"]["ratio"] > 0 and figures["commands"]["hook"]["bare_median_s"] > 0
    assert "| `show ID` | 2 |" in bench.markdown(figures)
    assert {b.name for b in bench.BENCHES} >= {"list", "list-open", "show", "validate", "validate-cold"}
    assert set(bench.PAIRED) == {"new", "hook"}
