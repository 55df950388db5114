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


@pytest.mark.parametrize("text,message", [
    ("approvals:\n  fly: [vp]\n", "approvals.fly: unknown action"),
    ("approvals:\n  invalid: [janitor]\n", "approvals.invalid: expected a list of roles"),
    ("compensation_limits: {staff: -5}\n", "compensation_limits.staff: expected an amount ≥ 0"),
    ("compensation_limits: {boss: 5}\n", "compensation_limits.boss: unknown role"),
    ("senior_roles: [elder]\n", "senior_roles: expected a list of roles"),
    ("offline_window: 3 working days\n", "offline_window: give clock time"),
    ("ledger: {start: 2026-01-01}\n", "ledger: expected {since: DATE-TIME}"),
    ("ledger: {since: someday}\n", "ledger.since: 'someday' is not a date"),
    ("incidents:\n  fire: {severity: apocalyptic, keywords: [火]}\n", "incidents.fire.severity: 'apocalyptic'"),
    ("incidents:\n  fire: {keywords: []}\n", "incidents.fire.keywords: expected a non-empty list"),
])
def test_the_authority_keys_are_checked(text: str, message: str) -> None:
    """Issue 9's policy keys: a mistake names the key (docs/authority.md)."""
    from pathlib import Path

    from complaintctl.errors import PolicyError
    from complaintctl.policy.policy import parse_policy_text

    base = (Path(__file__).resolve().parents[2] / "templates/presets/property.yaml").read_text(encoding="utf-8")
    for key in ("approvals:", "compensation_limits:", "senior_roles:", "offline_window:", "ledger:", "incidents:"):
        if text.startswith(key):  # replace the preset's own block of that key
            start = base.index("\n" + key) + 1
            end = start + 1
            while True:
                nxt = base.find("\n", end)
                if nxt == -1 or (base[nxt + 1:nxt + 2] not in (" ", "")):
                    break
                end = nxt + 1
            base = base[:start] + base[base.index("\n", end) + 1:]
    with pytest.raises(PolicyError, match=message.replace("{", r"\{").replace("}", r"\}")
                       .replace("(", r"\(").replace(")", r"\)")):
        parse_policy_text(base + "\n" + text, "complaintctl.yaml")
