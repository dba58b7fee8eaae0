/*
 * hostile.c --
 *
 *	A hostile D-Bus client written on raw libdbus, for
 *	tests/dbus-hostile.test (issue 14): it sends a dbif service what
 *	python3-dbus cannot send, and prints one line per case:
 *
 *	    case result
 *
 *	result being "ok" (a method return), the D-Bus error name of the
 *	reply, "noreply" (nothing wanted, nothing came), "dropped" (the bus
 *	daemon closed our connection, as it must for an invalid message)
 *	or "forwarded" (a message the daemon accepted and that wants no
 *	answer).  The last line is "done".
 *
 *	    hostile ADDRESS DEST
 *	    hostile -noread ADDRESS COUNT	(see NoRead)
 *
 *	ADDRESS is the bus, DEST the service's name.  The service has, on
 *	/obj and interface org.tcltest.Hostile, the methods and properties
 *	of tests/dbus-hostile.test's ::hostileService, and the raw
 *	"dbus method" handler /raw org.tcltest.Raw.Take.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <dbus/dbus.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#define IFACE	"org.tcltest.Hostile"
#define PROPS	"org.freedesktop.DBus.Properties"
#define INTRO	"org.freedesktop.DBus.Introspectable"
#define TIMEOUT	120000

static const char *address;	/* the bus (argv[1]) */
static const char *dest;	/* the service (argv[2]) */

/*
 *----------------------------------------------------------------------
 *
 * Connect --
 *
 *	Open a private connection to the bus and register on it.
 *
 * Results:
 *	The connection (the caller closes and unrefs it); exits the
 *	program when the bus cannot be reached.
 *
 * Side effects:
 *	A connection.
 *
 *----------------------------------------------------------------------
 */

static DBusConnection *
Connect(void)
{
    DBusError err;
    DBusConnection *conn;

    dbus_error_init(&err);
    conn = dbus_connection_open_private(address, &err);
    if (conn == NULL || !dbus_bus_register(conn, &err)) {
	fprintf(stderr, "hostile: %s\n", err.message);
	exit(2);
    }
    dbus_connection_set_exit_on_disconnect(conn, FALSE);
    return conn;
}

/*
 *----------------------------------------------------------------------
 *
 * Drop --
 *
 *	Close and release a connection.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The connection goes.
 *
 *----------------------------------------------------------------------
 */

static void
Drop(
    DBusConnection *conn)
{
    dbus_connection_close(conn);
    dbus_connection_unref(conn);
}

/*
 *----------------------------------------------------------------------
 *
 * Call --
 *
 *	Send msg (a method call) and wait for its reply; print the case.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases msg; prints "name result".
 *
 *----------------------------------------------------------------------
 */

static void
Call(
    DBusConnection *conn,
    const char *name,
    DBusMessage *msg)
{
    DBusError err;
    DBusMessage *reply;

    dbus_error_init(&err);
    reply = dbus_connection_send_with_reply_and_block(conn, msg, TIMEOUT,
	    &err);
    dbus_message_unref(msg);
    if (reply != NULL) {
	printf("%s ok\n", name);
	dbus_message_unref(reply);
    } else {
	printf("%s %s\n", name, err.name);
	dbus_error_free(&err);
    }
    fflush(stdout);
}

/*
 *----------------------------------------------------------------------
 *
 * NewCall --
 *
 *	A method call to the service.
 *
 * Results:
 *	The message (owned by the caller).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
NewCall(
    const char *path,
    const char *iface,
    const char *member)
{
    DBusMessage *msg = dbus_message_new_method_call(dest, path, iface,
	    member);

    if (msg == NULL) {
	fprintf(stderr, "hostile: out of memory\n");
	exit(2);
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * CallArgs --
 *
 *	A call whose arguments are given as for dbus_message_append_args
 *	(basic types only), sent and waited for.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Prints the case.
 *
 *----------------------------------------------------------------------
 */

