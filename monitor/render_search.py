"""Render search results for people (rich table with highlighted hits) and pipelines (json/csv).

Field names of the machine formats are stable: scripts depend on them (see RECORD_FIELDS).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.errors import InputError
from monitor.highlight import Snippet, hit_spans, snippet
from storage.query import Leaf
from storage.search import SearchHit

FORMATS = ("table", "json", "jsonl", "csv")
RECORD_FIELDS = (
    "post_id",
    "channel_id",
    "channel",
    "message_id",
    "posted_at",
    "edited_at",
    "deleted_at",
    "language",
    "url",
    "media_kind",
    "forwarded_from",
    "views",
    "versions",
    "score",
    "text",
    "translation",
    "snippet",
    "matched_words",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def hit_snippet(hit: SearchHit, leaves: list[Leaf], *, width: int = 160) -> tuple[Snippet, str]:
    """The snippet to show and which text it comes from: the original, else the translation."""
    spans = hit_spans(hit.text, leaves) if leaves else []
    if spans or not hit.translation or not leaves:
        return snippet(hit.text, spans, width=width), "original"
    tspans = hit_spans(hit.translation, leaves)
    if tspans:
        return snippet(hit.translation, tspans, width=width), "translation"
    return snippet(hit.text, [], width=width), "original"


def record(hit: SearchHit, leaves: list[Leaf] | None = None) -> dict[str, Any]:
    """One result as a flat dict with the stable field names."""
    snip, _source = hit_snippet(hit, leaves or [])
    words = sorted({snip.text[s:e] for s, e in snip.spans}, key=str.casefold)
    return {
        "post_id": hit.post_id,
        "channel_id": hit.channel_id,
        "channel": hit.channel_username,
        "message_id": hit.message_id,
        "posted_at": _iso(hit.posted_at),
        "edited_at": _iso(hit.edited_at),
        "deleted_at": _iso(hit.deleted_at),
        "language": hit.language,
        "url": hit.url,
        "media_kind": hit.media_kind,
        "forwarded_from": hit.fwd_from_name or hit.fwd_from_channel_id,
        "views": hit.views,
        "versions": hit.version_count,
        "score": round(hit.score, 4) if hit.score is not None else None,
        "text": hit.text,
        "translation": hit.translation,
        "snippet": snip.text,
        "matched_words": words,
    }


def write_records(
    hits: Iterable[SearchHit], fmt: str, out: IO[str], leaves: list[Leaf] | None = None
) -> int:
    """Write hits as json (one array), jsonl or csv, one at a time; return how many."""
    records: Iterator[dict[str, Any]] = (record(h, leaves) for h in hits)
    written = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            written += 1
    elif fmt == "json":
        out.write("[")
        for rec in records:
            out.write(("," if written else "") + "\n  " + json.dumps(rec, ensure_ascii=False))
            written += 1
        out.write("\n]\n" if written else "]\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=RECORD_FIELDS, lineterminator="\n")
        writer.writeheader()
        for rec in records:
            rec["matched_words"] = " ".join(rec["matched_words"])
            writer.writerow(rec)
            written += 1
    else:
        raise InputError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    return written


def highlighted(snip: Snippet) -> Text:
    text = Text(snip.text)
    for start, end in snip.spans:
        text.stylize("bold reverse yellow", start, end)
    return text


def results_table(
    out: Console, hits: list[SearchHit], leaves: list[Leaf], *, total: int, offset: int
) -> None:
    """The human view: date, channel, snippet with hits highlighted, link."""
    if not hits:
        out.print("no posts found")
        return
    table = Table(show_lines=True, expand=False)
    table.add_column("date (UTC)", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    table.add_column("post", ratio=1)
    table.add_column("link", no_wrap=True, overflow="fold")
    for hit in hits:
        snip, source = hit_snippet(hit, leaves)
        body = highlighted(snip)
        flags = [
            label
            for label, on in (
                ("translation", source == "translation"),
                (f"edited ×{hit.version_count - 1}", hit.version_count > 1),
                ("deleted", hit.deleted_at is not None),
                (hit.media_kind or "", hit.media_kind is not None),
            )
            if on
        ]
        if flags:
            body.append("  [" + ", ".join(flags) + "]", style="dim")
        table.add_row(
            f"{hit.posted_at:%Y-%m-%d %H:%M}",
            f"@{hit.channel_username}" if hit.channel_username else str(hit.channel_id),
            body,
            hit.url or "",
        )
    out.print(table)
    out.print(f"{offset + 1}–{offset + len(hits)} of {total}", style="dim")
