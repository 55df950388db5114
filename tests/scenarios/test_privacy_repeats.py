"""R-AS-5 with encrypted complainant fields (privacy.blindindex, privacy.repeats): the same
caller is still flagged though no clone holds an earlier caller's phone or name in clear —
within their office for a clerk, across offices for hq — and the server accepts the lookups
only well-formed and of the case's own office. On the real group server (tests/privacy/world.py)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from complaintctl.model.case import load_plain
from complaintctl.privacy.blindindex import parse
from tests.privacy.fixtures import sync, world, world_template  # noqa: F401  (fixtures)
from tests.privacy.world import World

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("privacy-world")

PHONE = "13912345678"


def lookups(world: World, clone: str, case_id: str) -> list[str]:  # noqa: F811
    office = world.clones[clone]
    data = load_plain(office.path(case_id).read_text(encoding="utf-8"), case_id)
    return list(data["intake"]["complainant"].get("lookup") or [])


def test_a_repeat_caller_is_flagged_from_lookups_alone(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    first = sz.new(contact=PHONE, name="欧阳娜娜")
    text = sz.path(first).read_text(encoding="utf-8")
    assert PHONE not in text and "欧阳娜娜" not in text
    found = lookups(world, "sz", first)
    assert len(found) == 2 and all(p is not None and p.office == "SZ" for p in map(parse, found))
    # the read index holds no plaintext of it, the file none: only the lookup can match
    again = sz.new_result(contact="139 1234 5678", name="王女士", subject="又来投诉空调噪音")
    assert again.exit_code == 0, again.output
    assert f"{first} (同一联系方式)" in again.output
    second = again.output.split()[0]
    assert sz.show_json(second)["assessment"]["repeat_of"] == [first]
    by_name = sz.new_result(contact="13800000001", name="欧阳 娜娜", subject="绿化带无人修剪")
    assert f"{first} (同一姓名)" in by_name.output
    other = sz.new_result(contact="13800000002", name="李先生", subject="快递柜屏幕黑屏")
    assert "R-AS-5" not in other.output


def test_a_clerk_looks_within_their_office_hq_across_offices(world: World) -> None:  # noqa: F811
    gz = world.as_("zhouhua")
    first = gz.new(contact=PHONE, name="欧阳娜娜")
    assert all(p is not None and p.office == "GZ" for p in map(parse, lookups(world, "gz", first)))
    sync(world, "zhouhua")
    sync(world, "zhangmin")
    sz = world.as_("zhangmin")
    result = sz.new_result(contact=PHONE, name="欧阳娜娜", subject="快递柜屏幕黑屏")
    assert result.exit_code == 0 and "R-AS-5" not in result.output, result.output  # SZ holds no GZ key
    sync(world, "sun")
    hq = world.as_("sun")  # hq's clone records for SZ, and holds every office's keys
    result = hq.new_result(contact=PHONE, name="欧阳娜娜", subject="地库照明太暗")
    assert result.exit_code == 0 and f"{first} (同一联系方式)" in result.output, result.output


def test_the_server_refuses_a_lookup_of_another_office(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    case_id = sz.new(contact=PHONE, name="欧阳娜娜")
    sync(world, "zhangmin")
    path = sz.path(case_id)
    text = path.read_text(encoding="utf-8")
    forged = re.sub(r"BIDX\[v1,SZ,", "BIDX[v1,GZ,", text, count=1)
    assert forged != text
    path.write_text(forged, encoding="utf-8")
    sz.git("commit", "-q", "--no-verify", "-am", f"{case_id}: lookup")
    before = sz.git("ls-remote", "origin").stdout
    proc = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=sz.root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "GL_USER": "zhangmin"})
    assert proc.returncode != 0 and "intake.complainant.lookup[0]: R-AS-5: " in proc.stderr, proc.stderr
    assert sz.git("ls-remote", "origin").stdout == before


def test_an_edit_of_the_contact_writes_new_lookups(world: World) -> None:  # noqa: F811
    sz = world.as_("zhangmin")
    first = sz.new(contact=PHONE, name="欧阳娜娜")
    before = lookups(world, "sz", first)
    world.monkeypatch.setenv("EDITOR", f"sed -i s/{PHONE}/13700000007/")
    sz.run("edit", first)
    after = lookups(world, "sz", first)
    assert len(after) == 2 and after[1] == before[1] and after[0] != before[0]  # the name's is kept
    again = sz.new_result(contact="137 0000 0007", name="李先生", subject="又来投诉空调噪音")
    assert f"{first} (同一联系方式)" in again.output, again.output
