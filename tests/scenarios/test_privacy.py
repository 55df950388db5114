"""Encrypted complainant fields across a real server with offices SZ and GZ and hq (R-RT-5):
who reads what, what the server refuses without any key, and the honest twins it accepts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from complaintctl.privacy import casekeys
from complaintctl.privacy import marker as M
from tests.privacy.world import World, build

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy")

PHONE = "13912345678"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("privacy")
    mp = pytest.MonkeyPatch()
    try:
        home = base / "home"
        home.mkdir()
        from tests.conftest import git_environment

        git_environment(mp, home)
        mp.setenv("COMPLAINTCTL_NOW", "2026-11-22T09:30:00+08:00")
        build(base / "world", mp)
    finally:
        mp.undo()
    return base / "world"


@pytest.fixture(name="world")
def world_fixture(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    import shutil

    from tests.privacy.world import reopen

    shutil.copytree(template, tmp_path / "world", symlinks=True)
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-22T10:30:00+08:00")
    return reopen(tmp_path / "world", monkeypatch)


def _sync(world: World, login: str) -> None:
    office = world.as_(login)
    world.monkeypatch.setenv("GL_USER", login)
    office.run("sync")
    world.monkeypatch.delenv("GL_USER")


def _new(world: World, login: str, **fields: str) -> str:
    office = world.as_(login)
    return office.new(contact=PHONE, name="欧阳娜娜", address="B座1502", **fields)


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_new_stores_markers_and_sync_pushes_the_case_key(world: World) -> None:
    case = _new(world, "zhangmin")
    sz = world.clones["sz"]
    text = sz.path(case).read_text(encoding="utf-8")
    assert PHONE not in text and "欧阳娜娜" not in text and "B座1502" not in text
    assert "ENC[v1,SZ," in text
    assert sz.show_json(case)["intake"]["complainant"]["contact"] == PHONE
    _sync(world, "zhangmin")
    assert _git(world.bare, "rev-parse", "--verify", "-q", casekeys.ref("SZ")).returncode == 0
    # hq reads it; a GZ clerk sees [encrypted], without an error
    _sync(world, "sun")
    assert world.as_("sun").show_json(case)["intake"]["complainant"]["contact"] == PHONE
    _sync(world, "zhouhua")
    gz = world.as_("zhouhua")
    shown = gz.run("show", case)
    assert PHONE not in shown.output and M.ENCRYPTED in shown.output
    assert gz.show_json(case)["intake"]["complainant"]["name"] == M.ENCRYPTED


def test_without_the_office_key_new_refuses_in_one_line(world: World, tmp_path: Path) -> None:
    office = world.as_("zhangmin")
    world.monkeypatch.setenv("COMPLAINTCTL_IDENTITY", str(tmp_path / "no-such-key"))
    result = office.new_result(contact=PHONE)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "keys" in result.output
    assert not list((office.root / "cases").rglob("*.yaml"))


def _push(world: World, login: str, *refs: str) -> subprocess.CompletedProcess[str]:
    office = world.as_(login)
    return _git(office.root, "push", "--atomic", "origin", *refs, env={"GL_USER": login})


def _amend(world: World, case: str, old: str, new: str) -> None:
    """Change the case file of the last (unpushed) commit by hand, past the client's hooks."""
    office = world.clones["sz"]
    office.hand_edit(case, old, new)
    office.git("commit", "-q", "-a", "--amend", "--no-edit", "--no-verify")


KEYS_SZ = f"{casekeys.ref('SZ')}:{casekeys.ref('SZ')}"


def _contact_marker(world: World, case: str) -> str:
    import yaml

    data = yaml.safe_load(world.clones["sz"].path(case).read_text(encoding="utf-8"))
    return str(data["intake"]["complainant"]["contact"])


def test_the_honest_case_and_its_key_pass_together(world: World) -> None:
    _new(world, "zhangmin")
    pushed = _push(world, "zhangmin", "main", KEYS_SZ)
    assert pushed.returncode == 0, pushed.stderr


def test_a_clear_protected_field_is_refused_by_the_server(world: World) -> None:
    case = _new(world, "zhangmin")
    _amend(world, case, _contact_marker(world, case), PHONE)
    refused = _push(world, "zhangmin", "main", KEYS_SZ)
    assert refused.returncode != 0
    assert "R-RT-5" in refused.stderr and "intake.complainant.contact" in refused.stderr
    assert _git(world.bare, "rev-parse", "-q", "--verify", casekeys.ref("SZ")).returncode != 0  # atomic: nothing


