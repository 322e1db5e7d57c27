"""Window tests: a test's background jobs finish (and deliver) before its fixtures close the databases, so no
job of one test runs on a closed file or calls back into the next test."""

from __future__ import annotations

import pytest

from ui import workers


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    if workers.busy():
        workers.wait_idle(10000)
    return (yield)
