/*
 * glib_echo_server.c -- sigloop's GLib/GIO echo server for bench/run.sh:
 * the real GSocketService (or GThreadedSocketService) from Debian's GLib,
 * next to which sigloop's gio port is measured.
 *
 *   glib_echo_server (--tcp 127.0.0.1:PORT | --unix /tmp/PATH)
 *                    [--mode echo|accept] [--threaded] [--max-threads N]
 *                    [--backlog N] [--nagle]
 *
 *   --mode echo    (default) write back every byte read, until the peer's
 *                  EOF, then close.
 *   --mode accept  close every accepted connection at once.
 *   --threaded     GThreadedSocketService: each connection is served by a
 *                  pool thread with blocking g_input_stream_read() /
 *                  g_output_stream_write_all(), the way that class is used.
 *                  Without it: GSocketService, each connection served on
 *                  the main loop by g_input_stream_read_async() ->
 *                  g_output_stream_write_all_async() -> read again.
 *   --max-threads  pool size of --threaded (default 128, -1: unlimited;
 *                  GLib's default of 10 would serialise 50 connections).
 *   --backlog      listen(2) backlog (default 128; GLib's default is 10).
 *   --nagle        leave Nagle's algorithm on for TCP (GLib's default);
 *                  without it TCP_NODELAY is set, as Go's net package does.
 *
 * Loopback TCP addresses only. SIGINT/SIGTERM stop the service, remove the
 * unix socket file and exit 0. Built by bench/build.sh:
 *   gcc -O2 -o glib_echo_server glib_echo_server.c $(pkg-config --cflags --libs gio-2.0)
 */

#include <gio/gio.h>
#include <glib-unix.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024) /* per connection, as in every bench server */

static struct
{
  gchar *tcp;
  gchar *unix_path;
  gchar *mode;
  gboolean threaded;
  gint max_threads;
  gint backlog;
  gboolean nagle;
} opt = { NULL, NULL, NULL, FALSE, 128, 128, FALSE };

static gboolean close_at_once; /* --mode accept */

/* TCP_NODELAY on a TCP connection unless --nagle; unix sockets: nothing. */
static void
configure_connection (GSocketConnection *conn)
{
  GSocket *sock = g_socket_connection_get_socket (conn);

  if (!opt.nagle && g_socket_get_family (sock) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

/* "HOST:PORT" or "[HOST]:PORT" with HOST a loopback IP literal. */
static GSocketAddress *
loopback_address (const gchar *spec, GError **error)
{
  const gchar *colon = strrchr (spec, ':');
  g_autofree gchar *host = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  guint64 port = 0;

  if (colon == NULL || colon == spec
      || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--tcp wants HOST:PORT with a port in 1..65535, got '%s'", spec);
      return NULL;
    }
  if (spec[0] == '[' && colon[-1] == ']')
    host = g_strndup (spec + 1, colon - spec - 2);
  else
    host = g_strndup (spec, colon - spec);
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL || !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a loopback IP literal", host);
      return NULL;
    }
  return g_inet_socket_address_new (inet, (guint16) port);
}

/* ---- GSocketService: asynchronous echo on the main loop ---------------- */

typedef struct
{
  GSocketConnection *conn; /* owned */
  guint8 buf[BUF_SIZE];
} Echo;

static void echo_read (Echo *e);

static void
echo_free (Echo *e)
{
  g_io_stream_close (G_IO_STREAM (e->conn), NULL, NULL); /* never blocks */
  g_object_unref (e->conn);
  g_free (e);
}

static void
echo_written (GObject *stream, GAsyncResult *res, gpointer data)
{
  Echo *e = data;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (stream), res, NULL, NULL))
    echo_read (e);
  else
    echo_free (e);
}

static void
echo_got (GObject *stream, GAsyncResult *res, gpointer data)
{
  Echo *e = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (stream), res, NULL);

  if (n <= 0) /* EOF or error */
    {
      echo_free (e);
      return;
    }
  g_output_stream_write_all_async (
      g_io_stream_get_output_stream (G_IO_STREAM (e->conn)), e->buf, (gsize) n,
      G_PRIORITY_DEFAULT, NULL, echo_written, e);
}

static void
echo_read (Echo *e)
{
  g_input_stream_read_async (
      g_io_stream_get_input_stream (G_IO_STREAM (e->conn)), e->buf, BUF_SIZE,
      G_PRIORITY_DEFAULT, NULL, echo_got, e);
}

