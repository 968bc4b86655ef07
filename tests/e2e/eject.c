/*
 * eject: what a desktop's "eject" does to a USB drive (the guest's busybox
 * has no eject applet). Allow medium removal, then the kernel's CDROMEJECT
 * ioctl, which the SCSI layer turns into START STOP UNIT with LoEj=1.
 *
 *   eject /dev/sdX
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/cdrom.h>
#include <scsi/scsi_ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: eject /dev/sdX\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "eject: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (ioctl(fd, SCSI_IOCTL_DOORUNLOCK, 0) != 0)
        fprintf(stderr, "eject: allow medium removal: %s (going on)\n", strerror(errno));
    int rc = 0;
    int r = ioctl(fd, CDROMEJECT, 0);
    if (r < 0) {
        fprintf(stderr, "eject: %s: START STOP UNIT (eject): %s\n", argv[1], strerror(errno));
        rc = 1;
    } else if (r > 0) {
        /* the SCSI layer's result word: host byte in bits 16-23, status in 0-7 */
        fprintf(stderr, "eject: %s: START STOP UNIT (eject) failed: SCSI result 0x%08x (host byte 0x%02x, status 0x%02x)\n",
                argv[1], (unsigned)r, (unsigned)(r >> 16) & 0xffu, (unsigned)r & 0xffu);
        rc = 1;
    }
    close(fd);
    return rc;
}
