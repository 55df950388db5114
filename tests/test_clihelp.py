"""`--help` in the office's language (the policy's `language:`, else the locale), every help
text in the catalog, and lines that never break inside a key or an option."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintctl import i18n
from complaintctl.cli import COMMANDS, cli, load_command
from complaintctl.clihelp import extract_help, fill, width
from tests.conftest import Office

ROOT = Path(__file__).resolve().parent.parent


def test_a_zh_office_gets_chinese_help_with_option_names_as_they_are(office: Office) -> None:
    out = office.run("new", "--help").output
    assert "用法:" in out and "选项" in out and "登记一件新投诉并提交。" in out
    assert "--contact" in out and "电子邮箱" in out and "--anonymous-reason" in out
    assert "Complainant's name." not in out and "Show this message and exit." not in out
    listing = office.run("--help").output
    assert "命令" in listing and "按条件列出案件。" in listing


@pytest.mark.parametrize(("lang", "expect", "absent"), [("zh_CN.UTF-8", "按条件列出案件。", "List cases, filtered."),
                                                        ("C.UTF-8", "List cases, filtered.", "按条件列出案件。")])
def test_outside_an_office_the_locale_chooses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str,
                                             expect: str, absent: str) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)
    out = CliRunner().invoke(cli, ["-C", str(tmp_path), "list", "--help"]).output
    assert expect in out and absent not in out


def test_keys_and_options_are_never_broken_across_lines(office: Office) -> None:
    out = office.run("list", "--help").output  # CliRunner lays help out 80 columns wide
    assert "work-efficiency" in out and "management-responsibility" in out and "--overdue" in out
    assert not any(line.rstrip().endswith(("-", "(")) for line in out.splitlines()), out
    assert [line for line in out.splitlines() if width(line) > 80] == []


def test_fill_breaks_between_chinese_characters_and_at_spaces_only() -> None:
    lines = fill("只列此投诉类别。可填键或其名称:work-efficiency, staff-conduct。", 16)  # a 20-column terminal
    assert "".join(lines).replace(" ", "") == "只列此投诉类别。可填键或其名称:work-efficiency,staff-conduct。"
    assert all(width(line) <= 16 for line in lines if len(line.split()) > 1)
    assert not any(line.startswith(("。", ",", ")")) for line in lines)


def test_every_help_text_has_its_zh_translation() -> None:
    """A new option's help= or a new command's docstring without a zh text fails here."""
    zh = i18n.translations("zh")
    missing = []
    for path in sorted((ROOT / "complaintctl").rglob("*.py")):
        with path.open("rb") as f:
            for _line, _fn, text, _c in extract_help(f, None, None, None):
                if zh.gettext(text) == text:
                    missing.append(f"{path.name}: {text!r}")
    assert not missing, missing


def test_every_command_says_its_help_in_chinese(office: Office) -> None:
    for name in COMMANDS:
        command = load_command(name)
        out = office.run(name, "--help").output
        assert command.help is None or command.help.strip() not in out, name
        assert "Show this message and exit." not in out, name
