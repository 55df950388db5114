"""The command line: a thin click layer. Expected errors exit 1 with one line each, bad
values on the command line exit 2 (usage); bugs exit 3 with a pointer to a log; Ctrl-C
exits 130; a closed pipe (`list | head`) ends quietly with 0."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import click

from complaintctl import __version__
from complaintctl.commands import (
    authority,
    checks,
    deadlines,
    handling,
    importing,
    intake,
    notify,
    query,
    remote,
    setup,
)
from complaintctl.commands import knowledge as knowledge_cmds
from complaintctl.commands import reports as report_cmds
from complaintctl.commands.sample import sample_cmd
from complaintctl.errors import BadValue, ComplaintError, ValidationFailed


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class BadUsage(UserError):
    exit_code = 2


class Bug(click.ClickException):
    exit_code = 3

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


class ComplaintGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            lines = [str(f) for f in exc.findings]
            raise UserError(f"not committed — {len(lines)} rule finding(s):\n" + "\n".join(lines)) from exc
        except BadValue as exc:
            raise BadUsage(str(exc)) from exc
        except ComplaintError as exc:
            raise UserError(str(exc)) from exc
        except BrokenPipeError:  # the reader went away (`list | head`): not an error
            _quiet_pipe()
            raise click.exceptions.Exit(0) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                where = f" writing {exc.filename}" if exc.filename else ""
                raise UserError(f"no space left on the disk{where}: free some space and run the command "
                                "again") from exc
            if exc.errno == errno.EPIPE:
                _quiet_pipe()
                raise click.exceptions.Exit(0) from None
            raise _bug(exc) from exc
        except Exception as exc:  # a bug: keep the traceback for the report, not the screen
            raise _bug(exc) from exc


def _bug(exc: BaseException) -> Bug:
    log = Path(tempfile.gettempdir()) / "complaintctl-crash.log"
    try:
        log.write_text(traceback.format_exc(), encoding="utf-8")
        where = f"traceback in {log}; "
    except OSError:  # a full disk must not turn one error into two
        where = ""
    text = " ".join(str(exc).split())[:300]
    return Bug(f"internal error: {type(exc).__name__}: {text} ({where}please report it)")


@click.group(cls=ComplaintGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Run as if started in this directory (like git -C).")
@click.version_option(__version__)
@click.pass_context
def cli(ctx: click.Context, directory: Path | None) -> None:
    """complaintctl — customer complaints by written rules, with git as the case database."""
    ctx.meta["complaintctl.dir"] = str(directory or ".")


for command in (
    setup.init_cmd, setup.clone_cmd, intake.new_cmd, query.show_cmd, query.list_cmd, query.history_cmd,
    handling.assign_cmd, handling.plan_cmd, handling.note_cmd, handling.wait_cmd,
    handling.resume_cmd, handling.resolve_cmd, handling.revisit_cmd, handling.close_cmd,
    handling.reopen_cmd, handling.invalid_cmd, handling.edit_cmd, checks.validate_cmd,
    checks.hook_group, remote.sync_cmd, remote.server_group,
    deadlines.extend_cmd, deadlines.escalate_cmd, deadlines.sweep_cmd, deadlines.due_cmd,
    deadlines.report_filed_cmd, authority.correct_cmd, authority.approve_cmd,
    report_cmds.report_cmd, report_cmds.register_cmd, report_cmds.bulletin_cmd, report_cmds.export_cmd,
    knowledge_cmds.search_cmd, knowledge_cmds.similar_cmd, notify.notify_cmd,
    importing.import_cmd,
):
    cli.add_command(command)
cli.add_command(sample_cmd)


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
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        click.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        sys.exit(130)


def _quiet_pipe() -> None:
    """The reader went away (`| head`): send what is left to /dev/null so that Python's
    final flush does not complain, and end quietly (issue 10, item 5)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
