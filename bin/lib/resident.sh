# shellcheck shell=bash
# The resident PCM (issue 16 item 1): bin/pcm start | stop | status, and bin/pcm exec / shell attached to it.
# Sourced by bin/pcm after the data directory, the JDK and the JVM options are known. A resident instance is one JVM
# per data directory: <data>/run/pcm.pid (its pid), <data>/run/api.url (written by pcm.redfish once the HTTP server
# is bound), <data>/log/resident.out (its stdout/stderr: the guest console, Felix's own messages); the log with stack
# traces stays <data>/log/pcm.log. The client speaks the Redfish API (pcm.redfish) with curl, authenticated as the
# administrator whose password pcm.redfish created in <data>/secrets/admin.password (0600), over HTTPS verified with the
# server's own certificate <data>/secrets/https.crt (curl --cacert, never -k; docs/operating.md "HTTPS").

PCM_DEFAULT_API_PORT=8181

resident_pid_file() { echo "$data/run/pcm.pid"; }
resident_url_file() { echo "$data/run/api.url"; }
resident_secret_file() { echo "$data/secrets/admin.password"; }
resident_cert_file() { echo "$data/secrets/https.crt"; }
resident_tls_error_file() { echo "$data/run/https.error"; }

# SHA-256 fingerprint of a PEM certificate (upper-case hex, colon-separated, as browsers show it), with coreutils only
pem_sha256() {
    sed '/-----/d' "$1" | base64 -d 2>/dev/null | sha256sum | cut -d' ' -f1 | tr 'a-f' 'A-F' | sed 's/../&:/g; s/:$//'
}

