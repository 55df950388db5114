"""Required fields per state, the policy's vocabularies, and where a case is stored (R-IN-1, R-DEF-*, R-IN-5)."""

from __future__ import annotations

import pytest
from ruamel.yaml.comments import CommentedMap

from complaintctl.case import put
from tests.conftest import Office
from tests.routes import HAND_ROUTES, ROUTES, edited, refused, rel

States = tuple[Office, dict[str, str]]


@pytest.mark.parametrize("route", ROUTES)
def test_removing_a_required_field_is_refused(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    text = edited(office, case_id, lambda d: d["plan"].pop("resolver"))
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert f"{rel(office.path(case_id), office)}: plan.resolver: R-IN-4: required when the case is in_progress" in out


@pytest.mark.parametrize("route", ROUTES)
def test_blanking_an_intake_field_is_refused(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["received"]
    text = edited(office, case_id, lambda d: put(d, "intake.complainant.contact", ""))
    out = refused(route, office, rel(office.path(case_id), office), text, monkeypatch, case_id)
    assert "intake.complainant.contact: R-IN-1: required when the case is received" in out


@pytest.mark.parametrize("route", ROUTES)
def test_unknown_vocabulary_values_are_all_reported(route: str, states: States,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    case_id = ids["assigned"]

    def change(d: CommentedMap) -> None:
        d["assessment"]["category"] = "elevator"
        d["intake"]["channel"] = "pigeon"

    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, change),
                  monkeypatch, case_id)
    path = rel(office.path(case_id), office)
    assert f"{path}: assessment.category: R-DEF-3: 'elevator' is not in the policy's categories" in out
    assert f"{path}: intake.channel: R-DEF-4: 'pigeon' is not in the policy's channels" in out


@pytest.mark.parametrize("option,value,vocab", [("category", "elevator", "categories"),
                                                ("channel", "pigeon", "channels"),
                                                ("complainant-class", "alien", "complainant_classes")])
def test_new_refuses_unknown_vocabulary(office: Office, option: str, value: str, vocab: str) -> None:
    result = office.new_result(**{option.replace("-", "_"): value})
    assert result.exit_code == 1
    assert f"--{option}: {value!r} is not in the policy's {vocab}" in result.output
    assert not list((office.root / "cases").rglob("*.yaml"))


@pytest.mark.parametrize("route", ROUTES)
def test_invalid_needs_a_reason_and_a_reply(route: str, states: States, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-AS-1: a hand edit declaring a case invalid without the reason and the reply."""
    office, ids = states
    case_id = ids["received"]

    def change(d: CommentedMap) -> None:
        d["status"] = "invalid"
        d["assessment"]["valid"] = False
        entry = dict(d["timeline"][0])
        entry.update({"action": "invalid", "from": "received", "to": "invalid"})
        entry.pop("note", None)
        d["timeline"].append(entry)

    out = refused(route, office, rel(office.path(case_id), office), edited(office, case_id, change),
                  monkeypatch, case_id)
    assert "assessment.invalid_reason: R-AS-1: required when the case is invalid" in out
    assert "assessment.reply: R-AS-1: required when the case is invalid" in out


@pytest.mark.parametrize("route", HAND_ROUTES)
def test_a_case_stored_away_from_its_id_is_refused(route: str, states: States,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    office, ids = states
    text = office.path(ids["received"]).read_text(encoding="utf-8")
    out = refused(route, office, "cases/2026/10/SZ-2611-0001.yaml", text, monkeypatch)
    assert ("cases/2026/10/SZ-2611-0001.yaml: id: R-IN-5: case SZ-2611-0001 must be stored at "
            "cases/2026/11/SZ-2611-0001.yaml") in out


def test_validate_reports_a_case_stored_away_from_its_id(states: States) -> None:
    office, ids = states
    moved = office.root / "cases/2026/11/SZ-2611-0042.yaml"
    moved.write_text(office.path(ids["received"]).read_text(encoding="utf-8"), encoding="utf-8")
    result = office.run("validate", ok=False)
    assert result.exit_code == 1
    assert "cases/2026/11/SZ-2611-0042.yaml: id: R-IN-5: case SZ-2611-0001 must be stored at" in result.output
