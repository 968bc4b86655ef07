# 50-tool.sh: the host tool `dropboot` against simulated boards through the
# real kernel: list, info, flash a HEX (the tool converts it), a file for
# another family (refused by the tool's pre-check, and with --force by the
# device itself, whose STATUS.TXT the tool reads after the drive comes back),
# and two boards at once (list shows both; flash without --serial refuses,
# naming both; --serial picks one).
#
# The tool mounts nothing, like on a desktop where an automounter mounts each
# drive that appears. Here a small loop plays the automounter: it mounts each
# disk once when it appears (noatime, as nothing here needs access dates),
# leaves a disk someone unmounted alone, and lazily unmounts a mount whose
# disk has left. The tool runs with --unmount (the guest is root): a vfat
# still mounted when its device vanishes makes the kernel log "FAT-fs: unable
# to read boot sector" at the clean-up unmount, which the run's kernel-log
# check counts; a desktop user without --unmount sees that line too.

command -v dropboot >/dev/null || { skip tool "no dropboot in the guest"; return; }

automount() {
    local seen="" handled="" keep d now m dev mp
    while :; do
        now=""
        for d in $(awk '$4 ~ /^sd[a-z]+$/ { print $4 }' /proc/partitions); do
            grep -q " ${d}1\$" /proc/partitions && d=${d}1
            now="$now $d"
            case " $handled " in *" $d "*) continue ;; esac
            # a disk seen on the previous round too: its partition scan is over
            case " $seen " in *" $d "*) ;; *) continue ;; esac
            mkdir -p /mnt/$SC-$d
            if mount -t vfat -o noatime /dev/$d /mnt/$SC-$d 2>/dev/null; then
                log "automount: /dev/$d on /mnt/$SC-$d"
                handled="$handled $d"
            fi
        done
        keep=""
        for d in $handled; do
            case " $now " in *" $d "*) keep="$keep $d" ;; esac
        done
        handled=$keep
        seen=$now
        grep " /mnt/$SC-" /proc/mounts | while read -r dev mp m; do
            grep -q " ${dev#/dev/}\$" /proc/partitions && continue
            umount -l $mp 2>/dev/null && log "automount: $dev left, $mp unmounted"
        done
        usleep 200000
    done
}
automount &
echo $! >>$SCDIR/pids

# board_start NAME SERIAL: like lib.sh's dev_start (same variables, ports and
# clean-up), but each board gets its own serial number (dropboot-sim's global
# --serial), which the tool tells boards apart by.
board_start() {
    DEV=$1
    DEV_FLASH=$SCDIR/$1.flash
    DEV_SEQ=$((DEV_SEQ + 1))
    DEV_PORT=$((4000 + SC_NUM * 10 + DEV_SEQ))
    DEV_MNT=/mnt/$SC-$1
    DEV_DISK=""
    dropboot-sim --flash $DEV_FLASH --serial $2 serve --usbip 127.0.0.1:$DEV_PORT >$SCDIR/$1.sim.log 2>&1 &
    DEV_SIM=$!
    echo $DEV_SIM >>$SCDIR/pids
    usbip_attach --follow --wait 3 127.0.0.1 $DEV_PORT 1-1 >$SCDIR/$1.attach.log 2>&1 &
    DEV_ATT=$!
    echo $DEV_ATT >>$SCDIR/pids
    log "board $1: serial $2, dropboot-sim serve on port $DEV_PORT (pid $DEV_SIM)"
}

# release_drives: unmount what the automounter mounted, before a device is
# stopped (a board pulled out while mounted; see above).
release_drives() {
    grep " /mnt/$SC-" /proc/mounts | while read -r dev mp m; do
        umount $mp && log "unmounted $mp"
    done
}

# mounted_drives N [SECONDS]: until `dropboot list` shows N drives.
mounted_drives() {
    local want=$1 tenths=$((${2:-20} * 10)) i=0 n
    while :; do
        n=$(dropboot list 2>/dev/null | tail -n +2 | wc -l)
        [ "$n" = "$want" ] && return 0
        i=$((i + 1))
        [ $i -ge $tenths ] && { echo "dropboot list shows $n drives, want $want:"; dropboot list; return 1; }
        usleep 100000
    done
}

