#!/usr/bin/env bash
# The update engine against hosts that write like real ones (issue 8): page
# caches that send whole clusters, data before metadata, files that grow
# with each sync, two copies at once, a reformat, a full root, subfolders,
# raw writes with no file. The disks are built by hostfs.py (our own FAT
# writer, reading the BPB the image has) and mtools; odd firmware files by
# fw_forge.py; dropboot-sim replay writes them as a host would.
#
# Every case starts from a device holding a working old app (50001 bytes,
# committed by a normal UF2 copy) and checks: replay's exit code and
# STATUS.TXT's Result: line; the app area of the flash file byte for byte
# (after DB_DONE: exactly the new image for its length, and STATUS.TXT's App:
# size and CRC-32 are the image's; after a refusal before any justified
# erase: exactly the old app); the boot decision at a cold start; and
# fsck.fat -n on the disk as the host read it back before the eject.
# One line per case, a summary, exit 1 if any case failed.
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"
itg=$src/tests/integration
hostfs() { "$py" "$itg/hostfs.py" "$@"; }
forge() { "$py" "$itg/fw_forge.py" "$@"; }
pass=0
failed=()

# --- the judge: one verdict per case from what the session left behind
cat >"$tmp/judge.py" <<'PY'
"""judge EXPECT RC OUT.txt BOOT FLASH OLD_APP FSCK_RC FSCK.txt [FILE...]

EXPECT:
  done                 DB_DONE, flash == FILE1 for its length, App: line = its size and CRC-32, app starts
  one-of:CODES         DB_DONE with flash == FILE1 or FILE2 exactly, or Result one of CODES (a|b);
                       DB_ERR_ORDER (vector table too late) only with the old app intact
  refuse:CODES[:noreset]  Result one of CODES (a|b, * = any non-DONE), old app intact and starts;
                       noreset: the device did not ask for a reset
  never-done           no DB_DONE; an app that starts is the old one
  done-or-intact       DB_DONE as for done, or a non-DONE Result with the old app intact and starting
Always: fsck.fat -n clean on the read-back disk; an app that starts is the old one or a FILE.
"""
import re
import sys
import zlib

expect, rc, out, boot, flash_path, old_path, fsck_rc, fsck_txt = sys.argv[1:9]
files = [open(p, "rb").read() for p in sys.argv[9:]]
rc = int(rc)
text = open(out, errors="replace").read()
m = re.search(r"^Result: (\S+)\r?$", text, re.M)
result = m.group(1) if m else "none"
app_line = re.search(r"^App: 0x08008000 (\d+) bytes CRC-32 0x([0-9a-f]+)", text, re.M)
# the app that starts lies in its slot: A at 0x8000, B at 0x108000 (the boot decision says which)
slot = re.search(r"slot \S+(?: \([^)]*\))? at 0x([0-9a-f]+)", boot)
base = int(slot.group(1), 16) - 0x08000000 if slot else 0x8000
area = open(flash_path, "rb").read()[base:base + 2064384]
old = open(old_path, "rb").read()
starts = boot.startswith("start app")


def holds(img):
    return area[:len(img)] == img


def which():
    for i, f in enumerate(files):
        if holds(f):
            return "file%d" % (i + 1) if len(files) > 1 else "new"
    return "old" if holds(old) else "other"


got = "exit %d, Result %s, flash %s, cold start: %s" % (rc, result, which(), "app" if starts else "stays")
problems = []
fsck = open(fsck_txt, errors="replace").read()
if fsck_rc != "0" or "differ" in fsck:
    lines = [l.strip() for l in fsck.splitlines() if l.strip() and not l.startswith("fsck.fat ")]
    problems.append("fsck.fat: " + " / ".join(lines)[:160])
if starts and which() == "other":
    problems.append("an app that is neither the old one nor the file would start")


def done_ok(img):
    if result != "DB_DONE" or rc != 0:
        return "not DB_DONE"
    if not holds(img):
        return "flash is not the file"
    if not starts:
        return "the new app would not start"
    if not app_line or int(app_line.group(1)) != len(img) or int(app_line.group(2), 16) != zlib.crc32(img):
        return "STATUS.TXT App: size/CRC-32 are not the file's (%s)" % (app_line.group(0) if app_line else "no App: line")
    return None


