#!/usr/bin/env bash
# One-time set-up of a fresh machine (Debian 12, Node 20): the Debian packages the tests need (Ceph's
# radosgw, the real S3 server that *.s3.test.ts files run against; chromium, the real browser the search
# page's test drives with playwright-core — browser downloads are not reachable) and the npm dependencies.
# Used by the README quick start (`npm run setup`) and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=()
if ! command -v radosgw >/dev/null || ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null; then
  PACKAGES+=(radosgw ceph-mon ceph-osd ceph-common)
fi
[[ -x /usr/bin/chromium ]] || PACKAGES+=(chromium)
if (( ${#PACKAGES[@]} > 0 )); then
  SUDO=""
  [[ "$(id -u)" == 0 ]] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
fi

# onnxruntime-node's postinstall would download CUDA binaries (offline here); the CPU library ships in the
# package. On a GPU machine see README "CUDA".
ONNXRUNTIME_NODE_INSTALL=skip npm ci
