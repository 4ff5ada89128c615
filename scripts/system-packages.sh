#!/usr/bin/env bash
# Debian packages the product needs and pip cannot give: npm (to install the pinned front-end packages); for the
# browser tests (--browser), chromium and a CJK font so Chinese renders; for the store tests (--servers), OpenLink
# Virtuoso: virtuoso-opensource-7-bin, the server binary of Debian's virtuoso-opensource without its system service
# (which would start a database listening on every interface). The tests start their own private Virtuoso on
# 127.0.0.1; and wrk, the benchmarks' HTTP load generator (tests/benchmarks runs them briefly). Flags combine; installs only what is missing, with one package-list update at most.
set -euo pipefail
browser=0 servers=0
for flag in "$@"; do
  case "$flag" in
    --browser) browser=1 ;;
    --servers) servers=1 ;;
    *) echo "unknown flag: $flag (use --browser and/or --servers)" >&2; exit 2 ;;
  esac
done
missing=()
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((browser)); then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fi
if ((servers)); then
  command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource-7-bin)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the benchmarks' load generator, run by their short tests
fi
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (install them with your package manager, then run make again)" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