def intact_ok():
    if not holds(old):
        return "old app damaged"
    if not starts:
        return "old app would not start"
    return None


kind, _, arg = expect.partition(":")
if kind == "done":
    e = done_ok(files[0])
    problems += [e] if e else []
elif kind == "one-of":
    if result == "DB_DONE":
        if rc != 0 or not (holds(files[0]) or holds(files[1])) or not starts:
            problems.append("DB_DONE but flash is not exactly one of the two files, or it would not start")
    elif result not in arg.split("|"):
        problems.append("neither DB_DONE nor %s" % arg)
    elif result == "DB_ERR_ORDER":
        e = intact_ok()  # refused before the vector table came: nothing may have been erased
        problems += [e] if e else []
elif kind == "refuse":
    codes, _, flag = arg.partition(":")
    if result == "DB_DONE" or rc == 0:
        problems.append("DB_DONE")
    elif codes != "*" and result not in codes.split("|"):
        problems.append("Result %s, expected %s" % (result, codes))
    e = intact_ok()
    problems += [e] if e else []
    if flag == "noreset" and "device did not ask for a reset" not in text:
        problems.append("the device reset for a file that is not firmware")
elif kind == "never-done":
    if result == "DB_DONE" or rc == 0:
        problems.append("DB_DONE")
    if starts and not holds(old):
        problems.append("an app other than the old one would start")
elif kind == "done-or-intact":
    if result == "DB_DONE":
        e = done_ok(files[0])
        got += " (took the update: DB_DONE path)"
    else:
        e = intact_ok()
        got += " (refusal path: old app must be kept)"
    problems += [e] if e else []
# A/B: an update goes to the slot that is not running, so whatever went
# wrong, the old app is intact and starts unless the update committed.
if result != "DB_DONE":
    e = intact_ok()
    if e and e not in problems:
        problems.append("A/B: " + e)
print("%s|%s" % ("; ".join(problems), got))
PY

