"""The policy's people and units edited as a document: round trip (comments, order and the
file's own layout kept), pure functions over the parsed YAML, no I/O. Each edit checks what it
is given against the policy as it stands and refuses in one line naming the field and, where
there is one, the rule; the whole file is then checked again by `parse_policy_text`."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.policy.authority import ROLES
from complaintctl.policy.policy import MOBILE, Policy
from complaintctl.policy.privacy import public_key_problem

# name@domain, no spaces or list separators: what SMTP and the hooks' matching can use (a
# domain without a dot too: git identities such as admin@localhost are real)
EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"'.]+(\.[^@\s<>,;\"'.]+)*$")
UNIT_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # like the presets' keys: customer-service
ADD_HINT = "complaintctl people add NAME --email … --unit … --role …"  # what fixes "not listed"


def _yaml() -> YAML:
    # the layout `init` writes the policy with (repo/office.py), so a round trip changes nothing else
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    y.preserve_quotes = True
    return y


def load(text: str) -> CommentedMap:
    doc = _yaml().load(text)
    if not isinstance(doc, CommentedMap):
        raise InvalidInput(_("complaintctl.yaml: expected a mapping at the top level"))
    return doc


def dump(doc: CommentedMap) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


@dataclass(frozen=True)
class PersonFields:
    """What `people add` / `people set` give; None: not given (set leaves it as it is)."""

    email: str | None = None
    unit: str | None = None
    roles: tuple[str, ...] | None = None
    office: str | None = None
    login: str | None = None
    mobile: str | None = None
    key: str | None = None  # R-RT-5: their public key (age1… or ssh-ed25519 …)

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def _fail(field: str, message: str, rule: str = "") -> InvalidInput:
    return InvalidInput(f"{field}: {rule + ': ' if rule else ''}{message}")


def check_name(name: str) -> str:
    if not name.strip() or name != name.strip():
        raise _fail("NAME", _("a person's name is real text without spaces around it"))
    return name


def check_fields(policy: Policy, f: PersonFields) -> None:
    """Every value given, against the policy as it stands."""
    if f.email is not None and not EMAIL.match(f.email):
        raise _fail("--email", _("{value!r} is not an e-mail address (name@example.com)").format(value=f.email))
    if f.unit is not None and f.unit not in policy.units:
        raise _fail("--unit", _("{value!r} is not one of the policy's units ({known}); add it with "
                                "`complaintctl units add`").format(value=f.unit, known=", ".join(policy.units)),
                    "R-RT-1")
    for role in f.roles or ():
        if role not in ROLES:
            raise _fail("--role", _("{value!r} is not a role (known: {known})").format(value=role,
                                                                                         known=", ".join(ROLES)))
    if f.roles is not None and not f.roles:
        raise _fail("--role", _("give at least one role (known: {known})").format(known=", ".join(ROLES)))
    if f.office and f.office != policy.office and f.office not in policy.offices:
        raise _fail("--office", _("{value!r} is not an office of this policy ({known}); list it under offices:")
                    .format(value=f.office, known=", ".join([policy.office, *policy.offices])))
    if f.key and public_key_problem(f.key) is not None:
        raise _fail("--key", str(public_key_problem(f.key)))
    if f.mobile and not MOBILE.match(f.mobile):
        raise _fail("--mobile", _("{value!r} is not a mobile number (11 digits, e.g. 13800138000)")
                    .format(value=f.mobile))


def _people(doc: CommentedMap) -> CommentedSeq:
    people = doc.get("people")
    if people is None:
        people = doc["people"] = CommentedSeq()
    if not isinstance(people, CommentedSeq):
        raise _fail("people", _("expected a list in complaintctl.yaml"))
    return people


def _index(doc: CommentedMap, name: str) -> int | None:
    for i, p in enumerate(_people(doc)):
        if isinstance(p, Mapping) and p.get("name") == name:
            return i
    return None


def find(doc: CommentedMap, name: str) -> int:
    """The index of `name` in people:, or a refusal that says how to add them."""
    i = _index(doc, name)
    if i is None:
        raise _fail("NAME", _("{name} is not one of the policy's people; add them with `{hint}`")
                    .format(name=name, hint=ADD_HINT))
    return i


# ruamel keeps the comment lines after a list's or mapping's last item with that item (the
# slot of its end-of-line comment): an item added after it, or the last one removed, would
# carry off the next section's comment. These move what follows the end-of-line part along.
def _slot(container: CommentedMap | CommentedSeq) -> int:
    return 0 if isinstance(container, CommentedSeq) else 2


def _trailing(container: CommentedMap | CommentedSeq, at: Any) -> str:
    """Detach and return the lines after `at`'s end-of-line comment."""
    token = (container.ca.items.get(at) or [None] * 4)[_slot(container)]
    if token is None:
        return ""
    value: str = token.value
    cut = value.find("\n") + 1
    if cut <= 0 or cut == len(value):
        return ""
    token.value = value[:cut]
    return value[cut:]


def _attach(container: CommentedMap | CommentedSeq, at: Any, rest: str) -> None:
    if not rest:
        return
    slots = container.ca.items.setdefault(at, [None] * 4)
    token = slots[_slot(container)]
    if token is None:
        slots[_slot(container)] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        token.value = token.value + rest


def _last(container: CommentedMap | CommentedSeq) -> Any:
    return (len(container) - 1) if isinstance(container, CommentedSeq) else list(container)[-1]


def _append(container: CommentedMap | CommentedSeq, key: Any, value: Any) -> None:
    rest = _trailing(container, _last(container)) if len(container) else ""
    if isinstance(container, CommentedSeq):
        container.append(value)
    else:
        container[key] = value
    _attach(container, _last(container), rest)


