# Firmware build rules shared by the STM32 ports (owner: port). A chip's
# ports/<chip>/firmware.mk sets what differs and includes this file:
#   BUILD          output folder (build/<board>)
#   PORT, BOARD    the chip's and the board's folders
#   DB_BOOT_LIMIT  bytes the bootloader may take (its flash region, the CI limit)
#   APP_BASE       where the example app is linked (its .uf2's base)
#   UF2_FAMILY     the chip's UF2 family ID
#   CHIP_DEFS      -D overrides of core/config.h for this chip
# Outputs: $(BUILD)/dropboot.{elf,bin,hex,map}, per-object flash/RAM of the
# linked image in $(BUILD)/sizes.txt (from the map), and the example app
# $(BUILD)/blinky.{elf,bin,hex,uf2} (.uf2 only when the host tool
# build/host/dropboot exists). V=1 shows the full commands.
# Fails when the bootloader's text + data exceed DB_BOOT_LIMIT.

V ?= 0
Q := $(if $(filter 1,$(V)),,@)
HOST_TOOL ?= build/host/dropboot

CROSS ?= arm-none-eabi-
OPT ?= -Os
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
SIZE := $(CROSS)size

STM32 := ports/stm32
DWC2 := ports/dwc2

ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
# The chip's folder comes first: its chip.h, clock.h and register headers
# are the ones the shared files include.
CFLAGS := $(ARCH) -std=gnu11 $(OPT) -g3 -ffunction-sections -fdata-sections -ffreestanding -fno-tree-loop-distribute-patterns \
	-fno-common -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-I core -I usb -I $(PORT) -I $(STM32) -I $(DWC2) -I $(BOARD) $(CHIP_DEFS)
# Size over speed where -Os still trades the other way (measured with LTO:
# -176 bytes): compare chains instead of switch tables, and small functions
# called from several places stay calls.
CFLAGS += -fno-jump-tables -fno-inline-small-functions
# Measured when the F411 port met A/B (the L4R5's LTO image against its
# 24 KB code budget of 24576 bytes): 24752 bytes without these three, 24516
# with them; each alone saves 40-190. Pure optimisation choices: the code
# means the same.
SIZE_FLAGS := -fno-tree-dominator-opts -fno-code-hoisting -fno-tree-tail-merge
CFLAGS += $(SIZE_FLAGS)
LDFLAGS := $(ARCH) -nostdlib -Wl,--gc-sections -Wl,--no-warn-rwx-segments
# LTO=1 (default): whole-program -Os across core/, usb/ and the port; the
# objects are "fat" (IR and machine code), so the same objects also link
# without LTO into dropboot-nolto.elf, whose map gives the per-object split
# in sizes.txt (an LTO map only names LTO's own temporary objects).
LTO ?= 1
CFLAGS += $(XCFLAGS)
ifeq ($(LTO),1)
CFLAGS += -flto -ffat-lto-objects
LDFLAGS += -flto $(OPT) $(SIZE_FLAGS) $(XCFLAGS)
SIZES_ELF := $(BUILD)/dropboot-nolto.elf
else
SIZES_ELF := $(BUILD)/dropboot.elf
endif

