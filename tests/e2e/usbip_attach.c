/*
 * usbip_attach: attach a USB/IP device to this machine's vhci-hcd, the way
 * Linux's `usbip attach` does, without its libraries (runs in the e2e guest).
 *
 *   usbip_attach [--follow] [--wait SECONDS] HOST PORT BUSID
 *
 * Once: connect TCP, OP_REQ_IMPORT for BUSID, pick a free vhci port of the
 * right hub (the status file), write "PORT SOCKFD DEVID SPEED" to the attach
 * file; the kernel then owns the socket. Prints "attached port N".
 *
 * --follow: stay and watch that vhci port. When the device goes away (the
 * simulated bootloader reset itself and closed the connection), connect and
 * import again; a device that stays in the bootloader comes back as a new
 * import. Ends (exit 0) when the server refuses connections for --wait
 * seconds (default 10): the simulator exited because the app started.
 *
 * Protocol facts from the kernel's Documentation/usb/usbip_protocol.rst; all
 * numbers on the wire are big-endian.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VHCI_DIR "/sys/devices/platform/vhci_hcd.0"
#define USBIP_VERSION 0x0111u
#define OP_REQ_IMPORT 0x8003u
#define OP_REP_IMPORT 0x0003u
#define BUSID_LEN 32u   /* busid field of OP_REQ_IMPORT and of the device record */
#define PATH_LEN 256u   /* sysfs path field of the device record */
#define OP_HEADER_LEN 8u /* version(2) command(2) status(4) */
/* struct usbip_usb_device: path, busid, busnum, devnum, speed, idVendor,
   idProduct, bcdDevice, six one-byte fields. */
#define DEVICE_RECORD_LEN (PATH_LEN + BUSID_LEN + 3u * 4u + 3u * 2u + 6u)
#define VDEV_ST_NULL 4 /* vhci port status: free */
#define USB_SPEED_HIGH 3 /* kernel enum usb_device_speed; SUPER and above use the ss hub */
#define STATUS_LINE_MAX 256u
#define POLL_MS 50

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static int read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* Connected socket, or -1 with errno (ECONNREFUSED: nobody listens). */
static int tcp_connect(const char *host, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int one = 1; /* usbip does the same: small URBs must not wait for Nagle */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

struct imported {
    uint32_t busnum, devnum, speed;
    uint16_t vid, pid;
};

static int import_device(int fd, const char *busid, struct imported *dev)
{
    uint8_t req[OP_HEADER_LEN + BUSID_LEN];
    memset(req, 0, sizeof req);
    req[0] = USBIP_VERSION >> 8;
    req[1] = USBIP_VERSION & 0xff;
    req[2] = OP_REQ_IMPORT >> 8;
    req[3] = OP_REQ_IMPORT & 0xff;
    strncpy((char *)req + OP_HEADER_LEN, busid, BUSID_LEN - 1);
    if (write_full(fd, req, sizeof req) != 0) {
        fprintf(stderr, "usbip_attach: sending OP_REQ_IMPORT: %s\n", strerror(errno));
        return -1;
    }
    uint8_t hdr[OP_HEADER_LEN];
    if (read_full(fd, hdr, sizeof hdr) != 0) {
        fprintf(stderr, "usbip_attach: no OP_REP_IMPORT (connection closed)\n");
        return -1;
    }
    if (be16(hdr + 2) != OP_REP_IMPORT || be32(hdr + 4) != 0) {
        fprintf(stderr, "usbip_attach: import refused: version 0x%04x reply 0x%04x status %u\n",
                be16(hdr), be16(hdr + 2), be32(hdr + 4));
        return -1;
    }
    uint8_t rec[DEVICE_RECORD_LEN];
    if (read_full(fd, rec, sizeof rec) != 0) {
        fprintf(stderr, "usbip_attach: short device record in OP_REP_IMPORT\n");
        return -1;
    }
    const uint8_t *p = rec + PATH_LEN + BUSID_LEN;
    dev->busnum = be32(p);
    dev->devnum = be32(p + 4);
    dev->speed = be32(p + 8);
    dev->vid = be16(p + 12);
    dev->pid = be16(p + 14);
    if (strncmp((const char *)rec + PATH_LEN, busid, BUSID_LEN) != 0)
        fprintf(stderr, "usbip_attach: warning: reply names busid %.32s\n", (const char *)rec + PATH_LEN);
    return 0;
}

/* Status of vhci port `port` (VDEV_ST_*), or -1 if not listed. If want_free,
   instead return the first free port of the hub ("hs" or "ss"). */
static int vhci_status(int port, const char *hub, int want_free)
{
    FILE *f = fopen(VHCI_DIR "/status", "r");
    if (f == NULL)
        return -1;
    char line[STATUS_LINE_MAX];
    int result = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        char h[8];
        int p, sta;
        if (sscanf(line, "%7s %d %d", h, &p, &sta) != 3)
            continue; /* the header line */
        if (want_free) {
            if (strcmp(h, hub) == 0 && sta == VDEV_ST_NULL) {
                result = p;
                break;
            }
        } else if (p == port) {
            result = sta;
            break;
        }
    }
    fclose(f);
    return result;
}

