# shellcheck shell=bash
# bin/build dist: one archive per product variant, pcm-<version>-<variant>.tar.gz (docs/distribution.md). Sourced by
# bin/build with $root, $PCM_JAVA_HOME set and the arguments after "dist" in "$@".
#
#   bin/build dist [--jlink] [--no-build] [--variant NAME]... [--out DIR] [Maven options, e.g. -o -Dmaven.repo.local=...]
#
# --jlink        add a Java runtime made by jlink (runtime/): the target needs no JDK (about 50 MB more per archive)
# --no-build     take the runnable jars runconfigs/target/*.jar as they are (default: mvn -DskipTests install first)
# --variant NAME only this variant (repeatable; default: every runconfigs/*.bndrun)
# --out DIR      where the archives go (default target/dist)
# An archive unpacks to pcm-<version>-<variant>/:
#   bin/pcm, bin/lib/       the launcher, the same as the repository's (its verbs: run, exec, start, stop, status, shell)
#   lib/pcm.jar             the variant's runnable jar; lib/variant its name; lib/http if it has the HTTP server
#   lib/client/             the shell attached to a resident PCM (pcm.client and its libraries, JLine and Jackson)
#   conf/                   default configuration, copied into a new data directory's conf/ at its first use
#   etc/                    where an OEM puts its trust store (etc/truststore.p12) for the signing policy
#   docs/, README.md        the operator documentation; VERSION
#   runtime/                with --jlink: the Java runtime bin/pcm then uses
# Nothing in it is written at run time: it runs from a read-only directory, everything goes to the data directory.

dist_usage() { sed -n '4,20s/^# \{0,1\}//p' "$root/bin/lib/dist.sh"; }

pcm_dist() {
    local jlink= build=1 out=$root/target/dist variants=() maven=() v version stage name bndrun jar f start
    while [ $# -gt 0 ]; do
        case $1 in
            --jlink) jlink=1; shift ;;
            --no-build) build=; shift ;;
            --variant) variants+=("$2"); shift 2 ;;
            --out) out=$2; shift 2 ;;
            -h|--help) dist_usage; return 0 ;;
            -*) maven+=("$1"); shift ;;
            *) echo "dist: unknown argument '$1' (bin/build dist --help)" >&2; return 2 ;;
        esac
    done
    if [ ${#variants[@]} -eq 0 ]; then
        for f in "$root"/runconfigs/pcm*.bndrun; do
            n=${f##*/}; n=${n%.bndrun}
            if [ "$n" = pcm ]; then variants+=(standard); else variants+=("${n#pcm-}"); fi
        done
    fi
    if [ -n "$build" ]; then
        echo "dist: building (mvn -DskipTests install) ..." >&2
        (cd "$root" && ./mvnw -q -B -DskipTests ${maven[@]+"${maven[@]}"} install) || { echo "dist: the build failed" >&2; return 6; }
    fi
    version=$(sed -n '/<artifactId>pcm.workspace<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;}' "$root/pom.xml" | head -n1)
    [ -n "$version" ] || { echo "dist: no version in $root/pom.xml" >&2; return 6; }
    mkdir -p "$out"
    for v in "${variants[@]}"; do
        if [ "$v" = standard ]; then bndrun=$root/runconfigs/pcm.bndrun; else bndrun=$root/runconfigs/pcm-$v.bndrun; fi
        [ -f "$bndrun" ] || { echo "dist: no variant '$v' ($bndrun)" >&2; return 2; }
        jar=$root/runconfigs/target/$(basename "${bndrun%.bndrun}").jar
        [ -f "$jar" ] || { echo "dist: $jar is missing (build without --no-build)" >&2; return 6; }
        name=pcm-$version-$v
        stage=$out/$name
        rm -rf "$stage"
        mkdir -p "$stage/bin/lib" "$stage/lib" "$stage/conf" "$stage/etc" "$stage/docs"
        cp "$root/bin/pcm" "$stage/bin/"
        cp -r "$root/bin/lib/jdk.sh" "$root/bin/lib/resident.sh" "$root/bin/lib/logging.properties" "$root/bin/lib/gosh" \
            "$root/bin/lib/gosh-headless" "$stage/bin/lib/"
        cp "$jar" "$stage/lib/pcm.jar"
        # the shell attached to a resident PCM (clients/pcm.client: JLine, Jackson)
        mkdir -p "$stage/lib/client"
        cp "$root"/clients/pcm.client/target/client/*.jar "$stage/lib/client/" || { echo "dist: clients/pcm.client/target/client is missing (build without --no-build)" >&2; return 6; }
        echo "$v" > "$stage/lib/variant"
        grep -q "^[[:space:]]*org.apache.felix.http.jetty12;" "$bndrun" && : > "$stage/lib/http"
        # the variant's default configuration (runconfigs/conf/<variant>/, then what every variant shares)
        for f in "$root"/runconfigs/conf/common/* "$root"/runconfigs/conf/"$v"/*; do [ -f "$f" ] && cp "$f" "$stage/conf/"; done
        cp "$root/README.md" "$stage/"
        cp "$root"/docs/*.md "$stage/docs/"
        cp "$root/runconfigs/README.md" "$stage/docs/variants.md"
        printf '%s\n' "$version" > "$stage/VERSION"
        printf 'PCM %s, variant %s, built %s from %s\n' "$version" "$v" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
            "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" >> "$stage/VERSION"
        if [ -n "$jlink" ]; then
            start=$SECONDS
            # the platform (java.se) and what the runtime uses beyond it: sun.misc.Unsafe (jdk.unsupported), zip file
            # systems (jdk.zipfs), JMX beans (jdk.management), DNS (jdk.naming.dns), jdk.net socket options
            "$PCM_JAVA_HOME/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.zipfs,jdk.management,jdk.naming.dns,jdk.net \
                --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output "$stage/runtime" \
                || { echo "dist: jlink failed" >&2; return 6; }
            echo "dist: jlink'ed runtime for $v in $((SECONDS - start)) s ($(du -sh "$stage/runtime" | cut -f1))" >&2
        fi
        chmod -R a+rX,go-w "$stage"
        tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
        rm -rf "$stage"
        echo "$out/$name.tar.gz"
    done
}
