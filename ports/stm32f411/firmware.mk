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
# core/config.h for this chip: ports/stm32f411/config_chip.h.
CHIP_DEFS := -DDB_CHIP_CONFIG='"config_chip.h"'

include ports/stm32/firmware.mk
