#!/usr/bin/env bash
# System packages the tests need, from Debian's archive (run as root; does nothing when they are present):
#   fonts-noto-cjk  — the Chinese font of printed vouchers (PDF_FONT) and of screenshots
#   poppler-utils   — pdftotext / pdfinfo, with which the tests read the printed vouchers back
#   chromium        — the browser of the Playwright journeys (npm run test:e2e)
set -euo pipefail
missing=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then echo "system packages: present"; exit 0; fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
