/*
 * dropboot-sim serve over the USB/IP wire: the real program (boot decision,
 * virtual drive, usb/ stack, USB/IP controller) in a child process on a
 * loopback port, and a small USB/IP client here that does what vhci-hcd and
 * the usbip tool do: DEVLIST, IMPORT, control transfers, Bulk-Only commands,
 * UNLINK. The sectors read over USB/IP are compared with the drive as the
 * simulator's own `dump` verb writes it. The Linux kernel is the final judge
 * (tests/e2e); this pins the wire format.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "board.h"
#include "config.h"
#include "usbip.h"

#define SECTOR DB_SECTOR_SIZE
#define BIG_READ_SECTORS 128u /* one 64 KB URB, as usb-storage sends */

static char dir_path[128];
static char flash_path[192];
static char dump_path[192];
static uint16_t port;
static pid_t server;
static uint32_t seq = 1;

/* ---- byte helpers ---- */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void read_all(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        assert_true(r > 0);
        p += r;
        n -= (size_t)r;
    }
}

static void write_all(int fd, const void *buf, size_t n)
{
    assert_int_equal(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

static int connect_server(void)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; tries < 200; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            struct timeval tv = {10, 0}; /* a missing reply fails the test instead of hanging it */
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            return fd;
        }
        close(fd);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("server never listened on port %u", port);
    return -1;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* dropboot-sim serve on a fresh loopback port; its stdout goes to out_path. */
static pid_t spawn_server(const char *flash, const char *out_path)
{
    port = free_port();
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", port);
    char sim[256];
    snprintf(sim, sizeof sim, "%s/dropboot-sim", DB_BUILD_DIR);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen(out_path, "w", stdout) == NULL)
            _exit(126);
        execl(sim, sim, "--flash", flash, "serve", "--usbip", addr, "--quiet", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int start_server(void **state)
{
    (void)state;
    snprintf(dir_path, sizeof dir_path, "/tmp/test_usbip.XXXXXX");
    if (mkdtemp(dir_path) == NULL)
        return -1;
    snprintf(flash_path, sizeof flash_path, "%s/flash.bin", dir_path);
    snprintf(dump_path, sizeof dump_path, "%s/disk.img", dir_path);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/dropboot-sim --flash %s dump %s", DB_BUILD_DIR, flash_path, dump_path);
    if (run(cmd) != 0)
        return -1;
    server = spawn_server(flash_path, "/dev/null");
    return server > 0 ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir_path);
    return run(cmd) == 0 ? 0 : -1;
}

/* ---- OP requests ---- */
static int import_device(const char *busid, uint32_t *status)
{
    int fd = connect_server();
    uint8_t req[40] = {0x01, 0x11, 0x80, 0x03};
    strncpy((char *)&req[8], busid, 32);
    write_all(fd, req, sizeof req);
    uint8_t rep[8 + USBIP_DEVICE_LEN];
    read_all(fd, rep, 8);
    assert_int_equal(get16(&rep[0]), 0x0111);
    assert_int_equal(get16(&rep[2]), 0x0003);
    *status = get32(&rep[4]);
    if (*status != 0) {
        close(fd);
        return -1;
    }
    read_all(fd, rep + 8, USBIP_DEVICE_LEN);
    assert_string_equal((char *)rep + 8 + 256, "1-1");
    return fd;
}

/* ---- URBs ---- */
static uint32_t submit(int fd, uint32_t ep, uint32_t dir, const uint8_t setup[8], uint32_t len, const uint8_t *out)
{
    uint8_t h[48] = {0};
    uint32_t s = seq++;
    put32(&h[0], 1);
    put32(&h[4], s);
    put32(&h[8], (USBIP_BUSNUM << 16) | USBIP_DEVNUM);
    put32(&h[12], dir);
    put32(&h[16], ep);
    put32(&h[20], 0);
    put32(&h[24], len);
    put32(&h[32], USBIP_NOT_ISO);
    if (setup != NULL)
        memcpy(&h[40], setup, 8);
    write_all(fd, h, sizeof h);
    if (dir == USBIP_DIR_OUT && len > 0)
        write_all(fd, out, len);
    return s;
}

struct ret {
    uint32_t command, seqnum;
    int32_t status, actual;
};

/* Read one reply; IN data (actual_length bytes) goes to in. */
static struct ret read_ret(int fd, bool in, uint8_t *buf)
{
    uint8_t h[48];
    read_all(fd, h, sizeof h);
    struct ret r = {get32(&h[0]), get32(&h[4]), (int32_t)get32(&h[20]), (int32_t)get32(&h[24])};
    assert_int_equal(get32(&h[8]), 0); /* devid, direction, ep: 0 from a server */
    assert_int_equal(get32(&h[12]), 0);
    assert_int_equal(get32(&h[16]), 0);
    if (r.command == USBIP_RET_SUBMIT) {
        assert_int_equal(get32(&h[32]), USBIP_NOT_ISO);
        if (in && r.actual > 0)
            read_all(fd, buf, (size_t)r.actual);
    }
    return r;
}

static struct ret control(int fd, uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length,
                          uint8_t *data)
{
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index, (uint8_t)(index >> 8),
                        (uint8_t)length, (uint8_t)(length >> 8)};
    bool in = (bm & 0x80) != 0;
    uint32_t s = submit(fd, 0, in ? USBIP_DIR_IN : USBIP_DIR_OUT, setup, in ? length : 0, NULL);
    struct ret r = read_ret(fd, in, data);
    assert_int_equal(r.command, USBIP_RET_SUBMIT);
    assert_int_equal(r.seqnum, s);
    return r;
}

