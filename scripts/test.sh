#!/usr/bin/env bash
# The test command (`npm test`): lint, format check, type check, then the whole mocha suite on
# the embedded database (PGlite) and on real PostgreSQL (TEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/test). Without a reachable PostgreSQL the second run is
# skipped with a notice, except under CI=true where it is required.
set -uo pipefail
cd "$(dirname "$0")/.."

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0

step() { echo; echo "== $*"; }

# Every test file unless the caller names some (`npm test -- test/core`).
[ "$#" -gt 0 ] || set -- 'test/**/*.test.ts'

step "lint and format check"
npx eslint . || status=1
npx prettier --check . || status=1

step "type check"
npx tsc -p tsconfig.json --noEmit || status=1

step "tests on the embedded database (PGlite)"
PANTAU_TEST_DB=embedded npx mocha "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

pg_ok=0
node -e '
const pg = require("pg");
const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
' && pg_ok=1
if [ "$pg_ok" -eq 1 ]; then
  step "tests on PostgreSQL ($TEST_DATABASE_URL)"
  PANTAU_TEST_DB=postgres npx mocha "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $TEST_DATABASE_URL is not reachable, and CI requires the PostgreSQL run." >&2
  status=1
else
  echo "PostgreSQL at $TEST_DATABASE_URL is not reachable: skipping the PostgreSQL run (set TEST_DATABASE_URL)." >&2
fi

passed=$(grep -Eo '^ +[0-9]+ passing' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^ +[0-9]+ failing' "$log" | awk '{s+=$1} END {print s+0}')
skipped=$(grep -Eo '^ +[0-9]+ pending' "$log" | awk '{s+=$1} END {print s+0}')
echo
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
