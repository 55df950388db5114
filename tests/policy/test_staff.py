"""Handlers and resolvers are people the policy lists, a handler of the case's unit (R-RT-1,
R-RT-2, R-IN-4); `list --handler` refuses a name nobody knows instead of listing nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Office


def _head(office: Office) -> str:
    return office.git("rev-parse", "HEAD").stdout.strip()


@pytest.mark.parametrize("handler", ["2026-10", "不存在的人"])
def test_assign_refuses_a_handler_the_policy_does_not_list(office: Office, handler: str) -> None:
    case_id = office.new()
    before = _head(office)
    result = office.run("assign", case_id, "--handler", handler, ok=False)
    assert result.exit_code == 2, result.output
    assert handler in result.output and "李工" in result.output and "people add" in result.output
    assert "值班系统" not in result.output  # the system account handles nothing
    assert _head(office) == before


def test_assign_refuses_a_handler_of_another_unit_and_lists_who_may(office: Office) -> None:
    case_id = office.new()  # work-efficiency: engineering (R-RT-1)
    before = _head(office)
    result = office.run("assign", case_id, "--handler", "赵磊", ok=False)  # security staff
    assert result.exit_code == 2, result.output
    listed = result.output.rsplit(":", 1)[-1]
    assert "赵磊" in result.output and "李工" in listed and "王建国" in listed and "赵磊" not in listed
    assert _head(office) == before


def test_the_units_people_senior_staff_and_an_email_may_handle(office: Office) -> None:
    first, second, third = office.new(), office.new(), office.new()
    office.run("assign", first, "--handler", "李工")
    office.run("assign", second, "--handler", "刘洋")  # a vp of another unit: senior staff (R-AS-5)
    office.run("assign", third, "--handler", "ligong@example.com")
    assert office.show_json(third)["routing"]["handler"] == "李工"  # recorded by the policy's name


def test_a_unit_nobody_works_in_borrows_anyone_listed(office: Office) -> None:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "赵磊", "--unit", "hr")  # hr lists nobody in the preset
    assert office.show_json(case_id)["routing"]["unit"] == "hr"


def test_plan_refuses_a_resolver_the_policy_does_not_list(office: Office) -> None:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工")
    before = _head(office)
    result = office.run("plan", case_id, "--resolver", "2026-10", "--measures", "换主板", "--due",
                        office.soon(case_id), ok=False)
    assert result.exit_code == 2 and "--resolver" in result.output and "2026-10" in result.output
    assert _head(office) == before


@pytest.mark.parametrize("overdue", [(), ("--overdue",)])
def test_list_handler_refuses_a_name_nobody_knows(office: Office, overdue: tuple[str, ...]) -> None:
    office.run("assign", office.new(), "--handler", "李工")
    result = office.run("list", "--handler", "不存在的人", *overdue, ok=False)
    assert result.exit_code == 2 and "不存在的人" in result.output and "李工" in result.output
    assert office.run("list", "--handler", "王建国").exit_code == 0  # listed, with nothing to do: no error


def test_list_handler_still_lists_a_former_colleagues_cases(office: Office) -> None:
    office.run("people", "add", "钱师傅", "--email", "qian@example.com", "--unit", "engineering", "--role", "staff")
    case_id = office.new()
    office.run("assign", case_id, "--handler", "钱师傅")
    office.run("people", "remove", "钱师傅", "--force")
    assert case_id in office.run("list", "--handler", "钱师傅").output
