"""`tgmon watchlist …`: validate lists, explain a term, dry-run a list on a sentence or on
history, apply one to history."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.core import state, sub_app, when_option
from monitor.cli.render import summary as render
from monitor.cli.render.rich_text import highlighted
from monitor.core.errors import InputError
from monitor.core.snippet import snippet
from monitor.matching.matcher import Hit, explain_term
from monitor.services.watchlists import TextTrial

_LANGUAGE = re.compile(r"^(auto|[a-z]{2,3})$")
watchlist_app = sub_app("Keyword watchlists: validate, dry-run, apply to history.")
_BATCH = 1000


@watchlist_app.command("validate")
def validate(ctx: typer.Context) -> None:
    """Check every watchlist file; print each error with file, line and rule.

    Example: tgmon watchlist validate
    """
    service = state(ctx).app().watchlists
    dirs = service.dirs()
    watchlists, errors = service.validate()
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if errors:
        raise typer.Exit(2)
    rules = sum(len(w.rules) for w in watchlists)
    typer.echo(f"{len(watchlists)} watchlist(s), {rules} rule(s) OK in {', '.join(map(str, dirs))}")


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


def _print_trial(trial: TextTrial, text: str) -> None:
    out = render.console()
    out.print(f"language: {trial.language or 'unknown'} ({trial.how}); translation off")
    for hit in trial.hits:
        found = ", ".join(dict.fromkeys(f"«{text[a:b]}»" for a, b in hit.spans))
        out.print(f"{hit.rule_label}: {', '.join(hit.terms)} — found {found}", markup=False)
        out.print(highlighted(snippet(text, list(hit.spans), width=400), "bold reverse"))
    hits = len(trial.hits)
    out.print(f"{trial.watchlist}: {hits} rule(s) fired" if hits else "no rule fired")


@watchlist_app.command("test")
def test(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Watchlist name, or a watchlist .toml file")],
    text: Annotated[
        str | None,
        typer.Option("--text", help="Try the list on this text instead of stored posts; - = stdin"),
    ] = None,
    language: Annotated[
        str,
        typer.Option("--language", help="Language of --text (ru, uk, en…) or auto (detect)"),
    ] = "auto",
    since: Annotated[
        str | None, typer.Option("--since", help="Only posts newer than, e.g. 7d")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many posts")] = 50,
) -> None:
    """Dry run: show which stored posts (or which --text) a watchlist would fire on.

    Nothing is written; --text needs no database. Examples:
    tgmon watchlist test wagner_mali --since 30d;
    tgmon watchlist test drones --text "Ми-24 сбит"; echo "…" | tgmon watchlist test drones --text -
    """
    if not _LANGUAGE.match(language):
        raise InputError(f"--language: {language!r} is not a language code like 'ru', or 'auto'")
    if text is not None:
        if since is not None:
            raise InputError("--since applies to stored posts, not to --text")
        body = _read_text(text)
        _print_trial(state(ctx).app().watchlists.try_text(name, body, language), body)
        return
    would_fire = state(ctx).app().watchlists.dry_run(name, when_option(since))
    table = Table(title=f"{name}: posts that would fire")
    for column in ("date", "channel", "rule", "text"):
        table.add_column(column)
    total = 0
    for found in would_fire:
        post, channel, hits = found.post, found.channel, found.hits
        total += 1
        if total <= limit:
            original = [s for h in hits if h.text_source == "original" for s in h.spans]
            text = post.text if original else post.translation or ""
            spans = original or [s for h in hits for s in h.spans]
            rules = ", ".join(sorted({_rule_name(h) for h in hits}))
            table.add_row(
                f"{post.posted_at:%Y-%m-%d %H:%M}",
                f"@{channel}/{post.message_id}",
                rules,
                highlighted(snippet(text, spans), "bold reverse"),
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
    report = state(ctx).app().watchlists.rematch(name, when_option(since), alert=alert)
    typer.echo(
        f"{name}: {report.checked} post(s) checked, {report.added} new match(es), "
        f"{report.removed} no longer matching"
        + ("" if alert else " (no alerts raised; use --alert)")
    )
