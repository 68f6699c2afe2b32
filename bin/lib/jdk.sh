# shellcheck shell=bash
# Finds a JDK >= 25 for PCM. Source it, then call pcm_find_jdk: on success it sets PCM_JAVA_HOME
# (may be empty when only a `java` on PATH qualifies) and PCM_JAVA (the java executable).
# Order: $JAVA_HOME, /usr/lib/jvm/*25*, any /usr/lib/jvm/* with version >= 25, `java` on PATH.

PCM_MIN_JAVA=25

# Prints the feature version (25, 17, ...) of the java executable $1, or nothing.
pcm_java_feature() {
    local java=$1 home v
    [ -x "$java" ] || return 0
    home=$(cd "$(dirname "$java")/.." 2>/dev/null && pwd)
    if [ -n "$home" ] && [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [ -z "$v" ]; then
        v=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    fi
    v=${v#1.}          # 1.8 -> 8
    v=${v%%[.+-]*}     # 25.0.1 -> 25, 25-ea -> 25
    case $v in ''|*[!0-9]*) return 0 ;; esac
    echo "$v"
}

# True if the JDK home $1 has a java >= PCM_MIN_JAVA.
pcm_jdk_ok() {
    local f
    f=$(pcm_java_feature "$1/bin/java")
    [ -n "$f" ] && [ "$f" -ge "$PCM_MIN_JAVA" ]
}

pcm_find_jdk() {
    local d f java
    PCM_JAVA_HOME= PCM_JAVA=
    if [ -n "${JAVA_HOME:-}" ] && pcm_jdk_ok "$JAVA_HOME"; then
        PCM_JAVA_HOME=$JAVA_HOME
    else
        for d in /usr/lib/jvm/*25*/ /usr/lib/jvm/*/; do
            d=${d%/}
            [ -d "$d" ] || continue
            if pcm_jdk_ok "$d"; then PCM_JAVA_HOME=$d; break; fi
        done
    fi
    if [ -n "$PCM_JAVA_HOME" ]; then
        PCM_JAVA=$PCM_JAVA_HOME/bin/java
        return 0
    fi
    java=$(command -v java 2>/dev/null || true)
    if [ -n "$java" ]; then
        f=$(pcm_java_feature "$java")
        if [ -n "$f" ] && [ "$f" -ge "$PCM_MIN_JAVA" ]; then
            PCM_JAVA=$java
            d=$(cd "$(dirname "$(readlink -f "$java")")/.." && pwd)
            [ -x "$d/bin/javac" ] && PCM_JAVA_HOME=$d
            return 0
        fi
    fi
    echo "PCM needs a JDK >= $PCM_MIN_JAVA (it uses the Foreign Function & Memory API)." >&2
    echo "Looked at JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/* and 'java' on PATH (${java:-none})." >&2
    echo "Install one (e.g. Temurin 25) and/or set JAVA_HOME to it." >&2
    return 2
}
