"""Fixtures: real temporary git repositories, a fixed git identity, the real CLI entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintctl import i18n
from complaintctl.cli import cli
from tests.mailserver import mailserver, smtp_session  # noqa: F401  (fixtures: a real SMTP server)
from tests.robotserver import robotserver  # noqa: F401  (fixture: the WeCom and DingTalk robots on 127.0.0.1)

SRC = Path(__file__).resolve().parent.parent


def set_identity(monkeypatch: pytest.MonkeyPatch, name: str, email: str) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, name)
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, email)


@pytest.fixture(autouse=True)
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the developer's $HOME config; hooks run this checkout's code."""
    git_environment(monkeypatch, tmp_path_factory.mktemp("home"))
    # rule functions called directly speak English, whatever office the last in-process command read
    i18n.use("en")


def git_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    # The hooks honour COMPLAINTCTL_NOW only where git config allows it (issue 9): tests do.
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[complaintctl]\n\tallowPinnedNow = true\n",
                                     encoding="utf-8")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # tables in full unless a test sets a width (issue 13)
    monkeypatch.delenv("VISUAL", raising=False)
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    monkeypatch.setenv("COMPLAINTCTL", f"{sys.executable} -m complaintctl")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))


class Office:
    """A case repository made by `complaintctl init`, driven through the real CLI."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()
        self.made = 0  # cases recorded through new(): each later one gets its own complainant

    def run(self, *args: str, ok: bool = True, input: str | None = None) -> Result:
        result = self.runner.invoke(cli, ["-C", str(self.root), *args], input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc

    def show_json(self, case_id: str) -> Any:
        return json.loads(self.run("show", case_id, "--json").output)

    def path(self, case_id: str) -> Path:
        from complaintctl.model.ids import parse_case_id

        return self.root / parse_case_id(case_id).relpath

    def soon(self, case_id: str) -> str:
        """A plan's due within the property preset's first-plan limit (R-DL-1: 3 working days
        from receipt): the day after the case was received, whatever the clock says today."""
        from datetime import date, timedelta

        received = str(self.show_json(case_id)["intake"]["received_at"])[:10]
        return (date.fromisoformat(received) + timedelta(days=1)).isoformat()

    def hand_edit(self, case_id: str, old: str, new: str) -> Path:
        """Edit a case file by hand, as a user in a text editor would (old must be there)."""
        path = self.path(case_id)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    def new(self, *extra: str, **fields: str) -> str:
        """Record a complaint; return its ID."""
        result = self.new_result(*extra, **fields)
        assert result.exit_code == 0, result.output
        return result.output.split()[0]

    def new_result(self, *extra: str, **fields: str) -> Result:
        """Run `new` with a complete set of intake fields (overridable); return the result."""
        n = self.made
        self.made += 1
        # The first case is the classic one; later ones come from other complainants about other
        # matters, so they are not repeats (R-AS-5 sends repeats to senior staff) unless a test says so.
        subject, details = OTHER_MATTERS[(n - 1) % len(OTHER_MATTERS)] if n else ("电梯故障三天未修", "3栋电梯停运三天")
        args = {
            "channel": "phone", "name": "王女士", "contact": f"1380013{8000 + n:04d}", "complainant-class": "owner",
            "category": "work-efficiency", "subject": subject, "details": details,
            "location": "3栋2单元",
        }
        args.update({k.replace("_", "-"): v for k, v in fields.items()})
        argv = [x for k, v in args.items() for x in (f"--{k}", v)]
        return self.run("new", *argv, *extra, ok=False)


OTHER_MATTERS = (
    ("楼道灯不亮已一周", "5栋楼道灯坏了一周没人修"), ("垃圾清运不及时", "小区北门垃圾桶两天未清"),
    ("地库照明太暗", "地下车库B区照明不足"), ("门禁卡失灵", "新办门禁卡刷不开单元门"),
    ("绿化带杂草丛生", "中心花园绿化无人修剪"), ("外墙瓷砖脱落", "7栋外墙瓷砖掉落险些砸人"),
    ("水压不足", "高层早晚水压不够"), ("快递柜故障", "东门快递柜屏幕黑屏"),
    ("噪音扰民", "楼下商铺深夜施工"), ("健身器材损坏", "小区健身区单杠松动"),
    ("车位被占", "固定车位经常被外来车占用"), ("保洁不到位", "电梯厅地面长期有污渍"),
)


_OFFICE_TEMPLATES: dict[tuple[str | None, ...], Path] = {}


def _office_env() -> tuple[str | None, ...]:
    """What `init` reads besides its arguments: who runs it, the clock and the settings the
    hooks honour, and git's global configuration."""
    names = sorted(k for k in os.environ if k.startswith(("COMPLAINTCTL", "GIT_")) and k != "GIT_CONFIG_GLOBAL")
    config = Path(os.environ.get("GIT_CONFIG_GLOBAL", "/nonexistent"))
    return (*(f"{k}={os.environ[k]}" for k in names), config.read_text(encoding="utf-8") if config.exists() else None)


