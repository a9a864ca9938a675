"""The profiles tests' fixtures serve here too (members in each relation, browsers, counter)."""

from tests.profiles.conftest import open_as, people, query_counter  # noqa: F401
