"""Issue 4: the case bulletin — Markdown and one self-contained HTML file, complainants masked."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaintctl.reporting import browser
from tests import report_sample
from tests.conftest import Office

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("bulletin")

Sample = tuple[Office, dict[str, str]]
CHROMIUM = browser.find()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    with pytest.MonkeyPatch.context() as mp:
        yield report_sample.built_office(tmp_path_factory, mp)


@pytest.fixture(scope="module")
def rendered(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    office, _ = sample
    out = tmp_path_factory.mktemp("bulletin")
    result = office.run("bulletin", "--period", "2026-10", "--out", str(out))
    assert "bulletin-2026-10.md" in result.output and "bulletin-2026-10.html" in result.output
    return {fmt: (out / f"bulletin-2026-10.{fmt}").read_text(encoding="utf-8") for fmt in ("md", "html")}


def test_no_complainant_is_identifiable_anywhere(rendered: dict[str, str]) -> None:
    for fmt, text in rendered.items():
        for secret in report_sample.SECRETS:  # R-RP-4: names, phones, addresses, unit numbers
            assert secret not in text, f"{secret} in the {fmt} bulletin"
        assert not re.search(r"1[3-9]\d{9}", text), fmt
        assert "王某" in text and "【电话】" in text  # the free text did name them, and was masked


def test_bulletin_features_the_cases_worth_learning_from(rendered: dict[str, str], sample: Sample) -> None:
    _, ids = sample
    md = rendered["md"]
    assert md.startswith("# 物业服务中心 投诉案例通报 2026-10")
    for key in ("A", "B", "D"):  # major with a lesson, the slowest, the repeat
        assert ids[key] in md
    a = md[md.index(ids["A"]):]
    assert "重大投诉" in a and "电梯主板等关键备件列入常备件清单" in a and "电梯主板备件库存不足" in a
    assert "每季度盘点电梯备件" in a  # the preventive action
    assert "| 受理投诉 | 6 | +4 |" in md  # six this month against September's two
    # R-RP-2: the classification table counts customer complaints; non-customer ones apart (R-DEF-2)
    customer = md[md.index("## 顾客投诉分类统计表"):md.index("## 非顾客投诉分类统计表")]
    assert "| 工作效率 | 2 | 0 | 0 | **2** |" in customer and "| **合计** | **2** | **1** | **1** | **4** |" in customer
    assert "| 业户纠纷 | 0 | 1 | **1** |" in md[md.index("## 非顾客投诉分类统计表"):]


def test_html_is_self_contained_and_printable(rendered: dict[str, str]) -> None:
    html = rendered["html"]
    assert html.lstrip().startswith("<!DOCTYPE html>") and "<style>" in html and "@page" in html
    assert html.count("<svg") >= 3 and "<rect" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", html, re.IGNORECASE)
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}  # a namespace only


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary installed")
def test_html_renders_in_headless_chromium(sample: Sample, tmp_path: Path) -> None:
    office, _ = sample
    office.run("bulletin", "--period", "2026-10", "--out", str(tmp_path), "--format", "html")
    page = tmp_path / "bulletin-2026-10.html"
    png = tmp_path / "bulletin.png"
    browser.screenshot(page, png, 1200, 1800)  # the package's one way to run Chromium (the form prints by it)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1200 and int.from_bytes(data[20:24], "big") == 1800
    assert len(data) > 50_000  # a page with text and charts, not a blank sheet
    keep = os.environ.get("COMPLAINTCTL_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)  # for a human to look at


def _copy(office: Office, tmp_path: Path) -> Office:
    dest = tmp_path / "copy"
    shutil.copytree(office.root, dest, symlinks=True)
    return Office(dest)


def test_office_templates_override_the_shipped_ones(sample: Sample, tmp_path: Path) -> None:
    office = _copy(sample[0], tmp_path)
    custom = office.root / "templates" / "bulletin" / "bulletin.md.j2"
    assert custom.is_file(), "init copies the shipped bulletin templates into the office"
    custom.write_text("# 本中心通报 {{ r.period.label }}: {{ r.headline.received }}\n"
                      "{% for f in b.featured %}- {{ f.what_happened }}\n{% endfor %}", encoding="utf-8")
    office.run("bulletin", "--period", "2026-10", "--out", str(tmp_path / "out"))
    md = (tmp_path / "out" / "bulletin-2026-10.md").read_text(encoding="utf-8")
    assert md.startswith("# 本中心通报 2026-10: 6")
    assert "王小明" not in md and "王某" in md  # masked before any template sees it
    assert "<!DOCTYPE html>" in (tmp_path / "out" / "bulletin-2026-10.html").read_text(encoding="utf-8")
    custom.write_text("{{ no_such_thing }}", encoding="utf-8")
    bad = office.run("bulletin", "--period", "2026-10", "--out", str(tmp_path / "out"), ok=False)
    assert bad.exit_code == 1 and "templates/bulletin/bulletin.md.j2" in bad.output


def test_labels_follow_the_policy_language(sample: Sample, tmp_path: Path) -> None:
    office = _copy(sample[0], tmp_path)
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    office.run("bulletin", "--period", "2026-10", "--out", str(tmp_path / "en"))
    md = (tmp_path / "en" / "bulletin-2026-10.md").read_text(encoding="utf-8")
    assert "Complaint case bulletin 2026-10" in md and "Lesson" in md and "Work efficiency" in md
    assert "经验教训" not in md


def test_commit_writes_under_bulletins_and_commits(sample: Sample, tmp_path: Path) -> None:
    office = _copy(sample[0], tmp_path)
    out = office.run("bulletin", "--period", "2026-10", "--commit").output
    assert "已提交" in out
    assert office.git("log", "-1", "--format=%s").stdout.strip() == "案例通报 2026-10"
    files = office.git("show", "--name-only", "--format=", "HEAD").stdout.split()
    assert files == ["bulletins/bulletin-2026-10.html", "bulletins/bulletin-2026-10.md"]
    assert "无变化" in office.run("bulletin", "--period", "2026-10", "--commit").output
    refused = office.run("bulletin", "--period", "2026-10", "--commit", "--out", str(tmp_path), ok=False)
    assert refused.exit_code == 1 and "bulletins/" in refused.output


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",  # the probe
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for c in r.__class__.__mro__ %}{{ c }}{% endfor %}",
    "{{ L.update({'x': 'y'}) }}",  # templates may not change the data either
])
def test_a_template_reaching_python_internals_fails_and_runs_nothing(sample: Sample, tmp_path: Path,
                                                                      payload: str) -> None:
    """Issue 11 §1: templates come from the repository (anyone who can push), so they render
    sandboxed; the attempt fails with one clear line and no command runs."""
    office = _copy(sample[0], tmp_path)
    pwned = office.root / "PWNED"
    custom = office.root / "templates" / "bulletin" / "bulletin.md.j2"
    custom.write_text(payload.replace("PWNED", str(pwned)), encoding="utf-8")
    bad = office.run("bulletin", "--period", "2026-10", "--out", str(tmp_path / "out"), ok=False)
    assert bad.exit_code == 1, bad.output
    assert "templates/bulletin/bulletin.md.j2:已拒绝,模板在沙箱中运行" in bad.output  # the office speaks zh
    assert len(bad.output.strip().splitlines()) == 1
    assert not pwned.exists()
    assert not (tmp_path / "out" / "bulletin-2026-10.md").exists()
