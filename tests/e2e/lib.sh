# lib.sh: helpers for e2e scenarios, sourced (busybox ash) by the guest's init
# in each scenario's own shell. See tests/e2e/README.md for how to write one.
#
# A device is one dropboot-sim serving a flash file over USB/IP on loopback,
# with a usbip_attach --follow next to it that re-attaches the drive whenever
# the simulated bootloader resets and comes back as a drive.

FW=/e2e/fw                 # test firmware made by run.sh
# The board (run.sh writes /e2e/board.env from its firmware build); these
# defaults are the NUCLEO-L4R5ZI's.
BOARD=nucleo_l4r5zi
APP_BASE=0x08008000        # where the app's vector table goes
APP_OFFSET=32768           # the app area's offset in the flash file
FAMILY=0x00ff6919          # STM32L4, the family this board takes
BOOT_CODE=24576            # the bootloader's code region at the start of flash (then its record log)
BLINKY_LED=green           # the LED the example app toggles
AB_SLOTS=1                 # DB_AB_SLOTS: 1 two slots (updates go to the other one), 0 one slot
[ -f /e2e/board.env ] && . /e2e/board.env
VERSION=$(cat $FW/version) # DB_VERSION from core/config.h
RESULTS=/tmp/e2e/results

result() { echo "$1"; echo "$1" >>$RESULTS; }
pass() { result "PASS $SC/$1"; }
fail() { result "FAIL $SC/$1: $2"; return 1; }
skip() { result "SKIP $SC/$1: $2"; }
# Progress on the console, also from inside a check (whose output is captured).
log() { echo "  ($SC $(cut -d' ' -f1 /proc/uptime)s) $*" >/dev/console; }

# check NAME CMD [ARGS...]: PASS if CMD succeeds, else FAIL with the last
# lines it printed. Returns CMD's status, so a scenario can stop: check ... || return
check() {
    local name=$1
    shift
    if "$@" >$SCDIR/check.out 2>&1; then
        pass "$name"
        return 0
    fi
    fail "$name" "$* -> $(tail -n 6 $SCDIR/check.out | tr '\n' '|')"
    return 1
}

scenario_begin() {
    SC=$1
    SCDIR=/tmp/e2e/$SC
    mkdir -p $SCDIR
    : >$SCDIR/pids
    DEV_SEQ=0
    SC_NUM=$(echo "$SC" | sed 's/^0*\([0-9]\)/\1/; s/-.*//') # "05-x" -> 5, no octal surprise
}

scenario_end() {
    dev_stop
    return 0
}

# --- the device ----------------------------------------------------------------

