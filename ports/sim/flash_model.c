/* flash_model.c: not written yet (owner: flash). Every call fails until it is. */
#include <errno.h>

#include "flash.h"
#include "flash_model.h"

int flash_model_open(const char *path) { (void)path; errno = ENOSYS; return -1; }
void flash_model_open_ram(void) {}
void flash_model_close(void) {}
void flash_model_cut_after(uint32_t n) { (void)n; }
bool flash_model_powered(void) { return false; }
void flash_model_power_on(void) {}
void flash_model_stats(struct flash_model_stats *s) { s->erases = s->programs = s->ops = 0; }
enum flash_status flash_erase_page(uint32_t addr) { (void)addr; return FLASH_ERR_HW; }
enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len) { (void)addr; (void)data; (void)len; return FLASH_ERR_HW; }
enum flash_status flash_read(uint32_t addr, uint8_t *dst, uint32_t len) { (void)addr; (void)dst; (void)len; return FLASH_ERR_HW; }
