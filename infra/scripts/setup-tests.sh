#!/usr/bin/env bash
# What the tests need beyond the set-up every user gets (sourced by test.sh after setup.sh).
# The browser test drives Debian's chromium; tests install nothing, so it is installed here.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt-get; for the browser test)" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2; then
      echo "setup: could not install chromium with apt-get; test/e2e/browser.test.ts will fail until /usr/bin/chromium exists" >&2
    fi
  else
    echo "setup: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" \
      "install Debian's chromium package, or test/e2e/browser.test.ts will fail" >&2
  fi
fi
