/*
 * cpeer.c --
 *
 *	The plain C libdbus baseline of the peer-to-peer rows of the
 *	benchmarks (bench/run.tcl): a DBusServer serving Echo(s)->s on
 *	every connection it accepts, and a client making synchronous Echo
 *	calls over a peer connection (no bus daemon, no Hello, no
 *	destination), written the way a C programmer would with libdbus and
 *	poll(2) alone.
 *
 *	Usage:	cpeer server ADDRESS	listen; print "ready <address>";
 *					serve Echo and Quit
 *		cpeer client-echo N ADDRESS
 *					N synchronous Echo calls -> calls/s
 *		cpeer quit ADDRESS	call Quit
 *
 *	A measuring mode prints exactly one line "<figure> <unit>" on stdout
 *	and exits 0; failures go to stderr with exit status 1.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <dbus/dbus.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_PATH	"/org/tcldbus/Bench"
#define BENCH_IFACE	"org.tcldbus.Bench"
#define ECHO_TEXT	"Hello, D-Bus benchmark!"
#define WARMUP_CALLS	200
#define MAX_WATCHES	256
#define MAX_CONNS	64

/*
 * Every watch of the server and its connections, for the poll loop.
 */

static DBusWatch *watches[MAX_WATCHES];
static int nWatches = 0;
static DBusConnection *conns[MAX_CONNS];
static int nConns = 0;
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
    const char *what,
    const char *detail)
{
    fprintf(stderr, "cpeer: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
    exit(1);
}

/*
 *----------------------------------------------------------------------
 *
 * AddWatch, RemoveWatch, ToggleWatch --
 *
 *	libdbus watch callbacks of the server and of every connection: one
 *	flat list, polled by ServerLoop.
 *
 *----------------------------------------------------------------------
 */

static dbus_bool_t
AddWatch(
    DBusWatch *watch,
    void *data)
{
    (void) data;
    if (nWatches >= MAX_WATCHES) {
	return FALSE;
    }
    watches[nWatches++] = watch;
    return TRUE;
}

static void
RemoveWatch(
    DBusWatch *watch,
    void *data)
{
    int i;

    (void) data;
    for (i = 0; i < nWatches; i++) {
	if (watches[i] == watch) {
	    watches[i] = watches[--nWatches];
	    return;
	}
    }
}

static void
ToggleWatch(
    DBusWatch *watch,
    void *data)
{
    (void) watch;
    (void) data;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerMessage --
 *
 *	Filter of an accepted connection: Echo(s)->s and Quit().
 *
 * Results:
 *	HANDLED or NOT_YET_HANDLED.
 *
 * Side effects:
 *	Sends replies; Quit ends the server loop.
 *
 *----------------------------------------------------------------------
 */

static DBusHandlerResult
ServerMessage(
    DBusConnection *conn,
    DBusMessage *msg,
    void *data)
{
    DBusMessage *reply = NULL;
    const char *text;

    (void) data;
    if (dbus_message_is_method_call(msg, BENCH_IFACE, "Echo")) {
	if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &text,
		DBUS_TYPE_INVALID)) {
	    reply = dbus_message_new_error(msg, DBUS_ERROR_INVALID_ARGS,
		    "Echo takes one string");
	} else {
	    reply = dbus_message_new_method_return(msg);
	    dbus_message_append_args(reply, DBUS_TYPE_STRING, &text,
		    DBUS_TYPE_INVALID);
	}
    } else if (dbus_message_is_method_call(msg, BENCH_IFACE, "Quit")) {
	reply = dbus_message_new_method_return(msg);
	serverQuit = 1;
    } else {
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    }
    dbus_connection_send(conn, reply, NULL);
    dbus_message_unref(reply);
    return DBUS_HANDLER_RESULT_HANDLED;
}

/*
 *----------------------------------------------------------------------
 *
 * NewConnection --
 *
 *	The server accepted a client: keep it, watch it, serve it.
 *
 *----------------------------------------------------------------------
 */