def _remove(container: CommentedMap | CommentedSeq, at: Any) -> None:
    rest = _trailing(container, at) if at == _last(container) else ""
    del container[at]
    if len(container):
        _attach(container, _last(container), rest)


def _flow_list(items: tuple[str, ...]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _put(entry: CommentedMap, key: str, value: Any) -> None:
    if key == "roles":
        entry[key] = _flow_list(tuple(value))
    elif value == "":  # an empty option removes an optional field (--office '' back to the policy's own)
        entry.pop(key, None)
    else:
        entry[key] = value


def add_person(doc: CommentedMap, policy: Policy, name: str, f: PersonFields) -> None:
    """Append a person, laid out like the presets' (one line each)."""
    check_name(name)
    if policy.person(name) is not None or _index(doc, name) is not None:
        raise _fail("NAME", _("{name} is already one of the policy's people; change them with "
                              "`complaintctl people set`").format(name=name))
    if f.email is None or not f.email:
        raise _fail("--email", _("required: notices and the hooks match people by e-mail"))
    if f.unit is None:
        raise _fail("--unit", _("required: the unit the person works in ({known})")
                    .format(known=", ".join(policy.units)), "R-RT-1")
    if not f.roles:
        raise _fail("--role", _("give at least one role (known: {known})").format(known=", ".join(ROLES)))
    check_fields(policy, f)
    taken = policy.person(f.email)
    if taken is not None:
        raise _fail("--email", _("{email} is already {name}'s").format(email=f.email, name=taken.name))
    entry = CommentedMap()
    entry["name"] = name
    for key in ("email", "unit", "roles", "office", "login", "mobile", "key"):
        value = getattr(f, key)
        if value:
            _put(entry, key, value)
    entry.fa.set_flow_style()
    _append(_people(doc), None, entry)


def set_person(doc: CommentedMap, policy: Policy, name: str, f: PersonFields) -> list[str]:
    """Change the fields given; the names of those that changed (none: a refusal)."""
    i = find(doc, name)
    given = f.given()
    if not given:
        raise _fail("NAME", _("nothing to change: give --email, --unit, --role, --office, --login, --mobile or --key"))
    check_fields(policy, f)
    if f.email:
        taken = policy.person(f.email)
        if taken is not None and taken.name != name:
            raise _fail("--email", _("{email} is already {name}'s").format(email=f.email, name=taken.name))
    entry = _people(doc)[i]
    changed = []
    for key, value in given.items():
        old = entry.get(key)
        now = list(value) if key == "roles" else value
        if (list(old) if key == "roles" and isinstance(old, list) else (old or "")) == now:
            continue
        _put(entry, key, value)
        changed.append(key)
    if not changed:
        raise _fail("NAME", _("{name} already has these values: nothing to change").format(name=name))
    return changed


def remove_person(doc: CommentedMap, name: str) -> None:
    _remove(_people(doc), find(doc, name))


def _units(doc: CommentedMap) -> CommentedMap:
    units = doc.get("units")
    if not isinstance(units, CommentedMap):
        raise _fail("units", _("expected a mapping in complaintctl.yaml"), "R-RT-1")
    return units


def add_unit(doc: CommentedMap, policy: Policy, key: str, zh: str, en: str) -> None:
    if not UNIT_KEY.match(key):
        raise _fail("KEY", _("{value!r} is not a unit key (lower-case letters, digits and -, e.g. "
                             "customer-service)").format(value=key))
    if key in policy.units or key in _units(doc):
        raise _fail("KEY", _("{value!r} is already one of the policy's units").format(value=key), "R-RT-1")
    for option, label in (("--zh", zh), ("--en", en)):
        if not label.strip():
            raise _fail(option, _("required (real text, not only spaces)"))
    entry = CommentedMap([("zh", zh), ("en", en)])
    entry.fa.set_flow_style()
    _append(_units(doc), key, entry)


def set_unit(doc: CommentedMap, key: str, zh: str | None, en: str | None) -> list[str]:
    units = _units(doc)
    if key not in units:
        raise _fail("UNIT", _("{value!r} is not one of the policy's units ({known})")
                    .format(value=key, known=", ".join(units)), "R-RT-1")
    entry = units[key]
    if entry is None:
        entry = units[key] = CommentedMap()
        entry.fa.set_flow_style()
    changed = []
    for option, field, label in (("--zh", "zh", zh), ("--en", "en", en)):
        if label is None:
            continue
        if not label.strip():
            raise _fail(option, _("required (real text, not only spaces)"))
        if entry.get(field) != label:
            entry[field] = label
            changed.append(field)
    if not changed:
        raise _fail("UNIT", _("nothing to change: give --zh or --en with a new label"))
    return changed


def unit_users(policy: Policy, key: str) -> list[str]:
    """What in the policy names the unit (R-RT-1): categories, default_unit, people."""
    uses = [f"categories.{k}" for k, c in policy.categories.items() if c.unit == key]
    if policy.default_unit == key:
        uses.append("default_unit")
    uses.extend(f"people: {p.name}" for p in policy.people if p.unit == key)
    return uses


def remove_unit(doc: CommentedMap, policy: Policy, key: str) -> None:
    units = _units(doc)
    if key not in units:
        raise _fail("UNIT", _("{value!r} is not one of the policy's units ({known})")
                    .format(value=key, known=", ".join(units)), "R-RT-1")
    uses = unit_users(policy, key)
    if uses:
        raise _fail("UNIT", _("{value!r} is still named by {uses}: change those first")
                    .format(value=key, uses=", ".join(uses)), "R-RT-1")
    _remove(units, key)
