"""The desk in a real browser: Debian's Chromium driven by Playwright, against uvicorn on
127.0.0.1 serving the demo database. Saves a screenshot of every page (docs/screenshots/ when
DESK_SCREENSHOTS=1, else the test's tmp folder)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config.web import WebSettings
from monitor.web.serve import bind, serve
from tests.web.conftest import DemoDesk, build_demo_desk

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
        reason="no system Chromium (.ci/run installs it: apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DemoDesk]]:
    """The demo desk under a real uvicorn on a free port, in a thread with its own loop."""
    folder = tmp_path_factory.mktemp("browser")
    desk = build_demo_desk(folder, f"sqlite:///{folder / 'tgmon.db'}")
    sock = bind(WebSettings(port=_free_port()))
    port = sock.getsockname()[1]
    loop = asyncio.new_event_loop()
    task: asyncio.Task[None] | None = None

    def run() -> None:
        nonlocal task
        asyncio.set_event_loop(loop)
        task = loop.create_task(serve(desk.web, sock, own_signals=False))
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", desk
    loop.call_soon_threadsafe(lambda: task.cancel() if task else None)
    thread.join(timeout=10)
    loop.close()
    desk.app.close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("DESK_SCREENSHOTS") == "1" else tmp_path


def test_analyst_walks_through_the_desk(served: tuple[str, DemoDesk], tmp_path: Path) -> None:
    base, desk = served
    shots = _shots(tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1180, "height": 760})
        # a CSP violation or a script error shows up here: the desk must have none
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        expect = playwright_api.expect

        page.goto(f"{base}/alerts")
        expect(page.locator("h1")).to_have_text("Alerts")
        expect(page.locator("#alert-rows .alert-state")).to_have_count(50)
        # alerts of several watchlists about one post share its line
        assert page.locator("#alert-rows tr.story").count() < 50
        page.screenshot(path=str(shots / "alerts.png"))

        page.get_by_role("link", name="Search", exact=True).click()
        page.locator("input[name=q]").fill("Вагнер")
        page.locator("input[name=q]").press("Enter")
        expect(page.locator("article.hit").first).to_be_visible()
        expect(page.locator("article.hit mark").first).to_have_text(
            re.compile("вагнер|wagner", re.IGNORECASE)
        )
        expect(page.locator("article.hit .english").first).to_contain_text("EN:")
        page.screenshot(path=str(shots / "search.png"))

        translated = page.locator("article.hit", has=page.locator(".english"))
        translated.first.locator("a.ref").first.click()  # a Russian post, with its English
        expect(page.locator("h2", has_text="English")).to_be_visible()
        expect(page.locator(".text.english")).to_contain_text("EN:")

        # the demo's one edited alert (its later snapshot changed the post): versions, a diff
        page.goto(f"{base}/alerts")
        edited_row = page.locator("#alert-rows tr", has=page.locator(".badge", has_text="edited"))
        edited_row.first.locator("td.nowrap a").first.click()
        expect(page.locator("h2", has_text="Versions")).to_be_visible()
        expect(page.locator(".diff ins, .diff del").first).to_be_visible()
        page.screenshot(path=str(shots / "post.png"), full_page=True)

        ack = page.locator("button.ack").first
        alert_id = int(ack.locator("xpath=ancestor::li").get_attribute("id").removeprefix("alert-"))
        ack.click()  # htmx posts the form with its CSRF token and swaps in the answer
        expect(page.locator(f"#alert-{alert_id} .acked")).to_have_text("acknowledged")
        assert desk.app.alerts.show(alert_id).record.alert.acked_at is not None

        page.goto(f"{base}/channels")
        expect(page.locator("svg.spark")).to_have_count(4)
        page.screenshot(path=str(shots / "channels.png"))

        page.goto(f"{base}/watchlists")
        page.locator("textarea[name=text]").fill("Колонна «Вагнера» прошла через Бамако, Мали.")
        page.locator("select[name=name]").select_option("wagner_mali")
        page.get_by_role("button", name="Try").click()
        expect(page.locator("#tried .fired")).to_contain_text("fire")
        page.screenshot(path=str(shots / "watchlists.png"))
        browser.close()
    assert problems == []
