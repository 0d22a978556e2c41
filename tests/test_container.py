"""The container recipe, exercised without a container engine.

The Dockerfile installs tgmon with docker/install.sh; this test runs the same script into a
fresh virtualenv, then the commands the image runs (`tgmon --help`, the HEALTHCHECK's
`tgmon health`) from it, and checks that the wheel carries the bundled config and migrations.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(kind: str) -> list[str]:
    """Every instruction of one kind, with line continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(kind + " ")]


def test_dockerfile_follows_the_deployment_contract() -> None:
    assert all(base.startswith("python:3.11-slim") for base in instructions("FROM"))
    assert any("docker/install.sh" in run for run in instructions("RUN"))
    assert instructions("USER") == ["tgmon"]
    assert instructions("ENTRYPOINT") == ['["tgmon"]']
    assert instructions("CMD") == ['["run"]']
    assert instructions("VOLUME") == ['["/data"]']
    assert instructions("WORKDIR")[-1] == "/etc/tgmon"  # tgmon reads ./tgmon.toml there
    assert "TGMON_DATA_DIR=/data" in " ".join(instructions("ENV"))
    (check,) = instructions("HEALTHCHECK")
    assert check.endswith('CMD ["tgmon", "health"]')


def test_compose_and_env_example_agree() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "postgres" in compose and "env_file: .env" in compose
    assert "TGMON_TELEGRAM__SESSION_STRING=" in env
    for variable in re.findall(r"\$\{(\w+)", compose):
        assert f"{variable}=" in env, f"compose.yaml uses {variable}, .env.example lacks it"


@pytest.mark.slow
def test_image_install_steps_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheels = tmp_path / "wheels"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMON_")}
    subprocess.run(
        ["sh", str(ROOT / "docker" / "install.sh"), str(ROOT)],
        check=True,
        env={**env, "PYTHON": str(python), "WHEELS": str(wheels)},
        capture_output=True,
    )
    (wheel,) = wheels.glob("tgmon-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "monitor/bundled/tgmon.example.toml" in names
    assert "storage/migrations/env.py" in names
    assert "storage/migrations/script.py.mako" in names
    assert any(n.startswith("storage/migrations/versions/0006_") for n in names)

    tgmon = venv / "bin" / "tgmon"
    helped = subprocess.run([str(tgmon), "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0
    assert " run " in helped.stdout and " health " in helped.stdout

    # As in the image: no daemon has run, so the HEALTHCHECK fails with a reason.
    work = tmp_path / "etc-tgmon"
    work.mkdir()
    checked = subprocess.run(
        [str(tgmon), "health"],
        capture_output=True,
        text=True,
        cwd=work,
        env={**env, "TGMON_DATA_DIR": str(tmp_path / "data")},
    )
    assert checked.returncode == 1
    assert "no heartbeat from worker" in checked.stderr
    assert checked.stderr.count("\n") == 1  # one line, no traceback
