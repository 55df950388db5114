"""Issue 13: the conventions people expect — files with the user's umask (§8), install
instructions that work (§9), `init` that leaves nothing behind and knows the preset's office
(§11), locks without fcntl (§13), shell completion and the pre-commit framework's hook file."""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from complaintctl.cli import cli
from tests.conftest import NOW, SRC, Office

# ---------------------------------------------------------------- §8: the user's umask


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    before = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("umask", [0o022, 0o027], indirect=True, ids=["022", "027"])
def test_every_file_written_takes_the_umask(umask: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Case files, bulletins (committed or not), exports and the hooks: what `open()` would give
    (0o666 & ~umask), never mkstemp's 0600."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    root = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    office = Office(root)
    case_id = office.new()
    want = 0o666 & ~umask
    assert mode(office.path(case_id)) == want
    assert mode(root / "complaintctl.yaml") == want and mode(root / "templates" / "case.schema.json") == want
    hook = root / ".git" / "hooks" / "pre-commit"
    assert mode(hook) == 0o777 & ~umask
    office.run("note", case_id, "已联系工程部")
    assert mode(office.path(case_id)) == want  # rewritten in place: still the umask's mode
    out = tmp_path / "out"
    office.run("bulletin", "--period", "2026-11", "--out", str(out))
    written = sorted(out.iterdir())
    assert written and all(mode(p) == want for p in written), [(p.name, oct(mode(p))) for p in written]
    office.run("bulletin", "--period", "2026-11", "--commit")
    committed = sorted((root / "bulletins").rglob("*.*"))
    assert committed and all(mode(p) == want for p in committed)
    t = str(tmp_path)
    office.run("report", "--period", "2026-11", "--csv", f"{t}/r.csv", "--xlsx", f"{t}/r.xlsx")
    office.run("export", "--period", "2026-11", "--xlsx", f"{t}/e.xlsx", "--csv", f"{t}/e.csv")
    office.run("register", "--week", "2026-W47", "--xlsx", f"{t}/w.xlsx")
    for name in ("r.csv", "r.xlsx", "e.xlsx", "e.csv", "w.xlsx"):
        assert mode(tmp_path / name) == want, name


# ---------------------------------------------------------------- §9: install instructions

UNPUBLISHED = re.compile(r"pip3?\s+install\s+(?:-{1,2}[\w-]+\s+)*['\"]?complaintctl\b(?![\w./@-]*\s*@)")


def shipped_texts() -> Iterator[Path]:
    yield SRC / "README.md"
    yield SRC / ".pre-commit-hooks.yaml"
    yield from sorted((SRC / "docs").glob("*.md"))
    yield from sorted((SRC / "hooks").iterdir())
    yield from sorted((SRC / "complaintctl").rglob("*.py"))
    yield from sorted(p for p in (SRC / "templates").rglob("*") if p.is_file())


def test_no_text_tells_people_to_install_an_unpublished_package() -> None:
    assert UNPUBLISHED.search("pip install complaintctl") and UNPUBLISHED.search("pip install --upgrade complaintctl")
    assert not UNPUBLISHED.search('pip install "git+URL"') and not UNPUBLISHED.search("pip install .")
    found = [f"{p.relative_to(SRC)}:{n}" for p in shipped_texts()
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if UNPUBLISHED.search(line)]
    assert found == []
    readme = (SRC / "README.md").read_text(encoding="utf-8")
    assert "pip install ." in readme and 'pip install "git+' in readme


def test_the_hook_says_how_to_install_when_complaintctl_is_gone(tmp_path: Path) -> None:
    hook = tmp_path / "pre-commit"
    text = (SRC / "hooks" / "pre-commit").read_text(encoding="utf-8")
    hook.write_text(text.replace("PYTHON=python3", f"PYTHON={tmp_path / 'gone' / 'python'}"), encoding="utf-8")
    # run outside any office (no complaintctl.yaml): English
    proc = subprocess.run(["sh", str(hook)], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "complaintctl is not installed" in proc.stderr
    assert "pip install ." in proc.stderr and "git+" in proc.stderr
    assert not UNPUBLISHED.search(proc.stderr)


# ---------------------------------------------------------------- §11: init


def no_identity(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    # useConfigOnly: git must not make one up from the host name (some machines would let it)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[user]\n\tuseConfigOnly = true\n",
                                     encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))


def listing(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_size if p.is_file() else -1) for p in root.rglob("*"))


