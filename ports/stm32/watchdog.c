/* IWDG start and refresh (RM0432 / RM0383 "IWDG"). */
#include "watchdog.h"

#include "regs_iwdg.h"

#define WATCHDOG_UPDATE_SPINS 100000u /* PR/RLR updates take a few LSI cycles (~100 us) */

void watchdog_start(void)
{
    IWDG->KR = IWDG_KEY_START;
    IWDG->KR = IWDG_KEY_UNLOCK;
    IWDG->PR = WATCHDOG_PRESCALER_CODE;
    IWDG->RLR = WATCHDOG_RELOAD;
    for (uint32_t i = 0; i < WATCHDOG_UPDATE_SPINS && (IWDG->SR & IWDG_SR_BUSY_Msk) != 0u; i++) {
    }
    IWDG->KR = IWDG_KEY_REFRESH;
}

void watchdog_refresh(void)
{
    IWDG->KR = IWDG_KEY_REFRESH;
}
