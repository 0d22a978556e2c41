"""Import Telegram Desktop exports through the pipeline, batch by batch.

Good posts are committed as they are read, so a bad message late in a file never takes the
earlier ones with it; `skip_bad` carries on past bad messages and counts them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from monitor.core.errors import ExportFormatError, InputError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.pipeline.ingest import IngestReport, Pipeline
from monitor.sources.export import find_exports, read_export
from storage.post_rows import text_keys
from storage.reconcile import stored_ids_missing_from

BATCH_SIZE = 2000
# How long the reading thread may keep the GIL while the storing thread waits for it (CPython's
# default is 5 ms). The storing thread lets go of the GIL at every server round trip, ~90 per
# batch (each 32 KB COPY block among them), and each time waited up to the whole interval
# behind the reading thread: a PostgreSQL store-only import spent ~30 % of its time so
# (bench/RESULTS.md, import notes). Set only while the storing thread runs.
HANDOFF_INTERVAL = 0.001
Progress = Callable[[Path, int], None]  # (file, bytes read so far)


@dataclass
class ImportReport(IngestReport):
    files: int = 0
    skipped: int = 0  # service / unsupported messages
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)
    channels: dict[int, str] = field(default_factory=dict)
    skipped_chats: list[str] = field(default_factory=list)  # "<file>: <chat>: <type>: why"

    def merge(self, other: ImportReport) -> None:
        self.add(other)
        self.files += other.files
        self.skipped += other.skipped
        self.bad += other.bad
        self.bad_examples.extend(other.bad_examples[: max(0, 5 - len(self.bad_examples))])
        self.channels.update(other.channels)
        self.skipped_chats.extend(other.skipped_chats)


def import_exports(
    pipeline: Pipeline,
    path: Path,
    *,
    skip_bad: bool = False,
    usernames: dict[int, str] | None = None,
    progress: Progress | None = None,
    mark_missing_deleted: bool = False,
) -> ImportReport:
    """Import one export file or every result.json below a folder.

    With `mark_missing_deleted`, each file is taken as a complete export of its channel: a stored
    post whose id lies within the file's id range but is absent from it was deleted since.
    """
    report = ImportReport()
    for file in find_exports(path):
        seen = _import_file(pipeline, file, report, skip_bad, usernames or {}, progress)
        report.files += 1
        if mark_missing_deleted:
            for channel_id, ids in seen.items():
                report.deleted += _mark_missing(pipeline, channel_id, ids)
    return report


def usernames_for(path: Path, username: str | None) -> dict[int, str]:
    """Exports do not record a channel's @username: the user may give it for a single file."""
    if not username:
        return {}
    files = find_exports(path)
    if len(files) != 1:
        raise InputError("--username needs a single export file, not a folder")
    for item in read_export(files[0]):
        return {item.channel.channel_id: username.lstrip("@")}
    return {}


def _mark_missing(pipeline: Pipeline, channel_id: int, seen: set[int]) -> int:
    with pipeline.db.read_session() as session:
        missing = stored_ids_missing_from(session, channel_id, seen)
    return pipeline.delete(channel_id, missing).deleted if missing else 0


def _import_file(
    pipeline: Pipeline,
    file: Path,
    report: ImportReport,
    skip_bad: bool,
    usernames: dict[int, str],
    progress: Progress | None,
) -> dict[int, set[int]]:
    """Import one file; return the message ids it holds, per channel (service ones included)."""
    batch: list[ChannelPost] = []
    channel: ChannelInfo | None = None
    seen: dict[int, set[int]] = {}
    writer = _BatchWriter(pipeline, report)

    def flush() -> None:
        nonlocal batch
        if channel is not None and batch:
            writer.store(channel, batch)
            batch = []

    try:
        with file.open("rb") as handle:
            for item in read_export(file, handle=handle):
                if item.skipped_chat is not None:
                    name = item.channel.title or item.channel.channel_id
                    report.skipped_chats.append(f"{file}: {name}: {item.skipped_chat}")
                    continue
                if channel is None or item.channel.channel_id != channel.channel_id:
                    flush()
                    info = item.channel
                    username = usernames.get(info.channel_id, info.username)
                    channel = ChannelInfo(info.channel_id, username, info.title)
                    report.channels[info.channel_id] = info.title or str(info.channel_id)
                    ids = seen.setdefault(info.channel_id, set())
                if item.message_id is not None:
                    ids.add(item.message_id)
                if item.error is not None:
                    where = f"{file}: message #{item.index}: {item.error}"
                    if not skip_bad:
                        raise ExportFormatError(f"{where} (use --skip-bad to import the rest)")
                    report.bad += 1
                    if len(report.bad_examples) < 5:
                        report.bad_examples.append(where)
                elif item.post is None:
                    report.skipped += 1
                else:
                    batch.append(item.post)
                    if len(batch) >= BATCH_SIZE:
                        flush()
                        if progress is not None:
                            progress(file, handle.tell())
    finally:
        try:
            flush()  # what was read before a failure is kept
        finally:
            writer.close()
    if progress is not None:
        progress(file, file.stat().st_size)
    return seen


class _BatchWriter:
    """Stores an import's batches in order, overlapping the database's work with the reading.

    Each batch is offered to the stages' look-ahead (`Pipeline.look_ahead`: the second core
    detects and matches it) before the batch read just before it is stored, so the worker
    works while this process writes. On PostgreSQL a batch is stored by a thread while this one
    reads the next batch and works out its text keys: psycopg lets go of the GIL while the
    server inserts and indexes, which was half of a store-only import's time. On SQLite a batch
    is held until the next one is read and offered, then stored here: the driver's many short
    calls made a thread's hand-offs cost more than they overlapped (measured). A failed batch
    raises here, at the next `store` or at `finish`, after the batches before it were committed;
    no batch after it is stored.
    """

    def __init__(self, pipeline: Pipeline, report: ImportReport) -> None:
        self.pipeline = pipeline
        self.report = report
        overlap = pipeline.db.dialect == "postgresql"
        self._thread = ThreadPoolExecutor(1, "tgmon-import-store") if overlap else None
        self._pending: Future[IngestReport] | None = None
        self._held: tuple[ChannelInfo, list[ChannelPost]] | None = None
        self._failed = False
        self._interval = sys.getswitchinterval()
        if overlap:
            sys.setswitchinterval(min(self._interval, HANDOFF_INTERVAL))

    def store(self, channel: ChannelInfo, posts: list[ChannelPost]) -> None:
        """Store a batch (hold it, or hand it to the thread); nothing more once one has failed."""
        if self._failed:
            return
        self.pipeline.look_ahead(channel, posts)  # the worker starts on it while the last is stored
        if self._thread is None:
            self.finish()
            self._held = (channel, posts)
            return
        keys = text_keys(posts)  # while the last batch is still being written
        self.finish()
        self._pending = self._thread.submit(
            self.pipeline.ingest, channel, posts, mode="import", keys=keys
        )

    def finish(self) -> None:
        """Store the batch held, or wait for the one in flight; add its counts or raise."""
        held, self._held = self._held, None
        pending, self._pending = self._pending, None
        try:
            if held is not None and not self._failed:
                self.report.add(self.pipeline.ingest(*held, mode="import"))
            if pending is not None:
                self.report.add(pending.result())
        except BaseException:
            self._failed = True
            raise

    def close(self) -> None:
        """Store the last batch (raising its error) and stop the thread."""
        try:
            self.finish()
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=True)
                sys.setswitchinterval(self._interval)
