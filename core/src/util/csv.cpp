#include "salient/util/csv.h"

namespace salient {

QByteArray csvLine(const QStringList &cells)
{
    QByteArray line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += ',';
        QByteArray c = cells[i].toUtf8();
        if (c.contains(',') || c.contains('"') || c.contains('\n') || c.contains('\r')) {
            c.replace("\"", "\"\"");
            c = '"' + c + '"';
        }
        line += c;
    }
    return line + "\r\n";
}

QString csvNumber(double v, int precision)
{
    return QString::number(v, 'g', precision);
}

} // namespace salient