static void
CallArgs(
    DBusConnection *conn,
    const char *name,
    const char *path,
    const char *iface,
    const char *member,
    int firstType,
    ...)
{
    DBusMessage *msg = NewCall(path, iface, member);
    va_list ap;

    va_start(ap, firstType);
    if (firstType != DBUS_TYPE_INVALID
	    && !dbus_message_append_args_valist(msg, firstType, ap)) {
	fprintf(stderr, "hostile: %s: cannot append\n", name);
	exit(2);
    }
    va_end(ap);
    Call(conn, name, msg);
}

/*
 *----------------------------------------------------------------------
 *
 * AppendNested --
 *
 *	Append a value nested depth containers deep: kind 'v' (variants
 *	in variants), 'a' (arrays of arrays) or 's' (structs in structs),
 *	around an int32.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to the iterator.
 *
 *----------------------------------------------------------------------
 */

static void
AppendNested(
    DBusMessageIter *iter,
    int kind,
    int depth)
{
    DBusMessageIter sub;
    char sig[256];
    dbus_int32_t v = 7;
    int k;

    if (depth == 0) {
	dbus_message_iter_append_basic(iter, DBUS_TYPE_INT32, &v);
	return;
    }
    switch (kind) {
    case 'v':
	/* the variant's signature: the rest of the chain */
	if (depth == 1) {
	    strcpy(sig, "i");
	} else {
	    strcpy(sig, "v");
	}
	dbus_message_iter_open_container(iter, DBUS_TYPE_VARIANT, sig, &sub);
	break;
    case 'a':
	for (k = 0; k < depth - 1; k++) {
	    sig[k] = 'a';
	}
	sig[k++] = 'i';
	sig[k] = '\0';
	dbus_message_iter_open_container(iter, DBUS_TYPE_ARRAY, sig, &sub);
	break;
    default:
	dbus_message_iter_open_container(iter, DBUS_TYPE_STRUCT, NULL, &sub);
	break;
    }
    AppendNested(&sub, kind, depth - 1);
    dbus_message_iter_close_container(iter, &sub);
}


/*
 *----------------------------------------------------------------------
 *
 * AppendNestedMsg, CallNested --
 *
 *	A message body of one argument nested depth deep (AppendNested);
 *	CallNested sends it as a call and waits for the answer.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to msg; CallNested prints the case.
 *
 *----------------------------------------------------------------------
 */

static void
AppendNestedMsg(
    DBusMessage *msg,
    int kind,
    int depth)
{
    DBusMessageIter iter;

    dbus_message_iter_init_append(msg, &iter);
    AppendNested(&iter, kind, depth);
}

static void
CallNested(
    DBusConnection *conn,
    const char *name,
    const char *path,
    const char *iface,
    const char *member,
    int kind,
    int depth)
{
    DBusMessage *msg = NewCall(path, iface, member);

    AppendNestedMsg(msg, kind, depth);
    Call(conn, name, msg);
}

/*
 *----------------------------------------------------------------------
 *
 * CallSet --
 *
 *	Properties.Set(IFACE, prop, variant) with a variant of the given
 *	signature holding a zero value (basic types) or an empty array.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Prints the case.
 *
 *----------------------------------------------------------------------
 */

static void
CallSet(
    DBusConnection *conn,
    const char *name,
    const char *iface,
    const char *prop,
    const char *vsig)
{
    DBusMessage *msg = NewCall("/obj", PROPS, "Set");
    DBusMessageIter iter, var, arr;
    dbus_uint64_t zero = 0;
    const char *str = "x";

    dbus_message_iter_init_append(msg, &iter);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &iface);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &prop);
    dbus_message_iter_open_container(&iter, DBUS_TYPE_VARIANT, vsig, &var);
    if (vsig[0] == 'a') {
	dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, vsig + 1,
		&arr);
	dbus_message_iter_close_container(&var, &arr);
    } else if (vsig[0] == 's' || vsig[0] == 'o' || vsig[0] == 'g') {
	if (vsig[0] == 'o') {
	    str = "/x";
	}
	dbus_message_iter_append_basic(&var, vsig[0], &str);
    } else if (vsig[0] == 'v') {
	AppendNested(&var, 'v', 1);
    } else {
	dbus_message_iter_append_basic(&var, vsig[0], &zero);
    }
    dbus_message_iter_close_container(&iter, &var);
    Call(conn, name, msg);
}

