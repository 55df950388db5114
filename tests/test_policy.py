"""A bad policy file gets a one-line error naming the key, exit 1, no traceback — CLI and hooks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import Office

BROKEN = {
    "unknown key": (lambda t: t + "\nescalation_chian: [staff]\n", "escalation_chian: unknown key (known: "),
    "unknown unit": (lambda t: t.replace("unit: engineering}", "unit: plumbing}", 1),
                     "categories.work-efficiency.unit: unknown unit 'plumbing' (R-RT-1)"),
    "bad timezone": (lambda t: t.replace("timezone: Asia/Shanghai", "timezone: Asia/Shenzhen"),
                     "timezone: unknown timezone 'Asia/Shenzhen'"),
    "not yaml": (lambda t: t + "\n  : [\n", "not valid YAML"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_bad_policy_is_one_line_naming_the_key(name: str, states: tuple[Office, dict[str, str]]) -> None:
    office, _ = states
    policy = office.root / "complaintctl.yaml"
    breaking, message = BROKEN[name]
    policy.write_text(breaking(policy.read_text(encoding="utf-8")), encoding="utf-8")
    result = office.run("list", ok=False)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {policy}: "), result.output
    assert message in lines[0]


def test_real_entry_point_and_hook_on_a_bad_policy(states: tuple[Office, dict[str, str]]) -> None:
    office, _ = states
    policy = office.root / "complaintctl.yaml"
    policy.write_text(BROKEN["bad timezone"][0](policy.read_text(encoding="utf-8")), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "complaintctl", "list"], cwd=office.root,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith("timezone: unknown timezone 'Asia/Shenzhen'")
    office.git("add", "complaintctl.yaml")
    proc = office.git("commit", "-q", "-m", "move the office", check=False)
    assert proc.returncode == 1
    assert "complaintctl: complaintctl.yaml: (file): R-WF: timezone: unknown timezone 'Asia/Shenzhen'" in proc.stderr
