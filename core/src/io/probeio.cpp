#include "salient/io/probeio.h"

#include "io/hdf5util_p.h"
#include "salient/util/atomicfile.h"

#include <QFile>
#include <hdf5.h>
#include <vector>

namespace salient {

namespace {

using detail::Hid;
void quiet()
{
    detail::silenceHdf5();
}

void check(bool ok, const QString &path, const QString &what)
{
    if (!ok)
        throw Error(QStringLiteral("%1: %2").arg(path, what));
}

void writeFloats(hid_t file, const char *name, const float *data, std::vector<hsize_t> dims,
                 const QString &path)
{
    Hid space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
    Hid ds(
        H5Dcreate2(file, name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    check(ds.valid(), path, QStringLiteral("cannot create dataset %1").arg(QLatin1String(name)));
    check(H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0, path,
          QStringLiteral("cannot write dataset %1").arg(QLatin1String(name)));
}

void writeStringAttr(hid_t obj, const char *name, const QByteArray &value)
{
    Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Hid space(H5Screate(H5S_SCALAR), H5Sclose);
    Hid attr(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char *p = value.constData();
    H5Awrite(attr.get(), type.get(), &p);
}

std::vector<float> readFloats(hid_t file, const char *name, std::vector<hsize_t> &dims,
                              const QString &path, bool required)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
        check(!required, path,
              QStringLiteral("dataset '%1' missing (expected a probe file)")
                  .arg(QLatin1String(name)));
        return {};
    }
    Hid ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    check(ds.valid(), path, QStringLiteral("cannot open dataset '%1'").arg(QLatin1String(name)));
    Hid space(H5Dget_space(ds.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    check(rank >= 1 && rank <= 2, path,
          QStringLiteral("dataset '%1' has rank %2 (expected 1 or 2)")
              .arg(QLatin1String(name))
              .arg(rank));
    dims.assign(size_t(rank), 0);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    hsize_t n = 1;
    for (hsize_t d : dims)
        n *= d;
    check(n < (hsize_t(1) << 31), path,
          QStringLiteral("dataset '%1' is implausibly large").arg(QLatin1String(name)));
    std::vector<float> out(n);
    if (n > 0)
        check(H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
              path, QStringLiteral("cannot read dataset '%1' as float").arg(QLatin1String(name)));
    return out;
}

} // namespace

void saveProbe(const QString &path, const Probe &probe, const QByteArray &optionsJson)
{
    quiet();
    const QString tmp = path + QStringLiteral(".tmp");
    try {
        Hid file(
            H5Fcreate(QFile::encodeName(tmp).constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
            H5Fclose);
        check(file.valid(), path, QStringLiteral("cannot create file (is the folder writable?)"));
        const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> W = probe.W;
        writeFloats(file.get(), "W", W.data(), {hsize_t(W.rows()), hsize_t(W.cols())}, path);
        writeFloats(file.get(), "b", probe.b.data(), {hsize_t(probe.b.size())}, path);
        {
            const hsize_t n = probe.columns.size();
            Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
            Hid ds(H5Dcreate2(file.get(), "columns", H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
            check(ds.valid()
                      && H5Dwrite(ds.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                  probe.columns.data())
                             >= 0,
                  path, QStringLiteral("cannot write dataset columns"));
        }
        if (probe.mean.size() > 0) {
            writeFloats(file.get(), "mean", probe.mean.data(), {hsize_t(probe.mean.size())}, path);
            writeFloats(file.get(), "scale", probe.scale.data(), {hsize_t(probe.scale.size())},
                        path);
        }
        if (!probe.labels.isEmpty()) {
            std::vector<QByteArray> utf8;
            std::vector<const char *> ptrs;
            for (const QString &l : probe.labels)
                utf8.push_back(l.toUtf8());
            for (const QByteArray &b : utf8)
                ptrs.push_back(b.constData());
            Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(type.get(), H5T_VARIABLE);
            H5Tset_cset(type.get(), H5T_CSET_UTF8);
            const hsize_t n = ptrs.size();
            Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
            Hid ds(H5Dcreate2(file.get(), "labels", type.get(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
            check(ds.valid()
                      && H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data())
                             >= 0,
                  path, QStringLiteral("cannot write dataset labels"));
        }
        Hid root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
        writeStringAttr(root.get(), "format", "salient-probe 1");
        writeStringAttr(root.get(), "task", probe.regression ? "regression" : "classification");
        if (!optionsJson.isEmpty())
            writeStringAttr(root.get(), "options", optionsJson);
        check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, path,
              QStringLiteral("cannot flush (disk full?)"));
    } catch (...) {
        QFile::remove(tmp); // closed: the try block's Hid is gone
        throw;
    }
    replaceFileAtomic(tmp, path);
}

Probe loadProbe(const QString &path)
{
    quiet();
    check(QFile::exists(path), path, QStringLiteral("file not found"));
    check(
        H5Fis_hdf5(QFile::encodeName(path).constData()) > 0, path,
        QStringLiteral("not an HDF5 file (expected a probe written by Salient or NeuroX weights)"));
    Hid file(H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    check(file.valid(), path, QStringLiteral("cannot open HDF5 file"));
    Probe p;
    std::vector<hsize_t> wd, bd, md, sd;
    const std::vector<float> w = readFloats(file.get(), "W", wd, path, true);
    const std::vector<float> b = readFloats(file.get(), "b", bd, path, true);
    const hsize_t rows = wd.size() == 2 ? wd[0] : 1, cols = wd.size() == 2 ? wd[1] : wd[0];
    check(bd.size() == 1 && bd[0] == rows, path,
          QStringLiteral("b has %1 entries, W has %2 rows (expected equal)")
              .arg(bd.empty() ? 0 : bd[0])
              .arg(rows));
    p.W = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        w.data(), Index(rows), Index(cols));
    p.b = Eigen::Map<const VectorF>(b.data(), Index(rows));
    p.columns.resize(cols);
    for (hsize_t j = 0; j < cols; ++j)
        p.columns[j] = int(j);
    if (H5Lexists(file.get(), "columns", H5P_DEFAULT) > 0) {
        Hid ds(H5Dopen2(file.get(), "columns", H5P_DEFAULT), H5Dclose);
        Hid space(H5Dget_space(ds.get()), H5Sclose);
        check(H5Sget_simple_extent_npoints(space.get()) == hssize_t(cols), path,
              QStringLiteral("'columns' does not match W's column count"));
        check(H5Dread(ds.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.columns.data())
                  >= 0,
              path, QStringLiteral("cannot read 'columns'"));
    }
    const std::vector<float> mean = readFloats(file.get(), "mean", md, path, false);
    const std::vector<float> scale = readFloats(file.get(), "scale", sd, path, false);
    if (!mean.empty()) {
        check(mean.size() == cols && scale.size() == cols, path,
              QStringLiteral("'mean'/'scale' do not match W's column count"));
        p.mean = Eigen::Map<const VectorF>(mean.data(), Index(cols));
        p.scale = Eigen::Map<const VectorF>(scale.data(), Index(cols));
    }
    if (H5Lexists(file.get(), "labels", H5P_DEFAULT) > 0) {
        Hid ds(H5Dopen2(file.get(), "labels", H5P_DEFAULT), H5Dclose);
        Hid space(H5Dget_space(ds.get()), H5Sclose);
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        check(n == hssize_t(rows), path,
              QStringLiteral("%1 labels for %2 weight rows").arg(n).arg(rows));
        Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type.get(), H5T_VARIABLE);
        H5Tset_cset(type.get(), H5T_CSET_UTF8);
        std::vector<char *> ptrs(size_t(n), nullptr);
        check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0, path,
              QStringLiteral("cannot read 'labels' as strings"));
        for (char *s : ptrs)
            p.labels << QString::fromUtf8(s ? s : "");
        H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, ptrs.data());
    }
    // A single-row probe without labels is a regression probe (spec §7.1, issue #49).
    p.regression = p.labels.isEmpty() && rows == 1;
    return p;
}

} // namespace salient