def test_init_without_a_git_identity_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_identity(monkeypatch, tmp_path)
    fresh = tmp_path / "fresh" / "office"
    result = CliRunner().invoke(cli, ["init", str(fresh), "--preset", "property"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no git identity" in result.output and "user.email" in result.output
    assert not (tmp_path / "fresh").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(cli, ["init", str(empty), "--preset", "hotel"]).exit_code == 1
    assert list(empty.iterdir()) == []
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    (repo / "notes.txt").write_text("ours\n", encoding="utf-8")
    before = listing(repo)
    assert CliRunner().invoke(cli, ["init", str(repo), "--preset", "hotel"]).exit_code == 1
    assert listing(repo) == before
    # the repository's own identity counts, as git would resolve it
    subprocess.run(["git", "config", "user.name", "陈晓"], cwd=repo, check=True, timeout=30)
    subprocess.run(["git", "config", "user.email", "chenxiao@example.com"], cwd=repo, check=True, timeout=30)
    result = CliRunner().invoke(cli, ["init", str(repo), "--preset", "hotel"])
    assert result.exit_code == 0, result.output


def test_init_whose_commit_fails_removes_every_folder_it_made(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal after init started (here: a user-wide pre-commit hook) takes back the folders
    it created too, up to the outermost one `mkdir -p` made."""
    hooks = tmp_path / "user-hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'not today' >&2\nexit 1\n", encoding="utf-8")
    (hooks / "pre-commit").chmod(0o755)
    config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    config.write_text(config.read_text(encoding="utf-8") + f"[core]\n\thooksPath = {hooks}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "a" / "b" / "office"), "--preset", "property"])
    assert result.exit_code == 1 and "not today" in result.output
    assert not (tmp_path / "a").exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("ours\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["init", str(existing), "--preset", "property"]).exit_code == 1
    assert listing(existing) == [("keep.txt", 5)]


def test_init_office_defaults_to_the_presets_code(tmp_path: Path) -> None:
    from complaintctl.policy.policy import load_policy

    for preset, code in (("hotel", "HTL"), ("property", "SZ"), ("factory", "PCB")):
        root = tmp_path / preset
        result = CliRunner().invoke(cli, ["init", str(root), "--preset", preset])
        assert result.exit_code == 0, result.output
        assert f"单位 {code} 已在" in result.output and load_policy(root).office == code
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "gz"), "--preset", "property", "--office", "GZ"])
    assert result.exit_code == 0 and load_policy(tmp_path / "gz").office == "GZ"


# ---------------------------------------------------------------- §13: locks without fcntl

NO_FCNTL = 'import sys\nsys.modules["fcntl"] = None  # `import fcntl` fails, as on Windows\n'


@pytest.fixture
def no_fcntl_env(tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_FCNTL, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(shim), str(SRC)]), COMPLAINTCTL_NOW=NOW)
    check = subprocess.run([sys.executable, "-c", "import fcntl"], env=env, capture_output=True, timeout=60)
    assert check.returncode == 1 and b"fcntl" in check.stderr  # the shim works
    return env


def cli_run(env: dict[str, str], cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "complaintctl", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


NEW = ("new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000", "--complainant-class", "owner",
       "--category", "work-efficiency", "--subject", "电梯故障三天未修", "--details", "3栋电梯停运三天",
       "--location", "3栋2单元")


def test_no_module_imports_fcntl() -> None:
    found = []
    for path in sorted((SRC / "complaintctl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(SRC)}:{node.lineno}" for n in names if n.split(".")[0] == "fcntl"]
    assert found == []


def test_without_fcntl_help_list_and_new_still_work(no_fcntl_env: dict[str, str], office: Office) -> None:
    env = no_fcntl_env
    helped = cli_run(env, office.root, "--help")
    assert helped.returncode == 0 and "validate" in helped.stdout  # the command list, in the office's language
    made = cli_run(env, office.root, *NEW)
    assert made.returncode == 0, made.stderr
    assert "warning" not in made.stderr.lower()  # filelock's "only soft file lock" stays quiet
    case_id = made.stdout.split()[0]
    listed = cli_run(env, office.root, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert case_id in listed.stdout
    assert office.git("log", "--format=%s", "-1").stdout.startswith(f"{case_id}: 已受理")


HOLDER = """
import sys, time
from pathlib import Path
from complaintctl.repo.locking import repo_lock
with repo_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(env: dict[str, str], git_dir: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(git_dir), str(seconds)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.parametrize("backend", ["flock", "no-fcntl"])
def test_a_writer_waits_for_the_lock_and_a_dead_holders_lock_is_broken(backend: str, office: Office,
                                                                      no_fcntl_env: dict[str, str]) -> None:
    env = no_fcntl_env if backend == "no-fcntl" else dict(os.environ, COMPLAINTCTL_NOW=NOW)
    git_dir = office.root / ".git"
    holder = hold(env, git_dir, 1.5)
    started = time.monotonic()
    made = cli_run(env, office.root, *NEW)
    assert made.returncode == 0, made.stderr
    assert time.monotonic() - started >= 1.0  # it waited for the holder, then went on
    holder.wait(timeout=60)
    # a holder killed outright (kill -9) leaves at most a lock file behind: the next writer goes on
    holder = hold(env, git_dir, 600)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    started = time.monotonic()
    made = cli_run(env, office.root, *NEW[:-1], "5栋")
    assert made.returncode == 0, made.stderr
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("backend", ["flock", "no-fcntl"])
def test_a_lock_held_too_long_is_a_one_line_error(backend: str, office: Office,
                                                   no_fcntl_env: dict[str, str]) -> None:
    env = no_fcntl_env if backend == "no-fcntl" else dict(os.environ)
    git_dir = office.root / ".git"
    holder = hold(env, git_dir, 30)
    try:
        code = ("import sys\nfrom pathlib import Path\nfrom complaintctl.repo.locking import repo_lock, try_repo_lock\n"
                "with try_repo_lock(Path(sys.argv[1])) as got:\n    print('free' if got else 'busy')\n"
                "try:\n    with repo_lock(Path(sys.argv[1]), timeout=0.3):\n        pass\n"
                "except Exception as exc:\n    print(type(exc).__name__, exc)\n")
        proc = subprocess.run([sys.executable, "-c", code, str(git_dir)], env=env, capture_output=True, text=True,
                              timeout=60)
        lines = proc.stdout.splitlines()
        assert lines[0] == "busy", proc.stderr
        assert lines[1].startswith("RepoStateError another complaintctl is still working in this clone")
    finally:
        holder.kill()
        holder.wait(timeout=60)


# ---------------------------------------------------------------- shell completion


def complete(cwd: Path, words: str, shell: str = "bash") -> list[str]:
    """What the shell would offer for the last word of `words`, through click's env-var protocol."""
    env = dict(os.environ, _COMPLAINTCTL_COMPLETE=f"{shell}_complete", COMP_WORDS=words,
               COMP_CWORD=str(len(shlex.split(words)) - (0 if words.endswith(" ") else 1)))
    proc = subprocess.run([sys.executable, "-m", "complaintctl"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if "," in line]


def test_completion_offers_commands_options_case_ids_and_vocabularies(office: Office) -> None:
    first, second = office.new(), office.new()
    assert complete(office.root, "complaintctl sh") == ["show"]
    assert {"--category", "--status", "--json"} <= set(complete(office.root, "complaintctl list --"))
    assert complete(office.root, "complaintctl show ") == [second, first]  # newest first
    assert complete(office.root, f"complaintctl assign {second}") == [second]
    assert complete(office.root, "complaintctl history sz-26") == [second, first]  # as typed, any case
    categories = complete(office.root, "complaintctl list --category ")
    assert "work-efficiency" in categories and "repair" not in categories
    assert complete(office.root, "complaintctl new --channel ph") == ["phone"]
    assert complete(office.root, "complaintctl list --status in") == ["in_progress", "invalid"]
    assert "李工" in complete(office.root, "complaintctl assign X --handler ")
    # -C names the office, as for every command
    elsewhere = office.root.parent
    assert complete(elsewhere, f"complaintctl -C {office.root.name} show ") == [second, first]
    # zsh and fish get the label beside the key
    zsh = subprocess.run([sys.executable, "-m", "complaintctl"], cwd=office.root, capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, _COMPLAINTCTL_COMPLETE="zsh_complete",
                                              COMP_WORDS="complaintctl list --category work",
                                              COMP_CWORD="3"))
    assert "work-efficiency" in zsh.stdout and "工作效率" in zsh.stdout


def test_completion_scripts_install_for_bash_zsh_and_fish(tmp_path: Path) -> None:
    readme = (SRC / "README.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        proc = subprocess.run([sys.executable, "-m", "complaintctl"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=60, env=dict(os.environ, _COMPLAINTCTL_COMPLETE=f"{shell}_source"))
        assert proc.returncode == 0 and "_COMPLAINTCTL_COMPLETE" in proc.stdout, shell
        assert f"_COMPLAINTCTL_COMPLETE={shell}_source complaintctl" in readme, shell


def test_completing_a_command_name_loads_no_command_module() -> None:
    code = ("import os, sys\nos.environ.update(_COMPLAINTCTL_COMPLETE='bash_complete', COMP_WORDS='complaintctl s',"
            " COMP_CWORD='1')\nfrom complaintctl.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(m for m in sys.modules if m.startswith('complaintctl.commands.')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "plain,show" in proc.stdout and "plain,sweep" in proc.stdout
    assert proc.stderr.strip() == ""


# ---------------------------------------------------------------- the pre-commit framework


def test_pre_commit_hooks_file_runs_the_validator(office: Office) -> None:
    hooks = yaml.safe_load((SRC / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "complaintctl-validate"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "cases/2026/11/SZ-2611-0001.yaml") and not re.search(hook["files"], "README.md")
    argv = shlex.split(hook["entry"])
    assert argv[0] == "complaintctl"
    entry = [sys.executable, "-m", "complaintctl", *argv[1:]]  # the script pre-commit's venv would put on PATH
    env = dict(os.environ, COMPLAINTCTL_NOW=NOW)
    case_id = office.new()
    clean = subprocess.run(entry, cwd=office.root, env=env, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr
    office.hand_edit(case_id, "first_receiver: 张敏", "first_receiver: 李工")
    office.git("add", "-A")
    refused = subprocess.run(entry, cwd=office.root, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "R-IN-2" in refused.stderr and "提交被拒绝" in refused.stderr
