# Eject, the device resets into the app, and the app runs: blinky.uf2 (the
# example app) copied through the kernel, then the board's blinky LED
# ($BLINKY_LED: green LD1 on the NUCLEO, blue PC13 on the Black Pill) toggles
# every 250 ms of the emulated board's time. Only with E2E_DEVICE=emu: dropboot-sim
# starts an app but does not run it; dropboot-emu's serve --run-app lets it
# run and logs the LEDs.
if [ ! -f /e2e/emu/blinky.uf2 ]; then
    skip blinky-blinks "only with E2E_DEVICE=emu (the simulator does not run apps)"
    return 0
fi

# blinks LOG: after the jump, at least 4 LED changes, only $BLINKY_LED lit, 250 ms apart
blinks() {
    sed -n "/app started at $APP_BASE/,\$p" $1 | grep 'LED' | awk -v led="$BLINKY_LED" '
        { t = substr($0, 2, index($0, " ms]") - 2) + 0
          line = $0; gsub(led " on", "", line)
          if (line ~ / on/) { print "another LED lit at " t " ms"; bad = 1 }
          if (n++ > 0 && (t - last < 249.9 || t - last > 250.1)) { print "toggle after " t - last " ms"; bad = 1 }
          last = t }
        END { if (n < 4) { print "only " n " LED changes after the jump"; bad = 1 }
              exit bad }'
}

dev_start blinky --run-app 1100
attach_and_mount || return
check copy-blinky cp /e2e/emu/blinky.uf2 $DEV_MNT/
check sync sync
check umount dev_umount
check eject dev_eject
check app-started wait_app_started 60
check blinky-blinks blinks $SCDIR/$DEV.sim.log
