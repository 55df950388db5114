"""Issue 11: trust at the server — the full refusal matrix over the file transport.

§0 every shape of history is judged (merges, octopus merges, re-used trees); §1 nothing
executable from the repository and deny by default; §2 who pushes (GL_USER & co.), whom
they may push for, offices, roles. Each refusal leaves the server's refs as they were."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintctl.model.case import dump_document, load_document, timeline_entry
from tests.conftest import set_identity
from tests.group import PUSHER_VARS, Group, build, copy

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("group")

AT = "2026-11-22T11:00:00+08:00"


@pytest.fixture(scope="session")
def group_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("group")
    with pytest.MonkeyPatch.context() as mp:
        ids = build(base, mp)
    yield base, ids


@pytest.fixture
def grp(group_template: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Group:
    return copy(group_template, tmp_path / "g", monkeypatch)


def with_entry(text: str, by: str, action: str = "note", note: str = "补充说明", at: str = AT,
               before: str = "") -> str:
    """The case with one more entry: at the end, or just before the entry whose note is `before`."""
    from datetime import datetime

    doc = load_document(text, "case")
    entry = timeline_entry(datetime.fromisoformat(at), by, action, note=note)
    notes = [e.get("note") for e in doc["timeline"]]
    doc["timeline"].insert(notes.index(before) if before else len(notes), entry)
    return dump_document(doc)


def show(grp: Group, rev: str, key: str) -> str:
    return grp.git("show", f"{rev}:{grp.case_path(key)}")


# --- §0: every pushed commit is judged, merges included --------------------------------------

def test_a_merge_that_takes_the_root_commits_tree_is_refused(grp: Group) -> None:
    """The issue's probe: `git commit-tree` of the root's tree with HEAD and the root as parents."""
    root = grp.git("rev-list", "--max-parents=0", "HEAD")
    merge = grp.commit_tree(f"{root}^{{tree}}", "HEAD", root, who="sun")
    grp.git("update-ref", "refs/heads/main", merge)
    err = grp.refused("main", as_="sun")  # even the admin: 案件文件不得删除
    for key in ("sz_open", "sz_closed", "gz"):
        assert f"commit {merge[:10]}: {grp.case_path(key)}: (file): R-CL-3: a merge may not drop a case file" in err
        assert f"{grp.case_path(key)}: (file): R-CL-3: 案件文件不得删除" in err  # the net change
    grp.git("update-ref", "refs/heads/main", grp.commit_tree(f"{root}^{{tree}}", "HEAD", root))
    err = grp.refused("main", as_="zhangmin")
    assert "complaintctl.yaml: (file): ACCESS: pusher zhangmin (GL_USER) = 张敏 只能修改 cases/" in err


def test_an_octopus_merge_and_a_commit_reusing_an_old_tree_are_refused(grp: Group) -> None:
    head = grp.git("rev-parse", "HEAD")
    root = grp.git("rev-list", "--max-parents=0", "HEAD")
    before_close = grp.versions("sz_closed")[1]  # resolved, revisited, not yet closed
    closed = grp.case_path("sz_closed")
    octopus = grp.commit_tree(f"{before_close}^{{tree}}", head, root, before_close, who="sun")
    grp.git("update-ref", "refs/heads/main", octopus)
    err = grp.refused("main", as_="sun")
    assert f"commit {octopus[:10]}: {closed}: timeline: R-WF: a merge keeps every entry of each parent, in " \
           f"order: parent {head[:10]} has entries this merge drops" in err
    assert f"{closed}: timeline: R-WF: 只能追加" in err  # and the net change says the same
    plain = grp.commit_tree(f"{before_close}^{{tree}}", head, who="sun")
    grp.git("update-ref", "refs/heads/main", plain)
    err = grp.refused("main", as_="sun")
    assert f"commit {plain[:10]}: {closed}: timeline: R-WF: 只能追加" in err


def test_a_merge_cannot_reopen_a_closed_case_or_roll_back_another_offices(grp: Group,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    gz = grp.case_path("gz")
    # GZ moves its case on (its own clerk, its own push) ...
    set_identity(monkeypatch, "周华", "zhouhua@example.com")
    grp.office.run("assign", grp.ids["gz"], "--handler", "周华", "--unit", "customer-service")
    grp.accepted("main", as_="zhouhua")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    head = grp.git("rev-parse", "HEAD")
    received = grp.versions("gz")[1]
    resolved = grp.versions("sz_closed")[2]
    # ... and SZ's clerk merges old commits, taking its GZ case (back to received) and SZ's
    # closed case as it was before the revisit.
    closed = grp.case_path("sz_closed")
    tree = grp.tree(head, {gz: grp.git("rev-parse", f"{received}:{gz}"),
                           closed: grp.git("rev-parse", f"{resolved}:{closed}")})
    merge = grp.commit_tree(tree, head, received, resolved)
    grp.git("update-ref", "refs/heads/main", merge)
    err = grp.refused("main", as_="zhangmin")
    assert f"commit {merge[:10]}: {gz}: timeline: R-WF: a merge keeps every entry of each parent" in err
    assert f"{grp.case_path('sz_closed')}: timeline: R-WF: a merge keeps every entry of each parent" in err
    assert f"{head[:10]}..{merge[:10]}: {gz}: timeline: R-WF: 只能追加" in err  # the net change


def test_a_merge_cannot_rewrite_a_closed_case_through_a_side_history(grp: Group) -> None:
    """An orphan commit holding a closed case with another root cause (valid on its own), merged
    in taking its version: the net change shows a closed case changed."""
    closed = grp.case_path("sz_closed")
    head = grp.git("rev-parse", "HEAD")
    forged = show(grp, "HEAD", "sz_closed").replace("root_cause: 备件库存不足", "root_cause: 业主使用不当")
    assert forged != show(grp, "HEAD", "sz_closed")
    side = grp.commit_tree(grp.tree(head, {closed: forged}), who="sun")  # no parent: a history of its own
    merge = grp.commit_tree(grp.tree(head, {closed: forged}), head, side, who="sun")
    grp.git("update-ref", "refs/heads/main", merge)
    err = grp.refused("main", as_="sun")
    assert f"{head[:10]}..{merge[:10]}: {closed}: status: R-CL-3: 案件已结案(已归档)" in err


def test_entries_new_in_a_merge_are_the_merge_authors(grp: Group) -> None:
    """Both sides add a note to one case; the merge keeps both (an order-preserving union). It may
    add its own author's entry — not one in someone else's name."""
    path = grp.case_path("sz_open")
    head = grp.git("rev-parse", "HEAD")
    base_text = show(grp, "HEAD", "sz_open")
    theirs_text = with_entry(base_text, "李工", note="已到现场", at="2026-11-22T10:00:00+08:00")
    theirs = grp.commit_tree(grp.tree(head, {path: theirs_text}), head, message="note by 李工", who="ligong")
    ours_text = with_entry(base_text, "张敏", note="已电话告知业主", at="2026-11-22T10:30:00+08:00")
    ours = grp.commit_tree(grp.tree(head, {path: ours_text}), head, message="note by 张敏")
    union = with_entry(theirs_text, "张敏", note="已电话告知业主", at="2026-11-22T10:30:00+08:00")
    forged = with_entry(union, "刘洋", note="同意延期")
    merge = grp.commit_tree(grp.tree(head, {path: forged}), ours, theirs, message="merge")
    grp.git("update-ref", "refs/heads/main", merge)
    err = grp.refused("main", as_="zhangmin")
    n = forged.count("action:") - 1
    assert f"commit {merge[:10]}: {path}: timeline[{n}].by: R-WF: an entry new in a merge is the merge author's: " \
           "it says '刘洋', the merge is by 张敏" in err
    own = with_entry(union, "张敏", note="已合并两边记录")
    merge = grp.commit_tree(grp.tree(head, {path: own}), ours, theirs, message="merge")
    grp.git("update-ref", "refs/heads/main", merge)
    grp.accepted("main", as_="zhangmin")  # 李工's commit too: 张敏 may push for him (acts_for)


def test_a_content_merge_is_the_replay_of_its_parents_entries_not_a_new_judgement_of_them(
        grp: Group, monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge days later replays the entries its parents brought (the ledger: fields equal the
    replay) without judging them again: 李工's note, on the server for four days, is not 'late'
    (offline window) now — only what the merge itself adds or changes is the merge's."""
    path = grp.case_path("sz_open")
    head = grp.git("rev-parse", "HEAD")
    base_text = show(grp, "HEAD", "sz_open")
    theirs_text = with_entry(base_text, "李工", note="已到现场", at="2026-11-22T10:00:00+08:00")
    theirs = grp.commit_tree(grp.tree(head, {path: theirs_text}), head, message="note by 李工", who="ligong")
    grp.git("update-ref", "refs/heads/main", theirs)
    grp.accepted("main", as_="ligong")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-26T10:00:00+08:00")  # 96 h later: past the 72 h window
    ours_text = with_entry(base_text, "张敏", note="已电话告知业主", at="2026-11-26T09:30:00+08:00")
    ours = grp.commit_tree(grp.tree(head, {path: ours_text}), head, message="note by 张敏")
    union = with_entry(theirs_text, "张敏", note="已电话告知业主", at="2026-11-26T09:30:00+08:00")
    assert "handler: 李工" in union
    slipped = union.replace("handler: 李工", "handler: 周华", 1)  # a field no entry explains
    merge = grp.commit_tree(grp.tree(head, {path: slipped}), ours, theirs, message="merge")
    grp.git("update-ref", "refs/heads/main", merge)
    err = grp.refused("main", as_="zhangmin")
    assert f"commit {merge[:10]}: {path}: routing.handler: R-RT-2: 已被修改('李工' → '周华'),但没有说明该修改的" \
           "新时间线记录" in err, err
    assert "离线补录期限" not in err, err
    merge = grp.commit_tree(grp.tree(head, {path: union}), ours, theirs, message="merge")
    grp.git("update-ref", "refs/heads/main", merge)
    grp.accepted("main", as_="zhangmin")


