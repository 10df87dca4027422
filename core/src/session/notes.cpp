#include "salient/session/notes.h"

#include "salient/util/csv.h"
#include "salient/util/error.h"

#include <QJsonObject>
#include <QJsonValue>
#include <algorithm>

namespace salient {

QString noteSourceName(NoteSource source)
{
    return source == NoteSource::Auto ? QStringLiteral("auto") : QStringLiteral("human");
}

NoteSource noteSourceFromName(const QString &name, const QString &where)
{
    if (name == QLatin1String("human"))
        return NoteSource::Human;
    if (name == QLatin1String("auto"))
        return NoteSource::Auto;
    throw Error(
        QStringLiteral("%1: note source '%2'; expected \"human\" or \"auto\"").arg(where, name));
}

QStringList normalizeTags(const QStringList &tags)
{
    QStringList out;
    for (const QString &t : tags) {
        const QString s = t.trimmed();
        if (!s.isEmpty() && !out.contains(s))
            out << s;
    }
    return out;
}

QStringList parseTags(const QString &text)
{
    return normalizeTags(text.split(QLatin1Char(',')));
}

const NeuronNote *NeuronNotes::find(NeuronId id) const
{
    const auto it = std::lower_bound(m_notes.begin(), m_notes.end(), id,
                                     [](const NeuronNote &n, NeuronId v) { return n.neuron < v; });
    return it != m_notes.end() && it->neuron == id ? &*it : nullptr;
}

void NeuronNotes::set(NeuronNote note)
{
    if (!note.neuron.isValid())
        throw Error(QStringLiteral("neuron note: invalid neuron (layer %1, unit %2)")
                        .arg(note.neuron.layer)
                        .arg(note.neuron.unit));
    note.tags = normalizeTags(note.tags);
    const auto it = std::lower_bound(m_notes.begin(), m_notes.end(), note.neuron,
                                     [](const NeuronNote &n, NeuronId v) { return n.neuron < v; });
    if (it != m_notes.end() && it->neuron == note.neuron)
        *it = std::move(note);
    else
        m_notes.insert(it, std::move(note));
}

bool NeuronNotes::remove(NeuronId id)
{
    const auto it = std::find_if(m_notes.begin(), m_notes.end(),
                                 [id](const NeuronNote &n) { return n.neuron == id; });
    if (it == m_notes.end())
        return false;
    m_notes.erase(it);
    return true;
}

bool noteMatches(const NeuronNote &note, const QString &text, const QString &tag)
{
    if (!tag.trimmed().isEmpty()
        && std::none_of(note.tags.begin(), note.tags.end(), [&](const QString &t) {
               return t.compare(tag.trimmed(), Qt::CaseInsensitive) == 0;
           }))
        return false;
    const QStringList haystack =
        QStringList{note.label, note.text, neuronName(note.neuron),
                    QStringLiteral("L%1:%2").arg(note.neuron.layer).arg(note.neuron.unit)}
        + note.tags;
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &w : words)
        if (std::none_of(haystack.begin(), haystack.end(),
                         [&](const QString &h) { return h.contains(w, Qt::CaseInsensitive); }))
            return false;
    return true;
}

QJsonArray notesToJson(const NeuronNotes &notes)
{
    QJsonArray out;
    for (const NeuronNote &n : notes.all()) {
        QJsonObject o;
        o[QStringLiteral("layer")] = n.neuron.layer;
        o[QStringLiteral("unit")] = n.neuron.unit;
        o[QStringLiteral("label")] = n.label;
        o[QStringLiteral("tags")] = QJsonArray::fromStringList(n.tags);
        o[QStringLiteral("text")] = n.text;
        o[QStringLiteral("source")] = noteSourceName(n.source);
        o[QStringLiteral("modified")] = n.modified;
        out.append(o);
    }
    return out;
}

namespace {

QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Undefined:
        return QStringLiteral("nothing");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(v.toDouble());
    case QJsonValue::String:
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    }
    return {};
}

int requiredIndex(const QJsonObject &o, const char *key, const QString &where)
{
    const QJsonValue v = o.value(QLatin1String(key));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || !(d >= 0) || d > 1e9 || d != double(int(d)))
        throw Error(QStringLiteral("%1.%2: expected an integer >= 0, found %3")
                        .arg(where, QLatin1String(key), describe(v)));
    return int(d);
}

QString optionalString(const QJsonObject &o, const char *key, const QString &where)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isString())
        throw Error(QStringLiteral("%1.%2: expected a string, found %3")
                        .arg(where, QLatin1String(key), describe(v)));
    return v.toString();
}

} // namespace

NeuronNotes notesFromJson(const QJsonArray &array, const QString &where)
{
    NeuronNotes notes;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString at = QStringLiteral("%1[%2]").arg(where).arg(i);
        if (!array[i].isObject())
            throw Error(
                QStringLiteral("%1: expected a note object, found %2").arg(at, describe(array[i])));
        const QJsonObject o = array[i].toObject();
        NeuronNote n;
        n.neuron.layer = requiredIndex(o, "layer", at);
        n.neuron.unit = requiredIndex(o, "unit", at);
        n.label = optionalString(o, "label", at);
        n.text = optionalString(o, "text", at);
        n.modified = optionalString(o, "modified", at);
        const QJsonValue tags = o.value(QStringLiteral("tags"));
        if (!tags.isUndefined() && !tags.isNull()) {
            if (!tags.isArray())
                throw Error(QStringLiteral("%1.tags: expected an array of strings, found %2")
                                .arg(at, describe(tags)));
            for (const QJsonValue t : tags.toArray()) {
                if (!t.isString())
                    throw Error(
                        QStringLiteral("%1.tags: expected strings, found %2").arg(at, describe(t)));
                n.tags << t.toString();
            }
        }
        const QString source = optionalString(o, "source", at);
        n.source = source.isEmpty() ? NoteSource::Human
                                    : noteSourceFromName(source, at + QStringLiteral(".source"));
        if (notes.find(n.neuron))
            throw Error(QStringLiteral("%1: a second note on %2").arg(at, neuronName(n.neuron)));
        notes.set(std::move(n));
    }
    return notes;
}

QByteArray notesToCsv(const NeuronNotes &notes)
{
    QByteArray csv =
        csvLine({QStringLiteral("layer"), QStringLiteral("unit"), QStringLiteral("label"),
                 QStringLiteral("tags"), QStringLiteral("source"), QStringLiteral("modified"),
                 QStringLiteral("text")});
    for (const NeuronNote &n : notes.all())
        csv += csvLine({QString::number(n.neuron.layer), QString::number(n.neuron.unit), n.label,
                        n.tags.join(QStringLiteral("; ")), noteSourceName(n.source), n.modified,
                        n.text});
    return csv;
}

} // namespace salient
