"""templates/case.schema.json: every case the CLI writes validates; malformed ones do not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from complaintctl.model.case import SCHEMA_MODELINE, load_plain, to_plain
from tests.conftest import Office

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "templates" / "case.schema.json"
States = tuple[Office, dict[str, str]]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def case_data(office: Office, case_id: str) -> dict[str, Any]:
    path = office.path(case_id)
    data: dict[str, Any] = to_plain(load_plain(path.read_text(encoding="utf-8"), str(path)))
    return data


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_every_case_the_cli_writes_is_valid(validator: Draft202012Validator, states: States) -> None:
    office, ids = states
    seen = set()
    for case_id in sorted(set(ids.values())):
        data = case_data(office, case_id)
        seen.add(data["status"])
        assert errors(validator, data) == [], case_id
    assert seen == {"received", "assigned", "in_progress", "waiting", "resolved", "closed", "invalid"}


def test_the_clocks_section_of_the_deadlines_contract_is_valid(validator: Draft202012Validator,
                                                               states: States) -> None:
    office, ids = states
    data = case_data(office, ids["in_progress"])
    data["clocks"] = {"response": {"due": "2026-11-23T10:05:00+08:00", "done": "2026-11-23T10:01:00+08:00"},
                      "resolution": {"due": "2026-11-25T18:00:00+08:00", "done": None}}
    data["timeline"].append({"at": "2026-11-22T17:30:00+08:00", "by": "王建国", "action": "extend",
                             "clock": "resolution", "until": "2026-11-28T18:00:00+08:00", "note": "等厂家"})
    data["timeline"].append({"at": "2026-11-22T17:30:00+08:00", "by": "张敏", "action": "escalate", "level": "head"})
    assert errors(validator, data) == []


BREAKAGES = {
    "id pattern": (lambda d: d.__setitem__("id", "../../etc/passwd"), "id"),
    "unknown status": (lambda d: d.__setitem__("status", "done"), "status"),
    "date-time": (lambda d: d["intake"].__setitem__("received_at", "last Tuesday"), "intake/received_at"),
    "satisfaction": (lambda d: d["revisit"].__setitem__("satisfaction", "happy"), "revisit/satisfaction"),
    "typo in accused": (lambda d: d["accused"].__setitem__("persn", "赵六"), "accused"),
    "unknown clock": (lambda d: d.__setitem__("clocks", {"resolve": {"due": None}}), "clocks"),
    "missing intake": (lambda d: d.pop("intake"), ""),
    "timeline entry without by": (lambda d: d["timeline"][0].pop("by"), "timeline/0"),
    "closed without closing": (lambda d: d.pop("closing"), ""),
    "share above 1": (lambda d: d["resolution"].__setitem__("share", 1.5), "resolution/share"),
    "contact as number": (lambda d: d["intake"]["complainant"].__setitem__("contact", 13800138000),
                          "intake/complainant/contact"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_malformed_cases_are_rejected(name: str, validator: Draft202012Validator, states: States) -> None:
    office, ids = states
    good = case_data(office, ids["closed"])
    bad = copy.deepcopy(good)
    breaking, where = BREAKAGES[name]
    breaking(bad)
    found = errors(validator, bad)
    assert found, name
    assert any(e.startswith(f"{where}:") for e in found), found


def test_new_case_files_point_editors_at_the_schema(states: States) -> None:
    office, ids = states
    path = office.path(ids["received"])
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# {SCHEMA_MODELINE}"
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (office.root / "templates" / "case.schema.json").resolve() and target.is_file()
    # the office's copy: the generic schema, with the office's vocabularies as enums (issue 13)
    written = json.loads(target.read_text(encoding="utf-8"))
    generic = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert written["$defs"] == generic["$defs"] and written["required"] == generic["required"]
    assert "work-efficiency" in written["properties"]["assessment"]["properties"]["category"]["enum"]