# The pid of the resident PCM on $data, if one runs (a pid file whose process is a JVM on this data directory).
resident_pid() {
    local f pid
    f=$(resident_pid_file)
    [ -f "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # a recycled pid is not ours: the command line names this data directory
    tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | grep -qxF -- "-Dpcm.data=$data" || return 1
    echo "$pid"
}

# The pid of any PCM JVM on $data (resident or not), if one runs.
pcm_jvm_on_data() {
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        tr '\0' '\n' 2>/dev/null < "$f" | grep -qxF -- "-Dpcm.data=$data" && { echo "$pid"; return 0; }
    done
    return 1
}

resident_need_curl() {
    command -v curl >/dev/null 2>&1 || { echo "pcm: curl is needed to talk to the resident PCM (apt-get install curl)" >&2; exit "$EXIT_FAILED"; }
}

# curl with the administrator's credentials (from a file: never on a command line other users can read)
resident_curl() {
    local secret
    secret=$(cat "$(resident_secret_file)" 2>/dev/null) || { echo "pcm: cannot read $(resident_secret_file)" >&2; return 1; }
    # HTTPS: trust exactly the server's certificate (its PEM, written by pcm.redfish at every start)
    local tls=()
    [[ $(cat "$(resident_url_file)" 2>/dev/null) == https:* ]] && tls=(--cacert "$(resident_cert_file)")
    curl -sS --max-time "${PCM_API_TIMEOUT:-3600}" ${tls[@]+"${tls[@]}"} -K - "$@" <<<"user = \"admin:$secret\""
}

resident_start() {
    local pid port url log deadline
    resident_need_curl
    mkdir -p "$data/run" "$data/log" || { echo "pcm: cannot create $data/run" >&2; exit "$EXIT_FAILED"; }
    exec 9>"$data/run/start.lock"
    flock -n 9 || { echo "pcm: another bin/pcm start on $data is under way" >&2; exit "$EXIT_FAILED"; }
    if pid=$(resident_pid); then
        echo "pcm: a resident PCM already runs on $data (pid $pid, API $(cat "$(resident_url_file)" 2>/dev/null || echo '?')); bin/pcm --data $data stop first" >&2
        exit "$EXIT_FAILED"
    fi
    # a one-shot bin/pcm exec or run on this directory shares its framework cache, which a start cleans
    if pid=$(pcm_jvm_on_data); then
        echo "pcm: another PCM (pid $pid) runs on $data; start the resident one when it has ended" >&2
        exit "$EXIT_FAILED"
    fi
    port=${api_port:-${PCM_API_PORT:-$PCM_DEFAULT_API_PORT}}
    rm -f "$(resident_url_file)" "$(resident_pid_file)" "$(resident_tls_error_file)"
    log=$data/log/resident.out
    # HTTPS (pcm.redfish's HttpsSetup): Jetty waits for the configuration that component merges (require.config), and its
    # defaults serve neither plain HTTP nor HTTPS without a keystore, so nothing is ever served in clear by accident
    # its own session (setsid): the terminal's Ctrl-C and hang-up never reach it; bin/pcm stop does
    setsid "$PCM_JAVA" "${jvm[@]}" -Dgosh.args=--nointeractive -Dorg.jline.terminal.dumb=true "-Dgosh.home=$root/bin/lib/gosh-headless" -Dpcm.resident=true "-Dorg.osgi.service.http.port=$port" \
        -Dorg.apache.felix.http.require.config=true -Dorg.apache.felix.http.enable=false -Dorg.apache.felix.https.enable=true \
        -jar "$jar" </dev/null >>"$log" 2>&1 9>&- &
    pid=$!
    echo "$pid" > "$(resident_pid_file)"
    deadline=$((SECONDS + ${PCM_START_TIMEOUT:-120}))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "pcm: the resident PCM ended while starting; the end of $log:" >&2
            tail -n 20 "$log" >&2
            rm -f "$(resident_pid_file)"
            exit "$EXIT_FAILED"
        fi
        # a keystore that does not open: say which and why, and stop (nothing is served; never plain HTTP instead)
        if [ -s "$(resident_tls_error_file)" ]; then
            echo "pcm: HTTPS cannot start: $(cat "$(resident_tls_error_file)")" >&2
            echo "pcm: fix conf/pcm.https.cfg (docs/operating.md \"HTTPS\"); stopping the resident PCM" >&2
            resident_stop >/dev/null
            exit "$EXIT_FAILED"
        fi
        if [ -s "$(resident_url_file)" ] && [ -s "$(resident_secret_file)" ]; then
            url=$(cat "$(resident_url_file)")
            # up: the API answers, authenticated, and the shell commands are there
            if [ "$(resident_curl -o /dev/null -w '%{http_code}' "$url/Managers/pcm" 2>/dev/null)" = 200 ] \
                && resident_exec_quiet 'pcm:vm status'; then
                break
            fi
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "pcm: the resident PCM (pid $pid) did not come up within ${PCM_START_TIMEOUT:-120} s (PCM_START_TIMEOUT); see $log and $data/log/pcm.log; bin/pcm --data $data stop ends it" >&2
            exit "$EXIT_FAILED"
        fi
        sleep 0.2
    done
    echo "PCM runs on $data (pid $pid)"
    echo "  API (Redfish):  $url  (loopback only unless conf/org.apache.felix.http.cfg says otherwise)"
    if [[ $url == https:* ]]; then
        echo "  certificate:    $(resident_cert_file)  (PEM: trust it in the browser, curl --cacert)"
        echo "                  SHA-256 $(pem_sha256 "$(resident_cert_file)")"
    else
        echo "  WARNING:        plain HTTP (pcm.https enabled=false): for development on loopback only"
    fi
    echo "  web console:    ${url%/redfish*}/console/  (log in as the administrator below)"
    echo "  administrator:  user admin, password in $(resident_secret_file) (readable by you only)"
    echo "  log:            $data/log/pcm.log, console and runtime output: $log"
    echo "  attach:         bin/pcm --data $data shell | exec '<command>'; stop: bin/pcm --data $data stop"
}

resident_stop() {
    local pid deadline
    if ! pid=$(resident_pid); then
        echo "pcm: no resident PCM runs on $data"
        rm -f "$(resident_pid_file)"
        return 0
    fi
    # SIGTERM: the JVM's shutdown hook stops the framework; the kernel closes the open window and the verifiers
    # finish the windows recorded before stopping (docs/operating.md "Resident PCM")
    kill -TERM "$pid"
    deadline=$((SECONDS + ${PCM_STOP_TIMEOUT:-120}))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            echo "pcm: the resident PCM (pid $pid) did not stop within ${PCM_STOP_TIMEOUT:-120} s (PCM_STOP_TIMEOUT); kill -9 $pid ends it at once" >&2
            exit "$EXIT_FAILED"
        fi
        sleep 0.2
    done
    rm -f "$(resident_pid_file)" "$(resident_url_file)"
    echo "PCM on $data stopped"
}

# LSB-like: 0 when it runs, 3 when it does not.
resident_status() {
    local pid
    if ! pid=$(resident_pid); then
        echo "PCM is not running on $data"
        exit 3
    fi
    resident_need_curl
    echo "PCM runs on $data (pid $pid), API $(cat "$(resident_url_file)" 2>/dev/null || echo '(not bound yet)')"
    # the certificate served now: ReplaceCertificate (Redfish) changes it while PCM runs, and clients must trust the new one
    if [[ $(cat "$(resident_url_file)" 2>/dev/null) == https:* ]] && [ -s "$(resident_cert_file)" ]; then
        echo "certificate $(resident_cert_file) SHA-256 $(pem_sha256 "$(resident_cert_file)")"
    fi
    resident_exec 'pcm:vm status' || true
    resident_exec 'pcm:sample status' || true
}

# Runs one Gogo line in the resident PCM: its output on stdout, its errors on stderr; returns its exit status.
resident_exec() {
    local line=$1 id=${2:-} url hdr body rc st err
    url=$(cat "$(resident_url_file)" 2>/dev/null) || { echo "pcm: the resident PCM on $data has no API yet" >&2; return "$EXIT_FAILED"; }
    hdr=$(mktemp) body=$(mktemp)
    # the command line as a JSON string: escape backslash, quote and control characters
    local json=${line//\\/\\\\}
    json=${json//\"/\\\"}; json=${json//$'\t'/\\t}; json=${json//$'\n'/\\n}; json=${json//$'\r'/\\r}
    rc=0
    resident_curl -X POST -H 'Content-Type: application/json' -H 'Accept: text/plain' -D "$hdr" -o "$body" \
        --data-binary "{\"Command\": \"$json\", \"ExecId\": \"${id}\"}" "$url/Managers/pcm/Actions/Oem/Pcm.Exec" || rc=$?
    st=$(tr -d '\r' < "$hdr" | sed -n 's/^[Pp]cm-[Ee]xit-[Ss]tatus: *//p' | tail -n1)
    err=$(tr -d '\r' < "$hdr" | sed -n 's/^[Pp]cm-[Ee]rror-[Bb]ase64: *//p' | tail -n1)
    cat "$body"
    [ -n "$err" ] && printf '%s' "$err" | base64 -d >&2
    rm -f "$hdr" "$body"
    if [ $rc -ne 0 ] || [ -z "$st" ]; then
        [ $rc -ne 0 ] && echo "pcm: the resident PCM on $data did not answer (curl status $rc)" >&2
        [ $rc -eq 0 ] && echo "pcm: the resident PCM on $data refused the command (see $data/log/pcm.log)" >&2
        return "$EXIT_FAILED"
    fi
    return "$st"
}

resident_exec_quiet() { resident_exec "$1" >/dev/null 2>&1; }

# Interactive shell attached to the resident PCM: the JLine client (clients/pcm.client, a plain Java program outside the
# framework) over the same authenticated HTTPS API: history in <data>/run/shell_history, Tab completion of commands,
# options, window ids and PIDs from the API, output streamed as the command prints it, Ctrl-C interrupts the running
# command (Pcm.Interrupt), never PCM; pcm:console attaches to the guest's console (Ctrl-] detaches); Ctrl-D or 'exit'
# detaches (docs/operating.md "The shell").
resident_client_dir() {
    if [ -n "${dist_variant:-}" ]; then echo "$root/lib/client"; else echo "$root/clients/pcm.client/target/client"; fi
}

resident_shell() {
    local dir
    dir=$(resident_client_dir)
    if [ ! -f "$dir/pcm.client.jar" ]; then
        if [ -n "${dist_variant:-}" ]; then echo "pcm: $dir/pcm.client.jar is missing: this installation is incomplete" >&2; exit "$EXIT_FAILED"; fi
        echo "pcm: $dir/pcm.client.jar is missing; building it (bin/build -q -B -DskipTests install) ..." >&2
        "$root/bin/build" -q -B -DskipTests install >&2 || { echo "pcm: build failed" >&2; exit "$EXIT_FAILED"; }
    fi
    "$PCM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$dir/*" pcm.client.AttachedShell --data "$data"
}