def test_a_merge_may_interleave_entries_in_time_order_a_plain_commit_may_not_insert_one(grp: Group) -> None:
    """Issue 11 §4: sync merges both clones' entries in time order, so the server's tip may see an
    entry land before one it already had — through a merge that keeps every entry of both
    parents, never through a plain commit (append-only)."""
    path = grp.case_path("sz_open")
    head = grp.git("rev-parse", "HEAD")
    base_text = show(grp, "HEAD", "sz_open")
    theirs_text = with_entry(base_text, "李工", note="已到现场", at="2026-11-22T11:00:00+08:00")
    theirs = grp.commit_tree(grp.tree(head, {path: theirs_text}), head, message="note by 李工", who="ligong")
    grp.git("update-ref", "refs/heads/main", theirs)
    grp.accepted("main", as_="ligong")
    ours_text = with_entry(base_text, "张敏", note="已电话告知业主", at="2026-11-22T10:30:00+08:00")
    ours = grp.commit_tree(grp.tree(head, {path: ours_text}), head, message="note by 张敏")
    interleaved = with_entry(ours_text, "李工", note="已到现场", at="2026-11-22T11:00:00+08:00")
    plain = grp.commit_tree(grp.tree(theirs, {path: interleaved}), theirs, message="inserted")
    grp.git("update-ref", "refs/heads/main", plain)
    err = grp.refused("main", as_="zhangmin")
    assert f"commit {plain[:10]}: {path}: timeline: R-WF: 只能追加" in err, err
    merge = grp.commit_tree(grp.tree(theirs, {path: interleaved}), ours, theirs, message="sync: merge")
    grp.git("update-ref", "refs/heads/main", merge)
    grp.accepted("main", as_="zhangmin")
    # A line that branched from 李工's commit merges next: its merge base's timeline is no longer a
    # prefix, so the merged timeline is replayed whole, from intake — a field no entry explains
    # is refused, and so is an entry new in the merge put among the parents' entries.
    side_text = with_entry(theirs_text, "张敏", note="业主来电催促", at="2026-11-22T11:30:00+08:00")
    side = grp.commit_tree(grp.tree(theirs, {path: side_text}), theirs, message="note by 张敏")
    union = with_entry(interleaved, "张敏", note="业主来电催促", at="2026-11-22T11:30:00+08:00")
    for bad, why in ((union.replace("handler: 李工", "handler: 周华", 1),
                      "routing.handler: R-RT-2: 已被修改('李工' → '周华'),但没有说明该修改的新时间线记录"),
                     (with_entry(union, "张敏", note="补记", at="2026-11-22T10:45:00+08:00", before="已到现场"),
                      "R-WF: an entry new in a merge comes after every entry of its parents")):
        crafted = grp.commit_tree(grp.tree(merge, {path: bad}), side, merge, message="sync: merge")
        grp.git("update-ref", "refs/heads/main", crafted)
        err = grp.refused("main", as_="zhangmin")
        assert f"commit {crafted[:10]}: {path}: " in err and why in err, err
    again = grp.commit_tree(grp.tree(merge, {path: union}), side, merge, message="sync: merge")
    grp.git("update-ref", "refs/heads/main", again)
    grp.accepted("main", as_="zhangmin")


