/*
 * dropboot drives: mountinfo, INFO_UF2.TXT and STATUS.TXT parsing, scans.
 */
#include "drive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MOUNTINFO_DEFAULT "/proc/self/mountinfo"
#define MOUNTINFO_LINE_MAX 8192u
#define INFO_NAME "INFO_UF2.TXT"
#define DROPBOOT_MARK "dropboot"
#define INFO_PREFIX "UF2 Bootloader v"

static void copy_field(char *dst, size_t n, const char *src, size_t len)
{
    if (len >= n) {
        len = n - 1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Next space-separated field of a mountinfo line, octal escapes undone. */
static const char *next_field(const char *p, char *out, size_t n)
{
    while (*p == ' ') {
        p++;
    }
    size_t k = 0;
    while (*p != '\0' && *p != ' ' && *p != '\n') {
        char c = *p++;
        if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7') {
            c = (char)(((p[0] - '0') << 6) | ((p[1] - '0') << 3) | (p[2] - '0'));
            p += 3;
        }
        if (k + 1 < n) {
            out[k++] = c;
        }
    }
    out[k] = '\0';
    return p;
}

bool drive_parse_mountinfo_line(const char *line, struct mount_entry *m)
{
    /* id parent major:minor root mount-point options [optional...] - fstype source super-options */
    char f[DRIVE_PATH_MAX];
    const char *p = line;
    memset(m, 0, sizeof(*m));
    p = next_field(p, f, sizeof(f));
    char *end = NULL;
    m->mount_id = (int)strtol(f, &end, 10);
    if (f[0] == '\0' || *end != '\0') {
        return false;
    }
    p = next_field(p, f, sizeof(f)); /* parent */
    p = next_field(p, f, sizeof(f));
    if (sscanf(f, "%u:%u", &m->dev_major, &m->dev_minor) != 2) {
        return false;
    }
    p = next_field(p, f, sizeof(f)); /* root */
    p = next_field(p, m->mount_point, sizeof(m->mount_point));
    p = next_field(p, f, sizeof(f)); /* options */
    /* optional fields until the lone "-" */
    for (int guard = 0; guard < 64; guard++) {
        p = next_field(p, f, sizeof(f));
        if (f[0] == '\0') {
            return false;
        }
        if (strcmp(f, "-") == 0) {
            break;
        }
    }
    p = next_field(p, m->fstype, sizeof(m->fstype));
    next_field(p, m->source, sizeof(m->source));
    return m->mount_point[0] != '\0' && m->fstype[0] != '\0';
}

/* Split text into lines (CRLF or LF), calling fn for each; stops when fn returns false. */
typedef bool (*line_fn)(void *ctx, size_t index, const char *line, size_t len);

static void each_line(const char *text, line_fn fn, void *ctx)
{
    size_t index = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *e = p;
        while (*e != '\0' && *e != '\n' && *e != '\r') {
            e++;
        }
        if (!fn(ctx, index++, p, (size_t)(e - p))) {
            return;
        }
        if (*e == '\r' && e[1] == '\n') {
            e++;
        }
        p = (*e == '\0') ? e : e + 1;
    }
}

