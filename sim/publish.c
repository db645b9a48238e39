/* publish.c - atomic publication of a file (publish.h).
 *
 * Why link() rather than rename() when not replacing: link fails atomically
 * with EEXIST when the final name has appeared meanwhile (another job
 * finished first), where rename would silently replace it. Filesystems
 * without hard links fall back to check-then-rename. */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int publish_is_disk_errno(int en)
{
    return en == ENOSPC || en == EDQUOT || en == EFBIG || en == EIO || en == EROFS;
}

void publish_dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, n, ".");
    else if (slash == path) snprintf(buf, n, "/");
    else snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

inc_status publish_io_fail(inc_err *e, int en, const char *action, const char *path, const char *hint)
{
    char dir[1024], reason[1400];
    publish_dir_of(path, dir, sizeof dir);
    struct statvfs vfs;
    if (en == ENOSPC || en == EDQUOT) {
        const char *what = en == EDQUOT ? "your quota on the disk" : "the disk";
        if (statvfs(dir, &vfs) == 0)
            snprintf(reason, sizeof reason, "%s: %s holding folder %s is full (%llu bytes free)", strerror(en), what,
                     dir, (unsigned long long)vfs.f_bavail * (unsigned long long)vfs.f_frsize);
        else
            snprintf(reason, sizeof reason, "%s: %s holding folder %s is full", strerror(en), what, dir);
    } else if (en == EFBIG) {
        snprintf(reason, sizeof reason, "%s: the file size limit (ulimit -f) is reached", strerror(en));
    } else {
        snprintf(reason, sizeof reason, "%s (folder %s)", strerror(en), dir);
    }
    return inc_fail(e, INC_ERR_IO, "cannot %s %s: %s%s%s", action, path, reason, hint && hint[0] ? "; " : "",
                    hint ? hint : "");
}

void publish_discard(const char *tmp)
{
    if (tmp) unlink(tmp);
}

/* fsync a file or folder; returns 0 or the errno. Folders: EINVAL (a
 * filesystem that cannot sync folders) is not an error. */
static int sync_path(const char *path, int is_dir)
{
    int fd = open(path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return errno;
    int en = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    if (is_dir && (en == EINVAL || en == ENOTSUP)) en = 0;
    return en;
}

inc_status publish_file(const char *tmp, const char *final, int replace, inc_err *e)
{
    int en = sync_path(tmp, 0);
    if (en) {
        inc_status st = publish_io_fail(e, en, "write", tmp, "nothing was published");
        publish_discard(tmp);
        return st;
    }
    struct stat st;
    int linked = 0;
    if (!replace) {
        if (link(tmp, final) == 0) linked = 1;
        else if (errno == EEXIST || lstat(final, &st) == 0) {
            publish_discard(tmp);
            return inc_fail(e, INC_ERR_IO, "%s appeared while this run was writing it; not overwritten (pass --force to overwrite)",
                            final);
        }
    }
    if (linked) unlink(tmp); /* final is complete already */
    else if (rename(tmp, final) != 0) {
        en = errno;
        char what[1200];
        snprintf(what, sizeof what, "rename %s to", tmp);
        inc_status rst = publish_io_fail(e, en, what, final, "nothing was published");
        publish_discard(tmp);
        return rst;
    }
    char dir[1024];
    publish_dir_of(final, dir, sizeof dir);
    en = sync_path(dir, 1);
    if (en) return publish_io_fail(e, en, "sync the folder of", final, "the file may not survive a crash");
    return INC_OK;
}
