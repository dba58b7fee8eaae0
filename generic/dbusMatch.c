/*
 * dbusMatch.c --
 *
 *	Match rules applied locally: a rule (parsed from the text of the
 *	D-Bus specification's match-rule syntax, or built key by key from
 *	command options) is checked once into a DbusMatchRule, and then
 *	matched against incoming messages with the specification's
 *	semantics: type, sender, interface, member, path, path_namespace,
 *	destination, argN string equality, argNpath prefix rules and
 *	arg0namespace.  The same record prints the canonical rule text the
 *	bus gets (one quoting function).
 *
 *	Nothing here needs a Tcl interpreter or the Tcl library: memory
 *	comes from libdbus (dbus_malloc/dbus_free) and errors are static
 *	strings, so the matcher can be driven from plain C (fuzzing).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdio.h>

/*
 * The specification's limits: argument indexes 0..63, rule text up to
 * 1024 bytes (DBUS_MAXIMUM_MATCH_RULE_LENGTH in the reference daemon).
 */

#define MAX_RULE_LEN	1024

/*
 * A growing byte buffer (canonical rule text).
 */

typedef struct Buf {
    char *bytes;		/* dbus_malloc'd; NULL after a failure */
    size_t len, size;
} Buf;

static int	BufAppend(Buf *bufPtr, const char *s, size_t n);
static char *	Dup(const char *s, size_t n);
static int	SetString(char **fieldPtr, const char *value, size_t len,
		    DbusNameKind kind, const char **errPtr,
		    const char *what);
static int	ValidNamespace(const char *s, size_t len);
static int	ArgMatches(const DbusMatchArg *argPtr, int type,
		    const char *value);

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchNew --
 *
 *	A new, empty rule (matches every message).
 *
 * Results:
 *	The rule, owned by the caller (DbusMatchFree), or NULL when out of
 *	memory.
 *
 * Side effects:
 *	Memory allocated with dbus_malloc.
 *
 *----------------------------------------------------------------------
 */

