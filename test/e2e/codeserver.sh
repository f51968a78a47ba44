#!/usr/bin/env bash
# Helpers to build + package the extension and run code-server; sourced after test/e2e/install.sh.
# Everything (state, temp files, config) stays under $WORK so nothing is written to ~ or /tmp.

# Builds production bundles and packages the extension into $WORK/policy-lens.vsix (scripts/package-vsix.sh).
package_vsix() {
  OUT="$WORK/policy-lens.vsix" bash "$ROOT/scripts/package-vsix.sh" >"$WORK/vsce.log" 2>&1 || { cat "$WORK/vsce.log" >&2; return 1; }
}

# cs_env <state-dir>: prepares a code-server state folder with quiet, offline-friendly user settings.
cs_prepare() {
  local state="$1"
  mkdir -p "$state/user-data/User" "$state/extensions" "$state/tmp" "$state/config" "$state/data" "$state/cache"
  printf 'auth: none\ncert: false\n' > "$state/cs-config.yaml"
  cat > "$state/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true,
  "git.openRepositoryInParentFolders": "never",
  "redhat.telemetry.enabled": false,
  "files.autoSave": "off",
  "editor.autoIndent": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "editor.quickSuggestionsDelay": 50
}
JSON
}

# cs_run <state-dir> <args...>: runs code-server's node entry with the state folder (foreground).
cs_run() {
  local state="$1"; shift
  TMPDIR="$state/tmp" XDG_CONFIG_HOME="$state/config" XDG_DATA_HOME="$state/data" XDG_CACHE_HOME="$state/cache" \
    "$N24/bin/node" "$CS_ENTRY" --config "$state/cs-config.yaml" --user-data-dir "$state/user-data" \
    --extensions-dir "$state/extensions" --disable-telemetry --disable-update-check "$@"
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# cs_start <state-dir> <port> <workspace> [extra args...]: starts code-server in the background; sets CS_PID.
cs_start() {
  local state="$1" port="$2" ws="$3"; shift 3
  TMPDIR="$state/tmp" XDG_CONFIG_HOME="$state/config" XDG_DATA_HOME="$state/data" XDG_CACHE_HOME="$state/cache" \
    "$N24/bin/node" "$CS_ENTRY" --config "$state/cs-config.yaml" --user-data-dir "$state/user-data" \
    --extensions-dir "$state/extensions" --disable-telemetry --disable-update-check \
    --bind-addr "127.0.0.1:$port" --auth none --disable-workspace-trust "$@" "$ws" >"$state/code-server.log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$CS_PID" 2>/dev/null || { cat "$state/code-server.log" >&2; return 1; }
    sleep 0.2
  done
  echo "code-server did not become healthy on port $port" >&2
  return 1
}

# cs_stop: stops the code-server started by cs_start and waits for its process tree to exit.
cs_stop() {
  [ -n "${CS_PID:-}" ] || return 0
  local kids
  kids=$(pgrep -P "$CS_PID" 2>/dev/null || true)
  kill "$CS_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$CS_PID" 2>/dev/null || break; sleep 0.1; done
  for k in $kids; do for _ in $(seq 1 30); do kill -0 "$k" 2>/dev/null || break; sleep 0.1; done; done
  CS_PID=""
}

# make_workspace <dir>: a fresh copy of examples/shop as its own git repository (for the HEAD comparison).
make_workspace() {
  local dir="$1"
  rm -rf "$dir"; mkdir -p "$dir"
  cp -r "$ROOT/examples/shop/." "$dir/"
  (cd "$dir" && git init -q && git -c user.email=e2e@localhost -c user.name=e2e add -A \
     && git -c user.email=e2e@localhost -c user.name=e2e commit -q -m "example workspace")
}