def test_a_marker_naming_another_office_is_refused(world: World) -> None:
    case = _new(world, "zhangmin")
    marker = _contact_marker(world, case)
    _amend(world, case, marker, marker.replace("ENC[v1,SZ,", "ENC[v1,GZ,"))
    refused = _push(world, "zhangmin", "main", KEYS_SZ)
    assert refused.returncode != 0 and "R-RT-5" in refused.stderr and "GZ" in refused.stderr


def test_a_case_whose_key_is_not_pushed_is_refused(world: World) -> None:
    _new(world, "zhangmin")
    refused = _push(world, "zhangmin", "main")
    assert refused.returncode != 0 and "refs/complaintctl/casekeys/SZ" in refused.stderr


def test_case_keys_take_additions_from_their_office_only(world: World) -> None:
    _new(world, "zhangmin")
    assert _push(world, "zhangmin", "main", KEYS_SZ).returncode == 0
    sz = world.clones["sz"]
    ref = casekeys.ref("SZ")
    tip = sz.git("rev-parse", ref).stdout.strip()
    # a rewrite: the same tree as a new root commit
    tree = sz.git("rev-parse", f"{ref}^{{tree}}").stdout.strip()
    root = sz.git("commit-tree", tree, "-m", "rewritten").stdout.strip()
    rewound = _push(world, "zhangmin", f"+{root}:{ref}")
    assert rewound.returncode != 0 and "R-RT-5" in rewound.stderr and casekeys.ref("SZ") in rewound.stderr
    deleted = _push(world, "zhangmin", f":{ref}")
    assert deleted.returncode != 0 and "R-RT-5" in deleted.stderr
    # GZ's clerk may not write SZ's case keys
    gz = world.clones["gz"]
    gz.git("fetch", "-q", str(world.bare), f"{ref}:{ref}")
    stranger = _push(world, "zhouhua", f"{tip}:{ref}")
    assert stranger.returncode == 0  # nothing new: an up-to-date ref is no update
    _new(world, "zhouhua")
    _sync(world, "zhouhua")  # honest: GZ's own ref
    gz_tip = gz.git("rev-parse", casekeys.ref("GZ")).stdout.strip()
    tree = gz.git("rev-parse", f"{gz_tip}^{{tree}}").stdout.strip()
    onto = gz.git("commit-tree", tree, "-p", tip, "-m", "GZ keys on SZ's ref").stdout.strip()
    crossed = _push(world, "zhouhua", f"{onto}:{ref}")
    assert crossed.returncode != 0 and "R-RT-5" in crossed.stderr


def test_keys_are_changed_by_hq_only(world: World) -> None:
    sz = world.as_("zhangmin")
    (sz.root / "keys/SZ/1.yaml").write_text("office: SZ\nepoch: 1\nrecipients: []\n", encoding="utf-8")
    sz.git("commit", "-q", "-am", "keys: mine", "--no-verify")
    refused = _push(world, "zhangmin", "main")
    assert refused.returncode != 0 and "keys/SZ/1.yaml" in refused.stderr


def test_hq_reads_every_office_and_the_gz_clerk_only_gz(world: World) -> None:
    sz_case = _new(world, "zhangmin")
    _sync(world, "zhangmin")
    gz_case = _new(world, "zhouhua")
    _sync(world, "zhouhua")
    _sync(world, "sun")
    hq = world.as_("sun")
    assert hq.show_json(sz_case)["intake"]["complainant"]["contact"] == PHONE
    assert hq.show_json(gz_case)["intake"]["complainant"]["contact"] == PHONE
    gz = world.as_("zhouhua")
    assert gz.show_json(gz_case)["intake"]["details"] != M.ENCRYPTED
    assert gz.show_json(sz_case)["intake"]["details"] == M.ENCRYPTED
    listed = gz.run("list")
    assert sz_case in listed.output and gz_case in listed.output
    out = Path(gz.root.parent / "export.csv")
    gz.run("export", "--period", "2026-11", "--csv", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.count(PHONE) == 1 and M.ENCRYPTED in text
    assert json.loads(gz.run("show", sz_case, "--json").output)["intake"]["complainant"]["address"] == M.ENCRYPTED


def test_sync_rewraps_keys_made_before_a_rotation(world: World) -> None:
    case = _new(world, "zhangmin")  # under epoch 1, not pushed yet
    hq = world.as_("sun")
    hq.run("keys", "rotate", "SZ")
    _sync(world, "sun")
    _sync(world, "zhangmin")  # the server now takes epoch 2 only: sync re-wraps the key
    sz = world.clones["sz"]
    kid = M.decode(_contact_marker(world, case)).key_id
    entry = casekeys.parse_entry(sz.git("show", f"{casekeys.ref('SZ')}:{casekeys.path_of(kid)}").stdout)
    assert entry.epoch == 2
    _sync(world, "sun")
    assert world.as_("sun").show_json(case)["intake"]["complainant"]["contact"] == PHONE