/* One import and attach; the vhci port number, or -1. errno ECONNREFUSED
   when the server is not listening. */
static int attach_once(const char *host, int tcp_port, const char *busid)
{
    int fd = tcp_connect(host, tcp_port);
    if (fd < 0)
        return -1;
    struct imported dev;
    if (import_device(fd, busid, &dev) != 0) {
        close(fd);
        errno = EPROTO;
        return -1;
    }
    const char *hub = dev.speed <= USB_SPEED_HIGH ? "hs" : "ss";
    int port = vhci_status(0, hub, 1);
    if (port < 0) {
        fprintf(stderr, "usbip_attach: no free %s port in " VHCI_DIR "/status\n", hub);
        close(fd);
        errno = EBUSY;
        return -1;
    }
    FILE *a = fopen(VHCI_DIR "/attach", "w");
    if (a == NULL) {
        fprintf(stderr, "usbip_attach: " VHCI_DIR "/attach: %s (is vhci-hcd loaded?)\n", strerror(errno));
        close(fd);
        return -1;
    }
    uint32_t devid = dev.busnum << 16 | dev.devnum;
    fprintf(a, "%d %d %u %u", port, fd, devid, dev.speed);
    if (fclose(a) != 0) {
        fprintf(stderr, "usbip_attach: writing attach: %s\n", strerror(errno));
        close(fd);
        errno = EIO;
        return -1;
    }
    close(fd); /* the kernel holds its own reference to the socket now */
    printf("attached port %d busid %s devid 0x%08x speed %u id %04x:%04x\n", port, busid, devid,
           dev.speed, dev.vid, dev.pid);
    fflush(stdout);
    return port;
}

/* Attach, retrying while the server is not (yet) listening, for up to wait_ms. */
static int attach_retry(const char *host, int tcp_port, const char *busid, long wait_ms)
{
    for (long waited = 0;; waited += POLL_MS) {
        int port = attach_once(host, tcp_port, busid);
        if (port >= 0)
            return port;
        if (waited >= wait_ms)
            return -1;
        if (errno != ECONNREFUSED)
            fprintf(stderr, "usbip_attach: attach failed (%s), retrying\n", strerror(errno));
        sleep_ms(POLL_MS);
    }
}

int main(int argc, char **argv)
{
    int follow = 0;
    long wait_s = 10;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--follow") == 0)
            follow = 1;
        else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
            wait_s = strtol(argv[++i], NULL, 10);
        else
            break;
    }
    if (argc - i != 3) {
        fprintf(stderr, "usage: usbip_attach [--follow] [--wait SECONDS] HOST PORT BUSID\n");
        return 2;
    }
    const char *host = argv[i];
    int tcp_port = atoi(argv[i + 1]);
    const char *busid = argv[i + 2];

    int port = attach_retry(host, tcp_port, busid, wait_s * 1000);
    if (port < 0) {
        fprintf(stderr, "usbip_attach: cannot attach %s from %s:%d: %s\n", busid, host, tcp_port, strerror(errno));
        return 1;
    }
    if (!follow)
        return 0;
    for (;;) {
        /* Wait for the device to leave (the server closed the connection). */
        while (vhci_status(port, NULL, 0) != VDEV_ST_NULL)
            sleep_ms(POLL_MS);
        printf("detached port %d\n", port);
        fflush(stdout);
        port = attach_retry(host, tcp_port, busid, wait_s * 1000);
        if (port < 0) {
            printf("server gone\n");
            return 0;
        }
    }
}
