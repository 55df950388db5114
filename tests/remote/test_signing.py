"""Issue 11 §3: with `signing: required`, every pushed commit carries an SSH signature by a
key that the server's allowed_signers lists for its committer; `clone` sets signing up.
Keys are made with ssh-keygen."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, set_identity
from tests.group import Group, build, copy

# One worker builds the signed group once (pyproject: --dist loadgroup).
pytestmark = [pytest.mark.xdist_group("signed"),
              pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")]


def keygen(path: Path, comment: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True,
                   timeout=60)
    return path.with_name(path.name + ".pub")


def key_line(email: str, pub: Path) -> str:
    return f"{email} {' '.join(pub.read_text(encoding='utf-8').split()[:2])}\n"


@pytest.fixture(scope="session")
def signed_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The group, where the admin has turned signing on: allowed_signers lists 张敏, 刘洋, 孙总."""
    base = tmp_path_factory.mktemp("signed")
    keys = base / "keys"
    with pytest.MonkeyPatch.context() as mp:
        ids = build(base, mp)
        for who in ("zhangmin", "liuyang", "sun", "mallory"):
            keygen(keys / who, who)
        office = Office(base / "office")
        (office.root / "allowed_signers").write_text(
            "".join(key_line(f"{w}@example.com", keys / f"{w}.pub") for w in ("zhangmin", "liuyang", "sun")),
            encoding="utf-8")
        policy = office.root / "complaintctl.yaml"
        policy.write_text(policy.read_text(encoding="utf-8") + "\nsigning: required\n", encoding="utf-8")
        set_identity(mp, "孙总", "sun@example.com")
        office.git("add", "allowed_signers", "complaintctl.yaml")
        office.git("commit", "-q", "-m", "signing required: allowed_signers for SZ and HQ")
        env = {**os.environ, "GL_USER": "sun"}
        proc = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=office.root, env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    yield base, ids


@pytest.fixture
def grp(signed_template: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Group:
    return copy(signed_template, tmp_path / "g", monkeypatch)


def sign_with(grp: Group, who: str) -> None:
    root = grp.office.root
    for k, v in (("gpg.format", "ssh"), ("user.signingkey", str(root.parent / "keys" / f"{who}.pub")),
                 ("commit.gpgsign", "true")):
        grp.git("config", k, v)


def test_unsigned_or_wrongly_signed_commits_are_refused(grp: Group) -> None:
    note = grp.ids["sz_open"]
    grp.office.run("note", note, "未签名")
    sha = grp.git("rev-parse", "HEAD")
    err = grp.refused("main", as_="zhangmin")
    assert f"commit {sha[:10]}: (commit): signature: ACCESS: unsigned, and the policy says signing: required" in err
    grp.git("reset", "-q", "--hard", "origin/main")
    sign_with(grp, "mallory")  # a key nobody listed
    grp.office.run("note", note, "陌生的钥匙")
    err = grp.refused("main", as_="zhangmin")
    assert "(commit): signature: ACCESS: signed with key SHA256:" in err
    assert "which allowed_signers on the server's main does not list" in err
    grp.git("reset", "-q", "--hard", "origin/main")
    sign_with(grp, "liuyang")  # a listed key — but not the committer's
    grp.office.run("note", note, "借用副总的钥匙")
    err = grp.refused("main", as_="zhangmin")
    assert "(commit): signature: ACCESS: signed by liuyang@example.com (key SHA256:" in err
    assert "but committed by 张敏 <zhangmin@example.com>: a commit is signed by its committer's own key" in err
    grp.git("reset", "-q", "--hard", "origin/main")
    sign_with(grp, "zhangmin")
    grp.office.run("note", note, "本人签名")
    grp.accepted("main", as_="zhangmin")


def test_syncs_merge_is_signed_too(grp: Group, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 §4 under §3: the merge sync writes for a case changed on both sides is signed
    like any commit of the clone, so the server accepts it."""
    sign_with(grp, "zhangmin")
    case_id = grp.ids["sz_open"]
    grp.office.run("note", case_id, "在另一台电脑上记的")
    grp.accepted("main", as_="zhangmin")
    grp.git("reset", "-q", "--hard", "HEAD~1")  # this clone had not seen it, and adds its own
    grp.office.run("note", case_id, "在这台电脑上记的")
    monkeypatch.setenv("GL_USER", "zhangmin")
    assert grp.office.run("sync").output.startswith("同步:已合并")
    merge = grp.git("cat-file", "-p", "HEAD")
    assert len([ln for ln in merge.splitlines() if ln.startswith("parent ")]) == 2 and "gpgsig -----BEGIN SSH" in merge
    assert grp.git("rev-parse", "HEAD") == grp.git("rev-parse", "origin/main")


def test_allowed_signers_is_the_admins_and_a_push_cannot_list_its_own_key(grp: Group) -> None:
    sign_with(grp, "zhangmin")
    signers = grp.office.root / "allowed_signers"
    keys = grp.office.root.parent / "keys"
    signers.write_text(signers.read_text(encoding="utf-8") + key_line("zhangmin@example.com", keys / "mallory.pub"),
                       encoding="utf-8")
    grp.git("commit", "-q", "-am", "my second key")
    sign_with(grp, "mallory")
    grp.office.run("note", grp.ids["sz_open"], "用新钥匙")
    err = grp.refused("main", as_="zhangmin")
    assert "allowed_signers: (file): ACCESS: pusher zhangmin (GL_USER) = 张敏 只能修改 cases/" in err
    head = grp.git("rev-parse", "HEAD")
    assert f"commit {head[:10]}: (commit): signature: ACCESS: signed with key" in err  # judged by the old signers


def test_clone_signs_with_the_persons_ssh_key(grp: Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["HOME"])
    (home / ".ssh").mkdir(exist_ok=True)
    shutil.copy(grp.office.root.parent / "keys" / "zhangmin", home / ".ssh" / "id_ed25519")
    shutil.copy(grp.office.root.parent / "keys" / "zhangmin.pub", home / ".ssh" / "id_ed25519.pub")
    result = CliRunner().invoke(cli, ["clone", str(grp.bare), str(tmp_path / "sz")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"signing: commits are signed with {home / '.ssh' / 'id_ed25519.pub'}" in result.output
    assert "does not list this key" not in result.output
    clone = Office(tmp_path / "sz")
    assert clone.git("config", "commit.gpgsign").stdout.strip() == "true"
    clone.run("note", grp.ids["sz_open"], "新克隆,自动签名")
    assert clone.git("log", "-1", "--format=%G?").stdout.strip() == "G"
    proc = subprocess.run(["git", "push", "origin", "main"], cwd=clone.root, capture_output=True, text=True,
                          env={**os.environ, "GL_USER": "zhangmin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # someone whose key the admin has not listed yet is told what to send
    set_identity(monkeypatch, "李工", "ligong@example.com")
    other = keygen(tmp_path / "ligong-key" / "id", "ligong")
    result = CliRunner().invoke(cli, ["clone", str(grp.bare), str(tmp_path / "eng"), "--signing-key", str(other)])
    assert result.exit_code == 0, result.output
    assert "allowed_signers does not list this key yet: ask the admin to add the line" in result.output
    # and nobody with no key at all is left guessing
    (home / ".ssh" / "id_ed25519.pub").unlink()
    result = CliRunner().invoke(cli, ["clone", str(grp.bare), str(tmp_path / "nokey")])
    assert result.exit_code == 0 and "signing: required, and there is no ssh key" in result.output
