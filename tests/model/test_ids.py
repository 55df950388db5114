"""Case IDs: OFFICE-YYMM-NNNN, the serial restarting each month (R-IN-5), never a path outside cases/."""

from __future__ import annotations

import pytest

from tests.conftest import Office
from tests.violations import hooks_off

BAD_IDS = ["../../etc/passwd", "SZ-2611-0001/../../../etc/passwd", "/etc/passwd",
           "cases/2026/11/SZ-2611-0001.yaml", "SZ-2613-0001", "SZ-2611-1", ""]


def test_an_id_never_names_a_path(states: tuple[Office, dict[str, str]]) -> None:
    office, _ = states
    for bad in BAD_IDS:
        for command in (["show"], ["history"], ["note", "--contact"], ["edit"]):
            args = [*command[:1], bad, *command[1:]]
            if command[0] == "note":
                args.insert(2, "x")
            result = office.run(*args, ok=False)
            assert result.exit_code == 1, (args, result.output)
            assert f"{bad!r} is not a case ID (expected OFFICE-YYMM-NNNN" in result.output
            assert "Traceback" not in result.output


def test_an_unknown_case_is_named(office: Office) -> None:
    result = office.run("show", "SZ-2611-0042", ok=False)
    assert result.exit_code == 1
    assert "SZ-2611-0042:没有这件投诉(cases/2026/11/SZ-2611-0042.yaml 不存在)" in result.output


def test_serial_restarts_each_month_and_the_path_follows_the_id(office: Office,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T17:30:00+08:00")
    hooks_off(office)
    made = [office.new("--received-at", when) for when in (
        "2026-10-31 23:59", "2026-11-01 00:00", "2026-10-15 08:00", "2026-11-02 10:00", "2025-11-02 10:00")]
    assert made == ["SZ-2610-0001", "SZ-2611-0001", "SZ-2610-0002", "SZ-2611-0002", "SZ-2511-0001"]
    for case_id in made:
        yymm = case_id.split("-")[1]
        path = office.root / "cases" / f"20{yymm[:2]}" / yymm[2:] / f"{case_id}.yaml"
        assert path.is_file()
        assert f"id: {case_id}\n" in path.read_text(encoding="utf-8")
    # the month is the office's (Asia/Shanghai): 23:30 UTC on 31 October is 1 November there
    assert office.new("--received-at", "2026-10-31T23:30:00+00:00") == "SZ-2611-0003"
    assert office.show_json("sz-2611-0003")["id"] == "SZ-2611-0003"  # IDs are read case-insensitively
