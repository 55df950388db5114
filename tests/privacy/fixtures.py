"""The encrypted group (tests/privacy/world.py) as fixtures for other test modules: one world
built per test session (per xdist worker), a private copy per test. Import both names into the test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import git_environment
from tests.privacy.world import World, build, reopen

NOW = "2026-11-22T10:30:00+08:00"  # the CLI and the hooks alike (COMPLAINTCTL_NOW)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("privacy")
    with pytest.MonkeyPatch.context() as mp:
        home = base / "home"
        home.mkdir()
        git_environment(mp, home)
        mp.setenv("COMPLAINTCTL_NOW", "2026-11-22T09:30:00+08:00")
        build(base / "world", mp)
    return base / "world"


@pytest.fixture
def world(world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    shutil.copytree(world_template, tmp_path / "world", symlinks=True)
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    return reopen(tmp_path / "world", monkeypatch)


def sync(world: World, login: str) -> None:
    """`complaintctl sync` as `login`, the server knowing them as its pusher (GL_USER)."""
    office = world.as_(login)
    world.monkeypatch.setenv("GL_USER", login)
    office.run("sync")
    world.monkeypatch.delenv("GL_USER")
