/*
 * cbench.c --
 *
 *	The plain C libdbus baseline of the benchmarks (bench/run.tcl): one
 *	program with several modes, each a small libdbus client, server,
 *	signal emitter or subscriber written the way a C programmer would
 *	write it without any binding in between.  The Tcl figures of the
 *	benchmark table are compared against what this program measures on
 *	the same private bus.
 *
 *	Usage:	cbench ?--dest NAME? mode ?arg ...?
 *
 *	    server			own org.tcldbus.Bench, serve
 *					Echo(s)->s, Sum(ai)->x,
 *					DictSum(a{sv})->x, Props(u)->a{sv}, Quit()
 *	    client-echo N		N synchronous Echo calls -> calls/s
 *	    client-async N INFLIGHT	N Echo calls, INFLIGHT outstanding
 *					-> calls/s
 *	    client-sum N SIZE		Sum with SIZE int32 -> ms/call
 *	    client-dictsum N SIZE	DictSum with SIZE entries -> ms/call
 *	    client-call N PATH IFACE METHOD ?s|u ARG?
 *				N calls of any method -> ms/call
 *	    emit N			N Tick(u) signals, then Done
 *	    subscribe			count Ticks until Done -> signals/s
 *	    quit			call Quit on the destination
 *
 *	--dest NAME picks the bus name the client modes talk to (default
 *	org.tcldbus.Bench; the Tcl server is org.tcldbus.TclBench).  The bus
 *	is the one in DBUS_SESSION_BUS_ADDRESS; run.tcl points it at a
 *	private dbus-daemon.  A measuring mode prints exactly one line on
 *	stdout, "<figure> <unit> ...", and exits 0; any failure is reported
 *	on stderr with exit status 1.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_NAME	"org.tcldbus.Bench"
#define BENCH_PATH	"/org/tcldbus/Bench"
#define BENCH_IFACE	"org.tcldbus.Bench"
#define ECHO_TEXT	"Hello, D-Bus benchmark!"
#define WARMUP_CALLS	200

/*
 * Bus name the client modes call (set by --dest).
 */

static const char *destName = BENCH_NAME;

/*
 * Set by the Quit method; ends the server loop.
 */

static int serverQuit = 0;

/*
 *----------------------------------------------------------------------
 *
 * Fail --
 *
 *	Report a fatal error on stderr and leave.
 *
 * Results:
 *	None; does not return.
 *
 * Side effects:
 *	Exits the process with status 1.
 *
 *----------------------------------------------------------------------
 */

static void
Fail(
    const char *what,		/* What failed. */
    const char *detail)		/* Extra text, or NULL. */
{
    fprintf(stderr, "cbench: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
    exit(1);
}

/*
 *----------------------------------------------------------------------
 *
 * Now --
 *
 *	Monotonic clock in seconds.
 *
 * Results:
 *	The time as a double.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static double
Now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/*
 *----------------------------------------------------------------------
 *
 * ParseCount --
 *
 *	Parse a positive decimal count from the command line.
 *
 * Results:
 *	The count; exits on a malformed or non-positive value.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static long
ParseCount(
    const char *text)		/* Argument text. */
{
    char *end;
    long value = strtol(text, &end, 10);

    if (*text == '\0' || *end != '\0' || value <= 0) {
	Fail("expected a positive integer but got", text);
    }
    return value;
}

/*
 *----------------------------------------------------------------------
 *
 * Connect --
 *
 *	Open a private connection to the session bus (whatever
 *	DBUS_SESSION_BUS_ADDRESS names) and register with it.
 *
 * Results:
 *	The connection; exits on failure.
 *
 * Side effects:
 *	Exit-on-disconnect is switched off.
 *
 *----------------------------------------------------------------------
 */

static DBusConnection *
Connect(void)
{
    DBusError err;
    DBusConnection *conn;

    if (getenv("DBUS_SESSION_BUS_ADDRESS") == NULL) {
	Fail("DBUS_SESSION_BUS_ADDRESS is not set", NULL);
    }
    dbus_error_init(&err);
    conn = dbus_bus_get_private(DBUS_BUS_SESSION, &err);
    if (conn == NULL) {
	Fail("cannot connect to the bus", err.message);
    }
    dbus_connection_set_exit_on_disconnect(conn, FALSE);
    return conn;
}

/*
 *----------------------------------------------------------------------
 *
 * Disconnect --
 *
 *	Flush, close and release a connection made by Connect.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The connection is gone.
 *
 *----------------------------------------------------------------------
 */

static void
Disconnect(
    DBusConnection *conn)	/* Owned; released here. */
{
    dbus_connection_flush(conn);
    dbus_connection_close(conn);
    dbus_connection_unref(conn);
}

/*
 *----------------------------------------------------------------------
 *
 * CheckReply --
 *
 *	Common tail of a synchronous call: exits if there is no reply.
 *
 * Results:
 *	The reply (owned by the caller).
 *
 * Side effects:
 *	Frees err when set (by exiting).
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
CheckReply(
    DBusMessage *reply,		/* Result of send_with_reply_and_block. */
    DBusError *errPtr)		/* Its error. */
{
    if (reply == NULL) {
	Fail(errPtr->name ? errPtr->name : "call failed", errPtr->message);
    }
    return reply;
}