def test_syncs_merge_of_two_lines_that_changed_different_cases_passes(grp: Group) -> None:
    """GZ pushes first; SZ's clerk, who worked offline on an SZ case, merges and pushes."""
    head = grp.git("rev-parse", "HEAD")
    gz = grp.case_path("gz")
    theirs = grp.commit_tree(grp.tree(head, {gz: with_entry(show(grp, "HEAD", "gz"), "周华")}), head, who="zhouhua")
    grp.git("update-ref", "refs/heads/main", theirs)
    grp.accepted("main", as_="zhouhua")
    sz = grp.case_path("sz_open")
    ours = grp.commit_tree(grp.tree(head, {sz: with_entry(show(grp, head, "sz_open"), "张敏")}), head)
    merge = grp.commit_tree(grp.tree(ours, {gz: grp.git("rev-parse", f"{theirs}:{gz}")}), ours, theirs,
                            message="sync: merge origin/main")
    grp.git("update-ref", "refs/heads/main", merge)
    grp.accepted("main", as_="zhangmin")  # GZ's step came from the server: not hers to answer for


# --- branches, tags, deletions, force-pushes --------------------------------------------------

def test_branches_and_tags_are_the_admins(grp: Group) -> None:
    grp.git("tag", "v1")
    grp.git("tag", "-a", "-m", "monthly archive", "archive-2026-11")
    staff = "pusher zhangmin (GL_USER) = 张敏 has roles staff, dispatcher"
    err = grp.refused("main:refs/heads/feature", as_="zhangmin")
    assert "refs/heads/feature: ACCESS: creating a branch or tag other than main needs the admin role (hq); " \
           f"{staff}" in err
    err = grp.refused("v1", "archive-2026-11", as_="zhangmin")
    assert "refs/tags/v1: ACCESS: creating a branch or tag" in err and "refs/tags/archive-2026-11: ACCESS" in err
    err = grp.refused("v1")  # nobody authenticated at all: `server init` without --allow-anonymous refuses it
    assert "(push): ACCESS: 本服务器没有推送者身份" in err and "--allow-anonymous" in err
    grp.git("--git-dir", str(grp.bare), "config", "complaintctl.allowAnonymous", "true")
    err = grp.refused("v1")  # a server that takes anonymous pushes: still never a tag
    assert "refs/tags/v1: ACCESS: creating a branch or tag other than main needs the admin role (hq); this push " \
           "has no authenticated pusher" in err
    grp.git("--git-dir", str(grp.bare), "config", "complaintctl.allowAnonymous", "false")
    grp.accepted("main:refs/heads/feature", "v1", as_="sun")
    err = grp.refused(":refs/heads/feature", as_="zhangmin")
    assert "refs/heads/feature: ACCESS: deleting a branch or tag other than main" in err
    err = grp.refused("HEAD~1:refs/heads/feature", "--force", as_="zhangmin")
    assert "refs/heads/feature: ACCESS: updating a branch or tag other than main" in err


