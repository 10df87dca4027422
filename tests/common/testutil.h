#pragma once
// Helpers shared by the tests: where ../shared is, and skipping visibly when it is absent.
#include "salient/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>
#include <QtTest>

#include <cstring>

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

/// True when two dense Eigen objects have the same shape and bit-identical elements (an empty
/// pair compares equal without passing null to memcmp, which UBSan rejects).
template <typename A, typename B> bool sameBits(const A &a, const B &b)
{
    return a.rows() == b.rows() && a.cols() == b.cols()
           && (a.size() == 0
               || std::memcmp(a.data(), b.data(),
                              std::size_t(a.size()) * sizeof(typename A::Scalar))
                      == 0);
}

/// True in an AddressSanitizer build (tests shrink or skip their slow parts there).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

/// ../shared/spec/golden/models/@p model; empty when ../shared is absent.
inline QString golden(const QString &model)
{
    const QString shared = sharedDir();
    return shared.isEmpty() ? QString() : shared + QStringLiteral("/spec/golden/models/") + model;
}

/// The first @p count lines of @p path, trimmed; empty when it cannot be opened.
inline QStringList readLines(const QString &path, int count)
{
    QFile f(path);
    QStringList lines;
    if (!f.open(QIODevice::ReadOnly))
        return lines;
    while (!f.atEnd() && lines.size() < count)
        lines << QString::fromUtf8(f.readLine()).trimmed();
    return lines;
}

} // namespace salient::test
