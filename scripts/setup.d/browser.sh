#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver, which tests/test_docs_browser.py drives to open the
# built documentation site, when either is missing. Idempotent and quiet: does nothing when both are
# there. Needs apt-get (Debian or Ubuntu) and root, or sudo.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser.sh: chromium and chromedriver are missing and there is no apt-get;" \
        "install them with your package manager" >&2
    exit 1
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
    SUDO=(sudo)
fi
echo "browser.sh: installing chromium and chromium-driver (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
