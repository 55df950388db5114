"""The encrypted group (tests/privacy/world.py), built once per worker and copied per test, for
the `keys` tests."""

from tests.privacy.fixtures import world, world_template  # noqa: F401  (fixtures)
