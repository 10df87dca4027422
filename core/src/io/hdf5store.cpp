// NeuroX HDF5 activation files (spec/NEUROX.md §2.2, §2.5, §3.1): the lazy reader's
// open, metadata and validation. Record reads are in hdf5read.cpp, the writer in hdf5writer.cpp.
//
// Contracts kept here:
// - HDF5 never prints: every entry point first silences the automatic error printing of the
//   calling thread (the error stack is per thread) and turns failures into salient::Error.
// - Every hid_t is owned by a Hid and closed on every path.
// - open() reads metadata only (sentence_to_index, shapes and types, root attributes).
#include "io/hdf5reader_p.h"
#include "salient/util/atomicfile.h"
#include "salient/util/float16.h"

#include <QFile>

#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <hdf5.h>
#include <limits>
#include <mutex>
#include <sys/uio.h>
#include <unistd.h>

namespace salient::detail {

/// The innermost message of the calling thread's HDF5 error stack (then cleared), for errors.
QString hdf5Reason()
{
    QString reason;
    auto walker = [](unsigned, const H5E_error2_t *err, void *data) -> herr_t {
        auto *out = static_cast<QString *>(data);
        if (out->isEmpty() && err && err->desc && *err->desc)
            *out = QString::fromUtf8(err->desc);
        return 0;
    };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walker, &reason);
    H5Eclear2(H5E_DEFAULT);
    return reason.isEmpty() ? QStringLiteral("no details") : reason;
}

/// Builds an IEEE 754 binary16 little-endian type (H5T_IEEE_F16LE does not exist in 1.10).
Hid makeHalfType()
{
    Hid t = typeId(H5Tcopy(H5T_IEEE_F32LE));
    if (!t.valid() || H5Tset_fields(t.get(), 15, 10, 5, 0, 10) < 0 || H5Tset_size(t.get(), 2) < 0
        || H5Tset_ebias(t.get(), 15) < 0)
        throw Error(QStringLiteral("Cannot build the HDF5 float16 type (HDF5 reports: %1).")
                        .arg(hdf5Reason()));
    return t;
}

