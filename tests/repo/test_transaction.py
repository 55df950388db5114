"""A command refuses to run over someone else's work and leaves nothing half-done when it fails."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Office
from tests.violations import snapshot

States = tuple[Office, dict[str, str]]


def failing_pre_commit(office: Office, tmp_path: Path) -> None:
    hooks = tmp_path / "failing-hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'pre-commit: not today' >&2\nexit 1\n", encoding="utf-8")
    (hooks / "pre-commit").chmod(0o755)
    office.git("config", "core.hooksPath", str(hooks))


def test_a_failed_commit_leaves_the_repository_as_it_was(states: States, tmp_path: Path) -> None:
    office, ids = states
    failing_pre_commit(office, tmp_path)
    before = snapshot(office)
    texts = {p: p.read_text(encoding="utf-8") for p in (office.root / "cases").rglob("*.yaml")}
    for args in (["assign", ids["received"], "--handler", "李工"],
                 ["note", ids["in_progress"], "客户来电"],
                 ["resolve", ids["waiting"], "--outcome", "repair", "--summary", "修好了"]):
        result = office.run(*args, ok=False)
        assert result.exit_code == 1, args
        assert "git commit failed" in result.output and "not today" in result.output
        assert snapshot(office) == before, args
    result = office.new_result()
    assert result.exit_code == 1 and "git commit failed" in result.output
    assert snapshot(office) == before
    assert {p: p.read_text(encoding="utf-8") for p in (office.root / "cases").rglob("*.yaml")} == texts


def test_bad_input_changes_nothing(states: States) -> None:
    office, ids = states
    before = snapshot(office)
    for args in (["plan", ids["assigned"], "--resolver", "李工", "--measures", "x", "--due", "next week"],
                 ["new", "--received-at", "yesterday"],
                 ["revisit", ids["resolved"], "--satisfaction", "meh"],
                 ["assign", ids["received"], "--handler", "李工", "--unit", "kitchen"]):
        result = office.run(*args, ok=False)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "Traceback" not in result.output
    assert result.exit_code == 2 and "--unit:'kitchen' 不在可选值中" in result.output  # a usage error, with the choices
    assert "engineering (工程维修部)" in result.output
    assert snapshot(office) == before


def test_refuses_with_other_changes_staged(states: States) -> None:
    office, ids = states
    (office.root / "notes.txt").write_text("meeting notes\n", encoding="utf-8")
    office.git("add", "notes.txt")
    before = snapshot(office)
    result = office.run("note", ids["in_progress"], "客户来电", ok=False)
    assert result.exit_code == 1
    assert "other changes are staged (notes.txt): commit or unstage them first" in result.output
    assert office.new_result().exit_code == 1
    assert snapshot(office) == before  # notes.txt is still staged, nothing else moved


def test_refuses_while_a_merge_is_in_progress(states: States) -> None:
    office, ids = states
    (office.root / "notes.txt").write_text("one\n", encoding="utf-8")
    office.git("add", "notes.txt")
    office.git("commit", "-q", "--no-verify", "-m", "notes")
    office.git("checkout", "-q", "-b", "side")
    (office.root / "notes.txt").write_text("side\n", encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "side")
    office.git("checkout", "-q", "main")
    (office.root / "notes.txt").write_text("main\n", encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "main")
    assert office.git("merge", "--no-verify", "side", check=False).returncode != 0  # a conflict
    before = snapshot(office)
    result = office.run("note", ids["in_progress"], "客户来电", ok=False)
    assert result.exit_code == 1 and "a merge is in progress: finish or abort it first" in result.output
    assert snapshot(office) == before
    assert (office.root / ".git" / "MERGE_HEAD").exists()
