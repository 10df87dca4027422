// Attaching a model to a session: fingerprints, the layers × dims check, reloading.
#include "salient/model/attach.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

namespace salient::model {

namespace {

QString quoted(const QString &path)
{
    return QLatin1Char('\'') + QDir::toNativeSeparators(path) + QLatin1Char('\'');
}

bool isLlama2c(const QString &modelPath)
{
    const QFileInfo fi(modelPath);
    return fi.isFile() && !fi.fileName().endsWith(QLatin1String(".safetensors"));
}

/// The value of root attribute @p name in StoreInfo::metadata ("name=value"), unquoted.
QString attribute(const StoreInfo &info, const QString &name)
{
    const QString prefix = name + QLatin1Char('=');
    for (const QString &m : info.metadata)
        if (m.startsWith(prefix)) {
            QString v = m.mid(prefix.size()).trimmed();
            if (v.size() >= 2 && (v.front() == QLatin1Char('"') || v.front() == QLatin1Char('\''))
                && v.back() == v.front())
                v = v.mid(1, v.size() - 2);
            return v;
        }
    return {};
}

} // namespace

QStringList checkpointFiles(const QString &modelPath)
{
    const QFileInfo fi(modelPath);
    if (!fi.exists())
        throw Error(QStringLiteral("Model %1 does not exist; expected a Hugging Face checkpoint "
                                   "folder or a llama2.c .bin file.")
                        .arg(quoted(modelPath)));
    if (isLlama2c(modelPath))
        return {fi.absoluteFilePath()};
    const QDir dir(fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath());
    QStringList files;
    for (const QString &name :
         dir.entryList({QStringLiteral("config.json"), QStringLiteral("*.safetensors"),
                        QStringLiteral("*.safetensors.index.json")},
                       QDir::Files, QDir::Name))
        files << dir.absoluteFilePath(name);
    if (files.isEmpty())
        throw Error(QStringLiteral("Model folder %1 has no config.json or .safetensors file.")
                        .arg(quoted(dir.path())));
    return files;
}

QString filesFingerprint(const QStringList &files, const LoadProgress &progress)
{
    if (files.size() == 1)
        return fileSha256(files.front(), progress);
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &f : files) {
        const QString sha = fileSha256(f, progress);
        if (sha.isEmpty())
            return {};
        h.addData(QStringLiteral("%1 %2\n").arg(QFileInfo(f).fileName(), sha).toUtf8());
    }
    return QString::fromLatin1(h.result().toHex());
}

QStringList tokenizerFiles(const QString &modelPath, const QString &tokenizerPath)
{
    const QFileInfo fi(modelPath);
    if (isLlama2c(modelPath)) {
        const QString tok = tokenizerPath.isEmpty()
                                ? fi.absoluteDir().filePath(QStringLiteral("tokenizer.bin"))
                                : QFileInfo(tokenizerPath).absoluteFilePath();
        return {tok};
    }
    const QFileInfo base(tokenizerPath.isEmpty() ? modelPath : tokenizerPath);
    const QDir dir(base.isDir() ? base.absoluteFilePath() : base.absolutePath());
    QStringList files;
    for (const QString &name :
         dir.entryList({QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json"),
                        QStringLiteral("special_tokens_map.json"), QStringLiteral("vocab.txt"),
                        QStringLiteral("vocab.json"), QStringLiteral("merges.txt")},
                       QDir::Files, QDir::Name))
        files << dir.absoluteFilePath(name);
    return files;
}

ForwardOptions AttachedModel::forwardOptions() const
{
    ForwardOptions o;
    o.lastLayer = record.lastLayer == QLatin1String("raw")    ? LastLayer::Raw
                  : record.lastLayer == QLatin1String("norm") ? LastLayer::FinalNorm
                                                              : LastLayer::Default;
    return o;
}

Aggregation AttachedModel::aggregation() const
{
    return record.aggregation.isEmpty() ? Aggregation::Last : parseAggregation(record.aggregation);
}

