/* publish.h - one way to publish a file atomically (docs/output.md "File
 * naming and safety"): the file is written under a temporary name, made
 * durable (fsync), renamed to its final name, and the folder is made durable,
 * so a file with the final name is always complete. Used by the trajectory
 * output (h5out.c), checkpoints and snapshots (checkpoint.c, main.c).
 *
 * Every failure is one message naming the file, its folder and the system's
 * reason; when the disk is full (ENOSPC, EDQUOT) the message says so and
 * gives the free bytes of the folder's filesystem (statvfs), so the user
 * knows which disk to free. */
#ifndef INC_PUBLISH_H
#define INC_PUBLISH_H

#include <stddef.h>
#include "status.h"

/* Publish tmp as final: fsync tmp, then rename it to final (replace != 0) or
 * link it to final and unlink tmp (replace == 0: fails, without touching
 * final, if final exists), then fsync final's folder. On any failure tmp is
 * removed, final is untouched and INC_ERR_IO is returned with a message
 * naming both files and the reason (publish_io_fail). */
inc_status publish_file(const char *tmp, const char *final, int replace, inc_err *e);

/* Record the failure of writing `path` with errno en: INC_ERR_IO, message
 * "cannot ACTION PATH: REASON", where REASON is strerror(en) and, on a full
 * disk (ENOSPC, EDQUOT), "the disk holding folder DIR is full (N bytes
 * free)"; on EFBIG "the file size limit (ulimit -f) is reached". hint (may
 * be NULL or "") is appended after "; ", e.g. "choose another --out".
 * Returns INC_ERR_IO. */
inc_status publish_io_fail(inc_err *e, int en, const char *action, const char *path, const char *hint);

/* 1 if en means the storage cannot take the data (ENOSPC, EDQUOT, EFBIG,
 * EIO, EROFS): the failure is the disk's, not the program's. */
int publish_is_disk_errno(int en);

/* Remove a temporary file left by a failed write; a missing file is fine. */
void publish_discard(const char *tmp);

/* The folder of path ("." for a bare name) in buf of n bytes. */
void publish_dir_of(const char *path, char *buf, size_t n);

#endif
