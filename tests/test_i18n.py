"""One language end to end (issue 13, items 1, 2, 6, 7): every word the CLI prints comes from
the gettext catalog in the policy's `language`; vocabulary options take a key or a label in
either language; durations are two units, truncated."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintctl import i18n, labels
from complaintctl.commands import intake
from tests.conftest import Office

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "complaintctl/locale/zh/LC_MESSAGES/complaintctl.po"
MO = PO.with_suffix(".mo")
States = tuple[Office, dict[str, str]]


def set_language(office: Office, language: str) -> None:
    """The office switches its policy's language (committed, as an office would)."""
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(re.sub(r"(?m)^language: \w+$", f"language: {language}", text), encoding="utf-8")
    office.git("commit", "-qm", f"language: {language}", "--", "complaintctl.yaml")


# ---- the catalog ----

def test_every_message_in_the_code_has_a_zh_translation() -> None:
    """Extract every msgid from the code as `pybabel extract` does (docs/i18n.md): each has a
    non-empty, non-fuzzy zh translation — a new message without one fails here."""
    babel = pytest.importorskip("babel.messages.extract", reason="Babel is a dev dependency")
    from babel.messages.pofile import read_po

    keywords = dict(babel.DEFAULT_KEYWORDS, _p=((1, "c"), 2))
    found = {(ctx, msg if isinstance(msg, str) else msg[0])
             for _file, _line, msg, _comments, ctx in
             babel.extract_from_dir(str(ROOT / "complaintctl"), method_map=[("**.py", "python")], keywords=keywords)}
    assert len(found) > 150  # the extraction saw the code
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    translated = {(m.context, m.id): m for m in catalog if m.id}
    missing = sorted(str(k) for k in found if k not in translated or not translated[k].string
                     or translated[k].fuzzy)
    assert not missing, f"untranslated in {PO.name}: {missing}"


def test_the_compiled_catalog_is_current() -> None:
    """The committed .mo (what a plain `pip install .` ships) says what the .po says."""
    babel = pytest.importorskip("babel.messages.pofile", reason="Babel is a dev dependency")
    with PO.open("rb") as f:
        catalog = babel.read_po(f, locale="zh")
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in catalog:
        if m.id and m.string:
            got = compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)
            assert got == m.string, f"{MO.name} is stale for {m.id!r}: run pybabel compile (docs/i18n.md)"
    # the package finds it where it ships (complaintctl/locale, inside the wheel)
    assert isinstance(i18n.translations("zh"), gettext.GNUTranslations)
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(MO.relative_to(ROOT))], cwd=ROOT,
                             capture_output=True, text=True, timeout=30)
    assert tracked.returncode == 0, "the compiled catalog must be committed: the wheel ships tracked files"


# ---- durations: two units, truncated (never rounded up) ----

@pytest.mark.parametrize(("seconds", "en", "zh"), [
    ((3 * 24 + 14) * 3600 + 59 * 60 + 59, "3d 14h", "3天14小时"),  # format_timedelta would say 4天
    (23 * 3600 + 59 * 60, "23h 59m", "23小时59分"),
    (59 * 60 + 59, "59 min", "59分钟"),
    (59, "under a minute", "不足1分钟"),
])
def test_durations_are_two_units_truncated(seconds: int, en: str, zh: str) -> None:
    try:
        i18n.use("en")
        assert i18n.span(seconds) == en
        i18n.use("zh")
        assert i18n.span(seconds) == zh
    finally:
        i18n.use("en")


@pytest.mark.parametrize(("days", "seconds", "en", "zh"), [
    (2, 5 * 3600 + 59 * 60, "2 working days 5h", "2个工作日5小时"),
    (1, 0, "1 working day", "1个工作日"),
    (0, 3 * 3600 + 20 * 60, "3h 20m working", "3小时20分(工作时间)"),  # the same day: hours, never "0 days"
    (0, 30, "under a working minute", "不足1分钟(工作时间)"),
])
def test_working_time_is_working_days_and_hours(days: int, seconds: float, en: str, zh: str) -> None:
    try:
        i18n.use("en")
        assert i18n.duration(days, seconds, working=True) == en
        i18n.use("zh")
        assert i18n.duration(days, seconds, working=True) == zh
    finally:
        i18n.use("en")


