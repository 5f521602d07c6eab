# Shared by ./cipsec and ./run-bench (sourced, not run): picks a JDK >= 21 and rebuilds a module's
# jar when it is stale. The caller sets ROOT, JAR and PROG before sourcing.
# JDK choice: JAVA_HOME if new enough, else the newest JDK under $CIPSEC_JVM_DIR (default
# /usr/lib/jvm), else `java` on PATH if new enough. The machine's default java may be 17.

MIN_JAVA=21
JVM_DIR=${CIPSEC_JVM_DIR:-/usr/lib/jvm}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

# True when $JAR is missing or older than any source or POM of the checkout.
needs_build() {
    [[ -f $JAR ]] || return 0
    local newer
    newer=$(cd "$ROOT" && find ./*/src pom.xml ./*/pom.xml -type f -newer "$JAR" -print -quit 2>/dev/null) || true
    [[ -n $newer ]]
}

# Major version of a java binary (0 when unknown): the JDK's release file, else `java -version`.
java_major() {
    local bin=$1 home out version=""
    home=$(dirname "$(dirname "$bin")")
    if [[ -f $home/release ]]; then
        out=$(<"$home/release")
        [[ $out =~ JAVA_VERSION=\"([0-9][0-9.]*) ]] && version=${BASH_REMATCH[1]}
    fi
    if [[ -z $version ]]; then
        out=$("$bin" -version 2>&1) || true
        [[ $out =~ version\ \"([0-9][0-9.]*) ]] && version=${BASH_REMATCH[1]}
    fi
    [[ $version == 1.* ]] && version=${version#1.}
    version=${version%%.*}
    echo "${version:-0}"
}

find_java() {
    local bin best="" best_major=0 major
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        major=$(java_major "$JAVA_HOME/bin/java")
        if ((major >= MIN_JAVA)); then
            echo "$JAVA_HOME/bin/java"
            return
        fi
    fi
    for bin in "$JVM_DIR"/*/bin/java; do
        [[ -x $bin ]] || continue
        major=$(java_major "$bin")
        if ((major >= MIN_JAVA && major > best_major)); then
            best=$bin
            best_major=$major
        fi
    done
    if [[ -z $best ]] && bin=$(command -v java); then
        major=$(java_major "$(readlink -f "$bin")")
        ((major >= MIN_JAVA)) && best=$bin
    fi
    [[ -n $best ]] || die "needs Java >= $MIN_JAVA: set JAVA_HOME to such a JDK or install one under $JVM_DIR (found only older ones)"
    echo "$best"
}

# Builds module $1 (with what it depends on) when $JAR is stale; build output goes to stderr so a
# command's stdout (e.g. --json) stays clean.
build_if_needed() {
    local module=$1
    if needs_build; then
        echo "$PROG: building $module (mvn package -pl $module -am)..." >&2
        (cd "$ROOT" && mvn -q -B -DskipTests package -pl "$module" -am) >&2 || die "build failed"
        [[ -f $JAR ]] || die "build succeeded but $JAR is missing"
    fi
}