/*
 *----------------------------------------------------------------------
 *
 * CallFds --
 *
 *	Call a method with n unix fds (pipe ends, closed here afterwards)
 *	as its arguments, or one fd inside a variant when inVariant.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Prints the case.
 *
 *----------------------------------------------------------------------
 */

static void
CallFds(
    DBusConnection *conn,
    const char *name,
    const char *path,
    const char *iface,
    const char *member,
    int n,
    int inVariant)
{
    DBusMessage *msg = NewCall(path, iface, member);
    DBusMessageIter iter, var;
    int p[2], k;

    if (pipe(p) != 0) {
	perror("hostile: pipe");
	exit(2);
    }
    dbus_message_iter_init_append(msg, &iter);
    if (inVariant) {
	dbus_message_iter_open_container(&iter, DBUS_TYPE_VARIANT, "h", &var);
	dbus_message_iter_append_basic(&var, DBUS_TYPE_UNIX_FD, &p[0]);
	dbus_message_iter_close_container(&iter, &var);
    }
    for (k = 0; k < n; k++) {
	dbus_message_iter_append_basic(&iter, DBUS_TYPE_UNIX_FD, &p[k % 2]);
    }
    close(p[0]);
    close(p[1]);
    Call(conn, name, msg);
}

/*
 *----------------------------------------------------------------------
 *
 * SendRaw --
 *
 *	Send msg as bytes written straight to the connection's socket,
 *	with the signature header field replaced by lie (same length), so
 *	that the body does not match what the header says.  The daemon
 *	must either forward it (the body happens to be valid for the lie)
 *	or drop our connection (it is not): "forwarded"/the reply, or
 *	"dropped".
 *
 * Results:
 *	1 when the connection was dropped (the caller opens another).
 *
 * Side effects:
 *	Prints the case; releases msg.
 *
 *----------------------------------------------------------------------
 */

static int
SendRaw(
    DBusConnection *conn,
    const char *name,
    DBusMessage *msg,
    const char *lie)
{
    char *bytes, *p;
    int len, fd, k, sent = 0;
    size_t sigLen = strlen(lie);
    const char *truth = dbus_message_get_signature(msg);

    dbus_message_set_serial(msg, 424242);
    if (!dbus_message_marshal(msg, &bytes, &len)) {
	fprintf(stderr, "hostile: cannot marshal\n");
	exit(2);
    }
    /* the signature field: code 8, variant "g", length, text, NUL */
    for (p = bytes + 16; p + 5 + sigLen < bytes + len; p++) {
	if (p[0] == 8 && p[1] == 1 && p[2] == 'g' && p[3] == 0
		&& (size_t) (unsigned char) p[4] == sigLen
		&& strcmp(p + 5, truth) == 0) {
	    memcpy(p + 5, lie, sigLen);
	    break;
	}
    }
    dbus_connection_flush(conn);
    if (!dbus_connection_get_socket(conn, &fd)) {
	fprintf(stderr, "hostile: no socket\n");
	exit(2);
    }
    while (sent < len) {
	k = write(fd, bytes + sent, len - sent);
	if (k <= 0) {
	    break;
	}
	sent += k;
    }
    dbus_free(bytes);
    dbus_message_unref(msg);

    /*
     * Wait for a reply to serial 424242 or for the end of the
     * connection, whichever comes.
     */

    for (k = 0; k < 1200; k++) {
	DBusMessage *in;

	if (!dbus_connection_read_write(conn, 100)) {
	    break;
	}
	while ((in = dbus_connection_pop_message(conn)) != NULL) {
	    if (dbus_message_get_reply_serial(in) == 424242) {
		const char *err = dbus_message_get_error_name(in);

		printf("%s %s\n", name, err ? err : "ok");
		fflush(stdout);
		dbus_message_unref(in);
		return 0;
	    }
	    dbus_message_unref(in);
	}
	if (!dbus_connection_get_is_connected(conn)) {
	    break;
	}
    }
    printf("%s %s\n", name,
	    dbus_connection_get_is_connected(conn) ? "noanswer" : "dropped");
    fflush(stdout);
    return !dbus_connection_get_is_connected(conn);
}