/* "Key: value" -> value when the line starts with key. */
static bool key_value(const char *line, size_t len, const char *key, const char **val, size_t *vlen)
{
    size_t k = strlen(key);
    if (len < k + 1 || strncmp(line, key, k) != 0 || line[k] != ':') {
        return false;
    }
    size_t i = k + 1;
    while (i < len && line[i] == ' ') {
        i++;
    }
    *val = line + i;
    *vlen = len - i;
    return true;
}

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(buf, &end, 0);
    if (errno != 0 || *end != '\0' || v > 0xFFFFFFFFul || buf[0] == '-') {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

struct info_parse {
    struct drive *d;
    bool is_dropboot;
    bool has_base;
    bool has_size;
};

static bool info_line(void *ctx, size_t index, const char *line, size_t len)
{
    struct info_parse *ip = ctx;
    struct drive *d = ip->d;
    const char *v;
    size_t vl;
    if (index == 0) {
        size_t m = strlen(DROPBOOT_MARK);
        size_t pre = strlen(INFO_PREFIX);
        ip->is_dropboot = len >= m && memcmp(line + len - m, DROPBOOT_MARK, m) == 0;
        if (ip->is_dropboot && len > pre && memcmp(line, INFO_PREFIX, pre) == 0) {
            const char *s = line + pre;
            const char *e = memchr(s, ' ', len - pre);
            copy_field(d->version, sizeof(d->version), s, e ? (size_t)(e - s) : len - pre);
        }
        return ip->is_dropboot;
    }
    if (key_value(line, len, "Model", &v, &vl)) {
        copy_field(d->model, sizeof(d->model), v, vl);
    } else if (key_value(line, len, "Board-ID", &v, &vl)) {
        copy_field(d->board_id, sizeof(d->board_id), v, vl);
    } else if (key_value(line, len, "Serial", &v, &vl)) {
        copy_field(d->serial, sizeof(d->serial), v, vl);
    } else if (key_value(line, len, "Family-ID", &v, &vl)) {
        d->has_family = parse_u32(v, vl, &d->family);
    } else if (key_value(line, len, "App-Base", &v, &vl)) {
        ip->has_base = parse_u32(v, vl, &d->app_base);
    } else if (key_value(line, len, "App-Max-Size", &v, &vl)) {
        ip->has_size = parse_u32(v, vl, &d->app_max_size);
    }
    return true;
}

bool drive_parse_info(const char *text, struct drive *d)
{
    struct info_parse ip = {d, false, false, false};
    d->version[0] = d->model[0] = d->board_id[0] = d->serial[0] = '\0';
    d->has_family = d->has_app = false;
    each_line(text, info_line, &ip);
    d->has_app = ip.has_base && ip.has_size;
    return ip.is_dropboot;
}

struct status_parse {
    struct drive_status *s;
    int after_result; /* lines since "Result:", -1 before it */
};

static bool status_line(void *ctx, size_t index, const char *line, size_t len)
{
    struct status_parse *sp = ctx;
    struct drive_status *s = sp->s;
    const char *v;
    size_t vl;
    if (index == 0) {
        copy_field(s->header, sizeof(s->header), line, len);
    } else if (sp->after_result < 0 && key_value(line, len, "Result", &v, &vl)) {
        copy_field(s->result, sizeof(s->result), v, vl);
        sp->after_result = 0;
    } else if (sp->after_result == 0 && len > 0) {
        copy_field(s->sentence, sizeof(s->sentence), line, len);
        sp->after_result = 1;
    } else if (sp->after_result > 0 && len > 0 && s->detail_count < DRIVE_DETAIL_MAX) {
        copy_field(s->details[s->detail_count], sizeof(s->details[0]), line, len);
        s->detail_count++;
    }
    return true;
}

bool drive_parse_status(const char *text, struct drive_status *s)
{
    memset(s, 0, sizeof(*s));
    struct status_parse sp = {s, -1};
    each_line(text, status_line, &sp);
    return s->result[0] != '\0';
}

bool drive_read_text(const char *dir, const char *name, char out[DRIVE_TEXT_MAX])
{
    char path[DRIVE_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    size_t n = 0;
    while (n < DRIVE_TEXT_MAX - 1) {
        ssize_t r = read(fd, out + n, DRIVE_TEXT_MAX - 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0) {
                close(fd);
                return false;
            }
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    out[n] = '\0';
    return true;
}

static bool is_fat(const char *fstype)
{
    return strcmp(fstype, "vfat") == 0 || strcmp(fstype, "msdos") == 0;
}

static FILE *open_mountinfo(void)
{
    const char *path = getenv("DROPBOOT_MOUNTINFO");
    return fopen(path != NULL && path[0] != '\0' ? path : MOUNTINFO_DEFAULT, "re");
}

static bool drive_from_mount(const struct mount_entry *m, struct drive *d)
{
    char text[DRIVE_TEXT_MAX];
    memset(d, 0, sizeof(*d));
    if (!drive_read_text(m->mount_point, INFO_NAME, text) || !drive_parse_info(text, d)) {
        return false;
    }
    snprintf(d->mount_point, sizeof(d->mount_point), "%s", m->mount_point);
    snprintf(d->source, sizeof(d->source), "%s", m->source);
    d->mount_id = m->mount_id;
    d->dev_major = m->dev_major;
    d->dev_minor = m->dev_minor;
    return true;
}

size_t drive_scan(struct drive *out, size_t max)
{
    FILE *f = open_mountinfo();
    if (f == NULL) {
        return 0;
    }
    static char line[MOUNTINFO_LINE_MAX];
    static struct mount_entry m;
    size_t n = 0;
    while (n < max && fgets(line, sizeof(line), f) != NULL) {
        if (!drive_parse_mountinfo_line(line, &m) || !is_fat(m.fstype)) {
            continue;
        }
        /* A mount whose device has gone (unplugged, not yet unmounted) is not a
           drive; check that first so nothing reads from a dead device. */
        struct drive *d = &out[n];
        d->mount_id = m.mount_id;
        d->dev_major = m.dev_major;
        d->dev_minor = m.dev_minor;
        if (drive_device_present(d) && drive_from_mount(&m, d)) {
            n++;
        }
    }
    fclose(f);
    return n;
}

bool drive_at(const char *path, struct drive *d)
{
    char real[DRIVE_PATH_MAX];
    if (realpath(path, real) == NULL) {
        return false;
    }
    FILE *f = open_mountinfo();
    if (f != NULL) {
        static char line[MOUNTINFO_LINE_MAX];
        static struct mount_entry m;
        while (fgets(line, sizeof(line), f) != NULL) {
            if (drive_parse_mountinfo_line(line, &m) && strcmp(m.mount_point, real) == 0 &&
                drive_from_mount(&m, d)) {
                fclose(f);
                return true;
            }
        }
        fclose(f);
    }
    /* Not a mount point we know: any directory with a dropboot INFO_UF2.TXT will do. */
    struct mount_entry plain = {.mount_id = -1};
    snprintf(plain.mount_point, sizeof(plain.mount_point), "%s", real);
    return drive_from_mount(&plain, d);
}

bool drive_device_present(const struct drive *d)
{
    if (d->mount_id < 0) {
        return true; /* a plain directory: nothing to watch */
    }
    /* Devices without a backing block device (major 0) cannot vanish this way. */
    if (d->dev_major == 0) {
        return true;
    }
    char path[64];
    snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", d->dev_major, d->dev_minor);
    struct stat st;
    return stat(path, &st) == 0;
}

bool drive_still_mounted(const struct drive *d)
{
    if (d->mount_id < 0) {
        struct stat st;
        char path[DRIVE_PATH_MAX + 32];
        snprintf(path, sizeof(path), "%s/%s", d->mount_point, INFO_NAME);
        return stat(path, &st) == 0;
    }
    FILE *f = open_mountinfo();
    if (f == NULL) {
        return false;
    }
    static char line[MOUNTINFO_LINE_MAX];
    static struct mount_entry m;
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        found = drive_parse_mountinfo_line(line, &m) && m.mount_id == d->mount_id;
    }
    fclose(f);
    return found;
}
