#pragma once
// The one CSV writer of Salient (RFC 4180): every CSV table core produces goes through csvLine.
#include <QByteArray>
#include <QStringList>

namespace salient {

/// One CSV record: cells joined by ',', a cell quoted (with '"' doubled) when it contains ',',
/// '"', CR or LF; UTF-8; terminated by CRLF. Pure.
QByteArray csvLine(const QStringList &cells);

/// A number as CSV cell text: QString::number(v, 'g', precision) ("nan"/"inf" for non-finite).
QString csvNumber(double v, int precision = 10);

} // namespace salient
