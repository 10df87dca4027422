#include "salient/session/session.h"

#include "io/hdf5util_p.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"
#include "salient/util/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>
#include <cmath>
#include <fcntl.h>
#include <unistd.h>

namespace salient {

namespace {

const char *const kSplitNames[] = {"train", "dev", "test"};
const char *const kFileRoles[] = {"activations", "tokens", "labels"};

QByteArray readBlock(QFile &f, qint64 offset, qint64 size)
{
    f.seek(offset);
    return f.read(size);
}

} // namespace

QString fileFingerprint(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()));
    const qint64 size = f.size();
    constexpr qint64 kSample = 64 * 1024;
    Sha256 h;
    h.addData(QByteArray::number(size));
    h.addData(readBlock(f, 0, kSample));
    h.addData(readBlock(f, std::max<qint64>(0, size / 2 - kSample / 2), kSample));
    h.addData(readBlock(f, std::max<qint64>(0, size - kSample), kSample));
    return QString::fromLatin1(h.hexResult());
}

QString fileSha256(const QString &path, const LoadProgress &progress)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()));
    // One sequential pass: let the kernel read ahead.
    posix_fadvise(f.handle(), 0, 0, POSIX_FADV_SEQUENTIAL);
    Sha256 h;
    const qint64 size = std::max<qint64>(1, f.size());
    qint64 done = 0;
    QByteArray block(4 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = f.read(block.data(), block.size());
        if (n <= 0)
            break;
        h.addData(block.constData(), std::size_t(n));
        done += n;
        if (progress && !progress(double(done) / double(size)))
            return {};
    }
    if (f.error() != QFile::NoError)
        throw Error(QStringLiteral("%1: read error: %2").arg(path, f.errorString()));
    return QString::fromLatin1(h.hexResult());
}

InputFile describeInput(const QString &path, bool fullHash)
{
    InputFile in;
    const QFileInfo fi(path);
    if (!fi.isFile())
        throw Error(QStringLiteral("%1: file not found").arg(path));
    in.path = fi.absoluteFilePath();
    in.size = fi.size();
    in.fingerprint = fileFingerprint(in.path);
    if (fullHash)
        in.sha256 = fileSha256(in.path);
    return in;
}

std::future<void> hashInputsInBackground(Session &session)
{
    std::vector<InputFile *> files;
    for (auto &[name, split] : session.splits)
        for (InputFile &f : split)
            if (f.sha256.isEmpty())
                files.push_back(&f);
    return std::async(std::launch::async, [files] {
        for (InputFile *f : files)
            f->sha256 = fileSha256(f->path);
    });
}

std::future<std::map<QString, QString>> hashFilesInBackground(const QStringList &paths)
{
    QStringList absolute;
    for (const QString &p : paths) {
        const QFileInfo fi(p);
        if (fi.isFile() && !absolute.contains(fi.absoluteFilePath()))
            absolute << fi.absoluteFilePath();
    }
    return std::async(std::launch::async, [absolute] {
        std::map<QString, QString> sha;
        for (const QString &p : absolute)
            sha[p] = fileSha256(p);
        return sha;
    });
}

void setInputHashes(Session &session, const std::map<QString, QString> &sha256ByPath)
{
    for (auto &[name, split] : session.splits)
        for (InputFile &f : split)
            if (const auto it = sha256ByPath.find(f.path); it != sha256ByPath.end())
                f.sha256 = it->second;
}

TaskInputs Session::taskInputs() const
{
    if (demo)
        throw Error(QStringLiteral("session: a demo session has no input files"));
    TaskInputs in;
    in.options = dataOptions;
    for (const auto &[name, files] : splits) {
        SplitPaths p{files[0].path, files[1].path, files[2].path};
        if (name == QLatin1String("train"))
            in.train = p;
        else if (name == QLatin1String("dev"))
            in.dev = p;
        else if (name == QLatin1String("test"))
            in.test = p;
    }
    return in;
}

ProbeOptions Session::probeOptionsFor(const QString &name) const
{
    const auto it = analysisProbeOptions.find(name);
    return it != analysisProbeOptions.end() ? it->second : probeOptions;
}

LoadedTask loadSessionData(const Session &session, const LoadProgress &progress)
{
    if (session.demo) {
        DemoOptions o;
        o.seed = session.demoSeed;
        return loadDemoTask(makeDemoDataset(o), session.demoProperty, session.dataOptions);
    }
    return loadTask(session.taskInputs(), progress);
}

