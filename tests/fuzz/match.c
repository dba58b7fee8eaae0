/*
 * match.c --
 *
 *	libFuzzer target 4: match rules and messages -> our local matcher
 *	(generic/dbusMatch.c).  Input lines: a rule text, then the fields
 *	of a message (type letter s/m/r/e, sender, path, interface, member,
 *	destination), then up to 8 arguments ("o:" prefix: an object path,
 *	else a string).  A field that is not valid for D-Bus is left out.
 *	Checked: a rule we accept prints (DbusMatchString) to a text that
 *	parses again to the same text; the original and the reparsed rule
 *	decide alike; and both agree with Oracle, an independent reading of
 *	the specification's match semantics over the parsed keys.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"

#define MAX_LINES 16

static int
Same(
    const char *a,
    const char *b)
{
    return b != NULL && strcmp(a, b) == 0;
}

/*
 *----------------------------------------------------------------------
 *
 * OracleArg --
 *
 *	argN: a string argument equal to the value.  argNpath: a string or
 *	object path argument equal to the value, or the value ends with
 *	'/' and is a prefix of the argument, or the argument ends with '/'
 *	and is a prefix of the value.  arg0namespace: a string argument
 *	equal to the value, or the value followed by '.' is its prefix.
 *
 *----------------------------------------------------------------------
 */

static int
OracleArg(
    const DbusMatchArg *argPtr,
    int type,
    const char *arg)
{
    const char *v = argPtr->value;
    size_t lv = argPtr->length, la;

    if (strlen(v) != lv) {
	return 0;		/* a NUL inside can never equal an argument */
    }
    if (type == DBUS_TYPE_OBJECT_PATH) {
	if (argPtr->kind != DBUS_MATCH_ARG_PATH) {
	    return 0;
	}
    } else if (type != DBUS_TYPE_STRING) {
	return 0;
    }
    la = strlen(arg);
    switch (argPtr->kind) {
    case DBUS_MATCH_ARG_STRING:
	return strcmp(v, arg) == 0;
    case DBUS_MATCH_ARG_PATH:
	if (strcmp(v, arg) == 0) {
	    return 1;
	}
	if (lv > 0 && v[lv - 1] == '/' && lv <= la
		&& strncmp(v, arg, lv) == 0) {
	    return 1;
	}
	return la > 0 && arg[la - 1] == '/' && la <= lv
		&& strncmp(arg, v, la) == 0;
    case DBUS_MATCH_ARG_NAMESPACE:
	return strcmp(v, arg) == 0
		|| (la > lv && strncmp(v, arg, lv) == 0 && arg[lv] == '.');
    }
    return 0;
}