static void
NewConnection(
    DBusServer *server,
    DBusConnection *conn,
    void *data)
{
    (void) server;
    (void) data;
    if (nConns >= MAX_CONNS) {
	return;
    }
    dbus_connection_ref(conn);
    conns[nConns++] = conn;
    if (!dbus_connection_set_watch_functions(conn, AddWatch, RemoveWatch,
	    ToggleWatch, NULL, NULL)
	    || !dbus_connection_add_filter(conn, ServerMessage, NULL, NULL)) {
	Fail("out of memory", NULL);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ServerLoop --
 *
 *	Dispatch, poll every enabled watch, handle what is ready, drop
 *	connections that went away; until Quit.
 *
 *----------------------------------------------------------------------
 */

static void
ServerLoop(void)
{
    struct pollfd pfds[MAX_WATCHES];
    DBusWatch *polled[MAX_WATCHES];
    int i, j, n;

    while (!serverQuit) {
	for (i = 0; i < nConns; i++) {
	    while (dbus_connection_dispatch(conns[i])
		    == DBUS_DISPATCH_DATA_REMAINS) {
		/* dispatch everything queued */
	    }
	}
	for (i = 0; i < nConns; i++) {
	    dbus_connection_flush(conns[i]);
	}
	for (i = 0; i < nConns; i++) {
	    if (!dbus_connection_get_is_connected(conns[i])) {
		dbus_connection_unref(conns[i]);
		conns[i--] = conns[--nConns];
	    }
	}
	if (serverQuit) {
	    break;
	}
	n = 0;
	for (i = 0; i < nWatches; i++) {
	    unsigned int flags = dbus_watch_get_flags(watches[i]);

	    if (!dbus_watch_get_enabled(watches[i])) {
		continue;
	    }
	    pfds[n].fd = dbus_watch_get_unix_fd(watches[i]);
	    pfds[n].events = ((flags & DBUS_WATCH_READABLE) ? POLLIN : 0)
		    | ((flags & DBUS_WATCH_WRITABLE) ? POLLOUT : 0);
	    pfds[n].revents = 0;
	    polled[n++] = watches[i];
	}
	if (poll(pfds, (nfds_t) n, -1) < 0) {
	    continue;
	}
	for (i = 0; i < n; i++) {
	    unsigned int flags = 0;
	    int still = 0;

	    if (pfds[i].revents == 0) {
		continue;
	    }
	    for (j = 0; j < nWatches; j++) {
		if (watches[j] == polled[i]) {
		    still = 1;
		    break;
		}
	    }
	    if (!still) {
		continue;
	    }
	    if (pfds[i].revents & POLLIN) {
		flags |= DBUS_WATCH_READABLE;
	    }
	    if (pfds[i].revents & POLLOUT) {
		flags |= DBUS_WATCH_WRITABLE;
	    }
	    if (pfds[i].revents & POLLHUP) {
		flags |= DBUS_WATCH_HANGUP;
	    }
	    if (pfds[i].revents & POLLERR) {
		flags |= DBUS_WATCH_ERROR;
	    }
	    dbus_watch_handle(polled[i], flags);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Server --
 *
 *	Mode "server ADDRESS".
 *
 *----------------------------------------------------------------------
 */

static int
Server(
    const char *address)
{
    DBusError err;
    DBusServer *server;
    char *real;
    int i;

    dbus_error_init(&err);
    server = dbus_server_listen(address, &err);
    if (server == NULL) {
	Fail("listen", err.message);
    }
    if (!dbus_server_set_watch_functions(server, AddWatch, RemoveWatch,
	    ToggleWatch, NULL, NULL)) {
	Fail("out of memory", NULL);
    }
    dbus_server_set_new_connection_function(server, NewConnection, NULL,
	    NULL);
    real = dbus_server_get_address(server);
    printf("ready %s\n", real);
    fflush(stdout);
    dbus_free(real);
    ServerLoop();
    dbus_server_disconnect(server);
    dbus_server_unref(server);
    for (i = 0; i < nConns; i++) {
	dbus_connection_flush(conns[i]);
	dbus_connection_close(conns[i]);
	dbus_connection_unref(conns[i]);
    }
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * Call --
 *
 *	One synchronous call without destination; returns the reply.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
Call(
    DBusConnection *conn,
    const char *method,
    const char *text)
{
    DBusMessage *msg, *reply;
    DBusError err;

    msg = dbus_message_new_method_call(NULL, BENCH_PATH, BENCH_IFACE,
	    method);
    if (msg == NULL) {
	Fail("out of memory", NULL);
    }
    if (text != NULL) {
	dbus_message_append_args(msg, DBUS_TYPE_STRING, &text,
		DBUS_TYPE_INVALID);
    }
    dbus_error_init(&err);
    reply = dbus_connection_send_with_reply_and_block(conn, msg, -1, &err);
    dbus_message_unref(msg);
    if (reply == NULL) {
	Fail(method, err.message);
    }
    return reply;
}

/*
 *----------------------------------------------------------------------
 *
 * Open --
 *
 *	A peer connection to address.
 *
 *----------------------------------------------------------------------
 */

static DBusConnection *
Open(
    const char *address)
{
    DBusError err;
    DBusConnection *conn;

    dbus_error_init(&err);
    conn = dbus_connection_open_private(address, &err);
    if (conn == NULL) {
	Fail("connect", err.message);
    }
    return conn;
}

/*
 *----------------------------------------------------------------------
 *
 * ClientEcho --
 *
 *	Mode "client-echo N ADDRESS".
 *
 *----------------------------------------------------------------------
 */

static int
ClientEcho(
    long n,
    const char *address)
{
    DBusConnection *conn = Open(address);
    struct timespec t0, t1;
    double secs;
    long i;

    for (i = 0; i < WARMUP_CALLS + n; i++) {
	DBusMessage *reply;
	const char *text;

	if (i == WARMUP_CALLS) {
	    clock_gettime(CLOCK_MONOTONIC, &t0);
	}
	reply = Call(conn, "Echo", ECHO_TEXT);
	if (!dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &text,
		DBUS_TYPE_INVALID) || strcmp(text, ECHO_TEXT) != 0) {
	    Fail("Echo", "wrong reply");
	}
	dbus_message_unref(reply);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double) (t1.tv_sec - t0.tv_sec)
	    + (double) (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%.1f calls/s\n", (double) n / secs);
    dbus_connection_close(conn);
    dbus_connection_unref(conn);
    return 0;
}

int
main(
    int argc,
    char **argv)
{
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
	return Server(argv[2]);
    }
    if (argc == 4 && strcmp(argv[1], "client-echo") == 0) {
	long n = strtol(argv[2], NULL, 10);

	if (n <= 0) {
	    Fail("bad count", argv[2]);
	}
	return ClientEcho(n, argv[3]);
    }
    if (argc == 3 && strcmp(argv[1], "quit") == 0) {
	DBusConnection *conn = Open(argv[2]);

	dbus_message_unref(Call(conn, "Quit", NULL));
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return 0;
    }
    fprintf(stderr, "usage: cpeer server ADDRESS | client-echo N ADDRESS |"
	    " quit ADDRESS\n");
    return 1;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
