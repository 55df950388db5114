"""Output that suits a terminal and scripts (issue 13, items 3, 4, 5, 12 and `--json`): tables
that fit the width (CJK characters two columns), `| head` closing quietly, one time zone (the
office's), progress bars only on a terminal's stderr, and valid JSON from every command that
reports something."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from complaintctl.cli import cli
from complaintctl.output import Col, clip_width, fit, table, wrap_text
from tests.conftest import Office, git_environment

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("terminal")

T = 120  # seconds: every subprocess here has a timeout
NOW = "2026-11-02T10:00:00+08:00"
LONG_SUBJECT = "地下车库B区顶板长期渗水滴落到业主车辆上并造成车漆腐蚀请求赔偿及彻底维修处理"
LONG_DETAILS = ("业主反映地下车库B区顶板自九月以来持续渗水,雨天尤为严重,滴落的污水已造成车漆腐蚀;"
                "多次向物业前台反映未见处理,要求赔偿损失并彻底修复防水层。") * 2
LONG_NOTE = "已联系防水施工单位现场勘察,初步判断为顶板伸缩缝防水失效,需待雨季结束后整体重做,期间先行导流处理。"
BAR_TEXTS = ("indexing cases", "checking cases", "sweeping cases", "writing sample cases", "[#", "[.")


def strict_json(text: str) -> Any:
    """JSON as a strict parser reads it: NaN and Infinity are not JSON."""
    def refuse(token: str) -> Any:
        raise AssertionError(f"not valid JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Office, str]]:
    """A zh office (the property preset) with generated cases and one case with a long subject,
    long details and a long note, all in the week of 2026-10-26."""
    root = tmp_path_factory.mktemp("busy") / "office"
    with pytest.MonkeyPatch.context() as mp:
        git_environment(mp, tmp_path_factory.mktemp("home"))
        mp.setenv("COMPLAINTCTL_NOW", NOW)
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        office = Office(root)
        office.run("sample", "--count", "40", "--since", "2026-09-01", "--until", "2026-10-31")
        case = office.new("--received-at", "2026-10-27 09:00", subject=LONG_SUBJECT, details=LONG_DETAILS,
                          name="欧阳娜娜", location="3栋2单元地下车库B区")
        office.run("assign", case, "--handler", "李工", "--unit", "engineering")
        office.run("note", case, LONG_NOTE)
        yield office, case


def fitted(office: Office, monkeypatch: pytest.MonkeyPatch, width: int, *args: str) -> str:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    monkeypatch.setenv("COLUMNS", str(width))
    return office.run(*args).output


def too_wide(out: str, width: int) -> list[str]:
    return [line for line in out.splitlines() if wcswidth(line) > width]


# ---- tables that fit (item 3) -------------------------------------------------------------------

READING = (("list",), ("show", "{case}"), ("history", "{case}"), ("register", "--week", "2026-W44"),
           ("list", "--overdue"), ("due",), ("search", "渗水"), ("report", "--period", "2026-10"))


@pytest.mark.parametrize("width", [100, 80])
def test_tables_fit_the_terminal(busy: tuple[Office, str], monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    office, case = busy
    for args in READING:
        argv = [a.format(case=case) for a in args]
        if argv[0] == "report" and width < 100:  # its cross table has a column per unit: none to leave out
            continue
        out = fitted(office, monkeypatch, width, *argv)
        assert out.strip(), argv
        assert too_wide(out, width) == [], (argv, too_wide(out, width))
        # the same command with --wide (or in a pipe without COLUMNS) is wider: fitting did something
        if argv[0] in ("list", "show", "history", "register") and width == 80:
            wide = fitted(office, monkeypatch, width, *argv, "--wide")
            assert too_wide(wide, width), argv


def test_wide_and_pipes_show_everything_in_full(busy: tuple[Office, str], monkeypatch: pytest.MonkeyPatch) -> None:
    office, case = busy
    narrow = fitted(office, monkeypatch, 100, "list")
    assert LONG_SUBJECT not in narrow and LONG_SUBJECT[:8] in narrow and "…" in narrow
    assert LONG_SUBJECT in fitted(office, monkeypatch, 100, "list", "--wide")
    monkeypatch.delenv("COLUMNS")  # not a terminal (CliRunner), no COLUMNS: nothing is cut
    assert LONG_SUBJECT in office.run("list").output
    assert "级别" in office.run("list").output  # severity, in the office's language (zh)
    # show wraps what it cannot cut: every character of the details and of the note is there
    shown = fitted(office, monkeypatch, 100, "show", case)
    flat = "".join(line.split("  ")[-1].strip() for line in shown.splitlines())
    assert LONG_DETAILS.replace(" ", "") in flat.replace(" ", "")
    assert LONG_NOTE in flat
    assert "…" not in shown.split("\n\n")[0]  # the field/value table wraps, never cuts
    # narrow: the least telling columns go (severity first), the subject stays
    header = fitted(office, monkeypatch, 100, "list").splitlines()[0]
    assert "投诉事由" in header and "编号" in header and "级别" not in header  # subject, ID, severity
    hist = fitted(office, monkeypatch, 100, "history", case)  # a name rather than half an address
    assert "张敏" in hist and "<" not in hist and "…" not in hist.splitlines()[2].split("  ")[1]
    assert "张敏 <zhangmin@example.com>" in fitted(office, monkeypatch, 100, "history", case, "--wide")
    reg = fitted(office, monkeypatch, 100, "register", "--week", "2026-W44").splitlines()[1]
    assert "投诉事由" in reg and "渠道" not in reg and "投诉人类别" not in reg


def test_cells_are_cut_by_display_width() -> None:
    assert clip_width("电梯故障三天未修", 9) == "电梯故障…"  # 8 + 1 columns, never half a character
    assert wcswidth(clip_width("电梯故障三天未修", 10)) <= 10
    assert clip_width("short", 10) == "short"
    assert clip_width("ｆｕｌｌwidth文字", 7) == "ｆｕｌ…"
    for text, width in (("晚上九点后仍有装修切割声,已多次向门岗反映。", 11), ("the lift has been broken for days", 10),
                        ("mixed 中文 and English words here", 9)):
        lines = wrap_text(text, width)
        assert all(wcswidth(line) <= width for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap_text("the lift has been broken", 10) == ["the lift", "has been", "broken"]


def test_fit_drops_the_highest_first_and_keeps_the_main_column() -> None:
    rows = [["SZ-2610-0001", "一般投诉", "工程维修部", "电梯故障三天未修,业主多次投诉无人处理"]]
    cols = (Col(), Col(drop=2), Col(shrink=6, drop=1), Col(shrink=10, main=True))
    headers = ["ID", "severity", "unit", "subject"]
    assert fit(rows, headers, cols, 200) == table(rows, headers)  # room enough: as before
    out = fit(rows, headers, cols, 62)  # the subject whole, the unit cut beside it
    assert "severity" not in out and "unit" in out and rows[0][3] in out and "工程维修…" in out
    assert all(wcswidth(x) <= 62 for x in out.splitlines())
    out = fit(rows, headers, cols, 40)
    assert "unit" not in out and "subject" in out and all(wcswidth(x) <= 40 for x in out.splitlines())


def test_a_real_terminal_100_columns_wide(busy: tuple[Office, str]) -> None:
    """No COLUMNS: the width is the terminal's own (a pty set to 100 columns, as tmux would be)."""
    office, case = busy
    for args in (["list"], ["show", case], ["history", case], ["register", "--week", "2026-W44"]):
        code, seen = on_a_terminal(office.root, *args, stdout=True, columns=100)
        lines = seen.replace("\r\n", "\n").splitlines()
        assert code == 0 and len(lines) > 3, seen
        assert [line for line in lines if wcswidth(line) > 100] == [], args
        if args[0] == "list":
            assert any(LONG_SUBJECT[:10] in line and "…" in line for line in lines), seen


