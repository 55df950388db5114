"""R-IN-1 judged where the record changes: a contact written by hand is a phone number or an
e-mail address, an anonymous complaint needs the policy's consent — but a record written before
the policy changed stays valid."""

from __future__ import annotations

import pytest
from ruamel.yaml.comments import CommentedMap

from tests.conftest import Office
from tests.handling.test_intake import ANONYMOUS, allow_anonymous
from tests.violations import edited, refused


def _contact(value: str):  # type: ignore[no-untyped-def]
    def change(d: CommentedMap) -> None:
        d["intake"]["complainant"]["contact"] = value
    return change


@pytest.mark.parametrize("route", ["edit", "commit"])
def test_a_hand_written_contact_that_reaches_nobody_is_refused(office: Office, route: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = office.new()
    out = refused(route, office, case_id, edited(office, case_id, _contact("1391234")), monkeypatch)
    assert "intake.complainant.contact: R-IN-1:" in out and "'1391234'" in out


def test_anonymous_cases_stay_valid_when_the_policy_stops_taking_them(office: Office) -> None:
    allow_anonymous(office)
    case_id = office.run("new", *ANONYMOUS, "--anonymous-reason", "不愿留名").output.split()[0]
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("\nanonymous: true\n", "\nanonymous: false\n"),
                      encoding="utf-8")
    office.git("commit", "-q", "-am", "policy: no more anonymous complaints")
    office.run("validate")
    office.run("assign", case_id, "--handler", "李工")  # later steps judge what changes, not the intake
