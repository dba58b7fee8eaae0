/*
 * dbusTemplate.c --
 *
 *	Message templates: the header of a message we send (type,
 *	destination, path, interface, member) is built once by libdbus and
 *	then copied for every further message with the same header.
 *	libdbus builds a header field by field, each insertion rewriting
 *	the header (dbus_message_new_signal about 7,800 instructions,
 *	dbus_message_new_method_call about 9,700, dbus_message_new_method_return
 *	about 7,300); dbus_message_copy of a header-only message is about
 *	1,300, and setting the reply serial of a copied return about 3,600.
 *	The copy is what the fresh message would be: same header fields,
 *	no body, serial 0, unlocked; the caller sets the flags and appends
 *	the arguments as before.
 *
 *	libdbus keeps a cache of where each header field is; every field it
 *	sets empties it, and the next read of a field walks the whole header
 *	again (4,600 instructions for a method call's four names, 2,400 for
 *	a return's two fields).  The first argument appended reads the
 *	signature field, so every copy paid that walk: a template's cache is
 *	now filled once (a dbus_message_get_signature on it), and copies
 *	inherit it.  A method return's template carries a placeholder reply
 *	serial as its first field, which DbusNewMethodReturn overwrites in
 *	place (a fixed-size value) instead of adding the field (1,400
 *	instructions instead of 2,300, and the header walked once less).
 *
 *	The cache is per thread (DbusThreadData.templates; messages and
 *	Tcl state never cross threads) and small: DBUS_TEMPLATES entries in
 *	most-recently-used order.  A header seen for the first time only has
 *	its key remembered; it becomes a template when it is seen again, so
 *	that a program sending to ever new destinations or paths pays a key
 *	comparison and a copy of the names per message, not a template.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

#define DBUS_TEMPLATES 16

/*
 * One cached header.  The four names live in one allocation (keyBuf);
 * each pointer is NULL (no such field) or points into it.
 */

typedef struct DbusTemplate {
    int type;			/* DBUS_MESSAGE_TYPE_* */
    char *keyBuf;		/* owned: the names, NUL-separated */
    const char *dest;		/* into keyBuf, or NULL */
    const char *path;		/* into keyBuf, or NULL */
    const char *intf;		/* into keyBuf, or NULL */
    const char *member;		/* into keyBuf, or NULL */
    DBusMessage *msg;		/* owned reference: the header-only
				 * template, or NULL (seen once) */
} DbusTemplate;

typedef struct DbusTemplateCache {
    int used;			/* entries in use, from index 0 */
    DbusTemplate entries[DBUS_TEMPLATES];
				/* most recently used first */
} DbusTemplateCache;

/*
 *----------------------------------------------------------------------
 *
 * SameName --
 *
 *	Equality of two optional names.
 *
 * Results:
 *	1 when both are NULL or both are equal strings, else 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static inline int
SameName(
    const char *a,
    const char *b)
{
    if (a == NULL || b == NULL) {
	return a == b;
    }
    return a[0] == b[0] && strcmp(a, b) == 0;
}

/*
 *----------------------------------------------------------------------
 *
 * NewHeader --
 *
 *	Build a header-only message the way libdbus does without a
 *	template.  Method returns get their destination and
 *	NO_REPLY_EXPECTED (as dbus_message_new_method_return gives them)
 *	and a placeholder reply serial (1) before the destination: the
 *	caller must set the real one (DbusNewMethodReturn does).
 *
 * Results:
 *	The message (one reference, the caller's), or NULL (out of memory,
 *	or names libdbus refuses; callers validate them first).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
NewHeader(
    int type,
    const char *dest,
    const char *path,
    const char *intf,
    const char *member)
{
    DBusMessage *msg = NULL;

    switch (type) {
    case DBUS_MESSAGE_TYPE_METHOD_CALL:
	return dbus_message_new_method_call(dest, path, intf, member);
    case DBUS_MESSAGE_TYPE_SIGNAL:
	msg = dbus_message_new_signal(path, intf, member);
	break;
    case DBUS_MESSAGE_TYPE_METHOD_RETURN:
	msg = dbus_message_new(type);
	if (msg != NULL) {
	    dbus_message_set_no_reply(msg, TRUE);
	    if (!dbus_message_set_reply_serial(msg, 1)) {
		dbus_message_unref(msg);
		return NULL;
	    }
	}
	break;
    default:
	return NULL;
    }
    if (msg != NULL && dest != NULL
	    && !dbus_message_set_destination(msg, dest)) {
	dbus_message_unref(msg);
	msg = NULL;
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * FreeEntry --
 *
 *	Release what one cache entry owns.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the key buffer, drops the template's reference.
 *
 *----------------------------------------------------------------------
 */

static void
FreeEntry(
    DbusTemplate *tPtr)
{
    if (tPtr->msg != NULL) {
	dbus_message_unref(tPtr->msg);
    }
    ckfree(tPtr->keyBuf);
    memset(tPtr, 0, sizeof(DbusTemplate));
}

/*
 *----------------------------------------------------------------------
 *
 * SetKey --
 *
 *	Fill a free entry with copies of the names.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Allocates the entry's key buffer.
 *
 *----------------------------------------------------------------------
 */

