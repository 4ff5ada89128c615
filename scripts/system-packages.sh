#!/usr/bin/env bash
# Debian packages the product needs and pip cannot give: npm (to install the pinned front-end packages) and,
# for the browser tests (--browser), chromium and a CJK font so Chinese renders. Installs only what is missing.
set -euo pipefail
missing=()
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [[ "${1:-}" == "--browser" ]]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fi
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (install them with your package manager, then run make again)" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
