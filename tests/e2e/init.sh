#!/bin/busybox sh
# PID 1 of the e2e guest (copied to /init by run.sh).
#
# Loads the kernel modules (list made by run.sh from the modules' own
# dependencies), runs every /e2e/scenarios/NN-*.sh in order, each in its own
# shell with /e2e/lib.sh, scans the kernel log, prints "N passed, M failed"
# and powers off. A scenario's checks print "PASS name" / "FAIL name: why".
/bin/busybox mkdir -p /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "E2E-INIT uptime=$(cut -d' ' -f1 /proc/uptime)"
mkdir -p /tmp/e2e
: >/tmp/e2e/results

# Kernel log levels 0-3 stay off the console so it carries only our lines;
# dmesg keeps everything.
echo 1 >/proc/sys/kernel/printk

result() { echo "$1" ; echo "$1" >>/tmp/e2e/results; }

for m in $(cat /modules/order); do
    args=""
    case $m in
    usb_storage) args="delay_use=0" ;; # no 1 s wait before scanning a new disk
    esac
    if ! out=$(insmod /modules/$m.ko $args 2>&1); then
        result "FAIL boot/insmod-$m: $out"
    fi
done
ip link set lo up
if [ -w /sys/devices/platform/vhci_hcd.0/attach ]; then
    result "PASS boot/vhci-hcd-ready"
else
    result "FAIL boot/vhci-hcd-ready: /sys/devices/platform/vhci_hcd.0/attach missing"
fi
dmesg >/tmp/e2e/dmesg-boot.txt
echo "E2E-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)"

for s in /e2e/scenarios/[0-9][0-9]-*.sh; do
    [ -e "$s" ] || continue
    name=$(basename "$s" .sh)
    echo "=== $name (uptime $(cut -d' ' -f1 /proc/uptime))"
    before=$(wc -l </tmp/e2e/results)
    timeout -s KILL 300 sh -c ". /e2e/lib.sh && scenario_begin $name && . $s; scenario_end"
    rc=$?
    # Leftovers of a scenario that died half way: its processes and mounts.
    for pid in $(cat /tmp/e2e/$name/pids 2>/dev/null); do
        kill "$pid" 2>/dev/null
    done
    for mnt in $(grep " /mnt/$name" /proc/mounts | cut -d' ' -f2); do
        umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
    done
    after=$(wc -l </tmp/e2e/results)
    if [ "$rc" != 0 ]; then
        result "FAIL $name/finished: the scenario ended with status $rc (137 = killed after 300 s)"
    elif [ "$before" = "$after" ]; then
        result "FAIL $name/finished: the scenario made no check"
    fi
done

# The kernel's view of all of it. Lines a scenario caused on purpose and
# checked itself (it appends them, whole, to klog-expected) are left out.
dmesg >/tmp/e2e/dmesg.txt
touch /tmp/e2e/klog-expected
grep -v -x -F -f /tmp/e2e/klog-expected /tmp/e2e/dmesg.txt >/tmp/e2e/dmesg-scan.txt
ioerr=$(grep -c 'I/O error' /tmp/e2e/dmesg-scan.txt)
faterr=$(grep -c 'FAT-fs' /tmp/e2e/dmesg-scan.txt)
resets=$(grep -c 'reset full-speed USB device' /tmp/e2e/dmesg-scan.txt)
attaches=$(grep -c 'new full-speed USB device' /tmp/e2e/dmesg.txt)
# enumeration trouble, failed commands (sd prints sense data and results),
# usb-storage's error handling
usberr=$(grep -E 'descriptor read|not accepting address|unable to enumerate|Sense Key|FAILED Result|timing out command|device offlined|rejecting I/O' /tmp/e2e/dmesg-scan.txt)
[ "$ioerr" = 0 ] && result "PASS kernel-log/no-io-error" ||
    result "FAIL kernel-log/no-io-error: $ioerr lines say I/O error"
[ "$faterr" = 0 ] && result "PASS kernel-log/no-fat-error" ||
    result "FAIL kernel-log/no-fat-error: $faterr FAT-fs lines"
[ -z "$usberr" ] && result "PASS kernel-log/no-usb-or-scsi-errors" ||
    result "FAIL kernel-log/no-usb-or-scsi-errors: $(echo "$usberr" | head -n 3 | tr '\n' '|')"
# A healthy run resets no device; a few error-recovery resets are tolerated,
# a loop of them is a defect.
[ "$resets" -le 3 ] && result "PASS kernel-log/no-reset-loop" ||
    result "FAIL kernel-log/no-reset-loop: $resets USB device resets"
echo "=== kernel log: $attaches USB devices attached, $resets resets, $ioerr I/O errors, $faterr FAT-fs lines ($(grep -c . /tmp/e2e/klog-expected) expected lines left out)"
echo "=== kernel log since boot about USB, SCSI disks and FAT (counted; timestamps, numbers and sdX folded):"
tail -n +$(($(wc -l </tmp/e2e/dmesg-boot.txt) + 1)) /tmp/e2e/dmesg.txt |
    grep -E 'usb|scsi|sd[a-z]|FAT|vhci|usbip|Buffer|I/O' | sed 's/^\[[ 0-9.]*\] //' |
    sed -E 's/usb [0-9]+-[0-9]+/usb X-X/; s/number [0-9]+/number N/; s/sd[a-z]+/sdX/g; s/scsi host[0-9]+/scsi hostN/; s/[0-9]+:0:0:0/N:0:0:0/; s/port [0-9]+/port N/' |
    sort | uniq -c | sort -rn | head -n 40 | sed 's/^/KLOG /'

passed=$(grep -c '^PASS ' /tmp/e2e/results)
failed=$(grep -c '^FAIL ' /tmp/e2e/results)
skipped=$(grep -c '^SKIP ' /tmp/e2e/results)
if [ "$failed" != 0 ]; then
    echo "=== full kernel log (dmesg) because something failed:"
    sed 's/^/DMESG /' /tmp/e2e/dmesg.txt
fi
echo "=== uptime $(cut -d' ' -f1 /proc/uptime), memory $(free -m | awk '/^Mem/ { print $3 " MB used of " $2 }')"
echo "$passed passed, $failed failed, $skipped skipped"
sync
poweroff -f
