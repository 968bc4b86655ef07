#!/usr/bin/env bash
# The host tool against the simulated device's real volume, on a host that
# cannot mount: the volume is dumped by dropboot-sim, its files are read out
# with mtools into directories that stand in for mount points, and a
# mountinfo file ($DROPBOOT_MOUNTINFO) lists those as vfat mounts. What the
# tool copies is put back into the image with mtools and replayed into the
# simulated device, which judges it. Real mounts and resets are the e2e
# guest's job (tests/e2e/scenarios/50-tool.sh).
set -euo pipefail
: "${DB_SOURCE_DIR:?}" "${DB_BUILD_DIR:?}"
tool="$DB_BUILD_DIR/dropboot"
sim="$DB_BUILD_DIR/dropboot-sim"
fx="$DB_SOURCE_DIR/tests/fixtures/uf2conv"
w="$DB_BUILD_DIR/fixtures/tool_drive_it"
rm -rf "$w" && mkdir -p "$w" && cd "$w"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { # expect_rc CODE cmd...: run, keep stdout/stderr in out/err
    local want=$1; shift
    set +e; "$@" >out 2>err; local rc=$?; set -e
    [ "$rc" -eq "$want" ] || { cat out err >&2; fail "$* -> exit $rc, want $want"; }
}

# Two simulated boards, each volume read out the way a mount would show it.
mountinfo=""
id=40
for s in AAAA0001 BBBB0002; do
    "$sim" --flash "$s.flash" --serial "$s" dump "$s.img" >/dev/null
    mkdir "$s"
    mcopy -i "$s.img" ::INFO_UF2.TXT ::STATUS.TXT "$s/"
    mountinfo+="$id 1 0:$id / $w/$s rw,relatime - vfat /dev/sim$s rw"$'\n'
    id=$((id + 1))
done
printf '%s' "$mountinfo" > mountinfo
# the simulator pads a serial to 24 hex digits, as the chip's unique ID would be
A=$(sed -n 's/^Serial: //p' AAAA0001/INFO_UF2.TXT | tr -d '\r')
B=$(sed -n 's/^Serial: //p' BBBB0002/INFO_UF2.TXT | tr -d '\r')
[ "${A%AAAA0001}" != "$A" ] || fail "serial $A does not end in the one given"
export DROPBOOT_MOUNTINFO="$w/mountinfo"

# list shows both boards with the fields of their INFO_UF2.TXT
expect_rc 0 "$tool" list
grep -q "AAAA0001" out && grep -q "BBBB0002" out || fail "list lacks a board: $(cat out)"
grep -q "NUCLEO-L4R5ZI" out && grep -q "0.1.0" out || fail "list lacks model/version: $(cat out)"
expect_rc 0 "$tool" list --json
grep -q "\"serial\": \"$A\"" out && grep -q "\"mount\": \"$w/BBBB0002\"" out || fail "json: $(cat out)"

# two boards and no choice: refused, naming both
expect_rc 3 "$tool" flash "$fx/tiny.hex"
grep -q "AAAA0001" err && grep -q "BBBB0002" err || fail "refusal does not name both: $(cat err)"
[ "$(wc -l < err)" -eq 1 ] || fail "error is not one line"

# wrong family: refused by the pre-check, nothing copied
"$tool" convert "$fx/odd.bin" -o rp2040.uf2 --family RP2040 >/dev/null
expect_rc 1 "$tool" flash rp2040.uf2 --serial "$A"
grep -q "RP2040" err && grep -q "STM32L4" err || fail "family refusal reason: $(cat err)"
[ ! -e AAAA0001/NEW.UF2 ] || fail "pre-check refusal still copied"

# outside the app area: refused by the pre-check
expect_rc 1 "$tool" flash "$fx/odd.bin" --serial "$A" --base 0x08000000
grep -q "below the app area" err || fail "range refusal reason: $(cat err)"

# a good HEX: converted, checked, copied as NEW.UF2. A directory never resets,
# so the wait ends in a timeout (4); the device's verdict comes from the replay.
expect_rc 4 "$tool" flash "$fx/tiny.hex" --serial "$A" --timeout 1
cmp AAAA0001/NEW.UF2 "$fx/tiny.uf2" || fail "copied file differs from uf2conv's"
cp AAAA0001.img new.img
mcopy -i new.img AAAA0001/NEW.UF2 ::NEW.UF2
"$sim" --flash AAAA0001.flash --serial AAAA0001 replay AAAA0001.img new.img > replay.log
grep -q "Result: DB_DONE" replay.log || fail "device did not take the tool's file: $(cat replay.log)"
"$sim" --flash AAAA0001.flash status | grep -q "start app at 0x08008000" || fail "app does not start"

# --force skips the pre-check: the device itself refuses, and info shows its STATUS.TXT
expect_rc 4 "$tool" flash rp2040.uf2 --serial "$B" --timeout 1 --force
cp BBBB0002.img new2.img
mcopy -i new2.img BBBB0002/NEW.UF2 ::NEW.UF2
"$sim" --flash BBBB0002.flash --serial BBBB0002 replay BBBB0002.img new2.img > replay2.log || true
sed -n '/after reset/,$p' replay2.log | grep -q "Result: DB_ERR_UF2_FAMILY" || fail "device: $(cat replay2.log)"

# info shows INFO_UF2.TXT and STATUS.TXT of the chosen drive
expect_rc 0 "$tool" info --drive BBBB0002
grep -q "Serial:       $B" out || fail "info: $(cat out)"
grep -q "App area:     0x08008000, 2064384 bytes" out || fail "info: $(cat out)"
grep -q "Last result:  DB_IDLE" out || fail "info has no result: $(cat out)"
expect_rc 3 "$tool" info

# usage errors are exit 2 with one line; every verb has --help
expect_rc 2 "$tool"
expect_rc 2 "$tool" frobnicate
expect_rc 2 "$tool" convert "$fx/odd.bin"
expect_rc 2 "$tool" convert "$fx/gaps.hex" -o x.uf2 --base 0x08008000
expect_rc 2 "$tool" convert "$fx/odd.bin" -o x.uf2 --family NOPE
expect_rc 2 "$tool" convert missing.bin -o x.uf2
[ "$(wc -l < err)" -eq 1 ] || fail "error is not one line: $(cat err)"
for v in convert list flash info; do expect_rc 0 "$tool" "$v" --help; done
expect_rc 0 "$tool" --help
grep -q "4  timeout" out || fail "--help lacks the exit codes"

# convert matches uf2conv.py byte for byte on every committed fixture
convert_same() { # input expected [options]
    local in=$1 exp=$2; shift 2
    "$tool" convert "$fx/$in" -o got.uf2 "$@" >/dev/null
    cmp got.uf2 "$fx/$exp" || fail "convert $in differs from uf2conv's $exp"
}
convert_same odd.bin odd.uf2
convert_same odd.bin odd_base10_rp2040.uf2 --base 0x08008010 --family RP2040
convert_same gaps.hex gaps.uf2
convert_same crlf_objcopy.hex crlf_objcopy.uf2
convert_same segments.hex segments.uf2
convert_same tiny.hex tiny.uf2
convert_same tiny.elf tiny.uf2

# a damaged HEX is refused (1) with its line number
printf ':020000040800F2\n:10800000C67E816B4BFBE2FB54F6BDDF7C1CE18738\n:00000001FF\n' > bad.hex
expect_rc 1 "$tool" convert bad.hex -o x.uf2
grep -q "line 2: Intel HEX record with a bad checksum" err || fail "bad hex: $(cat err)"
echo "tool_drive: ok"