# case NAME EXPECT "FILES" REPLAY-ARGS...: run one session from the old app
# and print the verdict. FILES: the candidate images (app bytes), spaces apart.
case_() {
    local name=$1 expect=$2 files=$3
    shift 3
    # the host model's own images must be sound, or the verdict would be about the model
    local a
    for a in "${@:2}"; do
        if [[ $a == *.img ]] && ! fsck.fat -n "$a" >/dev/null 2>&1; then
            echo "FAIL $name: the host model made an image fsck.fat rejects: $a"
            failed+=("$name")
            return
        fi
    done
    cp "$tmp/flash_old.bin" "$tmp/flash.bin"
    rm -f "$tmp/rb.img"
    local rc=0 frc=0 boot verdict
    local t0=$SECONDS
    "$sim" --flash "$tmp/flash.bin" replay "$@" --readback "$tmp/rb.img" >"$tmp/out.txt" 2>&1 || rc=$?
    boot=$("$sim" --flash "$tmp/flash.bin" status)
    if [ -f "$tmp/rb.img" ]; then
        fsck.fat -n "$tmp/rb.img" >"$tmp/fsck.txt" 2>&1 || frc=$?
    else
        echo "no read-back image (replay failed: $(head -2 "$tmp/out.txt"))" >"$tmp/fsck.txt"
        frc=9
    fi
    # shellcheck disable=SC2086
    verdict=$("$py" "$tmp/judge.py" "$expect" "$rc" "$tmp/out.txt" "$boot" "$tmp/flash.bin" "$tmp/old_app.bin" \
        "$frc" "$tmp/fsck.txt" $files)
    local problems=${verdict%%|*} got=${verdict#*|}
    local secs=$((SECONDS - t0))
    if [ -z "$problems" ]; then
        echo "PASS $name: expected $expect; got $got (${secs}s)"
        pass=$((pass + 1))
    else
        echo "FAIL $name: expected $expect; got $got: $problems (${secs}s)"
        failed+=("$name")
    fi
}

# --- the old app, committed by a first normal copy
"$py" "$lib" app "$tmp/old_app.bin" 50001 1
"$py" "$lib" uf2 "$tmp/old_app.bin" "$tmp/old_app.uf2"
"$sim" --flash "$tmp/erased.bin" dump "$tmp/empty.img"
cp "$tmp/empty.img" "$tmp/first.img"
mcopy -i "$tmp/first.img" "$tmp/old_app.uf2" ::APP.UF2
cp "$tmp/erased.bin" "$tmp/flash_old.bin"
"$sim" --flash "$tmp/flash_old.bin" replay "$tmp/empty.img" "$tmp/first.img" >/dev/null || fail "old app setup"
"$sim" --flash "$tmp/flash_old.bin" status | grep -q "^start app" || fail "old app setup: it would not start"
"$sim" --flash "$tmp/flash_old.bin" dump "$tmp/old.img" # the disk every case starts from
old=$tmp/old.img

# new apps: different sizes and seeds from the old one
"$py" "$lib" app "$tmp/new.bin" 70001 2
"$py" "$lib" app "$tmp/big.bin" 300000 3
"$py" "$lib" app "$tmp/a.bin" 60000 4
"$py" "$lib" app "$tmp/b.bin" 60000 5
forge uf2 "$tmp/new.bin" "$tmp/new.uf2"
forge hex "$tmp/new.bin" "$tmp/new.hex"
forge uf2 "$tmp/a.bin" "$tmp/a.uf2"
forge uf2 "$tmp/b.bin" "$tmp/b.uf2"
"$py" "$itg/os_files.py" appledouble "$tmp/twin"
printf 'notes written next to the firmware\r\n%.0s' $(seq 40) >"$tmp/notes.txt"

# img NAME: a fresh copy of the old disk at $tmp/NAME.img, path printed
img() { cp "$old" "$tmp/$1.img" && echo "$tmp/$1.img"; }

# --- 1. a host that syncs as it goes: data, then FAT + entry with the size so far
i=$(img sync)
mapfile -t steps < <(hostfs grow "$i" FW.BIN "$tmp/big.bin" 131072 "$tmp/sync_")
case_ "bin_300k_written_with_sync_commits_whole_file" "done" "$tmp/big.bin" \
    "$old" "${steps[@]}" --order meta-last --pause-ms 20

# --- 2. two UF2 files of the same size copied at once, clusters interleaved
i=$(img inter)
hostfs interleave "$i" A.UF2 "$tmp/a.uf2" B.UF2 "$tmp/b.uf2"
case_ "two_uf2_interleaved_data_first_never_mixed" one-of:DB_ERR_UF2_CONFLICT "$tmp/a.bin $tmp/b.bin" \
    "$old" "$i" --order meta-last
case_ "two_uf2_interleaved_metadata_first_never_mixed" one-of:DB_ERR_UF2_CONFLICT "$tmp/a.bin $tmp/b.bin" \
    "$old" "$i" --order asc
# a second UF2 copied while the first is still being written: half of A's
# data, then the rest of A, all of B and the metadata of both
i1=$(img second1)
hostfs put "$i1" A.UF2 "$tmp/a.uf2" --data-only --bytes $(($(stat -c %s "$tmp/a.uf2") / 2))
i2=$(img second2)
hostfs put "$i2" A.UF2 "$tmp/a.uf2"
hostfs put "$i2" B.UF2 "$tmp/b.uf2"
case_ "second_uf2_copied_while_first_is_written_never_mixed" "one-of:DB_ERR_UF2_CONFLICT|DB_ERR_ORDER" "$tmp/a.bin $tmp/b.bin" \
    "$old" "$i1" "$i2" --order random:8

# --- 3. UF2 files that lie about their blocks
forge uf2-repeat "$tmp/new.bin" "$tmp/repeat.uf2"
i=$(img repeat)
mcopy -i "$i" "$tmp/repeat.uf2" ::REPEAT.UF2
case_ "uf2_repeated_block_with_other_data_never_done" never-done "$tmp/new.bin" "$old" "$i" --order meta-last
forge uf2-blockno-past "$tmp/new.bin" "$tmp/past.uf2"
i=$(img past)
mcopy -i "$i" "$tmp/past.uf2" ::PAST.UF2
case_ "uf2_last_blockno_equal_to_numblocks_never_done" never-done "$tmp/new.bin" "$old" "$i" --order meta-last

# --- 4. data first, whole clusters with slack, no gap to the next file
for kind in bin hex uf2; do
    ext=$(echo $kind | tr '[:lower:]' '[:upper:]')
    i=$(img nogap_$kind)
    hostfs put "$i" "FW.$ext" "$tmp/new.$kind"
    hostfs put "$i" "_FW~1.$ext" "$tmp/twin" # the ._ twin, in the very next cluster
    case_ "${kind}_data_first_then_macos_twin_in_next_cluster_commits_exact" "done" "$tmp/new.bin" \
        "$old" "$i" --writeback
done
i=$(img nogap_text)
hostfs put "$i" FW.BIN "$tmp/new.bin"
hostfs put "$i" NOTES.TXT "$tmp/notes.txt"
case_ "bin_data_first_then_text_file_in_next_cluster_commits_exact" "done" "$tmp/new.bin" "$old" "$i" --writeback

# --- 5. files that are not firmware images, written data first
elf=$src/build/nucleo_l4r5zi/blinky.elf
if [ ! -f "$elf" ]; then # make check runs ctest before the firmware build
    make -s -C "$src" -f ports/stm32l4r5/firmware.mk BUILD="$tmp/fw" "$tmp/fw/blinky.elf" >/dev/null
    elf=$tmp/fw/blinky.elf
fi
i=$(img elf)
hostfs put "$i" BLINKY.ELF "$elf"
case_ "elf_data_first_no_erase_and_db_err_elf" refuse:DB_ERR_ELF "" "$old" "$i" --writeback
forge tar "$tmp/new.bin" "$tmp/fw.tar" APP.BIN
i=$(img tar)
hostfs put "$i" FW.TAR "$tmp/fw.tar"
case_ "tar_holding_a_bin_data_first_no_erase" "refuse:*" "" "$old" "$i" --writeback
forge zip "$tmp/new.uf2" "$tmp/fw.zip" APP.UF2
i=$(img zip)
hostfs put "$i" FW.ZIP "$tmp/fw.zip"
case_ "zip_holding_a_uf2_db_err_zip_old_app_kept" refuse:DB_ERR_ZIP "" "$old" "$i" --writeback

# --- 6. images this board could not start: refused before any erase
"$py" "$lib" app "$tmp/low.bin" 70001 6 0x08000000 # linked for 0x08000000
forge uf2 "$tmp/low.bin" "$tmp/low.uf2"
forge hex "$tmp/low.bin" "$tmp/low.hex"
forge vectors "$tmp/new.bin" "$tmp/sp0.bin" --sp 0
forge uf2 "$tmp/sp0.bin" "$tmp/sp0.uf2"
forge hex "$tmp/sp0.bin" "$tmp/sp0.hex"
forge vectors "$tmp/new.bin" "$tmp/past.bin" --pc-past-end
# (the BIN comes metadata first: written data first, its length is unknown
# until after the data, so "past its own end" can only be seen before an
# erase when the directory entry came first)
for f in low.uf2 low.hex sp0.uf2 sp0.hex past.bin; do
    what=$(case $f in low*) echo linked_for_0x08000000_placed_at_0x08008000 ;; sp0*) echo initial_sp_zero ;;
        *) echo reset_handler_past_its_end_metadata_first ;; esac)
    order=meta-last
    [ "${f##*.}" = bin ] && order=asc
    i=$(img vec)
    hostfs put "$i" "$(echo $f | tr '[:lower:]' '[:upper:]')" "$tmp/$f"
    case_ "${f##*.}_${what}_refused_before_erase" "refuse:DB_ERR_VECTORS|DB_ERR_BIN_VECTORS|DB_ERR_ADDR_BOOT" "" \
        "$old" "$i" --order $order
