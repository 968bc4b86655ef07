/*
 * USB/IP wire format and TCP server (device side).
 *
 * Connections start in the OP stage: OP_REQ_DEVLIST is answered and the
 * connection closed; OP_REQ_IMPORT for busid 1-1 turns it into the device's
 * URB stream (one at a time; a second import is refused while one is live).
 * Sockets are non-blocking for reading, so a slow peer never stalls the
 * loop; a reply is written whole (waiting in poll(2) if the socket is full).
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "usbip.h"

#define DEVICE_PATH "/sys/devices/platform/dropboot-sim/usb1/1-1"
#define OP_IMPORT_LEN (USBIP_OP_HEADER_LEN + USBIP_BUSID_LEN)
#define SEND_TIMEOUT_MS 5000 /* a peer that takes no data for this long is gone */
#define OP_STATUS_OK 0u
#define OP_STATUS_ERROR 1u

/* ---- wire format ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static bool is_ret(uint32_t command)
{
    return command == USBIP_RET_SUBMIT || command == USBIP_RET_UNLINK;
}

void usbip_header_pack(const struct usbip_header *h, uint8_t out[USBIP_HEADER_LEN])
{
    memset(out, 0, USBIP_HEADER_LEN);
    put_be32(&out[0], h->command);
    put_be32(&out[4], h->seqnum);
    put_be32(&out[8], h->devid);
    put_be32(&out[12], h->direction);
    put_be32(&out[16], h->ep);
    put_be32(&out[20], is_ret(h->command) ? (uint32_t)h->status : h->flags);
    if (h->command == USBIP_CMD_UNLINK || h->command == USBIP_RET_UNLINK)
        return; /* the rest is padding */
    put_be32(&out[24], (uint32_t)h->length);
    put_be32(&out[28], (uint32_t)h->start_frame);
    put_be32(&out[32], (uint32_t)h->packets);
    put_be32(&out[36], (uint32_t)h->interval);
    if (h->command == USBIP_CMD_SUBMIT)
        memcpy(&out[40], h->setup, 8);
}

void usbip_header_unpack(const uint8_t in[USBIP_HEADER_LEN], struct usbip_header *h)
{
    h->command = get_be32(&in[0]);
    h->seqnum = get_be32(&in[4]);
    h->devid = get_be32(&in[8]);
    h->direction = get_be32(&in[12]);
    h->ep = get_be32(&in[16]);
    h->flags = get_be32(&in[20]);
    h->status = (int32_t)h->flags;
    h->length = (int32_t)get_be32(&in[24]);
    h->start_frame = (int32_t)get_be32(&in[28]);
    h->packets = (int32_t)get_be32(&in[32]);
    h->interval = (int32_t)get_be32(&in[36]);
    memcpy(h->setup, &in[40], 8);
}

bool usbip_device_info_parse(struct usbip_device_info *info, const uint8_t *dev, uint32_t dev_len,
                             const uint8_t *cfg, uint32_t cfg_len)
{
    memset(info, 0, sizeof *info);
    if (dev_len < 18u || dev[1] != 1u || cfg_len < 9u || cfg[1] != 2u)
        return false;
    info->dev_class = dev[4];
    info->dev_subclass = dev[5];
    info->dev_protocol = dev[6];
    info->vid = (uint16_t)(dev[8] | dev[9] << 8);
    info->pid = (uint16_t)(dev[10] | dev[11] << 8);
    info->bcd_device = (uint16_t)(dev[12] | dev[13] << 8);
    info->num_configs = dev[17];
    info->num_interfaces = cfg[4];
    info->config_value = cfg[5];
    /* Walk the configuration for each interface's default setting. */
    uint32_t k = 0;
    for (uint32_t off = 0; off + 2u <= cfg_len && cfg[off] >= 2u; off += cfg[off]) {
        if (cfg[off + 1u] == 4u && off + 9u <= cfg_len && cfg[off + 3u] == 0u && k < USBIP_MAX_INTERFACES) {
            info->if_class[k] = cfg[off + 5u];
            info->if_subclass[k] = cfg[off + 6u];
            info->if_protocol[k] = cfg[off + 7u];
            k++;
        }
    }
    if (info->num_interfaces > k)
        info->num_interfaces = (uint8_t)k;
    return true;
}

