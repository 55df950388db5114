"""docs/bridges.md's post-receive recipe, run as written: a push to the server wakes the notify
job in a service clone, which sends through a real SMTP server and pushes its record; the
server's repository itself gets no commit of its own making."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SRC, Office, set_identity
from tests.mailserver import MailServer
from tests.remotes import clone

NOW = "2026-11-22T17:30:00+08:00"


def recipe() -> str:
    text = (SRC / "docs" / "bridges.md").read_text(encoding="utf-8")
    m = re.search(r"```sh\n(#!/bin/sh\n# complaintctl: wake the notify job.*?)```", text, re.S)
    assert m, "the post-receive recipe is gone from docs/bridges.md"
    return m.group(1)


def wait_for(check: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_the_post_receive_recipe_wakes_notify_in_a_service_clone(office: Office, bare_remote: Path, tmp_path: Path,
                                                                  mailserver: MailServer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    service = tmp_path / "notify"
    clone(str(bare_remote), service)  # with the hooks installed, as `complaintctl clone` does
    for key, value in (("user.name", "值班系统"), ("user.email", "system@example.com")):
        subprocess.run(["git", "-C", str(service), "config", key, value], check=True, timeout=60)
    hook = bare_remote / "hooks" / "post-receive"
    hook.write_text(recipe().replace("SERVICE=/srv/notify", f"SERVICE={service}"), encoding="utf-8")
    hook.chmod(0o755)
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工")
    office.git("push", "-q", "origin", "main")

    def server_log() -> str:  # author and the Action trailer (subjects speak the office's language)
        return subprocess.run(["git", "-C", str(bare_remote), "log", "--format=%an %(trailers:key=Action,valueonly)",
                               "main"], capture_output=True, text=True, timeout=60).stdout

    wait_for(lambda: mailserver.to("ligong@example.com"), "the dispatch notice")
    assert mailserver.to("ligong@example.com")[0].subject.startswith(f"[{case_id}] 派单通知")
    wait_for(lambda: "值班系统 notify" in server_log(), "the notify commit to reach the server")
    lock = service / ".git" / "notify.lock"
    wait_for(lambda: subprocess.run(["flock", "-n", str(lock), "true"], timeout=60).returncode == 0,
             "the job (and the one its own push woke) to finish")
    authors = {line.split()[0] for line in server_log().splitlines() if line.strip()}
    assert authors <= {"张敏", "值班系统"}, authors  # every commit came through a push
    assert len(mailserver.inbox) == 1  # the second wake-up found nothing due
