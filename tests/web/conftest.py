"""The desk over the demo database (bundled samples through the real pipeline, translated by
the local LibreTranslate double), built once per backend per module: it takes seconds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette

from monitor.config.settings import load_settings
from monitor.services.demo import run_demo
from monitor.wiring import App, build_app
from storage.database import Database
from tests.conftest import _truncate_postgres
from tests.support.asgi_client import AsgiClient
from tests.support.libre_server import FakeLibreTranslate


@dataclass
class DemoDesk:
    app: App
    web: Starlette
    config: Path


def build_demo_desk(folder: Path, url: str, extra: str = "") -> DemoDesk:
    """Demo data, translated, and the desk over it; `extra` adds TOML (e.g. a [web] table)."""
    libre = FakeLibreTranslate().start()
    try:
        config = folder / "tgmon.toml"
        watchlists = Path(__file__).parents[2] / "config" / "watchlists"
        config.write_text(
            f'data_dir = "{folder / "data"}"\n[database]\nurl = "{url}"\n'
            f'[translation]\nprovider = "libre"\nurl = "{libre.url}"\napi_key = "k"\n'
            f'[watchlists]\npaths = ["{watchlists}"]\n{extra}',
            encoding="utf-8",
        )
        settings = load_settings(config)
        app = build_app(settings)
        run_demo(settings, app.db, app.pipeline)
        app.translation.backfill()
    finally:
        libre.stop()
    return DemoDesk(app, app.web_app(), config)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo_desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoDesk]:
    folder = tmp_path_factory.mktemp("desk")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'tgmon.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        database = Database(url)
        database.upgrade()
        _truncate_postgres(database)
        database.dispose()
    desk = build_demo_desk(folder, url)
    yield desk
    desk.app.close()


@pytest.fixture
def client(demo_desk: DemoDesk) -> Iterator[AsgiClient]:
    with AsgiClient(demo_desk.web) as test_client:
        yield test_client
