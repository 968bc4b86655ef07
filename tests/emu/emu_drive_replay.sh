#!/usr/bin/env bash
# tests/integration/drive_replay.sh, written for dropboot-sim, run against the
# real firmware: the same replays through the emulated chip's USB, but for
# the whole-app-area cases (minutes each in the emulator; DROPBOOT_LARGE=0).
source "$(dirname "$0")/emu_lib.inc"
DROPBOOT_LARGE=0 DROPBOOT_SIM=$emu_bin bash "$src/tests/integration/drive_replay.sh"
