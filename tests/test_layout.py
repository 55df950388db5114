"""The package layout stays true (issue 8, LAYOUT.md): one folder per concern, imports downward."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "complaintctl"
FOLDERS = ("commands", "web", "sample", "handling", "reporting", "remote", "repo", "rules", "privacy", "policy",
           "model")
TOP_LEVEL = {"__init__.py", "__main__.py", "cli.py", "usage.py", "clihelp.py", "errors.py", "output.py", "labels.py",
             "i18n.py"}

pytest.importorskip("importlinter", reason="import-linter is a dev dependency (pip install -e '.[dev]')")


def lint_imports(root: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package under `root`, with the project's contract."""
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_imports_run_downward() -> None:
    proc = lint_imports(ROOT, ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 kept, 0 broken" in proc.stdout


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    # The check must be able to fail: a model module reaching up into handling/.
    copy = tmp_path / "complaintctl"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    ids = copy / "model" / "ids.py"
    ids.write_text(ids.read_text(encoding="utf-8") + "\nfrom complaintctl.handling import steps  # noqa\n",
                   encoding="utf-8")
    proc = lint_imports(tmp_path, tmp_path)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout and "complaintctl.model.ids -> complaintctl.handling.steps" in proc.stdout


def test_folders_match_the_layout() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == TOP_LEVEL
    # locale/ holds the gettext catalogs (data, not code: docs/i18n.md)
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in ("__pycache__", "_data", "locale")}
    assert folders == set(FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_says_what_it_is_for(folder: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 5, f"{folder}/__init__.py needs a docstring saying what belongs there"


def test_readme_names_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    for folder in FOLDERS:
        assert f"`{folder}/`" in section, f"README's Architecture section does not name {folder}/"