static gboolean
incoming (GSocketService *service, GSocketConnection *conn, GObject *source,
          gpointer data)
{
  Echo *e;

  if (close_at_once)
    {
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      return TRUE;
    }
  configure_connection (conn);
  e = g_new (Echo, 1);
  e->conn = g_object_ref (conn);
  echo_read (e);
  return TRUE;
}

/* ---- GThreadedSocketService: blocking echo in a pool thread ------------ */

static gboolean
run (GThreadedSocketService *service, GSocketConnection *conn, GObject *source,
     gpointer data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_autofree guint8 *buf = NULL;
  gssize n;

  if (!close_at_once)
    {
      configure_connection (conn);
      buf = g_malloc (BUF_SIZE);
      while ((n = g_input_stream_read (in, buf, BUF_SIZE, NULL, NULL)) > 0)
        if (!g_output_stream_write_all (out, buf, (gsize) n, NULL, NULL, NULL))
          break;
    }
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return TRUE;
}

/* ---- main -------------------------------------------------------------- */

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  const GOptionEntry entries[] = {
    { "tcp", 0, 0, G_OPTION_ARG_STRING, &opt.tcp, "Loopback TCP address to listen on", "127.0.0.1:PORT" },
    { "unix", 0, 0, G_OPTION_ARG_FILENAME, &opt.unix_path, "Unix socket path to listen on", "PATH" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &opt.mode, "echo (default) or accept", "MODE" },
    { "threaded", 0, 0, G_OPTION_ARG_NONE, &opt.threaded, "GThreadedSocketService (blocking I/O in pool threads)", NULL },
    { "max-threads", 0, 0, G_OPTION_ARG_INT, &opt.max_threads, "Pool size for --threaded (default 128, -1: unlimited)", "N" },
    { "backlog", 0, 0, G_OPTION_ARG_INT, &opt.backlog, "listen() backlog (default 128)", "N" },
    { "nagle", 0, 0, G_OPTION_ARG_NONE, &opt.nagle, "Leave TCP_NODELAY off", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) octx = g_option_context_new ("- GIO echo server (sigloop bench)");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  GSocketService *service;
  GMainLoop *loop;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      g_printerr ("glib_echo_server: %s\n", error->message);
      return 2;
    }
  if ((opt.tcp == NULL) == (opt.unix_path == NULL) || argc > 1)
    {
      g_printerr ("glib_echo_server: give exactly one of --tcp or --unix, and no other arguments\n");
      return 2;
    }
  if (opt.mode != NULL && !g_str_equal (opt.mode, "echo") && !g_str_equal (opt.mode, "accept"))
    {
      g_printerr ("glib_echo_server: --mode must be echo or accept\n");
      return 2;
    }
  close_at_once = opt.mode != NULL && g_str_equal (opt.mode, "accept");

  if (opt.tcp != NULL)
    {
      if ((address = loopback_address (opt.tcp, &error)) == NULL)
        {
          g_printerr ("glib_echo_server: %s\n", error->message);
          return 2;
        }
    }
  else
    {
      if (unlink (opt.unix_path) != 0 && errno != ENOENT) /* a stale socket */
        {
          g_printerr ("glib_echo_server: cannot remove %s: %s\n", opt.unix_path, g_strerror (errno));
          return 2;
        }
      address = g_unix_socket_address_new (opt.unix_path);
    }

  if (opt.threaded)
    {
      service = g_threaded_socket_service_new (opt.max_threads);
      g_signal_connect (service, "run", G_CALLBACK (run), NULL);
    }
  else
    {
      service = g_socket_service_new ();
      g_signal_connect (service, "incoming", G_CALLBACK (incoming), NULL);
    }
  /* Before the first address: the backlog applies at listen(). */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), opt.backlog);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, NULL, &error))
    {
      g_printerr ("glib_echo_server: listen: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  g_socket_service_start (service);
  g_printerr ("glib_echo_server: %s on %s, mode %s, glib %u.%u.%u\n",
              opt.threaded ? "GThreadedSocketService" : "GSocketService",
              opt.tcp != NULL ? opt.tcp : opt.unix_path,
              close_at_once ? "accept" : "echo",
              glib_major_version, glib_minor_version, glib_micro_version);
  g_main_loop_run (loop);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  if (opt.unix_path != NULL)
    unlink (opt.unix_path);
  /* Pool threads may still block in reads of open connections; exiting
   * the process closes those. */
  g_main_loop_unref (loop);
  return 0;
}
