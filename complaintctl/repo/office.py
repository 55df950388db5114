"""Creating (or adopting) an office's case repository from a preset, or cloning a shared one."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from complaintctl.errors import ComplaintError, GitError, InvalidInput, RepoStateError
from complaintctl.model.ids import check_office_code
from complaintctl.policy import case_schema, people_edit
from complaintctl.policy.authority import ROLES
from complaintctl.policy.case_schema import SCHEMA_FILE
from complaintctl.policy.policy import POLICY_FILE, load_policy, parse_policy_text
from complaintctl.policy.resources import data_dir, template_path
from complaintctl.policy.trust import SIGNERS_FILE
from complaintctl.repo import hooks, messages, stamps
from complaintctl.repo.git import Git, Identity, identity_at
from complaintctl.repo.workspace import OFFICE_KEY, for_this_clone

POLICY_SCHEMA_FILE = "templates/complaintctl.schema.json"
POLICY_MODELINE = f"yaml-language-server: $schema={POLICY_SCHEMA_FILE}"


def presets() -> list[str]:
    return sorted(p.stem for p in template_path("presets").glob("*.yaml"))


def _preset_doc(preset: str) -> tuple[YAML, Any]:
    path = template_path("presets", f"{preset}.yaml")
    if not path.is_file():
        raise InvalidInput(f"--preset: unknown preset {preset!r} (known: {', '.join(presets())})")
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    return y, y.load(path.read_text(encoding="utf-8"))


def preset_office(preset: str) -> str:
    """The office code a preset names (what `init --office` defaults to)."""
    return str(_preset_doc(preset)[1]["office"])


def policy_text(preset: str, office: str, name: str | None, language: str | None) -> str:
    """The preset's policy with this office's code, keeping the preset's comments."""
    y, doc = _preset_doc(preset)
    doc["office"] = check_office_code(office)
    if name:
        doc["name"] = name
    if language:
        doc["language"] = language
    buf = io.StringIO()
    y.dump(doc, buf)
    # the editor (yaml-language-server) checks and completes the keys against the policy schema
    text = f"# {POLICY_MODELINE}\n{buf.getvalue()}"
    parse_policy_text(text, f"preset {preset}")  # a broken preset must never be written
    return text


ADMIN_ROLES = ("hq", "dispatcher")  # a new office's admin: changes the policy, dispatches cases
assert set(ADMIN_ROLES) <= set(ROLES)


def with_admin(text: str, admin: Identity) -> str:
    """The person running `init` is the new office's admin, listed with the roles hq and
    dispatcher in the default unit — unless the preset names them already (then as it says)."""
    policy = parse_policy_text(text, POLICY_FILE)
    if (admin.email and policy.person(admin.email)) or policy.person(admin.name):
        return text
    doc = people_edit.load(text)
    people_edit.add_person(doc, policy, admin.name,
                           people_edit.PersonFields(admin.email, policy.default_unit, ADMIN_ROLES))
    new = people_edit.dump(doc)
    parse_policy_text(new, POLICY_FILE)
    return new


