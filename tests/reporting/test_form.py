"""`complaintctl form ID`: the case as the office's printable handling form (客户投诉处理登记表,
001-1 §1.4, 001-4 §9) — HTML, PDF by headless Chromium, a template the office may override
(sandboxed), labels in the office's language."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from complaintctl.reporting import browser
from tests.conftest import Office
from tests.report_sample import Driver, isolate

# One worker builds this module's shared set-up once (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("form")

CHROMIUM = browser.find()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary installed")
A4_AT_96_DPI = (794, 1123)  # 210 × 297 mm in CSS pixels


def at(day: str, hm: str) -> str:
    return f"2026-11-{day}T{hm}:00+08:00"


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Office, str]]:
    """One complaint walked through every step by its actor at pinned times: intake, dispatch,
    plan, resolution (with compensation and liability, R-CL-2), revisit, closing."""
    from click.testing import CliRunner

    from complaintctl.cli import cli

    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, tmp_path_factory.mktemp("home"))
        root = tmp_path_factory.mktemp("form") / "office"
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
        assert result.exit_code == 0, result.output
        office = Office(root)
        d = Driver(office, mp)
        d.at(at("02", "09:00"))
        cid = office.new("--accused", "赵磊", "--address", "深南大道1001号", name="王小明", contact="13800138000",
                         subject="电梯故障三天未修", details="3栋电梯停运三天,老人无法下楼", location="3栋2单元")
        d.at(at("02", "09:10")).run("assign", cid, "--handler", "李工", "--unit", "engineering")
        d.at(at("02", "09:40"), "李工").run("plan", cid, "--resolver", "李工", "--measures", "更换电梯主板",
                                            "--due", "2026-11-04")
        d.at(at("03", "10:00"), "李工").run("resolve", cid, "--outcome", "repair", "--summary", "已更换主板并试运行",
                                            "--compensation", "200", "--responsible", "电梯维保公司",
                                            "--share", "0.5", "--loss", "1200")
        d.at(at("04", "10:00")).run("revisit", cid, "--satisfaction", "satisfied", "--comment", "电梯已恢复正常",
                                    "--confirmed")
        d.at(at("04", "11:00")).run("close", cid, "--root-cause", "电梯主板备件库存不足",
                                    "--lesson", "关键备件列入常备件清单", "--preventive-action", "每季度盘点电梯备件")
        d.at(at("05", "09:00"))
        yield office, cid


class Cells(HTMLParser):
    """The form's table cells in order: (tag, class, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []
        self._open: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("th", "td"):
            self._open, self._text = (tag, dict(attrs).get("class") or ""), []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._open is not None:
            self.cells.append((*self._open, " ".join("".join(self._text).split())))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def fields(html: str) -> dict[str, str]:
    """label -> value: each labelled box of the form and the box beside it."""
    parser = Cells()
    parser.feed(html)
    cells = parser.cells
    return {text: cells[i + 1][2] for i, (tag, cls, text) in enumerate(cells)
            if tag == "th" and "label" in cls.split() and i + 1 < len(cells) and cells[i + 1][0] == "td"}


