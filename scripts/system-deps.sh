#!/bin/sh
# System packages the project needs beyond Python 3.11, installed with apt-get when missing.
#
#   sh scripts/system-deps.sh                 what `make run` needs: venv support (Debian splits it out
#                                             as python3.11-venv) and Pango for WeasyPrint
#   sh scripts/system-deps.sh --test [PKG..]  also what the test suite needs: Debian's chromium (Playwright
#                                             end-to-end tests launch /usr/bin/chromium; never
#                                             `playwright install`), libatomic1 (the Playwright driver's
#                                             Node.js needs it) and poppler-utils (pdftoppm); any
#                                             extra Debian package names given are installed too
#
# Nothing missing: exits at once without touching apt (the fast path). Otherwise, as root: one
# `apt-get update`, then one non-interactive `apt-get install`. Not root: uses sudo when it can ask
# for a password on a terminal, else prints the command to run and exits 1.
set -eu

PYTHON=${PYTHON:-python3.11}
missing=""
want() { missing="$missing $1"; }

# A shared library is present: ask ldconfig, which lives in /sbin (off a normal user's PATH on Debian).
have_lib() {
  for ldconfig in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
    if command -v "$ldconfig" >/dev/null 2>&1; then
      "$ldconfig" -p 2>/dev/null | grep -q "$1" && return 0
      return 1
    fi
  done
  return 1
}

test_tools=0
if [ "${1:-}" = "--test" ]; then
  test_tools=1
  shift
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  want python3.11
  want python3.11-venv
elif ! "$PYTHON" -c "import ensurepip" 2>/dev/null; then
  want python3.11-venv
fi
have_lib "libpango-1.0.so" || want libpango-1.0-0
have_lib "libpangoft2-1.0.so" || want libpangoft2-1.0-0

if [ "$test_tools" = 1 ]; then
  [ -x /usr/bin/chromium ] || want chromium
  # The Node.js binary inside the playwright wheel (its driver) links libatomic, absent from minimal images.
  have_lib "libatomic.so.1" || want libatomic1
  command -v pdftoppm >/dev/null 2>&1 || want poppler-utils
  # Chinese glyphs for the e2e screenshots people look at (pages themselves use the reader's own fonts).
  fc-list :lang=zh 2>/dev/null | grep -q . || want fonts-noto-cjk
  for package in "$@"; do
    want "$package"
  done
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  as_root="sudo"
else
  echo "Please install these system packages first: sudo apt-get install$missing" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here. Please install the equivalents of these Debian packages:$missing" >&2
  exit 1
fi

echo "Installing system packages:$missing"
# shellcheck disable=SC2086  # word splitting of the package list is intended
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 $missing </dev/null
