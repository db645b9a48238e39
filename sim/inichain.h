/* inichain.h - reading a scenario's chain of INI files: `extends = other.ini`
 * (relative to the file's folder) loads the other file first, and the keys of
 * the later file override. Every key must be in params.def; its value is
 * parsed and range-checked as it is read (params_apply_value), so an error
 * names the file and line. Missing keys are the caller's check (origin[i] is
 * NULL for a key no file set).
 *
 * (Named inichain, not ini: <ini.h> is inih's header.) */
#ifndef INC_INICHAIN_H
#define INC_INICHAIN_H

#include "params.h"
#include "status.h"

#define INICHAIN_MAX 32 /* files in one extends chain */

typedef struct {
    sc_params p;                     /* the values set so far */
    char *origin[PARAMS_COUNT];      /* "FILE:LINE" where each key was last set, or NULL */
    char *description;               /* the last description = line, or NULL */
    char *chain[INICHAIN_MAX];       /* absolute paths of the files read, base first */
    int n_chain;
    char *stack_real[INICHAIN_MAX];  /* files being loaded, top first (cycle check) */
    char *stack_disp[INICHAIN_MAX];
    int depth;
    inc_err *e;
} inichain;

/* Load scenario file `path` (relative to the cwd) and its extends chain into
 * L, which must be zeroed with L->e set (the error record, may be NULL).
 * Returns INC_OK, INC_ERR_IO (a file cannot be read), INC_ERR_PARSE (a
 * malformed line, a key set twice in one file, an extends cycle or a chain
 * longer than INICHAIN_MAX), INC_ERR_KEY (unknown key or section, with a
 * "did you mean"), the errors of params_apply_value, or INC_ERR_NOMEM. On
 * error L holds what was read before it; free with inichain_free either way. */
inc_status inichain_load(inichain *L, const char *path);

/* Free what L holds and zero it. */
void inichain_free(inichain *L);

#endif