def test_force_push_and_deleting_main_are_refused_even_for_the_admin(grp: Group) -> None:
    grp.git("reset", "-q", "--hard", "HEAD~1")
    assert "non-fast-forward update refused" in grp.refused("--force", "main", as_="sun")
    assert "deleting main is refused" in grp.refused(":main", as_="sun")


# --- §1: deny by default, judged by the old tip ---------------------------------------------

OUTSIDE = ("hooks/pre-commit", "templates/bulletin/bulletin.md.j2", "allowed_signers", ".pre-commit-config.yaml",
           "README.md", "bulletins/bulletin-2026-11.md")


def test_only_the_admin_changes_anything_outside_cases(grp: Group) -> None:
    root = grp.office.root
    for rel in OUTSIDE:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("#!/bin/sh\ntouch /tmp/pwned\n", encoding="utf-8")
    policy = root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("extend: [vp, gm]", "extend: [staff]"),
                      encoding="utf-8")
    grp.git("add", "-A")
    grp.git("commit", "-q", "--no-verify", "-m", "house keeping")
    err = grp.refused("main", as_="zhangmin")
    for rel in (*OUTSIDE, "complaintctl.yaml"):
        assert f"{rel}: (file): ACCESS: pusher zhangmin (GL_USER) = 张敏 只能修改 cases/;其以外的文件" \
               "须由管理员角色(hq)修改" in err, rel
    assert "本服务器没有推送者身份" in grp.refused("main")  # no pusher: refused outright
    grp.git("commit", "-q", "--amend", "--no-edit", "--reset-author", who="sun")
    grp.accepted("main", as_="sun")


