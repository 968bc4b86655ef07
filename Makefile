# dropboot: one entry point for people and CI.
#   make        install missing Debian packages, build host programs and the
#               firmware, run the simulated-device demo
#   make check  build, then run every test (unit, integration, e2e), the
#               unit tests also on the F411's flash geometry (build/host-f411)
#   make e2e    only the end-to-end tests through the real Linux kernel in QEMU
#   make fuzz   the libFuzzer harnesses, FUZZ_SECONDS each (default 15)
#   make bench  figures of the real firmware on dropboot-emu (virtual time)
BUILD_HOST := build/host
BUILD_HOST_F411 := build/host-f411
BUILD_FW := build/nucleo_l4r5zi
BUILD_FW_F411 := build/weact_blackpill_f411
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps host firmware demo check unit unit-f411 e2e fuzz bench clean

all: deps host firmware demo

deps:
	@bash scripts/install-deps.sh

$(BUILD_HOST)/CMakeCache.txt:
	cmake -S . -B $(BUILD_HOST) -DCMAKE_BUILD_TYPE=Debug

host: $(BUILD_HOST)/CMakeCache.txt
	cmake --build $(BUILD_HOST) -j $(JOBS)

# Every board; each build fails when its bootloader outgrows its code space
# (NUCLEO-L4R5ZI 24 KB, Black Pill F411 32 KB: the region less the record log).
firmware:
	$(MAKE) -f ports/stm32l4r5/firmware.mk BUILD=$(BUILD_FW)
	$(MAKE) -f ports/stm32f411/firmware.mk BUILD=$(BUILD_FW_F411)

demo: host
	bash scripts/demo.sh

unit: deps host
	cd $(BUILD_HOST) && ctest --output-on-failure -j $(JOBS)

# The core and the simulator built for the F411 (sectors of 16-128 KB, the
# record log in sectors 2-3, one slot: no A/B): every unit test that is not
# about the L4R5 itself.
$(BUILD_HOST_F411)/CMakeCache.txt:
	cmake -S . -B $(BUILD_HOST_F411) -DCMAKE_BUILD_TYPE=Debug -DDB_CHIP=stm32f411

unit-f411: deps $(BUILD_HOST_F411)/CMakeCache.txt
	cmake --build $(BUILD_HOST_F411) -j $(JOBS)
	cd $(BUILD_HOST_F411) && ctest --output-on-failure -j $(JOBS)

check: unit unit-f411 firmware fuzz e2e

fuzz: deps
	bash tests/fuzz/run.sh

# The e2e guest against dropboot-sim, then its core copies (UF2, BIN, HEX,
# left mounted, eject then blinky blinks) and refusals (wrong family, HEX at
# the bootloader, half a UF2, with and without an old app) against the real
# firmware binary in dropboot-emu, for each board: the NUCLEO-L4R5ZI and the
# Black Pill (E2E_BOARD; its guest build is build/guest-f411). ~2 min each;
# the whole emu run takes ~13 min: E2E_DEVICE=emu bash tests/e2e/run.sh.
e2e: deps host
	bash tests/e2e/run.sh
	E2E_DEVICE=emu E2E_ONLY='@(1[0-4]-*|70-*)' bash tests/e2e/run.sh
	E2E_BOARD=weact_blackpill_f411 E2E_DEVICE=emu E2E_ONLY='@(1[0-4]-*|70-*)' bash tests/e2e/run.sh

bench: deps host firmware
	bash tests/emu/bench.sh

clean:
	rm -rf build
