#include "tokenizer_p.h"

#include <cmath>

namespace salient::model::detail {

QString joinKey(const QString &path, const char *name)
{
    return path.isEmpty() ? QString::fromLatin1(name)
                          : path + QLatin1Char('.') + QString::fromLatin1(name);
}

U32 stringPattern(const JsonIn &in, const QJsonObject &o, const QString &key)
{
    const QString pk = joinKey(key, "pattern");
    const QJsonObject pattern = in.object(o.value(QLatin1String("pattern")), pk);
    if (!pattern.contains(QLatin1String("String")))
        in.fail(pk, QStringLiteral("only {\"String\": ...} patterns are supported (found %1)")
                        .arg(pattern.keys().join(QLatin1String(", "))));
    const U32 p =
        toU32(in.string(pattern.value(QLatin1String("String")), pk + QLatin1String(".String")));
    if (p.empty())
        in.fail(pk + QLatin1String(".String"), QStringLiteral("expected a non-empty pattern"));
    return p;
}

QString indexKey(const QString &path, qsizetype i)
{
    return path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
}

void JsonIn::fail(const QString &key, const QString &message) const
{
    throw Error(QStringLiteral("%1: key '%2': %3").arg(m_file, key, message));
}

QString JsonIn::describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QStringLiteral("the number %1").arg(v.toDouble());
    case QJsonValue::String: {
        QString s = v.toString();
        if (s.size() > 40)
            s = s.left(40) + QStringLiteral("…");
        return QStringLiteral("the string \"%1\"").arg(s);
    }
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing (missing)");
}

void JsonIn::expected(const QString &key, const char *what, const QJsonValue &found) const
{
    fail(key, QStringLiteral("expected %1, found %2").arg(QLatin1String(what), describe(found)));
}

QJsonObject JsonIn::object(const QJsonValue &v, const QString &key) const
{
    if (!v.isObject())
        expected(key, "an object", v);
    return v.toObject();
}

QJsonArray JsonIn::array(const QJsonValue &v, const QString &key) const
{
    if (!v.isArray())
        expected(key, "an array", v);
    return v.toArray();
}

QString JsonIn::string(const QJsonValue &v, const QString &key) const
{
    if (!v.isString())
        expected(key, "a string", v);
    return v.toString();
}

qint64 JsonIn::integer(const QJsonValue &v, const QString &key, qint64 lo, qint64 hi) const
{
    if (!v.isDouble())
        expected(key, "an integer", v);
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d))
        expected(key, "an integer", v);
    if (d < double(lo) || d > double(hi))
        fail(key, QStringLiteral("expected an integer in [%1, %2], found %3")
                      .arg(lo)
                      .arg(hi)
                      .arg(d, 0, 'g', 17));
    return qint64(d);
}

bool JsonIn::boolean(const QJsonValue &v, const QString &key) const
{
    if (!v.isBool())
        expected(key, "true or false", v);
    return v.toBool();
}

bool JsonIn::optBool(const QJsonObject &o, const char *name, const QString &path, bool def) const
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return def;
    return boolean(v, joinKey(path, name));
}

std::optional<QString> JsonIn::optString(const QJsonObject &o, const char *name,
                                         const QString &path) const
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    return string(v, joinKey(path, name));
}

} // namespace salient::model::detail