def test_an_office_pushes_the_kept_originals_of_its_own_new_cases_and_nothing_else(grp: Group,
                                                                                   tmp_path: Path) -> None:
    """Issue 14: outside cases/, materials/YYYY/MM/ID/FILE is the one folder staff push — with the
    case that lists it, for their own office; never added later, by another office, or by a merge."""
    from tests.mails import PHOTO_NAME, gbk_with_photo, write_eml

    eml = write_eml(tmp_path / "a.eml", gbk_with_photo())
    grp.office.run("import", str(eml), "--yes", "--complainant-class", "owner", "--category", "other")
    grp.accepted("main", as_="zhangmin")
    head = grp.git("rev-parse", "HEAD")
    assert f"materials/2026/11/SZ-2611-0003/{PHOTO_NAME}" in grp.git("-c", "core.quotePath=false", "ls-tree", "-r",
                                                                       "--name-only", "origin/main", "materials")
    later = f"materials/2026/11/{grp.ids['sz_open']}/later.jpg"
    for who, expect in (("zhouhua", f"{later}: (file): ACCESS: pusher zhouhua (GL_USER) = 周华 隶属 GZ 办公室,"
                                    "不能添加或修改 SZ 办公室的材料"),
                        ("zhangmin", f"{later}: (file): R-IN-1: 原件须在登记案件 "
                                     f"{grp.ids['sz_open']}")):
        grp.git("update-ref", "refs/heads/main", grp.commit_tree(grp.tree(head, {later: "photo"}), head, who=who))
        assert expect in grp.refused("main", as_=who)
    side = grp.commit_tree(grp.tree(head, {}), head)
    merge = grp.commit_tree(grp.tree(head, {later: "photo"}), head, side, message="merge")
    grp.git("update-ref", "refs/heads/main", merge)
    assert f"{later}: (file): R-IN-1: a merge brings no kept original of its own" in grp.refused("main", as_="zhangmin")


