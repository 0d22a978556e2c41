"""Every page, feed and API route of the desk, through httpx (Starlette's TestClient), on the
demo database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import re
from xml.etree import ElementTree

import pytest

from monitor.config.web import WebSettings
from monitor.services.records import RECORD_FIELDS
from monitor.web.app import DeskParts, create_web_app
from monitor.web.security import CSRF_COOKIE, SECURITY_HEADERS
from storage.desk import AlertFilters
from storage.search import SearchFilters
from tests.support.asgi_client import AsgiClient
from tests.web.conftest import DemoDesk

ATOM = "{http://www.w3.org/2005/Atom}"


def _alert_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<div class="alert-state" id="alert-(\d+)"', html)]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _desk_with(demo_desk: DemoDesk, web: WebSettings) -> AsgiClient:
    app = demo_desk.app
    parts = DeskParts(app.search, app.alerts, app.desk, "en", app.clock)
    return AsgiClient(create_web_app(parts, web))


def test_alerts_page_lists_newest_first_with_copies_and_security_headers(
    client: AsgiClient,
) -> None:
    response = client.get("/alerts")
    assert response.status_code == 200
    ids = _alert_ids(response.text)
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)  # one page, newest first
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "<script>" not in response.text and "style=" not in response.text
    assert 'src="/static/htmx.min.js"' in response.text
    assert 'hx-trigger="every 15s"' in response.text  # live refresh
    assert "older →" in response.text
    # one line per post: its alerts of several watchlists share the line
    lines = response.text.split('<tr class="story')[1:]
    assert len(lines) < 50 and any(line.count('class="alert-state"') > 1 for line in lines)
    page2 = _alert_ids(client.get("/alerts?page=2").text)
    assert page2 and max(page2) < min(ids)


def test_alert_filters_narrow_the_list(client: AsgiClient, demo_desk: DemoDesk) -> None:
    everything = demo_desk.app.desk.stories(AlertFilters(), limit=1000).stories
    sahel = client.get("/alerts?watchlist=sahel").text
    assert _alert_ids(sahel)[:50] == [s.alert_id for s in everything if s.watchlist == "sahel"][
        :50
    ]
    critical = _alert_ids(client.get("/alerts?severity=critical").text)
    assert critical
    assert set(critical) <= {s.alert_id for s in everything if s.severity == "critical"}
    brief = client.get("/alerts?channel=open_source_brief").text
    assert _alert_ids(brief)
    assert all(
        s.channel == "@open_source_brief"
        for s in everything
        if s.alert_id in set(_alert_ids(brief))
    )
    # one line per story: a story repeated by another channel lists its copies on its line
    story = next(s for s in everything if s.copies)
    mine = [s for s in everything if s.channel == story.channel]
    page = mine.index(story) // 50 + 1
    html = client.get(f"/alerts?channel={story.channel_ref}&page={page}").text
    line = html[: html.index(f'id="alert-{story.alert_id}"')].rsplit("<tr", 1)[1]
    copy = story.copies[0]
    assert f'href="/post/{copy.channel.lstrip("@")}/{copy.message_id}"' in line
    assert f"+{len(story.copies)} cop" in line


def test_bad_filter_is_a_400_page_naming_the_field(client: AsgiClient) -> None:
    response = client.get("/alerts?status=bogus")
    assert response.status_code == 400
    assert "status &#39;bogus&#39;: use one of" in response.text
    unknown = client.get("/alerts?channel=nosuchchannel")
    assert unknown.status_code == 400 and "nosuchchannel" in unknown.text


def test_alert_rows_fragment_is_the_table_body(client: AsgiClient) -> None:
    rows = client.get("/alerts/rows?watchlist=drones")
    assert rows.status_code == 200
    assert rows.text.lstrip().startswith('<tbody id="alert-rows"')
    assert "<html" not in rows.text and "drones" in rows.text


def test_acknowledge_needs_the_csrf_token_then_marks_the_alert(
    client: AsgiClient, demo_desk: DemoDesk
) -> None:
    page = client.get("/alerts")
    alert_id = _alert_ids(page.text)[0]
    refused = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": "0" * 64})
    assert refused.status_code == 403
    other_site = client.post(
        f"/alerts/{alert_id}/ack",
        data={"csrf_token": _csrf(page.text)},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert demo_desk.app.alerts.show(alert_id).record.alert.acked_at is None
    done = client.post(
        f"/alerts/{alert_id}/ack",
        data={"csrf_token": _csrf(page.text)},
        headers={"hx-request": "true"},
    )
    assert done.status_code == 200 and "acknowledged" in done.text
    assert demo_desk.app.alerts.show(alert_id).record.alert.acked_at is not None
    acked = _alert_ids(client.get("/alerts?status=acked").text)
    assert alert_id in acked
    assert alert_id not in _alert_ids(client.get("/alerts?status=unacked").text)


def test_acknowledge_without_htmx_redirects_back_but_never_off_site(client: AsgiClient) -> None:
    page = client.get("/alerts")
    alert_id = _alert_ids(page.text)[-1]
    response = client.post(
        f"/alerts/{alert_id}/ack",
        data={"csrf_token": _csrf(page.text), "back": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/alerts"
    cookie = client.cookies.get(CSRF_COOKIE)
    assert cookie  # set by the first page, HttpOnly + SameSite=Strict
    assert "samesite=strict" in page.headers["set-cookie"].lower()


def test_search_highlights_original_and_english_side_by_side(client: AsgiClient) -> None:
    response = client.get("/search", params={"q": "Вагнер"})
    assert response.status_code == 200
    assert "<mark>Вагнера</mark>" in response.text
    assert re.search(r'class="text english" dir="auto" lang="en">EN:', response.text)
    assert 'dir="auto"' in response.text  # Arabic (or any RTL) text is laid out right to left
    # a bare word reads as a watchlist term: derivations and Latin spellings too
    assert response.text.count('<article class="hit') == 50  # a full page (39 literally)
    assert re.search(r"<mark>[Вв]агнеровц\w*</mark>", response.text)


def test_search_pages_and_filters(demo_desk: DemoDesk) -> None:
    with _desk_with(demo_desk, WebSettings(page_size=5)) as small:
        first = small.get("/search", params={"q": "Вагнер"}).text
        second = small.get("/search", params={"q": "Вагнер", "page": "2"}).text
    refs = re.findall(r'class="ref" href="(/post/[^"]+)"', first)
    refs2 = re.findall(r'class="ref" href="(/post/[^"]+)"', second)
    assert len(refs) == 5 and len(refs2) == 5 and not set(refs) & set(refs2)
    assert "next →" in first and "← previous" in second
    with _desk_with(demo_desk, WebSettings()) as desk:
        only = desk.get("/search", params={"q": "Вагнер", "channel": "sahel_watch"}).text
        browse = desk.get("/search", params={"watchlist": "wagner_mali"}).text
        bad = desk.get("/search", params={"q": '"unclosed'})
        bad_date = desk.get("/search", params={"q": "x", "since": "last week"})
    assert set(re.findall(r'class="ref" href="/post/([^/]+)/', only)) == {"sahel_watch"}
    assert '<article class="hit' in browse  # filters alone list a watchlist's posts
    assert bad.status_code == 400 and "Cannot show that" in bad.text
    assert bad_date.status_code == 400 and "since:" in bad_date.text


def test_export_streams_every_result_as_the_cli_records(
    client: AsgiClient, demo_desk: DemoDesk
) -> None:
    expected = demo_desk.app.search.search(
        "Вагнер", SearchFilters(), sort="date", limit=1000, offset=0
    )
    as_csv = client.get("/search/export", params={"q": "Вагнер", "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert tuple(rows[0].keys()) == RECORD_FIELDS
    assert {int(r["post_id"]) for r in rows} == {h.post_id for h in expected.hits}
    matched = [r["matched_words"].lower() for r in rows if r["matched_words"]]
    assert all("вагнер" in m or "wagner" in m for m in matched)  # either script, as a list
    assert any("wagner" in m for m in matched)
    lines = client.get("/search/export", params={"q": "Вагнер", "format": "jsonl"}).text
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == len(rows) and records[0]["translation"].startswith("EN:")
    assert client.get("/search/export", params={"q": "x", "format": "xml"}).status_code == 400


def test_post_page_shows_versions_with_a_diff_matches_and_links(
    client: AsgiClient, demo_desk: DemoDesk
) -> None:
    edited = demo_desk.app.desk.browse(
        SearchFilters(edited=True), sort="date", limit=1, offset=0
    ).hits[0]
    page = client.get(f"/post/{edited.channel_username}/{edited.message_id}")
    assert page.status_code == 200
    assert "<h2>Versions</h2>" in page.text and "v2 ·" in page.text
    assert "<ins>" in page.text or "<del>" in page.text
    assert f'href="https://t.me/{edited.channel_username}/{edited.message_id}"' in page.text
    assert re.search(r'class="text english" dir="auto" lang="en">', page.text)
    deleted = demo_desk.app.desk.browse(
        SearchFilters(deleted=True), sort="date", limit=1, offset=0
    ).hits[0]
    gone = client.get(f"/post/{deleted.channel_id}/{deleted.message_id}").text
    assert 'class="badge deleted">deleted' in gone


def test_post_page_marks_matched_spans_and_lists_copies(
    client: AsgiClient, demo_desk: DemoDesk
) -> None:
    story = next(
        s
        for s in demo_desk.app.desk.stories(AlertFilters(), limit=1000).stories
        if s.copies and s.watchlist == "wagner_mali"
    )
    page = client.get(f"/post/{story.channel_ref}/{story.message_id}").text
    assert "<h2>Matches</h2>" in page and "<mark>" in page
    copy = story.copies[0]
    assert f'{copy.channel}/{copy.message_id}</a>' in page
    assert "Same story elsewhere" in page
    missing = client.get(f"/post/{story.channel_ref}/999999")
    assert missing.status_code == 404 and "not stored" in missing.text


def test_channels_page_shows_state_and_posts_per_day(client: AsgiClient) -> None:
    page = client.get("/channels").text
    for name in ("@frontline_dispatch", "@sahel_watch", "@dnipro_pulse", "@open_source_brief"):
        assert name in page
    assert page.count('<svg class="spark"') == 4 and '<svg class="chart"' in page
    assert "Дніпро Пульс (sample)" in page


def test_watchlists_page_charts_and_tries_a_term(client: AsgiClient) -> None:
    page = client.get("/watchlists")
    for name in ("wagner_mali", "sahel", "drones", "airlift_africa"):
        assert f'id="list-{name}"' in page.text
    token = _csrf(page.text)
    text = "Колонна «Вагнера» прошла через Бамако."
    tried = client.post(
        "/watchlists/try", data={"csrf_token": token, "text": text, "term": "Вагнер"},
        headers={"hx-request": "true"},
    )
    assert tried.status_code == 200 and "<mark>Вагнера</mark>" in tried.text
    listed = client.post(
        "/watchlists/try",
        data={"csrf_token": token, "text": text + " Затем в Мали.", "name": "wagner_mali"},
    )
    assert listed.status_code == 200 and "2 rules fire (language ru)" in listed.text
    assert "wagner_mali</b> · rule 1 (wagner_mali)" in listed.text
    nothing = client.post(
        "/watchlists/try", data={"csrf_token": token, "text": "Погода в Киеве", "term": "Вагнер"},
        headers={"hx-request": "true"},
    )
    assert "No rule fires" in nothing.text
    broken = client.post(
        "/watchlists/try",
        data={"csrf_token": token, "text": text, "toml": 'name = "x"\n[[rules]]\nany = ['},
        headers={"hx-request": "true"},
    )
    assert "pasted list:1: invalid TOML" in broken.text and "/tmp" not in broken.text
    assert client.post("/watchlists/try", data={"text": text}).status_code == 403


def test_atom_feeds_carry_the_english(client: AsgiClient) -> None:
    response = client.get("/feeds/alerts.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert any("English: EN:" in (e.findtext(f"{ATOM}content") or "") for e in entries)
    one = ElementTree.fromstring(client.get("/feeds/watchlists/sahel.atom").content)
    terms = {c.get("term") for c in one.iter(f"{ATOM}category")}
    assert terms == {"sahel"}


def test_json_api_speaks_the_webhook_schema(client: AsgiClient, demo_desk: DemoDesk) -> None:
    listing = client.get("/api/alerts", params={"watchlist": "wagner_mali", "limit": "3"}).json()
    assert listing["schema"] == "tgmon.alert-list/1" and len(listing["alerts"]) == 3
    first = listing["alerts"][0]
    webhook = demo_desk.app.alerts.show(first["alert"]["id"]).message.payload
    assert first == webhook and first["schema"] == "tgmon.alert/1"
    assert client.get(f"/api/alerts/{first['alert']['id']}").json() == webhook
    assert client.get("/api/alerts/999999").status_code == 404
    found = client.get("/api/search", params={"q": "Вагнер", "limit": "5"}).json()
    assert len(found["posts"]) == 5 and found["more"] is True
    assert set(found["posts"][0]) == set(RECORD_FIELDS)
    assert client.get("/api/search").status_code == 400
    assert client.get("/api/alerts", params={"limit": "0"}).status_code == 400


@pytest.mark.parametrize(
    "path", ["/alerts", "/static/desk.css", "/api/alerts", "/feeds/alerts.atom"]
)
def test_configured_login_guards_everything(demo_desk: DemoDesk, path: str) -> None:
    from monitor.web.security import hash_password

    web = WebSettings(
        token="desk-token-5c1f", username="analyst", password_hash=hash_password("correct horse")
    )
    with _desk_with(demo_desk, web) as desk:
        refused = desk.get(path)
        assert refused.status_code == 401 and "basic" in refused.headers["www-authenticate"].lower()
        assert "desk-token" not in refused.text
        assert desk.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
        assert desk.get(path, auth=("analyst", "wrong")).status_code == 401
        bearer = {"authorization": "Bearer desk-token-5c1f"}
        assert desk.get(path, headers=bearer).status_code == 200
        assert desk.get(path, auth=("analyst", "correct horse")).status_code == 200


def test_an_english_result_says_it_needs_no_translation(client: AsgiClient) -> None:
    page = client.get("/search", params={"q": "=Bolshoi"}).text
    hits = page.split('<article class="hit')[1:]
    english = [h for h in hits if "ORIGINAL (EN)" in h.upper() or 'lang="en">Translation' in h]
    assert english, "the demo has an English post about the Bolshoi"
    assert all("not needed" in h and "not translated yet" not in h for h in english)
