"""Search results as flat records (json, jsonl, csv): one shape for the CLI and the web desk.

Field names are stable: scripts depend on them (see RECORD_FIELDS). Moved here from
monitor/cli/render/search.py so the desk's export reuses the very same writers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from monitor.core.errors import InputError
from monitor.core.snippet import Snippet, snippet
from storage.highlight import hit_spans
from storage.query import Leaf
from storage.search import SearchHit

FORMATS = ("table", "json", "jsonl", "csv")
RECORD_FIELDS = (
    "post_id",
    "channel_id",
    "channel",
    "channel_title",
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
    snip: Snippet | None = None
    words: list[str] = []
    if leaves:  # a snippet only says something when there was a query
        snip, _source = hit_snippet(hit, leaves)
        words = sorted({snip.text[s:e] for s, e in snip.spans}, key=str.casefold)
    return {
        "post_id": hit.post_id,
        "channel_id": hit.channel_id,
        "channel": hit.channel_username,
        "channel_title": hit.channel_title,
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
        "snippet": snip.text if snip is not None else None,
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
