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
    if (ioctl(fd, CDROMEJECT, 0) != 0) {
        fprintf(stderr, "eject: %s: START STOP UNIT (eject): %s\n", argv[1], strerror(errno));
        rc = 1;
    }
    close(fd);
    return rc;
}
