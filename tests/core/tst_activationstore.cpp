// Long on purpose: one test class for all store formats, holding the whole bad-input catalogue.
// Tests of the activation stores (spec/NEUROX.md §2, §3.1): NeuroX HDF5 (written by
// writeNeuroxHdf5 and by raw HDF5 calls for layouts the writer never produces), JSON lines,
// decomposed files, MemoryStore, every error case, and the real files in ../shared/data.
#include "salient/io/activationstore.h"
#include "salient/util/error.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <thread>
#include <unistd.h>

using namespace salient;

namespace {

using salient::test::errorOf;

bool containsAll(const QString &msg, const QStringList &parts, QString *missing)
{
    for (const QString &p : parts)
        if (!msg.contains(p)) {
            *missing = p;
            return false;
        }
    return true;
}

} // namespace

/// Asserts that @p expr throws salient::Error whose message contains every string in @p parts.
#define EXPECT_ERROR(expr, parts)                                                                  \
    do {                                                                                           \
        const QString msg_ = errorOf([&] { (void)(expr); });                                       \
        QVERIFY2(!msg_.isEmpty(), "no salient::Error thrown by: " #expr);                          \
        if (qEnvironmentVariableIsSet("SALIENT_SHOW_ERRORS"))                                      \
            qInfo("%s", qPrintable(msg_));                                                         \
        QVERIFY2(!msg_.startsWith(QStringLiteral("<wrong")), qPrintable(msg_));                    \
        QString missing_;                                                                          \
        QVERIFY2(containsAll(msg_, parts, &missing_),                                              \
                 qPrintable(QStringLiteral("message lacks \"%1\": %2").arg(missing_, msg_)));      \
    } while (0)

namespace {

/// Raw HDF5 writer for fixtures the Salient writer never produces (bad shapes, odd types, ...).
class RawH5 {
public:
    explicit RawH5(const QString &path)
        : m_file(
            H5Fcreate(QFile::encodeName(path).constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT))
    {
    }
    ~RawH5() { close(); }
    RawH5(const RawH5 &) = delete;
    RawH5 &operator=(const RawH5 &) = delete;
    bool ok() const { return m_file >= 0 && m_ok; }
    void close()
    {
        if (m_file >= 0)
            H5Fclose(m_file);
        m_file = -1;
    }

    /// Dataset of @p fileType; writes @p data (in @p memType) unless it is null.
    void dataset(const char *name, const std::vector<hsize_t> &dims, hid_t fileType, hid_t memType,
                 const void *data, hid_t dcpl = H5P_DEFAULT)
    {
        const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                                         : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
        const hid_t d = H5Dcreate2(m_file, name, fileType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        m_ok = m_ok && space >= 0 && d >= 0;
        if (d >= 0 && data)
            m_ok = m_ok && H5Dwrite(d, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
        if (d >= 0)
            H5Dclose(d);
        if (space >= 0)
            H5Sclose(space);
    }
    /// float32 (L, T, D) dataset with value(l, t, d) = base + l·100 + t + d/64.
    void floats(const char *name, hsize_t L, hsize_t T, hsize_t D, float base)
    {
        std::vector<float> v(size_t(L * T * D));
        for (hsize_t l = 0; l < L; ++l)
            for (hsize_t t = 0; t < T; ++t)
                for (hsize_t d = 0; d < D; ++d)
                    v[size_t((l * T + t) * D + d)] =
                        base + float(l) * 100 + float(t) + float(d) / 64;
        dataset(name, {L, T, D}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, v.data());
    }
    /// String dataset: variable or fixed length, with the given character set; shape (1,) or
    /// scalar.
    void string(const char *name, const QByteArray &text, bool vlen, H5T_cset_t cset,
                bool scalar = false)
    {
        const hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_cset(t, cset);
        if (vlen) {
            H5Tset_size(t, H5T_VARIABLE);
            const char *p = text.constData();
            dataset(name, scalar ? std::vector<hsize_t>{} : std::vector<hsize_t>{1}, t, t, &p);
        } else {
            H5Tset_size(t, size_t(text.size()) + 4);
            H5Tset_strpad(t, H5T_STR_NULLPAD);
            QByteArray padded = text;
            padded.append(4, '\0');
            dataset(name, scalar ? std::vector<hsize_t>{} : std::vector<hsize_t>{1}, t, t,
                    padded.constData());
        }
        H5Tclose(t);
    }
    void attribute(const char *name, hid_t type, const void *data)
    {
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(m_file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        m_ok = m_ok && a >= 0 && H5Awrite(a, type, data) >= 0;
        if (a >= 0)
            H5Aclose(a);
        H5Sclose(space);
    }
    void stringAttribute(const char *name, const char *value)
    {
        const hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        attribute(name, t, &value);
        H5Tclose(t);
    }

private:
    hid_t m_file;
    bool m_ok = true;
};

/// IEEE half type built the h5py way.
hid_t makeHalf()
{
    const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
}

/// Sentence @p s: T × (L·D), values multiples of 1/8 in [-4, 4) (exact in float16), distinct
/// per sentence so that a record mix-up shows.
RowMatrixF makeSentence(int s, int T, int L, int D)
{
    RowMatrixF m(T, L * D);
    for (int t = 0; t < T; ++t)
        for (int c = 0; c < L * D; ++c)
            m(t, c) = float((s * 13 + t * 7 + c * 3) % 64 - 32) / 8.0f;
    return m;
}

/// Reads the whole sentence through the store into a T × (L·D) matrix.
RowMatrixF readAll(const ActivationStore &store, Index s)
{
    const StoreInfo &in = store.info();
    RowMatrixF m(in.wordsPerSentence[size_t(s)], in.neurons());
    store.readSentence(s, m.data(), m.cols());
    return m;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

/// A NeuroX JSON-lines record for @p tokens with activations @p m (T × L·D).
QByteArray jsonLine(int index, const QStringList &tokens, const RowMatrixF &m, int L, int D)
{
    QByteArray line = "{\"linex_index\": " + QByteArray::number(index) + ", \"features\": [";
    for (int t = 0; t < tokens.size(); ++t) {
        if (t > 0)
            line += ", ";
        line += "{\"token\": \"" + tokens[t].toUtf8() + "\", \"layers\": [";
        for (int l = 0; l < L; ++l) {
            if (l > 0)
                line += ", ";
            line += "{\"index\": " + QByteArray::number(l) + ", \"values\": [";
            for (int d = 0; d < D; ++d) {
                if (d > 0)
                    line += ", ";
                line += QByteArray::number(double(m(t, l * D + d)), 'g', 9);
            }
            line += "]}";
        }
        line += "]}";
    }
    line += "]}\n";
    return line;
}

} // namespace

class TestActivationStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    /// A valid float32 file of 13 sentences, 3 layers × 4 dims (T = 1 + s % 5).
    QString writeStandard(const QString &name, std::vector<RowMatrixF> *sentences = nullptr,
                          DType dtype = DType::Float32);

private Q_SLOTS:
    void initTestCase();

    void helpers();
    void parseSentenceToIndexCases();
    void roundTripFloat32AndOrder();
    void roundTripFloat16();
    void float16SpecialValues();
    void duplicateAndNonAsciiSentences();
    void layerSubsetIntoStridedBuffer();
    void readPathsAgree();
    void stringVariantsAndIntegerValues();
    void missingSentenceToIndexFallback();
    void rootAttributesAsMetadata();
    void jsonLinesRoundTrip();
    void decomposedFiles();
    void memoryStore();
    void writerValidation();

    void errorFileSystem();
    void errorNotActivations();
    void errorTruncatedHdf5();
    void errorDatasets();
    void errorAbsurdSizes();
    void errorSentenceToIndex();
    void errorJsonLines();
    void errorReadArguments();
    void hdf5NeverPrints();
    void hdf5HandlesAreClosed();

    void realDevFile();
    void realTrainOpenIsLazy();
};

QString TestActivationStore::writeStandard(const QString &name, std::vector<RowMatrixF> *out,
                                           DType dtype)
{
    std::vector<RowMatrixF> sentences;
    QStringList texts;
    for (int s = 0; s < 13; ++s) {
        sentences.push_back(makeSentence(s, 1 + s % 5, 3, 4));
        texts.append(QStringLiteral("sentence number %1").arg(s));
    }
    const QString p = path(name);
    writeNeuroxHdf5(p, 3, 4, sentences, texts, dtype);
    if (out)
        *out = sentences;
    return p;
}

void TestActivationStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // the raw fixtures run in this thread
}

void TestActivationStore::helpers()
{
    QCOMPARE(dtypeName(DType::Float32), QStringLiteral("float32"));
    QCOMPARE(dtypeName(DType::Float16), QStringLiteral("float16"));
    QCOMPARE(displaySentenceKey(QStringLiteral("( Laughter . ) (Occurrence 3)")),
             QStringLiteral("( Laughter . )"));
    QCOMPARE(displaySentenceKey(QStringLiteral("a b (Occurrence 12)")), QStringLiteral("a b"));
    QCOMPARE(displaySentenceKey(QStringLiteral("a b (Occurrence x)")),
             QStringLiteral("a b (Occurrence x)"));
    QCOMPARE(displaySentenceKey(QStringLiteral("a b (Occurrence )")),
             QStringLiteral("a b (Occurrence )"));
    QCOMPARE(displaySentenceKey(QStringLiteral("plain")), QStringLiteral("plain"));
}

void TestActivationStore::parseSentenceToIndexCases()
{
    const QString f = QStringLiteral("/x/file.hdf5");
    // Order is JSON order, not key order; escapes incl. a surrogate pair; ints and strings.
    const auto e = parseSentenceToIndex(
        QByteArray(R"({"zeta": "0", "alpha \"q\" \\ \/ \n\t": 1 ,"na\u00efve \ud83d\ude00":"2",)"
                   R"( "raw caf)")
            + QByteArray("\xc3\xa9") + R"(" : 3 }  )",
        f);
    QCOMPARE(e.size(), size_t(4));
    QCOMPARE(e[0].first, QStringLiteral("zeta"));
    QCOMPARE(e[0].second, Index(0));
    QCOMPARE(e[1].first, QStringLiteral("alpha \"q\" \\ / \n\t"));
    QCOMPARE(e[1].second, Index(1));
    QCOMPARE(e[2].first, QString::fromUtf8("naïve 😀"));
    QCOMPARE(e[2].second, Index(2));
    QCOMPARE(e[3].first, QString::fromUtf8("raw café"));
    QCOMPARE(e[3].second, Index(3));
    QVERIFY(parseSentenceToIndex("{}", f).empty());
    QVERIFY(parseSentenceToIndex(" { } ", f).empty());

    const QStringList common = {QStringLiteral("sentence_to_index"),
                                QStringLiteral("/x/file.hdf5")};
    EXPECT_ERROR(
        parseSentenceToIndex(R"({"a": "0",)", f),
        (common + QStringList{QStringLiteral("Invalid JSON"), QStringLiteral("end of input")}));
    EXPECT_ERROR(parseSentenceToIndex(R"(["a"])", f),
                 (common + QStringList{QStringLiteral("byte 0"), QStringLiteral("found '['")}));
    EXPECT_ERROR(parseSentenceToIndex(R"({"a": "017"})", f),
                 (common + QStringList{QStringLiteral("\"017\"")}));
    EXPECT_ERROR(parseSentenceToIndex(R"({"a": -1})", f),
                 (common + QStringList{QStringLiteral("'-'")}));
    EXPECT_ERROR(parseSentenceToIndex(R"({"a": 1.5})", f), common);
    EXPECT_ERROR(parseSentenceToIndex(R"({"a": "0"} x)", f),
                 (common + QStringList{QStringLiteral("end of the JSON text")}));
    EXPECT_ERROR(parseSentenceToIndex(R"({"a\q": "0"})", f), common);
    EXPECT_ERROR(parseSentenceToIndex(R"({"\u12G4": "0"})", f), common);
    EXPECT_ERROR(parseSentenceToIndex(QByteArray("{\"a\xff\": \"0\"}"), f),
                 (common + QStringList{QStringLiteral("UTF-8"), QStringLiteral("0xff")}));
}

