# Shared by the e2e scripts that drive `swarm-operator sim` as a process. Source it after
# `set -euo pipefail`, with $bin (the binary) and $work (a scratch folder) set and a fail()
# that reports and exits.

# until_ok SECONDS COMMAND...: waits until the command succeeds; returns 1 after SECONDS.
until_ok() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# start_sim KEY SIM_ARGS...: `swarm-operator sim SIM_ARGS` serving the Docker API on
# $work/docker.sock, its KEY=VALUE lines in $work/sim.env and its log in $work/sim.log; sets
# sim_pid, waits up to 60 s for the KEY line (the last one the wanted servers print), then
# exports every line (DOCKER_HOST, and the data stores' endpoints and credentials files).
start_sim() {
  local key=$1
  shift
  "$bin" sim --docker "unix://$work/docker.sock" "$@" >"$work/sim.env" 2>"$work/sim.log" &
  sim_pid=$!
  until_ok 60 grep -q "^$key=" "$work/sim.env" ||
    fail "the simulator did not start: $(cat "$work/sim.log")"
  set -a
  # shellcheck disable=SC1091
  . "$work/sim.env"
  set +a
}

# stop_all PID...: kills and reaps each process given (for an EXIT trap; empty ones skipped).
stop_all() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# exited PID: true once the process has exited (gone, or a zombie not yet waited for).
exited() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
  [[ $state == Z* ]]
}
