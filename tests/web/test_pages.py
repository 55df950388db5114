"""The UI's pages and forms against a real `complaintctl ui` process: each form is the command's
own step, one commit by the person running the server, judged by the same validator; a refusal
is shown in its form, naming the rule, in the office's language, and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import Office
from tests.web.test_guard import INTAKE
from tests.web.uiserver import UI, location_path, running


@pytest.fixture
def ui(office: Office) -> Iterator[UI]:
    with running(office.root) as server:
        server.sign_in()
        yield server


def log(office: Office) -> list[str]:
    return office.git("log", "--format=%an <%ae>|%s").stdout.splitlines()


def test_intake_records_one_commit_by_me_and_shows_the_id_and_clocks(ui: UI, office: Office) -> None:
    page = ui.get("/new").text
    for key in ("phone", "owner", "work-efficiency", "general"):  # the policy's vocabularies, labelled
        assert f'value="{key}"' in page
    assert "电话" in page and "业主" in page and "工作效率" in page
    reply = ui.post("/new", INTAKE)
    assert reply.status == 200, reply.text
    case_id = re.search(r'id="new-id">([A-Z]+-\d{4}-\d{4})<', reply.text).group(1)  # type: ignore[union-attr]
    assert log(office)[0] == f"张敏 <zhangmin@example.com>|{case_id}: 已受理 — 单元门禁失灵"
    assert "派单" in reply.text and "计时中" in reply.text  # the dispatch clock started, in zh
    shown = office.show_json(case_id)
    assert shown["intake"]["complainant"]["name"] == "周先生"
    assert shown["intake"]["first_receiver"] == "张敏"


def test_an_incomplete_intake_is_refused_in_the_form(ui: UI, office: Office) -> None:
    before = ui.head()
    reply = ui.post("/new", {**INTAKE, "subject": ""})
    assert reply.status == 422
    assert 'id="refused"' in reply.text and "R-IN-1" in reply.text
    assert 'value="周先生"' in reply.text  # what was typed stays in the form
    assert ui.head() == before


def test_warnings_as_you_type(ui: UI, office: Office) -> None:
    earlier = office.new()
    contact = office.show_json(earlier)["intake"]["complainant"]["contact"]
    reply = ui.post("/new/check", {"contact": contact, "subject": "楼道起火了"})
    assert reply.status == 200
    assert 'id="warn-repeat"' in reply.text and earlier in reply.text and "R-AS-5" in reply.text
    assert 'id="warn-incident"' in reply.text and "火灾" in reply.text
    quiet = ui.post("/new/check", {"contact": "13700000000", "subject": "绿化修剪"})
    assert "warn-" not in quiet.text


def test_the_case_page_shows_what_show_shows(ui: UI, office: Office) -> None:
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    page = ui.get(f"/case/{case_id}").text
    shown = office.run("show", case_id).output
    for value in ("王女士", "13800138000", "3栋2单元", "电梯故障三天未修", "工程维修部", "李工"):
        assert value in shown and value in page
    assert "派单" in page and "已派单" in page  # the timeline and status in the office's words
    commits = page.split('id="commits"', 1)[1].split("</table>", 1)[0]  # who committed what, from git
    for sha in office.git("log", "--format=%h", "--abbrev=10", "--", str(office.path(case_id))).stdout.split():
        assert f"<code>{sha}</code>" in commits
    assert commits.count("张敏 &lt;zhangmin@example.com&gt;") == 2 and "派单" in commits
    assert f'href="/case/{case_id}/form"' in page
    printable = ui.get(f"/case/{case_id}/form")
    assert printable.status == 200 and "客户投诉处理登记表" in printable.text
    assert ui.get("/case/SZ-2101-9999").status == 404


def test_similar_past_cases_come_as_a_part(ui: UI, office: Office) -> None:
    first = office.new()
    second = office.new(subject="电梯故障又停运", details="3栋电梯又坏了")
    part = ui.get(f"/case/{second}/similar")
    assert part.status == 200 and first in part.text and "<html" not in part.text


def test_a_step_goes_through_the_core_and_a_refusal_names_the_rule(ui: UI, office: Office) -> None:
    case_id = office.new()
    done = ui.post(f"/case/{case_id}/act/assign", {"handler": "李工", "unit": "engineering"})
    assert done.status == 303 and location_path(done) == f"/case/{case_id}"
    assert log(office)[0].startswith(f"张敏 <zhangmin@example.com>|{case_id}: 已受理 → 已派单")
    before = ui.head()
    # R-DL-2: a plan due past the time limit is an extension, which only an approver grants
    refused = ui.post(f"/case/{case_id}/act/plan", {"resolver": "李工", "measures": "更换主板", "due": "2030-06-30"})
    assert refused.status == 422
    assert 'id="refused"' in refused.text and "R-DL-2" in refused.text
    assert "须经" in refused.text  # the rule's own message, in the office's language
    assert ui.head() == before and office.git("status", "--porcelain").stdout == ""
    assert office.show_json(case_id)["status"] == "assigned"


def test_my_work_lists_my_cases_with_the_next_clock_and_my_steps(ui: UI, office: Office) -> None:
    mine = office.new()  # I am its first receiver
    office.run("assign", mine, "--handler", "张敏", "--unit", "customer-service")
    accused = office.new("--accused", "张敏")  # I may not decide on it (R-RT-3)
    page = ui.get("/mine").text
    row = page.split(f'data-case="{mine}"', 1)[1].split("</tr>", 1)[0]
    assert "处理人, 首问人" in row  # handler and first receiver, in the office's words
    assert "剩余" in row, row  # the next clock, with its time left
    assert "#act-plan" in row and "#act-invalid" in row
    other = page.split(f'data-case="{accused}"', 1)[1].split("</tr>", 1)[0]
    assert "#act-note" in other and "#act-assign" not in other and "#act-invalid" not in other
    case_page = ui.get(f"/case/{accused}").text
    assert 'id="act-note"' in case_page and 'id="act-assign"' not in case_page


def test_my_work_leaves_out_what_is_not_mine(ui: UI, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import set_identity

    set_identity(monkeypatch, "陈静", "chenjing@example.com")
    theirs = office.new()
    page = ui.get("/mine").text
    assert theirs not in page


def test_what_a_complainant_typed_is_shown_as_text(ui: UI, office: Office) -> None:
    case_id = office.new(subject="<script>alert(1)</script>门禁", details='"><img src=x onerror=alert(1)>')
    for path in (f"/case/{case_id}", "/mine"):
        page = ui.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;门禁" in page


def test_deadline_steps_are_offered_as_the_policy_allows_and_go_through_the_core(
        ui: UI, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import set_identity

    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工", "--unit", "engineering")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", office.soon(case_id))
    page = ui.get(f"/case/{case_id}").text
    # 张敏 (staff) is neither the handler nor above the case's level (R-ES-1), nor an approver (R-DL-2)
    assert 'id="act-escalate"' not in page and 'id="act-extend"' not in page
    before = ui.head()
    refused = ui.post(f"/case/{case_id}/act/extend", {"clock": "resolution", "until": "2030-06-28", "reason": "等配件"})
    assert refused.status == 422 and "R-DL-2" in refused.text
    assert ui.head() == before and office.git("status", "--porcelain").stdout == ""
    refused = ui.post(f"/case/{case_id}/act/escalate", {"reason": "客户多次来电"})
    assert refused.status == 422 and "R-ES-1" in refused.text and ui.head() == before
    # a written report names a report clock (R-DL-4/R-DL-5), never the resolution
    refused = ui.post(f"/case/{case_id}/act/report-filed", {"clock": "resolution", "text": "完工报告"})
    assert refused.status == 422 and 'id="refused"' in refused.text and ui.head() == before
    # 刘洋 (vp) runs their own UI: both are offered; the extension names the clocks still running
    set_identity(monkeypatch, "刘洋", "liuyang@example.com")
    with running(office.root) as vp:
        vp.sign_in()
        page = vp.get(f"/case/{case_id}").text
        form = page.split('id="act-extend"', 1)[1].split("</form>", 1)[0]
        assert 'value="resolution"' in form
        done = vp.post(f"/case/{case_id}/act/extend", {"clock": "resolution", "until": "2030-06-28",
                                                         "reason": "等厂家配件"})
        assert done.status == 303 and location_path(done) == f"/case/{case_id}", done.text
        done = vp.post(f"/case/{case_id}/act/escalate", {"reason": "客户多次来电"})
        assert done.status == 303, done.text
    assert office.show_json(case_id)["routing"]["escalation_level"] == "head"
    assert str(office.show_json(case_id)["clocks"]["resolution"]["due"]).startswith("2030-06-28")
    assert log(office)[0].startswith("刘洋 <liuyang@example.com>|")
