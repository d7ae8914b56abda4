"""pytest fixtures for the fake Discord.

Use from a conftest.py or a test module::

    from tests.fakediscord.fixtures import fake_discord  # noqa: F401  (re-export the fixture)

or ``pytest_plugins = ["tests.fakediscord.fixtures"]`` in the top-level conftest.py.

``fake_discord`` (function scope) yields a started :class:`FakeDiscord` with default ids and
stops it afterwards (which also undoes ``fake.patch_discord()``).  Override the constructor
arguments with ``@pytest.mark.fake_discord(token_ttl=1.0, ...)`` on the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from . import FakeDiscord


def pytest_configure(config: pytest.Config) -> None:  # registered when used as a plugin
    config.addinivalue_line("markers", "fake_discord(**kwargs): FakeDiscord constructor arguments")


@pytest_asyncio.fixture
async def fake_discord(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    marker = request.node.get_closest_marker("fake_discord")
    kwargs = dict(marker.kwargs) if marker else {}
    fake = FakeDiscord(**kwargs)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