serial_of() { # the serial the simulator made of what it was given
    dropboot list --json | sed -n "s/.*\"serial\": \"\([0-9A-F]*$1\)\".*/\1/p"
}

# expect_exit CODE TEXT CMD...: CMD ends with exit CODE and prints TEXT.
expect_exit() {
    local want=$1 text=$2 rc
    shift 2
    "$@" >$SCDIR/tool.out 2>&1
    rc=$?
    cat $SCDIR/tool.out
    [ $rc = $want ] || { echo "exit $rc, want $want"; return 1; }
    grep -q -- "$text" $SCDIR/tool.out || { echo "no '$text' in the output"; return 1; }
}

# --- one board: list, info, flash a HEX -------------------------------------------
board_start one 0A1
check one-mounted mounted_drives 1 || return
S1=$(serial_of 0A1)
check list-one expect_exit 0 "$S1" dropboot list
check list-json expect_exit 0 "\"model\": \"NUCLEO-L4R5ZI" dropboot list --json
check info expect_exit 0 "Last result:  DB_IDLE" dropboot info
check flash-hex expect_exit 0 "app started" dropboot flash $FW/small.hex --unmount --timeout 8
check app-started wait_app_started 15
check flash-holds-app flash_has_app $FW/small.bin
check boot-decision-start-app sim_says "start app at 0x08008000"
log "$(cat $SCDIR/tool.out | tr '\n' '|')"
dev_stop

# --- a file for another family ------------------------------------------------------
board_start two 0B2
check two-mounted mounted_drives 1 || return
check precheck-refuses-family expect_exit 1 "chip family 0xe48bff56 (RP2040); this board takes 0x00ff6919 (STM32L4)" \
    dropboot flash $FW/wrongfamily.uf2
check precheck-copied-nothing sh -c "! ls /mnt/$SC-*/NEW.UF2 2>/dev/null"
# --force: the device judges, resets, comes back as a drive; the tool reads STATUS.TXT
check device-refuses-family expect_exit 1 "refused by the device: DB_ERR_UF2_FAMILY" \
    dropboot flash $FW/wrongfamily.uf2 --force --unmount --timeout 15
log "$(tr '\n' '|' <$SCDIR/tool.out)"
check still-a-drive mounted_drives 1
check info-after-refusal expect_exit 0 "Last result:  DB_ERR_UF2_FAMILY" dropboot info
check app-area-untouched flash_app_erased
release_drives
dev_stop

# --- two boards at once ---------------------------------------------------------------
board_start three 0C3
D3_SIM=$DEV_SIM D3_FLASH=$DEV_FLASH D3_NAME=$DEV D3_ATT=$DEV_ATT
board_start four 0D4
check both-mounted mounted_drives 2 || return
S3=$(serial_of 0C3)
S4=$(serial_of 0D4)
check list-shows-both sh -c "dropboot list >$SCDIR/list.out; cat $SCDIR/list.out; grep -q $S3 $SCDIR/list.out && grep -q $S4 $SCDIR/list.out"
check flash-refuses-to-choose expect_exit 3 "2 dropboot drives attached" dropboot flash $FW/small.hex
check refusal-names-both sh -c "grep -q $S3 $SCDIR/tool.out && grep -q $S4 $SCDIR/tool.out"
# --serial picks board three; board four stays a drive
check flash-by-serial expect_exit 0 "app started" dropboot flash $FW/second.hex --serial $S3 --unmount --timeout 8
DEV=$D3_NAME DEV_SIM=$D3_SIM DEV_FLASH=$D3_FLASH DEV_ATT=$D3_ATT
check three-app-started wait_app_started 15
check three-holds-app flash_has_app $FW/second.bin
check four-still-a-drive mounted_drives 1
check four-untouched expect_exit 0 "Last result:  DB_IDLE" dropboot info --serial $S4
release_drives