def test_show_gives_the_time_left_in_two_truncated_units(states: States) -> None:
    office, ids = states
    case_id = ids["received"]
    # the dispatch clock runs in clock time: 3 days 14 h 59 min 59 s before it is due, `show`
    # says 3 days 14 hours are left — never "4 days" (issue 13)
    due = datetime.fromisoformat(str(office.show_json(case_id)["clocks"]["dispatch"]["due"]))
    as_of = (due - timedelta(days=3, hours=14, minutes=59, seconds=59)).isoformat()
    rows = [line.split() for line in office.run("show", case_id, "--as-of", as_of).output.splitlines()]
    assert ["派单", *due.strftime("%Y-%m-%d %H:%M").split(), "计时中", "剩余3天14小时"] in rows, rows
    set_language(office, "en")
    rows = [line.split() for line in office.run("show", case_id, "--as-of", as_of).output.splitlines()]
    assert ["Dispatch", *due.strftime("%Y-%m-%d %H:%M").split(), "running", "3d", "14h", "left"] in rows, rows


# ---- item 1: one language in show, list, register and the exports ----

def test_show_prints_the_labels_the_register_prints(states: States, tmp_path: Path) -> None:
    office, ids = states
    text = office.run("show", ids["closed"]).output
    for word in ("维修", "满意", "已结案", "派单", "编号", "状态", "投诉类别", "已受理 → 已派单", "时限", "电话"):
        assert word in text, word
    for word in ("repair", "satisfied", "closed", "assign", "status", "category", "clock", "phone"):
        assert not re.search(rf"\b{word}\b", text), word
    register = office.run("register", "--week", "2026-11-20").output
    for word in ("维修", "满意", "已结案", "处理中", "等待中"):
        assert word in register, word
    assert "in_progress" not in register and "closed" not in register
    csv = tmp_path / "r.csv"
    xlsx = tmp_path / "r.xlsx"
    office.run("register", "--week", "2026-11-20", "--csv", str(csv), "--xlsx", str(xlsx))
    assert "处理中" in csv.read_text(encoding="utf-8-sig") and "in_progress" not in csv.read_text(encoding="utf-8-sig")
    from openpyxl import load_workbook

    cells = {str(c.value) for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row}
    assert "处理中" in cells and "已结案" in cells and "in_progress" not in cells


def test_list_speaks_the_office_language_and_english_when_the_policy_says_en(states: States) -> None:
    office, ids = states
    out = office.run("list").output
    assert out.splitlines()[0].split()[:3] == ["编号", "状态", "受理时间"]
    assert "处理中" in out and "in_progress" not in out and "共 " in out
    set_language(office, "en")
    out = office.run("list").output
    assert out.splitlines()[0].split()[:3] == ["ID", "status", "received"]
    assert "In progress" in out and "Work efficiency" in out and "处理中" not in out and "工作效率" not in out


# ---- item 2: filters take a key or a label in either language; anything else is exit 2 ----

@pytest.mark.parametrize("args", [
    ("--category", "工作效率"), ("--category", "Work efficiency"), ("--category", "work-efficiency"),
    ("--unit", "工程维修部"), ("--unit", "Engineering and repairs"),
    ("--status", "已结案"), ("--status", "Closed"), ("--status", "closed"),
    ("--severity", "一般投诉"), ("--severity", "General"),
])
def test_filters_take_a_key_or_a_label(states: States, args: tuple[str, str]) -> None:
    office, ids = states
    rows = {line.split()[0] for line in office.run("list", *args, "--json").output.split('"id": "')[1:]}
    assert rows, args
    found = {r.split('"')[0] for r in rows}
    if args[0] == "--status":
        assert found == {ids["closed"]}
    elif args[0] == "--severity":
        assert ids["closed"] in found
    else:
        assert ids["closed"] in found and ids["received"] not in found  # the received case is `other`, no unit


