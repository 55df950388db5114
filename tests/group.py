"""A group repository for the server's trust tests (issue 11): two offices and HQ, people with
server logins, a few cases, served from a bare repository made by `complaintctl server init`.
Built once per session and copied per test; pushes go over the file transport with the
pusher's variable in the environment (a local push runs the hook with ours)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import Office, git_environment, set_identity

BUILT = "2026-11-22T09:30:00+08:00"  # the history is made in the morning ...
NOW = "2026-11-22T17:30:00+08:00"  # ... and the tests push in the afternoon
OFFICES = """offices:
  SZ: 深圳物业
  GZ: 广州物业
  HQ: 集团客户关系协调中心
"""
# Three people in two offices (SZ: a clerk and the vice-president; GZ: a clerk), SZ's engineer
# whose commits the SZ clerk may push, and the admin (role hq) at HQ.
PEOPLE = """people:
  - {name: 张敏, email: zhangmin@example.com, login: zhangmin, office: SZ, unit: customer-service,
     roles: [staff, dispatcher], acts_for: [李工]}
  - {name: 李工, email: ligong@example.com, login: ligong, office: SZ, unit: engineering, roles: [staff]}
  - {name: 刘洋, email: liuyang@example.com, login: liuyang, office: SZ, unit: management-office, roles: [vp]}
  - {name: 周华, email: zhouhua@example.com, login: zhouhua, office: GZ, unit: customer-service, roles: [staff]}
  - {name: 孙总, email: sun@example.com, login: sun, office: HQ, unit: coordination-centre, roles: [hq, gm]}
"""
WHO = {"zhangmin": ("张敏", "zhangmin@example.com"), "ligong": ("李工", "ligong@example.com"),
       "liuyang": ("刘洋", "liuyang@example.com"), "zhouhua": ("周华", "zhouhua@example.com"),
       "sun": ("孙总", "sun@example.com")}
PUSHER_VARS = ("GL_USER", "GITEA_PUSHER_NAME", "GL_USERNAME", "COMPLAINTCTL_PUSHER")


def group_policy(text: str) -> str:
    """The property preset's policy made a group's: offices, people with logins."""
    text = re.sub(r"^people:\n(  - .*\n)+", PEOPLE, text, count=1, flags=re.MULTILINE)
    assert "login: sun" in text
    return text.replace("\npeople:\n", f"\n{OFFICES}\npeople:\n", 1)


@dataclass(frozen=True)
class Group:
    office: Office  # SZ's clone, pushing to `bare` as origin
    bare: Path
    ids: Mapping[str, str]  # sz_open, sz_closed, gz

    def refs(self) -> str:
        out = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)"], cwd=self.bare,
                             capture_output=True, text=True, timeout=60)
        return out.stdout

    def push(self, *args: str, as_: str | None = None, var: str = "GL_USER") -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if k not in PUSHER_VARS}
        if as_:
            env[var] = as_
        proc = subprocess.run(["git", "push", "origin", *args], cwd=self.office.root, capture_output=True,
                              text=True, env=env, timeout=120)
        return proc.returncode, proc.stderr

    def refused(self, *args: str, as_: str | None = None, var: str = "GL_USER") -> str:
        before = self.refs()
        code, err = self.push(*args, as_=as_, var=var)
        assert code != 0, err
        assert "推送被拒绝" in err, err
        assert self.refs() == before  # the server holds what it held
        return err

    def accepted(self, *args: str, as_: str | None = None) -> None:
        code, err = self.push(*args, as_=as_)
        assert code == 0, err

    def git(self, *args: str, who: str | None = None) -> str:
        env = dict(os.environ)
        if who:
            name, email = WHO[who]
            env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
                       GIT_COMMITTER_EMAIL=email)
        proc = subprocess.run(["git", *args], cwd=self.office.root, capture_output=True, text=True, env=env,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def blob(self, text: str) -> str:
        proc = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=self.office.root, input=text,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def tree(self, base: str, files: Mapping[str, str | None]) -> str:
        """`base`'s tree with some files replaced (text or a blob sha) or removed (None)."""
        index = self.office.root / ".git" / "test-index"
        env = {**os.environ, "GIT_INDEX_FILE": str(index)}
        try:
            def run(*args: str) -> str:
                proc = subprocess.run(["git", *args], cwd=self.office.root, capture_output=True, text=True,
                                      env=env, timeout=60)
                assert proc.returncode == 0, proc.stderr
                return proc.stdout.strip()
            run("read-tree", base)
            for path, content in files.items():
                if content is None:
                    run("update-index", "--force-remove", "--", path)
                else:
                    sha = content if re.fullmatch(r"[0-9a-f]{40}", content) else self.blob(content)
                    run("update-index", "--add", "--cacheinfo", f"100644,{sha},{path}")
            return run("write-tree")
        finally:
            index.unlink(missing_ok=True)

    def commit_tree(self, tree: str, *parents: str, message: str = "crafted", who: str = "zhangmin") -> str:
        args = [x for p in parents for x in ("-p", p)]
        return self.git("commit-tree", tree, *args, "-m", message, who=who)

    def case_path(self, key: str) -> str:
        return self.office.path(self.ids[key]).relative_to(self.office.root).as_posix()

    def versions(self, key: str) -> list[str]:
        """The commits that changed one case, newest first."""
        return self.git("log", "--format=%H", "--", self.case_path(key)).split()