done

# --- 7. spec-valid layouts: UF2 payloads not a multiple of 8 in random
# order, a HEX whose abutting sections come high part first. Any order works
# while the part with the vector table comes within the pending buffer
# (nothing is erased before it); later, a refusal that erases nothing.
# The small app's UF2 fits the pending buffer whole (in any order), the
# HEX's high part (text before the vector table) too.
"$py" "$lib" app "$tmp/small.bin" 7000 8
"$py" "$lib" app "$tmp/fits.bin" $((PENDING_SECTORS * 252 - 16)) 8
for p in 476 252; do
    forge uf2 "$tmp/fits.bin" "$tmp/p$p.uf2" --payload $p --shuffle $p
    i=$(img p$p)
    mcopy -i "$i" "$tmp/p$p.uf2" ::P$p.UF2
    case_ "uf2_payload_${p}_random_order_commits_exact" "done" "$tmp/fits.bin" "$old" "$i" --order meta-last
done
forge hex "$tmp/small.bin" "$tmp/high.hex" --split 0x1904 --high-first # high part: 596 bytes, ~1.7 KB of text
i=$(img high)
mcopy -i "$i" "$tmp/high.hex" ::HIGH.HEX
case_ "hex_abutting_sections_high_part_first_commits_exact" "done" "$tmp/small.bin" "$old" "$i" --order meta-last
forge uf2 "$tmp/new.bin" "$tmp/p476big.uf2" --payload 476 --shuffle 476
i=$(img p476big)
mcopy -i "$i" "$tmp/p476big.uf2" ::P476.UF2
case_ "uf2_payload_476_random_order_vector_table_late_refused_before_erase" "done-or-intact" "$tmp/new.bin" "$old" "$i" --order meta-last
forge hex "$tmp/new.bin" "$tmp/highbig.hex" --split 0x3004 --high-first
i=$(img highbig)
mcopy -i "$i" "$tmp/highbig.hex" ::HIGH.HEX
case_ "hex_high_part_first_beyond_the_pending_buffer_refused_before_erase" "refuse:DB_ERR_ORDER" "" "$old" "$i" --order meta-last

