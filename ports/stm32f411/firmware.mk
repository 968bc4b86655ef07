# Firmware build for the WeAct Black Pill (STM32F411CE) (owner: port).
#   make -f ports/stm32f411/firmware.mk BUILD=build/weact_blackpill_f411
# The rules are ports/stm32/firmware.mk's; this file says what the chip is.

BUILD ?= build/weact_blackpill_f411
PORT := ports/stm32f411
BOARD := ports/boards/weact_blackpill_f411
# Sectors 0-2: the bootloader may take 48 KB (tinyuf2's map, the CI limit).
DB_BOOT_LIMIT := 49152
APP_BASE := 0x08010000
# UF2 family list: STM32F4.
UF2_FAMILY := 0x57755a57
# core/config.h for this chip: 512 KB flash, bootloader and records in the
# first 64 KB (sectors 0-3), 128 KB RAM, the STM32F4 UF2 family. The
# writer's page is the smallest sector (16 KB), see docs/hw/stm32f411.md.
CHIP_DEFS := -DDB_FLASH_SIZE=0x80000u -DDB_BOOT_SIZE=0x10000u -DDB_PAGE_SIZE=0x4000u \
	-DDB_RAM_END=0x20020000u -DDB_UF2_FAMILY=0x57755a57u

include ports/stm32/firmware.mk