size_t usbip_device_pack(const struct usbip_device_info *info, bool with_interfaces, uint8_t *out, size_t max)
{
    size_t need = USBIP_DEVICE_LEN + (with_interfaces ? info->num_interfaces * USBIP_INTERFACE_LEN : 0u);
    if (max < need)
        return 0;
    memset(out, 0, need);
    memcpy(out, DEVICE_PATH, sizeof DEVICE_PATH);
    memcpy(out + USBIP_PATH_LEN, USBIP_BUSID, sizeof USBIP_BUSID);
    uint8_t *p = out + USBIP_PATH_LEN + USBIP_BUSID_LEN;
    put_be32(&p[0], USBIP_BUSNUM);
    put_be32(&p[4], USBIP_DEVNUM);
    put_be32(&p[8], USBIP_SPEED_FULL);
    put_be16(&p[12], info->vid);
    put_be16(&p[14], info->pid);
    put_be16(&p[16], info->bcd_device);
    p[18] = info->dev_class;
    p[19] = info->dev_subclass;
    p[20] = info->dev_protocol;
    p[21] = info->config_value;
    p[22] = info->num_configs;
    p[23] = info->num_interfaces;
    if (with_interfaces) {
        for (uint32_t i = 0; i < info->num_interfaces; i++) {
            uint8_t *q = out + USBIP_DEVICE_LEN + i * USBIP_INTERFACE_LEN;
            q[0] = info->if_class[i];
            q[1] = info->if_subclass[i];
            q[2] = info->if_protocol[i];
        }
    }
    return need;
}

/* ---- server ---- */

static void say(const struct usbip_server *s, const char *fmt, const char *a, const char *b)
{
    if (s->quiet)
        return;
    fprintf(stderr, "dropboot-sim: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

static bool send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            if (poll(&pfd, 1, SEND_TIMEOUT_MS) > 0)
                continue;
        }
        return false;
    }
    return true;
}

static void conn_close(struct usbip_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->data);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* The URB engine's replies go out on the imported connection. */
static void send_to_conn(void *ctx, const uint8_t header[USBIP_HEADER_LEN], const uint8_t *data, uint32_t len)
{
    struct usbip_conn *c = ctx;
    if (c->broken || c->fd < 0)
        return;
    if (!send_all(c->fd, header, USBIP_HEADER_LEN) || (len > 0u && !send_all(c->fd, data, len)))
        c->broken = true;
}

static void drop_conn(struct usbip_server *s, struct usbip_conn *c, const char *why)
{
    if (c->imported) {
        usbip_dev_detach();
        say(s, "usbip: %s: device detached (%s)", c->peer, why);
    }
    conn_close(c);
}

/* ---- helpers of the URB engines ---- */

bool usbip_submit_ok(const struct usbip_header *h, uint32_t ep_count)
{
    return h->ep < ep_count && h->length >= 0 && (uint32_t)h->length <= USBIP_URB_MAX &&
           (h->packets == 0 || h->packets == -1);
}

bool usbip_submit_in(const struct usbip_header *h)
{
    return h->ep == 0u ? (h->setup[0] & 0x80u) != 0u : h->direction == USBIP_DIR_IN;
}

void usbip_send_ret_submit(usbip_send_fn send, void *ctx, uint32_t seqnum, int32_t status, uint32_t actual,
                           int32_t packets, const uint8_t *in_data)
{
    struct usbip_header h;
    uint8_t raw[USBIP_HEADER_LEN];
    memset(&h, 0, sizeof h);
    h.command = USBIP_RET_SUBMIT;
    h.seqnum = seqnum;
    h.status = status;
    h.length = (int32_t)actual;
    h.packets = packets;
    usbip_header_pack(&h, raw);
    if (send != NULL)
        send(ctx, raw, in_data, in_data != NULL ? actual : 0u);
}

void usbip_send_ret_unlink(usbip_send_fn send, void *ctx, uint32_t seqnum, int32_t status)
{
    struct usbip_header h;
    uint8_t raw[USBIP_HEADER_LEN];
    memset(&h, 0, sizeof h);
    h.command = USBIP_RET_UNLINK;
    h.seqnum = seqnum;
    h.status = status;
    usbip_header_pack(&h, raw);
    if (send != NULL)
        send(ctx, raw, NULL, 0);
}

