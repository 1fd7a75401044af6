#!/usr/bin/env bash
# Lint the deployment kit with what a development machine has: gunicorn.conf.py compiles and loads, nginx -t
# accepts the site (upstream hosts replaced by loopback, since web1/app1 do not resolve here), systemd-analyze
# verifies the units, docker-compose.yml parses and names its services. Docker itself is not run.
#   bash deploy/check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m py_compile deploy/gunicorn.conf.py
"$PY" - <<'PYEOF'
import runpy
settings = runpy.run_path("deploy/gunicorn.conf.py")
assert settings["worker_class"] == "gthread" and settings["threads"] == 8, settings
print("gunicorn.conf.py: ok (workers=%s threads=%s)" % (settings["workers"], settings["threads"]))
PYEOF

if command -v nginx >/dev/null; then
  mkdir -p "$work/static" "$work/logs"
  for upstream in deploy/nginx/upstream-*.conf; do
    sed -E 's/server [a-z0-9.]+:8000/server 127.0.0.1:8000/' "$upstream" > "$work/upstream.conf"
    sed -e "s#/etc/nginx/lrc-upstream.conf#$work/upstream.conf#" -e "s#/srv/lrc-training/static/#$work/static/#" \
        -e "s#/var/log/nginx/#$work/logs/#" deploy/nginx/lrc-training.conf > "$work/site.conf"
    printf 'pid %s/nginx.pid;\nerror_log %s/logs/error.log;\nevents {}\nhttp {\n include /etc/nginx/mime.types;\n include %s/site.conf;\n}\n' \
      "$work" "$work" "$work" > "$work/nginx.conf"
    nginx -t -q -c "$work/nginx.conf" -p "$work"
    echo "nginx ($upstream): ok"
  done
else
  echo "nginx: not installed, skipped (apt-get install nginx-light)"
fi

if command -v systemd-analyze >/dev/null; then
  # verify needs the ExecStart binaries: point them at ones that exist here.
  for unit in deploy/systemd/*.service; do
    sed -e "s#/opt/lrc-training/.venv/bin/#$(cd "$(dirname "$PY")" && pwd)/#" -e "s#/opt/lrc-training#$PWD#" \
        -e "s#^User=lrc#User=root#" -e "s#^Group=lrc#Group=root#" -e "s#^EnvironmentFile=.*#EnvironmentFile=-/dev/null#" \
        "$unit" > "$work/$(basename "$unit")"
  done
  # verify only warns (exit 0) about unknown keys and bad values: any output is a failure here.
  complaints=$(systemd-analyze verify "$work"/*.service 2>&1 || true)
  if [ -n "$complaints" ]; then echo "$complaints" >&2; exit 1; fi
  echo "systemd units: ok"
else
  echo "systemd-analyze: not installed, skipped"
fi

"$PY" - <<'PYEOF'
import yaml
compose = yaml.safe_load(open("deploy/docker-compose.yml"))
services = compose["services"]
want = {"web1", "web2", "scheduler1", "scheduler2", "nginx", "db", "redis", "minio", "migrate"}
assert want <= set(services), set(services)
for name in ("web1", "web2", "scheduler1", "scheduler2"):
    env = services[name]["environment"]
    for key in ("DATABASE_URL", "SECRET_KEY", "LRC_AUDIT_KEY", "LRC_RATELIMIT_STORAGE_URI", "LRC_STORAGE_URL", "LRC_S3_ENDPOINT_URL",
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "LRC_PROXY_HOPS"):
        assert key in env, (name, key)
print("docker-compose.yml: ok (%d services)" % len(services))
PYEOF
echo "Dockerfile: not built here (no Docker daemon on development machines)"
