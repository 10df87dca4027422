#include "salient/ui/export/report.h"

#include "salient/ui/export/figureexport.h"
#include "salient/ui/plotting/plotcanvas.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

namespace salient::ui {

bool writeFileAtomic(const QString &path, const QByteArray &bytes, QString *error)
{
    try {
        salient::writeFileAtomic(path, bytes);
    } catch (const Error &e) {
        if (error)
            *error = e.message();
        return false;
    }
    return true;
}

namespace {

/// Splits one CSV record starting at @p pos (advanced past its line end).
QStringList csvRecord(const QString &text, qsizetype &pos)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    while (pos < text.size()) {
        const QChar c = text[pos++];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (pos < text.size() && text[pos] == QLatin1Char('"')) {
                    field += c;
                    ++pos;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            break;
        } else if (c != QLatin1Char('\r')) {
            field += c;
        }
    }
    fields << field;
    return fields;
}

} // namespace

QJsonArray csvToJson(const QByteArray &csv)
{
    const QString text = QString::fromUtf8(csv);
    qsizetype pos = 0;
    const QStringList header = csvRecord(text, pos);
    QJsonArray rows;
    while (pos < text.size()) {
        const QStringList fields = csvRecord(text, pos);
        if (fields.size() == 1 && fields[0].isEmpty())
            continue;
        QJsonObject o;
        for (qsizetype i = 0; i < header.size(); ++i) {
            const QString v = fields.value(i);
            bool ok = false;
            const double d = v.toDouble(&ok);
            o[header[i]] = v.isEmpty() ? QJsonValue() : ok ? QJsonValue(d) : QJsonValue(v);
        }
        rows.append(o);
    }
    return rows;
}

bool writeCanvasFiles(PlotCanvas *canvas, const QString &figureDir, const QString &tableDir,
                      const QString &base, int width, int height, double dpi, const QString &root,
                      QStringList *written, QString *error)
{
    const QDir rootDir(root);
    auto record = [&](const QString &path) {
        if (written)
            *written << rootDir.relativeFilePath(path);
    };
    for (const QString &suffix : PlotCanvas::figureSuffixes()) {
        const QString path = figureDir + QLatin1Char('/') + base + QLatin1Char('.') + suffix;
        if (!canvas->exportFigure(path, width, height, dpi, error))
            return false;
        record(path);
    }
    const QByteArray csv = canvas->csv();
    const QString csvPath = tableDir + QLatin1Char('/') + base + QStringLiteral(".csv");
    const QString jsonPath = tableDir + QLatin1Char('/') + base + QStringLiteral(".json");
    if (!writeFileAtomic(csvPath, csv, error))
        return false;
    record(csvPath);
    if (!writeFileAtomic(jsonPath, QJsonDocument(csvToJson(csv)).toJson(QJsonDocument::Indented),
                         error))
        return false;
    record(jsonPath);
    return true;
}

bool writeFigureFiles(const Figure &figure, const FigureOptions &options, const QString &figureDir,
                      const QString &root, QStringList *written, QString *error)
{
    const QDir rootDir(root);
    for (const QString &suffix : figureSuffixes()) {
        const QString path = figureDir + QLatin1Char('/') + figure.name + QLatin1Char('.') + suffix;
        if (!writeFigure(figure, options, path, error))
            return false;
        if (written)
            *written << rootDir.relativeFilePath(path);
    }
    return true;
}

bool writeCanvasFiles(PlotCanvas *canvas, const QString &figureDir, const QString &tableDir,
                      const QString &base, const FigureOptions &options, const QString &root,
                      QStringList *written, QString *error)
{
    Figure figure = canvas->figure(base);
    if (!figure.paint) // an empty canvas: its axes, as on screen
        figure.paint = [canvas](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
            canvas->paintFigure(painter, rect, style);
        };
    if (!writeFigureFiles(figure, options, figureDir, root, written, error))
        return false;
    const QDir rootDir(root);
    const QByteArray csv = canvas->csv();
    const QString csvPath = tableDir + QLatin1Char('/') + base + QStringLiteral(".csv");
    const QString jsonPath = tableDir + QLatin1Char('/') + base + QStringLiteral(".json");
    if (!writeFileAtomic(csvPath, csv, error))
        return false;
    if (written)
        *written << rootDir.relativeFilePath(csvPath);
    if (!writeFileAtomic(jsonPath, QJsonDocument(csvToJson(csv)).toJson(QJsonDocument::Indented),
                         error))
        return false;
    if (written)
        *written << rootDir.relativeFilePath(jsonPath);
    return true;
}

} // namespace salient::ui
