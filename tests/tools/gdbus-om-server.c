/*
 * gdbus-om-server.c --
 *
 *	A test peer written against GLib's own object manager: a
 *	GDBusObjectManagerServer at /om whose objects are
 *	GDBusObjectSkeletons carrying interfaces implemented by a small
 *	GDBusInterfaceSkeleton subclass (python3-gi cannot subclass
 *	Gio.DBusInterfaceSkeleton).  GLib itself answers GetManagedObjects
 *	and emits InterfacesAdded / InterfacesRemoved; the skeleton emits
 *	PropertiesChanged.  Used by tests/dbif-objects.test ("dbif objects"
 *	against the real GDBus server).
 *
 *	Usage:	gdbus-om-server ADDRESS NAME
 *
 *	Connects to the bus at ADDRESS, owns NAME, prints "ready", then
 *	reads commands from stdin, one per line, and answers each with one
 *	line ("ok" once the resulting messages are flushed):
 *
 *	    add N LEVEL		export /om/dN with org.tcltest.Device
 *				(Level i = LEVEL, Name s = "dN")
 *	    addif N NOTE	add org.tcltest.Extra (Note s) to /om/dN
 *	    rmif N		remove org.tcltest.Extra from /om/dN
 *	    rm N		unexport /om/dN
 *	    level N V		set Level of /om/dN (PropertiesChanged)
 *	    quit		exit (as does the end of stdin)
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char introXml[] =
    "<node>"
    " <interface name='org.tcltest.Device'>"
    "  <property name='Level' type='i' access='read'/>"
    "  <property name='Name' type='s' access='read'/>"
    " </interface>"
    " <interface name='org.tcltest.Extra'>"
    "  <property name='Note' type='s' access='read'/>"
    " </interface>"
    "</node>";

static GDBusNodeInfo *nodeInfo;		/* parsed introXml */
static GDBusObjectManagerServer *manager;
static GDBusConnection *conn;
static GMainLoop *loop;

/*
 * TProps: a GDBusInterfaceSkeleton whose properties are a table of
 * GVariants, for any interface of introXml.
 */

typedef struct {
    GDBusInterfaceSkeleton parent;
    GDBusInterfaceInfo *info;	/* borrowed from nodeInfo */
    GHashTable *props;		/* name -> GVariant (owned) */
} TProps;

typedef struct {
    GDBusInterfaceSkeletonClass parent;
} TPropsClass;

GType t_props_get_type(void);
G_DEFINE_TYPE(TProps, t_props, G_TYPE_DBUS_INTERFACE_SKELETON)

/*
 *----------------------------------------------------------------------
 *
 * GetProperty, PropsGetInfo, PropsGetVTable, PropsGetProperties,
 * PropsFlush, PropsFinalize, t_props_class_init, t_props_init --
 *
 *	The TProps class: the vtable GDBus calls for Properties.Get (the
 *	value from the table), the skeleton's vfuncs (interface info, the
 *	vtable, all properties as an a{sv} for GetManagedObjects and
 *	InterfacesAdded, nothing to flush), finalization and init.
 *
 * Results:
 *	GetProperty: a new reference, or NULL with error set.  The vfuncs:
 *	borrowed data or a new floating a{sv}.
 *
 * Side effects:
 *	t_props_init makes the table; PropsFinalize frees it.
 *
 *----------------------------------------------------------------------
 */

static GVariant *
GetProperty(
    GDBusConnection *c,
    const gchar *sender,
    const gchar *path,
    const gchar *intf,
    const gchar *name,
    GError **error,
    gpointer user_data)		/* the TProps */
{
    TProps *self = (TProps *) user_data;
    GVariant *v = g_hash_table_lookup(self->props, name);

    (void) c; (void) sender; (void) path; (void) intf;
    if (v == NULL) {
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
		"no property %s", name);
	return NULL;
    }
    return g_variant_ref(v);
}

static const GDBusInterfaceVTable propsVTable = {
    NULL, GetProperty, NULL, {0}
};

static GDBusInterfaceInfo *
PropsGetInfo(
    GDBusInterfaceSkeleton *skel)
{
    return ((TProps *) skel)->info;
}

static GDBusInterfaceVTable *
PropsGetVTable(
    GDBusInterfaceSkeleton *skel)
{
    (void) skel;
    return (GDBusInterfaceVTable *) &propsVTable;
}

