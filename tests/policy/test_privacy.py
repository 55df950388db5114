"""`privacy:` and `people[].key` in the policy (R-RT-5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintctl.errors import PolicyError
from complaintctl.policy.policy import load_policy, parse_policy_text
from tests.conftest import Office
from tests.privacy.keys import age_key, ssh_key


def _with(office: Office, extra: str, key: str | None = None) -> str:
    text = (office.root / "complaintctl.yaml").read_text(encoding="utf-8")
    if key is not None:
        text = text.replace("\npeople:\n  - {", f"\npeople:\n  - {{key: \"{key}\", ", 1)
    return text + extra


def test_privacy_and_people_keys_are_read(office: Office, tmp_path: Path) -> None:
    recovery, mine = age_key(tmp_path, "r"), ssh_key(tmp_path, "me")
    policy = parse_policy_text(_with(office, f"privacy: {{required: true, recovery: \"{recovery.public}\"}}\n",
                                     mine.public))
    assert policy.privacy.required and policy.privacy.recovery == recovery.public
    assert policy.people[0].key == mine.public
    assert not load_policy(office.root).privacy.required  # off unless asked for


@pytest.mark.parametrize(("extra", "key", "where"), [
    ("privacy: {required: true}\n", None, "privacy.recovery"),
    ("privacy: {required: yes-please, recovery: x}\n", None, "privacy.required"),
    ("privacy: {required: false, recovery: \"ssh-rsa AAAA\"}\n", None, "privacy.recovery"),
    ("privacy: {encrypt: true}\n", None, "privacy.encrypt"),
    ("", "ssh-rsa AAAAB3NzaC1yc2E", "people[0].key"),
])
def test_a_bad_privacy_setting_or_key_is_refused(office: Office, extra: str, key: str | None, where: str) -> None:
    with pytest.raises(PolicyError, match=where.replace("[", r"\[").replace("]", r"\]")):
        parse_policy_text(_with(office, extra, key))