# Everything the bootloader is made of: the portable core and usb stack,
# the shared STM32 and DWC2 code, the chip and the board.
FW_SRCS := $(sort $(wildcard core/*.c usb/*.c)) \
	$(STM32)/startup.c $(STM32)/main.c $(STM32)/bootin.c $(STM32)/watchdog.c $(STM32)/clock_tick.c $(STM32)/libc_min.c \
	$(DWC2)/dcd_dwc2.c $(DWC2)/dwc2_fifo.c \
	$(STM32)/usb_hw.c $(STM32)/uid.c $(PORT)/clock.c $(PORT)/flash.c \
	$(BOARD)/board.c
FW_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(FW_SRCS))

APP_SRCS := examples/blinky/blinky.c
APP_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(APP_SRCS))

# blinky-noconfirm: the same app built never to confirm its trial boot, for
# the rollback tests (tests/emu/emu_ab_trial.sh).
NOCONFIRM_OBJS := $(BUILD)/obj/noconfirm/blinky.o

.PHONY: all sizes
all: $(BUILD)/dropboot.bin $(BUILD)/dropboot.hex sizes \
	$(BUILD)/blinky.bin $(BUILD)/blinky.hex $(BUILD)/blinky.uf2 $(BUILD)/blinky-noconfirm.uf2

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# GCC emits calls to memcpy/memset itself (struct copies) after LTO has
# decided what is used, so the C library stays ordinary machine code.
$(BUILD)/obj/$(STM32)/libc_min.o: CFLAGS += -fno-lto

$(BUILD)/dropboot.elf: $(FW_OBJS) $(PORT)/bootloader.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -T $(PORT)/bootloader.ld -Wl,-Map=$(BUILD)/dropboot.map $(FW_OBJS) -lgcc -o $@

$(BUILD)/dropboot-nolto.elf: $(FW_OBJS) $(PORT)/bootloader.ld
	$(Q)$(CC) $(filter-out -flto,$(LDFLAGS)) -fno-lto -Wl,--defsym=__dropboot_sizes_only=1 -T $(PORT)/bootloader.ld -Wl,-Map=$(BUILD)/dropboot-nolto.map $(FW_OBJS) -lgcc -o $@

$(BUILD)/blinky.elf: $(APP_OBJS) $(PORT)/app.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -T $(PORT)/app.ld -Wl,-Map=$(BUILD)/blinky.map $(APP_OBJS) -lgcc -o $@

$(BUILD)/obj/noconfirm/blinky.o: examples/blinky/blinky.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -DBLINKY_NEVER_CONFIRMS -MMD -MP -c $< -o $@

$(BUILD)/blinky-noconfirm.elf: $(NOCONFIRM_OBJS) $(PORT)/app.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -T $(PORT)/app.ld $(NOCONFIRM_OBJS) -lgcc -o $@

$(BUILD)/%.bin: $(BUILD)/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

$(BUILD)/%.hex: $(BUILD)/%.elf
	$(Q)$(OBJCOPY) -O ihex $< $@

# The UF2 comes from the project's own host tool when it has been built; a
# missing or unfinished tool is reported, not fatal for the firmware build.
$(BUILD)/blinky.uf2 $(BUILD)/blinky-noconfirm.uf2: $(BUILD)/%.uf2: $(BUILD)/%.bin
	@if [ -x $(HOST_TOOL) ] && $(HOST_TOOL) convert $< -o $@ --base $(APP_BASE) --family $(UF2_FAMILY); then \
		echo "  UF2     $@"; \
	else \
		rm -f $@; echo "  (no $@: $(HOST_TOOL) convert not available; build the host tools first)"; \
	fi

sizes: $(BUILD)/dropboot.elf $(SIZES_ELF)
	@{ [ "$(LTO)" != 1 ] || echo "# per object before LTO (dropboot-nolto.elf); the LTO image's total is below"; \
	  awk -f $(STM32)/mapsizes.awk $(SIZES_ELF:.elf=.map); \
	  [ "$(LTO)" != 1 ] || $(SIZE) $(BUILD)/dropboot.elf; } > $(BUILD)/sizes.txt
	@$(SIZE) $<
	@total=$$($(SIZE) -A $< | awk '$$1==".isr_vector"||$$1==".text"||$$1==".ARM.exidx"||$$1==".data"{s+=$$2} END{print s}'); \
	echo "dropboot: $$total bytes of flash (limit $(DB_BOOT_LIMIT))"; \
	if [ $$total -gt $(DB_BOOT_LIMIT) ]; then echo "dropboot: over the $(DB_BOOT_LIMIT)-byte bootloader region" >&2; exit 1; fi

-include $(FW_OBJS:.o=.d) $(APP_OBJS:.o=.d)
