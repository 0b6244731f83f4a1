// qt_local_echo_server.cpp -- sigloop's Qt 5 echo server for bench/run.sh:
// the real QLocalServer / QLocalSocket from Debian's Qt 5, next to which
// sigloop's qtnet port is measured.
//
//   qt_local_echo_server --unix PATH [--mode echo|accept] [--flush]
//
//   --unix PATH    the QLocalServer::listen() argument: an absolute path
//                  (/tmp/x.sock) is used as is, a bare name goes to
//                  QDir::tempPath(). A stale socket of that name is removed
//                  first (QLocalServer::removeServer).
//   --mode echo    (default) for each QLocalSocket: on readyRead, write
//                  readAll() back, until the client disconnects.
//   --mode accept  close every accepted connection at once.
//   --flush        QLocalSocket::flush() after each write (by default the
//                  write is left to the event loop, as ordinary Qt code
//                  does).
//   --tcp          is refused: QLocalServer has only unix sockets.
//
// SIGINT/SIGTERM arrive through a signalfd on the event loop, quit it,
// close the server (which removes the socket file) and exit 0. No moc: the
// connections are lambdas. Built by bench/build.sh (Debian's Qt 5 needs
// -fPIC):
//   g++ -O2 -fPIC -std=c++17 -o qt_local_echo_server qt_local_echo_server.cpp $(pkg-config --cflags --libs Qt5Network)

#include <QCoreApplication>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

struct Options {
  const char* path = nullptr;
  bool accept_only = false;
  bool flush = false;
};

// parse fills o from argv; false on a bad command line (message printed).
bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((!std::strcmp(a, "--unix") || !std::strcmp(a, "--name")) && has_value) {
      o->path = argv[++i];
    } else if (!std::strcmp(a, "--mode") && has_value) {
      const char* m = argv[++i];
      if (!std::strcmp(m, "accept")) {
        o->accept_only = true;
      } else if (std::strcmp(m, "echo")) {
        std::fprintf(stderr, "qt_local_echo_server: --mode must be echo or accept\n");
        return false;
      }
    } else if (!std::strcmp(a, "--flush")) {
      o->flush = true;
    } else if (!std::strcmp(a, "--tcp")) {
      std::fprintf(stderr, "qt_local_echo_server: QLocalServer has no TCP; use --unix\n");
      return false;
    } else {
      std::fprintf(stderr, "qt_local_echo_server: unexpected argument '%s'\n", a);
      return false;
    }
  }
  if (o->path == nullptr || !*o->path) {
    std::fprintf(stderr,
                 "usage: qt_local_echo_server --unix PATH [--mode echo|accept] [--flush]\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the quit signals before any thread starts, so that they queue
  // for the signalfd read on the event loop.
  sigset_t quit_set;
  sigemptyset(&quit_set);
  sigaddset(&quit_set, SIGINT);
  sigaddset(&quit_set, SIGTERM);
  sigprocmask(SIG_BLOCK, &quit_set, nullptr);

  Options o;
  if (!parse(argc, argv, &o)) return 2;

  QCoreApplication app(argc, argv);
  const QString name = QString::fromLocal8Bit(o.path);
  QLocalServer server;
  QLocalServer::removeServer(name);
  if (!server.listen(name)) {
    std::fprintf(stderr, "qt_local_echo_server: listen(%s): %s\n", o.path,
                 server.errorString().toLocal8Bit().constData());
    return 1;
  }

  QObject::connect(&server, &QLocalServer::newConnection, &server, [&server, o]() {
    while (QLocalSocket* s = server.nextPendingConnection()) {
      // A child of the server until it disconnects; then freed.
      QObject::connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
      if (o.accept_only) {
        s->close();
        continue;
      }
      QObject::connect(s, &QLocalSocket::readyRead, s, [s, flush = o.flush]() {
        s->write(s->readAll());
        if (flush) s->flush();
      });
    }
  });

  const int sfd = signalfd(-1, &quit_set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    std::perror("qt_local_echo_server: signalfd");
    return 1;
  }
  QSocketNotifier quit_notifier(sfd, QSocketNotifier::Read);
  QObject::connect(&quit_notifier, &QSocketNotifier::activated, &app, [&app, sfd]() {
    signalfd_siginfo si;
    while (read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    }
    app.quit();
  });

  std::fprintf(stderr, "qt_local_echo_server: QLocalServer on %s, mode %s, Qt %s\n",
               server.fullServerName().toLocal8Bit().constData(),
               o.accept_only ? "accept" : "echo", qVersion());
  const int rc = app.exec();
  server.close();  // removes the socket file
  close(sfd);
  return rc;
}
