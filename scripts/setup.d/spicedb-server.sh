#!/usr/bin/env bash
# What the cluster tests (tests/test_cluster*.py) run: SpiceDB as it is deployed, a `spicedb`
# server built from the Go module github.com/authzed/spicedb (pinned), on PostgreSQL from Debian's
# packages. Installs PostgreSQL only when its binaries are missing and builds spicedb only when the
# binary is missing from the cache folder (outside the clone, so CI reuses it). Writes
# .cache/cluster.env and has .cache/env.sh (rewritten by engines.sh, which runs first) source it.
# Idempotent; works from a clean clone. Starts nothing: tests/cluster.py starts and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/../.."

SPICEDB_SERVER_VERSION=v1.56.2 # the version known to resolve on Go 1.26
MODULE=github.com/authzed/spicedb

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo -n "$@"
    else
        echo "spicedb-server.sh: need root to run: $*" >&2
        return 1
    fi
}

pg_bin_dir() {
    # The newest installed server's binaries (Debian keeps them out of PATH).
    find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n 1 | xargs -r dirname
}

# --- PostgreSQL -----------------------------------------------------------------------------
if [ -z "$(pg_bin_dir)" ]; then
    echo "spicedb-server.sh: installing postgresql (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y -qq postgresql >/dev/null; then
        as_root apt-get update -qq
        as_root apt-get install -y -qq postgresql >/dev/null
    fi
fi
PG_BIN=$(pg_bin_dir)
if [ -z "$PG_BIN" ]; then
    echo "spicedb-server.sh: postgresql is installed but no initdb was found under /usr/lib/postgresql" >&2
    exit 1
fi

# --- the spicedb server -----------------------------------------------------------------------
CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/beacon-org
BIN_DIR=$CACHE_ROOT/spicedb-$SPICEDB_SERVER_VERSION
SERVER=$BIN_DIR/spicedb
if [ ! -x "$SERVER" ]; then
    if ! command -v go >/dev/null; then
        echo "spicedb-server.sh: go is not on PATH; the spicedb server is built from its Go module" >&2
        exit 1
    fi
    echo "spicedb-server.sh: building spicedb $SPICEDB_SERVER_VERSION (go install; minutes the first time)"
    mkdir -p "$BIN_DIR"
    work=$(mktemp -d)
    trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
    # Build into a scratch GOBIN and move into place last: an interrupted build leaves no binary.
    if ! GOBIN="$work/bin" go install "$MODULE/cmd/spicedb@$SPICEDB_SERVER_VERSION"; then
        echo "spicedb-server.sh: go install refused; building from a throwaway module instead"
        mkdir -p "$work/mod"
        (
            cd "$work/mod"
            go mod init beacon-org-spicedb-build >/dev/null 2>&1
            printf 'package tools\n\nimport _ "%s/cmd/spicedb"\n' "$MODULE" >tools.go
            go get "$MODULE@$SPICEDB_SERVER_VERSION"
            go build -o "$work/bin/spicedb" "$MODULE/cmd/spicedb"
        )
    fi
    mv "$work/bin/spicedb" "$SERVER.tmp"
    mv "$SERVER.tmp" "$SERVER"
fi

cat >.cache/cluster.env <<ENVEOF
# Written by scripts/setup.d/spicedb-server.sh: what tests/cluster.py starts.
export BEACON_SPICEDB_SERVER="$SERVER"
export BEACON_PG_BIN="$PG_BIN"
ENVEOF
line=". \"$PWD/.cache/cluster.env\" # written by spicedb-server.sh"
touch .cache/env.sh
grep -qF "$line" .cache/env.sh || printf '%s\n' "$line" >>.cache/env.sh
echo "spicedb-server.sh: spicedb server ready ($SERVER; PostgreSQL in $PG_BIN)"
