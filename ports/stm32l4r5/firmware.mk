# Firmware build for the NUCLEO-L4R5ZI (owner: port). Not written yet.
BUILD ?= build/nucleo_l4r5zi
all:
	@echo "firmware: not written yet"