static int attach_configured(void)
{
    uint32_t st;
    int fd = import_device("1-1", &st);
    assert_true(fd >= 0);
    uint8_t buf[255];
    struct ret r = control(fd, 0x80, 6, 0x0100, 0, 64, buf);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.actual, 18);
    r = control(fd, 0x00, 9, 1, 0, 0, NULL);
    assert_int_equal(r.status, 0);
    return fd;
}

/* A Bulk-Only command: CBW, data, CSW (a stalled pipe is cleared like Linux does). */
static uint8_t bot(int fd, const uint8_t *cdb, uint8_t cdb_len, bool in, uint32_t len, uint8_t *data, int32_t *data_status,
                   uint32_t *residue)
{
    uint8_t cbw[31] = {'U', 'S', 'B', 'C'};
    uint32_t tag = seq * 3u;
    memcpy(&cbw[4], &tag, 4);
    memcpy(&cbw[8], &len, 4);
    cbw[12] = in ? 0x80 : 0x00;
    cbw[14] = cdb_len;
    memcpy(&cbw[15], cdb, cdb_len);
    uint32_t s = submit(fd, 1, USBIP_DIR_OUT, NULL, sizeof cbw, cbw);
    struct ret r = read_ret(fd, false, NULL);
    assert_int_equal(r.seqnum, s);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.actual, 31);
    *data_status = 0;
    if (len > 0) {
        s = submit(fd, 1, in ? USBIP_DIR_IN : USBIP_DIR_OUT, NULL, len, data);
        r = read_ret(fd, in, data);
        assert_int_equal(r.seqnum, s);
        *data_status = r.status;
        if (r.status == USBIP_EPIPE)
            assert_int_equal(control(fd, 0x02, 1, 0, in ? 0x81 : 0x01, 0, NULL).status, 0);
    }
    uint8_t csw[13];
    s = submit(fd, 1, USBIP_DIR_IN, NULL, sizeof csw, NULL);
    r = read_ret(fd, true, csw);
    assert_int_equal(r.seqnum, s);
    if (r.status == USBIP_EPIPE) {
        assert_int_equal(control(fd, 0x02, 1, 0, 0x81, 0, NULL).status, 0);
        s = submit(fd, 1, USBIP_DIR_IN, NULL, sizeof csw, NULL);
        r = read_ret(fd, true, csw);
    }
    assert_int_equal(r.status, 0);
    assert_int_equal(r.actual, 13);
    assert_memory_equal(csw, "USBS", 4);
    uint32_t got_tag;
    memcpy(&got_tag, &csw[4], 4);
    assert_int_equal(got_tag, tag);
    memcpy(residue, &csw[8], 4);
    return csw[12];
}

/* ---- tests ---- */