static int
Oracle(
    const DbusMatchRule *r,
    DBusMessage *msg)
{
    DBusMessageIter iter;
    int i;

    if (r->type != 0 && r->type != dbus_message_get_type(msg)) {
	return 0;
    }
    if ((r->sender && !Same(r->sender, dbus_message_get_sender(msg)))
	    || (r->interface
		&& !Same(r->interface, dbus_message_get_interface(msg)))
	    || (r->member && !Same(r->member, dbus_message_get_member(msg)))
	    || (r->path && !Same(r->path, dbus_message_get_path(msg)))
	    || (r->destination
		&& !Same(r->destination, dbus_message_get_destination(msg)))) {
	return 0;
    }
    if (r->pathNamespace) {
	const char *p = dbus_message_get_path(msg);
	size_t n = strlen(r->pathNamespace);

	if (p == NULL) {
	    return 0;
	}
	if (strcmp(r->pathNamespace, "/") != 0 && strcmp(p, r->pathNamespace)
		&& !(strncmp(p, r->pathNamespace, n) == 0 && p[n] == '/')) {
	    return 0;
	}
    }
    for (i = 0; i < r->nArgs; i++) {
	int k, more = dbus_message_iter_init(msg, &iter), type;
	const char *arg = NULL;

	for (k = 0; more && k < r->args[i].index; k++) {
	    more = dbus_message_iter_next(&iter);
	}
	if (!more) {
	    return 0;
	}
	type = dbus_message_iter_get_arg_type(&iter);
	if (type != DBUS_TYPE_STRING && type != DBUS_TYPE_OBJECT_PATH) {
	    return 0;
	}
	dbus_message_iter_get_basic(&iter, &arg);
	if (!OracleArg(&r->args[i], type, arg)) {
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * BuildMessage --
 *
 *	A message from lines[1..]: fields that are not valid are left out
 *	(a method call needs a path and member, an error an error name:
 *	defaults are used).
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
BuildMessage(
    char **lines,
    int n)
{
    const char *kind = n > 1 ? lines[1] : "s";
    const char *path = (n > 3 && dbus_validate_path(lines[3], NULL))
	    ? lines[3] : "/a/b";
    const char *intf = (n > 4 && dbus_validate_interface(lines[4], NULL))
	    ? lines[4] : "org.fuzz.I";
    const char *member = (n > 5 && dbus_validate_member(lines[5], NULL))
	    ? lines[5] : "M";
    DBusMessage *msg;
    int i;

    switch (kind[0]) {
    case 'm':
	msg = dbus_message_new_method_call(NULL, path, intf, member);
	break;
    case 'r':
	msg = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(msg, 7);
	break;
    case 'e':
	msg = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);
	dbus_message_set_error_name(msg, "org.fuzz.Error");
	dbus_message_set_reply_serial(msg, 7);
	break;
    default:
	msg = dbus_message_new_signal(path, intf, member);
	break;
    }
    if (n > 2 && dbus_validate_bus_name(lines[2], NULL)) {
	dbus_message_set_sender(msg, lines[2]);
    }
    if (n > 6 && dbus_validate_bus_name(lines[6], NULL)) {
	dbus_message_set_destination(msg, lines[6]);
    }
    for (i = 7; i < n; i++) {
	const char *s = lines[i];

	if (strncmp(s, "o:", 2) == 0 && dbus_validate_path(s + 2, NULL)) {
	    s += 2;
	    dbus_message_append_args(msg, DBUS_TYPE_OBJECT_PATH, &s,
		    DBUS_TYPE_INVALID);
	} else if (dbus_validate_utf8(s, NULL)) {
	    dbus_message_append_args(msg, DBUS_TYPE_STRING, &s,
		    DBUS_TYPE_INVALID);
	} else {
	    dbus_int32_t v = i;

	    dbus_message_append_args(msg, DBUS_TYPE_INT32, &v,
		    DBUS_TYPE_INVALID);
	}
    }
    return msg;
}

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    char *text, *lines[MAX_LINES], *p;
    int n = 0, ours, again, oracle;
    const char *err = NULL;
    DbusMatchRule *rule, *rule2;
    char *canon, *canon2;
    DBusMessage *msg;
    DbusInFlight flight;		/* msg as DbusProcessMessage hands it to
				 * the match code */

    (void) FuzzInterp();
    if (size > 4096) {
	return 0;
    }
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    for (p = text; n < MAX_LINES; ) {
	lines[n++] = p;
	p = strchr(p, '\n');
	if (p == NULL) {
	    break;
	}
	*p++ = '\0';
    }
    rule = DbusMatchParse(lines[0], &err);
    if (rule == NULL) {
	if (err == NULL) {
	    FuzzFail("rule refused without a reason", lines[0], "");
	}
	free(text);
	return 0;
    }
    canon = DbusMatchString(rule);
    rule2 = DbusMatchParse(canon, &err);
    if (rule2 == NULL) {
	FuzzFail("printed rule does not parse", canon, err);
    }
    canon2 = DbusMatchString(rule2);
    if (strcmp(canon, canon2) != 0) {
	FuzzFail("print/parse is not stable", canon, canon2);
    }
    msg = BuildMessage(lines, n);
    memset(&flight, 0, sizeof(flight));
    flight.msg = msg;
    flight.path = dbus_message_get_path(msg);
    flight.intf = dbus_message_get_interface(msg);
    flight.member = dbus_message_get_member(msg);
    ours = DbusMatchMessage(rule, &flight, NULL) != 0;
    again = DbusMatchMessage(rule2, &flight, NULL) != 0;
    oracle = Oracle(rule, msg);
    if (ours != again || ours != oracle) {
	char what[64];

	snprintf(what, sizeof(what), "ours %d, reparsed %d, oracle %d",
		ours, again, oracle);
	FuzzFail(what, canon, lines[0]);
    }
    dbus_message_unref(msg);
    dbus_free(canon);
    dbus_free(canon2);
    DbusMatchFree(rule);
    DbusMatchFree(rule2);
    free(text);
    return 0;
}
