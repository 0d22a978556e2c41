"""Import Telegram Desktop exports through the pipeline, batch by batch.

Good posts are committed as they are read, so a bad message late in a file never takes the
earlier ones with it; `skip_bad` carries on past bad messages and counts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import ExportFormatError
from monitor.events import ChannelInfo, ChannelPost
from monitor.pipeline import IngestReport, Pipeline
from monitor.sources.export import find_exports, read_export

BATCH_SIZE = 2000
Progress = Callable[[Path, int], None]  # (file, bytes read so far)


@dataclass
class ImportReport(IngestReport):
    files: int = 0
    skipped: int = 0  # service / unsupported messages
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)
    channels: dict[int, str] = field(default_factory=dict)


def import_exports(
    pipeline: Pipeline,
    path: Path,
    *,
    skip_bad: bool = False,
    usernames: dict[int, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one export file or every result.json below a folder."""
    report = ImportReport()
    for file in find_exports(path):
        _import_file(pipeline, file, report, skip_bad, usernames or {}, progress)
        report.files += 1
    return report


def _import_file(
    pipeline: Pipeline,
    file: Path,
    report: ImportReport,
    skip_bad: bool,
    usernames: dict[int, str],
    progress: Progress | None,
) -> None:
    batch: list[ChannelPost] = []
    channel: ChannelInfo | None = None

    def flush() -> None:
        if channel is not None and batch:
            report.add(pipeline.ingest(channel, batch, mode="import"))
            batch.clear()

    try:
        with file.open("rb") as handle:
            for item in read_export(file, handle=handle):
                if channel is None or item.channel.channel_id != channel.channel_id:
                    flush()
                    info = item.channel
                    username = usernames.get(info.channel_id, info.username)
                    channel = ChannelInfo(info.channel_id, username, info.title)
                    report.channels[info.channel_id] = info.title or str(info.channel_id)
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
        flush()  # what was read before a failure is kept
    if progress is not None:
        progress(file, file.stat().st_size)
