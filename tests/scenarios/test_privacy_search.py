"""`search` and `similar` over sealed complainant fields (R-RT-5, R-RP-3), on the real group
server: a clerk finds their office's cases by the customer's own words; a clerk of another
office — on their own clone, or with their key on this one — does not, and their private index
file holds none of those words; the file is its owner's alone; an erasure takes the words out of
it at the next sync."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from complaintctl.repo import index
from complaintctl.repo.index.private import file_of
from complaintctl.repo.workspace import open_workspace
from tests.conftest import Office
from tests.privacy.fixtures import sync, world, world_template  # noqa: F401  (fixtures)
from tests.privacy.world import World

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")

WORDS = "积水淹没"  # only ever in the sealed details below, never in a clear field
DETAILS = "地下车库渗漏积水淹没三辆轿车"
LIKE = "车库渗漏积水淹没两辆电动车"  # a second account sharing those words


def found(office: Office, *args: str) -> list[str]:
    return [h["id"] for h in json.loads(office.run(*args, "--json").output)]


def private_file(office: Office) -> Path:
    """The private index of whoever acts now (COMPLAINTCTL_IDENTITY) in `office`'s clone."""
    ws = open_workspace(office.root)
    where = file_of(ws, ws.keyring)
    assert where is not None
    return where


def test_the_clerk_finds_sealed_words_and_another_office_does_not(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case = sz.new(subject="电梯故障", details=DETAILS)
    other = sz.new(subject="垃圾清运", details=LIKE)
    assert WORDS not in sz.path(case).read_text(encoding="utf-8")  # sealed in the file
    sync(world, "zhangmin")
    assert sorted(found(sz, "search", WORDS)) == sorted([case, other])
    assert other in found(sz, "similar", case)  # alike only in their sealed details
    mine = private_file(sz)
    assert WORDS[:2].encode() in mine.read_bytes()
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600
    assert stat.S_IMODE(mine.parent.stat().st_mode) == 0o700
    # the shared index, which every OS user of the clone may read, holds none of the words
    shared = sz.root / ".git" / "complaintctl" / index.DB_NAME
    assert shared.exists() and WORDS[:2].encode() not in shared.read_bytes()

    # the GZ clerk, on their own clone: nothing found, nothing of SZ's words in their file
    sync(world, "zhouhua")
    gz = world.as_("zhouhua")
    theirs = gz.new(subject="门禁卡失灵", details=DETAILS)  # the honest twin: their own office's case
    assert found(gz, "search", WORDS) == [theirs]
    assert other not in found(gz, "similar", case)
    assert WORDS[:2].encode() in private_file(gz).read_bytes()  # from their own case only:
    gz.git("reset", "-q", "--hard", "HEAD~1")  # without it, not a byte of the words is left
    assert found(gz, "search", WORDS) == []
    assert WORDS[:2].encode() not in private_file(gz).read_bytes()
    assert found(gz, "search", "ENC v1 SZ") == []  # a marker is no words for the shared index

    # the GZ clerk's key used on the SZ clone: another file, and still nothing of SZ's
    world.monkeypatch.setenv("COMPLAINTCTL_IDENTITY", str(world.keys["zhouhua"].private))
    assert found(sz, "search", WORDS) == []
    assert private_file(sz) != mine and WORDS[:2].encode() not in private_file(sz).read_bytes()


def test_an_erasure_takes_the_words_out_of_the_private_index(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case = sz.new(subject="电梯故障", details=DETAILS)
    sync(world, "zhangmin")
    assert found(sz, "search", WORDS) == [case]
    sync(world, "sun")
    hq = world.as_("sun")
    assert found(hq, "search", WORDS) == [case]  # hq holds every office's key
    hq.run("erase", case, "--reason", "本人书面申请删除")
    sync(world, "sun")
    assert found(hq, "search", WORDS) == []
    sync(world, "zhangmin")
    sz = world.as_("zhangmin")
    assert found(sz, "search", WORDS) == []
    assert WORDS[:2].encode() not in private_file(sz).read_bytes()


NAME, PHONE = "欧阳娜娜", "13912345678"
ACCOUNT = f"业主{NAME}说车库积水淹没三辆车，请回电{PHONE}"


def bulletin(office: Office, out: Path, ok: bool = True) -> tuple[int, str]:
    result = office.run("bulletin", "--period", "2026-11", "--as-of", "2026-11-30 18:00", "--format", "md", "--out",
                        str(out), ok=ok)
    return result.exit_code, result.output


def test_the_bulletin_opens_its_featured_cases_to_mask_them(world: World, tmp_path: Path) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case = sz.new("--severity", "major", subject="车库积水", name=NAME, contact=PHONE, details=ACCOUNT)
    sync(world, "zhangmin")
    sync(world, "sun")
    # hq holds every key: the featured case's own account is shown, its complainant masked (R-RP-4)
    code, _ = bulletin(world.as_("sun"), tmp_path / "hq")
    text = (tmp_path / "hq" / "bulletin-2026-11.md").read_text(encoding="utf-8")
    assert case in text and "淹没三辆车" in text
    assert NAME not in text and PHONE not in text and "娜娜" not in text
    assert "ENC[" not in text and "[encrypted]" not in text
    # the GZ clerk holds no SZ key: refused in one line naming the case and the office, nothing written
    sync(world, "zhouhua")
    code, said = bulletin(world.as_("zhouhua"), tmp_path / "gz", ok=False)
    assert code == 1 and case in said and "SZ" in said and len(said.strip().splitlines()) == 1, said
    assert not (tmp_path / "gz").exists()
    # the SZ clerk holds SZ's key: made as hq's
    code, _ = bulletin(world.as_("zhangmin"), tmp_path / "sz")
    assert (tmp_path / "sz" / "bulletin-2026-11.md").read_text(encoding="utf-8") == text


def test_export_is_unmasked_for_key_holders_only(world: World, tmp_path: Path) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case = sz.new(name=NAME, contact=PHONE, details=ACCOUNT)
    sync(world, "zhangmin")
    for login in ("sun", "zhouhua"):
        sync(world, login)
    for login, sees in (("zhangmin", True), ("sun", True), ("zhouhua", False)):
        out = tmp_path / f"{login}.csv"
        world.as_(login).run("export", "--period", "2026-11", "--csv", str(out))
        text = out.read_text(encoding="utf-8-sig")
        assert case in text
        assert (PHONE in text and NAME in text and "淹没三辆车" in text) is sees, (login, text)
        assert "ENC[" not in text
        if not sees:
            assert "[encrypted]" in text and PHONE not in text and NAME not in text and "积水" not in text


def test_a_leaver_loses_the_words_with_the_key(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case = sz.new(subject="电梯故障", details=DETAILS)
    sync(world, "zhangmin")
    assert found(world.as_("liuyang"), "search", WORDS) == [case]  # a colleague on the same clone
    sync(world, "sun")
    world.as_("sun").run("people", "remove", "刘洋")  # rotates SZ's key and re-wraps without them
    sync(world, "sun")
    sync(world, "zhangmin")  # the clone takes keys/ as re-wrapped
    leaver = world.as_("liuyang")
    assert found(leaver, "search", WORDS) == []
    assert WORDS[:2].encode() not in private_file(leaver).read_bytes()
    assert found(world.as_("zhangmin"), "search", WORDS) == [case]  # still entitled: still found
