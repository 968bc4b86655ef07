/*
 * How flash.c reaches the FLASH registers and the flash array.
 *
 * On the chip these are plain volatile accesses. A host test builds flash.c
 * with DB_FLASH_IO_MODEL defined and supplies these four functions from a
 * model of the controller (tests/port/flash_regmodel.c), which reacts to the
 * writes the way the reference manual (RM0432, RM0383) says the hardware does.
 */
#ifndef DB_FLASH_IO_H
#define DB_FLASH_IO_H

#include <stdint.h>
#include <string.h>

#ifdef DB_FLASH_IO_MODEL
uint32_t flash_io_read(const volatile uint32_t *reg);
void flash_io_write(volatile uint32_t *reg, uint32_t value);
/* One 32-bit write into the flash array (half of a double-word program). */
void flash_io_write_mem(uint32_t addr, uint32_t value);
/* Copy len bytes of flash from addr; an ECC double error raises NMI meanwhile. */
void flash_io_copy(uint8_t *dst, uint32_t addr, uint32_t len);
#define flash_io_barrier() ((void)0)
#else
static inline uint32_t flash_io_read(const volatile uint32_t *reg) { return *reg; }
static inline void flash_io_write(volatile uint32_t *reg, uint32_t value) { *reg = value; }
static inline void flash_io_write_mem(uint32_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}
static inline void flash_io_copy(uint8_t *dst, uint32_t addr, uint32_t len)
{
    memcpy(dst, (const void *)addr, len);
}
/* The two halves of a double-word must reach the controller in order. */
#define flash_io_barrier() __asm volatile("dsb 0xF" ::: "memory")
#endif

#endif
