"""R-CL-2's ranges (rules/amounts.py): one definition, said the same by the command line, the
steps and the rule on case files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from complaintctl import i18n
from complaintctl.rules.amounts import MAX_AMOUNT, amount_problem, share_problem
from tests.conftest import Office

States = tuple[Office, dict[str, str]]


@pytest.fixture
def english() -> Iterator[None]:
    i18n.use("en")
    yield
    i18n.use("en")


def test_amounts_are_zero_or_more_and_shares_between_zero_and_one(english: None) -> None:
    assert amount_problem(0) is None and amount_problem(12.5) is None and amount_problem(3e12) is None
    assert amount_problem(-1.0) == "-1.0 must be 0 or more"
    assert amount_problem(float("nan")) == "nan must be 0 or more"
    assert amount_problem(2e12, MAX_AMOUNT) == "2000000000000.0 must be between 0 and 1e+12"  # the CLI's cap
    assert share_problem(0) is None and share_problem(1.0) is None
    assert share_problem(1.5) == "1.5 must be between 0 and 1"
    assert share_problem(-0.1) == "-0.1 must be between 0 and 1"
    i18n.use("zh")
    assert share_problem(1.5) == "1.5 须在 0 到 1 之间"


def test_the_command_line_and_the_rule_on_files_say_the_same(states: States) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    refused = office.run("resolve", case_id, "--outcome", "repair", "--summary", "已修", "--share", "1.5", ok=False)
    assert refused.exit_code == 2 and "--share: R-CL-2: 1.5 须在 0 到 1 之间" in refused.output, refused.output
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已修", "--share", "0.5")
    office.hand_edit(case_id, "share: 0.5", "share: 1.5")
    found = office.run("validate", ok=False)
    assert found.exit_code == 1 and "resolution.share: R-CL-2: 1.5 须在 0 到 1 之间" in found.output, found.output
