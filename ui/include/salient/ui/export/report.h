#pragma once
// Helpers shared by every export (Compare dock, File › Export report…): figures in three formats
// and tables in CSV and JSON. They format what the views show; nothing here computes the method.
#include <QByteArray>
#include <QJsonArray>
#include <QString>
#include <QStringList>

namespace salient::ui {

class PlotCanvas;
struct Figure;
struct FigureOptions;

/// core's salient::writeFileAtomic (complete or not at all) with the error as a message:
/// false and @p error instead of an exception.
bool writeFileAtomic(const QString &path, const QByteArray &bytes, QString *error);

/**
 * A CSV table (header row, RFC 4180 quoting as PlotCanvas::csv writes it) as a JSON array of
 * objects keyed by the header; fields that parse as numbers become numbers, empty fields null.
 */
QJsonArray csvToJson(const QByteArray &csv);

/**
 * Writes @p canvas as @p base.png (@p dpi), .svg and .pdf at @p width × @p height logical
 * pixels into @p figureDir, and its data as @p base.csv and @p base.json into @p tableDir (both
 * must exist; they may be the same). Appends the written paths, relative to @p root, to
 * @p written (may be null). Stops at the first failure: false and @p error. GUI thread only.
 */
bool writeCanvasFiles(PlotCanvas *canvas, const QString &figureDir, const QString &tableDir,
                      const QString &base, int width, int height, double dpi, const QString &root,
                      QStringList *written, QString *error);

/**
 * Writes @p figure as @p figure.name + .pdf, .svg and .png into @p figureDir with writeFigure()
 * at @p options (the paper-figure path of the report). Appends the written paths, relative to
 * @p root, to @p written (may be null). False and @p error on the first failure. GUI thread
 * for widget views.
 */
bool writeFigureFiles(const Figure &figure, const FigureOptions &options, const QString &figureDir,
                      const QString &root, QStringList *written, QString *error);

/// writeCanvasFiles() with the figures at @p options (writeFigureFiles) instead of a pixel size.
bool writeCanvasFiles(PlotCanvas *canvas, const QString &figureDir, const QString &tableDir,
                      const QString &base, const FigureOptions &options, const QString &root,
                      QStringList *written, QString *error);

} // namespace salient::ui
