"""New files get the mode the user's umask gives, like any tool's.

`tempfile.mkstemp` creates its file 0600 whatever the umask, so a file written through a
temporary file and a rename would stay private to its writer even in an office whose umask
shares case files with the group. Every such write sets the mode before the rename.
"""

from __future__ import annotations

import os


def _umask() -> int:
    try:  # Linux says it without changing it (no window where another thread sees a wrong umask)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


def file_mode(executable: bool = False) -> int:
    """The mode `open()` would give a new file (0o666, or 0o777 for a script, less the umask)."""
    return (0o777 if executable else 0o666) & ~_umask()


def set_new_file_mode(path: str | os.PathLike[str], executable: bool = False) -> None:
    """Give a temporary file the mode a file created in place would have had."""
    os.chmod(path, file_mode(executable))
