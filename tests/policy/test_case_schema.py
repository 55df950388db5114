"""Issue 13: the JSON Schemas editors use — templates/complaintctl.schema.json covers every key
the policy loader accepts, and every preset and the sample policy validate against it; the
case schema `init` writes carries the office's own vocabularies as enums."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from complaintctl.cli import cli
from complaintctl.errors import PolicyError
from complaintctl.model.case import load_plain, to_plain
from complaintctl.policy import authority, calendar, notifications, policy, sla
from complaintctl.policy.policy import load_policy, parse_policy
from complaintctl.repo.office import POLICY_MODELINE, presets
from tests.conftest import NOW, Office

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "templates" / "complaintctl.schema.json").read_text(encoding="utf-8"))


def plain(value: Any) -> Any:
    """The policy as an editor's schema check sees it: YAML timestamps are text there."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def load(path: Path) -> Any:
    return plain(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


def errors(data: Any) -> list[str]:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def node(*path: str) -> dict[str, Any]:
    here: dict[str, Any] = SCHEMA
    for part in path:
        here = here["properties"][part] if part != "[]" else here["items"]
        while "$ref" in here:
            here = SCHEMA["$defs"][here["$ref"].rsplit("/", 1)[1]]
    return here


def fields(cls: Any, *skip: str) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} - set(skip)


def test_the_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_names_every_key_the_loader_accepts() -> None:
    """The accepted keys come from the loader itself (its key tables and the types it fills)."""
    covered = {
        (): policy._TOP_KEYS,
        ("calendar",): calendar._KEYS,
        ("limits",): set(policy._LIMIT_KEYS),
        ("notifications",): fields(notifications.Notifications),
        ("notifications", "smtp"): set(notifications._SMTP_KEYS),
        ("materials",): fields(notifications.Materials),
        ("deadlines",): set(sla.SECTION_KEYS),
        ("ledger",): {"since"},
        ("people", "[]"): fields(policy.Person) | {"acts_for"},  # acts_for: the trust part (issue 11)
    }
    for path, accepted in covered.items():
        assert set(node(*path)["properties"]) == set(accepted), path
    rule = SCHEMA["$defs"]["clock_rule"]["properties"]
    assert set(rule) == set(sla.RULE_KEYS)
    incident = node("incidents")["additionalProperties"]["properties"]
    assert set(incident) == fields(authority.Incident, "key")
    assert set(node("deadlines", "clocks")["propertyNames"]["enum"]) == set(sla.CLOCKS)
    assert set(node("approvals")["propertyNames"]["enum"]) == set(authority.ACTIONS)
    assert set(node("people", "[]", "roles")["items"]["enum"]) == set(authority.ROLES)
    assert set(node("required")["properties"]) == set(policy.workflow.STATES)
    escalation = node("deadlines", "escalation")["items"]["properties"]
    assert set(escalation) == {"from", *sla.MATCH_KEYS, *authority.ROLES}


@pytest.mark.parametrize("source", [*(f"templates/presets/{p}.yaml" for p in presets()), "complaintctl.yaml"])
def test_every_preset_and_the_sample_policy_validate(source: str) -> None:
    assert errors(load(ROOT / source)) == []


FULL = """
ledger: {since: 2026-01-01T00:00:00+08:00}
notifications:
  since: 2026-11-01
  revisit_before: 1 day
  smtp: {host: smtp.example.com, port: 587, starttls: true, user: bot, from: bot@example.com}
materials: {max_size: 20MB, types: [image/*, application/pdf]}
limits: {case_file_bytes: 2000000, case_depth: 20, timeline_entries: 5000}
calendar: {country: CN, weekend: [sat, sun], business_hours: {default: "09:00-18:00", sat: "09:00-12:00"},
           extra_holidays: [2026-12-31], extra_working_days: [2026-12-27]}
offices: {SZ: 深圳, GZ: 广州}
require_pusher: true
trust_commit_authors: false
signing: required
min_version: "0.1"
offline_window: 48h
"""


def full_policy() -> dict[str, Any]:
    data: dict[str, Any] = load(ROOT / "complaintctl.yaml")
    data.update(plain(YAML(typ="safe", pure=True).load(FULL)))
    data["people"][0]["login"] = "zhangmin"
    data["people"][0]["acts_for"] = ["李工"]
    return data


def test_the_ledger_server_notification_and_limit_keys_validate_both_ways() -> None:
    data = full_policy()
    parse_policy(copy.deepcopy(data), "full")  # the loader takes it …
    assert errors(data) == []  # … and so does the schema


# (where, a key the loader refuses there): the schema refuses it at the same place
TYPOS = [(), ("calendar",), ("limits",), ("notifications",), ("notifications", "smtp"), ("materials",),
         ("deadlines",), ("ledger",)]


@pytest.mark.parametrize("where", TYPOS, ids=["/".join(w) or "top" for w in TYPOS])
def test_a_typo_is_refused_by_the_loader_and_flagged_by_the_schema(where: tuple[str, ...]) -> None:
    data = full_policy()
    here = data
    for part in where:
        here = here[part]
    here["bogus_key"] = 1
    with pytest.raises(PolicyError):
        parse_policy(copy.deepcopy(data), "typo")
    assert any("bogus_key" in e for e in errors(data)), where


# ---------------------------------------------------------------- the office's case schema


def test_init_writes_the_case_schema_with_the_offices_vocabularies(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    root = tmp_path / "hotel"
    monkeypatch.setenv("GIT_AUTHOR_NAME", "陈晓")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "chenxiao@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "陈晓")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "chenxiao@example.com")
    assert CliRunner().invoke(cli, ["init", str(root), "--preset", "hotel"], catch_exceptions=False).exit_code == 0
    pol = load_policy(root)
    schema = json.loads((root / "templates" / "case.schema.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    category = props["assessment"]["properties"]["category"]
    assert category["enum"] == list(pol.categories)
    assert category["enumDescriptions"] == [pol.label("categories", k) for k in pol.categories]
    assert props["intake"]["properties"]["channel"]["enum"] == list(pol.channels)
    assert props["intake"]["properties"]["complainant"]["properties"]["class"]["enum"] == \
        list(pol.complainant_classes)
    assert props["assessment"]["properties"]["severity"]["enum"] == list(pol.severities)
    assert props["routing"]["properties"]["unit"]["enum"] == [*pol.units, None]
    assert props["resolution"]["properties"]["outcome"]["enum"] == list(pol.outcomes)
    # the policy file names its own schema, which init copied in
    first = (root / "complaintctl.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# {POLICY_MODELINE}" and (root / first.split("$schema=")[1]).is_file()
    assert errors(load(root / "complaintctl.yaml")) == []
    # a case the CLI writes validates against the office's schema; a category from another office does not
    office = Office(root)
    case_id = office.new(channel=next(iter(pol.channels)), complainant_class=next(iter(pol.complainant_classes)),
                         category=next(iter(pol.categories)))
    path = office.path(case_id)
    assert (path.parent / path.read_text(encoding="utf-8").splitlines()[0].split("$schema=")[1]).resolve() == \
        (root / "templates" / "case.schema.json").resolve()
    data = to_plain(load_plain(path.read_text(encoding="utf-8"), str(path)))
    validator = Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(data)] == []
    data["assessment"]["category"] = "work-efficiency"  # the property preset's, not the hotel's
    assert any(list(e.absolute_path) == ["assessment", "category"] for e in validator.iter_errors(data))
