"""`git diff` and `git log -p` for key holders (privacy.textconv, repo.hooks.install_diff_driver):
an SZ clerk's log shows the complainant's old and new phone; a GZ clerk's (no SZ key) shows the
markers only; git keeps no textconv cache. On the real group server (tests/privacy/world.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.privacy.fixtures import sync, world, world_template  # noqa: F401  (fixtures)
from tests.privacy.world import World

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")

PHONE, NEW_PHONE = "13912345678", "13700000007"


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_key_holders_read_the_log_others_see_markers(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case_id = sz.new(contact=PHONE, name="欧阳娜娜")
    world.monkeypatch.setenv("EDITOR", f"sed -i s/{PHONE}/{NEW_PHONE}/")
    sz.run("edit", case_id)
    assert (sz.root / ".gitattributes").read_text(encoding="utf-8") == "cases/**/*.yaml diff=complaintctl\n"
    assert git(sz.root, "config", "diff.complaintctl.cachetextconv").strip() == "false"
    rel = sz.path(case_id).relative_to(sz.root).as_posix()
    log = git(sz.root, "log", "-p", "--", rel)
    assert f'-    contact: "{PHONE}"' in log and f'+    contact: "{NEW_PHONE}"' in log, log
    assert '"欧阳娜娜"' in log and "ENC[" not in log
    assert PHONE not in git(sz.root, "log", "-p", "--no-textconv", "--", rel)  # what is stored
    assert git(sz.root, "for-each-ref", "refs/notes/").strip() == ""  # no plaintext cached by git
    sync(world, "zhangmin")
    sync(world, "zhouhua")
    gz = world.as_("zhouhua")
    log = git(gz.root, "log", "-p", "--", rel)
    assert PHONE not in log and NEW_PHONE not in log and "欧阳娜娜" not in log
    assert "ENC[v1,SZ," in log  # the diff still shows that the contact changed


def test_the_driver_prints_what_it_cannot_read_unchanged(world: World, tmp_path: Path) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    odd = tmp_path / "odd.yaml"
    odd.write_bytes(b"contact: 'ENC[v1,SZ,broken]'\n\xff")
    proc = subprocess.run(["git", "config", "diff.complaintctl.textconv"], cwd=sz.root, capture_output=True,
                          text=True, timeout=60)
    driver = proc.stdout.strip()
    out = subprocess.run(f"{driver} {odd}", shell=True, cwd=sz.root, capture_output=True, timeout=120)
    assert out.returncode == 0 and out.stdout == odd.read_bytes()
    elsewhere = subprocess.run(f"{driver} {odd}", shell=True, cwd=tmp_path, capture_output=True, timeout=120)
    assert elsewhere.returncode == 0 and elsewhere.stdout == odd.read_bytes()