static void test_devlist_names_one_full_speed_mass_storage_device(void **state)
{
    (void)state;
    int fd = connect_server();
    uint8_t req[8] = {0x01, 0x11, 0x80, 0x05, 0, 0, 0, 0};
    write_all(fd, req, sizeof req);
    uint8_t rep[12 + USBIP_DEVICE_LEN + 4];
    read_all(fd, rep, sizeof rep);
    assert_int_equal(get16(&rep[0]), 0x0111);
    assert_int_equal(get16(&rep[2]), 0x0005);
    assert_int_equal(get32(&rep[4]), 0);
    assert_int_equal(get32(&rep[8]), 1);
    const uint8_t *d = &rep[12];
    assert_string_equal((const char *)d + 256, "1-1");
    assert_int_equal(get32(d + 0x120), USBIP_BUSNUM);
    assert_int_equal(get32(d + 0x124), USBIP_DEVNUM);
    assert_int_equal(get32(d + 0x128), USBIP_SPEED_FULL);
    assert_int_equal(get16(d + 0x12C), board.usb_vid);
    assert_int_equal(get16(d + 0x12E), board.usb_pid);
    assert_int_equal(d[0x135], 1); /* bConfigurationValue */
    assert_int_equal(d[0x136], 1); /* bNumConfigurations */
    assert_int_equal(d[0x137], 1); /* bNumInterfaces */
    assert_int_equal(d[0x138], 0x08);
    assert_int_equal(d[0x139], 0x06);
    assert_int_equal(d[0x13A], 0x50);
    /* the server closes the connection after the list */
    uint8_t extra;
    assert_int_equal(recv(fd, &extra, 1, 0), 0);
    close(fd);
}

static void test_import_of_unknown_busid_is_refused(void **state)
{
    (void)state;
    uint32_t st = 0;
    assert_int_equal(import_device("2-1", &st), -1);
    assert_int_equal(st, 1);
}

static void test_enumeration_over_the_wire(void **state)
{
    (void)state;
    uint32_t st;
    int fd = import_device("1-1", &st);
    assert_true(fd >= 0);
    /* a second import while the device is attached is refused */
    assert_int_equal(import_device("1-1", &st), -1);
    uint8_t buf[255];
    struct ret r = control(fd, 0x80, 6, 0x0100, 0, 64, buf);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.actual, 18);
    assert_int_equal(buf[0], 18);
    r = control(fd, 0x80, 6, 0x0200, 0, 255, buf);
    assert_int_equal(r.actual, 32);
    r = control(fd, 0x80, 6, 0x0303, 0x0409, 255, buf);
    assert_int_equal(r.actual, 2 + 2 * BOARD_SERIAL_LEN);
    r = control(fd, 0x80, 6, 0x0600, 0, 10, buf); /* device qualifier: full speed only */
    assert_int_equal(r.status, USBIP_EPIPE);
    assert_int_equal(r.actual, 0);
    r = control(fd, 0x00, 9, 1, 0, 0, NULL);
    assert_int_equal(r.status, 0);
    r = control(fd, 0xA1, 0xFE, 0, 0, 1, buf);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.actual, 1);
    assert_int_equal(buf[0], 0);
    close(fd);
}