@pytest.fixture(scope="module")
def html(walked: tuple[Office, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    office, cid = walked
    out = tmp_path_factory.mktemp("html") / "form.html"
    result = office.run("form", cid, "--out", str(out))
    assert str(out) in result.output
    return out.read_text(encoding="utf-8")


def test_every_section_holds_the_case_in_the_office_words(html: str, walked: tuple[Office, str]) -> None:
    office, cid = walked
    assert "<title>客户投诉处理登记表 " + cid in html and "物业服务中心" in html
    for title in ("一、受理登记", "二、评估与派单", "三、处理方案", "四、处理结果", "五、回访", "六、结案",
                  "七、办理时限", "八、处理过程记录", "签字确认"):
        assert title in html, title
    got = fields(html)
    expected = {
        # intake (R-IN-1): unmasked, as `show` shows it — the form is the office's own file copy
        "受理时间": "2026-11-02 09:00", "投诉渠道": "电话", "首问负责人": "张敏", "投诉人": "王小明",
        "客户类别": "业主", "联系方式": "13800138000", "联系地址": "深南大道1001号", "投诉地点": "3栋2单元",
        "被投诉人/部门": "赵磊", "投诉事项": "电梯故障三天未修", "投诉内容": "3栋电梯停运三天,老人无法下楼",
        # assessment and dispatch
        "投诉类别": "工作效率", "严重程度": "一般投诉", "是否有效": "是", "责任部门": "工程维修部", "处理人": "李工",
        # plan (R-IN-4): resolver, measures, time limit
        "解决人": "李工", "处理措施": "更换电梯主板", "处理时限": "2026-11-04",
        # handling (R-CL-2)
        "处理完成时间": "2026-11-03 10:00", "处理方式": "维修", "处理情况": "已更换主板并试运行", "补偿金额": "200",
        "责任方": "电梯维保公司", "责任比例": "50%", "损失金额": "1,200",
        # revisit (R-CL-1, R-CL-4)
        "回访时间": "2026-11-04 10:00", "回访人": "张敏", "满意度": "满意", "客户意见": "电梯已恢复正常",
        "客户确认": "是",
        # closing (R-RT-6, R-RP-3)
        "结案时间": "2026-11-04 11:00", "结案人": "张敏", "原因分析": "电梯主板备件库存不足",
        "预防措施": "每季度盘点电梯备件", "经验教训": "关键备件列入常备件清单",
    }
    assert {k: got.get(k) for k in expected} == expected
    assert "编号：</b>" + cid in html and "已结案" in html and "打印时间：</b>2026-11-05 09:00" in html
    for key in ("work-efficiency", "engineering", "in_progress", "repair", "satisfied"):  # words, never keys
        assert key not in html, key


def test_the_record_lists_every_step_and_the_clocks(html: str, walked: tuple[Office, str]) -> None:
    office, cid = walked
    timeline = office.show_json(cid)["timeline"]
    parser = Cells()
    parser.feed(html)
    texts = [text for _, _, text in parser.cells]
    steps = [i for i, text in enumerate(texts) if re.fullmatch(r"2026-11-0\d \d\d:\d\d", text)
             and i + 2 < len(texts) and texts[i + 1] in ("张敏", "李工")]
    assert len(steps) >= len(timeline) == 6
    assert [texts[i + 2] for i in steps[-6:]] == ["受理", "派单", "制定方案", "处理完毕", "回访", "结案"]
    assert "已派单 → 处理中" in texts and "处理人：李工；责任部门：工程维修部" in texts
    assert "处理时限" in texts and "实际完成" in texts and "按时" in texts  # the clocks as `show` judges them


def test_signature_and_date_lines(html: str) -> None:
    rows = re.findall(r'<tr class="signature signature-(\w+)">(.*?)</tr>', html, re.S)
    assert [key for key, _ in rows] == ["receiver", "handler", "head", "customer", "closer"]
    named = {key: re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for key, row in rows}
    assert named["receiver"][:2] == ["受理人(首问负责人)", "张敏"]
    assert named["handler"][:2] == ["处理人", "李工"]
    assert named["customer"][:2] == ["客户确认", "王小明"]  # R-CL-4: the customer confirms the record
    assert named["closer"][:2] == ["结案归档人", "张敏"]
    for cells in named.values():
        assert cells[2].strip() == "" and re.fullmatch(r"\s*年\s+月\s+日", cells[3])  # signed and dated by hand


def test_html_is_one_self_contained_page(html: str) -> None:
    assert html.lstrip().startswith("<!DOCTYPE html>") and "@page" in html and "size: A4" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", html, re.IGNORECASE)


def _copy(office: Office, tmp_path: Path) -> Office:
    dest = tmp_path / "copy"
    shutil.copytree(office.root, dest, symlinks=True)
    return Office(dest)


def test_an_english_office_gets_english_words(walked: tuple[Office, str], tmp_path: Path) -> None:
    office = _copy(walked[0], tmp_path)
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    html = office.run("form", walked[1], "--out", "-").output  # - prints the HTML
    assert "Customer complaint handling form" in html and "1. Intake" in html and "Signatures" in html
    got = fields(html)
    assert (got["Category"], got["Satisfaction"], got["Contact"]) == ("Work efficiency", "Satisfied", "13800138000")
    assert "受理时间" not in html and "客户投诉处理登记表" not in html


def test_an_invalid_complaint_says_why_in_words(walked: tuple[Office, str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    office = _copy(walked[0], tmp_path)
    d = Driver(office, monkeypatch)
    d.at(at("05", "10:00"))
    cid = office.new(subject="要求减免物业费", details="业主要求减免全年物业费", contact="13912345678", name="刘先生")
    d.at(at("05", "10:30"), "陈静").run("invalid", cid, "--reason", "out-of-scope",
                                        "--reply", "减免物业费不属于投诉处理范围,已书面说明")
    html = office.run("form", cid, "--out", "-").output
    got = fields(html)
    assert (got["是否有效"], got["无效原因"], got["答复客户"]) == ("否", "超出公司服务承诺范围",
                                                          "减免物业费不属于投诉处理范围,已书面说明")  # R-AS-1
    assert got["解决人"] == "" and got["结案时间"] == ""  # boxes never filled stay, blank, for the paper
    closer = re.search(r'<tr class="signature signature-closer"><td>[^<]*</td><td>([^<]*)</td>', html)
    assert closer is not None and closer.group(1) == "陈静"  # whoever declared it invalid signs it off


def test_unknown_id_exits_1_with_one_clear_line(walked: tuple[Office, str], tmp_path: Path) -> None:
    office = walked[0]
    for bad_id in ("SZ-2611-0099", "no-such-case"):
        result = office.run("form", bad_id, "--out", str(tmp_path / "x.html"), ok=False)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1 and bad_id in result.output.upper().replace(
            "NO-SUCH-CASE", "no-such-case")
    assert not (tmp_path / "x.html").exists()


def test_out_and_format_must_agree(walked: tuple[Office, str], tmp_path: Path) -> None:
    office, cid = walked
    for argv in (["--out", str(tmp_path / "f.pdf"), "--format", "html"], ["--out", str(tmp_path / "f.txt")]):
        result = office.run("form", cid, *argv, ok=False)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert not list(tmp_path.iterdir())
    office.run("form", cid, "--format", "html", "--out", str(tmp_path / "form-copy"))  # --format decides
    assert (tmp_path / "form-copy").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = office.run("form", cid, "--out", str(tmp_path / "a-file" / "form.html"), ok=False)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output


def test_office_template_overrides_the_shipped_one(walked: tuple[Office, str], tmp_path: Path) -> None:
    office = _copy(walked[0], tmp_path)
    custom = office.root / "templates" / "form" / "form.html.j2"
    assert custom.is_file(), "init copies the shipped form template into the office"
    custom.write_text("<h1>{{ f.office }} {{ L.title }}</h1>{% for s in f.signatures %}<p>{{ s.role }}：{{ s.name }}"
                      "</p>{% endfor %}", encoding="utf-8")
    html = office.run("form", walked[1], "--out", "-").output
    assert html.startswith("<h1>物业服务中心 客户投诉处理登记表</h1>") and "<p>客户确认：王小明</p>" in html
    shutil.rmtree(custom.parent)  # an office set up before the form existed: the shipped template
    assert office.run("form", walked[1], "--out", "-").output.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ L.update({'title': 'x'}) }}",  # nor may a template change the data
])
def test_a_template_escaping_the_sandbox_is_refused(walked: tuple[Office, str], tmp_path: Path,
                                                     payload: str) -> None:
    office = _copy(walked[0], tmp_path)
    pwned = office.root / "PWNED"
    (office.root / "templates" / "form" / "form.html.j2").write_text(payload.replace("PWNED", str(pwned)),
                                                                     encoding="utf-8")
    out = tmp_path / "f.html"
    result = office.run("form", walked[1], "--out", str(out), ok=False)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "模板 templates/form/form.html.j2:已拒绝,模板在沙箱中运行" in result.output
    assert not pwned.exists() and not out.exists()


