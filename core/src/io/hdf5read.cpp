// NeuroX HDF5 activation files (spec/NEUROX.md §2.2, §2.5, §3.1): the lazy reader's record reads
// (direct preadv, raw HDF5 fast path, converting HDF5 path). Open and validation are in
// hdf5store.cpp. Contracts: HDF5 never prints (every entry point silences the calling thread's
// error printing), every hid_t is owned by a Hid, failures are salient::Error.
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

bool Hdf5Store::readSentenceDirect(Index sentence, hsize_t T, const std::vector<int> &layers,
                                   float *out, Index stride, hsize_t w0, hsize_t n) const
{
    const char kind = m_rawKind[size_t(sentence)];
    if (m_fd < 0 || kind == 0)
        return false;
    const hsize_t D = hsize_t(m_info.dims);
    const size_t layerBytes = size_t(T * D) * size_t(kind);
    const off_t base = off_t(m_offsets[size_t(sentence)]);
    // Reads `bytes` at `offset` into the iovecs, resuming after short reads.
    auto readAll = [this, sentence](std::vector<iovec> &iov, off_t offset) {
        size_t first = 0;
        while (first < iov.size()) {
            const int count = int(std::min<size_t>(iov.size() - first, IOV_MAX));
            const ssize_t got = ::preadv(m_fd, iov.data() + first, count, offset);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) // HDF5 would zero-fill past the end: report the damage instead
                throw Error(QStringLiteral("Cannot read dataset '%1' of %2 (record %3): %4 at byte "
                                           "%5; the file is shorter than its datasets claim "
                                           "(truncated or changed after it was opened?).")
                                .arg(QString::fromLatin1(m_names[size_t(sentence)]), where())
                                .arg(sentence)
                                .arg(got < 0 ? QString::fromLocal8Bit(std::strerror(errno))
                                             : QStringLiteral("end of file"))
                                .arg(qlonglong(offset)));
            offset += got;
            size_t left = size_t(got);
            while (first < iov.size() && left >= iov[first].iov_len)
                left -= iov[first++].iov_len;
            if (left > 0) {
                iov[first].iov_base = static_cast<char *>(iov[first].iov_base) + left;
                iov[first].iov_len -= left;
            }
        }
        return true;
    };
    thread_local std::vector<iovec> iov;
    const off_t skip = off_t(size_t(w0 * D) * size_t(kind));
    if (kind == 4) {
        // File layer l holds T rows of D floats; row w0 + t goes to out[t·stride + k·D].
        for (size_t k = 0; k < layers.size(); ++k) {
            iov.resize(size_t(n));
            for (hsize_t t = 0; t < n; ++t)
                iov[size_t(t)] = {out + Index(t) * stride + Index(k * D),
                                  size_t(D) * sizeof(float)};
            if (!readAll(iov, base + off_t(size_t(layers[k]) * layerBytes) + skip))
                return false;
        }
        return true;
    }
    thread_local std::vector<std::uint16_t> halfs;
    halfs.resize(size_t(n * D));
    for (size_t k = 0; k < layers.size(); ++k) {
        iov.assign(1, iovec{halfs.data(), size_t(n * D) * sizeof(std::uint16_t)});
        if (!readAll(iov, base + off_t(size_t(layers[k]) * layerBytes) + skip))
            return false;
        for (hsize_t t = 0; t < n; ++t)
            halfsToFloat(halfs.data() + t * D, out + Index(t) * stride + Index(k * D), Index(D));
    }
    return true;
}

bool Hdf5Store::readSentenceFast(hid_t dset, hid_t fileSpace, hsize_t T,
                                 const std::vector<int> &layers, float *out, Index stride) const
{
    // Fast path for little-endian IEEE float32/float16 (every NeuroX file): read the selected
    // layers as raw bytes into a per-thread scratch block (contiguous in file and memory, so
    // HDF5 does a plain copy), then place rows into the caller's buffer ourselves. The scratch
    // holds one sentence (layers × T × D), never the whole data.
    Hid type = typeId(H5Dget_type(dset));
    if (!type.valid() || H5Tget_class(type.get()) != H5T_FLOAT
        || H5Tget_order(type.get()) != H5T_ORDER_LE)
        return false;
    const size_t bytes = H5Tget_size(type.get());
    const bool half = bytes == 2;
    if (!half && !(bytes == 4 && H5Tequal(type.get(), H5T_IEEE_F32LE) > 0))
        return false;
    if (half) { // must be IEEE binary16 (the layout h5py and writeNeuroxHdf5 use)
        size_t spos, epos, esize, mpos, msize;
        if (H5Tget_fields(type.get(), &spos, &epos, &esize, &mpos, &msize) < 0 || spos != 15
            || epos != 10 || esize != 5 || mpos != 0 || msize != 10
            || H5Tget_ebias(type.get()) != 15)
            return false;
    }
    const hsize_t D = hsize_t(m_info.dims);
    const size_t L = layers.size();
    const size_t block = size_t(T * D);
    thread_local std::vector<unsigned char> scratch;
    scratch.resize(L * block * bytes);
    const bool allInOrder = L == size_t(m_info.layers)
                            && std::is_sorted(layers.begin(), layers.end()) && layers.front() == 0;
    if (allInOrder) {
        if (H5Dread(dset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, scratch.data()) < 0)
            return false;
    } else {
        const hsize_t memDims[1] = {hsize_t(block)};
        Hid memSpace = spaceId(H5Screate_simple(1, memDims, nullptr));
        for (size_t k = 0; k < L; ++k) {
            const hsize_t start[3] = {hsize_t(layers[k]), 0, 0};
            const hsize_t count[3] = {1, T, D};
            if (H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nullptr, count, nullptr) < 0
                || H5Dread(dset, type.get(), memSpace.get(), fileSpace, H5P_DEFAULT,
                           scratch.data() + k * block * bytes)
                       < 0)
                return false;
        }
    }
    // scratch is (L, T, D); out rows are (T, L·D) with row stride `stride`.
    if (half) {
        const auto *src = reinterpret_cast<const std::uint16_t *>(scratch.data());
        for (size_t k = 0; k < L; ++k)
            for (hsize_t t = 0; t < T; ++t)
                halfsToFloat(src + k * block + t * D, out + Index(t) * stride + Index(k * D),
                             Index(D));
    } else {
        const auto *src = reinterpret_cast<const float *>(scratch.data());
        for (size_t k = 0; k < L; ++k)
            for (hsize_t t = 0; t < T; ++t)
                std::memcpy(out + Index(t) * stride + Index(k * D), src + k * block + t * D,
                            D * sizeof(float));
    }
    return true;
}

