"""The command line: a thin click layer. Expected errors exit 1 with one line each, bad
values on the command line exit 2 (usage); bugs exit 3 with a pointer to a log; Ctrl-C
exits 130; a closed pipe (`list | head`) ends quietly with 0."""

from __future__ import annotations

import errno
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from complaintctl import __version__, i18n
from complaintctl.clihelp import OfficeContext, office_help
from complaintctl.errors import BadValue, ComplaintError, ValidationFailed
from complaintctl.i18n import _
from complaintctl.usage import COMMANDS, DESCRIPTION

COMPLETE_VAR = "_COMPLAINTCTL_COMPLETE"  # click's shell-completion protocol (README "Shell completion")


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(_("error: {message}").format(message=self.message), err=True)


class BadUsage(UserError):
    exit_code = 2


class Bug(click.ClickException):
    exit_code = 3

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def load_command(name: str) -> click.Command:
    module, _, attr = COMMANDS[name][0].partition(":")
    command: click.Command = office_help(getattr(importlib.import_module(f"complaintctl.commands.{module}"), attr))
    if COMPLETE_VAR in os.environ:  # the shell asks what to complete: case IDs, the policy's vocabularies
        from complaintctl.commands.completion import attach

        attach(command)
    return command


class LazyCommands(dict[str, click.Command]):
    """`group.commands`, filled on first use of each name (a whole listing loads them all)."""

    def __missing__(self, name: str) -> click.Command:
        if name not in COMMANDS:
            raise KeyError(name)
        self[name] = command = load_command(name)
        return command

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or dict.__contains__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def _all(self) -> None:
        for name in COMMANDS:
            self[name]  # noqa: B018 (loads it)

    def items(self) -> Any:
        self._all()
        return dict.items(self)

    def values(self) -> Any:
        self._all()
        return dict.values(self)

    def __iter__(self) -> Any:
        self._all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        return len(COMMANDS)


class ComplaintGroup(click.Group):
    context_class = OfficeContext  # --help in the office's language (clihelp)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Command names from COMMANDS (click's own would import every command for its help)."""
        from click.shell_completion import CompletionItem

        names = [CompletionItem(n, help=COMMANDS[n][1]) for n in self.list_commands(ctx) if n.startswith(incomplete)]
        return names + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing comes from COMMANDS, so `--help` imports no command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, _(COMMANDS[name][1])) for name in self.list_commands(ctx)])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            lines = [str(f) for f in exc.findings]
            raise UserError(_("not committed — {n} rule finding(s):").format(n=len(lines)) + "\n" + "\n".join(lines)) \
                from exc
        except BadValue as exc:
            raise BadUsage(str(exc)) from exc
        except ComplaintError as exc:
            raise UserError(_(str(exc))) from exc  # a fixed message has its catalog entry
        except BrokenPipeError:  # the reader went away (`list | head`): not an error
            _quiet_pipe()
            raise click.exceptions.Exit(0) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                where = _(" writing {file}").format(file=exc.filename) if exc.filename else ""
                raise UserError(_("no space left on the disk{where}: free some space and run the command "
                                  "again").format(where=where)) from exc
            if exc.errno == errno.EPIPE:
                _quiet_pipe()
                raise click.exceptions.Exit(0) from None
            raise _bug(exc) from exc
        except Exception as exc:  # a bug: keep the traceback for the report, not the screen
            raise (_index_failure(exc) or _bug(exc)) from exc


def _index_failure(exc: Exception) -> UserError | None:
    """Any SQLite error is the read index's (.git/complaintctl/): derived data, never the case
    record — a one-line refusal like a full disk's, not an internal error."""
    import sqlite3

    if not isinstance(exc, sqlite3.Error):
        return None
    text = " ".join(str(exc).split())[:200]
    if "full" in text.lower():
        return UserError(_("no space left on the disk{where}: free some space and run the command again")
                         .format(where=_(" writing {file}").format(file=".git/complaintctl/index.sqlite")))
    return UserError(_("the read index (.git/complaintctl/index.sqlite) failed: {error} — it holds only data derived "
                       "from the repository: delete it (it is rebuilt) and run the command again").format(error=text))


def _bug(exc: BaseException) -> Bug:
    import tempfile
    import traceback

    log = Path(tempfile.gettempdir()) / "complaintctl-crash.log"
    try:
        log.write_text(traceback.format_exc(), encoding="utf-8")
        where = _("traceback in {log}; ").format(log=log)
    except OSError:  # a full disk must not turn one error into two
        where = ""
    text = " ".join(str(exc).split())[:300]
    return Bug(_("internal error: {kind}: {text} ({where}please report it)").format(
        kind=type(exc).__name__, text=text, where=where))


@click.group(cls=ComplaintGroup, help=DESCRIPTION, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Run as if started in this directory (like git -C).")
@click.version_option(__version__)
@click.pass_context
def cli(ctx: click.Context, directory: Path | None) -> None:
    ctx.meta["complaintctl.dir"] = str(directory or ".")
    i18n.use("en")  # until the office's policy is read (commands.common.workspace)


def main() -> None:
    try:
        cli.main(prog_name="complaintctl", standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's shutdown
    except BrokenPipeError:
        _quiet_pipe()
        sys.exit(0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        hint = _(" (see `{command} --help`)").format(command=exc.ctx.command_path) if exc.ctx is not None else ""
        click.echo(_("error: {message}").format(message=" ".join(exc.format_message().split())) + hint, err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo(_("interrupted"), err=True)
        sys.exit(130)


def _quiet_pipe() -> None:
    """The reader went away (`| head`): send what is left to /dev/null so that Python's
    final flush does not complain, and end quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
