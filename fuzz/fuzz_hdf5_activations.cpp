// libFuzzer target: NeuroX HDF5 activation reader (core/src/io/hdf5store.cpp) on arbitrary bytes.
// The reader takes a path, so every input is written to a per-process scratch file.
// Crashes inside libhdf5 itself are documented in docs/robustness.md.
#include "fuzz_store_common.h"
#include "io/hdf5store_p.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    const QString path = fuzz::writeFile("input.hdf5", data, size);
    try {
        const std::unique_ptr<ActivationStore> store = detail::openHdf5Store(path);
        fuzz::readAll(*store);
    } catch (const Error &) {
    }
    return 0;
}