/*
 *----------------------------------------------------------------------
 *
 * Lies --
 *
 *	Messages whose signature header lies about the body.
 *
 * Results:
 *	The connection to go on with (a new one when the daemon dropped
 *	the old).
 *
 * Side effects:
 *	Prints the cases.
 *
 *----------------------------------------------------------------------
 */

static DBusConnection *
Lies(
    DBusConnection *conn)
{
    static const struct {
	const char *name, *member, *truth, *lie;
    } cases[] = {
	/* a string body said to be an int32: not valid, dropped */
	{"lie-s-as-i", "Plain", "s", "i"},
	/* an int32 said to be a uint32: valid, forwarded, wrong type */
	{"lie-i-as-u", "Plain", "i", "u"},
	/* an int32 said to be a unix fd the message does not carry */
	{"lie-u-as-h", "Plain", "u", "h"},
	/* a string said to be a signature: the length byte lies */
	{"lie-s-as-g", "Plain", "s", "g"},
	/* an array of int32 said to be an array of bytes */
	{"lie-ai-as-ay", "Plain", "ai", "ay"},
	/* an int32 said to be a variant */
	{"lie-i-as-v", "Det", "i", "v"},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
	DBusMessage *msg = NewCall("/obj", IFACE, cases[k].member);
	DBusMessageIter iter, arr;
	dbus_int32_t i = 5;
	const char *s = "hello world";

	dbus_message_iter_init_append(msg, &iter);
	if (cases[k].truth[0] == 's') {
	    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &s);
	} else if (cases[k].truth[0] == 'a') {
	    dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "i",
		    &arr);
	    dbus_message_iter_append_basic(&arr, DBUS_TYPE_INT32, &i);
	    dbus_message_iter_append_basic(&arr, DBUS_TYPE_INT32, &i);
	    dbus_message_iter_close_container(&iter, &arr);
	} else {
	    dbus_message_iter_append_basic(&iter, cases[k].truth[0] == 'u'
		    ? DBUS_TYPE_UINT32 : DBUS_TYPE_INT32, &i);
	}
	if (SendRaw(conn, cases[k].name, msg, cases[k].lie)) {
	    Drop(conn);
	    conn = Connect();
	}
    }
    return conn;
}

/*
 *----------------------------------------------------------------------
 *
 * Burst --
 *
 *	count calls sent without reading a single reply, then one call on
 *	another connection, which must be answered; then the replies are
 *	counted.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Prints "burst-other ok" and "burst-replies N".
 *
 *----------------------------------------------------------------------
 */

static void
Burst(
    DBusConnection *conn,
    int count)
{
    DBusConnection *other;
    int k, replies = 0, rounds;
    const char *s = "burst";

    for (k = 0; k < count; k++) {
	DBusMessage *msg = NewCall("/obj", IFACE, "Plain");

	dbus_message_append_args(msg, DBUS_TYPE_STRING, &s,
		DBUS_TYPE_INVALID);
	dbus_connection_send(conn, msg, NULL);
	dbus_message_unref(msg);
    }
    dbus_connection_flush(conn);
    other = Connect();
    CallArgs(other, "burst-other", "/obj", IFACE, "Plain", DBUS_TYPE_STRING,
	    &s, DBUS_TYPE_INVALID);
    Drop(other);
    for (rounds = 0; replies < count && rounds < 1200; rounds++) {
	DBusMessage *in;

	dbus_connection_read_write(conn, 100);
	while ((in = dbus_connection_pop_message(conn)) != NULL) {
	    if (dbus_message_get_type(in) == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
		replies++;
	    }
	    dbus_message_unref(in);
	}
    }
    printf("burst-replies %d\n", replies);
    fflush(stdout);
}

