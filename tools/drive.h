/*
 * Finding dropboot drives on Linux and reading what they say about
 * themselves: mounted vfat file systems (from /proc/self/mountinfo) whose
 * INFO_UF2.TXT first line ends with "dropboot", and their STATUS.TXT. The
 * parsers take text so unit tests can feed them directly. Owner: decoders.
 */
#ifndef DB_TOOL_DRIVE_H
#define DB_TOOL_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DRIVE_PATH_MAX 4096u /* PATH_MAX on Linux */
#define DRIVE_FIELD_MAX 128u /* one INFO_UF2.TXT value */
#define DRIVE_MAX 16u        /* drives one scan reports */
#define DRIVE_TEXT_MAX 4096u /* INFO_UF2.TXT and STATUS.TXT are a few hundred bytes */
#define DRIVE_DETAIL_MAX 8u  /* STATUS.TXT detail lines kept */

/* One line of /proc/self/mountinfo, the fields the tool uses. */
struct mount_entry {
    int mount_id;
    unsigned dev_major;
    unsigned dev_minor;
    char mount_point[DRIVE_PATH_MAX];
    char fstype[32];
    char source[DRIVE_PATH_MAX];
};

struct drive {
    char mount_point[DRIVE_PATH_MAX];
    int mount_id; /* -1 when given as --drive and not found in mountinfo */
    unsigned dev_major;
    unsigned dev_minor;
    char source[DRIVE_PATH_MAX];
    /* INFO_UF2.TXT */
    char version[DRIVE_FIELD_MAX];
    char model[DRIVE_FIELD_MAX];
    char board_id[DRIVE_FIELD_MAX];
    char serial[DRIVE_FIELD_MAX];
    bool has_family;
    uint32_t family;
    bool has_app;
    uint32_t app_base;
    uint32_t app_max_size;
};

struct drive_status {
    char header[DRIVE_FIELD_MAX]; /* "dropboot 0.1.0 NUCLEO-L4R5ZI" */
    char result[DRIVE_FIELD_MAX]; /* "DB_DONE", "DB_ERR_UF2_FAMILY", ... */
    char sentence[DRIVE_TEXT_MAX / 8u];
    char details[DRIVE_DETAIL_MAX][DRIVE_FIELD_MAX * 2u];
    size_t detail_count;
};

/* Parse one mountinfo line (octal escapes such as \040 undone); false when malformed. */
bool drive_parse_mountinfo_line(const char *line, struct mount_entry *m);

/* Parse INFO_UF2.TXT; true when its first line ends with "dropboot". */
bool drive_parse_info(const char *text, struct drive *d);

/* Parse STATUS.TXT; true when it has a "Result:" line. */
bool drive_parse_status(const char *text, struct drive_status *s);

/* Read a small text file whole (NUL-terminated, at most DRIVE_TEXT_MAX - 1 bytes); false on error. */
bool drive_read_text(const char *dir, const char *name, char out[DRIVE_TEXT_MAX]);

/* Every mounted dropboot drive. Reads $DROPBOOT_MOUNTINFO instead of
   /proc/self/mountinfo when set (tests). Returns how many (at most max). */
size_t drive_scan(struct drive *out, size_t max);

/* The drive at a path (a mount point or any directory holding INFO_UF2.TXT). */
bool drive_at(const char *path, struct drive *d);

/* Is the block device under the file system still there (/sys/dev/block/MAJ:MIN)? */
bool drive_device_present(const struct drive *d);

/* Is this mount still listed in mountinfo? */
bool drive_still_mounted(const struct drive *d);

#endif