def init_office(path: Path, preset: str, office: str | None = None, name: str | None = None,
                language: str | None = None) -> tuple[Path, list[str]]:
    """Create the repository if needed, write policy and schema, commit, install the hooks
    into .git/hooks (never into the work tree). Returns the root and what the hook
    installation had to do besides. Everything that can be checked is checked before anything
    is created, and a failure after that removes what init made: a refused init leaves the
    folder exactly as it was."""
    office = office or preset_office(preset)
    text = policy_text(preset, office, name, language)
    if (path / POLICY_FILE).exists():
        raise RepoStateError(f"{path / POLICY_FILE} already exists: this is already a case repository")
    if path.exists() and not path.is_dir():
        raise RepoStateError(f"{path} exists and is not a folder")
    # the init commit needs an identity: ask before creating anything; its owner is the admin
    text = with_admin(text, identity_at(path))
    parsed = parse_policy_text(text, f"preset {preset}")
    schema = case_schema.text_for(parsed)
    outermost = next((p for p in reversed((path, *path.parents)) if not p.exists()), None)  # mkdir -p makes it
    made = [outermost] if outermost else [p for p in (path / ".git", path / "cases", path / "templates")
                                          if not p.exists()]
    written = [POLICY_FILE, "cases/.gitkeep", SCHEMA_FILE, POLICY_SCHEMA_FILE]
    if not (path / ".gitattributes").exists():  # the diff driver for key holders (hooks.install_diff_driver)
        written.append(".gitattributes")
    created = [p for p in written if not (path / p).exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        g = Git.open(path) if (path / ".git").exists() else Git.init(path)
        if g.root.resolve() != path.resolve():
            raise RepoStateError(f"{path} is inside the git repository {g.root}; init its top level instead")
        g.ensure_ready_to_commit()
        (path / POLICY_FILE).write_text(text, encoding="utf-8")
        (path / "cases").mkdir(exist_ok=True)
        (path / "cases" / ".gitkeep").touch()
        (path / "templates").mkdir(exist_ok=True)
        (path / SCHEMA_FILE).write_text(schema, encoding="utf-8")
        if ".gitattributes" in written:
            (path / ".gitattributes").write_text(hooks.GITATTRIBUTES, encoding="utf-8")
        shutil.copyfile(template_path(Path(POLICY_SCHEMA_FILE).name), path / POLICY_SCHEMA_FILE)
        for kind in ("bulletin", "form"):  # the office's own copies, to change as it likes
            shipped = data_dir("templates") / kind
            if shipped.is_dir() and not (path / "templates" / kind).exists():
                shutil.copytree(shipped, path / "templates" / kind)
                written.append(f"templates/{kind}")
                created.append(f"templates/{kind}")
        # Stage only what init wrote: an adopted repository's own untracked files stay untouched.
        try:
            g.add_and_commit(written, messages.init_office(parsed, office, preset))
        except GitError:
            g.unstage(written)
            raise
    except BaseException:
        for p in created:
            if (path / p).is_dir():
                shutil.rmtree(path / p, ignore_errors=True)
            else:
                (path / p).unlink(missing_ok=True)
        for folder in made:  # what init made, from the outermost folder it had to create
            shutil.rmtree(folder, ignore_errors=True)
        raise
    # Hooks go live only once the office exists; they run this Python's complaintctl, so a
    # commit from a GUI or another shell (no venv on PATH) is validated too.
    return path, hooks.install(g)


def clone_office(url: str, dest: Path, office: str | None = None,
                 signing_key: Path | None = None) -> tuple[Path, list[str]]:
    """Clone a shared case repository and make it an office's working clone: the hooks live
    (installed into .git/hooks, pointing at this complaintctl), new cases numbered with this
    office's code, and commits signed with the person's ssh key when the policy requires it
    (or a key is named). A clone that is not a case repository, or names an office the policy
    does not list, is removed again. Returns the clone and what it says about signing."""
    if dest.exists() and any(dest.iterdir()):
        raise RepoStateError(f"{dest} already exists and is not empty")
    if signing_key is not None and not signing_key.is_file():
        raise InvalidInput(f"--signing-key: {signing_key} is not a file (an ssh public key, e.g. "
                           "~/.ssh/id_ed25519.pub)")
    g = Git.clone(url, dest)
    try:
        policy = load_policy(g.root)
        if office:
            for_this_clone(policy, check_office_code(office))  # listed under offices:, or refused
            g.set_config(OFFICE_KEY, office)
    except ComplaintError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    hooks.install(g)
    # The server's stamps (recorded time): every fetch brings them, this first one too.
    g.add_fetch_refspec("origin", stamps.NOTES_REFSPEC)
    g.attempt("fetch", "-q", "origin", stamps.NOTES_REFSPEC)
    notes: list[str] = []
    if policy.trust.signing_required or signing_key is not None:
        notes = configure_signing(g, signing_key or default_ssh_key(), policy.trust.signing_required)
    return dest, notes


SSH_KEYS = ("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub")


def default_ssh_key() -> Path | None:
    """The person's own ssh public key, as ssh itself would pick it."""
    return next((p for name in SSH_KEYS if (p := Path.home() / ".ssh" / name).is_file()), None)


def configure_signing(g: Git, key: Path | None, required: bool) -> list[str]:
    """Sign every commit of this clone with an ssh key, and say whether the
    repository's allowed_signers lists it yet."""
    if key is None:
        return [f"the policy says signing: required, and there is no ssh key in {Path.home() / '.ssh'} — make one "
                "(ssh-keygen -t ed25519), ask the admin to add it to allowed_signers, then run "
                "`git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519.pub; "
                "git config commit.gpgsign true` here"] if required else []
    for k, v in (("gpg.format", "ssh"), ("user.signingkey", str(key.resolve())), ("commit.gpgsign", "true"),
                 ("gpg.ssh.allowedSignersFile", str(g.root / SIGNERS_FILE))):
        g.set_config(k, v)
    notes = [f"commits are signed with {key}"]
    material = key.read_text(encoding="utf-8", errors="replace").split()[:2]
    listed = (g.root / SIGNERS_FILE).read_text(encoding="utf-8", errors="replace") \
        if (g.root / SIGNERS_FILE).is_file() else ""
    if len(material) == 2 and " ".join(material) not in listed:
        who = g.get_config("user.email") or "your@email"
        notes.append(f"{SIGNERS_FILE} does not list this key yet: ask the admin to add the line "
                     f"`{who} {' '.join(material)}`")
    return notes
