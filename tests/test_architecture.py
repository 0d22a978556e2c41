"""The shape of the code: layers import one way, and no module outgrows one screenful of jobs.

The contract lives in pyproject.toml ([tool.importlinter]); ARCHITECTURE.md draws it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 420  # "no module over ~400 lines"


def test_layers_import_one_way() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


def test_no_module_is_over_about_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for folder in ("monitor", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_storage_imports_only_the_core_of_monitor() -> None:
    offenders = []
    for path in (ROOT / "storage").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = line.strip()
            if text.startswith(("from monitor", "import monitor")) and not text.startswith(
                ("from monitor.core", "import monitor.core")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {text}")
    assert offenders == []
