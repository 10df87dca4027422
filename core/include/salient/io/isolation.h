#pragma once
// Child-process validation of untrusted activation files (docs/robustness.md, "Child-process
// validation"). The HDF5 library can crash or loop on some malformed files; checking a file in a
// separate `salient-cli inspect FILE` process first means such a file costs the user an error
// message, not the application (and its unsaved work).
//
// Thread contract: checkFileInChildProcess() blocks until the child exits or the timeout expires;
// call it from a worker thread (never the GUI thread). It needs no event loop and is reentrant
// (each call owns its QProcess).
#include <QString>

namespace salient {

/// Outcome of checkFileInChildProcess().
struct IsolatedCheck {
    enum class Result {
        Ok,       ///< the child read the file's metadata (exit code 0)
        BadInput, ///< the child reported a readable error (exit code 2): message = its text
        Crashed,  ///< the child died from a signal while reading the file
        TimedOut, ///< the child did not finish within the timeout and was killed
        Failed,   ///< any other exit code, or the checker could not start (message says why)
    };
    Result result = Result::Failed;
    bool ok() const { return result == Result::Ok; }
    /// For the user: empty when ok(); otherwise names the file and what happened, e.g.
    /// "malformed file: the HDF5 reader crashed (signal 11, SIGSEGV) while reading /x/a.hdf5".
    QString message;
    QByteArray output; ///< the child's stdout (the `inspect` JSON when ok())
    int exitCode = -1; ///< child exit code when it exited normally, else -1
    int signal = 0;    ///< the signal that ended the child (Crashed), else 0
    QString checker;   ///< the program that was run
};

/**
 * Runs `<checker> inspect <activationPath>` in a child process and waits at most @p timeoutMs
 * (killed after that). The checker is @p cliPath when given, else $SALIENT_CLI when set, else
 * `salient-cli` next to the running executable (QCoreApplication::applicationDirPath(), which
 * needs a QCoreApplication; without one, or when it is not there, `salient-cli` on PATH).
 * Never throws; blocking (see the thread contract above).
 */
IsolatedCheck checkFileInChildProcess(const QString &activationPath, int timeoutMs = 30000,
                                      const QString &cliPath = {});

/// The checker checkFileInChildProcess() would run for @p cliPath (resolution order above).
QString isolatedCheckerPath(const QString &cliPath = {});

} // namespace salient
