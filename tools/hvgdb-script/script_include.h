/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script_include.h - HyperDbg's `#include "path"` for hvgdb-script: the
 * target has no files, so the debugging machine inserts them before a
 * script is compiled or sent.  User space (malloc, files).
 *
 * Each `#include "path";` (the ';' optional, outside strings and
 * comments) is replaced by the file's text, with a `? { ... }` around it
 * removed (HyperDbg's included files are written as `? {...}` commands),
 * its own includes resolved (a relative path from the including file's
 * directory, at most 8 deep, no cycles), and its line breaks and //
 * comments turned into blanks: the including file keeps its line
 * numbers, and an error inside included text names the line of the
 * #include.  gdb-python/hvgdb/include.py does the same for `hv`.
 */
#ifndef HVGDB_SCRIPT_INCLUDE_H
#define HVGDB_SCRIPT_INCLUDE_H

#include <stddef.h>

/* Returns the expanded text (malloc'd, NUL-terminated, *out_len set), or
 * NULL with "line L, column C: ..." in err.  dir: the directory relative
 * paths start from ("." for a script given with -e). */
char *script_expand_includes(const char *src, size_t len, const char *dir,
			     size_t *out_len, char *err, size_t errlen);

#endif
