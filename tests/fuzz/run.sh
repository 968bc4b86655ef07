#!/usr/bin/env bash
# Build and run every libFuzzer harness tests/fuzz/fuzz_*.c for a short,
# bounded time (FUZZ_SECONDS each, default 15). Each harness is linked with
# the real core/, usb/ and the simulator's port files (flash model included),
# under AddressSanitizer and UndefinedBehaviorSanitizer. A crash fails the run
# and leaves the reproducer in build/fuzz/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/fuzz"
secs=${FUZZ_SECONDS:-15}
mkdir -p "$out"
cd "$top"

shopt -s nullglob
harnesses=(tests/fuzz/fuzz_*.c)
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "fuzz: no harnesses"
    exit 0
fi
# Everything but the simulator's program entry and verbs.
lib_src=(core/*.c usb/*.c)
for f in ports/sim/*.c; do
    case "$(basename "$f")" in main.c|verb_*.c) ;; *) lib_src+=("$f") ;; esac
done

pass=0
fail=0
for h in "${harnesses[@]}"; do
    name=$(basename "$h" .c)
    bin="$out/$name"
    clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Wall -Wextra -Werror -Icore -Iusb -Iports/sim "$h" "${lib_src[@]}" -o "$bin"
    corpus="$out/corpus_$name"
    mkdir -p "$corpus"
    seeds=()
    [ -d "$top/tests/fuzz/seeds/$name" ] && seeds=("$top/tests/fuzz/seeds/$name")
    if (cd "$out" && "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$out/$name-" "$corpus" "${seeds[@]}" >"$out/$name.log" 2>&1); then
        echo "fuzz: $name: $(grep -Eo 'Done [0-9]+ runs' "$out/$name.log" | tail -1) in ${secs}s, no crash"
        pass=$((pass + 1))
    else
        echo "fuzz: $name: FAILED (log $out/$name.log)"
        tail -40 "$out/$name.log"
        fail=$((fail + 1))
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