QJsonObject toJson(const DatasetOptions &o)
{
    QJsonObject j;
    j[QStringLiteral("task")] = taskTypeName(o.task);
    QJsonArray layers;
    for (int l : o.layers)
        layers.append(l);
    j[QStringLiteral("layers")] = layers;
    j[QStringLiteral("max_mismatches")] = o.maxMismatches;
    j[QStringLiteral("ignore_start_token")] = o.ignoreStartToken;
    j[QStringLiteral("sentence_classification")] = o.sentenceClassification;
    j[QStringLiteral("keep_non_finite")] = o.keepNonFinite;
    j[QStringLiteral("binarized_tag")] = o.binarizedTag;
    j[QStringLiteral("balance")] = o.balance;
    j[QStringLiteral("seed")] = QString::number(o.seed);
    j[QStringLiteral("unseen_label_fallback")] = o.unseenLabelFallback;
    j[QStringLiteral("storage")] = storageModeName(o.storage); // as requested (auto by default)
    return j;
}

QJsonObject toJson(const ProbeOptions &o)
{
    QJsonObject j;
    j[QStringLiteral("regression")] = o.regression;
    j[QStringLiteral("l1")] = o.l1;
    j[QStringLiteral("l2")] = o.l2;
    j[QStringLiteral("epochs")] = o.epochs;
    j[QStringLiteral("batch_size")] = o.batchSize;
    j[QStringLiteral("learning_rate")] = o.learningRate;
    j[QStringLiteral("seed")] = QString::number(o.seed); // 64-bit: as text, JSON doubles lose bits
    // What ran: NeuroX-compatible mode turns shuffling and standardisation off whatever the
    // flags say, so the record says false (reading it back trains the same way).
    j[QStringLiteral("shuffle")] = o.shuffle && !o.neuroxCompatible;
    j[QStringLiteral("standardize")] = o.standardize && !o.neuroxCompatible;
    j[QStringLiteral("neurox_compatible")] = o.neuroxCompatible;
    if (o.shuffleBlockRows > 0 && j.value(QStringLiteral("shuffle")).toBool())
        j[QStringLiteral("shuffle_block")] = o.shuffleBlockRows; // absent: full permutation
    return j;
}

QJsonObject toJson(const SessionModel &m)
{
    QJsonObject j;
    j[QStringLiteral("path")] = m.path;
    j[QStringLiteral("tokenizer")] = m.tokenizer;
    j[QStringLiteral("fingerprint")] = m.fingerprint;
    j[QStringLiteral("tokenizer_fingerprint")] = m.tokenizerFingerprint;
    j[QStringLiteral("kind")] = m.kind;
    j[QStringLiteral("layers")] = m.layers;
    j[QStringLiteral("dims")] = m.dims;
    j[QStringLiteral("last_layer")] = m.lastLayer;
    j[QStringLiteral("aggregation")] = m.aggregation;
    return j;
}

SessionModel sessionModelFromJson(const QJsonObject &j, const QString &where)
{
    SessionModel m;
    for (const char *key : {"path", "tokenizer", "fingerprint", "tokenizer_fingerprint", "kind",
                            "last_layer", "aggregation"})
        if (j.contains(QLatin1String(key)) && !j.value(QLatin1String(key)).isString())
            throw Error(QStringLiteral("%1.%2 is not a string").arg(where, QLatin1String(key)));
    for (const char *key : {"layers", "dims"})
        if (!j.value(QLatin1String(key)).isDouble() || j.value(QLatin1String(key)).toInt(-1) < 1)
            throw Error(
                QStringLiteral("%1.%2 is not a positive integer").arg(where, QLatin1String(key)));
    m.path = j.value(QStringLiteral("path")).toString();
    if (m.path.isEmpty())
        throw Error(QStringLiteral("%1.path is missing").arg(where));
    m.tokenizer = j.value(QStringLiteral("tokenizer")).toString();
    m.fingerprint = j.value(QStringLiteral("fingerprint")).toString();
    m.tokenizerFingerprint = j.value(QStringLiteral("tokenizer_fingerprint")).toString();
    m.kind = j.value(QStringLiteral("kind")).toString();
    m.layers = j.value(QStringLiteral("layers")).toInt();
    m.dims = j.value(QStringLiteral("dims")).toInt();
    m.lastLayer = j.value(QStringLiteral("last_layer")).toString();
    m.aggregation = j.value(QStringLiteral("aggregation")).toString(QStringLiteral("last"));
    return m;
}

