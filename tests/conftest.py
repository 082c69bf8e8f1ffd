"""Fixtures shared by test files."""
import pytest

from browser import launch


@pytest.fixture(scope="session")
def chromium():
    """The session's one headless Chromium (``browser.launch``), for the browser tests of
    the website (``test_site.py``) and of the live chapters (``test_live.py``)."""
    with launch() as browser:
        yield browser