namespace {

// Sanity bounds, checked on the shapes before anything is allocated or read.
constexpr hsize_t kMaxLayers = hsize_t(1) << 16;
constexpr hsize_t kMaxDims = hsize_t(1) << 20;
constexpr hsize_t kMaxWordsPerSentence = hsize_t(1) << 24;
constexpr hsize_t kMaxValuesPerSentence = hsize_t(1) << 32; // 16 GiB as float32
constexpr hsize_t kMaxTotalValues = hsize_t(1) << 40;
constexpr size_t kMaxJsonBytes = size_t(1) << 30;

/// Human-readable HDF5 element type: "float32", "int32", "uint8", "string", ...
QString describeType(hid_t type)
{
    const size_t bits = H5Tget_size(type) * 8;
    switch (H5Tget_class(type)) {
    case H5T_INTEGER:
        return QStringLiteral("%1int%2")
            .arg(H5Tget_sign(type) == H5T_SGN_NONE ? QStringLiteral("u") : QString())
            .arg(bits);
    case H5T_FLOAT:
        return QStringLiteral("float%1").arg(bits);
    case H5T_STRING:
        return QStringLiteral("string");
    case H5T_BITFIELD:
        return QStringLiteral("bitfield%1").arg(bits);
    case H5T_OPAQUE:
        return QStringLiteral("opaque");
    case H5T_COMPOUND:
        return QStringLiteral("compound");
    case H5T_REFERENCE:
        return QStringLiteral("reference");
    case H5T_ENUM:
        return QStringLiteral("enum");
    case H5T_VLEN:
        return QStringLiteral("variable-length sequence");
    case H5T_ARRAY:
        return QStringLiteral("array");
    default:
        return QStringLiteral("unknown type");
    }
}

QString describeShape(const std::vector<hsize_t> &dims)
{
    if (dims.empty())
        return QStringLiteral("a scalar");
    QStringList parts;
    for (hsize_t d : dims)
        parts.append(QString::number(qulonglong(d)));
    return QStringLiteral("(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}

/// Reads a string-typed dataset or attribute element 0 (fixed or variable length, any cset) as
/// bytes. @p read does the H5Dread/H5Aread with the given memory type and buffer.
template <typename ReadFn>
QByteArray readStringElement(hid_t fileType, hid_t memSpace, const ReadFn &read, bool *ok)
{
    *ok = false;
    if (H5Tis_variable_str(fileType) > 0) {
        Hid mtype = typeId(H5Tcopy(H5T_C_S1));
        if (!mtype.valid() || H5Tset_size(mtype.get(), H5T_VARIABLE) < 0
            || H5Tset_cset(mtype.get(), H5Tget_cset(fileType)) < 0)
            return {};
        char *p = nullptr;
        if (read(mtype.get(), &p) < 0)
            return {};
        QByteArray text(p ? p : "");
        H5Dvlen_reclaim(mtype.get(), memSpace, H5P_DEFAULT, &p);
        *ok = true;
        return text;
    }
    const size_t size = H5Tget_size(fileType);
    if (size == 0 || size > kMaxJsonBytes)
        return {};
    Hid mtype = typeId(H5Tcopy(fileType)); // same type: raw bytes, no conversion
    if (!mtype.valid())
        return {};
    QByteArray buf(qsizetype(size), '\0');
    if (read(mtype.get(), buf.data()) < 0)
        return {};
    const qsizetype nul = buf.indexOf('\0');
    if (nul >= 0)
        buf.truncate(nul);
    *ok = true;
    return buf;
}

/// "name=value" for a root attribute (strings, integers, floats; small arrays as [a, b, ...]).
QString describeAttribute(hid_t loc, const char *name)
{
    const QString key = QString::fromUtf8(name);
    Hid attr = attrId(H5Aopen(loc, name, H5P_DEFAULT));
    if (!attr.valid())
        return key + QStringLiteral("=<unreadable>");
    Hid type = typeId(H5Aget_type(attr.get()));
    Hid space = spaceId(H5Aget_space(attr.get()));
    if (!type.valid() || !space.valid())
        return key + QStringLiteral("=<unreadable>");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    const H5T_class_t cls = H5Tget_class(type.get());
    if (n < 1 || n > 64)
        return key + QStringLiteral("=<%1 × %2>").arg(n).arg(describeType(type.get()));
    QStringList values;
    if (cls == H5T_STRING && n == 1) {
        bool ok = false;
        const QByteArray text = readStringElement(
            type.get(), space.get(),
            [&](hid_t mtype, void *buf) { return H5Aread(attr.get(), mtype, buf); }, &ok);
        if (!ok)
            return key + QStringLiteral("=<unreadable string>");
        values.append(QString::fromUtf8(text));
    } else if (cls == H5T_INTEGER) {
        const bool isUnsigned = H5Tget_sign(type.get()) == H5T_SGN_NONE;
        std::vector<long long> v(static_cast<size_t>(n));
        if (H5Aread(attr.get(), isUnsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, v.data()) < 0)
            return key + QStringLiteral("=<unreadable integer>");
        for (long long x : v)
            values.append(isUnsigned ? QString::number(static_cast<unsigned long long>(x))
                                     : QString::number(x));
    } else if (cls == H5T_FLOAT) {
        std::vector<double> v(static_cast<size_t>(n));
        if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0)
            return key + QStringLiteral("=<unreadable float>");
        for (double x : v)
            values.append(QString::number(x, 'g', 17));
    } else {
        return key + QStringLiteral("=<%1>").arg(describeType(type.get()));
    }
    // A scalar or 1-element attribute reads best as its value.
    QString value = values.size() == 1 ? values.front()
                                       : QStringLiteral("[") + values.join(QStringLiteral(", "))
                                             + QStringLiteral("]");
    if (value.size() > 1000)
        value = value.left(1000) + QStringLiteral("…");
    return key + QLatin1Char('=') + value;
}

/// True for "0" and decimal numbers without a leading zero (NeuroX dataset names).
bool isRecordName(const char *name)
{
    const size_t n = std::strlen(name);
    if (n == 0 || n > 15 || (n > 1 && name[0] == '0'))
        return false;
    return std::all_of(name, name + n, [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Hdf5Store::Hdf5Store(const QString &path)
{
    silenceHdf5();
    m_info.path = path;
    m_info.format = QStringLiteral("hdf5");
    Hid fapl = plistId(H5Pcreate(H5P_FILE_ACCESS));
    if (fapl.valid())
        H5Pset_file_locking(fapl.get(), true, true); // lock, unless the file system cannot
    m_file = fileId(H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY,
                            fapl.valid() ? fapl.get() : H5P_DEFAULT));
    if (!m_file.valid())
        throw Error(QStringLiteral("Cannot open HDF5 file %1: expected a complete HDF5 file, found "
                                   "a truncated or corrupt one (HDF5 reports: %2).")
                        .arg(where(), hdf5Reason()));

    const htri_t hasIndex = H5Lexists(m_file.get(), "sentence_to_index", H5P_DEFAULT);
    if (hasIndex < 0)
        throw Error(QStringLiteral("Cannot read the root group of HDF5 file %1: the file is "
                                   "corrupt (HDF5 reports: %2).")
                        .arg(where(), hdf5Reason()));
    if (hasIndex > 0) {
        const auto entries = parseSentenceToIndex(readSentenceToIndex(), path);
        if (entries.empty())
            throw Error(QStringLiteral("HDF5 file %1 contains no sentences: expected at least one "
                                       "entry in dataset 'sentence_to_index', found an empty JSON "
                                       "object.")
                            .arg(where()));
        std::vector<Index> indices;
        indices.reserve(entries.size());
        for (const auto &[key, index] : entries) {
            const QByteArray name = QByteArray::number(index);
            if (H5Lexists(m_file.get(), name.constData(), H5P_DEFAULT) <= 0)
                throw Error(QStringLiteral("HDF5 file %1: dataset '%2' is missing; expected it "
                                           "because sentence_to_index maps \"%3\" to it.")
                                .arg(where(), QString::fromLatin1(name), key.left(80)));
            m_names.push_back(name);
            m_info.keys.append(key);
            indices.push_back(index);
        }
        std::sort(indices.begin(), indices.end());
        for (size_t i = 0; i < indices.size(); ++i) {
            if (i > 0 && indices[i] == indices[i - 1])
                throw Error(QStringLiteral("HDF5 file %1: sentence_to_index maps two sentences to "
                                           "dataset '%2'; expected each record once.")
                                .arg(where())
                                .arg(indices[i]));
            if (indices[i] != Index(i))
                throw Error(QStringLiteral("HDF5 file %1: sentence_to_index refers to datasets "
                                           "with a gap: expected datasets '0'..'%2' without gaps, "
                                           "dataset '%3' is not referenced.")
                                .arg(where())
                                .arg(indices.size() - 1)
                                .arg(i));
        }
    } else {
        // Interrupted extraction: numeric datasets in integer order (never link order).
        std::vector<std::pair<Index, QByteArray>> found;
        auto collect = [](hid_t, const char *name, const H5L_info_t *, void *data) -> herr_t {
            try {
                if (isRecordName(name))
                    static_cast<std::vector<std::pair<Index, QByteArray>> *>(data)->emplace_back(
                        QByteArray(name).toLongLong(), QByteArray(name));
            } catch (...) { // never let an exception cross the C library
                return -1;
            }
            return 0;
        };
        if (H5Literate(m_file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect, &found) < 0)
            throw Error(QStringLiteral("Cannot list the datasets of HDF5 file %1: the file is "
                                       "corrupt (HDF5 reports: %2).")
                            .arg(where(), hdf5Reason()));
        if (found.empty())
            throw Error(QStringLiteral("HDF5 file %1 contains no sentences: expected datasets "
                                       "'0', '1', ... and 'sentence_to_index', found neither.")
                            .arg(where()));
        std::sort(found.begin(), found.end());
        for (size_t i = 0; i < found.size(); ++i) {
            if (found[i].first != Index(i))
                throw Error(QStringLiteral("HDF5 file %1 (without sentence_to_index): expected "
                                           "datasets '0'..'%2' without gaps, dataset '%3' is "
                                           "missing.")
                                .arg(where())
                                .arg(qulonglong(found.back().first))
                                .arg(i));
            m_names.push_back(found[i].second);
        }
        m_info.warnings.append(
            QStringLiteral("%1 has no sentence_to_index dataset (interrupted extraction?): "
                           "records are the datasets '0'..'%2' in integer order, without sentence "
                           "texts. NeuroX itself cannot read this file.")
                .arg(where())
                .arg(m_names.size() - 1));
    }
    m_info.sentences = Index(m_names.size());
    checkDatasets();
    readMetadata();
    // A second, plain descriptor for direct reads of raw data (-1: HDF5 reads everything).
    m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
}

QByteArray Hdf5Store::readSentenceToIndex() const
{
    const QString prefix =
        QStringLiteral("Cannot read dataset 'sentence_to_index' of %1: ").arg(where());
    Hid dset = datasetId(H5Dopen2(m_file.get(), "sentence_to_index", H5P_DEFAULT));
    if (!dset.valid())
        throw Error(prefix
                    + QStringLiteral("expected a dataset (HDF5 reports: %1).").arg(hdf5Reason()));
    Hid type = typeId(H5Dget_type(dset.get()));
    Hid space = spaceId(H5Dget_space(dset.get()));
    if (!type.valid() || !space.valid())
        throw Error(prefix
                    + QStringLiteral("corrupt header (HDF5 reports: %1).").arg(hdf5Reason()));
    if (H5Tget_class(type.get()) != H5T_STRING)
        throw Error(prefix
                    + QStringLiteral("expected a string holding JSON, found %1.")
                          .arg(describeType(type.get())));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || n < 1)
        throw Error(prefix
                    + QStringLiteral("expected shape (1,) holding one string, found an "
                                     "empty dataset."));
    if (rank > 0) { // element 0 only
        std::vector<hsize_t> start(size_t(rank), 0), count(size_t(rank), 1);
        if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                nullptr)
            < 0)
            throw Error(
                prefix
                + QStringLiteral("cannot select element 0 (HDF5 reports: %1).").arg(hdf5Reason()));
    }
    Hid memSpace = spaceId(H5Screate(H5S_SCALAR));
    bool ok = false;
    const QByteArray text = readStringElement(
        type.get(), memSpace.get(),
        [&](hid_t mtype, void *buf) {
            return H5Dread(dset.get(), mtype, memSpace.get(), space.get(), H5P_DEFAULT, buf);
        },
        &ok);
    if (!ok)
        throw Error(prefix
                    + QStringLiteral("expected a readable string of at most %1 bytes "
                                     "(string size %2; HDF5 reports: %3).")
                          .arg(qulonglong(kMaxJsonBytes))
                          .arg(qulonglong(H5Tget_size(type.get())))
                          .arg(hdf5Reason()));
    return text;
}

void Hdf5Store::checkDatasets()
{
    const hsize_t fileSize = [this] {
        hsize_t s = 0;
        return H5Fget_filesize(m_file.get(), &s) < 0 ? hsize_t(0) : s;
    }();
    hsize_t totalValues = 0;
    QString firstName;
    bool anyFloat32 = false;
    m_info.wordsPerSentence.reserve(m_names.size());
    for (const QByteArray &name : m_names) {
        const QString ds =
            QStringLiteral("dataset '%1' of %2").arg(QString::fromLatin1(name), where());
        Hid dset = datasetId(H5Dopen2(m_file.get(), name.constData(), H5P_DEFAULT));
        if (!dset.valid())
            throw Error(QStringLiteral("Cannot open %1: expected a dataset (HDF5 reports: %2).")
                            .arg(ds, hdf5Reason()));
        Hid space = spaceId(H5Dget_space(dset.get()));
        Hid type = typeId(H5Dget_type(dset.get()));
        if (!space.valid() || !type.valid())
            throw Error(QStringLiteral("Cannot read the header of %1 (HDF5 reports: %2).")
                            .arg(ds, hdf5Reason()));
        const int rank = H5Sget_simple_extent_ndims(space.get());
        std::vector<hsize_t> dims(size_t(std::max(rank, 0)), 0);
        if (rank < 0
            || (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0))
            throw Error(QStringLiteral("Cannot read the shape of %1 (HDF5 reports: %2).")
                            .arg(ds, hdf5Reason()));
        if (rank != 3)
            throw Error(QStringLiteral("Unexpected shape of %1: expected rank 3 (layers, words, "
                                       "dims), found rank %2 with shape %3.")
                            .arg(ds)
                            .arg(rank)
                            .arg(describeShape(dims)));
        const hsize_t L = dims[0], T = dims[1], D = dims[2];
        if (L < 1 || D < 1 || L > kMaxLayers || D > kMaxDims || L * D > hsize_t(INT32_MAX)
            || T > kMaxWordsPerSentence || L * T * D > kMaxValuesPerSentence)
            throw Error(QStringLiteral("Implausible shape of %1: found %2; expected 1..%3 layers, "
                                       "0..%4 words, 1..%5 dims and at most %6 values per "
                                       "sentence. The header is corrupt or not from NeuroX.")
                            .arg(ds, describeShape(dims))
                            .arg(qulonglong(kMaxLayers))
                            .arg(qulonglong(kMaxWordsPerSentence))
                            .arg(qulonglong(kMaxDims))
                            .arg(qulonglong(kMaxValuesPerSentence)));
        if (m_info.wordsPerSentence.empty()) {
            m_info.layers = int(L);
            m_info.dims = int(D);
            firstName = QString::fromLatin1(name);
        } else if (int(L) != m_info.layers || int(D) != m_info.dims) {
            throw Error(QStringLiteral("Inconsistent shapes in %1: expected %2 layers and %3 dims "
                                       "as in dataset '%4', found shape %5.")
                            .arg(ds)
                            .arg(m_info.layers)
                            .arg(m_info.dims)
                            .arg(firstName, describeShape(dims)));
        }
        // Element type: float32 or IEEE float16 only.
        const size_t typeSize = H5Tget_size(type.get());
        bool supported = false;
        if (H5Tget_class(type.get()) == H5T_FLOAT) {
            size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
            H5Tget_fields(type.get(), &spos, &epos, &esize, &mpos, &msize);
            if (typeSize == 4 && esize == 8 && msize == 23) {
                supported = true;
                anyFloat32 = true;
            } else if (typeSize == 2 && esize == 5 && msize == 10
                       && H5Tget_ebias(type.get()) == 15) {
                supported = true;
            }
        }
        if (!supported)
            throw Error(QStringLiteral("Unsupported element type in %1: expected float32 or "
                                       "float16, found %2.")
                            .arg(ds, describeType(type.get())));
        // Contiguous data must be stored in full: refuse headers that claim more than is there.
        const hsize_t bytes = L * T * D * typeSize;
        Hid dcpl = plistId(H5Dget_create_plist(dset.get()));
        const H5D_layout_t layout = dcpl.valid() ? H5Pget_layout(dcpl.get()) : H5D_LAYOUT_ERROR;
        if (bytes > 0 && (layout == H5D_CONTIGUOUS || layout == H5D_COMPACT)) {
            const hsize_t stored = H5Dget_storage_size(dset.get());
            const haddr_t offset =
                layout == H5D_CONTIGUOUS ? H5Dget_offset(dset.get()) : HADDR_UNDEF;
            if (stored < bytes)
                throw Error(QStringLiteral("Incomplete %1: its shape %2 needs %3 bytes, but only "
                                           "%4 bytes are stored (the data was never written or "
                                           "the header is corrupt).")
                                .arg(ds, describeShape(dims))
                                .arg(qulonglong(bytes))
                                .arg(qulonglong(stored)));
            if (offset != HADDR_UNDEF && fileSize > 0 && offset + bytes > fileSize)
                throw Error(QStringLiteral("Truncated %1: its data ends at byte %2, expected "
                                           "within the file's %3 bytes.")
                                .arg(ds)
                                .arg(qulonglong(offset + bytes))
                                .arg(qulonglong(fileSize)));
        }
        {
            // Direct-read eligibility: contiguous, allocated, little-endian IEEE float.
            const haddr_t offset =
                layout == H5D_CONTIGUOUS ? H5Dget_offset(dset.get()) : HADDR_UNDEF;
            const bool le = H5Tget_order(type.get()) == H5T_ORDER_LE;
            const bool f32 = typeSize == 4 && H5Tequal(type.get(), H5T_IEEE_F32LE) > 0;
            const bool f16 = typeSize == 2 && le && supported;
            m_offsets.push_back(offset);
            m_rawKind.push_back(offset == HADDR_UNDEF || !le ? 0 : f32 ? 4 : f16 ? 2 : 0);
        }
        totalValues += L * T * D;
        if (totalValues > kMaxTotalValues)
            throw Error(QStringLiteral("Implausible size of %1: the datasets up to '%2' claim more "
                                       "than %3 values in all.")
                            .arg(where(), QString::fromLatin1(name))
                            .arg(qulonglong(kMaxTotalValues)));
        m_info.wordsPerSentence.push_back(int(T));
        m_info.totalWords += Index(T);
    }
    m_info.dtype = anyFloat32 ? DType::Float32 : DType::Float16;
}

void Hdf5Store::readMetadata()
{
    auto visit = [](hid_t loc, const char *name, const H5A_info_t *, void *data) -> herr_t {
        try {
            static_cast<QStringList *>(data)->append(describeAttribute(loc, name));
        } catch (...) { // never let an exception cross the C library
        }
        return 0;
    };
    if (H5Aiterate2(m_file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, visit, &m_info.metadata)
        < 0)
        m_info.warnings.append(QStringLiteral("Could not read the root attributes of %1 (HDF5 "
                                              "reports: %2); they are optional and were skipped.")
                                   .arg(where(), hdf5Reason()));
    H5Eclear2(H5E_DEFAULT);
}

std::unique_ptr<ActivationStore> openHdf5Store(const QString &path)
{
    return std::make_unique<Hdf5Store>(path);
}

} // namespace salient::detail