namespace {
quint64 seedFrom(const QJsonValue &v, quint64 fallback)
{
    if (v.isString()) {
        bool ok = false;
        const quint64 s = v.toString().toULongLong(&ok);
        if (!ok)
            throw Error(
                QStringLiteral("session: seed '%1' is not an unsigned integer").arg(v.toString()));
        return s;
    }
    if (!v.isDouble())
        return fallback;
    // A JSON number: only a whole number in [0, 2^64) is a seed (casting anything else is UB).
    const double d = v.toDouble();
    if (!(d >= 0 && d < 18446744073709551616.0) || d != std::floor(d))
        throw Error(QStringLiteral("session: seed %1 is not an unsigned integer").arg(d));
    return quint64(d);
}
} // namespace

DatasetOptions datasetOptionsFromJson(const QJsonObject &j)
{
    DatasetOptions o;
    o.task = j.value(QStringLiteral("task")).toString() == QLatin1String("regression")
                 ? TaskType::Regression
                 : TaskType::Classification;
    for (const QJsonValue v : j.value(QStringLiteral("layers")).toArray())
        o.layers.push_back(v.toInt());
    o.maxMismatches = j.value(QStringLiteral("max_mismatches")).toInt(o.maxMismatches);
    o.ignoreStartToken = j.value(QStringLiteral("ignore_start_token")).toBool();
    o.sentenceClassification = j.value(QStringLiteral("sentence_classification")).toBool();
    o.keepNonFinite = j.value(QStringLiteral("keep_non_finite")).toBool();
    o.binarizedTag = j.value(QStringLiteral("binarized_tag")).toString();
    o.balance = j.value(QStringLiteral("balance")).toBool();
    o.seed = seedFrom(j.value(QStringLiteral("seed")), o.seed);
    o.unseenLabelFallback = j.value(QStringLiteral("unseen_label_fallback")).toString();
    // Sessions before storage modes existed: auto (float32 whenever the data fits).
    o.storage = j.contains(QStringLiteral("storage"))
                    ? parseStorageMode(j.value(QStringLiteral("storage")).toString())
                    : StorageMode::Auto;
    return o;
}

ProbeOptions probeOptionsFromJson(const QJsonObject &j)
{
    ProbeOptions o;
    o.regression = j.value(QStringLiteral("regression")).toBool();
    o.l1 = j.value(QStringLiteral("l1")).toDouble(o.l1);
    o.l2 = j.value(QStringLiteral("l2")).toDouble(o.l2);
    o.epochs = j.value(QStringLiteral("epochs")).toInt(o.epochs);
    o.batchSize = j.value(QStringLiteral("batch_size")).toInt(o.batchSize);
    o.learningRate = j.value(QStringLiteral("learning_rate")).toDouble(o.learningRate);
    o.seed = seedFrom(j.value(QStringLiteral("seed")), o.seed);
    o.shuffle = j.value(QStringLiteral("shuffle")).toBool(o.shuffle);
    o.standardize = j.value(QStringLiteral("standardize")).toBool(o.standardize);
    o.neuroxCompatible = j.value(QStringLiteral("neurox_compatible")).toBool(o.neuroxCompatible);
    o.shuffleBlockRows = j.value(QStringLiteral("shuffle_block")).toInt(0);
    return o;
}

