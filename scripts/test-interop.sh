#!/usr/bin/env bash
# The parts of `npm run test:interop` (after scripts/install-brokers.sh): the brokers, fuzz, soak
# and scale files, then the end-to-end fault suites under GC stress. Every part runs even when an
# earlier one fails (issue 30: a red first run had hidden the GC-stress run behind `&&`); the exit
# status is 1 if any part failed, and each failed part is named on one `error:` line. Ctrl-C or
# SIGTERM stops after the running part (vitest ends the processes it started) and runs no more.
set -uo pipefail
cd "$(dirname "$0")/.."

interrupted=""
trap 'interrupted=1' INT TERM

failed=""
for config in vitest.interop.config.ts vitest.gcstress.config.ts; do
    echo "== vitest run -c $config"
    npx vitest run -c "$config" || failed="${failed:+$failed, }vitest run -c $config"
    if [ -n "$interrupted" ]; then
        echo "error: interrupted during vitest run -c $config" >&2
        exit 130
    fi
done

if [ -n "$failed" ]; then
    echo "error: failed: $failed" >&2
    exit 1
fi
echo "all interop parts passed"
