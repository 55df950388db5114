"""`complaintctl keys`: hq makes, re-wraps and rotates office keys; nobody else may (R-RT-5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from complaintctl.privacy import officekeys
from complaintctl.privacy.keyring import Keyring
from complaintctl.repo.git import Git
from tests.privacy.world import World

# One worker builds the group once for every module that copies it (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")


def _ring(world: World, login: str, where: str = "hq") -> Keyring:
    """What `login`'s key opens in hq's clone (where the keys commands ran)."""
    world.as_(login)
    root = world.clones[where].root
    return Keyring.open(root, Git.open(root))


def test_init_wraps_each_office_to_its_people_hq_and_recovery(world: World) -> None:
    hq = world.as_("sun")
    assert officekeys.epochs(hq.root, "SZ") == [1] and officekeys.epochs(hq.root, "GZ") == [1]
    assert _ring(world, "zhangmin").can_read("SZ") and not _ring(world, "zhangmin").can_read("GZ")
    assert _ring(world, "zhouhua").can_read("GZ") and not _ring(world, "zhouhua").can_read("SZ")
    assert _ring(world, "sun").can_read("SZ") and _ring(world, "sun").can_read("GZ")
    rows = json.loads(world.as_("sun").run("keys", "who", "--json").output)
    sz = next(r for r in rows if r["office"] == "SZ")
    assert "张敏" in sz["recipients"] and "孙总" in sz["recipients"] and "周华" not in sz["recipients"]
    assert officekeys.RECOVERY in sz["recipients"]


def test_only_hq_manages_keys_and_init_runs_once(world: World) -> None:
    clerk = world.as_("zhangmin")
    for verb in ("init", "rewrap", "rotate"):
        result = clerk.run("keys", verb, "SZ", ok=False)
        assert result.exit_code == 1 and "hq" in result.output
    hq = world.as_("sun")
    again = hq.run("keys", "init", "SZ", ok=False)
    assert again.exit_code == 1 and "rewrap" in again.output
    assert hq.run("keys", "init", "XX", ok=False).exit_code == 1


def test_rotate_after_someone_leaves(world: World) -> None:
    hq = world.as_("sun")
    hq.run("people", "remove", "刘洋", "--no-rotate")
    assert officekeys.epochs(hq.root, "SZ") == [1]
    out = hq.run("keys", "rotate", "SZ", "--left", "刘洋").output
    assert "SZ" in out and "2" in out and "allowed_signers" in out and "gitolite" in out
    assert officekeys.epochs(hq.root, "SZ") == [1, 2]
    manifest = officekeys.read_manifest((hq.root / "keys/SZ/1.yaml").read_text(encoding="utf-8"))
    assert manifest["retired"]
    assert not _ring(world, "liuyang").can_read("SZ")  # neither the new epoch nor the re-wrapped old one
    assert _ring(world, "liuyang", "sz").can_read("SZ")  # what they held before is not taken back
    keeper = _ring(world, "sun")
    assert set(keeper.office_keys("SZ")) == {1, 2}
    assert keeper.current("SZ") == keeper.office_keys("SZ")[2]


def test_rewrap_takes_in_a_new_key(world: World, tmp_path: Path) -> None:
    from tests.privacy.keys import ssh_key

    hq = world.as_("sun")
    newer = ssh_key(tmp_path / "more", "liuyang2")
    hq.run("people", "set", "刘洋", "--key", newer.public)
    world.keys["liuyang"] = newer
    assert not _ring(world, "liuyang").can_read("SZ")
    world.as_("sun").run("keys", "rewrap", "SZ")
    assert _ring(world, "liuyang").can_read("SZ")
    bad = world.as_("sun").run("people", "set", "刘洋", "--key", "ssh-rsa AAAAB3", ok=False)
    assert bad.exit_code != 0 and "--key" in bad.output


def test_people_remove_rotates_the_leavers_office(world: World) -> None:
    hq = world.as_("sun")
    out = hq.run("people", "remove", "刘洋").output
    assert "SZ" in out and "allowed_signers" in out
    assert officekeys.epochs(hq.root, "SZ") == [1, 2] and officekeys.epochs(hq.root, "GZ") == [1]
    assert not _ring(world, "liuyang").can_read("SZ")
    assert set(_ring(world, "zhangmin").office_keys("SZ")) == {1, 2}