namespace {

/// Throws salient::Error when a key of a probe options object has the wrong JSON type (which
/// probeOptionsFromJson would silently replace by its default).
void checkProbeOptionTypes(const QJsonObject &j)
{
    for (const char *key : {"l1", "l2", "epochs", "batch_size", "learning_rate", "shuffle_block"})
        if (j.contains(QLatin1String(key)) && !j.value(QLatin1String(key)).isDouble())
            throw Error(QStringLiteral("'%1' is not a number").arg(QLatin1String(key)));
    for (const char *key : {"regression", "shuffle", "standardize", "neurox_compatible"})
        if (j.contains(QLatin1String(key)) && !j.value(QLatin1String(key)).isBool())
            throw Error(QStringLiteral("'%1' is not true or false").arg(QLatin1String(key)));
}

using detail::Hid;

void writeArrays(const QString &path, const std::map<QString, RowMatrixF> &arrays)
{
    detail::silenceHdf5();
    Hid file(
        H5Fcreate(QFile::encodeName(path).constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
        H5Fclose);
    if (!file.valid())
        throw Error(
            QStringLiteral("%1: cannot create the session's arrays file (is the folder writable?)")
                .arg(path));
    Hid lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    for (const auto &[name, m] : arrays) {
        const hsize_t dims[2] = {hsize_t(m.rows()), hsize_t(m.cols())};
        Hid space(H5Screate_simple(2, dims, nullptr), H5Sclose);
        const QByteArray key = name.toUtf8();
        Hid ds(H5Dcreate2(file.get(), key.constData(), H5T_IEEE_F32LE, space.get(), lcpl.get(),
                          H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose);
        if (!ds.valid()
            || (m.size() > 0
                && H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m.data())
                       < 0))
            throw Error(QStringLiteral("%1: cannot write array '%2' (disk full?)").arg(path, name));
    }
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0 || file.reset() < 0)
        throw Error(QStringLiteral("%1: cannot finish writing (disk full?)").arg(path));
}

std::map<QString, RowMatrixF> readArrays(const QString &path, const QStringList &names)
{
    detail::silenceHdf5();
    std::map<QString, RowMatrixF> out;
    if (names.isEmpty())
        return out;
    if (H5Fis_hdf5(QFile::encodeName(path).constData()) <= 0)
        throw Error(
            QStringLiteral("%1: the session's arrays file is missing or not HDF5").arg(path));
    Hid file(H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid())
        throw Error(QStringLiteral("%1: cannot open the session's arrays file").arg(path));
    for (const QString &name : names) {
        const QByteArray key = name.toUtf8();
        Hid ds(H5Dopen2(file.get(), key.constData(), H5P_DEFAULT), H5Dclose);
        if (!ds.valid())
            throw Error(
                QStringLiteral("%1: array '%2' listed in the session is missing").arg(path, name));
        Hid space(H5Dget_space(ds.get()), H5Sclose);
        hsize_t dims[2] = {0, 0};
        // At most 2^34 values, tested without overflow (a forged header may claim 2^63 × 2^63).
        constexpr hsize_t kMaxValues = hsize_t(1) << 34;
        if (H5Sget_simple_extent_ndims(space.get()) != 2
            || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[0] > kMaxValues
            || dims[1] > kMaxValues || (dims[1] > 0 && dims[0] > kMaxValues / dims[1]))
            throw Error(QStringLiteral("%1: array '%2' has an unexpected shape").arg(path, name));
        // Saved arrays are stored in full (contiguous float32): refuse a header that claims more
        // values than the file holds before allocating for them.
        const hsize_t needed = dims[0] * dims[1] * sizeof(float);
        if (needed > 0 && H5Dget_storage_size(ds.get()) < needed)
            throw Error(
                QStringLiteral("%1: array '%2' is incomplete (%3 × %4 values, %5 bytes stored)")
                    .arg(path, name)
                    .arg(qulonglong(dims[0]))
                    .arg(qulonglong(dims[1]))
                    .arg(qulonglong(H5Dget_storage_size(ds.get()))));
        RowMatrixF m(static_cast<Index>(dims[0]), static_cast<Index>(dims[1]));
        if (m.size() > 0
            && H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m.data()) < 0)
            throw Error(QStringLiteral("%1: cannot read array '%2'").arg(path, name));
        out.emplace(name, std::move(m));
    }
    return out;
}

QJsonObject inputJson(const InputFile &f, const QDir &base)
{
    QJsonObject j;
    j[QStringLiteral("path")] = f.path;
    j[QStringLiteral("relative_path")] = base.relativeFilePath(f.path);
    j[QStringLiteral("size")] = double(f.size);
    j[QStringLiteral("fingerprint")] = f.fingerprint;
    j[QStringLiteral("sha256")] = f.sha256;
    return j;
}

/// The session's notes as the "notes" array (omitted when there are none: a session without
/// notes keeps the format of the sessions written before notes existed).
void writeNotes(QJsonObject &root, const Session &session)
{
    if (!session.notes.isEmpty())
        root[QStringLiteral("notes")] = notesToJson(session.notes);
}

