#!/usr/bin/env bash
# Starts a local ClickHouse (Debian's clickhouse-server) for the SQL adapter tests: HTTP on 127.0.0.1:8123.
# Usage: scripts/clickhouse.sh start|stop|status. `start` installs the package when missing (needs root, as in CI),
# starts the server in the background and waits until it answers; it does nothing when one already answers.
set -euo pipefail

HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
BASE="${CLICKHOUSE_DIR:-/var/lib/b24bi-clickhouse}"
PIDFILE="$BASE/clickhouse.pid"
URL="http://127.0.0.1:${HTTP_PORT}/"

answers() {
  if command -v curl >/dev/null 2>&1; then curl -fsS --max-time 2 "${URL}ping" >/dev/null 2>&1; return; fi
  # No curl: a plain HTTP request through bash's /dev/tcp.
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/${HTTP_PORT}; printf 'GET /ping HTTP/1.0\\r\\n\\r\\n' >&3; grep -q 'Ok.' <&3" 2>/dev/null
}

binary() {
  if command -v clickhouse-server >/dev/null 2>&1; then echo clickhouse-server; return; fi
  if command -v clickhouse >/dev/null 2>&1; then echo "clickhouse server"; return; fi
  return 1
}

install() {
  binary >/dev/null && return 0
  echo "clickhouse: installing clickhouse-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
}

write_config() {
  mkdir -p "$BASE/data" "$BASE/tmp" "$BASE/user_files" "$BASE/format_schemas" "$BASE/log"
  cat >"$BASE/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$BASE/log/server.log</log><errorlog>$BASE/log/error.log</errorlog><size>10M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${HTTP_PORT}</http_port>
  <tcp_port>${TCP_PORT}</tcp_port>
  <path>$BASE/data/</path>
  <tmp_path>$BASE/tmp/</tmp_path>
  <user_files_path>$BASE/user_files/</user_files_path>
  <format_schema_path>$BASE/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <timezone>UTC</timezone>
  <users_config>$BASE/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
XML
  cat >"$BASE/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default><readonly><readonly>1</readonly></readonly></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

start() {
  if answers; then echo "clickhouse: already answering on ${URL}"; return 0; fi
  install
  write_config
  local bin; bin=$(binary)
  # shellcheck disable=SC2086
  nohup $bin --config-file="$BASE/config.xml" --pid-file="$PIDFILE" >"$BASE/log/stdout.log" 2>&1 &
  for _ in $(seq 1 120); do
    if answers; then echo "clickhouse: answering on ${URL}"; return 0; fi
    sleep 0.5
  done
  echo "clickhouse: did not answer within 60 s; see $BASE/log" >&2
  tail -20 "$BASE/log/stdout.log" "$BASE/log/error.log" 2>/dev/null >&2 || true
  return 1
}

stop() {
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "clickhouse: up"; else echo "clickhouse: down"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
