#!/usr/bin/env bash
# tests/integration/drive_os_patterns.sh, written for dropboot-sim, run against the
# real firmware: the same replays through the emulated chip's USB, but for
# the 1 MB copies (DROPBOOT_LARGE=0: minutes each in the emulator).
source "$(dirname "$0")/emu_lib.inc"
DROPBOOT_LARGE=0 DROPBOOT_SIM=$emu_bin bash "$src/tests/integration/drive_os_patterns.sh"
