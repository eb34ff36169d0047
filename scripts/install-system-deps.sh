#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing (CI starts fresh).
set -euo pipefail
needed=()
for pair in chromium:chromium redis-server:redis-server; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || needed+=("$pkg")
done
# PostgreSQL's server programs live off the PATH, in /usr/lib/postgresql/VERSION/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || needed+=(postgresql)
if ((${#needed[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${needed[@]}"
fi
