"""The sample office's people: who dispatches, handles, heads and approves — from the policy's
people, never the person complained about (R-RT-3)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from complaintctl.policy.policy import Person, Policy
from complaintctl.repo.git import Identity


def weighted(rng: random.Random, options: Mapping[str, int]) -> str:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


class Cast:
    """Who does what, from the policy's people; never the person complained about (R-RT-3)."""

    def __init__(self, policy: Policy) -> None:
        # The system account runs sweeps, never a person's step.
        people = tuple(p for p in policy.people if "system" not in p.roles) or (
            Person("样例专员", "sample@example.com", policy.default_unit, ("staff", "head", "dispatcher")),)
        self.people = people
        self.dispatchers = [p for p in people if "dispatcher" in p.roles] or list(people)
        # R-RT-2: major cases are copied to heads; an office without department heads copies
        # the vice-president or general manager instead (still "a head or above").
        self.heads = [p for p in people if "head" in p.roles] or \
            [p for p in people if {"vp", "gm"} & set(p.roles)] or list(people)
        self.staff = [p for p in people if "staff" in p.roles] or list(people)
        self.senior_roles = policy.authority.senior_roles

    def pick(self, rng: random.Random, pool: Sequence[Person], accused: str) -> Person:
        ok = [p for p in pool if p.name != accused] or [p for p in self.people if p.name != accused]
        return rng.choice(ok or list(self.people))

    def handler(self, rng: random.Random, unit: str, accused: str, senior: bool) -> Person:
        in_unit = [p for p in self.people if p.unit == unit]
        if senior:  # R-AS-5: repeat complaints go to senior staff, the unit's own if it has any
            seniors = [p for p in self.people if set(p.roles) & set(self.senior_roles) and p.name != accused]
            return rng.choice([p for p in seniors if p.unit == unit] or seniors or list(self.people))
        return self.pick(rng, in_unit or self.staff, accused)

    def approver(self, rng: random.Random, amount: float, policy: Policy, exclude: tuple[str, ...]) -> Person:
        """R-ES-2: someone whose compensation limit covers the amount (never the accused)."""
        ok = [p for p in self.people if p.name not in exclude
              and (lambda lim: lim is None or lim >= amount)(policy.authority.limit_for(p.roles))]
        return rng.choice(ok or list(self.people))

    def accused(self, rng: random.Random, units: Sequence[str]) -> Person | None:
        for unit in units:
            pool = [p for p in self.people if p.unit == unit and "dispatcher" not in p.roles]
            if pool:
                return rng.choice(pool)
        return None


def identity(p: Person) -> Identity:
    return Identity(p.name, p.email or f"{p.name}@example.com")
