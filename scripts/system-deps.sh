#!/bin/sh
# System packages the project needs beyond Python 3.11: venv support (Debian splits it out) and Pango
# for WeasyPrint. Installs them with apt-get when running as root, otherwise prints the command.
missing=""
python3.11 -c "import ensurepip" 2>/dev/null || missing="$missing python3.11-venv"
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing="$missing libpango-1.0-0"
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || missing="$missing libpangoft2-1.0-0"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
  echo "Please install these system packages first: sudo apt-get install$missing" >&2
  exit 1
fi
