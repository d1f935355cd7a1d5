#!/usr/bin/env bash
# System packages the tests need, from Debian's archive (run as root; does nothing when they are present):
#   fonts-noto-cjk  — the Chinese font of printed vouchers (PDF_FONT) and of screenshots
#   poppler-utils   — pdftotext / pdfinfo, with which the tests read the printed vouchers back
#   chromium        — the browser of the Playwright journeys (npm run test:e2e)
#   postgresql-client — pg_dump / pg_restore of npm run backup / restore and their test
#   nginx           — the proxy in front of the instances of npm run test:cluster, which starts it with its own
#                     config; the Debian service must not start (nor stay) on port 80
#   mosquitto       — the MQTT broker of the terminal tests, which start their own on a free loopback port with a
#                     password file and an ACL (mosquitto_passwd comes with it); the Debian service must not start
#                     on 1883 where it was not running before
set -euo pipefail
missing=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
{ [ -x /usr/sbin/mosquitto ] && command -v mosquitto_passwd >/dev/null 2>&1; } || missing+=(mosquitto)
if [ ${#missing[@]} -eq 0 ]; then echo "system packages: present"; exit 0; fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d answering 101 keeps invoke-rc.d from starting services while they are installed (the nginx package
# would start its own server on port 80); it is removed afterwards whatever happens
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=true; fi
trap '[ "$own_policy" = true ] && rm -f "$policy"' EXIT
apt-get install -y -qq "${missing[@]}" >/dev/null
# in case a service was started anyway (a policy-rc.d of the machine's own that allows it)
if [ -f /run/nginx.pid ] && [[ " ${missing[*]} " == *" nginx "* ]]; then /usr/sbin/nginx -s quit 2>/dev/null || true; fi
if [[ " ${missing[*]} " == *" mosquitto "* ]] && [ -f /run/mosquitto/mosquitto.pid ]; then
  kill "$(cat /run/mosquitto/mosquitto.pid)" 2>/dev/null || true
fi