/*
 *----------------------------------------------------------------------
 *
 * OddHeaders --
 *
 *	Messages with headers a normal client does not send but the daemon
 *	forwards: no interface, no reply wanted, an unsolicited reply and
 *	error, a signal sent to the service alone, flags.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Prints the cases.
 *
 *----------------------------------------------------------------------
 */

static void
OddHeaders(
    DBusConnection *conn)
{
    DBusMessage *msg;
    const char *s = "x";
    const char *unique;
    dbus_uint32_t serial;

    CallArgs(conn, "odd-no-interface", "/obj", NULL, "Plain",
	    DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    CallArgs(conn, "odd-no-interface-props", "/obj", NULL, "GetAll",
	    DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);

    /* no reply wanted, to a method that fails and to a wrong signature */
    msg = NewCall("/obj", IFACE, "Fail");
    dbus_message_set_no_reply(msg, TRUE);
    dbus_connection_send(conn, msg, NULL);
    dbus_message_unref(msg);
    msg = NewCall("/obj", IFACE, "Plain");
    dbus_message_set_no_reply(msg, TRUE);
    dbus_connection_send(conn, msg, NULL);
    dbus_message_unref(msg);
    printf("odd-noreply-fail forwarded\n");

    /* flags: no auto start, interactive authorization */
    msg = NewCall("/obj", IFACE, "Plain");
    dbus_message_append_args(msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    dbus_message_set_auto_start(msg, FALSE);
    dbus_message_set_allow_interactive_authorization(msg, TRUE);
    Call(conn, "odd-flags", msg);

    /*
     * A reply and an error the service never asked for, to its unique
     * name (the daemon forwards or refuses them by its policy; either
     * way the service must go on).
     */

    unique = NULL;
    {
	DBusError err;

	dbus_error_init(&err);
	msg = NewCall("/org/freedesktop/DBus", "org.freedesktop.DBus",
		"GetNameOwner");
	dbus_message_set_destination(msg, "org.freedesktop.DBus");
	dbus_message_append_args(msg, DBUS_TYPE_STRING, &dest,
		DBUS_TYPE_INVALID);
	{
	    DBusMessage *reply = dbus_connection_send_with_reply_and_block(
		    conn, msg, TIMEOUT, &err);

	    dbus_message_unref(msg);
	    if (reply == NULL) {
		printf("odd-owner %s\n", err.name);
		dbus_error_free(&err);
		return;
	    }
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &unique,
		    DBUS_TYPE_INVALID);
	    unique = strdup(unique);
	    dbus_message_unref(reply);
	}
    }
    msg = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
    dbus_message_set_destination(msg, unique);
    dbus_message_set_reply_serial(msg, 1);
    dbus_message_set_no_reply(msg, TRUE);
    dbus_message_append_args(msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    dbus_connection_send(conn, msg, &serial);
    dbus_message_unref(msg);
    msg = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);
    dbus_message_set_destination(msg, unique);
    dbus_message_set_reply_serial(msg, 2);
    dbus_message_set_error_name(msg, "org.tcltest.Error.Unasked");
    dbus_message_set_no_reply(msg, TRUE);
    dbus_connection_send(conn, msg, &serial);
    dbus_message_unref(msg);
    printf("odd-unsolicited-reply forwarded\n");

    /*
     * A signal sent to the service alone, named like one of its methods,
     * and one nested 64 deep.
     */

    msg = dbus_message_new_signal("/obj", IFACE, "Plain");
    dbus_message_set_destination(msg, unique);
    dbus_message_append_args(msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    dbus_connection_send(conn, msg, &serial);
    dbus_message_unref(msg);
    msg = dbus_message_new_signal("/obj", IFACE, "Tick");
    dbus_message_set_destination(msg, unique);
    AppendNestedMsg(msg, 'v', 64);
    dbus_connection_send(conn, msg, &serial);
    dbus_message_unref(msg);
    printf("odd-unicast-signal forwarded\n");
    dbus_connection_flush(conn);
    free((char *) unique);

    /* the service still answers after all of that */
    CallArgs(conn, "odd-after", "/obj", IFACE, "Plain", DBUS_TYPE_STRING,
	    &s, DBUS_TYPE_INVALID);
}

/*
 *----------------------------------------------------------------------
 *
 * NoRead --
 *
 *	hostile -noread ADDRESS COUNT: open a peer-to-peer connection to a
 *	"dbus server", send COUNT calls of org.tcltest.Big.Get on /b, and
 *	never read the replies; print "sent" and wait for standard input
 *	to close.
 *
 * Results:
 *	0, or 2 when the server cannot be reached.
 *
 * Side effects:
 *	Prints "sent".
 *
 *----------------------------------------------------------------------
 */

static int
NoRead(
    const char *peerAddress,
    int count)
{
    DBusError err;
    DBusConnection *conn;
    char buf[256];
    int k;

    dbus_error_init(&err);
    conn = dbus_connection_open_private(peerAddress, &err);
    if (conn == NULL) {
	fprintf(stderr, "hostile: %s\n", err.message);
	return 2;
    }
    dbus_connection_set_exit_on_disconnect(conn, FALSE);
    for (k = 0; k < count; k++) {
	DBusMessage *msg = dbus_message_new_method_call(NULL, "/b",
		"org.tcltest.Big", "Get");

	dbus_connection_send(conn, msg, NULL);
	dbus_message_unref(msg);
    }
    dbus_connection_flush(conn);
    printf("sent\n");
    fflush(stdout);
    while (fgets(buf, sizeof(buf), stdin) != NULL) {
	/* wait for the end of standard input, never reading the socket */
    }
    Drop(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * main --
 *
 *	Run every case against the service.
 *
 * Results:
 *	0, or 2 when the bus cannot be reached.
 *
 * Side effects:
 *	Prints the cases and "done".
 *
 *----------------------------------------------------------------------
 */

int
main(
    int argc,
    char **argv)
{
    DBusConnection *conn;
    dbus_int32_t i = 1;
    dbus_uint32_t u = 1;
    double d = 1.5;
    const char *s = "x", *o = "/x";
    static const char *paths[] = {
	"/", "/ob", "/obj/child", "/o/b/j", "/raw",
	"/org/freedesktop/DBus"
    };
    char longPath[4096];
    size_t k;

    if (argc == 4 && strcmp(argv[1], "-noread") == 0) {
	return NoRead(argv[2], atoi(argv[3]));
    }
    if (argc != 3) {
	fprintf(stderr, "usage: %s address dest | -noread address count\n",
		argv[0]);
	return 2;
    }
    address = argv[1];
    dest = argv[2];
    conn = Connect();

    /* wrong signatures to every kind of dbif method */
    CallArgs(conn, "sig-plain-double", "/obj", IFACE, "Plain",
	    DBUS_TYPE_DOUBLE, &d, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-plain-path", "/obj", IFACE, "Plain",
	    DBUS_TYPE_OBJECT_PATH, &o, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-typed-flat", "/obj", IFACE, "Typed",
	    DBUS_TYPE_INT32, &i, DBUS_TYPE_INT32, &i, DBUS_TYPE_INT32, &i,
	    DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-typed-uint", "/obj", IFACE, "Typed",
	    DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-opt-three", "/obj", IFACE, "Opt",
	    DBUS_TYPE_INT32, &i, DBUS_TYPE_STRING, &s, DBUS_TYPE_STRING, &s,
	    DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-opt-none", "/obj", IFACE, "Opt", DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-details-none", "/obj", IFACE, "Det",
	    DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-async-uint", "/obj", IFACE, "Later",
	    DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-busy-string", "/obj", IFACE, "Busy",
	    DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-fail-args", "/obj", IFACE, "Fail",
	    DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    CallArgs(conn, "sig-takefd-int", "/obj", IFACE, "TakeFd",
	    DBUS_TYPE_INT32, &i, DBUS_TYPE_INVALID);

    /* 64 containers deep, and variants in variants */
    CallNested(conn, "deep-array-32", "/raw", "org.tcltest.Raw", "Take",
	    'a', 32);
    CallNested(conn, "deep-struct-32", "/raw", "org.tcltest.Raw", "Take",
	    's', 32);
    CallNested(conn, "deep-variant-64", "/raw", "org.tcltest.Raw", "Take",
	    'v', 64);
    CallNested(conn, "deep-variant-64-to-dbif", "/obj", IFACE, "Det",
	    'v', 64);
    CallNested(conn, "deep-array-32-to-dbif", "/obj", IFACE, "Plain",
	    'a', 32);

    /* unix fds where none are expected */
    CallFds(conn, "fd-plain", "/obj", IFACE, "Plain", 1, 0);
    CallFds(conn, "fd-16-plain", "/obj", IFACE, "Plain", 16, 0);
    CallFds(conn, "fd-variant-details", "/obj", IFACE, "Det", 0, 1);
    CallFds(conn, "fd-async", "/obj", IFACE, "Later", 1, 0);
    CallFds(conn, "fd-unknown-path", "/nowhere", IFACE, "Plain", 2, 0);
    CallFds(conn, "fd-raw", "/raw", "org.tcltest.Raw", "Take", 3, 0);
    CallFds(conn, "fd-props-get", "/obj", PROPS, "Get", 1, 0);
    CallFds(conn, "fd-declared", "/obj", IFACE, "TakeFd", 1, 0);
    CallFds(conn, "fd-declared-extra", "/obj", IFACE, "TakeFd", 2, 0);

    /* Properties.Set on read-only, unknown, wrong-typed */
    CallSet(conn, "set-ro", IFACE, "RO", "i");
    CallSet(conn, "set-ro-wrongtype", IFACE, "RO", "s");
    CallSet(conn, "set-unknown", IFACE, "Nope", "i");
    CallSet(conn, "set-unknown-intf", "org.tcltest.Nope", "RW", "i");
    CallSet(conn, "set-empty-intf", "", "RW", "i");
    CallSet(conn, "set-rw-string", IFACE, "RW", "s");
    CallSet(conn, "set-rw-array", IFACE, "RW", "ai");
    CallSet(conn, "set-rw-variant", IFACE, "RW", "v");
    CallSet(conn, "set-rw-int64", IFACE, "RW", "x");
    CallSet(conn, "set-rw-uint32", IFACE, "RW", "u");
    CallSet(conn, "set-rw-byte", IFACE, "RW", "y");
    CallSet(conn, "set-rw-int32", IFACE, "RW", "i");
    CallArgs(conn, "set-no-value", "/obj", PROPS, "Set", DBUS_TYPE_STRING,
	    &s, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);

    /* Introspect on odd paths */
    for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
	char name[64];

	snprintf(name, sizeof(name), "introspect:%s", paths[k]);
	CallArgs(conn, name, paths[k], INTRO, "Introspect",
		DBUS_TYPE_INVALID);
    }
    strcpy(longPath, "/");
    for (k = 0; k < 500; k++) {
	strcat(longPath, "a/");
    }
    longPath[strlen(longPath) - 1] = '\0';
    CallArgs(conn, "introspect:deep-500", longPath, INTRO, "Introspect",
	    DBUS_TYPE_INVALID);
    CallArgs(conn, "introspect-with-arg", "/", INTRO, "Introspect",
	    DBUS_TYPE_INT32, &i, DBUS_TYPE_INVALID);

    OddHeaders(conn);
    conn = Lies(conn);
    Burst(conn, 10000);
    CallArgs(conn, "still-serving", "/obj", IFACE, "Plain",
	    DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
    Drop(conn);
    printf("done\n");
    fflush(stdout);
    dbus_shutdown();
    return 0;
}
