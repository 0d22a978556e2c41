"""Write one benchmark's figures into its own section of bench/RESULTS.md.

Each benchmark owns the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so
benchmarks can be re-run one at a time without erasing the others' figures.
"""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
_HEADER = "# tgmon benchmark results\n\nWritten by `python -m bench`; one section per benchmark.\n"


def machine_line() -> str:
    """Describe the machine a figure was measured on."""
    cpu = platform.processor() or platform.machine()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · {cpu} · "
        f"Python {platform.python_version()} · {platform.system()} {platform.release()}"
    )


def write_section(name: str, title: str, body: str) -> Path:
    """Replace (or append) the section NAME of RESULTS.md with BODY under TITLE."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _HEADER
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n_Measured {machine_line()}_\n\n"
        f"{body.strip()}\n<!-- /bench:{name} -->"
    )
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _m: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section
    )
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")
    return RESULTS