def test_a_push_is_judged_by_the_old_tips_policy_not_its_own(grp: Group) -> None:
    """Commit 1 makes the clerk an admin, commit 2 uses the new right: both refused."""
    policy = grp.office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("roles: [staff, dispatcher]", "roles: [hq]"),
                      encoding="utf-8")
    grp.git("commit", "-q", "--no-verify", "-am", "make me admin")
    (grp.office.root / "templates" / "bulletin" / "bulletin.md.j2").write_text("{{ r }}\n", encoding="utf-8")
    grp.git("commit", "-q", "--no-verify", "-am", "my template")
    err = grp.refused("main", as_="zhangmin")
    assert "complaintctl.yaml: (file): ACCESS: pusher zhangmin (GL_USER) = 张敏 只能修改 cases/" in err
    assert "templates/bulletin/bulletin.md.j2: (file): ACCESS: pusher zhangmin" in err


def test_min_version_is_refused_by_the_cli_and_both_hooks(grp: Group) -> None:
    office = grp.office
    policy = office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text("min_version: '99.0'\n" + text, encoding="utf-8")
    hint = "min_version: this repository needs complaintctl 99.0 or newer and this is 0.1.0 — upgrade it"
    result = office.run("list", ok=False)
    assert result.exit_code == 1 and hint in result.output and "pip install --upgrade ." in result.output
    office.git("add", "complaintctl.yaml")
    proc = office.git("commit", "-q", "-m", "require a newer complaintctl", check=False)
    assert proc.returncode == 1 and hint in proc.stderr  # pre-commit
    grp.git("commit", "-q", "--no-verify", "-m", "require a newer complaintctl", who="sun")
    (office.root / "notes.txt").write_text("not a case\n", encoding="utf-8")
    office.git("add", "notes.txt")
    proc = office.git("commit", "-q", "-m", "any commit at all", check=False)
    assert proc.returncode == 1 and hint in proc.stderr  # the hook refuses to run, whatever is committed
    office.git("rm", "-q", "--cached", "notes.txt")
    office.git("config", "core.hooksPath", ".no-hooks")  # (the next step is the newer complaintctl's)
    err = grp.refused("main", as_="sun")
    assert f"complaintctl.yaml: (file): R-WF: {hint}" in err  # pre-receive: the server is older
    # A server whose main already asks for more (set there by a newer complaintctl) refuses
    # every push, saying why.
    hook = grp.bare / "hooks" / "pre-receive"
    saved = hook.read_text(encoding="utf-8")
    hook.unlink()
    grp.accepted("main")
    hook.write_text(saved, encoding="utf-8")
    hook.chmod(0o755)
    grp.git("commit", "-q", "--allow-empty", "-m", "anything", who="sun")
    err = grp.refused("main", as_="sun")
    assert f"refs/heads/main: the policy on the server's main cannot be used: complaintctl.yaml: (file): R-WF: " \
           f"{hint}" in err


# --- §2: who pushes, for whom, which office, which role ---------------------------------------

@pytest.mark.parametrize("var", PUSHER_VARS)
def test_each_servers_variable_names_the_pusher(grp: Group, var: str) -> None:
    grp.office.run("note", grp.ids["gz"], "深圳来补充一句")
    err = grp.refused("main", as_="zhangmin", var=var)
    assert f"{grp.case_path('gz')}: id: ACCESS: pusher zhangmin ({var}) = 张敏 隶属 SZ 办公室," \
           "不能新建或修改 GZ 办公室的案件" in err


