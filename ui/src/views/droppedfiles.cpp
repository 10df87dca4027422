#include "salient/ui/views/droppedfiles.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace salient::ui {

namespace {

/// Which Open-data field a dropped file fills: 0 activations, 1 tokens, 2 labels, −1 unknown.
int dataRole(const QFileInfo &fi)
{
    const QString suffix = fi.suffix().toLower();
    if (suffix == QLatin1String("hdf5") || suffix == QLatin1String("h5")
        || suffix == QLatin1String("json") || suffix == QLatin1String("jsonl"))
        return 0;
    if (suffix == QLatin1String("txt") || suffix == QLatin1String("tsv")
        || suffix == QLatin1String("conll") || suffix.isEmpty()) {
        const QString name = fi.fileName().toLower();
        return name.contains(QLatin1String("label")) || name.contains(QLatin1String("tag")) ? 2 : 1;
    }
    return -1;
}

/// Split of a dropped file from its name: 1 dev, 2 test, 0 train (default).
int dataSplit(const QFileInfo &fi)
{
    const QString name = fi.fileName().toLower();
    if (name.contains(QLatin1String("dev")) || name.contains(QLatin1String("valid")))
        return 1;
    if (name.contains(QLatin1String("test")))
        return 2;
    return 0;
}

/// True when @p path is a Salient session file ("format": "salient-session"). Reads at most
/// 64 KiB, or the whole file when it is at most 16 MiB (NeuroX JSON-lines activations are
/// usually larger and never carry that key).
bool looksLikeSession(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.peek(1 << 16);
    if (!head.trimmed().startsWith('{'))
        return false;
    if (head.contains("\"salient-session\""))
        return true;
    if (f.size() > (16 << 20))
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    return doc.isObject()
           && doc.object().value(QStringLiteral("format")).toString()
                  == QLatin1String("salient-session");
}

} // namespace

DroppedFiles classifyDroppedFiles(const QStringList &paths)
{
    DroppedFiles d;
    SplitPaths *splits[] = {&d.inputs.train, &d.inputs.dev, &d.inputs.test};
    for (const QString &p : paths) {
        const QFileInfo fi(p);
        if (!fi.isFile()) {
            d.unknown << fi.fileName();
            continue;
        }
        const QString suffix = fi.suffix().toLower();
        if (suffix == QLatin1String("json") && looksLikeSession(fi.absoluteFilePath())) {
            if (d.session.isEmpty())
                d.session = fi.absoluteFilePath();
            continue;
        }
        const int role = dataRole(fi);
        if (role < 0) {
            d.unknown << fi.fileName();
            continue;
        }
        SplitPaths &sp = *splits[dataSplit(fi)];
        QString *field[] = {&sp.activations, &sp.tokens, &sp.labels};
        *field[role] = fi.absoluteFilePath();
        d.used << fi.fileName();
        d.anyData = true;
    }
    return d;
}

} // namespace salient::ui
