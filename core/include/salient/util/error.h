#pragma once
// Errors raised by core/. Every message names the file (and dataset or line where it applies),
// what was expected and what was found. Callers at the boundary (CLI, GUI job runner) catch
// salient::Error and show what(); core never aborts or prints on its own.
#include <QString>
#include <stdexcept>

namespace salient {

class Error : public std::runtime_error {
public:
    explicit Error(const QString &message) : std::runtime_error(message.toStdString()) {}
    QString message() const { return QString::fromStdString(what()); }
};

/// Returned (not thrown) by long computations that the user cancelled.
enum class Status { Ok, Cancelled, Failed };

} // namespace salient
