#include "salient/ui/export/reportnotes.h"

#include "salient/ui/export/report.h"

#include <QDir>
#include <QJsonDocument>
#include <QObject>

namespace salient::ui {

bool writeNotesTables(const NeuronNotes &notes, const QString &dir, QStringList *written,
                      QString *error)
{
    if (notes.isEmpty())
        return true;
    if (!QDir().mkpath(dir + QStringLiteral("/tables"))) {
        if (error)
            *error = QObject::tr("%1/tables: cannot create the folder").arg(dir);
        return false;
    }
    const std::pair<QString, QByteArray> files[] = {
        {QStringLiteral("tables/notes.csv"), notesToCsv(notes)},
        {QStringLiteral("tables/notes.json"), QJsonDocument(notesToJson(notes)).toJson()}};
    for (const auto &[rel, bytes] : files) {
        if (!writeFileAtomic(dir + QLatin1Char('/') + rel, bytes, error))
            return false;
        if (written)
            *written << rel;
    }
    return true;
}

} // namespace salient::ui
