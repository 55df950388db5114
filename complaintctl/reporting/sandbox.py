"""Templates from the office's repository, rendered in Jinja2's immutable sandbox.

Anyone who can push can write a template (`templates/bulletin/`, `templates/form/`), so every
template renders sandboxed: no attribute starting with `_`, no mutation of the data, no Python
internals; a template that reaches for them (`cycler.__init__.__globals__`, `__class__`, …)
fails with one line and nothing runs. The office's folder wins over the shipped one, file by
file; a file the office does not have comes from the package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.policy.resources import template_path

if TYPE_CHECKING:
    import jinja2


def environment(office_root: Path | None, folder: str,
                filters: dict[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """A sandboxed environment over the office's `templates/<folder>/`, then the shipped one."""
    import jinja2  # imported where used (start-up time)
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    dirs = []
    if office_root is not None and (office_root / "templates" / folder).is_dir():
        dirs.append(str(office_root / "templates" / folder))
    dirs.append(str(template_path(folder)))
    env = ImmutableSandboxedEnvironment(loader=jinja2.FileSystemLoader(dirs), undefined=jinja2.StrictUndefined,
                                        autoescape=jinja2.select_autoescape(["html.j2", "html"]),
                                        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(filters or {})
    return env


def render(env: jinja2.Environment, folder: str, name: str, **context: Any) -> str:
    """Render `templates/<folder>/<name>`; a sandbox refusal or a broken template is one
    InvalidInput line that names the file."""
    import jinja2
    from jinja2.sandbox import SecurityError

    try:
        return env.get_template(name).render(**context)
    except SecurityError as exc:
        raise InvalidInput(_("template {path}: refused, templates run sandboxed and may not reach Python "
                             "internals ({error})").format(path=f"templates/{folder}/{name}", error=exc)) from exc
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise InvalidInput(_("template {path}{where}: {error}").format(
            path=f"templates/{folder}/{name}", where=where, error=exc.message or exc)) from exc