def test_a_commit_is_pushed_by_its_author_or_for_someone_they_may_act_for(grp: Group) -> None:
    path = grp.case_path("sz_open")
    head = grp.git("rev-parse", "HEAD")
    by_ligong = grp.commit_tree(grp.tree(head, {path: with_entry(show(grp, "HEAD", "sz_open"), "李工")}), head,
                                who="ligong")
    by_liuyang = grp.commit_tree(grp.tree(by_ligong, {path: with_entry(show(grp, by_ligong, "sz_open"), "刘洋",
                                                                       at="2026-11-22T11:30:00+08:00")}),
                                 by_ligong, who="liuyang")
    grp.git("update-ref", "refs/heads/main", by_liuyang)
    err = grp.refused("main", as_="zhangmin")
    assert f"commit {by_liuyang[:10]}: (commit): author: ACCESS: 刘洋 <liuyang@example.com> 既不是 pusher " \
           "zhangmin (GL_USER) = 张敏,也不是 张敏 可代为推送的人(people[].acts_for)" in err
    assert f"commit {by_ligong[:10]}" not in err  # 张敏 acts for 李工
    grp.git("update-ref", "refs/heads/main", by_ligong)
    grp.accepted("main", as_="zhangmin")
    grp.git("update-ref", "refs/heads/main", by_liuyang)
    err = grp.refused("main", as_="zhouhua")
    assert "既不是 pusher zhouhua (GL_USER) = 周华" in err
    grp.accepted("main", as_="liuyang")


def test_office_staff_cannot_create_or_change_another_offices_cases(grp: Group) -> None:
    grp.office.git("config", "complaintctl.office", "GZ")
    gz_new = grp.office.new(subject="深圳代录广州投诉")
    err = grp.refused("main", as_="zhangmin")
    assert f"cases/2026/11/{gz_new}.yaml: id: ACCESS: pusher zhangmin (GL_USER) = 张敏 隶属 SZ 办公室," \
           "不能新建或修改 GZ 办公室的案件(管理员角色 hq 可以)" in err
    grp.git("reset", "-q", "--hard", "origin/main")
    head = grp.git("rev-parse", "HEAD")
    path = grp.case_path("sz_open")
    note = grp.commit_tree(grp.tree(head, {path: with_entry(show(grp, "HEAD", "sz_open"), "周华")}), head,
                           who="zhouhua")
    grp.git("update-ref", "refs/heads/main", note)
    err = grp.refused("main", as_="zhouhua")
    assert f"{path}: id: ACCESS: pusher zhouhua (GL_USER) = 周华 隶属 GZ 办公室,不能新建或修改 " \
           "SZ 办公室的案件" in err


def test_staff_cannot_push_an_approvers_action(grp: Group, monkeypatch: pytest.MonkeyPatch) -> None:
    path = grp.case_path("sz_open")
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")  # the vp's own extension, as the CLI writes it
    grp.office.run("extend", grp.ids["sz_open"], "--clock", "dispatch", "--until", "2026-11-30", "--reason", "等待配件")
    extended = grp.git("rev-parse", f"HEAD:{path}")
    head = grp.git("rev-parse", "origin/main")
    forged = grp.commit_tree(grp.tree(head, {path: extended}), head)  # the clerk commits the vp's approval
    grp.git("update-ref", "refs/heads/main", forged)
    err = grp.refused("main", as_="zhangmin")
    # The ledger judges it: the entry is not its commit's author's, nor within her roles (once).
    assert f"{path}: timeline[2].by: R-WF: 记为 '刘洋',但提交人是 张敏 <zhangmin@example.com>" in err
    assert f"{path}: timeline[2].by: R-DL-2: 张敏 无权执行 extend:须具有制度规定的 vp 或 gm 角色" in err
    assert err.count("R-DL-2") == 1, err
    real = grp.commit_tree(grp.tree(head, {path: extended}), head, who="liuyang")
    grp.git("update-ref", "refs/heads/main", real)
    assert "既不是 pusher zhangmin" in grp.refused("main", as_="zhangmin")  # his commit, her push
    grp.accepted("main", as_="liuyang")


