/*
 * The STM32F411 port's register addresses and bits against the facts in
 * docs/hw/stm32f411.md (RM0383, checked against ST's CMSIS F4 header at
 * cmsis_device_f4 commit cdbad761857acedcdd07ece7939b4cb209ed826a). The
 * numbers here are the document's, typed from it, not from the port's
 * headers: a slip in either shows up as a mismatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chip.h"
#include "clock.h"
#include "dwc2_chip.h"
#include "regs_flash.h"
#include "regs_gpio.h"
#include "regs_otg.h"
#include "regs_rcc.h"

static void peripheral_bases_are_rm0383s(void **state)
{
    (void)state;
    assert_int_equal((uintptr_t)RCC, 0x40023800u);
    assert_int_equal((uintptr_t)FLASH_REGS, 0x40023C00u);
    assert_int_equal((uintptr_t)PWR, 0x40007000u);
    assert_int_equal((uintptr_t)GPIOA, 0x40020000u);
    assert_int_equal((uintptr_t)GPIOC, 0x40020800u);
    assert_int_equal(DWC2_CHIP_BASE, 0x50000000u);
}

static void register_offsets_are_rm0383s(void **state)
{
    (void)state;
    assert_int_equal(offsetof(struct rcc_regs, PLLCFGR), 0x04);
    assert_int_equal(offsetof(struct rcc_regs, CFGR), 0x08);
    assert_int_equal(offsetof(struct rcc_regs, AHB1RSTR), 0x10);
    assert_int_equal(offsetof(struct rcc_regs, AHB1ENR), 0x30);
    assert_int_equal(offsetof(struct rcc_regs, AHB2ENR), 0x34);
    assert_int_equal(offsetof(struct rcc_regs, APB1ENR), 0x40);
    assert_int_equal(offsetof(struct rcc_regs, CSR), 0x74);
    assert_int_equal(offsetof(struct flash_regs, KEYR), 0x04);
    assert_int_equal(offsetof(struct flash_regs, OPTKEYR), 0x08);
    assert_int_equal(offsetof(struct flash_regs, SR), 0x0C);
    assert_int_equal(offsetof(struct flash_regs, CR), 0x10);
    assert_int_equal(offsetof(struct flash_regs, OPTCR), 0x14);
    assert_int_equal(offsetof(struct gpio_regs, PUPDR), 0x0C);
    assert_int_equal(offsetof(struct gpio_regs, IDR), 0x10);
    assert_int_equal(offsetof(struct gpio_regs, BSRR), 0x18);
    assert_int_equal(offsetof(struct gpio_regs, AFR), 0x20);
    assert_int_equal(offsetof(struct otg_global_regs, GCCFG), 0x038);
    assert_int_equal(offsetof(struct otg_global_regs, GSNPSID), 0x040);
    assert_int_equal(offsetof(struct otg_global_regs, DIEPTXF), 0x104);
}

static void bits_are_rm0383s(void **state)
{
    (void)state;
    assert_int_equal(RCC_CR_HSERDY_Msk, 1u << 17);
    assert_int_equal(RCC_CR_PLLRDY_Msk, 1u << 25);
    assert_int_equal(RCC_PLLCFGR_PLLN_Pos, 6);
    assert_int_equal(RCC_PLLCFGR_PLLP_Pos, 16);
    assert_int_equal(RCC_PLLCFGR_PLLSRC_HSE, 1u << 22);
    assert_int_equal(RCC_PLLCFGR_PLLQ_Pos, 24);
    assert_int_equal(RCC_CFGR_PPRE1_DIV2, 0x1000u);
    assert_int_equal(RCC_AHB2ENR_OTGFSEN_Msk, 1u << 7);
    assert_int_equal(RCC_APB1ENR_PWREN_Msk, 1u << 28);
    assert_int_equal(RCC_CSR_RMVF_Msk, 1u << 24);
    assert_int_equal(RCC_CSR_BORRSTF_Msk, 1u << 25);
    assert_int_equal(RCC_CSR_PINRSTF_Msk, 1u << 26);
    assert_int_equal(RCC_CSR_PORRSTF_Msk, 1u << 27);
    assert_int_equal(PWR_CR_VOS_Msk, 0xC000u);
    assert_int_equal(FLASH_SR_BSY_Msk, 1u << 16);
    assert_int_equal(FLASH_SR_ERRORS, 0x1F2u);
    assert_int_equal(FLASH_CR_SNB_Msk, 0xF8u);
    assert_int_equal(FLASH_CR_PSIZE_Msk, 0x300u);
    assert_int_equal(FLASH_CR_PSIZE_X32, 0x200u);
    assert_int_equal(FLASH_CR_STRT_Msk, 1u << 16);
    assert_int_equal(FLASH_OPTCR_NWRP_Msk, 0x0FFF0000u);
    assert_int_equal(FLASH_KEY1, 0x45670123u);
    assert_int_equal(FLASH_KEY2, 0xCDEF89ABu);
    assert_int_equal(FLASH_OPTKEY1, 0x08192A3Bu);
    assert_int_equal(FLASH_OPTKEY2, 0x4C5D6E7Fu);
    assert_int_equal(OTG_GCCFG_PWRDWN_Msk, 1u << 16);
    assert_int_equal(OTG_GCCFG_VBUSASEN_Msk, 1u << 18);
    assert_int_equal(OTG_GCCFG_VBUSBSEN_Msk, 1u << 19);
    assert_int_equal(OTG_GCCFG_NOVBUSSENS_Msk, 1u << 21);
}

static void chip_sizes_are_the_documents(void **state)
{
    (void)state;
    assert_int_equal(CHIP_VECTORS, 16 + 86); /* SPI5 = IRQ 85 is the last */
    assert_int_equal(DWC2_CHIP_EPS, 4);
    assert_int_equal(DWC2_CHIP_FIFO_WORDS * 4, 1280); /* 1.25 KB */
    assert_int_equal(FLASH_F4_SECTORS, 8);
    /* 25 MHz crystal, M 25, N 192, P 2, Q 4: 96 MHz and 48 MHz. */
    assert_int_equal(CLOCK_HSE_HZ, 25000000u);
    assert_int_equal(CLOCK_SYSCLK_HZ, 96000000u);
    assert_int_equal(CLOCK_HSE_HZ / CLOCK_PLL_M * CLOCK_PLL_N / CLOCK_PLL_Q, 48000000u);
    assert_int_equal(CLOCK_FLASH_WS, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peripheral_bases_are_rm0383s),
        cmocka_unit_test(register_offsets_are_rm0383s),
        cmocka_unit_test(bits_are_rm0383s),
        cmocka_unit_test(chip_sizes_are_the_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