@pytest.fixture
def office(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """A fresh `complaintctl init --preset property --office SZ`. init is run once per worker for
    each environment it could read (identity, clock, git config) and the result copied per test:
    the copy is the same repository init would have made there, paths included (init writes none)."""
    root = tmp_path / "office"
    key = _office_env()
    template = _OFFICE_TEMPLATES.get(key)
    if template is None or not template.exists():
        template = tmp_path_factory.mktemp("office-template") / "office"
        result = CliRunner().invoke(cli, ["init", str(template), "--preset", "property", "--office", "SZ"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        _OFFICE_TEMPLATES[key] = template
    shutil.copytree(template, root, symlinks=True)
    yield Office(root)


@pytest.fixture
def bare_remote(tmp_path: Path, office: Office) -> Path:
    """A bare repository with complaintctl's pre-receive hook installed, as on a server."""
    return make_bare_remote(tmp_path / "remote.git", office)


# ---- one office with a case in every state, built once per session and copied per test ----

NOW = "2026-11-22T17:30:00+08:00"  # COMPLAINTCTL_NOW for the CLI and the hooks alike
ACCUSED = "赵六"


def build_every_state(office: Office) -> dict[str, str]:
    """One case per state, plus one a dissatisfied revisit sent back to in_progress; every case
    names an accused person (R-RT-3)."""
    def new(subject: str, category: str = "work-efficiency") -> str:
        return office.new("--received-at", "2026-11-20 09:00", "--accused", ACCUSED,
                          subject=subject, category=category)

    ids: dict[str, str] = {}
    ids["received"] = new("楼道灯不亮", "other")
    subjects = {"assigned": "电梯故障停运", "in_progress": "水管爆裂漏水", "waiting": "空调外机噪音",
                "resolved": "地漏返臭味", "closed": "窗户密封条老化", "dissatisfied": "电表计数异常",
                "invalid": "要求减免物业费"}
    for state in ("assigned", "in_progress", "waiting", "resolved", "closed", "dissatisfied", "invalid"):
        ids[state] = case_id = new(subjects[state])
        if state == "invalid":
            office.run("invalid", case_id, "--reason", "out-of-scope", "--reply", "不属于物业服务范围,已说明")
            continue
        office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
        if state == "assigned":
            continue
        office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-25")
        if state == "waiting":
            office.run("wait", case_id, "--reason", "等待厂家配件")
        if state in ("in_progress", "waiting"):
            continue
        office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
        if state == "dissatisfied":
            office.run("revisit", case_id, "--satisfaction", "dissatisfied", "--comment", "仍有异响")
        if state == "closed":
            office.run("revisit", case_id, "--satisfaction", "satisfied")
            office.run("close", case_id, "--root-cause", "备件库存不足", "--lesson", "主板列入常备件")
    return ids


@pytest.fixture(scope="session")
def every_state_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An office (with a bare remote holding its history) and the ID of a case in each state."""
    with pytest.MonkeyPatch.context() as mp:
        git_environment(mp, tmp_path_factory.mktemp("home"))
        mp.setenv("COMPLAINTCTL_NOW", NOW)
        base = tmp_path_factory.mktemp("every-state")
        root = base / "office"
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
        assert result.exit_code == 0, result.output
        office = Office(root)
        office.git("config", "core.hooksPath", ".no-hooks")  # build fast; the CLI validates on its own
        ids = build_every_state(office)
        ids.update(clone_cases(office, ids))
        office.git("config", "--unset", "core.hooksPath")  # back to the installed .git/hooks
        office.git("repack", "-adq")  # one pack instead of hundreds of loose objects: cheap copies
        office.git("prune-packed")
        make_bare_remote(base / "remote.git", office)
    return base, ids


CLONES = 12  # spare copies of each case, so one commit can break a rule in each of many files


def clone_cases(office: Office, ids: dict[str, str]) -> dict[str, str]:
    """`state#k` → a copy of that state's case under a new serial (same content, its own ID)."""
    clones: dict[str, str] = {}
    for n, state in enumerate(("received", "assigned", "in_progress", "resolved", "invalid"), 1):
        text = office.path(ids[state]).read_text(encoding="utf-8")
        for k in range(1, CLONES + 1):
            clone = f"SZ-2611-{n}{k:03d}"
            office.path(clone).write_text(text.replace(ids[state], clone), encoding="utf-8")
            clones[f"{state}#{k}"] = clone
    office.git("add", "cases")
    office.git("commit", "-q", "--no-verify", "-m", "spare copies of each case for the hook tests")
    return clones


def make_bare_remote(bare: Path, office: Office) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text((SRC / "hooks" / "pre-receive").read_text(encoding="utf-8"), encoding="utf-8")
    hook.chmod(0o755)
    # A local remote gives the hook no pusher identity: one office's own, as `server init
    # --allow-anonymous` sets it up (docs/server.md).
    subprocess.run(["git", "config", "complaintctl.allowAnonymous", "true"], cwd=bare, check=True, timeout=60)
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "--no-verify", "origin", "main")
    return bare


@pytest.fixture
def states(every_state_template: tuple[Path, dict[str, str]], tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> tuple[Office, dict[str, str]]:
    """A private copy of the every-state office (and its remote, as `origin`)."""
    base, ids = every_state_template
    shutil.copytree(base, tmp_path / "copy", symlinks=True)
    office = Office(tmp_path / "copy" / "office")
    office.made = 50  # new complainants for the cases a test adds: not repeats of the fixture's (R-AS-5)
    office.git("remote", "set-url", "origin", str(tmp_path / "copy" / "remote.git"))
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    return office, ids