static void test_inquiry_and_read_of_the_boot_sector(void **state)
{
    (void)state;
    int fd = attach_configured();
    uint8_t tur[6] = {0}, inq[6] = {0x12, 0, 0, 0, 36, 0};
    uint8_t data[SECTOR];
    int32_t ds;
    uint32_t residue;
    /* first command of a fresh unit: unit attention */
    assert_int_equal(bot(fd, tur, 6, false, 0, NULL, &ds, &residue), 1);
    assert_int_equal(bot(fd, inq, 6, true, 36, data, &ds, &residue), 0);
    assert_int_equal(ds, 0);
    assert_memory_equal(&data[8], "dropboot", 8);
    uint8_t rd[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    assert_int_equal(bot(fd, rd, 10, true, SECTOR, data, &ds, &residue), 0);
    assert_int_equal(residue, 0);
    assert_int_equal(data[510], 0x55);
    assert_int_equal(data[511], 0xAA);
    FILE *f = fopen(dump_path, "rb");
    assert_non_null(f);
    uint8_t want[SECTOR];
    assert_int_equal(fread(want, 1, SECTOR, f), SECTOR);
    fclose(f);
    assert_memory_equal(data, want, SECTOR);
    close(fd);
}

static void test_big_read_in_one_urb_matches_the_dump(void **state)
{
    (void)state;
    int fd = attach_configured();
    static uint8_t data[BIG_READ_SECTORS * SECTOR], want[BIG_READ_SECTORS * SECTOR];
    int32_t ds;
    uint32_t residue;
    uint8_t tur[6] = {0};
    (void)bot(fd, tur, 6, false, 0, NULL, &ds, &residue); /* a re-attached unit may report attention */
    uint8_t rd[10] = {0x28, 0, 0, 0, 0, 0, 0, (uint8_t)(BIG_READ_SECTORS >> 8), (uint8_t)BIG_READ_SECTORS, 0};
    assert_int_equal(bot(fd, rd, 10, true, sizeof data, data, &ds, &residue), 0);
    assert_int_equal(ds, 0);
    assert_int_equal(residue, 0);
    FILE *f = fopen(dump_path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(want, 1, sizeof want, f), sizeof want);
    fclose(f);
    assert_memory_equal(data, want, sizeof want);
    close(fd);
}

static void test_stalled_pipe_completes_the_urb_with_epipe(void **state)
{
    (void)state;
    int fd = attach_configured();
    uint8_t tur[6] = {0};
    uint8_t data[SECTOR];
    int32_t ds;
    uint32_t residue;
    (void)bot(fd, tur, 6, false, 0, NULL, &ds, &residue);
    /* BOT case 4: the host wants data, the command has none */
    assert_int_equal(bot(fd, tur, 6, true, SECTOR, data, &ds, &residue), 0);
    assert_int_equal(ds, USBIP_EPIPE);
    assert_int_equal(residue, SECTOR);
    close(fd);
}

static void test_unlink_of_a_waiting_urb_and_of_a_finished_one(void **state)
{
    (void)state;
    int fd = attach_configured();
    /* an IN URB with no command behind it waits... */
    uint32_t waiting = submit(fd, 1, USBIP_DIR_IN, NULL, 13, NULL);
    uint8_t h[48] = {0};
    uint32_t s = seq++;
    put32(&h[0], USBIP_CMD_UNLINK);
    put32(&h[4], s);
    put32(&h[20], waiting);
    write_all(fd, h, sizeof h);
    struct ret r = read_ret(fd, false, NULL);
    assert_int_equal(r.command, USBIP_RET_UNLINK);
    assert_int_equal(r.seqnum, s);
    assert_int_equal(r.status, USBIP_ECONNRESET);
    /* ...and a finished one is answered with status 0 */
    uint8_t buf[18];
    uint32_t done = seq;
    assert_int_equal(control(fd, 0x80, 6, 0x0100, 0, 18, buf).status, 0);
    s = seq++;
    put32(&h[4], s);
    put32(&h[20], done);
    write_all(fd, h, sizeof h);
    r = read_ret(fd, false, NULL);
    assert_int_equal(r.command, USBIP_RET_UNLINK);
    assert_int_equal(r.status, 0);
    /* the device still answers: the unlinked URB left nothing behind */
    uint8_t tur[6] = {0};
    int32_t ds;
    uint32_t residue;
    (void)bot(fd, tur, 6, false, 0, NULL, &ds, &residue);
    assert_int_equal(bot(fd, tur, 6, false, 0, NULL, &ds, &residue), 0);
    close(fd);
}

static void test_device_can_be_imported_again_after_the_host_left(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        int fd = attach_configured();
        close(fd);
    }
}

/* ---- a whole update over the wire ---- */
#define APP_SIZE 3000u
#define UF2_BLOCK 512u
#define UF2_PAYLOAD 256u
#define DISK_BYTES (65536u * SECTOR)
#define WRITE_RUN_MAX 128u /* sectors per WRITE(10), like usb-storage's 64 KB */

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A UF2 file written here from the spec (github.com/microsoft/uf2), not by core/. */
static size_t make_uf2(const uint8_t *app, uint32_t n, uint8_t *out)
{
    uint32_t blocks = (n + UF2_PAYLOAD - 1u) / UF2_PAYLOAD;
    for (uint32_t b = 0; b < blocks; b++) {
        uint8_t *blk = out + b * UF2_BLOCK;
        uint32_t len = n - b * UF2_PAYLOAD < UF2_PAYLOAD ? n - b * UF2_PAYLOAD : UF2_PAYLOAD;
        memset(blk, 0, UF2_BLOCK);
        put_le32(blk + 0, 0x0A324655u);
        put_le32(blk + 4, 0x9E5D5157u);
        put_le32(blk + 8, 0x00002000u); /* family ID present */
        put_le32(blk + 12, DB_APP_BASE + b * UF2_PAYLOAD);
        put_le32(blk + 16, UF2_PAYLOAD);
        put_le32(blk + 20, b);
        put_le32(blk + 24, blocks);
        put_le32(blk + 28, DB_UF2_FAMILY);
        memcpy(blk + 32, app + b * UF2_PAYLOAD, len);
        put_le32(blk + 508, 0x0AB16F30u);
    }
    return blocks * UF2_BLOCK;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static uint8_t *read_file(const char *path, size_t n)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(p, 1, n, f), n);
    fclose(f);
    return p;
}

