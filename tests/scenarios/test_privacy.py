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
