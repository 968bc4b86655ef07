# dropboot: one entry point for people and CI.
#   make        install missing Debian packages, build host programs and the
#               firmware, run the simulated-device demo
#   make check  build, then run every test (unit, integration, e2e)
#   make e2e    only the end-to-end tests through the real Linux kernel in QEMU
#   make fuzz   the libFuzzer harnesses, FUZZ_SECONDS each (default 15)
BUILD_HOST := build/host
BUILD_FW := build/nucleo_l4r5zi
BUILD_FW_F411 := build/weact_blackpill_f411
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps host firmware demo check unit e2e fuzz clean

all: deps host firmware demo

deps:
	@bash scripts/install-deps.sh

$(BUILD_HOST)/CMakeCache.txt:
	cmake -S . -B $(BUILD_HOST) -DCMAKE_BUILD_TYPE=Debug

host: $(BUILD_HOST)/CMakeCache.txt
	cmake --build $(BUILD_HOST) -j $(JOBS)

# Every board; each build fails when its bootloader outgrows its region
# (NUCLEO-L4R5ZI 32 KB, Black Pill F411 48 KB).
firmware:
	$(MAKE) -f ports/stm32l4r5/firmware.mk BUILD=$(BUILD_FW)
	$(MAKE) -f ports/stm32f411/firmware.mk BUILD=$(BUILD_FW_F411)

demo: host
	bash scripts/demo.sh

unit: deps host
	cd $(BUILD_HOST) && ctest --output-on-failure -j $(JOBS)

check: unit firmware fuzz e2e

fuzz: deps
	bash tests/fuzz/run.sh

e2e: deps host
	bash tests/e2e/run.sh

clean:
	rm -rf build
