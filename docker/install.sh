#!/bin/sh
# Build tgmon's wheel from a source tree and install it, with its dependencies, into one Python.
# The Dockerfile runs exactly this; tests/test_container.py runs it into a fresh virtualenv.
#   PYTHON=/opt/tgmon/bin/python sh docker/install.sh /src
set -eu
SRC="${1:-.}"
PYTHON="${PYTHON:-python3}"
WHEELS="${WHEELS:-/tmp/tgmon-wheels}"
"$PYTHON" -m pip install --no-cache-dir --upgrade pip >/dev/null
"$PYTHON" -m pip wheel --no-deps --wheel-dir "$WHEELS" "$SRC"
"$PYTHON" -m pip install ${PIP_INSTALL_OPTIONS:-} "$WHEELS"/tgmon-*.whl
