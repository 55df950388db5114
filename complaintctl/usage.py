"""What `complaintctl --help` and `--version` print, without click: each command's module and
short help (cli.py loads a command only when it runs), and the top-level help as click lays it
out in a terminal of 80 columns or more (tests/test_cli_lazy.py compares the two)."""

from __future__ import annotations

import os
import sys

from complaintctl import __version__

DESCRIPTION = "complaintctl — customer complaints by written rules, with git as the case database."
OPTIONS = (("-C DIRECTORY", "Run as if started in this directory (like git -C)."),
           ("--version", "Show the version and exit."),
           ("-h, --help", "Show this message and exit."))
WIDTH = 78  # click's help width in a terminal of 80 columns or more

# Commands load lazily: `--help`, `--version` and a one-case `show` must not import
# every command module and the libraries behind them. name -> (module:attribute, short help);
# tests/test_cli_lazy.py checks each short help against the command's own docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "approve": ("authority:approve_cmd", "Approve compensation above the handler's limit, within..."),
    "assign": ("handling:assign_cmd", "Dispatch the case to a unit and handler."),
    "bulletin": ("reports:bulletin_cmd", "A case bulletin (案例通报) as Markdown and self-contained..."),
    "clone": ("setup:clone_cmd", "Clone a shared case repository with its hooks live..."),
    "close": ("handling:close_cmd", "Close a resolved, revisited case."),
    "correct": ("authority:correct_cmd", "Correct a field rules depend on, as the policy allows..."),
    "due": ("deadlines:due_cmd", "Clocks due soon and overdue, with the time left (in..."),
    "edit": ("handling:edit_cmd", "Edit the case file in $EDITOR; it is validated and..."),
    "erase": ("privacy:erase_cmd", "Erase a complainant's data on their request (PIPL art."),
    "escalate": ("deadlines:escalate_cmd", "Move the case one level up the escalation chain (R-ES-1)."),
    "export": ("reports:export_cmd", "Every case's intake fields, UNMASKED, for moving or..."),
    "extend": ("deadlines:extend_cmd", "Extend a deadline; only approvers in the policy may..."),
    "form": ("form:form_cmd", "The case as the office's printable handling form..."),
    "history": ("query:history_cmd", "Who did what and when, from git."),
    "hook": ("checks:hook_group", "The git hooks: install them, or run what they run."),
    "import": ("importing:import_cmd", "Record complaints from an .xlsx/.csv register, an .eml,..."),
    "init": ("setup:init_cmd", "Create (or adopt) a case repository for an office."),
    "invalid": ("handling:invalid_cmd", "Declare the complaint invalid (final)."),
    "keys": ("keys:keys_group", "Office keys for encrypted complainant fields (hq): init,..."),
    "list": ("query:list_cmd", "List cases, filtered."),
    "migrate": ("privacy:migrate_cmd", "Encrypt this repository's current state into a NEW..."),
    "new": ("intake:new_cmd", "Record a new complaint and commit it."),
    "note": ("handling:note_cmd", "Add a note or a customer contact to the timeline."),
    "notify": ("notify:notify_cmd", "Send the notices due (dispatch, completion, reminders,..."),
    "people": ("people:people_group", "The office's people: list, add, set, remove (each change..."),
    "plan": ("handling:plan_cmd", "Record the handling plan; the case goes in progress."),
    "register": ("reports:register_cmd", "The weekly complaint register, one row per case received..."),
    "reopen": ("handling:reopen_cmd", "Reopen a resolved or closed case."),
    "report": ("reports:report_cmd", "Statistics for a period, against the previous one..."),
    "report-filed": ("deadlines:report_filed_cmd", "Record that a written report was submitted (stops its..."),
    "resolve": ("handling:resolve_cmd", "Record the resolution."),
    "resume": ("handling:resume_cmd", "Resume a waiting case."),
    "revisit": ("handling:revisit_cmd", "Record the revisit; a dissatisfied customer reopens the..."),
    "sample": ("sample:sample_cmd", "Generate realistic sample cases through the real steps..."),
    "search": ("knowledge:search_cmd", "Search every case, its root cause and lesson (Chinese or..."),
    "server": ("remote:server_group", "Set up the shared repository on a git server."),
    "show": ("query:show_cmd", "Show one case, with its clocks and the time left on each."),
    "similar": ("knowledge:similar_cmd", "Past cases most like this one, with their outcomes and..."),
    "sweep": ("deadlines:sweep_cmd", "Upgrade late cases (R-DL-6), remind overdue ones..."),
    "sync": ("remote:sync_cmd", "Fetch, integrate and push until this office's work is on..."),
    "textconv": ("textconv:textconv_cmd", "git's diff driver: print a case file with the fields your..."),
    "ui": ("ui:ui_cmd", "Serve this office's cases in a browser on 127.0.0.1,..."),
    "units": ("people:units_group", "The office's units: list, add, set labels, remove."),
    "validate": ("checks:validate_cmd", "Check every case file; print every finding with file,..."),
    "vouch": ("handling:vouch_cmd", "Vouch that a step the record saw late was done on time..."),
    "wait": ("handling:wait_cmd", "Pause the case while waiting on the customer or a third..."),
}


def _columns() -> int:
    """The terminal's width as click's formatter asks for it (shutil.get_terminal_size)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _rows(rows: list[tuple[str, str]]) -> list[str] | None:
    pad = max(len(a) for a, _ in rows)
    if pad > 30 or any(len(b) > WIDTH - pad - 4 for _, b in rows):
        return None  # click would wrap: let it
    return [f"  {a:<{pad}}  {b}".rstrip() for a, b in rows]


def top_help() -> str | None:
    """`complaintctl --help`, or None where click's own layout differs (a narrow terminal)."""
    if _columns() < WIDTH + 2:
        return None
    options, commands = _rows(list(OPTIONS)), _rows([(n, COMMANDS[n][1]) for n in sorted(COMMANDS)])
    if options is None or commands is None:
        return None
    about = _wrap(DESCRIPTION, WIDTH - 2)
    return "\n".join(["Usage: complaintctl [OPTIONS] COMMAND [ARGS]...", "", *about, "", "Options:", *options, "",
                      "Commands:", *commands]) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """Words filled into lines of `width` (textwrap's greedy fill, without importing it), indented 2."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return ["  " + line for line in lines]


def version() -> str:
    return f"complaintctl, version {__version__}\n"
