#!/usr/bin/env bash
# A throwaway one-node Ceph cluster serving S3 (radosgw) on 127.0.0.1, for integration tests.
#
#   bash test/services/radosgw.sh start    # prints S3_ENDPOINT=... lines (also in $RGW_DIR/env)
#   bash test/services/radosgw.sh status   # exit 0 when it answers, 1 otherwise
#   bash test/services/radosgw.sh stop     # kills what start started and removes $RGW_DIR
#
# Why a real Ceph and not a fake: conditional PUTs (If-None-Match / If-Match), suffix ranges and
# multipart uploads are exactly what fakes get wrong, and the index's CURRENT pointer relies on them.
# Everything lives under one temp folder (memstore OSD: no disk images), authentication is off, and the
# access keys are fixed test values, so this must never listen anywhere but loopback.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RGW_DIR="${RGW_DIR:-$ROOT_DIR/.tmp/radosgw}"
MON_PORT="${RGW_MON_PORT:-6789}"
RGW_PORT="${RGW_PORT:-7480}"
ACCESS_KEY="csplade-test-access-key"
SECRET_KEY="csplade-test-secret-key-not-a-secret"
REGION="us-east-1"
CONF="$RGW_DIR/ceph.conf"
INSTALL_HINT="apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common"

log() { echo "radosgw.sh: $*" >&2; }
die() { log "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Polls `$@` every 0.1 s until it succeeds or `timeout_s` pass.
wait_for() {
  local timeout_s="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout_s))
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out after ${timeout_s}s waiting for $what (logs: $RGW_DIR/log)"
    sleep 0.1
  done
}

# True while `pid` runs. A zombie counts as gone: it holds no port, and where pid 1 reaps nothing (some
# containers) it would otherwise stay "alive" forever.
running() {
  local state
  state="$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

ports_free() { ! port_open "$MON_PORT" && ! port_open "$RGW_PORT"; }

require_binaries() {
  local missing=()
  for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  ((${#missing[@]} == 0)) || die "missing Ceph binaries (${missing[*]}); install them with: $INSTALL_HINT"
}

# The ceph CLI, tried up to 5 times: a client that connects while the new monitor is still forming its
# quorum may send the command before it knows the cluster's fsid and be refused ("EPERM: problem getting
# command descriptions", "wrong fsid"). Only idempotent commands go through here.
ceph_cli() {
  local attempt output
  for attempt in 1 2 3 4 5; do
    if output="$(ceph -c "$CONF" --connect-timeout 10 "$@" 2>&1)"; then
      printf '%s\n' "$output"
      return 0
    fi
    sleep 0.2
  done
  die "ceph $* failed 5 times: $output"
}

# Kills the daemons named by pid files under $RGW_DIR (a previous run's, even a crashed one) and waits
# until they are gone and the ports are free: a stale monitor answering on 6789 makes the next cluster
# fail with "wrong fsid". A clean shutdown buys nothing here (the data is thrown away, and memstore would
# spend seconds saving it), so daemons get one second after SIGTERM before SIGKILL.
stop_cluster() {
  local pids=()
  if [[ -d "$RGW_DIR/run" ]]; then
    for pidfile in "$RGW_DIR"/run/*.pid; do
      [[ -f "$pidfile" ]] || continue
      local pid
      pid="$(cat "$pidfile" 2>/dev/null || true)"
      if [[ "$pid" =~ ^[0-9]+$ ]] && running "$pid"; then pids+=("$pid"); fi
    done
  fi
  if ((${#pids[@]} > 0)); then
    kill "${pids[@]}" 2>/dev/null || true
    local deadline=$((SECONDS + 1))
    for pid in "${pids[@]}"; do
      while running "$pid"; do
        if ((SECONDS >= deadline)); then
          kill -9 "$pid" 2>/dev/null || true
          break
        fi
        sleep 0.1
      done
    done
  fi
  rm -rf "$RGW_DIR"
  if ! ports_free; then
    wait_for 20 "ports $MON_PORT/$RGW_PORT to be free (another process holds them?)" ports_free
  fi
}

write_conf() {
  local fsid="$1"
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
run dir = $RGW_DIR/run
admin socket = $RGW_DIR/run/\$name.asok
pid file = $RGW_DIR/run/\$name.pid
log file = $RGW_DIR/log/\$name.log
mon cluster log file = $RGW_DIR/log/cluster.log
crash dir = $RGW_DIR/crash
keyring = /dev/null
log to stderr = false
err to stderr = true
debug ms = 0
# One OSD holding everything: size-1 pools, placement over OSDs rather than hosts, few PGs.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd crush chooseleaf type = 0
# Commit monitor decisions (pool creation, OSD boot) at once instead of batching them for a second:
# most of a cold start and of the first CreateBucket/PUT is otherwise spent waiting on these timers.
paxos propose interval = 0.01
paxos min wait = 0.001
mon osd boot grace = 1
osd crush update on start = false
osd class update on start = false
mon allow pool delete = true

[mon]
mon data = $RGW_DIR/mon/\$cluster-\$id

[osd]
osd data = $RGW_DIR/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw data = $RGW_DIR/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw enable ops log = false
rgw thread pool size = 64
EOF
}

# The S3 user with the fixed test keys; retried like ceph_cli, and "already exists" after a retry is success.
create_user() {
  local attempt
  for attempt in 1 2 3 4 5; do
    radosgw-admin -c "$CONF" -n client.admin user create --uid=csplade-test --display-name="csplade tests" \
      --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null 2>>"$RGW_DIR/log/user-create.log" && return 0
    radosgw-admin -c "$CONF" -n client.admin user info --uid=csplade-test >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "radosgw-admin user create failed 5 times: $(tail -3 "$RGW_DIR/log/user-create.log")"
}

start_cluster() {
  require_binaries
  stop_cluster
  mkdir -p "$RGW_DIR"/{run,log,mon,osd/ceph-0,rgw,crash}
  local fsid osd_uuid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  write_conf "$fsid"

  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$RGW_DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$RGW_DIR/monmap"
  ceph-mon -c "$CONF" -i a
  wait_for 20 "the monitor on port $MON_PORT" port_open "$MON_PORT"

  local osd_id
  osd_id="$(ceph_cli osd new "$osd_uuid" | tail -1)"
  [[ "$osd_id" == 0 ]] || die "expected a fresh cluster to allocate osd.0, got '$osd_id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$RGW_DIR/log/osd-mkfs.log"
  # CRUSH: osd.0 under host=node0 under root=default (created on the way), where the default replicated
  # rule finds it. Done here rather than by the OSD at start ("osd crush update on start"): on a busy
  # machine the OSD sometimes sends that command before it knows the cluster's fsid, is refused with
  # "wrong fsid" and exits.
  ceph_cli osd crush add osd.0 1.0 host=node0 root=default >/dev/null
  ceph-osd -c "$CONF" -i 0 2>>"$RGW_DIR/log/osd-start.log" ||
    die "ceph-osd did not start: $(tail -3 "$RGW_DIR/log/osd.0.log" 2>/dev/null)"

  radosgw -c "$CONF" -n client.rgw
  # The user can be created while radosgw is still creating its pools; both need the OSD up.
  create_user
  wait_for 60 "radosgw HTTP on port $RGW_PORT" port_open "$RGW_PORT"

  cat >"$RGW_DIR/env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
AWS_ACCESS_KEY_ID=$ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$SECRET_KEY
AWS_REGION=$REGION
EOF
  cat "$RGW_DIR/env"
}

status_cluster() {
  if [[ -f "$RGW_DIR/env" ]] && port_open "$RGW_PORT"; then
    cat "$RGW_DIR/env"
    return 0
  fi
  log "not running"
  return 1
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  status) status_cluster ;;
  *) die "usage: $0 start|stop|status" ;;
esac