void Hdf5Store::readSentence(Index sentence, float *out, Index stride,
                             const std::vector<int> &layers) const
{
    silenceHdf5();
    const std::vector<int> resolved = checkReadArguments(m_info, sentence, out, stride, layers);
    const hsize_t T = hsize_t(m_info.wordsPerSentence[size_t(sentence)]);
    if (T == 0)
        return;
    if (readSentenceDirect(sentence, T, resolved, out, stride, 0, T))
        return;
    const std::lock_guard<std::mutex> lock(m_hdf5Mutex);
    const QByteArray &name = m_names[size_t(sentence)];
    const QString ds = QStringLiteral("dataset '%1' of %2").arg(QString::fromLatin1(name), where());
    Hid dset = datasetId(H5Dopen2(m_file.get(), name.constData(), H5P_DEFAULT));
    Hid fileSpace = spaceId(dset.valid() ? H5Dget_space(dset.get()) : H5I_INVALID_HID);
    const hsize_t memDims[2] = {T, hsize_t(stride)};
    Hid memSpace = spaceId(H5Screate_simple(2, memDims, nullptr));
    if (!dset.valid() || !fileSpace.valid() || !memSpace.valid())
        throw Error(QStringLiteral("Cannot read %1 (record %2): HDF5 reports: %3.")
                        .arg(ds)
                        .arg(sentence)
                        .arg(hdf5Reason()));
    const hsize_t D = hsize_t(m_info.dims);
    if (readSentenceFast(dset.get(), fileSpace.get(), T, resolved, out, stride))
        return;
    for (size_t k = 0; k < resolved.size(); ++k) {
        // File [l, 0:T, 0:D] → memory rows 0:T, columns k·D:(k+1)·D: HDF5 does the transpose.
        const hsize_t fileStart[3] = {hsize_t(resolved[k]), 0, 0};
        const hsize_t fileCount[3] = {1, T, D};
        const hsize_t memStart[2] = {0, hsize_t(k) * D};
        const hsize_t memCount[2] = {T, D};
        if (H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, fileStart, nullptr, fileCount,
                                nullptr)
                < 0
            || H5Sselect_hyperslab(memSpace.get(), H5S_SELECT_SET, memStart, nullptr, memCount,
                                   nullptr)
                   < 0
            || H5Dread(dset.get(), H5T_NATIVE_FLOAT, memSpace.get(), fileSpace.get(), H5P_DEFAULT,
                       out)
                   < 0)
            throw Error(QStringLiteral("Cannot read layer %1 of %2 (record %3, expected shape "
                                       "(%4, %5, %6)): HDF5 reports: %7.")
                            .arg(resolved[k])
                            .arg(ds)
                            .arg(sentence)
                            .arg(m_info.layers)
                            .arg(qulonglong(T))
                            .arg(m_info.dims)
                            .arg(hdf5Reason()));
    }
}

void Hdf5Store::readWords(Index sentence, int firstWord, int count, float *out, Index stride,
                          const std::vector<int> &layers) const
{
    silenceHdf5();
    const std::vector<int> resolved =
        checkWordRange(m_info, sentence, firstWord, count, out, stride, layers);
    if (count == 0)
        return;
    const hsize_t T = hsize_t(m_info.wordsPerSentence[size_t(sentence)]);
    if (readSentenceDirect(sentence, T, resolved, out, stride, hsize_t(firstWord), hsize_t(count)))
        return;
    ActivationStore::readWords(sentence, firstWord, count, out, stride, layers);
}

} // namespace salient::detail
