/*
 * tclallocshim.c --
 *
 *	A preloaded library for memory checkers.  Tcl 8.6 built with
 *	threads allocates ckalloc() blocks from its own per-thread caches
 *	("zippy"): freed blocks go back to a cache instead of to free(), so
 *	valgrind, ASan and LSan never see a use after free, a double free or
 *	a leak of a ckalloc'ed record.  libtcl8.6 calls its allocator
 *	through exported, interposable symbols (TclpAlloc, TclpFree,
 *	TclpRealloc); this library defines them first and routes every
 *	ckalloc/ckfree/ckrealloc (and Tcl_Alloc and friends) straight to
 *	malloc/free/realloc.
 *
 *	Used by "make valgrind" and "make asan-test":
 *	    LD_PRELOAD=./libtclallocshim.so tclsh ...
 *	Tcl_Obj structs stay in Tcl's own object cache (TclThreadAllocObj
 *	is not an exported symbol), so only non-Tcl_Obj memory is seen.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <stdlib.h>

/*
 * The prototypes of tclInt.h (Tcl 8.6), which is not installed.
 */

char *		TclpAlloc(unsigned int size);
void		TclpFree(char *ptr);
char *		TclpRealloc(char *ptr, unsigned int size);

/*
 *----------------------------------------------------------------------
 *
 * TclpAlloc, TclpFree, TclpRealloc --
 *
 *	Tcl's low-level allocator, replaced by the C library's.  A request
 *	of 0 bytes gets a 1-byte block, as Tcl's callers expect a non-NULL
 *	result.
 *
 * Results:
 *	A block of at least size bytes (NULL when malloc fails: Tcl_Alloc
 *	then panics as it would with its own allocator).
 *
 * Side effects:
 *	Memory is allocated or freed.
 *
 *----------------------------------------------------------------------
 */

char *
TclpAlloc(
    unsigned int size)
{
    return (char *) malloc(size ? size : 1);
}

void
TclpFree(
    char *ptr)
{
    free(ptr);
}

char *
TclpRealloc(
    char *ptr,
    unsigned int size)
{
    return (char *) realloc(ptr, size ? size : 1);
}