static GVariant *
PropsGetProperties(
    GDBusInterfaceSkeleton *skel)
{
    TProps *self = (TProps *) skel;
    GVariantBuilder b;
    GHashTableIter it;
    gpointer key, value;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_hash_table_iter_init(&it, self->props);
    while (g_hash_table_iter_next(&it, &key, &value)) {
	g_variant_builder_add(&b, "{sv}", (const char *) key,
		(GVariant *) value);
    }
    return g_variant_builder_end(&b);
}

static void
PropsFlush(
    GDBusInterfaceSkeleton *skel)
{
    (void) skel;
}

static void
PropsFinalize(
    GObject *obj)
{
    g_hash_table_unref(((TProps *) obj)->props);
    G_OBJECT_CLASS(t_props_parent_class)->finalize(obj);
}

static void
t_props_class_init(
    TPropsClass *klass)
{
    GDBusInterfaceSkeletonClass *sk = G_DBUS_INTERFACE_SKELETON_CLASS(klass);

    sk->get_info = PropsGetInfo;
    sk->get_vtable = PropsGetVTable;
    sk->get_properties = PropsGetProperties;
    sk->flush = PropsFlush;
    G_OBJECT_CLASS(klass)->finalize = PropsFinalize;
}

static void
t_props_init(
    TProps *self)
{
    self->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify) g_variant_unref);
}

/*
 *----------------------------------------------------------------------
 *
 * NewProps --
 *
 *	A new skeleton for the interface intf of introXml.
 *
 * Results:
 *	The skeleton (one reference, the caller's).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static TProps *
NewProps(
    const char *intf)
{
    TProps *self = g_object_new(t_props_get_type(), NULL);

    self->info = g_dbus_node_info_lookup_interface(nodeInfo, intf);
    return self;
}

/*
 *----------------------------------------------------------------------
 *
 * SetProp --
 *
 *	Set a property; when the interface is exported, emit
 *	PropertiesChanged on its connection.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The table takes value; a signal may be sent.
 *
 *----------------------------------------------------------------------
 */