int usbip_parse_addr(const char *arg, char *host, size_t host_len, uint16_t *port)
{
    const char *colon = strrchr(arg, ':');
    if (colon == NULL || (size_t)(colon - arg) >= host_len || colon == arg)
        return -1;
    char *end = NULL;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535)
        return -1;
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    *port = (uint16_t)p;
    return 0;
}

int usbip_server_open(struct usbip_server *s, const char *addr, uint16_t port,
                      const struct usbip_device_info *info, bool quiet)
{
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < USBIP_MAX_CLIENTS; i++)
        s->clients[i].fd = -1;
    s->info = *info;
    s->quiet = quiet;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0)
        return -1;
    int one = 1;
    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s->listen_fd, 8) != 0) {
        int e = errno;
        close(s->listen_fd);
        s->listen_fd = -1;
        errno = e;
        return -1;
    }
    fcntl(s->listen_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

uint16_t usbip_server_port(const struct usbip_server *s)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(s->listen_fd, (struct sockaddr *)&sa, &len) != 0)
        return 0;
    return ntohs(sa.sin_port);
}

bool usbip_server_has_device(const struct usbip_server *s)
{
    for (uint32_t i = 0; i < USBIP_MAX_CLIENTS; i++)
        if (s->clients[i].fd >= 0 && s->clients[i].imported)
            return true;
    return false;
}

void usbip_server_drop_device(struct usbip_server *s)
{
    for (uint32_t i = 0; i < USBIP_MAX_CLIENTS; i++)
        if (s->clients[i].fd >= 0 && s->clients[i].imported)
            drop_conn(s, &s->clients[i], "device reset");
}

void usbip_server_close(struct usbip_server *s)
{
    for (uint32_t i = 0; i < USBIP_MAX_CLIENTS; i++)
        if (s->clients[i].fd >= 0)
            drop_conn(s, &s->clients[i], "server stopped");
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
}

static void accept_clients(struct usbip_server *s)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct usbip_conn *c = NULL;
        for (uint32_t i = 0; i < USBIP_MAX_CLIENTS && c == NULL; i++)
            if (s->clients[i].fd < 0)
                c = &s->clients[i];
        if (c == NULL) {
            close(fd); /* busy: the peer sees the connection close */
            continue;
        }
        conn_close(c);
        c->fd = fd;
        int one = 1; /* URBs are small and latency-bound: no Nagle */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "%s:%u", ip, ntohs(sa.sin_port));
    }
}

