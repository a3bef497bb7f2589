import threading

import pytest


@pytest.fixture
def no_leaked_threads():
    """Fails the test if it leaves an engine thread running."""
    before = set(threading.enumerate())
    yield
    deadline = threading.Event()
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leftover:
        thread.join(2.0)
    alive = [t.name for t in leftover if t.is_alive()]
    assert not alive, f"threads left behind: {alive}"
    del deadline
