"""Moving an existing repository to encrypted fields (handling.migration): hq encrypts the
current state into a NEW repository, which holds no complainant's data in clear in any object,
reads back with the keys, validates, and is accepted by a fresh server; a clear field that
looks like a complainant's data refuses the migration first and creates nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from complaintctl.privacy import casekeys
from tests.conftest import Office, set_identity
from tests.privacy.keys import age_key, ssh_key

PHONES = ("13912345678", "13700000007")


def objects(root: Path) -> str:
    proc = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, capture_output=True,
                          timeout=300)
    return proc.stdout.decode("utf-8", "replace")


@pytest.fixture
def old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    """An office's repository from before privacy, with two cases; then privacy switched on by
    hq (吴昊, who ran init), their key listed and the office's keys made."""
    set_identity(monkeypatch, "吴昊", "wuhao@example.com")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "old"), "--preset", "property", "--office", "SZ"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    office = Office(tmp_path / "old")
    for phone, name in zip(PHONES, ("欧阳娜娜", "李先生"), strict=True):
        office.new(contact=phone, name=name, address="B座1502")
    key, recovery = ssh_key(tmp_path / "keys", "wuhao"), age_key(tmp_path / "keys", "recovery")
    monkeypatch.setenv("COMPLAINTCTL_IDENTITY", str(key.private))
    office.run("people", "set", "吴昊", "--key", key.public)
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8")
                      + f'privacy: {{required: true, recovery: "{recovery.public}"}}\n', encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "privacy required")
    office.run("keys", "init", "SZ")
    return office


def test_the_current_state_is_encrypted_into_a_new_repository(old: Office, tmp_path: Path) -> None:
    dest = tmp_path / "new"
    result = old.run("migrate", str(dest))
    assert "2" in result.output
    assert len(subprocess.run(["git", "rev-list", "HEAD"], cwd=dest, capture_output=True, text=True,
                              timeout=60).stdout.split()) == 1  # one root commit: the old history stays behind
    everything = objects(dest)
    assert "ENC[v1,SZ," in everything and "BIDX[v1,SZ,1," in everything
    for secret in (*PHONES, "欧阳娜娜", "B座1502"):
        assert secret not in everything
    new = Office(dest)
    case_id = sorted(p.stem for p in (dest / "cases").rglob("*.yaml"))[0]
    assert new.show_json(case_id)["intake"]["complainant"]["contact"] in PHONES  # the key holder reads it
    new.run("validate")
    # a fresh server takes it: main (the first push sets the server up), then the case keys
    bare = tmp_path / "server.git"
    CliRunner().invoke(cli, ["server", "init", str(bare), "--allow-anonymous"], catch_exceptions=False)
    new.git("remote", "add", "origin", str(bare))
    for ref in ("main", casekeys.ref("SZ")):
        proc = subprocess.run(["git", "push", "origin", ref], cwd=dest, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr


def test_a_complainants_data_in_a_clear_field_refuses_the_migration(old: Office, tmp_path: Path) -> None:
    case_id = sorted(p.stem for p in (old.root / "cases").rglob("*.yaml"))[0]
    old.hand_edit(case_id, "subject: 电梯故障三天未修", "subject: 业主13512345678反映电梯故障")
    old.git("commit", "-q", "--no-verify", "-am", "a subject written before privacy")
    result = old.run("migrate", str(tmp_path / "new"), ok=False)
    assert result.exit_code == 1 and "intake.subject: R-RT-5: " in result.output, result.output
    assert not (tmp_path / "new").exists()
