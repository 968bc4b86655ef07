# Firmware build for the WeAct Black Pill (STM32F411CE) (owner: port).
#   make -f ports/stm32f411/firmware.mk BUILD=build/weact_blackpill_f411
# The rules are ports/stm32/firmware.mk's; this file says what the chip is.

BUILD ?= build/weact_blackpill_f411
PORT := ports/stm32f411
BOARD := ports/boards/weact_blackpill_f411
# core/config.h DB_CODE_SIZE: sectors 0-1 (32 KB); sectors 2-3 are the
# record log, sector 4 on the app's (tinyuf2's map).
DB_BOOT_LIMIT := 32768
APP_BASE := 0x08010000
# UF2 family list: STM32F4.
UF2_FAMILY := 0x57755a57
# core/config.h for this chip: ports/stm32f411/config_chip.h.
CHIP_DEFS := -DDB_CHIP_CONFIG='"config_chip.h"'

include ports/stm32/firmware.mk
