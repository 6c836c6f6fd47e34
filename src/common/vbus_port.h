/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus_port.h - the few primitives src/common needs, mapped to the kernel
 * under __KERNEL__ and to C11 / GCC-Clang builtins in userspace.
 *
 * Shared-memory fields are little-endian (__le16/32/64). Every access to a
 * field the other side may write goes through the vbus_ld / vbus_st helpers
 * below, so it is a single, untorn access (READ_ONCE/WRITE_ONCE) converted
 * from/to CPU byte order in one place.
 */
#ifndef _VBUS_PORT_H
#define _VBUS_PORT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

/* full barrier: orders earlier loads and stores against later ones */
#define vbus_mb()			smp_mb()
#define VBUS_READ_ONCE(x)		READ_ONCE(x)
#define VBUS_WRITE_ONCE(x, v)		WRITE_ONCE(x, v)
/* acquire: later accesses stay after this load */
#define vbus_load_acquire(p)		smp_load_acquire(p)
/* release: earlier accesses are visible before this store */
#define vbus_store_release(p, v)	smp_store_release(p, v)
#define vbus_xchg(p, v)			xchg(p, v)
#define vbus_ctz32(x)			__ffs(x)

#else /* userspace, C11 */

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>	/* __u8 .. __u64, __le16 .. __le64 */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define cpu_to_le16(x)	((__le16)(u16)(x))
#define cpu_to_le32(x)	((__le32)(u32)(x))
#define cpu_to_le64(x)	((__le64)(u64)(x))
#define le16_to_cpu(x)	((u16)(x))
#define le32_to_cpu(x)	((u32)(x))
#define le64_to_cpu(x)	((u64)(x))
#else
#define cpu_to_le16(x)	((__le16)__builtin_bswap16(x))
#define cpu_to_le32(x)	((__le32)__builtin_bswap32(x))
#define cpu_to_le64(x)	((__le64)__builtin_bswap64(x))
#define le16_to_cpu(x)	__builtin_bswap16((u16)(x))
#define le32_to_cpu(x)	__builtin_bswap32((u32)(x))
#define le64_to_cpu(x)	__builtin_bswap64((u64)(x))
#endif

/*
 * Relaxed atomics stand in for READ_ONCE/WRITE_ONCE: the same single untorn
 * access, and race detectors know the race is intended.
 */
#define vbus_mb()		atomic_thread_fence(memory_order_seq_cst)
#define VBUS_READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define VBUS_WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define vbus_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define vbus_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define vbus_xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define vbus_ctz32(x)		((u32)__builtin_ctz(x))

#endif /* __KERNEL__ */

/* Compile-time layout checks, usable at file scope in both worlds. */
#define VBUS_ASSERT_SIZE(type, size)					\
	static_assert(sizeof(type) == (size), #type " size")
#define VBUS_ASSERT_OFF(type, field, off)				\
	static_assert(offsetof(type, field) == (off), #type "." #field)

/* Little-endian shared fields: single accesses, converted once here. */
static inline u16 vbus_ld16(const __le16 *p)
{
	return le16_to_cpu(VBUS_READ_ONCE(*p));
}

static inline u32 vbus_ld32(const __le32 *p)
{
	return le32_to_cpu(VBUS_READ_ONCE(*p));
}

static inline u64 vbus_ld64(const __le64 *p)
{
	return le64_to_cpu(VBUS_READ_ONCE(*p));
}

static inline void vbus_st16(__le16 *p, u16 v)
{
	VBUS_WRITE_ONCE(*p, cpu_to_le16(v));
}

static inline void vbus_st32(__le32 *p, u32 v)
{
	VBUS_WRITE_ONCE(*p, cpu_to_le32(v));
}

static inline void vbus_st64(__le64 *p, u64 v)
{
	VBUS_WRITE_ONCE(*p, cpu_to_le64(v));
}

static inline u16 vbus_ld16_acquire(const __le16 *p)
{
	return le16_to_cpu(vbus_load_acquire(p));
}

static inline u32 vbus_ld32_acquire(const __le32 *p)
{
	return le32_to_cpu(vbus_load_acquire(p));
}

static inline void vbus_st16_release(__le16 *p, u16 v)
{
	vbus_store_release(p, cpu_to_le16(v));
}

static inline void vbus_st32_release(__le32 *p, u32 v)
{
	vbus_store_release(p, cpu_to_le32(v));
}

static inline u32 vbus_xchg32(__le32 *p, u32 v)
{
	return le32_to_cpu(vbus_xchg(p, cpu_to_le32(v)));
}

static inline bool vbus_is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

/*
 * True if [off, off + len) lies inside [start, start + size), computed
 * without overflow for any 64-bit inputs.
 */
static inline bool vbus_range_ok(u64 off, u64 len, u64 start, u64 size)
{
	if (off < start || off - start > size)
		return false;
	return len <= size - (off - start);
}

#endif /* _VBUS_PORT_H */
