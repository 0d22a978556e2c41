"""`tgmon watchlist …`: validate lists, explain a term, dry-run a list on a sentence or on
history, apply one to history."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from monitor.cli.core import CliState, state, sub_app, when_option
from monitor.cli.render import summary as render
from monitor.core.errors import InputError
from monitor.core.events import ChannelInfo
from monitor.matching.matcher import Hit, Matcher, compile_matcher, explain_term
from monitor.matching.watchlists import Watchlist, load_watchlists, validate_watchlists
from monitor.pipeline.stages import match_posts
from monitor.wiring import match_listeners
from storage.models import Channel, Post

watchlist_app = sub_app("Keyword watchlists: validate, dry-run, apply to history.")
_BATCH = 1000


_LANGUAGE = re.compile(r"^(auto|[a-z]{2,3})$")


def _one(st: CliState, name: str) -> Watchlist:
    """The list called NAME in the configured folders, or the list in the file NAME."""
    if name.endswith(".toml") or Path(name).is_file():
        (watchlist,) = load_watchlists([Path(name)])  # one list per file
        return watchlist
    lists = load_watchlists(st.settings().watchlist_dirs())
    for watchlist in lists:
        if watchlist.name == name:
            return watchlist
    known = ", ".join(sorted(w.name for w in lists)) or "none"
    raise InputError(f"no watchlist named {name!r} (have: {known})")


@watchlist_app.command("validate")
def validate(ctx: typer.Context) -> None:
    """Check every watchlist file; print each error with file, line and rule.

    Example: tgmon watchlist validate
    """
    dirs = state(ctx).settings().watchlist_dirs()
    watchlists, errors = validate_watchlists(dirs)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if errors:
        raise typer.Exit(2)
    rules = sum(len(w.rules) for w in watchlists)
    typer.echo(f"{len(watchlists)} watchlist(s), {rules} rule(s) OK in {', '.join(map(str, dirs))}")


def _highlight(text: str, spans: list[tuple[int, int]], width: int = 160) -> Text:
    shown = Text(text.replace("\n", " "))
    for start, end in spans:
        shown.stylize("bold reverse", start, end)
    if spans and len(text) > width:
        first = max(0, spans[0][0] - width // 3)
        shown = shown[first : first + width]
    elif len(text) > width:
        shown = shown[:width]
    return shown


def _scan(
    st: CliState, matcher: Matcher, since: datetime | None
) -> Iterator[tuple[Post, str, list[Hit]]]:
    db = st.database()
    with db.read_session() as session:
        query = select(Post, Channel.username).join(Channel, Channel.id == Post.channel_id)  # type: ignore[arg-type]
        if since is not None:
            query = query.where(Post.posted_at >= since)
        query = query.order_by(Post.posted_at).execution_options(yield_per=_BATCH)
        for post, username in session.execute(query):
            channel = ChannelInfo(post.channel_id, username)
            hits = matcher.match(post.text, language=post.language, channel=channel)
            if post.translation:
                hits += matcher.match(
                    post.translation,
                    language=st.settings().translation.target,
                    channel=channel,
                    text_source="translation",
                )
            if hits:
                yield post, username or str(post.channel_id), hits


def _rule_name(hit: Hit) -> str:
    return hit.rule_label + (" (translation)" if hit.text_source == "translation" else "")


@watchlist_app.command("explain")
def explain(
    term: Annotated[str, typer.Argument(help="A term as you would write it in a list")],
) -> None:
    """Show which word forms and spellings a term matches, and where it is blocked.

    Example: tgmon watchlist explain Мали
    """
    for line in explain_term(term):
        typer.echo(line)


def _read_text(text: str) -> str:
    """The --text value, or standard input for `--text -`; never empty."""
    if text == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"--text -: standard input is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise InputError("--text: the text is empty")
    return text


def _test_text(watchlist: Watchlist, text: str, language: str) -> None:
    """Run one list over one text (no database) and print each rule that fired."""
    from monitor.language import detect_language

    if language == "auto":
        detected = detect_language(text)
        lang = None if detected.lang == "und" else detected.lang
        how = f"detected ({detected.method})" if lang else "undetermined"
    else:
        lang, how = language, "given"
    hits = compile_matcher([watchlist]).match(text, language=lang)
    out = render.console()
    out.print(f"language: {lang or 'unknown'} ({how}); translation off")
    for hit in hits:
        found = ", ".join(dict.fromkeys(f"«{text[a:b]}»" for a, b in hit.spans))
        out.print(f"{hit.rule_label}: {', '.join(hit.terms)} — found {found}")
        out.print(_highlight(text, list(hit.spans), width=400))
    out.print(f"{watchlist.name}: {len(hits)} rule(s) fired" if hits else "no rule fired")


@watchlist_app.command("test")
def test(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Watchlist name, or a watchlist .toml file")],
    since: Annotated[
        str | None, typer.Option("--since", help="Only posts newer than, e.g. 7d")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many posts")] = 50,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Try the list on this text instead of stored posts; - = stdin"),
    ] = None,
    language: Annotated[
        str,
        typer.Option("--language", help="Language of --text (ru, uk, en…) or auto (detect)"),
    ] = "auto",
) -> None:
    """Dry run: show which stored posts (or which --text) a watchlist would fire on.

    Nothing is written; --text needs no database. Examples:
    tgmon watchlist test wagner_mali --since 30d;
    tgmon watchlist test drones --text "Ми-24 сбит"; echo "…" | tgmon watchlist test drones --text -
    """
    st = state(ctx)
    if not _LANGUAGE.match(language):
        raise InputError(f"--language: {language!r} is not a language code like 'ru', or 'auto'")
    if text is not None:
        if since is not None:
            raise InputError("--since applies to stored posts, not to --text")
        _test_text(_one(st, name), _read_text(text), language)
        return
    matcher = compile_matcher([_one(st, name)])
    table = Table(title=f"{name}: posts that would fire")
    for column in ("date", "channel", "rule", "text"):
        table.add_column(column)
    total = 0
    for post, channel, hits in _scan(st, matcher, when_option(since)):
        total += 1
        if total <= limit:
            original = [s for h in hits if h.text_source == "original" for s in h.spans]
            shown = post.text if original else post.translation or ""
            spans = original or [s for h in hits for s in h.spans]
            rules = ", ".join(sorted({_rule_name(h) for h in hits}))
            table.add_row(
                f"{post.posted_at:%Y-%m-%d %H:%M}",
                f"@{channel}/{post.message_id}",
                rules,
                _highlight(shown, spans),
            )
    out = render.console()
    out.print(table)
    out.print(f"{total} post(s) would fire" + (f" (first {limit} shown)" if total > limit else ""))


@watchlist_app.command("rematch")
def rematch(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Watchlist name")],
    since: Annotated[
        str | None, typer.Option("--since", help="Only posts newer than, e.g. 7d")
    ] = None,
    alert: Annotated[
        bool, typer.Option("--alert", help="Also raise alerts for new matches")
    ] = False,
) -> None:
    """Apply one watchlist to stored history: record matches (alerts only with --alert).

    Example: tgmon watchlist rematch drones --since 30d
    """
    st = state(ctx)
    settings = st.settings()
    watchlist = _one(st, name)
    matcher = compile_matcher([watchlist])
    db = st.database()
    with db.read_session() as session:
        query = select(Post.id)  # type: ignore[call-overload]
        if (start := when_option(since)) is not None:
            query = query.where(Post.posted_at >= start)
        ids = list(session.execute(query).scalars())
    added = removed = 0
    listeners = match_listeners(settings) if alert else []
    for offset in range(0, len(ids), _BATCH):
        with db.session() as session:
            changes = match_posts(
                session,
                matcher,
                ids[offset : offset + _BATCH],
                translation_language=settings.translation.target,
                only_watchlists={watchlist.name},
            )
            for listener in listeners:
                listener(session, changes)
        added += len(changes.added)
        removed += len(changes.removed)
    typer.echo(
        f"{name}: {len(ids)} post(s) checked, {added} new match(es), {removed} no longer matching"
        + ("" if alert else " (no alerts raised; use --alert)")
    )
