#pragma once
// Private to core/src/io: the NeuroX HDF5 reader class (Hdf5Store), shared by hdf5store.cpp (open,
// metadata and validation) and hdf5read.cpp (record reads), and the HDF5 helpers that
// hdf5writer.cpp also uses. Not installed; core only. Errors are salient::Error.
#include "io/hdf5store_p.h"
#include "io/hdf5util_p.h"

#include <QByteArray>
#include <QString>
#include <hdf5.h>
#include <mutex>
#include <unistd.h>
#include <vector>

namespace salient::detail {

/// The innermost message of the calling thread's HDF5 error stack (then cleared), for errors.
QString hdf5Reason();

/// Builds an IEEE 754 binary16 little-endian type (H5T_IEEE_F16LE does not exist in 1.10).
Hid makeHalfType();

class Hdf5Store final : public ActivationStore {
public:
    explicit Hdf5Store(const QString &path);
    ~Hdf5Store() override
    {
        silenceHdf5();
        m_file.reset();
        if (m_fd >= 0)
            ::close(m_fd);
    }
    void readSentence(Index sentence, float *out, Index stride,
                      const std::vector<int> &layers) const override;
    void readWords(Index sentence, int firstWord, int count, float *out, Index stride,
                   const std::vector<int> &layers) const override;

private:
    QString where() const { return quotedPath(m_info.path); }
    QByteArray readSentenceToIndex() const;
    void checkDatasets();
    void readMetadata();
    /// Raw-read fast path; false when the stored type needs HDF5's conversion instead.
    bool readSentenceFast(hid_t dset, hid_t fileSpace, hsize_t T, const std::vector<int> &layers,
                          float *out, Index stride) const;

    /// Reads by preadv straight from the file (contiguous little-endian float datasets):
    /// float32 lands in the caller's rows with no intermediate copy. False → use HDF5.
    /// Words [w0, w0 + n) of the record (the whole record: w0 = 0, n = T).
    bool readSentenceDirect(Index sentence, hsize_t T, const std::vector<int> &layers, float *out,
                            Index stride, hsize_t w0, hsize_t n) const;

    Hid m_file;
    int m_fd = -1;                   ///< POSIX descriptor for direct reads (read-only)
    std::vector<QByteArray> m_names; ///< dataset name per record
    std::vector<haddr_t> m_offsets;  ///< absolute file offset of each record's data, or undefined
    std::vector<char> m_rawKind;     ///< 4: float32 LE, 2: float16 LE, 0: needs HDF5 conversion
    /// Serialises calls into the HDF5 library (Debian's build is not thread-safe); the direct
    /// preadv path needs no lock, so streamed batches read in parallel when the layout allows.
    mutable std::mutex m_hdf5Mutex;
};

} // namespace salient::detail
