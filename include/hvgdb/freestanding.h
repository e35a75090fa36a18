/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freestanding.h - the only environment the shared sources may assume.
 *
 * gdbstub/, monitor-cmds/ and the pure parts of kmod/ build both into
 * hvgdb.ko and into user-space test binaries.  They get fixed-width types,
 * bool, size_t, NULL and memcpy/memset/memcmp/strlen from here and nothing
 * else: no malloc, no stdio, no sleeping.
 */
#ifndef HVGDB_FREESTANDING_H
#define HVGDB_FREESTANDING_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

/* A local that the code fills before use, left out of the kernel's
 * automatic zeroing (CONFIG_INIT_STACK_ALL_ZERO): for the VMX-root hot
 * paths (docs/performance.md).  User space does not zero locals. */
#ifndef __uninitialized
#define __uninitialized
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* HVGDB_FREESTANDING_H */
