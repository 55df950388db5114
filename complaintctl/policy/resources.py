"""Where the shipped templates and hook scripts are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # complaintctl/, this file sits in policy/


def data_dir(name: str) -> Path:
    """`templates` or `hooks`: inside the wheel (_data/) or at the checkout's top level."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"complaintctl is installed without its {name}/ folder")


def template_path(*parts: str) -> Path:
    return data_dir("templates").joinpath(*parts)


def hook_path(name: str) -> Path:
    return data_dir("hooks") / name