# --- 8. where the file sits on the drive
i=$(img full)
hostfs junk "$i" 20
cp "$i" "$tmp/full0.img"
hostfs put "$i" FW.BIN "$tmp/new.bin"
case_ "bin_with_20_files_in_root_commits_exact" "done" "$tmp/new.bin" "$old" "$tmp/full0.img" "$i" --order meta-last
i=$(img current)
hostfs put "$i" CURRENT.UF2 "$tmp/new.bin"
case_ "bin_written_over_current_uf2_keeping_its_name_commits_exact" "done" "$tmp/new.bin" "$old" "$i" --order meta-last
i=$(img sub)
hostfs mkdir "$i" FIRMWARE
hostfs put "$i" APP.BIN "$tmp/new.bin" --dir FIRMWARE
case_ "bin_in_subfolder_commits_exact" "done" "$tmp/new.bin" "$old" "$i" --order meta-last
# a host reformat (another geometry), then a BIN copied onto the new volume
i1=$(img mkfs1)
mkfs.fat -F 16 -s 16 -r 256 -n DROPBOOT "$i1" >/dev/null
i2=$(img mkfs2)
cp "$i1" "$i2"
hostfs put "$i2" FW.BIN "$tmp/new.bin"
case_ "bin_after_mkfs_fat_reformat_commits_exact_or_refuses_keeping_old_app" "done"-or-intact "$tmp/new.bin" \
    "$old" "$i1" "$i2" --order meta-last
i1=$(img mformat1)
mformat -i "$i1" -T 65536 -h 64 -s 32 -c 2 -r 16 -v DROPBOOT ::
i2=$(img mformat2)
cp "$i1" "$i2"
mcopy -i "$i2" "$tmp/new.bin" ::FW.BIN
case_ "bin_after_mformat_reformat_commits_exact_or_refuses_keeping_old_app" "done"-or-intact "$tmp/new.bin" \
    "$old" "$i1" "$i2" --order meta-last
case_ "fsck_clean_after_host_reformat_alone" "refuse:*" "" "$old" "$i1" --order asc

