"""`complaintctl validate`: every case file, the working tree's changes judged against HEAD."""

from __future__ import annotations

from tests.conftest import Office
from tests.violations import VIOLATIONS, edited, rel

States = tuple[Office, dict[str, str]]


def test_validate_passes_a_clean_office(states: States) -> None:
    office, ids = states
    assert office.run("validate").output.strip() == f"{len(ids)} 个案件文件全部有效"


def test_validate_judges_a_dirty_working_tree(states: States) -> None:
    office, ids = states
    changed = ids["assigned"]
    office.path(changed).write_text(edited(office, changed, VIOLATIONS["fixed-first_receiver"].change),
                                    encoding="utf-8")  # only wrong against the committed version
    office.path(ids["closed"]).unlink()  # deleted in the working tree
    office.git("rm", "-q", rel(office, ids["resolved"]))  # deleted and staged
    (office.root / "cases/2026/11/SZ-2611-0777.yaml").write_text("id: [broken\n", encoding="utf-8")
    result = office.run("validate", ok=False)
    assert result.exit_code == 1
    out = result.output
    assert f"{rel(office, changed)}: intake.first_receiver: R-IN-2: 受理后不得修改" in out
    assert f"{rel(office, ids['closed'])}: (file): R-CL-3: 案件文件不得删除" in out
    assert f"{rel(office, ids['resolved'])}: (file): R-CL-3: 案件文件不得删除" in out
    assert "cases/2026/11/SZ-2611-0777.yaml: (file): R-WF: line 2: not valid YAML" in out
    assert f"4 个案件文件中有 4 项问题(共检查 {len(ids) + 1} 个)" in out
