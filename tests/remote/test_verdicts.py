"""The server's kept verdicts (remote/verdicts.py): a case change judged clean is not judged
again for the same blobs, policy, authority, author and code; anything else is judged afresh,
a refused change stays refused, and time is honoured (R-IN-1's offline window)."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import complaintctl.rules as rules_pkg
from complaintctl.remote import prereceive
from complaintctl.remote.prereceive import MAIN, RefUpdate, pre_receive
from complaintctl.remote.verdicts import FILE, ChangeKey, Verdicts
from complaintctl.repo import cache
from complaintctl.repo.git import Git
from tests.conftest import Office
from tests.remotes import NOW, git, group_fixture  # noqa: F401 (fixtures)

JUDGED_AT = datetime.fromisoformat(NOW)


def commit_as(office: Office, tree_of: str, parent: str, who: tuple[str, str]) -> str:
    """A commit with `tree_of`'s tree on `parent`, authored by `who` (the same blobs, another author)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1]}
    proc = subprocess.run(["git", "commit-tree", f"{tree_of}^{{tree}}", "-p", parent, "-m", "same change"],
                          cwd=office.root, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


class Judged:
    """pre_receive on the server repository for one proposed tip of main, counting how many case
    changes reach the validator (the kept verdicts spare the rest)."""

    def __init__(self, office: Office, bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.office, self.bare = office, bare
        self.validated: list[str] = []
        real = prereceive.check_changes

        def counting(g, changes, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.validated.extend(c.path for c in changes)
            return real(g, changes, *args, **kwargs)

        monkeypatch.setattr(prereceive, "check_changes", counting)

    def __call__(self, sha: str, now: datetime = JUDGED_AT) -> list[str]:
        git(self.bare, "fetch", "-q", str(self.office.root), f"+{sha}:refs/heads/incoming")
        g = Git.open(self.bare)
        old = git(self.bare, "rev-parse", "main")
        self.validated.clear()
        verdicts = Verdicts.open(g.git_dir)
        try:
            problems = pre_receive(g, [RefUpdate(old, sha, MAIN)], now, None, verdicts)
            verdicts.save(now)
        finally:
            verdicts.close()
        return problems


@pytest.fixture
def judged(office: Office, group: Path, monkeypatch: pytest.MonkeyPatch) -> Judged:
    return Judged(office, group, monkeypatch)


def test_a_clean_change_is_judged_once_then_kept(office: Office, judged: Judged) -> None:
    office.new()
    tip = office.git("rev-parse", "HEAD").stdout.strip()
    assert judged(tip) == []
    assert judged.validated == [p for p in judged.validated if p.startswith("cases/")] and judged.validated
    assert (cache.folder(Path(judged.bare)) / FILE).exists()
    # the same change on a new commit (a push that lost the race, rebased): a kept verdict
    again = commit_as(office, tip, office.git("rev-parse", "HEAD~1").stdout.strip(),
                      ("张敏", "zhangmin@example.com"))
    assert judged(again) == []
    assert judged.validated == []


def test_a_kept_verdict_is_never_used_for_another_author(office: Office, judged: Judged) -> None:
    office.new()
    tip = office.git("rev-parse", "HEAD").stdout.strip()
    parent = office.git("rev-parse", "HEAD~1").stdout.strip()
    assert judged(tip) == []
    other = commit_as(office, tip, parent, ("周华", "zhouhua@example.com"))
    problems = judged(other)
    assert judged.validated, "another author's change must reach the validator"
    # the ledger: the entry says 张敏 recorded it, the commit is 周华's
    assert any(re.search(r"timeline\[0\]\.by: R-WF", p) for p in problems), problems


def test_a_kept_verdict_is_never_used_under_another_policy(office: Office, judged: Judged) -> None:
    case_id = office.new()
    tip = office.git("rev-parse", "HEAD").stdout.strip()
    assert judged(tip) == []
    # the same case file on top of a commit that drops its category from the policy
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "work-efficiency" in text
    office.git("reset", "-q", "--hard", "HEAD~1")
    policy.write_text(re.sub(r"\n\s*-? *work-efficiency[^\n]*", "\n", text, count=1), encoding="utf-8")
    office.git("commit", "-q", "--no-verify", "-am", "policy: one category less")
    office.git("checkout", "-q", tip, "--", f"cases/2026/11/{case_id}.yaml")
    office.git("commit", "-q", "--no-verify", "-m", "the same case under the new policy")
    problems = judged(office.git("rev-parse", "HEAD").stdout.strip())
    assert f"cases/2026/11/{case_id}.yaml" in judged.validated
    assert any(case_id in p and "category" in p for p in problems), problems


def test_a_refused_change_stays_refused_and_is_not_kept(office: Office, judged: Judged) -> None:
    case_id = office.new()
    office.hand_edit(case_id, "subject: 电梯故障三天未修", "subject: ''")
    office.git("commit", "-q", "--no-verify", "-am", "blank subject")
    tip = office.git("rev-parse", "HEAD").stdout.strip()
    for _ in range(2):
        problems = judged(tip)
        assert any("intake.subject: R-IN-1" in p for p in problems), problems
        assert f"cases/2026/11/{case_id}.yaml" in judged.validated


def test_time_is_judged_again_once_an_entry_leaves_the_offline_window(office: Office, judged: Judged) -> None:
    case_id = office.new()
    git(office.root, "push", "-q", "origin", "main")
    office.run("note", case_id, "客户来电询问进度")
    tip = office.git("rev-parse", "HEAD").stdout.strip()
    assert judged(tip) == []
    assert judged(tip, JUDGED_AT + timedelta(hours=1)) == [] and judged.validated == []  # kept
    later = JUDGED_AT + timedelta(hours=73)  # the property preset's offline window is 72h
    problems = judged(tip, later)
    assert judged.validated, "a verdict past its span must not be used"
    assert any("timeline[1].at: R-IN-1" in p for p in problems), problems


def test_keys_name_everything_a_verdict_depends_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    verdicts = Verdicts.open(tmp_path)
    key = ChangeKey("cases/2026/11/SZ-2611-0001.yaml", "0" * 40, "1" * 40, "p" * 40, "a" * 40,
                    ("张敏", "zhangmin@example.com"))
    text = b"id: SZ-2611-0001\nintake:\n  received_at: 2026-11-22T10:00:00+08:00\ntimeline: []\n"
    verdicts.keep_clean(key, text, None, timedelta(hours=72), JUDGED_AT.tzinfo, JUDGED_AT)
    verdicts.save(JUDGED_AT)
    assert verdicts.clean(key, JUDGED_AT)
    for other in (key.__class__(key.path, key.old_blob, key.new_blob, "q" * 40, key.authority_blob, key.author),
                  key.__class__(key.path, key.old_blob, key.new_blob, key.policy_blob, "b" * 40, key.author),
                  key.__class__(key.path, key.old_blob, key.new_blob, key.policy_blob, key.authority_blob,
                                ("周华", "zhouhua@example.com")),
                  key.__class__(key.path, key.old_blob, "2" * 40, key.policy_blob, key.authority_blob, key.author)):
        assert not verdicts.clean(other, JUDGED_AT), other
    monkeypatch.setattr(cache, "code_version", lambda: "another code")  # a new rule: nothing kept applies
    assert not verdicts.clean(key, JUDGED_AT)
    verdicts.close()


def test_the_rules_read_the_time_only_where_the_verdict_span_allows_for_it() -> None:
    """remote/verdicts.clean_span knows two uses of `now` (R-IN-1's future, the ledger's
    offline window). A rule that reads the time anywhere else needs its span there first."""
    folder = Path(rules_pkg.__file__).parent
    readers = {p.name for p in folder.glob("*.py") if "ctx.now" in p.read_text(encoding="utf-8")}
    # ledger_actions.py: a receipt correction's dues (R-IN-2) — clean_span keeps no verdict on one
    assert readers == {"dates.py", "ledger.py", "ledger_actions.py"}, readers


def test_no_verdict_is_kept_on_a_receipt_correction() -> None:
    """R-IN-2: whether a receipt may move depends on the dues passed at `now`, so a clean verdict
    on a correction is never reused; any other appended entry keeps its span."""
    from zoneinfo import ZoneInfo

    from complaintctl.remote.verdicts import clean_span

    tz = ZoneInfo("Asia/Shanghai")
    base = ("id: SZ-2611-0001\nstatus: received\ntimeline:\n"
            "  - at: 2026-11-20 09:00:00+08:00\n    by: 张敏\n    action: received\n")
    note = base + "  - at: 2026-11-20 09:30:00+08:00\n    by: 张敏\n    action: note\n    note: 回电\n"
    correct = base + ("  - at: 2026-11-20 09:30:00+08:00\n    by: 张敏\n    action: correct\n"
                      "    field: intake.received_at\n    old: 2026-11-20 09:00:00+08:00\n"
                      "    value: 2026-11-20 08:40:00+08:00\n    reason: 录入时间有误\n")
    path = "cases/2026/11/SZ-2611-0001.yaml"
    assert clean_span(path, note.encode(), base.encode(), timedelta(hours=72), tz) is not None
    assert clean_span(path, correct.encode(), base.encode(), timedelta(hours=72), tz) is None