/* Read into dst until want bytes are there. 1: complete, 0: wait for more, -1: closed or error. */
static int fill(struct usbip_conn *c, uint8_t *dst, uint32_t want, uint32_t *got)
{
    while (*got < want) {
        ssize_t r = recv(c->fd, dst + *got, want - *got, 0);
        if (r > 0) {
            *got += (uint32_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return -1;
    }
    return 1;
}

static void op_reply_header(uint8_t *p, uint16_t code, uint32_t status)
{
    put_be16(&p[0], USBIP_VERSION);
    put_be16(&p[2], code);
    put_be32(&p[4], status);
}

/* OP stage. Returns false when the connection is to be closed. */
static bool handle_op(struct usbip_server *s, struct usbip_conn *c)
{
    int r = fill(c, c->hdr, USBIP_OP_HEADER_LEN, &c->hdr_got);
    if (r <= 0)
        return r == 0;
    uint16_t code = get_be16(&c->hdr[2]);
    uint8_t reply[USBIP_OP_HEADER_LEN + 4u + USBIP_DEVICE_LEN + USBIP_MAX_INTERFACES * USBIP_INTERFACE_LEN];
    if (code == USBIP_OP_REQ_DEVLIST) {
        op_reply_header(reply, USBIP_OP_REP_DEVLIST, OP_STATUS_OK);
        put_be32(&reply[8], 1);
        size_t n = usbip_device_pack(&s->info, true, &reply[12], sizeof reply - 12u);
        say(s, "usbip: %s: device list%s", c->peer, "");
        (void)send_all(c->fd, reply, 12u + n);
        return false;
    }
    if (code != USBIP_OP_REQ_IMPORT) {
        say(s, "usbip: %s: unknown request, closing%s", c->peer, "");
        return false;
    }
    r = fill(c, c->hdr, OP_IMPORT_LEN, &c->hdr_got);
    if (r <= 0)
        return r == 0;
    char busid[USBIP_BUSID_LEN + 1];
    memcpy(busid, &c->hdr[USBIP_OP_HEADER_LEN], USBIP_BUSID_LEN);
    busid[USBIP_BUSID_LEN] = '\0';
    if (strcmp(busid, USBIP_BUSID) != 0 || usbip_server_has_device(s)) {
        op_reply_header(reply, USBIP_OP_REP_IMPORT, OP_STATUS_ERROR);
        say(s, "usbip: %s: import of %s refused (no such device, or already imported)", c->peer, busid);
        (void)send_all(c->fd, reply, USBIP_OP_HEADER_LEN);
        return false;
    }
    op_reply_header(reply, USBIP_OP_REP_IMPORT, OP_STATUS_OK);
    size_t n = usbip_device_pack(&s->info, false, &reply[USBIP_OP_HEADER_LEN], sizeof reply - USBIP_OP_HEADER_LEN);
    if (!send_all(c->fd, reply, USBIP_OP_HEADER_LEN + n))
        return false;
    c->imported = true;
    c->hdr_got = 0;
    say(s, "usbip: %s: device %s attached", c->peer, busid);
    usbip_dev_attach(send_to_conn, c);
    return true;
}

/* URB stage: every complete command goes to the engine. */
static bool handle_urbs(struct usbip_conn *c)
{
    for (;;) {
        int r = fill(c, c->hdr, USBIP_HEADER_LEN, &c->hdr_got);
        if (r <= 0)
            return r == 0;
        struct usbip_header h;
        usbip_header_unpack(c->hdr, &h);
        if (h.command == USBIP_CMD_UNLINK) {
            usbip_dev_unlink(&h);
            c->hdr_got = 0;
            continue;
        }
        if (h.command != USBIP_CMD_SUBMIT || h.length < 0 || (uint32_t)h.length > USBIP_URB_MAX)
            return false;
        uint32_t out_len = (h.direction == USBIP_DIR_OUT) ? (uint32_t)h.length : 0u;
        if (out_len > 0u) {
            if (c->data == NULL) {
                c->data = malloc(out_len);
                c->data_len = out_len;
                c->data_got = 0;
                if (c->data == NULL)
                    return false;
            }
            r = fill(c, c->data, c->data_len, &c->data_got);
            if (r <= 0)
                return r == 0;
        }
        bool ok = usbip_dev_submit(&h, c->data);
        free(c->data);
        c->data = NULL;
        c->data_len = c->data_got = 0;
        c->hdr_got = 0;
        if (!ok)
            return false;
    }
}

void usbip_server_poll(struct usbip_server *s, int timeout_ms)
{
    struct pollfd pfd[1u + USBIP_MAX_CLIENTS];
    struct usbip_conn *who[1u + USBIP_MAX_CLIENTS];
    nfds_t n = 0;
    pfd[n].fd = s->listen_fd;
    pfd[n].events = POLLIN;
    pfd[n].revents = 0;
    who[n++] = NULL;
    for (uint32_t i = 0; i < USBIP_MAX_CLIENTS; i++) {
        struct usbip_conn *c = &s->clients[i];
        if (c->fd < 0)
            continue;
        if (c->broken) {
            drop_conn(s, c, "write failed");
            continue;
        }
        pfd[n].fd = c->fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        who[n++] = c;
    }
    if (poll(pfd, n, timeout_ms) <= 0)
        return;
    for (nfds_t i = 1; i < n; i++) {
        struct usbip_conn *c = who[i];
        if (pfd[i].revents == 0 || c->fd < 0)
            continue;
        bool keep = c->imported ? handle_urbs(c) : handle_op(s, c);
        if (!keep || c->broken)
            drop_conn(s, c, c->broken ? "write failed" : "connection closed");
    }
    if (pfd[0].revents != 0)
        accept_clients(s);
}
