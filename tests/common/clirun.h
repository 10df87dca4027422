#pragma once
// Runs salient-cli (SALIENT_CLI, set by tests/cli/CMakeLists.txt) in a child process for the CLI
// tests: exit code (−2 when it crashed, −1 when it did not finish in 10 minutes), stdout, stderr.
#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace salient::test {

struct Run {
    int code = -1;
    QByteArray out, err;
};

inline Run cli(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(SALIENT_CLI), args);
    Run r;
    if (!p.waitForFinished(600000))
        return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// The JSON object in @p path; empty when unreadable.
inline QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace salient::test
