#!/usr/bin/env bash
# Install Verbatim, build the index if needed, then start the bot (with DISCORD_TOKEN) or answer an example question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/verbatim start "$@"
