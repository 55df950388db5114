"""Issue 11 §2: the shared repository behind gitolite, over a real sshd on 127.0.0.1.

One session-scoped server: its own Unix user running gitolite (with the gitolite.conf that
docs/server.md shows for a group of two offices), sshd from a private config on a free port,
ssh keys for three people in two offices (SZ: 张敏 and the vice-president 刘洋; GZ: 周华) and
for the admin (孙总, role hq). `complaintctl server init --layout gitolite` installs the hook;
gitolite names the pusher in GL_USER. The smoke subset of test_trust's matrix runs over it.
Everything started is stopped (sshd by its PID) and removed (the user, its home)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SRC, Office, set_identity
from tests.gitolite_server import Gitolite, Unavailable, serve
from tests.group import NOW, build

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("gitolite")

KEYS = ("sun", "zhangmin", "liuyang", "zhouhua")  # the admin first: gitolite's own admin too


def conf_from_docs() -> str:
    """The gitolite.conf docs/server.md shows, exactly."""
    text = (SRC / "docs" / "server.md").read_text(encoding="utf-8")
    found = re.search(r"```\n(# gitolite\.conf.*?)```", text, re.DOTALL)
    assert found, "docs/server.md shows no gitolite.conf block"
    return found.group(1)


@pytest.fixture(scope="session")
def gitolite() -> Iterator[Gitolite]:
    try:
        # The tests pin the clock (sshd's SetEnv COMPLAINTCTL_NOW, allowed by the repository).
        with serve(KEYS, conf_from_docs(), pinned_now=NOW) as server:
            hook = (server.repo / "hooks" / "pre-receive").read_text(encoding="utf-8")
            assert "complaintctl" in hook and (server.repo / "hooks" / "update").is_symlink()
            yield server
    except Unavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def filled(gitolite: Gitolite, tmp_path_factory: pytest.TempPathFactory) -> Gitolite:
    """The group's history pushed in by the admin: the very first push, validated only."""
    base = tmp_path_factory.mktemp("gitolite-group")
    with pytest.MonkeyPatch.context() as mp:
        build(base, mp)
        office = base / "office"
        subprocess.run(["git", "remote", "set-url", "origin", gitolite.url], cwd=office, check=True, timeout=60)
        proc = subprocess.run(["git", "push", "origin", "main"], cwd=office, capture_output=True, text=True,
                              env=gitolite.env("sun"), timeout=120)
        assert proc.returncode == 0, proc.stderr
    return gitolite


def ssh_clone(server: Gitolite, who: str, dest: Path, office: str | None = None) -> Office:
    env = server.env(who)
    args = [sys.executable, "-m", "complaintctl", "clone", server.url, str(dest),
            *(["--office", office] if office else [])]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["git", "config", "core.sshCommand", env["GIT_SSH_COMMAND"]], cwd=dest, check=True, timeout=60)
    return Office(dest)


def push(office: Office, *args: str, key: Gitolite | None = None, who: str = "") -> tuple[int, str]:
    """Push with the clone's own key, or with `who`'s."""
    ssh = ["-c", f"core.sshCommand={key.env(who)['GIT_SSH_COMMAND']}"] if key else []
    proc = office.git(*ssh, "push", "origin", *args, check=False)
    return proc.returncode, proc.stderr