@pytest.mark.parametrize(("option", "value", "choice"), [
    ("--status", "bogus", "in_progress (处理中)"), ("--category", "工作", "work-efficiency (工作效率)"),
    ("--unit", "工程部", "engineering (工程维修部)"), ("--severity", "critical", "emergency (紧急抢险抢修)"),
])
def test_an_unknown_filter_value_is_a_usage_error_listing_the_choices(states: States, option: str, value: str,
                                                                       choice: str) -> None:
    office, _ = states
    result = office.run("list", option, value, ok=False)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误:{option}:") and choice in lines[0], lines


def test_commands_that_take_a_vocabulary_take_its_labels(office: Office) -> None:
    case_id = office.new(channel="电话", **{"complainant-class": "业主", "category": "工作效率"})
    office.run("assign", case_id, "--handler", "李工", "--unit", "工程维修部")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", office.soon(case_id))
    office.run("resolve", case_id, "--outcome", "维修", "--summary", "已更换主板")
    office.run("revisit", case_id, "--satisfaction", "满意")
    data = office.show_json(case_id)
    assert data["intake"]["channel"] == "phone" and data["intake"]["complainant"]["class"] == "owner"
    assert data["routing"]["unit"] == "engineering" and data["resolution"]["outcome"] == "repair"
    assert data["revisit"]["satisfaction"] == "satisfied"
    bad = office.run("resolve", case_id, "--outcome", "修好了", "--summary", "x", ok=False)
    assert bad.exit_code == 2 and "repair (维修)" in bad.output


def test_new_prompts_in_the_office_language_and_takes_a_label(office: Office,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "stdin_is_terminal", lambda: True)
    answers = "电视\n电话\n王女士\n13800138000\n业主\n工作效率\n电梯故障三天未修\n3栋电梯停运三天\n"
    result = office.run("new", input=answers)
    assert "渠道 (当面 / 电话" in result.output and "投诉人姓名" in result.output
    assert "'电视' 不在可选值中" in result.output  # asked again, with the choices
    case_id = result.output.strip().splitlines()[-1].split()[0]
    data = office.show_json(case_id)
    assert data["intake"]["channel"] == "phone" and data["assessment"]["category"] == "work-efficiency"


# ---- item 7: vocabulary options' help lists the office's own values, and stays fast ----

def test_severity_help_lists_the_office_severities(office: Office) -> None:
    for command in ("list", "new"):
        text = " ".join(office.run(command, "--help").output.split())
        assert "general, major, emergency" in text, command  # the property preset has three


