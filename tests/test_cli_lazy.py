"""Commands load lazily (issue 12): the listing `--help` prints comes from cli.COMMANDS, so it
must say what each command's own docstring says, and a one-case command imports neither the
heavy libraries nor the other commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from complaintctl.cli import COMMANDS, cli, load_command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listing_matches_the_command(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    # click's own short help, as `complaintctl --help` printed it when every command was loaded
    assert COMMANDS[name][1] == command.get_short_help_str(limit=60), name


def test_every_command_module_is_listed() -> None:
    import complaintctl.commands as pkg

    subcommands = {id(c) for group in map(load_command, COMMANDS)
                   if isinstance(group, click.Group) for c in group.commands.values()}
    found = set()
    for path in Path(pkg.__file__).parent.glob("*.py"):
        module = __import__(f"complaintctl.commands.{path.stem}", fromlist=["_"])
        found |= {obj.name for obj in vars(module).values()
                  if isinstance(obj, click.Command) and obj.name and id(obj) not in subcommands}
    assert found == set(COMMANDS)


def test_cli_commands_mapping_still_works() -> None:
    assert "extend" in cli.commands and "nosuch" not in cli.commands
    assert sorted(cli.commands) == sorted(COMMANDS)


def imported_by(*argv: str) -> set[str]:
    code = ("import sys; sys.argv = ['complaintctl', *sys.argv[1:]]\n"
            "from complaintctl.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60)
    return set(proc.stderr.split())


HEAVY = {"git", "holidays", "jinja2", "openpyxl", "tabulate", "sqlite3", "complaintctl.repo.index"}


def test_help_and_version_import_no_command_module() -> None:
    for argv in (["--help"], ["--version"]):
        modules = imported_by(*argv)
        assert not {m for m in modules if m.startswith("complaintctl.commands.")}, argv
        assert not HEAVY & modules, argv


def test_show_imports_only_what_it_needs(office) -> None:  # type: ignore[no-untyped-def]
    case_id = office.new()
    office.run("show", case_id)  # fills the policy cache, as any first command does
    modules = imported_by("-C", str(office.root), "show", case_id)
    assert "complaintctl.commands.query" in modules  # it did run
    assert not (HEAVY - {"tabulate"}) & modules, (HEAVY - {"tabulate"}) & modules
    assert not {m for m in modules if m.startswith("complaintctl.commands.") and m not in
                ("complaintctl.commands.query", "complaintctl.commands.common", "complaintctl.commands.params")}


def test_help_and_version_without_click_match_click(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`python -m complaintctl --help` answers without importing click, exactly as click lays it
    out; in a narrow terminal, where click wraps, it leaves the answer to click. (The fast answer
    is English: run where no office policy speaks another language.)"""
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(var, "C.UTF-8")

    from complaintctl import usage

    for columns in ("200", "80"):
        monkeypatch.setenv("COLUMNS", columns)
        text = usage.top_help()
        assert text == CliRunner().invoke(cli, ["--help"], prog_name="complaintctl").output, columns
    monkeypatch.setenv("COLUMNS", "79")
    assert usage.top_help() is None
    assert usage.version() == CliRunner().invoke(cli, ["--version"], prog_name="complaintctl").output
    code = "import sys, runpy; sys.argv = ['complaintctl', *sys.argv[1:]]\n" \
           "try:\n    runpy.run_module('complaintctl', run_name='__main__')\nexcept SystemExit:\n    pass\n" \
           "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    for argv in (["--help"], ["-h"], ["--version"]):
        proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60,
                              env={**__import__("os").environ, "COLUMNS": "100"})
        assert proc.stdout.startswith("Usage: complaintctl" if argv != ["--version"] else "complaintctl, version")
        assert "click" not in proc.stderr.split(), argv


def test_the_pre_receive_hook_imports_neither_click_nor_the_round_trip_yaml(tmp_path: Path) -> None:
    """git starts the server's hook at every push: it loads the validator and git access only."""
    bare = tmp_path / "srv.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, timeout=60)
    code = "import sys, runpy; sys.argv = ['complaintctl', 'hook', 'pre-receive']\n" \
           "try:\n    runpy.run_module('complaintctl', run_name='__main__')\nexcept SystemExit as e:\n" \
           "    print('exit', e.code, file=sys.stderr)\n" \
           "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=bare, input="", capture_output=True, text=True,
                          timeout=120)
    modules = set(proc.stderr.split())
    assert "complaintctl.remote.prereceive" in modules and "exit 0" in proc.stderr, proc.stderr[-2000:]
    assert not {"click", "ruamel.yaml", "git", "complaintctl.remote.merges"} & modules