static void
SetKey(
    DbusTemplate *tPtr,
    int type,
    const char *dest,
    const char *path,
    const char *intf,
    const char *member)
{
    const char *names[4];
    const char **slots[4];
    size_t len[4], total = 0;
    char *p;
    int i;

    names[0] = dest; names[1] = path; names[2] = intf; names[3] = member;
    slots[0] = &tPtr->dest; slots[1] = &tPtr->path;
    slots[2] = &tPtr->intf; slots[3] = &tPtr->member;
    for (i = 0; i < 4; i++) {
	len[i] = names[i] ? strlen(names[i]) + 1 : 0;
	total += len[i];
    }
    tPtr->type = type;
    tPtr->msg = NULL;
    tPtr->keyBuf = p = (char *) ckalloc(total ? total : 1);
    for (i = 0; i < 4; i++) {
	if (names[i] == NULL) {
	    *slots[i] = NULL;
	} else {
	    memcpy(p, names[i], len[i]);
	    *slots[i] = p;
	    p += len[i];
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusTemplateMessage --
 *
 *	A new message with the given header and no arguments: a copy of
 *	the cached template when this header was seen before, else built by
 *	libdbus (dbus_message_new_method_call / _new_signal plus the
 *	destination / dbus_message_new for a method return, which gets its
 *	destination, NO_REPLY_EXPECTED and a placeholder reply serial the
 *	caller replaces).  Names must be valid: callers check them first.
 *
 * Results:
 *	The message (one reference, the caller's) or NULL (out of memory).
 *
 * Side effects:
 *	Updates the thread's cache: the header moves to the front; a new
 *	one replaces the least recently used; one seen the second time
 *	becomes a template (a copy of the message returned, made before the
 *	caller adds anything, its libdbus field cache filled).
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbusTemplateMessage(
    DbusThreadData *tsdPtr,	/* the calling thread's; NULL: look up */
    int type,			/* METHOD_CALL, SIGNAL or METHOD_RETURN */
    const char *dest,		/* or NULL */
    const char *path,		/* NULL only for METHOD_RETURN */
    const char *intf,		/* or NULL */
    const char *member)		/* NULL only for METHOD_RETURN */
{
    DbusTemplateCache *cachePtr;
    DbusTemplate hit, *tPtr;
    DBusMessage *msg;
    int i;

    if (tsdPtr == NULL) {
	tsdPtr = DbusGetThreadData();
    }
    cachePtr = tsdPtr->templates;
    if (cachePtr == NULL) {
	cachePtr = (DbusTemplateCache *) ckalloc(sizeof(DbusTemplateCache));
	memset(cachePtr, 0, sizeof(DbusTemplateCache));
	tsdPtr->templates = cachePtr;
    }
    for (i = 0; i < cachePtr->used; i++) {
	tPtr = &cachePtr->entries[i];
	if (tPtr->type == type && SameName(tPtr->member, member)
		&& SameName(tPtr->path, path) && SameName(tPtr->intf, intf)
		&& SameName(tPtr->dest, dest)) {
	    break;
	}
    }
    if (i < cachePtr->used) {
	/*
	 * Seen before: move it to the front.
	 */

	hit = cachePtr->entries[i];
	memmove(&cachePtr->entries[1], &cachePtr->entries[0],
		i * sizeof(DbusTemplate));
	cachePtr->entries[0] = hit;
	tPtr = &cachePtr->entries[0];
	if (tPtr->msg != NULL) {
	    return dbus_message_copy(tPtr->msg);
	}
	msg = NewHeader(type, dest, path, intf, member);
	if (msg != NULL) {
	    tPtr->msg = dbus_message_copy(msg);	/* NULL: try again later */
	    if (tPtr->msg != NULL) {
		/*
		 * Reading a field fills libdbus's header field cache, which
		 * every copy inherits (see the top of this file).
		 */

		(void) dbus_message_get_signature(tPtr->msg);
	    }
	}
	return msg;
    }

    /*
     * New: remember the key at the front, dropping the least recently
     * used entry when the cache is full.
     */

    if (cachePtr->used == DBUS_TEMPLATES) {
	FreeEntry(&cachePtr->entries[DBUS_TEMPLATES - 1]);
	cachePtr->used--;
    }
    memmove(&cachePtr->entries[1], &cachePtr->entries[0],
	    cachePtr->used * sizeof(DbusTemplate));
    cachePtr->used++;
    SetKey(&cachePtr->entries[0], type, dest, path, intf, member);
    return NewHeader(type, dest, path, intf, member);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNewMethodReturn --
 *
 *	dbus_message_new_method_return through the template cache: a
 *	method return to the call's sender (none on a peer connection)
 *	with NO_REPLY_EXPECTED and the call's serial as reply serial (it
 *	replaces the template's placeholder).
 *
 * Results:
 *	The message (one reference, the caller's) or NULL (out of memory).
 *
 * Side effects:
 *	As DbusTemplateMessage.
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbusNewMethodReturn(
    DbusThreadData *tsdPtr,	/* the calling thread's; NULL: look up */
    DBusMessage *call)		/* borrowed */
{
    DBusMessage *reply = DbusTemplateMessage(tsdPtr,
	    DBUS_MESSAGE_TYPE_METHOD_RETURN, dbus_message_get_sender(call),
	    NULL, NULL, NULL);

    if (reply != NULL && !dbus_message_set_reply_serial(reply,
	    dbus_message_get_serial(call))) {
	dbus_message_unref(reply);
	reply = NULL;
    }
    return reply;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusTemplatesFree --
 *
 *	Drop the thread's template cache (thread exit, before libdbus
 *	shuts down).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases every template and frees the cache.
 *
 *----------------------------------------------------------------------
 */

void
DbusTemplatesFree(
    DbusThreadData *tsdPtr)
{
    DbusTemplateCache *cachePtr = tsdPtr->templates;
    int i;

    if (cachePtr == NULL) {
	return;
    }
    for (i = 0; i < cachePtr->used; i++) {
	FreeEntry(&cachePtr->entries[i]);
    }
    ckfree((char *) cachePtr);
    tsdPtr->templates = NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
