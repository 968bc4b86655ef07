#!/usr/bin/env bash
# Which host behaviour needs how much RAM (docs/size.md): builds the simulator
# with other sizes of the two RAM buffers core/config.h sizes for the
# firmware, and runs the drive tests against each build.
#   scripts/size_sweep.sh PENDING OVERLAY [PENDING OVERLAY ...]
# Each pair gets its own build folder build/size-p<P>-o<O> (only the
# simulator and the host tool are built); prints one line per test script,
# and the names of host_behaviour's failing cases. TESTS: the scripts to run
# (default: host_behaviour and the drive_* tests). JOBS: build parallelism.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tests=${TESTS:-"host_behaviour drive_os_patterns drive_refusals drive_replay drive_fsck"}
[ $# -ge 2 ] && [ $(($# % 2)) -eq 0 ] || { echo "usage: $0 PENDING OVERLAY [PENDING OVERLAY ...]" >&2; exit 2; }
while [ $# -ge 2 ]; do
    p=$1 o=$2
    shift 2
    b=$src/build/size-p$p-o$o
    cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Debug -DDB_PENDING_SECTORS="$p" -DDB_OVERLAY_SECTORS="$o" >/dev/null ||
        { echo "p$p o$o: configure failed"; continue; }
    cmake --build "$b" -j "${JOBS:-2}" --target dropboot-sim dropboot >/dev/null ||
        { echo "p$p o$o: build failed"; continue; }
    for t in $tests; do
        out=$b/$t.log
        if DB_SOURCE_DIR=$src DB_BUILD_DIR=$b DB_PENDING_SECTORS=$p bash "$src/tests/integration/$t.sh" >"$out" 2>&1; then
            echo "p$p o$o $t: pass"
        else
            echo "p$p o$o $t: FAIL ($(grep -c '^FAIL' "$out") FAIL lines; $out)"
            grep '^FAIL' "$out" | cut -c1-200 | sed 's/^/    /'
        fi
    done
done