def test_gitolite_names_the_pusher_and_the_hook_refuses_what_it_must(filled: Gitolite, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sz = ssh_clone(filled, "zhangmin", tmp_path / "sz")
    gz_case = next(p.stem for p in (sz.root / "cases").rglob("GZ-*.yaml"))
    sz_case = sorted(p.stem for p in (sz.root / "cases").rglob("SZ-*.yaml"))[0]
    # office SZ's clerk may not touch GZ's case
    sz.run("note", gz_case, "深圳来补充一句")
    result = sz.run("sync", ok=False)
    assert f"{gz_case}.yaml: id: ACCESS: pusher zhangmin (GL_USER) = 张敏 隶属 SZ 办公室," \
           "不能新建或修改 GZ 办公室的案件" in result.output, result.output
    sz.git("reset", "-q", "--hard", "origin/main")
    # nor push a commit in the vice-president's name, nor write his approval in her own
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")
    sz.run("extend", sz_case, "--clock", "dispatch", "--until", "2026-11-30", "--reason", "等待配件")
    code, err = push(sz, "main")
    assert code != 0 and "刘洋 <liuyang@example.com> 既不是 pusher zhangmin (GL_USER) = 张敏" in err, err
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    sz.git("commit", "-q", "--amend", "--no-edit", "--reset-author", "--no-verify")  # his approval, her commit
    code, err = push(sz, "main")
    assert code != 0 and "R-DL-2: 张敏 无权执行 extend:须具有制度规定的 vp 或 gm 角色" in err, err
    sz.git("reset", "-q", "--hard", "origin/main")
    # no new branch or tag, no force-push, no deletion of main
    sz.git("tag", "v1")
    code, err = push(sz, "main:refs/heads/feature", "v1")
    assert code != 0 and "refs/heads/feature: ACCESS: creating a branch or tag other than main needs the admin " \
        "role (hq); pusher zhangmin (GL_USER) = 张敏" in err and "refs/tags/v1: ACCESS: creating" in err
    sz.new(subject="第一件")
    assert sz.run("sync").exit_code == 0  # the honest path goes through
    sz.git("reset", "-q", "--hard", "HEAD~1")
    sz.new(subject="改写历史")
    code, err = push(sz, "--force", "main")
    assert code != 0 and "non-fast-forward update refused" in err
    code, err = push(sz, ":main")
    assert code != 0 and "deleting main is refused" in err


def test_gitolite_the_admin_and_the_other_office(filled: Gitolite, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sz = ssh_clone(filled, "zhangmin", tmp_path / "sz")
    sz.git("branch", "archive")
    code, err = push(sz, "archive", key=filled, who="sun")  # the admin may make a branch
    assert code == 0, err
    code, err = push(sz, ":archive")
    assert code != 0 and "refs/heads/archive: ACCESS: deleting a branch or tag other than main needs the admin " \
        "role (hq); pusher zhangmin (GL_USER) = 张敏" in err, err
    # a merge that takes the root commit's tree (issue 11 §0), over ssh
    root = sz.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    merge = sz.git("commit-tree", f"{root}^{{tree}}", "-p", "HEAD", "-p", root, "-m", "old tree").stdout.strip()
    code, err = push(sz, f"{merge}:refs/heads/main")
    assert code != 0 and "R-CL-3: a merge may not drop a case file" in err
    # GZ's own clerk records GZ's complaint, through gitolite, with GZ's key
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    sz.git("config", "complaintctl.office", "GZ")
    assert sz.new(subject="广州的投诉").startswith("GZ-")
    code, err = push(sz, "main", key=filled, who="zhouhua")
    assert code == 0, err
    code, err = push(sz, "main:refs/heads/gz-work", key=filled, who="zhouhua")
    assert code != 0 and "pusher zhouhua (GL_USER) = 周华 has roles staff" in err


def test_gitolite_stamps_each_push_and_nobody_pushes_stamps(filled: Gitolite, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded time behind gitolite: post-receive (kept by `gitolite setup`) stamps what main
    accepted with GL_USER's login; `complaintctl clone` and `sync` fetch the stamps; not even
    the admin may push under refs/notes/complaintctl/."""
    from complaintctl.model.stamp import entry_digest
    from complaintctl.repo import stamps
    from complaintctl.repo.git import Git

    assert "complaintctl hook post-receive" in (filled.repo / "hooks" / "post-receive").read_text(encoding="utf-8")
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sz = ssh_clone(filled, "zhangmin", tmp_path / "sz")
    assert stamps.NOTES_REFSPEC in sz.git("config", "--get-all", "remote.origin.fetch").stdout
    case_id = sz.new(subject="记录时间")
    assert sz.run("sync").exit_code == 0
    from complaintctl.model.case import load_plain

    entry = load_plain(sz.path(case_id).read_text(encoding="utf-8"), case_id)["timeline"][0]
    notes = [n for _, n in stamps.read_notes(Git.open(sz.root))[1] if n.pusher == "zhangmin"]
    assert [(case_id, entry_digest(entry), 1)] in [list(n.entries) for n in notes]
    sz.git("notes", "--ref", stamps.NOTES_REF, "add", "-f", "-m", "complaintctl-received 1", "HEAD")
    code, err = push(sz, f"{stamps.NOTES_REF}:{stamps.NOTES_REF}", "--force", key=filled, who="sun")
    assert code != 0 and "记录时间注记只能由本服务器写入" in err, err