QString modelMismatch(const SessionModel &m, const StoreInfo &info)
{
    const QString file = quoted(info.path);
    if (info.dims != m.dims || info.layers != m.layers)
        return QStringLiteral(
                   "The activation file %1 holds %2 layers × %3 dims, but the model %4 (%5) has "
                   "%6 layers (embeddings + %7 blocks) × %8 dims: the activations do not come from "
                   "this model. Attach the checkpoint they were extracted from (files with a "
                   "--layers subset cannot be matched; extract all layers).")
            .arg(file)
            .arg(info.layers)
            .arg(info.dims)
            .arg(quoted(m.path), m.kind)
            .arg(m.layers)
            .arg(m.layers - 1)
            .arg(m.dims);
    const QString sha = attribute(info, QStringLiteral("model_sha256"));
    if (!sha.isEmpty() && !m.fingerprint.isEmpty()
        && sha.compare(m.fingerprint, Qt::CaseInsensitive) != 0)
        return QStringLiteral("The activation file %1 records model_sha256 %2, but the model %3 "
                              "has SHA-256 %4: the activations come from another checkpoint of "
                              "the same shape.")
            .arg(file, sha, quoted(m.path), m.fingerprint);
    return {};
}

AttachedModel attachModel(const QString &modelPath, const QString &tokenizerPath,
                          const StoreInfo *activations)
{
    AttachedModel a;
    LoadedModel loaded = loadModelAndTokenizer(modelPath, tokenizerPath);
    const ModelInfo &info = loaded.model->info();
    SessionModel &r = a.record;
    r.path = QFileInfo(modelPath).absoluteFilePath();
    r.tokenizer = tokenizerPath.isEmpty() ? QString() : QFileInfo(tokenizerPath).absoluteFilePath();
    r.fingerprint = filesFingerprint(checkpointFiles(modelPath));
    const QStringList tok = tokenizerFiles(modelPath, tokenizerPath);
    r.tokenizerFingerprint = tok.isEmpty() ? QString() : filesFingerprint(tok);
    r.kind = info.modelType;
    r.layers = info.layers + 1;
    r.dims = info.hidden;
    r.lastLayer = info.modelType == QLatin1String("llama2.c") ? QStringLiteral("raw")
                                                              : QStringLiteral("norm");
    r.aggregation = QStringLiteral("last");
    if (activations) {
        const QString why = modelMismatch(r, *activations);
        if (!why.isEmpty())
            throw Error(why);
        const QString agg = attribute(*activations, QStringLiteral("aggregation"));
        if (!agg.isEmpty())
            r.aggregation = aggregationName(parseAggregation(agg));
        if (attribute(*activations, QStringLiteral("model_sha256")).isEmpty())
            a.warnings << QStringLiteral("%1 records no model_sha256: only its layers × dims "
                                         "could be checked against the model.")
                              .arg(quoted(activations->path));
    }
    a.model = std::move(loaded.model);
    a.tokenizer = std::move(loaded.tokenizer);
    return a;
}

AttachedModel loadSessionModel(const SessionModel &record)
{
    if (!QFileInfo::exists(record.path))
        throw Error(QStringLiteral("The session's model %1 is missing; attach it again (Model › "
                                   "Attach model…).")
                        .arg(quoted(record.path)));
    const QString now = filesFingerprint(checkpointFiles(record.path));
    if (!record.fingerprint.isEmpty() && now != record.fingerprint)
        throw Error(QStringLiteral("The session's model %1 changed since it was attached "
                                   "(SHA-256 %2, recorded %3).")
                        .arg(quoted(record.path), now, record.fingerprint));
    AttachedModel a;
    LoadedModel loaded = loadModelAndTokenizer(record.path, record.tokenizer);
    const ModelInfo &info = loaded.model->info();
    if (info.layers + 1 != record.layers || info.hidden != record.dims)
        throw Error(QStringLiteral("The session's model %1 now has %2 layers × %3, recorded %4 × "
                                   "%5.")
                        .arg(quoted(record.path))
                        .arg(info.layers + 1)
                        .arg(info.hidden)
                        .arg(record.layers)
                        .arg(record.dims));
    a.record = record;
    a.model = std::move(loaded.model);
    a.tokenizer = std::move(loaded.tokenizer);
    return a;
}

QString describeSessionModel(const SessionModel &m)
{
    if (!m.isSet())
        return QStringLiteral("no model attached");
    return QStringLiteral("%1 %2 · %3 layers × %4 · last layer %5 · aggregation %6 · SHA-256 %7")
        .arg(m.kind, QFileInfo(m.path).fileName())
        .arg(m.layers)
        .arg(m.dims)
        .arg(m.lastLayer, m.aggregation, m.fingerprint.left(16));
}

} // namespace salient::model
