# Shared by the benchmark scripts (sourced, not run): the binary, a clean pip environment, the
# key and attestations of a corpus, and `wheeltrust serve` of a folder on 127.0.0.1.
# Each function reports through the caller's `log` and fails with the caller's name ($BENCH_NAME).

# bench_clean_pip: pip sees neither this machine's find-links nor its configuration files.
bench_clean_pip() {
  local v
  for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
  export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
}

# bench_binary [debug|release]: sets WT (absolute) and WT_KIND; builds into .build when WT is
# empty (release by default).
bench_binary() {
  local config="${1:-release}"
  if [ -z "$WT" ]; then
    log "building: swift build -c $config --product wheeltrust"
    (cd "$ROOT" && swift build -c "$config" --product wheeltrust >&2)
    WT="$ROOT/.build/$config/wheeltrust"
  fi
  [ -x "$WT" ] || { echo "$BENCH_NAME: not executable: $WT" >&2; exit 2; }
  WT="$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")"
  case "$WT" in */debug/*) WT_KIND="debug build" ;; */release/*) WT_KIND="release build" ;; *) WT_KIND="unknown build" ;; esac
}

# bench_attest WHEELS KEYDIR: a P-256 key KEYDIR/signer.{pem,pub} (made once; a new key drops the
# old attestations) and a `wheeltrust attest` attestation beside every wheel that has none.
bench_attest() {
  local wheels="$1" keydir="$2" w
  if [ ! -f "$keydir/signer.pem" ] || [ ! -f "$keydir/signer.pub" ]; then
    log "wheeltrust keygen"
    rm -f "$wheels"/*.attestation
    "$WT" keygen --type p256 --out "$keydir/signer" >/dev/null
  fi
  local to_attest=()
  for w in "$wheels"/*.whl; do [ -f "$w.slsa.attestation" ] || to_attest+=("$w"); done
  if [ ${#to_attest[@]} -gt 0 ]; then
    log "wheeltrust attest (${#to_attest[@]} wheels)"
    "$WT" attest "${to_attest[@]}" --key "$keydir/signer.pem" >/dev/null
  fi
}

# bench_serve DIR LOG: `wheeltrust serve DIR` on a free port of 127.0.0.1; sets SERVER_PID and
# INDEX_URL once the server prints its URL. Stop it with bench_stop_server (in the caller's trap).
SERVER_PID=""
bench_serve() {
  local dir="$1" serve_log="$2"
  "$WT" serve "$dir" --host 127.0.0.1 --port 0 >"$serve_log" 2>&1 &
  SERVER_PID=$!
  INDEX_URL=""
  for _ in $(seq 1 100); do
    INDEX_URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*/[^ ]*/simple/' "$serve_log" | head -n1 || true)"
    [ -n "$INDEX_URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$serve_log" >&2; echo "$BENCH_NAME: wheeltrust serve exited" >&2; exit 3; }
    sleep 0.1
  done
  [ -n "$INDEX_URL" ] || { cat "$serve_log" >&2; echo "$BENCH_NAME: no index URL from wheeltrust serve" >&2; exit 3; }
  log "serving $dir at $INDEX_URL (pid $SERVER_PID)"
}

bench_stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