/* A UF2 copied onto the drive (the sectors mtools changes, written with
   WRITE(10)); the host goes idle; the device resets: the connection closes,
   the app starts, the flash holds it. */
static void test_copying_a_uf2_resets_into_the_app(void **state)
{
    (void)state;
    char flash[200], empty[200], img[200], uf2[200], out[200], cmd[2048];
    snprintf(flash, sizeof flash, "%s/update.flash", dir_path);
    snprintf(empty, sizeof empty, "%s/update-empty.img", dir_path);
    snprintf(img, sizeof img, "%s/update-new.img", dir_path);
    snprintf(uf2, sizeof uf2, "%s/app.uf2", dir_path);
    snprintf(out, sizeof out, "%s/update.out", dir_path);
    static uint8_t app[APP_SIZE], file[((APP_SIZE + UF2_PAYLOAD - 1) / UF2_PAYLOAD) * UF2_BLOCK];
    srand(7);
    for (uint32_t i = 0; i < APP_SIZE; i++)
        app[i] = (uint8_t)rand();
    put_le32(app, DB_RAM_BASE + (DB_RAM_END - DB_RAM_BASE) / 2u); /* initial stack pointer in SRAM (0x20050000 on the L4R5) */
    put_le32(app + 4, DB_APP_BASE + 0x201u);    /* reset handler inside the app, Thumb */
    write_file(uf2, file, make_uf2(app, APP_SIZE, file));
    snprintf(cmd, sizeof cmd,
             "%s/dropboot-sim --flash %s dump %s && cp %s %s && MTOOLS_SKIP_CHECK=1 mcopy -i %s %s ::APP.UF2",
             DB_BUILD_DIR, flash, empty, empty, img, img, uf2);
    assert_int_equal(run(cmd), 0);
    uint8_t *before = read_file(empty, DISK_BYTES);
    uint8_t *after = read_file(img, DISK_BYTES);

    pid_t pid = spawn_server(flash, out);
    assert_true(pid > 0);
    int fd = attach_configured();
    uint8_t tur[6] = {0};
    int32_t ds;
    uint32_t residue, written = 0;
    (void)bot(fd, tur, 6, false, 0, NULL, &ds, &residue); /* unit attention */
    for (uint32_t lba = 0; lba < DISK_BYTES / SECTOR;) {
        if (memcmp(before + lba * SECTOR, after + lba * SECTOR, SECTOR) == 0) {
            lba++;
            continue;
        }
        uint32_t n = 1;
        while (n < WRITE_RUN_MAX && lba + n < DISK_BYTES / SECTOR &&
               memcmp(before + (lba + n) * SECTOR, after + (lba + n) * SECTOR, SECTOR) != 0)
            n++;
        uint8_t wr[10] = {0x2A, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8), (uint8_t)lba,
                          0, (uint8_t)(n >> 8), (uint8_t)n, 0};
        assert_int_equal(bot(fd, wr, 10, false, n * SECTOR, after + lba * SECTOR, &ds, &residue), 0);
        assert_int_equal(ds, 0);
        written += n;
        lba += n;
    }
    assert_true(written > 0);
    /* idle host: the device resets on its own; the server closes the connection */
    uint8_t byte;
    assert_int_equal(recv(fd, &byte, 1, 0), 0);
    close(fd);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char line[128] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "app started at " DB_APP_BASE_TEXT "\n");
    uint8_t *fl = read_file(flash, DB_APP_BASE - DB_FLASH_BASE + APP_SIZE);
    assert_memory_equal(fl + (DB_APP_BASE - DB_FLASH_BASE), app, APP_SIZE);
    free(fl);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devlist_names_one_full_speed_mass_storage_device),
        cmocka_unit_test(test_import_of_unknown_busid_is_refused),
        cmocka_unit_test(test_enumeration_over_the_wire),
        cmocka_unit_test(test_inquiry_and_read_of_the_boot_sector),
        cmocka_unit_test(test_big_read_in_one_urb_matches_the_dump),
        cmocka_unit_test(test_stalled_pipe_completes_the_urb_with_epipe),
        cmocka_unit_test(test_unlink_of_a_waiting_urb_and_of_a_finished_one),
        cmocka_unit_test(test_device_can_be_imported_again_after_the_host_left),
        cmocka_unit_test(test_copying_a_uf2_resets_into_the_app),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
