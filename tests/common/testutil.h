#pragma once
// Helpers shared by the tests: where ../shared is, and skipping visibly when it is absent.
#include "salient/util/error.h"

#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QtTest>

namespace salient::test {

/// ../shared beside the checkout (or $SALIENT_SHARED_DIR); empty when absent.
inline QString sharedDir()
{
    const QByteArray env = qgetenv("SALIENT_SHARED_DIR");
    const QString dir =
        env.isEmpty() ? QStringLiteral(SALIENT_SHARED_DIR) : QString::fromLocal8Bit(env);
    return QFileInfo::exists(dir) ? QDir(dir).absolutePath() : QString();
}

/// Path inside ../shared, or QSKIP with a visible message when it is missing.
#define SALIENT_REQUIRE_SHARED(var, relative)                                                      \
    const QString var =                                                                            \
        salient::test::sharedDir() + QStringLiteral("/") + QStringLiteral(relative);               \
    if (salient::test::sharedDir().isEmpty() || !QFileInfo::exists(var))                           \
        QSKIP(qPrintable(QStringLiteral("SKIPPED: ../shared not found (")                          \
                         + QStringLiteral(relative)                                                \
                         + QStringLiteral(" missing); set SALIENT_SHARED_DIR to run this test")));

/// The message of the salient::Error thrown by @p f; empty when none was thrown; starts with
/// "<wrong exception type>" when another exception escaped (tests then fail on the text).
template <typename F> QString errorOf(F &&f)
{
    try {
        f();
    } catch (const salient::Error &e) {
        return e.message().isEmpty() ? QStringLiteral("<empty message>") : e.message();
    } catch (const std::exception &e) {
        return QStringLiteral("<wrong exception type> ") + QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace salient::test
