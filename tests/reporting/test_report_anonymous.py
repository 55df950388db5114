"""Anonymous complaints (R-IN-1, where the policy takes them) are counted apart in `report`: its
own row in the key figures and under the complainant classes, in the text, JSON, CSV and the
bulletin."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import Office
from tests.handling.test_intake import ANONYMOUS, allow_anonymous


def test_report_counts_the_periods_anonymous_complaints_apart(office: Office, tmp_path: Path) -> None:
    allow_anonymous(office)
    named = office.new()
    first = office.run("new", *ANONYMOUS, "--anonymous-reason", "不愿留名").output.split()[0]
    office.run("new", *ANONYMOUS[:-4], "--subject", "垃圾清运不及时", "--details", "北门垃圾桶两天未清",
               "--anonymous-reason", "担心被报复")
    period = office.show_json(first)["intake"]["received_at"][:7]
    assert office.show_json(named)["intake"]["received_at"][:7] == period
    data = json.loads(office.run("report", "--period", period, "--json").output)
    assert (data["headline"]["received"], data["headline"]["anonymous"]) == (3, 2)
    assert data["previous"]["anonymous"] == 0 and data["change"]["anonymous"] == 2
    text = office.run("report", "--period", period).output
    rows = [line.split() for line in text.splitlines() if line.startswith("匿名投诉")]
    assert rows[0][:3] == ["匿名投诉", "2", "0"]  # the key figures: this period, the previous one
    assert rows[1] == ["匿名投诉", "2"]  # and under the complainant classes
    office.run("report", "--period", period, "--csv", str(tmp_path / "r.csv"))
    table = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert ["匿名投诉", "2", "0", "2"] in table
    office.run("bulletin", "--period", period, "--out", str(tmp_path))
    assert "匿名投诉 2" in (tmp_path / f"bulletin-{period}.md").read_text(encoding="utf-8")
