"""A complainant's erasure request (R-RT-5, PIPL art. 47): hq's `erase` sets the protected
fields to [erased] and drops the lookups; on that push the server retires the case key and
prunes; after the clerks' next sync no holder of current keys — the office's clerk, hq — reads
that person's data anywhere in history. Staff may not erase. On the real group server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from complaintctl.model.case import load_plain
from complaintctl.privacy import casekeys
from complaintctl.privacy.document import key_id_of
from tests.privacy.fixtures import sync, world, world_template  # noqa: F401  (fixtures)
from tests.privacy.world import World

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")

PHONE, NAME, ADDRESS = "13912345678", "欧阳娜娜", "B座1502"


def git(root: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 or not check, proc.stderr
    return proc.stdout


def everything(root: Path) -> str:
    """Every object of a repository, as text (what anyone with the files could read)."""
    proc = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, capture_output=True,
                          timeout=300)
    return proc.stdout.decode("utf-8", "replace")


def test_after_an_erasure_no_holder_of_current_keys_reads_the_person(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case_id = sz.new(contact=PHONE, name=NAME, address=ADDRESS)
    rel = sz.path(case_id).relative_to(sz.root).as_posix()
    kid = key_id_of(load_plain(sz.path(case_id).read_text(encoding="utf-8"), rel))
    assert kid is not None
    sync(world, "zhangmin")
    wrapped = git(world.bare, "show", f"{casekeys.ref('SZ')}:{casekeys.path_of(kid)}").strip()
    assert wrapped and wrapped in everything(world.bare)
    assert PHONE in git(sz.root, "log", "-p", "--", rel)  # the clerk reads it, before
    # staff may not erase
    refused = sz.run("erase", case_id, "--reason", "本人来电要求删除", ok=False)
    assert refused.exit_code == 1 and "approvals.erase" in refused.output, refused.output
    # hq erases
    sync(world, "sun")
    hq = world.as_("sun")
    hq.run("erase", case_id, "--reason", "本人2026-11-22书面申请删除(PIPL第47条)")
    data = hq.show_json(case_id)
    assert data["intake"]["complainant"]["name"] == "[erased]" and data["intake"]["details"] == "[erased]"
    assert "lookup" not in load_plain(hq.path(case_id).read_text(encoding="utf-8"), rel)["intake"]["complainant"]
    sync(world, "sun")
    # the server: the key is gone from the ref and from every object it keeps
    assert git(world.bare, "show", f"{casekeys.ref('SZ')}:{casekeys.path_of(kid)}", check=False) == ""
    assert git(world.bare, "show", f"{casekeys.ref('SZ')}:erased/{kid}", check=False) == ""  # a tombstone
    assert git(world.bare, "cat-file", "-e", f"{casekeys.ref('SZ')}:erased/{kid}", check=False) == ""
    assert wrapped not in everything(world.bare)
    # the clerk and hq, holding every current key, read the person nowhere any more after their next sync
    sync(world, "zhangmin")
    sync(world, "sun")
    for login, clone in (("zhangmin", "sz"), ("sun", "hq")):
        office = world.as_(login)
        log = git(office.root, "log", "-p", "--", rel)
        assert "ENC[v1,SZ," in log  # the old versions are still in history, as markers
        assert PHONE not in log and NAME not in log and ADDRESS not in log, (login, log)
        assert wrapped not in everything(world.clones[clone].root)
        shown = office.run("show", case_id).output
        assert PHONE not in shown and NAME not in shown
    # and the same caller again is no repeat of the erased case (its lookups are gone)
    again = world.as_("zhangmin").new_result(contact=PHONE, name=NAME, subject="快递柜屏幕黑屏")
    assert again.exit_code == 0 and case_id not in again.output, again.output


def test_the_server_refuses_the_erased_key_pushed_back(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case_id = sz.new(contact=PHONE, name=NAME)
    rel = sz.path(case_id).relative_to(sz.root).as_posix()
    kid = key_id_of(load_plain(sz.path(case_id).read_text(encoding="utf-8"), rel))
    assert kid is not None
    sync(world, "zhangmin")
    old = git(sz.root, "rev-parse", casekeys.ref("SZ")).strip()
    sync(world, "sun")
    world.as_("sun").run("erase", case_id, "--reason", "本人申请删除")
    sync(world, "sun")
    sz = world.as_("zhangmin")
    git(sz.root, "fetch", "-q", "origin", f"+{casekeys.PREFIX}*:{casekeys.REMOTE_PREFIX}*")
    server = git(sz.root, "rev-parse", casekeys.remote_ref("SZ")).strip()
    # a clone that kept the old key lays it on the server's ref by hand and pushes it
    blob = git(sz.root, "rev-parse", f"{old}:{casekeys.path_of(kid)}").strip()
    tree = git(sz.root, "rev-parse", f"{server}^{{tree}}").strip()
    path = casekeys.path_of(kid)
    index = {"GIT_INDEX_FILE": str(sz.root / ".git" / "put-back-index")}
    subprocess.run(["git", "read-tree", tree], cwd=sz.root, env={**os.environ, **index}, check=True, timeout=60)
    subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], cwd=sz.root,
                   env={**os.environ, **index}, check=True, timeout=60)
    tree = subprocess.run(["git", "write-tree"], cwd=sz.root, env={**os.environ, **index}, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()
    commit = git(sz.root, "commit-tree", tree, "-p", server, "-m", "put it back").strip()
    proc = subprocess.run(["git", "push", "origin", f"{commit}:{casekeys.ref('SZ')}"], cwd=sz.root,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "GL_USER": "zhangmin"})
    assert proc.returncode != 0 and f"{path}: R-RT-5: " in proc.stderr and "第47条" in proc.stderr, proc.stderr
