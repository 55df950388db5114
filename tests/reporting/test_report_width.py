"""`report` fits 80 columns (wcwidth's display width: a Chinese character is two) in zh and en,
on the shipped sample office and on a policy with ten categories and as many units: long
headers are stacked, a table still too wide is split, repeating its row labels — no count is
cut and no line wraps."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from wcwidth import wcswidth

from tests.conftest import Office

ROOT = Path(__file__).resolve().parents[2]


def widest(text: str) -> int:
    return max(wcswidth(line) for line in text.splitlines())


def shown(label: str, text: str) -> bool:
    """`label` in `text`, whole or stacked on two lines (a header broken once)."""
    return any(label[:k].strip() in text and label[k:].strip() in text for k in range(len(label)))


def shipped(tmp_path: Path, language: str) -> Office:
    """The project's own sample office (complaintctl.yaml and cases/ at the repository's root), copied."""
    root = tmp_path / language
    root.mkdir()
    shutil.copy(ROOT / "complaintctl.yaml", root / "complaintctl.yaml")
    shutil.copytree(ROOT / "cases", root / "cases")
    policy = root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("\nlanguage: zh", f"\nlanguage: {language}"),
                      encoding="utf-8")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "--no-verify", "-m", "sample")):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=120)
    return Office(root)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_shipped_sample_report_fits_80_columns(tmp_path: Path, language: str) -> None:
    office = shipped(tmp_path, language)
    text = office.run("report", "--period", "2026-10").output
    assert widest(text) <= 80, text
    data = json.loads(office.run("report", "--period", "2026-10", "--json").output)
    for unit in data["table"]["units"]:  # every column is there, whole or stacked: nothing cut
        assert shown(unit["label"], text), unit
    wide = office.run("report", "--period", "2026-10", "--wide").output
    assert widest(wide) > 80  # --wide: every table in one piece, as before


UNITS = {"u1": "社区文化活动中心", "u2": "停车场管理服务部", "u3": "智能化设备运维中心"}
CATEGORIES = {"c1": ("停车收费与管理", "u1"), "c2": ("社区文化活动", "u2"), "c3": ("智能门禁系统", "u3"),
              "c4": ("装修管理", "security")}


def ten_categories(office: Office) -> list[str]:
    """Ten categories, ten units (three new, with long names), a handler in each; the units' keys."""
    path = office.root / "complaintctl.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.index("\nunits:\n") < text.index("\ncategories:\n")
    units = "".join(f"  {k}: {{zh: {v}, en: Unit {k} of the estate}}\n" for k, v in UNITS.items())
    cats = "".join(f"  {k}: {{zh: {v}, en: Category {k}, unit: {u}}}\n" for k, (v, u) in CATEGORIES.items())
    text = text.replace("\ncategories:\n", f"\n{units}categories:\n{cats}", 1)
    path.write_text(text, encoding="utf-8")
    office.git("commit", "-qam", "ten categories")
    keys = [*re.findall(r"(?m)^  ([a-z0-9-]+): \{zh:", text[text.index("\nunits:\n"):text.index("\ncategories:\n")])]
    for key in keys:
        office.run("people", "add", f"员工{key}", "--email", f"{key}@example.com", "--unit", key, "--role", "staff")
    return keys


def test_ten_categories_and_ten_units_fit_80_columns(office: Office) -> None:
    units = ten_categories(office)
    assert len(units) == 10
    for unit in units:
        case_id = office.new(category="c1")
        office.run("assign", case_id, "--handler", f"员工{unit}", "--unit", unit)
    office.new(category="c4")  # and one not yet assigned
    period = office.show_json(case_id)["intake"]["received_at"][:7]
    data = json.loads(office.run("report", "--period", period, "--json").output)
    assert len(data["table"]["rows"]) == 10 and len(data["table"]["units"]) == 11
    out = office.run("report", "--period", period).output
    assert widest(out) <= 80, out
    for row in data["table"]["rows"]:
        assert row["label"] in out
    for unit in data["table"]["units"]:
        assert shown(unit["label"], out), unit
