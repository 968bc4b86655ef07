# Firmware build for the NUCLEO-L4R5ZI (owner: port).
#   make -f ports/stm32l4r5/firmware.mk BUILD=build/nucleo_l4r5zi
# The rules are ports/stm32/firmware.mk's; this file says what the chip is.

BUILD ?= build/nucleo_l4r5zi
PORT := ports/stm32l4r5
BOARD := ports/boards/nucleo_l4r5zi
# core/config.h DB_CODE_SIZE: the bootloader region (32 KB) less the
# record log (its last two 4 KB pages).
DB_BOOT_LIMIT := 24576
APP_BASE := 0x08008000
# UF2 family list: STM32L4.
UF2_FAMILY := 0x00ff6919
# core/config.h's defaults are this chip's.
CHIP_DEFS :=

include ports/stm32/firmware.mk