def test_without_the_ledger_the_server_judges_the_authors_roles(grp: Group, monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may take a gated action is decided in one place (the policy's `approvals`, through
    policy.authority.roles_for). With the ledger on, the ledger applies it to each entry's author
    (above, once); under a policy without `ledger:` the server's access rules apply it."""
    policy = grp.office.root / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(re.sub(r"^ledger: .*\n", "", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    assert policy.read_text(encoding="utf-8") != text
    grp.git("commit", "-q", "-am", "the ledger off", who="sun")
    grp.accepted("main", as_="sun")
    path = grp.case_path("sz_open")
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")
    grp.office.run("extend", grp.ids["sz_open"], "--clock", "dispatch", "--until", "2026-11-30", "--reason", "等待配件")
    extended = grp.git("rev-parse", f"HEAD:{path}")
    head = grp.git("rev-parse", "origin/main")
    forged = grp.commit_tree(grp.tree(head, {path: extended}), head)  # the clerk commits the vp's approval
    grp.git("update-ref", "refs/heads/main", forged)
    err = grp.refused("main", as_="zhangmin")
    assert f"{path}: timeline[2]: R-DL-2: `extend` 须具有以下角色之一:vp, gm;pusher zhangmin (GL_USER) = 张敏 " \
           "的角色为 staff, dispatcher(该条目记载 by: '刘洋')" in err, err
    assert err.count("R-DL-2") == 1 and "R-WF: says" not in err, err  # the ledger is off: access alone
    grp.git("update-ref", "refs/heads/main", grp.commit_tree(grp.tree(head, {path: extended}), head, who="liuyang"))
    grp.accepted("main", as_="liuyang")


def test_pre_receive_costs_what_the_push_changes_not_the_number_of_cases(grp: Group, tmp_path: Path) -> None:
    """O(pushed changes): the hook's git processes, traced (GIT_TRACE2_EVENT), never list the
    tree or walk the history, and there are as many for a one-step push onto a few cases as
    for one onto 150 more."""
    def traced_push(name: str) -> tuple[list[str], int]:
        """(the git commands the hook ran, how many objects were read from packs meanwhile)."""
        grp.office.run("note", grp.ids["sz_open"], f"客户来电 {name}")
        trace, packs = tmp_path / f"{name}.json", tmp_path / f"{name}.packs"
        env = {k: v for k, v in os.environ.items() if k not in PUSHER_VARS}
        proc = subprocess.run(["git", "push", "origin", "main"], cwd=grp.office.root, capture_output=True, text=True,
                              env={**env, "GL_USER": "zhangmin", "GIT_TRACE2_EVENT": str(trace),
                                   "GIT_TRACE_PACK_ACCESS": str(packs)}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
        commands = [" ".join(e["argv"][1:]) for e in events if e.get("event") == "start" and "hook" not in e["argv"]
                    and e["argv"][1:2] not in (["push"], ["receive-pack"], ["pack-objects"], ["send-pack"],
                                               ["index-pack"], ["unpack-objects"], ["rev-list"])]
        reads = len(packs.read_text(encoding="utf-8").splitlines()) if packs.exists() else 0
        return commands, reads
    small, _ = traced_push("one")
    assert not [a for a in small if a.startswith(("ls-tree", "ls-files", "grep", "log --all"))], small
    # 150 more cases reach the server (by a way round the hook: only their number matters here)
    grp.office.run("sample", "--count", "150", "--seed", "7", "--since", "2026-10-01", "--until", "2026-10-31",
                   "--no-verify")
    hook = grp.bare / "hooks" / "pre-receive"
    saved = hook.read_text(encoding="utf-8")
    hook.unlink()
    grp.accepted("main")
    hook.write_text(saved, encoding="utf-8")
    hook.chmod(0o755)
    assert len(list((grp.office.root / "cases").rglob("*.yaml"))) > 150
    big, reads = traced_push("two")
    assert len(big) == len(small), (small, big)
    assert reads < 100, reads  # the 150 cases sit in one pack on the server; a walk would read them all
