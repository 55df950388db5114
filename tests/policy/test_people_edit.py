"""`complaintctl people` and `complaintctl units`: each change one commit of complaintctl.yaml
by the person running it, comments kept; refusals leave the repository as it was; the server
lets only the admin role (hq) change the policy; `init` lists its runner as the admin."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, make_bare_remote, set_identity


def head(office: Office) -> str:
    return office.git("rev-parse", "HEAD").stdout.strip()


def last_commit(office: Office) -> tuple[str, str, str]:
    """(author name, subject, body) of HEAD."""
    name, subject, body = office.git("log", "-1", "--format=%an%x00%s%x00%b").stdout.split("\0")
    return name, subject, body


def commits(office: Office) -> int:
    return int(office.git("rev-list", "--count", "HEAD").stdout)


def people(office: Office) -> dict[str, dict[str, object]]:
    return {p["name"]: p for p in json.loads(office.run("people", "list", "--json").output)}


def refused(office: Office, *args: str) -> str:
    """Run a command that must be refused; the repository must be exactly as it was."""
    before, policy = head(office), (office.root / "complaintctl.yaml").read_bytes()
    result = office.run(*args, ok=False)
    assert result.exit_code != 0, result.output
    assert head(office) == before
    assert office.git("status", "--porcelain").stdout == ""
    assert (office.root / "complaintctl.yaml").read_bytes() == policy
    assert len(result.output.strip().splitlines()) == 1, result.output  # one line
    return result.output


def test_add_set_remove_each_one_commit_by_the_actor(office: Office) -> None:
    n = commits(office)
    out = office.run("people", "add", "李四", "--email", "lisi@example.com", "--unit", "工程维修部",
                     "--role", "staff", "--mobile", "13800138000").output
    assert "李四" in out
    assert commits(office) == n + 1
    author, subject, body = last_commit(office)
    assert author == "张敏"
    assert subject == "人员:新增 李四(工程维修部;一线员工)"  # roles by their names
    assert "Policy: people add" in body and "Person: 李四" in body
    assert office.git("show", "--stat", "--format=", "HEAD").stdout.split()[0] == "complaintctl.yaml"
    assert people(office)["李四"] == {"name": "李四", "email": "lisi@example.com", "unit": "engineering",
                                      "roles": ["staff"], "office": "SZ", "login": "", "mobile": "13800138000"}

    office.run("people", "set", "李四", "--role", "staff", "--role", "head", "--unit", "security")
    assert commits(office) == n + 2
    assert last_commit(office)[1] == "人员:李四 的 部门、角色 已修改"
    assert people(office)["李四"]["roles"] == ["staff", "head"]

    office.run("people", "remove", "李四")
    assert commits(office) == n + 3
    assert last_commit(office)[1] == "人员:移除 李四"
    assert "李四" not in people(office)
    assert office.git("status", "--porcelain").stdout == ""


def test_the_policy_keeps_its_comments_and_order(office: Office) -> None:
    before = (office.root / "complaintctl.yaml").read_text(encoding="utf-8")
    office.run("people", "add", "李四", "--email", "lisi@example.com", "--unit", "engineering", "--role", "staff")
    office.run("units", "add", "gardens", "--zh", "园林部", "--en", "Gardens")
    diff = office.git("diff", "HEAD~2", "--", "complaintctl.yaml").stdout
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")] == []
    assert added == ["+  gardens: {zh: 园林部, en: Gardens}",
                     "+  - {name: 李四, email: lisi@example.com, unit: engineering, roles: [staff]}"]
    after = (office.root / "complaintctl.yaml").read_text(encoding="utf-8")
    # the next section's comment stays in front of its section, not behind the new person
    assert after.index("李四") < after.index("# Required fields per state") < after.index("calendar:")
    office.run("people", "remove", "李四")
    office.run("units", "remove", "gardens")
    assert (office.root / "complaintctl.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("args", "words"), [
    (("people", "add", "李四", "--email", "lisi-at-example", "--unit", "engineering", "--role", "staff"),
     ["--email:", "'lisi-at-example'", "电子邮件地址"]),
    (("people", "add", "李四", "--email", "lisi@example.com", "--unit", "gardening", "--role", "staff"),
     ["--unit:", "R-RT-1", "'gardening'", "complaintctl units add"]),
    (("people", "add", "李四", "--email", "lisi@example.com", "--unit", "engineering", "--role", "boss"),
     ["--role:", "'boss'", "staff, head"]),
    (("people", "add", "李工", "--email", "li2@example.com", "--unit", "engineering", "--role", "staff"),
     ["NAME:", "李工", "complaintctl people set"]),
    (("people", "add", "李四", "--email", "ligong@example.com", "--unit", "engineering", "--role", "staff"),
     ["--email:", "李工"]),
    (("people", "set", "无此人", "--role", "staff"), ["NAME:", "无此人", "complaintctl people add"]),
    (("people", "set", "李工", "--mobile", "12345"), ["--mobile:", "'12345'"]),
    (("people", "set", "李工", "--role", "staff"), ["NAME:", "李工"]),
    (("units", "add", "Bad Key", "--zh", "坏"), ["KEY:", "'Bad Key'"]),
    (("units", "add", "gardens", "--en", "Gardens"), ["--zh:"]),
    (("units", "remove", "engineering"), ["UNIT:", "R-RT-1", "categories.work-efficiency", "王建国"]),
])
def test_refusals_name_the_field_and_leave_the_repository_unchanged(office: Office, args: tuple[str, ...],
                                                                    words: list[str]) -> None:
    out = refused(office, *args)
    for word in words:
        assert word in out, out


def test_removing_someone_with_open_cases_lists_them_unless_forced(office: Office) -> None:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    out = refused(office, "people", "remove", "李工")
    assert case_id in out and "--force" in out and "NAME:" in out
    n = commits(office)
    result = office.run("people", "remove", "李工", "--force", "--json")
    assert json.loads(result.output) == {"subject": "人员:移除 李工", "commit": head(office), "reassign": [case_id],
                                         "rotated": []}  # no keys to rotate: privacy is off
    assert commits(office) == n + 1
    assert case_id in last_commit(office)[2]  # the body names the cases to reassign
    assert "李工" not in people(office)


def test_a_unit_a_case_names_is_not_removed(office: Office) -> None:
    office.run("units", "add", "gardens", "--zh", "园林部")
    office.run("units", "set", "园林部", "--en", "Gardens")
    assert json.loads(office.run("units", "list", "--json").output)[-1]["en"] == "Gardens"
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "gardens")
    out = refused(office, "units", "remove", "gardens")
    assert "R-RT-1" in out and case_id in out


def test_a_new_person_can_be_assigned_and_act(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = office.new()
    office.run("people", "add", "钱师傅", "--email", "qian@example.com", "--unit", "engineering", "--role", "staff")
    office.run("assign", case_id, "--handler", "钱师傅", "--unit", "engineering")
    set_identity(monkeypatch, "钱师傅", "qian@example.com")
    office.run("plan", case_id, "--resolver", "钱师傅", "--measures", "更换主板", "--due", office.soon(case_id))
    assert office.show_json(case_id)["status"] == "in_progress"
    assert last_commit(office)[0] == "钱师傅"


def test_init_lists_its_runner_as_admin_and_not_listed_says_how_to_fix(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    set_identity(monkeypatch, "周主任", "zhou@example.com")
    root = tmp_path / "new-office"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
    assert result.exit_code == 0, result.output
    office = Office(root)
    admin = people(office)["周主任"]
    assert admin["roles"] == ["hq", "dispatcher"] and admin["email"] == "zhou@example.com"
    case_id = office.new()  # the admin records the first complaint: no hand edit needed
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")

    set_identity(monkeypatch, "吴新人", "wu@example.com")  # a colleague nobody listed yet
    result = office.new_result()
    assert result.exit_code == 1
    assert "吴新人 不在制度的人员名单中" in result.output
    assert "complaintctl people add NAME --email … --unit … --role …" in result.output


def push(root: Path, pusher: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COMPLAINTCTL_PUSHER=pusher)  # who the server authenticated
    return subprocess.run(["git", "push", "origin", "main"], cwd=root, capture_output=True, text=True, env=env,
                          timeout=120)


def remote_main(bare: Path) -> str:
    return subprocess.run(["git", "rev-parse", "main"], cwd=bare, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def test_on_a_shared_remote_only_hq_changes_people(office: Office, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    office.run("people", "add", "周主任", "--email", "zhou@example.com", "--unit", "management-office",
               "--role", "hq")
    bare = make_bare_remote(tmp_path / "remote.git", office)
    before = remote_main(bare)

    set_identity(monkeypatch, "王建国", "wangjianguo@example.com")  # a head, not the admin
    office.run("people", "add", "李四", "--email", "lisi@example.com", "--unit", "engineering", "--role", "staff")
    proc = push(office.root, "wangjianguo@example.com")
    assert proc.returncode != 0, proc.stderr
    assert "complaintctl.yaml: (file): ACCESS:" in proc.stderr and "王建国" in proc.stderr
    assert "(hq)" in proc.stderr  # says who may
    assert remote_main(bare) == before
    proc = push(office.root, "mallory")  # nobody the policy lists: the refusal says the fix
    assert proc.returncode != 0 and "complaintctl people add NAME --email … --unit … --role …" in proc.stderr

    # the honest twin: the admin's own change is accepted
    office.git("reset", "-q", "--hard", "origin/main")
    set_identity(monkeypatch, "周主任", "zhou@example.com")
    office.run("people", "add", "李四", "--email", "lisi@example.com", "--unit", "engineering", "--role", "staff")
    proc = push(office.root, "zhou@example.com")
    assert proc.returncode == 0, proc.stderr
    assert remote_main(bare) == head(office)
