/* h5err.c - reading HDF5's error stack (h5err.h). */
#include "h5err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t n;
    int err_no;
} walk_ctx;

/* Called innermost error first (H5E_WALK_UPWARD): keep that description, the
 * most specific one, and the first "errno = N" HDF5 quotes from the OS. */
static herr_t walk_cb(unsigned nth, const H5E_error2_t *err, void *data)
{
    walk_ctx *c = data;
    if (nth == 0 && c->n) snprintf(c->buf, c->n, "%s", err->desc ? err->desc : "(no description)");
    const char *p = err->desc ? strstr(err->desc, "errno = ") : NULL;
    if (p && !c->err_no) c->err_no = atoi(p + 8);
    return 0;
}

int h5err_read(hid_t estack, char *detail, size_t n)
{
    if (n) detail[0] = '\0';
    walk_ctx c = {detail, n, 0};
    H5Ewalk2(estack, H5E_WALK_UPWARD, walk_cb, &c);
    return c.err_no;
}

/* The automatic handler HDF5 calls when an API call fails. */
static herr_t watch_cb(hid_t estack, void *data)
{
    h5err_watch *w = data;
    char detail[256];
    int en = h5err_read(estack, detail, sizeof detail);
    if (!w->detail[0]) snprintf(w->detail, sizeof w->detail, "%s", detail);
    if (!w->err_no) w->err_no = en;
    return 0;
}

void h5err_watch_begin(h5err_watch *w)
{
    memset(w, 0, sizeof *w);
    H5Eget_auto2(H5E_DEFAULT, &w->old_func, &w->old_data);
    H5Eset_auto2(H5E_DEFAULT, watch_cb, w);
}

void h5err_watch_end(h5err_watch *w)
{
    H5Eset_auto2(H5E_DEFAULT, w->old_func, w->old_data);
}