def test_help_imports_no_babel() -> None:
    code = ("import sys; sys.argv = ['complaintctl', 'list', '--help']\n"
            "from complaintctl.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    modules = set(proc.stderr.split())
    assert "complaintctl.commands.query" in modules and not {m for m in modules if m.startswith("babel")}


# ---- item 6: validate counts the files that have findings ----

def test_validate_counts_the_files_with_findings(states: States) -> None:
    office, ids = states
    office.hand_edit(ids["closed"], "channel: phone", "channel: pigeon")
    office.hand_edit(ids["closed"], "category: work-efficiency", "category: nonsense")
    result = office.run("validate", ok=False)
    assert result.exit_code == 1
    summary = result.output.strip().splitlines()[-1]
    assert re.fullmatch(rf"1 个案件文件中有 \d+ 项问题\(共检查 {len(ids)} 个\)", summary), summary
    assert "R-" in result.output  # rule IDs stay as they are
    set_language(office, "en")  # the hand edits stay in the work tree
    summary = office.run("validate", ok=False).output.strip().splitlines()[-1]
    assert re.fullmatch(rf"\d+ finding\(s\) in 1 case file\(s\) \({len(ids)} checked\)", summary), summary


# ---- messages: the CLI edge and the hooks speak the office's language ----

def test_errors_and_hook_refusals_speak_the_office_language(states: States) -> None:
    office, ids = states
    result = office.run("show", "SZ-2611-0999", ok=False)
    assert result.exit_code == 1 and result.output.startswith("错误:")
    office.hand_edit(ids["closed"], "category: work-efficiency", "category: nonsense")
    commit = office.git("commit", "-qam", "hand edit", check=False)
    assert commit.returncode != 0
    assert "complaintctl:提交被拒绝" in commit.stderr and "R-" in commit.stderr
    office.git("checkout", "--", ".")
    set_language(office, "en")
    office.hand_edit(ids["closed"], "category: work-efficiency", "category: nonsense")
    commit = office.git("commit", "-qam", "hand edit", check=False)
    assert commit.returncode != 0 and "complaintctl: commit refused" in commit.stderr


def test_fixed_vocabularies_have_both_languages() -> None:
    for table in (labels.STATUSES, labels.SATISFACTION, labels.CLOCK_STATES, labels.ACTIONS):
        zh, en = labels.words("zh", table), labels.words("en", table)
        assert all(zh[k] != en[k] for k in table), [k for k in table if zh[k] == en[k]]
    assert labels.resolve("已结案", labels.names(labels.STATUSES)) == "closed"
    assert labels.resolve("in progress", labels.names(labels.STATUSES)) == "in_progress"
    assert labels.resolve("nope", labels.names(labels.STATUSES)) is None


# ---- rule findings: the CLI, the pre-commit hook and the pre-receive hook (issue 13, item 1) ----

CATEGORY_FINDING = {
    "zh": "assessment.category: R-DEF-3: 'nonsense' 不在制度规定的投诉类别中",
    "en": "assessment.category: R-DEF-3: 'nonsense' is not in the policy's categories",
}
SUBJECT_FINDING = {
    "zh": "intake.subject: R-IN-1: 案件状态为“已受理”时必填",
    "en": "intake.subject: R-IN-1: required when the case is Received",
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rule_findings_speak_the_office_language_everywhere(office: Office, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    """A finding reads the same, in the office's language and with its rule ID, from `validate`,
    from the pre-commit hook refusing a hand edit and from the server's pre-receive hook refusing
    a `--no-verify` commit; none of it in the other language."""
    other = "en" if language == "zh" else "zh"
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T10:00:00+08:00")
    if language != "zh":  # the preset's language is zh
        set_language(office, language)
    case_id = office.new()
    bare = tmp_path / "srv" / "cases.git"
    assert office.run("server", "init", str(bare), "--allow-anonymous").exit_code == 0  # one office's own
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "origin", "main")

    office.hand_edit(case_id, "category: work-efficiency", "category: nonsense")
    result = office.run("validate", ok=False)
    assert result.exit_code == 1
    assert CATEGORY_FINDING[language] in result.output, result.output
    assert CATEGORY_FINDING[other] not in result.output
    result = office.run("validate", ok=False)  # the kept verdicts say it the same way
    assert CATEGORY_FINDING[language] in result.output, result.output

    commit = subprocess.run(["git", "commit", "-qam", "hand edit"], cwd=office.root, capture_output=True,
                            text=True, timeout=120)
    assert commit.returncode != 0
    assert CATEGORY_FINDING[language] in commit.stderr, commit.stderr
    assert CATEGORY_FINDING[other] not in commit.stderr
    office.git("checkout", "--", ".")

    office.hand_edit(case_id, "subject: 电梯故障三天未修", "subject: ''")
    office.git("commit", "-q", "--no-verify", "-am", "blank subject")
    before = office.git("rev-parse", "origin/main").stdout
    push = subprocess.run(["git", "push", "origin", "main"], cwd=office.root, capture_output=True, text=True,
                          timeout=120)
    assert push.returncode != 0
    assert SUBJECT_FINDING[language] in push.stderr, push.stderr
    assert SUBJECT_FINDING[other] not in push.stderr
    assert subprocess.run(["git", "rev-parse", "main"], cwd=bare, capture_output=True, text=True,
                          timeout=60).stdout == before  # the server is unchanged


def test_a_kept_verdict_is_not_shown_in_another_language(states: States) -> None:
    """`validate` keeps settled verdicts (issue 12), findings' text included: the same files,
    read in the other language, are judged and written again in that language."""
    office, ids = states
    office.hand_edit(ids["closed"], "channel: phone", "channel: pigeon")
    office.git("commit", "-q", "--no-verify", "-am", "pigeon")  # committed: its verdict is kept
    zh = office.run("validate", ok=False).output
    assert "'pigeon' 不在制度规定的投诉渠道中" in zh, zh
    set_language(office, "en")
    en = office.run("validate", ok=False).output
    assert "intake.channel: R-DEF-4: 'pigeon' is not in the policy's channels" in en, en
    assert "不在制度规定" not in en


@pytest.mark.parametrize(("language", "says"), [("zh", "服务器上未安装 complaintctl"),
                                                ("en", "complaintctl is not installed on the server")])
def test_the_server_hook_without_complaintctl_speaks_mains_language(office: Office, tmp_path: Path,
                                                                    language: str, says: str) -> None:
    """The shell hook cannot use the catalogs: it greps main's `language:` (issue 13, item 5)."""
    if language != "zh":
        set_language(office, language)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office.root), str(bare)], check=True, timeout=60)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no complaintctl on the PATH, no COMPLAINTCTL
    proc = subprocess.run(["sh", str(ROOT / "hooks" / "pre-receive")], cwd=bare, env=env, input="",
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and says in proc.stderr, proc.stderr


@pytest.mark.parametrize(("language", "loss", "step"), [
    ("zh", "--loss: R-CL-2: -1.0 须不小于 0", "不能执行 重新处理:案件状态为 处理中(R-WF:处理中 只能转为 "),
    ("en", "--loss: R-CL-2: -1.0 must be 0 or more",
     "cannot reopen: the case is In progress (R-WF: from In progress it may go to "),
])
def test_core_refusals_speak_the_office_language(states: States, language: str, loss: str, step: str) -> None:
    """A value out of range (a usage error, exit 2, found before the policy is read) and a step
    the workflow does not allow (R-WF) are refused in the office's language, the repository unchanged."""
    office, ids = states
    if language != "zh":
        set_language(office, language)
    head = office.git("rev-parse", "HEAD").stdout
    result = office.run("resolve", ids["in_progress"], "--outcome", "repair", "--summary", "已修", "--loss", "-1",
                        ok=False)
    assert result.exit_code == 2 and loss in result.output, result.output
    result = office.run("reopen", ids["in_progress"], "--reason", "x", ok=False)
    assert result.exit_code == 1 and f"{ids['in_progress']}: {step}" in result.output, result.output
    assert office.git("rev-parse", "HEAD").stdout == head
    assert office.git("status", "--porcelain").stdout == ""


def test_the_servers_access_refusal_speaks_mains_language(office: Office, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-receive hook refuses a `--no-verify` commit outside cases/ pushed with no
    authenticated pusher (ACCESS) in the words of main's policy (zh), the server unchanged."""
    monkeypatch.delenv("COMPLAINTCTL_PUSHER", raising=False)
    bare = tmp_path / "srv" / "cases.git"
    assert office.run("server", "init", str(bare), "--allow-anonymous").exit_code == 0  # one office's own
    office.git("remote", "add", "origin", str(bare))
    office.git("push", "-q", "origin", "main")
    (office.root / "NOTES.md").write_text("自己加的说明\n", encoding="utf-8")
    office.git("add", "NOTES.md")
    office.git("commit", "-q", "--no-verify", "-m", "notes")
    before = office.git("rev-parse", "origin/main").stdout
    push = subprocess.run(["git", "push", "origin", "main"], cwd=office.root, capture_output=True, text=True,
                          timeout=120)
    assert push.returncode != 0
    assert "NOTES.md: (file): ACCESS: 只有管理员角色(hq)可以修改 cases/ 以外的文件,而本次推送没有经过认证的推送者" \
        in push.stderr, push.stderr
    assert "may change files outside" not in push.stderr
    assert subprocess.run(["git", "rev-parse", "main"], cwd=bare, capture_output=True, text=True,
                          timeout=60).stdout == before
