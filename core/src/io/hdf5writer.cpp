// NeuroX HDF5 activation files (spec/NEUROX.md §2.2): the writer. Contracts: HDF5 never
// prints (every entry point silences the calling thread's error printing), every hid_t is owned by
// a Hid, failures are salient::Error. The reader is in hdf5store.cpp and hdf5read.cpp.
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

namespace salient {

struct NeuroxHdf5Writer::Impl {
    QString path, tmpPath, prefix;
    int layers = 0, dims = 0;
    DType dtype = DType::Float32;
    detail::Hid file, fileType;
    QStringList texts;
    std::vector<float> f32;
    std::vector<std::uint16_t> f16;
    bool finished = false;
    bool keepOnAbort = false; ///< resumable writer: the partial file survives destruction

    Error fail(const QString &what) const
    {
        return Error(prefix + what
                     + QStringLiteral(" (HDF5 reports: %1).").arg(detail::hdf5Reason()));
    }
};

NeuroxHdf5Writer::NeuroxHdf5Writer(const QString &path, int layers, int dims, DType dtype)
    : NeuroxHdf5Writer(path, path + QStringLiteral(".tmp"), layers, dims, dtype, {})
{
    d->keepOnAbort = false; // an unfinished temporary file is removed, not kept for resuming
}

NeuroxHdf5Writer::NeuroxHdf5Writer(const QString &path, const QString &partialPath, int layers,
                                   int dims, DType dtype, const QStringList &resumeTexts)
    : d(std::make_unique<Impl>())
{
    using namespace detail;
    silenceHdf5();
    d->path = path;
    d->prefix = QStringLiteral("Cannot write HDF5 file %1: ").arg(quotedPath(path));
    if (layers < 1 || dims < 1 || qint64(layers) * dims > INT32_MAX)
        throw Error(d->prefix
                    + QStringLiteral("expected layers >= 1 and dims >= 1, found %1 and %2.")
                          .arg(layers)
                          .arg(dims));
    d->layers = layers;
    d->dims = dims;
    d->dtype = dtype;
    d->tmpPath = partialPath;
    d->keepOnAbort = true;
    d->fileType = dtype == DType::Float16 ? makeHalfType() : typeId(H5Tcopy(H5T_IEEE_F32LE));
    const QByteArray native = QFile::encodeName(partialPath);
    if (resumeTexts.isEmpty()) {
        d->file = fileId(H5Fcreate(native.constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
        if (!d->file.valid())
            throw d->fail(QStringLiteral("cannot create %1").arg(quotedPath(partialPath)));
        return;
    }
    const QString partialPrefix =
        QStringLiteral("Cannot resume from the partial file %1: ").arg(quotedPath(partialPath));
    d->file = fileId(H5Fopen(native.constData(), H5F_ACC_RDWR, H5P_DEFAULT));
    if (!d->file.valid())
        throw Error(partialPrefix
                    + QStringLiteral("it cannot be opened as HDF5 (HDF5 reports: %1); start over "
                                     "(delete it, or --restart).")
                          .arg(hdf5Reason()));
    const qsizetype n = resumeTexts.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QByteArray name = QByteArray::number(qlonglong(i));
        Hid dset = datasetId(H5Dopen2(d->file.get(), name.constData(), H5P_DEFAULT));
        Hid space = dset.valid() ? spaceId(H5Dget_space(dset.get())) : Hid();
        Hid type = dset.valid() ? typeId(H5Dget_type(dset.get())) : Hid();
        hsize_t shape[3] = {0, 0, 0};
        const bool shapeOk = space.valid() && H5Sget_simple_extent_ndims(space.get()) == 3
                             && H5Sget_simple_extent_dims(space.get(), shape, nullptr) == 3
                             && shape[0] == hsize_t(layers) && shape[2] == hsize_t(dims);
        const bool typeOk = type.valid() && H5Tget_class(type.get()) == H5T_FLOAT
                            && H5Tget_size(type.get()) == (dtype == DType::Float16 ? 2u : 4u);
        if (!shapeOk || !typeOk)
            throw Error(partialPrefix
                        + QStringLiteral("dataset '%1' is missing or not %2 × words × %3 %4; start "
                                         "over (delete it, or --restart).")
                              .arg(QString::fromLatin1(name))
                              .arg(layers)
                              .arg(dims)
                              .arg(dtypeName(dtype)));
    }
    // Datasets after the journal's last complete sentence were written but not recorded.
    for (qlonglong i = n;; ++i) {
        const QByteArray name = QByteArray::number(i);
        if (H5Lexists(d->file.get(), name.constData(), H5P_DEFAULT) <= 0)
            break;
        if (H5Ldelete(d->file.get(), name.constData(), H5P_DEFAULT) < 0)
            throw d->fail(QStringLiteral("cannot delete the unrecorded dataset '%1' of %2")
                              .arg(QString::fromLatin1(name), quotedPath(partialPath)));
    }
    d->texts = resumeTexts;
}

void NeuroxHdf5Writer::flush()
{
    detail::silenceHdf5();
    if (d->finished || !d->file.valid())
        return;
    if (H5Fflush(d->file.get(), H5F_SCOPE_GLOBAL) < 0)
        throw d->fail(QStringLiteral("cannot flush %1").arg(detail::quotedPath(d->tmpPath)));
    QFile f(d->tmpPath);
    if (f.open(QIODevice::ReadOnly))
        ::fsync(f.handle());
}

Index NeuroxHdf5Writer::count() const
{
    return Index(d->texts.size());
}

NeuroxHdf5Writer::~NeuroxHdf5Writer()
{
    if (d && !d->finished && d->keepOnAbort) {
        detail::silenceHdf5();
        d->file.reset();
        return;
    }
    if (d && !d->finished) {
        detail::silenceHdf5();
        d->file.reset();
        QFile::remove(d->tmpPath);
    }
}

void NeuroxHdf5Writer::append(const RowMatrixF &m, const QString &text)
{
    using namespace detail;
    silenceHdf5();
    const Index width = Index(d->layers) * d->dims;
    const qsizetype i = d->texts.size();
    if (d->finished)
        throw Error(d->prefix + QStringLiteral("sentence %1 appended after finish().").arg(i));
    if (m.cols() != width)
        throw Error(d->prefix
                    + QStringLiteral("sentence %1 is %2 × %3; expected words × %4 (%5 "
                                     "layers × %6 dims).")
                          .arg(i)
                          .arg(m.rows())
                          .arg(m.cols())
                          .arg(width)
                          .arg(d->layers)
                          .arg(d->dims));
    const auto T = size_t(m.rows());
    const hsize_t shape[3] = {hsize_t(d->layers), hsize_t(T), hsize_t(d->dims)};
    Hid space = spaceId(H5Screate_simple(3, shape, nullptr));
    const QByteArray name = QByteArray::number(qlonglong(i));
    Hid dset = datasetId(H5Dcreate2(d->file.get(), name.constData(), d->fileType.get(), space.get(),
                                    H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!space.valid() || !dset.valid())
        throw d->fail(QStringLiteral("cannot create dataset '%1'").arg(QString::fromLatin1(name)));
    d->texts << text;
    if (T == 0)
        return;
    // (T, L·D) row-major → (L, T, D).
    const size_t L = size_t(d->layers), D = size_t(d->dims), n = L * T * D;
    herr_t status = 0;
    if (d->dtype == DType::Float16) {
        d->f16.resize(n);
        for (size_t l = 0; l < L; ++l)
            for (size_t t = 0; t < T; ++t)
                floatsToHalf(m.row(Index(t)).data() + l * D, d->f16.data() + (l * T + t) * D,
                             Index(D));
        status =
            H5Dwrite(dset.get(), d->fileType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, d->f16.data());
    } else {
        d->f32.resize(n);
        for (size_t l = 0; l < L; ++l)
            for (size_t t = 0; t < T; ++t)
                std::memcpy(&d->f32[(l * T + t) * D], m.data() + t * L * D + l * D,
                            D * sizeof(float));
        status =
            H5Dwrite(dset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->f32.data());
    }
    if (status < 0)
        throw d->fail(QStringLiteral("cannot write dataset '%1'").arg(QString::fromLatin1(name)));
}

void NeuroxHdf5Writer::finish()
{
    using namespace detail;
    silenceHdf5();
    if (d->finished)
        return;
    if (d->texts.isEmpty())
        throw Error(d->prefix + QStringLiteral("expected at least one sentence, found none."));
    // sentence_to_index: json.dumps defaults, entries in record order.
    const QStringList keys = uniqueSentenceKeys(d->texts);
    QByteArray json = "{";
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i > 0)
            json += ", ";
        json += pythonJsonString(keys[i]) + ": \"" + QByteArray::number(i) + '"';
    }
    json += '}';
    Hid strType = typeId(H5Tcopy(H5T_C_S1));
    const hsize_t one[1] = {1};
    Hid space = spaceId(H5Screate_simple(1, one, nullptr));
    if (!strType.valid() || !space.valid() || H5Tset_size(strType.get(), H5T_VARIABLE) < 0
        || H5Tset_cset(strType.get(), H5T_CSET_UTF8) < 0
        || H5Tset_strpad(strType.get(), H5T_STR_NULLTERM) < 0)
        throw d->fail(QStringLiteral("cannot build the string type of sentence_to_index"));
    Hid dset = datasetId(H5Dcreate2(d->file.get(), "sentence_to_index", strType.get(), space.get(),
                                    H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const char *text = json.constData();
    if (!dset.valid()
        || H5Dwrite(dset.get(), strType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
        throw d->fail(QStringLiteral("cannot write dataset 'sentence_to_index'"));
    dset.reset();
    d->fileType.reset();
    if (d->file.reset() < 0)
        throw d->fail(QStringLiteral("cannot finish %1").arg(quotedPath(d->tmpPath)));
    d->finished = true; // from here on replaceFileAtomic owns (and on failure removes) tmpPath
    replaceFileAtomic(d->tmpPath, d->path);
}

void writeNeuroxHdf5(const QString &path, int layers, int dims,
                     const std::vector<RowMatrixF> &sentences, const QStringList &texts,
                     DType dtype)
{
    const QString prefix =
        QStringLiteral("Cannot write HDF5 file %1: ").arg(detail::quotedPath(path));
    if (sentences.empty())
        throw Error(prefix + QStringLiteral("expected at least one sentence, found none."));
    if (size_t(texts.size()) != sentences.size())
        throw Error(prefix
                    + QStringLiteral("expected one text per sentence (%1), found %2 texts.")
                          .arg(sentences.size())
                          .arg(texts.size()));
    NeuroxHdf5Writer writer(path, layers, dims, dtype);
    for (size_t i = 0; i < sentences.size(); ++i)
        writer.append(sentences[i], texts[qsizetype(i)]);
    writer.finish();
}

} // namespace salient