# dev_start NAME [SERVE OPTIONS...]: serve $SCDIR/NAME.flash (the simulator
# creates it erased when missing; copy a fixture there first to start from
# it) and follow it with usbip_attach. Each device gets its own TCP port.
dev_start() {
    DEV=$1
    shift
    DEV_FLASH=$SCDIR/$DEV.flash
    DEV_SEQ=$((DEV_SEQ + 1))
    DEV_PORT=$((4000 + SC_NUM * 10 + DEV_SEQ))
    DEV_MNT=/mnt/$SC-$DEV
    DEV_DISK=""
    # dropboot-sim's own options go before the verb: SIM_OPTIONS, and a
    # "--serial S" given here among serve's options is moved there too.
    local global="${SIM_OPTIONS:+ $SIM_OPTIONS}" serve="" a
    while [ $# -gt 0 ]; do
        a=$1
        shift
        if [ "$a" = --serial ] && [ $# -gt 0 ]; then
            global="$global --serial $1"
            shift
        else
            serve="$serve $a"
        fi
    done
    set -- $serve
    dropboot-sim --flash $DEV_FLASH $global serve --usbip 127.0.0.1:$DEV_PORT "$@" >$SCDIR/$DEV.sim.log 2>&1 &
    DEV_SIM=$!
    echo $DEV_SIM >>$SCDIR/pids
    usbip_attach --follow --wait 3 127.0.0.1 $DEV_PORT 1-1 >$SCDIR/$DEV.attach.log 2>&1 &
    DEV_ATT=$!
    echo $DEV_ATT >>$SCDIR/pids
    log "device $DEV: dropboot-sim$global serve on port $DEV_PORT $* (pid $DEV_SIM)"
    dev_save
}

# Several devices at once: each one's variables are kept in $SCDIR/NAME.vars;
# dev_use NAME makes NAME the current device (the one the helpers act on).
dev_save() {
    [ -n "$DEV" ] || return 0
    echo "DEV=$DEV DEV_FLASH=$DEV_FLASH DEV_PORT=$DEV_PORT DEV_MNT=$DEV_MNT DEV_SIM=$DEV_SIM DEV_ATT=$DEV_ATT DEV_DISK=$DEV_DISK DEV_VOL=$DEV_VOL" >$SCDIR/$DEV.vars
}
dev_use() {
    dev_save
    . $SCDIR/$1.vars
}

# Tenths of a second since boot: deadlines that hold however slow TCG is.
now_ds() {
    local u
    read u _ </proc/uptime
    echo $((${u%.*} * 10 + $(echo ${u#*.} | cut -c1)))
}

# True while process $1 runs (a zombie, which kill -0 still finds, has ended).
alive() {
    [ -r /proc/$1/stat ] || return 1
    ! grep -q '^[0-9]* (.*) Z' /proc/$1/stat 2>/dev/null
}

# dev_stop: end the current device's simulator and follower, unmount.
dev_stop() {
    [ -n "$DEV" ] || return 0
    if grep -q " $DEV_MNT " /proc/mounts; then
        umount $DEV_MNT 2>/dev/null || umount -l $DEV_MNT
    fi
    for pid in $DEV_ATT $DEV_SIM; do
        alive $pid && kill $pid 2>/dev/null
        wait $pid 2>/dev/null
    done
    DEV=""
    DEV_ATT=""
    DEV_SIM=""
}

# The current device's disk in /proc/partitions: a whole SCSI disk on the
# vhci port its usbip_attach reported last (any disk when ANY_DISK=1).
disk_now() {
    local d port
    port=$(sed -n 's/^attached port \([0-9]*\) .*/\1/p' $SCDIR/$DEV.attach.log 2>/dev/null | tail -n 1)
    [ -n "$port" ] || [ "${ANY_DISK:-0}" = 1 ] || return 0
    # status lists the high-speed hub's ports first, then as many SuperSpeed ones
    port=$((port % $(grep -c '^hs ' /sys/devices/platform/vhci_hcd.0/status)))
    for d in $(awk '$4 ~ /^sd[a-z]+$/ { print $4 }' /proc/partitions); do
        # a hub port's USB device is <bus>-<port number counted from 1>
        if [ "${ANY_DISK:-0}" = 1 ] || readlink -f /sys/block/$d | grep -q -E "/vhci_hcd\.0/usb[0-9]+/[0-9]+-$((port + 1))/"; then
            echo $d
        fi
    done | tail -n 1
}

# wait_disk [SECONDS]: until the drive is a block device; sets DEV_DISK
# (sdX) and DEV_VOL (the FAT volume: sdX1 with a partition table, else sdX).
wait_disk() {
    local end=$(($(now_ds) + ${1:-20} * 10)) why=""
    while :; do
        DEV_DISK=$(disk_now)
        [ -n "$DEV_DISK" ] && [ -b /dev/$DEV_DISK ] && break
        if [ -n "$DEV_ATT" ] && ! alive $DEV_ATT; then
            why="usbip_attach ended"
        elif [ $(now_ds) -ge $end ]; then
            why="no disk after ${1:-20} s"
        fi
        if [ -n "$why" ]; then
            echo "$why; attach log: $(tail -n 3 $SCDIR/$DEV.attach.log | tr '\n' ' ') sim log: $(tail -n 3 $SCDIR/$DEV.sim.log 2>/dev/null | tr '\n' ' ')"
            return 1
        fi
        usleep 100000
    done
    usleep 200000 # let the partition scan finish
    if grep -q " ${DEV_DISK}1\$" /proc/partitions; then DEV_VOL=/dev/${DEV_DISK}1; else DEV_VOL=/dev/$DEV_DISK; fi
    dev_save
    log "disk $DEV_DISK, volume $DEV_VOL ($(awk -v d=$DEV_DISK '$4 == d { print $3 }' /proc/partitions) KB)"
}

# wait_gone [SECONDS]: until the drive has left (the device reset itself).
wait_gone() {
    local end=$(($(now_ds) + ${1:-15} * 10))
    while grep -q " $DEV_DISK\$" /proc/partitions; do
        if [ $(now_ds) -ge $end ]; then
            echo "$DEV_DISK still there after ${1:-15} s"
            return 1
        fi
        usleep 100000
    done
    log "disk $DEV_DISK gone"
}

# wait_stays [SECONDS]: the drive is still there after SECONDS and the
# simulator still runs (nothing made it reset).
wait_stays() {
    sleep ${1:-3}
    grep -q " $DEV_DISK\$" /proc/partitions || { echo "$DEV_DISK disappeared"; return 1; }
    alive $DEV_SIM || { echo "dropboot-sim exited: $(tail -n 3 $SCDIR/$DEV.sim.log)"; return 1; }
}

# wait_app_started [SECONDS]: the simulator said "app started at $APP_BASE"
# and exited 0 (after a commit the app owns the USB port: no drive).
wait_app_started() {
    local end=$(($(now_ds) + ${1:-15} * 10)) rc
    while alive $DEV_SIM; do
        if [ $(now_ds) -ge $end ]; then
            echo "dropboot-sim still running after ${1:-15} s: $(tail -n 3 $SCDIR/$DEV.sim.log | tr '\n' ' ')"
            return 1
        fi
        usleep 100000
    done
    wait $DEV_SIM
    rc=$?
    log "dropboot-sim exited $rc: $(tail -n 1 $SCDIR/$DEV.sim.log)"
    [ $rc = 0 ] || { echo "dropboot-sim exit status $rc: $(tail -n 3 $SCDIR/$DEV.sim.log | tr '\n' ' ')"; return 1; }
    grep -q "app started at $APP_BASE" $SCDIR/$DEV.sim.log || { echo "no 'app started at $APP_BASE' in the simulator's output"; return 1; }
}

# app_started_or_drive [SECONDS]: after the reset, either the app started, or
# (the stay request still held) the drive came back.
app_started_or_drive() {
    local end=$(($(now_ds) + ${1:-15} * 10))
    while alive $DEV_SIM; do
        if [ -n "$(disk_now)" ]; then
            log "the drive came back (stay still held); stopping the simulator"
            return 0
        fi
        [ $(now_ds) -ge $end ] && { echo "neither app start nor drive after ${1:-15} s"; return 1; }
        usleep 100000
    done
    wait_app_started 1
}

dev_mount() {
    mkdir -p $DEV_MNT
    mount -t vfat $DEV_VOL $DEV_MNT
}

dev_umount() {
    umount $DEV_MNT
}

dev_eject() {
    eject /dev/$DEV_DISK
}

# attach_and_mount: the drive appears and mounts.
attach_and_mount() {
    check attach wait_disk 20 || return 1
    check mount dev_mount
}

# --- the flash file ----------------------------------------------------------------

# flash_has_app FILE: the app area starts with FILE's bytes.
flash_has_app() {
    local size off
    size=$(wc -c <$1)
    off=$(active_offset) || return 1
    dd if=$DEV_FLASH bs=4096 skip=$((off / 4096)) 2>/dev/null | head -c $size >$SCDIR/app-area.bin
    cmp $SCDIR/app-area.bin $1
}

# active_offset: where the app that starts lies in the flash file (L4R5 A/B:
# slot A at 0x8000, slot B at 0x108000; F411: one slot at 0x10000), from the
# simulator's boot decision, whose last " at 0x..." is the slot's address.
active_offset() {
    local addr
    addr=$(dropboot-sim --flash $DEV_FLASH status | sed -n 's/^start app at .* at \(0x[0-9a-f]*\)[,)].*/\1/p')
    [ -n "$addr" ] || { echo "no app would start" >&2; return 1; }
    echo $((addr - 0x08000000))
}

# flash_app_erased [BYTES]: the app area's first BYTES (default 64 KB) read as erased flash.
flash_app_erased() {
    local n=${1:-65536}
    dd if=$DEV_FLASH bs=4096 skip=$((APP_OFFSET / 4096)) 2>/dev/null | head -c $n >$SCDIR/app-area.bin
    head -c $n /dev/zero | tr '\000' '\377' | cmp $SCDIR/app-area.bin -
}

# flash_boot_region_erased: the simulated flash has no bootloader code in its
# first BOOT_CODE bytes (the record log follows them); nothing may ever
# write there.
flash_boot_region_erased() {
    local code=$BOOT_CODE
    head -c $code $DEV_FLASH >$SCDIR/boot-area.bin
    # E2E_DEVICE=emu: the region holds the bootloader binary itself, as flashed
    if [ -f /e2e/emu/boot-area.bin ]; then
        head -c $code /e2e/emu/boot-area.bin | cmp $SCDIR/boot-area.bin -
        return
    fi
    head -c $code /dev/zero | tr '\000' '\377' | cmp $SCDIR/boot-area.bin -
}

# sim_says TEXT: the simulator's boot decision for the flash file contains TEXT.
sim_says() {
    dropboot-sim --flash $DEV_FLASH status >$SCDIR/status.out 2>&1
    cat $SCDIR/status.out
    grep -q "$1" $SCDIR/status.out
}

# stay_option: the dropboot-sim option that starts it in the bootloader even
# with a valid app (an app's stay request, or the user button held), printed;
# fails when the simulator has none.
stay_option() {
    local o usage
    # serve's usage (printed for an unknown option) names its options
    usage=$(dropboot-sim --flash /tmp/e2e/probe.flash serve --no-such-option 2>&1)
    rm -f /tmp/e2e/probe.flash
    for o in --stay --button; do
        echo "$usage" | grep -q -- "$o\b" && { echo $o; return 0; }
    done
    return 1
}

# --- what a user does -----------------------------------------------------------------

# flash_cycle FILE HOW APP [held]: on the current device, copy FILE and end
# the way HOW says, then expect the reset, the app start and APP in flash.
#   sync    cp; sync; umount (right away, within the device's idle time)
#   umount  cp; umount (umount writes everything back)
#   eject   cp; sync; umount; eject (START STOP UNIT: the device resets at once)
# held: the device was started with stay_option; if that still holds at the
# reset, the drive comes back instead of the app: accepted, the flash and the
# boot decision without the option are checked all the same.
flash_cycle() {
    local file=$1 how=$2 app=$3 held=${4:-}
    attach_and_mount || return 1
    check "copy-$(basename $file)" cp $file $DEV_MNT/ || return 1
    case $how in
    sync) check sync sync && check umount dev_umount ;;
    umount) check umount dev_umount ;;
    eject) check sync sync && check umount dev_umount && check eject dev_eject ;;
    esac
    check reset wait_gone 15 || return 1
    if [ -n "$held" ]; then
        check committed app_started_or_drive 15 || return 1
        dev_stop
    else
        check app-started wait_app_started 15 || return 1
    fi
    check flash-holds-app flash_has_app $app
    check boot-region-untouched flash_boot_region_erased
    check boot-decision-start-app sim_says "start app at $APP_BASE"
}

# fixture_committed: the path of a flash file holding small.bin as a
# committed app, made once per guest run by a real update (a UF2 copy).
fixture_committed() {
    local f=/tmp/e2e/fixture-small.flash
    if [ ! -f $f ]; then
        local sc=$SC
        SC=$SC/fixture
        DEV_SEQ=8 # its own port: this runs in a subshell, the caller's count does not move
        dev_start fixture
        flash_cycle $FW/small.uf2 sync $FW/small.bin >/dev/console && cp $DEV_FLASH $f
        dev_stop
        SC=$sc
    fi
    [ -f $f ] && echo $f
}