# ---- pipes (item 4) -----------------------------------------------------------------------------

def run_cli(root: Path, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "complaintctl", "-C", str(root), *args], env=env,
                          capture_output=True, timeout=T, **kw)


def test_reading_commands_into_head_close_quietly(busy: tuple[Office, str]) -> None:
    office, case = busy
    env = dict(os.environ, COMPLAINTCTL_NOW=NOW)
    env.pop("COLUMNS", None)
    for args in ("list", f"history {case}", "register --week 2026-W44", "list --json", f"show {case}"):
        proc = subprocess.run(f"{sys.executable} -m complaintctl -C {office.root} {args} | head -1; "
                              "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", env=env,
                              capture_output=True, timeout=T)
        assert proc.returncode == 0, (args, proc.stderr.decode())
        assert b"BrokenPipe" not in proc.stderr and b"internal error" not in proc.stderr, proc.stderr.decode()


# ---- one time zone (item 5) ---------------------------------------------------------------------

def test_history_shows_the_offices_time_whatever_the_machines(office: Office) -> None:
    env = dict(os.environ, TZ="America/New_York")  # the machine's zone; the office is in +08:00
    env.pop("COMPLAINTCTL_NOW", None)
    env.pop("COLUMNS", None)
    args = ["new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000", "--complainant-class",
            "owner", "--category", "work-efficiency", "--subject", "电梯故障", "--details", "电梯停运"]
    proc = run_cli(office.root, *args, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    case = proc.stdout.decode().split()[0]
    stamp = int(office.git("log", "-1", "--format=%at").stdout)
    git_local = office.git("log", "-1", "--format=%aI").stdout.strip()
    assert not git_local.endswith("+08:00")  # git kept the machine's offset
    office_time = datetime.fromtimestamp(stamp, ZoneInfo("Asia/Shanghai"))
    entries = strict_json(run_cli(office.root, "history", case, "--json", env=env).stdout.decode())
    assert entries[-1]["when"] == office_time.isoformat()
    text = run_cli(office.root, "history", case, env=env).stdout.decode()
    assert office_time.strftime("%Y-%m-%d %H:%M:%S") in text
    machine = datetime.fromtimestamp(stamp, ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    assert machine not in text
    shown = run_cli(office.root, "show", case, env=env).stdout.decode()  # show and due agree
    assert office_time.strftime("%Y-%m-%d %H:%M") in shown and machine not in shown


# ---- progress bars (item 12) --------------------------------------------------------------------

def on_a_terminal(root: Path, *args: str, stdout: bool = False, columns: int = 0) -> tuple[int, str]:
    """Run with stderr (and with `stdout`, stdout too) on a pseudo-terminal `columns` wide;
    what the terminal showed."""
    master, slave = pty.openpty()
    if columns:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = dict(os.environ, COMPLAINTCTL_NOW=NOW)
    env.pop("COLUMNS", None)  # the width comes from the terminal itself
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl", "-C", str(root), *args], env=env,
                            stdout=slave if stdout else subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + T
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    try:
        code = proc.wait(timeout=T)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return code, seen.decode(errors="replace")


def test_progress_only_on_a_terminal(tmp_path: Path, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    result = office.run("sample", "--count", "230", "--since", "2026-09-01", "--until", "2026-10-31")
    assert not any(t in result.stderr for t in BAR_TEXTS), result.stderr
    piped, tty = tmp_path / "piped", tmp_path / "tty"
    for clone in (piped, tty):  # cold: no read index, no verdicts yet
        subprocess.run(["git", "clone", "-q", str(office.root), str(clone)], check=True, timeout=T)
    env = dict(os.environ, COMPLAINTCTL_NOW=NOW)
    for args in (["list"], ["validate"], ["sweep", "--dry-run"]):
        proc = run_cli(piped, *args, env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        assert not any(t.encode() in proc.stderr + proc.stdout for t in BAR_TEXTS), proc.stderr.decode()
    code, seen = on_a_terminal(tty, "list")
    assert code == 0 and "indexing cases" in seen and "230/230" in seen, seen
    code, seen = on_a_terminal(tty, "validate")
    assert code == 0 and "checking cases" in seen, seen


# ---- --json everywhere ---------------------------------------------------------------------------

def test_json_from_every_reporting_command(office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-23T10:00:00+08:00")

    def js(*args: str, code: int = 0) -> Any:
        result = office.run(*args, "--json", ok=False)
        assert result.exit_code == code, result.output
        return strict_json(result.stdout)

    made = js("new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000", "--complainant-class",
              "owner", "--category", "work-efficiency", "--subject", "电梯故障三天未修", "--details", "电梯停运")
    case = made["id"]
    assert made["path"].endswith(f"{case}.yaml") and made["to"] == "received" and made["from"] is None
    assert len(made["commit"]) == 40 and made["repeat_of"] == []
    assigned = js("assign", case, "--handler", "李工", "--unit", "engineering")
    assert assigned == {"id": case, "path": made["path"], "from": "received", "to": "assigned",
                        "commit": office.git("rev-parse", "HEAD").stdout.strip()}
    assert js("note", case, "已联系")["to"] == "assigned"
    assert js("validate") == {"checked": 1, "valid": True, "warnings": [], "findings": []}
    assert [e["subject"].split(":")[0] for e in js("history", case)] == [case] * 3
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-30T10:00:00+08:00")
    due = js("due")
    assert due and {d["id"] for d in due} == {case} and set(due[0]) == {"id", "clock", "due", "state", "left", "how"}
    dry = js("sweep", "--dry-run")
    assert dry["dry_run"] is True and dry["commit"] is None and dry["changes"][0]["id"] == case
    assert dry["changes"][0]["actions"] and set(dry) == {"as_of", "dry_run", "commit", "changes", "skipped"}
    assert office.git("status", "--porcelain").stdout == ""
    swept = js("sweep")
    assert swept["commit"] == office.git("rev-parse", "HEAD").stdout.strip() and swept["changes"]
    assert js("register", "--week", "2026-W48")["rows"][0]["id"] == case
    assert isinstance(js("notify", "--dry-run"), list)
    report = js("report", "--period", "2026-01")  # a period without a case: no NaN anywhere
    assert report["headline"]["received"] == 0
    bull = js("bulletin", "--period", "2026-11", "--out", str(tmp_path / "b"))
    assert bull["commit"] is None and all(Path(f).exists() for f in bull["files"])
    exported = js("export", "--period", "2026-11", "--csv", str(tmp_path / "cases.csv"))
    assert exported["cases"] == 1 and exported["files"] == [str(tmp_path / "cases.csv")]
    imported = js("import", str(tmp_path / "cases.csv"), "--dry-run")
    assert imported[0]["result"] == "nothing new" and imported[0]["candidates"][0]["state"] == "exists"
    sample = js("sample", "--count", "3", "--since", "2026-10-01", "--until", "2026-10-31")
    assert sample["written"] == 3 and len(sample["commits"]) == 1
    office.hand_edit(case, "handler: 李工", "handler: 李工工")
    bad = js("validate", code=1)
    assert bad["valid"] is False and bad["findings"] and {"path", "field", "rule", "message"} == set(bad["findings"][0])
    other = tmp_path / "other"
    assert strict_json(CliRunner().invoke(cli, ["init", str(other), "--preset", "hotel", "--office", "HZ", "--json"],
                                          catch_exceptions=False).stdout)["root"] == str(other.resolve())


def test_every_reporting_command_has_json() -> None:
    """The audit, kept: each command that prints a result has --json (the hooks print to git)."""
    from complaintctl.cli import COMMANDS, load_command

    missing = []
    for name in COMMANDS:
        command = load_command(name)
        subs = list(command.commands.values()) if hasattr(command, "commands") else [command]
        for sub in subs:
            if sub.name in ("pre-commit", "pre-receive", "post-commit", "post-receive", "textconv", "ui"):
                continue  # what git or a browser reads, not a person or a script
            if "--json" not in {o for p in sub.params for o in getattr(p, "opts", [])}:
                missing.append(f"{name} {sub.name}")
    assert missing == []


def test_json_is_never_nan() -> None:
    from complaintctl.output import as_json

    with pytest.raises(ValueError):
        as_json({"rate": float("nan")})


def test_list_times_are_on_the_offices_clock() -> None:
    from complaintctl.reporting.queries import minutes_on

    shanghai = minutes_on(ZoneInfo("Asia/Shanghai"))
    assert shanghai("2026-01-02T16:10:04+08:00") == "2026-01-02 16:10"  # as written: cut, not parsed
    assert shanghai("2026-01-02T03:10:04-05:00") == "2026-01-02 16:10"  # another zone's offset: converted
    assert shanghai("2026-01-02T16:10:04Z") == "2026-01-03 00:10"
    new_york = minutes_on(ZoneInfo("America/New_York"))  # both of a zone's offsets are its own
    assert new_york("2026-07-02T16:10:04-04:00") == "2026-07-02 16:10"
    assert new_york("2026-01-02T16:10:04+08:00") == "2026-01-02 03:10"