# --- 9. the largest app as HEX with short records (~7 MB of text)
"$py" "$lib" app "$tmp/max.bin" "$APP_MAX" 7
forge hex "$tmp/max.bin" "$tmp/max.hex" --rec 10
i=$(img max)
mcopy -i "$i" "$tmp/max.hex" ::MAX.HEX
# A/B: the old app is in slot A, so the update goes to slot B (992 KB); a HEX
# gives no size up front, so the largest app outgrows B: refused, old app kept;
# the retry (same session after the reset, see test_update) goes over both banks.
case_ "hex_of_largest_app_$(($(stat -c %s "$tmp/max.hex") / 1000))kb_short_records_outgrows_slot_b_old_app_kept" \
    "refuse:DB_ERR_SLOT_FULL" "" "$old" "$i" --order meta-last

# --- 10. data first: a HEX opening with a 05 record; a large file that is not firmware
forge hex "$tmp/new.bin" "$tmp/s05.hex" --start-first
i=$(img s05)
mcopy -i "$i" "$tmp/s05.hex" ::S05.HEX
case_ "hex_first_record_05_data_first_commits_exact" "done" "$tmp/new.bin" "$old" "$i" --order meta-last
"$py" -c 'import random, sys; sys.stdout.buffer.write(random.Random(200).randbytes(204800))' >"$tmp/random.dat"
i=$(img rnd)
mcopy -i "$i" "$tmp/random.dat" ::RANDOM.DAT
case_ "random_200k_file_data_first_not_firmware_no_reset" refuse:DB_ERR_NOT_FIRMWARE:noreset "" \
    "$old" "$i" --order meta-last

# --- 11. STATUS.TXT read back before the drive is detached is complete
i=$(img st)
mcopy -i "$i" "$tmp/new.uf2" ::NEW.UF2
case_ "uf2_commit_seen_without_eject" "done" "$tmp/new.bin" "$old" "$i" --order meta-last --no-eject
rm -f "$tmp/status.txt"
mcopy -n -i "$tmp/rb.img" ::STATUS.TXT "$tmp/status.txt" 2>/dev/null || true
verdict=$("$py" - "$itg" "$tmp/rb.img" "$tmp/status.txt" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import hostfs
v = hostfs.Volume(sys.argv[2])
try:
    text = open(sys.argv[3], "rb").read()
except OSError:
    print("no STATUS.TXT on the read-back disk")
    sys.exit()
off = v.find("STATUS.TXT")
size = hostfs.struct.unpack_from("<I", v.img, off + 28)[0]
data = v.img[v.cluster_off(v.first_cluster(off)):][:v.cluster_bytes]
problems = []
core = text[:-2].rstrip(b" ")  # the text, then space padding to a fixed size, then CRLF
if not text.endswith(b"\r\n") or not core.endswith(b"\r\n") or not core.split(b"\r\n")[-2].startswith(b"App: "):
    problems.append("does not end with the App: line and CRLF (ends %r)" % text[-30:])
if data[size:size + 1] not in (b"", b"\0"):
    problems.append("cut: the entry says %d bytes, the sector holds more text (%r...)" % (size, bytes(data[size:size + 20])))
print("; ".join(problems))
PY
)
if [ -z "$verdict" ]; then
    echo "PASS status_txt_read_back_before_detach_is_complete: $(stat -c %s "$tmp/status.txt") bytes, ends with App: line"
    pass=$((pass + 1))
else
    echo "FAIL status_txt_read_back_before_detach_is_complete: $verdict"
    failed+=(status_txt_read_back_before_detach_is_complete)
fi

# --- 12. a UF2 written to the raw device, no file at all
i=$(img raw)
hostfs raw "$i" "$tmp/new.uf2"
case_ "raw_uf2_without_a_file_then_eject_commits_exact" "done" "$tmp/new.bin" "$old" "$i"
case_ "raw_uf2_without_a_file_no_eject_commits_exact" "done" "$tmp/new.bin" "$old" "$i" --no-eject

echo "host_behaviour: $pass passed, ${#failed[@]} failed"
for n in "${failed[@]}"; do echo "  failing: $n"; done
[ ${#failed[@]} -eq 0 ]