/*
 *----------------------------------------------------------------------
 *
 * NewCall --
 *
 *	Make a method call to destName on the benchmark object.
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
    const char *method)		/* Member name. */
{
    DBusMessage *msg = dbus_message_new_method_call(destName, BENCH_PATH,
	    BENCH_IFACE, method);

    if (msg == NULL) {
	Fail("out of memory", NULL);
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * NewEcho --
 *
 *	Make an Echo call carrying the benchmark text.
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
NewEcho(void)
{
    DBusMessage *msg = NewCall("Echo");
    const char *text = ECHO_TEXT;

    if (!dbus_message_append_args(msg, DBUS_TYPE_STRING, &text,
	    DBUS_TYPE_INVALID)) {
	Fail("out of memory", NULL);
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * SyncEcho --
 *
 *	One synchronous Echo round trip, checking the answer.
 *
 * Results:
 *	None; exits on failure.
 *
 * Side effects:
 *	Messages on the bus.
 *
 *----------------------------------------------------------------------
 */

static void
SyncEcho(
    DBusConnection *conn)	/* Borrowed. */
{
    DBusError err;
    DBusMessage *msg = NewEcho();
    DBusMessage *reply;
    const char *text = NULL;

    dbus_error_init(&err);
    reply = CheckReply(dbus_connection_send_with_reply_and_block(conn, msg,
	    -1, &err), &err);
    dbus_message_unref(msg);
    if (!dbus_message_get_args(reply, &err, DBUS_TYPE_STRING, &text,
	    DBUS_TYPE_INVALID) || strcmp(text, ECHO_TEXT) != 0) {
	Fail("bad Echo reply", err.message);
    }
    dbus_message_unref(reply);
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyWithInt64 --
 *
 *	Send a method return carrying one int64.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Queues the reply on the connection.
 *
 *----------------------------------------------------------------------
 */

static void
ReplyWithInt64(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *call,		/* Borrowed: the call answered. */
    dbus_int64_t value)
{
    DBusMessage *reply = dbus_message_new_method_return(call);

    if (reply == NULL || !dbus_message_append_args(reply, DBUS_TYPE_INT64,
	    &value, DBUS_TYPE_INVALID)) {
	Fail("out of memory", NULL);
    }
    dbus_connection_send(conn, reply, NULL);
    dbus_message_unref(reply);
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyInvalidArgs --
 *
 *	Answer a call whose arguments do not fit with InvalidArgs.
 *
 * Results:
 *	DBUS_HANDLER_RESULT_HANDLED.
 *
 * Side effects:
 *	Queues the error reply.
 *
 *----------------------------------------------------------------------
 */

static DBusHandlerResult
ReplyInvalidArgs(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *call)		/* Borrowed. */
{
    DBusMessage *reply = dbus_message_new_error_printf(call,
	    DBUS_ERROR_INVALID_ARGS, "unexpected signature \"%s\"",
	    dbus_message_get_signature(call));

    if (reply == NULL) {
	Fail("out of memory", NULL);
    }
    dbus_connection_send(conn, reply, NULL);
    dbus_message_unref(reply);
    return DBUS_HANDLER_RESULT_HANDLED;
}

/*
 *----------------------------------------------------------------------
 *
 * VariantInt --
 *
 *	Value of an integer held in a variant (any D-Bus integer type).
 *
 * Results:
 *	1 and *valuePtr set, or 0 when the variant holds no integer.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
VariantInt(
    DBusMessageIter *varPtr,	/* Iterator inside the variant. */
    dbus_int64_t *valuePtr)	/* Out: the value. */
{
    DBusBasicValue v;

    switch (dbus_message_iter_get_arg_type(varPtr)) {
    case DBUS_TYPE_BYTE:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.byt;
	return 1;
    case DBUS_TYPE_INT16:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.i16;
	return 1;
    case DBUS_TYPE_UINT16:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.u16;
	return 1;
    case DBUS_TYPE_INT32:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.i32;
	return 1;
    case DBUS_TYPE_UINT32:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.u32;
	return 1;
    case DBUS_TYPE_INT64:
	dbus_message_iter_get_basic(varPtr, &v);
	*valuePtr = v.i64;
	return 1;
    default:
	return 0;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyIntrospect, ReplyManaged --
 *
 *	ReplyIntrospect: the server's introspection data (Echo, Managed),
 *	for the proxy rows.  ReplyManaged: Managed(u count) ->
 *	a{oa{sa{sv}}}, the shape of an ObjectManager.GetManagedObjects
 *	reply: objects /org/tcldbus/Bench/o0.. with one interface of five
 *	int32 properties p0..p4 (the baseline of the dbif manager row).
 *
 * Results:
 *	DBUS_HANDLER_RESULT_HANDLED.
 *
 * Side effects:
 *	Queues the reply.
 *
 *----------------------------------------------------------------------
 */

static DBusHandlerResult
ReplyIntrospect(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *msg)		/* Borrowed: the incoming call. */
{
    static const char *xml =
	"<node><interface name=\"" BENCH_IFACE "\">"
	"<method name=\"Echo\"><arg name=\"text\" type=\"s\"/>"
	"<arg type=\"s\" direction=\"out\"/></method>"
	"<method name=\"Managed\"><arg name=\"count\" type=\"u\"/>"
	"<arg type=\"a{oa{sa{sv}}}\" direction=\"out\"/></method>"
	"</interface></node>";
    DBusMessage *reply = dbus_message_new_method_return(msg);

    if (reply == NULL || !dbus_message_append_args(reply, DBUS_TYPE_STRING,
	    &xml, DBUS_TYPE_INVALID)) {
	Fail("out of memory", NULL);
    }
    dbus_connection_send(conn, reply, NULL);
    dbus_message_unref(reply);
    return DBUS_HANDLER_RESULT_HANDLED;
}

static DBusHandlerResult
ReplyManaged(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *msg)		/* Borrowed: the incoming call. */
{
    DBusMessage *reply;
    DBusMessageIter iter, objs, obj, ifs, intf, props, prop, var;
    dbus_uint32_t count, i, j;
    const char *ifname = "org.tcldbus.Managed";
    char path[64], key[16];
    const char *p = path, *k = key;
    int ok;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_UINT32, &count,
	    DBUS_TYPE_INVALID)) {
	return ReplyInvalidArgs(conn, msg);
    }
    reply = dbus_message_new_method_return(msg);
    if (reply == NULL) {
	Fail("out of memory", NULL);
    }
    dbus_message_iter_init_append(reply, &iter);
    ok = dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY,
	    "{oa{sa{sv}}}", &objs);
    for (i = 0; ok && i < count; i++) {
	snprintf(path, sizeof(path), BENCH_PATH "/o%u", (unsigned) i);
	ok = dbus_message_iter_open_container(&objs, DBUS_TYPE_DICT_ENTRY,
		NULL, &obj)
	    && dbus_message_iter_append_basic(&obj, DBUS_TYPE_OBJECT_PATH, &p)
	    && dbus_message_iter_open_container(&obj, DBUS_TYPE_ARRAY,
		"{sa{sv}}", &ifs)
	    && dbus_message_iter_open_container(&ifs, DBUS_TYPE_DICT_ENTRY,
		NULL, &intf)
	    && dbus_message_iter_append_basic(&intf, DBUS_TYPE_STRING,
		&ifname)
	    && dbus_message_iter_open_container(&intf, DBUS_TYPE_ARRAY,
		"{sv}", &props);
	for (j = 0; ok && j < 5; j++) {
	    dbus_int32_t value = (dbus_int32_t) (i + j);

	    snprintf(key, sizeof(key), "p%u", (unsigned) j);
	    ok = dbus_message_iter_open_container(&props,
		    DBUS_TYPE_DICT_ENTRY, NULL, &prop)
		&& dbus_message_iter_append_basic(&prop, DBUS_TYPE_STRING, &k)
		&& dbus_message_iter_open_container(&prop, DBUS_TYPE_VARIANT,
		    DBUS_TYPE_INT32_AS_STRING, &var)
		&& dbus_message_iter_append_basic(&var, DBUS_TYPE_INT32,
		    &value)
		&& dbus_message_iter_close_container(&prop, &var)
		&& dbus_message_iter_close_container(&props, &prop);
	}
	ok = ok && dbus_message_iter_close_container(&intf, &props)
	    && dbus_message_iter_close_container(&ifs, &intf)
	    && dbus_message_iter_close_container(&obj, &ifs)
	    && dbus_message_iter_close_container(&objs, &obj);
    }
    if (!ok || !dbus_message_iter_close_container(&iter, &objs)) {
	Fail("out of memory", NULL);
    }
    dbus_connection_send(conn, reply, NULL);
    dbus_message_unref(reply);
    return DBUS_HANDLER_RESULT_HANDLED;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerMessage --
 *
 *	Object path handler of the server: Echo, Sum, DictSum and Quit.
 *
 * Results:
 *	HANDLED for the methods served, NOT_YET_HANDLED otherwise (libdbus
 *	then answers UnknownMethod).
 *
 * Side effects:
 *	Queues replies; Quit sets serverQuit.
 *
 *----------------------------------------------------------------------
 */

static DBusHandlerResult
ServerMessage(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *msg,		/* Borrowed: the incoming call. */
    void *userData)		/* Unused. */
{
    DBusMessageIter iter, sub;
    const char *member;

    (void) userData;
    if (dbus_message_is_method_call(msg,
	    "org.freedesktop.DBus.Introspectable", "Introspect")) {
	return ReplyIntrospect(conn, msg);
    }
    if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL
	    || !dbus_message_has_interface(msg, BENCH_IFACE)) {
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    }
    member = dbus_message_get_member(msg);

    if (strcmp(member, "Managed") == 0) {
	return ReplyManaged(conn, msg);
    }

    if (strcmp(member, "Echo") == 0) {
	DBusMessage *reply;
	const char *text;

	if (!dbus_message_has_signature(msg, "s")) {
	    return ReplyInvalidArgs(conn, msg);
	}
	dbus_message_iter_init(msg, &iter);
	dbus_message_iter_get_basic(&iter, &text);
	reply = dbus_message_new_method_return(msg);
	if (reply == NULL || !dbus_message_append_args(reply,
		DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID)) {
	    Fail("out of memory", NULL);
	}
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
	return DBUS_HANDLER_RESULT_HANDLED;
    }

    if (strcmp(member, "Sum") == 0) {
	const dbus_int32_t *elems;
	int n, i;
	dbus_int64_t sum = 0;

	if (!dbus_message_has_signature(msg, "ai")) {
	    return ReplyInvalidArgs(conn, msg);
	}
	dbus_message_iter_init(msg, &iter);
	dbus_message_iter_recurse(&iter, &sub);
	dbus_message_iter_get_fixed_array(&sub, &elems, &n);
	for (i = 0; i < n; i++) {
	    sum += elems[i];
	}
	ReplyWithInt64(conn, msg, sum);
	return DBUS_HANDLER_RESULT_HANDLED;
    }

    if (strcmp(member, "DictSum") == 0) {
	DBusMessageIter entry, var;
	dbus_int64_t sum = 0, value;

	if (!dbus_message_has_signature(msg, "a{sv}")) {
	    return ReplyInvalidArgs(conn, msg);
	}
	dbus_message_iter_init(msg, &iter);
	dbus_message_iter_recurse(&iter, &sub);
	while (dbus_message_iter_get_arg_type(&sub) == DBUS_TYPE_DICT_ENTRY) {
	    dbus_message_iter_recurse(&sub, &entry);
	    dbus_message_iter_next(&entry);		/* Skip the key. */
	    dbus_message_iter_recurse(&entry, &var);
	    if (!VariantInt(&var, &value)) {
		return ReplyInvalidArgs(conn, msg);
	    }
	    sum += value;
	    dbus_message_iter_next(&sub);
	}
	ReplyWithInt64(conn, msg, sum);
	return DBUS_HANDLER_RESULT_HANDLED;
    }

    if (strcmp(member, "Props") == 0) {
	/*
	 * Props(u count) -> a{sv}: "p0".."p<count-1>" -> int32 variants,
	 * the shape of a Properties.GetAll reply (the dbif GetAll row).
	 */

	DBusMessage *reply;
	DBusMessageIter dict, entry, var;
	dbus_uint32_t count, i;
	char key[32];
	int ok = 1;

	if (!dbus_message_has_signature(msg, "u")) {
	    return ReplyInvalidArgs(conn, msg);
	}
	dbus_message_iter_init(msg, &iter);
	dbus_message_iter_get_basic(&iter, &count);
	reply = dbus_message_new_method_return(msg);
	if (reply == NULL) {
	    Fail("out of memory", NULL);
	}
	dbus_message_iter_init_append(reply, &iter);
	ok = dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "{sv}",
		&dict);
	for (i = 0; ok && i < count; i++) {
	    const char *k = key;
	    dbus_int32_t value = (dbus_int32_t) i;

	    snprintf(key, sizeof(key), "p%u", (unsigned) i);
	    ok = dbus_message_iter_open_container(&dict,
		    DBUS_TYPE_DICT_ENTRY, NULL, &entry)
		&& dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &k)
		&& dbus_message_iter_open_container(&entry,
		    DBUS_TYPE_VARIANT, DBUS_TYPE_INT32_AS_STRING, &var)
		&& dbus_message_iter_append_basic(&var, DBUS_TYPE_INT32,
		    &value)
		&& dbus_message_iter_close_container(&entry, &var)
		&& dbus_message_iter_close_container(&dict, &entry);
	}
	if (!ok || !dbus_message_iter_close_container(&iter, &dict)) {
	    Fail("out of memory", NULL);
	}
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
	return DBUS_HANDLER_RESULT_HANDLED;
    }

    if (strcmp(member, "Quit") == 0) {
	DBusMessage *reply = dbus_message_new_method_return(msg);

	if (reply == NULL) {
	    Fail("out of memory", NULL);
	}
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
	serverQuit = 1;
	return DBUS_HANDLER_RESULT_HANDLED;
    }
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/*
 *----------------------------------------------------------------------
 *
 * RunServer --
 *
 *	Mode "server": own the benchmark name and serve until Quit.
 *
 * Results:
 *	Exit status (exits with 1 if the bus connection is lost).
 *
 * Side effects:
 *	Prints "ready" once the name is owned.
 *
 *----------------------------------------------------------------------
 */

static int
RunServer(void)
{
    static const DBusObjectPathVTable vtable = {
	NULL, ServerMessage, NULL, NULL, NULL, NULL
    };
    DBusConnection *conn = Connect();
    DBusError err;
    int ret;

    dbus_error_init(&err);
    if (!dbus_connection_try_register_object_path(conn, BENCH_PATH,
	    &vtable, NULL, &err)) {
	Fail("cannot register " BENCH_PATH, err.message);
    }
    ret = dbus_bus_request_name(conn, BENCH_NAME,
	    DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
    if (ret != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
	Fail("cannot own " BENCH_NAME, dbus_error_is_set(&err)
		? err.message : "name in use");
    }
    printf("ready\n");
    fflush(stdout);

    while (!serverQuit && dbus_connection_read_write_dispatch(conn, -1)) {
	/* Everything happens in ServerMessage. */
    }
    if (!serverQuit) {
	Fail("server", "connection to the bus lost");
    }
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunClientEcho --
 *
 *	Mode "client-echo N": N synchronous Echo calls.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<calls/s> calls/s".
 *
 *----------------------------------------------------------------------
 */

static int
RunClientEcho(
    long count)			/* Number of timed calls. */
{
    DBusConnection *conn = Connect();
    double t0, t1;
    long i;

    for (i = 0; i < WARMUP_CALLS; i++) {
	SyncEcho(conn);
    }
    t0 = Now();
    for (i = 0; i < count; i++) {
	SyncEcho(conn);
    }
    t1 = Now();
    printf("%.1f calls/s\n", (double) count / (t1 - t0));
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunClientAsync --
 *
 *	Mode "client-async N INFLIGHT": N Echo calls sent without waiting,
 *	keeping INFLIGHT of them outstanding; replies are read straight
 *	from the incoming queue.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<calls/s> calls/s".
 *
 *----------------------------------------------------------------------
 */

static int
RunClientAsync(
    long count,			/* Number of timed calls. */
    long inflight)		/* Calls kept outstanding. */
{
    DBusConnection *conn = Connect();
    DBusMessage *msg;
    long sent = 0, done = 0, i;
    double t0, t1;

    for (i = 0; i < WARMUP_CALLS; i++) {
	SyncEcho(conn);
    }
    t0 = Now();
    while (done < count) {
	while (sent < count && sent - done < inflight) {
	    msg = NewEcho();
	    if (!dbus_connection_send(conn, msg, NULL)) {
		Fail("out of memory", NULL);
	    }
	    dbus_message_unref(msg);
	    sent++;
	}
	if (!dbus_connection_read_write(conn, -1)) {
	    Fail("disconnected", NULL);
	}
	while ((msg = dbus_connection_pop_message(conn)) != NULL) {
	    switch (dbus_message_get_type(msg)) {
	    case DBUS_MESSAGE_TYPE_METHOD_RETURN:
		done++;
		break;
	    case DBUS_MESSAGE_TYPE_ERROR:
		Fail("error reply", dbus_message_get_error_name(msg));
		break;
	    default:
		break;		/* E.g. NameAcquired. */
	    }
	    dbus_message_unref(msg);
	}
    }
    t1 = Now();
    printf("%.1f calls/s\n", (double) count / (t1 - t0));
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * CallForInt64 --
 *
 *	Send a prepared call, wait for its int64 reply.
 *
 * Results:
 *	The returned value; exits on failure.
 *
 * Side effects:
 *	Messages on the bus.
 *
 *----------------------------------------------------------------------
 */

static dbus_int64_t
CallForInt64(
    DBusConnection *conn,	/* Borrowed. */
    DBusMessage *msg)		/* Borrowed; the caller unrefs it. */
{
    DBusError err;
    DBusMessage *reply;
    dbus_int64_t value;

    dbus_error_init(&err);
    reply = CheckReply(dbus_connection_send_with_reply_and_block(conn, msg,
	    -1, &err), &err);
    if (!dbus_message_get_args(reply, &err, DBUS_TYPE_INT64, &value,
	    DBUS_TYPE_INVALID)) {
	Fail("bad reply", err.message);
    }
    dbus_message_unref(reply);
    return value;
}

/*
 *----------------------------------------------------------------------
 *
 * RunClientSum --
 *
 *	Mode "client-sum N SIZE": N Sum calls, each with SIZE int32 values
 *	(i % 1000 - 500) appended as one fixed array.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<ms> ms/call".
 *
 *----------------------------------------------------------------------
 */

static int
RunClientSum(
    long count,			/* Number of timed calls. */
    long size)			/* Array length. */
{
    DBusConnection *conn = Connect();
    dbus_int32_t *values = malloc(sizeof(dbus_int32_t) * (size_t) size);
    dbus_int64_t expected = 0;
    double t0 = 0.0, t1;
    long i, call;

    if (values == NULL) {
	Fail("out of memory", NULL);
    }
    for (i = 0; i < size; i++) {
	values[i] = (dbus_int32_t) (i % 1000 - 500);
	expected += values[i];
    }

    /*
     * Call 0 is the untimed warm-up.
     */

    for (call = 0; call <= count; call++) {
	DBusMessage *msg = NewCall("Sum");
	DBusMessageIter iter, sub;
	const dbus_int32_t *ptr = values;

	if (call == 1) {
	    t0 = Now();
	}
	dbus_message_iter_init_append(msg, &iter);
	if (!dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY,
		DBUS_TYPE_INT32_AS_STRING, &sub)
		|| !dbus_message_iter_append_fixed_array(&sub,
		DBUS_TYPE_INT32, &ptr, (int) size)
		|| !dbus_message_iter_close_container(&iter, &sub)) {
	    Fail("out of memory", NULL);
	}
	if (CallForInt64(conn, msg) != expected) {
	    Fail("wrong Sum result", NULL);
	}
	dbus_message_unref(msg);
    }
    t1 = Now();
    printf("%.3f ms/call\n", (t1 - t0) * 1e3 / (double) count);
    free(values);
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunClientDictSum --
 *
 *	Mode "client-dictsum N SIZE": N DictSum calls, each with an a{sv}
 *	of SIZE entries "k<i>" -> int32 variant (i % 100).
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<ms> ms/call".
 *
 *----------------------------------------------------------------------
 */

static int
RunClientDictSum(
    long count,			/* Number of timed calls. */
    long size)			/* Dictionary entries. */
{
    DBusConnection *conn = Connect();
    char **keys = malloc(sizeof(char *) * (size_t) size);
    dbus_int64_t expected = 0;
    double t0 = 0.0, t1;
    long i, call;

    if (keys == NULL) {
	Fail("out of memory", NULL);
    }
    for (i = 0; i < size; i++) {
	keys[i] = malloc(24);
	if (keys[i] == NULL) {
	    Fail("out of memory", NULL);
	}
	snprintf(keys[i], 24, "k%ld", i);
	expected += i % 100;
    }

    for (call = 0; call <= count; call++) {
	DBusMessage *msg = NewCall("DictSum");
	DBusMessageIter iter, dict, entry, var;
	int ok = 1;

	if (call == 1) {
	    t0 = Now();
	}
	dbus_message_iter_init_append(msg, &iter);
	ok = dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY,
		DBUS_DICT_ENTRY_BEGIN_CHAR_AS_STRING
		DBUS_TYPE_STRING_AS_STRING DBUS_TYPE_VARIANT_AS_STRING
		DBUS_DICT_ENTRY_END_CHAR_AS_STRING, &dict);
	for (i = 0; ok && i < size; i++) {
	    dbus_int32_t value = (dbus_int32_t) (i % 100);

	    ok = dbus_message_iter_open_container(&dict,
		    DBUS_TYPE_DICT_ENTRY, NULL, &entry)
		&& dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING,
		    &keys[i])
		&& dbus_message_iter_open_container(&entry,
		    DBUS_TYPE_VARIANT, DBUS_TYPE_INT32_AS_STRING, &var)
		&& dbus_message_iter_append_basic(&var, DBUS_TYPE_INT32,
		    &value)
		&& dbus_message_iter_close_container(&entry, &var)
		&& dbus_message_iter_close_container(&dict, &entry);
	}
	if (!ok || !dbus_message_iter_close_container(&iter, &dict)) {
	    Fail("out of memory", NULL);
	}
	if (CallForInt64(conn, msg) != expected) {
	    Fail("wrong DictSum result", NULL);
	}
	dbus_message_unref(msg);
    }
    t1 = Now();
    printf("%.3f ms/call\n", (t1 - t0) * 1e3 / (double) count);
    for (i = 0; i < size; i++) {
	free(keys[i]);
    }
    free(keys);
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunClientCall --
 *
 *	Mode "client-call N PATH IFACE METHOD ?s|u ARG?": N synchronous
 *	calls of any method (at most one string or uint32 argument), the
 *	replies checked for being method returns and dropped.  Used for
 *	the dbif rows (Introspect, GetAll) and their C baseline (Props).
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<ms/call> ms/call".
 *
 *----------------------------------------------------------------------
 */

static int
RunClientCall(
    long count,			/* Number of timed calls. */
    char **argv,		/* PATH IFACE METHOD ?TYPE ARG? */
    int argc)
{
    DBusConnection *conn = Connect();
    double t0 = 0, t1;
    long i;

    if (!dbus_validate_path(argv[0], NULL)
	    || !dbus_validate_interface(argv[1], NULL)
	    || !dbus_validate_member(argv[2], NULL)
	    || (argc == 5 && strcmp(argv[3], "s") != 0
		&& strcmp(argv[3], "u") != 0)) {
	Fail("bad client-call arguments", NULL);
    }
    for (i = -WARMUP_CALLS; i < count; i++) {
	DBusMessage *msg = dbus_message_new_method_call(destName, argv[0],
		argv[1], argv[2]), *reply;
	DBusError err;
	int ok = (msg != NULL);

	if (i == 0) {
	    t0 = Now();
	}
	if (ok && argc == 5) {
	    if (argv[3][0] == 's') {
		const char *text = argv[4];

		ok = dbus_message_append_args(msg, DBUS_TYPE_STRING, &text,
			DBUS_TYPE_INVALID);
	    } else {
		dbus_uint32_t u = (dbus_uint32_t) strtoul(argv[4], NULL, 10);

		ok = dbus_message_append_args(msg, DBUS_TYPE_UINT32, &u,
			DBUS_TYPE_INVALID);
	    }
	}
	if (!ok) {
	    Fail("out of memory", NULL);
	}
	dbus_error_init(&err);
	reply = CheckReply(dbus_connection_send_with_reply_and_block(conn,
		msg, -1, &err), &err);
	dbus_message_unref(msg);
	dbus_message_unref(reply);
    }
    t1 = Now();
    printf("%.3f ms/call\n", (t1 - t0) * 1e3 / (double) count);
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunEmit --
 *
 *	Mode "emit N": broadcast N Tick(u) signals as fast as possible,
 *	then one Done().  Flushes every 256 signals so the outgoing queue
 *	stays bounded.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<signals/s> signals/s" (sending rate).
 *
 *----------------------------------------------------------------------
 */

static int
RunEmit(
    long count)			/* Number of Tick signals. */
{
    DBusConnection *conn = Connect();
    DBusMessage *msg;
    double t0, t1;
    long i;

    t0 = Now();
    for (i = 0; i < count; i++) {
	dbus_uint32_t seq = (dbus_uint32_t) i;

	msg = dbus_message_new_signal(BENCH_PATH, BENCH_IFACE, "Tick");
	if (msg == NULL || !dbus_message_append_args(msg, DBUS_TYPE_UINT32,
		&seq, DBUS_TYPE_INVALID)
		|| !dbus_connection_send(conn, msg, NULL)) {
	    Fail("out of memory", NULL);
	}
	dbus_message_unref(msg);
	if ((i & 255) == 255) {
	    dbus_connection_flush(conn);
	}
    }
    msg = dbus_message_new_signal(BENCH_PATH, BENCH_IFACE, "Done");
    if (msg == NULL || !dbus_connection_send(conn, msg, NULL)) {
	Fail("out of memory", NULL);
    }
    dbus_message_unref(msg);
    dbus_connection_flush(conn);
    t1 = Now();
    printf("%.1f signals/s\n", (double) count / (t1 - t0));
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunSubscribe --
 *
 *	Mode "subscribe": add a match rule for the benchmark interface,
 *	print "ready", count Tick signals until Done.  The rate is taken
 *	from the first Tick to the last one.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	Prints "<signals/s> signals/s <count> received <count> lost"
 *	(lost: gaps in the Tick sequence numbers).
 *
 *----------------------------------------------------------------------
 */

static int
RunSubscribe(void)
{
    DBusConnection *conn = Connect();
    DBusError err;
    DBusMessage *msg;
    long received = 0;
    double first = 0.0, last = 0.0;
    int finished = 0;
    dbus_uint32_t nextSeq = 0;
    long lost = 0;

    dbus_error_init(&err);
    dbus_bus_add_match(conn,
	    "type='signal',interface='" BENCH_IFACE "'", &err);
    if (dbus_error_is_set(&err)) {
	Fail("cannot add match rule", err.message);
    }
    printf("ready\n");
    fflush(stdout);

    while (!finished) {
	if (!dbus_connection_read_write(conn, -1)) {
	    Fail("disconnected", NULL);
	}
	while ((msg = dbus_connection_pop_message(conn)) != NULL) {
	    if (dbus_message_is_signal(msg, BENCH_IFACE, "Tick")) {
		dbus_uint32_t seq;

		last = Now();
		if (received++ == 0) {
		    first = last;
		}
		if (!dbus_message_get_args(msg, &err, DBUS_TYPE_UINT32, &seq,
			DBUS_TYPE_INVALID)) {
		    Fail("bad Tick", err.message);
		}
		if (seq != nextSeq) {
		    lost += (long) (seq - nextSeq);
		}
		nextSeq = seq + 1;
	    } else if (dbus_message_is_signal(msg, BENCH_IFACE, "Done")) {
		finished = 1;
	    }
	    dbus_message_unref(msg);
	}
    }
    if (received < 2 || last <= first) {
	Fail("too few signals received", NULL);
    }
    printf("%.1f signals/s %ld received %ld lost\n",
	    (double) (received - 1) / (last - first), received, lost);
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * RunQuit --
 *
 *	Mode "quit": ask the destination's server to stop.
 *
 * Results:
 *	Exit status.
 *
 * Side effects:
 *	The server leaves its loop.
 *
 *----------------------------------------------------------------------
 */

static int
RunQuit(void)
{
    DBusConnection *conn = Connect();
    DBusMessage *msg = NewCall("Quit");
    DBusMessage *reply;
    DBusError err;

    dbus_error_init(&err);
    reply = CheckReply(dbus_connection_send_with_reply_and_block(conn, msg,
	    5000, &err), &err);
    dbus_message_unref(reply);
    dbus_message_unref(msg);
    Disconnect(conn);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * Usage --
 *
 *	Print the usage text and fail.
 *
 * Results:
 *	None; does not return.
 *
 * Side effects:
 *	Exits with status 1.
 *
 *----------------------------------------------------------------------
 */

static void
Usage(void)
{
    fprintf(stderr, "usage: cbench ?--dest NAME? mode ?arg ...?\n"
	    "modes: server | client-echo N | client-async N INFLIGHT |\n"
	    "       client-sum N SIZE | client-dictsum N SIZE | emit N |\n"
	    "       client-call N PATH IFACE METHOD ?s|u ARG? |\n"
	    "       subscribe | quit\n");
    exit(1);
}

/*
 *----------------------------------------------------------------------
 *
 * main --
 *
 *	Parse the options and run the mode.
 *
 * Results:
 *	Exit status of the mode.
 *
 * Side effects:
 *	See the modes.
 *
 *----------------------------------------------------------------------
 */

int
main(
    int argc,
    char **argv)
{
    const char *mode;
    int i = 1;

    while (i + 1 < argc && strcmp(argv[i], "--dest") == 0) {
	if (!dbus_validate_bus_name(argv[i + 1], NULL)) {
	    Fail("invalid bus name", argv[i + 1]);
	}
	destName = argv[i + 1];
	i += 2;
    }
    if (i >= argc) {
	Usage();
    }
    mode = argv[i++];
    argc -= i;
    argv += i;

    if (strcmp(mode, "server") == 0 && argc == 0) {
	return RunServer();
    } else if (strcmp(mode, "client-echo") == 0 && argc == 1) {
	return RunClientEcho(ParseCount(argv[0]));
    } else if (strcmp(mode, "client-async") == 0 && argc == 2) {
	return RunClientAsync(ParseCount(argv[0]), ParseCount(argv[1]));
    } else if (strcmp(mode, "client-sum") == 0 && argc == 2) {
	return RunClientSum(ParseCount(argv[0]), ParseCount(argv[1]));
    } else if (strcmp(mode, "client-dictsum") == 0 && argc == 2) {
	return RunClientDictSum(ParseCount(argv[0]), ParseCount(argv[1]));
    } else if (strcmp(mode, "client-call") == 0
	    && (argc == 4 || argc == 6)) {
	return RunClientCall(ParseCount(argv[0]), argv + 1, argc - 1);
    } else if (strcmp(mode, "emit") == 0 && argc == 1) {
	return RunEmit(ParseCount(argv[0]));
    } else if (strcmp(mode, "subscribe") == 0 && argc == 0) {
	return RunSubscribe();
    } else if (strcmp(mode, "quit") == 0 && argc == 0) {
	return RunQuit();
    }
    Usage();
    return 1;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
