#!/usr/bin/env bash
# System programs the tests need: a real Redis (`redis-server`) and a browser (`chromium`).
# Run by `npm test` before Jest (the `pretest` script). Silent when both are there; otherwise
# installs the missing ones with apt-get (Debian/Ubuntu): as root, or through `sudo -n` when it
# needs no password. Anything else stops here with one line saying what to run.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

install="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: the tests need ${need[*]}; install them with your package manager, then run npm test again" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "system-deps: the tests need ${need[*]}; run: sudo sh -c '$install' (then npm test again)" >&2
  exit 1
fi

echo "system-deps: installing ${need[*]} (apt-get)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# env sets DEBIAN_FRONTEND past sudo, which would drop it from the environment
if ! { "${run[@]}" apt-get update -qq && "${run[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "system-deps: installing ${need[*]} failed (apt-get output above)" >&2
  exit 1
fi