def build(base: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The group's history, its bare server repository (remote.git) and SZ's clone (office)."""
    (base / "home").mkdir()
    git_environment(monkeypatch, base / "home")
    monkeypatch.setenv("COMPLAINTCTL_NOW", BUILT)
    root = base / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
    assert result.exit_code == 0, result.output
    office = Office(root)
    office.git("config", "core.hooksPath", ".no-hooks")  # build fast; the CLI validates on its own
    policy = root / "complaintctl.yaml"
    policy.write_text(group_policy(policy.read_text(encoding="utf-8")), encoding="utf-8")
    office.git("commit", "-qam", "group policy: offices SZ, GZ, HQ; server logins")
    ids = {"sz_open": office.new(subject="电梯异响", received_at="2026-11-20 09:00")}
    office.run("assign", ids["sz_open"], "--handler", "李工", "--unit", "engineering")
    ids["sz_closed"] = office.new(subject="电梯停运", received_at="2026-11-20 09:30")
    office.run("assign", ids["sz_closed"], "--handler", "李工", "--unit", "engineering")
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("plan", ids["sz_closed"], "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-25")
    office.run("resolve", ids["sz_closed"], "--outcome", "repair", "--summary", "已更换主板")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    office.run("revisit", ids["sz_closed"], "--satisfaction", "satisfied")
    office.run("close", ids["sz_closed"], "--root-cause", "备件库存不足", "--lesson", "主板列入常备件")
    office.git("config", "complaintctl.office", "GZ")
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    ids["gz"] = office.new(subject="停车场积水", received_at="2026-11-21 09:00")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    office.git("config", "--unset", "complaintctl.office")
    office.git("config", "--unset", "core.hooksPath")
    bare = base / "remote.git"
    result = CliRunner().invoke(cli, ["server", "init", str(bare)])
    assert result.exit_code == 0, result.output
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "origin", "main")  # the first push: validated, judged by nobody yet
    office.git("fetch", "-q", "origin")
    return ids


def copy(template: tuple[Path, dict[str, str]], dest: Path, monkeypatch: pytest.MonkeyPatch) -> Group:
    base, ids = template
    shutil.copytree(base, dest, symlinks=True)
    office = Office(dest / "office")
    office.git("remote", "set-url", "origin", str(dest / "remote.git"))
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    return Group(office, dest / "remote.git", ids)