DbusMatchRule *
DbusMatchNew(void)
{
    DbusMatchRule *rulePtr = (DbusMatchRule *)
	    dbus_malloc0(sizeof(DbusMatchRule));

    return rulePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchFree --
 *
 *	Free a rule and everything it owns.  NULL is ignored.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Memory released.
 *
 *----------------------------------------------------------------------
 */

void
DbusMatchFree(
    DbusMatchRule *rulePtr)	/* owned; freed */
{
    int i;

    if (rulePtr == NULL) {
	return;
    }
    dbus_free(rulePtr->sender);
    dbus_free(rulePtr->interface);
    dbus_free(rulePtr->member);
    dbus_free(rulePtr->path);
    dbus_free(rulePtr->pathNamespace);
    dbus_free(rulePtr->destination);
    for (i = 0; i < rulePtr->nArgs; i++) {
	dbus_free(rulePtr->args[i].value);
    }
    dbus_free(rulePtr->args);
    dbus_free(rulePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * Dup --
 *
 *	Copy n bytes into a new NUL-terminated string.
 *
 * Results:
 *	The copy (dbus_malloc'd, caller owns) or NULL when out of memory.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static char *
Dup(
    const char *s,
    size_t n)
{
    char *p = (char *) dbus_malloc(n + 1);

    if (p != NULL) {
	memcpy(p, s, n);
	p[n] = '\0';
    }
    return p;
}

/*
 *----------------------------------------------------------------------
 *
 * ValidNamespace --
 *
 *	An arg0namespace value: one or more "."-separated non-empty
 *	elements of [A-Za-z0-9_-], none starting with a digit (a bus name
 *	or interface-name prefix; a single element is allowed).
 *
 * Results:
 *	1 if valid, else 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ValidNamespace(
    const char *s,
    size_t len)
{
    size_t i, start = 0;

    if (len == 0 || len > 255) {
	return 0;
    }
    for (i = 0; i < len; i++) {
	char c = s[i];

	if (c == '.') {
	    if (i == start) {
		return 0;
	    }
	    start = i + 1;
	} else if ((c >= '0' && c <= '9')) {
	    if (i == start) {
		return 0;
	    }
	} else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		|| c == '_' || c == '-')) {
	    return 0;
	}
    }
    return start < len;
}

/*
 *----------------------------------------------------------------------
 *
 * SetString --
 *
 *	Store one validated string key of a rule.
 *
 * Results:
 *	1 on success; 0 with *errPtr set to a static message when the key
 *	was given before, the value is not valid for its kind, or memory
 *	ran out.
 *
 * Side effects:
 *	*fieldPtr takes a new copy of value.
 *
 *----------------------------------------------------------------------
 */

static int
SetString(
    char **fieldPtr,
    const char *value,
    size_t len,
    DbusNameKind kind,		/* validator to apply */
    const char **errPtr,
    const char *what)		/* message for an invalid value */
{
    char *copy;

    if (*fieldPtr != NULL) {
	*errPtr = "key given twice in match rule";
	return 0;
    }
    copy = Dup(value, len);
    if (copy == NULL) {
	*errPtr = "out of memory";
	return 0;
    }
    if (len > 255 * 256 || !DbusValidName(kind, copy, (Tcl_Size) len)) {
	dbus_free(copy);
	*errPtr = what;
	return 0;
    }
    *fieldPtr = copy;
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchSet --
 *
 *	Add one key='value' pair to a rule: every key of the
 *	specification (type sender interface member path path_namespace
 *	destination eavesdrop argN argNpath arg0namespace), values checked
 *	as the specification requires.
 *
 * Results:
 *	1 on success; 0 with *errPtr set to a static message (unknown key,
 *	invalid value, key given twice, path together with path_namespace,
 *	out of memory).  The rule is unchanged on failure.
 *
 * Side effects:
 *	The rule owns a copy of the value.
 *
 *----------------------------------------------------------------------
 */

int
DbusMatchSet(
    DbusMatchRule *rulePtr,
    const char *key,		/* key, keyLen bytes (no leading '-') */
    size_t keyLen,
    const char *value,		/* value, valueLen bytes */
    size_t valueLen,
    const char **errPtr)	/* out: static error message */
{
#define KEY(lit) (keyLen == sizeof(lit) - 1 && memcmp(key, lit, keyLen) == 0)
    if (KEY("type")) {
	static const char *const types[] = {
	    NULL, "method_call", "method_return", "error", "signal"
	};
	int t;

	if (rulePtr->type != 0) {
	    *errPtr = "key given twice in match rule";
	    return 0;
	}
	for (t = 1; t <= 4; t++) {
	    if (strlen(types[t]) == valueLen
		    && memcmp(types[t], value, valueLen) == 0) {
		rulePtr->type = t;
		return 1;
	    }
	}
	*errPtr = "invalid message type in match rule";
	return 0;
    }
    if (KEY("sender")) {
	return SetString(&rulePtr->sender, value, valueLen, DBUS_NAME_BUS,
		errPtr, "invalid sender in match rule");
    }
    if (KEY("interface")) {
	return SetString(&rulePtr->interface, value, valueLen,
		DBUS_NAME_INTERFACE, errPtr,
		"invalid interface in match rule");
    }
    if (KEY("member")) {
	return SetString(&rulePtr->member, value, valueLen,
		DBUS_NAME_MEMBER, errPtr, "invalid member in match rule");
    }
    if (KEY("path") || KEY("path_namespace")) {
	int ns = (keyLen > 4);

	if (rulePtr->path != NULL || rulePtr->pathNamespace != NULL) {
	    *errPtr = (ns == (rulePtr->pathNamespace != NULL))
		    ? "key given twice in match rule"
		    : "path and path_namespace in one match rule";
	    return 0;
	}
	return SetString(ns ? &rulePtr->pathNamespace : &rulePtr->path,
		value, valueLen, DBUS_NAME_PATH, errPtr,
		"invalid path in match rule");
    }
    if (KEY("destination")) {
	return SetString(&rulePtr->destination, value, valueLen,
		DBUS_NAME_BUS, errPtr, "invalid destination in match rule");
    }
    if (KEY("eavesdrop")) {
	if (valueLen == 4 && memcmp(value, "true", 4) == 0) {
	    rulePtr->eavesdrop = 1;
	} else if (valueLen == 5 && memcmp(value, "false", 5) == 0) {
	    rulePtr->eavesdrop = 0;
	} else {
	    *errPtr = "eavesdrop must be true or false in match rule";
	    return 0;
	}
	return 1;
    }
    if (keyLen > 3 && memcmp(key, "arg", 3) == 0) {
	return DbusMatchSetArg(rulePtr, key, keyLen, value, valueLen,
		errPtr);
    }
    *errPtr = "unknown key in match rule";
    return 0;
#undef KEY
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchSetArg --
 *
 *	The argument keys: argN (N 0..63, no leading zero), argNpath and
 *	arg0namespace.  Arguments are kept sorted by index so matching
 *	walks the message's arguments once.
 *
 * Results:
 *	1 on success; 0 with *errPtr set (bad key, index given twice,
 *	value with a NUL, invalid namespace, out of memory).
 *
 * Side effects:
 *	rulePtr->args grows by one.
 *
 *----------------------------------------------------------------------
 */

int
DbusMatchSetArg(
    DbusMatchRule *rulePtr,
    const char *key,
    size_t keyLen,
    const char *value,
    size_t valueLen,
    const char **errPtr)
{
    size_t p = 3;
    int n = 0, kind, i;
    DbusMatchArg *args;

    while (p < keyLen && p < 5 && key[p] >= '0' && key[p] <= '9') {
	n = n * 10 + (key[p] - '0');
	p++;
    }
    if (p == 3 || n > 63 || (p == 5 && key[3] == '0')) {
	*errPtr = "unknown key in match rule";
	return 0;
    }
    if (p == keyLen) {
	kind = DBUS_MATCH_ARG_STRING;
    } else if (keyLen - p == 4 && memcmp(key + p, "path", 4) == 0) {
	kind = DBUS_MATCH_ARG_PATH;
    } else if (n == 0 && keyLen - p == 9
	    && memcmp(key + p, "namespace", 9) == 0) {
	kind = DBUS_MATCH_ARG_NAMESPACE;
	if (!ValidNamespace(value, valueLen)) {
	    *errPtr = "invalid arg0namespace in match rule";
	    return 0;
	}
    } else {
	*errPtr = "unknown key in match rule";
	return 0;
    }
    if (memchr(value, '\0', valueLen) != NULL) {
	*errPtr = "argument value with a NUL byte in match rule";
	return 0;
    }
    for (i = 0; i < rulePtr->nArgs; i++) {
	if (rulePtr->args[i].index == n) {
	    *errPtr = "argument given twice in match rule";
	    return 0;
	}
    }
    args = (DbusMatchArg *) dbus_realloc(rulePtr->args,
	    sizeof(DbusMatchArg) * (rulePtr->nArgs + 1));
    if (args == NULL) {
	*errPtr = "out of memory";
	return 0;
    }
    rulePtr->args = args;
    for (i = rulePtr->nArgs; i > 0 && args[i - 1].index > n; i--) {
	args[i] = args[i - 1];
    }
    args[i].index = n;
    args[i].kind = kind;
    args[i].value = Dup(value, valueLen);
    args[i].length = valueLen;
    if (args[i].value == NULL || !dbus_validate_utf8(args[i].value, NULL)) {
	*errPtr = args[i].value ? "argument value is not UTF-8 in match rule"
		: "out of memory";
	dbus_free(args[i].value);
	for (; i < rulePtr->nArgs; i++) {
	    args[i] = args[i + 1];
	}
	return 0;
    }
    rulePtr->nArgs++;
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchParse --
 *
 *	Parse the text of a match rule (the specification's syntax:
 *	comma-separated key='value' pairs; inside single quotes every
 *	character is literal; outside them \' is a quote and every other
 *	character, a backslash included, is literal).
 *
 * Results:
 *	A new rule owned by the caller, or NULL with *errPtr set to a
 *	static message.
 *
 * Side effects:
 *	Memory allocated with dbus_malloc.
 *
 *----------------------------------------------------------------------
 */

DbusMatchRule *
DbusMatchParse(
    const char *text,		/* NUL-terminated rule text */
    const char **errPtr)	/* out: static error message */
{
    DbusMatchRule *rulePtr;
    const char *p = text, *key;
    size_t keyLen;
    Buf value = {NULL, 0, 0};

    if (strlen(text) > MAX_RULE_LEN) {
	*errPtr = "match rule too long";
	return NULL;
    }
    rulePtr = DbusMatchNew();
    if (rulePtr == NULL) {
	*errPtr = "out of memory";
	return NULL;
    }
    while (1) {
	int quoted = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
	    p++;
	}
	if (*p == '\0') {
	    break;
	}
	key = p;
	while (*p != '\0' && *p != '=') {
	    p++;
	}
	keyLen = (size_t) (p - key);
	if (*p != '=' || keyLen == 0) {
	    *errPtr = "match rule key without a value";
	    goto error;
	}
	p++;
	value.len = 0;
	for (; *p != '\0' && (quoted || *p != ','); p++) {
	    const char *c = p;

	    if (*p == '\'') {
		quoted = !quoted;
		continue;
	    }
	    if (!quoted && p[0] == '\\' && p[1] == '\'') {
		c = ++p;
	    }
	    if (!BufAppend(&value, c, 1)) {
		*errPtr = "out of memory";
		goto error;
	    }
	}
	if (quoted) {
	    *errPtr = "unterminated quote in match rule";
	    goto error;
	}
	if (!BufAppend(&value, "", 0)
		|| !DbusMatchSet(rulePtr, key, keyLen, value.bytes, value.len,
		errPtr)) {
	    if (value.bytes == NULL) {
		*errPtr = "out of memory";
	    }
	    goto error;
	}
	if (*p == ',') {
	    p++;
	}
    }
    dbus_free(value.bytes);

    /*
     * The canonical text (what AddMatch sends) quotes every apostrophe
     * as '\'' and may be longer than the text given (fuzz: match):
     * it must fit the bus's limit too.
     */

    {
	char *canon = DbusMatchString(rulePtr);
	size_t n = canon ? strlen(canon) : 0;

	dbus_free(canon);
	if (canon == NULL || n > MAX_RULE_LEN) {
	    *errPtr = "match rule too long";
	    DbusMatchFree(rulePtr);
	    return NULL;
	}
    }
    return rulePtr;

  error:
    dbus_free(value.bytes);
    DbusMatchFree(rulePtr);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * BufAppend --
 *
 *	Append n bytes to a buffer, keeping it NUL-terminated.
 *
 * Results:
 *	1, or 0 when out of memory (the buffer is then freed and NULL).
 *
 * Side effects:
 *	May reallocate bufPtr->bytes.
 *
 *----------------------------------------------------------------------
 */

static int
BufAppend(
    Buf *bufPtr,
    const char *s,
    size_t n)
{
    if (bufPtr->len + n + 1 > bufPtr->size) {
	size_t size = 2 * (bufPtr->len + n + 1) + 32;
	char *bytes = (char *) dbus_realloc(bufPtr->bytes, size);

	if (bytes == NULL) {
	    dbus_free(bufPtr->bytes);
	    bufPtr->bytes = NULL;
	    bufPtr->len = bufPtr->size = 0;
	    return 0;
	}
	bufPtr->bytes = bytes;
	bufPtr->size = size;
    }
    memcpy(bufPtr->bytes + bufPtr->len, s, n);
    bufPtr->len += n;
    bufPtr->bytes[bufPtr->len] = '\0';
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchAppendPair --
 *
 *	The one quoting function: append ",key='value'" (no comma when
 *	the text is empty) to a rule text so that no value can break the
 *	rule: the value goes inside single quotes, and each quote in it
 *	becomes '\'' (close, escaped quote, reopen).
 *
 * Results:
 *	1, or 0 when out of memory.
 *
 * Side effects:
 *	*textPtr (dbus_malloc'd or NULL, *lenPtr bytes) is reallocated.
 *
 *----------------------------------------------------------------------
 */

int
DbusMatchAppendPair(
    char **textPtr,		/* in/out: dbus_malloc'd text or NULL */
    size_t *lenPtr,		/* in/out: its length */
    const char *key,
    const char *value)
{
    Buf buf;
    const char *q;

    buf.bytes = *textPtr;
    buf.len = *lenPtr;
    buf.size = (buf.bytes != NULL) ? buf.len + 1 : 0;
    if ((buf.len > 0 && !BufAppend(&buf, ",", 1))
	    || !BufAppend(&buf, key, strlen(key))
	    || !BufAppend(&buf, "='", 2)) {
	goto nomem;
    }
    for (q = value; *q != '\0'; q++) {
	if (!(*q == '\'' ? BufAppend(&buf, "'\\''", 4)
		: BufAppend(&buf, q, 1))) {
	    goto nomem;
	}
    }
    if (!BufAppend(&buf, "'", 1)) {
	goto nomem;
    }
    *textPtr = buf.bytes;
    *lenPtr = buf.len;
    return 1;

  nomem:
    *textPtr = NULL;
    *lenPtr = 0;
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchString --
 *
 *	The canonical text of a rule, as the bus gets it: keys in a fixed
 *	order (type sender interface member path path_namespace
 *	destination eavesdrop, then the arguments by index), values
 *	quoted by DbusMatchAppendPair.  Equal rules give equal texts, so
 *	the text serves as the key of per-connection reference counting.
 *
 * Results:
 *	A dbus_malloc'd string owned by the caller (dbus_free), or NULL
 *	when out of memory.  The empty rule gives "".
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

char *
DbusMatchString(
    const DbusMatchRule *rulePtr)
{
    static const char *const types[] = {
	NULL, "method_call", "method_return", "error", "signal"
    };
    static const char *const argSuffix[] = { "", "path", "namespace" };
    char *text = NULL, key[24];
    size_t len = 0;
    int i, ok = 1;

    if (rulePtr->type != 0) {
	ok = DbusMatchAppendPair(&text, &len, "type", types[rulePtr->type]);
    }
#define PAIR(k, field) \
    if (ok && rulePtr->field != NULL) { \
	ok = DbusMatchAppendPair(&text, &len, k, rulePtr->field); \
    }
    PAIR("sender", sender);
    PAIR("interface", interface);
    PAIR("member", member);
    PAIR("path", path);
    PAIR("path_namespace", pathNamespace);
    PAIR("destination", destination);
#undef PAIR
    if (ok && rulePtr->eavesdrop) {
	ok = DbusMatchAppendPair(&text, &len, "eavesdrop", "true");
    }
    for (i = 0; ok && i < rulePtr->nArgs; i++) {
	snprintf(key, sizeof(key), "arg%d%s", rulePtr->args[i].index,
		argSuffix[rulePtr->args[i].kind]);
	ok = DbusMatchAppendPair(&text, &len, key, rulePtr->args[i].value);
    }
    if (ok && text == NULL) {
	text = Dup("", 0);
    }
    if (!ok) {
	dbus_free(text);
	return NULL;
    }
    return text;
}

/*
 *----------------------------------------------------------------------
 *
 * ArgMatches --
 *
 *	Does one message argument (type code, string value or NULL when
 *	it is neither a string nor an object path) satisfy one argument
 *	key of a rule?
 *	- argN: the argument is a string equal to the value;
 *	- argNpath: a string or object path, equal to the value, or one
 *	  of the two ends in '/' and is a prefix of the other;
 *	- arg0namespace: a string equal to the value or starting with the
 *	  value followed by '.'.
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ArgMatches(
    const DbusMatchArg *argPtr,
    int type,
    const char *value)
{
    size_t la, le = argPtr->length;
    const char *e = argPtr->value;

    if (value == NULL || (type != DBUS_TYPE_STRING
	    && !(type == DBUS_TYPE_OBJECT_PATH
	    && argPtr->kind == DBUS_MATCH_ARG_PATH))) {
	return 0;
    }
    la = strlen(value);
    switch (argPtr->kind) {
    case DBUS_MATCH_ARG_STRING:
	return la == le && memcmp(value, e, la) == 0;
    case DBUS_MATCH_ARG_PATH:
	if (la < le && (la == 0 || value[la - 1] != '/')) {
	    return 0;
	}
	if (le < la && (le == 0 || e[le - 1] != '/')) {
	    return 0;
	}
	return memcmp(value, e, la < le ? la : le) == 0;
    case DBUS_MATCH_ARG_NAMESPACE:
	if (la < le || memcmp(value, e, le) != 0) {
	    return 0;
	}
	return la == le || value[le] == '.';
    }
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchMessage --
 *
 *	Does a message match a rule?  (The message comes with its path,
 *	interface and member as DbusProcessMessage read them; SAME's second
 *	operand is always a variable, it is evaluated twice.)  Every key
 *	given must hold: type,
 *	interface, member, path and destination by equality (a message
 *	without the header field never matches a key for it);
 *	path_namespace when the path equals it or continues it with '/'
 *	("/" takes every path); sender when the message's sender equals
 *	the rule's, or equals senderOwner (the tracked unique owner of a
 *	well-known sender name, NULL when unknown); the argument keys as
 *	in ArgMatches.
 *
 * Results:
 *	1 when the message matches, else 0.
 *
 * Side effects:
 *	None (reads the message's arguments).
 *
 *----------------------------------------------------------------------
 */

#define SAME(a, b) ((b) != NULL && strcmp((a), (b)) == 0)

int
DbusMatchMessage(
    const DbusMatchRule *rulePtr,
    const DbusInFlight *flightPtr,
				/* the message and its path, interface and
				 * member (read once by DbusProcessMessage) */
    const char *senderOwner)	/* unique owner of rule's sender or NULL */
{
    DBusMessage *msg = flightPtr->msg;
    DBusMessageIter iter;
    const char *dest;
    int i, index = 0, more;

    if (rulePtr->type != 0 && dbus_message_get_type(msg) != rulePtr->type) {
	return 0;
    }
    if ((rulePtr->member != NULL
	    && !SAME(rulePtr->member, flightPtr->member))
	    || (rulePtr->interface != NULL
		&& !SAME(rulePtr->interface, flightPtr->intf))
	    || (rulePtr->path != NULL
		&& !SAME(rulePtr->path, flightPtr->path))) {
	return 0;
    }
    if (rulePtr->destination != NULL) {
	dest = dbus_message_get_destination(msg);
	if (!SAME(rulePtr->destination, dest)) {
	    return 0;
	}
    }
    if (rulePtr->sender != NULL) {
	const char *sender = dbus_message_get_sender(msg);

	if (!SAME(rulePtr->sender, sender)
		&& !(senderOwner != NULL && SAME(senderOwner, sender))) {
	    return 0;
	}
    }
    if (rulePtr->pathNamespace != NULL) {
	const char *path = flightPtr->path;
	size_t n = strlen(rulePtr->pathNamespace);

	if (path == NULL || strncmp(path, rulePtr->pathNamespace, n) != 0
		|| (n > 1 && path[n] != '\0' && path[n] != '/')) {
	    return 0;
	}
    }
    if (rulePtr->nArgs == 0) {
	return 1;
    }
    more = dbus_message_iter_init(msg, &iter);
    for (i = 0; i < rulePtr->nArgs; i++) {
	const DbusMatchArg *argPtr = &rulePtr->args[i];
	const char *value = NULL;
	int type;

	while (more && index < argPtr->index) {
	    more = dbus_message_iter_next(&iter);
	    index++;
	}
	if (!more) {
	    return 0;
	}
	type = dbus_message_iter_get_arg_type(&iter);
	if (type == DBUS_TYPE_STRING || type == DBUS_TYPE_OBJECT_PATH) {
	    dbus_message_iter_get_basic(&iter, &value);
	}
	if (!ArgMatches(argPtr, type, value)) {
	    return 0;
	}
    }
    return 1;
}

#undef SAME

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
