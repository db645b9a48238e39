/* h5err.h - what the HDF5 library said when a call failed: its innermost
 * description and the operating system's errno it quotes ("errno = 28"), so
 * that a full disk is reported as a full disk (publish.h) and not as a
 * library error. Used by h5out.c and checkpoint.c. */
#ifndef INC_H5ERR_H
#define INC_H5ERR_H

#include <stddef.h>
#include <hdf5.h>

/* Read HDF5 error stack `estack` (H5E_DEFAULT: the current one): the
 * innermost description into detail (n bytes; "" if none) and the first
 * errno quoted by an entry. Returns that errno, 0 if none is quoted. */
int h5err_read(hid_t estack, char *detail, size_t n);

/* Watch a sequence of HDF5 calls: while installed, every failing API call
 * records the first disk errno it quotes (and its description) in the
 * watch, so code that makes many calls and checks only at the end still
 * knows why the first one failed. begin/end must pair on one thread; end
 * restores the previous automatic error handler. */
typedef struct {
    H5E_auto2_t old_func;
    void *old_data;
    int err_no;       /* first errno quoted by a failing call, 0 if none */
    char detail[256]; /* description of the first failing call */
} h5err_watch;
void h5err_watch_begin(h5err_watch *w);
void h5err_watch_end(h5err_watch *w);

#endif
