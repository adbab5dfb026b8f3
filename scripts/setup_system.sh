#!/usr/bin/env bash
# System pieces the tests need: a Docker engine (started if not running), debootstrap to
# build the sandbox image without a registry, graphviz for graph pictures, tmux for the
# chat tests, Chromium and its driver for the web UI's browser tests (Selenium uses Debian's
# /usr/bin/chromedriver; nothing downloads a browser). Idempotent: does nothing that is
# already done.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# `--allow-net` writes nftables rules into a sandbox's network namespace
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# the `process` sandbox runs code as `nobody` with the system python3; give it sympy/numpy
/usr/bin/python3 -c 'import sympy, numpy' >/dev/null 2>&1 || need+=(python3-sympy python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the Docker engine is not running; start it (sudo systemctl start docker)" >&2
    exit 1
  fi
  nohup dockerd >/tmp/council-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /tmp/council-dockerd.log" >&2; exit 1; }
fi
echo "system ready: docker $(docker version --format '{{.Server.Version}}')"
