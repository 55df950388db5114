"""The words typed for a vocabulary (policy/vocabularies.py): `correct --value` takes a key or
its label in either language, as every vocabulary option does, and refuses anything else."""

from __future__ import annotations

from tests.conftest import Office

States = tuple[Office, dict[str, str]]


def test_a_corrected_category_is_recorded_by_its_key(states: States) -> None:
    office, ids = states
    case_id = ids["in_progress"]
    office.run("correct", case_id, "--field", "assessment.category", "--value", "其他", "--reason", "归类有误")
    assert office.show_json(case_id)["assessment"]["category"] == "other"
    head = office.git("rev-parse", "HEAD").stdout
    refused = office.run("correct", case_id, "--field", "assessment.category", "--value", "电梯", "--reason", "x",
                         ok=False)
    assert refused.exit_code == 2 and "--value:'电梯' 不在可选值中:" in refused.output, refused.output
    assert "other (其他)" in refused.output  # the choices, in the office's words
    empty = office.run("correct", case_id, "--field", "intake.first_receiver", "--value", " ", "--reason", "x",
                       ok=False)
    assert empty.exit_code == 1 and "--value: R-IN-2: the first receiver is a person" in empty.output, empty.output
    assert office.git("rev-parse", "HEAD").stdout == head
