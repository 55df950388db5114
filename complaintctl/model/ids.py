"""Case numbers: OFFICE-YYMM-NNNN, the serial restarting each month (R-IN-5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from complaintctl.errors import InvalidInput

MATERIALS = "materials"
CASES_PREFIX = "cases/"
OFFICE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
CASE_ID_RE = re.compile(r"^(?P<office>[A-Z][A-Z0-9]{1,7})-(?P<yy>\d{2})(?P<mm>0[1-9]|1[0-2])-(?P<serial>\d{4,6})$")


@dataclass(frozen=True, order=True)
class CaseId:
    office: str
    year: int  # four digits
    month: int
    serial: int

    def __str__(self) -> str:
        return f"{self.office}-{self.year % 100:02d}{self.month:02d}-{self.serial:04d}"

    @property
    def relpath(self) -> str:
        """Path inside the repository; archived by year (R-CL-3) and month."""
        return f"cases/{self.year:04d}/{self.month:02d}/{self}.yaml"

    @property
    def materials_dir(self) -> str:
        """Where the case's kept originals live (R-IN-1): materials/YYYY/MM/ID/."""
        return f"{MATERIALS}/{self.year:04d}/{self.month:02d}/{self}"


def parse_case_id(text: str) -> CaseId:
    """Parse an ID; anything else (including path tricks like ../x) is refused."""
    m = CASE_ID_RE.match(text.strip().upper())
    if not m:
        raise InvalidInput(f"{text!r} is not a case ID (expected OFFICE-YYMM-NNNN, e.g. SZ-2611-0001)")
    return CaseId(m["office"], 2000 + int(m["yy"]), int(m["mm"]), int(m["serial"]))


def check_office_code(code: str) -> str:
    if not OFFICE_RE.match(code):
        raise InvalidInput(f"office code {code!r} must be 2-8 capital letters/digits, starting with a letter")
    return code


def case_id_for(office: str, received: datetime, serial: int) -> CaseId:
    return CaseId(office, received.year, received.month, serial)


def case_id_from_filename(name: str) -> CaseId | None:
    if not name.endswith(".yaml"):
        return None
    try:
        return parse_case_id(name[: -len(".yaml")])
    except InvalidInput:
        return None


def is_case_path(path: str) -> bool:
    """A case file's path in the repository (cases/…/*.yaml)."""
    return path.startswith(CASES_PREFIX) and path.endswith(".yaml")
