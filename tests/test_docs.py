"""Every command explains itself (--help) and is documented (like sqlite-utils' test_docs)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from complaintctl.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def all_commands() -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(cli.commands.items()):
        out.append((name, command))
        if isinstance(command, click.Group):
            out.extend((f"{name} {sub}", c) for sub, c in sorted(command.commands.items()))
    return out


@pytest.mark.parametrize("name,command", all_commands(), ids=[n for n, _ in all_commands()])
def test_every_command_has_help(name: str, command: click.Command, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # English help (its source texts): no office's complaintctl.yaml above, an English locale
    monkeypatch.chdir(tmp_path)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert (command.help or "").strip(), f"{name} has no docstring"
    first = " ".join((command.help or "").split("\n\n")[0].split())
    assert first in " ".join(result.output.split())  # click re-wraps the text
    for param in command.params:
        if isinstance(param, click.Option) and not param.help:
            pytest.fail(f"{name} {param.opts[0]} has no help text")


def test_every_command_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
                     if p.is_file())
    missing = [name for name, _ in all_commands() if f"complaintctl {name}" not in docs]
    assert not missing, f"not documented in README.md or docs/*.md: {missing}"
