#pragma once
// Private HDF5 helpers shared by core's HDF5 readers and writers: RAII ownership of hid_t and
// silencing of HDF5's automatic error printing (per thread).
#include <hdf5.h>

namespace salient::detail {

/// Turns off HDF5's automatic error printing for the calling thread. Called at the top of every
/// entry point that calls HDF5.
inline void silenceHdf5()
{
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

/// Owns one hid_t and closes it with the matching H5?close.
class Hid {
public:
    using Closer = herr_t (*)(hid_t);
    Hid() = default;
    Hid(hid_t id, Closer closer) : m_id(id), m_closer(closer) {}
    ~Hid() { reset(); }
    Hid(const Hid &) = delete;
    Hid &operator=(const Hid &) = delete;
    Hid(Hid &&o) noexcept : m_id(o.m_id), m_closer(o.m_closer) { o.m_id = H5I_INVALID_HID; }
    Hid &operator=(Hid &&o) noexcept
    {
        if (this != &o) {
            reset();
            m_id = o.m_id;
            m_closer = o.m_closer;
            o.m_id = H5I_INVALID_HID;
        }
        return *this;
    }
    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }
    /// Closes now; returns the close status (0 when there was nothing to close).
    herr_t reset()
    {
        herr_t r = 0;
        if (m_id >= 0 && m_closer)
            r = m_closer(m_id);
        m_id = H5I_INVALID_HID;
        return r;
    }

private:
    hid_t m_id = H5I_INVALID_HID;
    Closer m_closer = nullptr;
};

inline Hid fileId(hid_t id)
{
    return Hid(id, H5Fclose);
}
inline Hid datasetId(hid_t id)
{
    return Hid(id, H5Dclose);
}
inline Hid spaceId(hid_t id)
{
    return Hid(id, H5Sclose);
}
inline Hid typeId(hid_t id)
{
    return Hid(id, H5Tclose);
}
inline Hid plistId(hid_t id)
{
    return Hid(id, H5Pclose);
}
inline Hid attrId(hid_t id)
{
    return Hid(id, H5Aclose);
}

} // namespace salient::detail