void TestActivationStore::roundTripFloat32AndOrder()
{
    std::vector<RowMatrixF> sentences;
    const QString p = writeStandard(QStringLiteral("f32.hdf5"), &sentences);
    QVERIFY(!QFileInfo::exists(p + QStringLiteral(".tmp")));
    const auto store = ActivationStore::open(p);
    const StoreInfo &in = store->info();
    QCOMPARE(in.format, QStringLiteral("hdf5"));
    QCOMPARE(in.path, p);
    QCOMPARE(in.sentences, Index(13));
    QCOMPARE(in.layers, 3);
    QCOMPARE(in.dims, 4);
    QCOMPARE(in.neurons(), 12);
    QCOMPARE(in.dtype, DType::Float32);
    QVERIFY(in.warnings.isEmpty());
    QCOMPARE(in.keys.size(), 13);
    Index total = 0;
    for (int s = 0; s < 13; ++s) {
        // Record order = integer order: record 10 is dataset "10", not "2" (alphabetical).
        QCOMPARE(in.keys[s], QStringLiteral("sentence number %1").arg(s));
        QCOMPARE(in.wordsPerSentence[size_t(s)], 1 + s % 5);
        total += 1 + s % 5;
        QCOMPARE(readAll(*store, s), sentences[size_t(s)]);
    }
    QCOMPARE(in.totalWords, total);

    // Raw check of the layout: dataset "10" is (L, T, D) float32 with data[l][t][d].
    const hid_t file = H5Fopen(QFile::encodeName(p).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    QVERIFY(file >= 0);
    const hid_t d = H5Dopen2(file, "10", H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    hsize_t dims[3] = {};
    QCOMPARE(H5Sget_simple_extent_ndims(space), 3);
    H5Sget_simple_extent_dims(space, dims, nullptr);
    QCOMPARE(dims[0], hsize_t(3));
    QCOMPARE(dims[1], hsize_t(1));
    QCOMPARE(dims[2], hsize_t(4));
    const hid_t type = H5Dget_type(d);
    QVERIFY(H5Tequal(type, H5T_IEEE_F32LE) > 0);
    std::vector<float> raw(12);
    QVERIFY(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) >= 0);
    for (int l = 0; l < 3; ++l)
        for (int dd = 0; dd < 4; ++dd)
            QCOMPARE(raw[size_t(l * 4 + dd)], sentences[10](0, l * 4 + dd));
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(file);

    // Overwriting an existing file works (atomic rename over it).
    writeNeuroxHdf5(p, 1, 2, {RowMatrixF::Ones(2, 2)}, {QStringLiteral("x")});
    QCOMPARE(ActivationStore::open(p)->info().sentences, Index(1));
}

void TestActivationStore::roundTripFloat16()
{
    std::vector<RowMatrixF> sentences;
    const QString p = writeStandard(QStringLiteral("f16.hdf5"), &sentences, DType::Float16);
    const auto store = ActivationStore::open(p);
    QCOMPARE(store->info().dtype, DType::Float16);
    QCOMPARE(store->info().sentences, Index(13));
    for (int s = 0; s < 13; ++s)
        QCOMPARE(readAll(*store, s), sentences[size_t(s)]);

    // The stored type is IEEE binary16 as h5py writes it.
    const hid_t file = H5Fopen(QFile::encodeName(p).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(file, "0", H5P_DEFAULT);
    const hid_t type = H5Dget_type(d);
    const hid_t half = makeHalf();
    QCOMPARE(H5Tget_size(type), size_t(2));
    QCOMPARE(H5Tget_ebias(type), size_t(15));
    QVERIFY(H5Tequal(type, half) > 0);
    H5Tclose(half);
    H5Tclose(type);
    H5Dclose(d);
    H5Fclose(file);
}

void TestActivationStore::float16SpecialValues()
{
    // Reading: raw half bit patterns converted by the store.
    const std::vector<std::uint16_t> bits = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00,
                                             0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555};
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> expected = {0.0f,
                                         -0.0f,
                                         std::ldexp(1.0f, -24),
                                         std::ldexp(1023.0f, -24),
                                         std::ldexp(1.0f, -14),
                                         1.0f,
                                         -2.0f,
                                         65504.0f,
                                         inf,
                                         -inf,
                                         std::numeric_limits<float>::quiet_NaN(),
                                         std::ldexp(float(0x155 + 1024), -12)};
    const QString p = path(QStringLiteral("half-special.hdf5"));
    {
        RawH5 h(p);
        const hid_t half = makeHalf();
        h.dataset("0", {1, hsize_t(bits.size()), 1}, half, half, bits.data());
        H5Tclose(half);
        h.string("sentence_to_index", R"({"s": "0"})", true, H5T_CSET_UTF8);
        QVERIFY(h.ok());
    }
    const auto store = ActivationStore::open(p);
    QCOMPARE(store->info().dtype, DType::Float16);
    const RowMatrixF m = readAll(*store, 0);
    for (size_t i = 0; i < bits.size(); ++i) {
        const float got = m(Index(i), 0);
        if (std::isnan(expected[i])) {
            QVERIFY2(std::isnan(got), qPrintable(QString::number(i)));
        } else {
            QVERIFY2(got == expected[i] && std::signbit(got) == std::signbit(expected[i]),
                     qPrintable(QStringLiteral("bits 0x%1: got %2, expected %3")
                                    .arg(bits[i], 4, 16, QLatin1Char('0'))
                                    .arg(double(got))
                                    .arg(double(expected[i]))));
        }
    }

    // Writing: float → half rounds to nearest even, overflows to inf, keeps NaN and -0.
    RowMatrixF w(1, 9);
    w << 1e-7f, 65504.0f, 65519.0f, 65520.0f, -1e6f, std::numeric_limits<float>::quiet_NaN(), -0.0f,
        1.0f + std::ldexp(1.0f, -11), 1.0f + 3 * std::ldexp(1.0f, -11);
    const QString q = path(QStringLiteral("half-write.hdf5"));
    writeNeuroxHdf5(q, 1, 9, {w}, {QStringLiteral("x")}, DType::Float16);
    const RowMatrixF r = readAll(*ActivationStore::open(q), 0);
    QCOMPARE(r(0, 0), std::ldexp(2.0f, -24)); // 1e-7 / 2^-24 = 1.68 → 2
    QCOMPARE(r(0, 1), 65504.0f);
    QCOMPARE(r(0, 2), 65504.0f); // below the rounding midpoint
    QCOMPARE(r(0, 3), inf);      // at the midpoint: rounds to even = overflow
    QCOMPARE(r(0, 4), -inf);
    QVERIFY(std::isnan(r(0, 5)));
    QVERIFY(r(0, 6) == 0.0f && std::signbit(r(0, 6)));
    QCOMPARE(r(0, 7), 1.0f);                             // tie → even (down)
    QCOMPARE(r(0, 8), 1.0f + 2 * std::ldexp(1.0f, -10)); // tie → even (up)
}

void TestActivationStore::duplicateAndNonAsciiSentences()
{
    const QStringList texts = {
        QString::fromUtf8("naïve café"),    QString::fromUtf8("😀 smile"),
        QString::fromUtf8("مرحبا بالعالم"), QString::fromUtf8("naïve café"),
        QString::fromUtf8("naïve café"),    QStringLiteral("a \"quoted\" \\ back\tslash\x7f")};
    std::vector<RowMatrixF> sentences;
    for (int s = 0; s < texts.size(); ++s)
        sentences.push_back(makeSentence(s, 2, 1, 3));
    const QString p = path(QStringLiteral("unicode.hdf5"));
    writeNeuroxHdf5(p, 1, 3, sentences, texts);

    // Exactly what Python's json.dumps writes for this dictionary.
    const QByteArray python =
        R"json({"na\u00efve caf\u00e9": "0", "\ud83d\ude00 smile": "1", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645": "2", "na\u00efve caf\u00e9 (Occurrence 2)": "3", "na\u00efve caf\u00e9 (Occurrence 3)": "4", "a \"quoted\" \\ back\tslash\u007f": "5"})json";
    {
        const hid_t file = H5Fopen(QFile::encodeName(p).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t d = H5Dopen2(file, "sentence_to_index", H5P_DEFAULT);
        const hid_t type = H5Dget_type(d);
        const hid_t space = H5Dget_space(d);
        QVERIFY(H5Tis_variable_str(type) > 0);
        QCOMPARE(H5Tget_cset(type), H5T_CSET_UTF8);
        QCOMPARE(H5Tget_strpad(type), H5T_STR_NULLTERM);
        QCOMPARE(H5Sget_simple_extent_ndims(space), 1);
        QCOMPARE(H5Sget_simple_extent_npoints(space), hssize_t(1));
        char *text = nullptr;
        QVERIFY(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
        const QByteArray got(text);
        H5Dvlen_reclaim(type, space, H5P_DEFAULT, &text);
        QCOMPARE(got, python);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(d);
        H5Fclose(file);
    }
    const auto store = ActivationStore::open(p);
    const QStringList keys = store->info().keys;
    QCOMPARE(keys.size(), 6);
    QCOMPARE(keys[0], texts[0]);
    QCOMPARE(keys[1], texts[1]);
    QCOMPARE(keys[2], texts[2]);
    QCOMPARE(keys[3], texts[0] + QStringLiteral(" (Occurrence 2)"));
    QCOMPARE(keys[4], texts[0] + QStringLiteral(" (Occurrence 3)"));
    QCOMPARE(keys[5], texts[5]);
    QCOMPARE(displaySentenceKey(keys[4]), texts[0]);
    for (int s = 0; s < 6; ++s)
        QCOMPARE(readAll(*store, s), sentences[size_t(s)]);
}

void TestActivationStore::layerSubsetIntoStridedBuffer()
{
    for (const DType dtype : {DType::Float32, DType::Float16}) {
        std::vector<RowMatrixF> sentences;
        const QString p = writeStandard(QStringLiteral("subset-%1.hdf5").arg(dtypeName(dtype)),
                                        &sentences, dtype);
        const auto store = ActivationStore::open(p);
        const Index s = 4; // 5 words
        const int T = 5, D = 4;
        const Index stride = 2 * D + 5; // rows land inside a wider matrix
        const float sentinel = -777.0f;
        std::vector<float> buf(size_t(T * stride + 3), sentinel);
        store->readSentence(s, buf.data() + 1, stride, {2, 0});
        const RowMatrixF &ref = sentences[size_t(s)];
        for (int t = 0; t < T; ++t) {
            for (int d = 0; d < D; ++d) {
                QCOMPARE(buf[size_t(1 + t * stride + d)], ref(t, 2 * D + d));
                QCOMPARE(buf[size_t(1 + t * stride + D + d)], ref(t, 0 * D + d));
            }
            for (Index c = 2 * D; c < stride; ++c) // padding untouched
                QCOMPARE(buf[size_t(1 + t * stride + c)], sentinel);
        }
        QCOMPARE(buf[0], sentinel);
        QCOMPARE(buf.back(), sentinel);
    }
}

// The three read paths (direct preadv for contiguous little-endian data, raw HDF5 read for
// chunked data, HDF5 conversion for big-endian data) give identical rows.
void TestActivationStore::readPathsAgree()
{
    const hsize_t L = 3, T = 5, D = 4;
    std::vector<float> v(size_t(L * T * D));
    for (hsize_t l = 0; l < L; ++l)
        for (hsize_t t = 0; t < T; ++t)
            for (hsize_t d = 0; d < D; ++d)
                v[size_t((l * T + t) * D + d)] = float(l) * 100 + float(t) + float(d) / 64;
    const hid_t chunked = H5Pcreate(H5P_DATASET_CREATE);
    const hsize_t chunk[3] = {1, 2, D};
    H5Pset_chunk(chunked, 3, chunk);
    struct Variant {
        const char *file;
        hid_t type;
        hid_t dcpl;
    };
    const Variant variants[] = {{"le-contiguous.hdf5", H5T_IEEE_F32LE, H5P_DEFAULT},
                                {"le-chunked.hdf5", H5T_IEEE_F32LE, chunked},
                                {"be-contiguous.hdf5", H5T_IEEE_F32BE, H5P_DEFAULT}};
    for (const Variant &var : variants) {
        const QString p = path(QString::fromLatin1(var.file));
        {
            RawH5 h(p);
            h.dataset("0", {L, T, D}, var.type, H5T_NATIVE_FLOAT, v.data(), var.dcpl);
            h.string("sentence_to_index", R"({"a b c d e": "0"})", true, H5T_CSET_UTF8);
            QVERIFY(h.ok());
        }
        const auto store = ActivationStore::open(p);
        const Index stride = 2 * Index(D) + 3;
        std::vector<float> out(size_t(T) * size_t(stride), -7.0f);
        store->readSentence(0, out.data(), stride, {2, 0});
        for (hsize_t t = 0; t < T; ++t)
            for (hsize_t d = 0; d < D; ++d) {
                QCOMPARE(out[size_t(t) * size_t(stride) + d], 200 + float(t) + float(d) / 64);
                QCOMPARE(out[size_t(t) * size_t(stride) + D + d], float(t) + float(d) / 64);
            }
        QCOMPARE(out[size_t(stride) - 1], -7.0f); // padding untouched
        const RowMatrixF all = readAll(*store, 0);
        QCOMPARE(all(4, 1 * D + 3), 100 + 4 + 3.0f / 64);
    }
    H5Pclose(chunked);
}

void TestActivationStore::stringVariantsAndIntegerValues()
{
    struct Case {
        const char *name;
        bool vlen;
        H5T_cset_t cset;
        bool scalar;
        QByteArray json;
    };
    const QByteArray utf8Json = QByteArray("{\"second caf\xc3\xa9\": 1, \"first\": 0}");
    const std::vector<Case> cases = {
        {"fixed-ascii.hdf5", false, H5T_CSET_ASCII, false, R"({"second": 1, "first": "0"})"},
        {"fixed-utf8.hdf5", false, H5T_CSET_UTF8, false, utf8Json},
        {"vlen-ascii-scalar.hdf5", true, H5T_CSET_ASCII, true, R"({"second": "1", "first": 0})"},
        {"vlen-utf8.hdf5", true, H5T_CSET_UTF8, false, utf8Json},
    };
    for (const Case &c : cases) {
        const QString p = path(QString::fromUtf8(c.name));
        {
            RawH5 h(p);
            h.floats("0", 2, 3, 4, 0.0f);
            h.floats("1", 2, 2, 4, 1000.0f);
            h.string("sentence_to_index", c.json, c.vlen, c.cset, c.scalar);
            QVERIFY(h.ok());
        }
        const auto store = ActivationStore::open(p);
        const StoreInfo &in = store->info();
        QCOMPARE(in.sentences, Index(2));
        // Records follow the JSON entry order: record 0 is dataset "1".
        QVERIFY2(in.keys[0].startsWith(QStringLiteral("second")), c.name);
        QCOMPARE(in.wordsPerSentence, (std::vector<int>{2, 3}));
        QCOMPARE(readAll(*store, 0)(1, 4 + 2), 1000.0f + 100 + 1 + 2.0f / 64);
        QCOMPARE(readAll(*store, 1)(2, 3), 2.0f + 3.0f / 64);
        if (c.json == utf8Json)
            QCOMPARE(in.keys[0], QString::fromUtf8("second café"));
    }
}

void TestActivationStore::missingSentenceToIndexFallback()
{
    const QString p = path(QStringLiteral("no-index.hdf5"));
    {
        RawH5 h(p);
        for (int s = 0; s < 12; ++s)
            h.floats(QByteArray::number(s).constData(), 2, 1 + s % 3, 3, float(s) * 1000);
        h.floats("extra_not_a_record", 1, 1, 1, 0); // ignored
        QVERIFY(h.ok());
    }
    const auto store = ActivationStore::open(p);
    const StoreInfo &in = store->info();
    QCOMPARE(in.sentences, Index(12));
    QVERIFY(in.keys.isEmpty());
    QCOMPARE(in.warnings.size(), 1);
    QVERIFY2(in.warnings[0].contains(QStringLiteral("NeuroX itself cannot read this file")),
             qPrintable(in.warnings[0]));
    QVERIFY(in.warnings[0].contains(p));
    for (int s = 0; s < 12; ++s) {
        QCOMPARE(in.wordsPerSentence[size_t(s)], 1 + s % 3);
        QCOMPARE(readAll(*store, s)(0, 0), float(s) * 1000); // integer order, not "0,1,10,11,2"
    }

    // A gap in the numeric names is an error naming the missing dataset.
    const QString g = path(QStringLiteral("no-index-gap.hdf5"));
    {
        RawH5 h(g);
        h.floats("0", 1, 1, 2, 0);
        h.floats("2", 1, 1, 2, 0);
    }
    EXPECT_ERROR(ActivationStore::open(g), (QStringList{g, QStringLiteral("'1' is missing")}));
}

void TestActivationStore::rootAttributesAsMetadata()
{
    const QString p = path(QStringLiteral("attrs.hdf5"));
    {
        RawH5 h(p);
        h.floats("0", 2, 2, 2, 0);
        h.string("sentence_to_index", R"({"a": "0"})", true, H5T_CSET_UTF8);
        h.stringAttribute("model", "stories260K.bin");
        const long long six = 6;
        h.attribute("num_layers", H5T_STD_I64LE, &six);
        const double half = 0.5;
        h.attribute("temperature", H5T_IEEE_F64LE, &half);
        QVERIFY(h.ok());
    }
    const auto store = ActivationStore::open(p);
    const QStringList md = store->info().metadata;
    QVERIFY2(md.contains(QStringLiteral("model=stories260K.bin")), qPrintable(md.join(u'|')));
    QVERIFY2(md.contains(QStringLiteral("num_layers=6")), qPrintable(md.join(u'|')));
    QVERIFY2(md.contains(QStringLiteral("temperature=0.5")), qPrintable(md.join(u'|')));
    QVERIFY(store->info().warnings.isEmpty());
}

void TestActivationStore::jsonLinesRoundTrip()
{
    const int L = 2, D = 3;
    const QList<QStringList> tokens = {
        {QStringLiteral("The"), QStringLiteral("cat")},
        {QString::fromUtf8("naïve"), QStringLiteral("q\\\"x")}, // JSON-escaped in the file
        {},
        {QStringLiteral("The"), QStringLiteral("cat")},
    };
    std::vector<RowMatrixF> sentences;
    QByteArray text;
    for (int s = 0; s < tokens.size(); ++s) {
        sentences.push_back(makeSentence(s, int(tokens[s].size()), L, D));
        text += jsonLine(s, tokens[s], sentences.back(), L, D);
    }
    // Python-style non-finite and 8-decimal values, in a final record without a newline.
    text += R"({"features": [{"layers": [{"values": [NaN, -Infinity, 0.12345679]}, )"
            R"({"values": [1e999, -0.0, 1E-3]}], "token": "z"}], "linex_index": 4})";
    const QString p = path(QStringLiteral("acts.jsonl"));
    QVERIFY(writeFile(p, text));

    std::vector<double> fractions;
    const auto store = ActivationStore::open(p, [&](double f) {
        fractions.push_back(f);
        return true;
    });
    const StoreInfo &in = store->info();
    QCOMPARE(in.format, QStringLiteral("jsonl"));
    QCOMPARE(in.sentences, Index(5));
    QCOMPARE(in.layers, L);
    QCOMPARE(in.dims, D);
    QCOMPARE(in.dtype, DType::Float32);
    QCOMPARE(in.wordsPerSentence, (std::vector<int>{2, 2, 0, 2, 1}));
    QCOMPARE(in.totalWords, Index(7));
    QCOMPARE(in.keys[0], QStringLiteral("The cat"));
    QCOMPARE(in.keys[1], QString::fromUtf8("naïve q\"x"));
    QCOMPARE(in.keys[3], QStringLiteral("The cat (Occurrence 2)"));
    QVERIFY2(in.warnings.isEmpty(), qPrintable(in.warnings.join(u'|')));
    QVERIFY(!fractions.empty());
    QCOMPARE(fractions.back(), 1.0);
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    for (int s = 0; s < 4; ++s)
        QCOMPARE(readAll(*store, s), sentences[size_t(s)]);
    const RowMatrixF last = readAll(*store, 4);
    QVERIFY(std::isnan(last(0, 0)));
    QCOMPARE(last(0, 1), -std::numeric_limits<float>::infinity());
    QCOMPARE(last(0, 2), float(0.12345679)); // via double, as NeuroX does
    QCOMPARE(last(0, 3), std::numeric_limits<float>::infinity());
    QVERIFY(last(0, 4) == 0.0f && std::signbit(last(0, 4)));
    QCOMPARE(last(0, 5), float(1e-3));

    // Layer subset into a strided buffer works the same way as for HDF5.
    std::vector<float> buf(size_t(2 * 4), -1.0f);
    store->readSentence(1, buf.data(), 4, {1});
    QCOMPARE(buf[0], sentences[1](0, D));
    QCOMPARE(buf[3], -1.0f);
    QCOMPARE(buf[4 + 2], sentences[1](1, D + 2));

    // Cancelling stops the pass with an error.
    EXPECT_ERROR(ActivationStore::open(p, [](double) { return false; }),
                 (QStringList{p, QStringLiteral("cancelled")}));

    // A linex_index that disagrees with the line position only warns.
    const QString q = path(QStringLiteral("acts-index.jsonl"));
    QVERIFY(writeFile(q, jsonLine(7, {QStringLiteral("a")}, makeSentence(0, 1, L, D), L, D)
                             + "\n   \n"));
    const auto warned = ActivationStore::open(q);
    QCOMPARE(warned->info().sentences, Index(1));
    QCOMPARE(warned->info().warnings.size(), 2); // linex_index, blank line
}

void TestActivationStore::decomposedFiles()
{
    const int L = 3, D = 4;
    std::vector<RowMatrixF> full;
    QStringList texts;
    for (int s = 0; s < 5; ++s) {
        full.push_back(makeSentence(s, 1 + s % 3, L, D));
        texts.append(QStringLiteral("s%1").arg(s));
    }
    QStringList files;
    for (int l = 0; l < L; ++l) {
        std::vector<RowMatrixF> one;
        for (const RowMatrixF &m : full)
            one.push_back(m.middleCols(l * D, D));
        files.append(path(QStringLiteral("base-layer%1.hdf5").arg(l)));
        writeNeuroxHdf5(files.back(), 1, D, one, texts);
    }
    const auto store = ActivationStore::openDecomposed({files[2], files[0], files[1]});
    const StoreInfo &in = store->info();
    QCOMPARE(in.format, QStringLiteral("decomposed"));
    QCOMPARE(in.layers, 3);
    QCOMPARE(in.dims, D);
    QCOMPARE(in.sentences, Index(5));
    QCOMPARE(in.keys, texts);
    for (int s = 0; s < 5; ++s) {
        const RowMatrixF m = readAll(*store, s);
        QCOMPARE(RowMatrixF(m.middleCols(0, D)), RowMatrixF(full[size_t(s)].middleCols(2 * D, D)));
        QCOMPARE(RowMatrixF(m.middleCols(D, D)), RowMatrixF(full[size_t(s)].middleCols(0, D)));
        QCOMPARE(RowMatrixF(m.middleCols(2 * D, D)), RowMatrixF(full[size_t(s)].middleCols(D, D)));
    }
    // Subset of the combined layers (store layer 2 = file layer1) into a strided buffer.
    std::vector<float> buf(size_t(3 * 10), 0.0f);
    store->readSentence(2, buf.data(), 10, {2});
    QCOMPARE(buf[size_t(10 + 1)], full[2](1, D + 1));

    // Different words per record, different record counts, different sentences: errors.
    std::vector<RowMatrixF> other;
    for (int s = 0; s < 5; ++s)
        other.push_back(makeSentence(s, s == 3 ? 7 : 1 + s % 3, 1, D));
    const QString bad = path(QStringLiteral("base-bad.hdf5"));
    writeNeuroxHdf5(bad, 1, D, other, texts);
    EXPECT_ERROR(
        ActivationStore::openDecomposed({files[0], bad}),
        (QStringList{files[0], bad, QStringLiteral("record 3 has 1 words"), QStringLiteral("7")}));
    const QString shorter = path(QStringLiteral("base-short.hdf5"));
    writeNeuroxHdf5(shorter, 1, D, {makeSentence(0, 1, 1, D)}, {QStringLiteral("s0")});
    EXPECT_ERROR(ActivationStore::openDecomposed({files[0], shorter}),
                 (QStringList{shorter, QStringLiteral("5 and 1 sentences")}));
    std::vector<RowMatrixF> layer0;
    for (const RowMatrixF &m : full)
        layer0.push_back(m.middleCols(0, D));
    QStringList renamed = texts;
    renamed[4] = QStringLiteral("other");
    const QString diffKeys = path(QStringLiteral("base-keys.hdf5"));
    writeNeuroxHdf5(diffKeys, 1, D, layer0, renamed);
    EXPECT_ERROR(ActivationStore::openDecomposed({files[0], diffKeys}),
                 (QStringList{QStringLiteral("record 4"), QStringLiteral("\"other\"")}));
    EXPECT_ERROR(ActivationStore::openDecomposed({}), (QStringList{QStringLiteral("no files")}));
}

void TestActivationStore::memoryStore()
{
    std::vector<RowMatrixF> sentences = {makeSentence(0, 3, 2, 2), makeSentence(1, 0, 2, 2)};
    MemoryStore store(2, 2, sentences, {QStringLiteral("a"), QStringLiteral("b")});
    QCOMPARE(store.info().format, QStringLiteral("memory"));
    QCOMPARE(store.info().sentences, Index(2));
    QCOMPARE(store.info().totalWords, Index(3));
    QCOMPARE(store.info().wordsPerSentence, (std::vector<int>{3, 0}));
    QCOMPARE(readAll(store, 0), sentences[0]);
    QCOMPARE(store.sentence(0), sentences[0]);
    std::vector<float> buf(3 * 5, 9.0f);
    store.readSentence(0, buf.data(), 5, {1});
    QCOMPARE(buf[5 + 1], sentences[0](1, 3));
    QCOMPARE(buf[5 + 2], 9.0f);
    store.readSentence(1, nullptr, 4); // zero words: nothing to write

    EXPECT_ERROR(MemoryStore(2, 3, {makeSentence(0, 3, 2, 2)}),
                 (QStringList{QStringLiteral("sentence 0"), QStringLiteral("3 × 4"),
                              QStringLiteral("words × 6")}));
    EXPECT_ERROR(MemoryStore(0, 3, {}), (QStringList{QStringLiteral("0 layers")}));
    EXPECT_ERROR(MemoryStore(2, 2, sentences, {QStringLiteral("only one")}),
                 (QStringList{QStringLiteral("1 keys")}));
}

void TestActivationStore::writerValidation()
{
    const QString p = path(QStringLiteral("never.hdf5"));
    EXPECT_ERROR(writeNeuroxHdf5(p, 2, 3, {RowMatrixF::Zero(2, 5)}, {QStringLiteral("x")}),
                 (QStringList{p, QStringLiteral("sentence 0"), QStringLiteral("words × 6")}));
    EXPECT_ERROR(writeNeuroxHdf5(p, 2, 3, {RowMatrixF::Zero(2, 6)}, {}),
                 (QStringList{p, QStringLiteral("found 0 texts")}));
    EXPECT_ERROR(writeNeuroxHdf5(p, 2, 3, {}, {}), (QStringList{p, QStringLiteral("none")}));
    const QString noDir = path(QStringLiteral("no/such/dir/x.hdf5"));
    EXPECT_ERROR(writeNeuroxHdf5(noDir, 1, 1, {RowMatrixF::Zero(1, 1)}, {QStringLiteral("x")}),
                 (QStringList{noDir}));
    QVERIFY(!QFileInfo::exists(p));

    // Zero-word sentences are legal records.
    const QString z = path(QStringLiteral("zero-words.hdf5"));
    writeNeuroxHdf5(z, 2, 3, {RowMatrixF::Zero(0, 6), RowMatrixF::Ones(1, 6)},
                    {QStringLiteral("empty"), QStringLiteral("one")});
    const auto store = ActivationStore::open(z);
    QCOMPARE(store->info().wordsPerSentence, (std::vector<int>{0, 1}));
    QCOMPARE(readAll(*store, 1), RowMatrixF(RowMatrixF::Ones(1, 6)));
}

void TestActivationStore::errorFileSystem()
{
    const QString missing = path(QStringLiteral("missing.hdf5"));
    EXPECT_ERROR(ActivationStore::open(missing),
                 (QStringList{missing, QStringLiteral("does not exist")}));
    EXPECT_ERROR(ActivationStore::open(m_dir.path()),
                 (QStringList{m_dir.path(), QStringLiteral("directory")}));
    const QString empty = path(QStringLiteral("empty.hdf5"));
    QVERIFY(writeFile(empty, {}));
    EXPECT_ERROR(ActivationStore::open(empty),
                 (QStringList{empty, QStringLiteral("empty"), QStringLiteral("0 bytes")}));
    EXPECT_ERROR(ActivationStore::open(QString()), (QStringList{QStringLiteral("no file name")}));
}

void TestActivationStore::errorNotActivations()
{
    const QString garbage = path(QStringLiteral("garbage.hdf5"));
    QVERIFY(
        writeFile(garbage, QByteArray("GIF89a\x00\x01\x02 this is not an activation file\n", 40)));
    EXPECT_ERROR(
        ActivationStore::open(garbage),
        (QStringList{garbage, QStringLiteral("no HDF5 signature"), QStringLiteral("47 49 46 38")}));
    const QString spaces = path(QStringLiteral("spaces.json"));
    QVERIFY(writeFile(spaces, "  \n\n  "));
    EXPECT_ERROR(ActivationStore::open(spaces),
                 (QStringList{spaces, QStringLiteral("whitespace")}));
}

void TestActivationStore::errorTruncatedHdf5()
{
    const QString whole = writeStandard(QStringLiteral("whole.hdf5"));
    const QByteArray bytes = readFile(whole);
    QVERIFY(bytes.size() > 2000);
    const QString half = path(QStringLiteral("half.hdf5"));
    QVERIFY(writeFile(half, bytes.left(bytes.size() / 2)));
    EXPECT_ERROR(ActivationStore::open(half), (QStringList{half, QStringLiteral("truncated")}));
    const QString tiny = path(QStringLiteral("tiny.hdf5"));
    QVERIFY(writeFile(tiny, bytes.left(20)));
    EXPECT_ERROR(ActivationStore::open(tiny), (QStringList{tiny, QStringLiteral("HDF5")}));
}

void TestActivationStore::errorDatasets()
{
    const hid_t f32 = H5T_IEEE_F32LE;
    auto fixture = [this](const QString &name, const std::function<void(RawH5 &)> &fill) {
        const QString p = path(name);
        RawH5 h(p);
        fill(h);
        return p;
    };
    const QString missing = fixture(QStringLiteral("missing-ds.hdf5"), [](RawH5 &h) {
        h.floats("0", 1, 2, 3, 0);
        h.string("sentence_to_index", R"({"first": "0", "second one": "1"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(missing),
                 (QStringList{missing, QStringLiteral("dataset '1' is missing"),
                              QStringLiteral("second one")}));

    const QString rank2 = fixture(QStringLiteral("rank2.hdf5"), [&](RawH5 &h) {
        h.floats("0", 1, 2, 3, 0);
        const std::vector<float> v(32, 1.0f);
        h.dataset("1", {4, 8}, f32, H5T_NATIVE_FLOAT, v.data());
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(rank2),
                 (QStringList{rank2, QStringLiteral("dataset '1'"), QStringLiteral("rank 3"),
                              QStringLiteral("rank 2"), QStringLiteral("(4, 8)")}));

    const QString otherD = fixture(QStringLiteral("other-d.hdf5"), [](RawH5 &h) {
        h.floats("0", 2, 3, 4, 0);
        h.floats("1", 2, 3, 5, 0);
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(otherD),
                 (QStringList{otherD, QStringLiteral("dataset '1'"), QStringLiteral("4 dims"),
                              QStringLiteral("(2, 3, 5)")}));
    const QString otherL = fixture(QStringLiteral("other-l.hdf5"), [](RawH5 &h) {
        h.floats("0", 2, 3, 4, 0);
        h.floats("1", 3, 3, 4, 0);
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(otherL),
                 (QStringList{otherL, QStringLiteral("dataset '1'"), QStringLiteral("2 layers"),
                              QStringLiteral("(3, 3, 4)")}));

    const QString int32 = fixture(QStringLiteral("int32.hdf5"), [](RawH5 &h) {
        const std::vector<int> v(6, 1);
        h.dataset("0", {1, 2, 3}, H5T_STD_I32LE, H5T_NATIVE_INT, v.data());
        h.string("sentence_to_index", R"({"a": "0"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(int32),
                 (QStringList{int32, QStringLiteral("dataset '0'"), QStringLiteral("found int32"),
                              QStringLiteral("float32 or float16")}));
    const QString f64 = fixture(QStringLiteral("float64.hdf5"), [](RawH5 &h) {
        h.floats("0", 1, 2, 3, 0);
        const std::vector<double> v(6, 1.0);
        h.dataset("1", {1, 2, 3}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data());
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(f64), (QStringList{f64, QStringLiteral("dataset '1'"),
                                                          QStringLiteral("found float64")}));

    const QString gap = fixture(QStringLiteral("gap.hdf5"), [](RawH5 &h) {
        h.floats("0", 1, 2, 3, 0);
        h.floats("2", 1, 2, 3, 0);
        h.string("sentence_to_index", R"({"a": "0", "b": "2"})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(gap),
                 (QStringList{gap, QStringLiteral("gap"), QStringLiteral("'1'")}));
    const QString dup = fixture(QStringLiteral("dup.hdf5"), [](RawH5 &h) {
        h.floats("0", 1, 2, 3, 0);
        h.string("sentence_to_index", R"({"a": "0", "b": 0})", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(dup), (QStringList{dup, QStringLiteral("two sentences")}));

    const QString zero = fixture(QStringLiteral("zero.hdf5"), [](RawH5 &h) {
        h.string("sentence_to_index", "{}", true, H5T_CSET_UTF8);
    });
    EXPECT_ERROR(ActivationStore::open(zero), (QStringList{zero, QStringLiteral("no sentences")}));
    const QString nothing = fixture(QStringLiteral("nothing.hdf5"), [](RawH5 &) {});
    EXPECT_ERROR(ActivationStore::open(nothing),
                 (QStringList{nothing, QStringLiteral("no sentences")}));
}

void TestActivationStore::errorAbsurdSizes()
{
    // A header claiming 10^12 words on a never-written (late-allocated) dataset.
    const QString huge = path(QStringLiteral("huge.hdf5"));
    {
        RawH5 h(huge);
        h.floats("0", 1, 2, 4, 0);
        h.dataset("1", {1, 1000000000000ull, 4}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nullptr);
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
        QVERIFY(h.ok());
    }
    EXPECT_ERROR(ActivationStore::open(huge),
                 (QStringList{huge, QStringLiteral("dataset '1'"), QStringLiteral("Implausible"),
                              QStringLiteral("1000000000000")}));

    // A plausible shape whose contiguous data was never written.
    const QString unwritten = path(QStringLiteral("unwritten.hdf5"));
    {
        RawH5 h(unwritten);
        h.dataset("0", {2, 1000, 64}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nullptr);
        h.string("sentence_to_index", R"({"a": "0"})", true, H5T_CSET_UTF8);
        QVERIFY(h.ok());
    }
    EXPECT_ERROR(ActivationStore::open(unwritten),
                 (QStringList{unwritten, QStringLiteral("dataset '0'"),
                              QStringLiteral("512000 bytes"), QStringLiteral("only 0 bytes")}));

    // Chunked, never-written datasets that are each allowed but together claim > 2^40 values.
    const QString total = path(QStringLiteral("total.hdf5"));
    {
        RawH5 h(total);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        const hsize_t chunk[3] = {1, 1024, 256};
        H5Pset_chunk(dcpl, 3, chunk);
        QByteArray json = "{";
        for (int s = 0; s < 257; ++s) {
            const QByteArray name = QByteArray::number(s);
            h.dataset(name.constData(), {1, hsize_t(1) << 24, 256}, H5T_IEEE_F32LE,
                      H5T_NATIVE_FLOAT, nullptr, dcpl);
            json += (s ? ", \"s" : "\"s") + name + "\": \"" + name + "\"";
        }
        H5Pclose(dcpl);
        h.string("sentence_to_index", json + "}", true, H5T_CSET_UTF8);
        QVERIFY(h.ok());
    }
    QElapsedTimer timer;
    timer.start();
    EXPECT_ERROR(ActivationStore::open(total),
                 (QStringList{total, QStringLiteral("Implausible size"), QStringLiteral("'256'")}));
    QVERIFY(timer.elapsed() < 5000);
}

void TestActivationStore::errorSentenceToIndex()
{
    const QString bad = path(QStringLiteral("bad-json.hdf5"));
    {
        RawH5 h(bad);
        h.floats("0", 1, 2, 3, 0);
        h.string("sentence_to_index", R"({"a": "0", "b" "1"})", true, H5T_CSET_UTF8);
    }
    EXPECT_ERROR(
        ActivationStore::open(bad),
        (QStringList{bad, QStringLiteral("Invalid JSON"), QStringLiteral("sentence_to_index"),
                     QStringLiteral("byte 15"), QStringLiteral("found '\"'")}));
    const QString notString = path(QStringLiteral("index-not-string.hdf5"));
    {
        RawH5 h(notString);
        h.floats("0", 1, 2, 3, 0);
        const int v = 0;
        h.dataset("sentence_to_index", {1}, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
    }
    EXPECT_ERROR(ActivationStore::open(notString),
                 (QStringList{notString, QStringLiteral("sentence_to_index"),
                              QStringLiteral("expected a string"), QStringLiteral("int32")}));
}

void TestActivationStore::errorJsonLines()
{
    const int L = 2, D = 3;
    const QByteArray good0 = jsonLine(0, {QStringLiteral("a")}, makeSentence(0, 1, L, D), L, D);
    const QByteArray good1 = jsonLine(1, {QStringLiteral("b")}, makeSentence(1, 1, L, D), L, D);
    auto file = [this](const QString &name, const QByteArray &bytes) {
        const QString p = path(name);
        return writeFile(p, bytes) ? p : QString();
    };
    const QString invalid =
        file(QStringLiteral("invalid.jsonl"), good0 + good1
                                                  + R"({"features": [{"token": "x", "layers": [}]})"
                                                    "\n");
    EXPECT_ERROR(ActivationStore::open(invalid),
                 (QStringList{invalid, QStringLiteral("Invalid JSON"), QStringLiteral("line 3"),
                              QStringLiteral("column 41")}));
    const QString layers =
        file(QStringLiteral("layers.jsonl"),
             good0 + jsonLine(1, {QStringLiteral("b")}, makeSentence(1, 1, 1, D), 1, D));
    EXPECT_ERROR(ActivationStore::open(layers),
                 (QStringList{layers, QStringLiteral("line 2"), QStringLiteral("expected 2 layers"),
                              QStringLiteral("found 1")}));
    const QString values =
        file(QStringLiteral("values.jsonl"),
             good0 + jsonLine(1, {QStringLiteral("b")}, makeSentence(1, 1, L, 2), L, 2));
    EXPECT_ERROR(ActivationStore::open(values),
                 (QStringList{values, QStringLiteral("line 2"), QStringLiteral("expected 3 values"),
                              QStringLiteral("found 2")}));
    const QString nonUtf8 =
        file(QStringLiteral("latin1.jsonl"),
             good0 + QByteArray("{\"features\": [{\"token\": \"caf\xe9\"}]}\n"));
    EXPECT_ERROR(ActivationStore::open(nonUtf8),
                 (QStringList{nonUtf8, QStringLiteral("line 2"), QStringLiteral("UTF-8"),
                              QStringLiteral("0xe9"), QStringLiteral("column 29")}));
    const QString noFeatures = file(QStringLiteral("nofeatures.jsonl"), "{\"linex_index\": 0}\n");
    EXPECT_ERROR(
        ActivationStore::open(noFeatures),
        (QStringList{noFeatures, QStringLiteral("line 1"), QStringLiteral("\"features\"")}));
    const QString firstLine = file(QStringLiteral("first.json"), "{not json}\n");
    EXPECT_ERROR(ActivationStore::open(firstLine), (QStringList{firstLine, QStringLiteral("line 1"),
                                                                QStringLiteral("Invalid JSON")}));
    const QString noTokens = file(QStringLiteral("notokens.jsonl"), "{\"features\": []}\n");
    EXPECT_ERROR(ActivationStore::open(noTokens),
                 (QStringList{noTokens, QStringLiteral("no tokens")}));
}

void TestActivationStore::errorReadArguments()
{
    const QString p = writeStandard(QStringLiteral("args.hdf5"));
    const auto store = ActivationStore::open(p);
    std::vector<float> buf(100);
    EXPECT_ERROR(store->readSentence(13, buf.data(), 12),
                 (QStringList{p, QStringLiteral("sentence 13"), QStringLiteral("0..12")}));
    EXPECT_ERROR(store->readSentence(0, buf.data(), 12, {3}),
                 (QStringList{p, QStringLiteral("layer 3"), QStringLiteral("0..2")}));
    EXPECT_ERROR(store->readSentence(0, buf.data(), 7, {0, 1}),
                 (QStringList{p, QStringLiteral("stride 7"), QStringLiteral("8 values")}));
    EXPECT_ERROR(store->readSentence(1, nullptr, 12),
                 (QStringList{p, QStringLiteral("no output")}));

    // The file changing under an open store becomes an error naming the dataset, not a crash.
    const QString q = path(QStringLiteral("changes.hdf5"));
    writeNeuroxHdf5(q, 1, 2, {RowMatrixF::Ones(3, 2)}, {QStringLiteral("x")});
    const auto changing = ActivationStore::open(q);
    const QString moved = q + QStringLiteral(".moved");
    QVERIFY(QFile::rename(q, moved));
    RowMatrixF m(3, 2);
    changing->readSentence(0, m.data(), 2); // the open file handle still works after a rename
    QCOMPARE(m, RowMatrixF(RowMatrixF::Ones(3, 2)));
}

void TestActivationStore::hdf5NeverPrints()
{
    // Redirect stderr to a file while HDF5 fails in this thread and in a fresh thread.
    const QString half = path(QStringLiteral("print-half.hdf5"));
    const QByteArray bytes = readFile(writeStandard(QStringLiteral("print-whole.hdf5")));
    QVERIFY(writeFile(half, bytes.left(bytes.size() / 2)));
    const QString log = path(QStringLiteral("stderr.log"));
    std::fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    FILE *sink = std::fopen(QFile::encodeName(log).constData(), "w");
    QVERIFY(sink != nullptr);
    dup2(fileno(sink), STDERR_FILENO);
    QString inMain, inThread;
    inMain = errorOf([&] { (void)ActivationStore::open(half); });
    std::thread worker([&] {
        inThread = errorOf([&] { (void)ActivationStore::open(half); });
        // Also a failing write from a thread that never called HDF5 before.
        (void)errorOf([&] {
            writeNeuroxHdf5(path(QStringLiteral("no/dir/x.hdf5")), 1, 1, {RowMatrixF::Zero(1, 1)},
                            {QStringLiteral("x")});
        });
    });
    worker.join();
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::fclose(sink);
    QVERIFY(inMain.contains(QStringLiteral("truncated")));
    QVERIFY(inThread.contains(QStringLiteral("truncated")));
    const QByteArray printed = readFile(log);
    QVERIFY2(printed.isEmpty(), printed.left(400).constData());
}

void TestActivationStore::hdf5HandlesAreClosed()
{
    const auto open = [] { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); };
    QCOMPARE(open(), ssize_t(0));
    const QString p = writeStandard(QStringLiteral("handles.hdf5"));
    QCOMPARE(open(), ssize_t(0));
    {
        const auto store = ActivationStore::open(p);
        (void)readAll(*store, 3);
        QCOMPARE(open(), ssize_t(1)); // only the file itself stays open
    }
    QCOMPARE(open(), ssize_t(0));
    // Error paths close everything too.
    const QString half = path(QStringLiteral("handles-half.hdf5"));
    const QByteArray bytes = readFile(p);
    QVERIFY(writeFile(half, bytes.left(bytes.size() / 2)));
    const QString bad = path(QStringLiteral("handles-bad.hdf5"));
    {
        RawH5 h(bad);
        h.floats("0", 1, 2, 3, 0);
        const std::vector<double> v(6, 1.0);
        h.dataset("1", {1, 2, 3}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data());
        h.dataset("2", {2, 1000, 64}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nullptr);
        h.string("sentence_to_index", R"({"a": "0", "b": "1"})", true, H5T_CSET_UTF8);
    }
    QCOMPARE(open(), ssize_t(0));
    QVERIFY(
        errorOf([&] { (void)ActivationStore::open(half); }).contains(QStringLiteral("truncated")));
    QVERIFY(errorOf([&] { (void)ActivationStore::open(bad); }).contains(QStringLiteral("float64")));
    (void)errorOf([&] {
        writeNeuroxHdf5(path(QStringLiteral("no/dir/x.hdf5")), 1, 1, {RowMatrixF::Zero(1, 1)},
                        {QStringLiteral("x")});
    });
    QCOMPARE(open(), ssize_t(0));
}

void TestActivationStore::realDevFile()
{
    SALIENT_REQUIRE_SHARED(file, "data/stories260K.ptb.dev.hdf5");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    const auto store = ActivationStore::open(file);
    const StoreInfo &in = store->info();
    QCOMPARE(in.format, QStringLiteral("hdf5"));
    QCOMPARE(in.sentences, Index(250));
    QCOMPARE(in.layers, 6);
    QCOMPARE(in.dims, 64);
    QCOMPARE(in.neurons(), 384);
    QCOMPARE(in.dtype, DType::Float32);
    QCOMPARE(in.totalWords, Index(6258));
    QVERIFY(in.warnings.isEmpty());
    QVERIFY2(in.metadata.contains(QStringLiteral("model=stories260K.bin")),
             qPrintable(in.metadata.join(u'|')));
    QVERIFY(in.metadata.contains(QStringLiteral("num_layers=6")));
    QVERIFY(in.metadata.contains(QStringLiteral("hidden_dim=64")));

    // Line i of the words file is record i: keys are the line texts, T = tokens on the line.
    const QList<QByteArray> lines = readFile(words).split('\n');
    QVERIFY(lines.size() >= 250);
    for (int s = 0; s < 250; ++s) {
        const QString line = QString::fromUtf8(lines[s]);
        QCOMPARE(displaySentenceKey(in.keys[s]), line);
        QCOMPARE(in.wordsPerSentence[size_t(s)], int(line.split(QLatin1Char(' ')).size()));
    }

    // Full reads are finite; a layer subset read agrees with the full read.
    for (Index s = 0; s < in.sentences; ++s) {
        const RowMatrixF m = readAll(*store, s);
        QVERIFY(m.allFinite());
        if (s % 50 == 0) {
            RowMatrixF sub(m.rows(), 2 * 64);
            store->readSentence(s, sub.data(), sub.cols(), {5, 1});
            QCOMPARE(RowMatrixF(sub.leftCols(64)), RowMatrixF(m.middleCols(5 * 64, 64)));
            QCOMPARE(RowMatrixF(sub.rightCols(64)), RowMatrixF(m.middleCols(64, 64)));
        }
    }
    // Layers differ (embeddings are not block outputs), so the layer mapping is not a no-op.
    const RowMatrixF first = readAll(*store, 0);
    QVERIFY(first.middleCols(0, 64) != first.middleCols(64, 64));
}

void TestActivationStore::realTrainOpenIsLazy()
{
    SALIENT_REQUIRE_SHARED(file, "data/stories260K.ptb.train.hdf5");
    QElapsedTimer timer;
    timer.start();
    const auto store = ActivationStore::open(file);
    const qint64 ms = timer.elapsed();
    qInfo("opened %s (%lld bytes) in %lld ms", qPrintable(file), QFileInfo(file).size(), ms);
    QVERIFY2(ms < 3000, qPrintable(QStringLiteral("open took %1 ms").arg(ms)));
    const StoreInfo &in = store->info();
    QCOMPARE(in.sentences, Index(1000));
    QCOMPARE(in.totalWords, Index(23551));
    QCOMPARE(in.layers, 6);
    QCOMPARE(in.dims, 64);
    const auto dups = std::count_if(in.keys.begin(), in.keys.end(), [](const QString &k) {
        return k.endsWith(QStringLiteral(" (Occurrence 2)"));
    });
    QCOMPARE(int(dups), 1);
}

QTEST_GUILESS_MAIN(TestActivationStore)
#include "tst_activationstore.moc"