/// Reads "notes" (absent = none); throws salient::Error naming @p path and the entry.
void readNotes(const QJsonObject &root, const QString &path, Session &s)
{
    const QJsonValue v = root.value(QStringLiteral("notes"));
    if (v.isUndefined() || v.isNull())
        return;
    if (!v.isArray())
        throw Error(QStringLiteral("%1: \"notes\" must be an array of note objects").arg(path));
    s.notes = notesFromJson(v.toArray(), path + QStringLiteral(": notes"));
}

} // namespace

void saveSession(const QString &path, Session &session, SaveStep failAfter)
{
    const QFileInfo fi(path);
    const QDir dir = fi.absoluteDir();
    if (!dir.exists())
        throw Error(QStringLiteral("%1: folder does not exist").arg(dir.path()));
    const QString previousArrays = session.arraysFile;
    // 1. Arrays: a new, uniquely named file (temporary name first).
    const QString arraysName =
        QStringLiteral("%1.arrays-%2.hdf5")
            .arg(fi.completeBaseName())
            .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
    const QString arraysPath = dir.filePath(arraysName);
    const QString arraysTemp = arraysPath + QStringLiteral(".tmp");
    QString arraysSha;
    try {
        writeArrays(arraysTemp, session.arrays);
        if (failAfter == SaveStep::ArraysTemporaryWritten)
            throw Error(QStringLiteral("%1: save interrupted (test)").arg(path));
        // Durable (fsync) before the JSON that points at it is committed.
        replaceFileAtomic(arraysTemp, arraysPath);
        arraysSha = fileSha256(arraysPath);
        if (failAfter == SaveStep::ArraysRenamed)
            throw Error(QStringLiteral("%1: save interrupted (test)").arg(path));
    } catch (...) {
        QFile::remove(arraysTemp);
        QFile::remove(arraysPath);
        throw;
    }

    // 2. The JSON (QSaveFile: temporary file, fsync, rename = the commit point).
    QJsonObject root;
    root[QStringLiteral("format")] = QStringLiteral("salient-session");
    root[QStringLiteral("version")] = session.version;
    root[QStringLiteral("salient_version")] = QStringLiteral(SALIENT_VERSION);
    root[QStringLiteral("saved")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    QJsonObject inputs;
    if (session.demo) {
        QJsonObject d;
        d[QStringLiteral("seed")] = QString::number(session.demoSeed);
        d[QStringLiteral("property")] = session.demoProperty;
        inputs[QStringLiteral("demo")] = d;
    }
    for (const auto &[name, files] : session.splits) {
        QJsonObject s;
        for (int k = 0; k < 3; ++k)
            s[QLatin1String(kFileRoles[k])] = inputJson(files[size_t(k)], dir);
        inputs[name] = s;
    }
    root[QStringLiteral("inputs")] = inputs;
    root[QStringLiteral("data_options")] = toJson(session.dataOptions);
    root[QStringLiteral("probe_options")] = toJson(session.probeOptions);
    QJsonObject perAnalysis;
    for (const auto &[name, o] : session.analysisProbeOptions)
        perAnalysis[name] = toJson(o);
    root[QStringLiteral("analysis_probe_options")] = perAnalysis;
    root[QStringLiteral("analyses")] = QJsonArray::fromStringList(session.analyses);
    root[QStringLiteral("analysis_options")] = session.analysisOptions;
    root[QStringLiteral("results")] = session.results;
    QJsonObject arrays;
    arrays[QStringLiteral("file")] = arraysName;
    arrays[QStringLiteral("sha256")] = arraysSha;
    QStringList names;
    for (const auto &[name, m] : session.arrays)
        names << name;
    arrays[QStringLiteral("names")] = QJsonArray::fromStringList(names);
    root[QStringLiteral("arrays")] = arrays;
    writeNotes(root, session);
    if (!session.view.isEmpty())
        root[QStringLiteral("view")] = session.view;
    if (session.model.isSet())
        root[QStringLiteral("model")] = toJson(session.model);

    QSaveFile out(path);
    bool committed = false;
    try {
        if (!out.open(QIODevice::WriteOnly))
            throw Error(QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
        const QByteArray bytes = QJsonDocument(root).toJson();
        if (out.write(bytes) != bytes.size() || !out.flush() || ::fsync(out.handle()) != 0)
            throw Error(QStringLiteral("%1: write failed (disk full?)").arg(path));
        if (failAfter == SaveStep::JsonTemporaryWritten)
            throw Error(QStringLiteral("%1: save interrupted (test)").arg(path));
        committed = out.commit();
        if (!committed)
            throw Error(QStringLiteral("%1: cannot replace the session file: %2")
                            .arg(path, out.errorString()));
    } catch (...) {
        if (!committed) {
            out.cancelWriting();
            QFile::remove(arraysPath);
        }
        throw;
    }
    // 3. Committed: the previous arrays file (and orphans of interrupted saves) can go.
    session.arraysFile = arraysName;
    const QStringList stale =
        dir.entryList({fi.completeBaseName() + QStringLiteral(".arrays-*.hdf5*")}, QDir::Files);
    for (const QString &f : stale)
        if (f != arraysName)
            QFile::remove(dir.filePath(f));
    Q_UNUSED(previousArrays);
}

Session loadSession(const QString &path, SessionCheck *check)
{
    QFile f(path);
    if (!f.exists())
        throw Error(QStringLiteral("%1: session file not found").arg(path));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()));
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: not a session file (invalid JSON at offset %2: %3)")
                        .arg(path)
                        .arg(perr.offset)
                        .arg(perr.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String("salient-session"))
        throw Error(
            QStringLiteral("%1: not a Salient session (missing \"format\": \"salient-session\")")
                .arg(path));
    const int version = root.value(QStringLiteral("version")).toInt(-1);
    if (version != Session::kVersion)
        throw Error(QStringLiteral("%1: session version %2, this Salient (%3) reads version %4")
                        .arg(path)
                        .arg(version)
                        .arg(QStringLiteral(SALIENT_VERSION))
                        .arg(Session::kVersion));
    const QDir dir = QFileInfo(path).absoluteDir();
    Session s;
    const QJsonObject inputs = root.value(QStringLiteral("inputs")).toObject();
    if (inputs.contains(QStringLiteral("demo"))) {
        const QJsonObject d = inputs.value(QStringLiteral("demo")).toObject();
        s.demo = true;
        s.demoSeed = seedFrom(d.value(QStringLiteral("seed")), 7);
        s.demoProperty = d.value(QStringLiteral("property")).toString(QStringLiteral("pos"));
    }
    SessionCheck local;
    SessionCheck &chk = check ? *check : local;
    for (const char *split : kSplitNames) {
        if (!inputs.contains(QLatin1String(split)))
            continue;
        const QJsonObject sj = inputs.value(QLatin1String(split)).toObject();
        std::array<InputFile, 3> files;
        for (int k = 0; k < 3; ++k) {
            const QJsonObject fj = sj.value(QLatin1String(kFileRoles[k])).toObject();
            InputFile in;
            in.path = fj.value(QStringLiteral("path")).toString();
            // Size in bytes; anything but a whole number in [0, 2^63) counts as unknown (-1).
            const double size = fj.value(QStringLiteral("size")).toDouble(-1);
            in.size = size >= 0 && size < 9223372036854775808.0 && size == std::floor(size)
                          ? qint64(size)
                          : -1;
            in.fingerprint = fj.value(QStringLiteral("fingerprint")).toString();
            in.sha256 = fj.value(QStringLiteral("sha256")).toString();
            if (in.path.isEmpty())
                throw Error(QStringLiteral("%1: inputs.%2.%3 has no path")
                                .arg(path, QLatin1String(split), QLatin1String(kFileRoles[k])));
            // Moved together with the session? Then the relative path finds it.
            const QString rel = fj.value(QStringLiteral("relative_path")).toString();
            if (!QFileInfo::exists(in.path) && !rel.isEmpty()
                && QFileInfo::exists(dir.filePath(rel)))
                in.path = QDir::cleanPath(dir.filePath(rel));
            const QFileInfo fi(in.path);
            const QString role =
                QStringLiteral("%1 %2").arg(QLatin1String(split), QLatin1String(kFileRoles[k]));
            if (!fi.isFile()) {
                chk.changedInputs << QStringLiteral("%1 file %2 is missing").arg(role, in.path);
            } else if (fi.size() != in.size) {
                chk.changedInputs << QStringLiteral("%1 file %2 changed: size was %3 bytes, now %4")
                                         .arg(role, in.path)
                                         .arg(in.size)
                                         .arg(fi.size());
            } else if (fileFingerprint(in.path) != in.fingerprint) {
                chk.changedInputs << QStringLiteral(
                                         "%1 file %2 changed: same size, different content")
                                         .arg(role, in.path);
            }
            files[size_t(k)] = in;
        }
        s.splits[QLatin1String(split)] = files;
    }
    s.dataOptions = datasetOptionsFromJson(root.value(QStringLiteral("data_options")).toObject());
    s.probeOptions = probeOptionsFromJson(root.value(QStringLiteral("probe_options")).toObject());
    // Per-analysis probe options (absent in older sessions: every analysis uses probe_options).
    const QJsonValue perAnalysis = root.value(QStringLiteral("analysis_probe_options"));
    if (!perAnalysis.isUndefined() && !perAnalysis.isNull() && !perAnalysis.isObject())
        throw Error(QStringLiteral("%1: analysis_probe_options is not an object").arg(path));
    const QJsonObject perAnalysisObject = perAnalysis.toObject();
    for (auto it = perAnalysisObject.begin(); it != perAnalysisObject.end(); ++it) {
        const QString key = QStringLiteral("analysis_probe_options.") + it.key();
        if (!it.value().isObject())
            throw Error(QStringLiteral("%1: %2 is not an object").arg(path, key));
        try {
            checkProbeOptionTypes(it.value().toObject());
            const ProbeOptions o = probeOptionsFromJson(it.value().toObject());
            o.validate();
            s.analysisProbeOptions[it.key()] = o;
        } catch (const Error &e) {
            throw Error(QStringLiteral("%1: %2: %3").arg(path, key, e.message()));
        }
    }
    for (const QJsonValue v : root.value(QStringLiteral("analyses")).toArray())
        s.analyses << v.toString();
    s.analysisOptions = root.value(QStringLiteral("analysis_options")).toObject();
    s.results = root.value(QStringLiteral("results")).toObject();
    // A grid search recorded before the winner rule existed ran the paper's rule: its result has
    // no "selection". Record that rule in its options so that `run` replays the same winner
    // instead of the newer guarded default.
    const QString grid = QStringLiteral("grid-search");
    const QJsonObject gridResult = s.results.value(grid).toObject();
    QJsonObject gridOptions = s.analysisOptions.value(grid).toObject();
    if (s.results.contains(grid) && !gridResult.contains(QStringLiteral("selection"))
        && !gridOptions.contains(QStringLiteral("selection"))) {
        gridOptions[QStringLiteral("selection")] = QStringLiteral("paper");
        s.analysisOptions[grid] = gridOptions;
    }
    readNotes(root, path, s);
    // The GUI's view state is optional and advisory: a missing or malformed one is ignored
    // (the session's results do not depend on it).
    s.view = root.value(QStringLiteral("view")).toObject();
    const QJsonValue model = root.value(QStringLiteral("model"));
    if (!model.isUndefined() && !model.isNull()) {
        if (!model.isObject())
            throw Error(QStringLiteral("%1: \"model\" must be an object").arg(path));
        s.model = sessionModelFromJson(model.toObject(), path + QStringLiteral(": model"));
    }
    const QJsonObject arrays = root.value(QStringLiteral("arrays")).toObject();
    s.arraysFile = arrays.value(QStringLiteral("file")).toString();
    QStringList names;
    for (const QJsonValue v : arrays.value(QStringLiteral("names")).toArray())
        names << v.toString();
    if (!names.isEmpty()) {
        const QString arraysPath = dir.filePath(s.arraysFile);
        if (!QFileInfo::exists(arraysPath))
            throw Error(QStringLiteral("%1: its arrays file %2 is missing").arg(path, arraysPath));
        const QString expected = arrays.value(QStringLiteral("sha256")).toString();
        if (!expected.isEmpty() && fileSha256(arraysPath) != expected)
            throw Error(QStringLiteral(
                            "%1: its arrays file %2 does not match the session (SHA-256 differs)")
                            .arg(path, arraysPath));
        s.arrays = readArrays(arraysPath, names);
    }
    return s;
}

} // namespace salient
