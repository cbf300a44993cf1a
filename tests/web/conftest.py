"""The web app's fixtures: the app over the examples with a folder of stored studies, served by
uvicorn on a free localhost port, and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the browser tests are skipped, unless CELLWRIGHT_REQUIRE_BROWSER=1
(set by .ci/run, which installs Chromium first): then they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"
CHROMIUM = Path("/usr/bin/chromium")
#: Screenshots the browser tests keep (CI's artefacts).
SCREENSHOTS = ROOT / "out" / "test-artifacts" / "browser"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PARETO_STUDY = """
name = "Pareto: coating x porosity"
cell = "{cell}"
stages = ["design", "cost"]
method = "grid"

[variables]
"cathode.thickness_um" = {{ range = [60, 120], steps = 4 }}
"cathode.porosity" = {{ values = [0.25, 0.35] }}

[optimize]
objectives = {{ specific_energy_Wh_kg = "max", cell_cost_usd_per_kWh = "min" }}
"""


@pytest.fixture(scope="session")
def studies_dir(tmp_path_factory) -> Path:
    """A studies folder holding one stored study with objectives (``pareto``)."""
    from cellwright.studies.runner import run

    folder = tmp_path_factory.mktemp("studies")
    spec = folder.parent / "pareto.toml"
    spec.write_text(PARETO_STUDY.format(cell=(EXAMPLES / "lfp-280ah-prismatic.toml").as_posix()))
    run(spec, folder / "pareto", progress=False)
    return folder


@pytest.fixture(scope="session")
def web_app(studies_dir):
    from cellwright.web.app import create_app

    return create_app(EXAMPLES, studies_dir)


@pytest.fixture(scope="session")
def server_url(web_app):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CELLWRIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("CELLWRIGHT_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed; .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROME_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_page(chromium, server_url):
    """A fresh page on the app; any script error on it fails the test."""
    context = chromium.new_context(base_url=server_url, viewport={"width": 1360, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: the whole page into out/test-artifacts/browser/NAME.png."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