static void
SetProp(
    TProps *self,
    const char *name,
    GVariant *value)		/* floating or owned; taken */
{
    GVariantBuilder b;
    const char *path;

    g_variant_ref_sink(value);
    g_hash_table_replace(self->props, g_strdup(name), value);
    path = g_dbus_interface_skeleton_get_object_path(
	    G_DBUS_INTERFACE_SKELETON(self));
    if (path == NULL) {
	return;
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", name, value);
    g_dbus_connection_emit_signal(conn, NULL, path,
	    "org.freedesktop.DBus.Properties", "PropertiesChanged",
	    g_variant_new("(sa{sv}as)", self->info->name, &b, NULL), NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * Lookup --
 *
 *	The exported object /om/dN for the text N.
 *
 * Results:
 *	The object (a reference, the caller's) or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static GDBusObjectSkeleton *
Lookup(
    const char *n)
{
    char path[64];
    GDBusObject *obj;

    snprintf(path, sizeof(path), "/om/d%s", n);
    obj = g_dbus_object_manager_get_object(G_DBUS_OBJECT_MANAGER(manager),
	    path);
    return obj ? G_DBUS_OBJECT_SKELETON(obj) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * Command --
 *
 *	Carry out one command line (see the file header).
 *
 * Results:
 *	"ok", or "?" for a line it does not understand.
 *
 * Side effects:
 *	Objects and interfaces exported or removed, properties set: GLib
 *	sends the signals.
 *
 *----------------------------------------------------------------------
 */

static const char *
Command(
    char *line)
{
    char *w[4] = {NULL, NULL, NULL, NULL}, *save = NULL;
    int n = 0;
    GDBusObjectSkeleton *obj;
    GDBusInterface *iface;

    for (char *t = strtok_r(line, " \t\n", &save); t && n < 4;
	    t = strtok_r(NULL, " \t\n", &save)) {
	w[n++] = t;
    }
    if (n == 0) {
	return "?";
    }
    if (strcmp(w[0], "add") == 0 && n == 3) {
	char path[64], name[64];
	TProps *dev = NewProps("org.tcltest.Device");

	snprintf(path, sizeof(path), "/om/d%s", w[1]);
	snprintf(name, sizeof(name), "d%s", w[1]);
	SetProp(dev, "Level", g_variant_new_int32(atoi(w[2])));
	SetProp(dev, "Name", g_variant_new_string(name));
	obj = g_dbus_object_skeleton_new(path);
	g_dbus_object_skeleton_add_interface(obj,
		G_DBUS_INTERFACE_SKELETON(dev));
	g_dbus_object_manager_server_export(manager, obj);
	g_object_unref(dev);
	g_object_unref(obj);
	return "ok";
    }
    if (strcmp(w[0], "quit") == 0) {
	g_main_loop_quit(loop);
	return "ok";
    }
    if (n < 2 || (obj = Lookup(w[1])) == NULL) {
	return "?";
    }
    if (strcmp(w[0], "addif") == 0 && n == 3) {
	TProps *extra = NewProps("org.tcltest.Extra");

	SetProp(extra, "Note", g_variant_new_string(w[2]));
	g_dbus_object_skeleton_add_interface(obj,
		G_DBUS_INTERFACE_SKELETON(extra));
	g_object_unref(extra);
    } else if (strcmp(w[0], "rmif") == 0) {
	g_dbus_object_skeleton_remove_interface_by_name(obj,
		"org.tcltest.Extra");
    } else if (strcmp(w[0], "rm") == 0) {
	g_dbus_object_manager_server_unexport(manager,
		g_dbus_object_get_object_path(G_DBUS_OBJECT(obj)));
    } else if (strcmp(w[0], "level") == 0 && n == 3) {
	iface = g_dbus_object_get_interface(G_DBUS_OBJECT(obj),
		"org.tcltest.Device");
	if (iface != NULL) {
	    SetProp((TProps *) iface, "Level",
		    g_variant_new_int32(atoi(w[2])));
	    g_object_unref(iface);
	}
    } else {
	g_object_unref(obj);
	return "?";
    }
    g_object_unref(obj);
    return "ok";
}

/*
 *----------------------------------------------------------------------
 *
 * StdinReady --
 *
 *	stdin is readable: run one command, flush the connection, answer.
 *
 * Results:
 *	TRUE to keep watching, FALSE at the end of stdin.
 *
 * Side effects:
 *	Ends the main loop at the end of stdin.
 *
 *----------------------------------------------------------------------
 */

static gboolean
StdinReady(
    GIOChannel *ch,
    GIOCondition cond,
    gpointer data)
{
    char buf[512];

    (void) ch; (void) cond; (void) data;
    if (fgets(buf, sizeof(buf), stdin) == NULL) {
	g_main_loop_quit(loop);
	return FALSE;
    }
    const char *answer = Command(buf);

    g_dbus_connection_flush_sync(conn, NULL, NULL);
    printf("%s\n", answer);
    fflush(stdout);
    return TRUE;
}

/*
 *----------------------------------------------------------------------
 *
 * main --
 *
 *	Connect, own the name, serve the commands until stdin ends.
 *
 * Results:
 *	The exit status: 0, 1 when the bus cannot be used, 2 for usage.
 *
 * Side effects:
 *	Prints "ready" and one answer per command.
 *
 *----------------------------------------------------------------------
 */

int
main(
    int argc,
    char **argv)
{
    GError *err = NULL;
    GVariant *r;
    GIOChannel *in;

    if (argc != 3) {
	fprintf(stderr, "usage: gdbus-om-server ADDRESS NAME\n");
	return 2;
    }
    nodeInfo = g_dbus_node_info_new_for_xml(introXml, &err);
    conn = g_dbus_connection_new_for_address_sync(argv[1],
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
	    | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL,
	    &err);
    if (conn == NULL) {
	fprintf(stderr, "gdbus-om-server: %s\n", err->message);
	return 1;
    }
    manager = g_dbus_object_manager_server_new("/om");
    g_dbus_object_manager_server_set_connection(manager, conn);
    r = g_dbus_connection_call_sync(conn, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
	    g_variant_new("(su)", argv[2], 0), NULL, 0, -1, NULL, &err);
    if (r == NULL) {
	fprintf(stderr, "gdbus-om-server: %s\n", err->message);
	return 1;
    }
    g_variant_unref(r);
    loop = g_main_loop_new(NULL, FALSE);
    in = g_io_channel_unix_new(0);
    g_io_add_watch(in, G_IO_IN | G_IO_HUP, StdinReady, NULL);
    printf("ready\n");
    fflush(stdout);
    g_main_loop_run(loop);
    g_object_unref(manager);
    g_object_unref(conn);
    g_dbus_node_info_unref(nodeInfo);
    return 0;
}