def test_pdf_without_chromium_says_how_to_get_it(walked: tuple[Office, str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_CHROMIUM", str(tmp_path / "no-such-browser"))
    result = walked[0].run("form", walked[1], "--out", str(tmp_path / "f.pdf"), ok=False)
    assert result.exit_code == 1 and "apt-get install chromium" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "f.pdf").exists()


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox (width, height) in points, read from the PDF's page objects."""
    sizes = []
    for obj in re.findall(rb"\d+\s+\d+\s+obj\b(.*?)\bendobj", data, re.S):
        if not re.search(rb"/Type\s*/Page\b(?!s)", obj):
            continue
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", obj)
        assert box is not None, obj[:200]
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


@needs_chromium
def test_pdf_is_a_real_a4_pdf(walked: tuple[Office, str], tmp_path: Path) -> None:
    office, cid = walked
    out = tmp_path / "form.pdf"
    office.run("form", cid, "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = pdf_pages(data)
    assert 1 <= len(pages) <= 3, pages
    for width, height in pages:  # A4: 595.3 × 841.9 pt
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)
    assert re.search(rb"/Count\s+%d\b" % len(pages), data)


@needs_chromium
def test_the_form_looks_like_a_ruled_a4_sheet(html: str, tmp_path: Path) -> None:
    from PIL import Image

    page, png = tmp_path / "form.html", tmp_path / "form.png"
    page.write_text(html, encoding="utf-8")
    browser.screenshot(page, png, *A4_AT_96_DPI)
    keep = os.environ.get("COMPLAINTCTL_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)  # for a human to look at
    with Image.open(png) as img:
        assert img.size == A4_AT_96_DPI and abs(img.height / img.width - 2 ** 0.5) < 0.01  # A4's proportion
        grey = img.convert("L")
    w, h = grey.size
    px = grey.load()
    dark = [[px[x, y] < 128 for x in range(w)] for y in range(h)]
    assert sum(map(sum, dark)) > 0.02 * w * h, "a blank sheet"
    # The form's rules: many horizontal lines across most of the sheet, and the table's vertical
    # borders running down most of it.
    ruled_rows = [y for y in range(h) if sum(dark[y]) > 0.8 * w]
    lines = sum(1 for i, y in enumerate(ruled_rows) if i == 0 or y - ruled_rows[i - 1] > 1)
    assert lines >= 25, lines
    tall = [x for x in range(w) if sum(dark[y][x] for y in range(h)) > 0.6 * h]
    assert len({x // 4 for x in tall}) >= 2, tall  # at least the left and right borders


def test_json_names_the_file_written(walked: tuple[Office, str], tmp_path: Path) -> None:
    office, cid = walked
    target = tmp_path / "form.html"
    got = json.loads(office.run("form", cid, "--out", str(target), "--json").output)
    assert got == {"id": cid, "file": str(target), "format": "html"}
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
