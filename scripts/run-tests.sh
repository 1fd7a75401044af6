#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then (when TEST_DATABASE_URL is set) the whole suite on PostgreSQL, the
# browser tests in that pass only (see below). Both passes always run; the exit status is non-zero when either failed. pytest's exit 5
# ("no tests collected") counts as a failure: the suite has tests, so collecting none means it broke.
# Extra arguments go to both pytest runs (e.g. `make test PYTEST_ARGS="-x -k login"`).
#
# The browser tests (marker e2e) run once: in the PostgreSQL pass when there is one (the production database),
# else in the SQLite pass. They drive the pages, which are the same on both databases, and they are half of a
# pass's time; everything the pages do on the database is tested on both by the rest of the suite. With extra
# arguments both passes run exactly what was asked for.
set -uo pipefail

PYTEST=${PYTEST:-.venv/bin/pytest}
# Bytecode caches (__pycache__, ignored by git) even where the environment turns them off: without them every
# worker of every pass compiles the app and rewrites the test modules' asserts again, 4 s each.
unset PYTHONDONTWRITEBYTECODE
# pytest-xdist: one worker per core (LRC_TEST_WORKERS=0 runs in one process, e.g. to debug).
WORKERS=(-n "${LRC_TEST_WORKERS:-auto}")
failed=()

# LRC_JUNIT_DIR (set by .ci/run): each pass also writes a JUnit XML report there, for CI's totals.
run_pass() {
  local label=$1 slug=$2
  shift 2
  local report=()
  [ -n "${LRC_JUNIT_DIR:-}" ] && report=("--junitxml=$LRC_JUNIT_DIR/$slug.xml")
  echo
  echo "==================== pytest on $label ===================="
  local started=$SECONDS
  "$@" "${WORKERS[@]}" "${report[@]}"
  local status=$?
  echo "== $label: $((SECONDS - started)) s"
  case $status in
    0) echo "== $label: passed" ;;
    5) echo "== $label: FAILED: pytest collected no tests (exit 5); the suite has tests, so this is an error" >&2
       failed+=("$label (no tests collected)") ;;
    *) echo "== $label: FAILED (pytest exit $status)" >&2
       failed+=("$label (exit $status)") ;;
  esac
}

sqlite_only=()
if [ -n "${TEST_DATABASE_URL:-}" ] && [ $# -eq 0 ]; then
  sqlite_only=(-m "not e2e")
  echo "== the browser tests run in the PostgreSQL pass"
fi
run_pass "SQLite" sqlite env -u TEST_DATABASE_URL "$PYTEST" "${sqlite_only[@]}" "$@"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  shown=$(printf '%s' "$TEST_DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')
  run_pass "PostgreSQL ($shown)" postgresql "$PYTEST" "$@"
else
  echo
  echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set" \
    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo
  printf '== make test FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
