#!/usr/bin/env bash
# Flash bytes of each feature of the L4R5 bootloader (docs/size.md): the
# firmware built once as it is and once per feature with that feature cut
# out (a config switch where there is one, else a scratch edit of a copy of
# the sources that leaves the rest working); the difference is the
# feature's cost in the LTO image. Nothing here is a build option of the
# product: the scratch edits exist only in build/featcost/.
#   scripts/size_features.sh [FEATURE...]   (default: all)
# JOBS: build parallelism (default 2).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/build/featcost
mkdir -p "$out"

# NAME|what it is|how it is cut: edits FILE@@OLD@@NEW (\n for a newline),
# separated by | (so an edit cannot contain one), or DEFS=-D flags.
features() {
cat <<'LIST'
ab|A/B slots (bank swap, slot choice, trial boot)|DEFS=-DDB_AB_SLOTS=0 -DDB_TRIAL_BOOTS=0u
trial|trial boot and rollback only (A/B kept)|DEFS=-DDB_TRIAL_BOOTS=0u
hex|Intel HEX format (stream row and decoder)|core/update.c@@    {BOOTREC_FMT_HEX, hex_detect, hex_open, hex_write, hex_complete},\n@@|core/update.c@@STREAM_COUNT == 3u@@STREAM_COUNT == 2u
bin|BIN format (stream row: detection by vector table, growth, tail)|core/update.c@@    {BOOTREC_FMT_BIN, bin_detect, bin_open, bin_write, bin_complete},\n@@|core/update.c@@STREAM_COUNT == 3u@@STREAM_COUNT == 2u
status_text|STATUS.TXT sentences (the Result: code stays)|core/status.c@@    return ((unsigned)s < DB_STATUS_COUNT) ? status_entry(status_texts, (unsigned)s) : "unknown status";@@    (void)s; (void)status_texts; return "";
status_names|STATUS.TXT Result: codes (DB_ERR_... names)|core/status.c@@    return ((unsigned)s < DB_STATUS_COUNT) ? status_entry(status_names, (unsigned)s) : "DB_UNKNOWN";@@    (void)s; (void)status_names; return "";
status_file|STATUS.TXT whole file body|core/vfat.c@@    case OWN_STATUS: {\n        uint32_t len = vfat_status_text(v, out, VFAT_STATUS_FILE_BYTES - sizeof STATUS_END + 2u);@@    case OWN_STATUS: {\n        uint32_t len = 0;\n        (void)v;
current|CURRENT.UF2 read-back synthesis|core/vfat.c@@    if (block < current_blocks(v))\n        synth_current(v, block, b);@@    (void)block;
info|INFO_UF2.TXT and INDEX.HTM text|core/vfat.c@@    case OWN_INFO: return text_info(out, DB_SECTOR_SIZE);\n    case OWN_INDEX: return text_index(out, DB_SECTOR_SIZE);@@
subdirs|following subdirectories (copies into a folder)|core/vfat.c@@static void collect_subdirs(struct vfat *v)\n{\n    v->subdir_count = 0;@@static void collect_subdirs(struct vfat *v)\n{\n    v->subdir_count = 0;\n    if (v->subdir_count == 0u) return;
reformat|following a host reformat (another FAT16 layout)|core/vfat.c@@    if (memcmp(&g, &v->g, sizeof g) == 0)\n        return true;@@    return true;
usb_strings|USB string descriptors (manufacturer, product, serial)|usb/usbd.c@@    if (type != USBD_DESC_STRING)\n        return 0;@@    return 0;
LIST
}

build() { # NAME DEFS: the L4R5 bootloader from $out/NAME/src; prints its flash bytes
    local d=$out/$1
    make -s -C "$d/src" -f ports/stm32l4r5/firmware.mk BUILD="$d/fw" CHIP_DEFS="$2" JOBS="${JOBS:-2}" \
        -j "${JOBS:-2}" "$d/fw/dropboot.elf" >"$d/build.log" 2>&1 || { echo "build of $1 failed: $d/build.log" >&2; return 1; }
    arm-none-eabi-size -A "$d/fw/dropboot.elf" |
        awk '$1==".isr_vector"||$1==".text"||$1==".ARM.exidx"||$1==".data"{s+=$2} END{print s}'
}

copy() { # NAME: a fresh copy of the firmware's sources
    rm -rf "$out/$1"
    mkdir -p "$out/$1/src"
    (cd "$src" && cp -r core usb ports examples "$out/$1/src/")
}

copy base
base=$(build base "")
echo "base: $base bytes of flash (L4R5, LTO)"
want=" $* "
features | while IFS='|' read -r name what how; do
    [ $# -eq 0 ] || [[ $want == *" $name "* ]] || continue
    copy "$name"
    defs=""
    rest=$how
    if [[ $how == DEFS=* ]]; then
        defs=${how#DEFS=}
        rest=""
    fi
    # the edits: FILE@@OLD@@NEW, separated by |
    echo "$how" | tr '|' '\n' | { grep '@@' || true; } | while IFS= read -r edit; do
        python3 - "$out/$name/src" "$edit" <<'PY' || exit 1
import sys
root, edit = sys.argv[1], sys.argv[2]
path, old, new = edit.split("@@")
old = old.replace("\\n", "\n")
new = new.replace("\\n", "\n")
p = root + "/" + path
s = open(p).read()
if old not in s:
    sys.exit("size_features: the text to cut is not in %s any more: %r" % (path, old))
s = s.replace(old, new, 1)
# what the cut leaves unused is not an error in a scratch build
pragma = '#pragma GCC diagnostic ignored "-Wunused-function"\n'
if not s.startswith(pragma):
    s = pragma + s
open(p, "w").write(s)
PY
    done || { echo "$name: edit failed" >&2; continue; }
    : "$rest"
    n=$(build "$name" "$defs") || continue
    printf '%-13s %5d bytes  %s\n' "$name" $((base - n)) "$what"
done
